//! Workbooks (XLSX, XLSM, XLSB, XLS, ODS): the sheets, and one sheet's
//! table as the same [`Row`]s a CSV gives.
//!
//! Cells are typed in a workbook, so nothing is sniffed or decoded: dates
//! formatted as dates come out as ISO text (`2024-03-31`), numbers in
//! their plain decimal-point form, text verbatim. Numbers that are dates
//! without a date format stay numbers and are read as spreadsheet serials
//! only in a column mapped to a date (see [`crate::values`]). The title
//! rows and header are found the way [`crate::sniff`] finds them in text.
//!
//! Unlike CSV, a sheet is read whole: the workbook reader (`calamine`)
//! loads one sheet at a time into memory.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Sheets};

use crate::error::{ImportError, Location};
use crate::reader::{Row, RowStatus};
use crate::sniff::{has_content, table_layout};

/// An open workbook.
pub struct Workbook {
    sheets: Sheets<Cursor<Vec<u8>>>,
    location: Location,
}

/// One sheet's table.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The header row's cells, if the sheet has one.
    pub header: Option<Vec<String>>,
    /// Every row below the header (or below the title rows), empty ones
    /// included, numbered as the spreadsheet numbers them.
    pub rows: Vec<Row>,
    /// File and sheet, for errors about its rows.
    pub location: Location,
}

/// Opens a workbook from its bytes; the format is recognised from them,
/// not from the file name.
///
/// # Errors
/// [`ImportError::Workbook`] for a file that is not a workbook calamine can
/// read (or is damaged, or encrypted).
pub fn open_workbook(bytes: Vec<u8>, file_name: &str) -> Result<Workbook, ImportError> {
    let location = Location::file(file_name);
    let sheets = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|source| {
        ImportError::Workbook {
            location: location.clone(),
            source: Box::new(source),
        }
    })?;
    Ok(Workbook { sheets, location })
}

impl Workbook {
    /// The sheets, in the workbook's order, for the user to choose from.
    pub fn sheet_names(&self) -> Vec<String> {
        self.sheets.sheet_names()
    }

    /// Reads one sheet.
    ///
    /// # Errors
    /// [`ImportError::SheetNotFound`], or [`ImportError::Workbook`] when
    /// the sheet's data cannot be read.
    pub fn sheet(&mut self, name: &str) -> Result<Sheet, ImportError> {
        let mut location = self.location.clone();
        location.sheet = Some(name.to_owned());
        if !self.sheet_names().iter().any(|n| n == name) {
            return Err(ImportError::SheetNotFound {
                location,
                sheet: name.to_owned(),
            });
        }
        let range = self
            .sheets
            .worksheet_range(name)
            .map_err(|source| ImportError::Workbook {
                location: location.clone(),
                source: Box::new(source),
            })?;
        let (first_row, first_column) = range.start().unwrap_or((0, 0));
        let pad = usize::try_from(first_column).unwrap_or(0);
        // Cells as text, padded on the left so column indexes are the
        // sheet's own (A = 0), and numbered with the sheet's row numbers.
        let lines: Vec<(u64, Vec<String>)> = range
            .rows()
            .enumerate()
            .map(|(index, cells)| {
                let mut texts = vec![String::new(); pad];
                texts.extend(cells.iter().map(cell_text));
                (u64::from(first_row) + index as u64 + 1, texts)
            })
            .collect();
        let trimmed = |cells: &[String]| -> Vec<String> {
            let end = cells
                .iter()
                .rposition(|c| !c.trim().is_empty())
                .map_or(0, |i| i + 1);
            cells[..end].to_vec()
        };
        let records: Vec<Vec<String>> = lines
            .iter()
            .filter(|(_, cells)| has_content(cells.iter().map(String::as_str)))
            .map(|(_, cells)| trimmed(cells))
            .collect();
        let (preamble, has_header) = table_layout(&records);
        let header_index = preamble;
        let header = has_header.then(|| records[header_index].clone());
        let width = header
            .as_ref()
            .map(Vec::len)
            .or_else(|| records.get(preamble).map(Vec::len))
            .unwrap_or(0);

        // Skip title rows and header by counting non-empty lines, as the
        // layout was measured on them.
        let mut to_skip = preamble + usize::from(has_header);
        let mut rows = Vec::new();
        for (line, cells) in lines {
            let content = has_content(cells.iter().map(String::as_str));
            if to_skip > 0 {
                to_skip -= usize::from(content);
                continue;
            }
            let used = trimmed(&cells).len();
            let (cells, status) = if !content {
                (Vec::new(), RowStatus::Empty)
            } else if used > width {
                (
                    trimmed(&cells),
                    RowStatus::Ragged {
                        expected: width,
                        found: used,
                    },
                )
            } else {
                let mut cells = cells;
                cells.resize(width, String::new());
                (cells, RowStatus::Complete)
            };
            rows.push(Row {
                line,
                cells,
                status,
            });
        }
        Ok(Sheet {
            header,
            rows,
            location,
        })
    }
}

/// A cell as the text the rest of the import reads.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Data::DateTime(_) => match cell.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => at.date().to_string(),
            Some(at) => at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => cell.to_string(),
        },
        Data::Error(error) => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use chrono::NaiveDate;
    use rust_decimal::dec;

    use super::*;
    use crate::invoices::{rows_to_invoices, ConfirmedMapping};
    use crate::mapping::suggest;
    use crate::values::{DateFormat, NumberLocale};

    const NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    const PKG: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

    /// A cell: text (inline string), a number, or a number styled as a
    /// date (style 1 = number format 14, Excel's short date).
    enum Cell {
        Text(&'static str),
        Number(&'static str),
        Date(&'static str),
    }

    fn sheet_xml(rows: &[(u32, &[Cell])]) -> String {
        let mut xml = format!("<worksheet xmlns=\"{NS}\"><sheetData>");
        for (number, cells) in rows {
            xml += &format!("<row r=\"{number}\">");
            for (i, cell) in cells.iter().enumerate() {
                let reference = format!("{}{number}", char::from(b'A' + u8::try_from(i).unwrap()));
                xml += &match cell {
                    Cell::Text(t) => {
                        format!("<c r=\"{reference}\" t=\"inlineStr\"><is><t>{t}</t></is></c>")
                    }
                    Cell::Number(n) => format!("<c r=\"{reference}\"><v>{n}</v></c>"),
                    Cell::Date(n) => format!("<c r=\"{reference}\" s=\"1\"><v>{n}</v></c>"),
                };
            }
            xml += "</row>";
        }
        xml + "</sheetData></worksheet>"
    }

    /// A minimal XLSX (two sheets, stored uncompressed) written in the test.
    fn xlsx(sheets: &[(&str, String)]) -> Vec<u8> {
        let mut parts: Vec<(String, String)> = Vec::new();
        let mut types = String::new();
        let mut entries = String::new();
        let mut rels = String::new();
        for (i, (name, xml)) in sheets.iter().enumerate() {
            let n = i + 1;
            types += &format!("<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>");
            entries += &format!("<sheet name=\"{name}\" sheetId=\"{n}\" r:id=\"rId{n}\"/>");
            rels += &format!("<Relationship Id=\"rId{n}\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet{n}.xml\"/>");
            parts.push((format!("xl/worksheets/sheet{n}.xml"), xml.clone()));
        }
        rels += &format!("<Relationship Id=\"rIdS\" Type=\"{REL}/styles\" Target=\"styles.xml\"/>");
        parts.push(("[Content_Types].xml".into(), format!("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>{types}</Types>")));
        parts.push(("_rels/.rels".into(), format!("<Relationships xmlns=\"{PKG}\"><Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>")));
        parts.push((
            "xl/workbook.xml".into(),
            format!(
                "<workbook xmlns=\"{NS}\" xmlns:r=\"{REL}\"><sheets>{entries}</sheets></workbook>"
            ),
        ));
        parts.push((
            "xl/_rels/workbook.xml.rels".into(),
            format!("<Relationships xmlns=\"{PKG}\">{rels}</Relationships>"),
        ));
        parts.push(("xl/styles.xml".into(), format!("<styleSheet xmlns=\"{NS}\"><cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>")));

        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, xml) in parts {
            zip.start_file(name, options).unwrap();
            zip.write_all(xml.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn invoices_workbook() -> Vec<u8> {
        use Cell::{Date, Number, Text};
        let notes = sheet_xml(&[(1, &[Text("Exported from the ERP")])]);
        let invoices = sheet_xml(&[
            (1, &[Text("Open invoices March")]),
            (
                3,
                &[
                    Text("Invoice no"),
                    Text("Invoice date"),
                    Text("Amount"),
                    Text("Currency"),
                    Text("Phone"),
                ],
            ),
            (
                4,
                &[
                    Text("00123"),
                    Date("45382"),
                    Number("1234.56"),
                    Text("DKK"),
                    Text("+4512345678"),
                ],
            ),
            (
                6,
                &[Text("00124"), Date("45383"), Number("99"), Text("DKK")],
            ),
            (
                7,
                &[
                    Text("00125"),
                    Date("45383"),
                    Number("5"),
                    Text("DKK"),
                    Text(""),
                    Text("stray note"),
                ],
            ),
        ]);
        xlsx(&[("Notes", notes), ("Invoices", invoices)])
    }

    #[test]
    fn sheets_are_listed_for_the_user_to_choose() {
        let workbook = open_workbook(invoices_workbook(), "march.xlsx").unwrap();
        assert_eq!(workbook.sheet_names(), ["Notes", "Invoices"]);
    }

    #[test]
    fn a_sheet_reads_as_rows_with_dates_as_iso_and_text_verbatim() {
        let mut workbook = open_workbook(invoices_workbook(), "march.xlsx").unwrap();
        let sheet = workbook.sheet("Invoices").unwrap();
        assert_eq!(
            sheet.header.as_deref().unwrap(),
            ["Invoice no", "Invoice date", "Amount", "Currency", "Phone"]
        );
        let summary: Vec<(u64, RowStatus)> =
            sheet.rows.iter().map(|r| (r.line, r.status)).collect();
        assert_eq!(
            summary,
            [
                (4, RowStatus::Complete),
                (5, RowStatus::Empty),
                (6, RowStatus::Complete),
                (
                    7,
                    RowStatus::Ragged {
                        expected: 5,
                        found: 6
                    }
                ),
            ]
        );
        assert_eq!(
            sheet.rows[0].cells,
            ["00123", "2024-03-31", "1234.56", "DKK", "+4512345678"]
        );
        assert_eq!(
            sheet.rows[2].cells[4], "",
            "a missing last cell is empty, not ragged"
        );
        assert_eq!(sheet.location.sheet.as_deref(), Some("Invoices"));
    }

    #[test]
    fn a_sheet_feeds_the_same_mapping_and_invoice_building() {
        let mut workbook = open_workbook(invoices_workbook(), "march.xlsx").unwrap();
        let sheet = workbook.sheet("Invoices").unwrap();
        let header = sheet.header.clone().unwrap();
        let sample: Vec<Vec<String>> = sheet.rows.iter().map(|r| r.cells.clone()).collect();
        let mapping = ConfirmedMapping::from_suggestions(
            &suggest(&header, &sample),
            0.5,
            &sample,
            NumberLocale::DecimalComma,
        );
        assert_eq!(mapping.issue_date_format, Some(DateFormat::Iso));
        assert_eq!(mapping.amount_locale, NumberLocale::DecimalPoint);
        let results: Vec<_> = rows_to_invoices(
            &mapping,
            &sheet.location,
            sheet.rows.iter().cloned().map(Ok),
        )
        .collect();
        let first = results[0].as_ref().unwrap();
        assert_eq!(first.total().amount(), dec!(1234.56));
        assert_eq!(
            first.issue_date,
            NaiveDate::from_ymd_opt(2024, 3, 31).unwrap()
        );
        assert_eq!(first.source.account(), "march.xlsx [Invoices]");
        let empty = results[1].as_ref().unwrap_err();
        assert_eq!(
            empty.location().and_then(|l| l.sheet.as_deref()),
            Some("Invoices")
        );
        assert_eq!(
            empty.to_string(),
            "march.xlsx [Invoices], row 5: the row is empty"
        );
    }

    #[test]
    fn a_missing_sheet_and_a_damaged_workbook_are_clear_errors() {
        let mut workbook = open_workbook(invoices_workbook(), "march.xlsx").unwrap();
        let error = workbook.sheet("April").unwrap_err();
        assert_eq!(error.code(), "import_sheet_missing");
        let Err(error) = open_workbook(b"PK\x03\x04 not really a zip".to_vec(), "x.xlsx") else {
            panic!("garbage opened as a workbook");
        };
        assert_eq!(error.code(), "import_workbook_unreadable");
        assert!(std::error::Error::source(&error).is_some());
    }
}
