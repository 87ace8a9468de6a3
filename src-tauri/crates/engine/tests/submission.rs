//! Submission against the agency fake: dry run, exactly-once sending,
//! duplicates, rejections and faults.

mod support;

use std::sync::Arc;

use casebridge_engine::api::{
    InvoiceFilter, InvoiceQuery, RunMode, SubmissionState, SubmitRequest,
};
use casebridge_engine::{CancelFlag, Engine, EngineConfig, FixedClock};
use chrono::{TimeZone, Utc};
use support::{invoice_without_street, ready_invoice, Events};

async fn demo_engine(dir: &tempfile::TempDir) -> Engine {
    let clock = Arc::new(FixedClock(Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()));
    let config = EngineConfig { data_dir: dir.path().to_path_buf(), mode: RunMode::Demo, demo_agency_url: None, demo_stripe_url: None };
    Engine::start_with(config, clock, support::secrets()).await.unwrap()
}

fn refs(engine_rows: &[casebridge_engine::api::InvoiceRow]) -> Vec<String> {
    engine_rows.iter().map(|r| r.source_ref.clone()).collect()
}

async fn all_rows(engine: &Engine) -> Vec<casebridge_engine::api::InvoiceRow> {
    engine.list_invoices(InvoiceQuery { limit: 1000, ..Default::default() }).await.unwrap().rows
}

#[tokio::test]
async fn dry_run_shows_exact_bodies_and_blocks_what_the_agency_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(&dir).await;
    engine.cache_invoices(vec![ready_invoice(1), invoice_without_street(2)], "open").await.unwrap();
    let rows = all_rows(&engine).await;
    let preview = engine.preview_submission(SubmitRequest { source_refs: refs(&rows) }).await.unwrap();

    assert_eq!(preview.will_send.len(), 1);
    let body = &preview.will_send[0].payload;
    assert_eq!(body["creditorReference"], "INV-000001");
    assert_eq!(body["currencyCode"], "DKK");
    assert_eq!(body["debtor"]["countryAlpha2"], "DK", "\"Denmark\" is normalised");
    assert_eq!(body["isTest"], true, "demo sends test cases");
    assert_eq!(preview.totals.len(), 1);
    assert_eq!(preview.totals[0].amount, "1250.01");

    assert_eq!(preview.blocked.len(), 1);
    assert!(preview.blocked[0].issues.iter().any(|i| i.code == "street_missing"), "{:?}", preview.blocked);

    // A dry run sends nothing and queues nothing.
    let summary = engine.run_submissions(Arc::new(Events::default()), CancelFlag::default()).await.unwrap();
    assert_eq!(summary.accepted, 0);
}

#[tokio::test]
async fn submitted_invoices_become_cases_once_and_never_show_as_submittable_again() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(&dir).await;
    engine.cache_invoices((1..=5).map(ready_invoice).collect(), "open").await.unwrap();
    let selection = SubmitRequest { source_refs: refs(&all_rows(&engine).await) };

    let (_batch, queued) = engine.enqueue_submission(selection.clone()).await.unwrap();
    assert_eq!(queued.will_send.len(), 5, "{queued:#?}");
    let events = Arc::new(Events::default());
    let summary = engine.run_submissions(events.clone(), CancelFlag::default()).await.unwrap();
    assert_eq!((summary.accepted, summary.rejected, summary.uncertain), (5, 0, 0), "{summary:#?}");
    assert!(summary.results.iter().all(|r| r.agency_reference.is_some()));
    assert!(!events.0.lock().unwrap().is_empty(), "progress was reported");

    let cases = engine.list_cases(Default::default()).await.unwrap();
    assert_eq!(cases.rows.len(), 5);

    // The same selection again: all blocked as already submitted, nothing queued.
    let (_, again) = engine.enqueue_submission(selection).await.unwrap();
    assert!(again.will_send.is_empty());
    assert_eq!(again.blocked.len(), 5);
    assert!(again.blocked.iter().all(|b| b.issues[0].code == "already_submitted"));
    let page = engine
        .list_invoices(InvoiceQuery { filter: InvoiceFilter::Submitted, limit: 100, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(page.counts.submitted, 5);
    assert_eq!(page.counts.ready, 0);
}

#[tokio::test]
async fn an_invoice_number_the_agency_already_has_is_linked_not_duplicated() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(&dir).await;
    // Submitted once from one source account…
    engine.cache_invoices(vec![ready_invoice(7)], "open").await.unwrap();
    engine.enqueue_submission(SubmitRequest { source_refs: refs(&all_rows(&engine).await) }).await.unwrap();
    engine.run_submissions(Arc::new(Events::default()), CancelFlag::default()).await.unwrap();
    // …then the same invoice number arrives from a second account whose local
    // history knows nothing of it (e.g. a reinstalled app with a new DB).
    let dir2 = tempfile::tempdir().unwrap();
    let other = {
        let clock = Arc::new(FixedClock(Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()));
        let config = EngineConfig { data_dir: dir2.path().to_path_buf(), mode: RunMode::Normal, demo_agency_url: None, demo_stripe_url: None };
        Engine::start_with(config, clock, support::secrets()).await.unwrap()
    };
    let agency_url = engine.info().sandbox[0].url.clone();
    other
        .connect_agency(casebridge_engine::api::ConnectAgencyRequest {
            environment: casebridge_engine::api::AgencyEnvironmentChoice::Custom,
            base_url: Some(agency_url),
            api_key: casebridge_sandbox::demo::AGENCY_API_KEY.into(),
        })
        .await
        .unwrap();
    other.cache_invoices(vec![ready_invoice(7)], "open").await.unwrap();
    other.enqueue_submission(SubmitRequest { source_refs: refs(&all_rows(&other).await) }).await.unwrap();
    let summary = other.run_submissions(Arc::new(Events::default()), CancelFlag::default()).await.unwrap();
    assert_eq!(summary.accepted, 1, "{summary:?}");
    assert!(summary.results[0].linked_existing_case, "the existing case is linked");
    assert_eq!(summary.results[0].state, SubmissionState::Accepted);
}

#[tokio::test]
async fn a_wrong_agency_key_is_refused_on_connect_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo_engine(&dir).await;
    let agency_url = engine.info().sandbox[0].url.clone();
    let err = engine
        .connect_agency(casebridge_engine::api::ConnectAgencyRequest {
            environment: casebridge_engine::api::AgencyEnvironmentChoice::Custom,
            base_url: Some(agency_url),
            api_key: "not-a-valid-key".into(),
        })
        .await
        .unwrap_err();
    let ui = err.to_ui();
    assert_eq!(ui.code, "agency_unauthorized", "{ui:?}");
    assert!(!ui.hint.is_empty());
    // The demo connection made at start-up is still the one in use.
    let connection = engine.agency_connection().await.unwrap().unwrap();
    assert!(connection.key_hint.ends_with(&casebridge_sandbox::demo::AGENCY_API_KEY[casebridge_sandbox::demo::AGENCY_API_KEY.len() - 4..]));
}
