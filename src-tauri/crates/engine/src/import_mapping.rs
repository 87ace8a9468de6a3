//! The wire mapping ([`api::ImportMapping`]) and the importer's [`ConfirmedMapping`], both
//! ways, checked against the table's width so a stale mapping cannot read a column that is
//! not there.

use casebridge_import::invoices::{ConfirmedMapping, FieldSource};
use casebridge_import::mapping::CaseFieldTarget;
use casebridge_import::values::{DateFormat, NumberLocale};

use crate::EngineError;
use crate::api::{self, AmountLocale, DateOrder};

/// What the mapping editor calls a field, and whether a row needs it to become an invoice
/// (the currency may come from a constant, so it is "required" of the mapping, not a column).
fn label(target: CaseFieldTarget) -> (&'static str, bool) {
    use CaseFieldTarget as T;
    match target {
        T::InvoiceNumber => ("Invoice number", false),
        T::IssueDate => ("Invoice date", true),
        T::DueDate => ("Due date", false),
        T::TotalAmount => ("Invoice total", false),
        T::OutstandingAmount => ("Amount outstanding", true),
        T::Currency => ("Currency", true),
        T::Description => ("Description", false),
        T::CustomerId => ("Customer number", false),
        T::DebtorName => ("Debtor name", false),
        T::DebtorType => ("Debtor type (company / private)", false),
        T::Street => ("Street address", false),
        T::Street2 => ("Address line 2", false),
        T::PostalCode => ("Postal code", false),
        T::City => ("City", false),
        T::Country => ("Country", false),
        T::State => ("State (US)", false),
        T::Email => ("Email", false),
        T::Phone => ("Phone", false),
        T::CompanyRegistrationNumber => ("Company registration / VAT number", false),
        T::ContactPerson => ("Contact person", false),
    }
}

/// Every field in the order the editor lists them.
pub(crate) fn field_infos() -> Vec<api::ImportFieldInfo> {
    CaseFieldTarget::ALL
        .into_iter()
        .map(|field| {
            let (label, required) = label(field);
            api::ImportFieldInfo {
                field,
                label: label.to_owned(),
                required,
            }
        })
        .collect()
}

pub(crate) fn date_order(format: DateFormat) -> DateOrder {
    match format {
        DateFormat::Iso => DateOrder::Iso,
        DateFormat::DayFirst => DateOrder::DayFirst,
        DateFormat::MonthFirst => DateOrder::MonthFirst,
        DateFormat::ExcelSerial => DateOrder::ExcelSerial,
    }
}

fn date_format(order: DateOrder) -> DateFormat {
    match order {
        DateOrder::Iso => DateFormat::Iso,
        DateOrder::DayFirst => DateFormat::DayFirst,
        DateOrder::MonthFirst => DateFormat::MonthFirst,
        DateOrder::ExcelSerial => DateFormat::ExcelSerial,
    }
}

/// The wire form of a confirmed mapping.
pub(crate) fn to_wire(mapping: &ConfirmedMapping) -> api::ImportMapping {
    let column = |c: usize| u32::try_from(c).unwrap_or(u32::MAX);
    api::ImportMapping {
        fields: mapping
            .fields
            .iter()
            .map(|(&field, source)| api::FieldMapping {
                field,
                source: match source {
                    FieldSource::Column { column: c } => {
                        api::FieldSource::Column { column: column(*c) }
                    }
                    FieldSource::Join { columns, separator } => api::FieldSource::Join {
                        columns: columns.iter().map(|&c| column(c)).collect(),
                        separator: separator.clone(),
                    },
                    FieldSource::Split {
                        column: c,
                        separator,
                        from,
                        to,
                    } => api::FieldSource::Split {
                        column: column(*c),
                        part: api::SplitPart {
                            separator: separator.clone(),
                            from: *from,
                            to: *to,
                        },
                    },
                    FieldSource::Constant { value } => api::FieldSource::Constant {
                        value: value.clone(),
                    },
                },
            })
            .collect(),
        amount_locale: match mapping.amount_locale {
            NumberLocale::DecimalPoint => AmountLocale::DecimalPoint,
            NumberLocale::DecimalComma => AmountLocale::DecimalComma,
        },
        issue_date_order: mapping.issue_date_format.map(date_order),
        due_date_order: mapping.due_date_format.map(date_order),
    }
}

/// The importer's form of a wire mapping, refusing a column at or beyond `width` and a field
/// mapped twice.
pub(crate) fn from_wire(
    mapping: &api::ImportMapping,
    width: usize,
) -> Result<ConfirmedMapping, EngineError> {
    let column = |c: u32| {
        usize::try_from(c)
            .ok()
            .filter(|&c| c < width)
            .ok_or_else(|| EngineError::InvalidInput {
                field: "mapping",
                reason: format!(
                    "column {} does not exist: the table has {width} columns",
                    c + 1
                ),
            })
    };
    let mut fields = std::collections::BTreeMap::new();
    for m in &mapping.fields {
        let source = match &m.source {
            api::FieldSource::Column { column: c } => FieldSource::Column {
                column: column(*c)?,
            },
            api::FieldSource::Join { columns, separator } => FieldSource::Join {
                columns: columns
                    .iter()
                    .map(|&c| column(c))
                    .collect::<Result<_, _>>()?,
                separator: separator.clone(),
            },
            api::FieldSource::Split { column: c, part } => FieldSource::Split {
                column: column(*c)?,
                separator: part.separator.clone(),
                from: part.from,
                to: part.to,
            },
            api::FieldSource::Constant { value } => FieldSource::Constant {
                value: value.clone(),
            },
        };
        if fields.insert(m.field, source).is_some() {
            return Err(EngineError::InvalidInput {
                field: "mapping",
                reason: format!("{:?} is mapped twice; keep one source per field", m.field),
            });
        }
    }
    Ok(ConfirmedMapping {
        fields,
        amount_locale: match mapping.amount_locale {
            AmountLocale::DecimalPoint => NumberLocale::DecimalPoint,
            AmountLocale::DecimalComma => NumberLocale::DecimalComma,
        },
        issue_date_format: mapping.issue_date_order.map(date_format),
        due_date_format: mapping.due_date_order.map(date_format),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_lists_every_field_once_and_a_row_needs_date_amount_and_currency() {
        let infos = field_infos();
        let listed: Vec<_> = infos.iter().map(|i| i.field).collect();
        assert_eq!(listed, CaseFieldTarget::ALL);
        assert!(infos.iter().all(|i| !i.label.is_empty()), "{infos:?}");
        let required: Vec<_> = infos
            .iter()
            .filter(|i| i.required)
            .map(|i| i.field)
            .collect();
        assert_eq!(
            required,
            [
                CaseFieldTarget::IssueDate,
                CaseFieldTarget::OutstandingAmount,
                CaseFieldTarget::Currency
            ]
        );
    }

    #[test]
    fn a_mapping_round_trips_between_wire_and_importer() {
        let wire = api::ImportMapping {
            fields: vec![
                api::FieldMapping {
                    field: CaseFieldTarget::DebtorName,
                    source: api::FieldSource::Join {
                        columns: vec![0, 1],
                        separator: " ".into(),
                    },
                },
                api::FieldMapping {
                    field: CaseFieldTarget::Currency,
                    source: api::FieldSource::Constant {
                        value: "DKK".into(),
                    },
                },
                api::FieldMapping {
                    field: CaseFieldTarget::City,
                    source: api::FieldSource::Split {
                        column: 2,
                        part: api::SplitPart {
                            separator: None,
                            from: -1,
                            to: None,
                        },
                    },
                },
            ],
            amount_locale: AmountLocale::DecimalComma,
            issue_date_order: Some(DateOrder::DayFirst),
            due_date_order: None,
        };
        let confirmed = from_wire(&wire, 3).unwrap();
        let mut back = to_wire(&confirmed);
        back.fields.sort_by_key(|f| f.field);
        let mut expected = wire.clone();
        expected.fields.sort_by_key(|f| f.field);
        assert_eq!(back, expected);
    }

    #[test]
    fn a_column_beyond_the_table_or_a_field_mapped_twice_is_refused() {
        let one = |column| api::FieldMapping {
            field: CaseFieldTarget::City,
            source: api::FieldSource::Column { column },
        };
        let mapping = |fields| api::ImportMapping {
            fields,
            amount_locale: AmountLocale::DecimalPoint,
            issue_date_order: None,
            due_date_order: None,
        };
        let error = from_wire(&mapping(vec![one(3)]), 3).unwrap_err();
        assert_eq!(
            error.to_string(),
            "mapping: column 4 does not exist: the table has 3 columns"
        );
        let error = from_wire(&mapping(vec![one(0), one(1)]), 3).unwrap_err();
        assert!(error.to_string().contains("mapped twice"), "{error}");
    }
}
