//! One provider app's OAuth endpoints and client credentials (installation settings, not
//! per-user), and the three requests of the code flow: the authorize URL, the code exchange and
//! the refresh. The `oauth2` crate does the wire format; this module maps its errors onto
//! [`AuthError`] without keeping response bodies (they may hold tokens).

use casebridge_store::secrets::Secret;
use chrono::{DateTime, Duration, Utc};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, HttpClientError, PkceCodeChallenge, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{AuthError, Result};
use crate::flow::{AuthorizedFlow, ProviderId};
use crate::tokens::TokenSet;

/// When a token response has no `expires_in` (it is only RECOMMENDED by RFC 6749), assume the
/// one hour both providers document, so we refresh rather than use a dead token.
const DEFAULT_ACCESS_LIFETIME: Duration = Duration::hours(1);

/// Zoho's accounts servers, one per data centre (zoho.md §2). Unlisted DCs are refused rather
/// than trusted: the callback is outside input and decides where the client secret is sent.
const ZOHO_ACCOUNTS_HOSTS: &[&str] = &[
    "accounts.zoho.com",
    "accounts.zoho.eu",
    "accounts.zoho.in",
    "accounts.zoho.com.au",
    "accounts.zoho.jp",
    "accounts.zohocloud.ca",
    "accounts.zoho.sa",
    "accounts.zoho.com.cn",
    "accounts.zoho.uk",
];

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret_basic` (QuickBooks).
    Basic,
    /// `client_id`/`client_secret` in the form body (Zoho).
    RequestBody,
}

/// A provider app's OAuth settings. The client secret is a [`Secret`]: the settings can be
/// logged with `Debug`.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    pub provider: ProviderId,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub authorize_url: String,
    pub token_url: String,
    /// RFC 7009 revocation endpoint (QuickBooks: its own host; Zoho: `…/oauth/v2/token/revoke`).
    pub revoke_url: String,
    pub scopes: Vec<String>,
    pub client_auth: ClientAuth,
    /// Provider-specific authorize parameters, e.g. Zoho's `access_type=offline`.
    pub extra_authorize_params: Vec<(String, String)>,
}

/// What a successful token request yields.
#[derive(Debug)]
pub struct TokenGrant {
    pub tokens: TokenSet,
    /// Zoho's API host for this user's data centre (`api_domain`).
    pub api_domain: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ProviderExtras {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    api_domain: Option<String>,
}

impl ExtraTokenFields for ProviderExtras {}

type ProviderTokenResponse = StandardTokenResponse<ProviderExtras, BasicTokenType>;

type ConfiguredClient = oauth2::Client<
    BasicErrorResponse,
    ProviderTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// A validated provider app plus the HTTP client that talks to its token endpoint.
#[derive(Debug, Clone)]
pub struct OAuthClient {
    settings: ProviderSettings,
    oauth: ConfiguredClient,
    http: reqwest::Client,
}

impl OAuthClient {
    /// Checks the endpoints and builds the HTTP client. Redirects are not followed: a token
    /// request that gets redirected would otherwise resend the code or secret elsewhere.
    pub fn new(settings: ProviderSettings) -> Result<Self> {
        let auth_url = AuthUrl::new(settings.authorize_url.clone()).map_err(|source| {
            AuthError::InvalidEndpoint {
                which: "authorize",
                source,
            }
        })?;
        let token_url = TokenUrl::new(settings.token_url.clone()).map_err(|source| {
            AuthError::InvalidEndpoint {
                which: "token",
                source,
            }
        })?;
        Url::parse(&settings.revoke_url).map_err(|source| AuthError::InvalidEndpoint {
            which: "revoke",
            source,
        })?;
        let mut oauth = oauth2::Client::new(ClientId::new(settings.client_id.clone()))
            .set_auth_uri(auth_url)
            .set_token_uri(token_url)
            .set_auth_type(match settings.client_auth {
                ClientAuth::Basic => AuthType::BasicAuth,
                ClientAuth::RequestBody => AuthType::RequestBody,
            });
        if let Some(secret) = &settings.client_secret {
            oauth = oauth.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .map_err(|source| AuthError::TokenTransport {
                provider: settings.provider,
                source: HttpClientError::Reqwest(Box::new(source)),
            })?;
        Ok(OAuthClient {
            settings,
            oauth,
            http,
        })
    }

    pub fn provider(&self) -> ProviderId {
        self.settings.provider
    }

    /// The same app, with token requests sent to the Zoho accounts server named in the callback
    /// (`accounts-server`): codes and refresh tokens are only valid in the user's data centre.
    /// The server must be one of Zoho's, over https, since the client secret goes there.
    pub fn with_zoho_accounts_server(&self, server: &Url) -> Result<Self> {
        let host = server.host_str().unwrap_or("");
        let trusted = server.scheme() == "https"
            && server.port().is_none()
            && server.path() == "/"
            && ZOHO_ACCOUNTS_HOSTS.contains(&host);
        if !trusted {
            return Err(AuthError::UntrustedAccountsServer {
                server: server.to_string(),
            });
        }
        let mut settings = self.settings.clone();
        settings.token_url = format!("https://{host}/oauth/v2/token");
        OAuthClient::new(settings)
    }

    /// The consent page URL for a flow started in the [`crate::FlowRegistry`].
    pub fn authorize_url(
        &self,
        state: &CsrfToken,
        challenge: &PkceCodeChallenge,
        redirect: &RedirectUrl,
    ) -> Url {
        let state = state.clone();
        let mut request = self
            .oauth
            .authorize_url(move || state)
            .set_redirect_uri(std::borrow::Cow::Borrowed(redirect))
            .set_pkce_challenge(challenge.clone())
            .add_scopes(self.settings.scopes.iter().cloned().map(Scope::new));
        for (name, value) in &self.settings.extra_authorize_params {
            request = request.add_extra_param(name.clone(), value.clone());
        }
        request.url().0
    }

    /// Exchanges the code of a completed flow (with its PKCE verifier) for tokens.
    pub async fn exchange_code(
        &self,
        flow: AuthorizedFlow,
        now: DateTime<Utc>,
    ) -> Result<TokenGrant> {
        let verifier = oauth2::PkceCodeVerifier::new(flow.flow.verifier().secret().clone());
        let response = self
            .oauth
            .exchange_code(AuthorizationCode::new(flow.code.expose().to_owned()))
            .set_redirect_uri(std::borrow::Cow::Borrowed(flow.flow.redirect()))
            .set_pkce_verifier(verifier)
            .request_async(&self.http)
            .await
            .map_err(|e| self.token_error(e))?;
        let refresh = response
            .refresh_token()
            .map(|r| Secret::new(r.secret().clone()))
            .ok_or(AuthError::NoRefreshToken {
                provider: self.settings.provider,
            })?;
        Ok(self.grant(&response, refresh, now))
    }

    /// Trades a refresh token for a new access token. A provider that rotates (QuickBooks)
    /// sends a new refresh token; one that does not (Zoho) omits it and the old one is kept.
    pub async fn refresh(&self, current: &TokenSet, now: DateTime<Utc>) -> Result<TokenGrant> {
        let refresh = RefreshToken::new(current.refresh.expose().to_owned());
        let response = self
            .oauth
            .exchange_refresh_token(&refresh)
            .request_async(&self.http)
            .await
            .map_err(|e| self.token_error(e))?;
        let (refresh, issued_at) = match response.refresh_token() {
            Some(rotated) => (Secret::new(rotated.secret().clone()), now),
            None => (current.refresh.clone(), current.refresh_issued_at),
        };
        let mut grant = self.grant(&response, refresh, now);
        grant.tokens.refresh_issued_at = issued_at;
        Ok(grant)
    }

    /// Revokes a token when the user disconnects (RFC 7009; an unknown token is not an error).
    /// QuickBooks wants the token in the body with client authentication; Zoho takes it in
    /// the query.
    pub async fn revoke(&self, token: &Secret) -> Result<()> {
        let provider = self.settings.provider;
        let request = self.http.post(&self.settings.revoke_url);
        let request = match self.settings.client_auth {
            ClientAuth::Basic => {
                // RFC 6749 §2.3.1: both halves are form-urlencoded before base64.
                let encode = |v: &str| {
                    url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
                };
                let secret = self
                    .settings
                    .client_secret
                    .as_ref()
                    .map(|s| encode(s.expose()));
                request
                    .basic_auth(encode(&self.settings.client_id), secret)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .form(&[("token", token.expose())])
            }
            ClientAuth::RequestBody => request.query(&[("token", token.expose())]),
        };
        let response = request
            .send()
            .await
            .map_err(|source| AuthError::TokenTransport {
                provider,
                source: HttpClientError::Reqwest(Box::new(source)),
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let oauth_error = response
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|body| body.get("error")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("http_{}", status.as_u16()));
        Err(AuthError::TokenRejected {
            provider,
            oauth_error,
            description: None,
        })
    }

    fn grant(
        &self,
        response: &ProviderTokenResponse,
        refresh: Secret,
        now: DateTime<Utc>,
    ) -> TokenGrant {
        let lifetime = response
            .expires_in()
            .and_then(|d| Duration::from_std(d).ok())
            .unwrap_or(DEFAULT_ACCESS_LIFETIME);
        TokenGrant {
            tokens: TokenSet {
                access: Secret::new(response.access_token().secret().clone()),
                refresh,
                expires_at: now + lifetime,
                refresh_issued_at: now,
            },
            api_domain: response.extra_fields().api_domain.clone(),
        }
    }

    /// Drops response bodies on purpose (see the module docs).
    fn token_error(
        &self,
        err: RequestTokenError<HttpClientError<reqwest::Error>, BasicErrorResponse>,
    ) -> AuthError {
        let provider = self.settings.provider;
        match err {
            RequestTokenError::ServerResponse(response) => {
                let oauth_error = response.error().to_string();
                if matches!(
                    oauth_error.as_str(),
                    "server_error" | "temporarily_unavailable"
                ) {
                    AuthError::ProviderUnavailable {
                        provider,
                        oauth_error,
                    }
                } else {
                    AuthError::TokenRejected {
                        provider,
                        oauth_error,
                        description: response.error_description().cloned(),
                    }
                }
            }
            RequestTokenError::Request(source) => AuthError::TokenTransport { provider, source },
            RequestTokenError::Parse(..) | RequestTokenError::Other(_) => {
                AuthError::TokenResponseUnreadable { provider }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zoho() -> OAuthClient {
        OAuthClient::new(ProviderSettings {
            provider: ProviderId::Zoho,
            client_id: "1000.ABC".into(),
            client_secret: Some(Secret::new("zoho-secret")),
            authorize_url: "https://accounts.zoho.com/oauth/v2/auth".into(),
            token_url: "https://accounts.zoho.com/oauth/v2/token".into(),
            revoke_url: "https://accounts.zoho.com/oauth/v2/token/revoke".into(),
            scopes: vec!["ZohoBooks.invoices.READ".into()],
            client_auth: ClientAuth::RequestBody,
            extra_authorize_params: vec![("access_type".into(), "offline".into())],
        })
        .unwrap()
    }

    #[test]
    fn token_requests_follow_a_zoho_accounts_server() {
        let eu = zoho()
            .with_zoho_accounts_server(&Url::parse("https://accounts.zoho.eu").unwrap())
            .unwrap();
        assert_eq!(
            eu.settings.token_url,
            "https://accounts.zoho.eu/oauth/v2/token"
        );
        assert_eq!(eu.provider(), ProviderId::Zoho);
    }

    #[test]
    fn a_foreign_or_downgraded_accounts_server_is_refused() {
        for server in [
            "https://accounts.zoho.eu.evil.example",
            "http://accounts.zoho.eu",
            "https://accounts.zoho.eu:8443",
            "https://accounts.zoho.eu/phish",
            "https://evil.example",
        ] {
            let err = zoho()
                .with_zoho_accounts_server(&Url::parse(server).unwrap())
                .unwrap_err();
            assert_eq!(err.code(), "oauth_untrusted_accounts_server", "{server}");
        }
    }

    #[test]
    fn authorize_url_carries_provider_extras_and_the_secret_never_shows() {
        let client = zoho();
        let redirect = RedirectUrl::new("http://localhost:8765/callback".into()).unwrap();
        let (challenge, _) = PkceCodeChallenge::new_random_sha256();
        let url = client.authorize_url(&CsrfToken::new("s".into()), &challenge, &redirect);
        assert!(url
            .query_pairs()
            .any(|(k, v)| k == "access_type" && v == "offline"));
        assert!(!format!("{client:?}").contains("zoho-secret"));
    }
}
