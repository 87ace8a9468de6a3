//! The offline invoice cache, its review status, and the per-debtor fixes.
//!
//! Rows are whatever the last fetch or import said; re-fetching overwrites them (keeping
//! `first_seen_at`). What the *user* decided lives elsewhere and survives: debtor fixes in
//! `debtor_overrides`, submissions in the outbox. The review status (ready / needs fixing /
//! submitted / duplicate) is `issue_count` (the domain's readiness result, written by the engine)
//! unless a per-environment mark says submitted or duplicate. SQLite triggers (migration 0003)
//! keep the marks in the same transaction as every outbox, case and cache write, so the page,
//! the counts and a search at 100,000 invoices read one index instead of joining six lookups per
//! row; the store's tests check the stored marks against their definition after each kind of
//! write.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::ToSql;
use rusqlite::{named_params, params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Result;
use crate::refs::{AgencyEnvironment, DebtorRef, SourceRef};
use crate::sql::{contains_pattern, date, get_opt_date, get_ts, text_enum, ts};
use crate::Store;

/// A normalized invoice as fetched or imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceRecord {
    pub source: SourceRef,
    /// The invoice number as it will be sent (`None` when the source has none yet).
    pub creditor_reference: Option<String>,
    /// Stable id of the debtor within the source account; the key of debtor fixes.
    pub debtor_key: String,
    pub debtor_name: String,
    /// Cross-source duplicate key computed by the engine.
    pub fingerprint: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub currency: Option<String>,
    /// Outstanding balance, decimal text.
    pub outstanding: String,
    /// Readiness problems found by the engine with the debtor's fixes applied; `Some(0)` = ready,
    /// `None` = not evaluated.
    pub issue_count: Option<u32>,
    /// The normalized invoice, as the engine's domain type serializes it.
    pub payload: Value,
    /// The source's own status word (`open`, `overdue`, `partially_paid`…).
    pub source_status: String,
    pub fetched_at: DateTime<Utc>,
}

text_enum! {
    /// The tab an invoice falls in, in order of precedence.
    pub enum ReviewStatus {
        /// Has a live submission or a case in the environment.
        Submitted => "submitted",
        /// Another submission or case has its creditor reference or fingerprint.
        Duplicate => "duplicate",
        /// Not evaluated by the readiness rules yet.
        Unchecked => "unchecked",
        NeedsFixing => "needs_fixing",
        Ready => "ready",
    }
}

/// A cached invoice with its review status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewedInvoice {
    #[serde(flatten)]
    pub invoice: InvoiceRecord,
    pub first_seen_at: DateTime<Utc>,
    pub status: ReviewStatus,
}

/// Which invoices a list or a count covers. Status is judged against `agency_environment`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceFilter {
    pub agency_environment: AgencyEnvironment,
    pub provider: Option<String>,
    pub account: Option<String>,
    /// Case-insensitive substring of the invoice number, debtor name or external id.
    pub search: Option<String>,
}

/// Sort column for [`Store::list_invoices`]. Missing values sort last either way; ties are
/// broken by insertion order so pages never overlap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceSort {
    #[default]
    DueDate,
    IssueDate,
    Outstanding,
    DebtorName,
    CreditorReference,
    FetchedAt,
}

impl InvoiceSort {
    fn sql(self) -> &'static str {
        match self {
            InvoiceSort::DueDate => "due_date",
            InvoiceSort::IssueDate => "issue_date",
            // Decimal text: compare as numbers, not as strings ("9" > "10").
            InvoiceSort::Outstanding => "CAST(outstanding AS REAL)",
            InvoiceSort::DebtorName => "debtor_name COLLATE NOCASE",
            InvoiceSort::CreditorReference => "creditor_reference COLLATE NOCASE",
            InvoiceSort::FetchedAt => "fetched_at",
        }
    }
}

/// One page of the review table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InvoiceQuery {
    pub filter: InvoiceFilter,
    pub status: Option<ReviewStatus>,
    pub sort: InvoiceSort,
    pub descending: bool,
    pub limit: u32,
    pub offset: u32,
}

/// Invoices per review tab.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewCounts {
    pub all: u64,
    pub submitted: u64,
    pub duplicate: u64,
    pub unchecked: u64,
    pub needs_fixing: u64,
    pub ready: u64,
}

/// A user's fix for one debtor, applied to all their invoices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DebtorOverride {
    pub debtor: DebtorRef,
    pub value: Value,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "provider, account, external_id, creditor_reference, debtor_key, \
    debtor_name, fingerprint, issue_date, due_date, currency, outstanding, issue_count, \
    payload_json, source_status, fetched_at";

fn invoice_from_row(row: &Row<'_>) -> rusqlite::Result<InvoiceRecord> {
    Ok(InvoiceRecord {
        source: SourceRef::from_row(row)?,
        creditor_reference: row.get("creditor_reference")?,
        debtor_key: row.get("debtor_key")?,
        debtor_name: row.get("debtor_name")?,
        fingerprint: row.get("fingerprint")?,
        issue_date: get_opt_date(row, "issue_date")?,
        due_date: get_opt_date(row, "due_date")?,
        currency: row.get("currency")?,
        outstanding: row.get("outstanding")?,
        issue_count: row.get("issue_count")?,
        payload: row.get("payload_json")?,
        source_status: row.get("source_status")?,
        fetched_at: get_ts(row, "fetched_at")?,
    })
}

/// [`COLUMNS`] on alias `i`, for statements that join.
fn qualified_columns() -> String {
    COLUMNS
        .split(", ")
        .map(|c| format!("i.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

const OVERRIDE_COLUMNS: &str = "provider, account, debtor_key, override_json, updated_at";

fn override_from_row(row: &Row<'_>) -> rusqlite::Result<DebtorOverride> {
    Ok(DebtorOverride {
        debtor: DebtorRef {
            provider: row.get("provider")?,
            account: row.get("account")?,
            debtor_key: row.get("debtor_key")?,
        },
        value: row.get("override_json")?,
        updated_at: get_ts(row, "updated_at")?,
    })
}

fn reviewed_from_row(row: &Row<'_>) -> rusqlite::Result<ReviewedInvoice> {
    Ok(ReviewedInvoice {
        invoice: invoice_from_row(row)?,
        first_seen_at: get_ts(row, "first_seen_at")?,
        status: row.get("review_status")?,
    })
}

/// The stored per-environment mark (`submitted` / `duplicate`, kept by the triggers of
/// migration 0003) for `env`. A column name, never user text.
fn mark_column(env: AgencyEnvironment) -> &'static str {
    match env {
        AgencyEnvironment::Test => "i.review_mark_test",
        AgencyEnvironment::Production => "i.review_mark_production",
    }
}

/// An invoice's review status in `env` (on alias `i`): the mark if any, else what its readiness
/// result says. Reads only columns of the `invoices_review` index.
fn status_expr(env: AgencyEnvironment) -> String {
    format!(
        "CASE WHEN {mark} IS NOT NULL THEN {mark} \
         WHEN i.issue_count IS NULL THEN 'unchecked' \
         WHEN i.issue_count > 0 THEN 'needs_fixing' ELSE 'ready' END",
        mark = mark_column(env)
    )
}

const FILTER_CONDITION: &str = "(:provider IS NULL OR i.provider = :provider) \
    AND (:account IS NULL OR i.account = :account) \
    AND (:search IS NULL OR i.creditor_reference LIKE :search ESCAPE '\\' \
         OR i.debtor_name LIKE :search ESCAPE '\\' OR i.external_id LIKE :search ESCAPE '\\')";

/// The named parameters of [`FILTER_CONDITION`], and the environment statuses are judged in.
struct FilterParams {
    env: AgencyEnvironment,
    provider: Option<String>,
    account: Option<String>,
    search: Option<String>,
}

impl FilterParams {
    fn new(filter: &InvoiceFilter) -> Self {
        FilterParams {
            env: filter.agency_environment,
            provider: filter.provider.clone(),
            account: filter.account.clone(),
            search: filter
                .search
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(contains_pattern),
        }
    }

    fn params(&self) -> Vec<(&str, &dyn ToSql)> {
        vec![
            (":provider", &self.provider),
            (":account", &self.account),
            (":search", &self.search),
        ]
    }
}

impl Store {
    /// Inserts or refreshes invoices in one transaction with one prepared statement (100k rows
    /// is one commit). Refreshing keeps `first_seen_at`, debtor fixes and submissions.
    /// Returns the number of rows written.
    pub fn upsert_invoices(&self, invoices: &[InvoiceRecord]) -> Result<usize> {
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO invoices (provider, account, external_id, creditor_reference, \
                 debtor_key, debtor_name, fingerprint, issue_date, due_date, currency, outstanding, \
                 issue_count, payload_json, source_status, fetched_at, first_seen_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15) \
                 ON CONFLICT (provider, account, external_id) DO UPDATE SET \
                 creditor_reference = excluded.creditor_reference, debtor_key = excluded.debtor_key, \
                 debtor_name = excluded.debtor_name, fingerprint = excluded.fingerprint, \
                 issue_date = excluded.issue_date, due_date = excluded.due_date, \
                 currency = excluded.currency, outstanding = excluded.outstanding, \
                 issue_count = excluded.issue_count, payload_json = excluded.payload_json, \
                 source_status = excluded.source_status, fetched_at = excluded.fetched_at",
            )?;
            for inv in invoices {
                stmt.execute(params![
                    inv.source.provider,
                    inv.source.account,
                    inv.source.external_id,
                    inv.creditor_reference,
                    inv.debtor_key,
                    inv.debtor_name,
                    inv.fingerprint,
                    inv.issue_date.as_ref().map(date),
                    inv.due_date.as_ref().map(date),
                    inv.currency,
                    inv.outstanding,
                    inv.issue_count,
                    inv.payload.to_string(),
                    inv.source_status,
                    ts(&inv.fetched_at),
                ])?;
            }
            Ok(invoices.len())
        })
    }

    /// Stores new readiness results (after a debtor fix or a rule change) in one transaction.
    /// Unknown source refs are skipped; returns how many rows changed.
    pub fn set_invoice_issue_counts(&self, counts: &[(SourceRef, Option<u32>)]) -> Result<usize> {
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(
                "UPDATE invoices SET issue_count = ?4 WHERE provider = ?1 AND account = ?2 AND external_id = ?3",
            )?;
            let mut changed = 0;
            for (s, count) in counts {
                changed += stmt.execute(params![s.provider, s.account, s.external_id, count])?;
            }
            Ok(changed)
        })
    }

    /// One page of the review table.
    ///
    /// Two steps in one statement: the page's ids are picked from the `invoices_review` index
    /// alone (filter, status, sort key), then only those rows are read with their payloads.
    pub fn list_invoices(&self, query: &InvoiceQuery) -> Result<Vec<ReviewedInvoice>> {
        let filter = FilterParams::new(&query.filter);
        let (order, dir) = (
            query.sort.sql(),
            if query.descending { "DESC" } else { "ASC" },
        );
        let status = status_expr(filter.env);
        let sql = format!(
            "WITH page AS MATERIALIZED (SELECT i.id, {status} AS review_status FROM invoices i \
               WHERE {FILTER_CONDITION} AND (:status IS NULL OR {status} = :status) \
               ORDER BY ({order}) IS NULL, {order} {dir}, i.id {dir} LIMIT :limit OFFSET :offset) \
             SELECT {COLUMNS}, i.first_seen_at, page.review_status \
             FROM page JOIN invoices i ON i.id = page.id \
             ORDER BY ({order}) IS NULL, {order} {dir}, i.id {dir}",
            COLUMNS = qualified_columns(),
        );
        let mut params = filter.params();
        params.extend_from_slice(&[
            (":status", &query.status as &dyn ToSql),
            (":limit", &query.limit),
            (":offset", &query.offset),
        ]);
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(params.as_slice(), reviewed_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// How many invoices fall in each review tab (one pass over the `invoices_review` index).
    pub fn count_invoices(&self, filter: &InvoiceFilter) -> Result<ReviewCounts> {
        let filter = FilterParams::new(filter);
        let sql = format!(
            "SELECT {} AS review_status, count(*) FROM invoices i WHERE {FILTER_CONDITION} \
             GROUP BY review_status",
            status_expr(filter.env)
        );
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut counts = ReviewCounts::default();
            let rows = stmt.query_map(filter.params().as_slice(), |r| {
                Ok((r.get::<_, ReviewStatus>(0)?, r.get::<_, i64>(1)?))
            })?;
            for row in rows {
                let (status, n) = row?;
                let n = n.unsigned_abs();
                counts.all += n;
                *match status {
                    ReviewStatus::Submitted => &mut counts.submitted,
                    ReviewStatus::Duplicate => &mut counts.duplicate,
                    ReviewStatus::Unchecked => &mut counts.unchecked,
                    ReviewStatus::NeedsFixing => &mut counts.needs_fixing,
                    ReviewStatus::Ready => &mut counts.ready,
                } += n;
            }
            Ok(counts)
        })
    }

    /// One cached invoice with its status in `env`.
    pub fn get_invoice(
        &self,
        env: AgencyEnvironment,
        source: &SourceRef,
    ) -> Result<Option<ReviewedInvoice>> {
        let sql = format!(
            "SELECT {}, i.first_seen_at, {} AS review_status FROM invoices i \
             WHERE i.provider = :provider AND i.account = :account AND i.external_id = :external_id",
            qualified_columns(),
            status_expr(env)
        );
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&sql)?
                .query_row(
                    named_params! {
                        ":provider": source.provider,
                        ":account": source.account,
                        ":external_id": source.external_id,
                    },
                    reviewed_from_row,
                )
                .optional()?)
        })
    }

    /// Every cached invoice of one debtor (to re-run readiness after a fix, and for "fix for
    /// all N invoices").
    pub fn invoices_of_debtor(&self, debtor: &DebtorRef) -> Result<Vec<InvoiceRecord>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM invoices WHERE provider = ?1 AND account = ?2 AND debtor_key = ?3 ORDER BY id"
            ))?;
            let rows = stmt.query_map(params![debtor.provider, debtor.account, debtor.debtor_key], invoice_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// "Forget cached invoices": drops cached rows (of one provider / account when given).
    /// Submissions, cases and debtor fixes are kept. Returns the number removed.
    pub fn forget_invoices(&self, provider: Option<&str>, account: Option<&str>) -> Result<usize> {
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM invoices WHERE (?1 IS NULL OR provider = ?1) AND (?2 IS NULL OR account = ?2)",
                params![provider, account],
            )?)
        })
    }

    /// Drops one cached invoice, e.g. one found paid at the source right
    /// before submission. Returns whether it was cached.
    pub fn forget_invoice(&self, source: &SourceRef) -> Result<bool> {
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM invoices WHERE provider = ?1 AND account = ?2 AND external_id = ?3",
                params![source.provider, source.account, source.external_id],
            )? > 0)
        })
    }

    /// Saves (or replaces) the fix for one debtor.
    pub fn set_debtor_override(
        &self,
        debtor: &DebtorRef,
        value: &Value,
        now: DateTime<Utc>,
    ) -> Result<DebtorOverride> {
        self.write(|tx| {
            Ok(tx
                .prepare_cached(&format!(
                    "INSERT INTO debtor_overrides (provider, account, debtor_key, override_json, updated_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (provider, account, debtor_key) DO UPDATE SET \
                     override_json = excluded.override_json, updated_at = excluded.updated_at \
                     RETURNING {OVERRIDE_COLUMNS}"
                ))?
                .query_row(
                    params![debtor.provider, debtor.account, debtor.debtor_key, value.to_string(), ts(&now)],
                    override_from_row,
                )?)
        })
    }

    /// The fix for one debtor, if the user made one.
    pub fn get_debtor_override(&self, debtor: &DebtorRef) -> Result<Option<DebtorOverride>> {
        Ok(self
            .list_overrides_where(
                "provider = ?1 AND account = ?2 AND debtor_key = ?3",
                params![debtor.provider, debtor.account, debtor.debtor_key],
            )?
            .pop())
    }

    /// Every debtor fix, optionally of one provider / account.
    pub fn list_debtor_overrides(
        &self,
        provider: Option<&str>,
        account: Option<&str>,
    ) -> Result<Vec<DebtorOverride>> {
        self.list_overrides_where(
            "(?1 IS NULL OR provider = ?1) AND (?2 IS NULL OR account = ?2)",
            params![provider, account],
        )
    }

    /// Removes a debtor fix; returns whether there was one.
    pub fn delete_debtor_override(&self, debtor: &DebtorRef) -> Result<bool> {
        self.write(|tx| {
            Ok(tx.execute(
                "DELETE FROM debtor_overrides WHERE provider = ?1 AND account = ?2 AND debtor_key = ?3",
                params![debtor.provider, debtor.account, debtor.debtor_key],
            )? > 0)
        })
    }

    fn list_overrides_where(
        &self,
        condition: &str,
        params: &[&dyn ToSql],
    ) -> Result<Vec<DebtorOverride>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {OVERRIDE_COLUMNS} FROM debtor_overrides \
                 WHERE {condition} ORDER BY provider, account, debtor_key"
            ))?;
            let rows = stmt.query_map(params, override_from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
