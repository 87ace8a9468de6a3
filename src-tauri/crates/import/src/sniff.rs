//! The dialect of a delimited file: delimiter, quote, and where the header
//! row is.
//!
//! Every candidate delimiter is tried on the first [`SNIFF_RECORDS`]
//! records, and the one that splits them into the most consistent number of
//! fields wins. Consistency is measured from the first record that has the
//! winning field count on, so a title row ("Open invoices, March") or a
//! short preamble above the table does not decide the delimiter; the header
//! is then the most label-like record near the top of the table.

use serde::Serialize;

use crate::encoding::DetectedEncoding;
use crate::error::{ImportError, Location};

/// How many records the sniffer judges.
pub const SNIFF_RECORDS: usize = 50;

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// How far below the first full-width record a header may sit (a preamble
/// can itself be as wide as the table: "Exported by;Jane;;").
const HEADER_SEARCH: usize = 4;

/// How to read a delimited file.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dialect {
    /// The field separator: `,` `;` tab or `|`.
    pub delimiter: u8,
    /// The quote character: `"` (almost always) or `'`.
    pub quote: u8,
    /// Records (not lines: blank lines are not counted) above the table or
    /// its header: a title, a preamble.
    pub preamble_rows: usize,
    /// Whether the first record after the preamble is a header.
    pub has_header: bool,
    /// The text encoding.
    pub encoding: DetectedEncoding,
}

impl Dialect {
    /// 0-based record index of the header row, if there is one.
    pub fn header_row(&self) -> Option<usize> {
        self.has_header.then_some(self.preamble_rows)
    }

    /// 0-based record index of the first data row.
    pub fn first_data_row(&self) -> usize {
        self.preamble_rows + usize::from(self.has_header)
    }
}

/// One delimiter's reading of the sample.
struct Candidate {
    delimiter: u8,
    quote: u8,
    records: Vec<Vec<String>>,
    width: usize,
    /// Index of the first record with `width` fields.
    table_start: usize,
    score: f32,
}

/// Sniffs the dialect from the decoded start of a file.
///
/// `sample` is the decoded prefix (see [`crate::encoding::decode_prefix`]);
/// `is_whole_file` says whether it is all of the file, so a last record cut
/// in half by the prefix is not judged.
///
/// # Errors
/// [`ImportError::Empty`] when the sample holds no record with any text.
pub fn sniff(
    sample: &str,
    is_whole_file: bool,
    encoding: DetectedEncoding,
    location: &Location,
) -> Result<Dialect, ImportError> {
    let quote = sniff_quote(sample);
    let best = DELIMITERS
        .iter()
        .map(|&delimiter| judge(sample, is_whole_file, delimiter, quote))
        // `max_by` keeps the last of equals; reverse so the first listed
        // (more common) delimiter wins a tie.
        .rev()
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .filter(|c| !c.records.is_empty())
        .ok_or_else(|| ImportError::Empty {
            location: location.clone(),
        })?;
    let (preamble_rows, has_header) = find_header(&best);
    Ok(Dialect {
        delimiter: best.delimiter,
        quote: best.quote,
        preamble_rows,
        has_header,
        encoding,
    })
}

/// `'` only when fields open with it and never with `"`: apostrophes in
/// names ("O'Brien") must not turn into quotes.
fn sniff_quote(sample: &str) -> u8 {
    let opens = |q: char| {
        sample
            .lines()
            .flat_map(|line| {
                let line = line.trim_start();
                let starts = usize::from(line.starts_with(q));
                let after_delimiter = DELIMITERS
                    .iter()
                    .map(|&d| line.matches(&format!("{}{q}", char::from(d))).count())
                    .sum::<usize>();
                [starts, after_delimiter]
            })
            .sum::<usize>()
    };
    if opens('"') == 0 && opens('\'') >= 2 {
        b'\''
    } else {
        b'"'
    }
}

fn judge(sample: &str, is_whole_file: bool, delimiter: u8, quote: u8) -> Candidate {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .quote(quote)
        .has_headers(false)
        .flexible(true)
        .from_reader(sample.as_bytes());
    let mut records: Vec<Vec<String>> = reader
        .records()
        .take(SNIFF_RECORDS + 1)
        .map_while(Result::ok)
        .map(|r| r.iter().map(str::to_owned).collect())
        .collect();
    if !is_whole_file && records.len() > SNIFF_RECORDS {
        records.truncate(SNIFF_RECORDS);
    } else if !is_whole_file && records.len() > 1 {
        // The prefix may cut the last record anywhere.
        records.pop();
    }
    records.retain(|r| has_content(r.iter().map(String::as_str)));

    let width = modal_width(&records);
    let table_start = records.iter().position(|r| r.len() == width).unwrap_or(0);
    let table = &records[table_start.min(records.len())..];
    let consistent = table.iter().filter(|r| r.len() == width).count();
    let score = if width < 2 || table.is_empty() {
        0.0
    } else {
        let consistency = consistent as f32 / table.len() as f32;
        // Wider is better (a decimal comma splits one column in two, the
        // real delimiter splits all of them) but with diminishing returns;
        // records skipped as preamble cost a little.
        consistency * consistency * (width.min(40) as f32).ln_1p()
            / (1.0 + 0.1 * table_start as f32)
    };
    Candidate {
        delimiter,
        quote,
        records,
        width,
        table_start,
        score,
    }
}

/// Whether a record has any text: blank lines and lines of only delimiters
/// (however a wrong delimiter split them) do not count as records when the
/// preamble is measured, here and in the reader alike.
pub(crate) fn has_content<'a>(cells: impl IntoIterator<Item = &'a str>) -> bool {
    cells.into_iter().any(|cell| {
        cell.chars()
            .any(|c| !c.is_whitespace() && !DELIMITERS.contains(&u8::try_from(c).unwrap_or(0)))
    })
}

/// The most frequent field count; ties go to the wider one.
fn modal_width(records: &[Vec<String>]) -> usize {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for record in records {
        match counts.iter_mut().find(|(w, _)| *w == record.len()) {
            Some((_, n)) => *n += 1,
            None => counts.push((record.len(), 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|&(width, n)| (n, width))
        .map_or(0, |(width, _)| width)
}

/// Picks the header among the first full-width records: the most
/// label-like one, if any is label-like enough. Returns (preamble rows,
/// has header).
fn find_header(candidate: &Candidate) -> (usize, bool) {
    header_position(&candidate.records, candidate.width, candidate.table_start)
}

/// Where the table starts in records that are already split into cells
/// (a workbook sheet's non-empty rows): (preamble rows, has header).
pub(crate) fn table_layout(records: &[Vec<String>]) -> (usize, bool) {
    let width = modal_width(records);
    let start = records.iter().position(|r| r.len() == width).unwrap_or(0);
    header_position(records, width, start)
}

fn header_position(records: &[Vec<String>], width: usize, start: usize) -> (usize, bool) {
    let mut best: Option<(usize, f32)> = None;
    for (index, record) in records.iter().enumerate().skip(start).take(HEADER_SEARCH) {
        if record.len() != width {
            continue;
        }
        let score = header_likeness(record);
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((index, score));
        }
    }
    match best {
        Some((index, score)) if score >= 0.6 && looks_unlike_next(records, width, index) => {
            (index, true)
        }
        _ => (start, false),
    }
}

/// A header has no record below it that is just as label-like in every
/// column where the header is: the data below must hold some value (a
/// number, a date, an empty cell) under some label. Otherwise a file of
/// names only could not tell its header from its first row, and we say
/// "no header" rather than swallow a row.
fn looks_unlike_next(records: &[Vec<String>], width: usize, index: usize) -> bool {
    let below = &records[index + 1..];
    if below.is_empty() {
        return true;
    }
    (0..width).any(|column| {
        below.iter().any(|record| {
            record
                .get(column)
                .is_none_or(|cell| cell.trim().is_empty() || !is_label(cell))
        })
    }) || crate::mapping::alias_hits(&records[index]) >= 2
}

/// 0–1: how much a record looks like column names.
fn header_likeness(record: &[String]) -> f32 {
    let cells: Vec<&str> = record.iter().map(|c| c.trim()).collect();
    let filled: Vec<&str> = cells.iter().copied().filter(|c| !c.is_empty()).collect();
    if filled.is_empty() {
        return 0.0;
    }
    let filled_share = filled.len() as f32 / cells.len() as f32;
    let label_share = filled.iter().filter(|c| is_label(c)).count() as f32 / filled.len() as f32;
    let mut unique = filled.clone();
    unique.sort_unstable();
    unique.dedup();
    let unique_factor = if unique.len() == filled.len() {
        1.0
    } else {
        0.7
    };
    let alias_bonus = (crate::mapping::alias_hits(record) as f32 / cells.len() as f32).min(1.0);
    (filled_share * label_share * unique_factor + 0.3 * alias_bonus).min(1.0)
}

/// A cell that reads like a column name: has letters, more letters than
/// digits, short.
fn is_label(cell: &str) -> bool {
    let letters = cell.chars().filter(|c| c.is_alphabetic()).count();
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    letters > 0 && letters > digits && cell.chars().count() <= 60 && !cell.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf8() -> DetectedEncoding {
        DetectedEncoding::user_choice("utf-8").unwrap()
    }

    fn sniffed(sample: &str) -> Dialect {
        sniff(sample, true, utf8(), &Location::file("t.csv")).unwrap()
    }

    const TABLE: &[[&str; 5]] = &[
        [
            "Invoice no",
            "Customer",
            "Invoice date",
            "Amount",
            "Currency",
        ],
        [
            "INV-001",
            "Nordisk Tømrer ApS",
            "2024-01-05",
            "1.234,56",
            "DKK",
        ],
        ["INV-002", "Bjørn Østergård", "2024-01-09", "99,00", "DKK"],
        ["INV-003", "Müller GmbH", "2024-02-01", "12.000,00", "EUR"],
        ["INV-004", "Åse Blåbær", "2024-02-11", "5,50", "SEK"],
    ];

    /// Writes TABLE with `delimiter`, quoting every cell that needs it.
    fn table(delimiter: char) -> String {
        TABLE
            .iter()
            .map(|row| {
                row.iter()
                    .map(|cell| {
                        if cell.contains(delimiter) {
                            format!("\"{cell}\"")
                        } else {
                            (*cell).to_owned()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(&delimiter.to_string())
            })
            .map(|line| line + "\r\n")
            .collect()
    }

    #[test]
    fn semicolon_wins_over_the_decimal_comma_inside_amounts() {
        let dialect = sniffed(&table(';'));
        assert_eq!(dialect.delimiter, b';');
        assert_eq!(dialect.header_row(), Some(0));
        assert_eq!(dialect.first_data_row(), 1);
    }

    #[test]
    fn tab_and_pipe_are_found() {
        assert_eq!(sniffed(&table('\t')).delimiter, b'\t');
        assert_eq!(sniffed(&table('|')).delimiter, b'|');
    }

    #[test]
    fn comma_with_quoted_amounts_that_contain_commas() {
        let sample = "Invoice no,Customer,Amount\n\
                      INV-1,\"Smith, John\",\"1,234.50\"\n\
                      INV-2,Acme Ltd,\"12,000.00\"\n\
                      INV-3,\"Doe, Jane\",99.00\n";
        let dialect = sniffed(sample);
        assert_eq!(dialect.delimiter, b',');
        assert_eq!(dialect.quote, b'"');
        assert_eq!(dialect.header_row(), Some(0));
    }

    #[test]
    fn a_title_row_and_a_blank_line_above_the_table_are_preamble() {
        let sample = format!("Open invoices, March 2024\n\n{}", table(';'));
        let dialect = sniffed(&sample);
        assert_eq!(
            dialect.delimiter, b';',
            "the title's comma does not fool it"
        );
        assert_eq!(dialect.preamble_rows, 1);
        assert_eq!(dialect.header_row(), Some(1));
    }

    #[test]
    fn a_three_line_preamble_as_wide_as_the_table_is_skipped() {
        // Excel pads every row to the table's width.
        let sample = format!(
            "Debitorliste;;;;\nUdskrevet af;Jane;;;\nDato;2024-03-01;;;\n{}",
            table(';')
        );
        let dialect = sniffed(&sample);
        assert_eq!(dialect.delimiter, b';');
        assert_eq!(dialect.header_row(), Some(3));
        assert_eq!(dialect.first_data_row(), 4);
    }

    #[test]
    fn a_file_without_header_starts_with_data() {
        let sample: String = table(';')
            .lines()
            .skip(1)
            .map(|l| format!("{l}\n"))
            .collect();
        let dialect = sniffed(&sample);
        assert_eq!(dialect.delimiter, b';');
        assert_eq!(dialect.header_row(), None);
        assert_eq!(dialect.first_data_row(), 0);
    }

    #[test]
    fn a_header_over_text_only_columns_is_found_by_its_aliases() {
        let sample =
            "Kunde;By;Land\nNordisk Tømrer ApS;Aarhus;Danmark\nMüller GmbH;Köln;Deutschland\n";
        assert_eq!(sniffed(sample).header_row(), Some(0));
        // Without known names, a text-only first row cannot be told from
        // data: it is kept as data rather than swallowed.
        let unknown =
            "Foo;Bar;Baz\nNordisk Tømrer ApS;Aarhus;Danmark\nMüller GmbH;Köln;Deutschland\n";
        assert_eq!(sniffed(unknown).header_row(), None);
    }

    #[test]
    fn single_quotes_are_the_quote_only_when_double_quotes_never_open_a_field() {
        let sample =
            "'Invoice no';'Customer';'Amount'\n'1';'O''Brien; Sons';'10,00'\n'2';'X';'5,00'\n";
        let dialect = sniffed(sample);
        assert_eq!((dialect.delimiter, dialect.quote), (b';', b'\''));
        let apostrophes = "Invoice no;Customer;Amount\n1;O'Brien;10,00\n2;D'Arcy;5,00\n";
        assert_eq!(sniffed(apostrophes).quote, b'"');
    }

    #[test]
    fn a_prefix_cut_mid_record_does_not_skew_the_result() {
        let full = table(';').repeat(3);
        let cut = &full[..full.len() - 7];
        let dialect = sniff(cut, false, utf8(), &Location::file("t.csv")).unwrap();
        assert_eq!(dialect.delimiter, b';');
    }

    #[test]
    fn a_blank_sample_is_an_empty_file_error() {
        let err = sniff(" \n\n;;\n", true, utf8(), &Location::file("t.csv")).unwrap_err();
        assert_eq!(err.code(), "import_empty_file");
        assert_eq!(err.location().map(|l| l.file.as_str()), Some("t.csv"));
    }
}
