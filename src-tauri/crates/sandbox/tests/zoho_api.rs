//! The Zoho Books fake over HTTP: the token, organization_id, the envelope
//! (non-zero codes at HTTP 200), pages, filters, per-minute throttling and
//! the daily cap, as a client sees them.

use std::sync::Arc;

use casebridge_sandbox::zoho::{
    self, ZohoConfig, ZohoHandle, ZohoSeed, DEMO_ACCESS_TOKEN, DEMO_ORG_EU, DEMO_ORG_US,
};
use casebridge_sandbox::{ManualClock, RunningFake};
use chrono::{Duration, TimeZone, Utc};
use serde_json::Value;

struct Fake {
    _server: RunningFake,
    handle: ZohoHandle,
    clock: ManualClock,
    url: String,
    http: reqwest::Client,
}

async fn start(config: ZohoConfig) -> Fake {
    let clock = ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
            .single()
            .expect("time"),
    );
    let (server, handle) = zoho::build(config, Arc::new(clock.clone()), 3).expect("valid config");
    let server = server.start().await.expect("listens");
    let url = format!("{}/books/v3", server.url());
    Fake {
        _server: server,
        handle,
        clock,
        url,
        http: reqwest::Client::new(),
    }
}

impl Fake {
    async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        self.get_as(path, query, Some(DEMO_ACCESS_TOKEN)).await
    }

    async fn get_as(
        &self,
        path: &str,
        query: &[(&str, &str)],
        token: Option<&str>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut request = self.http.get(format!("{}{path}", self.url)).query(query);
        if let Some(token) = token {
            request = request.header("Authorization", format!("Zoho-oauthtoken {token}"));
        }
        let response = request.send().await.expect("answers");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.json().await.expect("JSON body");
        (status, headers, body)
    }
}

#[tokio::test]
async fn a_missing_or_unknown_token_is_401_code_14() {
    let fake = start(ZohoConfig::default()).await;
    for token in [None, Some("1000.not-issued")] {
        let (status, _, body) = fake.get_as("/organizations", &[], token).await;
        assert_eq!(status, 401, "{token:?}");
        assert_eq!(body["code"], 14);
    }
}

#[tokio::test]
async fn the_user_has_two_organizations_in_different_currencies() {
    let fake = start(ZohoConfig::default()).await;
    let (status, _, body) = fake.get("/organizations", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(body["code"], 0);
    let orgs = body["organizations"].as_array().expect("list");
    let currencies: Vec<&str> = orgs
        .iter()
        .filter_map(|o| o["currency_code"].as_str())
        .collect();
    assert_eq!(currencies, ["USD", "EUR"]);
    assert_eq!(orgs[0]["organization_id"], DEMO_ORG_US);
    assert_eq!(orgs[1]["is_default_org"], false);
}

#[tokio::test]
async fn organization_id_is_required_and_must_be_the_users() {
    let fake = start(ZohoConfig::default()).await;
    let (status, _, body) = fake.get("/invoices", &[]).await;
    assert_eq!((status, body["code"].as_i64()), (400, Some(2)), "{body}");
    let (status, _, body) = fake.get("/invoices", &[("organization_id", "999")]).await;
    assert_eq!(status, 200, "Zoho's quirk: an error inside HTTP 200");
    assert_eq!(body["code"], 6041, "{body}");
}

#[tokio::test]
async fn status_unpaid_pages_of_200_until_has_more_page_is_false() {
    let config = ZohoConfig {
        organizations: vec![(
            ZohoConfig::default().organizations[0].0.clone(),
            ZohoSeed::Demo { invoices: 450 },
        )],
        ..ZohoConfig::default()
    };
    let fake = start(config).await;
    let expected = fake
        .handle
        .invoices(DEMO_ORG_US)
        .iter()
        .filter(|i| i.status.is_unpaid())
        .count();
    assert!(expected > 200, "needs at least two pages: {expected}");
    let mut seen = 0;
    let mut page = 1;
    loop {
        let p = page.to_string();
        let (status, headers, body) = fake
            .get(
                "/invoices",
                &[
                    ("organization_id", DEMO_ORG_US),
                    ("filter_by", "Status.Unpaid"),
                    ("per_page", "200"),
                    ("page", &p),
                ],
            )
            .await;
        assert_eq!(status, 200);
        assert!(headers.contains_key("x-rate-limit-remaining"));
        let rows = body["invoices"].as_array().expect("rows");
        for row in rows {
            let s = row["status"].as_str().expect("status");
            assert!(
                ["sent", "viewed", "unpaid", "overdue", "partially_paid"].contains(&s),
                "{s}"
            );
        }
        seen += rows.len();
        assert!(body["page_context"].is_object(), "object form");
        if body["page_context"]["has_more_page"] == false {
            break;
        }
        page += 1;
    }
    assert_eq!(seen, expected);
    let (status, _, body) = fake
        .get(
            "/invoices",
            &[("organization_id", DEMO_ORG_US), ("per_page", "201")],
        )
        .await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (400, Some(2)),
        "per_page is at most 200"
    );
}

#[tokio::test]
async fn date_and_due_date_filters_bound_the_list() {
    let fake = start(ZohoConfig::default()).await;
    let (_, _, body) = fake
        .get(
            "/invoices",
            &[
                ("organization_id", DEMO_ORG_EU),
                ("date_start", "2026-01-01"),
                ("due_date_before", "2026-02-15"),
            ],
        )
        .await;
    let rows = body["invoices"].as_array().expect("rows");
    assert!(!rows.is_empty());
    for row in rows {
        assert!(row["date"].as_str().expect("date") >= "2026-01-01");
        assert!(row["due_date"].as_str().expect("due") < "2026-02-15");
    }
    let (status, _, body) = fake
        .get(
            "/invoices",
            &[
                ("organization_id", DEMO_ORG_EU),
                ("date_start", "01/01/2026"),
            ],
        )
        .await;
    assert_eq!((status, body["code"].as_i64()), (400, Some(2)));
}

#[tokio::test]
async fn the_101st_request_in_a_minute_is_429_and_a_minute_later_it_passes() {
    let fake = start(ZohoConfig::default()).await;
    let query = [("organization_id", DEMO_ORG_US), ("per_page", "1")];
    for _ in 0..100 {
        assert_eq!(fake.get("/invoices", &query).await.0, 200);
    }
    let (status, headers, body) = fake.get("/invoices", &query).await;
    assert_eq!((status, body["code"].as_i64()), (429, Some(45)), "{body}");
    assert_eq!(headers["x-rate-limit-limit"], "10000");
    // Another organization has its own minute.
    assert_eq!(
        fake.get("/invoices", &[("organization_id", DEMO_ORG_EU)])
            .await
            .0,
        200
    );
    fake.clock.advance(Duration::seconds(60));
    assert_eq!(fake.get("/invoices", &query).await.0, 200);
    assert_eq!(
        fake.handle.used_today(DEMO_ORG_US),
        101,
        "the refused one is not counted"
    );
    assert_eq!(fake.handle.control().stats().rate_limited, 1);
}

#[tokio::test]
async fn the_daily_cap_answers_429_until_the_next_utc_day() {
    let fake = start(ZohoConfig::default()).await;
    fake.handle.set_used_today(DEMO_ORG_US, 9_999);
    let query = [("organization_id", DEMO_ORG_US)];
    let (status, headers, _) = fake.get("/contacts", &query).await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-rate-limit-remaining"], "0");
    let (status, headers, body) = fake.get("/contacts", &query).await;
    assert_eq!((status, body["code"].as_i64()), (429, Some(45)));
    assert_eq!(
        headers["x-rate-limit-reset"],
        (12 * 3600).to_string(),
        "seconds to midnight UTC"
    );
    fake.clock.advance(Duration::hours(12));
    assert_eq!(fake.get("/contacts", &query).await.0, 200);
}

#[tokio::test]
async fn details_carry_addresses_lists_do_not_and_unknown_ids_are_1002() {
    let fake = start(ZohoConfig::default()).await;
    let q = [("organization_id", DEMO_ORG_US)];
    let (_, _, list) = fake.get("/contacts", &q).await;
    let first = &list["contacts"][0];
    assert!(first.get("billing_address").is_none());
    let id = first["contact_id"].as_str().expect("id").to_owned();
    let (_, _, detail) = fake.get(&format!("/contacts/{id}"), &q).await;
    assert!(detail["contact"]["billing_address"].is_object(), "{detail}");
    let (status, _, body) = fake.get("/invoices/404404", &q).await;
    assert_eq!((status, body["code"].as_i64()), (404, Some(1002)));
}

#[tokio::test]
async fn injected_codes_arrive_at_http_200() {
    let fake = start(ZohoConfig::default()).await;
    fake.handle
        .answer_next_with_code(1, 57, "You are not authorized to perform this operation");
    let (status, _, body) = fake
        .get("/invoices", &[("organization_id", DEMO_ORG_US)])
        .await;
    assert_eq!((status, body["code"].as_i64()), (200, Some(57)));
    let (_, _, body) = fake
        .get("/invoices", &[("organization_id", DEMO_ORG_US)])
        .await;
    assert_eq!(body["code"], 0, "only the next one");
}
