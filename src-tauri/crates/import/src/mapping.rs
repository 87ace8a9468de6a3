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

/// What a column's values look like, whatever its header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueShape {
    /// No values in the sample.
    Empty,
    /// Email addresses.
    Email,
    /// ISO 4217 codes.
    CurrencyCode,
    /// Country codes or names.
    Country,
    /// Dates (any format [`crate::values::infer_date_column`] knows).
    Date,
    /// Amounts with decimals or thousands separators.
    Amount,
    /// Whole numbers only: amounts, ids or postal codes.
    WholeNumber,
    /// Phone numbers (a `+` or `00` prefix, or 8+ digits in groups).
    Phone,
    /// Short codes of digits and letters: postal codes, ids.
    Code,
    /// Anything else.
    Text,
}

/// The share of non-blank cells that pass `test`, and how many there are.
fn share(cells: &[&str], test: impl Fn(&str) -> bool) -> f32 {
    let filled: Vec<&str> = cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if filled.is_empty() {
        return 0.0;
    }
    filled.iter().filter(|c| test(c)).count() as f32 / filled.len() as f32
}

fn is_phone(cell: &str) -> bool {
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    let allowed = cell
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()./".contains(c));
    let international = cell.starts_with('+') || cell.starts_with("00");
    let grouped = cell.contains([' ', '-']) && digits >= 8;
    allowed && (7..=15).contains(&digits) && (international || grouped)
}

fn is_code(cell: &str) -> bool {
    cell.chars().count() <= 10
        && cell.chars().any(|c| c.is_ascii_digit())
        && cell
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
}

/// Classifies a column's sampled values. A shape needs 80 % of the
/// non-blank cells (real exports have a stray "n/a").
pub fn value_shape(cells: &[&str]) -> ValueShape {
    use crate::values::{infer_amount_column, infer_date_column, parse_amount, NumberLocale};
    use casebridge_domain::{CountryCode, Currency, Email};

    const ENOUGH: f32 = 0.8;
    if cells.iter().all(|c| c.trim().is_empty()) {
        return ValueShape::Empty;
    }
    if share(cells, |c| Email::parse(c).is_ok()) >= ENOUGH {
        return ValueShape::Email;
    }
    if share(cells, |c| c.len() == 3 && Currency::parse(c).is_ok()) >= ENOUGH {
        return ValueShape::CurrencyCode;
    }
    if share(cells, |c| CountryCode::parse(c).is_ok()) >= ENOUGH {
        return ValueShape::Country;
    }
    if infer_date_column(cells.iter().copied(), false).is_some() {
        return ValueShape::Date;
    }
    if share(cells, is_phone) >= ENOUGH {
        return ValueShape::Phone;
    }
    if let Some(column) = infer_amount_column(cells.iter().copied(), NumberLocale::DecimalPoint) {
        let whole = share(cells, |c| {
            c.chars().all(|ch| ch.is_ascii_digit())
                && parse_amount(c, column.locale).is_ok_and(|a| a.is_some())
        });
        return if whole >= 1.0 {
            ValueShape::WholeNumber
        } else {
            ValueShape::Amount
        };
    }
    if share(cells, is_code) >= ENOUGH {
        return ValueShape::Code;
    }
    ValueShape::Text
}

impl CaseFieldTarget {
    /// Whether values of `shape` can fill this field. A header that names
    /// the field over values that cannot fill it is probably mislabelled.
    fn accepts(self, shape: ValueShape) -> bool {
        use CaseFieldTarget as T;
        use ValueShape as S;
        match shape {
            S::Empty => true,
            S::Email => matches!(self, T::Email),
            S::CurrencyCode => matches!(self, T::Currency),
            S::Country => matches!(self, T::Country | T::State | T::City),
            S::Date => matches!(self, T::IssueDate | T::DueDate),
            S::Amount => matches!(self, T::TotalAmount | T::OutstandingAmount),
            S::WholeNumber => matches!(
                self,
                T::TotalAmount
                    | T::OutstandingAmount
                    | T::InvoiceNumber
                    | T::CustomerId
                    | T::PostalCode
                    | T::CompanyRegistrationNumber
                    | T::IssueDate
                    | T::DueDate
            ),
            // Digit strings with a "00" prefix or in groups are phone-like,
            // but so are many invoice numbers and customer ids: the header
            // decides between them.
            S::Phone => matches!(
                self,
                T::Phone | T::CompanyRegistrationNumber | T::InvoiceNumber | T::CustomerId
            ),
            S::Code => matches!(
                self,
                T::InvoiceNumber
                    | T::CustomerId
                    | T::PostalCode
                    | T::CompanyRegistrationNumber
                    | T::Street2
                    | T::State
            ),
            S::Text => !matches!(
                self,
                T::IssueDate
                    | T::DueDate
                    | T::TotalAmount
                    | T::OutstandingAmount
                    | T::Currency
                    | T::Email
                    | T::Phone
            ),
        }
    }

    /// The field values of `shape` suggest when the header says nothing,
    /// with a base confidence. Deliberately low: values alone cannot tell
    /// a total from a balance or an invoice date from a due date.
    fn from_shape(shape: ValueShape) -> &'static [(CaseFieldTarget, f32)] {
        use CaseFieldTarget as T;
        match shape {
            ValueShape::Email => &[(T::Email, 0.7)],
            ValueShape::CurrencyCode => &[(T::Currency, 0.7)],
            ValueShape::Country => &[(T::Country, 0.55)],
            ValueShape::Phone => &[(T::Phone, 0.55)],
            ValueShape::Date => &[(T::IssueDate, 0.35), (T::DueDate, 0.3)],
            ValueShape::Amount => &[(T::TotalAmount, 0.3), (T::OutstandingAmount, 0.25)],
            ValueShape::Empty | ValueShape::WholeNumber | ValueShape::Code | ValueShape::Text => {
                &[]
            }
        }
    }
}

/// One candidate field for a column.
#[derive(Debug, Clone)]
struct Candidate {
    target: CaseFieldTarget,
    confidence: f32,
    reason: Reason,
}

/// What a header says, by alias: exact, contained, compound suffix, fuzzy.
fn header_candidates(header: &str) -> Vec<Candidate> {
    let normalized = normalize(header);
    if normalized.is_empty() {
        return Vec::new();
    }
    if let Some(alias) = aliases::exact(&normalized) {
        return vec![Candidate {
            target: alias.target,
            confidence: 0.95,
            reason: Reason::HeaderAlias {
                alias: alias.normalized.clone(),
            },
        }];
    }
    let padded = format!(" {normalized} ");
    let compact = normalized.replace(' ', "");
    let mut found: Vec<Candidate> = Vec::new();
    // Longest contained alias wins ("customer email" ⊃ "customer" and
    // "email": both one word, so the later one, English's head noun).
    let mut contained: Option<(&aliases::Alias, usize, usize)> = None;
    for alias in aliases::TABLE.iter() {
        if let Some(at) = padded.find(&format!(" {} ", alias.normalized)) {
            let key = (alias.normalized.len(), at);
            if contained.is_none_or(|(_, len, pos)| key > (len, pos)) {
                contained = Some((alias, key.0, key.1));
            }
        } else if alias.compact.len() >= 4
            && compact.len() > alias.compact.len()
            && compact.ends_with(&alias.compact)
        {
            // German and Nordic compounds: "Debitorpostnummer".
            found.push(Candidate {
                target: alias.target,
                confidence: 0.7 + 0.1 * (alias.compact.len() as f32 / compact.len() as f32),
                reason: Reason::HeaderContains {
                    alias: alias.normalized.clone(),
                },
            });
        }
    }
    if let Some((alias, _, _)) = contained {
        found.push(Candidate {
            target: alias.target,
            confidence: 0.8,
            reason: Reason::HeaderContains {
                alias: alias.normalized.clone(),
            },
        });
    }
    if compact.len() >= 4 {
        let fuzzy = aliases::TABLE
            .iter()
            .filter(|alias| alias.compact.len() >= 4)
            .map(|alias| {
                (
                    alias,
                    strsim::normalized_damerau_levenshtein(&compact, &alias.compact) as f32,
                )
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((alias, similarity)) = fuzzy.filter(|(_, s)| *s >= 0.8) {
            found.push(Candidate {
                target: alias.target,
                confidence: 0.85 * similarity,
                reason: Reason::HeaderSimilar {
                    alias: alias.normalized.clone(),
                    similarity,
                },
            });
        }
    }
    found
}

/// A suggested field for one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSuggestion {
    /// 0-based column index.
    pub column: usize,
    /// The header as the file has it (empty without a header row).
    pub header: String,
    /// The suggested field; `None` when nothing fits or a better column
    /// took it.
    pub field: Option<CaseFieldTarget>,
    /// 0–1. The UI pre-selects at ≥ 0.5 and asks below.
    pub confidence: f32,
    /// Why.
    pub reason: Reason,
    /// What the values look like.
    pub shape: ValueShape,
}

/// Suggests a field for every column from its header (may be empty) and a
/// sample of rows. Each field goes to at most one column: the most
/// confident claim wins, and a column that loses falls back to its next
/// best field.
pub fn suggest(headers: &[String], sample_rows: &[Vec<String>]) -> Vec<ColumnSuggestion> {
    let width = headers
        .len()
        .max(sample_rows.iter().map(Vec::len).max().unwrap_or(0));
    let mut shapes = Vec::with_capacity(width);
    let mut claims: Vec<(usize, Candidate)> = Vec::new();
    for column in 0..width {
        let cells: Vec<&str> = sample_rows
            .iter()
            .map(|row| row.get(column).map_or("", String::as_str))
            .collect();
        let shape = value_shape(&cells);
        shapes.push(shape);
        let header = headers.get(column).map_or("", String::as_str);
        for mut candidate in header_candidates(header) {
            if candidate.target.accepts(shape) {
                candidate.confidence = (candidate.confidence + 0.04).min(0.99);
            } else if shape == ValueShape::Text {
                // Free text under a typed header is mostly a few bad
                // cells (a typo, an unknown code): their rows will fail.
                candidate.confidence *= 0.75;
            } else {
                // Values of another definite kind: probably mislabelled.
                candidate.confidence *= 0.4;
            }
            claims.push((column, candidate));
        }
        for &(target, confidence) in CaseFieldTarget::from_shape(shape) {
            claims.push((
                column,
                Candidate {
                    target,
                    // Earlier date columns are more often the invoice date.
                    confidence: confidence - 0.001 * column as f32,
                    reason: Reason::ValueShape,
                },
            ));
        }
    }
    claims.sort_by(|a, b| b.1.confidence.total_cmp(&a.1.confidence));

    let mut chosen: Vec<Option<Candidate>> = vec![None; width];
    let mut taken: Vec<CaseFieldTarget> = Vec::new();
    for (column, candidate) in claims {
        if chosen[column].is_none() && !taken.contains(&candidate.target) {
            taken.push(candidate.target);
            chosen[column] = Some(candidate);
        }
    }
    chosen
        .into_iter()
        .zip(shapes)
        .enumerate()
        .map(|(column, (candidate, shape))| {
            let header = headers.get(column).cloned().unwrap_or_default();
            match candidate {
                Some(c) => ColumnSuggestion {
                    column,
                    header,
                    field: Some(c.target),
                    confidence: c.confidence,
                    reason: c.reason,
                    shape,
                },
                None => ColumnSuggestion {
                    column,
                    header,
                    field: None,
                    confidence: 0.0,
                    reason: Reason::Unknown,
                    shape,
                },
            }
        })
        .collect()
}

/// The key a confirmed mapping is saved under: the same columns in the
/// same order, whatever their case, accents or spacing, give the same
/// fingerprint ("Beløb" = "BELØB " = "belob").
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct HeaderFingerprint(String);

impl HeaderFingerprint {
    /// The stored form: `hf1:` and a SHA-256 in hex.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Computes the fingerprint of a header row.
pub fn header_fingerprint(headers: &[String]) -> HeaderFingerprint {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (index, header) in headers.iter().enumerate() {
        if index > 0 {
            // A separator no normalised header contains, so ["ab", "c"]
            // and ["a", "bc"] differ.
            hasher.update([0x1F]);
        }
        hasher.update(normalize(header).as_bytes());
    }
    HeaderFingerprint(format!("hf1:{}", hex::encode(hasher.finalize())))
}

#[cfg(test)]
mod tests;
