//! QuickBooks Online: read-only import of unpaid invoices over OAuth 2.0
//! (see `shared/reference/quickbooks.md`).
//!
//! ```text
//! QuickBooksClient::new(base_url: &str, realm_id: &str, options: QuickBooksOptions)
//!     -> Result<QuickBooksClient, ProviderError>
//! QuickBooksClient::with_company(self, company: QuickBooksCompany) -> QuickBooksClient
//! QuickBooksClient::company_info(&self, bearer: &dyn BearerSource)
//!     -> Result<QuickBooksCompany, ProviderError>
//! QuickBooksClient::fetch_unpaid(&self, bearer: &dyn BearerSource, filter: &FetchFilter,
//!     progress: &dyn ProgressSink) -> Result<FetchOutcome, ProviderError>
//! QuickBooksClient::fetch_invoice(&self, bearer: &dyn BearerSource, id: &str)
//!     -> Result<Rechecked, ProviderError>
//! QuickBooksClient::fetch_invoices(&self, bearer: &dyn BearerSource, ids: &[String])
//!     -> Result<Vec<(String, Result<Rechecked, ProviderError>)>, ProviderError>
//! ```
//!
//! - The base URL is [`QuickBooksEnvironment::base_url`] (sandbox or
//!   production) or the sandbox fake's; the company is the `realmId` from
//!   the OAuth callback. Every request pins [`MINOR_VERSION`].
//! - The access token comes from a [`crate::BearerSource`] per request; a
//!   401 is reported to it and retried once with a fresh token.
//! - [`QuickBooksClient::fetch_unpaid`] counts first (`SELECT COUNT(*)`),
//!   tells the total to [`crate::ProgressSink::expected_total`], then reads
//!   `SELECT * FROM Invoice WHERE Balance > '0' [AND TxnDate/DueDate …]
//!   ORDERBY Id STARTPOSITION n MAXRESULTS 1000` pages in parallel, taking
//!   turns with the customers of those invoices in batches
//!   (`WHERE Id IN (…)`, never one call per invoice) and with the company's
//!   own reads. Pacing is the contract's client policy: at most 8 requests
//!   in any second, 120 ms apart, 4 in flight (QuickBooks allows 10/s,
//!   500/min and 10 in flight per company).
//! - Voided invoices (balance 0, "Voided" note) and paid ones never come
//!   back; the query already leaves them out and the mapping checks again.
//! - [`QuickBooksClient::fetch_invoices`] reads invoices again for the
//!   at-source check: one `SELECT * FROM Invoice WHERE Id IN (…)` per 100
//!   ids and their customers in `Id IN (…)` batches (deleted invoices are
//!   the ids not returned); if `IN` is refused, one read per invoice and
//!   every customer listed once.
//!
//! Unconfirmed parts of the contract and how the code copes:
//! - `Id IN (…)` on customers: if QuickBooks refuses it (a 4xx fault), the
//!   client reads all customers page by page instead.
//! - `COUNT(*)`: if it fails (other than the token), pages are read one
//!   after another until a short or empty page, without a total.
//! - No `Retry-After` on 429: honoured when present, else a 60 s pause
//!   (Intuit's advice, [`QuickBooksOptions::throttle_wait`]).
//! - The home currency (`Preferences.CurrencyPrefs.HomeCurrency`) and
//!   `CompanyInfo.Country` are read where Intuit's other docs put them; if
//!   absent, invoices without `CurrencyRef` fail alone with a clear error.

mod client;
mod map;
mod query;
mod transport;
mod wire;

pub use client::{QuickBooksClient, QuickBooksCompany, QuickBooksEnvironment, QuickBooksOptions};

/// The minor version every request pins (`minorversion=75`): versions
/// 1–74 lost support on 1 Aug 2025, and 75 is the oldest still served, so
/// the shape we read cannot move under us.
pub const MINOR_VERSION: u32 = 75;

/// The most rows one query page may return (`MAXRESULTS`).
pub const MAX_PAGE_SIZE: u32 = 1_000;

/// Intuit's sandbox API (development keys, sandbox companies).
pub const SANDBOX_BASE_URL: &str = "https://sandbox-quickbooks.api.intuit.com";

/// Intuit's production API.
pub const PRODUCTION_BASE_URL: &str = "https://quickbooks.api.intuit.com";
