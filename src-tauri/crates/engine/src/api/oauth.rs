//! Wire types of the OAuth sources (QuickBooks Online, Zoho Books): the provider app's settings,
//! the sign-in (begin → finish, or a `casebridge://` deep link), the Zoho organization choice
//! and each connection's health. No type here carries a token, code or client secret.
//!
//! Shell commands (all return `Result<T, UiError>`):
//! - `oauth_client_settings(provider) -> OAuthClientSettings`,
//!   `save_oauth_client(request: SaveOAuthClientRequest) -> OAuthClientSettings`
//! - `begin_oauth_connect(request: BeginConnectRequest) -> ConnectStarted` (opens the browser),
//!   then `finish_oauth_connect() -> OAuthConnection` (resolves when the loopback or deep-link
//!   callback arrives, on error, time-out or cancel); `cancel_oauth_connect() -> bool`
//! - deep links: the shell calls the engine and emits `oauth://finished` with [`OAuthFinished`]
//! - `zoho_organizations() -> ZohoOrganization[]`,
//!   `choose_zoho_organization(request: ChooseOrganizationRequest) -> OAuthConnection`
//! - `oauth_connection(provider) -> OAuthConnection | null`, `disconnect_oauth(provider)`
//! - `fetch_quickbooks(request: FetchRequest)`, `fetch_zoho(request: FetchRequest)` ->
//!   `FetchSummary`, progress as `job://progress` events of kind `fetch`

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::UiError;

/// The sources that connect over OAuth2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OAuthProvider {
    Quickbooks,
    Zoho,
}

/// The provider's environment. QuickBooks has separate apps (and API hosts) for its sandbox
/// companies and for real ones; Zoho has only production.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum OAuthEnvironment {
    Sandbox,
    #[default]
    Production,
}

/// How the provider sends the user back to Casebridge after consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RedirectKind {
    /// `http://localhost:PORT/callback` (or `127.0.0.1`), answered by a one-shot listener.
    #[default]
    Loopback,
    /// An HTTPS "bounce" page that forwards to `casebridge://oauth/callback`, for providers
    /// that refuse plain-http redirects (QuickBooks production).
    DeepLink,
}

/// One provider app as the Settings page shows it. The client secret is only reported as
/// stored or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OAuthClientSettings {
    pub provider: OAuthProvider,
    /// `None` until the user enters one (demo mode: the sandbox's demo client).
    pub client_id: Option<String>,
    /// Whether the client secret is in the keychain.
    pub secret_stored: bool,
    pub environment: OAuthEnvironment,
    pub redirect: RedirectKind,
    /// Loopback: the redirect URIs registered with the provider (a URI without a port allows
    /// any free port). Deep link: the HTTPS bounce page's address.
    pub redirect_uris: Vec<String>,
    /// Demo mode: pre-filled for the sandbox's fake, not editable.
    pub demo: bool,
    /// Whether a sign-in can start (a client id and secret are set).
    pub ready: bool,
}

/// Saves a provider app's settings (Settings → OAuth clients).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SaveOAuthClientRequest {
    pub provider: OAuthProvider,
    pub client_id: String,
    /// Goes to the keychain only; `None` keeps the stored one.
    pub client_secret: Option<String>,
    pub environment: OAuthEnvironment,
    pub redirect: RedirectKind,
    /// See [`OAuthClientSettings::redirect_uris`]; empty = the defaults.
    pub redirect_uris: Vec<String>,
}

/// Starts a sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BeginConnectRequest {
    pub provider: OAuthProvider,
    /// How long to wait for the browser; `None` = 5 minutes.
    pub timeout_secs: Option<u32>,
}

/// A sign-in waiting in the browser. `finish_oauth_connect` resolves when it ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectStarted {
    pub provider: OAuthProvider,
    /// The consent page, for "open it again" / "copy the link" when no browser opened.
    pub authorize_url: String,
    pub redirect: RedirectKind,
    pub timeout_secs: u32,
    /// E.g. Zoho keeps at most 20 refresh tokens per user and app: reconnecting often
    /// silently ends the oldest connection elsewhere.
    pub warning: Option<UiError>,
}

/// A Zoho Books organization the signed-in user can reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ZohoOrganization {
    pub organization_id: String,
    pub name: String,
    pub currency_code: Option<String>,
    /// Zoho's default organization of the user (only preselected, never chosen silently).
    pub is_default: bool,
    pub is_active: bool,
}

/// An OAuth connection after sign-in, organization choice or on request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OAuthConnection {
    pub provider: OAuthProvider,
    pub environment: OAuthEnvironment,
    /// QuickBooks company name, Zoho organization name; `None` while Zoho waits for a choice.
    pub company: Option<String>,
    /// QuickBooks `realmId`, Zoho `organization_id`.
    pub account_id: Option<String>,
    /// Zoho data centre from the callback, e.g. `eu`.
    pub data_centre: Option<String>,
    /// Zoho: the user must pick one of `organizations` before fetching.
    pub needs_organization: bool,
    /// Zoho: the organizations to choose from (empty for QuickBooks).
    pub organizations: Vec<ZohoOrganization>,
    pub warning: Option<UiError>,
}

/// The user's choice among [`OAuthConnection::organizations`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ChooseOrganizationRequest {
    pub organization_id: String,
}

/// How a deep-link sign-in ended; the shell sends it as the `oauth://finished` event (the
/// loopback path answers `finish_oauth_connect` instead). Exactly one of the two is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OAuthFinished {
    pub connection: Option<OAuthConnection>,
    pub error: Option<UiError>,
}

/// OAuth details on an Integrations card (QuickBooks, Zoho).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OAuthHealth {
    pub provider: OAuthProvider,
    pub environment: OAuthEnvironment,
    /// Whether the provider app (client id + secret) is set up; if not, connecting starts in
    /// Settings.
    pub client_ready: bool,
    pub redirect: RedirectKind,
    /// RFC 3339: when the current refresh token was issued (QuickBooks: valid 100 days from
    /// here, rolling; Zoho: does not expire).
    pub refresh_token_issued_at: Option<String>,
    /// Zoho data centre, e.g. `eu`.
    pub data_centre: Option<String>,
    /// Zoho: signed in, but no organization chosen yet.
    pub needs_organization: bool,
    /// A sign-in for this provider is waiting in the browser.
    pub connecting: bool,
}
