//! Access tokens for OAuth sources (QuickBooks Online, Zoho Books), asked
//! for per request.
//!
//! An OAuth access token lives an hour; a fetch of 50,000 invoices can take
//! longer. So a client never holds "the" token: before each request it asks
//! its [`BearerSource`] for the current one, and when the provider answers
//! 401 it tells the source ([`BearerSource::refused`]), asks again, and
//! retries once. A second 401 with a fresh token means the connection
//! itself is gone: [`ProviderError::NeedsReconnect`].
//!
//! The engine implements [`BearerSource`] over the keychain and the token
//! endpoint (refresh before expiry, single-flight rotation); this crate only
//! consumes it. [`StaticBearer`] serves tests and one-off calls.
//!
//! Tokens never appear in `Debug` output, logs or errors, and are not
//! `Serialize`.

use std::fmt;
use std::future::Future;

use casebridge_domain::Provider;
use futures::future::BoxFuture;

use crate::error::{ProviderError, ReconnectReason};

/// An OAuth access token. Its `Debug` is redacted; read the secret only
/// with [`BearerToken::expose`], right where the header is built.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken(String);

impl BearerToken {
    /// Wraps a token as the token endpoint issued it.
    pub fn new(token: impl Into<String>) -> BearerToken {
        BearerToken(token.into())
    }

    /// The secret, for the `Authorization: Bearer …` header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(<redacted>)")
    }
}

/// Where a provider client gets the access token for each request.
///
/// Dyn-compatible, so clients take `&dyn BearerSource` and the engine can
/// hand in its keychain-backed implementation.
pub trait BearerSource: Send + Sync {
    /// The access token to use now (refreshed first if it is about to
    /// expire).
    ///
    /// # Errors
    /// [`ProviderError::NeedsReconnect`] when no token can be had any more
    /// (refresh token expired or revoked, never connected);
    /// [`ProviderError::TokenUnavailable`] for a passing failure (token
    /// endpoint unreachable, keychain locked).
    fn bearer(&self) -> BoxFuture<'_, Result<BearerToken, ProviderError>>;

    /// The provider answered 401 to `token`. The next [`bearer`] call must
    /// not return it again (refresh it, or fail).
    ///
    /// Parallel requests all see the same expiry, so several may report the
    /// same token: an implementation refreshes only if `token` is still its
    /// current one, which keeps a rotating refresh token from being spent
    /// twice.
    ///
    /// [`bearer`]: BearerSource::bearer
    fn refused<'a>(&'a self, token: &'a BearerToken) -> BoxFuture<'a, ()>;
}

/// A fixed token, for tests and short-lived calls. [`BearerSource::refused`]
/// does nothing, so a 401 ends in [`ProviderError::NeedsReconnect`].
#[derive(Debug, Clone)]
pub struct StaticBearer {
    token: BearerToken,
}

impl StaticBearer {
    /// Always answers `token`.
    pub fn new(token: impl Into<String>) -> StaticBearer {
        StaticBearer {
            token: BearerToken::new(token),
        }
    }
}

impl BearerSource for StaticBearer {
    fn bearer(&self) -> BoxFuture<'_, Result<BearerToken, ProviderError>> {
        let token = self.token.clone();
        Box::pin(async move { Ok(token) })
    }

    fn refused<'a>(&'a self, _token: &'a BearerToken) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// What one request made with a bearer token came to.
#[derive(Debug)]
pub enum Authorized<T> {
    /// The provider accepted the token (whatever else it answered).
    Done(T),
    /// The provider answered 401: the token is expired or revoked.
    Refused,
}

/// Runs `call` with the source's current token; after a 401 reports the
/// token as refused and runs `call` once more with a fresh one. A second
/// 401 is [`ProviderError::NeedsReconnect`] with
/// [`ReconnectReason::TokenRefused`].
///
/// `call` gets the token by value, so its future may own it.
///
/// # Errors
/// Whatever the source or `call` returns, or `NeedsReconnect`.
pub async fn with_bearer<T, F, Fut>(
    source: &dyn BearerSource,
    provider: Provider,
    mut call: F,
) -> Result<T, ProviderError>
where
    F: FnMut(BearerToken) -> Fut,
    Fut: Future<Output = Result<Authorized<T>, ProviderError>>,
{
    let token = source.bearer().await?;
    match call(token.clone()).await? {
        Authorized::Done(value) => return Ok(value),
        Authorized::Refused => source.refused(&token).await,
    }
    let fresh = source.bearer().await?;
    match call(fresh).await? {
        Authorized::Done(value) => Ok(value),
        Authorized::Refused => Err(ProviderError::NeedsReconnect {
            provider,
            reason: ReconnectReason::TokenRefused,
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let source = StaticBearer::new("eyJsecret-token");
        let shown = format!("{source:?} {:?}", BearerToken::new("eyJsecret-token"));
        assert!(!shown.contains("eyJsecret"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    /// Hands out `t1`, `t2`, … and records which tokens were refused.
    #[derive(Default)]
    struct Rotating {
        issued: AtomicU32,
        refused: Mutex<Vec<String>>,
    }

    impl BearerSource for Rotating {
        fn bearer(&self) -> BoxFuture<'_, Result<BearerToken, ProviderError>> {
            let n = self.issued.fetch_add(1, Ordering::SeqCst) + 1;
            Box::pin(async move { Ok(BearerToken::new(format!("t{n}"))) })
        }

        fn refused<'a>(&'a self, token: &'a BearerToken) -> BoxFuture<'a, ()> {
            Box::pin(async move {
                self.refused
                    .lock()
                    .expect("not poisoned")
                    .push(token.expose().to_owned());
            })
        }
    }

    #[tokio::test]
    async fn a_401_is_reported_and_retried_once_with_a_fresh_token() {
        let source = Rotating::default();
        let seen = Mutex::new(Vec::new());
        let value = with_bearer(&source, Provider::QuickBooks, |token| {
            seen.lock()
                .expect("not poisoned")
                .push(token.expose().to_owned());
            let accept = token.expose() == "t2";
            async move {
                Ok(if accept {
                    Authorized::Done(7)
                } else {
                    Authorized::Refused
                })
            }
        })
        .await
        .expect("second token accepted");
        assert_eq!(value, 7);
        assert_eq!(*seen.lock().expect("not poisoned"), vec!["t1", "t2"]);
        assert_eq!(*source.refused.lock().expect("not poisoned"), vec!["t1"]);
    }

    #[tokio::test]
    async fn a_second_401_means_the_connection_needs_reconnecting() {
        let source = Rotating::default();
        let calls = AtomicU32::new(0);
        let err = with_bearer(&source, Provider::Zoho, |_| {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Ok::<Authorized<()>, ProviderError>(Authorized::Refused) }
        })
        .await
        .expect_err("refused twice");
        assert_eq!(calls.load(Ordering::SeqCst), 2, "no third attempt");
        assert_eq!(err.code(), "provider_reconnect_needed");
        assert!(err.is_fatal());
    }

    #[tokio::test]
    async fn a_static_bearer_is_refused_for_good() {
        let err = with_bearer(&StaticBearer::new("old"), Provider::QuickBooks, |_| async {
            Ok::<Authorized<()>, ProviderError>(Authorized::Refused)
        })
        .await
        .expect_err("static token cannot be refreshed");
        assert!(
            matches!(
                err,
                ProviderError::NeedsReconnect {
                    provider: Provider::QuickBooks,
                    reason: ReconnectReason::TokenRefused
                }
            ),
            "{err:?}"
        );
    }
}
