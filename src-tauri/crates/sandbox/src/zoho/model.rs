//! The Zoho fake's data: organizations, contacts and invoices as a Zoho
//! Books organization holds them.

use chrono::NaiveDate;

/// One organization the demo user belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeOrganization {
    pub organization_id: String,
    pub name: String,
    /// ISO 4217, the organization's base currency.
    pub currency_code: String,
    /// As Zoho writes it ("Denmark", "U.S.A").
    pub country: String,
    pub is_default_org: bool,
    pub plan_name: String,
}

/// Zoho's invoice statuses (reference §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ZohoStatus {
    Draft,
    Sent,
    Viewed,
    Unpaid,
    Overdue,
    PartiallyPaid,
    Paid,
    Void,
}

impl ZohoStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ZohoStatus::Draft => "draft",
            ZohoStatus::Sent => "sent",
            ZohoStatus::Viewed => "viewed",
            ZohoStatus::Unpaid => "unpaid",
            ZohoStatus::Overdue => "overdue",
            ZohoStatus::PartiallyPaid => "partially_paid",
            ZohoStatus::Paid => "paid",
            ZohoStatus::Void => "void",
        }
    }

    pub fn parse(text: &str) -> Option<ZohoStatus> {
        ZohoStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub const ALL: [ZohoStatus; 8] = [
        ZohoStatus::Draft,
        ZohoStatus::Sent,
        ZohoStatus::Viewed,
        ZohoStatus::Unpaid,
        ZohoStatus::Overdue,
        ZohoStatus::PartiallyPaid,
        ZohoStatus::Paid,
        ZohoStatus::Void,
    ];

    /// Zoho's "Unpaid" view: everything sent and not settled, overdue and
    /// partially paid included (reference §4, invoice life cycle).
    pub fn is_unpaid(self) -> bool {
        matches!(
            self,
            ZohoStatus::Sent
                | ZohoStatus::Viewed
                | ZohoStatus::Unpaid
                | ZohoStatus::Overdue
                | ZohoStatus::PartiallyPaid
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FakeZohoAddress {
    pub address: String,
    pub street2: String,
    pub city: String,
    pub state: String,
    /// Sent as a JSON number when it is all digits without a leading zero,
    /// as Zoho's examples show.
    pub zip: String,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeZohoContact {
    pub contact_id: String,
    pub contact_name: String,
    pub company_name: String,
    /// `business` or `individual`.
    pub customer_sub_type: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub billing_address: FakeZohoAddress,
    pub vat_reg_no: String,
}

/// Amounts are in hundredths of the currency (every seeded currency has two
/// decimals) and rendered as JSON numbers (`40.6`), as Zoho does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeZohoInvoice {
    pub invoice_id: String,
    pub invoice_number: String,
    pub status: ZohoStatus,
    pub date: NaiveDate,
    pub due_date: NaiveDate,
    pub customer_id: String,
    pub currency_code: String,
    pub total_cents: i64,
    pub balance_cents: i64,
    /// Seconds since the epoch; rendered as `2013-11-18T02:17:40-0800`.
    pub created_time: i64,
    pub line_description: String,
}
