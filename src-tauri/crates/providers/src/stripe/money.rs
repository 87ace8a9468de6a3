//! Stripe's integer amounts and the exponent to read them with.
//!
//! Stripe's exponent is not ISO 4217's: ISK and UGX are whole-unit
//! currencies in ISO but Stripe counts them in hundredths (5 ISK = `500`),
//! MGA has two ISO decimals but Stripe counts whole ariary, and the
//! three-decimal dinars are counted in thousandths. So the exponent is
//! looked up here and the domain checks the result fits the ISO currency.

use casebridge_domain::{Currency, DomainError, Money};

/// How many decimals Stripe's integer amounts carry for `currency`.
///
/// - 0: Stripe's zero-decimal list (JPY, KRW, CLP, MGA…), except UGX
///   (see below).
/// - 3: BHD, JOD, KWD, OMR, TND.
/// - 2: everything else, including ISK and UGX, which Stripe documents as
///   "two-decimal with 00 endings" (an ISK amount of `550` is refused by the
///   domain, since 5.50 ISK cannot exist), and HUF/TWD.
///
/// UGX is on Stripe's zero-decimal list *and* in its special-cases table
/// as two-decimal; we follow the special case (÷100), which the reference
/// notes as unconfirmed.
pub fn stripe_exponent(currency: Currency) -> u32 {
    use Currency::*;
    match currency {
        BIF | CLP | DJF | GNF | JPY | KMF | KRW | MGA | PYG | RWF | VND | VUV | XAF | XOF | XPF => {
            0
        }
        BHD | JOD | KWD | OMR | TND => 3,
        _ => 2,
    }
}

/// Reads a Stripe currency (`"eur"`) and an amount in its Stripe minor
/// units.
///
/// # Errors
/// [`DomainError::ParseCurrency`] for a currency the domain does not know;
/// [`DomainError::TooManyDecimals`] when the amount has a fraction the
/// currency cannot hold (`550` ISK).
pub(crate) fn stripe_money(currency: Currency, minor_units: i64) -> Result<Money, DomainError> {
    Money::from_minor_units_with_exponent(minor_units, currency, stripe_exponent(currency))
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    fn amount(currency: Currency, minor: i64) -> String {
        stripe_money(currency, minor)
            .expect("representable")
            .amount()
            .to_string()
    }

    #[test]
    fn two_decimal_currencies_divide_by_100() {
        assert_eq!(amount(Currency::EUR, 123_456), "1234.56");
        assert_eq!(amount(Currency::HUF, 150_000), "1500.00");
        assert_eq!(amount(Currency::TWD, 9_900), "99.00");
    }

    #[test]
    fn zero_decimal_currencies_are_whole_units() {
        assert_eq!(amount(Currency::JPY, 500), "500");
        assert_eq!(amount(Currency::KRW, 12_000), "12000");
        // MGA has two ISO decimals but Stripe counts whole ariary.
        assert_eq!(amount(Currency::MGA, 5_000), "5000.00");
    }

    #[test]
    fn three_decimal_currencies_divide_by_1000() {
        assert_eq!(amount(Currency::KWD, 12_345), "12.345");
        assert_eq!(amount(Currency::BHD, 1_500), "1.500");
        assert_eq!(amount(Currency::TND, 7), "0.007");
    }

    #[test]
    fn isk_and_ugx_are_hundredths_that_end_in_00() {
        assert_eq!(amount(Currency::ISK, 500), "5");
        assert_eq!(amount(Currency::UGX, 123_400), "1234");
        let err = stripe_money(Currency::ISK, 550).expect_err("5.50 ISK cannot exist");
        assert!(matches!(
            err,
            DomainError::TooManyDecimals { allowed: 0, .. }
        ));
    }

    #[test]
    fn every_currency_has_an_exponent_that_reads_its_own_minor_unit() {
        // A Stripe amount of 10^exp is one unit of the currency.
        for &currency in Currency::all() {
            let exp = stripe_exponent(currency);
            let one = 10_i64.pow(exp);
            let money = stripe_money(currency, one).expect("one unit fits");
            assert_eq!(money.amount(), Decimal::ONE, "{currency}");
        }
    }
}
