//! # casebridge-auth
//!
//! OAuth2 for the accounting sources (QuickBooks Online, Zoho Books): the authorization-code
//! flow with PKCE S256 in the system browser, the redirect back to the app, and tokens that stay
//! fresh without ever leaving the OS keychain.
//!
//! ## What it owns
//! - [`flow`]: one pending sign-in at a time ([`FlowRegistry`]), its random `state` and PKCE
//!   verifier, and the typed [`Callback`] parsed from the redirect (loopback query or
//!   `casebridge://oauth/callback` deep link). A callback that matches no pending flow is refused.
//! - [`loopback`]: the one-shot redirect listener, bound to `127.0.0.1` only, on an ephemeral
//!   port or the first free port of the registered list, with a timeout.
//! - [`client`]: the provider's endpoints and client credentials (installation settings), the
//!   authorize URL, the code exchange and the refresh request (the `oauth2` crate does the wire).
//! - [`connect`]: the loopback sign-in end to end ([`sign_in_with_loopback`]); the deep-link
//!   variant is the same registry + [`Callback::from_redirect_url`] + [`OAuthClient::exchange_code`],
//!   driven by the shell when the OS hands it the `casebridge://` URL.
//! - [`tokens`]: the [`TokenSet`] in the keychain and [`TokenVault::refresh_if_needed`], which
//!   refreshes under a lock file shared by every Casebridge process (window and CLI) and stores a
//!   rotated refresh token before anyone may use the new access token. `invalid_grant` on refresh
//!   becomes [`AuthError::NeedsReconnect`].
//! - [`browser`]: opening the consent page, behind a trait so tests never open a browser.
//!
//! ## What it must NOT do
//! - Put a token, code, verifier or client secret in SQLite, a log line, an error or `Debug`.
//! - Listen anywhere but `127.0.0.1`, or depend on Tauri (the shell forwards deep links here).
//! - Know invoice APIs: provider clients take an access token from [`TokenVault`] and nothing else.
//! - Read the clock inside the token logic: "now" is passed in.

pub mod browser;
pub mod client;
pub mod connect;
mod error;
pub mod flow;
pub mod loopback;
pub mod tokens;

pub use browser::{Browser, SystemBrowser};
pub use client::{ClientAuth, OAuthClient, ProviderSettings, TokenGrant};
pub use connect::{sign_in_with_loopback, SignedIn};
pub use error::{AuthError, ErrorReport, Result};
pub use flow::{AuthorizedFlow, Callback, CallbackOutcome, FlowRegistry, PendingFlow, ProviderId};
pub use loopback::{LoopbackHost, LoopbackListener, LoopbackRedirect};
pub use tokens::{TokenSet, TokenVault};
