//! Strings with the shape the agency's request schema demands.
//!
//! Lengths are counted in UTF-16 code units because the agency is an ASP.NET
//! service and .NET's `MaxLength` counts `string.Length` (UTF-16), which is
//! never less than JSON Schema's code-point count: a value that fits here
//! fits both readings.

use std::fmt;

use serde::{Serialize, Serializer};

use crate::error::{AgencyError, ValueProblem};

/// Non-blank text of at most `MAX` UTF-16 code units.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct BoundedText<const MAX: usize>(String);

/// `creditorReference`: your invoice number, unique per creditor (≤ 50).
pub type CreditorReference = BoundedText<50>;
/// `claimDescription` and `comments` (≤ 4000).
pub type LongText = BoundedText<4000>;
/// `tag`, grouping test cases for bulk delete (≤ 100).
pub type TestTag = BoundedText<100>;
/// Free text the spec does not bound (debtor name, address, …).
pub type Text = BoundedText<{ usize::MAX }>;

impl<const MAX: usize> BoundedText<MAX> {
    /// `field` names the wire field in the error when the value is refused.
    pub fn new(field: &'static str, value: impl Into<String>) -> Result<Self, AgencyError> {
        let value = value.into();
        if value.trim().is_empty() {
            return Err(AgencyError::InvalidValue {
                field,
                problem: ValueProblem::Empty,
            });
        }
        let length = value.encode_utf16().count();
        if length > MAX {
            return Err(AgencyError::InvalidValue {
                field,
                problem: ValueProblem::TooLong { length, max: MAX },
            });
        }
        Ok(Self(value))
    }

    /// Blank or missing input becomes `None` (the agency reads an absent
    /// field and an empty one alike; absent keeps the payload honest).
    pub fn optional(field: &'static str, value: Option<&str>) -> Result<Option<Self>, AgencyError> {
        match value {
            Some(text) if !text.trim().is_empty() => Self::new(field, text).map(Some),
            _ => Ok(None),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> fmt::Debug for BoundedText<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<const MAX: usize> fmt::Display for BoundedText<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<const MAX: usize> Serialize for BoundedText<MAX> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// Exactly `N` ASCII letters, stored upper-case.
fn ascii_letters<const N: usize>(field: &'static str, value: &str) -> Result<[u8; N], AgencyError> {
    let trimmed = value.trim();
    let bytes = trimmed.as_bytes();
    if bytes.len() != N || !bytes.iter().all(u8::is_ascii_alphabetic) {
        return Err(AgencyError::InvalidValue {
            field,
            problem: ValueProblem::Format {
                expected: if N == 2 {
                    "two letters (ISO 3166-1 alpha-2)"
                } else {
                    "three letters (ISO 4217)"
                },
                found: trimmed.chars().take(16).collect(),
            },
        });
    }
    let mut out = [0u8; N];
    for (slot, byte) in out.iter_mut().zip(bytes) {
        *slot = byte.to_ascii_uppercase();
    }
    Ok(out)
}

macro_rules! letter_code {
    ($(#[$doc:meta])* $name:ident, $len:literal, $field:literal) => {
        $(#[$doc])*
        ///
        /// Only the shape is checked here; whether the code exists is the
        /// domain's and the agency's business (the agency answers 400).
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            pub fn parse(value: &str) -> Result<Self, AgencyError> {
                ascii_letters::<$len>($field, value).map(Self)
            }

            pub fn as_str(&self) -> &str {
                // Only ASCII letters are ever stored.
                std::str::from_utf8(&self.0).unwrap_or_default()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.as_str())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

letter_code!(
    /// ISO 4217 currency code, e.g. `DKK`.
    CurrencyCode, 3, "currencyCode"
);
letter_code!(
    /// ISO 3166-1 alpha-2 country code, e.g. `DK`.
    CountryAlpha2, 2, "debtor.countryAlpha2"
);

impl CountryAlpha2 {
    /// US debtors need `stateAlpha2` as well.
    pub fn is_us(&self) -> bool {
        &self.0 == b"US"
    }
}

/// `assignedUserEmail`: `local@domain.tld`, ≤ 320 characters, no spaces.
///
/// Deliberately loose (the agency checks team membership anyway); it rules
/// out what the spec's `format: email` would reject outright.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LENGTH: usize = 320;

    pub fn parse(value: &str) -> Result<Self, AgencyError> {
        let value = value.trim();
        let bad = || AgencyError::InvalidValue {
            field: "assignedUserEmail",
            problem: ValueProblem::Format {
                expected: "an email address like name@example.com",
                found: value.chars().take(64).collect(),
            },
        };
        if value.len() > Self::MAX_LENGTH
            || value.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(bad());
        }
        let (local, domain) = value.split_once('@').ok_or_else(bad)?;
        let domain_ok = !domain.contains('@')
            && domain.split('.').count() >= 2
            && domain.split('.').all(|label| !label.is_empty());
        if local.is_empty() || !domain_ok {
            return Err(bad());
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl Serialize for EmailAddress {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creditor_reference_longer_than_50_utf16_units_is_refused_with_its_length() {
        assert!(CreditorReference::new("creditorReference", "x".repeat(50)).is_ok());
        let err = CreditorReference::new("creditorReference", "x".repeat(51)).expect_err("51");
        assert!(matches!(
            err,
            AgencyError::InvalidValue {
                field: "creditorReference",
                problem: ValueProblem::TooLong {
                    length: 51,
                    max: 50
                }
            }
        ));
        // 25 emoji = 25 code points but 50 UTF-16 units: fits; 26 do not.
        assert!(CreditorReference::new("creditorReference", "😀".repeat(25)).is_ok());
        assert!(CreditorReference::new("creditorReference", "😀".repeat(26)).is_err());
    }

    #[test]
    fn blank_text_is_refused_but_optional_blank_becomes_none() {
        assert!(matches!(
            Text::new("debtor.name", "   "),
            Err(AgencyError::InvalidValue {
                problem: ValueProblem::Empty,
                ..
            })
        ));
        assert_eq!(
            LongText::optional("comments", Some(" ")).expect("blank is fine"),
            None
        );
        assert_eq!(
            LongText::optional("comments", None).expect("none is fine"),
            None
        );
    }

    #[test]
    fn letter_codes_are_upper_cased_and_shape_checked() {
        assert_eq!(CurrencyCode::parse("dkk").expect("ok").as_str(), "DKK");
        assert_eq!(CountryAlpha2::parse(" us ").expect("ok").as_str(), "US");
        assert!(CountryAlpha2::parse("US").expect("ok").is_us());
        assert!(CurrencyCode::parse("DK").is_err());
        assert!(CurrencyCode::parse("D1K").is_err());
        assert!(CountryAlpha2::parse("DNK").is_err());
        assert!(
            CountryAlpha2::parse("ÆØ").is_err(),
            "non-ASCII letters are not ISO codes"
        );
    }

    #[test]
    fn email_needs_local_part_and_dotted_domain() {
        assert!(EmailAddress::parse("ar@example.com").is_ok());
        for bad in [
            "ar@",
            "@example.com",
            "ar example@x.com",
            "ar@localhost",
            "a@b@c.com",
            "ar@x..com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
