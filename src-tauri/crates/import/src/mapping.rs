//! Which column is which case field: suggestions with a confidence, and the
//! header fingerprint a confirmed mapping is saved under.

mod aliases;

use casebridge_domain::CaseField;
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

pub use aliases::CaseFieldTarget;

/// Lower-case, diacritics folded (`ø`→`o`, `ß`→`ss`, `é`→`e`), every run of
/// non-alphanumerics one space: "N° de facture" → "n de facture",
/// "Fälligkeits-Datum" → "falligkeits datum".
pub(crate) fn normalize(header: &str) -> String {
    let mut folded = String::with_capacity(header.len());
    for c in header.nfkd() {
        match c {
            'ø' | 'Ø' => folded.push('o'),
            'æ' | 'Æ' => folded.push_str("ae"),
            'ß' => folded.push_str("ss"),
            'ł' | 'Ł' => folded.push('l'),
            '\u{0300}'..='\u{036F}' => {}
            _ => folded.extend(c.to_lowercase()),
        }
    }
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How many cells of a record are known column names (any language): the
/// sniffer's evidence that a text-only record is a header.
pub(crate) fn alias_hits(record: &[String]) -> usize {
    record
        .iter()
        .filter(|cell| aliases::exact(&normalize(cell)).is_some())
        .count()
}

impl CaseFieldTarget {
    /// The agency case field this target fills, for showing readiness
    /// failures against the column. `None` for what only helps build the
    /// invoice (customer id, invoice total, second address line, company
    /// registration number and contact person have no readiness rule).
    pub fn case_field(self) -> Option<CaseField> {
        use CaseFieldTarget as T;
        Some(match self {
            T::InvoiceNumber => CaseField::CreditorReference,
            T::IssueDate => CaseField::Date,
            T::DueDate => CaseField::DueDate,
            T::OutstandingAmount => CaseField::AmountToRecover,
            T::Currency => CaseField::CurrencyCode,
            T::Description => CaseField::ClaimDescription,
            T::DebtorType => CaseField::DebtorType,
            T::DebtorName => CaseField::DebtorName,
            T::Street => CaseField::DebtorAddress,
            T::PostalCode => CaseField::DebtorZipCode,
            T::City => CaseField::DebtorCity,
            T::Country => CaseField::DebtorCountry,
            T::State => CaseField::DebtorState,
            T::Email => CaseField::DebtorEmail,
            T::Phone => CaseField::DebtorPhone,
            T::TotalAmount
            | T::CustomerId
            | T::Street2
            | T::CompanyRegistrationNumber
            | T::ContactPerson => return None,
        })
    }
}

/// Why a column got its suggestion, for the UI's tooltip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reason {
    /// The header is a known name of the field.
    HeaderAlias {
        /// The alias it matched.
        alias: String,
    },
    /// The header contains a known name ("Customer e-mail" ⊃ "e-mail").
    HeaderContains {
        /// The alias it contains.
        alias: String,
    },
    /// The header is close to a known name (a typo, a variant spelling).
    HeaderSimilar {
        /// The alias it resembles.
        alias: String,
        /// 0–1 similarity.
        similarity: f32,
    },
    /// Nothing in the header; the values look like the field.
    ValueShape,
    /// No suggestion.
    Unknown,
}
