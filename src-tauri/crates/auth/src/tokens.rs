//! Tokens in the keychain, and the refresh that keeps them valid across processes.
//!
//! A connection's tokens are one keychain entry (`<connection>/oauth_tokens`, JSON inside the
//! secret), so the access and refresh token are always replaced together.
//!
//! Why the lock file: QuickBooks rotates refresh tokens and the old one stops working. If the
//! window and the CLI both refresh with the same refresh token, one of them gets
//! `invalid_grant`, and if the loser's stale token is what ends up stored, the connection is
//! dead. [`TokenVault::refresh_if_needed`] therefore takes an exclusive lock on a file shared by
//! every Casebridge process, re-reads the stored tokens under it (someone may have refreshed
//! meanwhile), refreshes only if still needed, and stores the new set — rotated refresh token
//! included — before releasing the lock and before returning the new access token.
//!
//! `std::fs::File::lock` is `flock` on Unix and `LockFileEx` on Windows: the OS releases it when
//! a process dies, so a crash mid-refresh never leaves the lock held. Two handles of the same
//! process exclude each other too, so threads are covered by the same lock.

use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use casebridge_store::secrets::{Secret, SecretKey, SecretStore};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::client::OAuthClient;
use crate::error::{AuthError, Result};

/// The tokens of one connection. `Debug` shows only the times.
#[derive(Clone)]
pub struct TokenSet {
    pub access: Secret,
    pub refresh: Secret,
    /// When the access token stops working (computed from `expires_in` at receipt).
    pub expires_at: DateTime<Utc>,
    /// When the current refresh token was issued (QuickBooks: rolling 100 days from here).
    pub refresh_issued_at: DateTime<Utc>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access", &self.access)
            .field("refresh", &self.refresh)
            .field("expires_at", &self.expires_at)
            .field("refresh_issued_at", &self.refresh_issued_at)
            .finish()
    }
}

/// The JSON kept inside the keychain secret; private so it cannot be serialized elsewhere.
#[derive(Serialize, Deserialize)]
struct StoredTokens {
    version: u8,
    access: String,
    refresh: String,
    expires_at: DateTime<Utc>,
    refresh_issued_at: DateTime<Utc>,
}

const STORED_VERSION: u8 = 1;

impl TokenSet {
    /// Whether the access token expires within `skew` of `now` (or already has).
    pub fn needs_refresh(&self, now: DateTime<Utc>, skew: Duration) -> bool {
        now + skew >= self.expires_at
    }

    fn to_secret(&self) -> Secret {
        let stored = StoredTokens {
            version: STORED_VERSION,
            access: self.access.expose().to_owned(),
            refresh: self.refresh.expose().to_owned(),
            expires_at: self.expires_at,
            refresh_issued_at: self.refresh_issued_at,
        };
        // Strings and timestamps always serialize; the fallback keeps this infallible without
        // a panic path (and would be read back as corrupt, never as someone else's tokens).
        Secret::new(serde_json::to_string(&stored).unwrap_or_default())
    }

    /// Parses the keychain value. The serde error is dropped: its message quotes the input.
    fn from_secret(secret: &Secret, connection: &str) -> Result<Self> {
        let corrupt = || AuthError::CorruptTokens {
            connection: connection.to_owned(),
        };
        let stored: StoredTokens = serde_json::from_str(secret.expose()).map_err(|_| corrupt())?;
        if stored.version != STORED_VERSION {
            return Err(corrupt());
        }
        Ok(TokenSet {
            access: Secret::new(stored.access),
            refresh: Secret::new(stored.refresh),
            expires_at: stored.expires_at,
            refresh_issued_at: stored.refresh_issued_at,
        })
    }
}

/// Tokens of every connection, in a [`SecretStore`], with refreshes serialized by lock files
/// in `lock_dir` (the app's data directory: the same for the window and the CLI).
#[derive(Clone)]
pub struct TokenVault {
    store: Arc<dyn SecretStore>,
    lock_dir: PathBuf,
}

impl fmt::Debug for TokenVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenVault")
            .field("lock_dir", &self.lock_dir)
            .finish_non_exhaustive()
    }
}

/// Held while refreshing; dropping the file releases the OS lock.
struct RefreshLock {
    _held: File,
}

impl TokenVault {
    pub fn new(store: Arc<dyn SecretStore>, lock_dir: impl Into<PathBuf>) -> Self {
        TokenVault {
            store,
            lock_dir: lock_dir.into(),
        }
    }

    fn key(connection: &str) -> SecretKey {
        SecretKey::new(connection, "oauth_tokens")
    }

    /// The lock file of a connection; the name keeps only filename-safe characters.
    pub fn lock_path(&self, connection: &str) -> PathBuf {
        let safe: String = connection
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.lock_dir.join(format!("oauth-refresh-{safe}.lock"))
    }

    /// The stored tokens, or `None` when the connection has none.
    pub async fn load(&self, connection: &str) -> Result<Option<TokenSet>> {
        let store = self.store.clone();
        let owned = connection.to_owned();
        let secret = blocking(move || {
            store
                .get(&Self::key(&owned))
                .map_err(|source| AuthError::Keychain {
                    connection: owned,
                    source,
                })
        })
        .await?;
        secret
            .map(|s| TokenSet::from_secret(&s, connection))
            .transpose()
    }

    /// Stores a fresh sign-in's tokens (under the refresh lock, so it cannot interleave with
    /// a refresh of the same connection in another process).
    pub async fn save(&self, connection: &str, tokens: &TokenSet) -> Result<()> {
        let _lock = self.lock(connection).await?;
        self.write(connection, tokens).await
    }

    /// Removes the tokens (disconnect, or after revoking them).
    pub async fn forget(&self, connection: &str) -> Result<()> {
        let _lock = self.lock(connection).await?;
        let store = self.store.clone();
        let owned = connection.to_owned();
        blocking(move || {
            store
                .delete(&Self::key(&owned))
                .map_err(|source| AuthError::Keychain {
                    connection: owned,
                    source,
                })
        })
        .await
    }

    /// An access token valid for at least `skew` after `now`, refreshing if needed (see the
    /// module docs for the locking). `invalid_grant` → [`AuthError::NeedsReconnect`].
    pub async fn refresh_if_needed(
        &self,
        connection: &str,
        client: &OAuthClient,
        now: DateTime<Utc>,
        skew: Duration,
    ) -> Result<Secret> {
        let not_connected = || AuthError::NotConnected {
            connection: connection.to_owned(),
        };
        // Most calls find a valid token: no lock file, no contention.
        let current = self.load(connection).await?.ok_or_else(not_connected)?;
        if !current.needs_refresh(now, skew) {
            return Ok(current.access);
        }
        let _lock = self.lock(connection).await?;
        let current = self.load(connection).await?.ok_or_else(not_connected)?;
        if !current.needs_refresh(now, skew) {
            tracing::debug!(connection, "another process refreshed the tokens meanwhile");
            return Ok(current.access);
        }
        let grant = client.refresh(&current, now).await.map_err(|e| match e {
            AuthError::TokenRejected { oauth_error, .. } if oauth_error == "invalid_grant" => {
                AuthError::NeedsReconnect {
                    connection: connection.to_owned(),
                }
            }
            other => other,
        })?;
        // Stored before the lock is released and before the caller can use the access token:
        // losing a rotated refresh token would disconnect the user.
        self.write(connection, &grant.tokens).await?;
        tracing::info!(connection, "access token refreshed");
        Ok(grant.tokens.access)
    }

    async fn write(&self, connection: &str, tokens: &TokenSet) -> Result<()> {
        let store = self.store.clone();
        let owned = connection.to_owned();
        let secret = tokens.to_secret();
        blocking(move || {
            store
                .set(&Self::key(&owned), &secret)
                .map_err(|source| AuthError::Keychain {
                    connection: owned,
                    source,
                })
        })
        .await
    }

    async fn lock(&self, connection: &str) -> Result<RefreshLock> {
        let path = self.lock_path(connection);
        blocking(move || lock_file(&path).map(|file| RefreshLock { _held: file })).await
    }
}

fn lock_file(path: &Path) -> Result<File> {
    let fail = |source| AuthError::Lock {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(fail)?;
    file.lock().map_err(fail)?;
    Ok(file)
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|source| AuthError::TaskFailed { source })?
}

#[cfg(test)]
mod tests {
    use super::*;
    use casebridge_store::secrets::EphemeralSecrets;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn tokens(access: &str, refresh: &str, expires_at: DateTime<Utc>) -> TokenSet {
        TokenSet {
            access: Secret::new(access),
            refresh: Secret::new(refresh),
            expires_at,
            refresh_issued_at: t0(),
        }
    }

    #[test]
    fn needs_refresh_counts_the_skew() {
        let set = tokens("a", "r", t0() + Duration::minutes(10));
        assert!(!set.needs_refresh(t0(), Duration::minutes(5)));
        assert!(set.needs_refresh(t0() + Duration::minutes(5), Duration::minutes(5)));
        assert!(set.needs_refresh(t0() + Duration::hours(1), Duration::zero()));
    }

    #[test]
    fn debug_never_shows_either_token() {
        let shown = format!("{:?}", tokens("at_SECRET", "rt_SECRET", t0()));
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("2026-01-01"), "times stay visible: {shown}");
    }

    #[tokio::test]
    async fn tokens_round_trip_through_one_keychain_entry() {
        let store = Arc::new(EphemeralSecrets::default());
        let dir = tempfile::tempdir().unwrap();
        let vault = TokenVault::new(store.clone(), dir.path());
        let set = tokens("at1", "rt1", t0() + Duration::hours(1));
        vault.save("qbo:9130", &set).await.unwrap();
        let raw = store
            .get(&SecretKey::new("qbo:9130", "oauth_tokens"))
            .unwrap()
            .unwrap();
        assert!(
            raw.expose().contains("\"refresh\":\"rt1\""),
            "JSON inside the secret"
        );
        let back = vault.load("qbo:9130").await.unwrap().unwrap();
        assert_eq!(back.access.expose(), "at1");
        assert_eq!(back.refresh.expose(), "rt1");
        assert_eq!(back.expires_at, set.expires_at);
        vault.forget("qbo:9130").await.unwrap();
        assert!(vault.load("qbo:9130").await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_damaged_entry_is_reported_without_quoting_it() {
        let store = Arc::new(EphemeralSecrets::default());
        let dir = tempfile::tempdir().unwrap();
        store
            .set(
                &SecretKey::new("zoho:1", "oauth_tokens"),
                &Secret::new("{\"access\":\"LEAKY\",\"version\":9"),
            )
            .unwrap();
        let err = TokenVault::new(store, dir.path())
            .load("zoho:1")
            .await
            .unwrap_err();
        assert_eq!(err.code(), "oauth_tokens_corrupt");
        assert!(!format!("{err} {err:?}").contains("LEAKY"));
    }

    #[test]
    fn lock_file_names_are_filename_safe() {
        let vault = TokenVault::new(Arc::new(EphemeralSecrets::default()), "/data");
        assert_eq!(
            vault.lock_path("qbo:91/30"),
            PathBuf::from("/data/oauth-refresh-qbo_91_30.lock")
        );
    }

    #[test]
    fn the_lock_file_excludes_a_second_handle_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/x.lock");
        let held = lock_file(&path).unwrap();
        let other = File::options().write(true).open(&path).unwrap();
        assert!(matches!(
            other.try_lock(),
            Err(std::fs::TryLockError::WouldBlock)
        ));
        drop(held);
        other.try_lock().expect("free once the holder drops it");
    }
}
