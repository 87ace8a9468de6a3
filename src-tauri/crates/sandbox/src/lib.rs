//! # casebridge-sandbox
//!
//! Faithful local fakes of the remote APIs Casebridge talks to, for demo mode
//! and for every test. Each fake listens on its own `127.0.0.1:0` port (never
//! `0.0.0.0`), keeps its data in memory, and can be told to misbehave.
//!
//! ## What it owns
//! - The framework: [`Sandbox`] starts every enabled fake from a
//!   [`SandboxConfig`] and reports [`SandboxUrls`]; [`FakeServer`] is the
//!   building block (an axum `Router` + shared middleware + control routes).
//! - Fault injection per fake, changeable at runtime through
//!   [`FakeControl`] or HTTP under `/__sandbox/` on that fake:
//!   `GET|POST|DELETE /__sandbox/faults`, `POST /__sandbox/faults/rules`,
//!   `GET|DELETE /__sandbox/stats`, `POST /__sandbox/reset`. Faults:
//!   latency (fixed + jitter), 429 in the provider's format, 5xx bursts,
//!   malformed bodies, hangs, and accept-then-drop (processed, then the
//!   connection closes without an answer). Seeded, so reproducible.
//! - Stats per fake: requests per route, outcomes per status, arrivals per
//!   second/minute and the most requests seen in any sliding window.
//! - The agency fake ([`agency`]): the Debitura Customer API with its
//!   validation, idempotency, duplicate detection, rate limits, files,
//!   payments, test driver and accelerated lifecycle.
//! - The Stripe fake ([`stripe`]): invoice and customer reads with cursor
//!   lists, filters, `expand[]`, restricted-key permissions, per-mode rate
//!   limits and seeded demo data.
//! - The OAuth fake ([`oauth`]): an authorization server shaped like
//!   QuickBooks' (company choice, `realmId`) or Zoho's (`location`,
//!   `accounts-server`, `api_domain`, 20 refresh tokens) with PKCE S256,
//!   rotating refresh tokens, expiry and revocation; one per provider in a
//!   [`SandboxConfig`] (`quickbooks_oauth`, `zoho_oauth`), or on its own
//!   with [`oauth::build`].
//! - The Zoho Books fake ([`zoho`]): organizations, invoice and contact
//!   lists and details with `organization_id`, `{code, message}` (non-zero
//!   codes also at HTTP 200), pages of 200, filters, 100 requests/min per
//!   organization and a daily cap; started on its own with [`zoho::build`].
//! - The QuickBooks Online fake ([`quickbooks`]): the query endpoint with
//!   the query-language subset clients use, invoice/customer/company reads,
//!   `Fault` bodies (also in HTTP 200), per-company throttles (10/s,
//!   500/min, 10 in flight) and two seeded demo companies.
//! - [`demo`]: the well-known fake credentials and demo configuration.
//!
//! ## What it must NOT do
//! - Share types with the client crates: fakes parse raw JSON like a server
//!   would, so client and fake meet only at the wire.
//! - Listen beyond loopback, reach the network, or touch real credentials.
//! - Depend on Tauri or on the store.
//!
//! Where the public sources disagree, a fake takes the stricter reading, so
//! a client that passes against the fake also passes against the real API.
//! Everything decided by the calendar reads the injected [`Clock`].
//!
//! ## Faults over HTTP
//! `POST /__sandbox/faults` replaces the plan (the same JSON as
//! [`FaultPlan`]); rules are checked in order and the first that fires wins:
//! ```json
//! { "seed": 7,
//!   "latency": { "fixedMs": 50, "jitterMs": 20 },
//!   "rules": [
//!     { "fault": { "kind": "dropAfterProcessing" }, "trigger": { "next": 1 }, "route": "POST /cases" },
//!     { "fault": { "kind": "rateLimit", "retryAfterSecs": 1.5, "retryAfterHeader": true },
//!       "trigger": { "fraction": 0.1 } },
//!     { "fault": { "kind": "serverError", "status": 503 }, "trigger": { "next": 3 } } ] }
//! ```
//! Kinds: `rateLimit`, `serverError` (5xx), `malformedBody`, `hang`,
//! `dropAfterProcessing`. Routes are named as in stats: `"METHOD /template"`.
//! `GET /__sandbox/stats` answers [`StatsSnapshot`] as JSON.

pub mod agency;
mod clock;
pub mod demo;
mod error;
pub mod faults;
mod invoice_changes;
pub mod oauth;
pub mod quickbooks;
mod server;
mod stats;
pub mod stripe;
pub mod zoho;

use serde::Serialize;

pub use agency::{AgencyConfig, AgencyHandle};
pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use error::{ErrorReport, SandboxError};
pub use faults::{FaultKind, FaultPlan, FaultRule, Fraction, Latency, Trigger};
pub use oauth::{OAuthConfig, OAuthHandle};
pub use server::{ArrivedAt, FakeControl, FakeServer, PolicyRateLimited, Provider, RunningFake};
pub use stats::StatsSnapshot;
pub use quickbooks::{QuickBooksConfig, QuickBooksHandle};
pub use stripe::{StripeConfig, StripeHandle};
pub use zoho::{ZohoConfig, ZohoHandle};

/// Which fakes to start and how.
#[derive(Clone)]
pub struct SandboxConfig {
    /// Seeds ids, references and simulated case stories.
    pub seed: u64,
    pub clock: SharedClock,
    /// `None` = the agency fake is not started.
    pub agency: Option<AgencyConfig>,
    /// `None` = the Stripe fake is not started.
    pub stripe: Option<StripeConfig>,
    /// QuickBooks-shaped authorization server; `None` = not started.
    pub quickbooks_oauth: Option<OAuthConfig>,
    /// Zoho-shaped authorization server; `None` = not started.
    pub zoho_oauth: Option<OAuthConfig>,
    /// The QuickBooks Online API fake; `None` = not started. With
    /// `quickbooks_oauth` it accepts that server's tokens for the company
    /// each grant is bound to.
    pub quickbooks: Option<QuickBooksConfig>,
    /// The Zoho Books API fake; `None` = not started. With `zoho_oauth` it accepts that
    /// server's tokens, and its URL is the `api_domain` of that server's token responses.
    pub zoho: Option<ZohoConfig>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            clock: std::sync::Arc::new(SystemClock),
            agency: Some(AgencyConfig::default()),
            stripe: Some(StripeConfig::default()),
            quickbooks_oauth: None,
            zoho_oauth: None,
            quickbooks: None,
            zoho: None,
        }
    }
}

impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("seed", &self.seed)
            .field("agency", &self.agency)
            .field("stripe", &self.stripe)
            .field("quickbooks_oauth", &self.quickbooks_oauth)
            .field("zoho_oauth", &self.zoho_oauth)
            .field("quickbooks", &self.quickbooks)
            .field("zoho", &self.zoho)
            .finish_non_exhaustive()
    }
}

/// Base URLs of the running fakes (`http://127.0.0.1:PORT`, no trailing
/// slash). Serialises to `{"agency":"http://127.0.0.1:PORT"}`.
/// `Default` is "none running", so callers need not list every fake.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SandboxUrls {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe: Option<String>,
    /// QuickBooks-shaped OAuth fake (`/oauth/authorize`, `/oauth/token`, `/oauth/revoke`).
    #[serde(rename = "quickbooksOauth", skip_serializing_if = "Option::is_none")]
    pub quickbooks_oauth: Option<String>,
    /// Zoho-shaped OAuth fake (also under `/oauth/v2/…`).
    #[serde(rename = "zohoOauth", skip_serializing_if = "Option::is_none")]
    pub zoho_oauth: Option<String>,
    /// QuickBooks Online API fake (the API base URL; `/v3/company/…`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quickbooks: Option<String>,
    /// Zoho Books API fake (the `api_domain`; clients append `/books/v3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zoho: Option<String>,
}

/// A set of running fakes.
#[derive(Debug)]
pub struct Sandbox {
    agency: Option<(RunningFake, AgencyHandle)>,
    stripe: Option<(RunningFake, StripeHandle)>,
    quickbooks_oauth: Option<(RunningFake, OAuthHandle)>,
    zoho_oauth: Option<(RunningFake, OAuthHandle)>,
    quickbooks: Option<(RunningFake, QuickBooksHandle)>,
    zoho: Option<(RunningFake, ZohoHandle)>,
}

async fn start_oauth(
    config: Option<OAuthConfig>,
    clock: &SharedClock,
    seed: u64,
) -> Result<Option<(RunningFake, OAuthHandle)>, SandboxError> {
    match config {
        Some(config) => {
            let (server, handle) = oauth::build(config, clock.clone(), seed)?;
            Ok(Some((server.start().await?, handle)))
        }
        None => Ok(None),
    }
}

impl Sandbox {
    /// Starts every enabled fake on its own loopback port.
    pub async fn start(config: SandboxConfig) -> Result<Self, SandboxError> {
        let agency = match config.agency {
            Some(agency_config) => {
                let (server, handle) =
                    agency::build(agency_config, config.clock.clone(), config.seed)?;
                Some((server.start().await?, handle))
            }
            None => None,
        };
        let stripe = match config.stripe {
            Some(stripe_config) => {
                let (server, handle) =
                    stripe::build(stripe_config, config.clock.clone(), config.seed)?;
                Some((server.start().await?, handle))
            }
            None => None,
        };
        let quickbooks_oauth =
            start_oauth(config.quickbooks_oauth, &config.clock, config.seed).await?;
        let zoho_oauth = start_oauth(config.zoho_oauth, &config.clock, config.seed).await?;
        let zoho = match config.zoho {
            Some(zoho_config) => {
                let (server, handle) = zoho::build(zoho_config, config.clock.clone(), config.seed)?;
                let fake = server.start().await?;
                if let Some((_, oauth)) = &zoho_oauth {
                    handle.trust_oauth(oauth);
                    oauth.set_api_domain(&fake.url());
                }
                Some((fake, handle))
            }
            None => None,
        };
        let quickbooks = match config.quickbooks {
            Some(qbo_config) => {
                let (server, handle) =
                    quickbooks::build(qbo_config, config.clock.clone(), config.seed)?;
                if let Some((_, oauth)) = &quickbooks_oauth {
                    handle.trust_oauth(oauth);
                }
                Some((server.start().await?, handle))
            }
            None => None,
        };
        Ok(Self {
            agency,
            stripe,
            quickbooks_oauth,
            zoho_oauth,
            quickbooks,
            zoho,
        })
    }

    pub fn urls(&self) -> SandboxUrls {
        SandboxUrls {
            agency: self.agency.as_ref().map(|(fake, _)| fake.url()),
            stripe: self.stripe.as_ref().map(|(fake, _)| fake.url()),
            quickbooks_oauth: self.quickbooks_oauth.as_ref().map(|(fake, _)| fake.url()),
            zoho_oauth: self.zoho_oauth.as_ref().map(|(fake, _)| fake.url()),
            quickbooks: self.quickbooks.as_ref().map(|(fake, _)| fake.url()),
            zoho: self.zoho.as_ref().map(|(fake, _)| fake.url()),
        }
    }

    /// The Zoho Books API fake's handle.
    pub fn zoho(&self) -> Result<&ZohoHandle, SandboxError> {
        self.zoho
            .as_ref()
            .map(|(_, handle)| handle)
            .ok_or(SandboxError::NotEnabled { fake: "zoho" })
    }

    /// The QuickBooks Online API fake's handle (faults, stats, books).
    pub fn quickbooks(&self) -> Result<&QuickBooksHandle, SandboxError> {
        self.quickbooks
            .as_ref()
            .map(|(_, handle)| handle)
            .ok_or(SandboxError::NotEnabled { fake: "quickbooks" })
    }

    /// The QuickBooks-shaped OAuth fake's handle (approval, grants, token checks).
    pub fn quickbooks_oauth(&self) -> Result<&OAuthHandle, SandboxError> {
        self.quickbooks_oauth
            .as_ref()
            .map(|(_, handle)| handle)
            .ok_or(SandboxError::NotEnabled {
                fake: "quickbooks_oauth",
            })
    }

    /// The Zoho-shaped OAuth fake's handle.
    pub fn zoho_oauth(&self) -> Result<&OAuthHandle, SandboxError> {
        self.zoho_oauth
            .as_ref()
            .map(|(_, handle)| handle)
            .ok_or(SandboxError::NotEnabled { fake: "zoho_oauth" })
    }

    /// The agency fake's handle (faults, stats, data).
    pub fn agency(&self) -> Result<&AgencyHandle, SandboxError> {
        self.agency
            .as_ref()
            .map(|(_, handle)| handle)
            .ok_or(SandboxError::NotEnabled { fake: "agency" })
    }

    /// The Stripe fake's handle (faults, stats, data).
    pub fn stripe(&self) -> Result<&StripeHandle, SandboxError> {
        self.stripe
            .as_ref()
            .map(|(_, handle)| handle)
            .ok_or(SandboxError::NotEnabled { fake: "stripe" })
    }

    /// Every running fake, e.g. to check where they listen.
    pub fn fakes(&self) -> impl Iterator<Item = &RunningFake> {
        self.agency
            .iter()
            .map(|(fake, _)| fake)
            .chain(self.stripe.iter().map(|(fake, _)| fake))
            .chain(self.quickbooks_oauth.iter().map(|(fake, _)| fake))
            .chain(self.zoho_oauth.iter().map(|(fake, _)| fake))
            .chain(self.quickbooks.iter().map(|(fake, _)| fake))
            .chain(self.zoho.iter().map(|(fake, _)| fake))
    }

    /// Stops all fakes; in-flight requests get a short grace period.
    pub async fn shutdown(self) {
        if let Some((fake, _)) = self.agency {
            fake.shutdown().await;
        }
        if let Some((fake, _)) = self.stripe {
            fake.shutdown().await;
        }
        for (fake, _) in [self.quickbooks_oauth, self.zoho_oauth]
            .into_iter()
            .flatten()
        {
            fake.shutdown().await;
        }
        if let Some((fake, _)) = self.quickbooks {
            fake.shutdown().await;
        }
        if let Some((fake, _)) = self.zoho {
            fake.shutdown().await;
        }
    }
}
