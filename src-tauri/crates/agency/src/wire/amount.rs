//! Money on the wire.
//!
//! The spec types every amount as `number` / `format: double`, so amounts
//! travel as JSON numbers, not strings. We keep `rust_decimal` in memory and
//! convert at the edge instead of enabling serde_json's `arbitrary_precision`
//! (a workspace-wide switch that changes how every crate's `Value` behaves).
//!
//! Precision choice: an [`Amount`] holds at most 15 significant digits
//! (`f64::DIGITS`). Any decimal of that size survives decimal → nearest double
//! → shortest decimal text unchanged, so what we send is exactly what the
//! domain computed (1234.56 goes out as `1234.56`). Reading, the server's
//! double is rounded to 15 significant digits, which turns float noise such
//! as `1234.5600000000002` back into `1234.56`.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{AgencyError, ValueProblem};

/// A money amount that is exactly representable as a JSON double.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(Decimal);

impl Amount {
    /// Most significant digits an amount may carry (`f64::DIGITS`).
    pub const MAX_SIGNIFICANT_DIGITS: u32 = f64::DIGITS;

    /// Accepts any decimal with at most 15 significant digits.
    pub fn new(value: Decimal) -> Result<Self, AgencyError> {
        let normalized = value.normalize();
        let digits = significant_digits(normalized);
        if digits > Self::MAX_SIGNIFICANT_DIGITS {
            return Err(AgencyError::InvalidValue {
                field: "amount",
                problem: ValueProblem::TooPrecise {
                    digits,
                    max: Self::MAX_SIGNIFICANT_DIGITS,
                },
            });
        }
        Ok(Self(normalized))
    }

    pub fn value(self) -> Decimal {
        self.0
    }

    fn from_f64(value: f64) -> Result<Self, String> {
        if !value.is_finite() {
            return Err(format!("amount {value} is not a finite number"));
        }
        // Scientific notation with 14 digits after the point = 15 significant
        // digits, rounded half-to-even by the formatter.
        let text = format!("{value:.14e}");
        let decimal = Decimal::from_scientific(&text)
            .map_err(|e| format!("amount {value} does not fit a decimal: {e}"))?;
        Ok(Self(decimal.normalize()))
    }
}

fn significant_digits(value: Decimal) -> u32 {
    let mantissa = value.mantissa().unsigned_abs();
    if mantissa == 0 {
        1
    } else {
        mantissa.ilog10() + 1
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({})", self.0)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl TryFrom<Decimal> for Amount {
    type Error = AgencyError;
    fn try_from(value: Decimal) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<Amount> for Decimal {
    fn from(value: Amount) -> Self {
        value.0
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Correctly rounded text → double; with ≤ 15 digits the double's
        // shortest representation is the same decimal again.
        let double = f64::from_str(&self.0.to_string()).map_err(serde::ser::Error::custom)?;
        serializer.serialize_f64(double)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct AmountVisitor;
        impl Visitor<'_> for AmountVisitor {
            type Value = Amount;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON number")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Amount, E> {
                Amount::from_f64(v).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Amount, E> {
                Amount::new(Decimal::from(v)).map_err(E::custom)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Amount, E> {
                Amount::new(Decimal::from(v)).map_err(E::custom)
            }
        }
        deserializer.deserialize_f64(AmountVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::prelude::FromPrimitive;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).expect("test literal")
    }

    #[test]
    fn amounts_serialize_as_json_numbers_with_the_exact_decimal_text() {
        for (input, json) in [
            ("1234.56", "1234.56"),
            ("0.1", "0.1"),
            ("4000", "4000.0"),
            ("99999999999.99", "99999999999.99"),
            ("-12.5", "-12.5"),
        ] {
            let amount = Amount::new(dec(input)).expect("fits");
            assert_eq!(serde_json::to_string(&amount).expect("serializes"), json);
            let back: Amount = serde_json::from_str(json).expect("parses");
            assert_eq!(back.value(), dec(input), "round trip of {input}");
        }
    }

    #[test]
    fn amount_with_more_than_15_significant_digits_is_refused_with_the_digit_count() {
        let err = Amount::new(dec("1234567890123.456")).expect_err("16 digits");
        assert!(matches!(
            err,
            AgencyError::InvalidValue {
                problem: ValueProblem::TooPrecise {
                    digits: 16,
                    max: 15
                },
                ..
            }
        ));
        // Trailing zeros are not significant.
        assert!(Amount::new(dec("12.50000000000000000")).is_ok());
    }

    #[test]
    fn float_noise_from_the_server_is_rounded_to_15_significant_digits() {
        let noisy = 0.1_f64 + 0.2_f64; // 0.30000000000000004
        let amount: Amount = serde_json::from_str(&noisy.to_string()).expect("parses");
        assert_eq!(amount.value(), dec("0.3"));
        let noisy: Amount = serde_json::from_str("1234.5600000000002").expect("parses");
        assert_eq!(noisy.value(), dec("1234.56"));
    }

    #[test]
    fn integers_and_non_numbers_from_the_server() {
        let whole: Amount = serde_json::from_str("250").expect("integer parses");
        assert_eq!(whole.value(), Decimal::from_i32(250).expect("small"));
        assert!(
            serde_json::from_str::<Amount>("\"250\"").is_err(),
            "strings are not numbers"
        );
        assert!(serde_json::from_str::<Amount>("null").is_err());
    }
}
