//! The Cases page: submitted cases with their agency status and payments.

use casebridge_domain::Provider;
use casebridge_store::{CaseQuery as StoreCaseQuery, CaseRecord, CaseSourceStatus};
use rust_decimal::Decimal;

use crate::api::{CaseAtSource, CasePage, CaseQuery, CaseRow, UiError};
use crate::{Engine, EngineError};

const MAX_PAGE: u32 = 1_000;
/// What a query with no limit gets.
const DEFAULT_PAGE: u32 = 500;

impl Engine {
    pub async fn list_cases(&self, q: CaseQuery) -> Result<CasePage, EngineError> {
        if q.limit > MAX_PAGE {
            return Err(EngineError::InvalidInput {
                field: "limit",
                reason: format!("at most {MAX_PAGE} cases per page, asked for {}", q.limit),
            });
        }
        // Search runs over every case before paging, so `total` is the
        // number of matches, not the size of this page. Case lists are small
        // (thousands), so one read is cheap.
        let query = StoreCaseQuery {
            agency_environment: Some(self.current_agency_environment().await?),
            source_status: None,
            with_source_only: false,
            limit: u32::MAX,
            offset: 0,
        };
        let records = self.with_store(move |store| Ok(store.list_cases(&query)?)).await?;
        let search = q.search.as_deref().map(str::to_lowercase).filter(|s| !s.trim().is_empty());
        let matching: Vec<CaseRecord> =
            records.into_iter().filter(|c| search.as_deref().is_none_or(|s| matches_search(c, s))).collect();
        let total = u32::try_from(matching.len()).unwrap_or(u32::MAX);
        let last_polled_at = matching.iter().filter_map(|c| c.last_polled_at).max().map(|t| t.to_rfc3339());
        let limit = if q.limit == 0 { DEFAULT_PAGE } else { q.limit };
        let rows: Vec<CaseRow> = matching.into_iter().skip(q.offset as usize).take(limit as usize).map(row).collect();
        Ok(CasePage { total, rows, last_polled_at })
    }
}

fn matches_search(case: &CaseRecord, needle: &str) -> bool {
    [&case.agency_reference, &case.creditor_reference, &case.debtor_name]
        .into_iter()
        .flatten()
        .any(|field| field.to_lowercase().contains(needle))
}

/// Sum of the payments' gross amounts as last polled; amounts the agency
/// sent in a shape we do not understand are left out rather than guessed.
fn paid_amount(payments: &serde_json::Value) -> Decimal {
    payments
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.get("grossAmount"))
        .filter_map(|a| match a {
            serde_json::Value::Number(n) => n.to_string().parse::<Decimal>().ok(),
            serde_json::Value::String(s) => s.parse::<Decimal>().ok(),
            _ => None,
        })
        .sum()
}

/// Files and cases found on the agency have no source to ask.
fn at_source(c: &CaseRecord) -> CaseAtSource {
    let trackable = c
        .source
        .as_ref()
        .and_then(|s| Provider::parse(&s.provider).ok())
        .is_some_and(|p| p != Provider::File);
    match c.source_status {
        _ if !trackable => CaseAtSource::NotTracked,
        CaseSourceStatus::Open => CaseAtSource::Open,
        CaseSourceStatus::PaidAtSource => CaseAtSource::PaidAtSource,
        CaseSourceStatus::GoneAtSource => CaseAtSource::GoneAtSource,
        CaseSourceStatus::Unknown => CaseAtSource::Unknown,
    }
}

fn row(c: CaseRecord) -> CaseRow {
    let source_status = at_source(&c);
    CaseRow {
        paid_amount: paid_amount(&c.payments).to_string(),
        agency_case_id: c.agency_case_id,
        agency_reference: c.agency_reference,
        creditor_reference: c.creditor_reference,
        debtor_name: c.debtor_name,
        amount: c.amount.unwrap_or_default(),
        currency: c.currency.unwrap_or_default(),
        lifecycle: c.lifecycle.unwrap_or_else(|| "Unknown".to_string()),
        source_status,
        source_checked_at: c.source_checked_at.map(|t| t.to_rfc3339()),
        // Written by the at-source check from a `UiError`; anything else is not shown.
        source_check_error: c
            .source_check_error
            .and_then(|e| serde_json::from_value::<UiError>(e).ok()),
        submitted_at: c.submitted_at.map(|t| t.to_rfc3339()),
        last_polled_at: c.last_polled_at.map(|t| t.to_rfc3339()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paid_amount_sums_numbers_and_strings_and_skips_garbage() {
        let payments = serde_json::json!([
            {"grossAmount": 100.25}, {"grossAmount": "50.75"}, {"grossAmount": null}, {"other": 1}
        ]);
        assert_eq!(paid_amount(&payments), Decimal::new(15100, 2));
        assert_eq!(paid_amount(&serde_json::json!(null)), Decimal::ZERO);
    }
}
