//! The agency connection: which environment, which key, and a client for it.
//!
//! The key is checked with `GET /me` before it is kept, and then lives only
//! in the keychain; SQLite holds the environment, the base URL and the
//! creditor's name. In demo mode the connection points at the sandbox's fake
//! agency with its well-known demo key, so the flow works with no account.

use std::num::NonZeroU32;
use std::sync::Arc;

use std::time::Duration;

use casebridge_agency::{
    AgencyClient, AgencyConfig, ApiKey, Environment, RateLimiter, RateLimiterConfig, RateLimits, WindowSpec,
};
use casebridge_store::secrets::{Secret, SecretKey};
use casebridge_store::{AgencyEnvironment, ConnectionRecord, ConnectionStatus, NewAuditEntry};
use serde::{Deserialize, Serialize};

use crate::api::{AgencyConnection, AgencyEnvironmentChoice, ConnectAgencyRequest};
use crate::{Engine, EngineError};

const SETTINGS_KEY: &str = "agency.connection";
const LIMITS_KEY: &str = "agency.rate_limits";
const CONNECTION_ID: &str = "agency";

fn secret_key() -> SecretKey {
    SecretKey::new("agency", "api_key")
}

/// What SQLite keeps about the agency connection (no key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StoredAgencySettings {
    pub environment: AgencyEnvironmentChoice,
    pub base_url: String,
    pub company_name: String,
    pub key_hint: String,
}

impl StoredAgencySettings {
    /// Submissions are unique per environment, so trying an invoice in test
    /// mode never blocks sending it for real later.
    pub(crate) fn outbox_environment(&self) -> AgencyEnvironment {
        match self.environment {
            AgencyEnvironmentChoice::Production => AgencyEnvironment::Production,
            _ => AgencyEnvironment::Test,
        }
    }

    pub(crate) fn sends_test_cases(&self) -> bool {
        matches!(
            self.environment,
            AgencyEnvironmentChoice::ProductionTestMode | AgencyEnvironmentChoice::Custom
        )
    }

    pub(crate) fn destination(&self) -> String {
        let place = match self.environment {
            AgencyEnvironmentChoice::Production => "Debitura production",
            AgencyEnvironmentChoice::ProductionTestMode => "Debitura production (test cases)",
            AgencyEnvironmentChoice::Test => "Debitura test environment",
            AgencyEnvironmentChoice::Custom => "custom agency URL (test cases)",
        };
        format!("{place} — {} at {}", self.company_name, self.base_url)
    }
}

/// The request limits the client keeps under: any number of windows, each
/// "at most `limit` requests in any `seconds`". Configurable because the
/// agency may change them, and because a benchmark scales time down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgencyRateLimits {
    pub windows: Vec<RateWindow>,
    /// Extra time each request is counted beyond its window, absorbing
    /// latency and clock differences with the agency's own counters.
    pub safety_margin_ms: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateWindow {
    pub limit: u32,
    pub seconds: u64,
}

impl Default for AgencyRateLimits {
    /// Debitura's documented limits: 2,000/minute, 20,000/hour, 100,000/day.
    fn default() -> Self {
        let limits = RateLimits::DEBITURA;
        Self {
            windows: vec![
                RateWindow { limit: limits.per_minute.get(), seconds: 60 },
                RateWindow { limit: limits.per_hour.get(), seconds: 3_600 },
                RateWindow { limit: limits.per_day.get(), seconds: 86_400 },
            ],
            safety_margin_ms: 1_000,
        }
    }
}

impl AgencyRateLimits {
    fn to_config(&self) -> Result<RateLimiterConfig, EngineError> {
        let invalid = |reason: &str| EngineError::InvalidInput { field: "rateLimits", reason: reason.into() };
        if self.windows.is_empty() {
            return Err(invalid("at least one window is needed"));
        }
        let windows = self
            .windows
            .iter()
            .map(|w| {
                let limit = NonZeroU32::new(w.limit).ok_or_else(|| invalid("a rate limit must be at least 1"))?;
                if w.seconds == 0 {
                    return Err(invalid("a window must last at least one second"));
                }
                let label = match w.seconds {
                    60 => "minute",
                    3_600 => "hour",
                    86_400 => "day",
                    _ => "window",
                };
                Ok(WindowSpec { label, limit, length: Duration::from_secs(w.seconds) })
            })
            .collect::<Result<Vec<_>, EngineError>>()?;
        let defaults = RateLimiterConfig::from(RateLimits::DEBITURA);
        Ok(RateLimiterConfig {
            windows,
            safety_margin: Duration::from_millis(self.safety_margin_ms),
            buckets_per_window: defaults.buckets_per_window,
        })
    }
}

fn client_config(
    environment: AgencyEnvironmentChoice,
    base_url: Option<&str>,
    key: ApiKey,
) -> Result<AgencyConfig, EngineError> {
    Ok(match environment {
        AgencyEnvironmentChoice::Production | AgencyEnvironmentChoice::ProductionTestMode => {
            AgencyConfig::new(Environment::Production, key)?
        }
        AgencyEnvironmentChoice::Test => AgencyConfig::new(Environment::Test, key)?,
        AgencyEnvironmentChoice::Custom => {
            let url = base_url.filter(|u| !u.trim().is_empty()).ok_or(EngineError::InvalidInput {
                field: "baseUrl",
                reason: "a custom environment needs a base URL".into(),
            })?;
            AgencyConfig::custom(url.trim(), key)?
        }
    })
}

fn key_hint(key: &str) -> String {
    let tail: String = key.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("…{tail}")
}

impl Engine {
    /// Checks the key against the agency (`GET /me`) and, only if it works,
    /// keeps it in the keychain and remembers the environment.
    pub async fn connect_agency(
        &self,
        request: ConnectAgencyRequest,
    ) -> Result<AgencyConnection, EngineError> {
        let key_text = request.api_key.trim().to_string();
        if key_text.is_empty() {
            return Err(EngineError::InvalidInput {
                field: "apiKey",
                reason: "paste the API key from app.debitura.com/CreditorApiKey".into(),
            });
        }
        let config = client_config(
            request.environment,
            request.base_url.as_deref(),
            ApiKey::new(key_text.clone())?,
        )?;
        let base_url = config.base_url.to_string();
        // The shared limiter counts this call too: the agency does.
        let me = AgencyClient::with_rate_limiter(config, self.shared_limiter().await?)?.me().await?;
        let settings = StoredAgencySettings {
            environment: request.environment,
            base_url,
            company_name: me.company_name.clone(),
            key_hint: key_hint(&key_text),
        };
        self.secrets().set(&secret_key(), &Secret::new(key_text))?;
        let now = self.clock().now();
        let stored = settings.clone();
        self.with_store(move |store| {
            store.set_setting(SETTINGS_KEY, &stored, now)?;
            store.upsert_connection(&ConnectionRecord {
                id: CONNECTION_ID.into(),
                provider: "agency".into(),
                account_id: stored.base_url.clone(),
                display_name: stored.company_name.clone(),
                environment: stored.destination(),
                settings: serde_json::json!({}),
                status: ConnectionStatus::Connected,
                last_success_at: Some(now),
                last_error: None,
                token_expires_at: None,
                refresh_token_issued_at: None,
                created_at: now,
                updated_at: now,
            })?;
            store.append_audit(&NewAuditEntry {
                at: now,
                actor: "user".into(),
                action: "agency.connected".into(),
                subject: stored.base_url.clone(),
                details: serde_json::json!({ "environment": stored.environment, "company": stored.company_name }),
            })?;
            Ok(())
        })
        .await?;
        Ok(connection_view(&settings))
    }

    /// The agency connection, if one was made.
    pub async fn agency_connection(&self) -> Result<Option<AgencyConnection>, EngineError> {
        Ok(self.agency_settings().await?.as_ref().map(connection_view))
    }

    pub(crate) async fn agency_settings(&self) -> Result<Option<StoredAgencySettings>, EngineError> {
        self.with_store(|store| Ok(store.get_setting::<StoredAgencySettings>(SETTINGS_KEY)?)).await
    }

    /// Sets the limits the client keeps under. Applies to clients built after.
    pub async fn set_agency_rate_limits(&self, limits: AgencyRateLimits) -> Result<(), EngineError> {
        limits.to_config()?;
        let now = self.clock().now();
        self.with_store(move |store| Ok(store.set_setting(LIMITS_KEY, &limits, now)?)).await?;
        *self.inner.limiter.lock().await = None;
        Ok(())
    }

    /// A client for the connected agency, sharing one rate limiter across
    /// every call of this engine (the agency counts per key).
    pub(crate) async fn agency_client(
        &self,
    ) -> Result<(AgencyClient, StoredAgencySettings), EngineError> {
        let settings = self.agency_settings().await?.ok_or(EngineError::AgencyNotConnected)?;
        let key = self.secrets().get(&secret_key())?.ok_or(EngineError::AgencyKeyMissing)?;
        let config = client_config(
            settings.environment,
            Some(&settings.base_url),
            ApiKey::new(key.expose().to_string())?,
        )?;
        let limiter = self.shared_limiter().await?;
        Ok((AgencyClient::with_rate_limiter(config, limiter)?, settings))
    }

    async fn shared_limiter(&self) -> Result<Arc<RateLimiter>, EngineError> {
        let mut slot = self.inner.limiter.lock().await;
        if let Some(limiter) = slot.as_ref() {
            return Ok(limiter.clone());
        }
        let limits = self
            .with_store(|store| Ok(store.get_setting::<AgencyRateLimits>(LIMITS_KEY)?))
            .await?
            .unwrap_or_default();
        let limiter = Arc::new(RateLimiter::new(limits.to_config()?));
        *slot = Some(limiter.clone());
        Ok(limiter)
    }

    /// Demo mode: connect to the sandbox's fake agency with its demo key.
    /// Demo secrets live in memory, so each start puts the key back; the
    /// key check runs only when the sandbox URL is new.
    pub(crate) async fn connect_demo_agency(&self, agency_url: &str) -> Result<(), EngineError> {
        let key = casebridge_sandbox::demo::AGENCY_API_KEY;
        let known = self.agency_settings().await?;
        if known.is_some_and(|s| s.base_url.trim_end_matches('/') == agency_url.trim_end_matches('/')) {
            return Ok(self.secrets().set(&secret_key(), &Secret::new(key))?);
        }
        self.connect_agency(ConnectAgencyRequest {
            environment: AgencyEnvironmentChoice::Custom,
            base_url: Some(agency_url.to_string()),
            api_key: key.to_string(),
        })
        .await
        .map(|_| ())
    }
}

fn connection_view(s: &StoredAgencySettings) -> AgencyConnection {
    AgencyConnection {
        environment: s.environment,
        base_url: s.base_url.clone(),
        company_name: s.company_name.clone(),
        key_hint: s.key_hint.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_hint_shows_only_the_last_four_characters() {
        assert_eq!(key_hint("abcdefgh1234"), "…1234");
        assert_eq!(key_hint("ab"), "…ab");
    }

    #[test]
    fn a_zero_limit_or_an_empty_window_list_is_refused() {
        let zero = AgencyRateLimits { windows: vec![RateWindow { limit: 0, seconds: 60 }], safety_margin_ms: 0 };
        assert_eq!(zero.to_config().unwrap_err().code(), "invalid_input");
        let none = AgencyRateLimits { windows: vec![], safety_margin_ms: 0 };
        assert_eq!(none.to_config().unwrap_err().code(), "invalid_input");
    }

    #[test]
    fn the_default_limits_are_the_agencys_three_windows() {
        let config = AgencyRateLimits::default().to_config().unwrap();
        let spans: Vec<_> = config.windows.iter().map(|w| (w.label, w.limit.get(), w.length.as_secs())).collect();
        assert_eq!(spans, [("minute", 2_000, 60), ("hour", 20_000, 3_600), ("day", 100_000, 86_400)]);
    }
}
