//! The OAuth fake at the wire: authorize redirects, PKCE, code reuse, rotation, expiry, revoke.

use std::sync::Arc;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use chrono::{Duration, TimeZone, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::*;
use crate::clock::ManualClock;
use crate::server::RunningFake;

const VERIFIER: &str = "verifier-0123456789-0123456789-0123456789-abcdef";
const REDIRECT: &str = "http://127.0.0.1:53682/callback";

struct Fixture {
    fake: RunningFake,
    handle: OAuthHandle,
    clock: ManualClock,
    http: reqwest::Client,
}

async fn start(config: OAuthConfig) -> Fixture {
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 0).unwrap());
    let (server, handle) = build(config, Arc::new(clock.clone()), 7).unwrap();
    let fake = server.start().await.unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    Fixture {
        fake,
        handle,
        clock,
        http,
    }
}

fn auto_approve() -> OAuthConfig {
    OAuthConfig {
        approval: Approval::AutoApprove,
        ..OAuthConfig::default()
    }
}

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn basic() -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}"))
    )
}

impl Fixture {
    async fn authorize(&self, extra: &[(&str, &str)]) -> reqwest::Response {
        let challenge = challenge(VERIFIER);
        let mut query = vec![
            ("response_type", "code"),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("state", "st-1"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        for (k, v) in extra {
            query.retain(|(name, _)| name != k);
            query.push((k, v));
        }
        self.http
            .get(format!("{}/oauth/authorize", self.fake.url()))
            .query(&query)
            .send()
            .await
            .unwrap()
    }

    /// Follows the authorize redirect by reading `Location`, returning its query pairs.
    async fn code(&self) -> String {
        let response = self.authorize(&[]).await;
        assert_eq!(response.status(), 302);
        let pairs = location_pairs(&response);
        pairs
            .iter()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.clone())
            .expect("a code in the redirect")
    }

    async fn token(&self, form: &[(&str, &str)]) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/oauth/token", self.fake.url()))
            .header("Authorization", basic())
            .form(form)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }

    async fn exchange(&self, code: &str, verifier: &str) -> (u16, Value) {
        self.token(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
        ])
        .await
    }

    async fn refresh(&self, token: &str) -> (u16, Value) {
        self.token(&[("grant_type", "refresh_token"), ("refresh_token", token)])
            .await
    }

    async fn userinfo(&self, access: &str) -> u16 {
        self.http
            .get(format!("{}/oauth/userinfo", self.fake.url()))
            .bearer_auth(access)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

fn location_pairs(response: &reqwest::Response) -> Vec<(String, String)> {
    let location = response
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap();
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn str_field<'a>(body: &'a Value, name: &str) -> &'a str {
    body[name]
        .as_str()
        .unwrap_or_else(|| panic!("{name} in {body}"))
}

#[tokio::test]
async fn oauth_auto_approve_redirects_with_code_state_and_realm() {
    let f = start(auto_approve()).await;
    let response = f.authorize(&[]).await;
    assert_eq!(response.status(), 302);
    let pairs = location_pairs(&response);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with("http://127.0.0.1:53682/callback?"),
        "{location}"
    );
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert!(get("code").is_some_and(|c| c.starts_with("code_")));
    assert_eq!(get("state"), Some("st-1"));
    assert_eq!(get("realmId"), Some("9130350000000001"));
}

#[tokio::test]
async fn oauth_code_exchange_checks_pkce_and_burns_the_code() {
    let f = start(auto_approve()).await;
    let code = f.code().await;
    let (status, body) = f.exchange(&code, VERIFIER).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 3600);
    assert!(str_field(&body, "refresh_token").starts_with("rt_"));
    assert_eq!(f.userinfo(str_field(&body, "access_token")).await, 200);

    let (status, body) = f.exchange(&code, VERIFIER).await;
    assert_eq!(
        (status, body),
        (400, serde_json::json!({"error": "invalid_grant"})),
        "a code works once"
    );

    let other = f.code().await;
    let (status, body) = f
        .exchange(&other, "a-different-verifier-of-enough-length-0123456789")
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "PKCE mismatch"
    );
    let (status, _) = f.exchange(&other, VERIFIER).await;
    assert_eq!(status, 400, "a code tried with a wrong verifier is burnt");
}

#[tokio::test]
async fn oauth_expired_code_is_invalid_grant() {
    let f = start(auto_approve()).await;
    let code = f.code().await;
    f.clock.advance(Duration::seconds(601));
    let (status, body) = f.exchange(&code, VERIFIER).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn oauth_refresh_rotates_and_the_old_refresh_token_dies() {
    let f = start(auto_approve()).await;
    let code = f.code().await;
    let (_, first) = f.exchange(&code, VERIFIER).await;
    let old = str_field(&first, "refresh_token").to_owned();
    let (status, second) = f.refresh(&old).await;
    assert_eq!(status, 200, "{second}");
    let new = str_field(&second, "refresh_token");
    assert_ne!(new, old);
    assert!(f.handle.is_refresh_token_active(new));
    assert!(!f.handle.is_refresh_token_active(&old));
    let (status, body) = f.refresh(&old).await;
    assert_eq!(
        (status, body),
        (400, serde_json::json!({"error": "invalid_grant"}))
    );
    assert_eq!(f.handle.refresh_counts(), (1, 1));
}

#[tokio::test]
async fn oauth_zoho_style_keeps_the_refresh_token_and_sends_api_domain() {
    let f = start(OAuthConfig {
        approval: Approval::AutoApprove,
        ..OAuthConfig::zoho("eu", Some("https://www.zohoapis.eu".into()))
    })
    .await;
    let code = f.code().await;
    // client_secret_post, as Zoho expects.
    let response = f
        .http
        .post(format!("{}/oauth/token", f.fake.url()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["api_domain"], "https://www.zohoapis.eu");
    assert_eq!(body["token_type"], "Bearer", "Zoho's spelling");
    assert!(body.get("x_refresh_token_expires_in").is_none(), "{body}");
    let refresh = str_field(&body, "refresh_token").to_owned();
    for _ in 0..2 {
        let (status, body) = f.refresh(&refresh).await;
        assert_eq!(status, 200);
        assert!(body.get("refresh_token").is_none(), "not rotated: {body}");
    }
}

#[tokio::test]
async fn oauth_access_tokens_expire_on_the_fake_clock() {
    let f = start(auto_approve()).await;
    let code = f.code().await;
    let (_, body) = f.exchange(&code, VERIFIER).await;
    let access = str_field(&body, "access_token");
    f.clock.advance(Duration::seconds(3599));
    assert_eq!(f.userinfo(access).await, 200);
    f.clock.advance(Duration::seconds(1));
    assert_eq!(f.userinfo(access).await, 401);
    assert!(!f.handle.is_access_token_valid(access));
}

#[tokio::test]
async fn oauth_unregistered_redirect_is_not_followed() {
    let f = start(auto_approve()).await;
    for uri in [
        "http://127.0.0.1:53682/other",
        "http://evil.example/callback",
        "https://127.0.0.1:53682/callback",
    ] {
        let response = f.authorize(&[("redirect_uri", uri)]).await;
        assert_eq!(response.status(), 400, "{uri}");
        assert!(response.headers().get("location").is_none(), "{uri}");
    }
    let localhost = f
        .authorize(&[("redirect_uri", "http://localhost:1234/callback")])
        .await;
    assert_eq!(
        localhost.status(),
        302,
        "registered without a port: any port"
    );
}

#[tokio::test]
async fn oauth_missing_pkce_and_denial_redirect_with_an_error() {
    let f = start(auto_approve()).await;
    let plain = f.authorize(&[("code_challenge_method", "plain")]).await;
    assert!(location_pairs(&plain).contains(&("error".into(), "invalid_request".into())));
    f.handle.set_approval(Approval::AutoDeny);
    let denied = f.authorize(&[]).await;
    let pairs = location_pairs(&denied);
    assert!(pairs.contains(&("error".into(), "access_denied".into())));
    assert!(pairs.contains(&("state".into(), "st-1".into())));
}

#[tokio::test]
async fn oauth_consent_page_posts_the_decision() {
    let f = start(OAuthConfig::default()).await;
    let page = f.authorize(&[]).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"decision\" value=\"allow\""), "{html}");
    let challenge = challenge(VERIFIER);
    let allowed = f
        .http
        .post(format!("{}/oauth/authorize", f.fake.url()))
        .form(&[
            ("response_type", "code"),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("state", "st-9"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("decision", "allow"),
        ])
        .send()
        .await
        .unwrap();
    let pairs = location_pairs(&allowed);
    assert!(pairs.iter().any(|(k, _)| k == "code"));
    assert!(pairs.contains(&("state".into(), "st-9".into())));
}

#[tokio::test]
async fn oauth_wrong_client_secret_is_invalid_client() {
    let f = start(auto_approve()).await;
    let response = f
        .http
        .post(format!("{}/oauth/token", f.fake.url()))
        .basic_auth(DEMO_CLIENT_ID, Some("wrong"))
        .form(&[("grant_type", "refresh_token"), ("refresh_token", "rt_x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client");
}

#[tokio::test]
async fn oauth_revoking_the_refresh_token_ends_the_grant() {
    let f = start(auto_approve()).await;
    let code = f.code().await;
    let (_, body) = f.exchange(&code, VERIFIER).await;
    let refresh = str_field(&body, "refresh_token");
    let access = str_field(&body, "access_token");
    let response = f
        .http
        .post(format!("{}/oauth/revoke", f.fake.url()))
        .query(&[("token", refresh)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(f.userinfo(access).await, 401);
    let (status, body) = f.refresh(refresh).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

fn two_companies() -> OAuthConfig {
    OAuthConfig {
        shape: OAuthShape::QuickBooks {
            companies: vec![
                SandboxCompany {
                    realm_id: "4620816365000000001".into(),
                    name: "Craig's Design & Landscaping".into(),
                },
                SandboxCompany {
                    realm_id: "4620816365000000002".into(),
                    name: "Nordlys Consulting ApS".into(),
                },
            ],
        },
        ..OAuthConfig::default()
    }
}

async fn post_consent(f: &Fixture, extra: &[(&str, &str)]) -> reqwest::Response {
    let challenge = challenge(VERIFIER);
    let mut form = vec![
        ("response_type", "code"),
        ("client_id", DEMO_CLIENT_ID),
        ("redirect_uri", REDIRECT),
        ("state", "st-2"),
        ("code_challenge", challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("decision", "allow"),
    ];
    form.extend_from_slice(extra);
    f.http
        .post(format!("{}/oauth/authorize", f.fake.url()))
        .form(&form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn oauth_quickbooks_consent_lets_the_user_pick_a_company_and_binds_tokens_to_it() {
    let f = start(two_companies()).await;
    let html = f.authorize(&[]).await.text().await.unwrap();
    assert!(html.contains("Nordlys Consulting ApS"), "{html}");
    assert!(
        html.contains("Craig&#39;s") || html.contains("Craig's"),
        "{html}"
    );
    assert!(html.contains("value=\"4620816365000000002\""), "{html}");

    let picked = post_consent(&f, &[("realmId", "4620816365000000002")]).await;
    let pairs = location_pairs(&picked);
    assert!(pairs.contains(&("realmId".into(), "4620816365000000002".into())));
    let code = pairs.iter().find(|(k, _)| k == "code").unwrap().1.clone();
    let (status, body) = f.exchange(&code, VERIFIER).await;
    assert_eq!(status, 200, "{body}");
    let access = str_field(&body, "access_token");
    assert_eq!(
        f.handle.check_access_token(access),
        AccessCheck::Valid {
            realm_id: Some("4620816365000000002".into())
        }
    );
    // A refreshed token stays bound to the same company.
    let (_, refreshed) = f.refresh(str_field(&body, "refresh_token")).await;
    assert_eq!(
        f.handle
            .check_access_token(str_field(&refreshed, "access_token")),
        AccessCheck::Valid {
            realm_id: Some("4620816365000000002".into())
        }
    );
    assert_eq!(
        f.handle.check_access_token("at_never"),
        AccessCheck::Unknown
    );
}

#[tokio::test]
async fn oauth_quickbooks_consent_refuses_a_company_that_is_not_offered() {
    let f = start(two_companies()).await;
    let response = post_consent(&f, &[("realmId", "999")]).await;
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
}

#[tokio::test]
async fn oauth_zoho_callback_names_the_data_centre_and_this_accounts_server() {
    let f = start(OAuthConfig {
        approval: Approval::AutoApprove,
        ..OAuthConfig::zoho("eu", None)
    })
    .await;
    let response = f.authorize(&[]).await;
    let pairs = location_pairs(&response);
    assert!(pairs.contains(&("location".into(), "eu".into())));
    assert!(
        pairs.contains(&("accounts-server".into(), f.fake.url())),
        "{pairs:?}"
    );
    assert!(!pairs.iter().any(|(k, _)| k == "realmId"));
    // The API fake's address arrives after start-up.
    f.handle.set_api_domain("http://127.0.0.1:9");
    let code = pairs.iter().find(|(k, _)| k == "code").unwrap().1.clone();
    let (_, body) = f.exchange(&code, VERIFIER).await;
    assert_eq!(body["api_domain"], "http://127.0.0.1:9");
    assert_eq!(
        f.handle
            .check_access_token(str_field(&body, "access_token")),
        AccessCheck::Valid { realm_id: None }
    );
}

#[tokio::test]
async fn oauth_zoho_keeps_twenty_refresh_tokens_and_the_21st_sign_in_ends_the_oldest() {
    let f = start(OAuthConfig {
        approval: Approval::AutoApprove,
        ..OAuthConfig::zoho("com", None)
    })
    .await;
    let mut refresh_tokens = Vec::new();
    for _ in 0..=ZOHO_MAX_REFRESH_TOKENS {
        let code = f.code().await;
        let (_, body) = f.exchange(&code, VERIFIER).await;
        refresh_tokens.push(str_field(&body, "refresh_token").to_owned());
    }
    assert_eq!(f.handle.active_refresh_tokens(), ZOHO_MAX_REFRESH_TOKENS);
    assert!(!f.handle.is_refresh_token_active(&refresh_tokens[0]));
    assert!(f.handle.is_refresh_token_active(&refresh_tokens[1]));
    let (status, body) = f.refresh(&refresh_tokens[0]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
}

#[tokio::test]
async fn oauth_expired_and_revoked_access_tokens_are_told_apart() {
    let f = start(auto_approve()).await;
    let code = f.code().await;
    let (_, body) = f.exchange(&code, VERIFIER).await;
    let access = str_field(&body, "access_token").to_owned();
    f.clock.advance(Duration::seconds(3600));
    assert_eq!(f.handle.check_access_token(&access), AccessCheck::Expired);
    f.handle.revoke_all();
    assert_eq!(f.handle.check_access_token(&access), AccessCheck::Revoked);
}

#[test]
fn oauth_config_without_companies_is_refused() {
    let config = OAuthConfig {
        shape: OAuthShape::QuickBooks { companies: vec![] },
        ..OAuthConfig::default()
    };
    let clock: crate::SharedClock = Arc::new(crate::SystemClock);
    let err = build(config, clock, 1).err().expect("refused");
    assert_eq!(err.code(), "sandbox_invalid_config");
}

/// Demo mode end to end at the wire: the Zoho sign-in names its accounts server, the token
/// response's `api_domain` is the Zoho API fake, and that fake accepts the token.
#[tokio::test]
async fn oauth_demo_zoho_token_opens_the_zoho_api_fake() {
    let sandbox = crate::Sandbox::start(crate::SandboxConfig {
        agency: None,
        stripe: None,
        ..crate::demo::config()
    })
    .await
    .unwrap();
    let urls = sandbox.urls();
    let (oauth_url, zoho_url) = (urls.zoho_oauth.unwrap(), urls.zoho.unwrap());
    sandbox.zoho_oauth().unwrap().set_approval(Approval::AutoApprove);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let challenge = challenge(VERIFIER);
    let redirect = http
        .get(format!("{oauth_url}/oauth/v2/auth"))
        .query(&[
            ("response_type", "code"),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .unwrap();
    let pairs = location_pairs(&redirect);
    assert!(pairs.contains(&("accounts-server".into(), oauth_url.clone())));
    let code = pairs.iter().find(|(k, _)| k == "code").unwrap().1.clone();
    let body: Value = http
        .post(format!("{oauth_url}/oauth/v2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["api_domain"], zoho_url.as_str());
    let orgs = http
        .get(format!("{zoho_url}/books/v3/organizations"))
        .header(
            "Authorization",
            format!("Zoho-oauthtoken {}", str_field(&body, "access_token")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(orgs.status(), 200);
    let orgs: Value = orgs.json().await.unwrap();
    assert_eq!(orgs["code"], 0, "{orgs}");
    sandbox.shutdown().await;
}
