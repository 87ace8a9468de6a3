//! Grants of the OAuth fake: codes, refresh-token families and access tokens.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{Approval, OAuthConfig};
use crate::clock::SharedClock;

pub(super) struct IssuedCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
}

pub(super) struct RefreshEntry {
    pub client_id: String,
    /// `false` once rotated away or revoked.
    pub active: bool,
}

struct AccessEntry {
    expires_at: DateTime<Utc>,
    revoked: bool,
}

pub(super) struct Inner {
    pub approval: Approval,
    rng: StdRng,
    pub codes: HashMap<String, IssuedCode>,
    pub refresh: HashMap<String, RefreshEntry>,
    access: HashMap<String, AccessEntry>,
    pub refreshes_ok: u64,
    pub refreshes_refused: u64,
}

impl Inner {
    fn new(approval: Approval, seed: u64) -> Self {
        Inner {
            approval,
            rng: StdRng::seed_from_u64(seed),
            codes: HashMap::new(),
            refresh: HashMap::new(),
            access: HashMap::new(),
            refreshes_ok: 0,
            refreshes_refused: 0,
        }
    }

    /// A fresh opaque value with a readable prefix (`code_`, `at_`, `rt_`).
    pub fn token(&mut self, prefix: &str) -> String {
        let a: u64 = self.rng.random();
        let b: u64 = self.rng.random();
        format!("{prefix}{a:016x}{b:016x}")
    }

    pub fn issue_access(&mut self, expires_at: DateTime<Utc>) -> String {
        let token = self.token("at_");
        self.access.insert(
            token.clone(),
            AccessEntry {
                expires_at,
                revoked: false,
            },
        );
        token
    }

    pub fn issue_refresh(&mut self, client_id: &str) -> String {
        let token = self.token("rt_");
        self.refresh.insert(
            token.clone(),
            RefreshEntry {
                client_id: client_id.to_owned(),
                active: true,
            },
        );
        token
    }

    pub fn refresh_active(&self, token: &str) -> bool {
        self.refresh.get(token).is_some_and(|e| e.active)
    }

    pub fn access_valid(&self, token: &str, now: DateTime<Utc>) -> bool {
        self.access
            .get(token)
            .is_some_and(|e| !e.revoked && now < e.expires_at)
    }

    /// RFC 7009: revoking a refresh token also ends its access tokens; revoking an unknown
    /// token is not an error.
    pub fn revoke(&mut self, token: &str) {
        if let Some(entry) = self.refresh.get_mut(token) {
            entry.active = false;
            self.access.values_mut().for_each(|a| a.revoked = true);
        } else if let Some(entry) = self.access.get_mut(token) {
            entry.revoked = true;
        }
    }

    pub fn revoke_all(&mut self) {
        self.refresh.values_mut().for_each(|e| e.active = false);
        self.access.values_mut().for_each(|a| a.revoked = true);
    }
}

pub(super) struct OAuthState {
    pub config: OAuthConfig,
    pub clock: SharedClock,
    seed: u64,
    inner: Mutex<Inner>,
}

impl OAuthState {
    pub fn new(config: OAuthConfig, clock: SharedClock, seed: u64) -> Self {
        let inner = Mutex::new(Inner::new(config.approval, seed));
        OAuthState {
            config,
            clock,
            seed,
            inner,
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every critical section leaves the maps consistent before it can panic.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn reset(&self) {
        *self.lock() = Inner::new(self.config.approval, self.seed);
    }

    pub fn access_lifetime(&self) -> Duration {
        Duration::seconds(self.config.access_token_secs)
    }

    pub fn code_lifetime(&self) -> Duration {
        Duration::seconds(self.config.code_secs)
    }
}
