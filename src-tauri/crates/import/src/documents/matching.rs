//! Matching documents to invoices by invoice number.
//!
//! Invoice numbers are compared as keys: upper-case letters and digits
//! only (`INV-00123` → `INV00123`), and as a core: a known prefix such as
//! `INV`, `Faktura` or `RE` dropped and leading zeros removed (`123`). A
//! document's path is cut into tokens at every non-alphanumeric character
//! and every letter/digit boundary; runs of up to four adjacent tokens are
//! looked up, so `Faktura_2024-0042.pdf` finds invoice `2024-0042`.
//!
//! Confidence: the file name holding the whole key 0.95, its core 0.85; a
//! folder name 0.75 / 0.65; the PDF's text 0.7 / 0.6, and there only right
//! after a label ("Invoice no.", "Fakturanr", "Rechnung"…) because an
//! invoice's text is full of other numbers. A core of one or two
//! characters could be anything (a page, a day), so its confidence is cut
//! to 60 %.
//!
//! A document whose best two candidates are within 0.1 of each other is a
//! conflict (several invoices); a candidate matched by two or more
//! documents makes each of them a conflict (shared invoice) for the user to
//! confirm, since an invoice and its reminder both belong but a mislabelled
//! scan does not.

use std::collections::HashMap;

use serde::Serialize;

/// Where the number was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchBasis {
    /// The file's own name.
    FileName,
    /// A folder the file sits in.
    FolderName,
    /// The PDF's text, after a label.
    PdfText,
}

/// One candidate for a document.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Hit {
    /// Index into the candidates given to [`Matcher::new`].
    pub candidate: usize,
    /// 0..1.
    pub confidence: f32,
    /// Where it was found.
    pub basis: MatchBasis,
}

/// Why a document needs the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictReason {
    /// Two or more invoices match about equally well.
    SeveralInvoices,
    /// Another document matches the same invoice.
    SharedInvoice,
}

/// The decision for one document.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum MatchOutcome {
    /// One invoice, clearly.
    Matched {
        /// The match.
        hit: Hit,
    },
    /// The user must choose; best first, at most [`MAX_CANDIDATES`].
    Conflict {
        /// Why.
        reason: ConflictReason,
        /// The candidates.
        hits: Vec<Hit>,
    },
    /// No known invoice number found.
    Unmatched,
}

/// Most candidates listed for one conflict.
pub const MAX_CANDIDATES: usize = 10;
/// Two candidates closer than this are a conflict.
const CONFLICT_MARGIN: f32 = 0.1;
/// Most adjacent tokens joined into one probe.
const MAX_WINDOW: usize = 4;
/// Most tokens of PDF text looked at (the first pages hold the number).
const MAX_TEXT_TOKENS: usize = 50_000;
/// How many tokens after a label the number may come ("Invoice number
/// no. 10045").
const LABEL_REACH: usize = 3;

/// Prefixes dropped to find the core, longest first so `INVOICE` wins
/// over `INV`.
const PREFIXES: [&str; 16] = [
    "RECHNUNGSNUMMER",
    "FAKTURANUMMER",
    "FACTUURNUMMER",
    "RECHNUNGSNR",
    "FAKTURANR",
    "RECHNUNG",
    "FAKTURA",
    "FACTURA",
    "FACTUUR",
    "FACTURE",
    "INVOICE",
    "INV",
    "NR",
    "NO",
    "RE",
    "RG",
];

/// Words after which the PDF's text gives the invoice number.
const LABELS: [&str; 15] = [
    "INVOICE",
    "INV",
    "FAKTURA",
    "FAKTURANR",
    "FAKTURANUMMER",
    "RECHNUNG",
    "RECHNUNGSNUMMER",
    "RECHNUNGSNR",
    "FACTURA",
    "FACTUUR",
    "FACTUURNUMMER",
    "FACTURE",
    "NUMMER",
    "NUMBER",
    "NR",
];

/// Upper-case letters and digits of an invoice number.
pub fn normalize(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The key without a known prefix and leading zeros (`INV00123` → `123`);
/// `None` when nothing distinctive is left.
pub fn core(key: &str) -> Option<String> {
    let unprefixed = PREFIXES
        .iter()
        .find_map(|p| {
            key.strip_prefix(p)
                .filter(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .unwrap_or(key);
    let trimmed = unprefixed.trim_start_matches('0');
    if trimmed.is_empty() {
        // All zeros: "0" is still a number, but nothing to match on.
        return None;
    }
    Some(trimmed.to_owned())
}

/// An index of invoice numbers to match documents against.
#[derive(Debug, Default)]
pub struct Matcher {
    exact: HashMap<String, Vec<usize>>,
    cores: HashMap<String, Vec<usize>>,
}

impl Matcher {
    /// Indexes the invoice numbers; candidate `i` is `numbers[i]`. Empty
    /// numbers are never matched.
    pub fn new<'a>(numbers: impl IntoIterator<Item = &'a str>) -> Matcher {
        let mut matcher = Matcher::default();
        for (i, number) in numbers.into_iter().enumerate() {
            let key = normalize(number);
            if key.is_empty() {
                continue;
            }
            if let Some(core) = core(&key) {
                push_unique(matcher.cores.entry(core).or_default(), i);
            }
            push_unique(matcher.exact.entry(key).or_default(), i);
        }
        matcher
    }

    /// Every candidate found for one document, best confidence per
    /// candidate, best first (ties by candidate index, so the order is
    /// stable).
    pub fn hits(&self, path: &str, pdf_text: Option<&str>) -> Vec<Hit> {
        let mut best: HashMap<usize, Hit> = HashMap::new();
        let mut record = |hit: Hit| {
            let slot = best.entry(hit.candidate).or_insert(hit);
            if hit.confidence > slot.confidence {
                *slot = hit;
            }
        };
        let components: Vec<&str> = path.split(['/', '\\']).filter(|c| !c.is_empty()).collect();
        let last = components.len().saturating_sub(1);
        for (i, component) in components.iter().enumerate() {
            let (basis, exact, cored) = if i == last {
                (MatchBasis::FileName, 0.95, 0.85)
            } else {
                (MatchBasis::FolderName, 0.75, 0.65)
            };
            let stem = if i == last {
                strip_extension(component)
            } else {
                component
            };
            let tokens = tokenize(stem);
            for start in 0..tokens.len() {
                for end in start + 1..=(start + MAX_WINDOW).min(tokens.len()) {
                    self.probe(
                        &tokens[start..end].concat(),
                        basis,
                        exact,
                        cored,
                        &mut record,
                    );
                }
            }
        }
        if let Some(text) = pdf_text {
            self.text_hits(text, &mut record);
        }
        let mut hits: Vec<Hit> = best.into_values().collect();
        hits.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then(a.candidate.cmp(&b.candidate))
        });
        hits
    }

    fn text_hits(&self, text: &str, record: &mut impl FnMut(Hit)) {
        let tokens: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '/')
            .filter(|t| !t.is_empty())
            .take(MAX_TEXT_TOKENS)
            .map(str::to_owned)
            .collect();
        let mut since_label = usize::MAX;
        for (i, token) in tokens.iter().enumerate() {
            let key = normalize(token);
            if LABELS.contains(&key.as_str()) {
                since_label = 0;
                continue;
            }
            since_label = since_label.saturating_add(1);
            // Only the first token with a digit after a label ("Invoice
            // no. 10045", "Fakturanr: 00123") is the number; the ones after
            // it are customer numbers, dates and amounts.
            if since_label > LABEL_REACH || !key.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            since_label = usize::MAX;
            self.probe(&key, MatchBasis::PdfText, 0.7, 0.6, record);
            // Letters and digits split by a space ("INV 00123").
            if let Some(next) = tokens.get(i + 1) {
                let joined = format!("{key}{}", normalize(next));
                self.probe(&joined, MatchBasis::PdfText, 0.7, 0.6, record);
            }
        }
    }

    fn probe(
        &self,
        probe: &str,
        basis: MatchBasis,
        exact: f32,
        cored: f32,
        record: &mut impl FnMut(Hit),
    ) {
        if probe.is_empty() {
            return;
        }
        for &candidate in self.exact.get(probe).into_iter().flatten() {
            record(Hit {
                candidate,
                confidence: exact,
                basis,
            });
        }
        if let Some(core) = core(probe) {
            let confidence = if core.chars().count() <= 2 {
                cored * 0.6
            } else {
                cored
            };
            for &candidate in self.cores.get(&core).into_iter().flatten() {
                record(Hit {
                    candidate,
                    confidence,
                    basis,
                });
            }
        }
    }
}

fn push_unique(list: &mut Vec<usize>, i: usize) {
    if list.last() != Some(&i) {
        list.push(i);
    }
}

fn strip_extension(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 5 => stem,
        _ => name,
    }
}

/// Upper-case alphanumeric runs, also cut where letters meet digits
/// (`Faktura123` → `FAKTURA`, `123`).
fn tokenize(s: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut last_digit = None;
    for c in s.chars() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            last_digit = None;
            continue;
        }
        let digit = c.is_ascii_digit();
        if last_digit.is_some_and(|d| d != digit) && !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
        last_digit = Some(digit);
        current.extend(c.to_uppercase());
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

/// Decides every document: `hits[d]` are document `d`'s hits from
/// [`Matcher::hits`]. Returns one outcome per document, in order.
pub fn resolve(hits: &[Vec<Hit>]) -> Vec<MatchOutcome> {
    let mut outcomes: Vec<MatchOutcome> = hits
        .iter()
        .map(|hits| match hits.as_slice() {
            [] => MatchOutcome::Unmatched,
            [only] => MatchOutcome::Matched { hit: *only },
            [first, second, ..] if first.confidence - second.confidence >= CONFLICT_MARGIN => {
                MatchOutcome::Matched { hit: *first }
            }
            several => MatchOutcome::Conflict {
                reason: ConflictReason::SeveralInvoices,
                hits: several.iter().take(MAX_CANDIDATES).copied().collect(),
            },
        })
        .collect();
    let mut by_candidate: HashMap<usize, Vec<usize>> = HashMap::new();
    for (doc, outcome) in outcomes.iter().enumerate() {
        if let MatchOutcome::Matched { hit } = outcome {
            by_candidate.entry(hit.candidate).or_default().push(doc);
        }
    }
    for docs in by_candidate.into_values().filter(|docs| docs.len() > 1) {
        for doc in docs {
            if let Some(MatchOutcome::Matched { hit }) = outcomes.get(doc) {
                outcomes[doc] = MatchOutcome::Conflict {
                    reason: ConflictReason::SharedInvoice,
                    hits: vec![*hit],
                };
            }
        }
    }
    outcomes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(matcher: &Matcher, path: &str) -> Hit {
        let hits = matcher.hits(path, None);
        assert_eq!(hits.len(), 1, "{path}: {hits:?}");
        hits[0]
    }

    #[test]
    fn numbers_normalise_to_keys_and_cores() {
        assert_eq!(normalize("INV-00123"), "INV00123");
        assert_eq!(core("INV00123").as_deref(), Some("123"));
        assert_eq!(core("FAKTURA2024"), Some("2024".to_owned()));
        // A prefix is only a prefix when digits follow.
        assert_eq!(core("NORD7").as_deref(), Some("NORD7"));
        assert_eq!(core("000"), None);
    }

    #[test]
    fn file_names_match_whole_numbers_higher_than_cores() {
        let matcher = Matcher::new(["INV-00123", "2024-0042", "A7"]);
        let hit = only(&matcher, "INV-00123.pdf");
        assert_eq!((hit.candidate, hit.basis), (0, MatchBasis::FileName));
        assert!((hit.confidence - 0.95).abs() < 1e-6);
        let hit = only(&matcher, "scans/Faktura 123.PDF");
        assert_eq!(hit.candidate, 0);
        assert!((hit.confidence - 0.85).abs() < 1e-6, "{hit:?}");
        assert_eq!(only(&matcher, "Faktura_2024-0042.pdf").candidate, 1);
        assert_eq!(only(&matcher, "invoice_A7.pdf").candidate, 2);
    }

    #[test]
    fn folder_names_match_with_less_confidence() {
        let matcher = Matcher::new(["10045"]);
        let hit = only(&matcher, "10045/contract.pdf");
        assert_eq!(hit.basis, MatchBasis::FolderName);
        assert!((hit.confidence - 0.75).abs() < 1e-6);
    }

    #[test]
    fn pdf_text_counts_only_after_a_label() {
        let matcher = Matcher::new(["10045", "777"]);
        let text = "Nordisk Tømrer ApS  Kunde 777  Fakturanr.: 10045  Beløb 1.234,56";
        let hits = matcher.hits("scan.pdf", Some(text));
        assert_eq!(hits.len(), 1, "{hits:?}");
        assert_eq!((hits[0].candidate, hits[0].basis), (0, MatchBasis::PdfText));
    }

    #[test]
    fn short_cores_are_weak() {
        let matcher = Matcher::new(["INV-0007"]);
        let hit = only(&matcher, "page 7.pdf");
        assert!(hit.confidence < 0.6, "{hit:?}");
    }

    #[test]
    fn close_candidates_conflict_and_shared_invoices_conflict() {
        let matcher = Matcher::new(["1001", "1002", "2001"]);
        let docs = [
            "1001 and 1002.pdf",
            "2001.pdf",
            "2001 reminder.pdf",
            "nothing.pdf",
            "1001.pdf",
        ];
        let hits: Vec<_> = docs.iter().map(|d| matcher.hits(d, None)).collect();
        let outcomes = resolve(&hits);
        assert!(matches!(
            &outcomes[0],
            MatchOutcome::Conflict { reason: ConflictReason::SeveralInvoices, hits } if hits.len() == 2
        ));
        for shared in [1, 2] {
            assert!(
                matches!(&outcomes[shared], MatchOutcome::Conflict { reason: ConflictReason::SharedInvoice, hits } if hits[0].candidate == 2),
                "{:?}",
                outcomes[shared]
            );
        }
        assert_eq!(outcomes[3], MatchOutcome::Unmatched);
        assert!(matches!(outcomes[4], MatchOutcome::Matched { hit } if hit.candidate == 0));
    }
}
