//! The engine runs without a window: start it on a temp directory, call what
//! the commands call, and look at the results.

mod support;

use std::sync::Arc;

use casebridge_engine::api::{InvoiceFilter, InvoiceQuery, Readiness, RunMode};
use casebridge_engine::{Engine, EngineConfig, FixedClock};
use casebridge_store::{InvoiceRecord, SourceRef, Store};
use chrono::{NaiveDate, TimeZone, Utc};

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap()))
}

async fn engine(dir: &tempfile::TempDir, mode: RunMode) -> Engine {
    let config = EngineConfig { data_dir: dir.path().join("data"), mode, demo_agency_url: None, demo_stripe_url: None };
    Engine::start_with(config, clock(), support::secrets()).await.expect("engine starts on an empty directory")
}

#[tokio::test]
async fn a_fresh_engine_has_empty_pages_and_a_database_file() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir, RunMode::Normal).await;
    let info = engine.info();
    assert!(std::path::Path::new(&info.db_path).exists(), "the SQLite file is created");
    assert!(info.sandbox.is_empty(), "no fakes outside demo mode");

    let page = engine.list_invoices(InvoiceQuery { limit: 50, ..Default::default() }).await.unwrap();
    assert_eq!((page.total, page.rows.len(), page.counts.all), (0, 0, 0));
    let cases = engine.list_cases(Default::default()).await.unwrap();
    assert!(cases.rows.is_empty());
    assert_eq!(engine.integrations().await.unwrap().len(), 5);
}

#[tokio::test]
async fn demo_mode_starts_the_agency_fake_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir, RunMode::Demo).await;
    let info = engine.info();
    assert_eq!(info.mode, RunMode::Demo);
    let agency = info.sandbox.iter().find(|s| s.name.contains("agency")).expect("agency fake listed");
    assert!(agency.url.starts_with("http://127.0.0.1:"), "fakes bind loopback only: {}", agency.url);
    engine.shutdown().await;
}

#[tokio::test]
async fn cached_invoices_are_listed_with_age_and_filtered_by_tab() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir, RunMode::Normal).await;
    let store = Store::open(std::path::Path::new(&engine.info().db_path)).unwrap();
    let invoice = |id: &str, issues: u32| InvoiceRecord {
        source: SourceRef::new("stripe", "acct_1", id),
        creditor_reference: Some(format!("INV-{id}")),
        debtor_key: "cus_1".into(),
        debtor_name: "Hansen ApS".into(),
        fingerprint: None,
        issue_date: NaiveDate::from_ymd_opt(2026, 9, 1),
        due_date: NaiveDate::from_ymd_opt(2026, 10, 1),
        currency: Some("DKK".into()),
        outstanding: "1250.00".into(),
        issue_count: Some(issues),
        payload: serde_json::json!({}),
        source_status: "open".into(),
        fetched_at: Utc::now(),
    };
    store.upsert_invoices(&[invoice("in_1", 0), invoice("in_2", 2)]).unwrap();

    let all = engine.list_invoices(InvoiceQuery { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(all.counts.all, 2);
    assert_eq!(all.counts.ready, 1);
    assert_eq!(all.counts.needs_fixing, 1);
    assert_eq!(all.rows[0].debt_age_days, Some(31), "2026-10-01 → 2026-11-01");

    let ready = engine
        .list_invoices(InvoiceQuery { filter: InvoiceFilter::Ready, limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(ready.rows.len(), 1);
    assert_eq!(ready.rows[0].readiness, Readiness::Ready);
    assert_eq!(ready.rows[0].creditor_reference.as_deref(), Some("INV-in_1"));
}

#[tokio::test]
async fn an_oversized_page_request_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir, RunMode::Normal).await;
    let err = engine.list_invoices(InvoiceQuery { limit: 1_000_000, ..Default::default() }).await.unwrap_err();
    let ui = err.to_ui();
    assert_eq!(ui.code, "invalid_input");
    assert!(ui.message.contains("1000000"), "{}", ui.message);
}
