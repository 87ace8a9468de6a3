//! Exactly once, the hard way: the real `casebridge` binary submits
//! thousands of cases to the agency fake and is killed with SIGKILL at random
//! moments, then restarted until it finishes. The fake also drops some
//! answers after creating the case (the client sees a lost connection). At
//! the end the fake must hold exactly one case per invoice.
//!
//! `CASEBRIDGE_CRASH_CASES` sets the number of invoices (default 10,000).

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use casebridge_domain::{
    CountryInput, Currency, DebtorData, DebtorKind, Invoice, InvoiceAmounts, Money, Provider, SourceRef,
};
use casebridge_engine::api::RunMode;
use casebridge_engine::{AgencyRateLimits, Engine, EngineConfig, RateWindow, SystemClock};
use casebridge_sandbox::{FaultKind, FaultRule, Fraction, Sandbox, SandboxConfig};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

fn invoice(n: u32) -> Invoice {
    Invoice {
        source: SourceRef::new(Provider::Stripe, "acct_crash", &format!("in_{n:06}")).unwrap(),
        debtor_key: format!("cus_{}", n % 500),
        // Odd invoices have no number, so the agency cannot refuse a second
        // case for them by creditor reference: only our idempotency key and
        // outbox stand between a crash and a duplicate.
        creditor_reference: n.is_multiple_of(2).then(|| format!("CRASH-{n:06}")),
        issue_date: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        due_date: NaiveDate::from_ymd_opt(2026, 7, 1),
        amounts: InvoiceAmounts::unpaid(
            Money::new(Decimal::new(10_000 + i64::from(n), 2), Currency::parse("EUR").unwrap()).unwrap(),
        ),
        description: None,
        debtor: DebtorData {
            kind: Some(DebtorKind::Company),
            name: Some(format!("Crash Test {} GmbH", n % 500)),
            address_lines: vec!["Hauptstraße 1".into()],
            city: Some("Berlin".into()),
            postal_code: Some("10115".into()),
            country: CountryInput::new("DE"),
            ..DebtorData::default()
        },
        has_document: false,
    }
}

async fn fake_agency(drop_fraction: f64) -> Sandbox {
    let mut config = SandboxConfig::default();
    let agency = config.agency.as_mut().unwrap();
    agency.rate_limits = casebridge_sandbox::agency::RateLimits::unlimited();
    agency.progression = None;
    let sandbox = Sandbox::start(config).await.unwrap();
    let handle = sandbox.agency().unwrap();
    handle.control().add_fault(
        FaultRule::fraction(Fraction::try_from(drop_fraction).unwrap(), FaultKind::DropAfterProcessing)
            .on_route("POST /cases"),
    );
    sandbox
}

/// Seeds the demo database the CLI will use, connected to `agency_url`.
async fn seed(data_dir: &std::path::Path, agency_url: &str, count: u32) {
    let config = EngineConfig {
        data_dir: data_dir.to_path_buf(),
        mode: RunMode::Demo,
        demo_agency_url: Some(agency_url.to_string()), demo_stripe_url: None,
    };
    let secrets = Arc::new(casebridge_store::secrets::EphemeralSecrets::default());
    let engine = Engine::start_with(config, Arc::new(SystemClock), secrets).await.unwrap();
    engine.cache_invoices((0..count).map(invoice).collect(), "open").await.unwrap();
    // The agency's real limit would make 10,000 cases take five minutes; the
    // limiter itself is measured by `make bench`.
    engine
        .set_agency_rate_limits(AgencyRateLimits { windows: vec![RateWindow { limit: 1_000_000, seconds: 60 }], safety_margin_ms: 0 })
        .await
        .unwrap();
    engine.shutdown().await;
}

fn cli(data_dir: &std::path::Path, agency_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casebridge"));
    cmd.args(["--demo", "--sandbox-agency-url", agency_url, "submit", "--yes"])
        .env("CASEBRIDGE_DATA_DIR", data_dir)
        .env_remove("CASEBRIDGE_DEMO")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_at_random_points_never_loses_or_doubles_a_case() {
    let count: u32 = std::env::var("CASEBRIDGE_CRASH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(10_000);
    let sandbox = fake_agency(0.02).await;
    let agency_url = sandbox.urls().agency.unwrap();
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path(), &agency_url, count).await;

    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let handle = sandbox.agency().unwrap();
    let mut kills = 0;
    let started = Instant::now();
    // Kill while there is still work, at random moments, several times.
    while kills < 6 && handle.case_count() < count as usize {
        let before = handle.case_count();
        let mut child = cli(dir.path(), &agency_url).spawn().unwrap();
        // Wait until this run is sending (start-up re-checks every invoice
        // first), then kill it at a random moment mid-stream.
        let deadline = Instant::now() + Duration::from_secs(60);
        while handle.case_count() == before && Instant::now() < deadline && child.try_wait().unwrap().is_none() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let wait = Duration::from_millis(rng.random_range(20..800));
        tokio::time::sleep(wait).await;
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
            kills += 1;
            let after = handle.case_count();
            eprintln!("killed run {kills} {wait:?} into sending; agency went {before} → {after} cases");
            assert!(after > before, "the kill must land mid-send");
        }
    }
    // Restart until it says it is done.
    let mut finished = false;
    for attempt in 0..20 {
        let status = cli(dir.path(), &agency_url).status().unwrap();
        eprintln!("final run {attempt}: {status:?}; agency holds {} cases", handle.case_count());
        if status.success() {
            finished = true;
            break;
        }
    }
    assert!(finished, "the CLI never reported completion");
    assert!(kills >= 3, "the test must kill the CLI mid-run several times (killed {kills}); raise CASEBRIDGE_CRASH_CASES");

    let cases = handle.cases();
    // Each invoice has a distinct amount (100.00 + n cents), so the amounts
    // identify the invoices whether or not they carry a number.
    let amounts: BTreeSet<String> = cases.iter().map(|c| c["grossAmount"].to_string()).collect();
    assert_eq!(cases.len(), count as usize, "exactly one case per invoice, none lost, none doubled");
    assert_eq!(amounts.len(), count as usize, "no invoice became two cases");
    let numbered = cases.iter().filter(|c| c["creditorReference"].is_string()).count();
    assert_eq!(numbered, count.div_ceil(2) as usize);
    eprintln!("{count} cases, {kills} kills, {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_and_5xx_bursts_are_survived_without_loss_or_doubles() {
    let count = 300;
    let sandbox = fake_agency(0.0).await;
    let agency_url = sandbox.urls().agency.unwrap();
    let handle = sandbox.agency().unwrap();
    let dir = tempfile::tempdir().unwrap();
    seed(dir.path(), &agency_url, count).await;
    let control = handle.control();
    control.add_fault(FaultRule::next(
        40,
        FaultKind::RateLimit { retry_after_secs: serde_json::from_value(serde_json::json!(0.2)).unwrap(), retry_after_header: false },
    ));
    for status in [500u16, 502, 503, 504] {
        control.add_fault(
            FaultRule::next(10, FaultKind::ServerError { status: serde_json::from_value(serde_json::json!(status)).unwrap() })
                .on_route("POST /cases"),
        );
    }
    control.add_fault(FaultRule::next(10, FaultKind::DropAfterProcessing).on_route("POST /cases"));

    let output = cli(dir.path(), &agency_url).stderr(Stdio::piped()).output().unwrap();
    assert!(
        output.status.success(),
        "one run rides out every fault: {:?}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let stats = control.stats();
    assert!(stats.status_count(429) >= 40, "the storm really happened: {} 429s", stats.status_count(429));
    assert!(stats.status_count(503) >= 10, "the 5xx burst really happened");
    let cases = handle.cases();
    let amounts: BTreeSet<_> = cases.iter().map(|c| c["grossAmount"].to_string()).collect();
    assert_eq!(cases.len(), count as usize, "one case per invoice");
    assert_eq!(amounts.len(), count as usize, "no invoice became two cases");
}
