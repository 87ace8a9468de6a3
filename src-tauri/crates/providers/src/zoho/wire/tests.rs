//! Every Zoho schema in the fixtures folder, turned into an instance from
//! its own `example` values, goes through these types.

use std::path::PathBuf;

use serde_json::{json, Map, Value};

use super::*;
use crate::fetch::{SkipReason, SourceStatus};
use crate::zoho::map::{map_invoice, Mapped};

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/fixtures/providers/zoho")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {} must exist: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is JSON: {e}"))
}

/// An instance of an OAS schema: each property's `example`, arrays of one
/// item, objects recursively. Properties without an example are left out
/// (Zoho omits unset fields too).
fn instance(schema: &Value) -> Option<Value> {
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {
            let mut out = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, prop) in props {
                    if let Some(value) = instance(prop) {
                        out.insert(name.clone(), value);
                    }
                }
            }
            Some(Value::Object(out))
        }
        Some("array") => schema
            .get("items")
            .and_then(instance)
            .map(|item| json!([item])),
        _ => schema.get("example").cloned(),
    }
}

fn example(name: &str) -> Value {
    instance(&fixture(name)).expect("the schema is an object")
}

#[test]
fn the_invoice_list_schema_parses_with_its_page_context_as_an_array() {
    let body = example("oas-invoices-list-invoices-response.schema.json");
    assert!(body["page_context"].is_array(), "the OAS shape: {body}");
    let envelope: Envelope = serde_json::from_value(body.clone()).expect("envelope");
    assert_eq!(envelope.code, 0);
    let page: InvoicePage = serde_json::from_value(body).expect("list page parses");
    assert_eq!(page.page_context.page, Some(1));
    assert!(!page.page_context.has_more_page);
    let row: WireInvoice =
        serde_json::from_str(page.invoices[0].get()).expect("the example row parses");
    // The example's id is a bare JSON number; it is kept as text.
    assert_eq!(row.invoice_id, "982000000567114");
    assert_eq!(row.invoice_number.as_deref(), Some("INV-00003"));
    assert_eq!(row.balance.to_string(), "40.6");
    assert_eq!(row.status, Some(WireStatus::Draft));
    // `" "` dates and references are absent, not blank.
    assert_eq!(
        row.due_date.map(|d| d.to_string()).as_deref(),
        Some("2013-12-03")
    );
}

#[test]
fn page_context_is_also_read_as_an_object() {
    let page: InvoicePage = serde_json::from_value(json!({"code":0,"message":"success",
        "invoices":[], "page_context":{"page":2,"per_page":200,"has_more_page":true}}))
    .expect("object form");
    assert_eq!(page.page_context.page, Some(2));
    assert!(page.page_context.has_more_page);
}

#[test]
fn the_example_invoice_is_a_draft_and_once_overdue_maps_fully() {
    let body = example("oas-invoices-get-an-invoice-response.schema.json");
    let detail: InvoiceDetail = serde_json::from_value(body).expect("detail parses");
    let mut wire = detail.into_invoice().expect("has an invoice");
    assert!(matches!(
        map_invoice(&wire, "10229182", None).expect("maps"),
        Mapped::Skip(SkipReason::Status {
            status: SourceStatus::Draft
        })
    ));
    wire.status = Some(WireStatus::Overdue);
    let Mapped::Keep(fetched) = map_invoice(&wire, "10229182", None).expect("maps") else {
        panic!("an overdue invoice with a balance is kept");
    };
    let invoice = &fetched.invoice;
    assert_eq!(
        invoice.outstanding().to_string(),
        "40.60 USD",
        "balance, not total"
    );
    assert_eq!(invoice.total().to_string(), "10000.00 USD");
    assert_eq!(invoice.creditor_reference.as_deref(), Some("INV-00003"));
    assert_eq!(invoice.source.account(), "10229182");
    assert_eq!(invoice.debtor_key, "982000000567001");
    assert_eq!(invoice.debtor.name.as_deref(), Some("Bowman & Co"));
    // Without the contact, the invoice's billing address is used; the zip
    // example is a number and stays text.
    assert_eq!(invoice.debtor.postal_code.as_deref(), Some("94588"));
    assert_eq!(invoice.debtor.city.as_deref(), Some("Pleasanton"));
    assert_eq!(
        fetched.created_at.to_rfc3339(),
        "2013-11-18T10:17:40+00:00",
        "created_time's -0800 offset is honoured"
    );
}

#[test]
fn the_contact_detail_supplies_address_kind_email_and_contact_person() {
    let contact: WireContact = serde_json::from_value(
        example("oas-contacts-get-contact-response.schema.json")["contact"].clone(),
    )
    .expect("contact detail parses");
    let list = example("oas-invoices-list-invoices-response.schema.json");
    let mut wire: WireInvoice = serde_json::from_value(list["invoices"][0].clone()).expect("row");
    wire.status = Some(WireStatus::PartiallyPaid);
    let Mapped::Keep(fetched) = map_invoice(&wire, "1", Some(&contact)).expect("maps") else {
        panic!("kept");
    };
    let debtor = &fetched.invoice.debtor;
    assert_eq!(
        debtor.name.as_deref(),
        Some("Bowman and Co"),
        "company_name first"
    );
    assert_eq!(debtor.kind, Some(casebridge_domain::DebtorKind::Company));
    assert_eq!(debtor.address_lines, vec!["4900 Hopyard Rd", "Suite 310"]);
    assert_eq!(
        debtor.email.as_deref(),
        Some("willsmith@bowmanfurniture.com")
    );
    assert_eq!(debtor.contact_person.as_deref(), Some("Will Smith"));
    assert_eq!(
        debtor.country.as_ref().map(|c| c.raw()),
        Some("U.S.A"),
        "the name is kept as written for the domain to normalise"
    );
}

#[test]
fn the_contact_list_and_organization_list_schemas_parse() {
    let page: ContactPage =
        serde_json::from_value(example("oas-contacts-list-contacts-response.schema.json"))
            .expect("contact list parses");
    let row: WireContact = serde_json::from_str(page.contacts[0].get()).expect("row");
    assert_eq!(row.contact_id, "460000000026049");
    assert!(row.billing_address.is_none(), "list rows carry no address");
    let orgs: OrganizationList = serde_json::from_value(example(
        "oas-organizations-list-organizations-response.schema.json",
    ))
    .expect("organizations parse");
    assert_eq!(orgs.organizations[0].organization_id, "10229182");
    assert_eq!(orgs.organizations[0].currency_code.as_deref(), Some("USD"));
}

#[test]
fn bad_rows_fail_with_a_specific_reason() {
    let missing_date = json!({"invoice_id":"1","currency_code":"EUR","total":1,"balance":1});
    let err = serde_json::from_value::<WireInvoice>(missing_date).expect_err("no date");
    assert!(err.to_string().contains("date"), "{err}");
    let bad_amount = json!({"invoice_id":"1","date":"2024-01-01","currency_code":"EUR",
        "total":"lots","balance":1});
    let err = serde_json::from_value::<WireInvoice>(bad_amount).expect_err("bad amount");
    assert!(err.to_string().contains("not an amount"), "{err}");
    let blank_id = json!({"invoice_id":" ","date":"2024-01-01","currency_code":"EUR",
        "total":1,"balance":1});
    assert!(serde_json::from_value::<WireInvoice>(blank_id).is_err());
}

#[test]
fn a_balance_with_more_decimals_than_the_currency_is_refused_not_rounded() {
    let wire: WireInvoice = serde_json::from_value(json!({"invoice_id":"9","invoice_number":"I-9",
        "status":"overdue","date":"2024-01-01","currency_code":"JPY","total":"100","balance":"10.5"}))
    .expect("parses");
    let err = map_invoice(&wire, "1", None).expect_err("10.5 JPY");
    assert_eq!(err.code(), "invoice_value_unsupported");
}
