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
//! - [`workbook`]: XLSX / XLS / ODS sheets, the user's sheet choice, typed
//!   cells as the same rows a CSV gives (a sheet is loaded whole).
//! - [`invoices`]: a confirmed mapping (what is saved per header
//!   fingerprint) and rows → domain `Invoice`s (provider `file`), one
//!   result per row.
//! - [`documents`]: a ZIP of documents — safe extraction (size, ratio,
//!   count, path and type checks on real bytes), matching each file to an
//!   invoice number with a confidence, and a bounded PDF text scan.
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

//! ## Example
//!
//! ```
//! use casebridge_import::{invoices, mapping, reader, values::NumberLocale};
//!
//! let file = "Debitorliste marts\n\
//!     Fakturanr;Fakturadato;Kunde;Beløb;Valuta\n\
//!     00123;05.03.2024;Nordisk Tømrer ApS;1.234,56;DKK\n\
//!     00124;31.02.2024;Bjørn Østergård;99,00;DKK\n";
//!
//! // Encoding, delimiter, preamble and header are sniffed from the start.
//! let rows = reader::open(file.as_bytes(), "marts.csv", None)?;
//! assert_eq!(rows.dialect().delimiter, b';');
//! let headers = rows.header().map(<[String]>::to_vec).unwrap_or_default();
//! let rows: Vec<_> = rows.collect::<Result<_, _>>()?;
//!
//! // Suggestions per column; the user confirms, the mapping is saved
//! // under the header fingerprint.
//! let sample: Vec<Vec<String>> = rows.iter().map(|r| r.cells.clone()).collect();
//! let suggestions = mapping::suggest(&headers, &sample);
//! let confirmed = invoices::ConfirmedMapping::from_suggestions(
//!     &suggestions, 0.5, &sample, NumberLocale::DecimalPoint);
//! let _key = mapping::header_fingerprint(&headers);
//!
//! let origin = casebridge_import::Location::file("marts.csv");
//! let results: Vec<_> =
//!     invoices::rows_to_invoices(&confirmed, &origin, rows.into_iter().map(Ok)).collect();
//! let invoice = results[0].as_ref().map_err(|e| e.to_string())?;
//! assert_eq!(invoice.outstanding().to_string(), "1234.56 DKK");
//! assert_eq!(invoice.creditor_reference.as_deref(), Some("00123"));
//! // The bad row is an error with its place, not a gap.
//! let error = results[1].as_ref().err().ok_or("row 4 must fail")?;
//! assert_eq!(error.code(), "date_impossible");
//! assert_eq!(error.to_string(), "marts.csv, row 4, column 2: \"31.02.2024\" is not a date that exists");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

pub mod documents;
pub mod encoding;
mod error;
pub mod invoices;
pub mod mapping;
pub mod reader;
pub mod sniff;
pub mod values;
pub mod workbook;

pub use error::{BinaryKind, ImportError, Location};
