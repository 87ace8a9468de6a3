//! The Invoices page: cached invoices with their review status, a page at a time.

use casebridge_store::{
    AgencyEnvironment, InvoiceFilter as StoreFilter, InvoiceQuery as StoreQuery, InvoiceSort,
    ReviewCounts, ReviewStatus, ReviewedInvoice,
};

use crate::api::{
    FilterCounts, InvoiceFilter, InvoicePage, InvoiceQuery, InvoiceRow, InvoiceSortField,
    Readiness, RunMode,
};
use crate::{Engine, EngineError};

/// The table never asks for more than a screenful or two; this bounds a
/// malicious or buggy caller.
const MAX_PAGE: u32 = 1_000;

impl Engine {
    pub async fn list_invoices(&self, q: InvoiceQuery) -> Result<InvoicePage, EngineError> {
        if q.limit > MAX_PAGE {
            return Err(EngineError::InvalidInput {
                field: "limit",
                reason: format!("at most {MAX_PAGE} rows per page, asked for {}", q.limit),
            });
        }
        let filter = StoreFilter {
            agency_environment: self.current_agency_environment().await?,
            provider: None,
            account: None,
            search: q.search.clone().filter(|s| !s.trim().is_empty()),
        };
        let query = StoreQuery {
            filter: filter.clone(),
            status: status_of(q.filter),
            sort: sort_of(q.sort),
            descending: q.descending,
            limit: q.limit,
            offset: q.offset,
        };
        let today = self.clock().today();
        let (rows, counts) = self
            .with_store(move |store| {
                Ok((store.list_invoices(&query)?, store.count_invoices(&filter)?))
            })
            .await?;
        let counts = filter_counts(&counts);
        Ok(InvoicePage {
            total: match q.filter {
                InvoiceFilter::All => counts.all,
                InvoiceFilter::Ready => counts.ready,
                InvoiceFilter::NeedsFixing => counts.needs_fixing,
                InvoiceFilter::Submitted => counts.submitted,
                InvoiceFilter::Duplicate => counts.duplicate,
            },
            rows: rows.into_iter().map(|r| row(r, today)).collect(),
            counts,
        })
    }

    /// Which agency environment "submitted" is judged against before any
    /// agency is connected.
    pub(crate) fn agency_environment(&self) -> AgencyEnvironment {
        match self.inner.config.mode {
            RunMode::Demo => AgencyEnvironment::Test,
            RunMode::Normal => AgencyEnvironment::Production,
        }
    }

    /// The environment of the connected agency, else the mode's default.
    pub(crate) async fn current_agency_environment(&self) -> Result<AgencyEnvironment, EngineError> {
        Ok(self
            .agency_settings()
            .await?
            .map_or(self.agency_environment(), |s| s.outbox_environment()))
    }
}

fn status_of(filter: InvoiceFilter) -> Option<ReviewStatus> {
    match filter {
        InvoiceFilter::All => None,
        InvoiceFilter::Ready => Some(ReviewStatus::Ready),
        InvoiceFilter::NeedsFixing => Some(ReviewStatus::NeedsFixing),
        InvoiceFilter::Submitted => Some(ReviewStatus::Submitted),
        InvoiceFilter::Duplicate => Some(ReviewStatus::Duplicate),
    }
}

fn sort_of(field: InvoiceSortField) -> InvoiceSort {
    match field {
        InvoiceSortField::DueDate => InvoiceSort::DueDate,
        InvoiceSortField::IssueDate => InvoiceSort::IssueDate,
        InvoiceSortField::Amount => InvoiceSort::Outstanding,
        InvoiceSortField::Debtor => InvoiceSort::DebtorName,
        InvoiceSortField::CreditorReference => InvoiceSort::CreditorReference,
    }
}

fn saturating_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn filter_counts(c: &ReviewCounts) -> FilterCounts {
    FilterCounts {
        all: saturating_u32(c.all),
        ready: saturating_u32(c.ready),
        // Unchecked invoices are evaluated on fetch; any left over need a look.
        needs_fixing: saturating_u32(c.needs_fixing + c.unchecked),
        submitted: saturating_u32(c.submitted),
        duplicate: saturating_u32(c.duplicate),
    }
}

pub(crate) fn row(r: ReviewedInvoice, today: chrono::NaiveDate) -> InvoiceRow {
    let inv = r.invoice;
    InvoiceRow {
        source_ref: crate::cache::display_source(&inv.source),
        provider: inv.source.provider,
        creditor_reference: inv.creditor_reference,
        debtor_name: Some(inv.debtor_name).filter(|n| !n.is_empty()),
        amount: inv.outstanding,
        currency: inv.currency.unwrap_or_default(),
        issue_date: inv.issue_date.map(|d| d.to_string()).unwrap_or_default(),
        due_date: inv.due_date.map(|d| d.to_string()),
        debt_age_days: inv.due_date.map(|d| (today - d).num_days()),
        readiness: match r.status {
            ReviewStatus::Ready => Readiness::Ready,
            ReviewStatus::NeedsFixing | ReviewStatus::Unchecked => Readiness::NeedsFixing,
            ReviewStatus::Submitted => Readiness::Submitted,
            ReviewStatus::Duplicate => Readiness::Duplicate,
        },
        issue_count: inv.issue_count.unwrap_or(0),
    }
}

impl Engine {
    /// Every invoice that is ready to submit (for "submit all ready").
    pub async fn ready_source_refs(&self) -> Result<Vec<String>, EngineError> {
        let mut refs = Vec::new();
        loop {
            let page = self
                .list_invoices(InvoiceQuery {
                    filter: InvoiceFilter::Ready,
                    offset: u32::try_from(refs.len()).unwrap_or(u32::MAX),
                    limit: MAX_PAGE,
                    ..InvoiceQuery::default()
                })
                .await?;
            let got = page.rows.len();
            refs.extend(page.rows.into_iter().map(|r| r.source_ref));
            if got < MAX_PAGE as usize {
                return Ok(refs);
            }
        }
    }
}
