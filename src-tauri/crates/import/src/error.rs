//! The crate's one error type, and where in a file an error happened.

use std::fmt;

use casebridge_domain::ErrorReport;
use serde::Serialize;

use crate::values::{DateFormat, NumberLocale, ValueProblem};

/// Where in an imported file something went wrong: the UI jumps there.
///
/// `row` is the 1-based physical line the record starts on (what a text
/// editor or spreadsheet shows), `column` the 0-based column index.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Location {
    /// The file's name as the user picked it.
    pub file: String,
    /// The sheet, for workbooks.
    pub sheet: Option<String>,
    /// 1-based row (line) number, when the error is about one row.
    pub row: Option<u64>,
    /// 0-based column index, when the error is about one cell.
    pub column: Option<usize>,
}

impl Location {
    /// The whole file.
    pub fn file(file: impl Into<String>) -> Location {
        Location {
            file: file.into(),
            ..Location::default()
        }
    }

    /// One row of the file.
    #[must_use]
    pub fn at_row(mut self, row: u64) -> Location {
        self.row = Some(row);
        self
    }

    /// One cell of the file.
    #[must_use]
    pub fn at_cell(mut self, row: u64, column: usize) -> Location {
        self.row = Some(row);
        self.column = Some(column);
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, " [{sheet}]")?;
        }
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(column) = self.column {
            // Users count columns from 1 (A, B, C… in a spreadsheet).
            write!(f, ", column {}", column + 1)?;
        }
        Ok(())
    }
}

/// What a file that is not text looks like, to say so plainly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinaryKind {
    /// A ZIP container: XLSX, ODS, DOCX or a real ZIP.
    ZipContainer,
    /// An OLE2 compound file: legacy XLS or DOC.
    OleCompound,
    /// A PDF document.
    Pdf,
    /// An image (PNG, JPEG, GIF).
    Image,
    /// Anything else with control bytes no text file has.
    Unknown,
}

impl BinaryKind {
    fn describe(self) -> &'static str {
        match self {
            BinaryKind::ZipContainer => "a ZIP container (XLSX, ODS or ZIP)",
            BinaryKind::OleCompound => "a legacy Office file (XLS or DOC)",
            BinaryKind::Pdf => "a PDF document",
            BinaryKind::Image => "an image",
            BinaryKind::Unknown => "binary data",
        }
    }
}

impl fmt::Display for BinaryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Everything that can go wrong while importing a file.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Reading the file failed.
    #[error("{location}: could not read the file")]
    Io {
        /// Where.
        location: Location,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not text (e.g. a workbook or PDF renamed to `.csv`).
    #[error("{location}: this is {kind}, not a text file")]
    NotText {
        /// Where.
        location: Location,
        /// What it looks like instead.
        kind: BinaryKind,
    },
    /// An encoding label the user chose that no decoder knows.
    #[error("\"{label}\" is not a text encoding we know")]
    UnknownEncoding {
        /// The label as given.
        label: String,
    },
    /// The file has no rows at all.
    #[error("{location}: the file is empty")]
    Empty {
        /// Where.
        location: Location,
    },
    /// A cell that cannot be read as its column's kind of value.
    #[error("{location}: \"{input}\" {problem}")]
    Cell {
        /// Where.
        location: Location,
        /// The cell as the file holds it.
        input: String,
        /// What is wrong with it.
        problem: ValueProblem,
    },
    /// A row without any value: reported so the user sees every line that
    /// was not imported.
    #[error("{location}: the row is empty")]
    EmptyRow {
        /// Where.
        location: Location,
    },
    /// A row with a different number of cells than the table, so its
    /// values may sit under the wrong columns.
    #[error("{location}: the row has {found} cells but the table has {expected} columns")]
    RaggedRow {
        /// Where.
        location: Location,
        /// The table's width.
        expected: usize,
        /// This row's.
        found: usize,
    },
    /// A value an invoice cannot be built without.
    #[error("{location}: {field} is missing")]
    MissingValue {
        /// Where (the mapped column, when there is one).
        location: Location,
        /// What is missing, in words.
        field: &'static str,
    },
    /// A date column whose day/month order could not be inferred and was
    /// not chosen.
    #[error("{location}: the day/month order of this date column is not chosen")]
    DateOrderUnknown {
        /// Where.
        location: Location,
    },
    /// A value the domain refused (unknown currency, too many decimals…).
    #[error("{location}: {source}")]
    Domain {
        /// Where.
        location: Location,
        /// The domain's reason, with its own code and hint.
        #[source]
        source: casebridge_domain::DomainError,
    },
    /// A workbook (XLSX, XLS, ODS) that cannot be read.
    #[error("{location}: the workbook cannot be read")]
    Workbook {
        /// Where.
        location: Location,
        /// The workbook reader's error (boxed: it is large, and every
        /// other result of this crate would carry its size).
        #[source]
        source: Box<calamine::Error>,
    },
    /// A sheet name the workbook does not have.
    #[error("{location}: the workbook has no sheet \"{sheet}\"")]
    SheetNotFound {
        /// Where.
        location: Location,
        /// The name asked for.
        sheet: String,
    },
    /// The CSV parser gave up on a record.
    #[error("{location}: the row could not be read as delimited text")]
    Csv {
        /// Where.
        location: Location,
        /// The parser's error.
        #[source]
        source: csv::Error,
    },
    /// A ZIP whose directory cannot be read (cut off, damaged, not a ZIP).
    #[error("{location}: the ZIP cannot be opened")]
    ZipUnreadable {
        /// Where.
        location: Location,
        /// The ZIP reader's error.
        #[source]
        source: zip::result::ZipError,
    },
    /// A ZIP with more entries than a bundle of documents has.
    #[error("{location}: the ZIP holds {count} entries, more than the {limit} allowed")]
    ZipTooManyEntries {
        /// Where.
        location: Location,
        /// Entries in its directory.
        count: usize,
        /// The limit.
        limit: usize,
    },
}

impl ImportError {
    /// Stable snake_case identifier for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Io { .. } => "import_io",
            ImportError::Csv { source, .. } if source.is_io_error() => "import_io",
            ImportError::NotText { .. } => "import_not_text",
            ImportError::UnknownEncoding { .. } => "import_unknown_encoding",
            ImportError::Empty { .. } => "import_empty_file",
            ImportError::Csv { .. } => "import_csv_malformed",
            ImportError::EmptyRow { .. } => "row_empty",
            ImportError::Workbook { .. } => "import_workbook_unreadable",
            ImportError::SheetNotFound { .. } => "import_sheet_missing",
            ImportError::RaggedRow { .. } => "row_ragged",
            ImportError::MissingValue { .. } => "value_missing",
            ImportError::DateOrderUnknown { .. } => "date_order_unknown",
            ImportError::ZipUnreadable { .. } => "zip_unreadable",
            ImportError::ZipTooManyEntries { .. } => "zip_too_many_entries",
            // The domain's code, so an import row error and a readiness
            // checklist item read alike.
            ImportError::Domain { source, .. } => source.code(),
            ImportError::Cell { problem, .. } => match problem {
                ValueProblem::NotAnAmount => "amount_invalid",
                ValueProblem::WrongNumberLocale { .. } => "amount_wrong_locale",
                ValueProblem::LeadingZeros => "amount_leading_zeros",
                ValueProblem::NotADate { .. } => "date_invalid",
                ValueProblem::ImpossibleDate => "date_impossible",
            },
        }
    }

    /// What the user can do about it, in plain words.
    pub fn hint(&self) -> String {
        match self {
            ImportError::Workbook { .. } => {
                "Open the file in a spreadsheet program and save it again, or export the sheet as CSV."
                    .to_owned()
            }
            ImportError::SheetNotFound { .. } => "Pick one of the workbook's sheets.".to_owned(),
            ImportError::ZipUnreadable { .. } => {
                "The ZIP is damaged or incomplete (e.g. a download that stopped): download or create it again."
                    .to_owned()
            }
            ImportError::ZipTooManyEntries { .. } => {
                "Split the documents into several ZIPs.".to_owned()
            }
            ImportError::EmptyRow { .. } => {
                "Delete the empty line, or ignore it: nothing in it can be imported.".to_owned()
            }
            ImportError::RaggedRow { .. } => {
                "Check the row in a spreadsheet: a value may contain an unquoted delimiter."
                    .to_owned()
            }
            ImportError::MissingValue { .. } => {
                "Fill in the cell, or map a column (or a default) for this field.".to_owned()
            }
            ImportError::DateOrderUnknown { .. } => {
                "Choose whether the column is day/month/year or month/day/year.".to_owned()
            }
            ImportError::Domain { source, .. } => source.hint(),
            ImportError::Csv { source, .. } if source.is_io_error() => {
                "Check that the file still exists and that you may read it, then try again."
                    .to_owned()
            }
            ImportError::Io { .. } => {
                "Check that the file still exists and that you may read it, then try again."
                    .to_owned()
            }
            ImportError::NotText { kind, .. } => match kind {
                BinaryKind::ZipContainer | BinaryKind::OleCompound => {
                    "Rename it to its real extension (.xlsx, .xls, .ods) or export it as CSV."
                        .to_owned()
                }
                _ => "Export the invoices from your system as CSV, TSV or a spreadsheet."
                    .to_owned(),
            },
            ImportError::UnknownEncoding { .. } => {
                "Pick an encoding from the list, e.g. UTF-8, windows-1252 or ISO-8859-2."
                    .to_owned()
            }
            ImportError::Empty { .. } => "Choose a file that contains the invoices.".to_owned(),
            ImportError::Cell { problem, .. } => match problem {
                ValueProblem::NotAnAmount => {
                    "Enter a number, or check that the right column is mapped to this field."
                        .to_owned()
                }
                ValueProblem::WrongNumberLocale { expected } => match expected {
                    NumberLocale::DecimalPoint => {
                        "Write it like 1,234.56, or switch the column to decimal comma.".to_owned()
                    }
                    NumberLocale::DecimalComma => {
                        "Write it like 1.234,56, or switch the column to decimal point.".to_owned()
                    }
                },
                ValueProblem::LeadingZeros => {
                    "Map this column to a text field (invoice or customer number), or remove the leading zeros."
                        .to_owned()
                }
                ValueProblem::NotADate { expected } => match expected {
                    DateFormat::ExcelSerial => {
                        "Format the column as a date in the spreadsheet, or pick another date column."
                            .to_owned()
                    }
                    _ => format!(
                        "Write the date as {}, or change the column's date format.",
                        expected.pattern()
                    ),
                },
                ValueProblem::ImpossibleDate => {
                    "Correct the day or month, or change the column's day/month order.".to_owned()
                }
            },
            ImportError::Csv { .. } => {
                "Check the delimiter and quote settings, or open the file in a spreadsheet and save it as CSV again."
                    .to_owned()
            }
        }
    }

    /// Where it happened, when it is about a file.
    pub fn location(&self) -> Option<&Location> {
        match self {
            ImportError::Io { location, .. }
            | ImportError::NotText { location, .. }
            | ImportError::Empty { location }
            | ImportError::Cell { location, .. }
            | ImportError::EmptyRow { location }
            | ImportError::Workbook { location, .. }
            | ImportError::SheetNotFound { location, .. }
            | ImportError::RaggedRow { location, .. }
            | ImportError::MissingValue { location, .. }
            | ImportError::DateOrderUnknown { location }
            | ImportError::Domain { location, .. }
            | ImportError::Csv { location, .. }
            | ImportError::ZipUnreadable { location, .. }
            | ImportError::ZipTooManyEntries { location, .. } => Some(location),
            ImportError::UnknownEncoding { .. } => None,
        }
    }

    /// The `{ code, message, hint }` triple the UI shows.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code(),
            message: self.to_string(),
            hint: self.hint(),
        }
    }
}
