//! Connections, cases from polling, mapping profiles, settings and the audit log.

use casebridge_store::{
    AcceptedCase, AgencyEnvironment, AuditQuery, CaseQuery, CaseSourceStatus, ConnectionRecord,
    ConnectionStatus, DocumentState, NewAuditEntry, NewDocument, NewMappingProfile, PolledCase,
    SourceAnswer, SourceCheck, SourceCheckDue, StoreError,
};
use serde_json::json;

use crate::{at, memory_store, new_entry, src};

fn connection() -> ConnectionRecord {
    ConnectionRecord {
        id: "quickbooks:realm_1".into(),
        provider: "quickbooks".into(),
        account_id: "realm_1".into(),
        display_name: "Acme Books".into(),
        environment: "sandbox".into(),
        settings: json!({ "minorversion": 75 }),
        status: ConnectionStatus::Connected,
        last_success_at: None,
        last_error: None,
        token_expires_at: None,
        refresh_token_issued_at: None,
        created_at: at(0),
        updated_at: at(0),
    }
}

fn polled(id: &str, lifecycle: &str) -> PolledCase {
    PolledCase {
        agency_case_id: id.into(),
        agency_environment: AgencyEnvironment::Production,
        agency_reference: Some("REF12345".into()),
        creditor_reference: Some("INV-stripe-in_1".into()),
        debtor_name: Some("Acme ApS".into()),
        amount: Some("100.00".into()),
        currency: Some("DKK".into()),
        lifecycle: Some(lifecycle.into()),
        close_code: None,
        raw: json!({ "id": id, "lifecycle": lifecycle }),
    }
}

#[test]
fn connection_health_is_recorded_without_losing_created_at() {
    let store = memory_store();
    store.upsert_connection(&connection()).unwrap();
    let mut renamed = connection();
    renamed.display_name = "Acme Books ApS".into();
    renamed.created_at = at(999); // ignored on update
    renamed.updated_at = at(10);
    let saved = store.upsert_connection(&renamed).unwrap();
    assert_eq!(
        (saved.display_name.as_str(), saved.created_at),
        ("Acme Books ApS", at(0))
    );

    store
        .record_token_times("quickbooks:realm_1", at(3600), Some(at(20)), at(20))
        .unwrap();
    let refreshed = store
        .record_token_times("quickbooks:realm_1", at(7200), None, at(3600))
        .unwrap();
    assert_eq!(refreshed.token_expires_at, Some(at(7200)));
    assert_eq!(
        refreshed.refresh_token_issued_at,
        Some(at(20)),
        "None keeps the issue time"
    );

    let failed = store
        .record_connection_error(
            "quickbooks:realm_1",
            ConnectionStatus::NeedsReconnect,
            &json!({ "code": "invalid_grant" }),
            at(4000),
        )
        .unwrap();
    assert_eq!(failed.status, ConnectionStatus::NeedsReconnect);
    let ok = store
        .record_connection_success("quickbooks:realm_1", at(5000))
        .unwrap();
    assert_eq!(
        (ok.status, ok.last_error, ok.last_success_at),
        (ConnectionStatus::Connected, None, Some(at(5000)))
    );

    let missing = store
        .record_connection_success("stripe:nope", at(1))
        .unwrap_err();
    assert!(
        matches!(
            missing,
            StoreError::NotFound {
                what: "connection",
                ..
            }
        ),
        "got {missing:?}"
    );
    assert_eq!(store.list_connections().unwrap().len(), 1);
    assert!(store.delete_connection("quickbooks:realm_1").unwrap());
    assert!(store
        .get_connection("quickbooks:realm_1")
        .unwrap()
        .is_none());
}

#[test]
fn polling_updates_agency_fields_and_keeps_the_link_to_the_invoice() {
    let store = memory_store();
    let id = store
        .outbox_enqueue(&[new_entry(src("in_1"), "k1")], at(0))
        .unwrap()
        .enqueued[0]
        .id;
    store.outbox_claim(id, at(1)).unwrap().unwrap();
    let accepted = AcceptedCase {
        agency_case_id: "case-1".into(),
        agency_reference: Some("REF12345".into()),
        debtor_name: Some("Acme ApS".into()),
        amount: Some("100.00".into()),
        currency: Some("DKK".into()),
        lifecycle: Some("Pending Verification".into()),
        raw: None,
    };
    store.outbox_mark_accepted(id, &accepted, at(2)).unwrap();
    store
        .record_source_check("case-1", &SourceCheck::Answered(SourceAnswer::Paid), at(3))
        .unwrap();

    let changes = store
        .upsert_polled_cases(
            &[polled("case-1", "Active"), polled("case-2", "Active")],
            at(10),
        )
        .unwrap();
    let first = &changes[0];
    assert_eq!(
        first.previous.as_ref().unwrap().lifecycle.as_deref(),
        Some("Pending Verification")
    );
    assert_eq!(first.current.lifecycle.as_deref(), Some("Active"));
    assert_eq!(
        first.current.source,
        Some(src("in_1")),
        "polling keeps the invoice link"
    );
    assert_eq!(first.current.source_status, CaseSourceStatus::PaidAtSource);
    assert_eq!(first.current.last_polled_at, Some(at(10)));
    assert!(
        changes[1].previous.is_none(),
        "a case first seen on the agency"
    );
    assert_eq!(changes[1].current.source, None);

    let payments = store
        .set_case_payments("case-1", &json!([{ "grossAmount": 25 }]), at(11))
        .unwrap();
    assert_eq!(payments.previous.unwrap().payments, json!([]));
    assert_eq!(payments.current.payments, json!([{ "grossAmount": 25 }]));

    let mine = store
        .list_cases(&CaseQuery {
            with_source_only: true,
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        mine.iter()
            .map(|c| c.agency_case_id.as_str())
            .collect::<Vec<_>>(),
        ["case-1"]
    );
    assert_eq!(
        store
            .list_cases(&CaseQuery {
                limit: 10,
                ..Default::default()
            })
            .unwrap()
            .len(),
        2
    );
}

/// Submits `ids` (Stripe account `acct_1`, production) and returns their case ids.
fn submitted_cases(store: &casebridge_store::Store, ids: &[&str]) -> Vec<String> {
    ids.iter()
        .map(|ext| {
            let id = store
                .outbox_enqueue(&[new_entry(src(ext), &format!("k-{ext}"))], at(0))
                .unwrap()
                .enqueued[0]
                .id;
            store.outbox_claim(id, at(1)).unwrap().unwrap();
            let case = AcceptedCase {
                agency_case_id: format!("case-{ext}"),
                agency_reference: None,
                debtor_name: None,
                amount: Some("100.00".into()),
                currency: Some("DKK".into()),
                lifecycle: Some("Active".into()),
                raw: None,
            };
            store.outbox_mark_accepted(id, &case, at(2)).unwrap();
            case.agency_case_id
        })
        .collect()
}

#[test]
fn source_checks_are_due_once_per_interval_and_a_failure_keeps_the_last_answer() {
    let store = memory_store();
    let cases = submitted_cases(&store, &["in_1", "in_2", "in_3"]);
    let due = |asked_before| {
        store
            .cases_due_for_source_check(&SourceCheckDue {
                agency_environment: AgencyEnvironment::Production,
                provider: "stripe",
                account: "acct_1",
                asked_before,
                limit: 10,
            })
            .unwrap()
            .into_iter()
            .map(|c| c.agency_case_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(due(at(100)), cases, "never asked: all due");

    let paid = store
        .record_source_check(
            &cases[0],
            &SourceCheck::Answered(SourceAnswer::Paid),
            at(100),
        )
        .unwrap();
    assert_eq!(paid.current.source_status, CaseSourceStatus::PaidAtSource);
    assert_eq!(paid.current.source_checked_at, Some(at(100)));
    let error = json!({ "code": "network", "message": "down", "hint": "later" });
    let failed = store
        .record_source_check(&cases[0], &SourceCheck::Failed(error.clone()), at(200))
        .unwrap();
    assert_eq!(
        failed.current.source_status,
        CaseSourceStatus::PaidAtSource,
        "a failed ask keeps the last answer"
    );
    assert_eq!(failed.current.source_checked_at, Some(at(100)));
    assert_eq!(failed.current.source_check_attempted_at, Some(at(200)));
    assert_eq!(failed.current.source_check_error, Some(error));
    store
        .record_source_check(
            &cases[1],
            &SourceCheck::Answered(SourceAnswer::Gone),
            at(100),
        )
        .unwrap();

    // Asked at 200 (case 1) and voided (case 2): only case 3 is due until 200 has passed.
    assert_eq!(due(at(150)), [cases[2].clone()]);
    assert_eq!(
        due(at(201)),
        [cases[2].clone(), cases[0].clone()],
        "never asked first, voided/deleted never again"
    );
    assert!(
        store
            .cases_due_for_source_check(&SourceCheckDue {
                agency_environment: AgencyEnvironment::Test,
                provider: "stripe",
                account: "acct_1",
                asked_before: at(1_000),
                limit: 10,
            })
            .unwrap()
            .is_empty(),
        "other environment"
    );
    let answered = store
        .record_source_check(
            &cases[0],
            &SourceCheck::Answered(SourceAnswer::Open),
            at(300),
        )
        .unwrap();
    assert_eq!(answered.current.source_status, CaseSourceStatus::Open);
    assert_eq!(
        answered.current.source_check_error, None,
        "an answer clears the error"
    );
}

#[test]
fn a_case_found_on_the_agency_blocks_submitting_its_creditor_reference() {
    let store = memory_store();
    store
        .upsert_polled_cases(&[polled("case-9", "Active")], at(0))
        .unwrap();
    let result = store
        .outbox_enqueue(&[new_entry(src("in_1"), "k1")], at(1))
        .unwrap();
    assert!(result.enqueued.is_empty());
    assert!(matches!(
        result.already_queued_or_submitted[0].existing,
        casebridge_store::ExistingSubmission::Case(_)
    ));
}

#[test]
fn documents_track_upload_state() {
    let store = memory_store();
    store
        .upsert_polled_cases(&[polled("case-1", "Active")], at(0))
        .unwrap();
    let doc = store
        .add_document(
            &NewDocument {
                outbox_id: None,
                agency_case_id: Some("case-1".into()),
                file_name: "contract.pdf".into(),
                local_path: "/data/contract.pdf".into(),
                document_type: "CreditorDocuments".into(),
                description: Some("signed contract".into()),
            },
            at(1),
        )
        .unwrap();
    assert_eq!(doc.state, DocumentState::Pending);
    let done = store
        .set_document_state(doc.id, DocumentState::Uploaded, Some("file-7"), None, at(2))
        .unwrap();
    assert_eq!(
        (done.state, done.agency_file_id.as_deref()),
        (DocumentState::Uploaded, Some("file-7"))
    );

    let orphan = NewDocument {
        outbox_id: None,
        agency_case_id: None,
        file_name: "x.pdf".into(),
        local_path: "/x.pdf".into(),
        document_type: "Miscellaneous".into(),
        description: None,
    };
    assert!(
        store.add_document(&orphan, at(3)).is_err(),
        "a document must belong to an entry or a case"
    );
}

#[test]
fn mapping_profiles_are_found_by_header_and_names_are_unique() {
    let store = memory_store();
    let profile = |name: &str| NewMappingProfile {
        name: name.into(),
        header_fingerprint: "hdr-abc".into(),
        mapping: json!({ "Fakturanr": "creditorReference" }),
    };
    let first = store
        .create_mapping_profile(&profile("Dinero export"), at(0))
        .unwrap();
    let second = store
        .create_mapping_profile(&profile("Dinero export v2"), at(1))
        .unwrap();
    let taken = store
        .create_mapping_profile(&profile("Dinero export"), at(2))
        .unwrap_err();
    assert!(
        matches!(
            taken,
            StoreError::Conflict {
                what: "mapping profile name",
                ..
            }
        ),
        "got {taken:?}"
    );
    let rename_clash = store
        .update_mapping_profile(second.id, &profile("Dinero export"), at(3))
        .unwrap_err();
    assert!(matches!(rename_clash, StoreError::Conflict { .. }));

    store
        .update_mapping_profile(first.id, &profile("Dinero export"), at(5))
        .unwrap();
    let found = store.find_mapping_profiles("hdr-abc").unwrap();
    assert_eq!(
        found.iter().map(|p| p.id).collect::<Vec<_>>(),
        [first.id, second.id],
        "most recently updated first"
    );
    assert!(store.find_mapping_profiles("other").unwrap().is_empty());
    assert!(store.delete_mapping_profile(first.id).unwrap());
    assert_eq!(store.list_mapping_profiles().unwrap().len(), 1);
}

#[test]
fn settings_round_trip_and_report_wrong_shapes() {
    let store = memory_store();
    assert_eq!(store.get_setting::<String>("theme").unwrap(), None);
    store.set_setting("theme", "dark", at(0)).unwrap();
    assert_eq!(
        store.get_setting::<String>("theme").unwrap().as_deref(),
        Some("dark")
    );
    let err = store.get_setting::<u32>("theme").unwrap_err();
    assert!(
        matches!(&err, StoreError::SettingValue { key, .. } if key == "theme"),
        "got {err:?}"
    );
    assert!(store.delete_setting("theme").unwrap());
}

#[test]
fn audit_log_pages_newest_first() {
    let store = memory_store();
    for i in 0..5 {
        store
            .append_audit(&NewAuditEntry {
                at: at(i),
                actor: "user".into(),
                action: "case.submitted".into(),
                subject: if i % 2 == 0 {
                    "even".into()
                } else {
                    "odd".into()
                },
                details: json!({ "i": i }),
            })
            .unwrap();
    }
    let page = store
        .list_audit(&AuditQuery {
            limit: 2,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        page.iter()
            .map(|e| e.details["i"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [4, 3]
    );
    let next = store
        .list_audit(&AuditQuery {
            limit: 2,
            before_id: Some(page[1].id),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        next.iter()
            .map(|e| e.details["i"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        [2, 1]
    );
    let odd = store
        .list_audit(&AuditQuery {
            subject: Some("odd".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(odd.len(), 2);
}
