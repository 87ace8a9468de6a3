//! Reading cell text as amounts and dates the way the file wrote them.
//!
//! A cell alone is often ambiguous (`1,234` is a thousand and more in
//! English and one and a bit in Danish; `03/04/2024` is March or April), a
//! column rarely is. So the locale and the day/month order are inferred
//! from all sampled values of a column ([`infer_amount_column`],
//! [`infer_date_column`]), then every cell is parsed under that decision
//! ([`parse_amount`], [`parse_date`]) and a cell that does not fit is an
//! error for its row, never a silent reinterpretation.
//!
//! Text columns (phones, invoice numbers, postal codes) are not touched
//! here: cells stay the strings the file held, leading zeros included. The
//! inference functions refuse such values (`+45 12 34 56 78`, `00123`,
//! `2024-001`) so a mapping never treats them as numbers.

use std::fmt;
use std::str::FromStr;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Which character separates decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberLocale {
    /// `1,234.56` (English, and `1'234.56` Swiss).
    DecimalPoint,
    /// `1.234,56` / `1 234,56` (most of continental Europe).
    DecimalComma,
}

impl NumberLocale {
    fn decimal(self) -> char {
        match self {
            NumberLocale::DecimalPoint => '.',
            NumberLocale::DecimalComma => ',',
        }
    }

    fn other(self) -> NumberLocale {
        match self {
            NumberLocale::DecimalPoint => NumberLocale::DecimalComma,
            NumberLocale::DecimalComma => NumberLocale::DecimalPoint,
        }
    }
}

/// How sure the column's number locale is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LocaleEvidence {
    /// Some values could only be read one way, none the other.
    Decided,
    /// Every value reads the same either way (`100`, `1,234`): the
    /// fallback was used; ask the user if it matters.
    Ambiguous,
    /// Values disagree: the majority won and the others will fail their
    /// rows.
    Conflicting {
        /// Values only readable with a decimal point.
        point: usize,
        /// Values only readable with a decimal comma.
        comma: usize,
    },
}

/// An amount column's reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AmountColumn {
    /// The decimal separator to parse with.
    pub locale: NumberLocale,
    /// How it was decided.
    pub evidence: LocaleEvidence,
}

/// Why a cell could not be read as the column's kind of value. Shown to the
/// user with the cell's location (see [`crate::ImportError::Cell`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ValueProblem {
    /// Not a number at all (words, a date, an identifier).
    NotAnAmount,
    /// A number, but not in the column's locale (`1,234.56` in a
    /// decimal-comma column).
    WrongNumberLocale {
        /// The column's locale.
        expected: NumberLocale,
    },
    /// Leading zeros: an identifier, not an amount (`00123`).
    LeadingZeros,
    /// Not a date in the column's format.
    NotADate {
        /// The column's format.
        expected: DateFormat,
    },
    /// Day, month or year out of range (`31.02.2024`).
    ImpossibleDate,
}

impl fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueProblem::NotAnAmount => f.write_str("is not an amount"),
            ValueProblem::WrongNumberLocale { expected } => match expected {
                NumberLocale::DecimalPoint => {
                    f.write_str("is not written like the column's other amounts (1,234.56)")
                }
                NumberLocale::DecimalComma => {
                    f.write_str("is not written like the column's other amounts (1.234,56)")
                }
            },
            ValueProblem::LeadingZeros => {
                f.write_str("has leading zeros, so it looks like a number code, not an amount")
            }
            ValueProblem::NotADate { expected } => {
                write!(f, "is not a date written as {}", expected.pattern())
            }
            ValueProblem::ImpossibleDate => f.write_str("is not a date that exists"),
        }
    }
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{00A0}' | '\u{202F}' | '\u{2007}')
}

fn is_minus(c: char) -> bool {
    matches!(c, '-' | '\u{2212}' | '\u{2013}')
}

/// A cell split around its number: sign, the digits-and-separators body.
struct NumberParts<'a> {
    negative: bool,
    body: &'a str,
}

/// Splits `cell` into sign and body, accepting a currency symbol or code
/// (up to 3 letters, optionally with a dot: `kr.`) before or after, a minus
/// before or after (SAP writes `123,45-`) and accounting parentheses.
/// `Ok(None)` for a blank or dash-only cell.
fn split_number(cell: &str) -> Result<Option<NumberParts<'_>>, ValueProblem> {
    let cell = cell.trim_matches(is_space);
    if cell.is_empty() || cell.chars().all(|c| is_minus(c) || is_space(c)) {
        return Ok(None);
    }
    let first = cell.find(|c: char| c.is_ascii_digit());
    let last = cell.rfind(|c: char| c.is_ascii_digit());
    let (Some(first), Some(last)) = (first, last) else {
        return Err(ValueProblem::NotAnAmount);
    };
    let (prefix, body, suffix) = (&cell[..first], &cell[first..=last], &cell[last + 1..]);
    let mut letters = 0;
    let mut minus = 0;
    let mut parens = (0, 0);
    let mut previous = ' ';
    for c in prefix.chars().chain(suffix.chars()) {
        match c {
            // "K-7", "INV-7": a dash glued to letters is an identifier.
            c if c.is_alphabetic() && is_minus(previous) => return Err(ValueProblem::NotAnAmount),
            c if is_minus(c) && previous.is_alphabetic() => return Err(ValueProblem::NotAnAmount),
            c if c.is_alphabetic() => letters += 1,
            c if is_minus(c) => minus += 1,
            '(' => parens.0 += 1,
            ')' => parens.1 += 1,
            '.' if previous.is_alphabetic() => {}
            '+' | '€' | '$' | '£' | '¥' | '₹' | '₽' | '₺' | '₩' | '¤' => {}
            c if is_space(c) => {}
            _ => return Err(ValueProblem::NotAnAmount),
        }
        previous = c;
    }
    // A currency is a symbol or a 2–3 letter code ("kr", "DKK"), never
    // one letter.
    if letters == 1 || letters > 3 || minus > 1 || parens.0 != parens.1 || parens.0 > 1 {
        return Err(ValueProblem::NotAnAmount);
    }
    Ok(Some(NumberParts {
        negative: minus == 1 || parens.0 == 1,
        body,
    }))
}

/// Which locales can read a number body, and whether it is decisive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Vote {
    Only(NumberLocale),
    Either,
    Neither,
}

fn vote(body: &str) -> Vote {
    let point = parse_body(body, NumberLocale::DecimalPoint).is_ok();
    let comma = parse_body(body, NumberLocale::DecimalComma).is_ok();
    match (point, comma) {
        (true, true) => {
            // Both read it, but differently? "1,234" is 1234 or 1.234; a
            // value both read alike ("100", "1 234") says nothing either.
            Vote::Either
        }
        (true, false) => Vote::Only(NumberLocale::DecimalPoint),
        (false, true) => Vote::Only(NumberLocale::DecimalComma),
        (false, false) => Vote::Neither,
    }
}

/// Reads digits with thousands groups and at most one decimal separator.
fn parse_body(body: &str, locale: NumberLocale) -> Result<Decimal, ValueProblem> {
    let decimal = locale.decimal();
    let thousands = |c: char| c == locale.other().decimal() || c == '\'' || c == '’' || is_space(c);
    let (integer, fraction) = match body.rfind(decimal) {
        Some(at) => (&body[..at], &body[at + decimal.len_utf8()..]),
        None => (body, ""),
    };
    if !fraction.chars().all(|c| c.is_ascii_digit())
        || (body.contains(decimal) && fraction.is_empty())
    {
        return Err(ValueProblem::WrongNumberLocale { expected: locale });
    }
    let groups: Vec<&str> = integer.split(thousands).collect();
    if groups
        .iter()
        .any(|g| !g.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(
            if body
                .chars()
                .all(|c| c.is_ascii_digit() || ".,' ’".contains(c) || is_space(c))
            {
                ValueProblem::WrongNumberLocale { expected: locale }
            } else {
                ValueProblem::NotAnAmount
            },
        );
    }
    if groups.len() > 1 {
        let (head, tail) = groups.split_first().unwrap_or((&"", &[]));
        if head.is_empty() || head.len() > 3 || tail.iter().any(|g| g.len() != 3) {
            return Err(ValueProblem::WrongNumberLocale { expected: locale });
        }
    }
    let digits: String = groups.concat();
    if digits.len() > 1 && digits.starts_with('0') {
        return Err(ValueProblem::LeadingZeros);
    }
    let text = if fraction.is_empty() {
        digits
    } else {
        format!("{digits}.{fraction}")
    };
    Decimal::from_str(&text).map_err(|_| ValueProblem::NotAnAmount)
}

/// Parses an amount under the column's locale: currency symbols and codes
/// around it are ignored (the currency comes from its own column), a minus
/// before or after and accounting parentheses make it negative. `Ok(None)`
/// for a blank cell or a lone dash (how spreadsheets print zero/nothing).
///
/// # Errors
/// The [`ValueProblem`] for text, identifiers with leading zeros and
/// numbers written in the other locale.
pub fn parse_amount(cell: &str, locale: NumberLocale) -> Result<Option<Decimal>, ValueProblem> {
    let Some(parts) = split_number(cell)? else {
        return Ok(None);
    };
    let value = parse_body(parts.body, locale)?;
    Ok(Some(if parts.negative { -value } else { value }))
}

/// Decides whether a column holds amounts and in which locale, from all
/// its sampled cells. `None` when under 90 % of the non-blank cells are
/// numbers (a text, id, phone or date column). `fallback` is used when no
/// value decides (e.g. the user's own locale).
pub fn infer_amount_column<'a>(
    cells: impl IntoIterator<Item = &'a str>,
    fallback: NumberLocale,
) -> Option<AmountColumn> {
    let (mut point, mut comma, mut either, mut neither) = (0usize, 0usize, 0usize, 0usize);
    for cell in cells {
        match split_number(cell) {
            Ok(None) => {}
            Ok(Some(parts)) => match vote(parts.body) {
                Vote::Only(NumberLocale::DecimalPoint) => point += 1,
                Vote::Only(NumberLocale::DecimalComma) => comma += 1,
                Vote::Either => either += 1,
                Vote::Neither => neither += 1,
            },
            Err(_) => neither += 1,
        }
    }
    let numbers = point + comma + either;
    if numbers == 0 || neither * 10 > (numbers + neither) {
        return None;
    }
    let (locale, evidence) = match (point, comma) {
        (0, 0) => (fallback, LocaleEvidence::Ambiguous),
        (_, 0) => (NumberLocale::DecimalPoint, LocaleEvidence::Decided),
        (0, _) => (NumberLocale::DecimalComma, LocaleEvidence::Decided),
        (p, c) => (
            if c > p {
                NumberLocale::DecimalComma
            } else {
                NumberLocale::DecimalPoint
            },
            LocaleEvidence::Conflicting { point: p, comma: c },
        ),
    };
    Some(AmountColumn { locale, evidence })
}

/// How a date column writes its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateFormat {
    /// `2024-03-31` (also with `/` or `.`).
    Iso,
    /// `31.03.2024`, `31/03/2024`, `31-03-24`.
    DayFirst,
    /// `03/31/2024` (US).
    MonthFirst,
    /// Days since 1899-12-30 as a spreadsheet stores them (`45382`).
    ExcelSerial,
}

impl DateFormat {
    /// The pattern shown to the user.
    pub fn pattern(self) -> &'static str {
        match self {
            DateFormat::Iso => "YYYY-MM-DD",
            DateFormat::DayFirst => "DD.MM.YYYY or DD/MM/YYYY",
            DateFormat::MonthFirst => "MM/DD/YYYY",
            DateFormat::ExcelSerial => "a spreadsheet date number",
        }
    }
}

/// A date column's reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DateInference {
    /// One format reads every value (or all but a minority that will fail
    /// their rows).
    Known {
        /// The format.
        format: DateFormat,
    },
    /// Every day and month is ≤ 12: both readings are possible, the user
    /// must choose. Parse a preview with each of [`DateFormat::DayFirst`]
    /// and [`DateFormat::MonthFirst`].
    Ambiguous,
}

/// A date's numeric parts, as written.
struct DateParts {
    first: u32,
    second: u32,
    third: u32,
    year_first: bool,
    dotted: bool,
}

fn split_date(cell: &str) -> Option<DateParts> {
    let cell = cell.trim();
    // "2024-03-31T00:00:00", "31.03.2024 00:00": the time is not ours.
    let date = cell.split(['T', ' ']).next().unwrap_or(cell);
    let separator = date.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
    let parts: Vec<&str> = date.split(separator).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if [a, b, c]
        .iter()
        .any(|p| p.is_empty() || !p.chars().all(|ch| ch.is_ascii_digit()))
    {
        return None;
    }
    let year_first = a.len() == 4 && (1..=2).contains(&b.len()) && (1..=2).contains(&c.len());
    let year_last =
        (1..=2).contains(&a.len()) && (1..=2).contains(&b.len()) && [2, 4].contains(&c.len());
    if !year_first && !year_last {
        return None;
    }
    let number = |p: &str| p.parse::<u32>().ok();
    let mut third = number(c)?;
    if !year_first && c.len() == 2 {
        // Two-digit years: invoices are recent, so 00–69 is this century.
        third += if third < 70 { 2000 } else { 1900 };
    }
    Some(DateParts {
        first: number(a)?,
        second: number(b)?,
        third,
        year_first,
        dotted: separator == '.',
    })
}

fn ymd(year: u32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// Spreadsheet serial day `n` (1900 date system, with Lotus's phantom
/// 1900-02-29 at 60).
fn excel_serial(cell: &str) -> Result<NaiveDate, ValueProblem> {
    let not_serial = ValueProblem::NotADate {
        expected: DateFormat::ExcelSerial,
    };
    let value = Decimal::from_str(cell.trim()).map_err(|_| not_serial.clone())?;
    let days = u64::try_from(value.trunc().mantissa()).map_err(|_| not_serial.clone())?;
    let days = days / 10u64.pow(value.trunc().scale());
    let epoch = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).ok_or(ValueProblem::ImpossibleDate);
    match days {
        1..=59 => epoch(1899, 12, 31)?.checked_add_days(Days::new(days)),
        61..=2_958_465 => epoch(1899, 12, 30)?.checked_add_days(Days::new(days)),
        60 => return Err(ValueProblem::ImpossibleDate),
        _ => return Err(not_serial),
    }
    .ok_or(ValueProblem::ImpossibleDate)
}

/// Parses a date under the column's format. ISO dates are accepted in any
/// column: they cannot be misread. `Ok(None)` for a blank cell.
///
/// # Errors
/// [`ValueProblem::NotADate`] for other shapes, [`ValueProblem::ImpossibleDate`]
/// for days or months out of range.
pub fn parse_date(cell: &str, format: DateFormat) -> Result<Option<NaiveDate>, ValueProblem> {
    if cell.trim().is_empty() {
        return Ok(None);
    }
    if format == DateFormat::ExcelSerial {
        return excel_serial(cell).map(Some);
    }
    let parts = split_date(cell).ok_or(ValueProblem::NotADate { expected: format })?;
    let date = if parts.year_first {
        ymd(parts.first, parts.second, parts.third)
    } else {
        match format {
            DateFormat::DayFirst => ymd(parts.third, parts.second, parts.first),
            DateFormat::MonthFirst => ymd(parts.third, parts.first, parts.second),
            DateFormat::Iso | DateFormat::ExcelSerial => {
                return Err(ValueProblem::NotADate { expected: format })
            }
        }
    };
    date.map(Some).ok_or(ValueProblem::ImpossibleDate)
}

/// Decides whether a column holds dates and how they are written, from all
/// its sampled cells: a first part above 12 anywhere means day-first, a
/// second part above 12 means month-first, dots mean day-first (no locale
/// writes month-first with dots); otherwise the column is ambiguous.
/// Spreadsheet serial numbers are only considered when `expect_dates` (the
/// header says it is a date column): a column of plain numbers is amounts.
/// `None` when under 90 % of the non-blank cells are dates.
pub fn infer_date_column<'a>(
    cells: impl IntoIterator<Item = &'a str>,
    expect_dates: bool,
) -> Option<DateInference> {
    let (mut iso, mut day_first, mut month_first, mut either, mut dotted) = (0, 0, 0, 0, 0);
    let (mut serial, mut other) = (0usize, 0usize);
    for cell in cells {
        if cell.trim().is_empty() {
            continue;
        }
        let Some(parts) = split_date(cell) else {
            if expect_dates && excel_serial(cell).is_ok() {
                serial += 1;
            } else {
                other += 1;
            }
            continue;
        };
        let day_first_ok = ymd(parts.third, parts.second, parts.first).is_some();
        let month_first_ok = ymd(parts.third, parts.first, parts.second).is_some();
        match (parts.year_first, day_first_ok, month_first_ok) {
            (true, _, _) if ymd(parts.first, parts.second, parts.third).is_some() => iso += 1,
            (false, true, true) => either += 1,
            (false, true, false) => day_first += 1,
            (false, false, true) => month_first += 1,
            // Date-shaped but impossible (31.02.2024): a typo in a date
            // column, which fails its row, not the column.
            _ => {}
        }
        dotted += usize::from(parts.dotted && !parts.year_first);
    }
    let dates = iso + day_first + month_first + either;
    if serial > 0 && dates == 0 {
        return (other * 10 <= serial + other).then_some(DateInference::Known {
            format: DateFormat::ExcelSerial,
        });
    }
    if dates == 0 || (other + serial) * 10 > dates + other + serial {
        return None;
    }
    let known = |format| Some(DateInference::Known { format });
    if day_first + month_first + either == 0 {
        return known(DateFormat::Iso);
    }
    match (day_first, month_first) {
        (0, 0) if dotted > 0 => known(DateFormat::DayFirst),
        (0, 0) => Some(DateInference::Ambiguous),
        (d, m) if d >= m => known(DateFormat::DayFirst),
        _ => known(DateFormat::MonthFirst),
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::dec;

    use super::*;
    use NumberLocale::{DecimalComma as Comma, DecimalPoint as Point};

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn amounts_in_both_locales_with_symbols_codes_and_negatives() {
        for (cell, locale, expected) in [
            ("1.234,56", Comma, dec!(1234.56)),
            ("1,234.56", Point, dec!(1234.56)),
            ("1 234,56", Comma, dec!(1234.56)),
            ("1\u{00A0}234,56", Comma, dec!(1234.56)),
            ("1'234.56", Point, dec!(1234.56)),
            ("kr 1.234,50", Comma, dec!(1234.50)),
            ("kr. 1.234,50", Comma, dec!(1234.50)),
            ("1.234,50 DKK", Comma, dec!(1234.50)),
            ("€1,234.50", Point, dec!(1234.50)),
            ("-€1,234.50", Point, dec!(-1234.50)),
            ("(123.45)", Point, dec!(-123.45)),
            ("123,45-", Comma, dec!(-123.45)),
            ("−12,00", Comma, dec!(-12.00)),
            ("1234567,8", Comma, dec!(1234567.8)),
            ("0,50", Comma, dec!(0.50)),
            ("12", Comma, dec!(12)),
            ("1.000.000", Comma, dec!(1000000)),
        ] {
            assert_eq!(parse_amount(cell, locale), Ok(Some(expected)), "{cell}");
        }
    }

    #[test]
    fn blank_and_dash_cells_are_no_amount_not_zero() {
        for cell in ["", "  ", "-", " – "] {
            assert_eq!(parse_amount(cell, Comma), Ok(None), "{cell:?}");
        }
    }

    #[test]
    fn amounts_in_the_other_locale_are_refused_not_misread() {
        // A decimal-comma column must not read "1,234.56" as 1.23456.
        assert_eq!(
            parse_amount("1,234.56", Comma),
            Err(ValueProblem::WrongNumberLocale { expected: Comma })
        );
        assert_eq!(
            parse_amount("1.234,56", Point),
            Err(ValueProblem::WrongNumberLocale { expected: Point })
        );
        assert_eq!(
            parse_amount("1.2345,00", Comma),
            Err(ValueProblem::WrongNumberLocale { expected: Comma })
        );
    }

    #[test]
    fn identifiers_phones_and_words_are_not_amounts() {
        for (cell, problem) in [
            ("00123", ValueProblem::LeadingZeros),
            ("INV-2024-001", ValueProblem::NotAnAmount),
            ("Invoice 12", ValueProblem::NotAnAmount),
            ("2024-03-31", ValueProblem::NotAnAmount),
            ("12/03", ValueProblem::NotAnAmount),
            ("n/a", ValueProblem::NotAnAmount),
            ("((12))", ValueProblem::NotAnAmount),
            ("K-7", ValueProblem::NotAnAmount),
            ("INV-7", ValueProblem::NotAnAmount),
            ("7-A", ValueProblem::NotAnAmount),
            ("A 7", ValueProblem::NotAnAmount),
        ] {
            assert_eq!(parse_amount(cell, Point), Err(problem), "{cell}");
        }
        assert!(parse_amount("+45 12 34 56 78", Comma).is_err());
    }

    #[test]
    fn the_column_decides_the_locale_from_all_its_values() {
        let danish = ["1.234", "99,00", "12.000"];
        assert_eq!(
            infer_amount_column(danish, Point),
            Some(AmountColumn {
                locale: Comma,
                evidence: LocaleEvidence::Decided
            }),
            "\"99,00\" decides even though the first value reads either way"
        );
        let english = ["1,234", "1,234.50", "7"];
        assert_eq!(
            infer_amount_column(english, Comma).map(|c| c.locale),
            Some(Point)
        );
        let swiss = ["1'234.50", "12.00"];
        assert_eq!(
            infer_amount_column(swiss, Comma).map(|c| c.locale),
            Some(Point)
        );
    }

    #[test]
    fn a_column_readable_both_ways_is_ambiguous_and_uses_the_fallback() {
        for fallback in [Comma, Point] {
            assert_eq!(
                infer_amount_column(["1,234", "100", "2,500"], fallback),
                Some(AmountColumn {
                    locale: fallback,
                    evidence: LocaleEvidence::Ambiguous
                })
            );
        }
    }

    #[test]
    fn a_column_with_values_in_both_locales_reports_the_conflict() {
        let mixed = ["1.234,56", "99,00", "1,234.56"];
        assert_eq!(
            infer_amount_column(mixed, Point),
            Some(AmountColumn {
                locale: Comma,
                evidence: LocaleEvidence::Conflicting { point: 1, comma: 2 }
            })
        );
    }

    #[test]
    fn phone_invoice_number_and_postal_code_columns_are_not_amount_columns() {
        let phones = ["+45 12 34 56 78", "+45 87 65 43 21", "0045 11 22 33 44"];
        assert_eq!(infer_amount_column(phones, Comma), None);
        let invoice_numbers = ["00123", "00124", "00125"];
        assert_eq!(infer_amount_column(invoice_numbers, Comma), None);
        let prefixed = ["2024-001", "2024-002"];
        assert_eq!(infer_amount_column(prefixed, Comma), None);
        assert_eq!(infer_date_column(prefixed, true), None);
        assert_eq!(infer_date_column(phones, true), None);
        let zips = ["0150", "0560", "2100"];
        assert_eq!(infer_amount_column(zips, Comma), None, "leading zeros");
    }

    #[test]
    fn iso_dates_with_or_without_time() {
        let cells = ["2024-03-31", "2024-01-02T00:00:00", "2024/12/01"];
        assert_eq!(
            infer_date_column(cells, false),
            Some(DateInference::Known {
                format: DateFormat::Iso
            })
        );
        assert_eq!(
            parse_date(cells[1], DateFormat::Iso),
            Ok(Some(date(2024, 1, 2)))
        );
    }

    #[test]
    fn a_day_above_12_anywhere_makes_the_whole_column_day_first() {
        let cells = ["03/04/2024", "05/06/2024", "31/01/2024"];
        let inference = infer_date_column(cells, false);
        assert_eq!(
            inference,
            Some(DateInference::Known {
                format: DateFormat::DayFirst
            })
        );
        assert_eq!(
            parse_date(cells[0], DateFormat::DayFirst),
            Ok(Some(date(2024, 4, 3)))
        );
    }

    #[test]
    fn a_second_part_above_12_makes_the_column_month_first() {
        let cells = ["03/04/2024", "12/31/2023"];
        assert_eq!(
            infer_date_column(cells, false),
            Some(DateInference::Known {
                format: DateFormat::MonthFirst
            })
        );
        assert_eq!(
            parse_date(cells[0], DateFormat::MonthFirst),
            Ok(Some(date(2024, 3, 4)))
        );
    }

    #[test]
    fn a_column_where_every_reading_works_is_ambiguous_with_both_readings() {
        let cells = ["03/04/2024", "05/06/24", "01/02/2024"];
        assert_eq!(
            infer_date_column(cells, false),
            Some(DateInference::Ambiguous)
        );
        assert_eq!(
            parse_date(cells[1], DateFormat::DayFirst),
            Ok(Some(date(2024, 6, 5)))
        );
        assert_eq!(
            parse_date(cells[1], DateFormat::MonthFirst),
            Ok(Some(date(2024, 5, 6)))
        );
    }

    #[test]
    fn dotted_dates_are_day_first_even_when_every_part_is_small() {
        let cells = ["03.04.2024", "05.06.2024"];
        assert_eq!(
            infer_date_column(cells, false),
            Some(DateInference::Known {
                format: DateFormat::DayFirst
            })
        );
    }

    #[test]
    fn impossible_and_malformed_dates_are_errors_for_their_row() {
        assert_eq!(
            parse_date("31.02.2024", DateFormat::DayFirst),
            Err(ValueProblem::ImpossibleDate)
        );
        assert_eq!(
            parse_date("31/12/2024", DateFormat::MonthFirst),
            Err(ValueProblem::ImpossibleDate)
        );
        assert_eq!(
            parse_date("next week", DateFormat::DayFirst),
            Err(ValueProblem::NotADate {
                expected: DateFormat::DayFirst
            })
        );
        assert_eq!(parse_date(" ", DateFormat::DayFirst), Ok(None));
    }

    #[test]
    fn excel_serials_only_in_a_column_known_to_hold_dates() {
        let cells = ["45382", "45292", "45383.5"];
        assert_eq!(
            infer_date_column(cells, true),
            Some(DateInference::Known {
                format: DateFormat::ExcelSerial
            })
        );
        assert_eq!(
            infer_date_column(cells, false),
            None,
            "plain numbers are amounts"
        );
        assert_eq!(
            parse_date("45382", DateFormat::ExcelSerial),
            Ok(Some(date(2024, 3, 31)))
        );
        assert_eq!(
            parse_date("45383.5", DateFormat::ExcelSerial),
            Ok(Some(date(2024, 4, 1)))
        );
        // Around Lotus's phantom leap day: 59 is 1900-02-28, 61 is 1900-03-01.
        assert_eq!(
            parse_date("59", DateFormat::ExcelSerial),
            Ok(Some(date(1900, 2, 28)))
        );
        assert_eq!(
            parse_date("61", DateFormat::ExcelSerial),
            Ok(Some(date(1900, 3, 1)))
        );
        assert_eq!(
            parse_date("60", DateFormat::ExcelSerial),
            Err(ValueProblem::ImpossibleDate)
        );
        assert!(parse_date("-3", DateFormat::ExcelSerial).is_err());
        assert!(parse_date("abc", DateFormat::ExcelSerial).is_err());
    }

    #[test]
    fn cell_errors_carry_their_location_and_a_specific_code_and_hint() {
        let problem = parse_amount("1,234.56", Comma).unwrap_err();
        let error = crate::ImportError::Cell {
            location: crate::Location::file("march.csv").at_cell(7, 3),
            input: "1,234.56".into(),
            problem,
        };
        let report = error.report();
        assert_eq!(report.code, "amount_wrong_locale");
        assert_eq!(
            report.message,
            "march.csv, row 7, column 4: \"1,234.56\" is not written like the column's other amounts (1.234,56)"
        );
        assert!(report.hint.contains("decimal point"), "{}", report.hint);
        let location = error.location().unwrap();
        assert_eq!((location.row, location.column), (Some(7), Some(3)));
    }

    #[test]
    fn one_impossible_date_does_not_stop_a_column_being_dates() {
        let cells = ["05.01.2024", "31.02.2024", "01.03.2024"];
        assert_eq!(
            infer_date_column(cells, false),
            Some(DateInference::Known {
                format: DateFormat::DayFirst
            })
        );
    }

    #[test]
    fn a_text_column_is_not_a_date_column() {
        assert_eq!(infer_date_column(["Aarhus", "Köln", "Malmö"], true), None);
        assert_eq!(infer_date_column(["", " "], true), None);
    }
}
