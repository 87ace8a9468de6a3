//! The Invoices page at 100,000 cached invoices: how long each query the
//! review table makes takes (a page comes with the counts of every tab).
//!
//! The cache holds a realistic mix: most invoices ready, a quarter missing
//! the debtor's street (needs fixing), 3,000 in the outbox (half accepted
//! with a case, a few rejected, so back to ready/needs fixing) and 1,000
//! from a second account repeating submitted invoice numbers (duplicates).
//! Each query is timed cold (right after a write: the first page after a
//! fetch, a fix or a submission) and warm (the same question again: the next
//! block of a scroll), medians of several runs. Goal: each well under 100 ms.
//!
//! Run: `cargo bench -p casebridge-engine --bench review_100k`.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use casebridge_domain::{
    CountryInput, Currency, DebtorData, DebtorKind, Invoice, InvoiceAmounts, Money, Provider, SourceRef,
};
use casebridge_engine::api::{
    DebtorEdits, FixDebtorRequest, InvoiceFilter, InvoiceQuery, InvoiceSortField, RunMode,
};
use casebridge_engine::{Engine, EngineConfig, SystemClock};
use casebridge_store::{AcceptedCase, AgencyEnvironment, NewOutboxEntry, Store};
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;

const INVOICES: u32 = 100_000;
const DEBTORS: u32 = 2_000;
const SUBMITTED: u32 = 3_000;
const DUPLICATES: u32 = 1_000;
const RUNS: usize = 7;

fn invoice(account: &str, n: u32) -> Invoice {
    let day = |offset: u32| NaiveDate::from_ymd_opt(2025, 1, 1).and_then(|d| d.checked_add_days(chrono::Days::new(u64::from(offset % 600))));
    let mut debtor = DebtorData {
        kind: Some(DebtorKind::Company),
        name: Some(format!("Debtor {} ApS", n % DEBTORS)),
        address_lines: vec![format!("Vesterbrogade {}", n % 200 + 1)],
        city: Some("København V".into()),
        postal_code: Some("1620".into()),
        country: CountryInput::new("DK"),
        email: Some("ap@example.com".into()),
        ..DebtorData::default()
    };
    // A quarter of the debtors lack a street: their invoices need fixing.
    if (n % DEBTORS).is_multiple_of(4) {
        debtor.address_lines.clear();
    }
    Invoice {
        source: SourceRef::new(Provider::Stripe, account, &format!("in_{n:07}")).expect("source"),
        debtor_key: format!("cus_{}", n % DEBTORS),
        creditor_reference: Some(format!("INV-{n:07}")),
        issue_date: day(n * 7).expect("date"),
        due_date: day(n * 7 + 30),
        amounts: InvoiceAmounts::unpaid(
            Money::new(Decimal::new(10_000 + i64::from(n * 7919 % 5_000_000), 2), Currency::parse("DKK").expect("DKK"))
                .expect("money"),
        ),
        description: Some("Consulting".into()),
        debtor,
        has_document: false,
    }
}

/// Times `f` cold (right after a write, so nothing the store keeps can answer it: the first
/// page after a fetch, a fix or a submission) and warm (asked again unchanged: the next block
/// of the same scroll). Prints the median of each; returns the cold one.
async fn timed<F, Fut, T, W, WFut>(label: &str, mut f: F, mut write: W) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
    W: FnMut() -> WFut,
    WFut: Future<Output = ()>,
{
    let mut cold = Vec::with_capacity(RUNS);
    let mut warm = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        write().await;
        let start = Instant::now();
        std::hint::black_box(f().await);
        cold.push(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(f().await);
        warm.push(start.elapsed());
    }
    cold.sort();
    warm.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "  {label:<44} cold {:>7.1} ms (max {:>6.1})   warm {:>6.2} ms",
        ms(cold[RUNS / 2]),
        ms(cold[RUNS - 1]),
        ms(warm[RUNS / 2])
    );
    cold[RUNS / 2]
}

/// Puts every 33rd invoice in the outbox: the first half accepted (a case),
/// every tenth of the rest rejected, the others queued.
fn submit_some(store: &Store) {
    let now = Utc::now();
    let entries: Vec<NewOutboxEntry> = (0..SUBMITTED)
        .map(|i| {
            let n = i * 33;
            NewOutboxEntry {
                idempotency_key: format!("bench-{n}"),
                agency_environment: AgencyEnvironment::Production,
                source: casebridge_store::SourceRef::new("stripe", "acct_bench", format!("in_{n:07}")),
                creditor_reference: format!("INV-{n:07}"),
                fingerprint: None,
                payload: serde_json::json!({ "creditorReference": format!("INV-{n:07}") }),
                batch_id: None,
            }
        })
        .collect();
    let queued = store.outbox_enqueue(&entries, now).expect("enqueue").enqueued;
    for (i, entry) in queued.iter().enumerate() {
        if i < queued.len() / 2 {
            store.outbox_claim(entry.id, now).expect("claim");
            let case = AcceptedCase {
                agency_case_id: format!("case-{}", entry.id),
                agency_reference: None,
                debtor_name: None,
                amount: None,
                currency: None,
                lifecycle: None,
                raw: None,
            };
            store.outbox_mark_accepted(entry.id, &case, now).expect("accept");
        } else if i % 10 == 0 {
            store.outbox_claim(entry.id, now).expect("claim");
            store.outbox_mark_rejected(entry.id, &serde_json::json!({ "code": "bench" }), now).expect("reject");
        }
    }
}

fn query(filter: InvoiceFilter, sort: InvoiceSortField, descending: bool, search: Option<&str>) -> InvoiceQuery {
    InvoiceQuery { filter, search: search.map(str::to_string), sort, descending, offset: 0, limit: 100 }
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = EngineConfig { data_dir: dir.path().to_path_buf(), mode: RunMode::Normal, demo_agency_url: None, demo_stripe_url: None };
    let secrets: Arc<dyn casebridge_store::secrets::SecretStore> =
        Arc::new(casebridge_store::secrets::EphemeralSecrets::default());
    let engine = Engine::start_with(config.clone(), Arc::new(SystemClock), secrets).await.expect("engine");

    println!("review table at {INVOICES} invoices ({DEBTORS} debtors, {SUBMITTED} submitted, {DUPLICATES} duplicates)");
    let start = Instant::now();
    engine.cache_invoices((0..INVOICES).map(|n| invoice("acct_bench", n)).collect(), "open").await.expect("cache");
    println!("  {:<44} {:>8.1} ms", "cache 100,000 invoices (one transaction)", start.elapsed().as_secs_f64() * 1e3);
    let store = Store::open(&config.db_path()).expect("store");
    let start = Instant::now();
    submit_some(&store);
    println!("  {:<44} {:>8.1} ms", "3,000 outbox writes + 1,500 cases", start.elapsed().as_secs_f64() * 1e3);
    // Same invoice numbers as submitted ones, from another account.
    engine
        .cache_invoices((0..DUPLICATES).map(|i| invoice("acct_other", i * 33)).collect(), "open")
        .await
        .expect("cache duplicates");

    let page = engine.list_invoices(query(InvoiceFilter::All, InvoiceSortField::DueDate, false, None)).await.expect("page");
    let c = page.counts;
    println!(
        "  counts: all {} ready {} needs fixing {} submitted {} duplicate {}",
        c.all, c.ready, c.needs_fixing, c.submitted, c.duplicate
    );
    assert_eq!(c.all, INVOICES + DUPLICATES);
    assert!(c.submitted > 0 && c.duplicate > 0 && c.ready > 0 && c.needs_fixing > 0, "a realistic mix: {c:?}");

    let run = |q: InvoiceQuery| {
        let engine = engine.clone();
        move || {
            let engine = engine.clone();
            let q = q.clone();
            async move { engine.list_invoices(q).await.expect("page") }
        }
    };
    // A write that changes nothing visible but is a write: the cold runs start after it.
    let touch = || {
        let engine = engine.clone();
        async move {
            engine.cache_invoices(vec![invoice("acct_bench", 1)], "open").await.expect("touch");
        }
    };
    let mut worst = Duration::ZERO;
    for (label, q) in [
        ("first page (all, by due date) + counts", query(InvoiceFilter::All, InvoiceSortField::DueDate, false, None)),
        ("ready tab", query(InvoiceFilter::Ready, InvoiceSortField::DueDate, false, None)),
        ("needs fixing tab", query(InvoiceFilter::NeedsFixing, InvoiceSortField::DueDate, false, None)),
        ("submitted tab", query(InvoiceFilter::Submitted, InvoiceSortField::DueDate, false, None)),
        ("duplicate tab", query(InvoiceFilter::Duplicate, InvoiceSortField::DueDate, false, None)),
        ("search \"Debtor 17\"", query(InvoiceFilter::All, InvoiceSortField::DueDate, false, Some("Debtor 17"))),
        ("search \"in_00999\" in ready", query(InvoiceFilter::Ready, InvoiceSortField::DueDate, false, Some("in_00999"))),
        ("sort by amount, descending", query(InvoiceFilter::All, InvoiceSortField::Amount, true, None)),
        ("sort by due date, descending", query(InvoiceFilter::All, InvoiceSortField::DueDate, true, None)),
        ("ready tab by amount", query(InvoiceFilter::Ready, InvoiceSortField::Amount, false, None)),
        ("sort by debtor name", query(InvoiceFilter::All, InvoiceSortField::Debtor, false, None)),
        (
            "deep page (offset 90,000)",
            InvoiceQuery { offset: 90_000, ..query(InvoiceFilter::All, InvoiceSortField::DueDate, false, None) },
        ),
    ] {
        worst = worst.max(timed(label, run(q), touch).await);
    }

    // Fixing a debtor re-judges their 50 invoices and the next page shows it.
    let fixed = engine.list_invoices(query(InvoiceFilter::NeedsFixing, InvoiceSortField::DueDate, false, None)).await.expect("page");
    let mut targets = fixed.rows.iter().map(|r| r.source_ref.clone());
    let fix = timed("fix a debtor (50 invoices) + next page", || {
        let engine = engine.clone();
        let source_ref = targets.next().expect("an invoice that needs fixing");
        async move {
            engine
                .fix_debtor(FixDebtorRequest {
                    source_ref,
                    edits: Some(DebtorEdits { address_lines: Some(vec!["Nørregade 7".into()]), ..Default::default() }),
                })
                .await
                .expect("fix");
            engine.list_invoices(query(InvoiceFilter::Ready, InvoiceSortField::DueDate, false, None)).await.expect("page")
        }
    }, || async {})
    .await;
    let refetch_start = Instant::now();
    engine.cache_invoices((0..INVOICES).map(|n| invoice("acct_bench", n)).collect(), "open").await.expect("re-fetch");
    println!("  {:<44} {:>8.1} ms", "re-fetch 100,000 (upsert, status kept)", refetch_start.elapsed().as_secs_f64() * 1e3);
    println!("slowest cold page query: {:.1} ms; debtor fix: {:.1} ms", worst.as_secs_f64() * 1e3, fix.as_secs_f64() * 1e3);
}
