//! Stripe end to end in the engine, against the sandbox's Stripe fake:
//! connect with a restricted key, fetch, review, submit with a re-read balance.

mod support;
use support::Events;

use std::sync::Arc;

use casebridge_engine::api::{
    ConnectStripeRequest, FetchRequest, InvoiceFilter, InvoiceQuery, JobPhase, RunMode, SubmitRequest,
};
use casebridge_engine::{Engine, EngineConfig, SystemClock};
use casebridge_sandbox::stripe::{DEMO_INVOICES_ONLY_KEY, DEMO_RESTRICTED_KEY, DEMO_SECRET_KEY};

async fn demo(dir: &tempfile::TempDir) -> Engine {
    let config = EngineConfig { data_dir: dir.path().to_path_buf(), mode: RunMode::Demo, demo_agency_url: None, demo_stripe_url: None };
    Engine::start_with(config, Arc::new(SystemClock), support::secrets()).await.unwrap()
}

#[tokio::test]
async fn keys_are_checked_on_connect_with_specific_messages() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo(&dir).await;
    let connect = |key: &str| engine.connect_stripe(ConnectStripeRequest { api_key: key.into() });

    let err = connect("pk_test_123").await.unwrap_err().to_ui();
    assert!(err.message.to_lowercase().contains("publishable"), "{err:?}");
    let err = connect("hello").await.unwrap_err().to_ui();
    assert_ne!(err.code, "internal", "{err:?}");
    let err = connect(DEMO_INVOICES_ONLY_KEY).await.unwrap_err().to_ui();
    assert!(err.message.to_lowercase().contains("customer") || err.hint.to_lowercase().contains("customer"), "names the missing permission: {err:?}");

    let ok = connect(DEMO_SECRET_KEY).await.unwrap();
    assert!(ok.warning.is_some(), "a secret key is accepted with a warning");
    let ok = connect(DEMO_RESTRICTED_KEY).await.unwrap();
    assert!(ok.warning.is_none());
    assert_eq!(ok.mode, "test");
}

#[tokio::test]
async fn fetch_caches_unpaid_invoices_with_progress_and_submit_rereads_the_balance() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo(&dir).await;
    engine.connect_stripe(ConnectStripeRequest { api_key: DEMO_RESTRICTED_KEY.into() }).await.unwrap();
    let events = Arc::new(Events::default());
    let summary = engine.fetch_stripe(FetchRequest::default(), events.clone()).await.unwrap();
    assert!(summary.invoices > 100, "{summary:?}");
    assert!(summary.failures.is_empty(), "{summary:?}");
    assert!(summary.skipped > 0, "paid/void/draft invoices are seen and skipped");
    let phases: Vec<JobPhase> = events.0.lock().unwrap().iter().map(|e| e.phase).collect();
    assert_eq!(phases.first(), Some(&JobPhase::Started));
    assert_eq!(phases.last(), Some(&JobPhase::Finished));
    let pages: Vec<u64> = events.0.lock().unwrap().iter().filter_map(|e| e.counts.pages).collect();
    assert!(pages.windows(2).all(|w| w[0] <= w[1]), "pages only count up: {pages:?}");
    assert_eq!(pages.last().copied(), Some(u64::from(summary.pages)), "the last event carries the page count");

    let page = engine.list_invoices(InvoiceQuery { limit: 0, ..Default::default() }).await.unwrap();
    assert_eq!(page.counts.all, summary.invoices);
    assert!(page.counts.ready > 0 && page.counts.needs_fixing > 0, "{:?}", page.counts);

    // Due-date filter narrows what is fetched.
    let narrow = engine
        .fetch_stripe(FetchRequest { due_from: Some("2099-01-01".into()), ..Default::default() }, Arc::new(Events::default()))
        .await
        .unwrap();
    assert_eq!(narrow.invoices, 0);

    let ready = engine
        .list_invoices(InvoiceQuery { filter: InvoiceFilter::Ready, limit: 3, ..Default::default() })
        .await
        .unwrap();
    let refs: Vec<String> = ready.rows.iter().map(|r| r.source_ref.clone()).collect();
    let (_, queued) = engine.enqueue_submission(SubmitRequest { source_refs: refs }).await.unwrap();
    assert_eq!(queued.will_send.len(), 3, "{queued:#?}");
    let submit_events = Arc::new(Events::default());
    let run = engine.run_submissions(submit_events.clone(), Default::default()).await.unwrap();
    assert_eq!(run.accepted, 3, "{run:#?}");
    // The window reads counts from fields, not from the message text.
    let last = submit_events.0.lock().unwrap().last().cloned().unwrap();
    assert_eq!((last.counts.accepted, last.counts.rejected, last.counts.uncertain), (Some(3), Some(0), Some(0)), "{last:?}");
}

#[tokio::test]
async fn fetching_without_a_connection_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let engine = demo(&dir).await;
    let err = engine.fetch_stripe(FetchRequest::default(), Arc::new(Events::default())).await.unwrap_err().to_ui();
    assert_eq!(err.code, "not_connected");
    assert!(err.hint.contains("Integrations"));
    let err = engine
        .fetch_stripe(FetchRequest { created_from: Some("31/01/2026".into()), ..Default::default() }, Arc::new(Events::default()))
        .await
        .unwrap_err()
        .to_ui();
    assert_eq!(err.code, "invalid_input", "{err:?}");
}

#[tokio::test]
async fn submit_sends_the_balance_reread_from_stripe_and_drops_invoices_paid_meanwhile() {
    let sandbox = casebridge_sandbox::Sandbox::start(casebridge_sandbox::demo::config()).await.unwrap();
    let (_dir, config) = support::demo_config_for(&sandbox);
    let engine = Engine::start_with(config, Arc::new(SystemClock), support::secrets()).await.unwrap();
    engine.connect_stripe(ConnectStripeRequest { api_key: DEMO_RESTRICTED_KEY.into() }).await.unwrap();
    engine.fetch_stripe(FetchRequest::default(), Arc::new(Events::default())).await.unwrap();
    let ready = engine
        .list_invoices(InvoiceQuery { filter: InvoiceFilter::Ready, limit: 2, ..Default::default() })
        .await
        .unwrap();
    let (partly, paid) = (&ready.rows[0], &ready.rows[1]);
    let id_of = |r: &casebridge_engine::api::InvoiceRow| r.source_ref.rsplit('/').next().unwrap().to_string();
    let stripe = sandbox.stripe().unwrap();
    let mode = casebridge_sandbox::stripe::Mode::Test;
    // After the fetch, the debtor pays 1.00 of one invoice and all of the other.
    assert!(stripe.update_invoice(mode, &id_of(partly), |i| i.amount_paid += 100));
    assert!(stripe.update_invoice(mode, &id_of(paid), |i| {
        i.amount_paid = i.total;
        i.status = casebridge_sandbox::stripe::InvoiceStatus::Paid;
    }));

    let (_, queued) = engine
        .enqueue_submission(SubmitRequest { source_refs: vec![partly.source_ref.clone(), paid.source_ref.clone()] })
        .await
        .unwrap();
    assert_eq!(queued.will_send.len(), 1, "the invoice paid meanwhile is not sent: {queued:#?}");
    let sent: rust_decimal::Decimal = queued.will_send[0].amount.parse().unwrap();
    let fetched: rust_decimal::Decimal = partly.amount.parse().unwrap();
    assert!(sent < fetched, "the re-read balance {sent} is sent, not the fetched {fetched}");
    assert_eq!(queued.blocked.len(), 1);
    assert_eq!(queued.blocked[0].issues[0].code, "paid_at_source");
}

#[tokio::test]
async fn a_cancelled_fetch_keeps_what_it_read_and_says_it_was_cancelled() {
    use casebridge_sandbox::stripe::SeedData;
    use casebridge_sandbox::{FaultPlan, Latency, SandboxConfig, StripeConfig};

    // 5,000 invoices = 50 pages at 300 ms each: seconds of fetching, time to stop it midway.
    let sandbox = casebridge_sandbox::Sandbox::start(SandboxConfig {
        stripe: Some(StripeConfig { test_data: SeedData::OpenOnly { invoices: 5_000 }, ..StripeConfig::default() }),
        ..SandboxConfig::default()
    })
    .await
    .unwrap();
    sandbox
        .stripe()
        .unwrap()
        .control()
        .set_faults(FaultPlan { latency: Some(Latency { fixed_ms: 300, jitter_ms: 0 }), ..FaultPlan::default() });
    let (_dir, config) = support::demo_config_for(&sandbox);
    let engine = Engine::start_with(config, Arc::new(SystemClock), support::secrets()).await.unwrap();
    engine.connect_stripe(ConnectStripeRequest { api_key: DEMO_RESTRICTED_KEY.into() }).await.unwrap();
    assert!(!engine.cancel_fetch().await, "nothing to cancel before a fetch runs");

    let events = Arc::new(Events::default());
    let fetch = tokio::spawn({
        let (engine, events) = (engine.clone(), events.clone());
        async move { engine.fetch_stripe(FetchRequest::default(), events).await }
    });
    // Cancel once some pages are in.
    let got_pages = || events.0.lock().unwrap().iter().any(|e| e.phase == JobPhase::Progress && e.done >= 200);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !got_pages() {
        assert!(std::time::Instant::now() < deadline, "no progress from the fetch");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let cancelled_at = std::time::Instant::now();
    assert!(engine.cancel_fetch().await, "a running fetch can be cancelled");
    let summary = fetch.await.unwrap().unwrap();
    assert!(
        cancelled_at.elapsed() < std::time::Duration::from_secs(2),
        "the fetch stops within a page's latency, not at the end ({:?})",
        cancelled_at.elapsed()
    );

    assert!(summary.cancelled, "{summary:?}");
    assert!(summary.invoices >= 200 && summary.invoices < 5_000, "part of the listing: {summary:?}");
    let page = engine.list_invoices(InvoiceQuery { limit: 0, ..Default::default() }).await.unwrap();
    assert_eq!(page.counts.all, summary.invoices, "every invoice read before the cancel is cached");
    let last = events.0.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last.phase, JobPhase::Cancelled);
    assert!(last.message.contains("Cancelled"), "{}", last.message);
    assert!(!engine.cancel_fetch().await, "the fetch is over");
}
