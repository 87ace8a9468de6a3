//! File import: a dropped CSV / TSV / XLSX / XLS / ODS becomes invoices in the cache.
//!
//! An import is a session held in memory (the file's path, how to read it, the user's cell
//! fixes); rows are re-read from the file on every pass, so memory stays flat however big the
//! file (workbooks are the exception: a sheet is loaded whole). Every row ends in exactly one
//! bucket — ready, needs fixing, invalid or duplicate — and invalid rows are listed and
//! exportable, never dropped. Valid rows go into the same invoice cache as provider invoices
//! (provider `file`, account = the file name), so review and submission are the same flow.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use casebridge_domain::{
    CaseField, DebtorOverride, Fingerprint, Invoice, ReadinessPolicy, Severity, check_readiness,
};
use casebridge_import::invoices::{ConfirmedMapping, RowMapper};
use casebridge_import::mapping::{self, CaseFieldTarget, Reason};
use casebridge_import::reader::{self, CsvRows, Row, RowStatus};
use casebridge_import::sniff::Dialect;
use casebridge_import::values::{DateInference, NumberLocale};
use casebridge_import::workbook::{self, Sheet};
use casebridge_import::{ImportError, Location};
use casebridge_store::{KnownInvoices, Store, fingerprint_key};
use chrono::NaiveDate;

use crate::cache::Staged;
use crate::api::{
    self, CellError, CellFix, DuplicateOf, ImportFileKind, ImportPage, ImportPreview, ImportRow,
    ImportRowFilter, ImportRowStatus, ImportSession, JobEvent, JobPhase, ReadOptions,
    ReadinessIssue, StageRequest, StageSummary,
};
use crate::import_mapping as wire;
use crate::{Engine, EngineError, ProgressSink};

/// The header of the column an exported error file adds: ignored when the file comes back, so
/// its header fingerprint (and saved mapping) is the original's.
pub(crate) const REASON_HEADER: &str = "Casebridge: what to fix";
/// Rows shown on the mapping screen.
const SAMPLE_ROWS: usize = 20;
/// Rows the suggestions and the date/amount readings are judged on.
const INFERENCE_ROWS: usize = 500;
/// Encodings offered when the detected one looks wrong.
const ENCODINGS: [&str; 9] = [
    "UTF-8",
    "UTF-16LE",
    "UTF-16BE",
    "windows-1252",
    "windows-1250",
    "ISO-8859-1",
    "ISO-8859-2",
    "ISO-8859-15",
    "macintosh",
];
/// The source status imported invoices are cached with.
const SOURCE_STATUS: &str = "imported";
/// Staged invoices handed from the reading thread to the writing one at a time, and how many
/// such batches may wait (~2,000 invoices, a few MB).
const STAGE_BATCH: usize = 512;
const STAGE_QUEUE: usize = 4;

/// The open imports of this engine.
#[derive(Default)]
pub(crate) struct ImportSessions {
    sessions: Mutex<HashMap<String, Arc<Mutex<ImportState>>>>,
}

impl ImportSessions {
    fn get(&self, id: &str) -> Result<Arc<Mutex<ImportState>>, EngineError> {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(id)
            .cloned()
            .ok_or_else(|| EngineError::UnknownImport { id: id.to_owned() })
    }

    fn put(&self, id: String, state: ImportState) {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Arc::new(Mutex::new(state)));
    }

    fn remove(&self, id: &str) -> bool {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id)
            .is_some()
    }
}

/// How the table is read.
enum Table {
    Delimited {
        dialect: Dialect,
        had_decoding_errors: bool,
    },
    Workbook {
        sheets: Vec<String>,
        sheet: Sheet,
    },
}

pub(crate) struct ImportState {
    path: PathBuf,
    file_name: String,
    kind: ImportFileKind,
    table: Table,
    /// The header without an error file's reason column.
    headers: Vec<String>,
    /// Columns of the table (header width, else the widest sampled row).
    width: usize,
    /// The user's fixes: row number → column → value.
    fixes: BTreeMap<u64, BTreeMap<usize, String>>,
    /// The mapping of the last preview (a fix is judged with it).
    mapping: Option<ConfirmedMapping>,
}

fn io_error(path: &Path, source: std::io::Error) -> EngineError {
    EngineError::ImportFile {
        path: path.display().to_string(),
        source,
    }
}

/// Recognises a file from its first bytes: workbooks and ZIPs by their containers, anything
/// else is read as delimited text (which refuses binary data with a clear error).
fn recognise(path: &Path) -> Result<(ImportFileKind, u64), EngineError> {
    let mut file = File::open(path).map_err(|e| io_error(path, e))?;
    let size = file.metadata().map_err(|e| io_error(path, e))?.len();
    let mut head = Vec::with_capacity(4096);
    (&mut file)
        .take(4096)
        .read_to_end(&mut head)
        .map_err(|e| io_error(path, e))?;
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    let kind = if head.starts_with(b"PK\x03\x04") {
        if contains(b"application/vnd.oasis.opendocument.spreadsheet") {
            ImportFileKind::Ods
        } else if contains(b"[Content_Types].xml") || contains(b"xl/") {
            ImportFileKind::Xlsx
        } else {
            ImportFileKind::Zip
        }
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        ImportFileKind::Xls
    } else {
        ImportFileKind::Delimited
    };
    Ok((kind, size))
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

fn delimiter_name(delimiter: u8) -> String {
    match delimiter {
        b',' => "comma-separated".into(),
        b';' => "semicolon-separated".into(),
        b'\t' => "tab-separated".into(),
        b'|' => "pipe-separated".into(),
        other => format!("separated by “{}”", char::from(other)),
    }
}

fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{} KB", b >> 10),
        b => format!("{b} bytes"),
    }
}

fn kind_name(kind: ImportFileKind) -> &'static str {
    match kind {
        ImportFileKind::Delimited => "Delimited text",
        ImportFileKind::Xlsx => "Excel workbook (XLSX)",
        ImportFileKind::Xls => "Excel 97–2003 workbook (XLS)",
        ImportFileKind::Ods => "OpenDocument spreadsheet (ODS)",
        ImportFileKind::Zip => "ZIP archive of documents",
    }
}

/// Drops an exported error file's reason column (always the last) from a header.
fn strip_reason_column(mut headers: Vec<String>) -> Vec<String> {
    if headers.last().is_some_and(|h| h.trim() == REASON_HEADER) {
        headers.pop();
    }
    headers
}

impl ImportState {
    fn origin(&self) -> Location {
        match &self.table {
            Table::Delimited { .. } => Location::file(&self.file_name),
            Table::Workbook { sheet, .. } => sheet.location.clone(),
        }
    }

    /// Every row of the table, as the file has it, in order.
    fn raw_rows(
        &self,
    ) -> Result<Box<dyn Iterator<Item = Result<Row, ImportError>> + '_>, EngineError> {
        Ok(match &self.table {
            Table::Delimited { dialect, .. } => {
                let file = File::open(&self.path).map_err(|e| io_error(&self.path, e))?;
                let rows = CsvRows::new(
                    BufReader::with_capacity(1 << 16, file),
                    *dialect,
                    &self.file_name,
                )?;
                Box::new(rows)
            }
            Table::Workbook { sheet, .. } => Box::new(sheet.rows.iter().cloned().map(Ok)),
        })
    }

    /// A row with the user's fixes applied. A ragged row the user filled up to the table's
    /// width counts as complete.
    fn fixed(&self, mut row: Row) -> Row {
        if let Some(fixes) = self.fixes.get(&row.line) {
            for (&column, value) in fixes {
                if row.cells.len() <= column {
                    row.cells.resize(column + 1, String::new());
                }
                row.cells[column] = value.clone();
            }
            let content = row.cells.iter().any(|c| !c.trim().is_empty());
            row.status = match row.status {
                _ if !content => RowStatus::Empty,
                RowStatus::Ragged { expected, .. } if row.cells.len() == expected => {
                    RowStatus::Complete
                }
                RowStatus::Empty if row.cells.len() == self.width => RowStatus::Complete,
                RowStatus::Empty => RowStatus::Ragged {
                    expected: self.width,
                    found: row.cells.len(),
                },
                other => other,
            };
        }
        row
    }

    /// About how many rows the table has, without reading it all: a workbook's are in memory;
    /// a text file's size is divided by its sampled rows' length. Only sizes the store's
    /// bulk-load choice, so a rough answer is enough.
    fn estimated_rows(&self) -> Result<u64, EngineError> {
        match &self.table {
            Table::Workbook { sheet, .. } => Ok(sheet.rows.len() as u64),
            Table::Delimited { .. } => {
                let size = std::fs::metadata(&self.path).map_err(|e| io_error(&self.path, e))?.len();
                let sample = self.head(INFERENCE_ROWS)?;
                let sampled_bytes: usize = sample
                    .iter()
                    .map(|row| row.cells.iter().map(|c| c.len() + 1).sum::<usize>())
                    .sum();
                // No readable rows sampled: nothing to size a bulk load by.
                if sampled_bytes == 0 {
                    return Ok(0);
                }
                Ok(size * sample.len() as u64 / sampled_bytes as u64)
            }
        }
    }

    /// The first rows, for the sample and the suggestions.
    fn head(&self, n: usize) -> Result<Vec<Row>, EngineError> {
        let mut rows = Vec::with_capacity(n);
        for row in self.raw_rows()?.take(n) {
            rows.push(row?);
        }
        Ok(rows)
    }

    fn session(&self, id: &str, store: &Store) -> Result<ImportSession, EngineError> {
        let head = self.head(INFERENCE_ROWS)?;
        let sample: Vec<Vec<String>> = head
            .iter()
            .filter(|r| r.status != RowStatus::Empty)
            .map(|r| r.cells.clone())
            .collect();
        let suggestions = mapping::suggest(&self.headers, &sample);
        let fingerprint = mapping::header_fingerprint(&self.headers);
        let saved = store.find_mapping_profiles(fingerprint.as_str())?;
        let profile = saved.into_iter().find_map(|p| {
            crate::import_profiles::stored_mapping(&p)
                .ok()
                .map(|m| (crate::import_profiles::summary(&p), m))
        });
        let fallback = self.fallback_locale();
        let confirmed = match &profile {
            Some((_, stored)) => wire::from_wire(stored, self.width).unwrap_or_else(|_| {
                ConfirmedMapping::from_suggestions(&suggestions, 0.5, &sample, fallback)
            }),
            None => ConfirmedMapping::from_suggestions(&suggestions, 0.5, &sample, fallback),
        };
        let date_columns = [CaseFieldTarget::IssueDate, CaseFieldTarget::DueDate]
            .into_iter()
            .filter_map(|target| {
                let column = confirmed.fields.get(&target)?.first_column()?;
                let inference = confirmed.date_inference(target, &sample);
                Some(api::DateColumnInfo {
                    field: target,
                    column: u32::try_from(column).unwrap_or(u32::MAX),
                    inferred: match inference {
                        Some(DateInference::Known { format }) => Some(wire::date_order(format)),
                        _ => None,
                    },
                    ambiguous: inference == Some(DateInference::Ambiguous),
                })
            })
            .collect();
        let (encoding, dialect, recognised) = match &self.table {
            Table::Delimited {
                dialect,
                had_decoding_errors,
            } => {
                let e = dialect.encoding;
                let header = match dialect.header_row() {
                    Some(row) => format!("header on row {}", row + 1),
                    None => "no header row".to_owned(),
                };
                let preamble = match dialect.preamble_rows {
                    0 => String::new(),
                    1 => ", below 1 title row".to_owned(),
                    n => format!(", below {n} title rows"),
                };
                (
                    Some(api::EncodingInfo {
                        name: e.name().to_owned(),
                        confidence: e.confidence(),
                        method: serde_json::to_value(e.method())
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default(),
                        alternatives: ENCODINGS
                            .iter()
                            .filter(|n| **n != e.name())
                            .map(|n| (*n).to_owned())
                            .collect(),
                        had_errors: *had_decoding_errors,
                    }),
                    Some(api::DialectInfo {
                        delimiter: char::from(dialect.delimiter).to_string(),
                        quote: char::from(dialect.quote).to_string(),
                        header_row: dialect
                            .header_row()
                            .map(|r| u32::try_from(r + 1).unwrap_or(u32::MAX)),
                        preamble_rows: u32::try_from(dialect.preamble_rows).unwrap_or(u32::MAX),
                    }),
                    format!(
                        "CSV text, {}, {}, {header}{preamble}",
                        delimiter_name(dialect.delimiter),
                        e.name()
                    ),
                )
            }
            Table::Workbook { sheets, sheet } => (
                None,
                None,
                format!(
                    "{}, {} sheet{}; reading “{}”",
                    kind_name(self.kind),
                    sheets.len(),
                    if sheets.len() == 1 { "" } else { "s" },
                    sheet.location.sheet.as_deref().unwrap_or_default()
                ),
            ),
        };
        Ok(ImportSession {
            id: id.to_owned(),
            file_name: self.file_name.clone(),
            kind: self.kind,
            recognised,
            encoding,
            dialect,
            sheets: match &self.table {
                Table::Workbook { sheets, .. } => sheets.clone(),
                Table::Delimited { .. } => Vec::new(),
            },
            sheet: match &self.table {
                Table::Workbook { sheet, .. } => sheet.location.sheet.clone(),
                Table::Delimited { .. } => None,
            },
            headers: self.headers.clone(),
            sample: head
                .iter()
                .take(SAMPLE_ROWS)
                .map(|r| api::SampleRow {
                    row_number: r.line,
                    cells: r.cells.clone(),
                })
                .collect(),
            suggestions: suggestions
                .iter()
                .map(|s| api::ColumnSuggestion {
                    column: u32::try_from(s.column).unwrap_or(u32::MAX),
                    header: s.header.clone(),
                    field: s.field,
                    confidence: s.confidence,
                    reason: reason_text(&s.reason),
                    shape: serde_json::to_value(s.shape)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                })
                .collect(),
            profile: profile.map(|(summary, _)| summary),
            mapping: wire::to_wire(&confirmed),
            date_columns,
            fields: wire::field_infos(),
            header_fingerprint: fingerprint.as_str().to_owned(),
        })
    }

    /// The amount locale to assume when no value decides: the one a semicolon file's region
    /// writes (continental Europe uses `;` because `,` is its decimal separator).
    fn fallback_locale(&self) -> NumberLocale {
        match &self.table {
            Table::Delimited { dialect, .. } if dialect.delimiter == b';' => {
                NumberLocale::DecimalComma
            }
            _ => NumberLocale::DecimalPoint,
        }
    }
}

fn reason_text(reason: &Reason) -> String {
    match reason {
        Reason::HeaderAlias { alias } => format!("the header is a known name (“{alias}”)"),
        Reason::HeaderContains { alias } => format!("the header contains “{alias}”"),
        Reason::HeaderSimilar { alias, similarity } => {
            format!(
                "the header resembles “{alias}” ({:.0} %)",
                similarity * 100.0
            )
        }
        Reason::ValueShape => "the values look like it".to_owned(),
        Reason::Unknown => "no field fits".to_owned(),
    }
}

/// Opens a file as a table, with the user's reading choices.
fn open_table(path: &Path, options: &ReadOptions) -> Result<ImportState, EngineError> {
    let (kind, _) = recognise(path)?;
    let name = file_name(path);
    let table = match kind {
        ImportFileKind::Zip => return Err(EngineError::ImportIsZip { file: name }),
        ImportFileKind::Delimited => {
            let file = File::open(path).map_err(|e| io_error(path, e))?;
            let sniffed = reader::open(file, &name, options.encoding.as_deref())?;
            let mut dialect = *sniffed.dialect();
            drop(sniffed);
            if let Some(delimiter) = &options.delimiter {
                dialect.delimiter = single_byte("delimiter", delimiter)?;
            }
            if let Some(row) = options.header_row {
                dialect.has_header = row > 0;
                dialect.preamble_rows = usize::try_from(row.saturating_sub(1)).unwrap_or(0);
            }
            let file = File::open(path).map_err(|e| io_error(path, e))?;
            let mut rows = CsvRows::new(BufReader::new(file), dialect, &name)?;
            // Read past the sample so a wrong encoding shows up as replaced bytes.
            for _ in (&mut rows).take(INFERENCE_ROWS) {}
            Table::Delimited {
                dialect,
                had_decoding_errors: rows.had_decoding_errors(),
            }
        }
        ImportFileKind::Xlsx | ImportFileKind::Xls | ImportFileKind::Ods => {
            let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
            let mut book = workbook::open_workbook(bytes, &name)?;
            let sheets = book.sheet_names();
            let chosen = match &options.sheet {
                Some(sheet) => sheet.clone(),
                None => sheets
                    .first()
                    .cloned()
                    .ok_or_else(|| EngineError::InvalidInput {
                        field: "sheet",
                        reason: format!("{name} has no sheets"),
                    })?,
            };
            let sheet = book.sheet(&chosen)?;
            Table::Workbook { sheets, sheet }
        }
    };
    let header = match &table {
        Table::Delimited { dialect, .. } => {
            let file = File::open(path).map_err(|e| io_error(path, e))?;
            CsvRows::new(BufReader::new(file), *dialect, &name)?
                .header()
                .map(<[String]>::to_vec)
        }
        Table::Workbook { sheet, .. } => sheet.header.clone(),
    };
    let mut state = ImportState {
        path: path.to_owned(),
        file_name: name,
        kind,
        table,
        headers: Vec::new(),
        width: 0,
        fixes: BTreeMap::new(),
        mapping: None,
    };
    let head = state.head(INFERENCE_ROWS)?;
    let widest = head.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let headers = header.map(strip_reason_column).unwrap_or_default();
    state.width = if headers.is_empty() {
        widest
    } else {
        headers.len()
    };
    state.headers = if headers.is_empty() {
        vec![String::new(); widest]
    } else {
        headers
    };
    Ok(state)
}

fn single_byte(field: &'static str, text: &str) -> Result<u8, EngineError> {
    let text = if text == "\\t" { "\t" } else { text };
    match text.as_bytes() {
        [b] if b.is_ascii() && !b.is_ascii_alphanumeric() && *b != b'\n' && *b != b'\r' => Ok(*b),
        _ => Err(EngineError::InvalidInput {
            field,
            reason: format!("“{text}” is not a single punctuation character"),
        }),
    }
}

/// How one row came out.
pub(crate) struct Judged {
    pub(crate) status: ImportRowStatus,
    invoice: Option<Invoice>,
    pub(crate) cell_errors: Vec<CellError>,
    pub(crate) readiness: Vec<ReadinessIssue>,
    duplicate_of: Option<DuplicateOf>,
    /// The invoice's duplicate fingerprint, computed once for the duplicate check and the cache.
    fingerprint: Option<Fingerprint>,
    /// Blocking readiness failures (stored as the cached invoice's issue count).
    blocking: u32,
}

/// Judges rows in file order: mapping, readiness, duplicates against what is known and what
/// came earlier in the file.
struct Judge<'a> {
    mapper: RowMapper<'a>,
    mapping: &'a ConfirmedMapping,
    known: &'a KnownInvoices,
    /// Fingerprint key → first row with it.
    seen: HashMap<u64, u64>,
    fixes_by_debtor: &'a HashMap<String, DebtorOverride>,
    policy: ReadinessPolicy,
    today: NaiveDate,
}

impl Judge<'_> {
    fn column_of(&self, target: CaseFieldTarget) -> Option<u32> {
        self.mapping
            .fields
            .get(&target)
            .and_then(|s| s.first_column())
            .and_then(|c| u32::try_from(c).ok())
    }

    fn judge(&mut self, row: &Row) -> Judged {
        let invoice = match self.mapper.map(row) {
            Ok(invoice) => invoice,
            Err(errors) => {
                return Judged {
                    status: ImportRowStatus::Invalid,
                    invoice: None,
                    cell_errors: errors.iter().map(cell_error).collect(),
                    readiness: Vec::new(),
                    duplicate_of: None,
                    fingerprint: None,
                    blocking: 0,
                };
            }
        };
        let report = check_readiness(
            &invoice,
            self.fixes_by_debtor.get(&invoice.debtor_key),
            self.today,
            &self.policy,
        );
        let readiness: Vec<ReadinessIssue> = report
            .failures
            .iter()
            .map(|f| ReadinessIssue {
                column: CaseFieldTarget::ALL
                    .iter()
                    .filter(|t| t.case_field() == Some(f.field))
                    .find_map(|&t| self.column_of(t))
                    // With one amount column, the total is what is owed.
                    .or_else(|| {
                        (f.field == CaseField::AmountToRecover)
                            .then(|| self.column_of(CaseFieldTarget::TotalAmount))
                            .flatten()
                    }),
                code: f.code.as_str().to_owned(),
                field: f.field.as_str().to_owned(),
                severity: match f.severity {
                    Severity::Blocking => api::IssueSeverity::Blocking,
                    Severity::Warning => api::IssueSeverity::Warning,
                },
                message: f.message.clone(),
                hint: f.hint.clone(),
            })
            .collect();
        let blocking = u32::try_from(report.blocking().count()).unwrap_or(u32::MAX);
        let fingerprint = invoice.fingerprint();
        let duplicate_of = self.duplicate(&invoice, &fingerprint, row.line);
        let status = match (&duplicate_of, blocking) {
            (Some(_), _) => ImportRowStatus::Duplicate,
            (None, 0) => ImportRowStatus::Ready,
            (None, _) => ImportRowStatus::NeedsFixing,
        };
        Judged {
            status,
            invoice: Some(invoice),
            cell_errors: Vec::new(),
            readiness,
            duplicate_of,
            fingerprint: Some(fingerprint),
            blocking,
        }
    }

    fn duplicate(
        &mut self,
        invoice: &Invoice,
        fingerprint: &Fingerprint,
        line: u64,
    ) -> Option<DuplicateOf> {
        let key = fingerprint_key(fingerprint.as_str());
        if invoice
            .creditor_reference
            .as_ref()
            .is_some_and(|r| self.known.submitted_references.contains(r))
            || key.is_some_and(|k| self.known.submitted_fingerprints.contains(&k))
        {
            return Some(DuplicateOf::Submitted {
                creditor_reference: invoice.creditor_reference.clone(),
            });
        }
        let key = key?;
        if let Some(&id) = self.known.cached.get(&key) {
            // Named when shown (`import_row`): no store access while staging holds the write
            // transaction.
            return Some(DuplicateOf::Cached {
                source_ref: format!("#{id}"),
            });
        }
        match self.seen.get(&key) {
            Some(&first) => Some(DuplicateOf::EarlierRow { row_number: first }),
            None => {
                self.seen.insert(key, line);
                None
            }
        }
    }
}

fn column_u32(location: Option<&Location>) -> Option<u32> {
    location
        .and_then(|l| l.column)
        .and_then(|c| u32::try_from(c).ok())
}

/// The error without the file and row it is shown next to.
fn cell_error(error: &ImportError) -> CellError {
    let text = error.to_string();
    let message = error
        .location()
        .map(|l| format!("{l}: "))
        .and_then(|prefix| text.strip_prefix(&prefix).map(str::to_owned))
        .unwrap_or(text);
    CellError {
        column: column_u32(error.location()),
        field: None,
        code: error.code().to_owned(),
        message,
        hint: error.hint(),
    }
}

fn matches(filter: ImportRowFilter, status: ImportRowStatus) -> bool {
    match filter {
        ImportRowFilter::All => true,
        ImportRowFilter::Errors => status == ImportRowStatus::Invalid,
        ImportRowFilter::NeedsFixing => status == ImportRowStatus::NeedsFixing,
        ImportRowFilter::Duplicates => status == ImportRowStatus::Duplicate,
    }
}

/// Counts per bucket.
#[derive(Default)]
struct Counts {
    total: u64,
    ready: u64,
    needs_fixing: u64,
    invalid: u64,
    duplicates: u64,
}

impl Counts {
    fn add(&mut self, status: ImportRowStatus) {
        self.total += 1;
        *match status {
            ImportRowStatus::Ready => &mut self.ready,
            ImportRowStatus::NeedsFixing => &mut self.needs_fixing,
            ImportRowStatus::Invalid => &mut self.invalid,
            ImportRowStatus::Duplicate => &mut self.duplicates,
        } += 1;
    }
}

fn import_row(state: &ImportState, store: &Store, row: Row, judged: Judged) -> ImportRow {
    let duplicate_of = match judged.duplicate_of {
        Some(DuplicateOf::Cached { source_ref }) => {
            let id = source_ref.trim_start_matches('#').parse().unwrap_or(-1);
            let named = store
                .cached_invoice_identity(id)
                .ok()
                .flatten()
                .map(|(s, _)| crate::cache::display_source(&s));
            Some(DuplicateOf::Cached {
                source_ref: named.unwrap_or(source_ref),
            })
        }
        other => other,
    };
    let fixed_columns = state
        .fixes
        .get(&row.line)
        .map(|f| f.keys().filter_map(|&c| u32::try_from(c).ok()).collect())
        .unwrap_or_default();
    let mut cell_errors = judged.cell_errors;
    for error in &mut cell_errors {
        error.field = error.column.and_then(|c| {
            state.mapping.as_ref().and_then(|m| {
                m.fields
                    .iter()
                    .find(|(_, s)| s.columns().contains(&(c as usize)))
                    .map(|(&t, _)| t)
            })
        });
    }
    ImportRow {
        row_number: row.line,
        cells: row.cells,
        fixed_columns,
        status: judged.status,
        cell_errors,
        readiness: judged.readiness,
        duplicate_of,
        invoice: judged.invoice.map(|i| {
            let outstanding = i.outstanding();
            api::ImportedInvoice {
                source_ref: i.source.to_string(),
                creditor_reference: i.creditor_reference.clone(),
                debtor_name: i.debtor.name.clone(),
                amount: outstanding.amount().to_string(),
                currency: outstanding.currency().code().to_owned(),
                issue_date: i.issue_date.to_string(),
                due_date: i.due_date.map(|d| d.to_string()),
            }
        }),
    }
}

/// What a pass over the rows judges against, read from the store before the pass (staging
/// holds the store's write transaction during its pass).
pub(crate) struct PassContext {
    known: KnownInvoices,
    fixes_by_debtor: HashMap<String, DebtorOverride>,
    today: NaiveDate,
}

impl PassContext {
    pub(crate) fn load(
        store: &Store,
        state: &ImportState,
        today: NaiveDate,
    ) -> Result<PassContext, EngineError> {
        let account = state.origin().to_string();
        let fixes_by_debtor = store
            .list_debtor_overrides(Some("file"), Some(&account))?
            .into_iter()
            .filter_map(|o| {
                serde_json::from_value(o.value)
                    .ok()
                    .map(|v| (o.debtor.debtor_key, v))
            })
            .collect();
        Ok(PassContext {
            known: store.known_invoices()?,
            fixes_by_debtor,
            today,
        })
    }
}

/// One pass over every row of the table; `visit` sees each row (fixes applied) with its
/// verdict. A row the reader cannot read at all is an invalid row, never a stop — unless the
/// file itself fails (gone, unreadable), which is an error.
pub(crate) fn each_row(
    state: &ImportState,
    mapping: &ConfirmedMapping,
    context: &PassContext,
    mut visit: impl FnMut(Row, Judged) -> Result<(), EngineError>,
) -> Result<(), EngineError> {
    let origin = state.origin();
    let mut judge = Judge {
        mapper: RowMapper::new(mapping, &origin),
        mapping,
        known: &context.known,
        seen: HashMap::new(),
        fixes_by_debtor: &context.fixes_by_debtor,
        policy: ReadinessPolicy::new(),
        today: context.today,
    };
    let mut last_line = 0;
    for row in state.raw_rows()? {
        let row = match row {
            Ok(row) => state.fixed(row),
            Err(error) => {
                let line = error
                    .location()
                    .and_then(|l| l.row)
                    .unwrap_or(last_line + 1);
                if matches!(error, ImportError::Io { .. }) || line <= last_line {
                    // The file failed, or the parser is stuck on one spot: stop with the error.
                    return Err(error.into());
                }
                last_line = line;
                let judged = Judged {
                    status: ImportRowStatus::Invalid,
                    invoice: None,
                    cell_errors: vec![cell_error(&error)],
                    readiness: Vec::new(),
                    duplicate_of: None,
                    fingerprint: None,
                    blocking: 0,
                };
                visit(
                    Row {
                        line,
                        cells: Vec::new(),
                        status: RowStatus::Empty,
                    },
                    judged,
                )?;
                continue;
            }
        };
        last_line = row.line;
        let judged = judge.judge(&row);
        visit(row, judged)?;
    }
    Ok(())
}

impl Engine {
    /// What a dropped file is, for routing it (ZIPs go to the documents import).
    pub async fn recognise_import_file(
        &self,
        path: String,
    ) -> Result<api::RecognisedFile, EngineError> {
        tokio::task::spawn_blocking(move || {
            let path = PathBuf::from(&path);
            let (kind, size) = recognise(&path)?;
            Ok(api::RecognisedFile {
                path: path.display().to_string(),
                file_name: file_name(&path),
                kind,
                recognised: format!("{}, {}", kind_name(kind), size_text(size)),
                size_bytes: size,
            })
        })
        .await
        .map_err(|_| EngineError::TaskPanicked)?
    }

    /// Opens a file for import: reads its start, sniffs how to read it, suggests a mapping (or
    /// applies the saved profile whose header matches).
    pub async fn open_import(&self, path: String) -> Result<ImportSession, EngineError> {
        let id = uuid::Uuid::new_v4().to_string();
        self.open_import_as(id, path, ReadOptions::default(), BTreeMap::new())
            .await
    }

    /// Reads the session's file again with the user's encoding, delimiter, header row or sheet.
    /// Fixes are kept (they are keyed by row number).
    pub async fn reopen_import(
        &self,
        id: String,
        options: ReadOptions,
    ) -> Result<ImportSession, EngineError> {
        let state = self.inner.imports.get(&id)?;
        let (path, fixes) = {
            let state = state.lock().unwrap_or_else(PoisonError::into_inner);
            (state.path.display().to_string(), state.fixes.clone())
        };
        self.open_import_as(id, path, options, fixes).await
    }

    async fn open_import_as(
        &self,
        id: String,
        path: String,
        options: ReadOptions,
        fixes: BTreeMap<u64, BTreeMap<usize, String>>,
    ) -> Result<ImportSession, EngineError> {
        let engine = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut state = open_table(Path::new(&path), &options)?;
            state.fixes = fixes;
            let session = state.session(&id, engine.store())?;
            engine.inner.imports.put(id, state);
            Ok(session)
        })
        .await
        .map_err(|_| EngineError::TaskPanicked)?
    }

    /// Forgets an import session (its fixes included); `false` if there was none.
    pub fn close_import(&self, id: &str) -> bool {
        self.inner.imports.remove(id)
    }

    /// Counts over the whole file under `mapping`, and one page of rows.
    pub async fn preview_import(
        &self,
        id: String,
        mapping: api::ImportMapping,
        page: ImportPage,
    ) -> Result<ImportPreview, EngineError> {
        let state = self.inner.imports.get(&id)?;
        let store = self.store().clone();
        let today = self.clock().today();
        tokio::task::spawn_blocking(move || {
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            let confirmed = wire::from_wire(&mapping, state.width)?;
            state.mapping = Some(confirmed.clone());
            let context = PassContext::load(&store, &state, today)?;
            let limit = match page.limit {
                0 => 100,
                n => n.min(1000),
            } as usize;
            let mut counts = Counts::default();
            let mut matching = 0u64;
            let mut rows = Vec::new();
            each_row(&state, &confirmed, &context, |row, judged| {
                counts.add(judged.status);
                if matches(page.filter, judged.status) {
                    if matching >= u64::from(page.offset) && rows.len() < limit {
                        rows.push(import_row(&state, &store, row, judged));
                    }
                    matching += 1;
                }
                Ok(())
            })?;
            Ok(ImportPreview {
                total: counts.total,
                valid: counts.ready + counts.needs_fixing,
                ready: counts.ready,
                needs_fixing: counts.needs_fixing,
                invalid: counts.invalid,
                duplicates: counts.duplicates,
                matching,
                rows,
            })
        })
        .await
        .map_err(|_| EngineError::TaskPanicked)?
    }

    /// Fixes one cell (kept with the session; the file is never written) and judges the row
    /// again under the last previewed mapping. Duplicates of earlier rows of the file are
    /// judged on the next preview, which sees the whole file.
    pub async fn fix_import_row(&self, id: String, fix: CellFix) -> Result<ImportRow, EngineError> {
        let state = self.inner.imports.get(&id)?;
        let store = self.store().clone();
        let today = self.clock().today();
        tokio::task::spawn_blocking(move || {
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            let column = usize::try_from(fix.column)
                .ok()
                .filter(|&c| c < state.width.max(1))
                .ok_or_else(|| EngineError::InvalidInput {
                    field: "column",
                    reason: format!("column {} is not in the table", fix.column + 1),
                })?;
            let mapping = state.mapping.clone().ok_or(EngineError::InvalidInput {
                field: "mapping",
                reason: "preview the import before fixing rows".into(),
            })?;
            let original = state
                .raw_rows()?
                .find_map(|row| row.ok().filter(|r| r.line == fix.row_number))
                .ok_or_else(|| EngineError::InvalidInput {
                    field: "row",
                    reason: format!("row {} is not a data row of the file", fix.row_number),
                })?;
            let unchanged = original.cells.get(column).is_some_and(|c| *c == fix.value);
            let fixes = state.fixes.entry(fix.row_number).or_default();
            if unchanged {
                fixes.remove(&column);
            } else {
                fixes.insert(column, fix.value);
            }
            if fixes.is_empty() {
                state.fixes.remove(&fix.row_number);
            }
            // A whole pass, so the row is judged against the rows above it too.
            let context = PassContext::load(&store, &state, today)?;
            let mut found = None;
            each_row(&state, &mapping, &context, |row, judged| {
                if row.line == fix.row_number {
                    found = Some(import_row(&state, &store, row, judged));
                }
                Ok(())
            })?;
            found.ok_or_else(|| EngineError::InvalidInput {
                field: "row",
                reason: format!("row {} is not a data row of the file", fix.row_number),
            })
        })
        .await
        .map_err(|_| EngineError::TaskPanicked)?
    }

    /// Writes the valid rows into the invoice cache (one transaction), leaving out invalid rows
    /// and duplicates, and saves the mapping as a profile when asked.
    pub async fn stage_import(
        &self,
        id: String,
        request: StageRequest,
        sink: Arc<dyn ProgressSink>,
    ) -> Result<StageSummary, EngineError> {
        let state = self.inner.imports.get(&id)?;
        let store = self.store().clone();
        let today = self.clock().today();
        let now = self.clock().now();
        let job_id = uuid::Uuid::new_v4().to_string();
        let event = move |phase, done: u64, message: String| JobEvent {
            job_id: job_id.clone(),
            kind: "import".into(),
            phase,
            done,
            total: None,
            message,
            counts: crate::api::JobCounts::default(),
        };
        let profile_name = request.save_profile_as.clone();
        let wire_mapping = request.mapping.clone();
        let (summary, headers) = tokio::task::spawn_blocking(move || {
            let mut state = state.lock().unwrap_or_else(PoisonError::into_inner);
            let confirmed = wire::from_wire(&request.mapping, state.width)?;
            state.mapping = Some(confirmed.clone());
            sink.emit(event(
                JobPhase::Started,
                0,
                format!("Importing {}", state.file_name),
            ));
            let context = PassContext::load(&store, &state, today)?;
            let account = state.origin().to_string();
            let expected_rows = state.estimated_rows()?;
            let state = &*state;
            // Two threads: this one holds the write transaction while a producer reads, maps,
            // judges and serialises rows, a bounded queue of batches between them (memory stays
            // flat). The producer's outcome decides the commit: a file that fails half-way
            // stages nothing.
            let result = std::thread::scope(|scope| {
                let (batches, received) = std::sync::mpsc::sync_channel::<Vec<Staged>>(STAGE_QUEUE);
                let (confirmed, context, sink, event) = (&confirmed, &context, &sink, &event);
                let producer = scope.spawn(move || {
                    let mut counts = Counts::default();
                    let mut batch = Vec::with_capacity(STAGE_BATCH);
                    each_row(state, confirmed, context, |_, judged| {
                        counts.add(judged.status);
                        if let (
                            Some(invoice),
                            Some(fingerprint),
                            ImportRowStatus::Ready | ImportRowStatus::NeedsFixing,
                        ) = (judged.invoice, judged.fingerprint, judged.status)
                        {
                            let edits = context.fixes_by_debtor.get(&invoice.debtor_key);
                            batch.push(Staged::new(invoice, edits, fingerprint, judged.blocking));
                            if batch.len() == STAGE_BATCH {
                                let full = std::mem::replace(&mut batch, Vec::with_capacity(STAGE_BATCH));
                                // A closed queue means the writer failed; its error is the one
                                // reported, this one only stops the pass.
                                batches.send(full).map_err(|_| EngineError::TaskPanicked)?;
                            }
                        }
                        if counts.total % 50_000 == 0 {
                            sink.emit(event(
                                JobPhase::Progress,
                                counts.total,
                                format!("{} rows read", counts.total),
                            ));
                        }
                        Ok(())
                    })?;
                    if !batch.is_empty() {
                        batches.send(batch).map_err(|_| EngineError::TaskPanicked)?;
                    }
                    Ok::<_, EngineError>(counts)
                });
                store.write_invoices(expected_rows, move |writer| {
                    let mut payload = Vec::with_capacity(1024);
                    for batch in &received {
                        for staged in &batch {
                            let json = staged.payload_json(&mut payload)?;
                            writer.write(&staged.row(json, SOURCE_STATUS, now))?;
                        }
                    }
                    let counts = producer.join().map_err(|_| EngineError::TaskPanicked)??;
                    if writer.rebuilds_indexes() {
                        sink.emit(event(
                            JobPhase::Progress,
                            counts.total,
                            format!("Indexing {} invoices for review", writer.written()),
                        ));
                    }
                    Ok::<_, EngineError>(counts)
                })
            });
            let counts = match result {
                Ok(counts) => counts,
                Err(error) => {
                    sink.emit(event(JobPhase::Failed, 0, format!("Nothing was imported: {error}")));
                    return Err(error);
                }
            };
            let staged = counts.ready + counts.needs_fixing;
            if staged > 0 {
                crate::integrations::remember_import(&store, &state.file_name, now)?;
            }
            sink.emit(event(
                JobPhase::Finished,
                counts.total,
                format!(
                    "{staged} invoices imported; {} rows with errors and {} duplicates left out",
                    counts.invalid, counts.duplicates
                ),
            ));
            Ok((
                StageSummary {
                    staged,
                    ready: counts.ready,
                    needs_fixing: counts.needs_fixing,
                    invalid: counts.invalid,
                    duplicates: counts.duplicates,
                    account,
                    profile: None,
                },
                state.headers.clone(),
            ))
        })
        .await
        .map_err(|_| EngineError::TaskPanicked)??;
        let profile = match profile_name {
            Some(name) => Some(
                self.save_mapping_profile(name, headers, wire_mapping)
                    .await?,
            ),
            None => None,
        };
        Ok(StageSummary { profile, ..summary })
    }

    /// The session's state, for the error-file export.
    pub(crate) fn import_state(&self, id: &str) -> Result<Arc<Mutex<ImportState>>, EngineError> {
        self.inner.imports.get(id)
    }
}

impl ImportState {
    pub(crate) fn headers(&self) -> &[String] {
        &self.headers
    }

    pub(crate) fn file_name(&self) -> &str {
        &self.file_name
    }

    pub(crate) fn mapping(&self) -> Option<&ConfirmedMapping> {
        self.mapping.as_ref()
    }

    pub(crate) fn delimiter(&self) -> u8 {
        match &self.table {
            Table::Delimited { dialect, .. } => dialect.delimiter,
            Table::Workbook { .. } => b',',
        }
    }

    pub(crate) fn width(&self) -> usize {
        self.width
    }
}
