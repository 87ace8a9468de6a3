//! Shared set-up for the end-to-end tests: the sandbox OAuth fake, a client configured for it,
//! a sign-in driven by an HTTP client in place of a browser, and a file-backed secret store so
//! two processes can share "the keychain".

#![allow(dead_code)] // each test binary uses a different part of this module

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use casebridge_auth::{
    Callback, ClientAuth, FlowRegistry, LoopbackListener, LoopbackRedirect, OAuthClient,
    ProviderId, ProviderSettings, TokenGrant,
};
use casebridge_sandbox::oauth::{self, Approval, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use casebridge_sandbox::{OAuthConfig, OAuthHandle, RunningFake, SystemClock};
use casebridge_store::secrets::{Secret, SecretKey, SecretStore};
use casebridge_store::{KeychainOp, KeychainProblem, StoreError};
use chrono::{Duration, Utc};

pub struct Fake {
    pub fake: RunningFake,
    pub handle: OAuthHandle,
}

pub async fn start_fake(config: OAuthConfig) -> Fake {
    let (server, handle) = oauth::build(config, Arc::new(SystemClock), 1).unwrap();
    Fake {
        fake: server.start().await.unwrap(),
        handle,
    }
}

pub fn auto_approve() -> OAuthConfig {
    OAuthConfig {
        approval: Approval::AutoApprove,
        ..OAuthConfig::default()
    }
}

pub fn client_for(base_url: &str) -> OAuthClient {
    OAuthClient::new(settings_for(base_url)).unwrap()
}

/// QuickBooks-style settings for the fake at `base_url`.
pub fn settings_for(base_url: &str) -> ProviderSettings {
    ProviderSettings {
        provider: ProviderId::QuickBooks,
        client_id: DEMO_CLIENT_ID.into(),
        client_secret: Some(Secret::new(DEMO_CLIENT_SECRET)),
        authorize_url: format!("{base_url}/oauth/authorize"),
        token_url: format!("{base_url}/oauth/token"),
        revoke_url: format!("{base_url}/oauth/revoke"),
        scopes: vec!["com.intuit.quickbooks.accounting".into()],
        client_auth: ClientAuth::Basic,
        extra_authorize_params: vec![],
    }
}

/// The browser: follows the authorize URL without auto-redirects, then calls the `Location`
/// (the loopback listener) like a browser would. `tamper` may rewrite the Location first.
pub async fn act_as_browser(authorize_url: &url::Url, tamper: impl FnOnce(String) -> String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http.get(authorize_url.as_str()).send().await.unwrap();
    assert_eq!(response.status(), 302, "the fake redirects back");
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let page = http.get(tamper(location)).send().await.unwrap();
    assert!(page.status().is_success() || page.status() == 400);
}

/// Starts a flow on a loopback listener, drives the browser, and returns the parsed callback.
pub async fn run_flow(
    registry: &FlowRegistry,
    client: &OAuthClient,
    tamper: impl FnOnce(String) -> String,
) -> Result<Callback, casebridge_auth::AuthError> {
    let redirect = LoopbackRedirect::from_registered(&["http://127.0.0.1/callback"]).unwrap();
    let listener = LoopbackListener::bind(&redirect).await.unwrap();
    let (state, challenge) = registry
        .begin(
            ProviderId::QuickBooks,
            listener.redirect_uri().clone(),
            Utc::now(),
        )
        .unwrap();
    let url = client.authorize_url(&state, &challenge, listener.redirect_uri());
    let waiting = tokio::spawn(listener.wait(StdDuration::from_secs(10)));
    act_as_browser(&url, tamper).await;
    waiting.await.unwrap()
}

/// A complete sign-in: flow, callback, code exchange.
pub async fn sign_in(client: &OAuthClient) -> TokenGrant {
    let registry = FlowRegistry::new(Duration::minutes(10));
    let callback = run_flow(&registry, client, |l| l).await.unwrap();
    let authorized = registry.complete(callback).unwrap();
    client.exchange_code(authorized, Utc::now()).await.unwrap()
}

/// "The keychain" as files in one directory, so separate test processes share it. Writes go
/// through a rename so a reader never sees half a value (as with a real keychain).
#[derive(Debug, Clone)]
pub struct FileSecrets {
    pub dir: PathBuf,
}

impl FileSecrets {
    fn path(&self, key: &SecretKey) -> PathBuf {
        let name = format!("{}__{}", key.scope(), key.name()).replace([':', '/'], "_");
        self.dir.join(name)
    }
}

fn unavailable(op: KeychainOp, key: &SecretKey) -> StoreError {
    StoreError::Keychain {
        op,
        key: key.to_string(),
        problem: KeychainProblem::Unavailable,
        source: None,
    }
}

impl SecretStore for FileSecrets {
    fn get(&self, key: &SecretKey) -> casebridge_store::Result<Option<Secret>> {
        match std::fs::read_to_string(self.path(key)) {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(_) => Err(unavailable(KeychainOp::Read, key)),
        }
    }

    fn set(&self, key: &SecretKey, value: &Secret) -> casebridge_store::Result<()> {
        let tmp = self.dir.join(format!(
            "tmp-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&tmp, value.expose()).map_err(|_| unavailable(KeychainOp::Write, key))?;
        std::fs::rename(&tmp, self.path(key)).map_err(|_| unavailable(KeychainOp::Write, key))
    }

    fn delete(&self, key: &SecretKey) -> casebridge_store::Result<()> {
        match std::fs::remove_file(self.path(key)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(_) => Err(unavailable(KeychainOp::Delete, key)),
        }
    }
}
