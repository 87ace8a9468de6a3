//! The Stripe fake's data: customers and invoices as plain Rust values,
//! turned into Stripe's JSON only when answered (see `render`).

use std::cmp::Reverse;
use std::collections::HashMap;

/// Test or live data; Stripe keeps the two apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Test,
    Live,
}

impl Mode {
    pub fn livemode(self) -> bool {
        self == Mode::Live
    }
}

/// Invoice lifecycle states (`status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    Draft,
    Open,
    Paid,
    Uncollectible,
    Void,
}

impl InvoiceStatus {
    pub const ALL: [InvoiceStatus; 5] = [
        InvoiceStatus::Draft,
        InvoiceStatus::Open,
        InvoiceStatus::Paid,
        InvoiceStatus::Uncollectible,
        InvoiceStatus::Void,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Uncollectible => "uncollectible",
            InvoiceStatus::Void => "void",
        }
    }

    pub fn parse(text: &str) -> Option<InvoiceStatus> {
        InvoiceStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A postal address; Stripe does not check `country`, so it may hold a
/// name ("Denmark") as some accounts' data does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FakeAddress {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// A tax id (`eu_vat`, `gb_vat`, `us_ein`…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeTaxId {
    pub kind: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FakeCustomer {
    /// `cus_…`; left empty on insert to have one assigned.
    pub id: String,
    pub created: i64,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<FakeAddress>,
    pub tax_ids: Vec<FakeTaxId>,
    /// Newer API versions say outright whether it is a business…
    pub business_name: Option<String>,
    /// …or a person.
    pub individual_name: Option<String>,
    /// Lower case ISO code its invoices are in.
    pub currency: Option<String>,
    /// Invoice numbers are `<prefix>-<NNNN>`.
    pub invoice_prefix: String,
    pub deleted: bool,
}

/// What an invoice froze of its customer when it was finalised.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerSnapshot {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<FakeAddress>,
    pub tax_ids: Vec<FakeTaxId>,
}

impl CustomerSnapshot {
    pub fn of(customer: &FakeCustomer) -> CustomerSnapshot {
        CustomerSnapshot {
            name: customer.name.clone(),
            email: customer.email.clone(),
            phone: customer.phone.clone(),
            address: customer.address.clone(),
            tax_ids: customer.tax_ids.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeInvoice {
    /// `in_…`; left empty on insert to have one assigned.
    pub id: String,
    /// `None` for drafts.
    pub number: Option<String>,
    pub status: InvoiceStatus,
    /// `cus_…`.
    pub customer: Option<String>,
    pub created: i64,
    /// `None` for `charge_automatically`.
    pub due_date: Option<i64>,
    pub effective_at: Option<i64>,
    /// Lower case ISO code (`"eur"`).
    pub currency: String,
    /// In Stripe minor units.
    pub total: i64,
    pub amount_paid: i64,
    /// `sub_…` when a subscription billed it.
    pub subscription: Option<String>,
    pub billing_reason: String,
    pub collection_method: String,
    /// (description, amount in minor units).
    pub lines: Vec<(String, i64)>,
    /// `None` on insert = copy the customer's data now (finalisation).
    pub snapshot: Option<CustomerSnapshot>,
}

impl FakeInvoice {
    /// An open one-off invoice sent for payment, due in 30 days.
    pub fn open(customer: &str, created: i64, currency: &str, total: i64) -> FakeInvoice {
        FakeInvoice {
            id: String::new(),
            number: None,
            status: InvoiceStatus::Open,
            customer: Some(customer.to_owned()),
            created,
            due_date: Some(created + 30 * 86_400),
            effective_at: None,
            currency: currency.to_owned(),
            total,
            amount_paid: 0,
            subscription: None,
            billing_reason: "manual".into(),
            collection_method: "send_invoice".into(),
            lines: vec![("Services".into(), total)],
            snapshot: None,
        }
    }

    pub fn amount_remaining(&self) -> i64 {
        (self.total - self.amount_paid).max(0)
    }

    /// Newest first, ties by id (descending), like every list.
    pub(crate) fn sort_key(&self) -> (Reverse<i64>, Reverse<String>) {
        (Reverse(self.created), Reverse(self.id.clone()))
    }
}

/// One mode's objects. Invoices stay sorted newest first.
#[derive(Debug, Default)]
pub(crate) struct Dataset {
    pub customers: HashMap<String, FakeCustomer>,
    /// Customers newest first, for `GET /v1/customers`.
    pub customer_order: Vec<String>,
    pub invoices: Vec<FakeInvoice>,
    pub invoice_index: HashMap<String, usize>,
    pub next_invoice: u64,
    pub next_customer: u64,
}

impl Dataset {
    pub(crate) fn reindex(&mut self) {
        self.invoices.sort_by_cached_key(FakeInvoice::sort_key);
        self.invoice_index = self
            .invoices
            .iter()
            .enumerate()
            .map(|(i, inv)| (inv.id.clone(), i))
            .collect();
        let mut order: Vec<(i64, String)> = self
            .customers
            .values()
            .map(|c| (c.created, c.id.clone()))
            .collect();
        order.sort_by(|a, b| b.cmp(a));
        self.customer_order = order.into_iter().map(|(_, id)| id).collect();
    }

    pub(crate) fn invoice(&self, id: &str) -> Option<&FakeInvoice> {
        self.invoice_index.get(id).map(|&i| &self.invoices[i])
    }
}

const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `prefix` + the sequence number in base62 (fixed width, so ids are
/// unique) + `filler` base62 characters, like Stripe's opaque ids.
pub(crate) fn object_id(prefix: &str, seq: u64, width: usize, filler: u64) -> String {
    let digit = |n: u64| char::from(BASE62[(n % 62) as usize]);
    let mut sequence: Vec<char> = Vec::with_capacity(width);
    let mut n = seq;
    for _ in 0..width {
        sequence.push(digit(n));
        n /= 62;
    }
    let mut out = String::with_capacity(prefix.len() + width + 12);
    out.push_str(prefix);
    out.extend(sequence.iter().rev());
    let mut f = filler;
    for _ in 0..12 {
        out.push(digit(f));
        f /= 62;
    }
    out
}
