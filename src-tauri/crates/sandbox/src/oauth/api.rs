//! HTTP surface of the OAuth fake. Error bodies are RFC 6749 §5.2 JSON; `invalid_grant` is
//! exactly `{"error":"invalid_grant"}` as QuickBooks sends it (quickbooks.md §1).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::state::{IssuedCode, OAuthState};
use super::{AccessCheck, Approval, OAuthClientConfig, OAuthShape};

type St = State<Arc<OAuthState>>;
type Params = HashMap<String, String>;

pub(super) fn router(state: Arc<OAuthState>) -> Router {
    Router::new()
        .route("/oauth/authorize", get(authorize).post(consent_decision))
        .route("/oauth/token", post(token))
        .route("/oauth/revoke", post(revoke))
        .route("/oauth/v2/auth", get(authorize).post(consent_decision))
        .route("/oauth/v2/token", post(token))
        .route("/oauth/v2/token/revoke", post(revoke))
        .route("/oauth/userinfo", get(userinfo))
        .with_state(state)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body.to_string(),
    )
        .into_response()
}

fn oauth_error(status: StatusCode, error: &str) -> Response {
    json_response(status, &json!({ "error": error }))
}

pub(super) fn rate_limited(retry_after: Option<f64>) -> Response {
    let mut response = oauth_error(StatusCode::TOO_MANY_REQUESTS, "temporarily_unavailable");
    if let Some(secs) = retry_after {
        if let Ok(value) = HeaderValue::from_str(&format!("{}", secs.ceil())) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

pub(super) fn server_error(status: StatusCode) -> Response {
    oauth_error(status, "server_error")
}

// ------------------------------------------------------------- authorize

/// Errors that must not redirect (RFC 6749 §4.1.2.1): the redirect target itself is untrusted.
fn authorize_page_error(text: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!doctype html><title>Sandbox sign-in</title><h1>Sign-in error</h1><p>{}</p>",
            escape(text)
        )),
    )
        .into_response()
}

fn find_client<'a>(state: &'a OAuthState, client_id: &str) -> Option<&'a OAuthClientConfig> {
    state
        .config
        .clients
        .iter()
        .find(|c| c.client_id == client_id)
}

/// Exact match, except that a registered `http://127.0.0.1/path` or `http://localhost/path`
/// (no port) accepts any port (RFC 8252 §7.3).
fn redirect_registered(client: &OAuthClientConfig, candidate: &str) -> bool {
    client.redirect_uris.iter().any(|registered| {
        if registered == candidate {
            return true;
        }
        let (Ok(reg), Ok(cand)) = (url::Url::parse(registered), url::Url::parse(candidate)) else {
            return false;
        };
        let loopback = matches!(reg.host_str(), Some("127.0.0.1" | "localhost"));
        loopback
            && reg.scheme() == "http"
            && reg.port().is_none()
            && cand.scheme() == "http"
            && cand.host_str() == reg.host_str()
            && cand.path() == reg.path()
            && cand.query().is_none()
    })
}

fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return authorize_page_error("The redirect URI is not a URL.");
    };
    url.query_pairs_mut().extend_pairs(pairs);
    match HeaderValue::from_str(url.as_str()) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => authorize_page_error("The redirect URI cannot be sent in a header."),
    }
}

/// The answer to an authorize request that must be refused, if any: first the checks that
/// decide whether we may redirect at all, then those that redirect with an error.
fn authorize_refusal(state: &OAuthState, params: &Params) -> Option<Response> {
    let get = |name: &str| params.get(name).map(String::as_str).unwrap_or("");
    let Some(client) = find_client(state, get("client_id")) else {
        return Some(authorize_page_error("Unknown client_id."));
    };
    let redirect_uri = get("redirect_uri");
    if !redirect_registered(client, redirect_uri) {
        return Some(authorize_page_error(
            "The redirect_uri does not match any URI registered for this app.",
        ));
    }
    let error = if get("response_type") != "code" {
        "unsupported_response_type"
    } else if get("code_challenge").is_empty() || get("code_challenge_method") != "S256" {
        "invalid_request"
    } else {
        return None;
    };
    Some(redirect_with(
        redirect_uri,
        &[("error", error), ("state", get("state"))],
    ))
}

async fn authorize(State(state): St, headers: HeaderMap, Query(params): Query<Params>) -> Response {
    if let Some(response) = authorize_refusal(&state, &params) {
        return response;
    }
    let approval = state.lock().approval;
    match approval {
        Approval::AutoApprove => approve(&state, &headers, &params, None),
        Approval::AutoDeny => deny(&params),
        Approval::Consent => consent_page(&state, &params),
    }
}

async fn consent_decision(
    State(state): St,
    headers: HeaderMap,
    Form(params): Form<Params>,
) -> Response {
    if let Some(response) = authorize_refusal(&state, &params) {
        return response;
    }
    match params.get("decision").map(String::as_str) {
        Some("allow") => approve(
            &state,
            &headers,
            &params,
            params.get("realmId").map(String::as_str),
        ),
        _ => deny(&params),
    }
}

/// The company a QuickBooks-shaped approval is for: the one picked on the consent page, or
/// the first seeded one. `Err` = the page posted a company that does not exist.
fn chosen_realm(state: &OAuthState, picked: Option<&str>) -> Result<Option<String>, &'static str> {
    let OAuthShape::QuickBooks { companies } = &state.config.shape else {
        return Ok(None);
    };
    let company = match picked {
        Some(id) => companies.iter().find(|c| c.realm_id == id),
        None => companies.first(),
    };
    company
        .map(|c| Some(c.realm_id.clone()))
        .ok_or("That company is not one of yours.")
}

/// This fake's own base URL as the browser reached it (Zoho's `accounts-server`).
fn own_base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn approve(
    state: &OAuthState,
    headers: &HeaderMap,
    params: &Params,
    picked_realm: Option<&str>,
) -> Response {
    let get = |name: &str| params.get(name).cloned().unwrap_or_default();
    let realm_id = match chosen_realm(state, picked_realm) {
        Ok(realm) => realm,
        Err(reason) => return authorize_page_error(reason),
    };
    let now = state.clock.now();
    let code = {
        let mut inner = state.lock();
        let code = inner.token("code_");
        inner.codes.insert(
            code.clone(),
            IssuedCode {
                client_id: get("client_id"),
                redirect_uri: get("redirect_uri"),
                challenge: get("code_challenge"),
                expires_at: now + state.code_lifetime(),
                used: false,
                realm_id: realm_id.clone(),
            },
        );
        code
    };
    let st = get("state");
    let mut pairs = vec![("code", code), ("state", st)];
    match (&state.config.shape, realm_id) {
        (OAuthShape::QuickBooks { .. }, Some(realm)) => pairs.push(("realmId", realm)),
        (OAuthShape::Zoho { location, .. }, _) => {
            pairs.push(("location", location.clone()));
            pairs.push(("accounts-server", own_base_url(headers)));
        }
        (OAuthShape::QuickBooks { .. }, None) => {}
    }
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    redirect_with(&get("redirect_uri"), &pairs)
}

fn deny(params: &Params) -> Response {
    let get = |name: &str| params.get(name).map(String::as_str).unwrap_or("");
    redirect_with(
        get("redirect_uri"),
        &[
            ("error", "access_denied"),
            ("error_description", "The user denied access"),
            ("state", get("state")),
        ],
    )
}

fn consent_page(state: &OAuthState, params: &Params) -> Response {
    // QuickBooks asks which company to connect; the first is preselected.
    let companies: String = match &state.config.shape {
        OAuthShape::QuickBooks { companies } => {
            let options: String = companies
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    format!(
                        "<label style=\"display:block;margin:.4em 0\"><input type=\"radio\" \
                         name=\"realmId\" value=\"{}\"{}> {}</label>",
                        escape(&c.realm_id),
                        if i == 0 { " checked" } else { "" },
                        escape(&c.name)
                    )
                })
                .collect();
            format!("<fieldset><legend>Company</legend>{options}</fieldset>")
        }
        OAuthShape::Zoho { .. } => String::new(),
    };
    let hidden: String = params
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "decision" | "realmId"))
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect();
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sandbox sign-in</title></head>\
         <body style=\"font-family:sans-serif;margin:4em\"><h1>Connect Casebridge (sandbox)</h1>\
         <p>Casebridge asks to read your invoices and customers.</p>\
         <form method=\"post\">{hidden}{companies}\
         <button name=\"decision\" value=\"allow\">Connect</button> \
         <button name=\"decision\" value=\"deny\">Cancel</button></form></body></html>"
    ))
    .into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

// ----------------------------------------------------------------- token

/// `client_secret_basic` (QuickBooks) or `client_secret_post` (Zoho). Returns the client id.
fn authenticate(state: &OAuthState, headers: &HeaderMap, form: &Params) -> Option<String> {
    let (id, secret) = match headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
    {
        Some(encoded) => {
            let decoded = STANDARD.decode(encoded.trim()).ok()?;
            let pair = String::from_utf8(decoded).ok()?;
            let (id, secret) = pair.split_once(':')?;
            // RFC 6749 §2.3.1: both halves are form-urlencoded before base64.
            (form_decode(id), form_decode(secret))
        }
        None => (
            form.get("client_id")?.clone(),
            form.get("client_secret")?.clone(),
        ),
    };
    let client = find_client(state, &id)?;
    (client.client_secret == secret).then_some(id)
}

fn form_decode(value: &str) -> String {
    url::form_urlencoded::parse(format!("v={value}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn token(State(state): St, headers: HeaderMap, Form(form): Form<Params>) -> Response {
    let Some(client_id) = authenticate(&state, &headers, &form) else {
        let mut response = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client");
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"sandbox\""),
        );
        return response;
    };
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => code_grant(&state, &client_id, &form),
        Some("refresh_token") => refresh_grant(&state, &client_id, &form),
        Some(_) => oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type"),
        None => oauth_error(StatusCode::BAD_REQUEST, "invalid_request"),
    }
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn code_grant(state: &OAuthState, client_id: &str, form: &Params) -> Response {
    let (Some(code), Some(redirect_uri), Some(verifier)) = (
        form.get("code"),
        form.get("redirect_uri"),
        form.get("code_verifier"),
    ) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let now = state.clock.now();
    let mut inner = state.lock();
    let Some(issued) = inner.codes.get_mut(code) else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    };
    let valid = !issued.used
        && issued.client_id == client_id
        && issued.redirect_uri == *redirect_uri
        && now < issued.expires_at
        && s256(verifier) == issued.challenge;
    // A code is burnt by any attempt, so a wrong verifier cannot be retried with another guess.
    issued.used = true;
    if !valid {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
    }
    let realm_id = issued.realm_id.clone();
    let access = inner.issue_access(now + state.access_lifetime(), realm_id.clone());
    let refresh = inner.issue_refresh(client_id, realm_id, state.config.max_refresh_tokens);
    let api_domain = inner.api_domain.clone();
    drop(inner);
    token_response(state, &access, Some(&refresh), api_domain.as_deref())
}

fn refresh_grant(state: &OAuthState, client_id: &str, form: &Params) -> Response {
    let Some(presented) = form.get("refresh_token") else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request");
    };
    let now = state.clock.now();
    let mut inner = state.lock();
    let realm_id = match inner.refresh.get(presented) {
        Some(e) if e.active && e.client_id == client_id => e.realm_id.clone(),
        _ => {
            inner.refreshes_refused += 1;
            return oauth_error(StatusCode::BAD_REQUEST, "invalid_grant");
        }
    };
    inner.refreshes_ok += 1;
    let access = inner.issue_access(now + state.access_lifetime(), realm_id);
    let rotated = if state.config.rotate_refresh_tokens {
        inner.rotate_refresh(presented)
    } else {
        None
    };
    let api_domain = inner.api_domain.clone();
    drop(inner);
    token_response(state, &access, rotated.as_deref(), api_domain.as_deref())
}

fn token_response(
    state: &OAuthState,
    access: &str,
    refresh: Option<&str>,
    api_domain: Option<&str>,
) -> Response {
    let zoho = matches!(state.config.shape, OAuthShape::Zoho { .. });
    let mut body = json!({
        // Each provider's own spelling (quickbooks.md §1, zoho.md §1).
        "token_type": if zoho { "Bearer" } else { "bearer" },
        "expires_in": state.config.access_token_secs,
        "access_token": access,
    });
    if let Some(refresh) = refresh {
        body["refresh_token"] = json!(refresh);
        if !zoho {
            // QuickBooks' rolling 100 days (illustrative value from quickbooks.md).
            body["x_refresh_token_expires_in"] = json!(8_726_400);
        }
    }
    if let (true, Some(domain)) = (zoho, api_domain) {
        body["api_domain"] = json!(domain);
    }
    json_response(StatusCode::OK, &body)
}

// ---------------------------------------------------------- revoke, info

/// Zoho sends `?token=` in the query with no client authentication; QuickBooks sends the
/// token in the body with client authentication, which is then required.
async fn revoke(
    State(state): St,
    Query(query): Query<Params>,
    headers: HeaderMap,
    form: Result<Form<Params>, FormRejection>,
) -> Response {
    let form = form.map(|Form(f)| f).unwrap_or_default();
    let token = match (query.get("token"), form.get("token")) {
        (Some(token), _) => token,
        (None, Some(token)) if authenticate(&state, &headers, &form).is_some() => token,
        (None, Some(_)) => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client"),
        (None, None) => return oauth_error(StatusCode::BAD_REQUEST, "invalid_request"),
    };
    state.lock().revoke(token);
    StatusCode::OK.into_response()
}

/// A protected resource, so tests can see an access token expire or die with its grant.
async fn userinfo(State(state): St, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let now = state.clock.now();
    match token {
        Some(token)
            if matches!(
                state.lock().check_access(token, now),
                AccessCheck::Valid { .. }
            ) =>
        {
            json_response(StatusCode::OK, &json!({ "sub": "sandbox-user" }))
        }
        _ => oauth_error(StatusCode::UNAUTHORIZED, "invalid_token"),
    }
}
