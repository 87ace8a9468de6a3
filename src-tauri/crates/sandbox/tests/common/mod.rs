//! Shared setup for the sandbox's integration tests.
#![allow(dead_code)] // each test binary uses a different subset

use std::sync::Arc;

use casebridge_sandbox::agency::{ApiKey, RateLimits};
use casebridge_sandbox::{AgencyConfig, AgencyHandle, ManualClock, Sandbox, SandboxConfig};
use chrono::{TimeZone, Utc};
use serde_json::{json, Value};

pub const KEY: &str = "test-key-1";
pub const OTHER_KEY: &str = "test-key-2";

pub struct Agency {
    pub sandbox: Sandbox,
    pub clock: ManualClock,
    pub url: String,
    pub http: reqwest::Client,
}

impl Agency {
    pub fn handle(&self) -> &AgencyHandle {
        self.sandbox.agency().expect("agency enabled")
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.url))
            .header("XApiKey", KEY)
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.url))
            .header("XApiKey", KEY)
    }

    pub fn delete(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .delete(format!("{}{path}", self.url))
            .header("XApiKey", KEY)
    }

    pub async fn create(&self, body: &Value) -> (u16, Value) {
        send(self.post("/cases").json(body)).await
    }

    /// Creates a valid case and returns its InvoiceDto.
    pub async fn create_ok(&self, creditor_reference: &str) -> Value {
        let (status, body) = self.create(&case_body(creditor_reference)).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

pub async fn send(req: reqwest::RequestBuilder) -> (u16, Value) {
    let resp = req.send().await.expect("request reaches the sandbox");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// 2026-03-01T12:00:00Z: every fixed window used in tests is aligned to it.
pub fn start_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .expect("valid time")
}

pub fn config() -> AgencyConfig {
    AgencyConfig {
        api_keys: vec![ApiKey::new(KEY), ApiKey::new(OTHER_KEY)],
        rate_limits: RateLimits::unlimited(),
        ..AgencyConfig::default()
    }
}

pub async fn start_with(agency: AgencyConfig) -> Agency {
    let clock = ManualClock::new(start_time());
    let sandbox = Sandbox::start(SandboxConfig {
        seed: 1,
        clock: Arc::new(clock.clone()),
        agency: Some(agency),
        stripe: None,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let url = sandbox.urls().agency.expect("agency url");
    Agency {
        sandbox,
        clock,
        url,
        http: reqwest::Client::new(),
    }
}

pub async fn start() -> Agency {
    start_with(config()).await
}

/// A case body the real API accepts (dates before `start_time`).
pub fn case_body(creditor_reference: &str) -> Value {
    json!({
        "currencyCode": "EUR",
        "amountToRecover": 1250.50,
        "date": "2026-01-15",
        "dueDate": "2026-02-14",
        "creditorReference": creditor_reference,
        "claimDescription": "Consulting services January 2026",
        "isTest": true,
        "debtor": {
            "type": "Company",
            "name": "Example GmbH",
            "address": "Hauptstrasse 1",
            "city": "Berlin",
            "zipCode": "10115",
            "countryAlpha2": "DE",
            "email": "accounts@example.de"
        }
    })
}

/// `body` with the value at a `/`-separated JSON pointer replaced.
pub fn with(mut body: Value, pointer: &str, value: Value) -> Value {
    *body
        .pointer_mut(pointer)
        .expect("pointer exists in the body") = value;
    body
}

/// `body` without the property at `pointer`.
pub fn without(mut body: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("pointer has a parent");
    body.pointer_mut(if parent.is_empty() { "" } else { parent })
        .and_then(Value::as_object_mut)
        .expect("parent is an object")
        .remove(key)
        .expect("property existed");
    body
}
