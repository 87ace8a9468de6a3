//! QuickBooks and Zoho sign-in end to end in the engine, against demo mode's sandbox fakes:
//! the authorize URL is followed by an HTTP client acting as the browser (it "clicks" the
//! consent page), the loopback and the deep-link paths both, and every way a sign-in can fail.

mod support;
use support::oauth::{begin, connect_quickbooks, connect_zoho, consent, demo, http, return_to_app};
use support::Events;

use std::sync::Arc;

use casebridge_engine::api::{
    BeginConnectRequest, ChooseOrganizationRequest, ConnectionStatus, FetchRequest, IntegrationKind,
    OAuthProvider, RedirectKind, RunMode, SaveOAuthClientRequest,
};
use casebridge_engine::api::JobPhase;
use casebridge_engine::{Clock, Engine, EngineConfig, NoProgress};
use casebridge_sandbox::demo::QUICKBOOKS_COMPANIES;
use casebridge_sandbox::oauth::DEMO_CLIENT_ID;
use casebridge_store::secrets::SecretKey;
use chrono::{DateTime, Duration, Utc};
use url::Url;

fn with_query(location: &str, name: &str, value: &str) -> String {
    let mut url = Url::parse(location).unwrap();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .map(|(k, v)| if k == name { (k, value.to_owned()) } else { (k, v) })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(pairs);
    url.to_string()
}

#[tokio::test]
async fn quickbooks_loopback_sign_in_binds_the_picked_company_and_shows_its_name() {
    let d = demo().await;
    let settings = d.engine.oauth_client_settings(OAuthProvider::Quickbooks).await.unwrap();
    assert!(settings.demo && settings.ready, "demo mode is pre-filled: {settings:?}");
    assert_eq!(settings.client_id.as_deref(), Some(DEMO_CLIENT_ID));

    let started = d.engine.begin_oauth_connect(begin(OAuthProvider::Quickbooks)).await.unwrap();
    assert_eq!(d.browser.0.lock().unwrap().len(), 1, "the consent page was opened");
    let pairs: Vec<(String, String)> = Url::parse(&started.authorize_url).unwrap().query_pairs().into_owned().collect();
    assert!(pairs.contains(&("code_challenge_method".into(), "S256".into())));
    assert!(pairs.iter().any(|(k, v)| k == "redirect_uri" && v.starts_with("http://127.0.0.1:")));

    let (realm, name) = QUICKBOOKS_COMPANIES[1];
    let location = consent(&started.authorize_url, "allow", Some(realm)).await;
    return_to_app(&location).await;
    let connection = d.engine.finish_oauth_connect().await.unwrap();
    assert_eq!(connection.account_id.as_deref(), Some(realm));
    assert_eq!(connection.company.as_deref(), Some(name), "the name comes from company info");

    let tokens = d.secrets.get(&SecretKey::new("quickbooks", "oauth_tokens")).unwrap();
    assert!(tokens.is_some(), "tokens are in the keychain");
    let card = d.engine.integrations().await.unwrap().into_iter().find(|c| c.kind == IntegrationKind::Quickbooks).unwrap();
    assert_eq!(card.status, ConnectionStatus::Connected);
    assert_eq!(card.account.as_deref(), Some(name));
    assert!(card.token_expires_at.is_some());
    let health = card.oauth.expect("OAuth health");
    assert!(health.refresh_token_issued_at.is_some() && health.client_ready && !health.connecting);

    let events = Arc::new(Events::default());
    let summary = d.engine.fetch_quickbooks(FetchRequest::default(), events.clone()).await.unwrap();
    assert!(summary.invoices > 0, "{summary:?}");
    assert!(summary.failures.is_empty(), "{summary:?}");
    let events = events.0.lock().unwrap();
    assert_eq!(events.first().map(|e| e.phase), Some(JobPhase::Started));
    let last = events.last().unwrap();
    assert_eq!(last.phase, JobPhase::Finished);
    assert_eq!(last.counts.pages, Some(u64::from(summary.pages)), "pages counted for the UI");
    assert!(events.iter().any(|e| e.total.is_some()), "QuickBooks counts its invoices first");
}

#[tokio::test]
async fn zoho_sign_in_asks_for_the_organization_and_never_takes_the_first_silently() {
    let d = demo().await;
    let connection = connect_zoho(&d).await;
    assert!(connection.needs_organization, "{connection:?}");
    assert_eq!(connection.company, None);
    assert_eq!(connection.data_centre.as_deref(), Some("eu"));
    assert!(connection.organizations.len() >= 2, "{connection:?}");
    let err = d.engine.fetch_zoho(FetchRequest::default(), Arc::new(NoProgress)).await.unwrap_err();
    assert_eq!(err.code(), "zoho_organization_not_chosen");
    let err = d
        .engine
        .choose_zoho_organization(ChooseOrganizationRequest { organization_id: "404".into() })
        .await
        .unwrap_err();
    assert_eq!(err.code(), "zoho_unknown_organization");

    let second = connection.organizations[1].clone();
    let chosen = d
        .engine
        .choose_zoho_organization(ChooseOrganizationRequest { organization_id: second.organization_id.clone() })
        .await
        .unwrap();
    assert_eq!(chosen.company.as_deref(), Some(second.name.as_str()));
    assert!(!chosen.needs_organization);
    let summary = d.engine.fetch_zoho(FetchRequest::default(), Arc::new(NoProgress)).await.unwrap();
    assert!(summary.invoices > 0, "{summary:?}");

    // Reconnecting warns about Zoho's 20 refresh tokens and keeps the chosen organization.
    let started = d.engine.begin_oauth_connect(begin(OAuthProvider::Zoho)).await.unwrap();
    assert_eq!(started.warning.map(|w| w.code).as_deref(), Some("zoho_refresh_token_limit"));
    let location = consent(&started.authorize_url, "allow", None).await;
    return_to_app(&location).await;
    let again = d.engine.finish_oauth_connect().await.unwrap();
    assert_eq!(again.account_id, Some(second.organization_id));
}

#[tokio::test]
async fn deep_link_sign_in_completes_through_the_casebridge_scheme() {
    let d = demo().await;
    d.engine
        .save_oauth_client(SaveOAuthClientRequest {
            provider: OAuthProvider::Quickbooks,
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: None,
            environment: casebridge_engine::api::OAuthEnvironment::Sandbox,
            redirect: RedirectKind::DeepLink,
            redirect_uris: vec![],
        })
        .await
        .unwrap();
    let started = d.engine.begin_oauth_connect(begin(OAuthProvider::Quickbooks)).await.unwrap();
    assert_eq!(started.redirect, RedirectKind::DeepLink);
    let waiting = {
        let engine = d.engine.clone();
        tokio::spawn(async move { engine.finish_oauth_connect().await })
    };
    let location = consent(&started.authorize_url, "allow", Some(QUICKBOOKS_COMPANIES[0].0)).await;
    assert!(location.starts_with("casebridge://oauth/callback?"), "{location}");

    // A forged link (wrong state) is refused and leaves the real sign-in waiting.
    let forged = d.engine.complete_deep_link(&with_query(&location, "state", "forged")).await.unwrap_err();
    assert_eq!(forged.code(), "oauth_state_mismatch");
    let other_target = d.engine.complete_deep_link("casebridge://evil/callback?code=x&state=y").await.unwrap_err();
    assert_eq!(other_target.code(), "oauth_malformed_callback");

    let connection = d.engine.complete_deep_link(&location).await.unwrap();
    assert_eq!(connection.account_id.as_deref(), Some(QUICKBOOKS_COMPANIES[0].0));
    let finished = waiting.await.unwrap().unwrap();
    assert_eq!(finished, connection, "the waiting window hears the same outcome");

    let replay = d.engine.complete_deep_link(&location).await.unwrap_err();
    assert_eq!(replay.code(), "oauth_no_pending_flow", "a used callback matches no flow");
}

#[tokio::test]
async fn a_callback_with_a_foreign_state_ends_the_loopback_sign_in_with_a_state_mismatch() {
    let d = demo().await;
    let started = d.engine.begin_oauth_connect(begin(OAuthProvider::Quickbooks)).await.unwrap();
    let location = consent(&started.authorize_url, "allow", Some(QUICKBOOKS_COMPANIES[0].0)).await;
    return_to_app(&with_query(&location, "state", "not-ours")).await;
    let err = d.engine.finish_oauth_connect().await.unwrap_err();
    assert_eq!(err.code(), "oauth_state_mismatch");
    assert!(d.secrets.get(&SecretKey::new("quickbooks", "oauth_tokens")).unwrap().is_none());
    // Nothing is left blocking the next attempt.
    connect_quickbooks(&d, QUICKBOOKS_COMPANIES[0].0).await;
}

#[tokio::test]
async fn a_code_issued_for_another_pkce_challenge_is_refused_at_the_token_endpoint() {
    let d = demo().await;
    let started = d.engine.begin_oauth_connect(begin(OAuthProvider::Quickbooks)).await.unwrap();
    // An attacker's code: consent given for a challenge whose verifier we do not hold.
    let tampered = with_query(&started.authorize_url, "code_challenge", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    let location = consent(&tampered, "allow", Some(QUICKBOOKS_COMPANIES[0].0)).await;
    return_to_app(&location).await;
    let err = d.engine.finish_oauth_connect().await.unwrap_err();
    assert_eq!(err.code(), "oauth_token_rejected");
    assert!(err.to_string().contains("invalid_grant"), "{err}");
}

#[tokio::test]
async fn a_declined_consent_comes_back_as_access_denied_with_a_hint() {
    let d = demo().await;
    let started = d.engine.begin_oauth_connect(begin(OAuthProvider::Zoho)).await.unwrap();
    let location = consent(&started.authorize_url, "deny", None).await;
    assert!(location.contains("error=access_denied"), "{location}");
    return_to_app(&location).await;
    let err = d.engine.finish_oauth_connect().await.unwrap_err().to_ui();
    assert_eq!(err.code, "oauth_access_denied");
    assert!(err.hint.contains("declined"), "{err:?}");
}

#[tokio::test]
async fn a_sign_in_nobody_finishes_times_out_and_a_cancelled_one_says_so() {
    let d = demo().await;
    d.engine
        .begin_oauth_connect(BeginConnectRequest { provider: OAuthProvider::Quickbooks, timeout_secs: Some(1) })
        .await
        .unwrap();
    let err = d.engine.finish_oauth_connect().await.unwrap_err();
    assert_eq!(err.code(), "oauth_timeout");

    d.engine.begin_oauth_connect(begin(OAuthProvider::Zoho)).await.unwrap();
    let err = d.engine.begin_oauth_connect(begin(OAuthProvider::Quickbooks)).await.unwrap_err();
    assert_eq!(err.code(), "oauth_flow_in_progress", "one sign-in at a time");
    assert!(d.engine.cancel_oauth_connect().await);
    let err = d.engine.finish_oauth_connect().await.unwrap_err();
    assert_eq!(err.code(), "oauth_cancelled");
    assert!(!d.engine.cancel_oauth_connect().await, "nothing left to cancel");
}

#[tokio::test]
async fn a_taken_loopback_port_is_reported_before_the_browser_opens() {
    let d = demo().await;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    d.engine
        .save_oauth_client(SaveOAuthClientRequest {
            provider: OAuthProvider::Quickbooks,
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: None,
            environment: casebridge_engine::api::OAuthEnvironment::Sandbox,
            redirect: RedirectKind::Loopback,
            redirect_uris: vec![format!("http://127.0.0.1:{port}/callback")],
        })
        .await
        .unwrap();
    let err = d.engine.begin_oauth_connect(begin(OAuthProvider::Quickbooks)).await.unwrap_err();
    assert_eq!(err.code(), "oauth_no_free_port");
    assert!(err.to_string().contains(&port.to_string()), "{err}");
    assert!(d.browser.0.lock().unwrap().is_empty(), "no consent page opened");
}

#[tokio::test]
async fn a_revoked_refresh_token_turns_the_connection_to_needs_reconnect() {
    let d = demo().await;
    let connection = connect_zoho(&d).await;
    d.engine
        .choose_zoho_organization(ChooseOrganizationRequest {
            organization_id: connection.organizations[0].organization_id.clone(),
        })
        .await
        .unwrap();
    // The user removes the app at Zoho: its refresh token dies.
    let stored = d.secrets.get(&SecretKey::new("zoho", "oauth_tokens")).unwrap().unwrap();
    let refresh = serde_json::from_str::<serde_json::Value>(stored.expose()).unwrap()["refresh"]
        .as_str()
        .unwrap()
        .to_owned();
    let oauth_url = d.engine.info().sandbox.into_iter().find(|s| s.name.starts_with("Zoho sign-in")).unwrap().url;
    let revoked = http().post(format!("{oauth_url}/oauth/v2/token/revoke")).query(&[("token", &refresh)]).send().await;
    assert_eq!(revoked.unwrap().status(), 200);
    // Two hours on: the access token has expired, so the fetch must refresh.
    *d.clock.0.lock().unwrap() += Duration::hours(2);

    let err = d.engine.fetch_zoho(FetchRequest::default(), Arc::new(NoProgress)).await.unwrap_err();
    assert_eq!(err.code(), "provider_reconnect_needed", "{err}");
    let card = d.engine.integrations().await.unwrap().into_iter().find(|c| c.kind == IntegrationKind::Zoho).unwrap();
    assert_eq!(card.status, ConnectionStatus::NeedsReconnect);
    assert!(card.last_error.is_some_and(|e| e.hint.contains("Reconnect")));

    // Reconnecting heals it.
    connect_zoho(&d).await;
    let card = d.engine.integrations().await.unwrap().into_iter().find(|c| c.kind == IntegrationKind::Zoho).unwrap();
    assert_eq!(card.status, ConnectionStatus::Connected);
}

#[tokio::test]
async fn an_expired_access_token_is_refreshed_and_the_rotated_refresh_token_stored() {
    let d = demo().await;
    connect_quickbooks(&d, QUICKBOOKS_COMPANIES[0].0).await;
    let key = SecretKey::new("quickbooks", "oauth_tokens");
    let before = d.secrets.get(&key).unwrap().unwrap().expose().to_owned();
    *d.clock.0.lock().unwrap() += Duration::hours(2);
    let summary = d.engine.fetch_quickbooks(FetchRequest::default(), Arc::new(NoProgress)).await.unwrap();
    assert!(summary.invoices > 0);
    let after = d.secrets.get(&key).unwrap().unwrap().expose().to_owned();
    let field = |json: &str, name: &str| serde_json::from_str::<serde_json::Value>(json).unwrap()[name].clone();
    assert_ne!(field(&before, "refresh"), field(&after, "refresh"), "QuickBooks rotated the refresh token");
    let card = d.engine.integrations().await.unwrap().into_iter().find(|c| c.kind == IntegrationKind::Quickbooks).unwrap();
    assert!(card.last_success_at.is_some());
    let expires: DateTime<Utc> = card.token_expires_at.unwrap().parse().unwrap();
    assert!(expires > d.clock.now(), "the card shows the new expiry");
}

#[tokio::test]
async fn disconnect_revokes_forgets_the_tokens_and_frees_the_card() {
    let d = demo().await;
    connect_quickbooks(&d, QUICKBOOKS_COMPANIES[0].0).await;
    d.engine.disconnect_oauth(OAuthProvider::Quickbooks).await.unwrap();
    assert!(d.secrets.get(&SecretKey::new("quickbooks", "oauth_tokens")).unwrap().is_none());
    let card = d.engine.integrations().await.unwrap().into_iter().find(|c| c.kind == IntegrationKind::Quickbooks).unwrap();
    assert_eq!(card.status, ConnectionStatus::NotConnected);
    let err = d.engine.fetch_quickbooks(FetchRequest::default(), Arc::new(NoProgress)).await.unwrap_err();
    assert_eq!(err.code(), "not_connected");
}

#[tokio::test]
async fn outside_demo_mode_a_sign_in_needs_the_app_credentials_first() {
    let dir = tempfile::tempdir().unwrap();
    let config =
        EngineConfig { data_dir: dir.path().to_path_buf(), mode: RunMode::Normal, demo_agency_url: None, demo_stripe_url: None };
    let engine = Engine::start_with(config, Arc::new(casebridge_engine::SystemClock), support::secrets()).await.unwrap();
    let settings = engine.oauth_client_settings(OAuthProvider::Zoho).await.unwrap();
    assert!(!settings.ready && !settings.secret_stored && settings.client_id.is_none());
    let err = engine.begin_oauth_connect(begin(OAuthProvider::Zoho)).await.unwrap_err().to_ui();
    assert_eq!(err.code, "oauth_client_missing");
    assert!(err.hint.contains("Settings"), "{err:?}");
    let err = engine
        .save_oauth_client(SaveOAuthClientRequest {
            provider: OAuthProvider::Quickbooks,
            client_id: "ABC".into(),
            client_secret: Some("s3cret".into()),
            environment: casebridge_engine::api::OAuthEnvironment::Production,
            redirect: RedirectKind::DeepLink,
            redirect_uris: vec!["http://bounce.example.com/".into()],
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), "oauth_invalid_redirect", "a bounce page must be https");
    let saved = engine
        .save_oauth_client(SaveOAuthClientRequest {
            provider: OAuthProvider::Quickbooks,
            client_id: "ABC".into(),
            client_secret: Some("s3cret".into()),
            environment: casebridge_engine::api::OAuthEnvironment::Production,
            redirect: RedirectKind::DeepLink,
            redirect_uris: vec!["https://bounce.example.com/casebridge/".into()],
        })
        .await
        .unwrap();
    assert!(saved.ready && saved.secret_stored && !saved.demo);
    assert!(!format!("{saved:?}").contains("s3cret"));
}

/// At-source checks through the OAuth sources: both readers answer and each source keeps its
/// own interval. Invoices paid, voided and deleted at QuickBooks and Zoho are in
/// `at_source_oauth.rs`; the Stripe side is in `at_source.rs`.
#[tokio::test]
async fn quickbooks_and_zoho_cases_are_checked_at_their_source_each_at_its_own_pace() {
    use casebridge_engine::api::{CaseAtSource, CaseQuery, InvoiceFilter, InvoiceQuery, SourceCheckRequest, SubmitRequest};

    let d = demo().await;
    connect_quickbooks(&d, QUICKBOOKS_COMPANIES[1].0).await;
    d.engine.fetch_quickbooks(FetchRequest::default(), Arc::new(NoProgress)).await.unwrap();
    let zoho = connect_zoho(&d).await;
    let organization_id = zoho.organizations[1].organization_id.clone();
    d.engine.choose_zoho_organization(ChooseOrganizationRequest { organization_id }).await.unwrap();
    d.engine.fetch_zoho(FetchRequest::default(), Arc::new(NoProgress)).await.unwrap();

    let ready = d
        .engine
        .list_invoices(InvoiceQuery { filter: InvoiceFilter::Ready, limit: 1_000, ..Default::default() })
        .await
        .unwrap();
    let two_of = |provider: &str| -> Vec<String> {
        ready.rows.iter().filter(|r| r.provider == provider).take(2).map(|r| r.source_ref.clone()).collect()
    };
    let refs: Vec<String> = [two_of("quickbooks"), two_of("zoho")].concat();
    assert_eq!(refs.len(), 4, "two ready invoices from each: {refs:?}");
    d.engine.enqueue_submission(SubmitRequest { source_refs: refs }).await.unwrap();
    let sent = d.engine.run_submissions(Arc::new(NoProgress), Default::default()).await.unwrap();
    assert_eq!(sent.accepted, 4, "{sent:#?}");

    let check = || d.engine.check_at_source(SourceCheckRequest { now: false }, Arc::new(NoProgress));
    let first = check().await.unwrap();
    assert_eq!((first.asked, first.open, first.failed), (4, 4, 0), "{first:?}");
    let cases = d.engine.list_cases(CaseQuery::default()).await.unwrap().rows;
    assert_eq!(cases.len(), 4);
    assert!(cases.iter().all(|c| c.source_status == CaseAtSource::Open && c.source_checked_at.is_some()), "{cases:#?}");

    assert_eq!(check().await.unwrap().asked, 0, "nothing is due right after a check");
    *d.clock.0.lock().unwrap() += Duration::minutes(16);
    assert_eq!(check().await.unwrap().asked, 2, "QuickBooks is due after 15 minutes, Zoho's daily quota waits an hour");
}
