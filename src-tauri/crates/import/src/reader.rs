//! Streaming rows out of a delimited file, in constant memory.
//!
//! [`open`] reads a prefix once to detect the encoding and sniff the
//! dialect, then puts the prefix back in front of the stream, so a file is
//! read exactly once, from a file, a pipe or a network body alike. Rows
//! come out one at a time with their 1-based line number and their cells
//! verbatim. Empty and ragged rows are yielded and flagged, never skipped:
//! the user sees every line of the table that was not imported.

use std::collections::VecDeque;
use std::io::{self, Chain, Cursor, Read};

use serde::Serialize;

use crate::encoding::{self, DecodingReader, DetectedEncoding, SNIFF_PREFIX_LEN};
use crate::error::{ImportError, Location};
use crate::sniff::{self, has_content, Dialect};

/// What is special about a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RowStatus {
    /// As wide as the table.
    Complete,
    /// A blank line, or cells with nothing in them.
    Empty,
    /// Fewer or more (non-empty) cells than the table has columns.
    Ragged {
        /// The table's width (the header's, else the first data row's).
        expected: usize,
        /// This row's.
        found: usize,
    },
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    /// 1-based line number the row starts on, as an editor shows it.
    pub line: u64,
    /// The cells exactly as the file holds them (leading zeros, spaces).
    /// Empty cells that Excel pads a row with beyond the table are cut.
    pub cells: Vec<String>,
    /// Empty or ragged rows are flagged here.
    pub status: RowStatus,
}

/// The prefix that was read for sniffing, put back in front of the rest.
pub type Rewound<R> = Chain<Cursor<Vec<u8>>, R>;

/// Reads the start of `inner`, detects its encoding (or takes the user's
/// `encoding_override` label), sniffs the dialect and returns the row
/// stream over the whole input.
///
/// # Errors
/// [`ImportError::Io`], [`ImportError::Empty`], [`ImportError::NotText`]
/// (a workbook or binary renamed `.csv`), [`ImportError::UnknownEncoding`],
/// or an error reading the header.
pub fn open<R: Read>(
    mut inner: R,
    file_name: &str,
    encoding_override: Option<&str>,
) -> Result<CsvRows<Rewound<R>>, ImportError> {
    let location = Location::file(file_name);
    let mut prefix = Vec::with_capacity(SNIFF_PREFIX_LEN);
    (&mut inner)
        .take(SNIFF_PREFIX_LEN as u64)
        .read_to_end(&mut prefix)
        .map_err(|source| ImportError::Io {
            location: location.clone(),
            source,
        })?;
    let is_whole_file = prefix.len() < SNIFF_PREFIX_LEN;
    let detected = match encoding_override {
        Some(label) => {
            if prefix.is_empty() {
                return Err(ImportError::Empty { location });
            }
            DetectedEncoding::user_choice(label)?
        }
        None => encoding::detect(&prefix, is_whole_file, &location)?,
    };
    let sample = encoding::decode_prefix(&prefix, &detected);
    let dialect = sniff::sniff(&sample, is_whole_file, detected, &location)?;
    CsvRows::new(Cursor::new(prefix).chain(inner), dialect, file_name)
}

/// Remembers where the newlines are in the text the CSV parser reads, so
/// rows get their real line numbers: the parser skips blank lines without
/// a trace and reports positions before a CRLF's LF is consumed. Offsets
/// are dropped once the parser is past them, so this holds at most one
/// read-ahead buffer's worth.
struct LineCounter<R> {
    inner: R,
    offset: u64,
    newlines: VecDeque<u64>,
    passed: u64,
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for (i, _) in buf[..n].iter().enumerate().filter(|(_, &b)| b == b'\n') {
            self.newlines.push_back(self.offset + i as u64);
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> LineCounter<R> {
    /// The 1-based line of byte `offset`. Calls must not go backwards.
    fn line_of(&mut self, offset: u64) -> u64 {
        while self.newlines.front().is_some_and(|&at| at < offset) {
            self.newlines.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

/// The rows of a delimited file under a [`Dialect`]; see [`open`].
pub struct CsvRows<R: Read> {
    reader: csv::Reader<LineCounter<DecodingReader<R>>>,
    record: csv::StringRecord,
    header: Option<Vec<String>>,
    width: Option<usize>,
    location: Location,
    /// The last line of the record read last (0 before the first).
    last_line: u64,
    /// The first line of the record read last.
    record_line: u64,
    /// Blank lines found before the record held in `held`, to yield first.
    blank_lines: std::ops::Range<u64>,
    held: Option<Row>,
    dialect: Dialect,
}

impl<R: Read> CsvRows<R> {
    /// Reads `inner` under `dialect` (e.g. after the user changed what
    /// [`open`] sniffed): skips the preamble, reads the header.
    ///
    /// # Errors
    /// [`ImportError::Csv`] / [`ImportError::Io`] while reading the
    /// preamble or header.
    pub fn new(inner: R, dialect: Dialect, file_name: &str) -> Result<CsvRows<R>, ImportError> {
        let reader = csv::ReaderBuilder::new()
            .delimiter(dialect.delimiter)
            .quote(dialect.quote)
            .has_headers(false)
            .flexible(true)
            .from_reader(LineCounter {
                inner: DecodingReader::new(inner, &dialect.encoding),
                offset: 0,
                newlines: VecDeque::new(),
                passed: 0,
            });
        let mut rows = CsvRows {
            reader,
            record: csv::StringRecord::new(),
            header: None,
            width: None,
            location: Location::file(file_name),
            last_line: 0,
            record_line: 0,
            blank_lines: 0..0,
            held: None,
            dialect,
        };
        let mut skipped = 0;
        while skipped < dialect.preamble_rows {
            if !rows.read_record()? {
                return Ok(rows);
            }
            skipped += usize::from(has_content(rows.record.iter()));
        }
        if dialect.has_header {
            while rows.read_record()? {
                if has_content(rows.record.iter()) {
                    let header: Vec<String> = rows.record.iter().map(str::to_owned).collect();
                    rows.width = Some(header.len());
                    rows.header = Some(header);
                    break;
                }
            }
        }
        Ok(rows)
    }

    /// The header row's cells, if the file has one.
    pub fn header(&self) -> Option<&[String]> {
        self.header.as_deref()
    }

    /// The dialect the rows are read with.
    pub fn dialect(&self) -> &Dialect {
        &self.dialect
    }

    /// Whether malformed bytes were replaced so far (wrong encoding?).
    pub fn had_decoding_errors(&self) -> bool {
        self.reader.get_ref().inner.had_errors()
    }

    /// Reads the next record into `self.record`; `false` at the end.
    fn read_record(&mut self) -> Result<bool, ImportError> {
        match self.reader.read_record(&mut self.record) {
            Ok(more) => {
                if more {
                    // The parser stops right after a record's terminator
                    // byte (or at the end of the input): the record's last
                    // line is the one that byte is on.
                    let end = self.reader.position().byte();
                    let last = self.reader.get_mut().line_of(end.saturating_sub(1));
                    let inside: usize = self.record.iter().map(|c| c.matches('\n').count()).sum();
                    self.record_line = last.saturating_sub(inside as u64).max(self.last_line + 1);
                    self.last_line = last;
                }
                Ok(more)
            }
            // I/O errors of the file come through the parser too; the csv
            // error keeps them as its source.
            Err(source) => Err(ImportError::Csv {
                location: self.location.clone().at_row(self.last_line + 1),
                source,
            }),
        }
    }

    fn next_row(&mut self) -> Result<Option<Row>, ImportError> {
        let previous = self.last_line;
        if !self.read_record()? {
            return Ok(None);
        }
        let line = self.record_line;
        // The parser skips blank lines; they are rows of the table all the
        // same.
        self.blank_lines = previous + 1..line;
        let mut cells: Vec<String> = self.record.iter().map(str::to_owned).collect();
        let status = if !has_content(cells.iter().map(String::as_str)) {
            RowStatus::Empty
        } else {
            let width = *self.width.get_or_insert(cells.len());
            while cells.len() > width && cells.last().is_some_and(|c| c.trim().is_empty()) {
                cells.pop();
            }
            if cells.len() == width {
                RowStatus::Complete
            } else {
                RowStatus::Ragged {
                    expected: width,
                    found: cells.len(),
                }
            }
        };
        Ok(Some(Row {
            line,
            cells,
            status,
        }))
    }
}

impl<R: Read> Iterator for CsvRows<R> {
    type Item = Result<Row, ImportError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(line) = self.blank_lines.next() {
            return Some(Ok(Row {
                line,
                cells: Vec::new(),
                status: RowStatus::Empty,
            }));
        }
        if let Some(row) = self.held.take() {
            return Some(Ok(row));
        }
        match self.next_row() {
            Ok(Some(row)) => {
                if let Some(line) = self.blank_lines.next() {
                    self.held = Some(row);
                    Some(Ok(Row {
                        line,
                        cells: Vec::new(),
                        status: RowStatus::Empty,
                    }))
                } else {
                    Some(Ok(row))
                }
            }
            Ok(None) => None,
            Err(error) => Some(Err(error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> (Option<Vec<String>>, Vec<Row>) {
        let rows = open(bytes, "test.csv", None).unwrap();
        let header = rows.header().map(<[String]>::to_vec);
        (header, rows.map(Result::unwrap).collect())
    }

    #[test]
    fn rows_keep_their_line_numbers_and_cells_verbatim() {
        let file = "Fakturanr;Telefon;Postnr;Beløb\n00123;+45 12 34 56 78;0150;1.234,56\n00124;0045 87654321;8000;99,00\n";
        let (header, rows) = read(file.as_bytes());
        assert_eq!(header.unwrap(), ["Fakturanr", "Telefon", "Postnr", "Beløb"]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(
            rows[0].cells,
            ["00123", "+45 12 34 56 78", "0150", "1.234,56"]
        );
        assert_eq!(rows[1].status, RowStatus::Complete);
    }

    #[test]
    fn a_preamble_is_skipped_and_data_lines_keep_their_real_numbers() {
        let file =
            "Debitorliste marts\n\nFakturanr;Kunde;Beløb\nA-1;Hansen ApS;10,00\nA-2;Jensen;20,00\n";
        let (header, rows) = read(file.as_bytes());
        assert_eq!(header.unwrap(), ["Fakturanr", "Kunde", "Beløb"]);
        let lines: Vec<u64> = rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [4, 5]);
    }

    #[test]
    fn empty_and_ragged_rows_are_reported_not_dropped() {
        let file = "Invoice no,Customer,Amount\r\nA-1,Acme,10.00\r\n\r\n,,\r\nA-2,Beta\r\nA-3,Gamma,30.00,extra\r\nA-4,Delta,40.00,,\r\n";
        let (_, rows) = read(file.as_bytes());
        let summary: Vec<(u64, RowStatus)> = rows.iter().map(|r| (r.line, r.status)).collect();
        assert_eq!(
            summary,
            [
                (2, RowStatus::Complete),
                (3, RowStatus::Empty),
                (4, RowStatus::Empty),
                (
                    5,
                    RowStatus::Ragged {
                        expected: 3,
                        found: 2
                    }
                ),
                (
                    6,
                    RowStatus::Ragged {
                        expected: 3,
                        found: 4
                    }
                ),
                (7, RowStatus::Complete),
            ]
        );
        assert_eq!(
            rows[5].cells,
            ["A-4", "Delta", "40.00"],
            "Excel padding cut"
        );
        assert_eq!(
            rows[4].cells[3], "extra",
            "extra data kept for the user to see"
        );
    }

    #[test]
    fn a_quoted_cell_spanning_lines_keeps_later_line_numbers_right() {
        let file =
            "Invoice no,Description,Amount\nA-1,\"two\nlines\",10.00\n\nA-2,one line,20.00\n";
        let (_, rows) = read(file.as_bytes());
        let summary: Vec<(u64, RowStatus)> = rows.iter().map(|r| (r.line, r.status)).collect();
        assert_eq!(
            summary,
            [
                (2, RowStatus::Complete),
                (4, RowStatus::Empty),
                (5, RowStatus::Complete)
            ]
        );
        assert_eq!(rows[0].cells[1], "two\nlines");
    }

    #[test]
    fn legacy_encodings_come_out_as_utf8_rows() {
        let text = "Kunde;By;Beløb\nSøren Ærø ApS;Århus;1.234,56\nBjørn Østergård;Næstved;99,00\nÅse Blåbær;Køge;12,00\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(text);
        let rows = open(&bytes[..], "latin.csv", None).unwrap();
        assert_eq!(rows.dialect().encoding.name(), "windows-1252");
        assert_eq!(rows.header().unwrap()[2], "Beløb");
        let all: Vec<Row> = rows.map(Result::unwrap).collect();
        assert_eq!(all[0].cells[0], "Søren Ærø ApS");

        let mut utf16 = vec![0xFF, 0xFE];
        utf16.extend(
            text.replace(';', "\t")
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        );
        let rows = open(&utf16[..], "unicode.txt", None).unwrap();
        assert_eq!(rows.dialect().delimiter, b'\t');
        assert_eq!(rows.map(Result::unwrap).count(), 3);
    }

    #[test]
    fn the_user_can_override_the_encoding() {
        let text = "Kunde;By\nŠtěpán Řehoř;Plzeň\n";
        let (bytes, _, _) = encoding_rs::ISO_8859_2.encode(text);
        let rows = open(&bytes[..], "cz.csv", Some("iso-8859-2")).unwrap();
        let all: Vec<Row> = rows.map(Result::unwrap).collect();
        assert_eq!(all[0].cells, ["Štěpán Řehoř", "Plzeň"]);
    }

    #[test]
    fn a_workbook_renamed_to_csv_is_refused_with_a_clear_error() {
        let Err(error) = open(
            &b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml"[..],
            "invoices.csv",
            None,
        ) else {
            panic!("a zip was read as CSV");
        };
        let report = error.report();
        assert_eq!(report.code, "import_not_text");
        assert!(report
            .message
            .starts_with("invoices.csv: this is a ZIP container"));
        assert!(report.hint.contains(".xlsx"));
    }

    #[test]
    fn an_empty_file_is_refused() {
        assert!(matches!(
            open(&b""[..], "e.csv", None),
            Err(ImportError::Empty { .. })
        ));
        assert!(matches!(
            open(&b""[..], "e.csv", Some("utf-8")),
            Err(ImportError::Empty { .. })
        ));
    }

    /// Gives `good` bytes, then fails like a yanked USB stick.
    struct Failing {
        good: Cursor<Vec<u8>>,
    }

    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.good.read(buf)? {
                0 => Err(io::Error::other("device gone")),
                n => Ok(n),
            }
        }
    }

    #[test]
    fn a_read_error_mid_file_is_an_error_at_the_next_row_not_the_end_of_the_file() {
        let text = "Invoice no;Customer;Amount\nA-1;Acme;10,00\nA-2;Be";
        let prefix = Cursor::new(text.as_bytes().to_vec());
        // Sniffed from the intact text; the failing source then feeds the rows.
        let dialect = open(text.as_bytes(), "usb.csv", None)
            .unwrap()
            .dialect()
            .to_owned();
        let mut rows = CsvRows::new(Failing { good: prefix }, dialect, "usb.csv").unwrap();
        assert_eq!(rows.next().unwrap().unwrap().line, 2);
        let error = rows.next().unwrap().unwrap_err();
        assert_eq!(error.code(), "import_io");
        assert!(error.hint().contains("still exists"));
        assert_eq!(error.location().and_then(|l| l.row), Some(3));
        let source = std::error::Error::source(&error).map(ToString::to_string);
        assert!(source.is_some_and(|s| s.contains("device gone")));
    }

    /// Produces `rows` CSV lines on demand, so the test file never exists
    /// in memory as a whole.
    struct Generated {
        rows: u64,
        next: u64,
        pending: Vec<u8>,
    }

    impl Read for Generated {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.pending.is_empty() {
                if self.next > self.rows {
                    return Ok(0);
                }
                self.pending = if self.next == 0 {
                    b"Invoice no;Customer;Amount\n".to_vec()
                } else {
                    format!(
                        "INV-{:07};Kunde {};{},50\n",
                        self.next,
                        self.next % 977,
                        self.next
                    )
                    .into_bytes()
                };
                self.next += 1;
            }
            let n = buf.len().min(self.pending.len());
            buf[..n].copy_from_slice(&self.pending[..n]);
            self.pending.drain(..n);
            Ok(n)
        }
    }

    #[test]
    fn a_large_generated_file_streams_row_by_row() {
        let total = 200_000;
        let source = Generated {
            rows: total,
            next: 0,
            pending: Vec::new(),
        };
        let mut rows = open(source, "big.csv", None).unwrap();
        let (mut count, mut last) = (0u64, None);
        let mut most_newlines_held = 0;
        while let Some(row) = rows.next() {
            let row = row.unwrap();
            // The line index holds the parser's read-ahead only, however
            // far into the file we are.
            most_newlines_held = most_newlines_held.max(rows.reader.get_ref().newlines.len());
            assert_eq!(row.status, RowStatus::Complete);
            count += 1;
            last = Some(row);
        }
        assert_eq!(count, total);
        assert!(most_newlines_held < 2_000, "{most_newlines_held}");
        let last = last.unwrap();
        assert_eq!(last.line, total + 1);
        assert_eq!(last.cells[0], format!("INV-{total:07}"));
    }
}
