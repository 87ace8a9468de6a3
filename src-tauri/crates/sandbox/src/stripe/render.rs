//! Stripe's JSON for the fake's objects, in the shape of the API version
//! the request asked for.

use serde_json::{json, Map, Value};

use super::model::{FakeAddress, FakeCustomer, FakeInvoice, FakeTaxId, InvoiceStatus};

/// `2025-03-31.basil` moved an invoice's subscription under `parent` and
/// dropped `subscription`, `charge`, `payment_intent` and `paid`; requests
/// for older versions get the older shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    PreBasil,
    Basil,
}

/// The first version with the basil shape.
const BASIL: &str = "2025-03-31";

impl Shape {
    /// For a version string already checked to start with `YYYY-MM-DD`.
    pub(crate) fn of_version(version: &str) -> Shape {
        if version.get(..10).is_some_and(|date| date >= BASIL) {
            Shape::Basil
        } else {
            Shape::PreBasil
        }
    }
}

/// What every rendering needs to know about the request.
pub(crate) struct Ctx<'a> {
    pub shape: Shape,
    pub livemode: bool,
    pub account_name: &'a str,
    pub account_country: &'a str,
    /// `http://127.0.0.1:PORT/__sandbox/stripe`, where PDFs are served.
    pub files_base: String,
}

/// How an invoice's `customer` field is rendered.
pub(crate) enum CustomerField<'a> {
    Id,
    /// Expanded: the customer, or `None` if it no longer exists at all.
    Expanded(Option<&'a FakeCustomer>),
}

fn address(a: &Option<FakeAddress>) -> Value {
    match a {
        None => Value::Null,
        Some(a) => json!({
            "city": a.city, "country": a.country, "line1": a.line1, "line2": a.line2,
            "postal_code": a.postal_code, "state": a.state,
        }),
    }
}

fn invoice_tax_ids(ids: &[FakeTaxId]) -> Value {
    Value::Array(
        ids.iter()
            .map(|t| json!({"type": t.kind, "value": t.value}))
            .collect(),
    )
}

pub(crate) fn deleted_customer(id: &str) -> Value {
    json!({"id": id, "object": "customer", "deleted": true})
}

pub(crate) fn customer(c: &FakeCustomer, ctx: &Ctx<'_>, expand_tax_ids: bool) -> Value {
    if c.deleted {
        return deleted_customer(&c.id);
    }
    let mut object = json!({
        "id": c.id, "object": "customer", "address": address(&c.address), "balance": 0,
        "created": c.created, "currency": c.currency, "default_source": null,
        "delinquent": false, "description": null, "discount": null, "email": c.email,
        "invoice_prefix": c.invoice_prefix,
        "invoice_settings": {"custom_fields": null, "default_payment_method": null,
            "footer": null, "rendering_options": null},
        "livemode": ctx.livemode, "metadata": {}, "name": c.name,
        "next_invoice_sequence": 1, "phone": c.phone, "preferred_locales": [],
        "shipping": null, "tax_exempt": "none", "test_clock": null,
    });
    let fields = object.as_object_mut();
    if let Some(fields) = fields {
        if ctx.shape == Shape::Basil {
            fields.insert("business_name".into(), json!(c.business_name));
            fields.insert("individual_name".into(), json!(c.individual_name));
        }
        if expand_tax_ids {
            let data: Vec<Value> = c
                .tax_ids
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    json!({"id": format!("txi_{}{i}", &c.id[4..]), "object": "tax_id",
                        "type": t.kind, "value": t.value, "customer": c.id,
                        "livemode": ctx.livemode})
                })
                .collect();
            fields.insert(
                "tax_ids".into(),
                json!({"object": "list", "data": data, "has_more": false,
                    "url": format!("/v1/customers/{}/tax_ids", c.id)}),
            );
        }
    }
    object
}

fn status_transitions(inv: &FakeInvoice) -> Value {
    let finalized = inv.effective_at.or(Some(inv.created));
    let later = inv.created + 5 * 86_400;
    let (finalized_at, paid_at, voided_at, uncollectible_at) = match inv.status {
        InvoiceStatus::Draft => (None, None, None, None),
        InvoiceStatus::Open => (finalized, None, None, None),
        InvoiceStatus::Paid => (finalized, Some(later), None, None),
        InvoiceStatus::Void => (finalized, None, Some(later), None),
        InvoiceStatus::Uncollectible => (finalized, None, None, Some(later)),
    };
    json!({"finalized_at": finalized_at, "marked_uncollectible_at": uncollectible_at,
        "paid_at": paid_at, "voided_at": voided_at})
}

fn lines(inv: &FakeInvoice, ctx: &Ctx<'_>) -> Value {
    let data: Vec<Value> = inv
        .lines
        .iter()
        .enumerate()
        .map(|(i, (description, amount))| {
            let mut line = json!({
                "id": format!("il_{}{i}", &inv.id[3..]), "object": "line_item",
                "amount": amount, "currency": inv.currency, "description": description,
                "discount_amounts": [], "discountable": true, "discounts": [],
                "invoice": inv.id, "livemode": ctx.livemode, "metadata": {},
                "period": {"end": inv.created, "start": inv.created}, "quantity": 1,
            });
            if let Some(fields) = line.as_object_mut() {
                match ctx.shape {
                    Shape::Basil => {
                        let parent = match &inv.subscription {
                            Some(sub) => json!({"type": "subscription_item_details",
                                "subscription_item_details": {"subscription": sub,
                                    "subscription_item": format!("si_{}", &sub[4..]),
                                    "proration": false, "invoice_item": null}}),
                            None => json!({"type": "invoice_item_details",
                                "invoice_item_details": {"invoice_item":
                                    format!("ii_{}{i}", &inv.id[3..]), "proration": false,
                                    "subscription": null}}),
                        };
                        fields.insert("parent".into(), parent);
                    }
                    Shape::PreBasil => {
                        fields.insert("subscription".into(), json!(inv.subscription));
                    }
                }
            }
            line
        })
        .collect();
    json!({"object": "list", "data": data, "has_more": false,
        "total_count": inv.lines.len(), "url": format!("/v1/invoices/{}/lines", inv.id)})
}

pub(crate) fn invoice(
    inv: &FakeInvoice,
    customer_field: CustomerField<'_>,
    ctx: &Ctx<'_>,
) -> Value {
    let draft = inv.status == InvoiceStatus::Draft;
    let snapshot = inv.snapshot.clone().unwrap_or_default();
    let customer_value = match (&inv.customer, customer_field) {
        (None, _) => Value::Null,
        (Some(id), CustomerField::Id) => json!(id),
        (Some(id), CustomerField::Expanded(None)) => deleted_customer(id),
        (Some(_), CustomerField::Expanded(Some(c))) => customer(c, ctx, false),
    };
    let file =
        |suffix: &str| (!draft).then(|| format!("{}/invoices/{}{suffix}", ctx.files_base, inv.id));
    let mut object = json!({
        "id": inv.id, "object": "invoice",
        "account_country": ctx.account_country, "account_name": ctx.account_name,
        "account_tax_ids": null,
        "amount_due": inv.total, "amount_paid": inv.amount_paid,
        "amount_remaining": inv.amount_remaining(), "amount_shipping": 0,
        "application": null, "attempt_count": 0, "attempted": !draft, "auto_advance": !draft,
        "automatic_tax": {"enabled": false, "liability": null, "status": null},
        "billing_reason": inv.billing_reason, "collection_method": inv.collection_method,
        "created": inv.created, "currency": inv.currency, "custom_fields": null,
        "customer": customer_value,
        "customer_address": address(&snapshot.address),
        "customer_email": snapshot.email, "customer_name": snapshot.name,
        "customer_phone": snapshot.phone, "customer_shipping": null,
        "customer_tax_exempt": "none", "customer_tax_ids": invoice_tax_ids(&snapshot.tax_ids),
    });
    // Two halves: one `json!` this size exceeds the macro recursion limit.
    let rest = json!({
        "default_payment_method": null, "default_source": null, "default_tax_rates": [],
        "description": null, "discounts": [], "due_date": inv.due_date,
        "effective_at": inv.effective_at, "ending_balance": if draft { Value::Null } else { json!(0) },
        "footer": null, "from_invoice": null,
        "hosted_invoice_url": file(""), "invoice_pdf": file("/pdf"),
        "issuer": {"type": "self"}, "last_finalization_error": null, "latest_revision": null,
        "lines": lines(inv, ctx), "livemode": ctx.livemode, "metadata": {},
        "next_payment_attempt": null, "number": inv.number, "on_behalf_of": null,
        "payment_settings": {"default_mandate": null, "payment_method_options": null,
            "payment_method_types": null},
        "period_end": inv.created, "period_start": inv.created,
        "post_payment_credit_notes_amount": 0, "pre_payment_credit_notes_amount": 0,
        "receipt_number": null, "rendering": null, "shipping_cost": null,
        "shipping_details": null, "starting_balance": 0, "statement_descriptor": null,
        "status": inv.status.as_str(), "status_transitions": status_transitions(inv),
        "subtotal": inv.total, "subtotal_excluding_tax": inv.total, "test_clock": null,
        "total": inv.total, "total_discount_amounts": [], "total_excluding_tax": inv.total,
        "webhooks_delivered_at": inv.created,
    });
    if let (Some(fields), Value::Object(rest)) = (object.as_object_mut(), rest) {
        fields.extend(rest);
        version_fields(fields, inv, ctx.shape);
    }
    object
}

fn version_fields(fields: &mut Map<String, Value>, inv: &FakeInvoice, shape: Shape) {
    match shape {
        Shape::Basil => {
            let parent = inv.subscription.as_ref().map(|sub| {
                json!({"type": "subscription_details", "quote_details": null,
                    "subscription_details": {"metadata": {}, "subscription": sub}})
            });
            fields.insert("parent".into(), json!(parent));
            fields.insert("amount_overpaid".into(), json!(0));
            fields.insert("total_pretax_credit_amounts".into(), json!([]));
            fields.insert("total_taxes".into(), json!([]));
        }
        Shape::PreBasil => {
            fields.insert("subscription".into(), json!(inv.subscription));
            fields.insert("charge".into(), Value::Null);
            fields.insert("payment_intent".into(), Value::Null);
            fields.insert("paid".into(), json!(inv.status == InvoiceStatus::Paid));
            fields.insert("paid_out_of_band".into(), json!(false));
            fields.insert("tax".into(), Value::Null);
        }
    }
}

/// A one-page PDF that says which invoice it is, with a correct xref table
/// so strict readers open it too.
pub(crate) fn invoice_pdf(number: &str, amount: &str) -> Vec<u8> {
    let text: String = format!("Invoice {number}  Amount due {amount}")
        .chars()
        .filter(|c| c.is_ascii() && !matches!(c, '(' | ')' | '\\'))
        .collect();
    let content = format!("BT /F1 14 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = String::from("%PDF-1.4\n");
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.push_str(&format!("{} 0 obj\n{body}\nendobj\n", i + 1));
    }
    let xref = pdf.len();
    pdf.push_str(&format!(
        "xref\n0 {}\n0000000000 65535 f \n",
        objects.len() + 1
    ));
    for offset in offsets {
        pdf.push_str(&format!("{offset:010} 00000 n \n"));
    }
    pdf.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(shape: Shape) -> Ctx<'static> {
        Ctx {
            shape,
            livemode: false,
            account_name: "Demo",
            account_country: "DK",
            files_base: "http://127.0.0.1:1/__sandbox/stripe".into(),
        }
    }

    fn subscription_invoice() -> FakeInvoice {
        FakeInvoice {
            id: "in_123".into(),
            number: Some("DK1-0001".into()),
            subscription: Some("sub_42".into()),
            ..FakeInvoice::open("cus_1", 1_700_000_000, "eur", 1_000)
        }
    }

    #[test]
    fn versions_from_basil_on_name_the_subscription_under_parent() {
        assert_eq!(Shape::of_version("2025-03-31.basil"), Shape::Basil);
        assert_eq!(Shape::of_version("2025-09-30.clover"), Shape::Basil);
        assert_eq!(Shape::of_version("2024-06-20"), Shape::PreBasil);
        let basil = invoice(
            &subscription_invoice(),
            CustomerField::Id,
            &ctx(Shape::Basil),
        );
        assert_eq!(
            basil["parent"]["subscription_details"]["subscription"],
            "sub_42"
        );
        assert!(basil.get("subscription").is_none());
        let old = invoice(
            &subscription_invoice(),
            CustomerField::Id,
            &ctx(Shape::PreBasil),
        );
        assert_eq!(old["subscription"], "sub_42");
        assert!(old.get("parent").is_none());
    }

    #[test]
    fn a_missing_customer_expands_to_the_deleted_stub() {
        let json = invoice(
            &subscription_invoice(),
            CustomerField::Expanded(None),
            &ctx(Shape::Basil),
        );
        assert_eq!(
            json["customer"],
            json!({"id": "cus_1", "object": "customer", "deleted": true})
        );
    }

    #[test]
    fn the_pdf_has_a_consistent_xref_table() {
        let pdf = invoice_pdf("DK1-0001", "10.00 EUR");
        let text = String::from_utf8(pdf).expect("ascii");
        assert!(text.starts_with("%PDF-1.4") && text.ends_with("%%EOF\n"));
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|rest| rest.lines().next())
            .and_then(|n| n.parse().ok())
            .expect("startxref offset");
        assert!(text[start..].starts_with("xref"));
        assert!(text.contains("Invoice DK1-0001"));
    }
}
