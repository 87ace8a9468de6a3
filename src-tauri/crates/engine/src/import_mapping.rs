//! The wire mapping ([`api::ImportMapping`]) and the importer's [`ConfirmedMapping`], both
//! ways, checked against the table's width so a stale mapping cannot read a column that is
//! not there.

use casebridge_import::invoices::{ConfirmedMapping, FieldSource};
use casebridge_import::mapping::CaseFieldTarget;
use casebridge_import::values::{DateFormat, NumberLocale};

use crate::EngineError;
use crate::api::{self, AmountLocale, DateOrder, ImportField};

/// Every field with its wire name, label, and whether a row needs it.
const FIELDS: [(ImportField, CaseFieldTarget, &str, bool); 20] = [
    (
        ImportField::InvoiceNumber,
        CaseFieldTarget::InvoiceNumber,
        "Invoice number",
        false,
    ),
    (
        ImportField::IssueDate,
        CaseFieldTarget::IssueDate,
        "Invoice date",
        true,
    ),
    (
        ImportField::DueDate,
        CaseFieldTarget::DueDate,
        "Due date",
        false,
    ),
    (
        ImportField::TotalAmount,
        CaseFieldTarget::TotalAmount,
        "Invoice total",
        false,
    ),
    (
        ImportField::OutstandingAmount,
        CaseFieldTarget::OutstandingAmount,
        "Amount outstanding",
        true,
    ),
    (
        ImportField::Currency,
        CaseFieldTarget::Currency,
        "Currency",
        true,
    ),
    (
        ImportField::Description,
        CaseFieldTarget::Description,
        "Description",
        false,
    ),
    (
        ImportField::CustomerId,
        CaseFieldTarget::CustomerId,
        "Customer number",
        false,
    ),
    (
        ImportField::DebtorName,
        CaseFieldTarget::DebtorName,
        "Debtor name",
        false,
    ),
    (
        ImportField::DebtorType,
        CaseFieldTarget::DebtorType,
        "Debtor type (company / private)",
        false,
    ),
    (
        ImportField::Street,
        CaseFieldTarget::Street,
        "Street address",
        false,
    ),
    (
        ImportField::Street2,
        CaseFieldTarget::Street2,
        "Address line 2",
        false,
    ),
    (
        ImportField::PostalCode,
        CaseFieldTarget::PostalCode,
        "Postal code",
        false,
    ),
    (ImportField::City, CaseFieldTarget::City, "City", false),
    (
        ImportField::Country,
        CaseFieldTarget::Country,
        "Country",
        false,
    ),
    (
        ImportField::State,
        CaseFieldTarget::State,
        "State (US)",
        false,
    ),
    (ImportField::Email, CaseFieldTarget::Email, "Email", false),
    (ImportField::Phone, CaseFieldTarget::Phone, "Phone", false),
    (
        ImportField::CompanyRegistrationNumber,
        CaseFieldTarget::CompanyRegistrationNumber,
        "Company registration / VAT number",
        false,
    ),
    (
        ImportField::ContactPerson,
        CaseFieldTarget::ContactPerson,
        "Contact person",
        false,
    ),
];

pub(crate) fn target(field: ImportField) -> CaseFieldTarget {
    FIELDS
        .iter()
        .find(|f| f.0 == field)
        .map_or(CaseFieldTarget::InvoiceNumber, |f| f.1)
}

pub(crate) fn field(target: CaseFieldTarget) -> ImportField {
    FIELDS
        .iter()
        .find(|f| f.1 == target)
        .map_or(ImportField::InvoiceNumber, |f| f.0)
}

pub(crate) fn field_infos() -> Vec<api::ImportFieldInfo> {
    FIELDS
        .iter()
        .map(|&(field, _, label, required)| api::ImportFieldInfo {
            field,
            label: label.to_owned(),
            required,
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
            .map(|(&target, source)| api::FieldMapping {
                field: field(target),
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
        if fields.insert(target(m.field), source).is_some() {
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
    fn every_field_converts_both_ways_and_a_mapping_round_trips() {
        for &(f, t, _, _) in &FIELDS {
            assert_eq!((field(t), target(f)), (f, t));
        }
        assert_eq!(FIELDS.len(), CaseFieldTarget::ALL.len());
        let wire = api::ImportMapping {
            fields: vec![
                api::FieldMapping {
                    field: ImportField::DebtorName,
                    source: api::FieldSource::Join {
                        columns: vec![0, 1],
                        separator: " ".into(),
                    },
                },
                api::FieldMapping {
                    field: ImportField::Currency,
                    source: api::FieldSource::Constant {
                        value: "DKK".into(),
                    },
                },
                api::FieldMapping {
                    field: ImportField::City,
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
            field: ImportField::City,
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
