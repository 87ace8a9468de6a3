//! The whole sign-in loop against the sandbox OAuth fake on 127.0.0.1: authorize URL → "browser"
//! (an HTTP client reading `Location`) → loopback listener → state check → code exchange with
//! the PKCE verifier → keychain → refresh with rotation.

mod common;

use std::sync::Arc;

use casebridge_auth::{AuthError, FlowRegistry, TokenVault};
use casebridge_sandbox::oauth::Approval;
use casebridge_store::secrets::EphemeralSecrets;
use chrono::{Duration, Utc};
use common::{auto_approve, client_for, run_flow, sign_in, start_fake};

const CONNECTION: &str = "qbo:9130350000000001";

async fn userinfo_status(base: &str, access: &str) -> u16 {
    reqwest::Client::new()
        .get(format!("{base}/oauth/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn full_loop_signs_in_stores_tokens_and_uses_them() {
    let fake = start_fake(auto_approve()).await;
    let client = client_for(&fake.fake.url());
    let registry = FlowRegistry::new(Duration::minutes(10));
    let callback = run_flow(&registry, &client, |location| {
        assert!(location.starts_with("http://127.0.0.1:"), "{location}");
        location
    })
    .await
    .unwrap();
    let authorized = registry.complete(callback).unwrap();
    assert_eq!(authorized.realm_id.as_deref(), Some("9130350000000001"));
    let grant = client.exchange_code(authorized, Utc::now()).await.unwrap();
    assert!(!format!("{grant:?}").contains(grant.tokens.access.expose()));

    let dir = tempfile::tempdir().unwrap();
    let vault = TokenVault::new(Arc::new(EphemeralSecrets::default()), dir.path());
    vault.save(CONNECTION, &grant.tokens).await.unwrap();
    let access = vault
        .refresh_if_needed(CONNECTION, &client, Utc::now(), Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(
        access.expose(),
        grant.tokens.access.expose(),
        "still fresh: no refresh"
    );
    assert_eq!(fake.handle.refresh_counts(), (0, 0));
    assert_eq!(
        userinfo_status(&fake.fake.url(), access.expose()).await,
        200
    );
}

#[tokio::test]
async fn authorize_url_carries_s256_challenge_state_and_scope() {
    let fake = start_fake(auto_approve()).await;
    let client = client_for(&fake.fake.url());
    let registry = FlowRegistry::new(Duration::minutes(10));
    let redirect = oauth2::RedirectUrl::new("http://127.0.0.1:4000/callback".into()).unwrap();
    let (state, challenge) = registry
        .begin(
            casebridge_auth::ProviderId::QuickBooks,
            redirect.clone(),
            Utc::now(),
        )
        .unwrap();
    let url = client.authorize_url(&state, &challenge, &redirect);
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("code_challenge_method"), Some("S256"));
    assert_eq!(get("code_challenge"), Some(challenge.as_str()));
    assert_eq!(get("state"), Some(state.secret().as_str()));
    assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:4000/callback"));
    assert_eq!(get("scope"), Some("com.intuit.quickbooks.accounting"));
    assert_eq!(get("response_type"), Some("code"));
}

#[tokio::test]
async fn tampered_state_is_refused_and_the_flow_stays_pending() {
    let fake = start_fake(auto_approve()).await;
    let client = client_for(&fake.fake.url());
    let registry = FlowRegistry::new(Duration::minutes(10));
    let callback = run_flow(&registry, &client, |location| {
        let mut url = url::Url::parse(&location).unwrap();
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .into_owned()
            .filter(|(k, _)| k != "state")
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("state", "forged");
        url.to_string()
    })
    .await
    .unwrap();
    let err = registry.complete(callback).unwrap_err();
    assert!(matches!(err, AuthError::StateMismatch), "{err:?}");
    assert!(registry.is_pending());
}

#[tokio::test]
async fn a_code_exchanged_with_another_flows_verifier_fails_pkce() {
    let fake = start_fake(auto_approve()).await;
    let client = client_for(&fake.fake.url());
    // Flow A obtains a code for its challenge; flow B (other verifier) presents it.
    let a = FlowRegistry::new(Duration::minutes(10));
    let b = FlowRegistry::new(Duration::minutes(10));
    let done_a = a
        .complete(run_flow(&a, &client, |l| l).await.unwrap())
        .unwrap();
    let code = done_a.code.expose();
    // The same redirect URI as A, so only the verifier differs.
    let (state_b, _) = b
        .begin(
            casebridge_auth::ProviderId::QuickBooks,
            done_a.flow.redirect().clone(),
            Utc::now(),
        )
        .unwrap();
    let forged =
        casebridge_auth::Callback::from_query(&format!("code={code}&state={}", state_b.secret()))
            .unwrap();
    let err = client
        .exchange_code(b.complete(forged).unwrap(), Utc::now())
        .await
        .unwrap_err();
    match &err {
        AuthError::TokenRejected { oauth_error, .. } => assert_eq!(oauth_error, "invalid_grant"),
        other => panic!("expected invalid_grant, got {other:?}"),
    }
    assert_eq!(err.code(), "oauth_token_rejected");
}

#[tokio::test]
async fn declined_consent_wakes_the_caller_with_access_denied() {
    let fake = start_fake(auto_approve()).await;
    fake.handle.set_approval(Approval::AutoDeny);
    let client = client_for(&fake.fake.url());
    let registry = FlowRegistry::new(Duration::minutes(10));
    let callback = run_flow(&registry, &client, |l| l).await.unwrap();
    let report = registry.complete(callback).unwrap_err().report();
    assert_eq!(report.code, "oauth_access_denied");
    assert!(report.message.contains("denied"), "{}", report.message);
    assert!(!registry.is_pending());
}

#[tokio::test]
async fn expired_access_token_is_refreshed_and_the_rotated_refresh_token_stored() {
    let fake = start_fake(auto_approve()).await;
    let client = client_for(&fake.fake.url());
    let grant = sign_in(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let vault = TokenVault::new(Arc::new(EphemeralSecrets::default()), dir.path());
    vault.save(CONNECTION, &grant.tokens).await.unwrap();

    let later = Utc::now() + Duration::hours(2);
    let access = vault
        .refresh_if_needed(CONNECTION, &client, later, Duration::minutes(5))
        .await
        .unwrap();
    assert_ne!(access.expose(), grant.tokens.access.expose());
    let stored = vault.load(CONNECTION).await.unwrap().unwrap();
    assert_eq!(stored.access.expose(), access.expose());
    assert!(fake.handle.is_refresh_token_active(stored.refresh.expose()));
    assert!(!fake
        .handle
        .is_refresh_token_active(grant.tokens.refresh.expose()));
    assert_eq!(stored.expires_at, later + Duration::hours(1));

    // Same moment again: the stored set is fresh, no second request.
    vault
        .refresh_if_needed(CONNECTION, &client, later, Duration::minutes(5))
        .await
        .unwrap();
    assert_eq!(fake.handle.refresh_counts(), (1, 0));
}

#[tokio::test]
async fn invalid_grant_on_refresh_means_reconnect() {
    let fake = start_fake(auto_approve()).await;
    let client = client_for(&fake.fake.url());
    let grant = sign_in(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let vault = TokenVault::new(Arc::new(EphemeralSecrets::default()), dir.path());
    vault.save(CONNECTION, &grant.tokens).await.unwrap();
    fake.handle.revoke_all();
    let err = vault
        .refresh_if_needed(
            CONNECTION,
            &client,
            Utc::now() + Duration::hours(2),
            Duration::zero(),
        )
        .await
        .unwrap_err();
    assert!(matches!(&err, AuthError::NeedsReconnect { connection } if connection == CONNECTION));
    assert_eq!(err.code(), "oauth_needs_reconnect");
    assert!(err.hint().contains("Reconnect"));
}

#[tokio::test]
async fn no_stored_tokens_is_not_connected() {
    let fake = start_fake(auto_approve()).await;
    let client = client_for(&fake.fake.url());
    let dir = tempfile::tempdir().unwrap();
    let vault = TokenVault::new(Arc::new(EphemeralSecrets::default()), dir.path());
    let err = vault
        .refresh_if_needed(CONNECTION, &client, Utc::now(), Duration::zero())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "oauth_not_connected");
}

/// Plays the user's browser: follows the consent redirect in the background.
struct HttpBrowser;

impl casebridge_auth::Browser for HttpBrowser {
    fn open(&self, url: &url::Url) -> casebridge_auth::Result<()> {
        let url = url.clone();
        tokio::spawn(async move { common::act_as_browser(&url, |l| l).await });
        Ok(())
    }
}

/// A user who never comes back.
struct IgnoredBrowser;

impl casebridge_auth::Browser for IgnoredBrowser {
    fn open(&self, _: &url::Url) -> casebridge_auth::Result<()> {
        Ok(())
    }
}

/// No default browser on this machine.
struct BrokenBrowser;

impl casebridge_auth::Browser for BrokenBrowser {
    fn open(&self, _: &url::Url) -> casebridge_auth::Result<()> {
        Err(AuthError::Browser {
            source: std::io::Error::new(std::io::ErrorKind::NotFound, "xdg-open not found"),
        })
    }
}

fn any_port() -> casebridge_auth::LoopbackRedirect {
    casebridge_auth::LoopbackRedirect::from_registered(&["http://127.0.0.1/callback"]).unwrap()
}

#[tokio::test]
async fn sign_in_with_loopback_returns_tokens_and_the_realm() {
    let fake = start_fake(auto_approve()).await;
    let client = client_for(&fake.fake.url());
    let registry = FlowRegistry::new(Duration::minutes(10));
    let signed_in = casebridge_auth::sign_in_with_loopback(
        &registry,
        &client,
        &HttpBrowser,
        &any_port(),
        std::time::Duration::from_secs(10),
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(signed_in.realm_id.as_deref(), Some("9130350000000001"));
    assert!(fake
        .handle
        .is_refresh_token_active(signed_in.grant.tokens.refresh.expose()));
    assert!(!registry.is_pending());
}

#[tokio::test]
async fn sign_in_failures_end_the_flow_so_the_next_one_can_start() {
    let fake = start_fake(auto_approve()).await;
    let client = client_for(&fake.fake.url());
    let registry = FlowRegistry::new(Duration::minutes(10));
    let short = std::time::Duration::from_millis(200);
    let timeout = casebridge_auth::sign_in_with_loopback(
        &registry,
        &client,
        &IgnoredBrowser,
        &any_port(),
        short,
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(timeout.code(), "oauth_timeout");
    assert!(
        !registry.is_pending(),
        "a timed-out flow does not block the next"
    );

    let broken = casebridge_auth::sign_in_with_loopback(
        &registry,
        &client,
        &BrokenBrowser,
        &any_port(),
        short,
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(broken.code(), "oauth_browser_failed");
    assert!(!registry.is_pending());

    fake.handle.set_approval(Approval::AutoDeny);
    let denied = casebridge_auth::sign_in_with_loopback(
        &registry,
        &client,
        &HttpBrowser,
        &any_port(),
        std::time::Duration::from_secs(10),
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert_eq!(denied.code(), "oauth_access_denied");
    assert!(!registry.is_pending());
}

#[tokio::test]
async fn deep_link_callback_completes_the_pending_flow() {
    let fake = start_fake(auto_approve()).await;
    let client = client_for(&fake.fake.url());
    let registry = FlowRegistry::new(Duration::minutes(10));
    let deep_link = oauth2::RedirectUrl::new("casebridge://oauth/callback".into()).unwrap();
    let (state, challenge) = registry
        .begin(
            casebridge_auth::ProviderId::QuickBooks,
            deep_link.clone(),
            Utc::now(),
        )
        .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = http
        .get(
            client
                .authorize_url(&state, &challenge, &deep_link)
                .as_str(),
        )
        .send()
        .await
        .unwrap();
    // What the OS would hand the shell.
    let link = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(link.starts_with("casebridge://oauth/callback?"), "{link}");

    let stray = casebridge_auth::Callback::from_redirect_url(
        "casebridge://oauth/callback?code=old&state=from-an-earlier-run",
        &deep_link,
    )
    .unwrap();
    assert_eq!(
        registry.complete(stray).unwrap_err().code(),
        "oauth_state_mismatch"
    );

    let callback = casebridge_auth::Callback::from_redirect_url(&link, &deep_link).unwrap();
    let grant = client
        .exchange_code(registry.complete(callback).unwrap(), Utc::now())
        .await
        .unwrap();
    assert!(fake
        .handle
        .is_refresh_token_active(grant.tokens.refresh.expose()));
}

#[tokio::test]
async fn disconnect_revokes_the_grant_both_ways_providers_expect() {
    let fake = start_fake(auto_approve()).await;
    // QuickBooks style: token in the body, HTTP Basic client authentication.
    let client = client_for(&fake.fake.url());
    let grant = sign_in(&client).await;
    client.revoke(&grant.tokens.refresh).await.unwrap();
    assert!(!fake
        .handle
        .is_refresh_token_active(grant.tokens.refresh.expose()));
    assert!(!fake
        .handle
        .is_access_token_valid(grant.tokens.access.expose()));

    // Zoho style: `?token=` in the query.
    let zoho = casebridge_auth::OAuthClient::new(casebridge_auth::ProviderSettings {
        client_auth: casebridge_auth::ClientAuth::RequestBody,
        ..common::settings_for(&fake.fake.url())
    })
    .unwrap();
    let grant = sign_in(&zoho).await;
    zoho.revoke(&grant.tokens.refresh).await.unwrap();
    assert!(!fake
        .handle
        .is_refresh_token_active(grant.tokens.refresh.expose()));
}

#[tokio::test]
async fn a_token_endpoint_outage_changes_nothing_and_the_next_refresh_works() {
    use casebridge_sandbox::{FaultKind, FaultRule};
    let fake = start_fake(auto_approve()).await;
    let client = client_for(&fake.fake.url());
    let grant = sign_in(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let vault = TokenVault::new(Arc::new(EphemeralSecrets::default()), dir.path());
    vault.save(CONNECTION, &grant.tokens).await.unwrap();
    fake.fake.control().add_fault(FaultRule::next(
        1,
        FaultKind::ServerError {
            status: 503.try_into().unwrap(),
        },
    ));
    let later = Utc::now() + Duration::hours(2);
    let err = vault
        .refresh_if_needed(CONNECTION, &client, later, Duration::zero())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "oauth_provider_unavailable", "{err:?}");
    let stored = vault.load(CONNECTION).await.unwrap().unwrap();
    assert_eq!(stored.refresh.expose(), grant.tokens.refresh.expose());
    vault
        .refresh_if_needed(CONNECTION, &client, later, Duration::zero())
        .await
        .expect("the outage is over");
}

/// Known limit of rotation: if the provider rotates but its answer is lost, the new refresh
/// token never reaches us and the old one is dead. The user is told to reconnect (never left
/// with silently broken tokens).
#[tokio::test]
async fn a_lost_rotation_answer_ends_in_needs_reconnect() {
    use casebridge_sandbox::{FaultKind, FaultRule};
    let fake = start_fake(auto_approve()).await;
    let client = client_for(&fake.fake.url());
    let grant = sign_in(&client).await;
    let dir = tempfile::tempdir().unwrap();
    let vault = TokenVault::new(Arc::new(EphemeralSecrets::default()), dir.path());
    vault.save(CONNECTION, &grant.tokens).await.unwrap();
    fake.fake
        .control()
        .add_fault(FaultRule::next(1, FaultKind::DropAfterProcessing));
    let later = Utc::now() + Duration::hours(2);
    let lost = vault
        .refresh_if_needed(CONNECTION, &client, later, Duration::zero())
        .await
        .unwrap_err();
    assert_eq!(lost.code(), "oauth_token_endpoint_unreachable", "{lost:?}");
    let err = vault
        .refresh_if_needed(CONNECTION, &client, later, Duration::zero())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "oauth_needs_reconnect");
}
