//! From mapped rows to domain [`Invoice`]s, row by row.
//!
//! A [`ConfirmedMapping`] is what the user accepted (or adjusted) from
//! [`crate::mapping::suggest`], plus the column readings decided from the
//! sample: the number locale and each date column's format. It is what
//! gets saved under the header fingerprint. [`rows_to_invoices`] then
//! turns every row into an [`Invoice`] (provider `file`) or an error with
//! the row and column; it never skips a row. Whether an invoice may become
//! a case is not decided here: the engine runs the domain's readiness rules
//! on the result, as for every other source.

use std::borrow::Cow;
use std::collections::BTreeMap;

use casebridge_domain::{
    CountryInput, Currency, DebtorData, DebtorKind, Invoice, InvoiceAmounts, Money, Provider,
    SourceRef,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{ImportError, Location};
use crate::mapping::{CaseFieldTarget, ColumnSuggestion};
use crate::reader::{Row, RowStatus};
use crate::values::{
    infer_amount_column, infer_date_column, parse_amount, parse_date, DateFormat, DateInference,
    NumberLocale,
};

/// Where a field's value comes from in a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FieldSource {
    /// One column (0-based), trimmed.
    Column {
        /// The column.
        column: usize,
    },
    /// The non-blank cells of several columns joined (first + last name).
    Join {
        /// The columns, in order.
        columns: Vec<usize>,
        /// Put between the cells.
        separator: String,
    },
    /// Some pieces of one column's cell ("Vestergade 1, 8000 Aarhus").
    Split {
        /// The column.
        column: usize,
        /// What separates the pieces; `None` for any run of whitespace.
        separator: Option<String>,
        /// First piece kept; negative counts from the end (-1 = last).
        from: i32,
        /// One past the last piece kept, negative from the end; `None` to
        /// the end.
        to: Option<i32>,
    },
    /// The same value on every row (a currency, a debtor type).
    Constant {
        /// The value.
        value: String,
    },
}

impl FieldSource {
    /// The first column the value is read from; errors point at it.
    pub fn first_column(&self) -> Option<usize> {
        match self {
            FieldSource::Column { column } | FieldSource::Split { column, .. } => Some(*column),
            FieldSource::Join { columns, .. } => columns.first().copied(),
            FieldSource::Constant { .. } => None,
        }
    }

    /// Every column the value is read from.
    pub fn columns(&self) -> &[usize] {
        match self {
            FieldSource::Column { column } | FieldSource::Split { column, .. } => {
                std::slice::from_ref(column)
            }
            FieldSource::Join { columns, .. } => columns,
            FieldSource::Constant { .. } => &[],
        }
    }

    /// The trimmed value for `cells`; `None` when blank.
    pub fn value<'a>(&'a self, cells: &'a [String]) -> Option<Cow<'a, str>> {
        let cell = |column: usize| {
            cells
                .get(column)
                .map(|c| c.trim())
                .filter(|c| !c.is_empty())
        };
        let value = match self {
            FieldSource::Column { column } => Cow::Borrowed(cell(*column)?),
            FieldSource::Constant { value } => Cow::Borrowed(value.trim()),
            FieldSource::Join { columns, separator } => {
                let mut joined = String::new();
                for text in columns.iter().filter_map(|&c| cell(c)) {
                    if !joined.is_empty() {
                        joined.push_str(separator);
                    }
                    joined.push_str(text);
                }
                Cow::Owned(joined)
            }
            FieldSource::Split {
                column,
                separator,
                from,
                to,
            } => {
                let text = cell(*column)?;
                let pieces: Vec<&str> = match separator.as_deref().filter(|s| !s.is_empty()) {
                    None => text.split_whitespace().collect(),
                    Some(sep) => text
                        .split(sep)
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .collect(),
                };
                let at = |index: i32| {
                    let len = i64::try_from(pieces.len()).unwrap_or(i64::MAX);
                    let index = i64::from(index);
                    let index = if index < 0 { len + index } else { index };
                    usize::try_from(index.clamp(0, len)).unwrap_or(0)
                };
                let (start, end) = (at(*from), to.map_or(pieces.len(), at));
                let joiner =
                    separator
                        .as_deref()
                        .filter(|s| !s.is_empty())
                        .map_or(" ".to_owned(), |s| {
                            // Rejoin "a, b" as "a, b", not "a,b".
                            if s.trim().is_empty() {
                                s.to_owned()
                            } else {
                                format!("{} ", s.trim_end())
                            }
                        });
                Cow::Owned(pieces.get(start..end).unwrap_or_default().join(&joiner))
            }
        };
        (!value.is_empty()).then_some(value)
    }
}

/// A mapping the user confirmed, with how its columns are to be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmedMapping {
    /// Where each mapped field comes from.
    pub fields: BTreeMap<CaseFieldTarget, FieldSource>,
    /// The decimal separator of the amount columns.
    pub amount_locale: NumberLocale,
    /// How the invoice date column writes dates; `None` while ambiguous.
    pub issue_date_format: Option<DateFormat>,
    /// How the due date column writes dates; `None` while ambiguous.
    pub due_date_format: Option<DateFormat>,
}

impl ConfirmedMapping {
    /// Takes every suggestion at or above `min_confidence` and reads the
    /// amount locale and date formats off `sample_rows`. Ambiguous date
    /// columns are left `None` for the user to choose; `fallback_locale`
    /// decides amounts no value decides.
    pub fn from_suggestions(
        suggestions: &[ColumnSuggestion],
        min_confidence: f32,
        sample_rows: &[Vec<String>],
        fallback_locale: NumberLocale,
    ) -> ConfirmedMapping {
        let fields = suggestions
            .iter()
            .filter(|s| s.confidence >= min_confidence)
            .filter_map(|s| {
                s.field
                    .map(|field| (field, FieldSource::Column { column: s.column }))
            })
            .collect();
        let mut mapping = ConfirmedMapping {
            fields,
            amount_locale: fallback_locale,
            issue_date_format: None,
            due_date_format: None,
        };
        mapping.infer_readings(sample_rows, fallback_locale);
        mapping
    }

    /// Reads the amount locale and the date formats of the mapped columns
    /// off `sample_rows` (after the user changed which column is which).
    pub fn infer_readings(&mut self, sample_rows: &[Vec<String>], fallback_locale: NumberLocale) {
        let values = |target: CaseFieldTarget| -> Vec<String> {
            self.fields.get(&target).map_or_else(Vec::new, |source| {
                sample_rows
                    .iter()
                    .filter_map(|row| source.value(row).map(Cow::into_owned))
                    .collect()
            })
        };
        let amounts: Vec<String> = [
            CaseFieldTarget::TotalAmount,
            CaseFieldTarget::OutstandingAmount,
        ]
        .into_iter()
        .flat_map(values)
        .collect();
        self.amount_locale =
            infer_amount_column(amounts.iter().map(String::as_str), fallback_locale)
                .map_or(fallback_locale, |column| column.locale);
        let date_format = |target| match self.date_inference(target, sample_rows)? {
            DateInference::Known { format } => Some(format),
            DateInference::Ambiguous => None,
        };
        let (issue, due) = (
            date_format(CaseFieldTarget::IssueDate),
            date_format(CaseFieldTarget::DueDate),
        );
        self.issue_date_format = issue;
        self.due_date_format = due;
    }

    /// How the sample writes the dates of a mapped date field; `None` when
    /// unmapped or not dates.
    pub fn date_inference(
        &self,
        target: CaseFieldTarget,
        sample_rows: &[Vec<String>],
    ) -> Option<DateInference> {
        let source = self.fields.get(&target)?;
        let cells: Vec<Cow<'_, str>> = sample_rows
            .iter()
            .filter_map(|row| source.value(row))
            .collect();
        infer_date_column(cells.iter().map(|c| c.as_ref()), true)
    }
}

/// Builds one invoice per row; see the module docs. A row with several
/// problems reports the first here; [`RowMapper::map`] reports them all.
///
/// `origin` is the file (and sheet) the rows come from; errors carry it
/// with their row and column, and invoices its text as their source
/// account (`march.xlsx [Invoices]`).
pub fn rows_to_invoices<'a, I>(
    mapping: &'a ConfirmedMapping,
    origin: &'a Location,
    rows: I,
) -> impl Iterator<Item = Result<Invoice, ImportError>> + 'a
where
    I: IntoIterator<Item = Result<Row, ImportError>>,
    I::IntoIter: 'a,
{
    let mapper = RowMapper::new(mapping, origin);
    rows.into_iter().map(move |row| {
        row.and_then(|row| mapper.map(&row).map_err(|mut errors| errors.swap_remove(0)))
    })
}

/// Maps rows under one mapping, from one file.
pub struct RowMapper<'a> {
    mapping: &'a ConfirmedMapping,
    origin: &'a Location,
    /// The origin's text, the invoices' source account (made once, not
    /// per row).
    account: String,
}

impl<'a> RowMapper<'a> {
    /// A mapper for rows of `origin`.
    pub fn new(mapping: &'a ConfirmedMapping, origin: &'a Location) -> RowMapper<'a> {
        RowMapper {
            mapping,
            origin,
            account: origin.to_string(),
        }
    }

    /// The source account of the invoices: the file (and sheet).
    pub fn account(&self) -> &str {
        &self.account
    }

    /// One row → an invoice, or every problem the row has (never empty),
    /// each with its row and column.
    pub fn map(&self, row: &Row) -> Result<Invoice, Vec<ImportError>> {
        row_to_invoice(self, row)
    }
}

/// One row's cells seen through the mapping.
struct MappedRow<'a> {
    mapping: &'a ConfirmedMapping,
    row: &'a Row,
    origin: &'a Location,
}

impl<'a> MappedRow<'a> {
    fn location(&self, target: Option<CaseFieldTarget>) -> Location {
        let location = self.origin.clone();
        match target
            .and_then(|t| self.mapping.fields.get(&t))
            .and_then(FieldSource::first_column)
        {
            Some(column) => location.at_cell(self.row.line, column),
            None => location.at_row(self.row.line),
        }
    }

    /// The trimmed value of `target`, `None` when unmapped or blank.
    fn text(&self, target: CaseFieldTarget) -> Option<Cow<'a, str>> {
        self.mapping.fields.get(&target)?.value(&self.row.cells)
    }

    fn owned(&self, target: CaseFieldTarget) -> Option<String> {
        self.text(target).map(Cow::into_owned)
    }

    fn cell_error(
        &self,
        target: CaseFieldTarget,
        problem: crate::values::ValueProblem,
    ) -> ImportError {
        ImportError::Cell {
            location: self.location(Some(target)),
            input: self.owned(target).unwrap_or_default(),
            problem,
        }
    }

    fn amount(&self, target: CaseFieldTarget) -> Result<Option<Decimal>, ImportError> {
        match self.text(target) {
            None => Ok(None),
            Some(cell) => parse_amount(&cell, self.mapping.amount_locale)
                .map_err(|problem| self.cell_error(target, problem)),
        }
    }

    fn date(
        &self,
        target: CaseFieldTarget,
        format: Option<DateFormat>,
    ) -> Result<Option<NaiveDate>, ImportError> {
        let Some(cell) = self.text(target) else {
            return Ok(None);
        };
        let Some(format) = format else {
            // ISO needs no order; anything else waits for the user.
            return parse_date(&cell, DateFormat::Iso).map_err(|_| ImportError::DateOrderUnknown {
                location: self.location(Some(target)),
            });
        };
        parse_date(&cell, format).map_err(|problem| self.cell_error(target, problem))
    }

    fn domain<T>(
        &self,
        target: Option<CaseFieldTarget>,
        result: Result<T, casebridge_domain::DomainError>,
    ) -> Result<T, ImportError> {
        result.map_err(|source| ImportError::Domain {
            location: self.location(target),
            source,
        })
    }

    fn missing(&self, target: CaseFieldTarget, field: &'static str) -> ImportError {
        ImportError::MissingValue {
            location: self.location(Some(target)),
            field,
        }
    }
}

/// Collects a row's problems so the user sees every bad cell at once.
#[derive(Default)]
struct Problems(Vec<ImportError>);

impl Problems {
    fn keep<T>(&mut self, result: Result<T, ImportError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }
}

fn row_to_invoice(mapper: &RowMapper<'_>, row: &Row) -> Result<Invoice, Vec<ImportError>> {
    use CaseFieldTarget as T;
    let (mapping, origin) = (mapper.mapping, mapper.origin);
    let at_row = || origin.clone().at_row(row.line);
    match row.status {
        RowStatus::Complete => {}
        RowStatus::Empty => return Err(vec![ImportError::EmptyRow { location: at_row() }]),
        RowStatus::Ragged { expected, found } => {
            return Err(vec![ImportError::RaggedRow {
                location: at_row(),
                expected,
                found,
            }])
        }
    }
    let r = MappedRow {
        mapping,
        row,
        origin,
    };
    let mut problems = Problems::default();

    let issue_date = problems.keep(
        r.date(T::IssueDate, mapping.issue_date_format)
            .and_then(|date| date.ok_or_else(|| r.missing(T::IssueDate, "the invoice date"))),
    );
    let due_date = problems
        .keep(r.date(T::DueDate, mapping.due_date_format))
        .flatten();

    let currency = problems.keep(match r.text(T::Currency) {
        Some(code) => r.domain(Some(T::Currency), Currency::parse(&code)),
        None => Err(r.missing(T::Currency, "the currency")),
    });
    let total = problems.keep(r.amount(T::TotalAmount));
    let outstanding = problems.keep(r.amount(T::OutstandingAmount));
    let amounts = match (total, outstanding, currency) {
        (Some(None), Some(None), _) => {
            let column = if mapping.fields.contains_key(&T::TotalAmount) {
                T::TotalAmount
            } else {
                T::OutstandingAmount
            };
            problems.0.push(r.missing(column, "the amount"));
            None
        }
        (Some(total), Some(outstanding), Some(currency)) => {
            // One amount column: nothing paid yet, or only the balance known.
            let (total, outstanding) = (total.or(outstanding), outstanding.or(total));
            let mut money = |target, amount: Option<Decimal>| {
                amount.and_then(|a| problems.keep(r.domain(Some(target), Money::new(a, currency))))
            };
            match (
                money(T::TotalAmount, total),
                money(T::OutstandingAmount, outstanding),
            ) {
                (Some(t), Some(o)) => {
                    problems.keep(r.domain(Some(T::OutstandingAmount), InvoiceAmounts::new(t, o)))
                }
                _ => None,
            }
        }
        _ => None,
    };

    let creditor_reference = r.owned(T::InvoiceNumber);
    // The invoice number identifies the row across re-imports of the same
    // file; without one, the line does.
    let line_id = || format!("line-{}", row.line);
    let source = problems.keep(r.domain(
        None,
        SourceRef::new(
            Provider::File,
            &mapper.account,
            creditor_reference.as_deref().unwrap_or(&line_id()),
        ),
    ));

    let kind = problems
        .keep(
            r.text(T::DebtorType)
                .map(|kind| r.domain(Some(T::DebtorType), DebtorKind::parse(&kind)))
                .transpose(),
        )
        .flatten();
    let (Some(issue_date), Some(amounts), Some(source), true) =
        (issue_date, amounts, source, problems.0.is_empty())
    else {
        return Err(problems.0);
    };
    let debtor = DebtorData {
        kind,
        name: r.owned(T::DebtorName),
        address_lines: [T::Street, T::Street2]
            .into_iter()
            .filter_map(|t| r.owned(t))
            .collect(),
        city: r.owned(T::City),
        postal_code: r.owned(T::PostalCode),
        country: r.text(T::Country).and_then(|c| CountryInput::new(&c)),
        state: r.owned(T::State),
        email: r.owned(T::Email),
        phone: r.owned(T::Phone),
        company_registration_number: r.owned(T::CompanyRegistrationNumber),
        contact_person: r.owned(T::ContactPerson),
    };
    // Debtor fixes are keyed on this: the customer id when the file has
    // one, else the name (the same name is the same debtor within a file).
    let debtor_key = r
        .owned(T::CustomerId)
        .or_else(|| debtor.name.clone())
        .unwrap_or_else(line_id);

    Ok(Invoice {
        source,
        debtor_key,
        creditor_reference,
        issue_date,
        due_date,
        amounts,
        description: r.owned(T::Description),
        debtor,
        has_document: false,
    })
}

#[cfg(test)]
mod tests {
    use casebridge_domain::{check_readiness, CountryCode, ReadinessPolicy, RuleCode};
    use rust_decimal::dec;

    use super::*;
    use crate::mapping::suggest;
    use crate::reader::open;

    const DANISH: &str = "Debitorliste\n\
        Fakturanr;Dato;Forfaldsdato;Kundenr;Kunde;Adresse;Postnr;By;Land;Beløb;Restbeløb;Valuta;Telefon\n\
        00123;05.01.2024;19.01.2024;K-7;Nordisk Tømrer ApS;Vestergade 1;0150;København K;Danmark;1.234,56;1.000,00;DKK;+45 12 34 56 78\n\
        00124;09.01.2024;23.01.2024;K-8;Bjørn Østergård;Nørregade 2;8000;Aarhus;DK;99,00;;DKK;\n\
        \n\
        00125;31.02.2024;23.03.2024;K-9;Ærø Fisk;Havnen 3;5970;Ærøskøbing;DK;12,5;12,5;XYZ;\n\
        00126;01.03.2024;;K-9;Ærø Fisk;Havnen 3\n";

    fn import(text: &str) -> (ConfirmedMapping, Vec<Result<Invoice, ImportError>>) {
        let rows = open(text.as_bytes(), "debitorer.csv", None).unwrap();
        let headers = rows.header().unwrap().to_vec();
        let all: Vec<Result<Row, ImportError>> = rows.collect();
        let sample: Vec<Vec<String>> = all
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|r| r.cells.clone())
            .collect();
        let suggestions = suggest(&headers, &sample);
        let mapping = ConfirmedMapping::from_suggestions(
            &suggestions,
            0.5,
            &sample,
            NumberLocale::DecimalPoint,
        );
        let invoices = rows_to_invoices(&mapping, &Location::file("debitorer.csv"), all).collect();
        (mapping, invoices)
    }

    #[test]
    fn a_danish_export_becomes_file_invoices_with_leading_zeros_kept() {
        let (mapping, results) = import(DANISH);
        assert_eq!(mapping.amount_locale, NumberLocale::DecimalComma);
        assert_eq!(mapping.issue_date_format, Some(DateFormat::DayFirst));
        let first = results[0].as_ref().unwrap();
        assert_eq!(first.source.to_string(), "file:debitorer.csv/00123");
        assert_eq!(first.creditor_reference.as_deref(), Some("00123"));
        assert_eq!(
            first.issue_date,
            NaiveDate::from_ymd_opt(2024, 1, 5).unwrap()
        );
        assert_eq!(first.due_date, NaiveDate::from_ymd_opt(2024, 1, 19));
        assert_eq!(first.total().amount(), dec!(1234.56));
        assert_eq!(first.outstanding().to_string(), "1000.00 DKK");
        assert_eq!(first.debtor.postal_code.as_deref(), Some("0150"));
        assert_eq!(first.debtor.phone.as_deref(), Some("+45 12 34 56 78"));
        assert_eq!(
            first.debtor.country.as_ref().and_then(CountryInput::code),
            Some(CountryCode::DK)
        );
        assert_eq!(first.debtor_key, "K-7");
        // A blank balance means nothing was paid: the total is owed.
        let second = results[1].as_ref().unwrap();
        assert_eq!(second.outstanding().amount(), dec!(99.00));
    }

    #[test]
    fn imported_invoices_go_through_the_same_readiness_rules() {
        let (_, results) = import(DANISH);
        let policy = ReadinessPolicy::new();
        let complete = results[0].as_ref().unwrap();
        let report = check_readiness(
            complete,
            None,
            NaiveDate::from_ymd_opt(2024, 6, 1).unwrap(),
            &policy,
        );
        for fine in [
            RuleCode::StreetMissing,
            RuleCode::CountryInvalid,
            RuleCode::PostalCodeInvalid,
            RuleCode::DueDateMissing,
        ] {
            assert!(!report.has(fine), "{fine:?}: {report:?}");
        }
        // The same rules catch what the file got wrong: judged on 10
        // January, the due date (19 January) has not passed yet.
        let early = check_readiness(
            complete,
            None,
            NaiveDate::from_ymd_opt(2024, 1, 10).unwrap(),
            &policy,
        );
        assert!(early.has(RuleCode::DueDateNotPast), "{early:?}");
    }

    #[test]
    fn bad_rows_are_errors_with_row_and_column_never_dropped() {
        let (_, results) = import(DANISH);
        assert_eq!(
            results.len(),
            5,
            "every line after the header is accounted for"
        );
        let codes: Vec<(&str, Option<u64>, Option<usize>)> = results
            .iter()
            .skip(2)
            .map(|r| {
                let e = r.as_ref().unwrap_err();
                let l = e.location().unwrap();
                (e.code(), l.row, l.column)
            })
            .collect();
        assert_eq!(
            codes,
            [
                ("row_empty", Some(5), None),
                ("date_impossible", Some(6), Some(1)),
                ("row_ragged", Some(7), None),
            ]
        );
    }

    #[test]
    fn unknown_currency_and_too_many_decimals_use_the_domain_codes() {
        let text = "Invoice no,Invoice date,Amount,Currency\nA-1,2024-01-05,12.50,XYZ\nA-2,2024-01-05,100,JPY\nA-3,2024-01-05,1.5,JPY\n";
        let (_, results) = import(text);
        let e = results[0].as_ref().unwrap_err();
        assert_eq!(
            (e.code(), e.location().unwrap().column),
            ("currency_invalid", Some(3))
        );
        assert!(results[1].is_ok());
        let e = results[2].as_ref().unwrap_err();
        assert_eq!(
            (e.code(), e.location().unwrap().column),
            ("amount_too_many_decimals", Some(2))
        );
        assert!(e.hint().contains("JPY"), "{}", e.hint());
    }

    #[test]
    fn missing_date_currency_or_amount_is_named() {
        let text = "Invoice no,Invoice date,Amount,Currency\nA-1,,10.00,EUR\nA-2,2024-01-05,10.00,\nA-3,2024-01-05,,EUR\n";
        let (_, results) = import(text);
        let messages: Vec<String> = results
            .iter()
            .map(|r| r.as_ref().unwrap_err().to_string())
            .collect();
        assert_eq!(
            messages,
            [
                "debitorer.csv, row 2, column 2: the invoice date is missing",
                "debitorer.csv, row 3, column 4: the currency is missing",
                "debitorer.csv, row 4, column 3: the amount is missing",
            ]
        );
    }

    #[test]
    fn an_ambiguous_date_column_waits_for_the_users_choice() {
        let text = "Invoice no,Invoice date,Amount,Currency\nA-1,03/04/2024,10.00,EUR\nA-2,2024-05-06,10.00,EUR\nA-3,05/06/2024,10.00,EUR\n";
        let (mut mapping, results) = import(text);
        assert_eq!(mapping.issue_date_format, None);
        assert_eq!(
            results[0].as_ref().unwrap_err().code(),
            "date_order_unknown"
        );
        assert!(results[1].is_ok(), "ISO dates need no choice");
        mapping.issue_date_format = Some(DateFormat::MonthFirst);
        let rows = open(text.as_bytes(), "debitorer.csv", None).unwrap();
        let first = rows_to_invoices(&mapping, &Location::file("debitorer.csv"), rows)
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(
            first.issue_date,
            NaiveDate::from_ymd_opt(2024, 3, 4).unwrap()
        );
    }

    #[test]
    fn a_constant_currency_fills_files_without_a_currency_column() {
        let text = "Invoice no;Invoice date;Amount\nA-1;2024-01-05;10,00\n";
        let (mut mapping, results) = import(text);
        assert_eq!(results[0].as_ref().unwrap_err().code(), "value_missing");
        mapping.fields.insert(
            CaseFieldTarget::Currency,
            FieldSource::Constant {
                value: "SEK".into(),
            },
        );
        let rows = open(text.as_bytes(), "debitorer.csv", None).unwrap();
        let invoice = rows_to_invoices(&mapping, &Location::file("debitorer.csv"), rows)
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(invoice.outstanding().to_string(), "10.00 SEK");
    }

    #[test]
    fn the_mapping_round_trips_through_json_for_saving() {
        let (mapping, _) = import(DANISH);
        let json = serde_json::to_string(&mapping).unwrap();
        let back: ConfirmedMapping = serde_json::from_str(&json).unwrap();
        assert_eq!(back, mapping);
    }

    #[test]
    fn join_split_and_constants_fill_fields_no_single_column_holds() {
        let text = "No;Date;First;Last;Address;Amount\n\
            7;2024-01-05;Bjørn;Østergård;Vestergade 1, 8000 Aarhus;10,00\n";
        let (mut mapping, _) = import(text);
        let split = |from, to| FieldSource::Split {
            column: 4,
            separator: Some(",".into()),
            from,
            to,
        };
        mapping.fields.insert(
            CaseFieldTarget::DebtorName,
            FieldSource::Join {
                columns: vec![2, 3],
                separator: " ".into(),
            },
        );
        mapping
            .fields
            .insert(CaseFieldTarget::Street, split(0, Some(1)));
        mapping.fields.insert(
            CaseFieldTarget::PostalCode,
            FieldSource::Split {
                column: 4,
                separator: None,
                from: -2,
                to: Some(-1),
            },
        );
        mapping.fields.insert(
            CaseFieldTarget::City,
            FieldSource::Split {
                column: 4,
                separator: None,
                from: -1,
                to: None,
            },
        );
        for (field, value) in [
            (CaseFieldTarget::Currency, "DKK"),
            (CaseFieldTarget::DebtorType, "Private"),
        ] {
            mapping.fields.insert(
                field,
                FieldSource::Constant {
                    value: value.into(),
                },
            );
        }
        let rows = open(text.as_bytes(), "x.csv", None).unwrap();
        let invoice = rows_to_invoices(&mapping, &Location::file("x.csv"), rows)
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(invoice.debtor.name.as_deref(), Some("Bjørn Østergård"));
        assert_eq!(invoice.debtor.address_lines, ["Vestergade 1"]);
        assert_eq!(invoice.debtor.postal_code.as_deref(), Some("8000"));
        assert_eq!(invoice.debtor.city.as_deref(), Some("Aarhus"));
        assert_eq!(invoice.debtor.kind, Some(DebtorKind::Private));
        assert_eq!(invoice.outstanding().to_string(), "10.00 DKK");
        // A split that keeps nothing is blank, not an error.
        assert_eq!(split(5, None).value(&["a, b".to_owned()]), None);
    }

    #[test]
    fn a_row_with_several_bad_cells_reports_each_with_its_column() {
        let text = "Invoice no,Invoice date,Amount,Currency\nA-1,2024-13-45,ten,XYZ\n";
        let (mut mapping, _) = import(text);
        mapping.fields.insert(
            CaseFieldTarget::IssueDate,
            FieldSource::Column { column: 1 },
        );
        mapping.issue_date_format = Some(DateFormat::Iso);
        let rows: Vec<Row> = open(text.as_bytes(), "x.csv", None)
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let origin = Location::file("x.csv");
        let errors = RowMapper::new(&mapping, &origin).map(&rows[0]).unwrap_err();
        let found: Vec<(&str, Option<usize>)> = errors
            .iter()
            .map(|e| (e.code(), e.location().and_then(|l| l.column)))
            .collect();
        assert_eq!(
            found,
            [
                ("date_impossible", Some(1)),
                ("currency_invalid", Some(3)),
                ("amount_invalid", Some(2)),
            ]
        );
    }
}
