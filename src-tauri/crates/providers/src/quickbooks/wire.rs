//! QuickBooks Online's JSON as we read it (minor version
//! [`super::MINOR_VERSION`]).
//!
//! Lenient like every reader here: unknown fields are ignored, almost
//! everything is optional. Amounts stay [`serde_json::Number`] until the
//! mapping turns them into exact decimals, and dates stay text so a bad one
//! is reported with its value instead of failing the whole page.
//!
//! Faults come in two spellings (both in the recorded fixtures): the
//! documented `{"Fault":{"Error":[{"Message","Detail","code"}],"type"}}`
//! and, on 401s from the gateway, `{"fault":{"error":[{"message",
//! "detail","code"}],"type":"AUTHENTICATION"}}`; serde aliases read both.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Number;

/// Any answer, probed only for a fault (which may come with HTTP 200).
#[derive(Debug, Deserialize)]
pub(crate) struct FaultProbe {
    #[serde(rename = "Fault", alias = "fault")]
    pub fault: Option<WireFault>,
}

/// A `Fault` body.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireFault {
    #[serde(rename = "Error", alias = "error", default)]
    pub errors: Vec<WireFaultError>,
    /// `ValidationFault`, `SystemFault`, `AuthenticationFault`,
    /// `AuthorizationFault`, or the gateway's `AUTHENTICATION` /
    /// `SERVICE`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

/// One entry of `Fault.Error[]`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireFaultError {
    #[serde(rename = "Message", alias = "message")]
    pub message: Option<String>,
    #[serde(rename = "Detail", alias = "detail")]
    pub detail: Option<String>,
    pub code: Option<String>,
    pub element: Option<String>,
}

/// `{"QueryResponse":{…},"time":…}`.
#[derive(Debug, Deserialize)]
pub(crate) struct QueryEnvelope {
    #[serde(rename = "QueryResponse")]
    pub response: QueryResponse,
}

/// The body of a query answer. Past the last row QuickBooks sends `{}`:
/// no entity key at all, not an empty array. Rows stay raw so one
/// unreadable invoice fails alone. The echoed `startPosition` and
/// `maxResults` are not read: `maxResults` is known to be off by one at
/// times, so the array's length is what counts.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct QueryResponse {
    #[serde(rename = "Invoice")]
    pub invoices: Option<Vec<Box<RawValue>>>,
    #[serde(rename = "Customer")]
    pub customers: Option<Vec<Box<RawValue>>>,
    /// Only in answers to `SELECT COUNT(*)`.
    #[serde(rename = "totalCount")]
    pub total_count: Option<u64>,
}

/// `{"Invoice":{…},"time":…}` from `GET /invoice/{id}`.
#[derive(Debug, Deserialize)]
pub(crate) struct InvoiceEnvelope {
    #[serde(rename = "Invoice")]
    pub invoice: Box<RawValue>,
}

/// `{"CompanyInfo":{…}}` from `GET /companyinfo/{realmId}`.
#[derive(Debug, Deserialize)]
pub(crate) struct CompanyInfoEnvelope {
    #[serde(rename = "CompanyInfo")]
    pub company_info: WireCompanyInfo,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WireCompanyInfo {
    pub company_name: Option<String>,
    pub legal_name: Option<String>,
    /// Alpha-2 of the company's QuickBooks edition (`US`, `GB`, `CA`…).
    pub country: Option<String>,
    pub company_addr: Option<WireAddress>,
}

/// `{"Preferences":{…}}` from `GET /preferences`: only the currency part.
#[derive(Debug, Deserialize)]
pub(crate) struct PreferencesEnvelope {
    #[serde(rename = "Preferences")]
    pub preferences: WirePreferences,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WirePreferences {
    pub currency_prefs: Option<WireCurrencyPrefs>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WireCurrencyPrefs {
    pub home_currency: Option<WireRef>,
}

/// A reference to another entity: `{"value":"4","name":"C&L Enterprises"}`.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct WireRef {
    pub value: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WireEmail {
    pub address: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WirePhone {
    pub free_form_number: Option<String>,
}

/// `PhysicalAddress`. Unstructured addresses put city, state and postcode
/// into the lines; the mapping drops lines that repeat those.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WireAddress {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub line3: Option<String>,
    pub line4: Option<String>,
    pub line5: Option<String>,
    pub city: Option<String>,
    pub country_sub_division_code: Option<String>,
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WireMetaData {
    pub create_time: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WireLine {
    pub description: Option<String>,
}

/// The invoice fields FIELD-MAPPING.md reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WireInvoice {
    pub id: String,
    pub doc_number: Option<String>,
    pub txn_date: Option<String>,
    pub due_date: Option<String>,
    pub total_amt: Option<Number>,
    pub balance: Option<Number>,
    /// Absent when the company is not multicurrency: then the home
    /// currency.
    pub currency_ref: Option<WireRef>,
    pub customer_ref: Option<WireRef>,
    pub bill_email: Option<WireEmail>,
    pub bill_addr: Option<WireAddress>,
    pub meta_data: Option<WireMetaData>,
    /// "Voided" on voided invoices (there is no status field).
    pub private_note: Option<String>,
    #[serde(default)]
    pub line: Vec<WireLine>,
    /// Set when a recurring template created the invoice.
    pub recur_data_ref: Option<WireRef>,
}

/// Just the id of a row that may be unreadable otherwise.
#[derive(Debug, Deserialize)]
pub(crate) struct RowId {
    #[serde(rename = "Id")]
    pub id: Option<String>,
}

/// The customer fields FIELD-MAPPING.md reads.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct WireCustomer {
    pub id: String,
    pub display_name: Option<String>,
    pub company_name: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub primary_email_addr: Option<WireEmail>,
    pub primary_phone: Option<WirePhone>,
    pub mobile: Option<WirePhone>,
    pub bill_addr: Option<WireAddress>,
}

#[cfg(test)]
mod tests;
