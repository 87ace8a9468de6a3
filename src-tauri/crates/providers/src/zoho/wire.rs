//! Zoho Books v3 JSON as we read it (reference §3–§7).
//!
//! Lenient where Zoho is loose: ids arrive as strings or bare numbers,
//! amounts as numbers or strings (the OAS types `total` as a string, the
//! examples show `10000.0`), empty dates as `" "`, `zip` as a number, and
//! `page_context` as an object (pagination page) or a one-element array
//! (invoices OAS). What a case cannot do without (`invoice_id`, `date`,
//! `currency_code`, `total`, `balance`) is required, so an invoice missing
//! one fails on its own.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::Value;

/// `{code, message}`: on every body, success or not. `code` 0 = success;
/// anything else is an error whatever the HTTP status said.
#[derive(Debug, Deserialize)]
pub(crate) struct Envelope {
    pub code: i64,
    #[serde(default)]
    pub message: Option<String>,
}

/// Text that may arrive as a JSON string or number (ids, zip codes).
fn text_of(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A string or number that must be present and non-blank (ids).
pub(crate) fn id<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    text_of(Value::deserialize(deserializer)?)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| D::Error::custom("expected a non-empty id (string or number)"))
}

/// Optional text: a string or number; `null`, `""` and `" "` are `None`.
pub(crate) fn opt_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(Option::<Value>::deserialize(deserializer)?
        .and_then(text_of)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty()))
}

/// An amount as a number (`40.6`) or a numeric string (`"40.60"`). The
/// number keeps its shortest decimal form, so `40.6` is exactly 40.6.
pub(crate) fn amount<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let text = match Value::deserialize(deserializer)? {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        other => return Err(D::Error::custom(format!("expected an amount, got {other}"))),
    };
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| D::Error::custom(format!("{text:?} is not an amount")))
}

/// A `yyyy-mm-dd` date; `" "`, `""` and `null` are `None`.
pub(crate) fn opt_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| D::Error::custom(format!("{s:?} is not a yyyy-mm-dd date"))),
    }
}

fn date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    opt_date(deserializer)?.ok_or_else(|| D::Error::custom("the date is missing"))
}

/// `page_context`: the fields we act on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub(crate) struct PageContext {
    #[serde(default)]
    pub page: Option<u32>,
    #[serde(default)]
    pub has_more_page: bool,
}

/// Accepts `page_context` as an object or as the OAS's array of one.
fn page_context<'de, D: Deserializer<'de>>(deserializer: D) -> Result<PageContext, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        One(PageContext),
        Many(Vec<PageContext>),
    }
    Ok(match Option::<Either>::deserialize(deserializer)? {
        None => PageContext::default(),
        Some(Either::One(context)) => context,
        Some(Either::Many(list)) => list.into_iter().next().unwrap_or_default(),
    })
}

/// `GET /invoices` and `GET /contacts`: items stay raw so one unreadable
/// row fails alone.
#[derive(Debug, Deserialize)]
pub(crate) struct InvoicePage {
    #[serde(default)]
    pub invoices: Vec<Box<RawValue>>,
    #[serde(default, deserialize_with = "page_context")]
    pub page_context: PageContext,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ContactPage {
    #[serde(default)]
    pub contacts: Vec<Box<RawValue>>,
    #[serde(default, deserialize_with = "page_context")]
    pub page_context: PageContext,
}

/// The id of a row, read even when the rest of it is unreadable.
#[derive(Debug, Deserialize)]
pub(crate) struct RowKey {
    #[serde(default, deserialize_with = "opt_text")]
    pub invoice_id: Option<String>,
}

/// `GET /invoices/{id}` (detail key `invoice`, singular: unconfirmed, so
/// `invoices[0]` is accepted too).
#[derive(Debug, Deserialize)]
pub(crate) struct InvoiceDetail {
    pub invoice: Option<WireInvoice>,
    #[serde(default)]
    pub invoices: Vec<WireInvoice>,
}

impl InvoiceDetail {
    pub(crate) fn into_invoice(self) -> Option<WireInvoice> {
        self.invoice.or_else(|| self.invoices.into_iter().next())
    }
}

/// `GET /contacts/{id}`, with the same tolerance as [`InvoiceDetail`].
#[derive(Debug, Deserialize)]
pub(crate) struct ContactDetail {
    pub contact: Option<WireContact>,
    #[serde(default)]
    pub contacts: Vec<WireContact>,
}

impl ContactDetail {
    pub(crate) fn into_contact(self) -> Option<WireContact> {
        self.contact.or_else(|| self.contacts.into_iter().next())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum WireStatus {
    Draft,
    Sent,
    Viewed,
    Unpaid,
    Overdue,
    PartiallyPaid,
    Paid,
    Void,
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct WireAddress {
    #[serde(default, deserialize_with = "opt_text")]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub street2: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub city: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub state: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub zip: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub country: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireLineItem {
    #[serde(default, deserialize_with = "opt_text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub description: Option<String>,
}

/// A list row or the detail's `invoice`; the detail adds
/// `billing_address` and `line_items`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireInvoice {
    #[serde(deserialize_with = "id")]
    pub invoice_id: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub invoice_number: Option<String>,
    pub status: Option<WireStatus>,
    #[serde(deserialize_with = "date")]
    pub date: NaiveDate,
    #[serde(default, deserialize_with = "opt_date")]
    pub due_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "opt_text")]
    pub customer_id: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub customer_name: Option<String>,
    /// Present on some rows (it is a list filter); presence unconfirmed.
    #[serde(default, deserialize_with = "opt_text")]
    pub email: Option<String>,
    pub currency_code: String,
    #[serde(deserialize_with = "amount")]
    pub total: Decimal,
    #[serde(deserialize_with = "amount")]
    pub balance: Decimal,
    #[serde(default, deserialize_with = "opt_text")]
    pub created_time: Option<String>,
    #[serde(default)]
    pub billing_address: Option<WireAddress>,
    #[serde(default)]
    pub line_items: Vec<WireLineItem>,
    #[serde(default, deserialize_with = "opt_text")]
    pub invoice_url: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub recurring_invoice_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireContactPerson {
    #[serde(default, deserialize_with = "opt_text")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub mobile: Option<String>,
    #[serde(default)]
    pub is_primary_contact: bool,
}

/// A contact list row or the detail's `contact`; only the detail carries
/// the addresses and contact persons (reference §7).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireContact {
    #[serde(deserialize_with = "id")]
    pub contact_id: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub contact_name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub company_name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub customer_sub_type: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub first_name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub last_name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub email: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub mobile: Option<String>,
    /// VAT / GST / tax registration, whichever the edition has.
    #[serde(default, deserialize_with = "opt_text")]
    pub vat_reg_no: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub gst_no: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub tax_reg_no: Option<String>,
    #[serde(default)]
    pub billing_address: Option<WireAddress>,
    #[serde(default)]
    pub contact_persons: Vec<WireContactPerson>,
}

/// `GET /organizations`.
#[derive(Debug, Deserialize)]
pub(crate) struct OrganizationList {
    #[serde(default)]
    pub organizations: Vec<WireOrganization>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireOrganization {
    #[serde(deserialize_with = "id")]
    pub organization_id: String,
    #[serde(default, deserialize_with = "opt_text")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub currency_code: Option<String>,
    #[serde(default, deserialize_with = "opt_text")]
    pub country: Option<String>,
    #[serde(default)]
    pub is_default_org: bool,
    #[serde(default)]
    pub is_org_active: Option<bool>,
}

#[cfg(test)]
mod tests;
