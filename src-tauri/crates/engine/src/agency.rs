//! The agency connection: which environment, which key, and a client for it.
//!
//! The key is checked with `GET /me` before it is kept, and then lives only
//! in the keychain; SQLite holds the environment, the base URL and the
//! creditor's name. In demo mode the connection points at the sandbox's fake
//! agency with its well-known demo key, so the flow works with no account.

use std::num::NonZeroU32;
use std::sync::Arc;

use casebridge_agency::{
    AgencyClient, AgencyConfig, ApiKey, Environment, RateLimiter, RateLimiterConfig, RateLimits,
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

/// Configurable limits (a scaled-up limit keeps benchmarks short).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgencyRateLimits {
    pub per_minute: u32,
    pub per_hour: u32,
    pub per_day: u32,
}

impl AgencyRateLimits {
    fn to_limits(self) -> Result<RateLimits, EngineError> {
        let nz = |n: u32, field: &'static str| {
            NonZeroU32::new(n).ok_or(EngineError::InvalidInput {
                field,
                reason: "a rate limit must be at least 1".into(),
            })
        };
        Ok(RateLimits {
            per_minute: nz(self.per_minute, "perMinute")?,
            per_hour: nz(self.per_hour, "perHour")?,
            per_day: nz(self.per_day, "perDay")?,
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
        let me = AgencyClient::new(config)?.me().await?;
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
        limits.to_limits()?;
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
            .map(AgencyRateLimits::to_limits)
            .transpose()?
            .unwrap_or_default();
        let limiter = Arc::new(RateLimiter::new(RateLimiterConfig::from(limits)));
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
    fn a_zero_rate_limit_is_refused() {
        let err = AgencyRateLimits { per_minute: 0, per_hour: 1, per_day: 1 }.to_limits().unwrap_err();
        assert_eq!(err.code(), "invalid_input");
    }
}
