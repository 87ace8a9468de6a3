//! The statements we send in QuickBooks' query language. Only `AND` (no
//! `OR`), values always quoted.

use crate::fetch::FetchFilter;

/// A quoted literal; quotes inside are escaped with a backslash.
fn literal(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The `WHERE` conditions for unpaid invoices matching `filter`.
///
/// "Created" is the invoice date (`TxnDate`): the date the invoice bears
/// and the agency's `date`, and a documented filter field
/// (`MetaData.CreateTime` is when the record was entered, which for
/// migrated books can be years off).
pub(crate) fn unpaid_conditions(filter: &FetchFilter) -> String {
    let mut conditions = vec!["Balance > '0'".to_owned()];
    let ranges = [("TxnDate", &filter.created), ("DueDate", &filter.due)];
    for (field, range) in ranges {
        if let Some(from) = range.from() {
            conditions.push(format!("{field} >= {}", literal(&from.to_string())));
        }
        if let Some(to) = range.to() {
            conditions.push(format!("{field} <= {}", literal(&to.to_string())));
        }
    }
    conditions.join(" AND ")
}

/// `SELECT COUNT(*) FROM Invoice WHERE …`.
pub(crate) fn count_invoices(conditions: &str) -> String {
    format!("SELECT COUNT(*) FROM Invoice WHERE {conditions}")
}

/// One page of invoices, in a stable order so parallel pages neither
/// overlap nor leave gaps.
pub(crate) fn invoice_page(conditions: &str, start: u64, size: u32) -> String {
    format!(
        "SELECT * FROM Invoice WHERE {conditions} ORDERBY Id STARTPOSITION {start} MAXRESULTS {size}"
    )
}

/// The rows of `entity` with these ids, in one page.
fn by_id(entity: &str, ids: &[String]) -> String {
    let list = ids
        .iter()
        .map(|id| literal(id))
        .collect::<Vec<_>>()
        .join(",");
    format!(
        "SELECT * FROM {entity} WHERE Id IN ({list}) STARTPOSITION 1 MAXRESULTS {}",
        ids.len().max(1)
    )
}

/// The customers with these ids, in one page.
pub(crate) fn customers_by_id(ids: &[String]) -> String {
    by_id("Customer", ids)
}

/// The invoices with these ids, in one page, whatever their balance (paid and voided ones
/// too; deleted ones are not returned).
pub(crate) fn invoices_by_id(ids: &[String]) -> String {
    by_id("Invoice", ids)
}

/// One page of all customers (the fallback when `IN` is refused).
pub(crate) fn customer_page(start: u64, size: u32) -> String {
    format!("SELECT * FROM Customer ORDERBY Id STARTPOSITION {start} MAXRESULTS {size}")
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::fetch::DateRange;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn without_filters_only_the_balance_is_asked_for() {
        assert_eq!(unpaid_conditions(&FetchFilter::default()), "Balance > '0'");
    }

    #[test]
    fn date_filters_become_inclusive_and_conditions() {
        let filter = FetchFilter {
            created: DateRange::new("created", Some(day(2024, 1, 1)), None).expect("range"),
            due: DateRange::new("due", Some(day(2024, 2, 1)), Some(day(2024, 3, 31)))
                .expect("range"),
            include_uncollectible: false,
        };
        assert_eq!(
            unpaid_conditions(&filter),
            "Balance > '0' AND TxnDate >= '2024-01-01' AND DueDate >= '2024-02-01' AND DueDate <= '2024-03-31'"
        );
    }

    #[test]
    fn customer_ids_are_quoted_and_escaped() {
        assert_eq!(
            customers_by_id(&["1".into(), "o'k".into()]),
            "SELECT * FROM Customer WHERE Id IN ('1','o\\'k') STARTPOSITION 1 MAXRESULTS 2"
        );
    }

    #[test]
    fn invoices_are_asked_for_by_id_without_a_balance_condition() {
        assert_eq!(
            invoices_by_id(&["7".into(), "12".into(), "130".into()]),
            "SELECT * FROM Invoice WHERE Id IN ('7','12','130') STARTPOSITION 1 MAXRESULTS 3"
        );
    }

    #[test]
    fn pages_are_ordered_by_id() {
        assert_eq!(
            invoice_page("Balance > '0'", 1001, 1000),
            "SELECT * FROM Invoice WHERE Balance > '0' ORDERBY Id STARTPOSITION 1001 MAXRESULTS 1000"
        );
    }
}
