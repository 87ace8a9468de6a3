//! Submission throughput as a share of the agency's rate limit, and the
//! 429s a user would see.
//!
//! The agency allows 2,000 requests per sliding minute; measuring that
//! takes minutes, so time is scaled: the same shape of limit (a sliding
//! window counted in six segments) with a 6-second window. The engine's
//! limiter gets the same window, with its safety margin scaled likewise
//! (1 s per minute → 100 ms per 6 s). The fake agency enforces the window
//! itself and counts every request and every 429.
//!
//! Two figures:
//! - wave spacing: the limiter may start a new window's worth of cases once
//!   the previous window's first request has aged out. The time from the
//!   first accepted case to the first case of the last window's wave,
//!   against the ideal (windows − 1) × window, is the share of the limit the
//!   client used. Local processing (two fsynced SQLite commits per case)
//!   does not enter it.
//! - end to end: the whole run against the same ideal, which also charges
//!   the last wave's local processing time.
//!
//! Run: `cargo bench -p casebridge-engine --bench submit_throughput`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use casebridge_domain::{CountryInput, Currency, DebtorData, DebtorKind, Invoice, InvoiceAmounts, Money, Provider, SourceRef};
use std::sync::Mutex;

use casebridge_engine::api::{InvoiceFilter, InvoiceQuery, JobEvent, JobPhase, RunMode, SubmitRequest};
use casebridge_engine::{AgencyRateLimits, CancelFlag, Engine, EngineConfig, ProgressSink, RateWindow, SystemClock};

/// When each case was answered (one progress event per answer).
#[derive(Default)]
struct AnswerTimes(Mutex<Vec<(u64, Instant)>>);

impl ProgressSink for AnswerTimes {
    fn emit(&self, event: JobEvent) {
        if event.phase == JobPhase::Progress {
            self.0.lock().expect("times").push((event.done, Instant::now()));
        }
    }
}
use casebridge_sandbox::agency::{FixedWindow, RateLimits, SlidingWindow};
use casebridge_sandbox::{Sandbox, SandboxConfig};
use chrono::NaiveDate;
use rust_decimal::Decimal;

const LIMIT: u32 = 300;
const WINDOW: Duration = Duration::from_secs(6);
const WINDOWS: u32 = 5;

fn invoice(n: u32) -> Invoice {
    Invoice {
        source: SourceRef::new(Provider::Stripe, "acct_bench", &format!("in_{n:07}")).unwrap(),
        debtor_key: format!("cus_{}", n % 1000),
        creditor_reference: Some(format!("BENCH-{n:07}")),
        issue_date: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
        due_date: NaiveDate::from_ymd_opt(2026, 6, 1),
        amounts: InvoiceAmounts::unpaid(Money::new(Decimal::new(50_000 + i64::from(n), 2), Currency::EUR).unwrap()),
        description: None,
        debtor: DebtorData {
            kind: Some(DebtorKind::Company),
            name: Some(format!("Bench {} BV", n % 1000)),
            address_lines: vec!["Damrak 1".into()],
            city: Some("Amsterdam".into()),
            country: CountryInput::new("NL"),
            ..DebtorData::default()
        },
        has_document: false,
    }
}

#[tokio::main]
async fn main() {
    let unlimited = FixedWindow { limit: u64::MAX, window: Duration::from_secs(86_400) };
    let mut config = SandboxConfig::default();
    let agency = config.agency.as_mut().expect("agency fake");
    agency.progression = None;
    agency.rate_limits = RateLimits {
        sliding: SlidingWindow { limit: u64::from(LIMIT), window: WINDOW, segments: 6 },
        hourly: unlimited.clone(),
        daily: unlimited,
        retry_after_header: false,
    };
    let sandbox = Sandbox::start(config).await.expect("sandbox");
    let url = sandbox.urls().agency.expect("agency url");
    let dir = tempfile::tempdir().expect("temp dir");
    let engine = Engine::start_with(
        EngineConfig { data_dir: dir.path().to_path_buf(), mode: RunMode::Demo, demo_agency_url: Some(url), demo_stripe_url: None },
        Arc::new(SystemClock),
        Arc::new(casebridge_store::secrets::EphemeralSecrets::default()),
    )
    .await
    .expect("engine");
    engine
        .set_agency_rate_limits(AgencyRateLimits {
            windows: vec![RateWindow { limit: LIMIT, seconds: WINDOW.as_secs() }],
            safety_margin_ms: 100,
        })
        .await
        .expect("limits");
    let count = LIMIT * WINDOWS;
    engine.cache_invoices((0..count).map(invoice).collect(), "open").await.expect("cache");
    let mut refs = Vec::new();
    loop {
        let page = engine
            .list_invoices(InvoiceQuery { filter: InvoiceFilter::Ready, offset: refs.len() as u32, limit: 1000, ..Default::default() })
            .await
            .expect("list");
        let n = page.rows.len();
        refs.extend(page.rows.into_iter().map(|r| r.source_ref));
        if n < 1000 {
            break;
        }
    }
    engine.enqueue_submission(SubmitRequest { source_refs: refs }).await.expect("enqueue");

    // Start-up checked the key (GET /me) under the default limiter; let that
    // request leave the fake's window so the run starts from an empty one.
    tokio::time::sleep(WINDOW).await;
    let control = sandbox.agency().expect("agency").control().clone();
    control.reset_stats();
    let started = Instant::now();
    let times = Arc::new(AnswerTimes::default());
    let summary = engine.run_submissions(times.clone(), CancelFlag::default()).await.expect("run");
    let elapsed = started.elapsed();
    let stats = control.stats();

    // The first window may go out as one burst; after it, the limit allows
    // LIMIT per WINDOW. Ideal time for the rest: (WINDOWS - 1) windows.
    let ideal = WINDOW * (WINDOWS - 1);
    let share = ideal.as_secs_f64() / elapsed.as_secs_f64();
    let times = times.0.lock().expect("times").clone();
    let at = |n: u64| times.iter().find(|(done, _)| *done >= n).map(|(_, t)| *t).expect("answer time");
    let last_wave = u64::from(LIMIT * (WINDOWS - 1) + 1);
    let spacing = at(last_wave).duration_since(at(1));
    let wave_share = ideal.as_secs_f64() / spacing.as_secs_f64();
    let user_visible_429 = summary.results.iter().filter(|r| r.state != casebridge_engine::api::SubmissionState::Accepted).count();
    println!("submit-throughput: {count} cases, limit {LIMIT} per {}s sliding (scaled minute)", WINDOW.as_secs());
    println!("  accepted {} / rejected {} / uncertain {}", summary.accepted, summary.rejected, summary.uncertain);
    println!("  wave spacing {:.2}s, ideal {:.2}s → the client used {:.1} % of the limit (goal ≥ 95 %)", spacing.as_secs_f64(), ideal.as_secs_f64(), wave_share * 100.0);
    println!("  end to end {:.2}s → {:.1} % (includes the last wave's local processing)", elapsed.as_secs_f64(), share * 100.0);
    println!("  429s served by the agency: {}; cases the user saw fail: {user_visible_429} (goal 0)", stats.status_count(429));
    println!("  busiest {}s the agency counted: {} requests (limit {LIMIT})", WINDOW.as_secs(), stats.max_in_window(chrono::Duration::from_std(WINDOW).expect("window")));
    engine.shutdown().await;
    sandbox.shutdown().await;
}
