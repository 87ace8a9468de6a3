//! Secrets (API keys, OAuth tokens): the OS keychain, and nothing else.
//!
//! - [`Secret`] holds the value. Its `Debug` prints `<redacted>`, it has no `Display` and no
//!   `Serialize`, so it cannot reach a log line, an error message or an IPC response by accident;
//!   reading it takes an explicit [`Secret::expose`].
//! - [`SecretKey`] names an entry (`scope/name`, e.g. `stripe:acct_1/api_key`). Names are not
//!   secret and may be logged.
//! - [`KeyringSecrets`] is the OS keychain (Secret Service on Linux, Keychain on macOS,
//!   Credential Manager on Windows). Its service name depends on the [`BuildKind`], so a dev build
//!   never reads or overwrites the credentials of the installed app.
//! - [`EphemeralSecrets`] keeps secrets in memory for the life of the process. It is the store for
//!   **demo mode**: demo connections hold fake sandbox keys, which must never land next to real
//!   ones, and a demo must run on machines without a usable keychain (CI, screenshots, a locked
//!   Linux session). Tests use it too: there is deliberately no second in-memory implementation.
//!   [`secret_store_for`] is the one place that picks a backend, so production code cannot pick the
//!   in-memory one by accident.
//!
//! This module does not decide what is stored under which key (the engine and auth code do), and
//! does not cache keychain reads.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::{KeychainOp, KeychainProblem, Result, StoreError};

/// A secret value. Read it with [`Secret::expose`] at the point of use only.
///
/// It cannot be serialized (so it cannot end up in SQLite, a settings JSON or an IPC response):
/// ```compile_fail
/// fn to_json<T: serde::Serialize>(value: &T) -> String { serde_json::to_string(value).unwrap() }
/// to_json(&casebridge_store::secrets::Secret::new("rk_live_x"));
/// ```
/// nor formatted for display:
/// ```compile_fail
/// let shown = format!("{}", casebridge_store::secrets::Secret::new("rk_live_x"));
/// ```
/// while the same helpers compile for a plain string, so the examples above fail for the
/// reason they claim:
/// ```
/// fn to_json<T: serde::Serialize>(value: &T) -> String { serde_json::to_string(value).unwrap() }
/// assert_eq!(to_json(&"stripe:acct_1/api_key"), "\"stripe:acct_1/api_key\"");
/// assert_eq!(format!("{}", casebridge_store::secrets::SecretKey::new("agency", "api_key")), "agency/api_key");
/// ```
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value read from the user or a token response.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The plain value, for the one place that sends it (an HTTP header, a token request).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The name of a keychain entry: a scope (a connection id such as `stripe:acct_1`, or `agency`)
/// and a name within it (`api_key`, `refresh_token`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretKey {
    scope: String,
    name: String,
}

impl SecretKey {
    /// The entry `name` within `scope`.
    pub fn new(scope: impl Into<String>, name: impl Into<String>) -> Self {
        SecretKey {
            scope: scope.into(),
            name: name.into(),
        }
    }

    /// The scope, e.g. a connection id.
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The name within the scope, e.g. `api_key`.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.scope, self.name)
    }
}

/// Where secrets are kept. Implementations are blocking (a keychain call may wait for D-Bus or a
/// user prompt): call them from `spawn_blocking` in async code.
pub trait SecretStore: Send + Sync {
    /// The secret, or `None` when no entry exists.
    fn get(&self, key: &SecretKey) -> Result<Option<Secret>>;
    /// Creates or replaces the entry.
    fn set(&self, key: &SecretKey, value: &Secret) -> Result<()>;
    /// Removes the entry; removing a missing entry is not an error.
    fn delete(&self, key: &SecretKey) -> Result<()>;
}

/// Which Casebridge is running; decides the keychain namespace (and, for demo, the backend).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuildKind {
    /// The installed app.
    Production,
    /// A developer build (`cargo run`, debug builds).
    Dev,
    /// Demo mode against the local sandbox.
    Demo,
}

impl BuildKind {
    /// The keychain service name of this build kind.
    pub fn keyring_service(self) -> &'static str {
        match self {
            BuildKind::Production => "casebridge",
            BuildKind::Dev => "casebridge-dev",
            BuildKind::Demo => "casebridge-demo",
        }
    }
}

/// The secret store a build kind should use: the OS keychain for production and dev builds,
/// memory for demo mode (see the module docs for why).
pub fn secret_store_for(kind: BuildKind) -> Arc<dyn SecretStore> {
    match kind {
        BuildKind::Production | BuildKind::Dev => Arc::new(KeyringSecrets::new(kind)),
        BuildKind::Demo => Arc::new(EphemeralSecrets::default()),
    }
}

/// The OS keychain, under the service name of one build kind.
#[derive(Debug, Clone)]
pub struct KeyringSecrets {
    service: &'static str,
}

impl KeyringSecrets {
    /// The keychain under `kind`'s service name; no keychain call is made until first use.
    pub fn new(kind: BuildKind) -> Self {
        KeyringSecrets {
            service: kind.keyring_service(),
        }
    }

    fn entry(&self, key: &SecretKey, op: KeychainOp) -> Result<keyring::Entry> {
        keyring::Entry::new(self.service, &key.to_string()).map_err(|e| keychain_error(op, key, e))
    }
}

/// Maps a keyring error, keeping the platform error as the source only where it cannot carry
/// the secret: `BadEncoding` holds the stored bytes and `Ambiguous` holds credentials.
fn keychain_error(op: KeychainOp, key: &SecretKey, err: keyring::Error) -> StoreError {
    let (problem, source) = match err {
        keyring::Error::NoStorageAccess(_) | keyring::Error::PlatformFailure(_) => {
            (KeychainProblem::Unavailable, Some(err))
        }
        keyring::Error::TooLong(..) | keyring::Error::Invalid(..) => {
            (KeychainProblem::Rejected, Some(err))
        }
        keyring::Error::BadEncoding(_) => (KeychainProblem::NotText, None),
        keyring::Error::Ambiguous(_) => (KeychainProblem::Ambiguous, None),
        // `NoEntry` is handled by the callers; any variant added to keyring later is treated as
        // "unavailable" so the user is pointed at the keychain.
        other => (KeychainProblem::Unavailable, Some(other)),
    };
    StoreError::Keychain {
        op,
        key: key.to_string(),
        problem,
        source,
    }
}

impl SecretStore for KeyringSecrets {
    fn get(&self, key: &SecretKey) -> Result<Option<Secret>> {
        match self.entry(key, KeychainOp::Read)?.get_password() {
            Ok(value) => Ok(Some(Secret(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(KeychainOp::Read, key, e)),
        }
    }

    fn set(&self, key: &SecretKey, value: &Secret) -> Result<()> {
        self.entry(key, KeychainOp::Write)?
            .set_password(value.expose())
            .map_err(|e| keychain_error(KeychainOp::Write, key, e))
    }

    fn delete(&self, key: &SecretKey) -> Result<()> {
        match self.entry(key, KeychainOp::Delete)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(KeychainOp::Delete, key, e)),
        }
    }
}

/// Secrets in memory, gone when the process exits. For demo mode and tests; see the module docs.
#[derive(Debug, Default)]
pub struct EphemeralSecrets {
    entries: Mutex<HashMap<SecretKey, Secret>>,
}

impl EphemeralSecrets {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<SecretKey, Secret>> {
        // A panic while holding the lock cannot leave the map half-updated (single insert/remove).
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl SecretStore for EphemeralSecrets {
    fn get(&self, key: &SecretKey) -> Result<Option<Secret>> {
        Ok(self.entries().get(key).cloned())
    }

    fn set(&self, key: &SecretKey, value: &Secret) -> Result<()> {
        self.entries().insert(key.clone(), value.clone());
        Ok(())
    }

    fn delete(&self, key: &SecretKey) -> Result<()> {
        self.entries().remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_debug_is_redacted_everywhere_it_is_nested() {
        let secret = Secret::new("rk_live_SHOULD_NOT_APPEAR");
        assert_eq!(format!("{secret:?}"), "<redacted>");
        assert_eq!(format!("{:#?}", Some(&secret)), "Some(\n    <redacted>,\n)");
        let store = EphemeralSecrets::default();
        store
            .set(&SecretKey::new("stripe:acct_1", "api_key"), &secret)
            .unwrap();
        assert!(!format!("{store:?}").contains("SHOULD_NOT_APPEAR"));
        assert_eq!(secret.expose(), "rk_live_SHOULD_NOT_APPEAR");
    }

    #[test]
    fn ephemeral_round_trip_and_idempotent_delete() {
        let store = EphemeralSecrets::default();
        let key = SecretKey::new("agency", "api_key");
        assert!(store.get(&key).unwrap().is_none());
        store.set(&key, &Secret::new("one")).unwrap();
        store.set(&key, &Secret::new("two")).unwrap();
        assert_eq!(store.get(&key).unwrap().unwrap().expose(), "two");
        store.delete(&key).unwrap();
        store.delete(&key).unwrap();
        assert!(store.get(&key).unwrap().is_none());
    }

    #[test]
    fn build_kinds_use_distinct_keychain_services() {
        let services = [BuildKind::Production, BuildKind::Dev, BuildKind::Demo]
            .map(BuildKind::keyring_service);
        assert_eq!(
            services,
            ["casebridge", "casebridge-dev", "casebridge-demo"]
        );
    }

    #[test]
    fn keychain_errors_never_carry_the_stored_bytes() {
        let key = SecretKey::new("stripe:acct_1", "api_key");
        let err = keychain_error(
            KeychainOp::Read,
            &key,
            keyring::Error::BadEncoding(b"sk_live_LEAK".to_vec()),
        );
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains("sk_live_LEAK") && !shown.contains("115, 107"),
            "leaked: {shown}"
        );
        assert_eq!(err.code(), "keychain_bad_value");
        assert!(
            shown.contains("stripe:acct_1/api_key"),
            "the entry name helps support: {shown}"
        );
    }

    #[test]
    fn unavailable_keychain_has_an_actionable_hint() {
        let key = SecretKey::new("agency", "api_key");
        let err = keychain_error(
            KeychainOp::Write,
            &key,
            keyring::Error::NoStorageAccess("collection is locked".into()),
        );
        assert_eq!(err.code(), "keychain_unavailable");
        assert!(err.hint().is_some_and(|h| h.contains("gnome-keyring")));
        assert!(
            std::error::Error::source(&err).is_some(),
            "the platform cause is kept"
        );
    }
}
