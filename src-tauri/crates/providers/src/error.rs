//! The crate's one error type.
//!
//! Messages never contain an API key, not even Stripe's masked echo of it:
//! the 401/403 bodies quote the key (`rk_test_****1234`), so those messages
//! are ours, built from the parsed fields.

use std::fmt;

use casebridge_domain::{DomainError, Provider};
use serde::Serialize;

/// Why a pasted text is not a usable Stripe API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyProblem {
    /// Nothing was pasted.
    Empty,
    /// A publishable key (`pk_test_…` / `pk_live_…`): made for browsers,
    /// it cannot read invoices.
    Publishable,
    /// A webhook signing secret (`whsec_…`).
    WebhookSecret,
    /// No `rk_`/`sk_` + `test_`/`live_` prefix.
    UnknownPrefix,
    /// The right prefix, but the rest is too short or has characters Stripe
    /// keys never contain (spaces, quotes, a second key pasted after it…).
    Malformed,
}

impl fmt::Display for KeyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyProblem::Empty => "no key was entered",
            KeyProblem::Publishable => {
                "that is a publishable key (pk_…), which only works in a browser checkout and cannot read invoices"
            }
            KeyProblem::WebhookSecret => {
                "that is a webhook signing secret (whsec_…), not an API key"
            }
            KeyProblem::UnknownPrefix => {
                "a Stripe API key starts with rk_test_, rk_live_, sk_test_ or sk_live_"
            }
            KeyProblem::Malformed => {
                "the key is cut short or contains characters Stripe keys never have"
            }
        })
    }
}

/// Why an OAuth connection (QuickBooks, Zoho) must be made again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReconnectReason {
    /// There is no stored connection (never connected, or disconnected).
    NotConnected,
    /// The token endpoint refused the refresh token (`invalid_grant`): it
    /// expired, was revoked, or a newer one replaced it.
    RefreshRejected,
    /// The API refused a freshly issued access token too (a second 401).
    TokenRefused,
    /// The user lost access to the company or its subscription ended
    /// (QuickBooks `AuthorizationFault`, code 120).
    AccessRevoked,
}

impl fmt::Display for ReconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReconnectReason::NotConnected => "it is not connected",
            ReconnectReason::RefreshRejected => "the saved authorization expired or was revoked",
            ReconnectReason::TokenRefused => "it refused a freshly renewed access token",
            ReconnectReason::AccessRevoked => {
                "the connected user no longer has access to the company"
            }
        })
    }
}

/// Everything that can go wrong talking to an invoice source.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The pasted text is not a Stripe key we can use.
    #[error("this is not a usable Stripe API key: {problem}")]
    StripeKey {
        /// What is wrong with it.
        problem: KeyProblem,
    },
    /// The configured base URL cannot be used.
    #[error("the {} address {url:?} cannot be used: {problem}", provider_name(*provider))]
    InvalidBaseUrl {
        /// Whose URL.
        provider: Provider,
        /// The URL as configured (never contains a key).
        url: String,
        /// Why not.
        problem: &'static str,
    },
    /// The HTTP client could not be built (TLS backend).
    #[error("could not set up the HTTP client")]
    HttpClient {
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The provider refused the key (HTTP 401).
    #[error("{} did not accept the API key: it is {}", provider_name(*provider), if *expired { "expired" } else { "invalid or has been revoked" })]
    KeyRejected {
        /// Which provider.
        provider: Provider,
        /// The key expired (Stripe `api_key_expired`) rather than being
        /// wrong or revoked.
        expired: bool,
        /// The provider's request id, for support.
        request_id: Option<String>,
    },
    /// The key works but lacks permissions (HTTP 403).
    #[error("the {} key is missing {}: {}", provider_name(*provider), if permissions.len() == 1 { "a permission" } else { "permissions" }, permission_labels(permissions))]
    MissingPermissions {
        /// Which provider.
        provider: Provider,
        /// Permission names as the provider spells them
        /// (`rak_invoice_read`).
        permissions: Vec<String>,
        /// The account the key belongs to, when the answer named it.
        account: Option<String>,
    },
    /// The key works, but nothing told us which Stripe account it is for.
    #[error("could not tell which Stripe account this key belongs to")]
    AccountUnknown,
    /// No answer in time, also after retrying.
    #[error("{} did not answer in time ({attempts} attempts)", provider_name(*provider))]
    Timeout {
        /// Which provider.
        provider: Provider,
        /// Attempts made.
        attempts: u32,
        /// The last timeout.
        #[source]
        source: reqwest::Error,
    },
    /// The connection failed, also after retrying.
    #[error("could not reach {} ({attempts} attempts)", provider_name(*provider))]
    Unreachable {
        /// Which provider.
        provider: Provider,
        /// Attempts made.
        attempts: u32,
        /// The last transport error.
        #[source]
        source: reqwest::Error,
    },
    /// Still rate limited (HTTP 429) after backing off.
    #[error("{} kept answering \"too many requests\" ({attempts} attempts)", provider_name(*provider))]
    RateLimited {
        /// Which provider.
        provider: Provider,
        /// Attempts made.
        attempts: u32,
    },
    /// A 5xx, also after retrying (or the provider said not to retry).
    #[error("{} had an internal problem (HTTP {status}, {attempts} attempts{})", provider_name(*provider), request_suffix(request_id))]
    ServerError {
        /// Which provider.
        provider: Provider,
        /// The last status.
        status: u16,
        /// Attempts made.
        attempts: u32,
        /// The provider's request id, for support.
        request_id: Option<String>,
    },
    /// Any other 4xx: the provider refused the request as sent.
    #[error("{} refused the request (HTTP {status}{}): {message}", provider_name(*provider), request_suffix(request_id))]
    Rejected {
        /// Which provider.
        provider: Provider,
        /// HTTP status.
        status: u16,
        /// The provider's error code (Stripe `error.code`).
        code: Option<String>,
        /// The provider's message.
        message: String,
        /// The parameter it complained about.
        param: Option<String>,
        /// The provider's request id, for support.
        request_id: Option<String>,
    },
    /// The object does not exist (HTTP 404), e.g. a deleted draft.
    #[error("{} has no {object} {id}", provider_name(*provider))]
    NotFound {
        /// Which provider.
        provider: Provider,
        /// What was looked up ("invoice").
        object: &'static str,
        /// Its id.
        id: String,
    },
    /// A response body that is not the JSON it should be, also after
    /// retrying (truncated bodies, proxies answering HTML…).
    #[error("{} sent a {what} we could not read ({attempts} attempts)", provider_name(*provider))]
    MalformedResponse {
        /// Which provider.
        provider: Provider,
        /// What we were reading ("invoice list page").
        what: &'static str,
        /// Attempts made.
        attempts: u32,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// A list page claimed more results but held none, so there is no
    /// cursor to continue from.
    #[error("{} said more invoices follow but sent an empty page", provider_name(*provider))]
    EmptyPageWithMore {
        /// Which provider.
        provider: Provider,
    },
    /// One invoice in a page has a shape we cannot read; the rest of the
    /// page is fine.
    #[error("{} invoice {id} could not be read", provider_name(*provider))]
    InvoiceUnreadable {
        /// Which provider.
        provider: Provider,
        /// The invoice id, or `"(no id)"`.
        id: String,
        /// What did not parse.
        #[source]
        source: serde_json::Error,
    },
    /// One invoice has a value the domain refuses (an unknown currency, an
    /// amount with more decimals than its currency has, a blank id).
    #[error("{} invoice {id} cannot be imported: {source}", provider_name(*provider))]
    InvoiceValue {
        /// Which provider.
        provider: Provider,
        /// The invoice id.
        id: String,
        /// The domain's reason.
        #[source]
        source: DomainError,
    },
    /// One invoice carries a timestamp that is no date.
    #[error("{} invoice {id} has an impossible {field} ({value})", provider_name(*provider))]
    InvoiceTimestamp {
        /// Which provider.
        provider: Provider,
        /// The invoice id.
        id: String,
        /// Which field.
        field: &'static str,
        /// The raw value.
        value: i64,
    },
    /// A date range whose start is after its end.
    #[error("the {which} date range starts ({from}) after it ends ({to})")]
    InvalidDateRange {
        /// "created" or "due".
        which: &'static str,
        /// Start date.
        from: chrono::NaiveDate,
        /// End date.
        to: chrono::NaiveDate,
    },
    /// An OAuth connection can no longer give access; the user has to
    /// connect again.
    #[error("the {} connection needs to be renewed: {reason}", provider_name(*provider))]
    NeedsReconnect {
        /// Which provider.
        provider: Provider,
        /// Why.
        reason: ReconnectReason,
    },
    /// No access token could be had right now, for a reason that may pass
    /// (token endpoint unreachable, keychain locked).
    #[error("could not get an access token for {}", provider_name(*provider))]
    TokenUnavailable {
        /// Which provider.
        provider: Provider,
        /// What failed (never carries a token).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// One invoice has a field we cannot use (a date that is no date, an
    /// amount that is no number, no customer).
    #[error("{} invoice {id} has an unusable {field} ({value:?}): {problem}", provider_name(*provider))]
    InvoiceField {
        /// Which provider.
        provider: Provider,
        /// The invoice id.
        id: String,
        /// The field as the provider names it (`TxnDate`).
        field: &'static str,
        /// The raw value.
        value: String,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The source's daily request quota is used up (Zoho Books: per
    /// organization, shared with every app connected to it).
    #[error("{} allows no more requests today ({}){}", provider_name(*provider), limit.map_or_else(|| "daily limit reached".to_owned(), |l| format!("{l} per day used up")), resets_in_secs.map_or_else(String::new, |s| format!("; the count restarts in about {} h", s.div_ceil(3600))))]
    DailyLimitReached {
        /// Which provider.
        provider: Provider,
        /// The daily quota, when the source said (`X-Rate-Limit-Limit`).
        limit: Option<u64>,
        /// Seconds until it restarts, when the source said.
        resets_in_secs: Option<u64>,
    },
}

/// The name users know the provider by.
fn provider_name(provider: Provider) -> &'static str {
    match provider {
        Provider::Stripe => "Stripe",
        Provider::QuickBooks => "QuickBooks",
        Provider::Zoho => "Zoho Books",
        Provider::File => "the file",
    }
}

fn request_suffix(request_id: &Option<String>) -> String {
    request_id
        .as_deref()
        .map(|id| format!(", request {id}"))
        .unwrap_or_default()
}

/// How a permission appears in Stripe's Dashboard when editing a restricted
/// key, so the hint names the switch to flip.
fn permission_label(permission: &str) -> String {
    match permission {
        "rak_invoice_read" => "Invoices: Read (rak_invoice_read)".to_owned(),
        "rak_customer_read" => "Customers: Read (rak_customer_read)".to_owned(),
        other => other.to_owned(),
    }
}

fn permission_labels(permissions: &[String]) -> String {
    permissions
        .iter()
        .map(|p| permission_label(p))
        .collect::<Vec<_>>()
        .join(" and ")
}

impl ProviderError {
    /// Stable snake_case identifier for the UI, logs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            ProviderError::StripeKey { problem } => match problem {
                KeyProblem::Publishable => "stripe_key_publishable",
                KeyProblem::Empty
                | KeyProblem::WebhookSecret
                | KeyProblem::UnknownPrefix
                | KeyProblem::Malformed => "stripe_key_malformed",
            },
            ProviderError::InvalidBaseUrl { .. } => "provider_base_url_invalid",
            ProviderError::HttpClient { .. } => "http_client_failed",
            ProviderError::KeyRejected { expired: true, .. } => "provider_key_expired",
            ProviderError::KeyRejected { expired: false, .. } => "provider_key_invalid",
            ProviderError::MissingPermissions { .. } => "provider_permission_missing",
            ProviderError::AccountUnknown => "stripe_account_unknown",
            ProviderError::Timeout { .. } => "provider_timeout",
            ProviderError::Unreachable { .. } => "provider_unreachable",
            ProviderError::RateLimited { .. } => "provider_rate_limited",
            ProviderError::ServerError { .. } => "provider_unavailable",
            ProviderError::Rejected { .. } => "provider_rejected_request",
            ProviderError::NotFound { .. } => "provider_not_found",
            ProviderError::MalformedResponse { .. } => "provider_malformed_response",
            ProviderError::EmptyPageWithMore { .. } => "provider_incomplete_page",
            ProviderError::InvoiceUnreadable { .. } => "invoice_unreadable",
            ProviderError::InvoiceValue { .. } => "invoice_value_unsupported",
            ProviderError::InvoiceTimestamp { .. } => "invoice_timestamp_invalid",
            ProviderError::InvalidDateRange { .. } => "date_range_invalid",
            ProviderError::NeedsReconnect { .. } => "provider_reconnect_needed",
            ProviderError::TokenUnavailable { .. } => "provider_token_unavailable",
            ProviderError::InvoiceField { .. } => "invoice_field_invalid",
            ProviderError::DailyLimitReached { .. } => "provider_daily_limit_reached",
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            ProviderError::StripeKey { problem } => match problem {
                KeyProblem::Publishable | KeyProblem::WebhookSecret => {
                    "In the Stripe Dashboard (Developers → API keys), create a restricted key with Invoices: Read and Customers: Read and paste that (rk_live_… or rk_test_…).".to_owned()
                }
                KeyProblem::Empty | KeyProblem::UnknownPrefix | KeyProblem::Malformed => {
                    "Copy the whole key from the Stripe Dashboard (Developers → API keys) with its rk_ or sk_ prefix, and paste only the key.".to_owned()
                }
            },
            ProviderError::InvalidBaseUrl { .. } => {
                "Use the provider's https:// address (plain http only for the local sandbox on 127.0.0.1).".to_owned()
            }
            ProviderError::HttpClient { .. } => {
                "This is a bug or a broken installation; reinstall Casebridge and report it.".to_owned()
            }
            ProviderError::KeyRejected { expired: true, .. } => {
                "The key has expired: create a new restricted key in the Stripe Dashboard and paste it here.".to_owned()
            }
            ProviderError::KeyRejected { expired: false, .. } => {
                "Check that you pasted the whole key and that it was not rolled or deleted in the Stripe Dashboard (Developers → API keys); paste a current one.".to_owned()
            }
            ProviderError::MissingPermissions { permissions, .. } => format!(
                "Edit the restricted key in the Stripe Dashboard (Developers → API keys) and set {} — Casebridge only needs read access.",
                permission_labels(permissions)
            ),
            ProviderError::AccountUnknown => {
                "Try again; if it keeps happening, use a key with Invoices: Read and Customers: Read and report the problem.".to_owned()
            }
            ProviderError::Timeout { .. } | ProviderError::Unreachable { .. } => {
                "Check the internet connection and try again; what was already fetched is kept.".to_owned()
            }
            ProviderError::RateLimited { .. } => {
                "Another program may be using the same account heavily; wait a minute and fetch again.".to_owned()
            }
            ProviderError::ServerError { .. } => {
                "The provider has a temporary problem; fetch again in a few minutes.".to_owned()
            }
            ProviderError::Rejected { .. } => {
                "Change the filter and try again; if it keeps failing, report it with the request id.".to_owned()
            }
            ProviderError::NotFound { .. } => {
                "The invoice was deleted at the source; remove it from the selection.".to_owned()
            }
            ProviderError::MalformedResponse { .. } | ProviderError::EmptyPageWithMore { .. } => {
                "Fetch again; if it keeps happening, a proxy or firewall may be altering the answers.".to_owned()
            }
            ProviderError::InvoiceUnreadable { .. } | ProviderError::InvoiceTimestamp { .. } => {
                "Open the invoice in the provider's dashboard to check it, and report it so the connector can learn the shape.".to_owned()
            }
            ProviderError::InvoiceValue { source, .. } => source.hint(),
            ProviderError::InvalidDateRange { .. } => {
                "Pick a start date on or before the end date.".to_owned()
            }
            ProviderError::NeedsReconnect { provider, .. } => format!(
                "Open Integrations and click Reconnect for {}; sign in and allow access again.",
                provider_name(*provider)
            ),
            ProviderError::TokenUnavailable { .. } => {
                "Check the internet connection (and that the keychain is unlocked), then fetch again.".to_owned()
            }
            ProviderError::InvoiceField { .. } => {
                "Open the invoice at the source to check that field; the other invoices are imported.".to_owned()
            }
            ProviderError::DailyLimitReached { .. } => {
                "What was read so far is kept. Fetch the rest once the daily count restarts, or ask the provider's support to raise the organization's daily API limit.".to_owned()
            }
        }
    }

    /// The `{ code, message, hint }` the UI shows.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code(),
            message: self.to_string(),
            hint: self.hint(),
        }
    }

    /// Errors that make every further request pointless: the key is wrong
    /// or lacks permissions. A fetch stops at the first one.
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            ProviderError::KeyRejected { .. }
                | ProviderError::MissingPermissions { .. }
                | ProviderError::NeedsReconnect { .. }
                | ProviderError::TokenUnavailable { .. }
        )
    }
}

/// A [`ProviderError`] flattened for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReport {
    /// Stable snake_case code (see [`ProviderError::code`]).
    pub code: &'static str,
    /// What happened.
    pub message: String,
    /// What the user can do.
    pub hint: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_permissions_name_the_dashboard_switches() {
        let err = ProviderError::MissingPermissions {
            provider: Provider::Stripe,
            permissions: vec!["rak_customer_read".into()],
            account: Some("acct_1".into()),
        };
        let report = err.report();
        assert_eq!(report.code, "provider_permission_missing");
        assert_eq!(
            report.message,
            "the Stripe key is missing a permission: Customers: Read (rak_customer_read)"
        );
        assert!(report.hint.contains("Customers: Read"), "{}", report.hint);
    }

    #[test]
    fn publishable_keys_get_their_own_code_and_message() {
        let err = ProviderError::StripeKey {
            problem: KeyProblem::Publishable,
        };
        assert_eq!(err.code(), "stripe_key_publishable");
        assert!(err.to_string().contains("publishable key"));
        assert!(err.hint().contains("restricted key"));
    }

    #[test]
    fn server_errors_carry_the_request_id_for_support() {
        let err = ProviderError::ServerError {
            provider: Provider::Stripe,
            status: 503,
            attempts: 5,
            request_id: Some("req_42".into()),
        };
        assert_eq!(
            err.to_string(),
            "Stripe had an internal problem (HTTP 503, 5 attempts, request req_42)"
        );
        assert!(!err.is_fatal());
    }
}
