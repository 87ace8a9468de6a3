//! Wire types of file import (CSV / TSV / XLSX / XLS / ODS → invoices).
//!
//! The flow: `open_import` reads the start of a file and answers with an
//! [`ImportSession`] (what was recognised, encoding, dialect, headers, a
//! sample, suggestions and a ready-to-use [`ImportMapping`], taken from a
//! saved profile when the header matches one). The UI edits the mapping
//! and asks for [`ImportPreview`] pages; fixes cells with `fix_import_row`;
//! exports an annotated error file; and finally `stage_import`s the valid
//! rows into the invoice cache, where they are reviewed and submitted like
//! any provider's invoices. Row numbers are the file's own (1-based, as a
//! spreadsheet or an editor shows them); columns are 0-based indexes.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::IssueSeverity;

/// What kind of file was dropped, judged from its bytes (not its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportFileKind {
    /// Delimited text (CSV, TSV, TXT).
    Delimited,
    /// An Excel 2007+ workbook (XLSX / XLSM / XLSB).
    Xlsx,
    /// An Excel 97–2003 workbook.
    Xls,
    /// An OpenDocument spreadsheet.
    Ods,
    /// A ZIP of documents: goes to the documents import, not this one.
    Zip,
}

/// The answer to "what is this file?", for routing a drop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecognisedFile {
    pub path: String,
    pub file_name: String,
    pub kind: ImportFileKind,
    /// What the app recognised, for the user: "Excel workbook (XLSX), 2 sheets".
    pub recognised: String,
    #[ts(type = "number")]
    pub size_bytes: u64,
}

/// The text encoding of a delimited file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EncodingInfo {
    /// Canonical name ("UTF-8", "windows-1252", "UTF-16LE"…).
    pub name: String,
    /// 0–1; below 0.8 the UI asks the user to check the sample.
    pub confidence: f32,
    /// How it was found: `bom`, `utf16_pattern`, `valid_utf8`, `statistics`, `user_choice`.
    pub method: String,
    /// Encodings the user may switch to (labels accepted by `reopen_import`).
    pub alternatives: Vec<String>,
    /// Bytes that did not decode were replaced in the sample: likely the wrong encoding.
    pub had_errors: bool,
}

/// How a delimited file is laid out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DialectInfo {
    /// One character: `,` `;` `\t` `|`.
    pub delimiter: String,
    /// One character, usually `"`.
    pub quote: String,
    /// 1-based row of the header; `None` when the file has no header row.
    pub header_row: Option<u32>,
    /// Title or preamble rows above the table that were skipped.
    pub preamble_rows: u32,
}

/// The user's overrides when re-reading a file (`reopen_import`). `None`
/// keeps what was sniffed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct ReadOptions {
    /// An encoding label ("windows-1252", "utf-16le", "latin1"…).
    pub encoding: Option<String>,
    /// One character.
    pub delimiter: Option<String>,
    /// 1-based row of the header; 0 = the file has no header row.
    pub header_row: Option<u32>,
    /// A workbook's sheet, by name.
    pub sheet: Option<String>,
}

/// A field of an imported invoice a column (or a constant) can fill: the
/// importer's own type, which is also the wire type (TypeScript `ImportField`).
pub use casebridge_import::mapping::CaseFieldTarget;

/// A field as the mapping editor lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportFieldInfo {
    pub field: CaseFieldTarget,
    /// "Invoice number", "Debtor name"…
    pub label: String,
    /// A row cannot become an invoice without it (invoice date, amount,
    /// currency — the latter may be a constant).
    pub required: bool,
}

/// Which pieces of a split cell to keep. Pieces are what lies between
/// separators (blank pieces dropped); indexes count from 0, negative ones
/// from the end; the kept pieces are joined back with the separator.
/// First word: `from 0, to 1`. Last word: `from -1, to null`. All but the
/// last word: `from 0, to -1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SplitPart {
    /// `None` = any run of whitespace.
    pub separator: Option<String>,
    pub from: i32,
    /// Exclusive; `None` = to the end.
    pub to: Option<i32>,
}

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[ts(export)]
pub enum FieldSource {
    /// One column, as is.
    Column { column: u32 },
    /// Several columns' non-blank cells joined (first + last name).
    Join { columns: Vec<u32>, separator: String },
    /// Part of one column ("Vestergade 1, 8000 Aarhus" → "Vestergade 1").
    Split { column: u32, part: SplitPart },
    /// The same value on every row (currency "DKK", debtor type "Company").
    Constant { value: String },
}

/// One field's source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FieldMapping {
    pub field: CaseFieldTarget,
    pub source: FieldSource,
}

/// The decimal separator of amount columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AmountLocale {
    /// `1,234.56`
    DecimalPoint,
    /// `1.234,56` / `1 234,56`
    DecimalComma,
}

/// How a date column writes dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DateOrder {
    /// `2024-03-31`
    Iso,
    /// `31.03.2024`, `31/03/2024`
    DayFirst,
    /// `03/31/2024`
    MonthFirst,
    /// Spreadsheet serial numbers (`45382`).
    ExcelSerial,
}

/// A complete, user-editable mapping: what is saved in a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportMapping {
    /// At most one source per field; unmapped fields are absent.
    pub fields: Vec<FieldMapping>,
    pub amount_locale: AmountLocale,
    /// `None` while ambiguous: non-ISO dates then fail with `date_order_unknown`.
    pub issue_date_order: Option<DateOrder>,
    pub due_date_order: Option<DateOrder>,
}

/// How a mapped date column was read from the sample.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DateColumnInfo {
    pub field: CaseFieldTarget,
    pub column: u32,
    /// `Some` when one order reads the whole sample.
    pub inferred: Option<DateOrder>,
    /// Every day and month in the sample is ≤ 12: the user must choose.
    pub ambiguous: bool,
}

/// Why a column got its suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ColumnSuggestion {
    pub column: u32,
    pub header: String,
    /// `None`: nothing fits (or a better column took the field).
    pub field: Option<CaseFieldTarget>,
    /// 0–1; pre-selected at ≥ 0.5.
    pub confidence: f32,
    /// For the tooltip: "header is a known name (\"fakturanr\")", "values look like emails".
    pub reason: String,
    /// What the values look like: `email`, `currency_code`, `date`, `amount`, `text`…
    pub shape: String,
}

/// A saved mapping, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MappingProfileSummary {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub header_fingerprint: String,
    /// The header row it was saved for.
    pub headers: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    pub updated_at: String,
}

/// A row as the file holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SampleRow {
    #[ts(type = "number")]
    pub row_number: u64,
    pub cells: Vec<String>,
}

/// An open import: everything the mapping screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportSession {
    pub id: String,
    pub file_name: String,
    pub kind: ImportFileKind,
    /// "CSV, semicolon-separated, Windows-1252, header on row 2".
    pub recognised: String,
    /// Delimited files only.
    pub encoding: Option<EncodingInfo>,
    /// Delimited files only.
    pub dialect: Option<DialectInfo>,
    /// Workbooks only: every sheet, and the one being read.
    pub sheets: Vec<String>,
    pub sheet: Option<String>,
    /// Empty strings for a file without a header row.
    pub headers: Vec<String>,
    /// The first rows (up to 20), fixes not applied.
    pub sample: Vec<SampleRow>,
    pub suggestions: Vec<ColumnSuggestion>,
    /// The saved profile whose header matched, already applied to `mapping`.
    pub profile: Option<MappingProfileSummary>,
    pub mapping: ImportMapping,
    pub date_columns: Vec<DateColumnInfo>,
    pub fields: Vec<ImportFieldInfo>,
    pub header_fingerprint: String,
}

/// Which preview rows to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportRowFilter {
    #[default]
    All,
    /// Rows that cannot become an invoice (cell or row errors).
    Errors,
    /// Valid rows with blocking readiness issues (staged as "needs fixing").
    NeedsFixing,
    /// Rows flagged as duplicates.
    Duplicates,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct ImportPage {
    pub offset: u32,
    /// 0 = the default (100); at most 1,000.
    pub limit: u32,
    pub filter: ImportRowFilter,
}

/// A reason a row cannot become an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CellError {
    /// `None` for a whole-row problem (empty or ragged row).
    pub column: Option<u32>,
    pub field: Option<CaseFieldTarget>,
    /// Stable: `amount_invalid`, `date_impossible`, `date_order_unknown`,
    /// `currency_invalid`, `value_missing`, `row_empty`, `row_ragged`…
    pub code: String,
    pub message: String,
    pub hint: String,
}

/// A readiness rule the invoice fails (the same rules as provider invoices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReadinessIssue {
    /// The column the field comes from, when it comes from one.
    pub column: Option<u32>,
    pub code: String,
    /// The agency field (`debtor.address`…).
    pub field: String,
    pub severity: IssueSeverity,
    pub message: String,
    pub hint: String,
}

/// What a duplicate row duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[ts(export)]
pub enum DuplicateOf {
    /// An invoice already submitted (or queued) as a case.
    Submitted { creditor_reference: Option<String> },
    /// An invoice already in the local cache (imported or fetched before).
    Cached { source_ref: String },
    /// An earlier row of this file.
    EarlierRow {
        #[ts(type = "number")]
        row_number: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportRowStatus {
    /// Becomes an invoice, ready to submit.
    Ready,
    /// Becomes an invoice with blocking readiness issues (fix here or on the Invoices page).
    NeedsFixing,
    /// Cannot become an invoice: see `cellErrors`. Never staged, never dropped.
    Invalid,
    /// Not staged: see `duplicateOf`.
    Duplicate,
}

/// The invoice a valid row becomes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportedInvoice {
    pub source_ref: String,
    pub creditor_reference: Option<String>,
    pub debtor_name: Option<String>,
    /// Outstanding, decimal string.
    pub amount: String,
    pub currency: String,
    /// YYYY-MM-DD.
    pub issue_date: String,
    pub due_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportRow {
    #[ts(type = "number")]
    pub row_number: u64,
    /// The cells with the user's fixes applied.
    pub cells: Vec<String>,
    /// Columns the user fixed.
    pub fixed_columns: Vec<u32>,
    pub status: ImportRowStatus,
    pub cell_errors: Vec<CellError>,
    pub readiness: Vec<ReadinessIssue>,
    pub duplicate_of: Option<DuplicateOf>,
    pub invoice: Option<ImportedInvoice>,
}

/// Counts over the whole file and one page of rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportPreview {
    /// Every data row of the file (empty rows included).
    #[ts(type = "number")]
    pub total: u64,
    /// Rows that become invoices (ready + needs fixing), duplicates excluded.
    #[ts(type = "number")]
    pub valid: u64,
    #[ts(type = "number")]
    pub ready: u64,
    #[ts(type = "number")]
    pub needs_fixing: u64,
    #[ts(type = "number")]
    pub invalid: u64,
    #[ts(type = "number")]
    pub duplicates: u64,
    /// Rows matching the page's filter.
    #[ts(type = "number")]
    pub matching: u64,
    pub rows: Vec<ImportRow>,
}

/// A fix of one cell, kept with the session and applied on preview,
/// export and staging (the file itself is never written).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CellFix {
    #[ts(type = "number")]
    pub row_number: u64,
    pub column: u32,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorFileFormat {
    /// The bad cells highlighted, a reason column at the end.
    Xlsx,
    /// A reason column at the end.
    Csv,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ErrorFileSummary {
    pub path: String,
    /// Rows written (invalid and needs-fixing rows).
    #[ts(type = "number")]
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StageRequest {
    pub mapping: ImportMapping,
    /// Save the mapping as a profile under this name (replacing a profile of that name).
    pub save_profile_as: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StageSummary {
    /// Invoices written to the cache (ready + needs fixing).
    #[ts(type = "number")]
    pub staged: u64,
    #[ts(type = "number")]
    pub ready: u64,
    #[ts(type = "number")]
    pub needs_fixing: u64,
    /// Rows left out because they cannot become invoices.
    #[ts(type = "number")]
    pub invalid: u64,
    /// Rows left out as duplicates.
    #[ts(type = "number")]
    pub duplicates: u64,
    /// The source account the invoices are cached under (the file name).
    pub account: String,
    pub profile: Option<MappingProfileSummary>,
}

/// A profile as exported to / imported from a JSON file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MappingProfileFile {
    /// Format version, 1.
    pub casebridge_mapping_profile: u32,
    pub name: String,
    pub headers: Vec<String>,
    pub mapping: ImportMapping,
}
