//! The OAuth sources' sign-in: provider app settings, the flow over a loopback listener or a
//! `casebridge://` deep link, tokens in the keychain behind the providers' [`BearerSource`],
//! and disconnecting.
//!
//! One sign-in runs at a time ([`FlowRegistry`]). `begin` opens the consent page and returns
//! at once; the loopback listener (or, for deep links, a time-out) runs on a task, and its
//! outcome is published on a watch channel that `finish` awaits, so the window and the CLI can
//! both start a sign-in and then wait for it. A deep link is matched to the pending flow by its
//! `state`: one that matches no flow is refused and leaves the real sign-in waiting.
//!
//! Client ids are settings (SQLite); client secrets and tokens are keychain entries. Demo mode
//! talks to the sandbox's authorization servers with the demo client, pre-filled.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration as StdDuration;

use casebridge_auth::{
    AuthError, AuthorizedFlow, Browser, Callback, ClientAuth, FlowRegistry, LoopbackHost,
    LoopbackListener, LoopbackRedirect, OAuthClient, ProviderId, ProviderSettings, SystemBrowser,
    TokenVault,
};
use casebridge_domain::Provider;
use casebridge_providers::{BearerSource, BearerToken, ProviderError, ReconnectReason};
use casebridge_store::secrets::{Secret, SecretKey};
use chrono::Duration;
use oauth2::{CsrfToken, RedirectUrl};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::api::{
    BeginConnectRequest, ConnectStarted, OAuthClientSettings, OAuthConnection, OAuthEnvironment,
    OAuthProvider, RedirectKind, RunMode, SaveOAuthClientRequest, UiError,
};
use crate::{Clock, Engine, EngineError};

/// Where the bounce page sends the browser, and what the app registers with the OS.
pub const DEEP_LINK_CALLBACK: &str = "casebridge://oauth/callback";
/// How long a sign-in waits for the browser unless the caller says otherwise.
const DEFAULT_TIMEOUT_SECS: u32 = 300;
/// Refresh this long before the access token expires, so a request never starts with a token
/// that dies in flight.
const REFRESH_SKEW_MINUTES: i64 = 5;
/// Loopback redirects registered by default (two ports, so one busy port does not block).
const DEFAULT_LOOPBACK_URIS: [&str; 2] = [
    "http://localhost:8765/callback",
    "http://localhost:8766/callback",
];

impl OAuthProvider {
    pub(crate) fn connection_id(self) -> &'static str {
        match self {
            OAuthProvider::Quickbooks => "quickbooks",
            OAuthProvider::Zoho => "zoho",
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            OAuthProvider::Quickbooks => "QuickBooks Online",
            OAuthProvider::Zoho => "Zoho Books",
        }
    }

    fn auth_id(self) -> ProviderId {
        match self {
            OAuthProvider::Quickbooks => ProviderId::QuickBooks,
            OAuthProvider::Zoho => ProviderId::Zoho,
        }
    }

    pub(crate) fn domain(self) -> Provider {
        match self {
            OAuthProvider::Quickbooks => Provider::QuickBooks,
            OAuthProvider::Zoho => Provider::Zoho,
        }
    }

    fn setting_key(self) -> String {
        format!("oauth.client.{}", self.connection_id())
    }

    fn secret_key(self) -> SecretKey {
        SecretKey::new(format!("oauth_client:{}", self.connection_id()), "client_secret")
    }
}

/// The provider app as kept in the settings table (no secret).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredApp {
    client_id: String,
    environment: OAuthEnvironment,
    redirect: RedirectKind,
    redirect_uris: Vec<String>,
}

/// A provider app ready for a sign-in or a refresh.
pub(crate) struct App {
    pub(crate) settings: ProviderSettings,
    pub(crate) environment: OAuthEnvironment,
    redirect: RedirectKind,
    redirect_uris: Vec<String>,
}

/// The outcome a sign-in publishes; errors are shared because both `finish` and the deep-link
/// caller may report the same one.
type Outcome = Result<OAuthConnection, Arc<EngineError>>;

struct Attempt {
    provider: OAuthProvider,
    state: CsrfToken,
    client: OAuthClient,
    outcome: watch::Sender<Option<Outcome>>,
    task: tokio::task::JoinHandle<()>,
}

/// The engine's OAuth state: the one pending flow, the browser, the token vault.
pub(crate) struct OAuthRuntime {
    registry: FlowRegistry,
    browser: Mutex<Arc<dyn Browser>>,
    attempt: tokio::sync::Mutex<Option<Attempt>>,
    pub(crate) vault: TokenVault,
}

impl OAuthRuntime {
    pub(crate) fn new(
        secrets: Arc<dyn casebridge_store::secrets::SecretStore>,
        lock_dir: std::path::PathBuf,
    ) -> Self {
        OAuthRuntime {
            // A flow older than the longest wait no longer blocks a new one.
            registry: FlowRegistry::new(Duration::minutes(30)),
            browser: Mutex::new(Arc::new(SystemBrowser)),
            attempt: tokio::sync::Mutex::new(None),
            vault: TokenVault::new(secrets, lock_dir),
        }
    }

    fn browser(&self) -> Arc<dyn Browser> {
        self.browser
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

fn shared(error: impl Into<EngineError>) -> Arc<EngineError> {
    Arc::new(error.into())
}

/// Publishes an outcome unless a newer attempt replaced this one.
fn publish(outcome: &watch::Sender<Option<Outcome>>, value: Outcome) {
    outcome.send_replace(Some(value));
}

/// The endpoints of each provider (production; the sandbox's fakes in demo mode).
fn endpoints(provider: OAuthProvider, fake: Option<&str>) -> (String, String, String) {
    match (provider, fake) {
        (OAuthProvider::Quickbooks, Some(base)) => (
            format!("{base}/oauth/authorize"),
            format!("{base}/oauth/token"),
            format!("{base}/oauth/revoke"),
        ),
        (OAuthProvider::Zoho, Some(base)) => (
            format!("{base}/oauth/v2/auth"),
            format!("{base}/oauth/v2/token"),
            format!("{base}/oauth/v2/token/revoke"),
        ),
        // quickbooks.md §1: one authorization server for sandbox and production apps.
        (OAuthProvider::Quickbooks, None) => (
            "https://appcenter.intuit.com/connect/oauth2".into(),
            "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer".into(),
            "https://developer.api.intuit.com/v2/oauth2/tokens/revoke".into(),
        ),
        // zoho.md §1: sign-in starts at .com; the callback names the user's data centre.
        (OAuthProvider::Zoho, None) => (
            "https://accounts.zoho.com/oauth/v2/auth".into(),
            "https://accounts.zoho.com/oauth/v2/token".into(),
            "https://accounts.zoho.com/oauth/v2/token/revoke".into(),
        ),
    }
}

fn provider_settings(
    provider: OAuthProvider,
    fake: Option<&str>,
    client_id: String,
    client_secret: Option<Secret>,
) -> ProviderSettings {
    let (authorize_url, token_url, revoke_url) = endpoints(provider, fake);
    match provider {
        OAuthProvider::Quickbooks => ProviderSettings {
            provider: ProviderId::QuickBooks,
            client_id,
            client_secret,
            authorize_url,
            token_url,
            revoke_url,
            scopes: vec!["com.intuit.quickbooks.accounting".into()],
            client_auth: ClientAuth::Basic,
            extra_authorize_params: vec![],
        },
        OAuthProvider::Zoho => ProviderSettings {
            provider: ProviderId::Zoho,
            client_id,
            client_secret,
            authorize_url,
            token_url,
            revoke_url,
            // Zoho separates scopes with commas (zoho.md §1); one scope string keeps them so.
            scopes: vec![
                "ZohoBooks.invoices.READ,ZohoBooks.contacts.READ,ZohoBooks.settings.READ".into(),
            ],
            client_auth: ClientAuth::RequestBody,
            // A refresh token only comes with offline access; `prompt=consent` makes Zoho
            // issue a new one on reconnect instead of none.
            extra_authorize_params: vec![
                ("access_type".into(), "offline".into()),
                ("prompt".into(), "consent".into()),
            ],
        },
    }
}

fn default_redirect_uris(redirect: RedirectKind, demo: bool) -> Vec<String> {
    match (redirect, demo) {
        // The demo client registered plain loopback URIs without a port: any port works.
        (RedirectKind::Loopback, true) => vec!["http://127.0.0.1/callback".into()],
        (RedirectKind::Loopback, false) => DEFAULT_LOOPBACK_URIS.map(String::from).to_vec(),
        (RedirectKind::DeepLink, true) => vec![DEEP_LINK_CALLBACK.into()],
        // The bounce page's address is the company's own; there is no sensible default.
        (RedirectKind::DeepLink, false) => vec![],
    }
}

/// Where the provider must send the browser back, for a loopback redirect.
fn loopback_redirect(uris: &[String]) -> Result<LoopbackRedirect, AuthError> {
    if uris.is_empty() {
        return LoopbackRedirect::ephemeral(LoopbackHost::Ip, "/callback");
    }
    let uris: Vec<&str> = uris.iter().map(String::as_str).collect();
    LoopbackRedirect::from_registered(&uris)
}

fn invalid_redirect(uri: &str, reason: &'static str) -> AuthError {
    AuthError::InvalidRedirect {
        uri: uri.to_owned(),
        reason,
    }
}

/// The redirect URI of a deep-link sign-in: the HTTPS bounce page (or, where the provider
/// accepts it, the custom scheme itself).
fn deep_link_redirect(uris: &[String], provider: OAuthProvider) -> Result<RedirectUrl, EngineError> {
    let Some(uri) = uris.first() else {
        return Err(EngineError::OAuthClientMissing {
            provider: provider.name(),
            what: "the address of the HTTPS bounce page",
        });
    };
    let parsed = url::Url::parse(uri).map_err(|_| invalid_redirect(uri, "it is not a URL"))?;
    if !matches!(parsed.scheme(), "https" | "casebridge") {
        return Err(invalid_redirect(uri, "a deep-link redirect is an https:// bounce page").into());
    }
    Ok(RedirectUrl::new(uri.clone()).map_err(|_| invalid_redirect(uri, "it is not a URL"))?)
}

impl Engine {
    pub(crate) fn oauth(&self) -> &OAuthRuntime {
        &self.inner.oauth
    }

    fn is_demo(&self) -> bool {
        self.inner.config.mode == RunMode::Demo
    }

    /// The sandbox authorization server of `provider` in demo mode.
    fn oauth_fake(&self, provider: OAuthProvider) -> Option<&str> {
        let urls = &self.inner.sandbox_urls;
        match provider {
            OAuthProvider::Quickbooks => urls.quickbooks_oauth.as_deref(),
            OAuthProvider::Zoho => urls.zoho_oauth.as_deref(),
        }
    }

    /// Opens consent pages with `browser` from now on (tests follow the URL with an HTTP
    /// client; the CLI's `--no-browser` only prints it).
    pub fn set_browser(&self, browser: Arc<dyn Browser>) {
        *self
            .oauth()
            .browser
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = browser;
    }

    async fn stored_app(&self, provider: OAuthProvider) -> Result<Option<StoredApp>, EngineError> {
        let key = provider.setting_key();
        self.with_store(move |s| Ok(s.get_setting::<StoredApp>(&key)?)).await
    }

    /// The provider app as stored, with demo mode's defaults filled in.
    async fn app_view(
        &self,
        provider: OAuthProvider,
    ) -> Result<(StoredApp, Option<Secret>), EngineError> {
        let demo = self.is_demo();
        let stored = self.stored_app(provider).await?;
        let secret = self.secrets().get(&provider.secret_key())?;
        let demo_default = || StoredApp {
            client_id: casebridge_sandbox::oauth::DEMO_CLIENT_ID.into(),
            environment: OAuthEnvironment::Sandbox,
            redirect: RedirectKind::Loopback,
            redirect_uris: default_redirect_uris(RedirectKind::Loopback, true),
        };
        let app = match stored {
            Some(app) => app,
            None if demo => demo_default(),
            None => StoredApp {
                client_id: String::new(),
                environment: OAuthEnvironment::Production,
                redirect: RedirectKind::Loopback,
                redirect_uris: default_redirect_uris(RedirectKind::Loopback, false),
            },
        };
        let secret = match secret {
            Some(secret) => Some(secret),
            None if demo && app.client_id == casebridge_sandbox::oauth::DEMO_CLIENT_ID => Some(
                Secret::new(casebridge_sandbox::oauth::DEMO_CLIENT_SECRET),
            ),
            None => None,
        };
        Ok((app, secret))
    }

    /// The provider app's settings for the Settings page (no secret).
    pub async fn oauth_client_settings(
        &self,
        provider: OAuthProvider,
    ) -> Result<OAuthClientSettings, EngineError> {
        let (app, secret) = self.app_view(provider).await?;
        let client_id = Some(app.client_id.clone()).filter(|id| !id.is_empty());
        let redirect_ready = app.redirect == RedirectKind::Loopback || !app.redirect_uris.is_empty();
        Ok(OAuthClientSettings {
            provider,
            ready: client_id.is_some() && secret.is_some() && redirect_ready,
            client_id,
            secret_stored: secret.is_some(),
            environment: app.environment,
            redirect: app.redirect,
            redirect_uris: app.redirect_uris,
            demo: self.is_demo(),
        })
    }

    /// Saves a provider app (client id in SQLite, secret in the keychain).
    pub async fn save_oauth_client(
        &self,
        request: SaveOAuthClientRequest,
    ) -> Result<OAuthClientSettings, EngineError> {
        let provider = request.provider;
        let client_id = request.client_id.trim().to_owned();
        if client_id.is_empty() || client_id.chars().any(char::is_whitespace) {
            return Err(EngineError::InvalidInput {
                field: "clientId",
                reason: "the client ID is empty or contains spaces".into(),
            });
        }
        let redirect_uris: Vec<String> = request
            .redirect_uris
            .iter()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty())
            .collect();
        let redirect_uris = if redirect_uris.is_empty() {
            default_redirect_uris(request.redirect, self.is_demo())
        } else {
            redirect_uris
        };
        // Refuse now what a sign-in would refuse later.
        match request.redirect {
            RedirectKind::Loopback => {
                loopback_redirect(&redirect_uris)?;
            }
            RedirectKind::DeepLink => {
                deep_link_redirect(&redirect_uris, provider)?;
            }
        }
        if let Some(secret) = request.client_secret.as_deref().map(str::trim) {
            if secret.is_empty() {
                return Err(EngineError::InvalidInput {
                    field: "clientSecret",
                    reason: "the client secret is empty".into(),
                });
            }
            self.secrets()
                .set(&provider.secret_key(), &Secret::new(secret))?;
        }
        let stored = StoredApp {
            client_id,
            environment: if provider == OAuthProvider::Zoho {
                OAuthEnvironment::Production
            } else {
                request.environment
            },
            redirect: request.redirect,
            redirect_uris,
        };
        let key = provider.setting_key();
        let now = self.clock().now();
        self.with_store(move |s| Ok(s.set_setting(&key, &stored, now)?))
            .await?;
        self.oauth_client_settings(provider).await
    }

    /// The provider app, ready to sign in or refresh; refused until a client id and secret
    /// are set.
    pub(crate) async fn oauth_app(&self, provider: OAuthProvider) -> Result<App, EngineError> {
        let (app, secret) = self.app_view(provider).await?;
        if app.client_id.is_empty() {
            return Err(EngineError::OAuthClientMissing {
                provider: provider.name(),
                what: "the client ID",
            });
        }
        let Some(secret) = secret else {
            return Err(EngineError::OAuthClientMissing {
                provider: provider.name(),
                what: "the client secret",
            });
        };
        Ok(App {
            settings: provider_settings(
                provider,
                self.oauth_fake(provider),
                app.client_id,
                Some(secret),
            ),
            environment: app.environment,
            redirect: app.redirect,
            redirect_uris: app.redirect_uris,
        })
    }

    /// Starts a sign-in: opens the consent page and returns while the user is there. Wait
    /// for the result with [`Engine::finish_oauth_connect`].
    pub async fn begin_oauth_connect(
        &self,
        request: BeginConnectRequest,
    ) -> Result<ConnectStarted, EngineError> {
        let provider = request.provider;
        let timeout_secs = request.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS).max(1);
        let timeout = StdDuration::from_secs(u64::from(timeout_secs));
        let app = self.oauth_app(provider).await?;
        let client = OAuthClient::new(app.settings.clone())?;
        let now = self.clock().now();
        let mut slot = self.oauth().attempt.lock().await;
        let (outcome, _) = watch::channel(None);
        let (state, url, task) = match app.redirect {
            RedirectKind::Loopback => {
                // Bind first: a taken port is reported before any flow starts.
                let listener = LoopbackListener::bind(&loopback_redirect(&app.redirect_uris)?).await?;
                let redirect_uri = listener.redirect_uri().clone();
                let (state, challenge) =
                    self.oauth()
                        .registry
                        .begin(provider.auth_id(), redirect_uri.clone(), now)?;
                let url = client.authorize_url(&state, &challenge, &redirect_uri);
                let task = tokio::spawn(self.clone().wait_on_loopback(
                    provider,
                    client.clone(),
                    listener,
                    timeout,
                    state.clone(),
                    outcome.clone(),
                ));
                (state, url, task)
            }
            RedirectKind::DeepLink => {
                let redirect_uri = deep_link_redirect(&app.redirect_uris, provider)?;
                let (state, challenge) =
                    self.oauth()
                        .registry
                        .begin(provider.auth_id(), redirect_uri.clone(), now)?;
                let url = client.authorize_url(&state, &challenge, &redirect_uri);
                let task = tokio::spawn(self.clone().expire_deep_link(
                    timeout,
                    state.clone(),
                    outcome.clone(),
                ));
                (state, url, task)
            }
        };
        if let Some(previous) = slot.replace(Attempt {
            provider,
            state,
            client,
            outcome,
            task,
        }) {
            // The registry only let this flow start because the previous one had ended or
            // expired; its waiter (if still running) has nothing left to wait for.
            previous.task.abort();
        }
        drop(slot);
        let mut warning = self.reconnect_warning(provider).await?;
        if let Err(error) = self.oauth().browser().open(&url) {
            tracing::warn!(%error, "could not open the browser for the sign-in");
            let report = error.report();
            warning = Some(UiError {
                code: report.code.into(),
                message: report.message,
                hint: "Open the sign-in link yourself (copy it from here) and finish there.".into(),
            });
        }
        tracing::info!(provider = provider.name(), redirect = ?app.redirect, "sign-in started");
        Ok(ConnectStarted {
            provider,
            authorize_url: url.to_string(),
            redirect: app.redirect,
            timeout_secs,
            warning,
        })
    }

    /// Zoho keeps at most 20 refresh tokens per user and app: each reconnect uses one more
    /// and the 21st ends the oldest (perhaps another install's connection).
    async fn reconnect_warning(&self, provider: OAuthProvider) -> Result<Option<UiError>, EngineError> {
        if provider != OAuthProvider::Zoho {
            return Ok(None);
        }
        let id = provider.connection_id();
        let existing = self.with_store(move |s| Ok(s.get_connection(id)?)).await?;
        Ok(existing.map(|_| UiError {
            code: "zoho_refresh_token_limit".into(),
            message: "Zoho keeps at most 20 sign-ins per user for an app; each reconnect uses one, \
                      and the 21st silently ends the oldest."
                .into(),
            hint: "Reconnect only when the connection asks for it; if another computer uses the same \
                   Zoho app, it may have to reconnect after many reconnects here."
                .into(),
        }))
    }

    async fn wait_on_loopback(
        self,
        provider: OAuthProvider,
        client: OAuthClient,
        listener: LoopbackListener,
        timeout: StdDuration,
        state: CsrfToken,
        outcome: watch::Sender<Option<Outcome>>,
    ) {
        let result = async {
            let callback = listener.wait(timeout).await?;
            let authorized = self.oauth().registry.complete(callback)?;
            Ok::<_, EngineError>(authorized)
        }
        .await;
        let result = match result {
            Ok(authorized) => self.complete_sign_in(provider, &client, authorized).await,
            Err(error) => {
                // The one-shot listener is gone: this flow can no longer complete.
                self.oauth().registry.cancel_flow(&state);
                Err(error)
            }
        };
        publish(&outcome, result.map_err(Arc::new));
    }

    async fn expire_deep_link(
        self,
        timeout: StdDuration,
        state: CsrfToken,
        outcome: watch::Sender<Option<Outcome>>,
    ) {
        tokio::time::sleep(timeout).await;
        if self.oauth().registry.cancel_flow(&state) {
            publish(
                &outcome,
                Err(shared(AuthError::CallbackTimeout {
                    waited_secs: timeout.as_secs(),
                })),
            );
        }
    }

    /// Waits for the sign-in started by [`Engine::begin_oauth_connect`] to end, however it
    /// ends (loopback, deep link, refusal, time-out, cancel).
    pub async fn finish_oauth_connect(&self) -> Result<OAuthConnection, EngineError> {
        let mut receiver = {
            let slot = self.oauth().attempt.lock().await;
            slot.as_ref()
                .ok_or(EngineError::NoSignInStarted)?
                .outcome
                .subscribe()
        };
        let outcome = receiver
            .wait_for(Option::is_some)
            .await
            .map_err(|_| EngineError::SignInCancelled)?
            .clone();
        match outcome {
            Some(Ok(connection)) => Ok(connection),
            Some(Err(error)) => Err(EngineError::Shared(error)),
            None => Err(EngineError::SignInCancelled),
        }
    }

    /// Whether a sign-in for `provider` is waiting in the browser.
    pub(crate) async fn oauth_connecting(&self, provider: OAuthProvider) -> bool {
        let slot = self.oauth().attempt.lock().await;
        slot.as_ref()
            .is_some_and(|a| a.provider == provider && a.outcome.borrow().is_none())
    }

    /// Stops the sign-in waiting in the browser; `finish` then answers "cancelled". Returns
    /// whether one was waiting.
    pub async fn cancel_oauth_connect(&self) -> bool {
        let slot = self.oauth().attempt.lock().await;
        let Some(attempt) = slot.as_ref() else {
            return false;
        };
        if !self.oauth().registry.cancel_flow(&attempt.state) {
            return false;
        }
        attempt.task.abort();
        publish(&attempt.outcome, Err(shared(EngineError::SignInCancelled)));
        true
    }

    /// A `casebridge://oauth/callback?…` link the OS handed the app. It must belong to the
    /// sign-in in progress; a link that matches none is refused and changes nothing.
    pub async fn complete_deep_link(&self, url: &str) -> Result<OAuthConnection, EngineError> {
        let registered = RedirectUrl::new(DEEP_LINK_CALLBACK.into()).map_err(|_| {
            invalid_redirect(DEEP_LINK_CALLBACK, "the app's own callback is not a URL")
        })?;
        let callback = Callback::from_redirect_url(url, &registered)?;
        let (provider, client, outcome) = {
            let slot = self.oauth().attempt.lock().await;
            let attempt = slot.as_ref().ok_or(AuthError::NoPendingFlow)?;
            (attempt.provider, attempt.client.clone(), attempt.outcome.clone())
        };
        let authorized = match self.oauth().registry.complete(callback) {
            Ok(authorized) => authorized,
            // Forged or stale: the real sign-in stays open in the browser.
            Err(error @ (AuthError::NoPendingFlow | AuthError::StateMismatch)) => {
                return Err(error.into())
            }
            Err(error) => {
                let error = shared(error);
                publish(&outcome, Err(error.clone()));
                return Err(EngineError::Shared(error));
            }
        };
        let result = self
            .complete_sign_in(provider, &client, authorized)
            .await
            .map_err(Arc::new);
        publish(&outcome, result.clone());
        result.map_err(EngineError::Shared)
    }

    async fn complete_sign_in(
        &self,
        provider: OAuthProvider,
        client: &OAuthClient,
        authorized: AuthorizedFlow,
    ) -> Result<OAuthConnection, EngineError> {
        let connection = match provider {
            OAuthProvider::Quickbooks => self.finish_quickbooks_sign_in(client, authorized).await,
            OAuthProvider::Zoho => self.finish_zoho_sign_in(client, authorized).await,
        };
        match &connection {
            Ok(_) => tracing::info!(provider = provider.name(), "connected"),
            Err(error) => tracing::warn!(provider = provider.name(), %error, "sign-in failed"),
        }
        connection
    }

    /// A bearer source over the keychain for `provider`'s stored connection.
    pub(crate) fn bearer(&self, provider: OAuthProvider, client: OAuthClient) -> VaultBearer {
        VaultBearer {
            engine: self.clone(),
            provider,
            client,
            refused_lock: tokio::sync::Mutex::new(()),
        }
    }

    /// Forgets a connection: revokes its refresh token at the provider (best effort: the
    /// local copy goes either way), deletes the keychain entry and the connection row.
    /// Cached invoices stay for review.
    pub async fn disconnect_oauth(&self, provider: OAuthProvider) -> Result<(), EngineError> {
        let id = provider.connection_id();
        let vault = &self.oauth().vault;
        if let Some(tokens) = vault.load(id).await? {
            match self.token_client(provider).await {
                Ok(client) => {
                    if let Err(error) = client.revoke(&tokens.refresh).await {
                        tracing::warn!(provider = provider.name(), %error, "could not revoke at the provider");
                    }
                }
                Err(error) => tracing::warn!(provider = provider.name(), %error, "no client to revoke with"),
            }
        }
        vault.forget(id).await?;
        let now = self.clock().now();
        self.with_store(move |s| {
            if s.delete_connection(id)? {
                s.append_audit(&casebridge_store::NewAuditEntry {
                    at: now,
                    actor: "user".into(),
                    action: format!("{id}.disconnected"),
                    subject: id.into(),
                    details: serde_json::json!({}),
                })?;
            }
            Ok(())
        })
        .await
    }

    /// The OAuth client for token requests of the stored connection (Zoho: at its data
    /// centre's accounts server).
    pub(crate) async fn token_client(&self, provider: OAuthProvider) -> Result<OAuthClient, EngineError> {
        let app = self.oauth_app(provider).await?;
        let client = OAuthClient::new(app.settings)?;
        match provider {
            OAuthProvider::Quickbooks => Ok(client),
            OAuthProvider::Zoho => self.zoho_token_client(client).await,
        }
    }

    /// Records a connection failure for the health panel; `invalid_grant` and lost access
    /// become "needs reconnect".
    pub(crate) async fn record_oauth_error(
        &self,
        provider: OAuthProvider,
        error: &EngineError,
    ) -> Result<(), EngineError> {
        let status = if error.needs_reconnect() {
            casebridge_store::ConnectionStatus::NeedsReconnect
        } else {
            casebridge_store::ConnectionStatus::Error
        };
        let report = serde_json::to_value(error.to_ui()).unwrap_or_default();
        let now = self.clock().now();
        let id = provider.connection_id();
        self.with_store(move |s| {
            if s.get_connection(id)?.is_some() {
                s.record_connection_error(id, status, &report, now)?;
            }
            Ok(())
        })
        .await
    }
}

/// The providers' [`BearerSource`] over the keychain: refreshes before expiry under the
/// cross-process lock, records new expiry times for the health panel, and turns
/// `invalid_grant` into "needs reconnect".
pub(crate) struct VaultBearer {
    engine: Engine,
    provider: OAuthProvider,
    client: OAuthClient,
    /// Serialises 401 reports of parallel requests in this process.
    refused_lock: tokio::sync::Mutex<()>,
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl VaultBearer {
    fn provider_error(&self, error: AuthError) -> ProviderError {
        let provider = self.provider.domain();
        match error {
            AuthError::NeedsReconnect { .. } => ProviderError::NeedsReconnect {
                provider,
                reason: ReconnectReason::RefreshRejected,
            },
            AuthError::NotConnected { .. } => ProviderError::NeedsReconnect {
                provider,
                reason: ReconnectReason::NotConnected,
            },
            other => ProviderError::TokenUnavailable {
                provider,
                source: Box::new(other),
            },
        }
    }

    /// A token valid for at least `skew`; records the new expiry when it refreshed.
    async fn token(&self, skew: Duration) -> Result<BearerToken, AuthError> {
        let id = self.provider.connection_id();
        let vault = &self.engine.oauth().vault;
        let clock: &Arc<dyn Clock> = self.engine.clock();
        let before = vault.load(id).await?;
        let access = vault.refresh_if_needed(id, &self.client, clock.now(), skew).await?;
        let after = vault.load(id).await?;
        if let (Some(before), Some(after)) = (before, after) {
            if after.expires_at != before.expires_at {
                let rotated = (after.refresh_issued_at != before.refresh_issued_at)
                    .then_some(after.refresh_issued_at);
                let now = clock.now();
                let recorded = self
                    .engine
                    .with_store(move |s| {
                        if s.get_connection(id)?.is_some() {
                            s.record_token_times(id, after.expires_at, rotated, now)?;
                        }
                        Ok(())
                    })
                    .await;
                if let Err(error) = recorded {
                    tracing::warn!(%error, "could not record the new token expiry");
                }
            }
        }
        Ok(BearerToken::new(access.expose()))
    }
}

impl BearerSource for VaultBearer {
    fn bearer(&self) -> BoxFuture<'_, Result<BearerToken, ProviderError>> {
        Box::pin(async move {
            self.token(Duration::minutes(REFRESH_SKEW_MINUTES))
                .await
                .map_err(|e| self.provider_error(e))
        })
    }

    fn refused<'a>(&'a self, token: &'a BearerToken) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let _one_at_a_time = self.refused_lock.lock().await;
            let id = self.provider.connection_id();
            let current = match self.engine.oauth().vault.load(id).await {
                Ok(Some(current)) => current,
                _ => return,
            };
            // Another request already replaced the refused token.
            if current.access.expose() != token.expose() {
                return;
            }
            // A skew longer than any token's life forces the refresh.
            if let Err(error) = self.token(Duration::days(3650)).await {
                tracing::warn!(%error, "refresh after a refused token failed");
            }
        })
    }
}
