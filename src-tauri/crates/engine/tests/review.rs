//! Reviewing invoices: the checklist, and fixing a debtor once for all of
//! their invoices, a fix that survives re-fetching.

mod support;

use std::sync::Arc;

use casebridge_engine::api::{DebtorEdits, FixDebtorRequest, InvoiceFilter, InvoiceQuery, RunMode};
use casebridge_engine::{Engine, EngineConfig, FixedClock};
use chrono::{TimeZone, Utc};
use support::invoice_without_street;

async fn engine(dir: &tempfile::TempDir) -> Engine {
    let clock = Arc::new(FixedClock(Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap()));
    let config = EngineConfig { data_dir: dir.path().to_path_buf(), mode: RunMode::Demo, demo_agency_url: None, demo_stripe_url: None };
    Engine::start_with(config, clock, support::secrets()).await.unwrap()
}

async fn counts(engine: &Engine) -> (u32, u32) {
    let page = engine.list_invoices(InvoiceQuery { limit: 0, ..Default::default() }).await.unwrap();
    (page.counts.ready, page.counts.needs_fixing)
}

#[tokio::test]
async fn one_fix_per_debtor_readies_all_their_invoices_and_survives_a_refetch() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    // Invoices 1, 98 and 195 share debtor cus_1 (n % 97); 2 belongs to another.
    let invoices = || vec![invoice_without_street(1), invoice_without_street(98), invoice_without_street(195), invoice_without_street(2)];
    engine.cache_invoices(invoices(), "open").await.unwrap();
    assert_eq!(counts(&engine).await, (0, 4));

    let page = engine.list_invoices(InvoiceQuery { limit: 10, ..Default::default() }).await.unwrap();
    let of_cus_1 = page.rows.iter().find(|r| r.source_ref.ends_with("in_000098")).unwrap().source_ref.clone();
    let detail = engine.invoice_detail(of_cus_1.clone()).await.unwrap();
    assert!(detail.checklist.iter().any(|i| i.code == "street_missing"), "{:?}", detail.checklist);
    assert_eq!(detail.debtor.invoice_count, 3);
    assert!(detail.payload.is_none(), "no body for an invoice that is not ready");

    let result = engine
        .fix_debtor(FixDebtorRequest {
            source_ref: of_cus_1.clone(),
            edits: Some(DebtorEdits { address_lines: Some(vec!["Nørregade 7".into()]), ..Default::default() }),
        })
        .await
        .unwrap();
    assert_eq!((result.invoices_updated, result.now_ready), (3, 3));
    assert_eq!(counts(&engine).await, (3, 1), "the other debtor's invoice still needs fixing");

    let detail = engine.invoice_detail(of_cus_1.clone()).await.unwrap();
    assert_eq!(detail.payload.as_ref().unwrap()["debtor"]["address"], "Nørregade 7");

    // A re-fetch brings the source data (still no street) again: the fix stays.
    engine.cache_invoices(invoices(), "open").await.unwrap();
    assert_eq!(counts(&engine).await, (3, 1));

    // Removing the fix puts them back.
    engine.fix_debtor(FixDebtorRequest { source_ref: of_cus_1, edits: None }).await.unwrap();
    assert_eq!(counts(&engine).await, (0, 4));
    let ready = engine
        .list_invoices(InvoiceQuery { filter: InvoiceFilter::Ready, limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert!(ready.rows.is_empty());
}

#[tokio::test]
async fn an_unknown_invoice_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    let err = engine.invoice_detail("stripe:acct_x/in_nope".into()).await.unwrap_err().to_ui();
    assert_eq!(err.code, "unknown_invoice");
    let err = engine.invoice_detail("garbage".into()).await.unwrap_err().to_ui();
    assert_eq!(err.code, "unknown_invoice");
}
