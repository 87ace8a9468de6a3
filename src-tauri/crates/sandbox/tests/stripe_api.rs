//! The Stripe fake over HTTP: lists and cursors, filters, expansion, auth,
//! permissions, versions, errors and rate limits, as a client sees them.

use std::sync::Arc;

use casebridge_sandbox::stripe::{
    FakeCustomer, FakeInvoice, InvoiceStatus, Mode, SeedData, DEMO_ACCOUNT_ID, DEMO_EXPIRED_KEY,
    DEMO_INVOICES_ONLY_KEY, DEMO_RESTRICTED_KEY, DEMO_SECRET_KEY,
};
use casebridge_sandbox::{
    FaultKind, FaultRule, ManualClock, Sandbox, SandboxConfig, StripeConfig, StripeHandle,
    SystemClock,
};
use chrono::{TimeZone, Utc};
use serde_json::Value;

const BASIL: &str = "2025-03-31.basil";

struct Fake {
    sandbox: Sandbox,
    url: String,
    http: reqwest::Client,
}

impl Fake {
    fn handle(&self) -> &StripeHandle {
        self.sandbox.stripe().expect("stripe enabled")
    }

    fn get(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.url))
            .bearer_auth(key)
            .header("Stripe-Version", BASIL)
    }
}

async fn start(config: StripeConfig, manual_clock: bool) -> Fake {
    let clock: casebridge_sandbox::SharedClock = if manual_clock {
        Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
                .single()
                .expect("time"),
        ))
    } else {
        Arc::new(SystemClock)
    };
    let sandbox = Sandbox::start(SandboxConfig {
        seed: 5,
        clock,
        agency: None,
        stripe: Some(config),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let url = sandbox.urls().stripe.expect("stripe url");
    Fake {
        sandbox,
        url,
        http: reqwest::Client::new(),
    }
}

/// Demo data, no rate limits, a fixed clock.
async fn demo() -> Fake {
    start(
        StripeConfig {
            rate_limits: None,
            ..StripeConfig::default()
        },
        true,
    )
    .await
}

async fn send(req: reqwest::RequestBuilder) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = req.send().await.expect("reaches the fake");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

fn ids(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

#[tokio::test]
async fn stripe_lists_are_newest_first_and_cursors_walk_them_without_gaps() {
    let fake = demo().await;
    let expected: Vec<String> = fake
        .handle()
        .invoices(Mode::Test)
        .into_iter()
        .filter(|i| i.status == InvoiceStatus::Open)
        .map(|i| i.id)
        .collect();
    assert!(expected.len() > 250, "enough for three pages");
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut req = fake
            .get("/v1/invoices", DEMO_RESTRICTED_KEY)
            .query(&[("status", "open"), ("limit", "100")]);
        if let Some(c) = &cursor {
            req = req.query(&[("starting_after", c)]);
        }
        let (status, _, body) = send(req).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["object"], "list");
        assert_eq!(body["url"], "/v1/invoices");
        let page = ids(&body);
        seen.extend(page.iter().cloned());
        if body["has_more"] != true {
            break;
        }
        cursor = page.last().cloned();
    }
    assert_eq!(seen, expected);
    let created: Vec<i64> = fake
        .handle()
        .invoices(Mode::Test)
        .iter()
        .map(|i| i.created)
        .collect();
    assert!(created.windows(2).all(|w| w[0] >= w[1]), "newest first");
}

#[tokio::test]
async fn stripe_ending_before_pages_back_towards_newer_invoices() {
    let fake = demo().await;
    let (_, _, first) = send(fake.get("/v1/invoices?limit=5", DEMO_RESTRICTED_KEY)).await;
    let first = ids(&first);
    let (_, _, back) = send(
        fake.get("/v1/invoices?limit=2", DEMO_RESTRICTED_KEY)
            .query(&[("ending_before", &first[3])]),
    )
    .await;
    assert_eq!(ids(&back), first[1..3].to_vec());
    assert_eq!(back["has_more"], true, "first[0] is newer still");
}

#[tokio::test]
async fn stripe_limit_defaults_to_10_and_must_be_1_to_100() {
    let fake = demo().await;
    let (status, _, body) = send(fake.get("/v1/invoices", DEMO_RESTRICTED_KEY)).await;
    assert_eq!(status, 200);
    assert_eq!(ids(&body).len(), 10);
    for bad in ["0", "101", "ten"] {
        let (status, _, body) = send(
            fake.get("/v1/invoices", DEMO_RESTRICTED_KEY)
                .query(&[("limit", bad)]),
        )
        .await;
        assert_eq!(status, 400, "limit={bad}");
        assert_eq!(body["error"]["type"], "invalid_request_error");
        assert_eq!(body["error"]["param"], "limit");
    }
}

#[tokio::test]
async fn stripe_rejects_unknown_parameters_statuses_expansions_and_two_cursors() {
    let fake = demo().await;
    for (query, param) in [
        ("overdue=true", Some("overdue")),
        ("status=overdue", Some("status")),
        ("expand[]=customer", Some("expand")),
        ("created[since]=1", Some("created[since]")),
        ("starting_after=in_nope", Some("starting_after")),
        ("starting_after=a&ending_before=b", None),
    ] {
        let (status, _, body) =
            send(fake.get(&format!("/v1/invoices?{query}"), DEMO_RESTRICTED_KEY)).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["error"]["param"].as_str(), param, "{query}: {body}");
    }
}

#[tokio::test]
async fn stripe_filters_by_status_created_and_due_date() {
    let fake = demo().await;
    let all = fake.handle().invoices(Mode::Test);
    let mid = all[all.len() / 2].created;
    let due = all.iter().find_map(|i| i.due_date).expect("some due date");
    let expect =
        |f: &dyn Fn(&FakeInvoice) -> bool| -> usize { all.iter().filter(|i| f(i)).count() };
    let count = |query: String| {
        let fake = &fake;
        async move {
            let mut total = 0;
            let mut cursor: Option<String> = None;
            loop {
                let mut url = format!("/v1/invoices?limit=100&{query}");
                if let Some(c) = &cursor {
                    url.push_str(&format!("&starting_after={c}"));
                }
                let (status, _, body) = send(fake.get(&url, DEMO_RESTRICTED_KEY)).await;
                assert_eq!(status, 200, "{body}");
                let page = ids(&body);
                total += page.len();
                if body["has_more"] != true {
                    return total;
                }
                cursor = page.last().cloned();
            }
        }
    };
    assert_eq!(
        count("status=uncollectible".into()).await,
        expect(&|i| i.status == InvoiceStatus::Uncollectible)
    );
    assert_eq!(
        count(format!("created[gte]={mid}")).await,
        expect(&|i| i.created >= mid)
    );
    assert_eq!(
        count(format!("status=open&created[lt]={mid}")).await,
        expect(&|i| i.status == InvoiceStatus::Open && i.created < mid)
    );
    assert_eq!(
        count(format!("created={mid}")).await,
        expect(&|i| i.created == mid)
    );
    assert_eq!(
        count(format!("due_date[lte]={due}")).await,
        expect(&|i| i.due_date.is_some_and(|d| d <= due)),
        "invoices without a due date never match a due_date filter"
    );
}

#[tokio::test]
async fn stripe_expands_customers_and_shows_deleted_ones_as_stubs() {
    let fake = demo().await;
    let deleted = fake
        .handle()
        .customers(Mode::Test)
        .into_iter()
        .find(|c| c.deleted)
        .expect("the demo has a deleted customer");
    let (status, _, body) = send(
        fake.get(
            "/v1/invoices?limit=100&expand[]=data.customer",
            DEMO_RESTRICTED_KEY,
        )
        .query(&[("customer", &deleted.id)]),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let first = &body["data"][0];
    assert_eq!(
        first["customer"],
        serde_json::json!({"id": deleted.id, "object": "customer", "deleted": true})
    );
    assert!(first["customer_name"].is_string(), "the snapshot survives");
    let (status, _, stub) = send(fake.get(
        &format!("/v1/customers/{}", deleted.id),
        DEMO_RESTRICTED_KEY,
    ))
    .await;
    assert_eq!((status, stub["deleted"].clone()), (200, Value::Bool(true)));

    let (_, _, live) = send(fake.get(
        "/v1/invoices?limit=1&expand[]=data.customer",
        DEMO_RESTRICTED_KEY,
    ))
    .await;
    let customer = &live["data"][0]["customer"];
    assert_eq!(customer["object"], "customer");
    assert!(customer.get("address").is_some());
}

#[tokio::test]
async fn stripe_unknown_objects_are_404_resource_missing() {
    let fake = demo().await;
    for (path, message) in [
        ("/v1/invoices/in_missing", "No such invoice: 'in_missing'"),
        (
            "/v1/customers/cus_missing",
            "No such customer: 'cus_missing'",
        ),
    ] {
        let (status, _, body) = send(fake.get(path, DEMO_RESTRICTED_KEY)).await;
        assert_eq!(status, 404);
        assert_eq!(body["error"]["code"], "resource_missing");
        assert_eq!(body["error"]["message"], message);
    }
    let (status, _, body) = send(fake.get("/v1/nothing", DEMO_RESTRICTED_KEY)).await;
    assert_eq!(status, 404);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .starts_with("Unrecognized request URL"));
}

#[tokio::test]
async fn stripe_bad_missing_and_expired_keys_get_401_without_the_key_in_clear() {
    let fake = demo().await;
    let (status, _, body) = send(fake.http.get(format!("{}/v1/invoices", fake.url))).await;
    assert_eq!(status, 401);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("did not provide an API key"));

    let wrong = "rk_test_casebridge_demo_wrong"; // sandbox demo value
    let (status, _, body) = send(fake.get("/v1/invoices", wrong)).await;
    assert_eq!(status, 401);
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("Invalid API Key provided: rk_test_*"),
        "{message}"
    );
    assert!(!message.contains("casebridge_demo"), "masked: {message}");

    let (status, _, body) = send(fake.get("/v1/invoices", DEMO_EXPIRED_KEY)).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "api_key_expired");

    let basic = fake
        .http
        .get(format!("{}/v1/invoices?limit=1", fake.url))
        .basic_auth(DEMO_RESTRICTED_KEY, Some(""));
    assert_eq!(
        send(basic).await.0,
        200,
        "HTTP Basic with the key as user works too"
    );
}

#[tokio::test]
async fn stripe_restricted_keys_get_403_naming_the_missing_permission_and_account() {
    let fake = demo().await;
    for path in ["/v1/customers", "/v1/invoices?expand[]=data.customer"] {
        let (status, _, body) = send(fake.get(path, DEMO_INVOICES_ONLY_KEY)).await;
        assert_eq!(status, 403, "{path}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("'rak_customer_read'"), "{message}");
        assert!(message.contains(DEMO_ACCOUNT_ID), "{message}");
    }
    assert_eq!(
        send(fake.get("/v1/invoices", DEMO_INVOICES_ONLY_KEY))
            .await
            .0,
        200
    );
    let (status, _, body) = send(fake.get("/v1/account", DEMO_RESTRICTED_KEY)).await;
    assert_eq!(status, 403);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains(DEMO_ACCOUNT_ID));
    let (status, _, account) = send(fake.get("/v1/account", DEMO_SECRET_KEY)).await;
    assert_eq!(
        (status, account["id"].as_str()),
        (200, Some(DEMO_ACCOUNT_ID))
    );
}

#[tokio::test]
async fn stripe_the_response_shape_follows_the_pinned_version() {
    let fake = demo().await;
    let sub = fake
        .handle()
        .invoices(Mode::Test)
        .into_iter()
        .find(|i| i.subscription.is_some())
        .expect("a subscription invoice");
    let path = format!("/v1/invoices/{}", sub.id);
    let (_, headers, basil) = send(fake.get(&path, DEMO_RESTRICTED_KEY)).await;
    assert_eq!(headers["stripe-version"], BASIL);
    assert!(headers.contains_key("request-id"));
    assert_eq!(basil["parent"]["type"], "subscription_details");
    assert!(basil.get("subscription").is_none());

    let unpinned = fake
        .http
        .get(format!("{}{path}", fake.url))
        .bearer_auth(DEMO_RESTRICTED_KEY);
    let (_, headers, old) = send(unpinned).await;
    assert_eq!(
        headers["stripe-version"], "2024-06-20",
        "the account default"
    );
    assert_eq!(old["subscription"].as_str(), sub.subscription.as_deref());
    assert!(old.get("parent").is_none());

    let bad = fake
        .http
        .get(format!("{}{path}", fake.url))
        .bearer_auth(DEMO_RESTRICTED_KEY)
        .header("Stripe-Version", "latest");
    let (status, _, body) = send(bad).await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("Invalid Stripe API version"));
}

#[tokio::test]
async fn stripe_test_mode_rate_limit_answers_429_with_the_retry_signal() {
    let fake = start(StripeConfig::default(), false).await;
    // All 40 in flight at once.
    let tasks: Vec<_> = (0..40)
        .map(|_| tokio::spawn(send(fake.get("/v1/invoices?limit=1", DEMO_RESTRICTED_KEY))))
        .collect();
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("request task"));
    }
    let limited: Vec<_> = answers.iter().filter(|(s, _, _)| *s == 429).collect();
    assert!(!limited.is_empty(), "40 at once exceed 25 per second");
    let ok = answers.iter().filter(|(s, _, _)| *s == 200).count();
    assert!(ok <= 25, "{ok} got through");
    let (_, headers, body) = limited[0];
    assert_eq!(headers["stripe-should-retry"], "true");
    assert_eq!(body["error"]["code"], "rate_limit");
    let stats = fake.handle().control().stats();
    assert_eq!(stats.rate_limited, limited.len() as u64);
}

#[tokio::test]
async fn stripe_injected_faults_use_stripes_formats() {
    let fake = demo().await;
    let control = fake.handle().control();
    control.add_fault(FaultRule::next(
        1,
        FaultKind::RateLimit {
            retry_after_secs: 2.0.try_into().expect("seconds"),
            retry_after_header: true,
        },
    ));
    let (status, headers, body) = send(fake.get("/v1/invoices", DEMO_RESTRICTED_KEY)).await;
    assert_eq!(status, 429);
    assert_eq!(headers["stripe-should-retry"], "true");
    assert_eq!(headers["retry-after"], "2");
    assert_eq!(body["error"]["type"], "invalid_request_error");

    control.add_fault(FaultRule::next(
        1,
        FaultKind::ServerError {
            status: 500.try_into().expect("5xx"),
        },
    ));
    let (status, headers, body) = send(fake.get("/v1/invoices", DEMO_RESTRICTED_KEY)).await;
    assert_eq!(status, 500);
    assert_eq!(headers["stripe-should-retry"], "true");
    assert_eq!(body["error"]["type"], "api_error");
}

#[tokio::test]
async fn stripe_handle_edits_show_up_in_answers() {
    let fake = start(
        StripeConfig {
            rate_limits: None,
            test_data: SeedData::Empty,
            ..StripeConfig::default()
        },
        true,
    )
    .await;
    let (_, _, empty) = send(fake.get("/v1/invoices", DEMO_RESTRICTED_KEY)).await;
    assert_eq!(
        (ids(&empty).len(), empty["has_more"].clone()),
        (0, Value::Bool(false))
    );

    let handle = fake.handle();
    let customer = handle.insert_customer(
        Mode::Test,
        FakeCustomer {
            name: Some("Nordlys ApS".into()),
            created: 1_700_000_000,
            ..FakeCustomer::default()
        },
    );
    let id = handle.insert_invoice(
        Mode::Test,
        FakeInvoice::open(&customer, 1_700_000_100, "jpy", 5_000),
    );
    let (_, _, one) = send(fake.get(&format!("/v1/invoices/{id}"), DEMO_RESTRICTED_KEY)).await;
    assert_eq!(one["amount_remaining"], 5_000);
    assert_eq!(
        one["customer_name"], "Nordlys ApS",
        "snapshot taken on insert"
    );
    assert!(one["number"].is_string());

    assert!(handle.update_invoice(Mode::Test, &id, |inv| {
        inv.amount_paid = inv.total;
        inv.status = InvoiceStatus::Paid;
    }));
    let (_, _, paid) = send(fake.get(&format!("/v1/invoices/{id}"), DEMO_RESTRICTED_KEY)).await;
    assert_eq!(
        (paid["status"].as_str(), paid["amount_remaining"].as_i64()),
        (Some("paid"), Some(0))
    );

    let pdf = fake
        .http
        .get(paid["invoice_pdf"].as_str().expect("pdf url"))
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.headers()["content-type"], "application/pdf");
    assert!(pdf.bytes().await.expect("bytes").starts_with(b"%PDF-"));

    handle.empty_next_pages(1);
    let (_, _, quirk) = send(fake.get("/v1/invoices", DEMO_RESTRICTED_KEY)).await;
    assert_eq!(
        (ids(&quirk).len(), quirk["has_more"].clone()),
        (0, Value::Bool(true))
    );
    let (_, _, normal) = send(fake.get("/v1/invoices", DEMO_RESTRICTED_KEY)).await;
    assert_eq!(ids(&normal), vec![id]);
}
