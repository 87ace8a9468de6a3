//! One QuickBooks GET: the bearer per request (refreshed once after a
//! 401), pacing under both rate limits, the pinned minor version, retries,
//! and turning `Fault` bodies (also those inside HTTP 200) into
//! [`ProviderError`]s.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use casebridge_domain::Provider;
use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use url::Url;

use super::wire::{FaultProbe, WireFault};
use super::MINOR_VERSION;
use crate::bearer::{with_bearer, Authorized, BearerSource, BearerToken};
use crate::error::{ProviderError, ReconnectReason};
use crate::http::{retry_after, RetryPolicy};
use crate::ratelimit::{process_wide, Pacer, RateWindow};

const PROVIDER: Provider = Provider::QuickBooks;

/// What a request reads, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    InvoicePage,
    InvoiceCount,
    CustomerPage,
    Invoice,
    CompanyInfo,
    Preferences,
}

impl Reading {
    fn what(self) -> &'static str {
        match self {
            Reading::InvoicePage => "invoice query page",
            Reading::InvoiceCount => "invoice count",
            Reading::CustomerPage => "customer query page",
            Reading::Invoice => "invoice",
            Reading::CompanyInfo => "company info",
            Reading::Preferences => "company preferences",
        }
    }
}

/// How QuickBooks answered one attempt, when not with the data.
#[derive(Debug)]
enum Failure {
    Timeout(reqwest::Error),
    Transport(reqwest::Error),
    Malformed(serde_json::Error),
    Status {
        status: StatusCode,
        fault: Option<WireFault>,
        /// `intuit_tid`, Intuit's transaction id for support.
        request_id: Option<String>,
    },
}

/// What a failure means for the next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// The token is expired or revoked: refresh and retry once.
    Unauthorized,
    /// Too many requests: wait and retry.
    Throttled,
    /// May pass by itself: retry with backoff.
    Transient,
    /// Retrying cannot help.
    Final,
}

fn fault_type(fault: Option<&WireFault>) -> &str {
    fault.and_then(|f| f.kind.as_deref()).unwrap_or_default()
}

fn fault_code(fault: Option<&WireFault>) -> &str {
    fault
        .and_then(|f| f.errors.first())
        .and_then(|e| e.code.as_deref())
        .unwrap_or_default()
        .trim_start_matches('0')
}

fn classify(failure: &Failure) -> Class {
    let Failure::Status { status, fault, .. } = failure else {
        return Class::Transient;
    };
    let fault = fault.as_ref();
    let kind = fault_type(fault);
    let code = fault_code(fault);
    let authentication = kind.eq_ignore_ascii_case("AuthenticationFault")
        || kind.eq_ignore_ascii_case("AUTHENTICATION")
        || code == "3200";
    if (*status == StatusCode::UNAUTHORIZED && code != "120") || authentication {
        return Class::Unauthorized;
    }
    if *status == StatusCode::TOO_MANY_REQUESTS || code == "3001" {
        return Class::Throttled;
    }
    if status.is_server_error() || kind.eq_ignore_ascii_case("SystemFault") {
        return Class::Transient;
    }
    Class::Final
}

/// "Message: Detail", or whichever there is.
fn fault_message(fault: Option<&WireFault>, status: StatusCode) -> String {
    let error = fault.and_then(|f| f.errors.first());
    let message = error.and_then(|e| e.message.as_deref()).map(str::trim);
    let detail = error.and_then(|e| e.detail.as_deref()).map(str::trim);
    match (message, detail) {
        (Some(m), Some(d)) if !d.is_empty() && d != m => format!("{m}: {d}"),
        (Some(m), _) if !m.is_empty() => m.to_owned(),
        (_, Some(d)) if !d.is_empty() => d.to_owned(),
        _ => status
            .canonical_reason()
            .unwrap_or("no reason given")
            .to_owned(),
    }
}

fn into_error(
    failure: Failure,
    reading: Reading,
    id: Option<&str>,
    attempts: u32,
) -> ProviderError {
    match failure {
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
            what: reading.what(),
            attempts,
            source,
        },
        Failure::Status {
            status,
            fault,
            request_id,
        } => {
            let fault = fault.as_ref();
            let code = fault_code(fault);
            if code == "120" || fault_type(fault).eq_ignore_ascii_case("AuthorizationFault") {
                return ProviderError::NeedsReconnect {
                    provider: PROVIDER,
                    reason: ReconnectReason::AccessRevoked,
                };
            }
            match classify(&Failure::Status {
                status,
                fault: fault.cloned(),
                request_id: None,
            }) {
                Class::Unauthorized => ProviderError::NeedsReconnect {
                    provider: PROVIDER,
                    reason: ReconnectReason::TokenRefused,
                },
                Class::Throttled => ProviderError::RateLimited {
                    provider: PROVIDER,
                    attempts,
                },
                Class::Transient => ProviderError::ServerError {
                    provider: PROVIDER,
                    status: status.as_u16(),
                    attempts,
                    request_id,
                },
                Class::Final if status == StatusCode::NOT_FOUND || code == "610" => match id {
                    Some(id) => ProviderError::NotFound {
                        provider: PROVIDER,
                        object: "invoice",
                        id: id.to_owned(),
                    },
                    None => rejected(status, fault, request_id),
                },
                Class::Final => rejected(status, fault, request_id),
            }
        }
    }
}

fn rejected(
    status: StatusCode,
    fault: Option<&WireFault>,
    request_id: Option<String>,
) -> ProviderError {
    let error = fault.and_then(|f| f.errors.first());
    ProviderError::Rejected {
        provider: PROVIDER,
        status: status.as_u16(),
        code: error.and_then(|e| e.code.clone()),
        message: fault_message(fault, status),
        param: error
            .and_then(|e| e.element.clone())
            .filter(|e| !e.is_empty()),
        request_id,
    }
}

/// The fault in a body, if any (gateways answer 5xx and some 401s without
/// JSON: no fault then), and the value when the answer is a success
/// without one.
fn decode<T: DeserializeOwned>(
    success: bool,
    body: &[u8],
) -> (Option<WireFault>, Option<Result<T, serde_json::Error>>) {
    let fault = serde_json::from_slice::<FaultProbe>(body)
        .ok()
        .and_then(|probe| probe.fault);
    let value = (success && fault.is_none()).then(|| serde_json::from_slice(body));
    (fault, value)
}

/// Pacing and retries of one [`super::QuickBooksClient`].
#[derive(Debug, Clone)]
pub(crate) struct TransportOptions {
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub windows: Vec<RateWindow>,
    /// The pause after a 429 that names no `Retry-After`.
    pub throttle_wait: Duration,
}

/// The pacer of each company (and pacing) this process talks to, shared by every client for
/// it (see [`process_wide`]).
fn shared_pacer(company: &Url, windows: &[RateWindow]) -> Arc<Pacer> {
    type Key = (String, Vec<(u32, Duration)>);
    static PACERS: OnceLock<Mutex<HashMap<Key, Arc<Pacer>>>> = OnceLock::new();
    let key = (
        company.as_str().to_owned(),
        windows.iter().map(|w| (w.limit, w.window)).collect(),
    );
    process_wide(&PACERS, key, || Pacer::new(windows))
}

/// A configured connection to one QuickBooks company (realm).
pub(crate) struct Transport {
    http: reqwest::Client,
    company: Url,
    pacer: Arc<Pacer>,
    retry: RetryPolicy,
    throttle_wait: Duration,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("company", &self.company.as_str())
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// `base` is the API host; requests go to `{base}/v3/company/{realm}/…`.
    pub(crate) fn new(
        base: &Url,
        realm_id: &str,
        options: TransportOptions,
    ) -> Result<Transport, ProviderError> {
        let mut company = base.clone();
        if let Ok(mut path) = company.path_segments_mut() {
            path.pop_if_empty().extend(["v3", "company", realm_id]);
        }
        let http = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("Casebridge/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| ProviderError::HttpClient { source })?;
        Ok(Transport {
            http,
            pacer: shared_pacer(&company, &options.windows),
            company,
            retry: RetryPolicy {
                max_attempts: options.retry.max_attempts.max(1),
                ..options.retry
            },
            throttle_wait: options.throttle_wait,
        })
    }

    /// `{base}/v3/company/{realm}/{segments…}?{query}&minorversion=75`.
    /// Spaces in the query language travel as `%20`, not `+`.
    fn url(&self, segments: &[&str], query: Option<&str>) -> Url {
        let mut url = self.company.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.extend(segments);
        }
        let mut text = String::new();
        if let Some(query) = query {
            text.push_str("query=");
            text.extend(url::form_urlencoded::byte_serialize(query.as_bytes()));
            text = text.replace('+', "%20");
            text.push('&');
        }
        text.push_str(&format!("minorversion={MINOR_VERSION}"));
        url.set_query(Some(&text));
        url
    }

    /// Runs a query-language statement.
    pub(crate) async fn query<T: DeserializeOwned + Send + 'static>(
        &self,
        bearer: &dyn BearerSource,
        statement: &str,
        reading: Reading,
        on_wait: &(dyn Fn(Duration) + Send + Sync),
    ) -> Result<T, ProviderError> {
        let url = self.url(&["query"], Some(statement));
        tracing::trace!(statement, "QuickBooks query");
        self.get(bearer, &url, reading, None, on_wait).await
    }

    /// Reads `segments` under the company (`invoice/{id}`, `preferences`).
    pub(crate) async fn read<T: DeserializeOwned + Send + 'static>(
        &self,
        bearer: &dyn BearerSource,
        segments: &[&str],
        reading: Reading,
        id: Option<&str>,
    ) -> Result<T, ProviderError> {
        let url = self.url(segments, None);
        self.get(bearer, &url, reading, id, &|_| {}).await
    }

    async fn get<T: DeserializeOwned + Send + 'static>(
        &self,
        bearer: &dyn BearerSource,
        url: &Url,
        reading: Reading,
        id: Option<&str>,
        on_wait: &(dyn Fn(Duration) + Send + Sync),
    ) -> Result<T, ProviderError> {
        with_bearer(bearer, PROVIDER, |token| {
            self.get_with(token, url, reading, id, on_wait)
        })
        .await
    }

    /// Retries one request with one token until it succeeds, the token is
    /// refused, or retrying cannot help.
    async fn get_with<T: DeserializeOwned + Send + 'static>(
        &self,
        token: BearerToken,
        url: &Url,
        reading: Reading,
        id: Option<&str>,
        on_wait: &(dyn Fn(Duration) + Send + Sync),
    ) -> Result<Authorized<T>, ProviderError> {
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                ProviderError::NeedsReconnect {
                    provider: PROVIDER,
                    reason: ReconnectReason::TokenRefused,
                }
            })?;
        auth.set_sensitive(true);
        let mut attempt_no = 0;
        loop {
            attempt_no += 1;
            self.pacer.acquire(on_wait).await;
            let (failure, asked) = match self.attempt::<T>(url, &auth).await {
                Ok(value) => return Ok(Authorized::Done(value)),
                Err(failed) => failed,
            };
            let class = classify(&failure);
            if class == Class::Unauthorized {
                return Ok(Authorized::Refused);
            }
            let out_of_attempts = attempt_no >= self.retry.max_attempts;
            let asked_too_long = asked.is_some_and(|a| a > self.retry.max_retry_after);
            if class == Class::Final || out_of_attempts || asked_too_long {
                return Err(into_error(failure, reading, id, attempt_no));
            }
            // QuickBooks documents no Retry-After: its advice is a minute's
            // pause, which our pacing should make rare (another app on the
            // same company spends the shared 500/min).
            let floor = match class {
                Class::Throttled => Some(asked.unwrap_or(self.throttle_wait)),
                _ => asked,
            };
            let pause = self.retry.backoff(attempt_no, floor, rand::random::<f64>());
            tracing::debug!(
                reading = reading.what(),
                attempt = attempt_no,
                ?pause,
                ?failure,
                "retrying QuickBooks request"
            );
            if class == Class::Throttled {
                on_wait(pause);
            }
            tokio::time::sleep(pause).await;
        }
    }

    async fn attempt<T: DeserializeOwned + Send + 'static>(
        &self,
        url: &Url,
        auth: &HeaderValue,
    ) -> Result<T, (Failure, Option<Duration>)> {
        let transport_failure = |e: reqwest::Error| {
            let failure = if e.is_timeout() {
                Failure::Timeout(e)
            } else {
                Failure::Transport(e)
            };
            (failure, None)
        };
        let response = self
            .http
            .get(url.clone())
            .header(AUTHORIZATION, auth.clone())
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(transport_failure)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(transport_failure)?;
        let request_id = headers
            .get("intuit_tid")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        // A page of 1,000 invoices is megabytes of JSON: parsed on the
        // blocking pool, so the requests in flight beside it keep moving.
        let success = status.is_success();
        let fallback = body.clone();
        let (fault, value) = tokio::task::spawn_blocking(move || decode::<T>(success, &body))
            .await
            .unwrap_or_else(|_| decode::<T>(success, &fallback));
        if let Some(value) = value {
            return value.map_err(|e| (Failure::Malformed(e), None));
        }
        if let Some(id) = &request_id {
            tracing::debug!(intuit_tid = %id, %status, "QuickBooks answered with an error");
        }
        Err((
            Failure::Status {
                status,
                fault,
                request_id,
            },
            retry_after(&headers),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quickbooks::wire::WireFaultError;

    fn fault(kind: &str, code: &str) -> Option<WireFault> {
        Some(WireFault {
            errors: vec![WireFaultError {
                message: Some("Message".into()),
                detail: Some("Detail".into()),
                code: Some(code.into()),
                element: None,
            }],
            kind: Some(kind.into()),
        })
    }

    fn status(code: u16, fault: Option<WireFault>) -> Failure {
        Failure::Status {
            status: StatusCode::from_u16(code).expect("status"),
            fault,
            request_id: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn clients_for_one_company_share_its_pacing() {
        let base = Url::parse("http://127.0.0.1:9").expect("url");
        let options = TransportOptions {
            timeout: Duration::from_secs(1),
            retry: RetryPolicy::default(),
            windows: vec![RateWindow {
                limit: 2,
                window: Duration::from_secs(1),
            }],
            throttle_wait: Duration::from_secs(1),
        };
        let transport = |realm: &str| Transport::new(&base, realm, options.clone()).expect("ok");
        let (first, second, other) = (transport("7001"), transport("7001"), transport("7002"));
        let no_report = |_: Duration| {};
        assert_eq!(first.pacer.acquire(&no_report).await, Duration::ZERO);
        assert_eq!(first.pacer.acquire(&no_report).await, Duration::ZERO);
        assert_eq!(
            second.pacer.acquire(&no_report).await,
            Duration::from_secs(1),
            "a second client for the company waits for the first one's window"
        );
        assert_eq!(
            other.pacer.acquire(&no_report).await,
            Duration::ZERO,
            "another company has its own"
        );
    }

    #[test]
    fn faults_are_classified_by_type_and_code_not_only_by_status() {
        assert_eq!(
            classify(&status(401, fault("AUTHENTICATION", "3200"))),
            Class::Unauthorized
        );
        assert_eq!(classify(&status(401, None)), Class::Unauthorized);
        assert_eq!(
            classify(&status(200, fault("AuthenticationFault", "3200"))),
            Class::Unauthorized
        );
        assert_eq!(classify(&status(429, None)), Class::Throttled);
        assert_eq!(
            classify(&status(400, fault("SERVICE", "003001"))),
            Class::Throttled
        );
        assert_eq!(
            classify(&status(200, fault("SystemFault", "10000"))),
            Class::Transient
        );
        assert_eq!(classify(&status(503, None)), Class::Transient);
        assert_eq!(
            classify(&status(200, fault("ValidationFault", "4001"))),
            Class::Final
        );
        assert_eq!(
            classify(&status(401, fault("AuthorizationFault", "120"))),
            Class::Final
        );
    }

    #[test]
    fn a_lost_authorization_asks_for_a_reconnect_not_a_refresh() {
        let err = into_error(
            status(401, fault("AuthorizationFault", "120")),
            Reading::InvoicePage,
            None,
            1,
        );
        assert!(matches!(
            err,
            ProviderError::NeedsReconnect {
                reason: ReconnectReason::AccessRevoked,
                ..
            }
        ));
    }

    #[test]
    fn a_validation_fault_in_a_200_is_a_rejection_with_code_and_detail() {
        let err = into_error(
            status(200, fault("ValidationFault", "4001")),
            Reading::InvoicePage,
            None,
            1,
        );
        match &err {
            ProviderError::Rejected {
                status,
                code,
                message,
                ..
            } => {
                assert_eq!(*status, 200);
                assert_eq!(code.as_deref(), Some("4001"));
                assert_eq!(message, "Message: Detail");
            }
            other => panic!("expected Rejected, got {other:?}"),
        }
        assert_eq!(err.code(), "provider_rejected_request");
    }

    #[test]
    fn object_not_found_on_a_read_names_the_invoice() {
        let err = into_error(
            status(400, fault("ValidationFault", "610")),
            Reading::Invoice,
            Some("42"),
            1,
        );
        assert_eq!(err.code(), "provider_not_found");
        assert!(err.to_string().contains("42"), "{err}");
    }
}
