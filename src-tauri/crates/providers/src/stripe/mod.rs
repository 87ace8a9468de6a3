//! Stripe: read-only import of unpaid invoices with a restricted key.
//!
//! - [`StripeKey::parse`] checks a pasted key (restricted keys preferred,
//!   secret keys accepted with a [`KeyWarning`], publishable keys refused).
//! - [`StripeClient::validate`] probes invoice and customer read access and
//!   finds the account the key belongs to.
//! - [`StripeClient::fetch_unpaid`] lists open (and optionally
//!   uncollectible) invoices, slicing the created-date range into pieces
//!   that are paged in parallel, each with its own cursor, under Stripe's
//!   rate limit.
//! - [`StripeClient::fetch_invoice`] re-reads one invoice right before
//!   submission.
//!
//! Every request pins [`API_VERSION`], so the JSON shape does not change
//! when the account's default version does.

mod client;
mod key;
mod map;
mod money;
mod slices;
mod transport;
mod wire;

pub use client::{FetchStrategy, StripeAccount, StripeClient, StripeOptions};
// Defined beside the other fetch types, shared by every source.
pub use crate::fetch::Rechecked;
pub use key::{KeyKind, KeyWarning, StripeKey, StripeMode};
pub use money::stripe_exponent;

/// The Stripe API version every request pins (`Stripe-Version`).
///
/// `2025-03-31.basil` is the version the reference names and the first one
/// with the invoice shape the fixtures show (`parent.subscription_details`
/// instead of `subscription`; no `charge`/`payment_intent`). The fields we
/// read (`number`, `status`, `amount_remaining`, `total`, `due_date`,
/// `effective_at`, the `customer_*` snapshot, `parent`, `lines`,
/// `invoice_pdf`) all exist in it, and pinning the oldest version with
/// that shape is the smallest promise we can check against the sources we
/// have (the later version names are not in the reference).
pub const API_VERSION: &str = "2025-03-31.basil";

/// Stripe's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.stripe.com";
