//! Every QuickBooks payload recorded upstream goes through these types.

use std::path::PathBuf;

use super::*;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/fixtures/providers/quickbooks")
        .join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {} must exist: {e}", path.display()))
}

fn parse<T: serde::de::DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("{name} parses: {e}"))
}

#[test]
fn every_fixture_file_is_covered_here() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/fixtures/providers/quickbooks");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "customer-read-response.json",
            "fault-400-duplicate-name.json",
            "fault-400-invalid-property.json",
            "fault-400-invalid-query.json",
            "fault-401-authentication-failed.json",
            "invoice-create-response.json",
            "invoice-delete-response.json",
            "query-customer-count-response.json",
            "query-customer-empty-response.json",
            "query-customer-paged-response.json",
            "query-customer-response.json",
        ],
        "a new fixture needs a test below"
    );
}

#[test]
fn a_customer_query_page_parses_every_customer() {
    let envelope: QueryEnvelope = parse("query-customer-response.json");
    let rows = envelope.response.customers.expect("Customer key");
    assert_eq!(rows.len(), 41);
    for row in &rows {
        let customer: WireCustomer = serde_json::from_str(row.get()).expect("customer parses");
        assert!(!customer.id.is_empty());
        assert!(customer.display_name.is_some(), "{}", customer.id);
    }
    let first: WireCustomer = serde_json::from_str(rows[0].get()).expect("first");
    assert_eq!(first.company_name.as_deref(), Some("Amy's Bird Sanctuary"));
    let addr = first.bill_addr.expect("billing address");
    assert_eq!(addr.city.as_deref(), Some("Bayshore"));
    assert_eq!(addr.country_sub_division_code.as_deref(), Some("CA"));
    assert_eq!(addr.country, None, "US sandbox addresses carry no country");
    // Customer 67 (Araborn) has neither address nor email.
    let bare: WireCustomer = serde_json::from_str(rows[1].get()).expect("second");
    assert!(bare.bill_addr.is_none() && bare.primary_email_addr.is_none());
}

#[test]
fn a_paged_customer_query_holds_only_its_page() {
    let envelope: QueryEnvelope = parse("query-customer-paged-response.json");
    assert_eq!(envelope.response.customers.map(|c| c.len()), Some(2));
}

#[test]
fn past_the_last_page_the_entity_key_is_absent() {
    let envelope: QueryEnvelope = parse("query-customer-empty-response.json");
    assert!(envelope.response.customers.is_none());
    assert!(envelope.response.invoices.is_none());
    assert_eq!(envelope.response.total_count, None);
}

#[test]
fn a_count_query_answers_total_count() {
    let envelope: QueryEnvelope = parse("query-customer-count-response.json");
    assert_eq!(envelope.response.total_count, Some(41));
}

#[test]
fn a_single_customer_read_parses_phone_and_email() {
    #[derive(Deserialize)]
    struct Envelope {
        #[serde(rename = "Customer")]
        customer: WireCustomer,
    }
    let envelope: Envelope = parse("customer-read-response.json");
    let c = envelope.customer;
    assert_eq!(c.id, "5");
    assert_eq!(
        c.primary_phone.and_then(|p| p.free_form_number).as_deref(),
        Some("(520) 420-5638")
    );
    assert_eq!(
        c.primary_email_addr.and_then(|e| e.address).as_deref(),
        Some("Dukes_bball@intuit.com")
    );
}

#[test]
fn a_single_invoice_parses_amounts_refs_and_dates() {
    let envelope: InvoiceEnvelope = parse("invoice-create-response.json");
    let invoice: WireInvoice = serde_json::from_str(envelope.invoice.get()).expect("invoice");
    assert_eq!(invoice.id, "266");
    assert_eq!(invoice.doc_number.as_deref(), Some("1043"));
    assert_eq!(invoice.txn_date.as_deref(), Some("2020-09-29"));
    assert_eq!(invoice.due_date.as_deref(), Some("2020-10-29"));
    assert_eq!(
        invoice.balance.map(|n| n.to_string()).as_deref(),
        Some("100.0")
    );
    assert_eq!(
        invoice.currency_ref.map(|c| c.value).as_deref(),
        Some("USD")
    );
    assert_eq!(invoice.customer_ref.map(|c| c.value).as_deref(), Some("1"));
    assert_eq!(invoice.line.len(), 2);
    assert_eq!(
        invoice.meta_data.and_then(|m| m.create_time).as_deref(),
        Some("2020-09-29T05:58:07-07:00")
    );
}

#[test]
fn a_deleted_invoice_stub_is_not_a_readable_invoice() {
    let envelope: InvoiceEnvelope = parse("invoice-delete-response.json");
    let row: RowId = serde_json::from_str(envelope.invoice.get()).expect("id");
    assert_eq!(row.id.as_deref(), Some("266"));
    let invoice: WireInvoice = serde_json::from_str(envelope.invoice.get()).expect("lenient");
    assert!(invoice.balance.is_none() && invoice.txn_date.is_none());
}

#[test]
fn validation_faults_parse_with_code_and_detail() {
    for (name, code) in [
        ("fault-400-duplicate-name.json", "6240"),
        ("fault-400-invalid-property.json", "2010"),
        ("fault-400-invalid-query.json", "4001"),
    ] {
        let probe: FaultProbe = parse(name);
        let fault = probe.fault.unwrap_or_else(|| panic!("{name} is a fault"));
        assert_eq!(fault.kind.as_deref(), Some("ValidationFault"), "{name}");
        assert_eq!(fault.errors[0].code.as_deref(), Some(code), "{name}");
        assert!(fault.errors[0].detail.is_some(), "{name}");
    }
}

#[test]
fn the_gateways_lower_case_401_fault_parses_too() {
    let probe: FaultProbe = parse("fault-401-authentication-failed.json");
    let fault = probe.fault.expect("lower-case fault key");
    assert_eq!(fault.kind.as_deref(), Some("AUTHENTICATION"));
    assert_eq!(fault.errors[0].code.as_deref(), Some("3200"));
    assert!(fault.errors[0]
        .message
        .as_deref()
        .is_some_and(|m| m.contains("AuthenticationFailed")));
}

#[test]
fn a_normal_answer_has_no_fault() {
    let probe: FaultProbe = parse("query-customer-response.json");
    assert!(probe.fault.is_none());
}

/// Every answer shape of the sandbox's QuickBooks fake goes through the
/// same types as the recorded payloads.
#[tokio::test]
async fn the_fakes_answers_parse_through_the_same_types() {
    use casebridge_sandbox::quickbooks::{QboRateLimits, QuickBooksConfig, DEMO_ACCESS_TOKEN};
    use casebridge_sandbox::{Sandbox, SandboxConfig};

    let sandbox = Sandbox::start(SandboxConfig {
        agency: None,
        stripe: None,
        quickbooks: Some(QuickBooksConfig {
            rate_limits: Some(QboRateLimits {
                per_second: 1_000,
                per_minute: 1_000,
                concurrent: 10,
            }),
            ..QuickBooksConfig::default()
        }),
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox");
    let base = sandbox.urls().quickbooks.expect("url");
    let realm = "9130350000000002";
    let http = reqwest::Client::new();
    let get = |path: String, query: Option<&'static str>, token: &'static str| {
        let mut request = http
            .get(format!("{base}/v3/company/{realm}/{path}"))
            .bearer_auth(token)
            .header("Accept", "application/json");
        if let Some(q) = query {
            request = request.query(&[("query", q), ("minorversion", "75")]);
        }
        async move {
            let response = request.send().await.expect("request");
            (
                response.status().as_u16(),
                response.text().await.expect("body"),
            )
        }
    };

    let (_, body) = get(
        "query".into(),
        Some("SELECT COUNT(*) FROM Invoice WHERE Balance > '0'"),
        DEMO_ACCESS_TOKEN,
    )
    .await;
    let count: QueryEnvelope = serde_json::from_str(&body).expect("count");
    assert!(count.response.total_count.is_some_and(|n| n > 0));

    let (_, body) = get(
        "query".into(),
        Some(
            "SELECT * FROM Invoice WHERE Balance > '0' ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000",
        ),
        DEMO_ACCESS_TOKEN,
    )
    .await;
    let page: QueryEnvelope = serde_json::from_str(&body).expect("page");
    let rows = page.response.invoices.expect("rows");
    let mut customer_ids = Vec::new();
    for row in &rows {
        let invoice: WireInvoice = serde_json::from_str(row.get()).expect("invoice");
        assert!(invoice.balance.is_some() && invoice.txn_date.is_some());
        customer_ids.extend(invoice.customer_ref.map(|c| c.value));
    }

    let (_, body) = get(
        "query".into(),
        Some("SELECT * FROM Invoice STARTPOSITION 100000"),
        DEMO_ACCESS_TOKEN,
    )
    .await;
    let empty: QueryEnvelope = serde_json::from_str(&body).expect("empty");
    assert!(empty.response.invoices.is_none());

    let (_, body) = get(
        "query".into(),
        Some("SELECT * FROM Customer MAXRESULTS 1000"),
        DEMO_ACCESS_TOKEN,
    )
    .await;
    let customers: QueryEnvelope = serde_json::from_str(&body).expect("customers");
    for row in customers.response.customers.expect("rows") {
        let _: WireCustomer = serde_json::from_str(row.get()).expect("customer");
    }

    let id = serde_json::from_str::<RowId>(rows[0].get())
        .expect("id")
        .id
        .expect("id");
    let (_, body) = get(format!("invoice/{id}"), None, DEMO_ACCESS_TOKEN).await;
    let read: InvoiceEnvelope = serde_json::from_str(&body).expect("read");
    let _: WireInvoice = serde_json::from_str(read.invoice.get()).expect("invoice");

    let (_, body) = get(format!("companyinfo/{realm}"), None, DEMO_ACCESS_TOKEN).await;
    let info: CompanyInfoEnvelope = serde_json::from_str(&body).expect("company info");
    assert!(info.company_info.company_name.is_some());
    let (_, body) = get("preferences".into(), None, DEMO_ACCESS_TOKEN).await;
    let prefs: PreferencesEnvelope = serde_json::from_str(&body).expect("preferences");
    assert!(prefs.preferences.currency_prefs.is_some());

    for (path, query, token, status, kind) in [
        (
            "query",
            Some("SELECT * FROM Invoice"),
            "wrong-token",
            401,
            "AUTHENTICATION",
        ),
        (
            "query",
            Some("SELECT * FROM Custmoer"),
            DEMO_ACCESS_TOKEN,
            400,
            "ValidationFault",
        ),
        ("query", None, DEMO_ACCESS_TOKEN, 200, "SystemFault"),
        (
            "invoice/99999999",
            None,
            DEMO_ACCESS_TOKEN,
            400,
            "ValidationFault",
        ),
    ] {
        let (got, body) = get(path.into(), query, token).await;
        assert_eq!(got, status, "{path} {query:?}");
        let probe: FaultProbe = serde_json::from_str(&body).expect("fault body");
        assert_eq!(
            probe.fault.and_then(|f| f.kind).as_deref(),
            Some(kind),
            "{body}"
        );
    }
    sandbox.shutdown().await;
}
