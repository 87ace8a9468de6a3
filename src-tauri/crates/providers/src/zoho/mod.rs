//! Zoho Books (v3): read-only import of unpaid invoices per organization.
//!
//! - [`ZohoClient::new`] takes the token's `api_domain` (every data centre
//!   has its own: `https://www.zohoapis.eu`, `.in`, `.com.au`…); the client
//!   appends `/books/v3`. It never derives the data centre itself.
//! - [`ZohoClient::organizations`] lists the user's organizations for the
//!   user to choose from; nothing picks one silently.
//! - [`ZohoClient::fetch_unpaid`] lists `filter_by=Status.Unpaid` (unpaid,
//!   overdue, partially paid…) in pages of 200 until `has_more_page` is
//!   false, reads each distinct debtor's contact once (addresses are not in
//!   any list), paced under 100 requests per minute per organization, and
//!   reports the daily quota ([`crate::DailyQuota`]) as Zoho counts it.
//! - [`ZohoClient::fetch_invoice`] re-reads one invoice before submission.
//!
//! Every request asks a [`crate::BearerSource`] for the access token and,
//! on 401 (or code 14), reports it and retries once with a fresh one. Any
//! body whose `code` is not 0 is an error, also at HTTP 200: 57 and 6041
//! (not authorized / not in that organization) need a reconnect, 45 or 429
//! is a rate limit (a daily one when `X-Rate-Limit-Remaining` is 0), 1000
//! and 5xx are retried, 1002 is "not found", anything else is a refusal that
//! keeps Zoho's code and message.

mod client;
mod map;
mod transport;
mod wire;

pub use client::{
    ContactLookup, UnpaidQuery, ZohoClient, ZohoOptions, ZohoOrganization, PAGE_SIZE,
};
