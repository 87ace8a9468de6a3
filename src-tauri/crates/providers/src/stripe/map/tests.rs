use casebridge_domain::{CountryCode, Currency, DebtorKind};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::*;

const OPEN: &[SourceStatus] = &[SourceStatus::Open];
const BOTH: &[SourceStatus] = &[SourceStatus::Open, SourceStatus::Uncollectible];

/// An open basil-shaped invoice with a full customer snapshot.
fn invoice() -> Value {
    json!({
        "id": "in_1Basil", "object": "invoice", "number": "INV-0042", "status": "open",
        "created": 1_704_067_200, "effective_at": null, "due_date": 1_706_745_600,
        "currency": "eur", "amount_due": 12_500, "amount_paid": 2_500,
        "amount_remaining": 10_000, "total": 12_500, "billing_reason": "manual",
        "collection_method": "send_invoice", "parent": null,
        "customer": "cus_Acme", "customer_name": "Acme Widgets GmbH",
        "customer_email": "ap@acme.example", "customer_phone": "+49 30 123456",
        "customer_address": {"line1": "Hauptstr. 1", "line2": "Hof 2", "city": "Berlin",
            "postal_code": "10115", "state": null, "country": "DE"},
        "customer_tax_ids": [{"type": "eu_vat", "value": "DE123456789"}],
        "invoice_pdf": "https://pay.stripe.example/invoice/pdf",
        "hosted_invoice_url": "https://pay.stripe.example/invoice",
        "lines": {"object": "list", "data": [
            {"description": "Consulting, January"}, {"description": "  "},
            {"description": "Travel"}], "has_more": false},
        "livemode": false
    })
}

fn with(mut value: Value, patch: Value) -> Value {
    let object = value.as_object_mut().expect("invoice is an object");
    for (k, v) in patch.as_object().expect("patch is an object") {
        object.insert(k.clone(), v.clone());
    }
    value
}

fn map(value: Value, accepted: &[SourceStatus]) -> Result<Mapped, ProviderError> {
    let wire: WireInvoice = serde_json::from_value(value).expect("parses");
    map_invoice(wire, "acct_1", accepted)
}

fn kept(value: Value) -> FetchedInvoice {
    match map(value, OPEN) {
        Ok(Mapped::Keep(invoice)) => *invoice,
        other => panic!("expected an imported invoice, got {other:?}"),
    }
}

fn skipped(value: Value, accepted: &[SourceStatus]) -> SkipReason {
    match map(value, accepted) {
        Ok(Mapped::Skip(reason)) => reason,
        other => panic!("expected a skip, got {other:?}"),
    }
}

#[test]
fn an_open_invoice_maps_every_field_of_the_stripe_column() {
    let fetched = kept(invoice());
    let inv = &fetched.invoice;
    assert_eq!(inv.source.to_string(), "stripe:acct_1/in_1Basil");
    assert_eq!(inv.debtor_key, "cus_Acme");
    assert_eq!(inv.creditor_reference.as_deref(), Some("INV-0042"));
    assert_eq!(
        inv.issue_date,
        NaiveDate::from_ymd_opt(2024, 1, 1).expect("date")
    );
    assert_eq!(inv.due_date, NaiveDate::from_ymd_opt(2024, 2, 1));
    assert_eq!(inv.outstanding().amount(), Decimal::new(10_000, 2));
    assert_eq!(inv.total().amount(), Decimal::new(12_500, 2));
    assert_eq!(inv.outstanding().currency(), Currency::EUR);
    assert_eq!(
        inv.description.as_deref(),
        Some("Consulting, January\nTravel")
    );
    assert!(inv.has_document);
    let d = &inv.debtor;
    assert_eq!(d.name.as_deref(), Some("Acme Widgets GmbH"));
    assert_eq!(d.address_lines, vec!["Hauptstr. 1", "Hof 2"]);
    assert_eq!(d.city.as_deref(), Some("Berlin"));
    assert_eq!(d.postal_code.as_deref(), Some("10115"));
    assert_eq!(
        d.country.as_ref().and_then(|c| c.code()),
        Some(CountryCode::DE)
    );
    assert_eq!(d.email.as_deref(), Some("ap@acme.example"));
    assert_eq!(d.phone.as_deref(), Some("+49 30 123456"));
    assert_eq!(
        d.company_registration_number.as_deref(),
        Some("DE123456789")
    );
    assert_eq!(d.kind, Some(DebtorKind::Company), "tax id → company");
    assert_eq!(fetched.status, SourceStatus::Open);
    assert_eq!(fetched.origin, InvoiceOrigin::OneOff);
    assert_eq!(
        fetched.document_url.as_deref(),
        Some("https://pay.stripe.example/invoice/pdf")
    );
    assert!(!fetched.customer_deleted);
}

#[test]
fn effective_at_dates_a_backdated_invoice() {
    let fetched = kept(with(invoice(), json!({"effective_at": 1_701_388_800})));
    assert_eq!(
        fetched.invoice.issue_date,
        NaiveDate::from_ymd_opt(2023, 12, 1).expect("date")
    );
}

#[test]
fn drafts_paid_void_and_zero_balances_never_become_invoices() {
    for status in ["draft", "paid", "void"] {
        let reason = skipped(with(invoice(), json!({"status": status})), BOTH);
        assert!(
            matches!(reason, SkipReason::Status { .. }),
            "{status}: {reason:?}"
        );
    }
    let reason = skipped(with(invoice(), json!({"amount_remaining": 0})), OPEN);
    assert!(
        matches!(reason, SkipReason::NothingOwed { .. }),
        "{reason:?}"
    );
    let reason = skipped(with(invoice(), json!({"number": null})), OPEN);
    assert_eq!(reason, SkipReason::NoNumber);
}

#[test]
fn uncollectible_invoices_only_come_with_the_opt_in() {
    let written_off = with(invoice(), json!({"status": "uncollectible"}));
    assert_eq!(
        skipped(written_off.clone(), OPEN),
        SkipReason::Status {
            status: SourceStatus::Uncollectible
        }
    );
    match map(written_off, BOTH) {
        Ok(Mapped::Keep(f)) => assert_eq!(f.status, SourceStatus::Uncollectible),
        other => panic!("opted in, got {other:?}"),
    }
}

#[test]
fn amounts_use_stripes_exponent_for_zero_three_decimal_and_isk() {
    let amount = |currency: &str, minor: i64| {
        kept(with(
            invoice(),
            json!({"currency": currency, "amount_remaining": minor, "total": minor}),
        ))
        .invoice
        .outstanding()
        .to_string()
    };
    assert_eq!(amount("jpy", 5_000), "5000 JPY");
    assert_eq!(amount("kwd", 12_345), "12.345 KWD");
    assert_eq!(amount("isk", 150_000), "1500 ISK");
    assert_eq!(amount("ugx", 123_400), "1234 UGX");
}

#[test]
fn an_unrepresentable_amount_or_currency_is_an_error_for_that_invoice() {
    let err = map(
        with(
            invoice(),
            json!({"currency": "isk", "amount_remaining": 550}),
        ),
        OPEN,
    )
    .expect_err("5.50 ISK");
    assert_eq!(err.code(), "invoice_value_unsupported");
    assert!(err.to_string().contains("in_1Basil"), "{err}");
    let err = map(with(invoice(), json!({"currency": "xyz"})), OPEN).expect_err("unknown");
    assert_eq!(err.code(), "invoice_value_unsupported");
}

#[test]
fn subscriptions_are_recognised_in_basil_and_older_shapes() {
    let basil = with(
        invoice(),
        json!({"billing_reason": "subscription_cycle", "parent": {
            "type": "subscription_details",
            "subscription_details": {"subscription": "sub_Basil", "metadata": {}},
            "quote_details": null}}),
    );
    assert_eq!(
        kept(basil).origin,
        InvoiceOrigin::Subscription {
            id: Some("sub_Basil".into())
        }
    );
    let acacia = with(
        invoice(),
        json!({"billing_reason": "subscription_cycle", "subscription": "sub_Old"}),
    );
    assert_eq!(
        kept(acacia).origin,
        InvoiceOrigin::Subscription {
            id: Some("sub_Old".into())
        }
    );
    let expanded = with(
        invoice(),
        json!({"subscription": {"id": "sub_Exp", "object": "subscription"}}),
    );
    assert_eq!(
        kept(expanded).origin,
        InvoiceOrigin::Subscription {
            id: Some("sub_Exp".into())
        }
    );
    let reason_only = with(invoice(), json!({"billing_reason": "subscription_create"}));
    assert_eq!(
        kept(reason_only).origin,
        InvoiceOrigin::Subscription { id: None }
    );
    let quote = with(
        invoice(),
        json!({"parent": {"type": "quote_details", "quote_details": {"quote": "qt_1"}}}),
    );
    assert_eq!(
        kept(quote).origin,
        InvoiceOrigin::Quote {
            id: Some("qt_1".into())
        }
    );
}

#[test]
fn missing_snapshot_fields_fall_back_to_the_expanded_customer() {
    let value = with(
        invoice(),
        json!({
            "customer_name": null, "customer_email": "", "customer_phone": null,
            "customer_address": {"line1": null, "line2": null, "city": null,
                "postal_code": null, "state": null, "country": null},
            "customer_tax_ids": [],
            "customer": {"id": "cus_Acme", "object": "customer", "name": "Jane Doe",
                "email": "jane@example.com", "phone": "+1 555 0100",
                "address": {"line1": "1 Main St", "line2": null, "city": "Springfield",
                    "postal_code": "62701", "state": "IL", "country": "US"}}
        }),
    );
    let fetched = kept(value);
    let d = &fetched.invoice.debtor;
    assert_eq!(fetched.invoice.debtor_key, "cus_Acme");
    assert_eq!(d.name.as_deref(), Some("Jane Doe"));
    assert_eq!(d.email.as_deref(), Some("jane@example.com"));
    assert_eq!(d.address_lines, vec!["1 Main St"]);
    assert_eq!(d.state.as_deref(), Some("IL"));
    assert_eq!(d.kind, None, "a bare person's name: ask the user");
}

#[test]
fn the_snapshot_wins_over_the_customer_object() {
    let value = with(
        invoice(),
        json!({"customer": {"id": "cus_Acme", "name": "Renamed Later Ltd",
            "address": {"line1": "Elsewhere 9", "country": "GB"}}}),
    );
    let d = kept(value).invoice.debtor;
    assert_eq!(d.name.as_deref(), Some("Acme Widgets GmbH"));
    assert_eq!(d.address_lines, vec!["Hauptstr. 1", "Hof 2"]);
}

#[test]
fn a_deleted_customer_leaves_the_snapshot_only() {
    let value = with(
        invoice(),
        json!({"customer": {"id": "cus_Gone", "object": "customer", "deleted": true}}),
    );
    let fetched = kept(value);
    assert!(fetched.customer_deleted);
    assert_eq!(fetched.invoice.debtor_key, "cus_Gone");
    assert_eq!(
        fetched.invoice.debtor.name.as_deref(),
        Some("Acme Widgets GmbH")
    );
}

#[test]
fn business_and_individual_names_decide_the_debtor_kind() {
    let customer = |extra: Value| {
        let mut c = json!({"id": "cus_K", "object": "customer", "name": "Sam Smith"});
        c.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        with(
            invoice(),
            json!({"customer_name": "Sam Smith", "customer_tax_ids": [], "customer": c}),
        )
    };
    let private = kept(customer(json!({"individual_name": "Sam Smith"})));
    assert_eq!(private.invoice.debtor.kind, Some(DebtorKind::Private));
    let company = kept(customer(
        json!({"business_name": "Smith Bakery", "individual_name": "Sam Smith"}),
    ));
    assert_eq!(company.invoice.debtor.kind, Some(DebtorKind::Company));
    assert_eq!(
        company.invoice.debtor.contact_person, None,
        "the person is the name already"
    );
}

#[test]
fn a_country_written_as_a_name_is_kept_as_written() {
    let value = with(
        invoice(),
        json!({"customer_address": {"line1": "Vej 1", "city": "Aarhus", "country": "Denmark"}}),
    );
    let country = kept(value).invoice.debtor.country.expect("present");
    assert_eq!(country.raw(), "Denmark");
    assert_eq!(country.code(), Some(CountryCode::DK));
}

#[test]
fn without_a_customer_the_account_or_the_invoice_is_the_debtor_key() {
    let by_account = with(
        invoice(),
        json!({"customer": null, "customer_account": "acct_Cust"}),
    );
    assert_eq!(kept(by_account).invoice.debtor_key, "acct_Cust");
    let alone = with(invoice(), json!({"customer": null}));
    assert_eq!(kept(alone).invoice.debtor_key, "in_1Basil");
}

#[test]
fn without_lines_the_memo_describes_the_claim() {
    let value = with(
        invoice(),
        json!({"lines": null, "description": "Annual licence"}),
    );
    assert_eq!(
        kept(value).invoice.description.as_deref(),
        Some("Annual licence")
    );
}

#[test]
fn an_impossible_timestamp_is_an_error_not_a_wrong_date() {
    let err = map(with(invoice(), json!({"due_date": i64::MAX})), OPEN).expect_err("no date");
    assert_eq!(err.code(), "invoice_timestamp_invalid");
}
