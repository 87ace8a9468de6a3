//! Every Stripe payload we have from upstream, and every shape the sandbox
//! fake answers with, goes through these types.

use std::path::PathBuf;

use casebridge_sandbox::stripe::{Mode, DEMO_RESTRICTED_KEY};
use casebridge_sandbox::{Sandbox, SandboxConfig, StripeConfig};
use serde_json::{json, Value};

use super::*;
use crate::fetch::SourceStatus;
use crate::stripe::map::{map_invoice, status, Mapped};

/// The upstream payloads, kept in the repository with their SOURCES.md.
fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/providers/stripe")
}

fn load(name: &str) -> Value {
    let path = fixtures_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {} must exist: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is JSON: {e}"))
}

fn check_invoice_fixture(value: Value) {
    let wire: WireInvoice = serde_json::from_value(value.clone()).expect("invoice.json parses");
    assert_eq!(wire.id, "in_1Pgc6tB7WZ01zgkWu9fdqL6I");
    assert_eq!(wire.status, Some(WireStatus::Draft));
    assert!(matches!(wire.customer, Some(Expandable::Id(ref id)) if id == "cus_QXg1o8vcGmoR32"));
    // A draft has no number: never imported.
    let mapped = map_invoice(wire, "acct_1", &[SourceStatus::Open]).expect("maps");
    assert!(matches!(
        mapped,
        Mapped::Skip(crate::SkipReason::Status {
            status: SourceStatus::Draft
        })
    ));
    // The same invoice once finalised maps fully; its `parent` says quote.
    let mut open = value;
    open["status"] = json!("open");
    open["number"] = json!("7FE1103-0001");
    let wire: WireInvoice = serde_json::from_value(open).expect("parses");
    match map_invoice(wire, "acct_1", &[SourceStatus::Open]).expect("maps") {
        Mapped::Keep(f) => {
            assert_eq!(f.invoice.outstanding().to_string(), "10.00 USD");
            assert_eq!(
                f.origin,
                crate::InvoiceOrigin::Quote {
                    id: Some("quote".into())
                }
            );
            assert_eq!(f.invoice.debtor.name, None, "all snapshot fields are null");
            assert!(f.invoice.debtor.address_lines.is_empty());
            assert_eq!(
                f.invoice.description.as_deref(),
                Some("My First Invoice Item (created for API docs)")
            );
        }
        other => panic!("expected an import, got {other:?}"),
    }
}

fn check_list_operation(op: Value) {
    assert_eq!(op["path"], "/v1/invoices");
    let operation = &op["operation"];
    // The list envelope: the fields we need are required by the schema.
    let schema = &operation["responses"]["200"]["content"]["application/json"]["schema"];
    let required: Vec<&str> = schema["required"]
        .as_array()
        .expect("required list")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        required.contains(&"data") && required.contains(&"has_more"),
        "{required:?}"
    );
    // An instance built from the schema, holding the fixture invoice.
    let instance = json!({"object": "list", "url": "/v1/invoices", "has_more": false,
        "data": [load("invoice.json")]});
    let page: ListPage = serde_json::from_value(instance).expect("envelope parses");
    assert!(!page.has_more);
    for item in page.data {
        serde_json::from_str::<WireInvoice>(item.get()).expect("item parses");
    }
    // Every status the API can return is one we know.
    let params = operation["parameters"].as_array().expect("parameters");
    let param = |name: &str| {
        params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("the spec declares `{name}`"))
    };
    for value in param("status")["schema"]["enum"]
        .as_array()
        .expect("status enum")
    {
        let wire: WireStatus = serde_json::from_value(value.clone()).expect("status parses");
        assert_ne!(status(Some(wire)), SourceStatus::Unknown, "{value}");
    }
    // Every parameter the client sends exists, in the style it sends it.
    for (name, style) in [
        ("status", "form"),
        ("limit", "form"),
        ("starting_after", "form"),
        ("expand", "deepObject"),
        ("created", "deepObject"),
        ("due_date", "deepObject"),
    ] {
        assert_eq!(param(name)["style"], style, "{name}");
    }
}

fn check_error_schemas(schemas: Value) {
    assert_eq!(schemas["error"]["required"], json!(["error"]));
    let api_errors = &schemas["api_errors"];
    // Only `type` is required: everything we read must be optional.
    assert_eq!(api_errors["required"], json!(["type"]));
    for kind in api_errors["properties"]["type"]["enum"]
        .as_array()
        .expect("types")
    {
        let minimal = json!({"error": {"type": kind}});
        let envelope: ErrorEnvelope =
            serde_json::from_value(minimal).expect("minimal error parses");
        assert!(envelope.error.message.is_none());
    }
    // A full body, with every string property the schema lists.
    let mut error = serde_json::Map::new();
    for (name, prop) in api_errors["properties"].as_object().expect("properties") {
        if prop["type"] == "string" {
            error.insert(name.clone(), json!(format!("{name} text")));
        }
    }
    let envelope: ErrorEnvelope =
        serde_json::from_value(json!({"error": error})).expect("full error parses");
    assert_eq!(envelope.error.code.as_deref(), Some("code text"));
    assert_eq!(envelope.error.param.as_deref(), Some("param text"));
}

#[test]
fn every_upstream_stripe_fixture_parses_through_our_types() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("the Stripe fixtures directory")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        let value = load(name);
        match name.as_str() {
            "invoice.json" => check_invoice_fixture(value),
            "invoice-deleted.json" => {
                let parsed = MaybeDeleted::<WireInvoice>::from_value(value).expect("parses");
                assert!(
                    matches!(parsed, MaybeDeleted::Deleted { ref id } if id == "in_1Pgc6tB7WZ01zgkWu9fdqL6I")
                );
            }
            "customer.json" => {
                let parsed = MaybeDeleted::<WireCustomer>::from_value(value).expect("parses");
                let MaybeDeleted::Live(customer) = parsed else {
                    panic!("a live customer")
                };
                assert_eq!(customer.id, "cus_QXg1o8vcGmoR32");
                assert!(customer.address.is_some_and(|a| a.line1.is_none()));
            }
            "customer-deleted.json" => {
                let parsed = MaybeDeleted::<WireCustomer>::from_value(value).expect("parses");
                assert!(
                    matches!(parsed, MaybeDeleted::Deleted { ref id } if id == "cus_QXg1o8vcGmoR32")
                );
            }
            "spec3-2020-08-27-get-v1-invoices-operation.json" => check_list_operation(value),
            "spec3-2020-08-27-error-schemas.json" => check_error_schemas(value),
            other => panic!("new fixture {other}: teach this test to read it"),
        }
    }
    assert_eq!(names.len(), 6, "fixtures checked: {names:?}");
}

/// Raw JSON from the fake, for every invoice status, in both API shapes.
#[tokio::test]
async fn every_shape_the_fake_answers_parses_through_our_types() {
    let sandbox = Sandbox::start(SandboxConfig {
        agency: None,
        stripe: Some(StripeConfig {
            rate_limits: None,
            ..StripeConfig::default()
        }),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let url = sandbox.urls().stripe.expect("stripe url");
    let handle = sandbox.stripe().expect("stripe");
    let http = reqwest::Client::new();
    let mut parsed = 0;
    for version in ["2025-03-31.basil", "2024-06-20"] {
        let mut cursor: Option<String> = None;
        loop {
            let mut req = http
                .get(format!("{url}/v1/invoices"))
                .bearer_auth(DEMO_RESTRICTED_KEY)
                .header("Stripe-Version", version)
                .query(&[("limit", "100"), ("expand[]", "data.customer")]);
            if let Some(c) = &cursor {
                req = req.query(&[("starting_after", c)]);
            }
            let page: ListPage = req
                .send()
                .await
                .expect("answer")
                .json()
                .await
                .expect("a list page");
            cursor = page
                .data
                .last()
                .and_then(|raw| serde_json::from_str::<ItemKey>(raw.get()).ok())
                .and_then(|key| key.id);
            for item in page.data {
                let wire: WireInvoice =
                    serde_json::from_str(item.get()).expect("fake invoice parses");
                let origin = crate::stripe::map::origin(&wire);
                let fake = handle
                    .invoices(Mode::Test)
                    .into_iter()
                    .find(|i| i.id == wire.id)
                    .expect("known invoice");
                assert_eq!(
                    matches!(origin, crate::InvoiceOrigin::Subscription { .. }),
                    fake.subscription.is_some(),
                    "{version}: one-off vs subscription of {}",
                    wire.id
                );
                parsed += 1;
            }
            if !page.has_more {
                break;
            }
        }
    }
    assert_eq!(parsed, 2 * handle.invoices(Mode::Test).len());
    for path in [
        "/v1/customers?limit=100",
        "/v1/customers?limit=100&expand[]=data.tax_ids",
    ] {
        let page: ListPage = http
            .get(format!("{url}{path}"))
            .bearer_auth(DEMO_RESTRICTED_KEY)
            .send()
            .await
            .expect("answer")
            .json()
            .await
            .expect("list");
        assert!(!page.data.is_empty());
        for item in page.data {
            serde_json::from_str::<WireCustomer>(item.get()).expect("fake customer parses");
        }
    }
    let error: ErrorEnvelope = http
        .get(format!("{url}/v1/invoices/in_missing"))
        .bearer_auth(DEMO_RESTRICTED_KEY)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("an error body");
    assert_eq!(error.error.code.as_deref(), Some("resource_missing"));
    sandbox.shutdown().await;
}
