//! Grants of the OAuth fake: codes, refresh-token families and access tokens.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::{AccessCheck, Approval, OAuthConfig, OAuthShape};
use crate::clock::SharedClock;

pub(super) struct IssuedCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: String,
    pub expires_at: DateTime<Utc>,
    pub used: bool,
    /// QuickBooks: the company chosen on the consent page.
    pub realm_id: Option<String>,
}

pub(super) struct RefreshEntry {
    pub client_id: String,
    /// `false` once rotated away or revoked.
    pub active: bool,
    pub realm_id: Option<String>,
    /// When the sign-in that started this family happened (issue order), so a capped
    /// provider can end the oldest; rotation keeps the family's serial.
    serial: u64,
}

struct AccessEntry {
    expires_at: DateTime<Utc>,
    revoked: bool,
    realm_id: Option<String>,
}

pub(super) struct Inner {
    pub approval: Approval,
    rng: StdRng,
    pub codes: HashMap<String, IssuedCode>,
    pub refresh: HashMap<String, RefreshEntry>,
    access: HashMap<String, AccessEntry>,
    pub refreshes_ok: u64,
    pub refreshes_refused: u64,
    /// Zoho shape: `api_domain` of token responses.
    pub api_domain: Option<String>,
    sign_ins: u64,
}

impl Inner {
    fn new(config: &OAuthConfig, seed: u64) -> Self {
        let api_domain = match &config.shape {
            OAuthShape::Zoho { api_domain, .. } => api_domain.clone(),
            OAuthShape::QuickBooks { .. } => None,
        };
        Inner {
            approval: config.approval,
            rng: StdRng::seed_from_u64(seed),
            codes: HashMap::new(),
            refresh: HashMap::new(),
            access: HashMap::new(),
            refreshes_ok: 0,
            refreshes_refused: 0,
            api_domain,
            sign_ins: 0,
        }
    }

    /// A fresh opaque value with a readable prefix (`code_`, `at_`, `rt_`).
    pub fn token(&mut self, prefix: &str) -> String {
        let a: u64 = self.rng.random();
        let b: u64 = self.rng.random();
        format!("{prefix}{a:016x}{b:016x}")
    }

    pub fn issue_access(&mut self, expires_at: DateTime<Utc>, realm_id: Option<String>) -> String {
        let token = self.token("at_");
        self.access.insert(
            token.clone(),
            AccessEntry {
                expires_at,
                revoked: false,
                realm_id,
            },
        );
        token
    }

    /// The refresh token of a new sign-in. With a cap, the client's oldest active families
    /// beyond it are ended silently, as Zoho does.
    pub fn issue_refresh(
        &mut self,
        client_id: &str,
        realm_id: Option<String>,
        cap: Option<usize>,
    ) -> String {
        self.sign_ins += 1;
        let serial = self.sign_ins;
        let token = self.insert_refresh(client_id, realm_id, serial);
        if let Some(cap) = cap {
            let mut active: Vec<(u64, String)> = self
                .refresh
                .iter()
                .filter(|(_, e)| e.active && e.client_id == client_id)
                .map(|(t, e)| (e.serial, t.clone()))
                .collect();
            active.sort();
            let excess = active.len().saturating_sub(cap);
            for (_, old) in active.into_iter().take(excess) {
                if let Some(entry) = self.refresh.get_mut(&old) {
                    entry.active = false;
                }
            }
        }
        token
    }

    /// A rotated refresh token: same client, company and family as `old`, which dies.
    pub fn rotate_refresh(&mut self, old: &str) -> Option<String> {
        let entry = self.refresh.get_mut(old)?;
        entry.active = false;
        let (client_id, realm_id, serial) = (
            entry.client_id.clone(),
            entry.realm_id.clone(),
            entry.serial,
        );
        Some(self.insert_refresh(&client_id, realm_id, serial))
    }

    fn insert_refresh(&mut self, client_id: &str, realm_id: Option<String>, serial: u64) -> String {
        let token = self.token("rt_");
        self.refresh.insert(
            token.clone(),
            RefreshEntry {
                client_id: client_id.to_owned(),
                active: true,
                realm_id,
                serial,
            },
        );
        token
    }

    pub fn refresh_active(&self, token: &str) -> bool {
        self.refresh.get(token).is_some_and(|e| e.active)
    }

    pub fn check_access(&self, token: &str, now: DateTime<Utc>) -> AccessCheck {
        match self.access.get(token) {
            None => AccessCheck::Unknown,
            Some(e) if e.revoked => AccessCheck::Revoked,
            Some(e) if now >= e.expires_at => AccessCheck::Expired,
            Some(e) => AccessCheck::Valid {
                realm_id: e.realm_id.clone(),
            },
        }
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
        let inner = Mutex::new(Inner::new(&config, seed));
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
        *self.lock() = Inner::new(&self.config, self.seed);
    }

    pub fn access_lifetime(&self) -> Duration {
        Duration::seconds(self.config.access_token_secs)
    }

    pub fn code_lifetime(&self) -> Duration {
        Duration::seconds(self.config.code_secs)
    }
}
