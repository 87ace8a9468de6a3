//! At-source checks against demo mode's QuickBooks and Zoho fakes: after submission one invoice
//! is paid, one voided and one deleted at the source (through the fake's
//! `/__sandbox/{fake}/{company}/invoices/{id}` handle, as the engine runs its own sandbox), and
//! the next check shows exactly that on each case; the untouched one stays open. Requests are
//! counted at the fake.

mod support;
use support::oauth::{connect_quickbooks, connect_zoho, demo, http, Demo};

use std::collections::BTreeMap;
use std::sync::Arc;

use casebridge_engine::api::{
    CaseAtSource, CaseQuery, CaseRow, ChooseOrganizationRequest, FetchRequest, InvoiceFilter, InvoiceQuery,
    InvoiceRow, SourceCheckRequest, SourceCheckSummary, SubmitRequest,
};
use casebridge_engine::NoProgress;
use casebridge_sandbox::demo::QUICKBOOKS_COMPANIES;
use chrono::Duration;

const QUICKBOOKS_FAKE: &str = "QuickBooks Online API (fake)";
const ZOHO_FAKE: &str = "Zoho Books API (fake)";
const QUICKBOOKS_QUERY: &str = "GET /v3/company/{realm}/query";

/// One submitted invoice: its id at the source and its number (the case's creditor reference).
struct Submitted {
    id: String,
    number: String,
}

/// Demo mode with QuickBooks company `realm` connected and its unpaid invoices fetched.
async fn quickbooks_fetched(realm: &str) -> Demo {
    let d = demo().await;
    connect_quickbooks(&d, realm).await;
    d.engine.fetch_quickbooks(FetchRequest::default(), Arc::new(NoProgress)).await.unwrap();
    d
}

/// The first `n` ready invoices of `provider`, as the review table lists them.
async fn ready_invoices(d: &Demo, provider: &str, n: usize) -> Vec<InvoiceRow> {
    let ready = d
        .engine
        .list_invoices(InvoiceQuery { filter: InvoiceFilter::Ready, limit: 1_000, ..Default::default() })
        .await
        .unwrap();
    let chosen: Vec<InvoiceRow> = ready.rows.into_iter().filter(|r| r.provider == provider).take(n).collect();
    assert_eq!(chosen.len(), n, "{n} ready {provider} invoices");
    chosen
}

/// Submits the first `n` ready invoices of `provider` and returns them in that order.
async fn submit(d: &Demo, provider: &str, n: usize) -> Vec<Submitted> {
    let chosen = ready_invoices(d, provider, n).await;
    let refs = chosen.iter().map(|r| r.source_ref.clone()).collect();
    d.engine.enqueue_submission(SubmitRequest { source_refs: refs }).await.unwrap();
    let sent = d.engine.run_submissions(Arc::new(NoProgress), Default::default()).await.unwrap();
    assert_eq!(sent.accepted as usize, n, "{sent:#?}");
    chosen
        .iter()
        .map(|r| Submitted {
            id: r.source_ref.rsplit('/').next().unwrap().to_owned(),
            number: r.creditor_reference.clone().expect("a ready invoice has a number"),
        })
        .collect()
}

/// The submitted invoices' cases, in the order of `submitted`.
async fn cases(d: &Demo, submitted: &[Submitted]) -> Vec<CaseRow> {
    let cases = d.engine.list_cases(CaseQuery::default()).await.unwrap().rows;
    submitted
        .iter()
        .map(|s| {
            cases
                .iter()
                .find(|c| c.creditor_reference.as_deref() == Some(s.number.as_str()))
                .unwrap_or_else(|| panic!("a case for invoice {}", s.number))
                .clone()
        })
        .collect()
}

/// What each submitted invoice's case says about its source (answered without error).
async fn statuses(d: &Demo, submitted: &[Submitted]) -> Vec<CaseAtSource> {
    cases(d, submitted)
        .await
        .into_iter()
        .map(|case| {
            assert_eq!(case.source_check_error, None, "{case:#?}");
            case.source_status
        })
        .collect()
}

async fn check(d: &Demo) -> SourceCheckSummary {
    d.engine.check_at_source(SourceCheckRequest { now: false }, Arc::new(NoProgress)).await.unwrap()
}

/// `(asked, open, paid, gone, failed, newly_paid)`, to compare in one assertion.
fn counts(s: &SourceCheckSummary) -> (u32, u32, u32, u32, u32, u32) {
    (s.asked, s.open, s.paid, s.gone, s.failed, s.newly_paid)
}

/// Pays, voids or deletes invoice `id` of `company` at the fake (`change` in the fake's words).
async fn change_at_source(fake_url: &str, fake: &str, company: &str, id: &str, change: &str) {
    let answer = http()
        .post(format!("{fake_url}/__sandbox/{fake}/{company}/invoices/{id}"))
        .json(&serde_json::json!({ "change": change }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 204, "{change} {id}: {}", answer.text().await.unwrap_or_default());
}

/// API requests the fake served since the last look, by route (`"GET /v3/company/{realm}/query"`).
async fn requests_since_last_look(fake_url: &str) -> BTreeMap<String, u64> {
    let stats: serde_json::Value =
        http().get(format!("{fake_url}/__sandbox/stats")).send().await.unwrap().json().await.unwrap();
    let reset = http().delete(format!("{fake_url}/__sandbox/stats")).send().await.unwrap();
    assert_eq!(reset.status(), 204);
    serde_json::from_value(stats["byRoute"].clone()).unwrap_or_else(|e| panic!("{e}: {stats}"))
}

#[tokio::test]
async fn quickbooks_invoices_paid_voided_and_deleted_after_submission_show_on_their_cases_in_two_requests() {
    let realm = QUICKBOOKS_COMPANIES[1].0;
    let d = quickbooks_fetched(realm).await;
    let submitted = submit(&d, "quickbooks", 10).await;
    let fake = d.fake_url(QUICKBOOKS_FAKE);
    requests_since_last_look(&fake).await;

    let first = check(&d).await;
    assert_eq!(counts(&first), (10, 10, 0, 0, 0, 0), "{first:?}");
    assert_eq!(statuses(&d, &submitted).await, [CaseAtSource::Open; 10]);
    assert_eq!(
        requests_since_last_look(&fake).await,
        BTreeMap::from([(QUICKBOOKS_QUERY.to_owned(), 2)]),
        "ten cases: one Id IN query for the invoices and one for their customers"
    );

    // The debtor pays the first in QuickBooks; the creditor voids the second and deletes the third.
    change_at_source(&fake, "quickbooks", realm, &submitted[0].id, "paid").await;
    change_at_source(&fake, "quickbooks", realm, &submitted[1].id, "voided").await;
    change_at_source(&fake, "quickbooks", realm, &submitted[2].id, "deleted").await;
    requests_since_last_look(&fake).await;
    d.clock.advance(Duration::minutes(16));

    let second = check(&d).await;
    assert_eq!(counts(&second), (10, 7, 1, 2, 0, 1), "{second:?}");
    assert!(second.errors.is_empty(), "{second:?}");
    let mut expected = vec![CaseAtSource::PaidAtSource, CaseAtSource::GoneAtSource, CaseAtSource::GoneAtSource];
    expected.resize(10, CaseAtSource::Open);
    assert_eq!(statuses(&d, &submitted).await, expected);
    assert_eq!(
        requests_since_last_look(&fake).await,
        BTreeMap::from([(QUICKBOOKS_QUERY.to_owned(), 2)]),
        "paid, voided and deleted ones cost nothing extra: the deleted one is the id not returned"
    );

    nothing_is_asked_again_within_the_interval(&d, &fake).await;
}

#[tokio::test]
async fn a_quickbooks_batch_read_that_keeps_failing_fails_every_case_once_and_keeps_their_status() {
    let realm = QUICKBOOKS_COMPANIES[1].0;
    let d = quickbooks_fetched(realm).await;
    let submitted = submit(&d, "quickbooks", 3).await;
    let fake = d.fake_url(QUICKBOOKS_FAKE);
    assert_eq!(counts(&check(&d).await), (3, 3, 0, 0, 0, 0));

    // Paid meanwhile, but QuickBooks' gateway answers 503 to every try of the batch query.
    change_at_source(&fake, "quickbooks", realm, &submitted[0].id, "paid").await;
    let rule = serde_json::json!({
        "fault": { "kind": "serverError", "status": 503 },
        "trigger": { "next": 5 },
        "route": QUICKBOOKS_QUERY
    });
    let added = http().post(format!("{fake}/__sandbox/faults/rules")).json(&rule).send().await.unwrap();
    assert_eq!(added.status(), 200);
    requests_since_last_look(&fake).await;
    d.clock.advance(Duration::minutes(16));

    let failed = check(&d).await;
    assert_eq!(counts(&failed), (1, 0, 0, 0, 3, 0), "one ask (the batch), three cases failed: {failed:?}");
    assert_eq!(failed.errors.len(), 1, "{failed:?}");
    assert_eq!(
        requests_since_last_look(&fake).await,
        BTreeMap::from([(QUICKBOOKS_QUERY.to_owned(), 5)]),
        "the batch query and its four retries; no read per case after it"
    );
    for case in cases(&d, &submitted).await {
        assert_eq!(case.source_status, CaseAtSource::Open, "a failure changes no status: {case:#?}");
        assert_eq!(case.source_check_error.map(|e| e.code), Some(failed.errors[0].code.clone()));
    }
}

/// Right after a check nothing is due: no case is asked and the fake sees no request.
async fn nothing_is_asked_again_within_the_interval(d: &Demo, fake: &str) {
    assert_eq!(check(d).await.asked, 0);
    assert_eq!(requests_since_last_look(fake).await, BTreeMap::new());
}

#[tokio::test]
async fn zoho_invoices_paid_voided_and_deleted_after_submission_show_on_their_cases() {
    let d = demo().await;
    let zoho = connect_zoho(&d).await;
    let organization_id = zoho.organizations[1].organization_id.clone();
    d.engine
        .choose_zoho_organization(ChooseOrganizationRequest { organization_id: organization_id.clone() })
        .await
        .unwrap();
    d.engine.fetch_zoho(FetchRequest::default(), Arc::new(NoProgress)).await.unwrap();
    let submitted = submit(&d, "zoho", 4).await;
    let fake = d.fake_url(ZOHO_FAKE);

    let first = check(&d).await;
    assert_eq!(counts(&first), (4, 4, 0, 0, 0, 0), "{first:?}");
    assert_eq!(statuses(&d, &submitted).await, [CaseAtSource::Open; 4]);

    change_at_source(&fake, "zoho", &organization_id, &submitted[0].id, "paid").await;
    change_at_source(&fake, "zoho", &organization_id, &submitted[1].id, "void").await;
    change_at_source(&fake, "zoho", &organization_id, &submitted[2].id, "deleted").await;
    requests_since_last_look(&fake).await;

    // Zoho's small daily quota: its cases wait an hour, not 15 minutes.
    d.clock.advance(Duration::minutes(16));
    assert_eq!(check(&d).await.asked, 0, "not due after 16 minutes");
    d.clock.advance(Duration::minutes(45));
    let second = check(&d).await;
    assert_eq!(counts(&second), (4, 1, 1, 2, 0, 1), "{second:?}");
    assert!(second.errors.is_empty(), "{second:?}");
    assert_eq!(
        statuses(&d, &submitted).await,
        [CaseAtSource::PaidAtSource, CaseAtSource::GoneAtSource, CaseAtSource::GoneAtSource, CaseAtSource::Open]
    );
    assert_eq!(
        requests_since_last_look(&fake).await,
        BTreeMap::from([("GET /books/v3/invoices/{id}".to_owned(), 4)]),
        "one invoice read per case, no contact lookup"
    );

    nothing_is_asked_again_within_the_interval(&d, &fake).await;
}

/// Right before queueing, the selection is read again at QuickBooks in one batch: invoices paid
/// or voided since the fetch are left out with the reason, the rest are queued.
#[tokio::test]
async fn quickbooks_invoices_settled_since_the_fetch_are_left_out_when_queued_after_two_requests_for_ten() {
    let realm = QUICKBOOKS_COMPANIES[1].0;
    let d = quickbooks_fetched(realm).await;
    let refs: Vec<String> = ready_invoices(&d, "quickbooks", 10).await.into_iter().map(|r| r.source_ref).collect();
    let id = |r: &str| r.rsplit('/').next().unwrap().to_owned();
    let fake = d.fake_url(QUICKBOOKS_FAKE);
    change_at_source(&fake, "quickbooks", realm, &id(&refs[3]), "paid").await;
    change_at_source(&fake, "quickbooks", realm, &id(&refs[7]), "voided").await;
    requests_since_last_look(&fake).await;

    let (_, preview) = d.engine.enqueue_submission(SubmitRequest { source_refs: refs.clone() }).await.unwrap();

    let requests = requests_since_last_look(&fake).await;
    assert_eq!(requests.values().sum::<u64>(), 2, "one invoice query and one customer query: {requests:?}");
    assert_eq!(requests.get(QUICKBOOKS_QUERY), Some(&2), "{requests:?}");
    assert_eq!(preview.will_send.len(), 8, "{preview:#?}");
    let mut left_out: Vec<&str> = preview
        .blocked
        .iter()
        .filter(|b| b.issues.iter().any(|i| i.code == "paid_at_source"))
        .map(|b| b.source_ref.as_str())
        .collect();
    left_out.sort_unstable();
    let mut settled = vec![refs[3].as_str(), refs[7].as_str()];
    settled.sort_unstable();
    assert_eq!(left_out, settled);
    assert_eq!(preview.blocked.len(), 2, "{preview:#?}");
}
