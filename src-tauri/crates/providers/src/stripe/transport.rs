//! One Stripe GET: pacing, the pinned version header, retries, and turning
//! Stripe's error answers into [`ProviderError`]s.

use std::time::Duration;

use casebridge_domain::Provider;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use url::Url;

use super::wire::{ErrorEnvelope, WireError};
use super::{StripeKey, API_VERSION};
use crate::error::ProviderError;
use crate::http::{retry_after, RetryPolicy};
use crate::ratelimit::{RateBudget, RateLimiter};

/// The endpoints we call; each has its own rate-limit budget and needs one
/// restricted-key permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    ListInvoices,
    RetrieveInvoice,
    ListCustomers,
    RetrieveAccount,
}

impl Endpoint {
    fn label(self) -> &'static str {
        match self {
            Endpoint::ListInvoices => "GET /v1/invoices",
            Endpoint::RetrieveInvoice => "GET /v1/invoices/{id}",
            Endpoint::ListCustomers => "GET /v1/customers",
            Endpoint::RetrieveAccount => "GET /v1/account",
        }
    }

    /// The permission a 403 here means is missing, when Stripe's message
    /// does not name one.
    fn permission(self) -> &'static str {
        match self {
            Endpoint::ListInvoices | Endpoint::RetrieveInvoice => "rak_invoice_read",
            Endpoint::ListCustomers => "rak_customer_read",
            Endpoint::RetrieveAccount => "rak_account_read",
        }
    }

    /// What a malformed answer was meant to be, for the error message.
    fn reading(self) -> &'static str {
        match self {
            Endpoint::ListInvoices => "invoice list page",
            Endpoint::RetrieveInvoice => "invoice",
            Endpoint::ListCustomers => "customer list page",
            Endpoint::RetrieveAccount => "account",
        }
    }
}

/// Why one attempt failed, kept until we know whether it was the last.
#[derive(Debug)]
enum Failure {
    Timeout(reqwest::Error),
    Transport(reqwest::Error),
    Malformed(serde_json::Error),
    Status {
        status: StatusCode,
        error: Option<WireError>,
        request_id: Option<String>,
    },
}

struct Attempt {
    failure: Failure,
    /// `Stripe-Should-Retry`, which official SDKs obey before anything else.
    should_retry: Option<bool>,
    retry_after: Option<Duration>,
}

impl Attempt {
    fn retryable(&self) -> bool {
        self.should_retry.unwrap_or(match &self.failure {
            Failure::Timeout(_) | Failure::Transport(_) | Failure::Malformed(_) => true,
            Failure::Status { status, .. } => {
                *status == StatusCode::TOO_MANY_REQUESTS
                    || *status == StatusCode::CONFLICT
                    || status.is_server_error()
            }
        })
    }

    fn is_rate_limit(&self) -> bool {
        matches!(&self.failure, Failure::Status { status, .. } if *status == StatusCode::TOO_MANY_REQUESTS)
    }

    fn into_error(self, endpoint: Endpoint, id: Option<&str>, attempts: u32) -> ProviderError {
        let provider = Provider::Stripe;
        match self.failure {
            Failure::Timeout(source) => ProviderError::Timeout {
                provider,
                attempts,
                source,
            },
            Failure::Transport(source) => ProviderError::Unreachable {
                provider,
                attempts,
                source,
            },
            Failure::Malformed(source) => ProviderError::MalformedResponse {
                provider,
                what: endpoint.reading(),
                attempts,
                source,
            },
            Failure::Status {
                status,
                error,
                request_id,
            } => status_error(status, error, request_id, endpoint, id, attempts),
        }
    }
}

fn status_error(
    status: StatusCode,
    error: Option<WireError>,
    request_id: Option<String>,
    endpoint: Endpoint,
    id: Option<&str>,
    attempts: u32,
) -> ProviderError {
    let provider = Provider::Stripe;
    let code = error.as_ref().and_then(|e| e.code.clone());
    let message = error.as_ref().and_then(|e| e.message.clone());
    match status {
        StatusCode::UNAUTHORIZED => ProviderError::KeyRejected {
            provider,
            expired: code.as_deref() == Some("api_key_expired"),
            request_id,
        },
        StatusCode::FORBIDDEN => {
            let message = message.as_deref().unwrap_or_default();
            ProviderError::MissingPermissions {
                provider,
                permissions: vec![named_permission(message)
                    .unwrap_or(endpoint.permission())
                    .to_owned()],
                account: named_account(message).map(str::to_owned),
            }
        }
        StatusCode::NOT_FOUND if id.is_some() => ProviderError::NotFound {
            provider,
            object: "invoice",
            id: id.unwrap_or_default().to_owned(),
        },
        StatusCode::TOO_MANY_REQUESTS => ProviderError::RateLimited { provider, attempts },
        s if s.is_server_error() => ProviderError::ServerError {
            provider,
            status: s.as_u16(),
            attempts,
            request_id,
        },
        s => ProviderError::Rejected {
            provider,
            status: s.as_u16(),
            code,
            message: message
                .unwrap_or_else(|| s.canonical_reason().unwrap_or("no reason given").to_owned()),
            param: error.and_then(|e| e.param),
            request_id,
        },
    }
}

/// The word starting with `prefix` in `text` (ids and permission names are
/// `[a-z0-9_]`, quoted or not).
fn word_starting_with<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let start = text.find(prefix)?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    Some(&rest[..end]).filter(|word| word.len() > prefix.len())
}

/// Stripe's 403 names the permission: "…Having the 'rak_invoice_read'
/// permission would allow this request to continue."
pub(crate) fn named_permission(message: &str) -> Option<&str> {
    word_starting_with(message, "rak_")
}

/// …and the account: "…for this endpoint on account 'acct_1Abc'."
pub(crate) fn named_account(message: &str) -> Option<&str> {
    word_starting_with(message, "acct_")
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Stripe's default rate limits for a key's mode (reference §7): 25
/// requests/s in test mode and 100/s in live mode per account, and 25/s
/// per endpoint in both. Counted over 1.1 s so that arrival jitter never
/// shows Stripe a 26th request inside one second.
pub(crate) fn default_budget(mode: super::StripeMode) -> RateBudget {
    RateBudget {
        global: match mode {
            super::StripeMode::Test => 25,
            super::StripeMode::Live => 100,
        },
        per_endpoint: 25,
        window: Duration::from_millis(1_100),
    }
}

/// A configured connection to one Stripe account.
pub(crate) struct Transport {
    http: reqwest::Client,
    base: Url,
    auth: HeaderValue,
    limiter: RateLimiter,
    retry: RetryPolicy,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl Transport {
    pub(crate) fn new(
        base: Url,
        key: &StripeKey,
        timeout: Duration,
        retry: RetryPolicy,
        budget: RateBudget,
    ) -> Result<Transport, ProviderError> {
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                ProviderError::StripeKey {
                    problem: crate::error::KeyProblem::Malformed,
                }
            })?;
        auth.set_sensitive(true);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("Casebridge/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| ProviderError::HttpClient { source })?;
        Ok(Transport {
            http,
            base,
            auth,
            limiter: RateLimiter::new(budget),
            retry: RetryPolicy {
                max_attempts: retry.max_attempts.max(1),
                ..retry
            },
        })
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// GETs `segments` with `query` and parses the body as `T`, retrying
    /// whatever may pass next time. `on_wait` hears of every pause for the
    /// rate limit (our pacing or a 429 backoff) before it starts.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        endpoint: Endpoint,
        segments: &[&str],
        query: &[(&str, String)],
        id: Option<&str>,
        on_wait: &(dyn Fn(Duration) + Send + Sync),
    ) -> Result<T, ProviderError> {
        let url = self.url(segments);
        let mut attempt_no = 0;
        loop {
            attempt_no += 1;
            self.limiter.acquire(endpoint.label(), on_wait).await;
            let attempt = match self.attempt::<T>(&url, query).await {
                Ok(value) => return Ok(value),
                Err(attempt) => attempt,
            };
            if attempt_no >= self.retry.max_attempts || !attempt.retryable() {
                return Err(attempt.into_error(endpoint, id, attempt_no));
            }
            let asked = attempt.retry_after;
            if asked.is_some_and(|asked| asked > self.retry.max_retry_after) {
                return Err(attempt.into_error(endpoint, id, attempt_no));
            }
            let pause = self.retry.backoff(attempt_no, asked, rand::random::<f64>());
            tracing::debug!(
                endpoint = endpoint.label(),
                attempt = attempt_no,
                ?pause,
                failure = ?attempt.failure,
                "retrying Stripe request"
            );
            if attempt.is_rate_limit() {
                on_wait(pause);
            }
            tokio::time::sleep(pause).await;
        }
    }

    async fn attempt<T: DeserializeOwned>(
        &self,
        url: &Url,
        query: &[(&str, String)],
    ) -> Result<T, Attempt> {
        let transport_failure = |e: reqwest::Error| Attempt {
            failure: if e.is_timeout() {
                Failure::Timeout(e)
            } else {
                Failure::Transport(e)
            },
            should_retry: None,
            retry_after: None,
        };
        let response = self
            .http
            .get(url.clone())
            .header(AUTHORIZATION, self.auth.clone())
            .header("Stripe-Version", API_VERSION)
            .query(query)
            .send()
            .await
            .map_err(transport_failure)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport_failure)?;
        let should_retry = match header_text(&headers, "stripe-should-retry").as_deref() {
            Some("true") => Some(true),
            Some("false") => Some(false),
            _ => None,
        };
        if status.is_success() {
            return serde_json::from_slice(&body).map_err(|e| Attempt {
                failure: Failure::Malformed(e),
                should_retry,
                retry_after: None,
            });
        }
        // Gateways answer 5xx in HTML: a missing JSON body is normal there.
        let error = serde_json::from_slice::<ErrorEnvelope>(&body)
            .ok()
            .map(|envelope| envelope.error);
        Err(Attempt {
            failure: Failure::Status {
                status,
                error,
                request_id: header_text(&headers, "request-id"),
            },
            should_retry,
            retry_after: retry_after(&headers),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_and_account_are_read_from_stripes_403_message() {
        // The shape of Stripe's message (stripe-node issue #2246), with a
        // masked sandbox key.
        let message = "The provided key 'rk_test_*****only' does not have the required permissions for this endpoint on account 'acct_1CasebridgeDemo'. Having the 'rak_customer_read' permission would allow this request to continue.";
        assert_eq!(named_permission(message), Some("rak_customer_read"));
        assert_eq!(named_account(message), Some("acct_1CasebridgeDemo"));
        assert_eq!(named_permission("no permission named"), None);
        assert_eq!(named_account("ends with acct_"), None);
    }

    fn attempt(status: u16, should_retry: Option<bool>) -> Attempt {
        Attempt {
            failure: Failure::Status {
                status: StatusCode::from_u16(status).expect("status"),
                error: None,
                request_id: None,
            },
            should_retry,
            retry_after: None,
        }
    }

    #[test]
    fn stripe_should_retry_overrides_the_status_rule() {
        assert!(attempt(500, None).retryable());
        assert!(attempt(429, None).retryable());
        assert!(attempt(409, None).retryable());
        assert!(!attempt(400, None).retryable());
        assert!(!attempt(500, Some(false)).retryable(), "Stripe said no");
        assert!(!attempt(429, Some(false)).retryable(), "Stripe said no");
        assert!(attempt(400, Some(true)).retryable(), "Stripe said yes");
    }

    #[test]
    fn a_403_without_a_named_permission_falls_back_to_the_endpoints() {
        let err = status_error(
            StatusCode::FORBIDDEN,
            None,
            None,
            Endpoint::ListCustomers,
            None,
            1,
        );
        match err {
            ProviderError::MissingPermissions {
                permissions,
                account,
                ..
            } => {
                assert_eq!(permissions, vec!["rak_customer_read".to_owned()]);
                assert_eq!(account, None);
            }
            other => panic!("expected MissingPermissions, got {other:?}"),
        }
    }

    #[test]
    fn an_expired_key_is_told_apart_from_a_wrong_one() {
        let expired = WireError {
            code: Some("api_key_expired".into()),
            message: Some("Expired API Key provided: rk_test_****only".into()),
            param: None,
        };
        let err = status_error(
            StatusCode::UNAUTHORIZED,
            Some(expired),
            None,
            Endpoint::ListInvoices,
            None,
            1,
        );
        assert_eq!(err.code(), "provider_key_expired");
        assert!(
            !err.to_string().contains("rk_test"),
            "Stripe's echo of the key is never repeated: {err}"
        );
    }
}
