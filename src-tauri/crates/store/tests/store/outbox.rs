//! Exactly-once structure of the outbox: duplicates refused, claims are compare-and-set across
//! threads and processes, acceptance is atomic, crashes leave recoverable state.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};

use casebridge_store::{
    AcceptedCase, AgencyEnvironment, DuplicateMatch, ExistingSubmission, NewDocument, OutboxFilter,
    OutboxState, SourceRef, Store, StoreError,
};
use serde_json::json;

use crate::{at, memory_store, new_entry, src};

fn accepted(case_id: &str) -> AcceptedCase {
    AcceptedCase {
        agency_case_id: case_id.to_owned(),
        agency_reference: Some("Q8OAXF3W".to_owned()),
        debtor_name: Some("Acme ApS".to_owned()),
        amount: Some("100.00".to_owned()),
        currency: Some("DKK".to_owned()),
        lifecycle: Some("Pending Verification".to_owned()),
        raw: Some(json!({ "id": case_id })),
    }
}

/// Enqueues one entry and claims it; returns its id.
fn enqueue_and_claim(store: &Store, external_id: &str) -> i64 {
    let id = store
        .outbox_enqueue(
            &[new_entry(src(external_id), &format!("key-{external_id}"))],
            at(0),
        )
        .unwrap()
        .enqueued[0]
        .id;
    store
        .outbox_claim(id, at(1))
        .unwrap()
        .expect("first claim wins");
    id
}

#[test]
fn enqueueing_the_same_invoice_twice_reports_the_existing_entry_instead_of_inserting() {
    let store = memory_store();
    let first = store
        .outbox_enqueue(&[new_entry(src("in_1"), "key-a")], at(0))
        .unwrap();
    assert_eq!(first.enqueued.len(), 1);
    assert!(first.already_queued_or_submitted.is_empty());

    // Same invoice, fresh key (e.g. the user clicked Submit again in a second window).
    let second = store
        .outbox_enqueue(&[new_entry(src("in_1"), "key-b")], at(5))
        .unwrap();
    assert!(second.enqueued.is_empty(), "nothing may be inserted twice");
    let dup = &second.already_queued_or_submitted[0];
    assert_eq!(dup.requested, src("in_1"));
    assert_eq!(dup.matched_by, DuplicateMatch::SourceRef);
    match &dup.existing {
        ExistingSubmission::Outbox(e) => {
            assert_eq!(e.id, first.enqueued[0].id);
            assert_eq!(e.idempotency_key, "key-a", "the original key is kept");
        }
        other => panic!("expected the outbox entry, got {other:?}"),
    }
    assert_eq!(store.outbox_counts_by_state(None).unwrap().total(), 1);
}

#[test]
fn duplicates_inside_one_batch_are_caught_too() {
    let store = memory_store();
    let result = store
        .outbox_enqueue(
            &[
                new_entry(src("in_1"), "key-a"),
                new_entry(src("in_1"), "key-b"),
            ],
            at(0),
        )
        .unwrap();
    assert_eq!(result.enqueued.len(), 1);
    assert_eq!(result.already_queued_or_submitted.len(), 1);
}

#[test]
fn same_creditor_reference_from_another_source_is_a_duplicate() {
    let store = memory_store();
    let stripe = new_entry(src("in_1"), "key-a");
    let mut quickbooks = new_entry(SourceRef::new("quickbooks", "realm_9", "42"), "key-b");
    quickbooks.creditor_reference = stripe.creditor_reference.clone();
    let result = store.outbox_enqueue(&[stripe, quickbooks], at(0)).unwrap();
    assert_eq!(result.enqueued.len(), 1);
    assert_eq!(
        result.already_queued_or_submitted[0].matched_by,
        DuplicateMatch::CreditorReference
    );
}

#[test]
fn same_fingerprint_from_another_source_is_a_duplicate() {
    let store = memory_store();
    let mut stripe = new_entry(src("in_1"), "key-a");
    stripe.fingerprint = Some("fp-acme-100-dkk".to_owned());
    let mut zoho = new_entry(SourceRef::new("zoho", "org_1", "77"), "key-b");
    zoho.fingerprint = stripe.fingerprint.clone();
    let result = store.outbox_enqueue(&[stripe, zoho], at(0)).unwrap();
    assert_eq!(result.enqueued.len(), 1);
    assert_eq!(
        result.already_queued_or_submitted[0].matched_by,
        DuplicateMatch::Fingerprint
    );
    assert_eq!(
        store
            .submitted_by_fingerprint(AgencyEnvironment::Production, "fp-acme-100-dkk")
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_test_environment_submission_does_not_block_production() {
    let store = memory_store();
    let mut trial = new_entry(src("in_1"), "key-test");
    trial.agency_environment = AgencyEnvironment::Test;
    let real = new_entry(src("in_1"), "key-prod");
    let result = store.outbox_enqueue(&[trial, real], at(0)).unwrap();
    assert_eq!(result.enqueued.len(), 2);
    assert!(store
        .is_submitted(AgencyEnvironment::Test, &src("in_1"))
        .unwrap());
    assert!(store
        .is_submitted(AgencyEnvironment::Production, &src("in_1"))
        .unwrap());
}

#[test]
fn a_rejected_invoice_can_be_submitted_again_with_a_new_key_in_the_same_row() {
    let store = memory_store();
    let id = enqueue_and_claim(&store, "in_1");
    store
        .outbox_mark_rejected(id, &json!({ "status": 400 }), at(2))
        .unwrap();
    assert!(!store
        .is_submitted(AgencyEnvironment::Production, &src("in_1"))
        .unwrap());

    let again = store
        .outbox_enqueue(&[new_entry(src("in_1"), "key-retry")], at(10))
        .unwrap();
    let revived = &again.enqueued[0];
    assert_eq!(revived.id, id, "one row per invoice, revived in place");
    assert_eq!((revived.state, revived.attempts), (OutboxState::Queued, 0));
    assert_eq!(revived.idempotency_key, "key-retry");
    assert_eq!(revived.last_error, None);
}

#[test]
fn reusing_an_old_idempotency_key_fails_the_whole_batch() {
    let store = memory_store();
    let id = enqueue_and_claim(&store, "in_1");
    store
        .outbox_mark_rejected(id, &json!({ "status": 422 }), at(2))
        .unwrap();

    // The agency stored a response under key-in_1; resending another body with it would be an
    // IdempotencyConflict, so the store refuses it, and the other entry of the batch with it.
    let err = store
        .outbox_enqueue(
            &[
                new_entry(src("in_2"), "key-fresh"),
                new_entry(src("in_1"), "key-in_1"),
            ],
            at(3),
        )
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                what: "idempotency key",
                ..
            }
        ),
        "got {err:?}"
    );
    assert!(
        !store
            .is_submitted(AgencyEnvironment::Production, &src("in_2"))
            .unwrap(),
        "batch rolled back"
    );
}

#[test]
fn only_the_first_claim_wins_and_counts_an_attempt() {
    let store = memory_store();
    let id = store
        .outbox_enqueue(&[new_entry(src("in_1"), "k")], at(0))
        .unwrap()
        .enqueued[0]
        .id;
    let claimed = store.outbox_claim(id, at(1)).unwrap().expect("claimable");
    assert_eq!((claimed.state, claimed.attempts), (OutboxState::Sending, 1));
    assert_eq!(
        store.outbox_claim(id, at(1)).unwrap(),
        None,
        "already sending"
    );
    assert_eq!(
        store.outbox_claim(9999, at(1)).unwrap(),
        None,
        "no such entry"
    );
}

#[test]
fn claim_waits_for_the_backoff() {
    let store = memory_store();
    let id = enqueue_and_claim(&store, "in_1");
    store
        .outbox_requeue(id, &json!({ "status": 429 }), at(60), at(2))
        .unwrap();
    assert_eq!(
        store.outbox_claim(id, at(59)).unwrap(),
        None,
        "before next_attempt_at"
    );
    assert!(store.outbox_due(at(59), 10).unwrap().is_empty());
    assert_eq!(store.outbox_due(at(60), 10).unwrap().len(), 1);
    let again = store.outbox_claim(id, at(60)).unwrap().expect("due now");
    assert_eq!(again.attempts, 2);
}

#[test]
fn concurrent_claims_from_threads_sharing_a_handle_never_double_send() {
    let store = memory_store();
    let entries: Vec<_> = (0..50)
        .map(|i| new_entry(src(&format!("in_{i}")), &format!("k{i}")))
        .collect();
    let ids: Vec<i64> = store
        .outbox_enqueue(&entries, at(0))
        .unwrap()
        .enqueued
        .iter()
        .map(|e| e.id)
        .collect();
    let wins = race_claims(vec![store.clone(), store], &ids);
    assert_eq!(wins, ids.len(), "every entry claimed exactly once");
}

#[test]
fn concurrent_claims_from_two_handles_on_one_file_never_double_send() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.sqlite");
    let window = Store::open(&path).unwrap();
    let cli = Store::open(&path).unwrap();
    let entries: Vec<_> = (0..50)
        .map(|i| new_entry(src(&format!("in_{i}")), &format!("k{i}")))
        .collect();
    let ids: Vec<i64> = window
        .outbox_enqueue(&entries, at(0))
        .unwrap()
        .enqueued
        .iter()
        .map(|e| e.id)
        .collect();
    let wins = race_claims(vec![window, cli], &ids);
    assert_eq!(wins, ids.len(), "every entry claimed exactly once");
}

/// Every handle tries to claim every id at the same moment; returns the number of successful
/// claims and panics if an id was won twice.
fn race_claims(handles: Vec<Store>, ids: &[i64]) -> usize {
    let barrier = Arc::new(Barrier::new(handles.len()));
    let threads: Vec<_> = handles
        .into_iter()
        .map(|store| {
            let (barrier, ids) = (barrier.clone(), ids.to_vec());
            std::thread::spawn(move || {
                barrier.wait();
                ids.iter()
                    .filter_map(|id| store.outbox_claim(*id, at(1)).unwrap())
                    .map(|e| e.id)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut won: Vec<i64> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let total = won.len();
    won.sort_unstable();
    won.dedup();
    assert_eq!(won.len(), total, "an entry was claimed twice");
    total
}

#[test]
fn acceptance_writes_the_case_and_links_documents_in_the_same_commit() {
    let store = memory_store();
    let id = enqueue_and_claim(&store, "in_1");
    let doc = store
        .add_document(
            &NewDocument {
                outbox_id: Some(id),
                agency_case_id: None,
                file_name: "in_1.pdf".to_owned(),
                local_path: "/tmp/in_1.pdf".to_owned(),
                document_type: "OriginalInvoice".to_owned(),
                description: None,
            },
            at(1),
        )
        .unwrap();

    let entry = store
        .outbox_mark_accepted(id, &accepted("case-1"), at(2))
        .unwrap();
    assert_eq!(entry.state, OutboxState::Accepted);
    assert_eq!(entry.agency_case_id.as_deref(), Some("case-1"));

    let case = store
        .get_case("case-1")
        .unwrap()
        .expect("case row written with the acceptance");
    assert_eq!(case.source, Some(src("in_1")));
    assert_eq!(case.outbox_id, Some(id));
    assert_eq!(case.creditor_reference.as_deref(), Some("INV-stripe-in_1"));
    assert_eq!(case.submitted_at, Some(at(2)));
    let docs = store.list_documents(Some(id), None).unwrap();
    assert_eq!(docs[0].id, doc.id);
    assert_eq!(docs[0].agency_case_id.as_deref(), Some("case-1"));
    assert!(store
        .is_submitted(AgencyEnvironment::Production, &src("in_1"))
        .unwrap());
}

#[test]
fn a_failed_acceptance_leaves_neither_state_change_nor_case() {
    let store = memory_store();
    let first = enqueue_and_claim(&store, "in_1");
    let second = enqueue_and_claim(&store, "in_2");
    store
        .outbox_mark_accepted(first, &accepted("case-1"), at(2))
        .unwrap();

    // The same agency case id for another submission cannot be linked: the whole step rolls back.
    let err = store
        .outbox_mark_accepted(second, &accepted("case-1"), at(3))
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "got {err:?}");
    let entry = store.outbox_get(second).unwrap().unwrap();
    assert_eq!(
        entry.state,
        OutboxState::Sending,
        "state change rolled back with the case insert"
    );
    assert_eq!(entry.agency_case_id, None);
    assert_eq!(
        store.get_case("case-1").unwrap().unwrap().source,
        Some(src("in_1"))
    );
}

#[test]
fn transitions_from_the_wrong_state_are_refused_with_the_current_state() {
    let store = memory_store();
    let id = store
        .outbox_enqueue(&[new_entry(src("in_1"), "k")], at(0))
        .unwrap()
        .enqueued[0]
        .id;
    let err = store
        .outbox_mark_accepted(id, &accepted("case-1"), at(1))
        .unwrap_err();
    match err {
        StoreError::OutboxTransition {
            state, attempted, ..
        } => {
            assert_eq!(
                (state, attempted),
                (OutboxState::Queued, OutboxState::Accepted)
            );
        }
        other => panic!("expected OutboxTransition, got {other:?}"),
    }
    assert!(store.get_case("case-1").unwrap().is_none());
    let missing = store
        .outbox_mark_rejected(424242, &json!({}), at(1))
        .unwrap_err();
    assert!(
        matches!(
            missing,
            StoreError::NotFound {
                what: "outbox entry",
                ..
            }
        ),
        "got {missing:?}"
    );

    // An uncertain entry may exist at the agency: it cannot be cancelled, and it is resolved
    // only by whoever claims it, so two windows never reconcile (or resend) it at once.
    store.outbox_claim(id, at(1)).unwrap().unwrap();
    store
        .outbox_mark_uncertain(id, &json!({ "timeout": true }), at(30), at(2))
        .unwrap();
    assert!(matches!(
        store.outbox_cancel(id, at(3)),
        Err(StoreError::OutboxTransition { .. })
    ));
    for unclaimed in [
        store.outbox_mark_accepted(id, &accepted("case-1"), at(31)),
        store.outbox_mark_rejected(id, &json!({}), at(31)),
        store.outbox_requeue(id, &json!({}), at(31), at(31)),
    ] {
        assert!(matches!(
            unclaimed,
            Err(StoreError::OutboxTransition {
                state: OutboxState::Uncertain,
                ..
            })
        ));
    }
    store
        .outbox_claim(id, at(30))
        .unwrap()
        .expect("claimable after its backoff");
    store
        .outbox_mark_accepted(id, &accepted("case-1"), at(31))
        .unwrap();
}

#[test]
fn cancelled_entries_free_the_invoice_and_count_per_batch() {
    let store = memory_store();
    let mut other_batch = new_entry(src("in_2"), "k2");
    other_batch.batch_id = Some("batch-2".to_owned());
    let result = store
        .outbox_enqueue(&[new_entry(src("in_1"), "k1"), other_batch], at(0))
        .unwrap();
    store.outbox_cancel(result.enqueued[0].id, at(1)).unwrap();

    let batch1 = store.outbox_counts_by_state(Some("batch-1")).unwrap();
    assert_eq!((batch1.cancelled, batch1.queued, batch1.total()), (1, 0, 1));
    let all = store.outbox_counts_by_state(None).unwrap();
    assert_eq!((all.cancelled, all.queued), (1, 1));
    assert!(!store
        .is_submitted(AgencyEnvironment::Production, &src("in_1"))
        .unwrap());

    let listed = store
        .outbox_list(&OutboxFilter {
            states: vec![OutboxState::Queued],
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|e| e.source.external_id.as_str())
            .collect::<Vec<_>>(),
        ["in_2"]
    );
}

#[test]
fn an_entry_left_sending_by_a_crash_is_found_and_becomes_uncertain_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.sqlite");
    let id = {
        let store = Store::open(&path).unwrap();
        enqueue_and_claim(&store, "in_1")
        // The handle is dropped without marking: the process "died" mid-send.
    };
    let store = Store::open(&path).unwrap();
    let unfinished = store.outbox_unfinished().unwrap();
    assert_eq!(unfinished.len(), 1);
    assert_eq!(
        (unfinished[0].id, unfinished[0].state),
        (id, OutboxState::Sending)
    );

    // A claim younger than the cutoff may still be in flight in another process: untouched.
    assert!(store
        .outbox_recover_interrupted(at(0), &json!({ "interrupted": true }), at(100))
        .unwrap()
        .is_empty());
    let recovered = store
        .outbox_recover_interrupted(at(40), &json!({ "interrupted": true }), at(100))
        .unwrap();
    assert_eq!(recovered.len(), 1);
    assert_eq!(recovered[0].state, OutboxState::Uncertain);
    let resent = store
        .outbox_claim(id, at(100))
        .unwrap()
        .expect("uncertain is claimable");
    assert_eq!(
        resent.idempotency_key, "key-in_1",
        "resending reuses the key"
    );
    assert_eq!(resent.attempts, 2);
}

/// Child half of the kill -9 test: only does something when the parent starts it.
#[test]
fn kill_9_child() {
    let Ok(path) = std::env::var("CASEBRIDGE_STORE_KILL_TEST_DB") else {
        return;
    };
    let store = Store::open(std::path::Path::new(&path)).unwrap();
    let id = enqueue_and_claim(&store, "in_1");
    // libtest may print "test … ..." on the same line first, hence the marker is searched for.
    println!("\nCLAIMED={id}");
    std::thread::sleep(std::time::Duration::from_secs(60));
}

#[test]
fn kill_9_mid_send_leaves_a_recoverable_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.sqlite");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "outbox::kill_9_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CASEBRIDGE_STORE_KILL_TEST_DB", &path)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let claimed = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find_map(|line| {
            line.split_once("CLAIMED=")
                .map(|(_, id)| id.trim().parse::<i64>())
        });
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
    let claimed = claimed
        .expect("child printed its claim")
        .expect("numeric id");

    let store = Store::open(&path).unwrap();
    let unfinished = store.outbox_unfinished().unwrap();
    assert_eq!(unfinished.len(), 1, "the committed claim survived the kill");
    assert_eq!(
        (unfinished[0].id, unfinished[0].state),
        (claimed, OutboxState::Sending)
    );
    let retry = store
        .outbox_enqueue(&[new_entry(src("in_1"), "another-key")], at(500))
        .unwrap();
    assert!(
        retry.enqueued.is_empty(),
        "the invoice cannot be queued a second time after the crash"
    );
}
