//! # casebridge-providers
//!
//! Reads unpaid invoices out of the systems where they live and hands them
//! over as [`casebridge_domain::Invoice`]s. Today that is Stripe
//! ([`stripe`]); QuickBooks Online and Zoho Books will sit beside it and share
//! the provider-agnostic core below.
//!
//! ## What this crate owns
//!
//! - **The fetch vocabulary** every source speaks: a [`FetchFilter`]
//!   (created/due date ranges, whether written-off invoices count), progress
//!   reported through a [`ProgressSink`] as [`FetchProgress`] (pages and
//!   invoices so far: Stripe gives no totals, so neither do we), and a
//!   [`FetchOutcome`] that keeps whatever was read even when parts failed,
//!   saying what failed in [`FetchFailure`]s.
//! - **One error type**, [`ProviderError`], with a stable
//!   [`ProviderError::code`], a [`ProviderError::hint`] and
//!   [`ProviderError::report`] for the UI's `{ code, message, hint }`.
//! - **The Stripe client** ([`stripe::StripeClient`]): key parsing, key
//!   validation that names a missing permission, a rate-limited, retrying,
//!   date-sliced parallel fetch, and the mapping of Stripe's invoice JSON to
//!   the domain (currency exponents, debtor snapshot, one-off vs
//!   subscription across API versions).
//! - **Access tokens for OAuth sources** ([`BearerSource`]): clients ask for
//!   a token per request and, after a 401, report it refused and retry once
//!   ([`with_bearer`]), so a long fetch survives a token's expiry. The
//!   engine implements the source (keychain, refresh); a second 401 is
//!   [`ProviderError::NeedsReconnect`].
//! - **The Zoho Books client** ([`zoho::ZohoClient`]): the user's
//!   organizations to choose from, unpaid invoices in pages of 200 at the
//!   token's `api_domain`, one contact read per debtor, 100 requests/min per
//!   organization, any `code != 0` as an error (also at HTTP 200), and the
//!   daily quota reported through [`ProgressSink::daily_quota`].
//!
//! ## What this crate must NOT do
//!
//! No Tauri, no SQLite, no keychain and no logging of secrets: callers hand
//! in a parsed key and get invoices back; caching, readiness and the UI
//! belong to the engine. It never writes to a provider (read-only import)
//! and never talks to anything but the base URL it was given; tests point
//! that at `casebridge-sandbox` on 127.0.0.1.

mod bearer;
mod error;
mod fetch;
mod http;
pub mod quickbooks;
mod ratelimit;
pub mod stripe;
pub mod zoho;

pub use bearer::{with_bearer, Authorized, BearerSource, BearerToken, StaticBearer};
pub use error::{ErrorReport, KeyProblem, ProviderError, ReconnectReason};
pub use fetch::{
    DailyQuota, DateRange, FailureScope, FetchFailure, FetchFilter, FetchOutcome, FetchProgress,
    FetchedInvoice, InvoiceOrigin, ProgressSink, Rechecked, SkipReason, SkippedInvoice,
    SourceStatus,
};
pub use http::RetryPolicy;
pub use ratelimit::{RateBudget, RateWindow};
