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

/// A mapping the user confirmed, with how its columns are to be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmedMapping {
    /// Which column fills which field (0-based column index).
    pub columns: BTreeMap<CaseFieldTarget, usize>,
    /// The decimal separator of the amount columns.
    pub amount_locale: NumberLocale,
    /// How the invoice date column writes dates; `None` while ambiguous.
    pub issue_date_format: Option<DateFormat>,
    /// How the due date column writes dates; `None` while ambiguous.
    pub due_date_format: Option<DateFormat>,
    /// The currency of rows without a currency column or cell.
    pub default_currency: Option<Currency>,
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
        let columns: BTreeMap<CaseFieldTarget, usize> = suggestions
            .iter()
            .filter(|s| s.confidence >= min_confidence)
            .filter_map(|s| s.field.map(|field| (field, s.column)))
            .collect();
        let cells = |column: usize| {
            sample_rows
                .iter()
                .map(move |row| row.get(column).map_or("", String::as_str))
        };
        let amount_cells = [
            CaseFieldTarget::TotalAmount,
            CaseFieldTarget::OutstandingAmount,
        ]
        .iter()
        .filter_map(|target| columns.get(target))
        .flat_map(|&column| cells(column));
        let amount_locale = infer_amount_column(amount_cells, fallback_locale)
            .map_or(fallback_locale, |column| column.locale);
        let date_format = |target| {
            let column = *columns.get(&target)?;
            match infer_date_column(cells(column), true)? {
                DateInference::Known { format } => Some(format),
                DateInference::Ambiguous => None,
            }
        };
        ConfirmedMapping {
            issue_date_format: date_format(CaseFieldTarget::IssueDate),
            due_date_format: date_format(CaseFieldTarget::DueDate),
            columns,
            amount_locale,
            default_currency: None,
        }
    }
}

/// Builds one invoice per row; see the module docs.
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
    rows.into_iter()
        .map(move |row| row.and_then(|row| row_to_invoice(mapping, origin, &row)))
}

/// One row's cells seen through the mapping.
struct MappedRow<'a> {
    mapping: &'a ConfirmedMapping,
    row: &'a Row,
    origin: &'a Location,
}

impl MappedRow<'_> {
    fn location(&self, target: Option<CaseFieldTarget>) -> Location {
        let location = self.origin.clone();
        match target.and_then(|t| self.mapping.columns.get(&t)) {
            Some(&column) => location.at_cell(self.row.line, column),
            None => location.at_row(self.row.line),
        }
    }

    /// The trimmed cell of `target`, `None` when unmapped or blank.
    fn text(&self, target: CaseFieldTarget) -> Option<&str> {
        let column = *self.mapping.columns.get(&target)?;
        let cell = self.row.cells.get(column)?.trim();
        (!cell.is_empty()).then_some(cell)
    }

    fn owned(&self, target: CaseFieldTarget) -> Option<String> {
        self.text(target).map(str::to_owned)
    }

    fn cell_error(
        &self,
        target: CaseFieldTarget,
        problem: crate::values::ValueProblem,
    ) -> ImportError {
        ImportError::Cell {
            location: self.location(Some(target)),
            input: self.text(target).unwrap_or_default().to_owned(),
            problem,
        }
    }

    fn amount(&self, target: CaseFieldTarget) -> Result<Option<Decimal>, ImportError> {
        match self.text(target) {
            None => Ok(None),
            Some(cell) => parse_amount(cell, self.mapping.amount_locale)
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
            return parse_date(cell, DateFormat::Iso).map_err(|_| ImportError::DateOrderUnknown {
                location: self.location(Some(target)),
            });
        };
        parse_date(cell, format).map_err(|problem| self.cell_error(target, problem))
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

fn row_to_invoice(
    mapping: &ConfirmedMapping,
    origin: &Location,
    row: &Row,
) -> Result<Invoice, ImportError> {
    use CaseFieldTarget as T;
    let at_row = || origin.clone().at_row(row.line);
    match row.status {
        RowStatus::Complete => {}
        RowStatus::Empty => return Err(ImportError::EmptyRow { location: at_row() }),
        RowStatus::Ragged { expected, found } => {
            return Err(ImportError::RaggedRow {
                location: at_row(),
                expected,
                found,
            })
        }
    }
    let r = MappedRow {
        mapping,
        row,
        origin,
    };

    let issue_date = r
        .date(T::IssueDate, mapping.issue_date_format)?
        .ok_or_else(|| r.missing(T::IssueDate, "the invoice date"))?;
    let due_date = r.date(T::DueDate, mapping.due_date_format)?;

    let currency = match r.text(T::Currency) {
        Some(code) => r.domain(Some(T::Currency), Currency::parse(code))?,
        None => mapping
            .default_currency
            .ok_or_else(|| r.missing(T::Currency, "the currency"))?,
    };
    let total = r.amount(T::TotalAmount)?;
    let outstanding = r.amount(T::OutstandingAmount)?;
    let (total, outstanding) = match (total, outstanding) {
        (Some(t), Some(o)) => (t, o),
        // One amount column: nothing paid yet, or only the balance known.
        (Some(amount), None) | (None, Some(amount)) => (amount, amount),
        (None, None) => {
            let column = if mapping.columns.contains_key(&T::TotalAmount) {
                T::TotalAmount
            } else {
                T::OutstandingAmount
            };
            return Err(r.missing(column, "the amount"));
        }
    };
    let money = |target, amount| r.domain(Some(target), Money::new(amount, currency));
    let amounts = r.domain(
        Some(T::OutstandingAmount),
        InvoiceAmounts::new(
            money(T::TotalAmount, total)?,
            money(T::OutstandingAmount, outstanding)?,
        ),
    )?;

    let creditor_reference = r.owned(T::InvoiceNumber);
    // The invoice number identifies the row across re-imports of the same
    // file; without one, the line does.
    let external_id = creditor_reference
        .clone()
        .unwrap_or_else(|| format!("line-{}", row.line));
    let source = r.domain(
        None,
        SourceRef::new(Provider::File, &origin.to_string(), &external_id),
    )?;

    let kind = r
        .text(T::DebtorType)
        .map(|kind| r.domain(Some(T::DebtorType), DebtorKind::parse(kind)))
        .transpose()?;
    let debtor = DebtorData {
        kind,
        name: r.owned(T::DebtorName),
        address_lines: [T::Street, T::Street2]
            .into_iter()
            .filter_map(|t| r.owned(t))
            .collect(),
        city: r.owned(T::City),
        postal_code: r.owned(T::PostalCode),
        country: r.text(T::Country).and_then(CountryInput::new),
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
        .unwrap_or_else(|| format!("line-{}", row.line));

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
    fn a_default_currency_fills_files_without_a_currency_column() {
        let text = "Invoice no;Invoice date;Amount\nA-1;2024-01-05;10,00\n";
        let (mut mapping, results) = import(text);
        assert_eq!(results[0].as_ref().unwrap_err().code(), "value_missing");
        mapping.default_currency = Some(Currency::SEK);
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
}
