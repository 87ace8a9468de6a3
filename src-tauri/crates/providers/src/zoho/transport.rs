//! One Zoho Books GET: pacing per organization, the bearer token (refresh
//! once on 401), retries, the `{code, message}` envelope (a non-zero code is
//! an error whatever the HTTP status) and the daily quota headers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use casebridge_domain::Provider;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use url::Url;

use super::wire::Envelope;
use crate::bearer::{with_bearer, Authorized, BearerSource, BearerToken};
use crate::error::{ProviderError, ReconnectReason};
use crate::fetch::DailyQuota;
use crate::http::{retry_after, RetryPolicy};
use crate::ratelimit::{process_wide, RateBudget, RateLimiter};

const PROVIDER: Provider = Provider::Zoho;

/// Codes with a meaning we act on. The reference confirms only 0, 1000 and
/// 1002; the others come from third-party lists (reference §8) or the
/// brief, and each is also recognised by its HTTP status where it has one.
mod code {
    /// Invalid or expired OAuth token.
    pub const INVALID_TOKEN: i64 = 14;
    /// Too many requests (per minute or per day).
    pub const TOO_MANY_REQUESTS: i64 = 45;
    /// Not authorized (token valid, but not for this: scope, organization).
    pub const NOT_AUTHORIZED: i64 = 57;
    /// Internal error.
    pub const INTERNAL: i64 = 1000;
    /// The record does not exist.
    pub const NOT_FOUND: i64 = 1002;
    /// The user is not a member of that organization.
    pub const NOT_IN_ORGANIZATION: i64 = 6041;
}

/// The endpoints we call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Endpoint {
    Organizations,
    ListInvoices,
    GetInvoice,
    ListContacts,
    GetContact,
}

impl Endpoint {
    fn label(self) -> &'static str {
        match self {
            Endpoint::Organizations => "GET /organizations",
            Endpoint::ListInvoices => "GET /invoices",
            Endpoint::GetInvoice => "GET /invoices/{id}",
            Endpoint::ListContacts => "GET /contacts",
            Endpoint::GetContact => "GET /contacts/{id}",
        }
    }

    fn reading(self) -> &'static str {
        match self {
            Endpoint::Organizations => "organization list",
            Endpoint::ListInvoices => "invoice list page",
            Endpoint::GetInvoice => "invoice",
            Endpoint::ListContacts => "contact list page",
            Endpoint::GetContact => "contact",
        }
    }

    fn object(self) -> &'static str {
        match self {
            Endpoint::GetContact | Endpoint::ListContacts => "contact",
            _ => "invoice",
        }
    }
}

/// Zoho's documented limit, 100 requests per minute per organization,
/// counted over 61 s so that arrival jitter never shows Zoho a 101st
/// request inside its minute.
pub(crate) fn default_budget() -> RateBudget {
    RateBudget {
        global: 100,
        per_endpoint: 100,
        window: Duration::from_secs(61),
    }
}

/// Why one attempt failed, kept until we know whether it was the last.
#[derive(Debug)]
enum Failure {
    Timeout(reqwest::Error),
    Transport(reqwest::Error),
    Malformed(serde_json::Error),
    /// HTTP 429 or code 45.
    Throttled {
        daily_exhausted: bool,
    },
    Server {
        status: u16,
    },
    /// Not worth repeating.
    Final(ProviderError),
}

#[derive(Debug)]
struct Attempt {
    failure: Failure,
    retry_after: Option<Duration>,
}

impl Attempt {
    fn retryable(&self) -> bool {
        match &self.failure {
            Failure::Timeout(_) | Failure::Transport(_) | Failure::Malformed(_) => true,
            Failure::Server { .. } => true,
            Failure::Throttled { daily_exhausted } => !daily_exhausted,
            Failure::Final(_) => false,
        }
    }

    fn into_error(
        self,
        endpoint: Endpoint,
        attempts: u32,
        quota: Option<QuotaState>,
    ) -> ProviderError {
        match self.failure {
            Failure::Timeout(source) => ProviderError::Timeout {
                provider: PROVIDER,
                attempts,
                source,
            },
            Failure::Transport(source) => ProviderError::Unreachable {
                provider: PROVIDER,
                attempts,
                source,
            },
            Failure::Malformed(source) => ProviderError::MalformedResponse {
                provider: PROVIDER,
                what: endpoint.reading(),
                attempts,
                source,
            },
            Failure::Throttled {
                daily_exhausted: true,
            } => daily_limit(quota),
            Failure::Throttled {
                daily_exhausted: false,
            } => ProviderError::RateLimited {
                provider: PROVIDER,
                attempts,
            },
            Failure::Server { status } => ProviderError::ServerError {
                provider: PROVIDER,
                status,
                attempts,
                request_id: None,
            },
            Failure::Final(error) => error,
        }
    }
}

fn daily_limit(quota: Option<QuotaState>) -> ProviderError {
    ProviderError::DailyLimitReached {
        provider: PROVIDER,
        limit: quota.and_then(|q| q.limit),
        resets_in_secs: quota.and_then(|q| q.reset_secs),
    }
}

/// What `X-Rate-Limit-*` said last, plus our own count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct QuotaState {
    /// Requests this client sent to the organization that Zoho answered.
    pub sent: u64,
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    pub reset_secs: Option<u64>,
}

impl QuotaState {
    pub(crate) fn public(self) -> DailyQuota {
        let used = match (self.limit, self.remaining) {
            (Some(limit), Some(remaining)) => limit.saturating_sub(remaining),
            _ => self.sent,
        };
        DailyQuota {
            used,
            limit: self.limit,
            resets_in_secs: self.reset_secs,
        }
    }

    fn exhausted(self) -> bool {
        self.remaining == Some(0)
    }
}

fn header_number(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// The client's connection: HTTP, base URL, retries, and per-organization
/// pacing and quota.
pub(crate) struct Transport {
    http: reqwest::Client,
    base: Url,
    retry: RetryPolicy,
    budget: RateBudget,
    quotas: Mutex<HashMap<String, QuotaState>>,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

/// One GET: which endpoint, its path under `/books/v3`, the organization
/// (absent only for `/organizations`), the query, and the id it names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    pub endpoint: Endpoint,
    pub segments: &'a [&'a str],
    pub organization_id: Option<&'a str>,
    pub query: &'a [(&'a str, String)],
    pub id: Option<&'a str>,
}

/// The organization a request counts against; `/organizations` counts
/// against the user.
const USER_SCOPE: &str = "";

impl Transport {
    pub(crate) fn new(
        base: Url,
        timeout: Duration,
        retry: RetryPolicy,
        budget: RateBudget,
    ) -> Result<Transport, ProviderError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("Casebridge/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| ProviderError::HttpClient { source })?;
        Ok(Transport {
            http,
            base,
            retry: RetryPolicy {
                max_attempts: retry.max_attempts.max(1),
                ..retry
            },
            budget,
            quotas: Mutex::new(HashMap::new()),
        })
    }

    /// The pacing of one organization at this API domain, shared by every client in the
    /// process (see [`process_wide`]).
    fn limiter(&self, scope: &str) -> Arc<RateLimiter> {
        type Key = (String, String, u32, u32, Duration);
        static LIMITERS: OnceLock<Mutex<HashMap<Key, Arc<RateLimiter>>>> = OnceLock::new();
        let key = (
            self.base.as_str().to_owned(),
            scope.to_owned(),
            self.budget.global,
            self.budget.per_endpoint,
            self.budget.window,
        );
        process_wide(&LIMITERS, key, || RateLimiter::new(self.budget))
    }

    /// The quota of `organization_id` as last seen.
    pub(crate) fn quota(&self, organization_id: &str) -> Option<QuotaState> {
        self.quotas
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(organization_id)
            .copied()
    }

    fn note_quota(&self, scope: &str, headers: &HeaderMap) {
        let mut quotas = self.quotas.lock().unwrap_or_else(PoisonError::into_inner);
        let quota = quotas.entry(scope.to_owned()).or_default();
        quota.sent += 1;
        if let Some(limit) = header_number(headers, "x-rate-limit-limit") {
            quota.limit = Some(limit);
        }
        if let Some(remaining) = header_number(headers, "x-rate-limit-remaining") {
            quota.remaining = Some(remaining);
        }
        if let Some(reset) = header_number(headers, "x-rate-limit-reset") {
            quota.reset_secs = Some(reset);
        }
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// Makes `call`, refreshing the token once on 401 and retrying whatever
    /// may pass next time. `on_wait` hears of every pause for the rate
    /// limit.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        bearer: &dyn BearerSource,
        call: Call<'_>,
        on_wait: &(dyn Fn(Duration) + Send + Sync),
    ) -> Result<T, ProviderError> {
        let Call {
            endpoint,
            segments,
            organization_id,
            query,
            id,
        } = call;
        let url = self.url(segments);
        let scope = organization_id.unwrap_or(USER_SCOPE);
        let mut full_query: Vec<(&str, String)> = Vec::with_capacity(query.len() + 1);
        if let Some(org) = organization_id {
            full_query.push(("organization_id", org.to_owned()));
        }
        full_query.extend(query.iter().cloned());
        let limiter = self.limiter(scope);
        let mut attempt_no = 0;
        loop {
            attempt_no += 1;
            if self.quota(scope).is_some_and(QuotaState::exhausted) {
                // Zoho said the day's quota is gone: asking again only
                // spends the next day's.
                return Err(daily_limit(self.quota(scope)));
            }
            let outcome = with_bearer(bearer, PROVIDER, |token| {
                let (url, query, limiter) = (&url, &full_query, &limiter);
                async move {
                    limiter.acquire(endpoint.label(), on_wait).await;
                    Ok(self
                        .attempt::<T>(url, query, &token, scope, endpoint, id)
                        .await)
                }
            })
            .await?;
            let attempt = match outcome {
                Ok(value) => return Ok(value),
                Err(attempt) => attempt,
            };
            let give_up = attempt_no >= self.retry.max_attempts
                || !attempt.retryable()
                || attempt
                    .retry_after
                    .is_some_and(|asked| asked > self.retry.max_retry_after);
            if give_up {
                return Err(attempt.into_error(endpoint, attempt_no, self.quota(scope)));
            }
            let pause = self
                .retry
                .backoff(attempt_no, attempt.retry_after, rand::random::<f64>());
            tracing::debug!(
                endpoint = endpoint.label(),
                attempt = attempt_no,
                ?pause,
                failure = ?attempt.failure,
                "retrying Zoho request"
            );
            if matches!(attempt.failure, Failure::Throttled { .. }) {
                on_wait(pause);
            }
            tokio::time::sleep(pause).await;
        }
    }

    /// One request. `Refused` for a token Zoho does not accept (401, or
    /// code 14 at any status); every other outcome is `Done`.
    async fn attempt<T: DeserializeOwned>(
        &self,
        url: &Url,
        query: &[(&str, String)],
        token: &BearerToken,
        scope: &str,
        endpoint: Endpoint,
        id: Option<&str>,
    ) -> Authorized<Result<T, Attempt>> {
        let transport_failure = |e: reqwest::Error| Attempt {
            failure: if e.is_timeout() {
                Failure::Timeout(e)
            } else {
                Failure::Transport(e)
            },
            retry_after: None,
        };
        let Ok(mut auth) = HeaderValue::from_str(&format!("Zoho-oauthtoken {}", token.expose()))
        else {
            // A token with control characters can never be sent: the
            // source has to produce a new one.
            return Authorized::Refused;
        };
        auth.set_sensitive(true);
        let sent = self
            .http
            .get(url.clone())
            .header(AUTHORIZATION, auth)
            .query(query)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(e) => return Authorized::Done(Err(transport_failure(e))),
        };
        let status = response.status();
        let headers = response.headers().clone();
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(e) => return Authorized::Done(Err(transport_failure(e))),
        };
        if status != StatusCode::UNAUTHORIZED {
            self.note_quota(scope, &headers);
        }
        let envelope = serde_json::from_slice::<Envelope>(&body);
        let code = envelope.as_ref().ok().map(|e| e.code);
        if status == StatusCode::UNAUTHORIZED || code == Some(code::INVALID_TOKEN) {
            return Authorized::Refused;
        }
        let fail = |failure| {
            Authorized::Done(Err(Attempt {
                failure,
                retry_after: retry_after(&headers),
            }))
        };
        if status == StatusCode::TOO_MANY_REQUESTS || code == Some(code::TOO_MANY_REQUESTS) {
            let daily_exhausted = self.quota(scope).is_some_and(QuotaState::exhausted);
            return fail(Failure::Throttled { daily_exhausted });
        }
        if status.is_server_error() || code == Some(code::INTERNAL) {
            return fail(Failure::Server {
                status: status.as_u16(),
            });
        }
        match envelope {
            Ok(Envelope { code: 0, .. }) if status.is_success() => {
                Authorized::Done(serde_json::from_slice(&body).map_err(|e| Attempt {
                    failure: Failure::Malformed(e),
                    retry_after: None,
                }))
            }
            Ok(Envelope { code, message }) => fail(Failure::Final(code_error(
                status, code, message, endpoint, id,
            ))),
            // A success without an envelope is a broken body (truncated,
            // a proxy's page); an error without one is the status alone.
            Err(e) if status.is_success() => fail(Failure::Malformed(e)),
            Err(_) => fail(Failure::Final(code_error(status, 0, None, endpoint, id))),
        }
    }
}

/// A refusal with Zoho's code (0 = none was sent) turned into our error.
fn code_error(
    status: StatusCode,
    code: i64,
    message: Option<String>,
    endpoint: Endpoint,
    id: Option<&str>,
) -> ProviderError {
    if code == code::NOT_AUTHORIZED
        || code == code::NOT_IN_ORGANIZATION
        || status == StatusCode::FORBIDDEN
    {
        return ProviderError::NeedsReconnect {
            provider: PROVIDER,
            reason: ReconnectReason::AccessRevoked,
        };
    }
    if let Some(id) = id {
        if code == code::NOT_FOUND || status == StatusCode::NOT_FOUND {
            return ProviderError::NotFound {
                provider: PROVIDER,
                object: endpoint.object(),
                id: id.to_owned(),
            };
        }
    }
    ProviderError::Rejected {
        provider: PROVIDER,
        status: status.as_u16(),
        code: (code != 0).then(|| code.to_string()),
        message: message.filter(|m| !m.trim().is_empty()).unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_owned()
        }),
        param: None,
        request_id: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn clients_for_one_organization_share_its_pacing() {
        let budget = RateBudget {
            global: 2,
            per_endpoint: 2,
            window: Duration::from_secs(60),
        };
        let transport = || {
            Transport::new(
                Url::parse("http://127.0.0.1:9/zoho-pacing-test").expect("url"),
                Duration::from_secs(1),
                RetryPolicy::default(),
                budget,
            )
            .expect("transport")
        };
        let (first, second) = (transport(), transport());
        let no_report = |_: Duration| {};
        for _ in 0..2 {
            assert_eq!(first.limiter("org-1").acquire("list", &no_report).await, Duration::ZERO);
        }
        assert_eq!(
            second.limiter("org-1").acquire("list", &no_report).await,
            Duration::from_secs(60),
            "a second client for the organization waits for the first one's minute"
        );
        assert_eq!(
            second.limiter("org-2").acquire("list", &no_report).await,
            Duration::ZERO,
            "another organization has its own"
        );
    }

    #[test]
    fn not_authorized_and_foreign_organizations_need_a_reconnect() {
        for (status, code) in [(200, 57), (200, 6041), (403, 0)] {
            let err = code_error(
                StatusCode::from_u16(status).expect("status"),
                code,
                Some("You are not authorized to perform this operation".into()),
                Endpoint::ListInvoices,
                None,
            );
            assert_eq!(err.code(), "provider_reconnect_needed", "{status}/{code}");
        }
    }

    #[test]
    fn unknown_codes_keep_zohos_code_and_message() {
        let err = code_error(
            StatusCode::OK,
            2,
            Some("Invalid value passed for organization_id".into()),
            Endpoint::ListInvoices,
            None,
        );
        match err {
            ProviderError::Rejected {
                status,
                code,
                message,
                ..
            } => {
                assert_eq!((status, code.as_deref()), (200, Some("2")));
                assert_eq!(message, "Invalid value passed for organization_id");
            }
            other => panic!("expected Rejected, got {other:?}"),
        }
        let missing = code_error(
            StatusCode::NOT_FOUND,
            1002,
            Some("Invoice does not exist.".into()),
            Endpoint::GetInvoice,
            Some("42"),
        );
        assert_eq!(missing.code(), "provider_not_found");
    }

    #[test]
    fn the_quota_prefers_zohos_count_over_ours() {
        let ours = QuotaState {
            sent: 7,
            ..QuotaState::default()
        };
        assert_eq!(ours.public().used, 7);
        let told = QuotaState {
            sent: 7,
            limit: Some(1_000),
            remaining: Some(900),
            reset_secs: Some(60),
        };
        assert_eq!(
            told.public().used,
            100,
            "other apps count against the org too"
        );
        assert!(!told.exhausted());
    }
}
