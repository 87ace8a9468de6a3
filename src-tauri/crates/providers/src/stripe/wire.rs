//! Stripe's JSON as we read it (API version [`super::API_VERSION`], with
//! the fields older versions used still understood).
//!
//! Deliberately lenient: unknown fields are ignored and almost everything
//! is optional, because Stripe adds fields in every version and the same
//! object reaches us with parts expanded or not. What we cannot do without
//! (`id`, `created`, `currency`, the amounts) is required, so an invoice
//! missing them fails on its own instead of turning into a wrong case.

use serde::de::{DeserializeOwned, Error as _};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::Value;

/// A list envelope: `{"object":"list","url":…,"has_more":…,"data":[…]}`.
/// Items stay raw text so that one unreadable invoice fails alone, and
/// each is parsed straight into its type (no intermediate JSON tree).
#[derive(Debug, Deserialize)]
pub(crate) struct ListPage {
    pub data: Vec<Box<RawValue>>,
    pub has_more: bool,
}

/// Where a list item sits, read even from an item that is otherwise
/// unreadable.
#[derive(Debug, Deserialize)]
pub(crate) struct ItemKey {
    pub id: Option<String>,
    pub created: Option<i64>,
}

/// An embedded list (an invoice's `lines`, a customer's `tax_ids`).
#[derive(Debug, Deserialize)]
pub(crate) struct WireList<T> {
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
}

/// The error body of every non-2xx answer.
#[derive(Debug, Deserialize)]
pub(crate) struct ErrorEnvelope {
    pub error: WireError,
}

/// Stripe's `api_errors` schema, the parts we act on (`type` is implied by
/// the HTTP status for everything we handle).
#[derive(Debug, Deserialize)]
pub(crate) struct WireError {
    pub code: Option<String>,
    pub message: Option<String>,
    pub param: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum WireStatus {
    Draft,
    Open,
    Paid,
    Uncollectible,
    Void,
    #[serde(other)]
    Unknown,
}

/// An object or its deleted stub (`{"id":…,"object":…,"deleted":true}`),
/// which has none of the object's other fields.
#[derive(Debug)]
pub(crate) enum MaybeDeleted<T> {
    Live(T),
    Deleted { id: String },
}

fn is_deleted_stub(value: &Value) -> bool {
    value.get("deleted").and_then(Value::as_bool) == Some(true)
}

#[derive(Deserialize)]
struct Stub {
    id: String,
}

impl<T: DeserializeOwned> MaybeDeleted<T> {
    pub(crate) fn from_value(value: Value) -> Result<MaybeDeleted<T>, serde_json::Error> {
        if is_deleted_stub(&value) {
            let stub: Stub = serde_json::from_value(value)?;
            Ok(MaybeDeleted::Deleted { id: stub.id })
        } else {
            serde_json::from_value(value).map(MaybeDeleted::Live)
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for MaybeDeleted<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        MaybeDeleted::from_value(Value::deserialize(deserializer)?).map_err(D::Error::custom)
    }
}

/// A field that is an id, or the object it names when expanded.
#[derive(Debug)]
pub(crate) enum Expandable<T> {
    Id(String),
    Object(T),
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Expandable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        match Value::deserialize(deserializer)? {
            Value::String(id) => Ok(Expandable::Id(id)),
            other => serde_json::from_value(other)
                .map(Expandable::Object)
                .map_err(D::Error::custom),
        }
    }
}

/// Any expanded object we only need the id of.
#[derive(Debug, Deserialize)]
pub(crate) struct IdOnly {
    pub id: String,
}

impl Expandable<IdOnly> {
    pub(crate) fn id(&self) -> &str {
        match self {
            Expandable::Id(id) => id,
            Expandable::Object(object) => &object.id,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WireAddress {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// An invoice's `customer_tax_ids[]` item or a customer's `tax_ids` item.
#[derive(Debug, Deserialize)]
pub(crate) struct WireTaxId {
    pub value: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireCustomer {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<WireAddress>,
    /// Newer API versions only.
    pub business_name: Option<String>,
    /// Newer API versions only.
    pub individual_name: Option<String>,
    /// Only with `expand[]=tax_ids`.
    pub tax_ids: Option<WireList<WireTaxId>>,
}

/// Basil's `parent`: where the invoice came from.
#[derive(Debug, Deserialize)]
pub(crate) struct WireParent {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub subscription_details: Option<WireSubscriptionDetails>,
    pub quote_details: Option<WireQuoteDetails>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireSubscriptionDetails {
    pub subscription: Option<Expandable<IdOnly>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireQuoteDetails {
    pub quote: Option<Expandable<IdOnly>>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireLine {
    pub description: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireInvoice {
    pub id: String,
    pub number: Option<String>,
    pub status: Option<WireStatus>,
    pub created: i64,
    pub due_date: Option<i64>,
    pub effective_at: Option<i64>,
    pub currency: String,
    pub amount_remaining: i64,
    pub total: i64,
    pub billing_reason: Option<String>,
    pub description: Option<String>,
    /// Before 2025-03-31.basil: the subscription that billed it.
    pub subscription: Option<Expandable<IdOnly>>,
    /// From 2025-03-31.basil on.
    pub parent: Option<WireParent>,
    pub customer: Option<Expandable<MaybeDeleted<WireCustomer>>>,
    /// Accounts v2 invoices name an account instead of a customer.
    pub customer_account: Option<String>,
    pub customer_name: Option<String>,
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    pub customer_address: Option<WireAddress>,
    pub customer_tax_ids: Option<Vec<WireTaxId>>,
    pub invoice_pdf: Option<String>,
    pub hosted_invoice_url: Option<String>,
    pub lines: Option<WireList<WireLine>>,
}

/// `GET /v1/account` (secret keys only).
#[derive(Debug, Deserialize)]
pub(crate) struct WireAccount {
    pub id: String,
    pub country: Option<String>,
    pub business_profile: Option<WireBusinessProfile>,
    pub settings: Option<WireAccountSettings>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireBusinessProfile {
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireAccountSettings {
    pub dashboard: Option<WireDashboard>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct WireDashboard {
    pub display_name: Option<String>,
}

impl WireAccount {
    pub(crate) fn display_name(&self) -> Option<String> {
        let dashboard = self
            .settings
            .as_ref()
            .and_then(|s| s.dashboard.as_ref())
            .and_then(|d| d.display_name.clone());
        let business = self.business_profile.as_ref().and_then(|b| b.name.clone());
        dashboard.or(business)
    }
}

#[cfg(test)]
mod tests;
