//! The one error type of the auth crate, with a stable `code()`, a `message()` and a `hint()`.
//!
//! No variant carries a token, an authorization code, a PKCE verifier or a client secret: token
//! response bodies and JSON decode errors of stored tokens are dropped on purpose (serde's
//! messages quote the offending value, which would be the secret).

use std::path::PathBuf;

use casebridge_store::StoreError;
use serde::Serialize;

use crate::flow::ProviderId;

/// Everything that can go wrong while connecting a provider or keeping its tokens fresh.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A sign-in is already waiting for its callback; only one may be pending at a time.
    #[error("a sign-in to {pending} is already in progress")]
    FlowInProgress { pending: ProviderId },
    /// A callback arrived but no sign-in is waiting (already finished, cancelled, or forged).
    #[error("received a sign-in answer, but no sign-in is waiting for one")]
    NoPendingFlow,
    /// The callback's `state` is not the one this sign-in sent: possibly a forged redirect.
    #[error("the sign-in answer does not belong to the sign-in in progress (state mismatch)")]
    StateMismatch,
    /// The callback has neither a usable `code` nor an `error`, or is not a valid query.
    #[error("the sign-in answer is malformed: {reason}")]
    MalformedCallback { reason: &'static str },
    /// The provider redirected back with `error=…` (e.g. `access_denied` when the user declined).
    #[error("{provider_error}: {}", description.as_deref().unwrap_or("the provider refused the sign-in"))]
    AuthorizationRefused {
        provider_error: String,
        description: Option<String>,
    },
    /// Nobody came back to the loopback listener in time.
    #[error("no answer from the browser within {waited_secs} s")]
    CallbackTimeout { waited_secs: u64 },
    /// Every registered loopback port is taken by another program.
    #[error(
        "none of the registered redirect ports is free ({})",
        format_ports(tried)
    )]
    NoFreePort { tried: Vec<u16> },
    /// Binding or serving the loopback listener failed for a reason other than "port in use".
    #[error("could not listen on 127.0.0.1:{port} for the sign-in answer")]
    Listener {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    /// The configured redirect URI cannot be used for the chosen redirect kind.
    #[error("the redirect URI {uri} cannot be used: {reason}")]
    InvalidRedirect { uri: String, reason: &'static str },
    /// An endpoint in the provider settings is not a valid absolute URL.
    #[error("the {which} endpoint is not a valid URL")]
    InvalidEndpoint {
        which: &'static str,
        #[source]
        source: url::ParseError,
    },
    /// A Zoho callback named an accounts server that is not one of Zoho's (https, known host).
    #[error("the sign-in answer names an unknown accounts server {server}")]
    UntrustedAccountsServer { server: String },
    /// The system browser could not be opened.
    #[error("could not open the system browser")]
    Browser {
        #[source]
        source: std::io::Error,
    },
    /// The token endpoint could not be reached (network, TLS, timeout).
    #[error("could not reach the {provider} token endpoint")]
    TokenTransport {
        provider: ProviderId,
        #[source]
        source: oauth2::HttpClientError<reqwest::Error>,
    },
    /// The token endpoint answered something that is not a token response.
    #[error("the {provider} token endpoint sent an unreadable answer")]
    TokenResponseUnreadable { provider: ProviderId },
    /// The token endpoint answered `server_error` / `temporarily_unavailable`: nothing changed,
    /// try again later.
    #[error("{provider} sign-in service is temporarily unavailable ({oauth_error})")]
    ProviderUnavailable {
        provider: ProviderId,
        oauth_error: String,
    },
    /// The token endpoint refused the request with an OAuth error other than `invalid_grant`
    /// on refresh (e.g. `invalid_client`, or `invalid_grant` for a code / PKCE verifier).
    #[error("the {provider} token endpoint refused the request: {oauth_error}")]
    TokenRejected {
        provider: ProviderId,
        oauth_error: String,
        description: Option<String>,
    },
    /// The code exchange returned no refresh token, so the connection would die within the hour.
    #[error("{provider} did not grant offline access (no refresh token)")]
    NoRefreshToken { provider: ProviderId },
    /// The refresh token is no longer accepted (`invalid_grant`): expired, revoked, or rotated
    /// away. Only a new sign-in helps.
    #[error("the connection {connection} must be reconnected: the provider no longer accepts its refresh token")]
    NeedsReconnect { connection: String },
    /// No tokens are stored for the connection.
    #[error("the connection {connection} has no stored sign-in")]
    NotConnected { connection: String },
    /// The keychain entry exists but is not a token set this version understands.
    #[error("the stored sign-in of {connection} is unreadable")]
    CorruptTokens { connection: String },
    /// Reading or writing the keychain failed.
    #[error("the keychain could not be used for the connection {connection}")]
    Keychain {
        connection: String,
        #[source]
        source: StoreError,
    },
    /// The cross-process refresh lock file could not be created or locked.
    #[error("could not lock {} to refresh the sign-in", path.display())]
    Lock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A blocking task (keychain, lock) was cancelled or panicked.
    #[error("an internal task stopped before finishing")]
    TaskFailed {
        #[source]
        source: tokio::task::JoinError,
    },
}

fn format_ports(ports: &[u16]) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `{ code, message, hint }` shape the UI and CLI show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReport {
    pub code: &'static str,
    pub message: String,
    pub hint: &'static str,
}

impl AuthError {
    /// A stable snake_case code the UI can switch on.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::FlowInProgress { .. } => "oauth_flow_in_progress",
            AuthError::NoPendingFlow => "oauth_no_pending_flow",
            AuthError::StateMismatch => "oauth_state_mismatch",
            AuthError::MalformedCallback { .. } => "oauth_malformed_callback",
            AuthError::AuthorizationRefused { provider_error, .. } => {
                if provider_error == "access_denied" {
                    "oauth_access_denied"
                } else {
                    "oauth_authorization_refused"
                }
            }
            AuthError::CallbackTimeout { .. } => "oauth_timeout",
            AuthError::NoFreePort { .. } => "oauth_no_free_port",
            AuthError::Listener { .. } => "oauth_listener_failed",
            AuthError::InvalidRedirect { .. } => "oauth_invalid_redirect",
            AuthError::InvalidEndpoint { .. } => "oauth_invalid_endpoint",
            AuthError::UntrustedAccountsServer { .. } => "oauth_untrusted_accounts_server",
            AuthError::Browser { .. } => "oauth_browser_failed",
            AuthError::TokenTransport { .. } => "oauth_token_endpoint_unreachable",
            AuthError::TokenResponseUnreadable { .. } => "oauth_token_response_unreadable",
            AuthError::ProviderUnavailable { .. } => "oauth_provider_unavailable",
            AuthError::TokenRejected { .. } => "oauth_token_rejected",
            AuthError::NoRefreshToken { .. } => "oauth_no_refresh_token",
            AuthError::NeedsReconnect { .. } => "oauth_needs_reconnect",
            AuthError::NotConnected { .. } => "oauth_not_connected",
            AuthError::CorruptTokens { .. } => "oauth_tokens_corrupt",
            AuthError::Keychain { source, .. } => source.code(),
            AuthError::Lock { .. } => "oauth_lock_failed",
            AuthError::TaskFailed { .. } => "internal_error",
        }
    }

    /// What happened, in a sentence (no secret values, see the module docs).
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// What the user can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            AuthError::FlowInProgress { .. } => {
                "Finish or cancel the sign-in that is already open in your browser, then try again."
            }
            AuthError::NoPendingFlow | AuthError::StateMismatch => {
                "Start the connection again from Casebridge; only the browser window it opens can complete it."
            }
            AuthError::MalformedCallback { .. } => {
                "Start the connection again; if it keeps failing, the provider's redirect settings are wrong."
            }
            AuthError::AuthorizationRefused { provider_error, .. } => {
                if provider_error == "access_denied" {
                    "You declined access. Start the connection again and choose Allow/Connect."
                } else {
                    "Check the app's OAuth settings (client ID, redirect URI, scopes) and try again."
                }
            }
            AuthError::CallbackTimeout { .. } => {
                "Start the connection again and complete the sign-in in the browser window."
            }
            AuthError::NoFreePort { .. } => {
                "Close the program that uses these ports, or register another redirect port with the provider."
            }
            AuthError::Listener { .. } => {
                "Check that the loopback interface is up and that Casebridge may open local sockets."
            }
            AuthError::InvalidRedirect { .. } | AuthError::InvalidEndpoint { .. } => {
                "Fix the provider settings (redirect URI and endpoints must be absolute URLs as registered)."
            }
            AuthError::UntrustedAccountsServer { .. } => {
                "Start the connection again from Casebridge; if it repeats, report it: the answer did not come from Zoho."
            }
            AuthError::Browser { .. } => {
                "Open the sign-in link manually in a browser, or set a default browser."
            }
            AuthError::TokenTransport { .. } => "Check the internet connection and try again.",
            AuthError::TokenResponseUnreadable { .. } => {
                "Try again later; if it persists, report it with the time it happened."
            }
            AuthError::ProviderUnavailable { .. } => {
                "Try again in a few minutes; the connection itself is unchanged."
            }
            AuthError::TokenRejected { .. } => {
                "Start the connection again; if it fails again, check the client ID and secret in Settings."
            }
            AuthError::NoRefreshToken { .. } => {
                "Connect again and approve offline access; remove older Casebridge grants in the provider's connected apps if it persists."
            }
            AuthError::NeedsReconnect { .. } | AuthError::NotConnected { .. } => {
                "Reconnect the provider in Settings → Connections."
            }
            AuthError::CorruptTokens { .. } => {
                "Reconnect the provider in Settings → Connections; the stored sign-in will be replaced."
            }
            AuthError::Keychain { source, .. } => source
                .hint()
                .unwrap_or("Check that the OS keychain is unlocked and try again."),
            AuthError::Lock { .. } => {
                "Check that the app's data folder is writable; another Casebridge process may be stuck."
            }
            AuthError::TaskFailed { .. } => "Try again; if it persists, report this problem.",
        }
    }

    /// The error as the UI shows it.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code(),
            message: self.message(),
            hint: self.hint(),
        }
    }
}

pub type Result<T, E = AuthError> = std::result::Result<T, E>;
