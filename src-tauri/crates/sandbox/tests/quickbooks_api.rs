//! The QuickBooks fake at the wire: paging, counts, filters, faults,
//! tokens and throttles, as a client sees them.

use casebridge_sandbox::quickbooks::{
    FaultIn200, QboRateLimits, QuickBooksConfig, DEMO_ACCESS_TOKEN,
};
use casebridge_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

const US: &str = "9130350000000002";
const DK: &str = "9130350000000001";

async fn start(rate_limits: Option<QboRateLimits>) -> Sandbox {
    Sandbox::start(SandboxConfig {
        agency: None,
        stripe: None,
        quickbooks: Some(QuickBooksConfig {
            rate_limits,
            ..QuickBooksConfig::default()
        }),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts")
}

fn base(sandbox: &Sandbox) -> String {
    sandbox.urls().quickbooks.expect("quickbooks url")
}

async fn query_as(
    sandbox: &Sandbox,
    realm: &str,
    token: &str,
    statement: &str,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let response = reqwest::Client::new()
        .get(format!("{}/v3/company/{realm}/query", base(sandbox)))
        .query(&[("query", statement), ("minorversion", "75")])
        .bearer_auth(token)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body, headers)
}

async fn query(sandbox: &Sandbox, realm: &str, statement: &str) -> (u16, Value) {
    let (status, body, _) = query_as(sandbox, realm, DEMO_ACCESS_TOKEN, statement).await;
    (status, body)
}

#[tokio::test]
async fn count_and_pages_cover_every_unpaid_invoice_once_and_the_end_is_an_empty_object() {
    let sandbox = start(None).await;
    let (status, count) = query(
        &sandbox,
        US,
        "SELECT COUNT(*) FROM Invoice WHERE Balance > '0'",
    )
    .await;
    assert_eq!(status, 200);
    let total = count["QueryResponse"]["totalCount"]
        .as_u64()
        .expect("totalCount");
    let expected = sandbox
        .quickbooks()
        .expect("handle")
        .invoices(US)
        .iter()
        .filter(|i| i.balance_shown() > 0)
        .count() as u64;
    assert_eq!(total, expected);
    let mut seen = Vec::new();
    let mut start = 1;
    loop {
        let (_, page) = query(
            &sandbox,
            US,
            &format!("SELECT * FROM Invoice WHERE Balance > '0' ORDERBY Id STARTPOSITION {start} MAXRESULTS 100"),
        )
        .await;
        let Some(rows) = page["QueryResponse"]["Invoice"].as_array() else {
            assert_eq!(
                page["QueryResponse"],
                serde_json::json!({}),
                "no entity key past the end"
            );
            break;
        };
        assert_eq!(page["QueryResponse"]["startPosition"].as_u64(), Some(start));
        for row in rows {
            assert!(row["Balance"].as_f64().expect("balance") > 0.0);
            assert!(
                row.get("CurrencyRef").is_none(),
                "US company is not multicurrency"
            );
            seen.push(row["Id"].as_str().expect("id").to_owned());
        }
        start += 100;
    }
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len() as u64, total);
}

#[tokio::test]
async fn voided_invoices_show_zero_amounts_and_the_note() {
    let sandbox = start(None).await;
    let (_, page) = query(
        &sandbox,
        DK,
        "SELECT * FROM Invoice WHERE Balance = '0' MAXRESULTS 1000",
    )
    .await;
    let rows = page["QueryResponse"]["Invoice"].as_array().expect("rows");
    let voided: Vec<&Value> = rows
        .iter()
        .filter(|r| r["PrivateNote"] == "Voided")
        .collect();
    assert!(!voided.is_empty());
    assert!(voided.iter().all(|r| r["TotalAmt"].as_f64() == Some(0.0)));
    assert!(
        rows.iter().all(|r| r["CurrencyRef"]["value"].is_string()),
        "multicurrency"
    );
}

#[tokio::test]
async fn customers_by_id_leave_inactive_ones_out() {
    let sandbox = start(None).await;
    let handle = sandbox.quickbooks().expect("handle");
    let customers = handle.customers(US);
    let inactive = customers
        .iter()
        .find(|c| !c.active)
        .expect("one deleted customer");
    let active = customers.iter().find(|c| c.active).expect("active");
    let (_, page) = query(
        &sandbox,
        US,
        &format!(
            "SELECT * FROM Customer WHERE Id IN ('{}', '{}')",
            active.id, inactive.id
        ),
    )
    .await;
    let rows = page["QueryResponse"]["Customer"].as_array().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["Id"], active.id.as_str());
}

#[tokio::test]
async fn bad_statements_get_the_recorded_validation_fault_shape() {
    let sandbox = start(None).await;
    let (status, body) = query(&sandbox, US, "SELECT * FROM Custmoer").await;
    assert_eq!(status, 400);
    assert_eq!(body["Fault"]["type"], "ValidationFault");
    assert_eq!(body["Fault"]["Error"][0]["code"], "4001");
    assert_eq!(
        body["Fault"]["Error"][0]["Detail"],
        "QueryValidationError: invalid context declaration: Custmoer"
    );
    let (status, body) = query(
        &sandbox,
        US,
        "SELECT * FROM Invoice WHERE Id = '1' OR Id = '2'",
    )
    .await;
    assert_eq!(
        (status, body["Fault"]["Error"][0]["code"].as_str()),
        (400, Some("4000"))
    );
    let (status, body) = query(&sandbox, US, "SELECT * FROM Invoice WHERE Colour = 'red'").await;
    assert_eq!(
        (status, body["Fault"]["Error"][0]["code"].as_str()),
        (400, Some("4001"))
    );
}

#[tokio::test]
async fn a_bare_query_is_a_system_fault_inside_http_200() {
    let sandbox = start(None).await;
    let response = reqwest::Client::new()
        .get(format!("{}/v3/company/{US}/query", base(&sandbox)))
        .bearer_auth(DEMO_ACCESS_TOKEN)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["Fault"]["type"], "SystemFault");
}

#[tokio::test]
async fn tokens_expired_unknown_and_for_another_company_are_refused_in_quickbooks_shapes() {
    let sandbox = start(None).await;
    let handle = sandbox.quickbooks().expect("handle");
    let (status, body, headers) = query_as(&sandbox, US, "nope", "SELECT * FROM Invoice").await;
    assert_eq!(status, 401);
    assert_eq!(body["fault"]["type"], "AUTHENTICATION");
    assert_eq!(body["fault"]["error"][0]["code"], "3200");
    assert!(headers
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("invalid_token")));
    handle.add_token("short-lived");
    handle.expire_token("short-lived");
    let (status, body, _) = query_as(&sandbox, US, "short-lived", "SELECT * FROM Invoice").await;
    assert_eq!(status, 401);
    assert_eq!(body["fault"]["error"][0]["detail"], "Token expired");
    let (status, body, _) =
        query_as(&sandbox, "123", DEMO_ACCESS_TOKEN, "SELECT * FROM Invoice").await;
    assert_eq!(
        (status, body["Fault"]["type"].as_str()),
        (403, Some("AuthorizationFault"))
    );
}

#[tokio::test]
async fn old_minor_versions_are_refused() {
    let sandbox = start(None).await;
    let response = reqwest::Client::new()
        .get(format!(
            "{}/v3/company/{US}/preferences?minorversion=65",
            base(&sandbox)
        ))
        .bearer_auth(DEMO_ACCESS_TOKEN)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 400);
}

#[tokio::test]
async fn the_eleventh_request_within_a_second_is_throttled_and_counted_apart() {
    let sandbox = start(Some(QboRateLimits::default())).await;
    let mut statuses = Vec::new();
    for _ in 0..11 {
        let (status, body) = query(&sandbox, US, "SELECT COUNT(*) FROM Invoice").await;
        if status == 429 {
            assert_eq!(body["Fault"]["Error"][0]["code"], "3001");
        }
        statuses.push(status);
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&429));
    let stats = sandbox.quickbooks().expect("handle").control().stats();
    assert_eq!(stats.rate_limited, 1);
    // Another company has its own budget.
    assert_eq!(
        query(&sandbox, DK, "SELECT COUNT(*) FROM Invoice").await.0,
        200
    );
}

#[tokio::test]
async fn queued_faults_arrive_inside_http_200() {
    let sandbox = start(None).await;
    sandbox
        .quickbooks()
        .expect("handle")
        .faults_in_200(1, FaultIn200::Validation);
    let (status, body) = query(&sandbox, US, "SELECT COUNT(*) FROM Invoice").await;
    assert_eq!(
        (status, body["Fault"]["type"].as_str()),
        (200, Some("ValidationFault"))
    );
    let (status, body) = query(&sandbox, US, "SELECT COUNT(*) FROM Invoice").await;
    assert_eq!(status, 200);
    assert!(body["QueryResponse"]["totalCount"].is_u64());
}

#[tokio::test]
async fn company_info_and_preferences_name_the_company_and_its_currency() {
    let sandbox = start(None).await;
    let client = reqwest::Client::new();
    let get = |path: String| {
        client
            .get(path)
            .bearer_auth(DEMO_ACCESS_TOKEN)
            .header("Accept", "application/json")
            .send()
    };
    let info: Value = get(format!(
        "{}/v3/company/{DK}/companyinfo/{DK}",
        base(&sandbox)
    ))
    .await
    .expect("request")
    .json()
    .await
    .expect("json");
    assert_eq!(info["CompanyInfo"]["CompanyName"], "Nordlys Consulting ApS");
    assert_eq!(info["CompanyInfo"]["Country"], "DK");
    let prefs: Value = get(format!("{}/v3/company/{DK}/preferences", base(&sandbox)))
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(
        prefs["Preferences"]["CurrencyPrefs"]["HomeCurrency"]["value"],
        "DKK"
    );
}
