//! Stripe API keys as pasted by a user: which kind, which mode, and whether
//! we should warn about it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{KeyProblem, ProviderError};

/// Test (sandbox) or live data. Stripe keeps them apart, with separate keys
/// and separate rate limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StripeMode {
    /// `*_test_*` keys: test data, 25 requests/s.
    Test,
    /// `*_live_*` keys: real data, 100 requests/s.
    Live,
}

/// What a key may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// `rk_…`: only the permissions chosen when it was created.
    Restricted,
    /// `sk_…`: everything, including moving money.
    Secret,
}

/// Something the user should know about an accepted key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyWarning {
    /// A secret key works but can do far more than read invoices.
    SecretKey,
}

impl KeyWarning {
    /// Stable code for the UI.
    pub fn code(self) -> &'static str {
        match self {
            KeyWarning::SecretKey => "stripe_secret_key",
        }
    }

    /// What the warning says.
    pub fn message(self) -> &'static str {
        match self {
            KeyWarning::SecretKey => {
                "This is a secret key: it can do everything in your Stripe account, including refunds and payouts."
            }
        }
    }

    /// What to do instead.
    pub fn hint(self) -> &'static str {
        match self {
            KeyWarning::SecretKey => {
                "A restricted key with only Invoices: Read and Customers: Read is safer; create one under Developers → API keys."
            }
        }
    }
}

/// A Stripe API key that has the shape of a usable one.
///
/// It is never serialised and its `Debug` shows only kind and mode, so it
/// cannot leak into logs, SQLite or error messages; the keychain is where
/// the caller keeps the text.
#[derive(Clone, PartialEq, Eq)]
pub struct StripeKey {
    secret: String,
    kind: KeyKind,
    mode: StripeMode,
}

/// Stripe's keys are base62 after the prefix; the sandbox's demo keys use
/// `_` between words, which real keys never have but is harmless to allow.
const MIN_BODY_LEN: usize = 8;

impl StripeKey {
    /// Reads a pasted key; surrounding whitespace is ignored.
    ///
    /// # Errors
    /// [`ProviderError::StripeKey`] naming the problem: empty, a
    /// publishable key, a webhook secret, an unknown prefix, or a cut-off /
    /// garbled key.
    pub fn parse(input: &str) -> Result<StripeKey, ProviderError> {
        let fail = |problem| Err(ProviderError::StripeKey { problem });
        let text = input.trim();
        if text.is_empty() {
            return fail(KeyProblem::Empty);
        }
        if text.starts_with("pk_") {
            return fail(KeyProblem::Publishable);
        }
        if text.starts_with("whsec_") {
            return fail(KeyProblem::WebhookSecret);
        }
        let (kind, rest) = if let Some(rest) = text.strip_prefix("rk_") {
            (KeyKind::Restricted, rest)
        } else if let Some(rest) = text.strip_prefix("sk_") {
            (KeyKind::Secret, rest)
        } else {
            return fail(KeyProblem::UnknownPrefix);
        };
        let (mode, body) = if let Some(body) = rest.strip_prefix("test_") {
            (StripeMode::Test, body)
        } else if let Some(body) = rest.strip_prefix("live_") {
            (StripeMode::Live, body)
        } else {
            return fail(KeyProblem::UnknownPrefix);
        };
        let well_formed = body.len() >= MIN_BODY_LEN
            && body.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !well_formed {
            return fail(KeyProblem::Malformed);
        }
        Ok(StripeKey {
            secret: text.to_owned(),
            kind,
            mode,
        })
    }

    /// Restricted or secret.
    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    /// Test or live.
    pub fn mode(&self) -> StripeMode {
        self.mode
    }

    /// A warning to show when the key is accepted, if any.
    pub fn warning(&self) -> Option<KeyWarning> {
        match self.kind {
            KeyKind::Secret => Some(KeyWarning::SecretKey),
            KeyKind::Restricted => None,
        }
    }

    /// The key itself, for the `Authorization` header only.
    pub(crate) fn expose(&self) -> &str {
        &self.secret
    }
}

impl fmt::Debug for StripeKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeKey")
            .field("kind", &self.kind)
            .field("mode", &self.mode)
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Every key below is a made-up sandbox/demo value, never a real key.
    const RESTRICTED_TEST: &str = "rk_test_casebridge_demo_readonly"; // sandbox demo key
    const SECRET_LIVE: &str = "sk_live_casebridge_demo_secret"; // sandbox demo key

    #[test]
    fn restricted_and_secret_keys_parse_with_kind_and_mode() {
        let key = StripeKey::parse(&format!("  {RESTRICTED_TEST}\n")).expect("valid");
        assert_eq!(key.kind(), KeyKind::Restricted);
        assert_eq!(key.mode(), StripeMode::Test);
        assert_eq!(key.warning(), None);
        assert_eq!(key.expose(), RESTRICTED_TEST, "whitespace is trimmed");

        let key = StripeKey::parse(SECRET_LIVE).expect("valid");
        assert_eq!(key.kind(), KeyKind::Secret);
        assert_eq!(key.mode(), StripeMode::Live);
        assert_eq!(key.warning(), Some(KeyWarning::SecretKey));
        assert!(KeyWarning::SecretKey.hint().contains("restricted key"));
    }

    fn problem(input: &str) -> KeyProblem {
        match StripeKey::parse(input) {
            Err(ProviderError::StripeKey { problem }) => problem,
            other => panic!("{input:?} should be refused, got {other:?}"),
        }
    }

    #[test]
    fn publishable_keys_are_refused_with_their_own_message() {
        assert_eq!(
            problem("pk_test_casebridge_demo_public"),
            KeyProblem::Publishable
        ); // sandbox demo key
        assert_eq!(
            problem("pk_live_casebridge_demo_public"),
            KeyProblem::Publishable
        ); // sandbox demo key
        let err = StripeKey::parse("pk_live_casebridge_demo_public").expect_err("refused"); // sandbox demo key
        assert!(
            err.to_string().contains("that is a publishable key"),
            "{err}"
        );
    }

    #[test]
    fn garbage_is_refused_with_a_specific_problem() {
        assert_eq!(problem(""), KeyProblem::Empty);
        assert_eq!(problem("   "), KeyProblem::Empty);
        assert_eq!(problem("whsec_casebridge_demo"), KeyProblem::WebhookSecret); // sandbox demo value
        assert_eq!(problem("hello world"), KeyProblem::UnknownPrefix);
        assert_eq!(
            problem("rk_prod_casebridge_demo"),
            KeyProblem::UnknownPrefix
        ); // sandbox demo value
        assert_eq!(
            problem("Bearer rk_test_casebridge_demo"),
            KeyProblem::UnknownPrefix
        ); // sandbox demo value
        assert_eq!(problem("rk_test_short"), KeyProblem::Malformed);
        assert_eq!(
            problem("rk_test_casebridge demo key"),
            KeyProblem::Malformed
        ); // sandbox demo value
        assert_eq!(
            problem("rk_test_casebridge_demo\"quoted\""),
            KeyProblem::Malformed
        ); // sandbox demo value
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = StripeKey::parse(RESTRICTED_TEST).expect("valid");
        let shown = format!("{key:?}");
        assert!(!shown.contains("casebridge_demo"), "{shown}");
        assert!(shown.contains("Restricted") && shown.contains("Test"));
    }
}
