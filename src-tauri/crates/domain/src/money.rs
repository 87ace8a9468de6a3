//! Amounts of money: a decimal and its currency, never more precise than the
//! currency allows.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::currency::Currency;
use crate::error::DomainError;

/// An amount in a currency, with at most [`Currency::exponent`] decimals.
///
/// The amount is stored rescaled to exactly the currency's exponent, so
/// `12.3` DKK is held, shown and serialised as `"12.30"`, and `500` JPY as
/// `"500"`. Zero and negative amounts are representable because sources
/// report them (credit notes, paid invoices); the readiness rules decide
/// whether one may become a case.
///
/// Serde form: `{ "amount": "12.34", "currency": "DKK" }` (the amount is a
/// string so no float ever touches it); deserialising applies the same
/// checks as [`Money::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "MoneyRepr", into = "MoneyRepr")]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

#[derive(Serialize, Deserialize)]
struct MoneyRepr {
    #[serde(with = "rust_decimal::serde::str")]
    amount: Decimal,
    currency: Currency,
}

impl TryFrom<MoneyRepr> for Money {
    type Error = DomainError;

    fn try_from(repr: MoneyRepr) -> Result<Self, Self::Error> {
        Money::new(repr.amount, repr.currency)
    }
}

impl From<Money> for MoneyRepr {
    fn from(money: Money) -> Self {
        MoneyRepr {
            amount: money.amount,
            currency: money.currency,
        }
    }
}

impl Money {
    /// Makes an amount in `currency`.
    ///
    /// Trailing zeros do not count (`12.340` DKK is fine), but a significant
    /// extra decimal is **refused, not rounded**: silently rounding changes
    /// the claim, and a `12.345` DKK in a spreadsheet usually means a wrong
    /// column or locale, which the user should see.
    ///
    /// # Errors
    /// [`DomainError::TooManyDecimals`] when `amount` needs more decimals than
    /// the currency has.
    pub fn new(amount: Decimal, currency: Currency) -> Result<Money, DomainError> {
        let allowed = currency.exponent();
        let normalized = amount.normalize();
        if normalized.scale() > allowed {
            return Err(DomainError::TooManyDecimals {
                amount,
                currency,
                allowed,
            });
        }
        let mut amount = if normalized.is_zero() {
            // "-0.00" from a source must not show as a negative amount.
            Decimal::ZERO
        } else {
            normalized
        };
        amount.rescale(allowed);
        Ok(Money { amount, currency })
    }

    /// An integer count of the currency's ISO minor units (`1234` DKK →
    /// `12.34`; `500` JPY → `500`). Cannot fail: the scale is the currency's
    /// own.
    pub fn from_minor_units(minor_units: i64, currency: Currency) -> Money {
        Money {
            amount: Decimal::new(minor_units, currency.exponent()),
            currency,
        }
    }

    /// An integer amount in a provider's own minor units, for providers whose
    /// exponent differs from ISO's. Stripe counts ISK and UGX in hundredths
    /// although ISO gives them no decimals, so `500` with exponent `2` is
    /// `5` ISK.
    ///
    /// # Errors
    /// - [`DomainError::ExponentOutOfRange`] if `exponent` > 28.
    /// - [`DomainError::TooManyDecimals`] if the value has a fraction the
    ///   currency cannot hold (`550` ISK at exponent 2 = 5.50 ISK).
    pub fn from_minor_units_with_exponent(
        minor_units: i64,
        currency: Currency,
        exponent: u32,
    ) -> Result<Money, DomainError> {
        let amount = Decimal::try_new(minor_units, exponent)
            .map_err(|_| DomainError::ExponentOutOfRange { exponent })?;
        Money::new(amount, currency)
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money::from_minor_units(0, currency)
    }

    /// The decimal amount, at exactly the currency's scale.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// `true` for amounts strictly above zero.
    pub fn is_positive(&self) -> bool {
        self.amount > Decimal::ZERO
    }
}

impl fmt::Display for Money {
    /// `"12.34 DKK"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;

    #[test]
    fn new_rescales_to_the_currency_exponent() {
        let money = Money::new(dec!(12.3), Currency::DKK).unwrap();
        assert_eq!(money.amount().to_string(), "12.30");
        let yen = Money::new(dec!(500), Currency::JPY).unwrap();
        assert_eq!(yen.amount().to_string(), "500");
        let dinar = Money::new(dec!(1.5), Currency::KWD).unwrap();
        assert_eq!(dinar.amount().to_string(), "1.500");
    }

    #[test]
    fn new_accepts_insignificant_trailing_zeros() {
        let money = Money::new(dec!(12.3400), Currency::DKK).unwrap();
        assert_eq!(money.amount(), dec!(12.34));
        assert!(Money::new(dec!(500.00), Currency::JPY).is_ok());
    }

    #[test]
    fn new_refuses_more_decimals_than_the_currency_has() {
        assert_eq!(
            Money::new(dec!(12.345), Currency::DKK),
            Err(DomainError::TooManyDecimals {
                amount: dec!(12.345),
                currency: Currency::DKK,
                allowed: 2
            })
        );
        assert!(Money::new(dec!(5.5), Currency::ISK).is_err());
        assert!(Money::new(dec!(1.0001), Currency::KWD).is_err());
    }

    #[test]
    fn negative_zero_becomes_plain_zero() {
        let money = Money::new(dec!(-0.00), Currency::EUR).unwrap();
        assert_eq!(money.amount().to_string(), "0.00");
        assert!(!money.is_positive());
    }

    #[test]
    fn from_minor_units_uses_the_iso_exponent() {
        assert_eq!(
            Money::from_minor_units(1234, Currency::DKK).amount(),
            dec!(12.34)
        );
        assert_eq!(
            Money::from_minor_units(500, Currency::JPY).amount(),
            dec!(500)
        );
        assert_eq!(
            Money::from_minor_units(1500, Currency::BHD).amount(),
            dec!(1.5)
        );
        assert_eq!(
            Money::from_minor_units(-250, Currency::EUR).amount(),
            dec!(-2.5)
        );
    }

    #[test]
    fn from_minor_units_with_stripe_exponent_handles_isk_and_ugx() {
        let isk = Money::from_minor_units_with_exponent(500, Currency::ISK, 2).unwrap();
        assert_eq!(isk.amount(), dec!(5));
        assert_eq!(isk.amount().to_string(), "5");
        let ugx = Money::from_minor_units_with_exponent(123_400, Currency::UGX, 2).unwrap();
        assert_eq!(ugx.amount(), dec!(1234));
    }

    #[test]
    fn from_minor_units_with_exponent_refuses_fractions_the_currency_cannot_hold() {
        assert!(matches!(
            Money::from_minor_units_with_exponent(550, Currency::ISK, 2),
            Err(DomainError::TooManyDecimals { allowed: 0, .. })
        ));
    }

    #[test]
    fn from_minor_units_with_exponent_refuses_absurd_exponents() {
        assert_eq!(
            Money::from_minor_units_with_exponent(1, Currency::EUR, 29),
            Err(DomainError::ExponentOutOfRange { exponent: 29 })
        );
    }

    #[test]
    fn serde_writes_the_amount_as_a_string() {
        let money = Money::new(dec!(12.3), Currency::DKK).unwrap();
        let json = serde_json::to_value(money).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"amount": "12.30", "currency": "DKK"})
        );
        let back: Money = serde_json::from_value(json).unwrap();
        assert_eq!(back, money);
    }

    #[test]
    fn serde_refuses_float_amounts_bad_currencies_and_extra_decimals() {
        assert!(serde_json::from_str::<Money>(r#"{"amount":12.3,"currency":"DKK"}"#).is_err());
        assert!(
            serde_json::from_str::<Money>(r#"{"amount":"12.30","currency":"KRONER"}"#).is_err()
        );
        assert!(serde_json::from_str::<Money>(r#"{"amount":"12.345","currency":"DKK"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":"abc","currency":"DKK"}"#).is_err());
    }

    #[test]
    fn display_shows_amount_and_code() {
        assert_eq!(
            Money::from_minor_units(1234, Currency::EUR).to_string(),
            "12.34 EUR"
        );
    }
}
