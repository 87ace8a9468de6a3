//! The cross-source duplicate key.
//!
//! The same invoice can reach Casebridge twice: from Stripe and from
//! QuickBooks (a synced ledger), or from a provider and a spreadsheet
//! export. Source ids differ, so the fingerprint keys on what the invoice
//! *says*: who owes (normalised name), how much (total) in what currency,
//! and which invoice (normalised number, else the issue date).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};

use crate::debtor::is_legal_form_word;
use crate::error::DomainError;
use crate::money::Money;
use crate::text::fold;

/// Bumped whenever normalisation changes, so old and new fingerprints can
/// never be mistaken for each other.
const VERSION: &str = "casebridge-fingerprint-v1";

/// A stable duplicate key: 64 lower-case hex digits (SHA-256 of the
/// normalised fields). Equal fingerprints mean "very likely the same
/// invoice"; the same input always gives the same fingerprint, across runs,
/// platforms and versions of this crate (a change of normalisation also
/// changes the version tag hashed in, so old and new never collide).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Fingerprint(String);

impl Fingerprint {
    /// Computes a fingerprint.
    ///
    /// Normalisation, so formatting differences between sources vanish:
    /// - name: case, accents, punctuation and spacing ignored, legal forms
    ///   at either end dropped ("ACME Widgets, LLC" = "Acme Widgets");
    /// - amount: numeric value, so `1200`, `1200.0` and `1200.00` agree;
    /// - invoice number: case and separators ignored and leading zeros of
    ///   digit runs dropped ("INV-0042" = "inv 42"); when blank, the issue
    ///   date stands in.
    pub fn compute(
        debtor_name: Option<&str>,
        total: Money,
        invoice_number: Option<&str>,
        issue_date: NaiveDate,
    ) -> Fingerprint {
        let name = debtor_name.map(normalize_name).unwrap_or_default();
        let which = invoice_number
            .map(normalize_invoice_number)
            .filter(|n| !n.is_empty())
            .map_or_else(|| format!("date:{issue_date}"), |n| format!("number:{n}"));
        let input = format!(
            "{VERSION}\n{name}\n{}\n{}\n{which}",
            total.amount().normalize(),
            total.currency()
        );
        Fingerprint(hex::encode(Sha256::digest(input.as_bytes())))
    }

    /// Reads a stored fingerprint back.
    ///
    /// # Errors
    /// [`DomainError::ParseFingerprint`] unless the text is 64 lower-case
    /// hex digits.
    pub fn parse(input: &str) -> Result<Fingerprint, DomainError> {
        if input.len() == 64 && input.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')) {
            Ok(Fingerprint(input.to_owned()))
        } else {
            Err(DomainError::ParseFingerprint {
                input: input.to_owned(),
            })
        }
    }

    /// The hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn normalize_name(name: &str) -> String {
    let folded = fold(name).replace('.', "");
    let mut words: Vec<&str> = folded.split_whitespace().collect();
    let is_noise = |w: &str| is_legal_form_word(w) || !w.chars().any(char::is_alphanumeric);
    while words.last().is_some_and(|w| is_noise(w.trim_matches(','))) {
        words.pop();
    }
    while words.first().is_some_and(|w| is_noise(w.trim_matches(','))) {
        words.remove(0);
    }
    words
        .concat()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn normalize_invoice_number(number: &str) -> String {
    // Zero padding differs between systems ("0042" vs "42"), so leading
    // zeros of each digit run go; an all-zero run still counts as "0".
    let mut out = String::with_capacity(number.len());
    let mut zeros_pending = false;
    let mut in_significant_digits = false;
    for c in fold(number).chars() {
        if c.is_ascii_digit() {
            if c == '0' && !in_significant_digits {
                zeros_pending = true;
                continue;
            }
            in_significant_digits = true;
            zeros_pending = false;
            out.push(c);
            continue;
        }
        if zeros_pending {
            out.push('0');
        }
        zeros_pending = false;
        in_significant_digits = false;
        if c.is_alphanumeric() {
            out.push(c);
        }
    }
    if zeros_pending {
        out.push('0');
    }
    out
}

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Fingerprint {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fingerprint::parse(s)
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Fingerprint {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Fingerprint::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;
    use crate::currency::Currency;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn dkk(amount: rust_decimal::Decimal) -> Money {
        Money::new(amount, Currency::DKK).unwrap()
    }

    #[test]
    fn is_64_lowercase_hex_and_parses_back() {
        let fp = Fingerprint::compute(Some("Acme"), dkk(dec!(10)), Some("1"), date(2024, 1, 1));
        assert_eq!(fp.as_str().len(), 64);
        assert_eq!(Fingerprint::parse(fp.as_str()), Ok(fp.clone()));
        let json = serde_json::to_string(&fp).unwrap();
        assert_eq!(serde_json::from_str::<Fingerprint>(&json).unwrap(), fp);
    }

    #[test]
    fn is_pinned_so_stored_fingerprints_stay_valid() {
        // If this changes, every stored fingerprint silently stops matching:
        // bump VERSION and migrate instead.
        let fp = Fingerprint::compute(
            Some("Nordisk Tømrer ApS"),
            dkk(dec!(1200)),
            Some("INV-0042"),
            date(2024, 3, 1),
        );
        let expected_input = "casebridge-fingerprint-v1\nnordisktomrer\n1200\nDKK\nnumber:inv42";
        assert_eq!(
            fp.as_str(),
            hex::encode(Sha256::digest(expected_input.as_bytes()))
        );
    }

    #[test]
    fn formatting_differences_between_sources_do_not_matter() {
        let stripe = Fingerprint::compute(
            Some("Nordisk Tømrer ApS"),
            dkk(dec!(1200.00)),
            Some("INV-0042"),
            date(2024, 3, 1),
        );
        let quickbooks = Fingerprint::compute(
            Some("  NORDISK TOMRER  "),
            dkk(dec!(1200)),
            Some("inv 42"),
            date(2024, 3, 2),
        );
        assert_eq!(stripe, quickbooks);
    }

    #[test]
    fn a_different_amount_currency_number_or_debtor_changes_it() {
        let base = Fingerprint::compute(
            Some("Acme Ltd"),
            dkk(dec!(100)),
            Some("7"),
            date(2024, 1, 1),
        );
        let other_amount = Fingerprint::compute(
            Some("Acme Ltd"),
            dkk(dec!(100.01)),
            Some("7"),
            date(2024, 1, 1),
        );
        let other_currency = Fingerprint::compute(
            Some("Acme Ltd"),
            Money::new(dec!(100), Currency::EUR).unwrap(),
            Some("7"),
            date(2024, 1, 1),
        );
        let other_number = Fingerprint::compute(
            Some("Acme Ltd"),
            dkk(dec!(100)),
            Some("70"),
            date(2024, 1, 1),
        );
        let other_debtor = Fingerprint::compute(
            Some("Acme Two Ltd"),
            dkk(dec!(100)),
            Some("7"),
            date(2024, 1, 1),
        );
        for other in [other_amount, other_currency, other_number, other_debtor] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn without_an_invoice_number_the_issue_date_decides() {
        let a = Fingerprint::compute(Some("Acme"), dkk(dec!(5)), None, date(2024, 1, 1));
        let blank = Fingerprint::compute(Some("Acme"), dkk(dec!(5)), Some(" - "), date(2024, 1, 1));
        let b = Fingerprint::compute(Some("Acme"), dkk(dec!(5)), None, date(2024, 1, 2));
        assert_eq!(a, blank);
        assert_ne!(a, b);
    }

    #[test]
    fn name_normalisation_drops_legal_forms_only_at_the_edges() {
        assert_eq!(normalize_name("Müller GmbH & Co. KG"), "muller");
        assert_eq!(normalize_name("AB Volvo"), "volvo");
        assert_eq!(normalize_name("Acme Widgets, LLC"), "acmewidgets");
        assert_eq!(normalize_name("Bank of America Corp."), "bankofamerica");
    }

    #[test]
    fn invoice_number_normalisation_keeps_inner_zeros() {
        assert_eq!(normalize_invoice_number("INV-0042"), "inv42");
        assert_eq!(normalize_invoice_number("2024/0105"), "2024105");
        assert_eq!(normalize_invoice_number("A-100"), "a100");
        assert_eq!(normalize_invoice_number("000"), "0");
        assert_eq!(normalize_invoice_number("-"), "");
    }

    #[test]
    fn parse_refuses_other_text() {
        for bad in ["", "abc", &"A".repeat(64), &"g".repeat(64), &"a".repeat(63)] {
            assert_eq!(
                Fingerprint::parse(bad),
                Err(DomainError::ParseFingerprint {
                    input: bad.to_owned()
                })
            );
        }
    }
}
