//! The Stripe client against the sandbox's Stripe fake: validation,
//! every filter, pagination edges, errors, faults, pacing, re-reads.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::Duration;

use casebridge_providers::stripe::{
    FetchStrategy, Rechecked, StripeAccount, StripeClient, StripeKey, StripeMode, StripeOptions,
};
use casebridge_providers::{
    DateRange, FailureScope, FetchFilter, FetchOutcome, FetchProgress, ProviderError, RateBudget,
    RetryPolicy, SkipReason, SourceStatus,
};
use casebridge_sandbox::stripe::{
    Access, FakeCustomer, FakeInvoice, InvoiceStatus, Mode, SeedData, StripeKeyConfig,
    DEMO_ACCOUNT_ID, DEMO_EXPIRED_KEY, DEMO_INVOICES_ONLY_KEY, DEMO_RESTRICTED_KEY,
    DEMO_SECRET_KEY,
};
use casebridge_sandbox::{
    FaultKind, FaultRule, Fraction, Sandbox, SandboxConfig, StripeConfig, StripeHandle,
};
use chrono::{DateTime, NaiveDate};

/// A key with no permissions at all (sandbox).
const NO_PERMISSIONS_KEY: &str = "rk_test_casebridge_demo_nothing"; // sandbox demo key

struct Env {
    sandbox: Sandbox,
    url: String,
}

impl Env {
    fn fake(&self) -> &StripeHandle {
        self.sandbox.stripe().expect("stripe enabled")
    }

    fn client_with(&self, key: &str, options: StripeOptions) -> StripeClient {
        StripeClient::new(&self.url, StripeKey::parse(key).expect("demo key"), options)
            .expect("client")
    }

    fn client(&self, strategy: FetchStrategy) -> StripeClient {
        self.client_with(
            DEMO_RESTRICTED_KEY,
            StripeOptions {
                strategy,
                ..fast_options()
            },
        )
    }

    fn account(&self) -> StripeAccount {
        StripeAccount {
            id: DEMO_ACCOUNT_ID.into(),
            mode: StripeMode::Test,
            name: None,
            country: None,
        }
    }

    /// Open (and, if asked, uncollectible) invoices that owe something.
    fn expected(&self, keep: impl Fn(&FakeInvoice) -> bool) -> BTreeSet<String> {
        self.fake()
            .invoices(Mode::Test)
            .into_iter()
            .filter(|i| i.amount_remaining() > 0 && keep(i))
            .map(|i| i.id)
            .collect()
    }
}

const SLICED: FetchStrategy = FetchStrategy::Sliced { concurrency: 8 };

/// Quick retries and no client-side pacing (the fake's limits are off
/// unless a test turns them on).
fn fast_options() -> StripeOptions {
    StripeOptions {
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
        },
        strategy: SLICED,
        rate_budget: Some(RateBudget {
            global: 10_000,
            per_endpoint: 10_000,
            window: Duration::from_secs(1),
        }),
    }
}

async fn env_with(config: StripeConfig) -> Env {
    let sandbox = Sandbox::start(SandboxConfig {
        seed: 11,
        agency: None,
        stripe: Some(config),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let url = sandbox.urls().stripe.expect("stripe url");
    Env { sandbox, url }
}

async fn env(data: SeedData) -> Env {
    let mut config = StripeConfig {
        test_data: data,
        rate_limits: None,
        ..StripeConfig::default()
    };
    config.keys.push(StripeKeyConfig::restricted(
        NO_PERMISSIONS_KEY,
        Access::None,
        Access::None,
    ));
    env_with(config).await
}

fn ids(outcome: &FetchOutcome) -> BTreeSet<String> {
    outcome
        .invoices
        .iter()
        .map(|f| f.invoice.source.external_id().to_owned())
        .collect()
}

async fn fetch(
    client: &StripeClient,
    account: &StripeAccount,
    filter: &FetchFilter,
) -> FetchOutcome {
    client
        .fetch_unpaid(account, filter, &|_: FetchProgress| {})
        .await
        .expect("the key works")
}

fn only_open() -> impl Fn(&FakeInvoice) -> bool {
    |i| i.status == InvoiceStatus::Open
}

// ------------------------------------------------------------ validate

#[tokio::test]
async fn validate_accepts_a_read_only_key_and_finds_the_account() {
    let env = env(SeedData::Demo { invoices: 50 }).await;
    let client = env.client(SLICED);
    let account = client.validate().await.expect("valid key");
    assert_eq!(account.id, DEMO_ACCOUNT_ID);
    assert_eq!(account.mode, StripeMode::Test);
    assert_eq!(account.name.as_deref(), Some("Casebridge Demo ApS"));
    assert_eq!(account.country.as_deref(), Some("DK"));
    assert_eq!(client.key_warning(), None);
}

#[tokio::test]
async fn validate_accepts_a_secret_key_with_a_warning() {
    let env = env(SeedData::Empty).await;
    let client = env.client_with(DEMO_SECRET_KEY, fast_options());
    let account = client.validate().await.expect("valid key");
    assert_eq!(account.id, DEMO_ACCOUNT_ID);
    assert_eq!(
        account.name.as_deref(),
        Some("Casebridge Demo ApS"),
        "from /v1/account"
    );
    let warning = client.key_warning().expect("secret keys warn");
    assert!(warning.hint().contains("restricted key"));
}

async fn validation_error(env: &Env, key: &str) -> ProviderError {
    env.client_with(key, fast_options())
        .validate()
        .await
        .expect_err("validation fails")
}

#[tokio::test]
async fn validate_names_each_missing_permission() {
    let env = env(SeedData::Empty).await;
    match validation_error(&env, DEMO_INVOICES_ONLY_KEY).await {
        ProviderError::MissingPermissions {
            permissions,
            account,
            ..
        } => {
            assert_eq!(permissions, vec!["rak_customer_read".to_owned()]);
            assert_eq!(account.as_deref(), Some(DEMO_ACCOUNT_ID));
        }
        other => panic!("expected a missing permission, got {other:?}"),
    }
    let both = validation_error(&env, NO_PERMISSIONS_KEY).await;
    let report = both.report();
    assert_eq!(report.code, "provider_permission_missing");
    assert!(
        report.message.contains("Invoices: Read") && report.message.contains("Customers: Read"),
        "{}",
        report.message
    );
    assert!(
        !report.message.contains("casebridge_demo"),
        "no key in messages"
    );
}

#[tokio::test]
async fn validate_tells_a_wrong_key_from_an_expired_one() {
    let env = env(SeedData::Empty).await;
    let wrong = validation_error(&env, "rk_test_casebridge_demo_revoked").await; // sandbox demo value
    assert_eq!(wrong.code(), "provider_key_invalid");
    assert!(!wrong.to_string().contains("revoked_"), "{wrong}");
    let expired = validation_error(&env, DEMO_EXPIRED_KEY).await;
    assert_eq!(expired.code(), "provider_key_expired");
}

// --------------------------------------------------------------- fetch

#[tokio::test]
async fn fetch_returns_exactly_the_open_invoices_that_owe_something() {
    let env = env(SeedData::Demo { invoices: 1_200 }).await;
    let outcome = fetch(&env.client(SLICED), &env.account(), &FetchFilter::default()).await;
    assert!(outcome.is_complete(), "{:?}", outcome.failures);
    assert_eq!(ids(&outcome), env.expected(only_open()));
    assert!(outcome
        .invoices
        .iter()
        .all(|f| f.status == SourceStatus::Open && f.invoice.outstanding().is_positive()));
    assert!(
        outcome
            .skipped
            .iter()
            .any(|s| matches!(s.reason, SkipReason::NothingOwed { .. })),
        "the open invoice with nothing left is listed but skipped"
    );
    assert!(
        outcome
            .invoices
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );
    // Currencies with other exponents made it through.
    for code in ["JPY", "KWD", "ISK"] {
        assert!(
            outcome
                .invoices
                .iter()
                .any(|f| f.invoice.outstanding().currency().code() == code),
            "{code}"
        );
    }
    assert!(outcome.invoices.iter().any(|f| f.customer_deleted));
}

#[tokio::test]
async fn uncollectible_invoices_come_only_when_opted_in() {
    let env = env(SeedData::Demo { invoices: 600 }).await;
    let client = env.client(SLICED);
    let filter = FetchFilter {
        include_uncollectible: true,
        ..FetchFilter::default()
    };
    let outcome = fetch(&client, &env.account(), &filter).await;
    let expected =
        env.expected(|i| matches!(i.status, InvoiceStatus::Open | InvoiceStatus::Uncollectible));
    assert_eq!(ids(&outcome), expected);
    assert!(outcome
        .invoices
        .iter()
        .any(|f| f.status == SourceStatus::Uncollectible));
}

fn day(ts: i64) -> NaiveDate {
    DateTime::from_timestamp(ts, 0)
        .expect("timestamp")
        .date_naive()
}

#[tokio::test]
async fn created_and_due_date_filters_keep_whole_utc_days() {
    let env = env(SeedData::Demo { invoices: 1_500 }).await;
    let all = env.fake().invoices(Mode::Test);
    let from = day(all[all.len() * 3 / 4].created);
    let to = day(all[all.len() / 4].created);
    let created = DateRange::new("created", Some(from), Some(to)).expect("range");
    let due_to = day(all[all.len() / 2].due_date.unwrap_or(all[0].created));
    let due = DateRange::new("due", None, Some(due_to)).expect("range");
    for strategy in [SLICED, FetchStrategy::Sequential] {
        let client = env.client(strategy);
        let by_created = fetch(
            &client,
            &env.account(),
            &FetchFilter {
                created,
                ..FetchFilter::default()
            },
        )
        .await;
        assert_eq!(
            ids(&by_created),
            env.expected(
                |i| i.status == InvoiceStatus::Open && (from..=to).contains(&day(i.created))
            ),
            "{strategy:?}"
        );
        let by_due = fetch(
            &client,
            &env.account(),
            &FetchFilter {
                due,
                ..FetchFilter::default()
            },
        )
        .await;
        assert_eq!(
            ids(&by_due),
            env.expected(
                |i| i.status == InvoiceStatus::Open && i.due_date.is_some_and(|d| day(d) <= due_to)
            ),
            "{strategy:?}: no due date = filtered out"
        );
        let both = fetch(
            &client,
            &env.account(),
            &FetchFilter {
                created,
                due,
                include_uncollectible: false,
            },
        )
        .await;
        assert_eq!(ids(&both), &ids(&by_created) & &ids(&by_due));
    }
}

#[tokio::test]
async fn the_sliced_fetch_returns_the_same_set_as_a_sequential_walk() {
    // 3,000 invoices, 150 of them in one second (more than a page).
    let env = env(SeedData::Demo { invoices: 3_000 }).await;
    let account = env.account();
    let filter = FetchFilter {
        include_uncollectible: true,
        ..FetchFilter::default()
    };
    let sequential = fetch(&env.client(FetchStrategy::Sequential), &account, &filter).await;
    assert!(sequential.is_complete());
    for concurrency in [2, 8, 32] {
        let sliced = fetch(
            &env.client(FetchStrategy::Sliced { concurrency }),
            &account,
            &filter,
        )
        .await;
        assert!(sliced.is_complete(), "{:?}", sliced.failures);
        assert_eq!(ids(&sliced), ids(&sequential), "concurrency {concurrency}");
        assert_eq!(sliced.invoices.len(), ids(&sliced).len(), "no duplicates");
        assert_eq!(
            sliced.invoices, sequential.invoices,
            "same invoices, same order"
        );
    }
}

// ---------------------------------------------------- pagination edges

#[tokio::test]
async fn slices_cut_through_dense_seconds_without_gaps_or_overlaps() {
    // About three invoices per second for 20 minutes: wherever a slice is
    // cut, invoices sit on both sides of the cut, so a one-second gap or
    // overlap between slices would change the result.
    let env = env(SeedData::Empty).await;
    let fake = env.fake();
    let customer = fake.insert_customer(
        Mode::Test,
        FakeCustomer {
            name: Some("Dense Data A/S".into()),
            created: 1_600_000_000,
            ..FakeCustomer::default()
        },
    );
    fake.insert_invoices(
        Mode::Test,
        (0..3_600).map(|i| FakeInvoice::open(&customer, 1_700_000_000 + i / 3, "dkk", 5_000)),
    );
    let sequential = fetch(
        &env.client(FetchStrategy::Sequential),
        &env.account(),
        &FetchFilter::default(),
    )
    .await;
    assert_eq!(ids(&sequential), env.expected(only_open()));
    for concurrency in [3, 16] {
        let sliced = fetch(
            &env.client(FetchStrategy::Sliced { concurrency }),
            &env.account(),
            &FetchFilter::default(),
        )
        .await;
        assert!(sliced.is_complete(), "{:?}", sliced.failures);
        assert_eq!(
            sliced.invoices, sequential.invoices,
            "concurrency {concurrency}"
        );
    }
}

async fn env_with_open_invoices(n: usize) -> Env {
    let env = env(SeedData::Empty).await;
    let fake = env.fake();
    let customer = fake.insert_customer(
        Mode::Test,
        FakeCustomer {
            name: Some("Edge Case GmbH".into()),
            created: 1_600_000_000,
            ..FakeCustomer::default()
        },
    );
    fake.insert_invoices(
        Mode::Test,
        (0..n).map(|i| FakeInvoice::open(&customer, 1_700_000_000 + i as i64 * 60, "eur", 10_000)),
    );
    env
}

#[tokio::test]
async fn an_empty_account_is_one_empty_page() {
    let env = env(SeedData::Empty).await;
    for strategy in [SLICED, FetchStrategy::Sequential] {
        let outcome = fetch(
            &env.client(strategy),
            &env.account(),
            &FetchFilter::default(),
        )
        .await;
        assert!(outcome.is_complete());
        assert_eq!((outcome.invoices.len(), outcome.pages), (0, 1));
    }
}

#[tokio::test]
async fn exactly_a_page_needs_one_request_and_one_more_needs_two() {
    for (n, pages) in [(100, 1), (101, 2), (200, 2)] {
        let env = env_with_open_invoices(n).await;
        let outcome = fetch(
            &env.client(FetchStrategy::Sequential),
            &env.account(),
            &FetchFilter::default(),
        )
        .await;
        assert_eq!(
            (outcome.invoices.len(), outcome.pages),
            (n, pages),
            "{n} invoices"
        );
        let sliced = fetch(&env.client(SLICED), &env.account(), &FetchFilter::default()).await;
        assert_eq!(ids(&sliced), ids(&outcome), "{n} invoices, sliced");
    }
}

#[tokio::test]
async fn has_more_with_an_empty_page_is_reported_not_looped_on() {
    let env = env_with_open_invoices(150).await;
    env.fake().empty_next_pages(1);
    let outcome = fetch(
        &env.client(FetchStrategy::Sequential),
        &env.account(),
        &FetchFilter::default(),
    )
    .await;
    assert!(outcome.invoices.is_empty());
    assert_eq!(outcome.failures.len(), 1);
    assert_eq!(outcome.failures[0].error.code(), "provider_incomplete_page");
}

// -------------------------------------------------------------- errors

#[tokio::test]
async fn a_fetch_with_a_bad_key_or_missing_permission_fails_as_a_whole() {
    let env = env(SeedData::Demo { invoices: 100 }).await;
    let account = env.account();
    let bad = env
        .client_with("rk_test_casebridge_demo_revoked", fast_options()) // sandbox demo value
        .fetch_unpaid(&account, &FetchFilter::default(), &|_: FetchProgress| {})
        .await
        .expect_err("401");
    assert_eq!(bad.code(), "provider_key_invalid");
    let no_customers = env
        .client_with(DEMO_INVOICES_ONLY_KEY, fast_options())
        .fetch_unpaid(&account, &FetchFilter::default(), &|_: FetchProgress| {})
        .await
        .expect_err("403: the customer is expanded");
    assert!(
        matches!(no_customers, ProviderError::MissingPermissions { ref permissions, .. } if permissions == &["rak_customer_read"]),
        "{no_customers:?}"
    );
}

// -------------------------------------------------------------- faults

#[tokio::test]
async fn server_errors_timeouts_truncated_bodies_and_429s_are_retried() {
    let env = env(SeedData::Demo { invoices: 800 }).await;
    let expected = env.expected(only_open());
    let control = env.fake().control();
    let faults = [
        FaultKind::ServerError {
            status: 503.try_into().expect("5xx"),
        },
        FaultKind::ServerError {
            status: 500.try_into().expect("5xx"),
        },
        FaultKind::MalformedBody,
        FaultKind::Hang,
        FaultKind::RateLimit {
            retry_after_secs: 0.05.try_into().expect("seconds"),
            retry_after_header: true,
        },
    ];
    for fault in faults {
        control.reset_stats();
        control.add_fault(FaultRule::next(2, fault.clone()).on_route("GET /v1/invoices"));
        let client = env.client_with(
            DEMO_RESTRICTED_KEY,
            StripeOptions {
                request_timeout: Duration::from_millis(400),
                strategy: FetchStrategy::Sequential,
                ..fast_options()
            },
        );
        let outcome = fetch(&client, &env.account(), &FetchFilter::default()).await;
        assert!(outcome.is_complete(), "{fault:?}: {:?}", outcome.failures);
        assert_eq!(ids(&outcome), expected, "{fault:?}");
        let stats = control.stats();
        assert_eq!(stats.faults_injected.values().sum::<u64>(), 2, "{fault:?}");
    }
}

#[tokio::test]
async fn a_429_backoff_is_reported_as_waiting_for_the_rate_limit() {
    let env = env(SeedData::Demo { invoices: 200 }).await;
    env.fake().control().add_fault(FaultRule::next(
        1,
        FaultKind::RateLimit {
            retry_after_secs: 0.3.try_into().expect("seconds"),
            retry_after_header: true,
        },
    ));
    let seen = Mutex::new(Vec::new());
    let sink = |p: FetchProgress| seen.lock().expect("not poisoned").push(p);
    let outcome = env
        .client(FetchStrategy::Sequential)
        .fetch_unpaid(&env.account(), &FetchFilter::default(), &sink)
        .await
        .expect("fetch");
    assert!(outcome.is_complete());
    let seen = seen.into_inner().expect("not poisoned");
    assert!(
        seen.iter().any(|p| p
            .waiting_for_rate_limit
            .is_some_and(|d| d >= Duration::from_millis(300))),
        "the Retry-After pause was announced: {seen:?}"
    );
    let last = seen.last().expect("progress");
    assert_eq!(last.invoices, outcome.invoices.len() as u64);
    assert_eq!(last.pages, outcome.pages);
}

#[tokio::test]
async fn a_failure_that_persists_keeps_what_was_read_and_says_what_is_missing() {
    let env = env(SeedData::OpenOnly { invoices: 500 }).await;
    let expected = env.expected(only_open());
    let control = env.fake().control().clone();
    // After the second page, the next list answers are truncated for good.
    let pages = Mutex::new(0);
    let sink = move |p: FetchProgress| {
        let mut seen = pages.lock().expect("not poisoned");
        if p.waiting_for_rate_limit.is_none() && p.pages > *seen {
            *seen = p.pages;
            if p.pages == 2 {
                control.add_fault(FaultRule::next(100, FaultKind::MalformedBody));
            }
        }
    };
    let client = env.client_with(
        DEMO_RESTRICTED_KEY,
        StripeOptions {
            retry: RetryPolicy {
                max_attempts: 2,
                ..fast_options().retry
            },
            strategy: FetchStrategy::Sequential,
            ..fast_options()
        },
    );
    let outcome = client
        .fetch_unpaid(&env.account(), &FetchFilter::default(), &sink)
        .await
        .expect("not fatal");
    assert_eq!(outcome.invoices.len(), 200, "two full pages kept");
    assert!(ids(&outcome).is_subset(&expected));
    assert_eq!(outcome.failures.len(), 1);
    let failure = &outcome.failures[0];
    assert_eq!(failure.error.code(), "provider_malformed_response");
    let FailureScope::Listing { created_to, .. } = &failure.scope else {
        panic!("a listing failure: {:?}", failure.scope)
    };
    let oldest_kept = outcome.invoices.last().expect("kept").created_at;
    assert_eq!(
        *created_to,
        Some(oldest_kept),
        "unread = everything older than the cursor"
    );
    assert!(
        failure.report().hint.starts_with("Fetch again"),
        "{}",
        failure.report().hint
    );
}

#[tokio::test]
async fn in_a_sliced_fetch_one_failing_slice_does_not_stop_the_others() {
    let env = env(SeedData::OpenOnly { invoices: 2_000 }).await;
    let expected = env.expected(only_open());
    env.fake().control().add_fault(FaultRule::fraction(
        Fraction::try_from(0.15).expect("fraction"),
        FaultKind::ServerError {
            status: 502.try_into().expect("5xx"),
        },
    ));
    let client = env.client_with(
        DEMO_RESTRICTED_KEY,
        StripeOptions {
            retry: RetryPolicy::NO_RETRIES,
            ..fast_options()
        },
    );
    let outcome = fetch(&client, &env.account(), &FetchFilter::default()).await;
    let got = ids(&outcome);
    assert!(
        !outcome.failures.is_empty(),
        "15% of pages fail without retries"
    );
    assert!(!got.is_empty(), "other slices carried on");
    assert!(got.is_subset(&expected));
    assert_eq!(got.len(), outcome.invoices.len(), "no duplicates");
    assert!(outcome
        .failures
        .iter()
        .all(|f| f.error.code() == "provider_unavailable"
            && matches!(f.scope, FailureScope::Listing { .. })));
}

// -------------------------------------------------------------- pacing

#[tokio::test]
async fn a_sliced_fetch_stays_under_stripes_test_mode_limit() {
    let env = env_with(StripeConfig {
        test_data: SeedData::OpenOnly { invoices: 4_000 },
        ..StripeConfig::default()
    })
    .await;
    let client = env.client_with(
        DEMO_RESTRICTED_KEY,
        StripeOptions {
            strategy: FetchStrategy::Sliced { concurrency: 16 },
            rate_budget: None,
            ..fast_options()
        },
    );
    env.fake().control().reset_stats();
    let outcome = fetch(&client, &env.account(), &FetchFilter::default()).await;
    assert!(outcome.is_complete(), "{:?}", outcome.failures);
    assert_eq!(outcome.invoices.len(), 4_000);
    let stats = env.fake().control().stats();
    assert_eq!(stats.rate_limited, 0, "the fake never had to refuse");
    assert!(
        stats.max_in_any_second <= 25,
        "{} in one second",
        stats.max_in_any_second
    );
}

// ---------------------------------------------------------------- recheck

#[tokio::test]
async fn fetch_invoice_rereads_the_balance_and_notices_payment() {
    let env = env_with_open_invoices(1).await;
    let fake = env.fake();
    let id = fake.invoices(Mode::Test)[0].id.clone();
    let client = env.client(SLICED);
    let account = env.account();
    match client.fetch_invoice(&account, &id).await.expect("read") {
        Rechecked::Unpaid(f) => assert_eq!(f.invoice.outstanding().to_string(), "100.00 EUR"),
        other => panic!("unpaid expected, got {other:?}"),
    }
    assert!(fake.update_invoice(Mode::Test, &id, |i| i.amount_paid = 2_550));
    match client.fetch_invoice(&account, &id).await.expect("read") {
        Rechecked::Unpaid(f) => {
            assert_eq!(f.invoice.outstanding().to_string(), "74.50 EUR");
            assert_eq!(f.invoice.total().to_string(), "100.00 EUR");
        }
        other => panic!("partly paid, got {other:?}"),
    }
    assert!(fake.update_invoice(Mode::Test, &id, |i| {
        i.amount_paid = i.total;
        i.status = InvoiceStatus::Paid;
    }));
    assert_eq!(
        client.fetch_invoice(&account, &id).await.expect("read"),
        Rechecked::Settled(SkipReason::Status {
            status: SourceStatus::Paid
        })
    );
    let missing = client
        .fetch_invoice(&account, "in_missing")
        .await
        .expect_err("404");
    assert_eq!(missing.code(), "provider_not_found");
}

#[tokio::test]
async fn fetch_invoice_reads_every_status_the_fake_has() {
    let env = env(SeedData::Demo { invoices: 300 }).await;
    let client = env.client(SLICED);
    let account = env.account();
    for status in InvoiceStatus::ALL {
        let invoice = env
            .fake()
            .invoices(Mode::Test)
            .into_iter()
            .find(|i| i.status == status)
            .expect("every status in the demo");
        let rechecked = client
            .fetch_invoice(&account, &invoice.id)
            .await
            .expect("read");
        let unpaid = matches!(status, InvoiceStatus::Open | InvoiceStatus::Uncollectible)
            && invoice.amount_remaining() > 0;
        assert_eq!(
            matches!(rechecked, Rechecked::Unpaid(_)),
            unpaid,
            "{status:?}"
        );
    }
}

#[tokio::test]
async fn a_client_refuses_plain_http_off_this_machine() {
    let key = StripeKey::parse(DEMO_RESTRICTED_KEY).expect("key");
    let err = StripeClient::new("http://api.stripe.com", key, StripeOptions::default())
        .expect_err("plain http");
    assert_eq!(err.code(), "provider_base_url_invalid");
}

/// The engine runs fetches on spawned tasks: every client future is Send.
#[test]
fn client_futures_can_run_on_spawned_tasks() {
    fn assert_send<T: Send>(_: T) {}
    let key = StripeKey::parse(DEMO_RESTRICTED_KEY).expect("key");
    let client =
        StripeClient::new("http://127.0.0.1:9", key, StripeOptions::default()).expect("client");
    let account = StripeAccount {
        id: DEMO_ACCOUNT_ID.into(),
        mode: StripeMode::Test,
        name: None,
        country: None,
    };
    let filter = FetchFilter::default();
    let sink = |_: FetchProgress| {};
    // Never polled: nothing is sent.
    assert_send(client.validate());
    assert_send(client.fetch_unpaid(&account, &filter, &sink));
    assert_send(client.fetch_invoice(&account, "in_1"));
}
