//! # casebridge-import
//!
//! Turns a spreadsheet export someone dropped on the window into rows the
//! engine can map to invoices: it finds the text encoding, sniffs the CSV
//! dialect, reads numbers and dates the way the file's locale wrote them,
//! suggests which column is which case field, and streams the rows.
//!
//! ## What this crate owns
//!
//! - [`encoding`]: encoding detection (BOM, UTF-16 without BOM, UTF-8,
//!   legacy code pages via `chardetng`) with a confidence and a user
//!   override, and a streaming decoder to UTF-8.
//! - [`sniff`]: the delimiter, quote and header row of a delimited file,
//!   judged over many lines so a title row or preamble does not fool it.
//! - [`values`]: amounts in either locale and dates in any day/month order,
//!   decided per column from all sampled values; text stays verbatim.
//! - [`mapping`]: column → case field suggestions with a confidence, from a
//!   multilingual alias table, fuzzy names and value shapes; the header
//!   fingerprint a confirmed mapping is saved under.
//! - [`reader`]: a constant-memory row stream that reports empty and ragged
//!   rows instead of dropping them.
//! - [`invoices`]: a confirmed mapping (what is saved per header
//!   fingerprint) and rows → domain `Invoice`s (provider `file`), one
//!   result per row.
//! - [`ImportError`]: one error enum with `{ code, message, hint }` and a
//!   [`Location`] (`file`, `sheet`, `row`, `column`) wherever it applies.
//!
//! ## What this crate must NOT do
//!
//! No SQLite, no network, no Tauri, no clock. It does not decide whether an
//! invoice may become a case: that is `casebridge-domain`'s readiness rules,
//! run by the engine on what this crate produces. It never drops a row or
//! rewrites a cell silently: anything it cannot read becomes an error or a
//! flagged row with its location.

#![deny(missing_docs)]

pub mod encoding;
mod error;
pub mod invoices;
pub mod mapping;
pub mod reader;
pub mod sniff;
pub mod values;

pub use error::{BinaryKind, ImportError, Location};
