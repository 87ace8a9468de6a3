//! The Zoho Books client against the sandbox's Zoho fake: organizations,
//! filters, pagination edges, Zoho's envelope, tokens, throttling, faults,
//! partial fetches, the daily cap and the re-read before submission.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use casebridge_providers::zoho::{ContactLookup, UnpaidQuery, ZohoClient, ZohoOptions};
use casebridge_providers::{
    BearerSource, BearerToken, DailyQuota, DateRange, FailureScope, FetchFilter, FetchOutcome,
    FetchProgress, ProgressSink, ProviderError, Rechecked, ReconnectReason, RetryPolicy,
    StaticBearer,
};
use casebridge_sandbox::zoho::{
    self, FakeZohoInvoice, ZohoConfig, ZohoHandle, ZohoSeed, ZohoStatus, DEMO_ACCESS_TOKEN,
    DEMO_ORG_EU, DEMO_ORG_US,
};
use casebridge_sandbox::{FaultKind, FaultRule, RunningFake, SystemClock};
use futures::future::BoxFuture;

struct Fake {
    server: RunningFake,
    handle: ZohoHandle,
}

async fn start(seed: ZohoSeed) -> Fake {
    let mut config = ZohoConfig::default();
    config.organizations[0].1 = seed;
    let (server, handle) = zoho::build(config, Arc::new(SystemClock), 21).expect("valid config");
    Fake {
        server: server.start().await.expect("listens"),
        handle,
    }
}

fn options() -> ZohoOptions {
    ZohoOptions {
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(2),
        },
        ..ZohoOptions::default()
    }
}

fn client(fake: &Fake, options: ZohoOptions) -> ZohoClient {
    ZohoClient::new(&fake.server.url(), options).expect("loopback URL")
}

fn demo() -> StaticBearer {
    StaticBearer::new(DEMO_ACCESS_TOKEN)
}

fn quiet(_: FetchProgress) {}

async fn fetch(client: &ZohoClient, org: &str, filter: &FetchFilter) -> FetchOutcome {
    client
        .fetch_unpaid(&demo(), org, filter, &quiet)
        .await
        .expect("the connection works")
}

fn ids(outcome: &FetchOutcome) -> BTreeSet<String> {
    outcome
        .invoices
        .iter()
        .map(|f| f.invoice.source.external_id().to_owned())
        .collect()
}

fn expected(fake: &Fake, org: &str, keep: impl Fn(&FakeZohoInvoice) -> bool) -> BTreeSet<String> {
    fake.handle
        .invoices(org)
        .into_iter()
        .filter(|i| i.status.is_unpaid() && i.balance_cents > 0 && keep(i))
        .map(|i| i.invoice_id)
        .collect()
}

#[tokio::test]
async fn organizations_are_listed_for_the_user_to_choose_with_their_currencies() {
    let fake = start(ZohoSeed::Empty).await;
    let orgs = client(&fake, options())
        .organizations(&demo())
        .await
        .expect("lists");
    let summary: Vec<(&str, Option<&str>, bool)> = orgs
        .iter()
        .map(|o| (o.id.as_str(), o.currency.as_deref(), o.is_default))
        .collect();
    assert_eq!(
        summary,
        [
            (DEMO_ORG_US, Some("USD"), true),
            (DEMO_ORG_EU, Some("EUR"), false)
        ]
    );
}

#[tokio::test]
async fn every_unpaid_invoice_comes_back_once_with_its_debtors_address() {
    let fake = start(ZohoSeed::Demo { invoices: 450 }).await;
    let client = client(&fake, options());
    let quotas = Mutex::new(Vec::new());
    struct Sink<'a>(&'a Mutex<Vec<DailyQuota>>);
    impl ProgressSink for Sink<'_> {
        fn report(&self, _: FetchProgress) {}
        fn daily_quota(&self, quota: DailyQuota) {
            self.0.lock().expect("not poisoned").push(quota);
        }
    }
    let outcome = client
        .fetch_unpaid(
            &demo(),
            DEMO_ORG_US,
            &FetchFilter::default(),
            &Sink(&quotas),
        )
        .await
        .expect("fetches");
    assert!(outcome.is_complete(), "{:?}", outcome.failures);
    let want = expected(&fake, DEMO_ORG_US, |_| true);
    assert_eq!(ids(&outcome), want);
    assert_eq!(outcome.invoices.len(), want.len(), "no duplicates");
    // Paid, draft and void rows are never listed by the unpaid view.
    assert!(outcome.skipped.is_empty(), "{:?}", outcome.skipped);

    // One contact read per distinct debtor, not per invoice.
    let debtors: BTreeSet<&str> = outcome
        .invoices
        .iter()
        .map(|f| f.invoice.debtor_key.as_str())
        .collect();
    let stats = fake.handle.control().stats();
    assert_eq!(
        stats.route_count("GET /books/v3/contacts/{id}"),
        debtors.len() as u64
    );
    assert!(debtors.len() < outcome.invoices.len());
    let with_address = outcome
        .invoices
        .iter()
        .filter(|f| !f.invoice.debtor.address_lines.is_empty())
        .count();
    assert!(with_address > outcome.invoices.len() / 2, "{with_address}");
    let first = &outcome.invoices[0];
    assert!(first.invoice.debtor.email.is_some());
    assert!(first
        .invoice
        .creditor_reference
        .as_deref()
        .is_some_and(|r| r.starts_with("INV-")));
    assert_eq!(first.invoice.amounts.currency().to_string(), "USD");

    // The quota as Zoho counts it, reported as it went.
    let last = *quotas
        .lock()
        .expect("not poisoned")
        .last()
        .expect("reported");
    assert_eq!(last.limit, Some(10_000));
    assert_eq!(last.used, fake.handle.used_today(DEMO_ORG_US));
    assert_eq!(client.daily_quota(DEMO_ORG_US), Some(last));
}

#[tokio::test]
async fn date_and_due_date_filters_are_applied_by_zoho() {
    let fake = start(ZohoSeed::Demo { invoices: 300 }).await;
    let today = chrono::Utc::now().date_naive();
    let from = today - chrono::Days::new(120);
    let due_to = today - chrono::Days::new(30);
    let filter = FetchFilter {
        created: DateRange::new("created", Some(from), None).expect("range"),
        due: DateRange::new("due", None, Some(due_to)).expect("range"),
        include_uncollectible: false,
    };
    let outcome = fetch(&client(&fake, options()), DEMO_ORG_US, &filter).await;
    let want = expected(&fake, DEMO_ORG_US, |i| {
        i.date >= from && i.due_date <= due_to
    });
    assert!(!want.is_empty());
    assert_eq!(ids(&outcome), want);
}

#[tokio::test]
async fn walking_each_status_view_finds_the_same_invoices_as_the_unpaid_view() {
    let fake = start(ZohoSeed::Demo { invoices: 250 }).await;
    let each = ZohoOptions {
        unpaid_query: UnpaidQuery::EachStatus,
        contacts: ContactLookup::None,
        ..options()
    };
    let a = fetch(&client(&fake, each), DEMO_ORG_US, &FetchFilter::default()).await;
    assert_eq!(ids(&a), expected(&fake, DEMO_ORG_US, |_| true));
}

#[tokio::test]
async fn an_empty_organization_costs_one_request_and_exactly_200_fits_one_page() {
    let fake = start(ZohoSeed::Empty).await;
    let outcome = fetch(
        &client(&fake, options()),
        DEMO_ORG_US,
        &FetchFilter::default(),
    )
    .await;
    assert!(outcome.invoices.is_empty() && outcome.is_complete());
    assert_eq!(outcome.pages, 1);
    assert_eq!(fake.handle.control().stats().total_requests, 1);

    let fake = start(ZohoSeed::UnpaidOnly {
        invoices: 200,
        customers: 4,
    })
    .await;
    let no_contacts = ZohoOptions {
        contacts: ContactLookup::None,
        ..options()
    };
    let outcome = fetch(
        &client(&fake, no_contacts),
        DEMO_ORG_US,
        &FetchFilter::default(),
    )
    .await;
    assert_eq!(outcome.invoices.len(), 200);
    assert_eq!(
        outcome.pages, 1,
        "has_more_page was false on the first page"
    );
    assert_eq!(fake.handle.control().stats().total_requests, 1);

    let fake = start(ZohoSeed::UnpaidOnly {
        invoices: 201,
        customers: 4,
    })
    .await;
    let outcome = fetch(
        &client(&fake, no_contacts),
        DEMO_ORG_US,
        &FetchFilter::default(),
    )
    .await;
    assert_eq!(outcome.invoices.len(), 201);
    assert_eq!(outcome.pages, 2);
}

#[tokio::test]
async fn an_empty_page_claiming_more_is_asked_again_and_never_loops_forever() {
    let fake = start(ZohoSeed::UnpaidOnly {
        invoices: 450,
        customers: 4,
    })
    .await;
    let options = ZohoOptions {
        contacts: ContactLookup::None,
        ..options()
    };
    fake.handle.empty_next_pages(1);
    let outcome = fetch(
        &client(&fake, options),
        DEMO_ORG_US,
        &FetchFilter::default(),
    )
    .await;
    assert!(outcome.is_complete(), "{:?}", outcome.failures);
    assert_eq!(outcome.invoices.len(), 450, "the glitch cost nothing");

    fake.handle.empty_next_pages(1_000);
    let outcome = fetch(
        &client(&fake, options),
        DEMO_ORG_US,
        &FetchFilter::default(),
    )
    .await;
    assert!(outcome.invoices.is_empty());
    assert!(!outcome.failures.is_empty());
    assert!(outcome
        .failures
        .iter()
        .all(|f| f.error.code() == "provider_incomplete_page"));
    assert!(
        fake.handle.control().stats().total_requests < 40,
        "it gave up"
    );
}

#[tokio::test]
async fn a_non_zero_code_at_http_200_is_an_error() {
    let fake = start(ZohoSeed::UnpaidOnly {
        invoices: 10,
        customers: 2,
    })
    .await;
    let client = client(&fake, options());
    fake.handle
        .answer_next_with_code(1, 57, "You are not authorized to perform this operation");
    let err = client
        .fetch_unpaid(&demo(), DEMO_ORG_US, &FetchFilter::default(), &quiet)
        .await
        .expect_err("57 is not authorized");
    assert!(
        matches!(
            err,
            ProviderError::NeedsReconnect {
                reason: ReconnectReason::AccessRevoked,
                ..
            }
        ),
        "{err:?}"
    );

    fake.handle
        .answer_next_with_code(1, 4, "Invalid value passed for sort_column");
    let outcome = fetch(&client, DEMO_ORG_US, &FetchFilter::default()).await;
    assert!(outcome.invoices.is_empty());
    let report = outcome.failures[0].report();
    assert_eq!(report.code, "provider_rejected_request");
    assert!(
        report
            .message
            .contains("Invalid value passed for sort_column"),
        "{}",
        report.message
    );
}

#[tokio::test]
async fn an_organization_the_user_is_not_in_needs_a_reconnect() {
    let fake = start(ZohoSeed::Empty).await;
    let err = client(&fake, options())
        .fetch_unpaid(&demo(), "999999", &FetchFilter::default(), &quiet)
        .await
        .expect_err("6041 at HTTP 200");
    assert_eq!(err.code(), "provider_reconnect_needed");
}

/// Hands out a stale token first, then the demo token once told.
#[derive(Default)]
struct Refreshing {
    refused: AtomicU32,
}

impl BearerSource for Refreshing {
    fn bearer(&self) -> BoxFuture<'_, Result<BearerToken, ProviderError>> {
        let token = if self.refused.load(Ordering::SeqCst) == 0 {
            "1000.expired-an-hour-ago"
        } else {
            DEMO_ACCESS_TOKEN
        };
        Box::pin(async move { Ok(BearerToken::new(token)) })
    }

    fn refused<'a>(&'a self, _token: &'a BearerToken) -> BoxFuture<'a, ()> {
        self.refused.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {})
    }
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_a_dead_one_asks_for_a_reconnect() {
    let fake = start(ZohoSeed::UnpaidOnly {
        invoices: 5,
        customers: 2,
    })
    .await;
    let client = client(&fake, options());
    let source = Refreshing::default();
    let outcome = client
        .fetch_unpaid(&source, DEMO_ORG_US, &FetchFilter::default(), &quiet)
        .await
        .expect("refreshed");
    assert_eq!(outcome.invoices.len(), 5);
    assert_eq!(source.refused.load(Ordering::SeqCst), 1);
    assert_eq!(fake.handle.control().stats().status_count(401), 1);

    let err = client
        .organizations(&StaticBearer::new("1000.revoked"))
        .await
        .expect_err("refused twice");
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
}

#[tokio::test]
async fn throttling_server_errors_and_broken_bodies_are_retried() {
    let fake = start(ZohoSeed::UnpaidOnly {
        invoices: 450,
        customers: 3,
    })
    .await;
    let control = fake.handle.control();
    control.add_fault(FaultRule::next(
        1,
        FaultKind::RateLimit {
            retry_after_secs: 0.0.try_into().expect("seconds"),
            retry_after_header: true,
        },
    ));
    control.add_fault(FaultRule::next(
        1,
        FaultKind::ServerError {
            status: 503.try_into().expect("5xx"),
        },
    ));
    control.add_fault(FaultRule::next(1, FaultKind::MalformedBody));
    // All three hit the first page, one after the other.
    let patient = ZohoOptions {
        retry: RetryPolicy {
            max_attempts: 4,
            ..options().retry
        },
        ..options()
    };
    let outcome = fetch(
        &client(&fake, patient),
        DEMO_ORG_US,
        &FetchFilter::default(),
    )
    .await;
    assert!(outcome.is_complete(), "{:?}", outcome.failures);
    assert_eq!(outcome.invoices.len(), 450);
    let stats = control.stats();
    assert_eq!(stats.status_count(429), 1);
    assert_eq!(stats.status_count(503), 1);
    assert_eq!(stats.faults_injected.get("malformedBody"), Some(&1));
}

#[tokio::test]
async fn a_page_that_keeps_failing_is_reported_and_the_rest_is_kept() {
    let fake = start(ZohoSeed::UnpaidOnly {
        invoices: 450,
        customers: 3,
    })
    .await;
    let control = fake.handle.control().clone();
    let options = ZohoOptions {
        concurrency: 1,
        contacts: ContactLookup::None,
        retry: RetryPolicy {
            max_attempts: 2,
            ..options().retry
        },
        ..options()
    };
    // After the first page arrives, the next two requests (page 2 and its
    // retry) fail: page 2 is lost, page 3 is read.
    let armed = AtomicU32::new(0);
    let progress = |p: FetchProgress| {
        if p.pages == 1 && armed.fetch_add(1, Ordering::SeqCst) == 0 {
            control.add_fault(FaultRule::next(
                2,
                FaultKind::ServerError {
                    status: 500.try_into().expect("5xx"),
                },
            ));
        }
    };
    let outcome = client(&fake, options)
        .fetch_unpaid(&demo(), DEMO_ORG_US, &FetchFilter::default(), &progress)
        .await
        .expect("a partial fetch is not an error");
    assert_eq!(outcome.invoices.len(), 250, "pages 1 and 3");
    assert_eq!(outcome.failures.len(), 1);
    assert_eq!(
        outcome.failures[0].scope,
        FailureScope::Rows {
            first: 201,
            last: 400
        }
    );
    assert_eq!(outcome.failures[0].error.code(), "provider_unavailable");
}

#[tokio::test]
async fn the_daily_cap_stops_the_fetch_and_keeps_what_was_read() {
    let fake = start(ZohoSeed::UnpaidOnly {
        invoices: 1_000,
        customers: 3,
    })
    .await;
    fake.handle.set_used_today(DEMO_ORG_US, 9_998);
    let client = client(
        &fake,
        ZohoOptions {
            concurrency: 1,
            ..options()
        },
    );
    let outcome = fetch(&client, DEMO_ORG_US, &FetchFilter::default()).await;
    assert_eq!(outcome.invoices.len(), 400, "two pages fit in the day");
    let failure = outcome.failures.last().expect("the cap is reported");
    assert_eq!(failure.error.code(), "provider_daily_limit_reached");
    assert!(
        failure.error.to_string().contains("10000 per day"),
        "{}",
        failure.error
    );
    let quota = client.daily_quota(DEMO_ORG_US).expect("known");
    assert_eq!((quota.used, quota.limit), (10_000, Some(10_000)));
    assert_eq!(
        fake.handle.control().stats().status_count(429),
        0,
        "Remaining: 0 is heeded before asking again"
    );
}

#[tokio::test]
async fn an_invoice_is_read_again_before_submission() {
    let fake = start(ZohoSeed::UnpaidOnly {
        invoices: 3,
        customers: 2,
    })
    .await;
    let client = client(&fake, options());
    let id = fake.handle.invoices(DEMO_ORG_US)[0].invoice_id.clone();
    match client
        .fetch_invoice(&demo(), DEMO_ORG_US, &id)
        .await
        .expect("reads")
    {
        Rechecked::Unpaid(fetched) => {
            assert_eq!(fetched.invoice.source.external_id(), id);
            assert!(
                fetched.invoice.description.is_some(),
                "line items from the detail"
            );
        }
        other => panic!("expected unpaid, got {other:?}"),
    }
    fake.handle.update_invoice(DEMO_ORG_US, &id, |i| {
        i.status = ZohoStatus::Paid;
        i.balance_cents = 0;
    });
    assert!(matches!(
        client
            .fetch_invoice(&demo(), DEMO_ORG_US, &id)
            .await
            .expect("reads"),
        Rechecked::Settled(_)
    ));
    let err = client
        .fetch_invoice(&demo(), DEMO_ORG_US, "404")
        .await
        .expect_err("gone");
    assert_eq!(err.code(), "provider_not_found");
}

#[tokio::test]
async fn a_listing_that_never_answers_ends_after_a_few_pages() {
    let fake = start(ZohoSeed::UnpaidOnly {
        invoices: 1_000,
        customers: 2,
    })
    .await;
    fake.handle.control().add_fault(
        FaultRule::fraction(
            1.0.try_into().expect("fraction"),
            FaultKind::ServerError {
                status: 502.try_into().expect("5xx"),
            },
        )
        .on_route("GET /books/v3/invoices"),
    );
    let outcome = fetch(
        &client(&fake, options()),
        DEMO_ORG_US,
        &FetchFilter::default(),
    )
    .await;
    assert!(outcome.invoices.is_empty());
    assert_eq!(
        outcome.failures.len(),
        3,
        "three pages in a row, then it stops"
    );
    assert!(
        fake.handle.control().stats().total_requests <= 9,
        "3 pages x 3 attempts"
    );
}

#[tokio::test]
async fn with_too_little_daily_quota_for_one_read_per_debtor_the_contact_list_is_read() {
    let fake = start(ZohoSeed::UnpaidOnly {
        invoices: 300,
        customers: 30,
    })
    .await;
    // Two invoice pages leave 8 requests for the day: fewer than 30 debtors.
    fake.handle.set_used_today(DEMO_ORG_US, 9_990);
    let client = client(
        &fake,
        ZohoOptions {
            concurrency: 1,
            ..options()
        },
    );
    let outcome = fetch(&client, DEMO_ORG_US, &FetchFilter::default()).await;
    assert!(outcome.is_complete(), "{:?}", outcome.failures);
    assert_eq!(outcome.invoices.len(), 300);
    let stats = fake.handle.control().stats();
    assert_eq!(stats.route_count("GET /books/v3/contacts/{id}"), 0);
    assert_eq!(stats.route_count("GET /books/v3/contacts"), 1);
    let debtor = &outcome.invoices[0].invoice.debtor;
    assert!(debtor.email.is_some(), "the list has email");
    assert!(debtor.address_lines.is_empty(), "but no address");
}

#[tokio::test]
async fn codes_at_http_200_are_read_like_their_statuses() {
    let fake = start(ZohoSeed::UnpaidOnly {
        invoices: 5,
        customers: 1,
    })
    .await;
    let client = client(&fake, options());
    // 45 (too many requests) and 1000 (internal error) are retried…
    fake.handle.answer_next_with_code(
        1,
        45,
        "You have made too many requests continuously. Please try again after some time.",
    );
    fake.handle.answer_next_with_code(1, 1000, "Internal error");
    let outcome = fetch(&client, DEMO_ORG_US, &FetchFilter::default()).await;
    assert!(outcome.is_complete(), "{:?}", outcome.failures);
    assert_eq!(outcome.invoices.len(), 5);
    // …and 14 (invalid token) refreshes the token once.
    fake.handle
        .answer_next_with_code(1, 14, "Invalid OAuth token.");
    let source = Counting::default();
    let orgs = client
        .organizations(&source)
        .await
        .expect("after a refresh");
    assert_eq!(orgs.len(), 2);
    assert_eq!(source.refused.load(Ordering::SeqCst), 1);
}

/// Always the demo token; counts how often it was reported refused.
#[derive(Default)]
struct Counting {
    refused: AtomicU32,
}

impl BearerSource for Counting {
    fn bearer(&self) -> BoxFuture<'_, Result<BearerToken, ProviderError>> {
        Box::pin(async { Ok(BearerToken::new(DEMO_ACCESS_TOKEN)) })
    }

    fn refused<'a>(&'a self, _token: &'a BearerToken) -> BoxFuture<'a, ()> {
        self.refused.fetch_add(1, Ordering::SeqCst);
        Box::pin(async {})
    }
}
