//! The QuickBooks fake's data: companies (realms), customers, invoices.
//! Amounts are cents; they are rendered as JSON numbers (`100.0`) the way
//! QuickBooks sends them.

use chrono::{DateTime, NaiveDate, Utc};

/// One QuickBooks company (a `realmId`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeCompany {
    pub realm_id: String,
    pub name: String,
    /// Alpha-2, as `CompanyInfo.Country`.
    pub country: String,
    /// ISO 4217, as `Preferences.CurrencyPrefs.HomeCurrency`.
    pub home_currency: String,
    /// Multicurrency companies put `CurrencyRef` on every invoice; others
    /// leave it out (the client must fall back to the home currency).
    pub multicurrency: bool,
    /// The company's UTC offset, for `MetaData` times and `time`.
    pub utc_offset_hours: i32,
}

/// `PhysicalAddress`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FakeQboAddress {
    /// `Line1..Line5` (at most five are rendered).
    pub lines: Vec<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeQboCustomer {
    /// Numeric text.
    pub id: String,
    pub display_name: String,
    pub company_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub bill_addr: Option<FakeQboAddress>,
    /// Deleted customers are made inactive; queries leave them out unless
    /// they ask for `Active = false`.
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeQboInvoice {
    /// Numeric text; empty = assign the next one on insert.
    pub id: String,
    pub doc_number: Option<String>,
    pub txn_date: NaiveDate,
    pub due_date: Option<NaiveDate>,
    pub total_cents: i64,
    pub balance_cents: i64,
    /// `None` = the company's home currency (and, unless multicurrency, no
    /// `CurrencyRef` on the wire).
    pub currency: Option<String>,
    pub customer_id: String,
    /// Voided: rendered with `TotalAmt` and `Balance` 0 and "Voided" in
    /// `PrivateNote`, as QuickBooks does.
    pub voided: bool,
    pub created: DateTime<Utc>,
    /// Line descriptions and amounts (cents).
    pub lines: Vec<(String, i64)>,
    /// `BillEmail`; `None` = none on the invoice.
    pub bill_email: Option<String>,
    /// `BillAddr` on the invoice itself (a snapshot of the customer's).
    pub bill_addr: Option<FakeQboAddress>,
}

impl FakeQboInvoice {
    /// What `Balance` shows.
    pub fn balance_shown(&self) -> i64 {
        if self.voided {
            0
        } else {
            self.balance_cents
        }
    }

    /// What `TotalAmt` shows.
    pub fn total_shown(&self) -> i64 {
        if self.voided {
            0
        } else {
            self.total_cents
        }
    }
}
