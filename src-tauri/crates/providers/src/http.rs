//! HTTP plumbing every source client shares: which base URLs may carry a
//! key, and how long to back off before a retry.

use std::net::IpAddr;
use std::time::Duration;

use casebridge_domain::Provider;
use url::{Host, Url};

use crate::error::ProviderError;

/// How often and how patiently a failed read is repeated.
///
/// Only reads go through it (this crate never writes), so every failure
/// that may pass next time is retried: timeouts, dropped connections, 5xx,
/// 429 and truncated bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included (1 = never retry).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubles with each further one.
    pub base_delay: Duration,
    /// Backoff never grows beyond this.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for (the request
    /// fails instead), as Stripe's own SDK does beyond 60 s.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub const NO_RETRIES: RetryPolicy = RetryPolicy {
        max_attempts: 1,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
        max_retry_after: Duration::ZERO,
    };

    /// The pause before retry number `retry` (1 = the first retry).
    ///
    /// "Equal jitter": half the exponential backoff plus a random part of
    /// the other half (`jitter` in 0..=1), so many parallel slices that hit
    /// the same 5xx do not come back in lockstep. A wait the server asked
    /// for is a floor.
    pub(crate) fn backoff(&self, retry: u32, asked: Option<Duration>, jitter: f64) -> Duration {
        let doublings = retry.saturating_sub(1).min(16);
        let full = self
            .base_delay
            .saturating_mul(1_u32 << doublings)
            .min(self.max_delay);
        let jittered = full.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0));
        asked.map_or(jittered, |asked| asked.max(jittered))
    }
}

/// Parses a source's base URL. A key may only travel over HTTPS, or over
/// plain HTTP to this machine (the sandbox on 127.0.0.1).
pub(crate) fn base_url(provider: Provider, raw: &str) -> Result<Url, ProviderError> {
    let bad = |problem| ProviderError::InvalidBaseUrl {
        provider,
        url: raw.to_owned(),
        problem,
    };
    let url = Url::parse(raw.trim()).map_err(|_| bad("it is not a URL"))?;
    let loopback = match url.host() {
        Some(Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => return Err(bad("it has no host")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => return Err(bad("plain http would send the key unencrypted")),
        _ => return Err(bad("only https:// addresses are supported")),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(bad("it must not contain a query, fragment or user name"));
    }
    Ok(url)
}

/// `Retry-After` in seconds (the HTTP-date form is not used by these APIs).
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|secs| secs.is_finite() && *secs >= 0.0)
        .map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_is_capped_and_keeps_at_least_half() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1_000),
            max_retry_after: Duration::from_secs(60),
        };
        assert_eq!(policy.backoff(1, None, 1.0), Duration::from_millis(100));
        assert_eq!(policy.backoff(2, None, 1.0), Duration::from_millis(200));
        assert_eq!(policy.backoff(3, None, 0.0), Duration::from_millis(200));
        assert_eq!(policy.backoff(9, None, 1.0), Duration::from_millis(1_000));
        assert_eq!(
            policy.backoff(1, Some(Duration::from_secs(3)), 1.0),
            Duration::from_secs(3),
            "the server's Retry-After is a floor"
        );
    }

    #[test]
    fn keys_only_travel_over_https_or_to_loopback() {
        for ok in [
            "https://api.stripe.com",
            "http://127.0.0.1:4242",
            "http://localhost:1",
            "http://[::1]:8080/",
        ] {
            assert!(base_url(Provider::Stripe, ok).is_ok(), "{ok}");
        }
        for (bad, problem) in [
            ("http://api.stripe.com", "plain http"),
            ("ftp://127.0.0.1", "only https"),
            ("not a url", "not a URL"),
            ("https://api.stripe.com/?x=1", "query"),
            ("https://user@api.stripe.com", "user name"),
        ] {
            let err = base_url(Provider::Stripe, bad).expect_err(bad);
            assert_eq!(err.code(), "provider_base_url_invalid");
            assert!(err.to_string().contains(problem), "{bad}: {err}");
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_ignores_garbage() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, "2".parse().expect("header"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            "soon".parse().expect("header"),
        );
        assert_eq!(retry_after(&headers), None);
    }
}
