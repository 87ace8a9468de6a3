//! A ZIP of documents (invoice PDFs, reminders, contracts) for cases.
//!
//! - [`extract`]: safe extraction — entry count, total size, per-file size
//!   and compression-ratio limits counted on real bytes, no traversal,
//!   absolute paths, drive letters or symlinks, allowed types checked by
//!   extension and content; every refused entry has its [`Refusal`].
//! - [`matching`]: which invoice each document belongs to, by invoice
//!   number in its file or folder name or its PDF text, with a confidence,
//!   conflicts and unmatched files.
//! - [`pdf_text`]: the bounded text scan of a PDF used for matching.
//! - [`read_zip`]: all three in one pass, as the engine uses them.
//!
//! This module never writes to disk: accepted files are lent to the
//! caller's `keep` closure, which decides where they go.

pub mod extract;
pub mod kind;
pub mod matching;
pub mod pdf_text;

use std::io::{self, Read, Seek};

use serde::Serialize;

pub use extract::{check_entry_name, EntryOutcome, ExtractedFile, Refusal, ZipEntry, ZipLimits};
pub use kind::{DocumentKind, DocumentRole};
pub use matching::{ConflictReason, Hit, MatchBasis, MatchOutcome, Matcher};

use crate::ImportError;

/// Hex SHA-256 of a file's content: how the same document is recognised
/// when a ZIP is approved twice.
pub fn content_hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// One file of the ZIP with its match.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DocumentReport {
    /// The entry and whether it was extracted.
    pub entry: ZipEntry,
    /// What it probably is, for extracted files.
    pub role: Option<DocumentRole>,
    /// The match, for extracted files.
    pub outcome: Option<MatchOutcome>,
}

/// Extracts the ZIP (see [`extract::extract`]), reads the text of every
/// extracted PDF and matches each extracted file against `matcher`'s
/// invoice numbers.
///
/// # Errors
/// As [`extract::extract`].
pub fn read_zip<R, F>(
    reader: R,
    file_name: &str,
    limits: &ZipLimits,
    matcher: &Matcher,
    mut keep: F,
) -> Result<Vec<DocumentReport>, ImportError>
where
    R: Read + Seek,
    F: FnMut(&ExtractedFile<'_>) -> io::Result<()>,
{
    let mut texts = std::collections::HashMap::new();
    let entries = extract::extract(reader, file_name, limits, |file| {
        if file.kind == DocumentKind::Pdf {
            texts.insert(file.index, pdf_text::pdf_text(file.bytes));
        }
        keep(file)
    })?;
    let extracted: Vec<&ZipEntry> = entries
        .iter()
        .filter(|e| matches!(e.outcome, EntryOutcome::Extracted { .. }))
        .collect();
    let hits: Vec<Vec<Hit>> = extracted
        .iter()
        .map(|e| matcher.hits(&e.name, texts.get(&e.index).map(String::as_str)))
        .collect();
    let mut outcomes = matching::resolve(&hits).into_iter();
    Ok(entries
        .into_iter()
        .map(|entry| match entry.outcome {
            EntryOutcome::Extracted { kind, .. } => DocumentReport {
                role: Some(DocumentRole::suggest(&entry.name, kind)),
                outcome: outcomes.next(),
                entry,
            },
            EntryOutcome::Refused { .. } => DocumentReport {
                entry,
                role: None,
                outcome: None,
            },
        })
        .collect())
}
