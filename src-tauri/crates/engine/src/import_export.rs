//! The annotated error file: every row that did not import cleanly (invalid or needing fixes),
//! with the user's fixes applied, the bad cells highlighted (XLSX) and a last column saying
//! what to fix. Its header is the original's plus that column, which the import ignores, so
//! the fixed file re-imports with the same saved mapping.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::PoisonError;

use rust_xlsxwriter::{Color, Format, Workbook};

use crate::api::{ErrorFileFormat, ErrorFileSummary, ImportRowStatus, IssueSeverity};
use crate::import::{PassContext, REASON_HEADER, each_row};
use crate::{Engine, EngineError};

/// Writes rows one by one, so a file of a million bad rows takes no more memory than one.
enum Writer {
    /// Boxed: a workbook is much larger than a CSV writer.
    Xlsx {
        book: Box<Workbook>,
        bad: Format,
        header: Format,
        row: u32,
    },
    Csv(csv::Writer<std::fs::File>),
}

fn xlsx_error(path: &Path, source: rust_xlsxwriter::XlsxError) -> EngineError {
    EngineError::ErrorFile {
        path: path.display().to_string(),
        source,
    }
}

impl Writer {
    fn create(path: &Path, format: ErrorFileFormat, delimiter: u8) -> Result<Writer, EngineError> {
        Ok(match format {
            ErrorFileFormat::Xlsx => {
                let mut book = Workbook::new();
                // Constant memory: rows are flushed to a temporary file as they are written.
                book.add_worksheet_with_constant_memory()
                    .and_then(|sheet| sheet.set_name("To fix"))
                    .map_err(|e| xlsx_error(path, e))?;
                Writer::Xlsx {
                    book: Box::new(book),
                    bad: Format::new()
                        .set_background_color(Color::RGB(0xFFC7CE))
                        .set_font_color(Color::RGB(0x9C0006)),
                    header: Format::new().set_bold(),
                    row: 0,
                }
            }
            ErrorFileFormat::Csv => {
                let mut file =
                    std::fs::File::create(path).map_err(|source| EngineError::ImportFile {
                        path: path.display().to_string(),
                        source,
                    })?;
                // A BOM, so Excel opens the UTF-8 text as UTF-8.
                std::io::Write::write_all(&mut file, "\u{FEFF}".as_bytes()).map_err(|source| {
                    EngineError::ImportFile {
                        path: path.display().to_string(),
                        source,
                    }
                })?;
                Writer::Csv(
                    csv::WriterBuilder::new()
                        .delimiter(delimiter)
                        .flexible(true)
                        .from_writer(file),
                )
            }
        })
    }

    /// One row: `cells` then the reason; `bad` columns highlighted.
    fn row(
        &mut self,
        path: &Path,
        cells: &[String],
        reason: &str,
        bad: &BTreeSet<usize>,
        is_header: bool,
    ) -> Result<(), EngineError> {
        match self {
            Writer::Xlsx {
                book,
                bad: bad_format,
                header,
                row,
            } => {
                let sheet = book
                    .worksheet_from_index(0)
                    .map_err(|e| xlsx_error(path, e))?;
                for (column, text) in cells
                    .iter()
                    .chain(std::iter::once(&reason.to_owned()))
                    .enumerate()
                {
                    let column = u16::try_from(column).map_err(|_| EngineError::InvalidInput {
                        field: "row",
                        reason: "a row has more columns than a spreadsheet can hold".into(),
                    })?;
                    let format = if is_header {
                        Some(&*header)
                    } else if bad.contains(&usize::from(column)) {
                        Some(&*bad_format)
                    } else {
                        None
                    };
                    // Text cells, always: invoice numbers keep their leading zeros and
                    // amounts their locale.
                    match format {
                        Some(f) => sheet.write_string_with_format(*row, column, text, f),
                        None => sheet.write_string(*row, column, text),
                    }
                    .map_err(|e| xlsx_error(path, e))?;
                }
                *row += 1;
                Ok(())
            }
            Writer::Csv(writer) => writer
                .write_record(
                    cells
                        .iter()
                        .map(String::as_str)
                        .chain(std::iter::once(reason)),
                )
                .map_err(|source| EngineError::ErrorFileCsv {
                    path: path.display().to_string(),
                    source,
                }),
        }
    }

    fn finish(self, path: &Path) -> Result<(), EngineError> {
        match self {
            Writer::Xlsx { mut book, .. } => book.save(path).map_err(|e| xlsx_error(path, e)),
            Writer::Csv(mut writer) => writer.flush().map_err(|source| EngineError::ImportFile {
                path: path.display().to_string(),
                source,
            }),
        }
    }
}

impl Engine {
    /// Writes the rows that need attention to `path` (see the module docs), under the mapping
    /// of the last preview.
    pub async fn export_import_errors(
        &self,
        id: String,
        path: String,
        format: ErrorFileFormat,
    ) -> Result<ErrorFileSummary, EngineError> {
        let state = self.import_state(&id)?;
        let store = self.store().clone();
        let today = self.clock().today();
        tokio::task::spawn_blocking(move || {
            let state = state.lock().unwrap_or_else(PoisonError::into_inner);
            let mapping = state.mapping().cloned().ok_or(EngineError::InvalidInput {
                field: "mapping",
                reason: "preview the import before exporting its errors".into(),
            })?;
            let target = Path::new(&path);
            let mut writer = Writer::create(target, format, state.delimiter())?;
            writer.row(
                target,
                state.headers(),
                REASON_HEADER,
                &BTreeSet::new(),
                true,
            )?;
            let context = PassContext::load(&store, &state, today)?;
            let mut written = 0u64;
            let file_name = state.file_name().to_owned();
            each_row(&state, &mapping, &context, |row, judged| {
                if !matches!(
                    judged.status,
                    ImportRowStatus::Invalid | ImportRowStatus::NeedsFixing
                ) {
                    return Ok(());
                }
                let blocking = judged
                    .readiness
                    .iter()
                    .filter(|i| i.severity == IssueSeverity::Blocking);
                let bad: BTreeSet<usize> = judged
                    .cell_errors
                    .iter()
                    .filter_map(|e| e.column)
                    .chain(blocking.clone().filter_map(|i| i.column))
                    .map(|c| c as usize)
                    .collect();
                let reasons: Vec<String> = judged
                    .cell_errors
                    .iter()
                    .map(|e| match e.column {
                        Some(c) => format!("column {}: {}", c + 1, e.message),
                        None => e.message.clone(),
                    })
                    .chain(blocking.map(|i| i.message.clone()))
                    .collect();
                let reason = format!("Row {} of {file_name}: {}", row.line, reasons.join("; "));
                // A short row is padded so the reason stays in its column.
                let mut cells = row.cells;
                if cells.len() < state.width() {
                    cells.resize(state.width(), String::new());
                }
                writer.row(target, &cells, &reason, &bad, false)?;
                written += 1;
                Ok(())
            })?;
            writer.finish(target)?;
            Ok(ErrorFileSummary {
                path,
                rows: written,
            })
        })
        .await
        .map_err(|_| EngineError::TaskPanicked)?
    }
}
