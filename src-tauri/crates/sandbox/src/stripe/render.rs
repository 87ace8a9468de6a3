//! Stripe's JSON for the fake's objects, in the shape of the API version
//! the request asked for.

use serde::Serialize;

use super::model::{
    CustomerSnapshot, FakeAddress, FakeCustomer, FakeInvoice, FakeTaxId, InvoiceStatus,
};

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

// The JSON is written straight from these borrowed views (no JSON tree
// per object): a bench pages through 100,000 invoices, and the fake must
// not be what it measures.

/// `{}`.
#[derive(Serialize)]
struct Empty {}

/// `null`.
const NULL: Option<()> = None;
/// `[]`.
const NO_ITEMS: [(); 0] = [];

#[derive(Serialize)]
struct AddressJson<'a> {
    city: &'a Option<String>,
    country: &'a Option<String>,
    line1: &'a Option<String>,
    line2: &'a Option<String>,
    postal_code: &'a Option<String>,
    state: &'a Option<String>,
}

fn address(a: &Option<FakeAddress>) -> Option<AddressJson<'_>> {
    a.as_ref().map(|a| AddressJson {
        city: &a.city,
        country: &a.country,
        line1: &a.line1,
        line2: &a.line2,
        postal_code: &a.postal_code,
        state: &a.state,
    })
}

#[derive(Serialize)]
struct TaxIdJson<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    value: &'a str,
}

fn tax_ids(ids: &[FakeTaxId]) -> Vec<TaxIdJson<'_>> {
    ids.iter()
        .map(|t| TaxIdJson {
            kind: &t.kind,
            value: &t.value,
        })
        .collect()
}

/// A deleted object's stub: `{"id","object","deleted":true}`.
#[derive(Serialize)]
pub(crate) struct DeletedJson<'a> {
    id: &'a str,
    object: &'static str,
    deleted: bool,
}

fn deleted_customer(id: &str) -> DeletedJson<'_> {
    DeletedJson {
        id,
        object: "customer",
        deleted: true,
    }
}

#[derive(Serialize)]
struct InvoiceSettingsJson {
    custom_fields: Option<()>,
    default_payment_method: Option<()>,
    footer: Option<()>,
    rendering_options: Option<()>,
}

#[derive(Serialize)]
struct CustomerTaxIdJson<'a> {
    id: String,
    object: &'static str,
    #[serde(rename = "type")]
    kind: &'a str,
    value: &'a str,
    customer: &'a str,
    livemode: bool,
}

#[derive(Serialize)]
struct ListJson<T> {
    object: &'static str,
    data: Vec<T>,
    has_more: bool,
    url: String,
}

#[derive(Serialize)]
pub(crate) struct LiveCustomerJson<'a> {
    id: &'a str,
    object: &'static str,
    address: Option<AddressJson<'a>>,
    balance: i64,
    created: i64,
    currency: &'a Option<String>,
    default_source: Option<()>,
    delinquent: bool,
    description: Option<()>,
    discount: Option<()>,
    email: &'a Option<String>,
    invoice_prefix: &'a str,
    invoice_settings: InvoiceSettingsJson,
    livemode: bool,
    metadata: Empty,
    name: &'a Option<String>,
    next_invoice_sequence: u32,
    phone: &'a Option<String>,
    preferred_locales: [(); 0],
    shipping: Option<()>,
    tax_exempt: &'static str,
    test_clock: Option<()>,
    /// Basil and later only.
    #[serde(skip_serializing_if = "Option::is_none")]
    business_name: Option<&'a Option<String>>,
    /// Basil and later only.
    #[serde(skip_serializing_if = "Option::is_none")]
    individual_name: Option<&'a Option<String>>,
    /// Only with `expand[]=tax_ids`.
    #[serde(skip_serializing_if = "Option::is_none")]
    tax_ids: Option<ListJson<CustomerTaxIdJson<'a>>>,
}

/// A customer, or its stub once deleted.
#[derive(Serialize)]
#[serde(untagged)]
pub(crate) enum CustomerJson<'a> {
    Live(Box<LiveCustomerJson<'a>>),
    Deleted(DeletedJson<'a>),
}

pub(crate) fn customer<'a>(
    c: &'a FakeCustomer,
    ctx: &Ctx<'_>,
    expand_tax_ids: bool,
) -> CustomerJson<'a> {
    if c.deleted {
        return CustomerJson::Deleted(deleted_customer(&c.id));
    }
    let basil = ctx.shape == Shape::Basil;
    CustomerJson::Live(Box::new(LiveCustomerJson {
        id: &c.id,
        object: "customer",
        address: address(&c.address),
        balance: 0,
        created: c.created,
        currency: &c.currency,
        default_source: NULL,
        delinquent: false,
        description: NULL,
        discount: NULL,
        email: &c.email,
        invoice_prefix: &c.invoice_prefix,
        invoice_settings: InvoiceSettingsJson {
            custom_fields: NULL,
            default_payment_method: NULL,
            footer: NULL,
            rendering_options: NULL,
        },
        livemode: ctx.livemode,
        metadata: Empty {},
        name: &c.name,
        next_invoice_sequence: 1,
        phone: &c.phone,
        preferred_locales: NO_ITEMS,
        shipping: NULL,
        tax_exempt: "none",
        test_clock: NULL,
        business_name: basil.then_some(&c.business_name),
        individual_name: basil.then_some(&c.individual_name),
        tax_ids: expand_tax_ids.then(|| ListJson {
            object: "list",
            data: c
                .tax_ids
                .iter()
                .enumerate()
                .map(|(i, t)| CustomerTaxIdJson {
                    id: format!("txi_{}{i}", c.id.get(4..).unwrap_or_default()),
                    object: "tax_id",
                    kind: &t.kind,
                    value: &t.value,
                    customer: &c.id,
                    livemode: ctx.livemode,
                })
                .collect(),
            has_more: false,
            url: format!("/v1/customers/{}/tax_ids", c.id),
        }),
    }))
}

#[derive(Serialize)]
struct StatusTransitionsJson {
    finalized_at: Option<i64>,
    marked_uncollectible_at: Option<i64>,
    paid_at: Option<i64>,
    voided_at: Option<i64>,
}

fn status_transitions(inv: &FakeInvoice) -> StatusTransitionsJson {
    let finalized = inv.effective_at.or(Some(inv.created));
    let later = Some(inv.created + 5 * 86_400);
    let (finalized_at, paid_at, voided_at, marked_uncollectible_at) = match inv.status {
        InvoiceStatus::Draft => (None, None, None, None),
        InvoiceStatus::Open => (finalized, None, None, None),
        InvoiceStatus::Paid => (finalized, later, None, None),
        InvoiceStatus::Void => (finalized, None, later, None),
        InvoiceStatus::Uncollectible => (finalized, None, None, later),
    };
    StatusTransitionsJson {
        finalized_at,
        marked_uncollectible_at,
        paid_at,
        voided_at,
    }
}

#[derive(Serialize)]
struct PeriodJson {
    end: i64,
    start: i64,
}

#[derive(Serialize)]
struct SubscriptionItemDetailsJson<'a> {
    subscription: &'a str,
    subscription_item: String,
    proration: bool,
    invoice_item: Option<()>,
}

#[derive(Serialize)]
struct InvoiceItemDetailsJson {
    invoice_item: String,
    proration: bool,
    subscription: Option<()>,
}

#[derive(Serialize)]
struct LineParentJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_item_details: Option<SubscriptionItemDetailsJson<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    invoice_item_details: Option<InvoiceItemDetailsJson>,
}

#[derive(Serialize)]
struct LineJson<'a> {
    id: String,
    object: &'static str,
    amount: i64,
    currency: &'a str,
    description: &'a str,
    discount_amounts: [(); 0],
    discountable: bool,
    discounts: [(); 0],
    invoice: &'a str,
    livemode: bool,
    metadata: Empty,
    period: PeriodJson,
    quantity: u32,
    /// Basil and later.
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<LineParentJson<'a>>,
    /// Before basil.
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription: Option<&'a Option<String>>,
}

fn lines<'a>(inv: &'a FakeInvoice, ctx: &Ctx<'_>) -> ListJson<LineJson<'a>> {
    let short_id = inv.id.get(3..).unwrap_or_default();
    let basil = ctx.shape == Shape::Basil;
    let data = inv
        .lines
        .iter()
        .enumerate()
        .map(|(i, (description, amount))| LineJson {
            id: format!("il_{short_id}{i}"),
            object: "line_item",
            amount: *amount,
            currency: &inv.currency,
            description,
            discount_amounts: NO_ITEMS,
            discountable: true,
            discounts: NO_ITEMS,
            invoice: &inv.id,
            livemode: ctx.livemode,
            metadata: Empty {},
            period: PeriodJson {
                end: inv.created,
                start: inv.created,
            },
            quantity: 1,
            parent: basil.then(|| match &inv.subscription {
                Some(sub) => LineParentJson {
                    kind: "subscription_item_details",
                    subscription_item_details: Some(SubscriptionItemDetailsJson {
                        subscription: sub,
                        subscription_item: format!("si_{}", sub.get(4..).unwrap_or_default()),
                        proration: false,
                        invoice_item: NULL,
                    }),
                    invoice_item_details: None,
                },
                None => LineParentJson {
                    kind: "invoice_item_details",
                    subscription_item_details: None,
                    invoice_item_details: Some(InvoiceItemDetailsJson {
                        invoice_item: format!("ii_{short_id}{i}"),
                        proration: false,
                        subscription: NULL,
                    }),
                },
            }),
            subscription: (!basil).then_some(&inv.subscription),
        })
        .collect();
    ListJson {
        object: "list",
        data,
        has_more: false,
        url: format!("/v1/invoices/{}/lines", inv.id),
    }
}

#[derive(Serialize)]
struct SubscriptionDetailsJson<'a> {
    metadata: Empty,
    subscription: &'a str,
}

#[derive(Serialize)]
struct ParentJson<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    quote_details: Option<()>,
    subscription_details: SubscriptionDetailsJson<'a>,
}

#[derive(Serialize)]
struct AutomaticTaxJson {
    enabled: bool,
    liability: Option<()>,
    status: Option<()>,
}

#[derive(Serialize)]
struct IssuerJson {
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct PaymentSettingsJson {
    default_mandate: Option<()>,
    payment_method_options: Option<()>,
    payment_method_types: Option<()>,
}

/// The invoice's `customer`: an id, the customer, or its stub.
#[derive(Serialize)]
#[serde(untagged)]
enum InvoiceCustomerJson<'a> {
    Id(&'a str),
    Expanded(CustomerJson<'a>),
}

#[derive(Serialize)]
pub(crate) struct InvoiceJson<'a> {
    id: &'a str,
    object: &'static str,
    account_country: &'a str,
    account_name: &'a str,
    account_tax_ids: Option<()>,
    amount_due: i64,
    amount_paid: i64,
    amount_remaining: i64,
    amount_shipping: i64,
    application: Option<()>,
    attempt_count: u32,
    attempted: bool,
    auto_advance: bool,
    automatic_tax: AutomaticTaxJson,
    billing_reason: &'a str,
    collection_method: &'a str,
    created: i64,
    currency: &'a str,
    custom_fields: Option<()>,
    customer: Option<InvoiceCustomerJson<'a>>,
    customer_address: Option<AddressJson<'a>>,
    customer_email: &'a Option<String>,
    customer_name: &'a Option<String>,
    customer_phone: &'a Option<String>,
    customer_shipping: Option<()>,
    customer_tax_exempt: &'static str,
    customer_tax_ids: Vec<TaxIdJson<'a>>,
    default_payment_method: Option<()>,
    default_source: Option<()>,
    default_tax_rates: [(); 0],
    description: Option<()>,
    discounts: [(); 0],
    due_date: Option<i64>,
    effective_at: Option<i64>,
    ending_balance: Option<i64>,
    footer: Option<()>,
    from_invoice: Option<()>,
    hosted_invoice_url: Option<String>,
    invoice_pdf: Option<String>,
    issuer: IssuerJson,
    last_finalization_error: Option<()>,
    latest_revision: Option<()>,
    lines: ListJson<LineJson<'a>>,
    livemode: bool,
    metadata: Empty,
    next_payment_attempt: Option<()>,
    number: &'a Option<String>,
    on_behalf_of: Option<()>,
    payment_settings: PaymentSettingsJson,
    period_end: i64,
    period_start: i64,
    post_payment_credit_notes_amount: i64,
    pre_payment_credit_notes_amount: i64,
    receipt_number: Option<()>,
    rendering: Option<()>,
    shipping_cost: Option<()>,
    shipping_details: Option<()>,
    starting_balance: i64,
    statement_descriptor: Option<()>,
    status: &'static str,
    status_transitions: StatusTransitionsJson,
    subtotal: i64,
    subtotal_excluding_tax: i64,
    test_clock: Option<()>,
    total: i64,
    total_discount_amounts: [(); 0],
    total_excluding_tax: i64,
    webhooks_delivered_at: i64,
    // Basil and later.
    #[serde(skip_serializing_if = "Option::is_none")]
    parent: Option<Option<ParentJson<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount_overpaid: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_pretax_credit_amounts: Option<[(); 0]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_taxes: Option<[(); 0]>,
    // Before basil.
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription: Option<&'a Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    charge: Option<Option<()>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    payment_intent: Option<Option<()>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paid: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    paid_out_of_band: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tax: Option<Option<()>>,
}

pub(crate) fn invoice<'a>(
    inv: &'a FakeInvoice,
    customer_field: CustomerField<'a>,
    ctx: &Ctx<'a>,
) -> InvoiceJson<'a> {
    let draft = inv.status == InvoiceStatus::Draft;
    let basil = ctx.shape == Shape::Basil;
    let snapshot = inv.snapshot.as_ref();
    let text = |pick: fn(&CustomerSnapshot) -> &Option<String>| -> &'a Option<String> {
        snapshot.map_or(&NO_TEXT, pick)
    };
    let customer_value = inv.customer.as_deref().map(|id| match customer_field {
        CustomerField::Id => InvoiceCustomerJson::Id(id),
        CustomerField::Expanded(None) => {
            InvoiceCustomerJson::Expanded(CustomerJson::Deleted(deleted_customer(id)))
        }
        CustomerField::Expanded(Some(c)) => InvoiceCustomerJson::Expanded(customer(c, ctx, false)),
    });
    let file =
        |suffix: &str| (!draft).then(|| format!("{}/invoices/{}{suffix}", ctx.files_base, inv.id));
    InvoiceJson {
        id: &inv.id,
        object: "invoice",
        account_country: ctx.account_country,
        account_name: ctx.account_name,
        account_tax_ids: NULL,
        amount_due: inv.total,
        amount_paid: inv.amount_paid,
        amount_remaining: inv.amount_remaining(),
        amount_shipping: 0,
        application: NULL,
        attempt_count: 0,
        attempted: !draft,
        auto_advance: !draft,
        automatic_tax: AutomaticTaxJson {
            enabled: false,
            liability: NULL,
            status: NULL,
        },
        billing_reason: &inv.billing_reason,
        collection_method: &inv.collection_method,
        created: inv.created,
        currency: &inv.currency,
        custom_fields: NULL,
        customer: customer_value,
        customer_address: snapshot.and_then(|s| address(&s.address)),
        customer_email: text(|s| &s.email),
        customer_name: text(|s| &s.name),
        customer_phone: text(|s| &s.phone),
        customer_shipping: NULL,
        customer_tax_exempt: "none",
        customer_tax_ids: snapshot.map(|s| tax_ids(&s.tax_ids)).unwrap_or_default(),
        default_payment_method: NULL,
        default_source: NULL,
        default_tax_rates: NO_ITEMS,
        description: NULL,
        discounts: NO_ITEMS,
        due_date: inv.due_date,
        effective_at: inv.effective_at,
        ending_balance: (!draft).then_some(0),
        footer: NULL,
        from_invoice: NULL,
        hosted_invoice_url: file(""),
        invoice_pdf: file("/pdf"),
        issuer: IssuerJson { kind: "self" },
        last_finalization_error: NULL,
        latest_revision: NULL,
        lines: lines(inv, ctx),
        livemode: ctx.livemode,
        metadata: Empty {},
        next_payment_attempt: NULL,
        number: &inv.number,
        on_behalf_of: NULL,
        payment_settings: PaymentSettingsJson {
            default_mandate: NULL,
            payment_method_options: NULL,
            payment_method_types: NULL,
        },
        period_end: inv.created,
        period_start: inv.created,
        post_payment_credit_notes_amount: 0,
        pre_payment_credit_notes_amount: 0,
        receipt_number: NULL,
        rendering: NULL,
        shipping_cost: NULL,
        shipping_details: NULL,
        starting_balance: 0,
        statement_descriptor: NULL,
        status: inv.status.as_str(),
        status_transitions: status_transitions(inv),
        subtotal: inv.total,
        subtotal_excluding_tax: inv.total,
        test_clock: NULL,
        total: inv.total,
        total_discount_amounts: NO_ITEMS,
        total_excluding_tax: inv.total,
        webhooks_delivered_at: inv.created,
        parent: basil.then(|| {
            inv.subscription.as_deref().map(|sub| ParentJson {
                kind: "subscription_details",
                quote_details: NULL,
                subscription_details: SubscriptionDetailsJson {
                    metadata: Empty {},
                    subscription: sub,
                },
            })
        }),
        amount_overpaid: basil.then_some(0),
        total_pretax_credit_amounts: basil.then_some(NO_ITEMS),
        total_taxes: basil.then_some(NO_ITEMS),
        subscription: (!basil).then_some(&inv.subscription),
        charge: (!basil).then_some(NULL),
        payment_intent: (!basil).then_some(NULL),
        paid: (!basil).then_some(inv.status == InvoiceStatus::Paid),
        paid_out_of_band: (!basil).then_some(false),
        tax: (!basil).then_some(NULL),
    }
}

static NO_TEXT: Option<String> = None;

/// A list envelope.
pub(crate) fn list<T: Serialize>(url: &str, data: Vec<T>, has_more: bool) -> impl Serialize {
    ListJson {
        object: "list",
        data,
        has_more,
        url: url.to_owned(),
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
    use serde_json::{json, Value};

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

    fn json(value: impl Serialize) -> Value {
        serde_json::to_value(value).expect("serialises")
    }

    #[test]
    fn versions_from_basil_on_name_the_subscription_under_parent() {
        assert_eq!(Shape::of_version("2025-03-31.basil"), Shape::Basil);
        assert_eq!(Shape::of_version("2025-09-30.clover"), Shape::Basil);
        assert_eq!(Shape::of_version("2024-06-20"), Shape::PreBasil);
        let inv = subscription_invoice();
        let basil = json(invoice(&inv, CustomerField::Id, &ctx(Shape::Basil)));
        assert_eq!(
            basil["parent"]["subscription_details"]["subscription"],
            "sub_42"
        );
        assert!(basil.get("subscription").is_none());
        let old = json(invoice(&inv, CustomerField::Id, &ctx(Shape::PreBasil)));
        assert_eq!(old["subscription"], "sub_42");
        assert!(old.get("parent").is_none());
    }

    #[test]
    fn a_missing_customer_expands_to_the_deleted_stub() {
        let inv = subscription_invoice();
        let rendered = json(invoice(
            &inv,
            CustomerField::Expanded(None),
            &ctx(Shape::Basil),
        ));
        assert_eq!(
            rendered["customer"],
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
