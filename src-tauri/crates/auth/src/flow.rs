//! One sign-in at a time: the pending flow (state + PKCE S256 verifier), and the callback that
//! must come back to it.
//!
//! The state is compared here, not in the listener, so the loopback and the deep-link redirect
//! share one rule: a callback that matches no pending flow is refused. A callback with the wrong
//! state does not cancel the pending flow: a forged redirect must not be able to abort the real
//! sign-in still open in the browser.

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use casebridge_store::secrets::Secret;
use chrono::{DateTime, Duration, Utc};
use oauth2::{CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl};
use url::Url;

use crate::error::{AuthError, Result};

/// The accounting sources that connect over OAuth2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderId {
    QuickBooks,
    Zoho,
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProviderId::QuickBooks => "QuickBooks Online",
            ProviderId::Zoho => "Zoho Books",
        })
    }
}

/// A sign-in waiting for its callback. Holds the PKCE verifier, which never leaves this process
/// and is not printed by `Debug`.
pub struct PendingFlow {
    provider: ProviderId,
    state: CsrfToken,
    verifier: PkceCodeVerifier,
    challenge: PkceCodeChallenge,
    redirect: RedirectUrl,
    created_at: DateTime<Utc>,
}

impl fmt::Debug for PendingFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingFlow")
            .field("provider", &self.provider)
            .field("redirect", &self.redirect.as_str())
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl PendingFlow {
    /// A new flow with a random state and a random PKCE S256 pair.
    pub fn new(provider: ProviderId, redirect: RedirectUrl, created_at: DateTime<Utc>) -> Self {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        PendingFlow {
            provider,
            state: CsrfToken::new_random(),
            verifier,
            challenge,
            redirect,
            created_at,
        }
    }

    pub fn provider(&self) -> ProviderId {
        self.provider
    }

    /// The `state` sent to the authorize endpoint (random, not a secret once sent).
    pub fn state(&self) -> &CsrfToken {
        &self.state
    }

    /// The S256 challenge sent to the authorize endpoint.
    pub fn challenge(&self) -> &PkceCodeChallenge {
        &self.challenge
    }

    /// The verifier, for the token request only.
    pub fn verifier(&self) -> &PkceCodeVerifier {
        &self.verifier
    }

    pub fn redirect(&self) -> &RedirectUrl {
        &self.redirect
    }

    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
}

/// What the provider sent back on the redirect.
#[derive(Debug)]
pub enum CallbackOutcome {
    /// The user approved: an authorization code plus the provider's extras.
    Code {
        code: Secret,
        /// QuickBooks company id (`realmId`).
        realm_id: Option<String>,
        /// Zoho data centre (`location`, e.g. `eu`).
        location: Option<String>,
        /// Zoho accounts server of the user's data centre (`accounts-server`); the code must be
        /// exchanged there. Outside input: pass it through
        /// [`crate::OAuthClient::with_zoho_accounts_server`], which checks it is Zoho's.
        accounts_server: Option<Url>,
    },
    /// The provider refused (`error=access_denied`, `invalid_scope`…).
    Error {
        error: String,
        description: Option<String>,
    },
}

/// A parsed redirect callback. Every field comes from outside input (the browser), so parsing
/// never panics and rejects ambiguous queries (a parameter given twice).
#[derive(Debug)]
pub struct Callback {
    state: String,
    outcome: CallbackOutcome,
}

impl Callback {
    /// Parses the query string of a redirect (without the leading `?`).
    pub fn from_query(query: &str) -> Result<Self> {
        let mut fields = CallbackFields::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match name.as_ref() {
                "state" => &mut fields.state,
                "code" => &mut fields.code,
                "error" => &mut fields.error,
                "error_description" => &mut fields.error_description,
                "realmId" => &mut fields.realm_id,
                "location" => &mut fields.location,
                "accounts-server" => &mut fields.accounts_server,
                // Providers add parameters over time (e.g. `scope`, `hd`); they are not ours to refuse.
                _ => continue,
            };
            if slot.is_some() {
                return Err(AuthError::MalformedCallback {
                    reason: "a parameter appears twice",
                });
            }
            *slot = Some(value.into_owned());
        }
        fields.into_callback()
    }

    /// Parses a deep-link callback (e.g. `casebridge://oauth/callback?code=…`). It must match
    /// the registered redirect in scheme, host and path, so another `casebridge://` link cannot
    /// be taken for a sign-in answer.
    pub fn from_redirect_url(url: &str, registered: &RedirectUrl) -> Result<Self> {
        let url = Url::parse(url).map_err(|_| AuthError::MalformedCallback {
            reason: "it is not a URL",
        })?;
        let expected = registered.url();
        let same_target = url.scheme() == expected.scheme()
            && url.host_str() == expected.host_str()
            && url.port_or_known_default() == expected.port_or_known_default()
            && url.path() == expected.path();
        if !same_target {
            return Err(AuthError::MalformedCallback {
                reason: "it is not addressed to the registered redirect URI",
            });
        }
        Callback::from_query(url.query().unwrap_or(""))
    }

    pub fn state(&self) -> &str {
        &self.state
    }

    pub fn outcome(&self) -> &CallbackOutcome {
        &self.outcome
    }

    pub fn into_outcome(self) -> CallbackOutcome {
        self.outcome
    }
}

#[derive(Default)]
struct CallbackFields {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
    realm_id: Option<String>,
    location: Option<String>,
    accounts_server: Option<String>,
}

impl CallbackFields {
    fn into_callback(self) -> Result<Callback> {
        let non_empty = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
        let state = non_empty(self.state).ok_or(AuthError::MalformedCallback {
            reason: "it has no state",
        })?;
        let outcome = match (non_empty(self.error), non_empty(self.code)) {
            (Some(error), _) => CallbackOutcome::Error {
                error,
                description: non_empty(self.error_description),
            },
            (None, Some(code)) => CallbackOutcome::Code {
                code: Secret::new(code),
                realm_id: non_empty(self.realm_id),
                location: non_empty(self.location),
                accounts_server: non_empty(self.accounts_server)
                    .map(|s| Url::parse(&s))
                    .transpose()
                    .map_err(|_| AuthError::MalformedCallback {
                        reason: "accounts-server is not a URL",
                    })?,
            },
            (None, None) => {
                return Err(AuthError::MalformedCallback {
                    reason: "it has neither a code nor an error",
                })
            }
        };
        Ok(Callback { state, outcome })
    }
}

/// A flow whose callback matched and carried a code: ready for the token request.
#[derive(Debug)]
pub struct AuthorizedFlow {
    pub flow: PendingFlow,
    pub code: Secret,
    pub realm_id: Option<String>,
    pub location: Option<String>,
    pub accounts_server: Option<Url>,
}

/// Holds at most one pending flow per app process.
#[derive(Debug)]
pub struct FlowRegistry {
    pending: Mutex<Option<PendingFlow>>,
    max_age: Duration,
}

impl FlowRegistry {
    /// A registry where a flow older than `max_age` no longer blocks a new one (the user closed
    /// the browser tab; we never hear back).
    pub fn new(max_age: Duration) -> Self {
        FlowRegistry {
            pending: Mutex::new(None),
            max_age,
        }
    }

    fn slot(&self) -> MutexGuard<'_, Option<PendingFlow>> {
        // Each critical section is a single take/replace; a panic cannot leave it half-done.
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a flow; refused while another one younger than `max_age` is pending. Returns the
    /// state and challenge to put in the authorize URL.
    pub fn begin(
        &self,
        provider: ProviderId,
        redirect: RedirectUrl,
        now: DateTime<Utc>,
    ) -> Result<(CsrfToken, PkceCodeChallenge)> {
        let mut slot = self.slot();
        if let Some(pending) = slot.as_ref() {
            if now - pending.created_at < self.max_age {
                return Err(AuthError::FlowInProgress {
                    pending: pending.provider,
                });
            }
        }
        let flow = PendingFlow::new(provider, redirect, now);
        let started = (flow.state.clone(), flow.challenge.clone());
        *slot = Some(flow);
        Ok(started)
    }

    /// Whether a flow is pending (expired ones included until replaced or cancelled).
    pub fn is_pending(&self) -> bool {
        self.slot().is_some()
    }

    /// Forgets the pending flow (user pressed Cancel, or the listener timed out).
    pub fn cancel(&self) -> Option<ProviderId> {
        self.slot().take().map(|flow| flow.provider)
    }

    /// Forgets the pending flow only if it is the one that sent `state` (a newer flow, started
    /// after this one expired, is left alone).
    pub fn cancel_flow(&self, state: &CsrfToken) -> bool {
        let mut slot = self.slot();
        let ours = slot.as_ref().is_some_and(|p| {
            constant_time_eq(p.state.secret().as_bytes(), state.secret().as_bytes())
        });
        if ours {
            *slot = None;
        }
        ours
    }

    /// Matches a callback to the pending flow. On a match the flow is consumed, whatever the
    /// outcome; on a mismatch it stays pending.
    pub fn complete(&self, callback: Callback) -> Result<AuthorizedFlow> {
        let mut slot = self.slot();
        let Some(pending) = slot.as_ref() else {
            return Err(AuthError::NoPendingFlow);
        };
        if !constant_time_eq(pending.state.secret().as_bytes(), callback.state.as_bytes()) {
            return Err(AuthError::StateMismatch);
        }
        let flow = slot.take().ok_or(AuthError::NoPendingFlow)?;
        match callback.outcome {
            CallbackOutcome::Error { error, description } => Err(AuthError::AuthorizationRefused {
                provider_error: error,
                description,
            }),
            CallbackOutcome::Code {
                code,
                realm_id,
                location,
                accounts_server,
            } => Ok(AuthorizedFlow {
                flow,
                code,
                realm_id,
                location,
                accounts_server,
            }),
        }
    }
}

/// Compares without an early exit, so the time taken does not reveal how much of a guessed
/// state was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redirect() -> RedirectUrl {
        RedirectUrl::new("http://127.0.0.1:8765/callback".into()).unwrap()
    }

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-01-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn quickbooks_callback_parses_code_state_and_realm() {
        let cb = Callback::from_query("code=AB%2Bc&state=s1&realmId=9130").unwrap();
        assert_eq!(cb.state(), "s1");
        match cb.outcome() {
            CallbackOutcome::Code { code, realm_id, .. } => {
                assert_eq!(code.expose(), "AB+c");
                assert_eq!(realm_id.as_deref(), Some("9130"));
            }
            other => panic!("expected a code, got {other:?}"),
        }
        assert!(!format!("{cb:?}").contains("AB+c"), "the code is redacted");
    }

    #[test]
    fn zoho_callback_keeps_location_and_accounts_server() {
        let cb = Callback::from_query(
            "state=s&code=1000.x&location=in&accounts-server=https%3A%2F%2Faccounts.zoho.in",
        )
        .unwrap();
        match cb.into_outcome() {
            CallbackOutcome::Code {
                location,
                accounts_server,
                ..
            } => {
                assert_eq!(location.as_deref(), Some("in"));
                assert_eq!(
                    accounts_server.map(String::from).as_deref(),
                    Some("https://accounts.zoho.in/")
                );
            }
            other => panic!("expected a code, got {other:?}"),
        }
    }

    #[test]
    fn error_callback_wins_over_a_code_and_keeps_the_description() {
        let cb = Callback::from_query(
            "error=access_denied&error_description=User+said+no&state=s&code=ignored",
        )
        .unwrap();
        match cb.outcome() {
            CallbackOutcome::Error { error, description } => {
                assert_eq!(error, "access_denied");
                assert_eq!(description.as_deref(), Some("User said no"));
            }
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn malformed_callbacks_get_specific_reasons() {
        for (query, reason) in [
            ("code=x", "it has no state"),
            ("code=x&state=", "it has no state"),
            ("state=s", "it has neither a code nor an error"),
            ("state=s&state=t&code=x", "a parameter appears twice"),
            (
                "state=s&code=x&accounts-server=not%20a%20url",
                "accounts-server is not a URL",
            ),
            ("%FF%FE=1&state=s", "it has neither a code nor an error"),
        ] {
            match Callback::from_query(query) {
                Err(AuthError::MalformedCallback { reason: got }) => {
                    assert_eq!(got, reason, "for {query}")
                }
                other => panic!("{query}: expected MalformedCallback, got {other:?}"),
            }
        }
    }

    #[test]
    fn deep_link_must_target_the_registered_redirect() {
        let registered = RedirectUrl::new("casebridge://oauth/callback".into()).unwrap();
        let ok =
            Callback::from_redirect_url("casebridge://oauth/callback?code=c&state=s", &registered);
        assert_eq!(ok.unwrap().state(), "s");
        for url in [
            "casebridge://oauth/other?code=c&state=s",
            "casebridge://evil/callback?code=c&state=s",
            "otherapp://oauth/callback?code=c&state=s",
            "not a url",
        ] {
            let err = Callback::from_redirect_url(url, &registered).unwrap_err();
            assert_eq!(err.code(), "oauth_malformed_callback", "{url}");
        }
    }

    #[test]
    fn only_one_flow_at_a_time_until_it_expires() {
        let registry = FlowRegistry::new(Duration::minutes(10));
        let (_state, _challenge) = registry.begin(ProviderId::Zoho, redirect(), t0()).unwrap();
        let err = registry
            .begin(
                ProviderId::QuickBooks,
                redirect(),
                t0() + Duration::minutes(9),
            )
            .unwrap_err();
        assert!(matches!(
            err,
            AuthError::FlowInProgress {
                pending: ProviderId::Zoho
            }
        ));
        assert_eq!(err.code(), "oauth_flow_in_progress");
        let (_state, _challenge) = registry
            .begin(
                ProviderId::QuickBooks,
                redirect(),
                t0() + Duration::minutes(10),
            )
            .expect("an abandoned flow no longer blocks");
        assert_eq!(registry.cancel(), Some(ProviderId::QuickBooks));
        assert!(!registry.is_pending());
    }

    #[test]
    fn matching_callback_completes_and_consumes_the_flow() {
        let registry = FlowRegistry::new(Duration::minutes(10));
        let (state, challenge) = registry
            .begin(ProviderId::QuickBooks, redirect(), t0())
            .unwrap();
        assert_eq!(challenge.method().as_str(), "S256");
        let cb =
            Callback::from_query(&format!("code=c1&state={}&realmId=42", state.secret())).unwrap();
        let done = registry.complete(cb).unwrap();
        assert_eq!(done.code.expose(), "c1");
        assert_eq!(done.realm_id.as_deref(), Some("42"));
        assert_eq!(
            PkceCodeChallenge::from_code_verifier_sha256(done.flow.verifier()).as_str(),
            challenge.as_str(),
            "the stored verifier belongs to the challenge that was sent"
        );
        let again = Callback::from_query(&format!("code=c1&state={}", state.secret())).unwrap();
        assert!(matches!(
            registry.complete(again),
            Err(AuthError::NoPendingFlow)
        ));
    }

    #[test]
    fn wrong_state_is_refused_and_the_real_flow_stays_pending() {
        let registry = FlowRegistry::new(Duration::minutes(10));
        let (state, _) = registry
            .begin(ProviderId::QuickBooks, redirect(), t0())
            .unwrap();
        let forged = Callback::from_query("code=evil&state=guess").unwrap();
        let err = registry.complete(forged).unwrap_err();
        assert!(matches!(err, AuthError::StateMismatch));
        assert_eq!(err.code(), "oauth_state_mismatch");
        let real = Callback::from_query(&format!("code=good&state={}", state.secret())).unwrap();
        assert_eq!(registry.complete(real).unwrap().code.expose(), "good");
    }

    #[test]
    fn denied_callback_becomes_access_denied_with_a_hint_and_ends_the_flow() {
        let registry = FlowRegistry::new(Duration::minutes(10));
        let (state, _) = registry.begin(ProviderId::Zoho, redirect(), t0()).unwrap();
        let cb =
            Callback::from_query(&format!("error=access_denied&state={}", state.secret())).unwrap();
        let err = registry.complete(cb).unwrap_err();
        let report = err.report();
        assert_eq!(report.code, "oauth_access_denied");
        assert!(
            report.message.contains("access_denied"),
            "{}",
            report.message
        );
        assert!(report.hint.contains("declined"), "{}", report.hint);
        assert!(!registry.is_pending());
    }

    #[test]
    fn cancel_flow_leaves_a_newer_flow_alone() {
        let registry = FlowRegistry::new(Duration::minutes(10));
        let (old, _) = registry.begin(ProviderId::Zoho, redirect(), t0()).unwrap();
        let (new, _) = registry
            .begin(ProviderId::Zoho, redirect(), t0() + Duration::minutes(11))
            .unwrap();
        assert!(!registry.cancel_flow(&old));
        assert!(registry.is_pending());
        assert!(registry.cancel_flow(&new));
        assert!(!registry.is_pending());
    }

    #[test]
    fn callback_without_any_flow_is_refused() {
        let registry = FlowRegistry::new(Duration::minutes(10));
        let cb = Callback::from_query("code=c&state=s").unwrap();
        assert_eq!(
            registry.complete(cb).unwrap_err().code(),
            "oauth_no_pending_flow"
        );
    }

    #[test]
    fn pending_flow_debug_hides_state_and_verifier() {
        let flow = PendingFlow::new(ProviderId::QuickBooks, redirect(), t0());
        let shown = format!("{flow:?}");
        assert!(!shown.contains(flow.state().secret()), "{shown}");
        assert!(!shown.contains(flow.verifier().secret()), "{shown}");
    }
}
