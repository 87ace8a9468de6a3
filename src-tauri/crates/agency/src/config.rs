//! Where the agency is and how we prove who we are.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{AgencyError, ValueProblem};

/// Production base URL (paths have no `/v1` prefix).
pub const PRODUCTION_BASE_URL: &str = "https://customer-api.debitura.com";
/// The isolated test environment, with its own keys.
pub const TEST_BASE_URL: &str = "https://testcustomer-api.debitura.com";

/// Which agency environment a key and base URL belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    Production,
    Test,
    /// A base URL of your choosing (the local sandbox, a proxy).
    Custom,
}

impl Environment {
    /// The documented base URL; `None` for [`Environment::Custom`].
    pub fn default_base_url(self) -> Option<Url> {
        let text = match self {
            Self::Production => PRODUCTION_BASE_URL,
            Self::Test => TEST_BASE_URL,
            Self::Custom => return None,
        };
        Url::parse(text).ok()
    }

    /// The environment whose keys are refused here, for the 401 hint.
    pub(crate) fn other_label(self) -> &'static str {
        match self {
            Self::Production => "test",
            Self::Test => "production",
            Self::Custom => "production or test",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Production => "production",
            Self::Test => "test",
            Self::Custom => "custom",
        })
    }
}

/// The agency API key. Never printed (`Debug` is redacted), never
/// serialized: it lives in the OS keychain and only here in memory.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// The key must be usable as an HTTP header value: visible ASCII, no
    /// spaces. Surrounding whitespace from a paste is removed.
    pub fn new(key: impl Into<String>) -> Result<Self, AgencyError> {
        let key = key.into();
        let trimmed = key.trim();
        if trimmed.is_empty() {
            return Err(AgencyError::InvalidValue {
                field: "API key",
                problem: ValueProblem::Empty,
            });
        }
        if !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AgencyError::InvalidValue {
                field: "API key",
                problem: ValueProblem::Format {
                    expected: "letters, digits and punctuation without spaces",
                    // Never echo a key, not even a wrong one.
                    found: "(hidden)".to_owned(),
                },
            });
        }
        Ok(Self(trimmed.to_owned()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// How long we wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// TCP + TLS connect.
    pub connect: Duration,
    /// Whole request/response for JSON calls.
    pub request: Duration,
    /// Whole request/response for document uploads (up to 25 MB).
    pub upload: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(60),
            upload: Duration::from_secs(300),
        }
    }
}

/// Everything the client needs to talk to one agency account.
#[derive(Debug, Clone)]
pub struct AgencyConfig {
    pub environment: Environment,
    pub base_url: Url,
    pub api_key: ApiKey,
    pub timeouts: Timeouts,
}

impl AgencyConfig {
    /// Production or test with the documented base URL.
    pub fn new(environment: Environment, api_key: ApiKey) -> Result<Self, AgencyError> {
        let base_url = environment
            .default_base_url()
            .ok_or(AgencyError::InvalidValue {
                field: "base URL",
                problem: ValueProblem::Empty,
            })?;
        Ok(Self {
            environment,
            base_url,
            api_key,
            timeouts: Timeouts::default(),
        })
    }

    /// Any http(s) base URL, e.g. the local sandbox. A path prefix is kept
    /// (`http://127.0.0.1:8080/agency/` → `…/agency/cases`). Credentials,
    /// queries and fragments are refused: they would end up in logs.
    pub fn custom(base_url: &str, api_key: ApiKey) -> Result<Self, AgencyError> {
        let bad = |expected: &'static str| AgencyError::InvalidValue {
            field: "base URL",
            problem: ValueProblem::Format {
                expected,
                found: base_url.chars().take(200).collect(),
            },
        };
        let url = Url::parse(base_url.trim()).map_err(|_| bad("an absolute http(s) URL"))?;
        if !matches!(url.scheme(), "http" | "https")
            || url.cannot_be_a_base()
            || url.host().is_none()
        {
            return Err(bad("an absolute http(s) URL"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("a URL without user name or password"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("a URL without query or fragment"));
        }
        Ok(Self {
            environment: Environment::Custom,
            base_url: url,
            api_key,
            timeouts: Timeouts::default(),
        })
    }

    pub fn with_timeouts(mut self, timeouts: Timeouts) -> Self {
        self.timeouts = timeouts;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_debug_is_redacted_and_bad_keys_are_not_echoed() {
        let key = ApiKey::new("  s3cret-KEY_123 \n").expect("valid");
        assert_eq!(key.expose(), "s3cret-KEY_123");
        assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
        let config = AgencyConfig::new(Environment::Test, key).expect("test has a URL");
        let debug = format!("{config:?}");
        assert!(!debug.contains("s3cret"), "{debug}");
        assert!(debug.contains("testcustomer-api.debitura.com"), "{debug}");

        let err = ApiKey::new("has space-s3cret").expect_err("spaces are not allowed");
        assert!(!err.to_string().contains("s3cret"), "{err}");
        assert!(!format!("{err:?}").contains("s3cret"));
        assert!(ApiKey::new("   ").is_err());
    }

    #[test]
    fn environments_have_the_documented_base_urls() {
        let prod =
            AgencyConfig::new(Environment::Production, ApiKey::new("k").expect("ok")).expect("ok");
        assert_eq!(prod.base_url.as_str(), "https://customer-api.debitura.com/");
        assert!(AgencyConfig::new(Environment::Custom, ApiKey::new("k").expect("ok")).is_err());
    }

    #[test]
    fn custom_base_url_refuses_credentials_queries_and_other_schemes() {
        let key = || ApiKey::new("k").expect("ok");
        assert!(AgencyConfig::custom("http://127.0.0.1:8080/agency/", key()).is_ok());
        for bad in [
            "ftp://127.0.0.1/",
            "http://user:pw@127.0.0.1/",
            "http://127.0.0.1/?key=1",
            "127.0.0.1:8080",
            "mailto:x@y.z",
        ] {
            assert!(AgencyConfig::custom(bad, key()).is_err(), "{bad} accepted");
        }
    }
}
