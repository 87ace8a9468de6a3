//! The `Idempotency-Key` header of `POST /cases`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::error::{AgencyError, ValueProblem};

/// 1–255 visible ASCII characters (the agency answers 400 above 255; the
/// value must also be a valid header value). The engine persists one per
/// case in its outbox *before* the first attempt and reuses it for every
/// retry of that case.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub const MAX_LENGTH: usize = 255;

    pub fn new(key: impl Into<String>) -> Result<Self, AgencyError> {
        let key = key.into();
        if key.is_empty() {
            return Err(AgencyError::InvalidValue {
                field: "Idempotency-Key",
                problem: ValueProblem::Empty,
            });
        }
        if key.len() > Self::MAX_LENGTH {
            return Err(AgencyError::InvalidValue {
                field: "Idempotency-Key",
                problem: ValueProblem::TooLong {
                    length: key.chars().count(),
                    max: Self::MAX_LENGTH,
                },
            });
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AgencyError::InvalidValue {
                field: "Idempotency-Key",
                problem: ValueProblem::Format {
                    expected: "visible ASCII characters without spaces",
                    found: key.chars().take(40).collect(),
                },
            });
        }
        Ok(Self(key))
    }

    /// A fresh random key (UUID v4).
    pub fn generate() -> Self {
        Self(Uuid::new_v4().to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({})", self.0)
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for IdempotencyKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for IdempotencyKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::new(raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_of_255_characters_is_accepted_and_256_is_refused_with_its_length() {
        assert_eq!(
            IdempotencyKey::new("k".repeat(255))
                .expect("255 fits")
                .as_str()
                .len(),
            255
        );
        let err = IdempotencyKey::new("k".repeat(256)).expect_err("256 is too long");
        assert!(matches!(
            err,
            AgencyError::InvalidValue {
                problem: ValueProblem::TooLong {
                    length: 256,
                    max: 255
                },
                ..
            }
        ));
    }

    #[test]
    fn empty_spaced_and_non_ascii_keys_are_refused() {
        assert!(matches!(
            IdempotencyKey::new(""),
            Err(AgencyError::InvalidValue {
                problem: ValueProblem::Empty,
                ..
            })
        ));
        assert!(IdempotencyKey::new("case 1").is_err());
        assert!(IdempotencyKey::new("case\n1").is_err());
        assert!(IdempotencyKey::new("sag-ø").is_err());
    }

    #[test]
    fn generated_keys_are_valid_distinct_and_survive_serde() {
        let a = IdempotencyKey::generate();
        let b = IdempotencyKey::generate();
        assert_ne!(a, b);
        assert!(IdempotencyKey::new(a.as_str()).is_ok());
        let json = serde_json::to_string(&a).expect("ok");
        assert_eq!(
            serde_json::from_str::<IdempotencyKey>(&json).expect("ok"),
            a
        );
        assert!(
            serde_json::from_str::<IdempotencyKey>(&format!("\"{}\"", "x".repeat(300))).is_err()
        );
    }
}
