//! The normalised invoice: what every source maps to before review.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::currency::Currency;
use crate::debtor::DebtorData;
use crate::error::DomainError;
use crate::fingerprint::Fingerprint;
use crate::money::Money;
use crate::source::SourceRef;

/// An invoice's total and what is still owed, always in one currency.
///
/// The outstanding balance (Stripe `amount_remaining`, QuickBooks `Balance`,
/// Zoho `balance`) is what becomes the claim; the total is kept for the
/// duplicate fingerprint and for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "AmountsRepr")]
pub struct InvoiceAmounts {
    total: Money,
    outstanding: Money,
}

#[derive(Deserialize)]
struct AmountsRepr {
    total: Money,
    outstanding: Money,
}

impl TryFrom<AmountsRepr> for InvoiceAmounts {
    type Error = DomainError;

    fn try_from(repr: AmountsRepr) -> Result<Self, Self::Error> {
        InvoiceAmounts::new(repr.total, repr.outstanding)
    }
}

impl InvoiceAmounts {
    /// Pairs a total with its outstanding balance.
    ///
    /// The balance may exceed the total (fees added at the source) and may
    /// be zero or negative; the readiness rules judge that.
    ///
    /// # Errors
    /// [`DomainError::CurrencyMismatch`] when the two currencies differ.
    pub fn new(total: Money, outstanding: Money) -> Result<InvoiceAmounts, DomainError> {
        if total.currency() != outstanding.currency() {
            return Err(DomainError::CurrencyMismatch {
                total: total.currency(),
                outstanding: outstanding.currency(),
            });
        }
        Ok(InvoiceAmounts { total, outstanding })
    }

    /// Both amounts the same (nothing paid yet).
    pub fn unpaid(total: Money) -> InvoiceAmounts {
        InvoiceAmounts {
            total,
            outstanding: total,
        }
    }

    /// The invoice total.
    pub fn total(&self) -> Money {
        self.total
    }

    /// What is still owed.
    pub fn outstanding(&self) -> Money {
        self.outstanding
    }

    /// The shared currency.
    pub fn currency(&self) -> Currency {
        self.total.currency()
    }
}

/// An unpaid invoice as fetched or imported, normalised but possibly
/// incomplete. Fields hold what the source said; nothing here is
/// guaranteed submittable until [`crate::CaseDraft::from_invoice`] says so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    /// Where it came from (provider, account, provider's invoice id).
    pub source: SourceRef,
    /// The source's stable id of the customer (Stripe `cus_…`, QuickBooks
    /// `CustomerRef`, Zoho `customer_id`, a file's customer column). Debtor
    /// overrides are keyed on it together with the source's provider and
    /// account.
    pub debtor_key: String,
    /// The invoice number, which becomes the agency's `creditorReference`.
    pub creditor_reference: Option<String>,
    /// The invoice date.
    pub issue_date: NaiveDate,
    /// The due date, when the source has one (Stripe has none for
    /// automatically charged invoices).
    pub due_date: Option<NaiveDate>,
    /// Total and outstanding balance.
    pub amounts: InvoiceAmounts,
    /// What the invoice is for (line items joined), untrimmed.
    pub description: Option<String>,
    /// The debtor as the source gave it.
    pub debtor: DebtorData,
    /// Whether a document (the invoice PDF, a matched file) is available to
    /// upload with the case; the agency's evidence rules depend on it.
    #[serde(default)]
    pub has_document: bool,
}

impl Invoice {
    /// The invoice total.
    pub fn total(&self) -> Money {
        self.amounts.total()
    }

    /// What is still owed: the amount a case claims.
    pub fn outstanding(&self) -> Money {
        self.amounts.outstanding()
    }

    /// The cross-source duplicate key, from the source's debtor name (not
    /// the user's override, so it stays stable while the user edits), the
    /// total, and the invoice number or else the issue date.
    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint::compute(
            self.debtor.name.as_deref(),
            self.total(),
            self.creditor_reference.as_deref(),
            self.issue_date,
        )
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;
    use crate::source::Provider;

    #[test]
    fn amounts_refuse_mixed_currencies() {
        let dkk = Money::new(dec!(10), Currency::DKK).unwrap();
        let eur = Money::new(dec!(10), Currency::EUR).unwrap();
        assert_eq!(
            InvoiceAmounts::new(dkk, eur),
            Err(DomainError::CurrencyMismatch {
                total: Currency::DKK,
                outstanding: Currency::EUR
            })
        );
        assert!(InvoiceAmounts::new(dkk, Money::zero(Currency::DKK)).is_ok());
    }

    #[test]
    fn amounts_serde_round_trips_and_revalidates() {
        let amounts = InvoiceAmounts::new(
            Money::new(dec!(100), Currency::DKK).unwrap(),
            Money::new(dec!(40.5), Currency::DKK).unwrap(),
        )
        .unwrap();
        let json = serde_json::to_value(amounts).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "total": {"amount": "100.00", "currency": "DKK"},
                "outstanding": {"amount": "40.50", "currency": "DKK"}
            })
        );
        assert_eq!(
            serde_json::from_value::<InvoiceAmounts>(json).unwrap(),
            amounts
        );
        let mixed = serde_json::json!({
            "total": {"amount": "1", "currency": "DKK"},
            "outstanding": {"amount": "1", "currency": "SEK"}
        });
        assert!(serde_json::from_value::<InvoiceAmounts>(mixed).is_err());
    }

    fn invoice(provider: Provider, name: &str, number: &str) -> Invoice {
        Invoice {
            source: SourceRef::new(provider, "acct", "in_1").unwrap(),
            debtor_key: "cus_1".into(),
            creditor_reference: Some(number.into()),
            issue_date: NaiveDate::from_ymd_opt(2024, 1, 10).unwrap(),
            due_date: NaiveDate::from_ymd_opt(2024, 2, 10),
            amounts: InvoiceAmounts::unpaid(Money::new(dec!(1500), Currency::EUR).unwrap()),
            description: None,
            debtor: DebtorData {
                name: Some(name.into()),
                ..DebtorData::default()
            },
            has_document: false,
        }
    }

    #[test]
    fn the_same_invoice_from_two_providers_has_one_fingerprint() {
        let stripe = invoice(Provider::Stripe, "Acme Widgets, LLC", "INV-0042");
        let mut quickbooks = invoice(Provider::QuickBooks, "ACME WIDGETS", "inv 0042");
        // Partly paid in the ledger: the fingerprint keys on the total.
        quickbooks.amounts = InvoiceAmounts::new(
            Money::new(dec!(1500.00), Currency::EUR).unwrap(),
            Money::new(dec!(500), Currency::EUR).unwrap(),
        )
        .unwrap();
        assert_ne!(stripe.source, quickbooks.source);
        assert_eq!(stripe.fingerprint(), quickbooks.fingerprint());
    }

    #[test]
    fn a_different_invoice_number_gives_a_different_fingerprint() {
        let a = invoice(Provider::Stripe, "Acme", "INV-0042");
        let b = invoice(Provider::QuickBooks, "Acme", "42");
        assert_ne!(
            a.fingerprint(),
            b.fingerprint(),
            "the INV prefix is part of the number"
        );
    }

    #[test]
    fn a_different_total_gives_a_different_fingerprint() {
        let a = invoice(Provider::Stripe, "Acme", "1");
        let mut b = a.clone();
        b.amounts = InvoiceAmounts::unpaid(Money::new(dec!(1500.01), Currency::EUR).unwrap());
        assert_ne!(a.fingerprint(), b.fingerprint());
    }

    #[test]
    fn invoice_serde_round_trips() {
        let inv = invoice(Provider::Zoho, "Acme", "1");
        let json = serde_json::to_string(&inv).unwrap();
        assert_eq!(serde_json::from_str::<Invoice>(&json).unwrap(), inv);
    }
}
