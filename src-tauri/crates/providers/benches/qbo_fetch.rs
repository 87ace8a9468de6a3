//! QuickBooks fetch bench: 50,000 unpaid invoices (5,000 customers) in the
//! sandbox's QuickBooks fake, every request taking 150-300 ms, the fake
//! enforcing QuickBooks' limits per company (10 requests/s, 500/min, 10 in
//! flight) and counting every arrival. Fetches them all with the default
//! client options and prints the request rate achieved against both
//! limits, the share of the binding one, and any 429 (there must be none).
//!
//! ```text
//! cargo bench -p casebridge-providers --bench qbo_fetch
//! QBO_BENCH_INVOICES=20000 QBO_BENCH_CUSTOMERS=2000 cargo bench -p casebridge-providers --bench qbo_fetch
//! ```
//!
//! Exits non-zero if an invoice is missing, a 429 was served, or the
//! fake saw more than 10 requests in a second or 500 in a minute.

mod support;

use std::process::ExitCode;
use std::time::Instant;

use casebridge_providers::quickbooks::{QuickBooksClient, QuickBooksOptions};
use casebridge_providers::{FetchFilter, FetchProgress, StaticBearer};
use casebridge_sandbox::quickbooks::{
    FakeCompany, QboRateLimits, QboSeed, QuickBooksConfig, DEMO_ACCESS_TOKEN, PER_MINUTE_LIMIT,
    PER_SECOND_LIMIT,
};
use casebridge_sandbox::SandboxConfig;
use support::{env_number, sandbox_fake};

const REALM: &str = "9341452000000001";

#[tokio::main]
async fn main() -> ExitCode {
    let unpaid = env_number("QBO_BENCH_INVOICES", 50_000);
    let customers = env_number("QBO_BENCH_CUSTOMERS", 5_000);
    let (min_ms, max_ms) = (
        env_number("QBO_BENCH_MIN_MS", 150),
        env_number("QBO_BENCH_MAX_MS", 300),
    );
    let generated = Instant::now();
    let company = FakeCompany {
        realm_id: REALM.into(),
        name: "Bench Books Inc".into(),
        country: "US".into(),
        home_currency: "USD".into(),
        multicurrency: false,
        utc_offset_hours: -8,
    };
    let config = SandboxConfig {
        agency: None,
        stripe: None,
        quickbooks: Some(QuickBooksConfig {
            companies: vec![(
                company,
                QboSeed::Bulk {
                    unpaid: usize::try_from(unpaid).unwrap_or(usize::MAX),
                    customers: usize::try_from(customers).unwrap_or(usize::MAX),
                },
            )],
            rate_limits: Some(QboRateLimits::default()),
            service_time_ms: Some((min_ms, max_ms)),
            ..QuickBooksConfig::default()
        }),
        ..SandboxConfig::default()
    };
    let fake = match sandbox_fake(config, |sandbox| {
        match (sandbox.urls().quickbooks, sandbox.quickbooks()) {
            (Some(url), Ok(handle)) => Ok((url, handle.clone())),
            _ => Err("the QuickBooks fake is not running".to_owned()),
        }
    }) {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("error: the sandbox did not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "qbo-fetch: {unpaid} unpaid invoices, {customers} customers (generated in {:.2} s), {min_ms}-{max_ms} ms per request, fake enforces {PER_SECOND_LIMIT} req/s and {PER_MINUTE_LIMIT} req/min per company",
        generated.elapsed().as_secs_f64()
    );
    let client = match QuickBooksClient::new(&fake.url, REALM, QuickBooksOptions::default()) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("error: {}", e.report().message);
            return ExitCode::FAILURE;
        }
    };
    let bearer = StaticBearer::new(DEMO_ACCESS_TOKEN);
    let progress = |_: FetchProgress| {};
    let start = Instant::now();
    let outcome = match client
        .fetch_unpaid(&bearer, &FetchFilter::default(), &progress)
        .await
    {
        Ok(outcome) => outcome,
        Err(e) => {
            eprintln!("error: the fetch failed: {}", e.report().message);
            return ExitCode::FAILURE;
        }
    };
    let elapsed = start.elapsed();
    let stats = fake.handle.control().stats();
    fake.stop();

    let requests = stats.total_requests;
    let secs = elapsed.as_secs_f64().max(f64::EPSILON);
    let per_second = requests as f64 / secs;
    let per_minute = per_second * 60.0;
    // The most requests both sliding limits allow in a run this long:
    // 10 in every second, and 500 in every minute (which binds after 50 s).
    let allowed =
        (PER_SECOND_LIMIT as f64 * secs).min(PER_MINUTE_LIMIT as f64 * (secs / 60.0).max(1.0));
    let share = requests as f64 / allowed;
    println!(
        "fetched {} invoices ({} pages) in {:.1} s with {requests} requests ({} 429s, {} failures)",
        outcome.invoices.len(),
        outcome.pages,
        secs,
        stats.status_count(429),
        outcome.failures.len(),
    );
    // A run shorter than a minute says nothing about the minute limit as a rate (the counted
    // busiest minute below does).
    let minute_rate = if secs >= 60.0 {
        format!(
            ", {per_minute:.0} req/min vs {PER_MINUTE_LIMIT}/min ({:.0} %)",
            per_minute / PER_MINUTE_LIMIT as f64 * 100.0
        )
    } else {
        String::new()
    };
    println!(
        "rate: {per_second:.2} req/s vs {PER_SECOND_LIMIT}/s ({:.0} %){minute_rate}",
        per_second / PER_SECOND_LIMIT as f64 * 100.0,
    );
    println!(
        "most in any second: {} (limit {PER_SECOND_LIMIT}); most in any minute: {} (limit {PER_MINUTE_LIMIT}); share of the binding limit for a {secs:.0} s run: {:.0} % (goal >= 90 %)",
        stats.max_in_window(chrono::Duration::seconds(1)),
        stats.max_in_window(chrono::Duration::seconds(60)),
        share * 100.0,
    );
    let over = stats.max_in_any_second > PER_SECOND_LIMIT as u64
        || stats.max_in_any_minute > PER_MINUTE_LIMIT as u64;
    if outcome.invoices.len() as u64 != unpaid || stats.status_count(429) > 0 || over {
        eprintln!("error: invoices missing, throttled, or over the limit");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
