//! Stripe fetch bench: 100,000 open invoices in the sandbox's Stripe fake,
//! 400 ms added to every request, Stripe's test-mode limits enforced by the
//! fake (25 requests/s). Fetches them all with the sliced parallel walk and
//! with a plain sequential cursor walk, and prints both times, the ratio,
//! and the most requests the fake saw in any one second.
//!
//! ```text
//! cargo bench -p casebridge-providers --bench stripe_fetch
//! STRIPE_BENCH_INVOICES=20000 STRIPE_BENCH_LATENCY_MS=400 cargo bench -p casebridge-providers --bench stripe_fetch
//! ```
//!
//! Figures only: nothing here asserts on time. It exits non-zero only if
//! the two walks disagree on what they fetched.

mod support;

use std::collections::BTreeSet;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use casebridge_providers::stripe::{
    FetchStrategy, StripeAccount, StripeClient, StripeKey, StripeMode, StripeOptions,
};
use casebridge_providers::{FetchFilter, FetchOutcome, FetchProgress};
use casebridge_sandbox::stripe::{SeedData, DEMO_ACCOUNT_ID, DEMO_RESTRICTED_KEY};
use casebridge_sandbox::{FaultPlan, Latency, SandboxConfig, StripeConfig, StripeHandle};
use support::{env_number, sandbox_fake};

struct Run {
    name: &'static str,
    elapsed: Duration,
    outcome: FetchOutcome,
    requests: u64,
    max_per_second: u64,
    refused: u64,
}

async fn run(
    name: &'static str,
    url: &str,
    fake: &StripeHandle,
    strategy: FetchStrategy,
) -> Result<Run, String> {
    let key = StripeKey::parse(DEMO_RESTRICTED_KEY).map_err(|e| e.to_string())?;
    let client = StripeClient::new(
        url,
        key,
        StripeOptions {
            strategy,
            ..StripeOptions::default()
        },
    )
    .map_err(|e| e.to_string())?;
    let account = StripeAccount {
        id: DEMO_ACCOUNT_ID.into(),
        mode: StripeMode::Test,
        name: None,
        country: None,
    };
    fake.control().reset_stats();
    let shown = AtomicU64::new(0);
    let progress = |p: FetchProgress| {
        // A line every 100 pages so a long run shows it is alive.
        let bucket = p.pages / 100;
        if p.waiting_for_rate_limit.is_none() && bucket > shown.swap(bucket, Ordering::Relaxed) {
            eprintln!("  {name}: {} pages, {} invoices", p.pages, p.invoices);
        }
    };
    let start = Instant::now();
    let outcome = client
        .fetch_unpaid(&account, &FetchFilter::default(), &progress)
        .await
        .map_err(|e| e.report().message)?;
    let elapsed = start.elapsed();
    let stats = fake.control().stats();
    Ok(Run {
        name,
        elapsed,
        requests: stats.total_requests,
        max_per_second: stats.max_in_any_second,
        refused: stats.status_count(429),
        outcome,
    })
}

fn ids(outcome: &FetchOutcome) -> BTreeSet<&str> {
    outcome
        .invoices
        .iter()
        .map(|f| f.invoice.source.external_id())
        .collect()
}

fn print(run: &Run) {
    println!(
        "{:<10} {:>9.1} s {:>9} invoices {:>6} pages {:>6} requests  max {:>3} req/s  {:>3} x 429  {} failures",
        run.name,
        run.elapsed.as_secs_f64(),
        run.outcome.invoices.len(),
        run.outcome.pages,
        run.requests,
        run.max_per_second,
        run.refused,
        run.outcome.failures.len(),
    );
}

#[tokio::main]
async fn main() -> ExitCode {
    let invoices = env_number("STRIPE_BENCH_INVOICES", 100_000);
    let latency_ms = env_number("STRIPE_BENCH_LATENCY_MS", 400);
    let generated = Instant::now();
    let config = SandboxConfig {
        agency: None,
        stripe: Some(StripeConfig {
            test_data: SeedData::OpenOnly {
                invoices: usize::try_from(invoices).unwrap_or(usize::MAX),
            },
            ..StripeConfig::default()
        }),
        ..SandboxConfig::default()
    };
    let server = match sandbox_fake(config, |sandbox| {
        match (sandbox.urls().stripe, sandbox.stripe()) {
            (Some(url), Ok(handle)) => Ok((url, handle.clone())),
            _ => Err("the Stripe fake is not running".to_owned()),
        }
    }) {
        Ok(server) => server,
        Err(e) => {
            eprintln!("error: the sandbox did not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let url = server.url.clone();
    let fake = &server.handle;
    println!(
        "stripe-sliced-fetch: {invoices} open invoices (generated in {:.2} s), {latency_ms} ms per request, fake enforces 25 req/s (test mode)",
        generated.elapsed().as_secs_f64()
    );
    fake.control().set_faults(FaultPlan {
        latency: Some(Latency {
            fixed_ms: latency_ms,
            jitter_ms: 0,
        }),
        ..FaultPlan::default()
    });

    let sliced = match run("sliced", &url, fake, StripeOptions::default().strategy).await {
        Ok(run) => run,
        Err(e) => {
            eprintln!("error: sliced fetch failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    print(&sliced);
    // Each client paces itself from a fresh budget, but the fake still
    // counts the last second of the previous run: let it drain.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let sequential = match run("sequential", &url, fake, FetchStrategy::Sequential).await {
        Ok(run) => run,
        Err(e) => {
            eprintln!("error: sequential fetch failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    print(&sequential);
    println!(
        "speed-up: {:.1}x (sequential {:.1} s / sliced {:.1} s); most requests the fake saw in any second: {} (limit 25)",
        sequential.elapsed.as_secs_f64() / sliced.elapsed.as_secs_f64().max(f64::EPSILON),
        sequential.elapsed.as_secs_f64(),
        sliced.elapsed.as_secs_f64(),
        sliced.max_per_second.max(sequential.max_per_second),
    );
    server.stop();
    if ids(&sliced.outcome) != ids(&sequential.outcome)
        || sliced.outcome.invoices.len() as u64 != invoices
    {
        eprintln!("error: the two walks fetched different invoices");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
