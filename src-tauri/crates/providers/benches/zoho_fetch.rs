//! Zoho fetch bench: 50,000 unpaid invoices in one organization of the
//! sandbox's Zoho fake, 300–500 ms added to every request, Zoho's limit of
//! 100 requests per minute per organization enforced by the fake. Fetches
//! them all (250 pages of 200, then one contact read per distinct debtor)
//! and prints the achieved requests per minute against the limit, the most
//! requests the fake saw in any sliding minute, the 429s it served, and the
//! share of the daily cap used.
//!
//! The sandbox has no scaled clock (its clocks are the system one and a
//! manual one), so this runs in real time: about 3.5 minutes.
//!
//! ```text
//! cargo bench -p casebridge-providers --bench zoho_fetch
//! ZOHO_BENCH_INVOICES=10000 ZOHO_BENCH_CUSTOMERS=40 ZOHO_BENCH_LATENCY_MS=400 cargo bench -p casebridge-providers --bench zoho_fetch
//! ```
//!
//! Exits non-zero if the fetch is incomplete or the fake saw more than 100
//! requests in any minute; the figures themselves are not asserted.

mod support;

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use casebridge_providers::zoho::{ZohoClient, ZohoOptions};
use casebridge_providers::{FetchFilter, FetchProgress, StaticBearer};
use casebridge_sandbox::zoho::{
    ZohoConfig, ZohoSeed, DEMO_ACCESS_TOKEN, DEMO_ORG_US, PER_MINUTE_LIMIT,
};
use casebridge_sandbox::{FaultPlan, Latency, SandboxConfig};
use support::{env_number, sandbox_fake};

#[tokio::main]
async fn main() -> ExitCode {
    let invoices = env_number("ZOHO_BENCH_INVOICES", 50_000);
    let customers = env_number("ZOHO_BENCH_CUSTOMERS", 100);
    let latency_ms = env_number("ZOHO_BENCH_LATENCY_MS", 300);
    let mut config = ZohoConfig::default();
    config.organizations[0].1 = ZohoSeed::UnpaidOnly {
        invoices: usize::try_from(invoices).unwrap_or(usize::MAX),
        customers: usize::try_from(customers).unwrap_or(usize::MAX),
    };
    let daily_cap = config.daily_cap;
    let sandbox_config = SandboxConfig {
        seed: 1,
        agency: None,
        stripe: None,
        zoho: Some(config),
        ..SandboxConfig::default()
    };
    let server = match sandbox_fake(sandbox_config, |sandbox| {
        match (sandbox.urls().zoho, sandbox.zoho()) {
            (Some(url), Ok(handle)) => Ok((url, handle.clone())),
            _ => Err("the Zoho fake is not running".to_owned()),
        }
    }) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: the Zoho fake did not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let fake = server.handle.clone();
    fake.control().set_faults(FaultPlan {
        seed: 9,
        latency: Some(Latency {
            fixed_ms: latency_ms,
            jitter_ms: latency_ms * 2 / 3,
        }),
        rules: Vec::new(),
    });
    let client = match ZohoClient::new(&server.url, ZohoOptions::default()) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {}", e.report().message);
            return ExitCode::FAILURE;
        }
    };
    println!(
        "zoho-fetch: {invoices} unpaid invoices over {customers} customers, {latency_ms}-{} ms per request, limit {PER_MINUTE_LIMIT}/min per organization",
        latency_ms + latency_ms * 2 / 3
    );
    let shown = AtomicU64::new(0);
    let progress = |p: FetchProgress| {
        let bucket = p.pages / 50;
        if p.waiting_for_rate_limit.is_none() && bucket > shown.swap(bucket, Ordering::Relaxed) {
            eprintln!("  {} pages, {} invoices", p.pages, p.invoices);
        }
    };
    let start = Instant::now();
    let fetched = client
        .fetch_unpaid(
            &StaticBearer::new(DEMO_ACCESS_TOKEN),
            DEMO_ORG_US,
            &FetchFilter::default(),
            &progress,
        )
        .await;
    let elapsed = start.elapsed();
    let stats = fake.control().stats();
    server.stop();
    let outcome = match fetched {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("error: {}", e.report().message);
            return ExitCode::FAILURE;
        }
    };
    let minutes = elapsed.as_secs_f64() / 60.0;
    let per_minute = stats.total_requests as f64 / minutes;
    let max_minute = stats.max_in_window(chrono::Duration::seconds(60));
    let contact_reads = stats.route_count("GET /books/v3/contacts/{id}");
    let quota = client.daily_quota(DEMO_ORG_US).unwrap_or_default();
    // Requests per consecutive minute from the first arrival: the sliding
    // window lets each minute's quota go out in a burst, so the average over
    // the run overstates; a full minute at 100 is the limit used in full.
    let first = stats.per_second.first().map_or(0, |(second, _)| *second);
    let mut minutes_seen: Vec<u64> = Vec::new();
    for (second, count) in &stats.per_second {
        let index = usize::try_from((second - first) / 60).unwrap_or(0);
        if minutes_seen.len() <= index {
            minutes_seen.resize(index + 1, 0);
        }
        minutes_seen[index] += count;
    }
    let full = &minutes_seen[..minutes_seen.len().saturating_sub(1)];
    let share = full
        .iter()
        .map(|n| *n as f64 / f64::from(PER_MINUTE_LIMIT) * 100.0)
        .fold(f64::INFINITY, f64::min);
    println!(
        "  {:.1} s, {} invoices, {} pages, {} contact reads, {} requests",
        elapsed.as_secs_f64(),
        outcome.invoices.len(),
        outcome.pages,
        contact_reads,
        stats.total_requests
    );
    println!(
        "  requests per minute from the first: {minutes_seen:?}; every full minute at >= {:.1} % of {PER_MINUTE_LIMIT}/min",
        if full.is_empty() { 0.0 } else { share }
    );
    println!(
        "  most in any sliding 60 s (the fake's count): {max_minute} of {PER_MINUTE_LIMIT}; 429s: {}; average over the run {per_minute:.1} req/min",
        stats.status_count(429)
    );
    println!(
        "  daily cap: {} of {} used ({:.1} %)",
        quota.used,
        daily_cap.map_or("unlimited".to_owned(), |c| c.to_string()),
        daily_cap.map_or(0.0, |c| quota.used as f64 / c as f64 * 100.0)
    );
    if !outcome.is_complete() || outcome.invoices.len() as u64 != invoices {
        eprintln!(
            "error: incomplete fetch: {} of {invoices}, {} failures",
            outcome.invoices.len(),
            outcome.failures.len()
        );
        return ExitCode::FAILURE;
    }
    if max_minute > u64::from(PER_MINUTE_LIMIT) {
        eprintln!("error: {max_minute} requests within one minute");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
