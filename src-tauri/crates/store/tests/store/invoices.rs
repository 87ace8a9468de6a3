//! The invoice cache: upserts keep user state, review status follows submissions, queries page.

use casebridge_store::{
    AgencyEnvironment, DebtorRef, InvoiceFilter, InvoiceQuery, InvoiceRecord, InvoiceSort,
    ReviewStatus, SourceRef, Store,
};
use chrono::NaiveDate;
use serde_json::json;

use crate::{at, memory_store, new_entry, src};

fn invoice(
    external_id: &str,
    debtor: &str,
    outstanding: &str,
    issues: Option<u32>,
) -> InvoiceRecord {
    InvoiceRecord {
        source: src(external_id),
        creditor_reference: Some(format!("INV-stripe-{external_id}")),
        debtor_key: format!("cus_{debtor}"),
        debtor_name: debtor.to_owned(),
        fingerprint: None,
        issue_date: NaiveDate::from_ymd_opt(2025, 1, 10),
        due_date: NaiveDate::from_ymd_opt(2025, 2, 10),
        currency: Some("EUR".to_owned()),
        outstanding: outstanding.to_owned(),
        issue_count: issues,
        payload: json!({ "number": external_id }),
        source_status: "open".to_owned(),
        fetched_at: at(0),
    }
}

fn filter() -> InvoiceFilter {
    InvoiceFilter {
        agency_environment: AgencyEnvironment::Production,
        provider: None,
        account: None,
        search: None,
    }
}

fn query(status: Option<ReviewStatus>) -> InvoiceQuery {
    InvoiceQuery {
        filter: filter(),
        status,
        sort: InvoiceSort::DueDate,
        descending: false,
        limit: 100,
        offset: 0,
    }
}

fn ids(rows: &[casebridge_store::ReviewedInvoice]) -> Vec<&str> {
    rows.iter()
        .map(|r| r.invoice.source.external_id.as_str())
        .collect()
}

#[test]
fn refetching_refreshes_source_fields_but_keeps_first_seen_and_debtor_fixes() {
    let store = memory_store();
    store
        .upsert_invoices(&[invoice("in_1", "Acme", "100.00", Some(2))])
        .unwrap();
    let debtor = DebtorRef {
        provider: "stripe".into(),
        account: "acct_1".into(),
        debtor_key: "cus_Acme".into(),
    };
    store
        .set_debtor_override(&debtor, &json!({ "city": "Aarhus" }), at(5))
        .unwrap();

    let mut refetched = invoice("in_1", "Acme", "40.00", Some(0));
    refetched.fetched_at = at(100);
    refetched.source_status = "partially_paid".into();
    assert_eq!(store.upsert_invoices(&[refetched]).unwrap(), 1);

    let got = store
        .get_invoice(AgencyEnvironment::Production, &src("in_1"))
        .unwrap()
        .unwrap();
    assert_eq!(got.invoice.outstanding, "40.00");
    assert_eq!(got.invoice.source_status, "partially_paid");
    assert_eq!(got.invoice.fetched_at, at(100));
    assert_eq!(
        got.first_seen_at,
        at(0),
        "first_seen_at survives the re-fetch"
    );
    assert_eq!(got.status, ReviewStatus::Ready);
    let fix = store
        .get_debtor_override(&debtor)
        .unwrap()
        .expect("debtor fix survives the re-fetch");
    assert_eq!(fix.value, json!({ "city": "Aarhus" }));
    assert_eq!(store.invoices_of_debtor(&debtor).unwrap().len(), 1);
}

#[test]
fn review_status_follows_readiness_submissions_and_duplicates() {
    let store = memory_store();
    let mut dup = invoice("in_dup", "Beta", "10", Some(0));
    dup.source = SourceRef::new("quickbooks", "realm_1", "55");
    dup.creditor_reference = Some("INV-stripe-in_sub".into()); // same number as a submitted invoice
    store
        .upsert_invoices(&[
            invoice("in_ready", "Acme", "10", Some(0)),
            invoice("in_fix", "Acme", "10", Some(3)),
            invoice("in_new", "Acme", "10", None),
            invoice("in_sub", "Acme", "10", Some(0)),
            dup,
        ])
        .unwrap();
    store
        .outbox_enqueue(&[new_entry(src("in_sub"), "k1")], at(1))
        .unwrap();

    let counts = store.count_invoices(&filter()).unwrap();
    assert_eq!(
        (
            counts.all,
            counts.ready,
            counts.needs_fixing,
            counts.unchecked,
            counts.submitted,
            counts.duplicate
        ),
        (5, 1, 1, 1, 1, 1)
    );
    assert_eq!(
        ids(&store
            .list_invoices(&query(Some(ReviewStatus::Ready)))
            .unwrap()),
        ["in_ready"]
    );
    assert_eq!(
        ids(&store
            .list_invoices(&query(Some(ReviewStatus::Submitted)))
            .unwrap()),
        ["in_sub"]
    );
    assert_eq!(
        ids(&store
            .list_invoices(&query(Some(ReviewStatus::Duplicate)))
            .unwrap()),
        ["55"]
    );

    // In the test environment nothing is submitted yet.
    let test_env = InvoiceFilter {
        agency_environment: AgencyEnvironment::Test,
        ..filter()
    };
    assert_eq!(store.count_invoices(&test_env).unwrap().submitted, 0);
}

#[test]
fn readiness_results_can_be_updated_after_a_debtor_fix() {
    let store = memory_store();
    store
        .upsert_invoices(&[
            invoice("in_1", "Acme", "10", Some(2)),
            invoice("in_2", "Acme", "10", Some(1)),
        ])
        .unwrap();
    let changed = store
        .set_invoice_issue_counts(&[
            (src("in_1"), Some(0)),
            (src("in_2"), Some(0)),
            (src("missing"), Some(0)),
        ])
        .unwrap();
    assert_eq!(changed, 2, "unknown invoices are skipped");
    assert_eq!(store.count_invoices(&filter()).unwrap().ready, 2);
}

#[test]
fn search_is_literal_and_case_insensitive() {
    let store = memory_store();
    store
        .upsert_invoices(&[
            invoice("in_1", "Acme 100% GmbH", "10", Some(0)),
            invoice("in_2", "Acme 1000 GmbH", "10", Some(0)),
            invoice("in_3", "Other", "10", Some(0)),
        ])
        .unwrap();
    let search = |s: &str| {
        let mut q = query(None);
        q.filter.search = Some(s.to_owned());
        ids(&store.list_invoices(&q).unwrap())
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(search("acme"), ["in_1", "in_2"]);
    assert_eq!(search("100%"), ["in_1"], "% is not a wildcard");
    assert_eq!(
        search("INV-STRIPE-IN_3"),
        ["in_3"],
        "matches the invoice number too"
    );
    assert_eq!(
        search("   "),
        ["in_1", "in_2", "in_3"],
        "blank search means no search"
    );
}

#[test]
fn sorting_by_amount_is_numeric_and_pages_do_not_overlap() {
    let store = memory_store();
    store
        .upsert_invoices(&[
            invoice("a", "A", "9.50", Some(0)),
            invoice("b", "B", "10.00", Some(0)),
            invoice("c", "C", "100", Some(0)),
            invoice("d", "D", "2", Some(0)),
        ])
        .unwrap();
    let mut q = query(None);
    q.sort = InvoiceSort::Outstanding;
    q.descending = true;
    q.limit = 2;
    let first = store.list_invoices(&q).unwrap();
    q.offset = 2;
    let second = store.list_invoices(&q).unwrap();
    assert_eq!(ids(&first), ["c", "b"]);
    assert_eq!(ids(&second), ["a", "d"]);
}

#[test]
fn forgetting_cached_invoices_keeps_submissions() {
    let store = memory_store();
    store
        .upsert_invoices(&[invoice("in_1", "Acme", "10", Some(0))])
        .unwrap();
    store
        .outbox_enqueue(&[new_entry(src("in_1"), "k1")], at(1))
        .unwrap();
    assert_eq!(store.forget_invoices(Some("stripe"), None).unwrap(), 1);
    assert_eq!(store.count_invoices(&filter()).unwrap().all, 0);
    assert!(store
        .is_submitted(AgencyEnvironment::Production, &src("in_1"))
        .unwrap());
}

#[test]
fn a_hundred_thousand_invoices_upsert_in_one_call() {
    // Not a timing test (that is `make bench`): it proves the batch path handles the target
    // volume and that review counts stay correct at that size.
    let store = memory_store();
    let rows: Vec<_> = (0..100_000)
        .map(|i| invoice(&format!("in_{i}"), "Acme", "1", Some(i % 2)))
        .collect();
    assert_eq!(store.upsert_invoices(&rows).unwrap(), 100_000);
    let counts = store.count_invoices(&filter()).unwrap();
    assert_eq!(
        (counts.all, counts.ready, counts.needs_fixing),
        (100_000, 50_000, 50_000)
    );
}

#[test]
fn debtor_fixes_can_be_listed_and_removed() {
    let store = memory_store();
    let acme = DebtorRef {
        provider: "stripe".into(),
        account: "acct_1".into(),
        debtor_key: "cus_1".into(),
    };
    let other = DebtorRef {
        provider: "zoho".into(),
        account: "org".into(),
        debtor_key: "c9".into(),
    };
    store
        .set_debtor_override(&acme, &json!({ "zip": "8000" }), at(0))
        .unwrap();
    store
        .set_debtor_override(&acme, &json!({ "zip": "8200" }), at(1))
        .unwrap();
    store
        .set_debtor_override(&other, &json!({}), at(1))
        .unwrap();
    let stripe_fixes = store.list_debtor_overrides(Some("stripe"), None).unwrap();
    assert_eq!(stripe_fixes.len(), 1);
    assert_eq!(
        (stripe_fixes[0].value.clone(), stripe_fixes[0].updated_at),
        (json!({ "zip": "8200" }), at(1))
    );
    assert!(store.delete_debtor_override(&acme).unwrap());
    assert!(!store.delete_debtor_override(&acme).unwrap());
    assert_eq!(store.list_debtor_overrides(None, None).unwrap().len(), 1);
}

#[test]
fn two_handles_see_each_others_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.sqlite");
    let (window, cli) = (Store::open(&path).unwrap(), Store::open(&path).unwrap());
    cli.upsert_invoices(&[invoice("in_1", "Acme", "10", Some(0))])
        .unwrap();
    assert_eq!(window.count_invoices(&filter()).unwrap().ready, 1);
}

/// Stored marks that differ from their definition (the `invoice_review_marks` view), read over
/// a second connection: must be none after any write.
fn stale_marks(path: &std::path::Path) -> Vec<(String, Option<String>, Option<String>)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT i.external_id, i.review_mark_production, m.mark_production FROM invoices i \
             JOIN invoice_review_marks m ON m.id = i.id \
             WHERE i.review_mark_test IS NOT m.mark_test \
                OR i.review_mark_production IS NOT m.mark_production",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn status_in(store: &Store, env: AgencyEnvironment, source: &SourceRef) -> ReviewStatus {
    store.get_invoice(env, source).unwrap().unwrap().status
}

#[test]
fn stored_review_status_follows_every_kind_of_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("casebridge.sqlite");
    let store = Store::open(&path).unwrap();
    let prod = AgencyEnvironment::Production;
    let status = |id: &str| status_in(&store, prod, &src(id));
    let other = SourceRef::new("quickbooks", "realm_1", "77");
    let mut copy = invoice("in_copy", "Beta", "10", Some(0));
    copy.source = other.clone();
    copy.creditor_reference = Some("INV-stripe-in_a".into()); // in_a's number, another source
    store
        .upsert_invoices(&[
            invoice("in_a", "Acme", "10", Some(0)),
            invoice("in_b", "Acme", "10", Some(2)),
            copy.clone(),
        ])
        .unwrap();
    assert_eq!(
        (status("in_a"), status("in_b")),
        (ReviewStatus::Ready, ReviewStatus::NeedsFixing)
    );

    // Queued: submitted by source ref, and the other source's copy becomes a duplicate.
    let a = store
        .outbox_enqueue(&[new_entry(src("in_a"), "k-a")], at(1))
        .unwrap()
        .enqueued
        .remove(0);
    assert_eq!(status("in_a"), ReviewStatus::Submitted);
    assert_eq!(status_in(&store, prod, &other), ReviewStatus::Duplicate);
    assert_eq!(
        status_in(&store, AgencyEnvironment::Test, &src("in_a")),
        ReviewStatus::Ready,
        "a production submission does not mark the test environment"
    );
    assert_eq!(stale_marks(&path), []);

    // Accepted (the case row is written in the same commit): still submitted.
    store.outbox_claim(a.id, at(2)).unwrap().unwrap();
    store
        .outbox_mark_accepted(
            a.id,
            &casebridge_store::AcceptedCase {
                agency_case_id: "case-a".into(),
                agency_reference: None,
                debtor_name: None,
                amount: None,
                currency: None,
                lifecycle: None,
                raw: None,
            },
            at(3),
        )
        .unwrap();
    assert_eq!(status("in_a"), ReviewStatus::Submitted);
    assert_eq!(stale_marks(&path), []);

    // Rejected: back to what readiness says (needs fixing), in the same commit.
    let b = store
        .outbox_enqueue(&[new_entry(src("in_b"), "k-b")], at(4))
        .unwrap()
        .enqueued
        .remove(0);
    assert_eq!(status("in_b"), ReviewStatus::Submitted);
    store.outbox_claim(b.id, at(5)).unwrap().unwrap();
    store
        .outbox_mark_rejected(b.id, &json!({ "code": "invalid" }), at(6))
        .unwrap();
    assert_eq!(status("in_b"), ReviewStatus::NeedsFixing);
    assert_eq!(stale_marks(&path), []);

    // The debtor is fixed: ready.
    store
        .upsert_invoices(&[invoice("in_b", "Acme", "10", Some(0))])
        .unwrap();
    assert_eq!(status("in_b"), ReviewStatus::Ready);

    // Revived with a new key, then withdrawn before sending: submitted, then ready again.
    let revived = store
        .outbox_enqueue(&[new_entry(src("in_b"), "k-b2")], at(7))
        .unwrap()
        .enqueued
        .remove(0);
    assert_eq!(status("in_b"), ReviewStatus::Submitted);
    store.outbox_cancel(revived.id, at(8)).unwrap();
    assert_eq!(status("in_b"), ReviewStatus::Ready);
    assert_eq!(stale_marks(&path), []);

    // A re-fetch rewrites every column of in_a: it stays submitted.
    let mut refetched = invoice("in_a", "Acme", "7.50", Some(1));
    refetched.fetched_at = at(100);
    store.upsert_invoices(&[refetched]).unwrap();
    assert_eq!(status("in_a"), ReviewStatus::Submitted);

    // The copy is renumbered at its source: no longer a duplicate; and back.
    copy.creditor_reference = Some("QB-77".into());
    store.upsert_invoices(&[copy.clone()]).unwrap();
    assert_eq!(status_in(&store, prod, &other), ReviewStatus::Ready);
    copy.creditor_reference = Some("INV-stripe-in_a".into());
    store.upsert_invoices(&[copy]).unwrap();
    assert_eq!(status_in(&store, prod, &other), ReviewStatus::Duplicate);
    assert_eq!(stale_marks(&path), []);

    // Forgotten and fetched again: the new rows are marked on insert.
    store.forget_invoices(None, None).unwrap();
    store
        .upsert_invoices(&[invoice("in_a", "Acme", "10", Some(0))])
        .unwrap();
    assert_eq!(status("in_a"), ReviewStatus::Submitted);

    // A case found on the agency (no source ref here) carrying a cached invoice's number.
    store
        .upsert_invoices(&[invoice("in_c", "Gamma", "10", Some(0))])
        .unwrap();
    assert_eq!(status("in_c"), ReviewStatus::Ready);
    store
        .upsert_polled_cases(
            &[casebridge_store::PolledCase {
                agency_case_id: "case-found".into(),
                agency_environment: prod,
                agency_reference: None,
                creditor_reference: Some("INV-stripe-in_c".into()),
                debtor_name: None,
                amount: None,
                currency: None,
                lifecycle: None,
                close_code: None,
                raw: json!({}),
            }],
            at(9),
        )
        .unwrap();
    assert_eq!(status("in_c"), ReviewStatus::Duplicate);
    assert_eq!(stale_marks(&path), []);

    // Counts and tabs read the same stored status.
    let counts = store.count_invoices(&filter()).unwrap();
    assert_eq!(
        (counts.all, counts.submitted, counts.duplicate),
        (2, 1, 1)
    );
    assert_eq!(
        ids(&store
            .list_invoices(&query(Some(ReviewStatus::Duplicate)))
            .unwrap()),
        ["in_c"]
    );
}

#[test]
fn cached_pages_and_counts_follow_writes_of_this_and_other_handles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.sqlite");
    let (window, cli) = (Store::open(&path).unwrap(), Store::open(&path).unwrap());
    window
        .upsert_invoices(&[
            invoice("in_1", "Acme", "30", Some(0)),
            invoice("in_2", "Beta", "20", Some(0)),
        ])
        .unwrap();
    let by_amount = InvoiceQuery {
        sort: InvoiceSort::Outstanding,
        ..query(None)
    };
    // Asked twice: the second answer comes from the cache.
    for _ in 0..2 {
        assert_eq!(
            ids(&window.list_invoices(&by_amount).unwrap()),
            ["in_2", "in_1"]
        );
        assert_eq!(window.count_invoices(&filter()).unwrap().ready, 2);
    }

    // Another process (the CLI) caches a cheaper invoice and submits one.
    cli.upsert_invoices(&[invoice("in_3", "Gamma", "10", Some(0))])
        .unwrap();
    cli.outbox_enqueue(&[new_entry(src("in_1"), "k1")], at(1))
        .unwrap();
    assert_eq!(
        ids(&window.list_invoices(&by_amount).unwrap()),
        ["in_3", "in_2", "in_1"]
    );
    let counts = window.count_invoices(&filter()).unwrap();
    assert_eq!((counts.ready, counts.submitted), (2, 1));

    // This handle's own write (a debtor fix) shows at once too.
    window
        .set_invoice_issue_counts(&[(src("in_3"), Some(2))])
        .unwrap();
    assert_eq!(
        ids(&window
            .list_invoices(&query(Some(ReviewStatus::Ready)))
            .unwrap()),
        ["in_2"]
    );
    assert_eq!(window.count_invoices(&filter()).unwrap().needs_fixing, 1);

    // Pages past the end are empty, and a page is the right slice.
    let second = InvoiceQuery {
        limit: 1,
        offset: 1,
        ..by_amount.clone()
    };
    assert_eq!(ids(&window.list_invoices(&second).unwrap()), ["in_2"]);
    let past = InvoiceQuery {
        offset: 10,
        ..by_amount
    };
    assert!(window.list_invoices(&past).unwrap().is_empty());
}

fn invoice_triggers(path: &std::path::Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// A bulk load drops the insert trigger and marks the new invoices in one statement: the
/// marks must come out as the trigger (and the view) would have them, and the trigger must be
/// back for the next write.
#[test]
fn a_bulk_load_marks_new_invoices_as_the_trigger_would_and_puts_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("casebridge.sqlite");
    let store = Store::open(&path).unwrap();
    let prod = AgencyEnvironment::Production;
    store
        .outbox_enqueue(&[new_entry(src("in_sub"), "k1")], at(1))
        .unwrap();
    let triggers = invoice_triggers(&path);
    let submitted = invoice("in_sub", "Acme", "10", Some(0));
    let copy = |row: &str| InvoiceRecord {
        source: SourceRef::new("file", "march.csv", row),
        creditor_reference: Some("INV-stripe-in_sub".into()),
        ..invoice(row, "Acme", "10", Some(0))
    };
    let plain = invoice("in_plain", "Gamma", "10", Some(0));
    store
        .write_invoices(casebridge_store::BULK_ROWS, |w| {
            assert!(w.rebuilds_indexes());
            for record in [&submitted, &copy("row-2"), &plain] {
                w.write(&record.row(&record.payload.to_string()))?;
            }
            Ok::<_, casebridge_store::StoreError>(())
        })
        .unwrap();
    assert_eq!(stale_marks(&path), vec![]);
    assert_eq!(status_in(&store, prod, &src("in_sub")), ReviewStatus::Submitted);
    let file = |row: &str| SourceRef::new("file", "march.csv", row);
    assert_eq!(status_in(&store, prod, &file("row-2")), ReviewStatus::Duplicate);
    assert_eq!(status_in(&store, prod, &src("in_plain")), ReviewStatus::Ready);
    assert_eq!(invoice_triggers(&path), triggers, "every trigger is back, unchanged");
    store.upsert_invoices(&[copy("row-3")]).unwrap();
    assert_eq!(
        status_in(&store, prod, &file("row-3")),
        ReviewStatus::Duplicate,
        "the next ordinary write is marked by the trigger again"
    );
}
