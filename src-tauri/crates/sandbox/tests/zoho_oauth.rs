//! The Zoho Books fake trusts the Zoho-shaped OAuth fake of the same
//! sandbox: a token from the code exchange reads the API at the token's
//! `api_domain`, an expired one answers 401 code 14, a refreshed one works.

use std::sync::Arc;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use casebridge_sandbox::oauth::{Approval, OAuthConfig, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use casebridge_sandbox::zoho::ZohoConfig;
use casebridge_sandbox::{ManualClock, Sandbox, SandboxConfig};
use chrono::{Duration, TimeZone, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};

const VERIFIER: &str = "zoho-verifier-0123456789-0123456789-0123456789";
const REDIRECT: &str = "http://127.0.0.1:53682/callback";

async fn token(http: &reqwest::Client, oauth: &str, form: &[(&str, &str)]) -> Value {
    http.post(format!("{oauth}/oauth/v2/token"))
        .header(
            "Authorization",
            format!(
                "Basic {}",
                STANDARD.encode(format!("{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}"))
            ),
        )
        .form(form)
        .send()
        .await
        .expect("token endpoint answers")
        .json()
        .await
        .expect("JSON")
}

async fn organizations(http: &reqwest::Client, api_domain: &str, access: &str) -> (u16, Value) {
    let response = http
        .get(format!("{api_domain}/books/v3/organizations"))
        .header("Authorization", format!("Zoho-oauthtoken {access}"))
        .send()
        .await
        .expect("answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn tokens_of_the_zoho_oauth_fake_open_the_api_until_they_expire() {
    let clock = ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0)
            .single()
            .expect("time"),
    );
    let sandbox = Sandbox::start(SandboxConfig {
        seed: 4,
        clock: Arc::new(clock.clone()),
        agency: None,
        stripe: None,
        zoho_oauth: Some(OAuthConfig {
            approval: Approval::AutoApprove,
            ..OAuthConfig::zoho("eu", None)
        }),
        zoho: Some(ZohoConfig {
            tokens: Vec::new(),
            ..ZohoConfig::default()
        }),
        ..SandboxConfig::default()
    })
    .await
    .expect("starts");
    let urls = sandbox.urls();
    let (oauth, zoho) = (
        urls.zoho_oauth.expect("oauth url"),
        urls.zoho.expect("zoho url"),
    );
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()));
    let redirect = http
        .get(format!("{oauth}/oauth/v2/auth"))
        .query(&[
            ("response_type", "code"),
            ("client_id", DEMO_CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("state", "s"),
            ("scope", "ZohoBooks.invoices.READ"),
            ("access_type", "offline"),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ])
        .send()
        .await
        .expect("authorize answers");
    assert_eq!(redirect.status(), 302);
    let location = redirect.headers()["location"]
        .to_str()
        .expect("text")
        .to_owned();
    let code = url::Url::parse(&location)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("a code");
    let grant = token(
        &http,
        &oauth,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(
        grant["api_domain"],
        zoho.as_str(),
        "the API fake is the token's api_domain"
    );
    let access = grant["access_token"].as_str().expect("access token");
    let refresh = grant["refresh_token"].as_str().expect("refresh token");

    let (status, body) = organizations(&http, &zoho, access).await;
    assert_eq!((status, body["code"].as_i64()), (200, Some(0)), "{body}");

    clock.advance(Duration::seconds(3_601));
    let (status, body) = organizations(&http, &zoho, access).await;
    assert_eq!(
        (status, body["code"].as_i64()),
        (401, Some(14)),
        "expired: {body}"
    );

    let renewed = token(
        &http,
        &oauth,
        &[("grant_type", "refresh_token"), ("refresh_token", refresh)],
    )
    .await;
    let access = renewed["access_token"].as_str().expect("new access token");
    assert_eq!(organizations(&http, &zoho, access).await.0, 200);
}
