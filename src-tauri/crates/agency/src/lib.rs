//! # casebridge-agency
//!
//! Client for the collection agency's API (the Debitura Customer API): it
//! turns typed requests into HTTP calls and HTTP answers into typed results
//! or a precise [`AgencyError`].
//!
//! ## What it owns
//! - [`wire`]: the request and response shapes, faithful to the agency's
//!   OpenAPI spec (camelCase, amounts as JSON numbers held as
//!   `rust_decimal`, dates as `YYYY-MM-DD`, lifecycle labels and names).
//! - [`AgencyClient`]: `me`, cases (create with an idempotency key, get,
//!   find by creditor reference, list), documents (with the size and type
//!   checks done before sending), payments, and the test-case driver.
//! - [`AgencyError`]: every error of the contract, with `code`, `message`,
//!   `hint`, `is_retryable`, `is_final`, field mapping for validation
//!   errors, and the distinction between a request that was never sent
//!   (`NotSent`) and one whose outcome is unknown (`OutcomeUnknown`).
//! - [`RateLimiter`]: several windows at once (minute, hour, day), waits
//!   instead of failing, pauses after a 429, reports its state for the UI;
//!   usable by other clients.
//! - [`RetryPolicy`]: backoff with jitter for calls that may be repeated.
//!
//! ## What it must NOT do
//! - Know about the domain, the database, Tauri or the keychain: the engine
//!   maps its `CaseDraft` to [`CreateCaseRequest`], reads the key from the
//!   keychain and stores outcomes.
//! - Decide whether a failed `POST /cases` is sent again. Only failures the
//!   agency certainly did not process (`NotSent`, 429) are retried inside;
//!   everything else goes back to the engine's outbox, which holds the
//!   idempotency key.
//! - Print, log or serialize the API key ([`ApiKey`] has a redacted `Debug`
//!   and no `Serialize`; the header is marked sensitive).
//! - Reach anything but the configured base URL, or follow redirects.

mod client;
mod config;
pub mod documents;
mod error;
mod idempotency;
mod query;
pub mod ratelimit;
mod retry;
pub mod wire;

pub use client::AgencyClient;
pub use config::{AgencyConfig, ApiKey, Environment, Timeouts, PRODUCTION_BASE_URL, TEST_BASE_URL};
pub use error::{AgencyError, AgencyField, BusinessError, ErrorReport, FieldError, ValueProblem};
pub use idempotency::IdempotencyKey;
pub use query::{CaseQuery, CaseSort, CaseSortField, PageSize};
pub use ratelimit::{
    RateLimitSnapshot, RateLimiter, RateLimiterConfig, RateLimits, WindowSpec, WindowUsage,
};
pub use retry::{Replay, RetryPolicy};
pub use wire::{
    CaseDto, CaseFileDto, CreateCaseRequest, DebtorDto, DocumentType, Lifecycle, MeDto, Page,
    PaymentDto,
};
