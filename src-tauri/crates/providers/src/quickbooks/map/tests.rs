//! FIELD-MAPPING.md's QuickBooks column, on the recorded invoice and
//! customer.

use std::path::PathBuf;

use casebridge_domain::{CountryCode, Currency, DebtorKind};
use serde_json::{json, Value};

use super::*;

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/fixtures/providers/quickbooks")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn company(currency: Option<Currency>) -> QuickBooksCompany {
    QuickBooksCompany {
        realm_id: "9130350000000001".into(),
        name: Some("Sandbox Company_US_1".into()),
        country: Some("US".into()),
        currency,
    }
}

fn invoice(change: impl FnOnce(&mut Value)) -> WireInvoice {
    let mut value = fixture("invoice-create-response.json")["Invoice"].clone();
    change(&mut value);
    serde_json::from_value(value).expect("invoice parses")
}

fn customer(id: &str) -> WireCustomer {
    let page = fixture("query-customer-response.json");
    let rows = page["QueryResponse"]["Customer"]
        .as_array()
        .expect("customers")
        .clone();
    let row = rows
        .into_iter()
        .find(|c| c["Id"] == id)
        .expect("customer in fixture");
    serde_json::from_value(row).expect("customer parses")
}

fn kept(mapped: Mapped) -> FetchedInvoice {
    match mapped {
        Mapped::Keep(invoice) => *invoice,
        Mapped::Skip(reason) => panic!("expected a kept invoice, skipped: {reason:?}"),
    }
}

#[test]
fn the_recorded_invoice_maps_per_field_mapping() {
    let wire = invoice(|v| {
        v["Balance"] = json!(40.5);
        v["Line"][0]["Description"] = json!("Bird seed, 20 kg");
    });
    let fetched = kept(map_invoice(&wire, Some(&customer("1")), &company(None)).expect("maps"));
    let inv = &fetched.invoice;
    assert_eq!(inv.source.to_string(), "quickbooks:9130350000000001/266");
    assert_eq!(inv.creditor_reference.as_deref(), Some("1043"));
    assert_eq!(inv.issue_date.to_string(), "2020-09-29");
    assert_eq!(
        inv.due_date.map(|d| d.to_string()).as_deref(),
        Some("2020-10-29")
    );
    assert_eq!(inv.outstanding().amount().to_string(), "40.50");
    assert_eq!(inv.total().amount().to_string(), "100.00");
    assert_eq!(inv.outstanding().currency(), Currency::USD);
    assert_eq!(inv.debtor_key, "1");
    assert_eq!(inv.description.as_deref(), Some("Bird seed, 20 kg"));
    let d = &inv.debtor;
    assert_eq!(d.kind, Some(DebtorKind::Company), "CompanyName is set");
    assert_eq!(d.name.as_deref(), Some("Amy's Bird Sanctuary"));
    assert_eq!(d.contact_person.as_deref(), Some("Amy Lauterbach"));
    assert_eq!(d.address_lines, vec!["4581 Finch St.".to_owned()]);
    assert_eq!(d.city.as_deref(), Some("Bayshore"));
    assert_eq!(d.postal_code.as_deref(), Some("94326"));
    assert_eq!(d.state.as_deref(), Some("CA"));
    assert_eq!(
        d.country.as_ref().and_then(|c| c.code()),
        Some(CountryCode::US),
        "no Country on the address: the company's"
    );
    assert_eq!(d.email.as_deref(), Some("Birds@Intuit.com"));
    assert_eq!(d.phone.as_deref(), Some("(650) 555-3311"));
    assert_eq!(
        fetched.created_at.to_rfc3339(),
        "2020-09-29T12:58:07+00:00",
        "CreateTime's offset is honoured"
    );
}

#[test]
fn a_person_without_company_name_is_private_and_named_by_display_name() {
    let wire = invoice(|v| {
        v.as_object_mut().expect("object").remove("BillAddr");
        v["CustomerRef"] = json!({"value": "67", "name": "Araborn"});
    });
    let fetched = kept(map_invoice(&wire, Some(&customer("67")), &company(None)).expect("maps"));
    let d = &fetched.invoice.debtor;
    assert_eq!(d.kind, Some(DebtorKind::Private));
    assert_eq!(d.name.as_deref(), Some("Araborn"));
    assert!(d.address_lines.is_empty() && d.city.is_none() && d.country.is_none());
}

#[test]
fn without_doc_number_the_id_is_the_creditor_reference() {
    let wire = invoice(|v| {
        v.as_object_mut().expect("object").remove("DocNumber");
    });
    let fetched = kept(map_invoice(&wire, None, &company(None)).expect("maps"));
    assert_eq!(fetched.invoice.creditor_reference.as_deref(), Some("266"));
    // No customer record: the invoice's own CustomerRef name and address.
    assert_eq!(
        fetched.invoice.debtor.name.as_deref(),
        Some("Amy's Bird Sanctuary")
    );
    assert_eq!(
        fetched.invoice.debtor.kind, None,
        "unknown without the record"
    );
}

#[test]
fn a_missing_currency_is_the_companys_home_currency() {
    let wire = invoice(|v| {
        v.as_object_mut().expect("object").remove("CurrencyRef");
    });
    let fetched = kept(map_invoice(&wire, None, &company(Some(Currency::CAD))).expect("maps"));
    assert_eq!(fetched.invoice.outstanding().currency(), Currency::CAD);
    let err = map_invoice(&wire, None, &company(None)).expect_err("no currency at all");
    assert_eq!(err.code(), "invoice_field_invalid");
    assert!(err.to_string().contains("CurrencyRef"), "{err}");
}

#[test]
fn voided_and_paid_invoices_are_skipped_with_their_reason() {
    let voided = invoice(|v| {
        v["Balance"] = json!(0);
        v["TotalAmt"] = json!(0);
        v["PrivateNote"] = json!("Voided");
    });
    assert!(matches!(
        map_invoice(&voided, None, &company(None)).expect("maps"),
        Mapped::Skip(SkipReason::Status {
            status: SourceStatus::Void
        })
    ));
    let paid = invoice(|v| v["Balance"] = json!(0));
    assert!(matches!(
        map_invoice(&paid, None, &company(None)).expect("maps"),
        Mapped::Skip(SkipReason::NothingOwed { .. })
    ));
}

#[test]
fn a_bad_date_fails_that_invoice_with_the_value() {
    let wire = invoice(|v| v["TxnDate"] = json!("29/09/2020"));
    let err = map_invoice(&wire, None, &company(None)).expect_err("bad date");
    assert_eq!(err.code(), "invoice_field_invalid");
    assert!(err.to_string().contains("29/09/2020"), "{err}");
}

#[test]
fn an_amount_with_more_decimals_than_the_currency_is_refused_not_rounded() {
    let wire = invoice(|v| v["Balance"] = json!(10.005));
    let err = map_invoice(&wire, None, &company(None)).expect_err("3 decimals in USD");
    assert_eq!(err.code(), "invoice_value_unsupported");
}

#[test]
fn address_lines_that_repeat_city_and_postcode_are_dropped() {
    let address = WireAddress {
        line1: Some("Jane Doe".into()),
        line2: Some("12 Ocean Dr.".into()),
        line3: Some("Half Moon Bay, CA 94213".into()),
        city: Some("Half Moon Bay".into()),
        postal_code: Some("94213".into()),
        ..WireAddress::default()
    };
    assert_eq!(street_lines(&address), vec!["Jane Doe", "12 Ocean Dr."]);
}
