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
