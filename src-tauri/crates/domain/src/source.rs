//! Where an invoice came from: provider, account and the provider's own id.
//!
//! The string form `provider:account/external_id` (e.g.
//! `stripe:acct_1/in_123`) is the first of the three duplicate checks
//! (source id, creditor reference, fingerprint), so it must be stable:
//! stored data and the outbox key on it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::DomainError;
use crate::wire_enum::wire_enum;

wire_enum! {
    /// A system Casebridge imports invoices from.
    pub enum Provider {
        /// Stripe Billing.
        Stripe => "stripe",
        /// QuickBooks Online.
        QuickBooks => "quickbooks",
        /// Zoho Books.
        Zoho => "zoho",
        /// An imported CSV/TSV/XLSX/ODS file.
        File => "file",
    }
}

impl Provider {
    /// Reads a provider name in any case, trimmed.
    ///
    /// # Errors
    /// [`DomainError::ParseProvider`] for any other name.
    pub fn parse(input: &str) -> Result<Provider, DomainError> {
        Provider::from_wire(&input.trim().to_ascii_lowercase()).ok_or_else(|| {
            DomainError::ParseProvider {
                input: input.to_owned(),
            }
        })
    }
}

/// Identifies one invoice in one source account.
///
/// - `account`: Stripe account id, QuickBooks realm id, Zoho organization id,
///   or for files the import's id.
/// - `external_id`: the provider's invoice id (`in_…`, QuickBooks `Id`, Zoho
///   `invoice_id`), or for files the row key.
///
/// Both are non-blank. In the string form a `/` or `%` inside the account is
/// percent-escaped so the first `/` always ends the account; the external id
/// is the rest verbatim and may itself contain `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SourceRef {
    provider: Provider,
    account: String,
    external_id: String,
}

impl SourceRef {
    /// Builds a reference; trims both parts.
    ///
    /// # Errors
    /// [`DomainError::EmptySourceRefPart`] when `account` or `external_id`
    /// is blank.
    pub fn new(
        provider: Provider,
        account: &str,
        external_id: &str,
    ) -> Result<SourceRef, DomainError> {
        let account = account.trim();
        let external_id = external_id.trim();
        if account.is_empty() {
            return Err(DomainError::EmptySourceRefPart { part: "account" });
        }
        if external_id.is_empty() {
            return Err(DomainError::EmptySourceRefPart {
                part: "external id",
            });
        }
        Ok(SourceRef {
            provider,
            account: account.to_owned(),
            external_id: external_id.to_owned(),
        })
    }

    /// Reads the string form back (`stripe:acct_1/in_123`).
    ///
    /// # Errors
    /// [`DomainError::ParseSourceRef`] when the `:` or `/` is missing, the
    /// provider is unknown, a part is blank, or an escape is malformed.
    pub fn parse(input: &str) -> Result<SourceRef, DomainError> {
        let bad = || DomainError::ParseSourceRef {
            input: input.to_owned(),
        };
        let (provider, rest) = input.split_once(':').ok_or_else(bad)?;
        let (account, external_id) = rest.split_once('/').ok_or_else(bad)?;
        let provider = Provider::from_wire(provider).ok_or_else(bad)?;
        let account = unescape_account(account).ok_or_else(bad)?;
        SourceRef::new(provider, &account, external_id).map_err(|_| bad())
    }

    /// The provider.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The account within the provider.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The provider's id of the invoice.
    pub fn external_id(&self) -> &str {
        &self.external_id
    }
}

fn escape_account(account: &str) -> String {
    account.replace('%', "%25").replace('/', "%2F")
}

fn unescape_account(escaped: &str) -> Option<String> {
    let mut out = String::with_capacity(escaped.len());
    let mut rest = escaped;
    while let Some(pos) = rest.find('%') {
        out.push_str(&rest[..pos]);
        let escape = rest.get(pos..pos + 3)?;
        match escape {
            "%25" => out.push('%'),
            "%2F" | "%2f" => out.push('/'),
            _ => return None,
        }
        rest = &rest[pos + 3..];
    }
    out.push_str(rest);
    Some(out)
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}/{}",
            self.provider,
            escape_account(&self.account),
            self.external_id
        )
    }
}

impl FromStr for SourceRef {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SourceRef::parse(s)
    }
}

impl Serialize for SourceRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SourceRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        SourceRef::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_parses_any_case_and_refuses_others() {
        assert_eq!(Provider::parse(" Stripe "), Ok(Provider::Stripe));
        assert_eq!(Provider::parse("QUICKBOOKS"), Ok(Provider::QuickBooks));
        for bad in ["", "xero", "stripe!", "ströpe"] {
            assert_eq!(
                Provider::parse(bad),
                Err(DomainError::ParseProvider {
                    input: bad.to_owned()
                })
            );
        }
    }

    #[test]
    fn string_form_is_provider_account_slash_id() {
        let r = SourceRef::new(Provider::Stripe, "acct_1", "in_123").unwrap();
        assert_eq!(r.to_string(), "stripe:acct_1/in_123");
        assert_eq!(SourceRef::parse("stripe:acct_1/in_123"), Ok(r));
    }

    #[test]
    fn slashes_and_percents_in_the_account_survive_a_round_trip() {
        let r = SourceRef::new(Provider::File, "imports/2024 50%.csv", "row/7").unwrap();
        let text = r.to_string();
        assert_eq!(text, "file:imports%2F2024 50%25.csv/row/7");
        let back = SourceRef::parse(&text).unwrap();
        assert_eq!(back.account(), "imports/2024 50%.csv");
        assert_eq!(back.external_id(), "row/7");
    }

    #[test]
    fn blank_parts_are_refused_on_construction() {
        assert_eq!(
            SourceRef::new(Provider::Zoho, " ", "1"),
            Err(DomainError::EmptySourceRefPart { part: "account" })
        );
        assert_eq!(
            SourceRef::new(Provider::Zoho, "org", ""),
            Err(DomainError::EmptySourceRefPart {
                part: "external id"
            })
        );
    }

    #[test]
    fn malformed_strings_are_refused_with_the_input() {
        for bad in [
            "",
            "stripe",
            "stripe:acct_1",
            "xero:acct/1",
            "stripe:/in_1",
            "stripe:acct/",
            "stripe:ac%zzct/in_1",
            "stripe:acct%2/in_1",
            "STRIPE:acct/in_1",
        ] {
            assert_eq!(
                SourceRef::parse(bad),
                Err(DomainError::ParseSourceRef {
                    input: bad.to_owned()
                }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn serde_uses_the_string_form() {
        let r = SourceRef::new(Provider::QuickBooks, "9130", "145").unwrap();
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, "\"quickbooks:9130/145\"");
        assert_eq!(serde_json::from_str::<SourceRef>(&json).unwrap(), r);
        assert!(serde_json::from_str::<SourceRef>("\"nope\"").is_err());
    }
}
