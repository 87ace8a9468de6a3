//! What gets submitted: a complete, checked case draft.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::debtor::{Debtor, DebtorOverride};
use crate::error::DomainError;
use crate::fingerprint::Fingerprint;
use crate::invoice::Invoice;
use crate::money::Money;
use crate::readiness::{evaluate, ReadinessPolicy, ReadinessReport, RuleFailure};
use crate::source::SourceRef;
use crate::text::{non_blank, truncate_utf16, utf16_len};

/// The agency's `creditorReference`: the invoice number, non-blank, at most
/// [`CreditorReference::MAX_LEN`] UTF-16 units (the agency counts like
/// .NET). Unique per creditor at the agency, so it is never shortened.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditorReference(String);

impl CreditorReference {
    /// The agency's limit.
    pub const MAX_LEN: usize = 50;

    /// Reads a reference; trims.
    ///
    /// # Errors
    /// [`DomainError::EmptyCreditorReference`] when blank;
    /// [`DomainError::CreditorReferenceTooLong`] beyond 50 units.
    pub fn parse(input: &str) -> Result<CreditorReference, DomainError> {
        let trimmed = non_blank(Some(input)).ok_or(DomainError::EmptyCreditorReference)?;
        let length = utf16_len(trimmed);
        if length > Self::MAX_LEN {
            return Err(DomainError::CreditorReferenceTooLong {
                length,
                max: Self::MAX_LEN,
            });
        }
        Ok(CreditorReference(trimmed.to_owned()))
    }

    /// The reference text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for CreditorReference {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CreditorReference {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        CreditorReference::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The agency's `claimDescription`: non-blank, trimmed, at most
/// [`ClaimDescription::MAX_LEN`] UTF-16 units. Longer text is cut (ending
/// in "…") rather than refused: joined line items often run long, and the
/// first 4,000 characters say what the debt is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ClaimDescription(String);

impl ClaimDescription {
    /// The agency's limit.
    pub const MAX_LEN: usize = 4000;

    /// Wraps `text`, cutting it to the limit; `None` when it is blank.
    pub fn new(text: &str) -> Option<ClaimDescription> {
        let trimmed = non_blank(Some(text))?;
        if utf16_len(trimmed) <= Self::MAX_LEN {
            return Some(ClaimDescription(trimmed.to_owned()));
        }
        // '…' is one UTF-16 unit, so cut one short of the limit for it.
        let mut cut = truncate_utf16(trimmed, Self::MAX_LEN - 1)
            .trim_end()
            .to_owned();
        cut.push('…');
        Some(ClaimDescription(cut))
    }

    /// The description text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How many days past due a debt is on `today`: positive once overdue, 0 on
/// the due date, negative before it.
pub fn debt_age_days(due_date: NaiveDate, today: NaiveDate) -> i64 {
    (today - due_date).num_days()
}

/// The agency's age-bucket fields (`amountToRecoverOver6Months`,
/// `…Over12Months`, `…Over24Months`): the part of the claim more than 6, 12
/// and 24 months overdue. For one invoice each bucket is either the whole
/// amount or zero, so `over_24 ≤ over_12 ≤ over_6 ≤ amount` always holds,
/// as the agency requires, and all three are always set together.
///
/// "More than N months" is counted in days, strictly greater than
/// [`AgeBuckets::OVER_6_MONTHS_DAYS`] (180, the agency's own definition),
/// [`AgeBuckets::OVER_12_MONTHS_DAYS`] (365) and
/// [`AgeBuckets::OVER_24_MONTHS_DAYS`] (730).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AgeBuckets {
    over_6_months: Money,
    over_12_months: Money,
    over_24_months: Money,
}

impl AgeBuckets {
    /// Days past due after which a debt is "over 6 months".
    pub const OVER_6_MONTHS_DAYS: i64 = 180;
    /// Days past due after which a debt is "over 12 months".
    pub const OVER_12_MONTHS_DAYS: i64 = 365;
    /// Days past due after which a debt is "over 24 months".
    pub const OVER_24_MONTHS_DAYS: i64 = 730;

    /// Buckets for a single debt of `amount` due on `due_date`.
    pub fn for_single_debt(amount: Money, due_date: NaiveDate, today: NaiveDate) -> AgeBuckets {
        let age = debt_age_days(due_date, today);
        let part = |threshold: i64| {
            if age > threshold {
                amount
            } else {
                Money::zero(amount.currency())
            }
        };
        AgeBuckets {
            over_6_months: part(Self::OVER_6_MONTHS_DAYS),
            over_12_months: part(Self::OVER_12_MONTHS_DAYS),
            over_24_months: part(Self::OVER_24_MONTHS_DAYS),
        }
    }

    /// The amount more than 6 months overdue.
    pub fn over_6_months(&self) -> Money {
        self.over_6_months
    }

    /// The amount more than 12 months overdue.
    pub fn over_12_months(&self) -> Money {
        self.over_12_months
    }

    /// The amount more than 24 months overdue.
    pub fn over_24_months(&self) -> Money {
        self.over_24_months
    }
}

/// A case the agency should accept: every required field present and
/// checked. Only [`CaseDraft::from_invoice`] makes one, so holding a
/// `CaseDraft` proves the invoice passed every blocking readiness rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseDraft {
    source: SourceRef,
    fingerprint: Fingerprint,
    creditor_reference: Option<CreditorReference>,
    date: NaiveDate,
    due_date: NaiveDate,
    amount_to_recover: Money,
    age_buckets: AgeBuckets,
    claim_description: Option<ClaimDescription>,
    debtor: Debtor,
    has_document: bool,
    warnings: Vec<RuleFailure>,
}

/// The checked parts of a [`CaseDraft`], handed over by the readiness rules.
pub(crate) struct CaseDraftParts {
    pub creditor_reference: Option<CreditorReference>,
    pub due_date: NaiveDate,
    pub claim_description: Option<ClaimDescription>,
    pub debtor: Debtor,
}

impl CaseDraft {
    /// Runs the readiness rules on `invoice` with the user's `edits` for its
    /// debtor and builds the case.
    ///
    /// # Errors
    /// The full [`ReadinessReport`] (blocking failures and warnings) when
    /// any blocking rule fails.
    pub fn from_invoice(
        invoice: &Invoice,
        edits: Option<&DebtorOverride>,
        today: NaiveDate,
        policy: &ReadinessPolicy,
    ) -> Result<CaseDraft, ReadinessReport> {
        let evaluation = evaluate(invoice, edits, today, policy);
        match evaluation.parts {
            Some(parts) if evaluation.report.is_ready() => {
                let amount = invoice.outstanding();
                Ok(CaseDraft {
                    source: invoice.source.clone(),
                    fingerprint: invoice.fingerprint(),
                    creditor_reference: parts.creditor_reference,
                    date: invoice.issue_date,
                    due_date: parts.due_date,
                    amount_to_recover: amount,
                    age_buckets: AgeBuckets::for_single_debt(amount, parts.due_date, today),
                    claim_description: parts.claim_description,
                    debtor: parts.debtor,
                    has_document: invoice.has_document,
                    warnings: evaluation.report.failures,
                })
            }
            _ => Err(evaluation.report),
        }
    }

    /// Where the invoice came from.
    pub fn source(&self) -> &SourceRef {
        &self.source
    }

    /// The invoice's cross-source duplicate key.
    pub fn fingerprint(&self) -> &Fingerprint {
        &self.fingerprint
    }

    /// The invoice number (`creditorReference`), when the invoice has one.
    pub fn creditor_reference(&self) -> Option<&CreditorReference> {
        self.creditor_reference.as_ref()
    }

    /// The invoice date (`date`); never after the day the draft was made.
    pub fn date(&self) -> NaiveDate {
        self.date
    }

    /// The due date (`dueDate`); on or after `date`, not in the future.
    pub fn due_date(&self) -> NaiveDate {
        self.due_date
    }

    /// The outstanding balance, not the total (`amountToRecover` and
    /// `currencyCode`); always positive.
    pub fn amount_to_recover(&self) -> Money {
        self.amount_to_recover
    }

    /// The age buckets, computed on the day the draft was made.
    pub fn age_buckets(&self) -> &AgeBuckets {
        &self.age_buckets
    }

    /// What the debt is for (`claimDescription`).
    pub fn claim_description(&self) -> Option<&ClaimDescription> {
        self.claim_description.as_ref()
    }

    /// The complete debtor.
    pub fn debtor(&self) -> &Debtor {
        &self.debtor
    }

    /// Whether a document is available to upload after the case exists.
    pub fn has_document(&self) -> bool {
        self.has_document
    }

    /// The non-blocking findings (e.g. no invoice number, below the
    /// agency's minimum) to show on the confirmation screen.
    pub fn warnings(&self) -> &[RuleFailure] {
        &self.warnings
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

    #[test]
    fn creditor_reference_trims_and_enforces_50_utf16_units() {
        assert_eq!(
            CreditorReference::parse(" INV-1 ").unwrap().as_str(),
            "INV-1"
        );
        assert!(CreditorReference::parse(&"x".repeat(50)).is_ok());
        assert_eq!(
            CreditorReference::parse(&"x".repeat(51)),
            Err(DomainError::CreditorReferenceTooLong {
                length: 51,
                max: 50
            })
        );
        // 25 emoji are 50 UTF-16 units (fine); 26 are 52.
        assert!(CreditorReference::parse(&"😀".repeat(25)).is_ok());
        assert_eq!(
            CreditorReference::parse(&"😀".repeat(26)),
            Err(DomainError::CreditorReferenceTooLong {
                length: 52,
                max: 50
            })
        );
        assert_eq!(
            CreditorReference::parse("  "),
            Err(DomainError::EmptyCreditorReference)
        );
    }

    #[test]
    fn creditor_reference_serde_revalidates() {
        let r: CreditorReference = serde_json::from_str("\"INV-9\"").unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), "\"INV-9\"");
        assert!(serde_json::from_str::<CreditorReference>("\"\"").is_err());
    }

    #[test]
    fn claim_description_is_cut_to_4000_units_with_an_ellipsis() {
        assert_eq!(
            ClaimDescription::new("  Consulting, March  ")
                .unwrap()
                .as_str(),
            "Consulting, March"
        );
        assert_eq!(ClaimDescription::new(" "), None);
        let exact = "a".repeat(4000);
        assert_eq!(ClaimDescription::new(&exact).unwrap().as_str(), exact);
        let long = "a".repeat(4001);
        let cut = ClaimDescription::new(&long).unwrap();
        assert_eq!(utf16_len(cut.as_str()), 4000);
        assert!(cut.as_str().ends_with('…'));
        let emoji = "😀".repeat(2500);
        assert!(utf16_len(ClaimDescription::new(&emoji).unwrap().as_str()) <= 4000);
    }

    #[test]
    fn debt_age_counts_days_past_due() {
        assert_eq!(debt_age_days(date(2024, 1, 1), date(2024, 1, 31)), 30);
        assert_eq!(debt_age_days(date(2024, 1, 31), date(2024, 1, 31)), 0);
        assert_eq!(debt_age_days(date(2024, 2, 1), date(2024, 1, 31)), -1);
        assert_eq!(
            debt_age_days(date(2023, 3, 1), date(2024, 3, 1)),
            366,
            "leap year"
        );
    }

    fn buckets_at_age(days: i64) -> AgeBuckets {
        let due = date(2020, 1, 1);
        let today = due + chrono::Duration::days(days);
        AgeBuckets::for_single_debt(Money::new(dec!(1000), Currency::DKK).unwrap(), due, today)
    }

    #[test]
    fn age_buckets_switch_on_strictly_after_180_365_and_730_days() {
        let full = Money::new(dec!(1000), Currency::DKK).unwrap();
        let zero = Money::zero(Currency::DKK);
        let cases = [
            (0, [zero, zero, zero]),
            (180, [zero, zero, zero]),
            (181, [full, zero, zero]),
            (365, [full, zero, zero]),
            (366, [full, full, zero]),
            (730, [full, full, zero]),
            (731, [full, full, full]),
            (-10, [zero, zero, zero]),
        ];
        for (days, [six, twelve, twenty_four]) in cases {
            let b = buckets_at_age(days);
            assert_eq!(b.over_6_months(), six, "{days} days: over 6");
            assert_eq!(b.over_12_months(), twelve, "{days} days: over 12");
            assert_eq!(b.over_24_months(), twenty_four, "{days} days: over 24");
        }
    }

    #[test]
    fn age_buckets_keep_the_agencys_ordering() {
        for days in [0, 100, 181, 400, 800] {
            let b = buckets_at_age(days);
            assert!(b.over_24_months().amount() <= b.over_12_months().amount());
            assert!(b.over_12_months().amount() <= b.over_6_months().amount());
            assert!(b.over_6_months().amount() <= dec!(1000));
        }
    }
}
