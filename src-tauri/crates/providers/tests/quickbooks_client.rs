//! The QuickBooks client against the sandbox's QuickBooks fake: every
//! filter, pagination edges, Faults (also in HTTP 200), token refresh,
//! throttles, 5xx, malformed bodies, partial fetches and re-reads.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use casebridge_domain::Currency;
use casebridge_providers::quickbooks::{QuickBooksClient, QuickBooksCompany, QuickBooksOptions};
use casebridge_providers::{
    BearerSource, BearerToken, DateRange, FailureScope, FetchFilter, FetchOutcome, FetchProgress,
    ProgressSink, ProviderError, RateWindow, Rechecked, ReconnectReason, RetryPolicy, SkipReason,
    StaticBearer,
};
use casebridge_sandbox::quickbooks::{
    demo_companies, FakeCompany, FakeQboCustomer, FakeQboInvoice, FaultIn200, QboRateLimits,
    QboSeed, QuickBooksConfig, QuickBooksHandle, DEMO_ACCESS_TOKEN,
};
use casebridge_sandbox::{FaultKind, FaultRule, Sandbox, SandboxConfig};
use chrono::{DateTime, NaiveDate};
use futures::future::BoxFuture;

const DK: &str = "9130350000000001";
const US: &str = "9130350000000002";
const TEST: &str = "4620816365000001";
const QUERY_ROUTE: &str = "GET /v3/company/{realm}/query";

struct Env {
    sandbox: Sandbox,
    url: String,
}

impl Env {
    fn fake(&self) -> &QuickBooksHandle {
        self.sandbox.quickbooks().expect("quickbooks enabled")
    }

    fn client(&self, realm: &str, options: QuickBooksOptions) -> QuickBooksClient {
        QuickBooksClient::new(&self.url, realm, options).expect("client")
    }

    /// A client for the test company that already knows it (as the engine
    /// stores it at connect), so its first request is the count.
    fn known(&self, options: QuickBooksOptions) -> QuickBooksClient {
        self.client(TEST, options).with_company(QuickBooksCompany {
            realm_id: TEST.into(),
            name: Some("Test Books LLC".into()),
            country: Some("US".into()),
            currency: Some(Currency::USD),
        })
    }

    /// Ids of invoices the books say are owed, filtered.
    fn expected(&self, realm: &str, keep: impl Fn(&FakeQboInvoice) -> bool) -> BTreeSet<String> {
        self.fake()
            .invoices(realm)
            .into_iter()
            .filter(|i| i.balance_shown() > 0 && keep(i))
            .map(|i| i.id)
            .collect()
    }

    fn queries(&self) -> u64 {
        self.fake().control().stats().route_count(QUERY_ROUTE)
    }
}

/// Quick retries; pacing generous enough not to matter unless a test
/// tightens it.
fn fast() -> QuickBooksOptions {
    QuickBooksOptions {
        request_timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(5),
        },
        rate_windows: vec![RateWindow {
            limit: 10_000,
            window: Duration::from_secs(1),
        }],
        throttle_wait: Duration::from_millis(30),
        ..QuickBooksOptions::default()
    }
}

fn test_company() -> FakeCompany {
    FakeCompany {
        realm_id: TEST.into(),
        name: "Test Books LLC".into(),
        country: "US".into(),
        home_currency: "USD".into(),
        multicurrency: false,
        utc_offset_hours: -7,
    }
}

async fn env_with(limits: Option<QboRateLimits>) -> Env {
    let mut companies = demo_companies();
    companies.push((test_company(), QboSeed::Empty));
    let sandbox = Sandbox::start(SandboxConfig {
        seed: 5,
        agency: None,
        stripe: None,
        quickbooks: Some(QuickBooksConfig {
            companies,
            rate_limits: limits,
            ..QuickBooksConfig::default()
        }),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let url = sandbox.urls().quickbooks.expect("quickbooks url");
    Env { sandbox, url }
}

async fn env() -> Env {
    env_with(None).await
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn customer(id: &str, name: &str) -> FakeQboCustomer {
    FakeQboCustomer {
        id: id.into(),
        display_name: name.into(),
        company_name: Some(name.into()),
        given_name: None,
        family_name: None,
        email: Some(format!("billing@{id}.example")),
        phone: Some("(555) 010-0000".into()),
        bill_addr: None,
        active: true,
    }
}

/// `n` open invoices of customer 1, one per day from 2024-01-01, due 30
/// days later, 100.00 each.
fn fill(env: &Env, n: usize) {
    env.fake()
        .insert_customer(TEST, customer("1", "Acme Widgets LLC"))
        .expect("company exists");
    let invoices = (0..n).map(|k| {
        let txn = day(2024, 1, 1) + chrono::Duration::days(k as i64);
        FakeQboInvoice {
            id: String::new(),
            doc_number: Some(format!("INV-{k:04}")),
            txn_date: txn,
            due_date: Some(txn + chrono::Duration::days(30)),
            total_cents: 10_000,
            balance_cents: 10_000,
            currency: None,
            customer_id: "1".into(),
            voided: false,
            created: DateTime::from_timestamp(1_704_103_200 + k as i64 * 86_400, 0).expect("time"),
            lines: vec![("Widgets".into(), 10_000)],
            bill_email: None,
            bill_addr: None,
        }
    });
    env.fake()
        .insert_invoices(TEST, invoices)
        .expect("company exists");
}

fn ids(outcome: &FetchOutcome) -> BTreeSet<String> {
    outcome
        .invoices
        .iter()
        .map(|i| i.invoice.source.external_id().to_owned())
        .collect()
}

/// Remembers the announced total and the last progress.
#[derive(Default)]
struct Recorder {
    total: Mutex<Option<u64>>,
    last: Mutex<Option<FetchProgress>>,
}

impl ProgressSink for Recorder {
    fn report(&self, progress: FetchProgress) {
        *self.last.lock().expect("lock") = Some(progress);
    }

    fn expected_total(&self, total: u64) {
        *self.total.lock().expect("lock") = Some(total);
    }
}

fn demo_token() -> StaticBearer {
    StaticBearer::new(DEMO_ACCESS_TOKEN)
}

async fn fetch(client: &QuickBooksClient, filter: &FetchFilter) -> FetchOutcome {
    client
        .fetch_unpaid(&demo_token(), filter, &Recorder::default())
        .await
        .expect("fetch works")
}

#[tokio::test]
async fn the_demo_us_company_yields_exactly_its_unpaid_invoices_in_home_currency() {
    let env = env().await;
    let client = env.client(US, fast());
    let recorder = Recorder::default();
    let outcome = client
        .fetch_unpaid(&demo_token(), &FetchFilter::default(), &recorder)
        .await
        .expect("fetch");
    let expected = env.expected(US, |_| true);
    assert!(outcome.is_complete(), "{:?}", outcome.failures);
    assert_eq!(ids(&outcome), expected);
    assert_eq!(outcome.invoices.len(), expected.len(), "each once");
    assert_eq!(
        *recorder.total.lock().expect("lock"),
        Some(expected.len() as u64)
    );
    assert_eq!(
        recorder.last.lock().expect("lock").map(|p| p.invoices),
        Some(expected.len() as u64)
    );
    assert!(outcome
        .invoices
        .iter()
        .all(|i| i.invoice.outstanding().currency() == Currency::USD));
    // Newest first.
    assert!(outcome
        .invoices
        .windows(2)
        .all(|w| w[0].created_at >= w[1].created_at));
    // The deleted (inactive) customer's invoices are flagged, and named
    // from the invoice's own CustomerRef.
    let deleted: Vec<_> = outcome
        .invoices
        .iter()
        .filter(|i| i.customer_deleted)
        .collect();
    assert!(!deleted.is_empty());
    assert!(deleted.iter().all(|i| i.invoice.debtor.name.is_some()));
    // Customers came in batches: count + 1 page + 1 customer batch.
    assert_eq!(env.queries(), 3);
    assert!(
        outcome.skipped.is_empty(),
        "the query leaves voided and paid out"
    );
}

#[tokio::test]
async fn the_danish_multicurrency_company_keeps_each_invoices_currency() {
    let env = env().await;
    let outcome = fetch(&env.client(DK, fast()), &FetchFilter::default()).await;
    let currencies: BTreeSet<Currency> = outcome
        .invoices
        .iter()
        .map(|i| i.invoice.outstanding().currency())
        .collect();
    assert_eq!(currencies, BTreeSet::from([Currency::DKK, Currency::EUR]));
    let company = env
        .client(DK, fast())
        .company_info(&demo_token())
        .await
        .expect("info");
    assert_eq!(
        company,
        QuickBooksCompany {
            realm_id: DK.into(),
            name: Some("Nordlys Consulting ApS".into()),
            country: Some("DK".into()),
            currency: Some(Currency::DKK),
        }
    );
}

#[tokio::test]
async fn created_and_due_filters_are_inclusive_day_ranges() {
    let env = env().await;
    fill(&env, 40);
    let client = env.client(TEST, fast());
    let created = FetchFilter {
        created: DateRange::new("created", Some(day(2024, 1, 5)), Some(day(2024, 1, 14)))
            .expect("range"),
        ..FetchFilter::default()
    };
    let outcome = fetch(&client, &created).await;
    let expected = env.expected(TEST, |i| {
        i.txn_date >= day(2024, 1, 5) && i.txn_date <= day(2024, 1, 14)
    });
    assert_eq!(expected.len(), 10);
    assert_eq!(ids(&outcome), expected);

    let due = FetchFilter {
        due: DateRange::new("due", None, Some(day(2024, 2, 3))).expect("range"),
        ..FetchFilter::default()
    };
    let outcome = fetch(&client, &due).await;
    let expected = env.expected(TEST, |i| i.due_date.is_some_and(|d| d <= day(2024, 2, 3)));
    assert_eq!(expected.len(), 4, "due Jan 31 to Feb 3");
    assert_eq!(ids(&outcome), expected);
}

#[tokio::test]
async fn an_empty_company_costs_one_count_and_nothing_else() {
    let env = env().await;
    let outcome = fetch(&env.client(TEST, fast()), &FetchFilter::default()).await;
    assert!(outcome.invoices.is_empty() && outcome.is_complete());
    assert_eq!(outcome.pages, 0);
    assert_eq!(env.queries(), 1);
}

#[tokio::test]
async fn exactly_one_full_page_reads_on_until_the_empty_answer() {
    let env = env().await;
    fill(&env, 10);
    let options = QuickBooksOptions {
        page_size: 10,
        ..fast()
    };
    let outcome = fetch(&env.client(TEST, options), &FetchFilter::default()).await;
    assert_eq!(outcome.invoices.len(), 10);
    assert!(outcome.is_complete());
    // count, page 1 (full), page 2 (`QueryResponse: {}`), customers.
    assert_eq!(outcome.pages, 2);
    assert_eq!(env.queries(), 4);
}

#[tokio::test]
async fn a_last_partial_page_ends_the_fetch() {
    let env = env().await;
    fill(&env, 25);
    let options = QuickBooksOptions {
        page_size: 10,
        ..fast()
    };
    let outcome = fetch(&env.client(TEST, options), &FetchFilter::default()).await;
    assert_eq!(ids(&outcome), env.expected(TEST, |_| true));
    assert_eq!(outcome.pages, 3);
    assert_eq!(env.queries(), 5, "count + 3 pages + customers");
}

#[tokio::test]
async fn a_system_fault_inside_http_200_is_retried() {
    let env = env().await;
    fill(&env, 5);
    env.fake().faults_in_200(2, FaultIn200::System);
    let outcome = fetch(&env.client(TEST, fast()), &FetchFilter::default()).await;
    assert_eq!(outcome.invoices.len(), 5);
    assert!(outcome.is_complete());
}

#[tokio::test]
async fn a_validation_fault_inside_http_200_on_the_count_means_paging_without_a_total() {
    let env = env().await;
    fill(&env, 25);
    env.fake().faults_in_200(1, FaultIn200::Validation);
    let recorder = Recorder::default();
    let options = QuickBooksOptions {
        page_size: 10,
        ..fast()
    };
    let outcome = env
        .known(options)
        .fetch_unpaid(&demo_token(), &FetchFilter::default(), &recorder)
        .await
        .expect("fetch");
    assert_eq!(outcome.invoices.len(), 25);
    assert_eq!(
        *recorder.total.lock().expect("lock"),
        None,
        "no total announced"
    );
}

/// Hands out `tokens` in order; a refusal moves to the next.
struct Rotating {
    tokens: Vec<&'static str>,
    at: AtomicUsize,
    refused: AtomicU64,
}

impl Rotating {
    fn new(tokens: Vec<&'static str>) -> Rotating {
        Rotating {
            tokens,
            at: AtomicUsize::new(0),
            refused: AtomicU64::new(0),
        }
    }
}

impl BearerSource for Rotating {
    fn bearer(&self) -> BoxFuture<'_, Result<BearerToken, ProviderError>> {
        let token = self.tokens[self.at.load(Ordering::SeqCst).min(self.tokens.len() - 1)];
        Box::pin(async move { Ok(BearerToken::new(token)) })
    }

    fn refused<'a>(&'a self, token: &'a BearerToken) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            self.refused.fetch_add(1, Ordering::SeqCst);
            let at = self.at.load(Ordering::SeqCst);
            // Only the current token moves the source on (single flight).
            if self.tokens.get(at).is_some_and(|t| *t == token.expose()) {
                self.at.store(at + 1, Ordering::SeqCst);
            }
        })
    }
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_fetch_completes() {
    let env = env().await;
    fill(&env, 25);
    env.fake().add_token("expired-token");
    env.fake().expire_token("expired-token");
    env.fake().add_token("fresh-token");
    let source = Rotating::new(vec!["expired-token", "fresh-token"]);
    let options = QuickBooksOptions {
        page_size: 10,
        ..fast()
    };
    let outcome = env
        .client(TEST, options)
        .fetch_unpaid(&source, &FetchFilter::default(), &Recorder::default())
        .await
        .expect("refreshed");
    assert_eq!(outcome.invoices.len(), 25);
    assert!(source.refused.load(Ordering::SeqCst) >= 1);
    assert_eq!(
        env.fake().control().stats().status_count(401),
        1,
        "one 401, then the fresh token"
    );
}

#[tokio::test]
async fn a_token_refused_twice_needs_a_reconnect() {
    let env = env().await;
    env.fake().add_token("dead-token");
    env.fake().expire_token("dead-token");
    let err = env
        .client(US, fast())
        .fetch_unpaid(
            &StaticBearer::new("dead-token"),
            &FetchFilter::default(),
            &Recorder::default(),
        )
        .await
        .expect_err("no fresh token");
    assert!(
        matches!(
            err,
            ProviderError::NeedsReconnect {
                reason: ReconnectReason::TokenRefused,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "provider_reconnect_needed");
}

#[tokio::test]
async fn injected_429s_are_waited_out() {
    let env = env().await;
    fill(&env, 5);
    env.fake().control().add_fault(FaultRule::next(
        2,
        FaultKind::RateLimit {
            retry_after_secs: serde_json::from_str("0.05").expect("seconds"),
            retry_after_header: true,
        },
    ));
    let outcome = fetch(&env.client(TEST, fast()), &FetchFilter::default()).await;
    assert_eq!(outcome.invoices.len(), 5);
    assert_eq!(env.fake().control().stats().status_count(429), 2);
}

#[tokio::test]
async fn the_fakes_own_throttle_is_backed_off_from_when_pacing_is_too_loose() {
    let env = env_with(Some(QboRateLimits::default())).await;
    fill(&env, 40);
    let options = QuickBooksOptions {
        page_size: 2,
        concurrency: 8,
        retry: RetryPolicy {
            max_attempts: 10,
            ..fast().retry
        },
        throttle_wait: Duration::from_millis(300),
        ..fast()
    };
    let outcome = fetch(&env.client(TEST, options), &FetchFilter::default()).await;
    assert_eq!(outcome.invoices.len(), 40);
    assert!(outcome.is_complete(), "{:?}", outcome.failures);
    assert!(
        env.fake().control().stats().rate_limited > 0,
        "the loose pacing did hit the limit"
    );
}

#[tokio::test]
async fn the_default_pacing_never_meets_the_throttle() {
    let env = env_with(Some(QboRateLimits::default())).await;
    fill(&env, 30);
    let options = QuickBooksOptions {
        page_size: 2,
        rate_windows: QuickBooksOptions::default().rate_windows,
        ..fast()
    };
    let outcome = fetch(&env.client(TEST, options), &FetchFilter::default()).await;
    assert_eq!(outcome.invoices.len(), 30);
    let stats = env.fake().control().stats();
    assert_eq!(stats.rate_limited, 0);
    assert!(stats.max_in_any_second <= 10, "{}", stats.max_in_any_second);
}

#[tokio::test]
async fn server_errors_are_retried() {
    let env = env().await;
    fill(&env, 5);
    env.fake().control().add_fault(FaultRule::next(
        2,
        FaultKind::ServerError {
            status: serde_json::from_str("503").expect("status"),
        },
    ));
    let outcome = fetch(&env.client(TEST, fast()), &FetchFilter::default()).await;
    assert_eq!(outcome.invoices.len(), 5);
    assert_eq!(env.fake().control().stats().status_count(503), 2);
}

#[tokio::test]
async fn a_malformed_body_is_retried_and_without_retries_costs_only_its_part() {
    let env = env().await;
    fill(&env, 5);
    env.fake()
        .control()
        .add_fault(FaultRule::next(1, FaultKind::MalformedBody));
    let outcome = fetch(&env.known(fast()), &FetchFilter::default()).await;
    assert_eq!(outcome.invoices.len(), 5);
    assert!(outcome.is_complete());

    // Without retries the count is lost: paging goes on without a total.
    env.fake()
        .control()
        .add_fault(FaultRule::next(1, FaultKind::MalformedBody));
    let options = QuickBooksOptions {
        retry: RetryPolicy::NO_RETRIES,
        ..fast()
    };
    let outcome = fetch(&env.known(options), &FetchFilter::default()).await;
    assert_eq!(outcome.invoices.len(), 5);
    assert!(outcome.is_complete(), "the count is optional");
}

#[tokio::test]
async fn a_page_that_keeps_failing_is_reported_and_the_rest_is_kept() {
    let env = env().await;
    fill(&env, 25);
    env.fake().fail_page(11, 100);
    let options = QuickBooksOptions {
        page_size: 10,
        ..fast()
    };
    let outcome = fetch(&env.client(TEST, options), &FetchFilter::default()).await;
    assert!(!outcome.is_complete());
    assert_eq!(outcome.invoices.len(), 15);
    let failure = outcome.failures.first().expect("one failure");
    assert_eq!(
        failure.scope,
        FailureScope::Rows {
            first: 11,
            last: 20
        }
    );
    assert_eq!(failure.error.code(), "provider_unavailable");
}

#[tokio::test]
async fn if_in_is_refused_every_customer_is_listed_instead() {
    let env = env().await;
    env.fake().set_in_supported(false);
    let outcome = fetch(&env.client(US, fast()), &FetchFilter::default()).await;
    assert!(outcome.is_complete(), "{:?}", outcome.failures);
    let named_by_record = outcome
        .invoices
        .iter()
        .filter(|i| i.invoice.debtor.kind.is_some())
        .count();
    assert!(named_by_record > 0, "customer records were read");
    assert!(outcome.invoices.iter().any(|i| i.customer_deleted));
}

#[tokio::test]
async fn an_invoice_is_read_again_before_submission() {
    let env = env().await;
    fill(&env, 3);
    let client = env.client(TEST, fast());
    let id = env
        .expected(TEST, |_| true)
        .into_iter()
        .next()
        .expect("one");
    match client
        .fetch_invoice(&demo_token(), &id)
        .await
        .expect("read")
    {
        Rechecked::Unpaid(invoice) => {
            assert_eq!(invoice.invoice.outstanding().amount().to_string(), "100.00");
            assert_eq!(
                invoice.invoice.debtor.name.as_deref(),
                Some("Acme Widgets LLC")
            );
        }
        other => panic!("expected unpaid, got {other:?}"),
    }
    assert!(env
        .fake()
        .update_invoice(TEST, &id, |i| i.balance_cents = 0));
    assert!(matches!(
        client
            .fetch_invoice(&demo_token(), &id)
            .await
            .expect("read"),
        Rechecked::Settled(SkipReason::NothingOwed { .. })
    ));
    let err = client
        .fetch_invoice(&demo_token(), "999999")
        .await
        .expect_err("no such");
    assert_eq!(err.code(), "provider_not_found");
}

/// Cancels once `after` pages were reported.
struct CancelAfter {
    after: u64,
    pages: AtomicU64,
}

impl ProgressSink for CancelAfter {
    fn report(&self, progress: FetchProgress) {
        self.pages.store(progress.pages, Ordering::SeqCst);
    }

    fn cancelled(&self) -> bool {
        self.pages.load(Ordering::SeqCst) >= self.after
    }
}

#[tokio::test]
async fn a_cancelled_fetch_stops_sending_and_keeps_what_it_read() {
    let env = env().await;
    fill(&env, 50);
    let options = QuickBooksOptions {
        page_size: 10,
        concurrency: 1,
        ..fast()
    };
    let sink = CancelAfter {
        after: 2,
        pages: AtomicU64::new(0),
    };
    let outcome = env
        .known(options)
        .fetch_unpaid(&demo_token(), &FetchFilter::default(), &sink)
        .await
        .expect("cancelled, not failed");
    assert_eq!(outcome.invoices.len(), 20, "two pages of ten");
    assert!(
        outcome.invoices.iter().all(|i| !i.customer_deleted),
        "a customer not read is not taken for deleted"
    );
    assert!(
        env.queries() <= 4,
        "count + at most one page more in flight: {}",
        env.queries()
    );
}

/// The engine awaits these on a multi-threaded runtime (the desktop shell
/// spawns every engine call): they must be `Send`, checked at compile time.
#[test]
fn the_clients_futures_are_send() {
    fn send<T: Send>(_: T) {}
    let client = QuickBooksClient::new("http://127.0.0.1:9", TEST, fast()).expect("client");
    let token = demo_token();
    let recorder = Recorder::default();
    let filter = FetchFilter::default();
    send(client.fetch_unpaid(&token, &filter, &recorder));
    send(client.fetch_invoice(&token, "1"));
    send(client.company_info(&token));
}
