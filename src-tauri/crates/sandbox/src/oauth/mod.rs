//! Fake of an OAuth2 authorization server in the shape QuickBooks Online and Zoho Books use
//! (see `shared/reference/quickbooks.md` and `zoho.md`, §1): an authorize endpoint that
//! auto-approves, auto-denies or shows a minimal consent page; a token endpoint for
//! `authorization_code` (PKCE S256 required, codes single-use and short-lived) and
//! `refresh_token` (optionally rotating: the old refresh token then answers
//! `{"error":"invalid_grant"}`, as QuickBooks does); expiring access tokens; and revocation.
//!
//! Two shapes ([`OAuthShape`]): QuickBooks, whose consent page lets the user pick one of the
//! seeded companies and whose callback carries its `realmId`; and Zoho, whose callback carries
//! `location` and `accounts-server` (this fake's own address), whose token responses carry
//! `api_domain`, and which keeps at most 20 refresh tokens per client (the 21st sign-in ends
//! the oldest). Every grant remembers its company, so the API fakes can check a bearer token
//! with [`OAuthHandle::check_access_token`]. Routes answer under QuickBooks-like paths
//! (`/oauth/authorize`, `/oauth/token`, `/oauth/revoke`) and Zoho's (`/oauth/v2/auth`,
//! `/oauth/v2/token`, `/oauth/v2/token/revoke`).
//!
//! Stricter than both providers where they differ: PKCE is mandatory, redirect URIs match
//! exactly (a registered loopback URI without a port accepts any port, RFC 8252 §7.3).

mod api;
mod state;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;

use crate::clock::SharedClock;
use crate::faults::Seconds;
use crate::server::{FakeControl, FakeServer, Provider};
use crate::SandboxError;
use state::OAuthState;

/// Client id every demo configuration registers (sandbox only).
pub const DEMO_CLIENT_ID: &str = "casebridge-demo-client";
/// Its secret; made up, accepted only by this fake.
pub const DEMO_CLIENT_SECRET: &str = "casebridge-demo-client-secret"; // sandbox demo secret

/// What the authorize endpoint does with a valid request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// Redirects back with a code at once (tests).
    AutoApprove,
    /// Redirects back with `error=access_denied` (the user clicked "Cancel").
    AutoDeny,
    /// Shows a consent page whose buttons post the decision (demo mode).
    Consent,
}

/// A registered client app. `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthClientConfig {
    pub client_id: String,
    pub client_secret: String,
    pub redirect_uris: Vec<String>,
}

impl std::fmt::Debug for OAuthClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClientConfig")
            .field("client_id", &self.client_id)
            .field("redirect_uris", &self.redirect_uris)
            .finish_non_exhaustive()
    }
}

/// How the OAuth fake behaves.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    pub clients: Vec<OAuthClientConfig>,
    pub approval: Approval,
    /// `expires_in` of access tokens (both providers: 3600).
    pub access_token_secs: i64,
    /// How long an authorization code may wait before exchange.
    pub code_secs: i64,
    /// QuickBooks rotates (`true`); Zoho keeps the refresh token (`false`).
    pub rotate_refresh_tokens: bool,
    /// Which provider's callback and token response this fake imitates.
    pub shape: OAuthShape,
    /// At most this many active refresh tokens per client; a new sign-in beyond it silently
    /// ends the oldest (Zoho: 20). `None` = unlimited.
    pub max_refresh_tokens: Option<usize>,
}

/// A company the QuickBooks-shaped consent page offers (a sandbox company of the developer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxCompany {
    pub realm_id: String,
    pub name: String,
}

/// The provider-specific parts of the redirect and the token response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OAuthShape {
    /// The consent page lists `companies` (auto-approve takes the first); the callback carries
    /// the chosen one's `realmId`, and every grant is bound to it.
    QuickBooks { companies: Vec<SandboxCompany> },
    /// The callback carries `location` and `accounts-server` (this fake's own base URL, where
    /// the code must be exchanged); token responses carry `api_domain` when one is set (at
    /// start-up or later with [`OAuthHandle::set_api_domain`]).
    Zoho {
        location: String,
        api_domain: Option<String>,
    },
}

/// The sandbox company of the default QuickBooks shape.
pub const DEFAULT_REALM_ID: &str = "9130350000000001";

/// Zoho keeps at most this many refresh tokens per user and client (zoho.md §1).
pub const ZOHO_MAX_REFRESH_TOKENS: usize = 20;

impl OAuthShape {
    /// QuickBooks with one sandbox company ([`DEFAULT_REALM_ID`]).
    pub fn quickbooks() -> Self {
        OAuthShape::QuickBooks {
            companies: vec![SandboxCompany {
                realm_id: DEFAULT_REALM_ID.into(),
                name: "Sandbox Company_US_1".into(),
            }],
        }
    }
}

impl OAuthConfig {
    /// A Zoho-shaped fake: no rotation, `location`/`accounts-server` in the callback,
    /// `api_domain` in token responses, at most 20 refresh tokens per client.
    pub fn zoho(location: &str, api_domain: Option<String>) -> Self {
        OAuthConfig {
            rotate_refresh_tokens: false,
            shape: OAuthShape::Zoho {
                location: location.into(),
                api_domain,
            },
            max_refresh_tokens: Some(ZOHO_MAX_REFRESH_TOKENS),
            ..OAuthConfig::default()
        }
    }
}

/// What a bearer token presented to an API fake is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessCheck {
    /// Current; `realm_id` is the QuickBooks company the grant is bound to (`None` for Zoho).
    Valid { realm_id: Option<String> },
    /// Was valid; its hour is over.
    Expired,
    /// Revoked (directly, with its refresh token, or by "remove app").
    Revoked,
    /// Never issued by this fake.
    Unknown,
}

impl Default for OAuthConfig {
    fn default() -> Self {
        OAuthConfig {
            clients: vec![OAuthClientConfig {
                client_id: DEMO_CLIENT_ID.into(),
                client_secret: DEMO_CLIENT_SECRET.into(),
                redirect_uris: vec![
                    "http://127.0.0.1/callback".into(),
                    "http://localhost/callback".into(),
                    "casebridge://oauth/callback".into(),
                ],
            }],
            approval: Approval::Consent,
            access_token_secs: 3600,
            code_secs: 600,
            rotate_refresh_tokens: true,
            shape: OAuthShape::quickbooks(),
            max_refresh_tokens: None,
        }
    }
}

/// Runtime handle on the OAuth fake: faults/stats plus its grants.
#[derive(Clone)]
pub struct OAuthHandle {
    control: FakeControl,
    state: Arc<OAuthState>,
}

impl std::fmt::Debug for OAuthHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthHandle").finish_non_exhaustive()
    }
}

impl OAuthHandle {
    pub fn control(&self) -> &FakeControl {
        &self.control
    }

    /// Changes what the authorize endpoint does from now on.
    pub fn set_approval(&self, approval: Approval) {
        self.state.lock().approval = approval;
    }

    /// Whether `token` is a current (newest, unrevoked) refresh token.
    pub fn is_refresh_token_active(&self, token: &str) -> bool {
        self.state.lock().refresh_active(token)
    }

    /// Whether `token` is an access token that has neither expired nor been revoked.
    pub fn is_access_token_valid(&self, token: &str) -> bool {
        matches!(self.check_access_token(token), AccessCheck::Valid { .. })
    }

    /// What `token` is, for the API fakes' `Authorization` check (QuickBooks: also which
    /// company it may read).
    pub fn check_access_token(&self, token: &str) -> AccessCheck {
        let now = self.state.clock.now();
        self.state.lock().check_access(token, now)
    }

    /// Sets the `api_domain` of later Zoho-shaped token responses (the Zoho API fake's URL,
    /// known only once it listens). No effect on the QuickBooks shape.
    pub fn set_api_domain(&self, api_domain: &str) {
        self.state.lock().api_domain = Some(api_domain.to_owned());
    }

    /// How many refresh tokens are active (Zoho's cap makes old ones fall off).
    pub fn active_refresh_tokens(&self) -> usize {
        self.state
            .lock()
            .refresh
            .values()
            .filter(|e| e.active)
            .count()
    }

    /// How many refresh grants succeeded, and how many were refused.
    pub fn refresh_counts(&self) -> (u64, u64) {
        let inner = self.state.lock();
        (inner.refreshes_ok, inner.refreshes_refused)
    }

    /// Revokes every token, as when the user removes the app from the provider's connected apps.
    pub fn revoke_all(&self) {
        self.state.lock().revoke_all();
    }
}

struct OAuthProvider {
    state: Arc<OAuthState>,
}

impl Provider for OAuthProvider {
    fn name(&self) -> &'static str {
        "oauth"
    }

    fn rate_limited(&self, retry_after: Seconds, with_header: bool) -> Response {
        api::rate_limited(with_header.then_some(retry_after.as_f64()))
    }

    fn server_error(&self, status: StatusCode) -> Response {
        api::server_error(status)
    }

    fn reset(&self) {
        self.state.reset();
    }
}

/// Builds the OAuth fake (not yet listening) and its handle.
pub fn build(
    config: OAuthConfig,
    clock: SharedClock,
    seed: u64,
) -> Result<(FakeServer, OAuthHandle), SandboxError> {
    let invalid = |reason| {
        Err(SandboxError::InvalidConfig {
            fake: "oauth",
            reason,
        })
    };
    if config.clients.is_empty() {
        return invalid("at least one client is required");
    }
    if config.clients.iter().any(|c| c.redirect_uris.is_empty()) {
        return invalid("every client needs at least one redirect URI");
    }
    if config.access_token_secs <= 0 || config.code_secs <= 0 {
        return invalid("token and code lifetimes must be positive");
    }
    if matches!(&config.shape, OAuthShape::QuickBooks { companies } if companies.is_empty()) {
        return invalid("the QuickBooks shape needs at least one company");
    }
    if config.max_refresh_tokens == Some(0) {
        return invalid("max_refresh_tokens must allow at least one token");
    }
    let state = Arc::new(OAuthState::new(config, clock.clone(), seed));
    let server = FakeServer::new(
        Arc::new(OAuthProvider {
            state: state.clone(),
        }),
        api::router(state.clone()),
        clock,
    );
    let handle = OAuthHandle {
        control: server.control(),
        state,
    };
    Ok((server, handle))
}

#[cfg(test)]
mod tests;
