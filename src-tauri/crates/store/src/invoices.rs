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

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::ToSql;
use rusqlite::{named_params, params, Connection, OptionalExtension, Row};
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

/// One invoice as the cache writes it: a record's columns, borrowed, with the payload already
/// JSON text. The fetch path ([`Store::upsert_invoices`]) and the import's streaming writer
/// ([`crate::InvoiceWriter`]) both write through it, so the two cannot drift apart.
#[derive(Debug, Clone, Copy)]
pub struct CacheRow<'a> {
    pub source: &'a SourceRef,
    pub creditor_reference: Option<&'a str>,
    pub debtor_key: &'a str,
    pub debtor_name: &'a str,
    pub fingerprint: Option<&'a str>,
    pub issue_date: Option<NaiveDate>,
    pub due_date: Option<NaiveDate>,
    pub currency: Option<&'a str>,
    pub outstanding: &'a str,
    pub issue_count: Option<u32>,
    pub payload_json: &'a str,
    pub source_status: &'a str,
    pub fetched_at: DateTime<Utc>,
}

impl InvoiceRecord {
    /// This record as a row to write, with its payload serialised by the caller.
    pub fn row<'a>(&'a self, payload_json: &'a str) -> CacheRow<'a> {
        CacheRow {
            source: &self.source,
            creditor_reference: self.creditor_reference.as_deref(),
            debtor_key: &self.debtor_key,
            debtor_name: &self.debtor_name,
            fingerprint: self.fingerprint.as_deref(),
            issue_date: self.issue_date,
            due_date: self.due_date,
            currency: self.currency.as_deref(),
            outstanding: &self.outstanding,
            issue_count: self.issue_count,
            payload_json,
            source_status: &self.source_status,
            fetched_at: self.fetched_at,
        }
    }
}

/// Inserts an invoice or refreshes it, keeping `first_seen_at` (and, because they live in
/// other tables, debtor fixes and submissions).
pub(crate) const UPSERT_INVOICE_SQL: &str = "INSERT INTO invoices (provider, account, external_id, \
     creditor_reference, debtor_key, debtor_name, fingerprint, issue_date, due_date, currency, \
     outstanding, issue_count, payload_json, source_status, fetched_at, first_seen_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15) \
     ON CONFLICT (provider, account, external_id) DO UPDATE SET \
     creditor_reference = excluded.creditor_reference, debtor_key = excluded.debtor_key, \
     debtor_name = excluded.debtor_name, fingerprint = excluded.fingerprint, \
     issue_date = excluded.issue_date, due_date = excluded.due_date, \
     currency = excluded.currency, outstanding = excluded.outstanding, \
     issue_count = excluded.issue_count, payload_json = excluded.payload_json, \
     source_status = excluded.source_status, fetched_at = excluded.fetched_at";

/// Binds `row` to [`UPSERT_INVOICE_SQL`] and runs it.
pub(crate) fn upsert_invoice(stmt: &mut rusqlite::Statement<'_>, row: &CacheRow<'_>) -> Result<()> {
    stmt.execute(params![
        row.source.provider,
        row.source.account,
        row.source.external_id,
        row.creditor_reference,
        row.debtor_key,
        row.debtor_name,
        row.fingerprint,
        row.issue_date.as_ref().map(date),
        row.due_date.as_ref().map(date),
        row.currency,
        row.outstanding,
        row.issue_count,
        row.payload_json,
        row.source_status,
        ts(&row.fetched_at),
    ])?;
    Ok(())
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
    /// The sort key as SQL, and whether it compares case-insensitively (SQLite's NOCASE:
    /// ASCII letters only).
    fn key(self) -> (&'static str, bool) {
        match self {
            InvoiceSort::DueDate => ("i.due_date", false),
            InvoiceSort::IssueDate => ("i.issue_date", false),
            // Decimal text: compare as numbers, not as strings ("9" > "10").
            InvoiceSort::Outstanding => ("CAST(i.outstanding AS REAL)", false),
            InvoiceSort::DebtorName => ("i.debtor_name", true),
            InvoiceSort::CreditorReference => ("i.creditor_reference", true),
            InvoiceSort::FetchedAt => ("i.fetched_at", false),
        }
    }
}

/// One row's sort key as read from SQLite.
#[derive(Debug)]
enum SortKey {
    Missing,
    Number(f64),
    Text(Vec<u8>),
}

impl SortKey {
    fn read(value: rusqlite::types::ValueRef<'_>, nocase: bool) -> SortKey {
        use rusqlite::types::ValueRef;
        match value {
            ValueRef::Null => SortKey::Missing,
            ValueRef::Integer(n) => SortKey::Number(n as f64),
            ValueRef::Real(x) => SortKey::Number(x),
            ValueRef::Text(t) | ValueRef::Blob(t) if nocase => {
                SortKey::Text(t.to_ascii_lowercase())
            }
            ValueRef::Text(t) | ValueRef::Blob(t) => SortKey::Text(t.to_vec()),
        }
    }

    /// Present keys in `descending` order or not, missing ones last either way.
    fn compare(&self, other: &SortKey, descending: bool) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        let present = match (self, other) {
            (SortKey::Missing, SortKey::Missing) => return Ordering::Equal,
            (SortKey::Missing, _) => return Ordering::Greater,
            (_, SortKey::Missing) => return Ordering::Less,
            (SortKey::Number(a), SortKey::Number(b)) => a.total_cmp(b),
            (SortKey::Text(a), SortKey::Text(b)) => a.cmp(b),
            // One column holds one kind; SQLite orders numbers before text.
            (SortKey::Number(_), SortKey::Text(_)) => Ordering::Less,
            (SortKey::Text(_), SortKey::Number(_)) => Ordering::Greater,
        };
        if descending {
            present.reverse()
        } else {
            present
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

/// The invoices in one review tab, as a condition on the stored columns (no CASE per row).
fn status_condition(env: AgencyEnvironment, status: ReviewStatus) -> String {
    let mark = mark_column(env);
    match status {
        ReviewStatus::Submitted => format!("{mark} = 'submitted'"),
        ReviewStatus::Duplicate => format!("{mark} = 'duplicate'"),
        ReviewStatus::Unchecked => format!("{mark} IS NULL AND i.issue_count IS NULL"),
        ReviewStatus::NeedsFixing => format!("{mark} IS NULL AND i.issue_count > 0"),
        ReviewStatus::Ready => format!("{mark} IS NULL AND i.issue_count = 0"),
    }
}

/// The WHERE clause of a list or count, with only the terms that apply (a term that always
/// holds still costs a test per row at 100,000 rows), and its named parameters.
struct Filter {
    env: AgencyEnvironment,
    condition: String,
    provider: Option<String>,
    account: Option<String>,
    search: Option<String>,
}

impl Filter {
    fn new(filter: &InvoiceFilter, status: Option<ReviewStatus>) -> Self {
        let search = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(contains_pattern);
        let mut terms = vec!["1".to_owned()];
        if filter.provider.is_some() {
            terms.push("i.provider = :provider".into());
        }
        if filter.account.is_some() {
            terms.push("i.account = :account".into());
        }
        if search.is_some() {
            terms.push(
                "(i.creditor_reference LIKE :search ESCAPE '\\' \
                 OR i.debtor_name LIKE :search ESCAPE '\\' OR i.external_id LIKE :search ESCAPE '\\')"
                    .into(),
            );
        }
        if let Some(status) = status {
            terms.push(status_condition(filter.agency_environment, status));
        }
        Filter {
            env: filter.agency_environment,
            condition: terms.join(" AND "),
            provider: filter.provider.clone(),
            account: filter.account.clone(),
            search,
        }
    }

    fn params(&self) -> Vec<(&str, &dyn ToSql)> {
        let mut params: Vec<(&str, &dyn ToSql)> = Vec::new();
        if let Some(provider) = &self.provider {
            params.push((":provider", provider));
        }
        if let Some(account) = &self.account {
            params.push((":account", account));
        }
        if let Some(search) = &self.search {
            params.push((":search", search));
        }
        params
    }
}

/// Most review-table calls repeat a question whose answer has not changed: the virtual table
/// asks for block after block of the same filter and sort, each with the tab counts. Answering
/// each from scratch means sorting 100,000 rows per block. This keeps, per filter and sort, the
/// whole ordered id list (8 bytes a row) and the counts, and drops everything as soon as the
/// file changed: `total_changes()` moves with every row this connection writes (any method,
/// triggers included), `PRAGMA data_version` with every commit of another connection (the CLI,
/// a second window). A block is then a slice plus a lookup of its rows by id.
#[derive(Debug, Default)]
pub(crate) struct ReviewCache {
    stamp: Option<(i64, i64)>,
    orders: HashMap<String, Arc<Vec<i64>>>,
    counts: HashMap<String, ReviewCounts>,
}

/// Orderings kept at once (each ~800 KB at 100,000 rows); the table uses one or two.
const CACHED_ORDERS: usize = 8;

impl ReviewCache {
    /// Forgets everything if the file changed since the entries were computed.
    fn check(&mut self, conn: &Connection) -> Result<()> {
        let stamp = (
            conn.query_row("SELECT total_changes()", [], |r| r.get(0))?,
            conn.pragma_query_value(None, "data_version", |r| r.get(0))?,
        );
        if self.stamp != Some(stamp) {
            self.orders.clear();
            self.counts.clear();
            self.stamp = Some(stamp);
        }
        Ok(())
    }
}

impl Store {
    /// Inserts or refreshes invoices in one transaction with one prepared statement (100k rows
    /// is one commit). Refreshing keeps `first_seen_at`, debtor fixes and submissions.
    /// Returns the number of rows written.
    pub fn upsert_invoices(&self, invoices: &[InvoiceRecord]) -> Result<usize> {
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(UPSERT_INVOICE_SQL)?;
            for inv in invoices {
                upsert_invoice(&mut stmt, &inv.row(&inv.payload.to_string()))?;
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

    /// One page of the review table. The filter's ordered ids come from the cache or from one
    /// pass over the `invoices_review` index; then only the page's rows are read.
    pub fn list_invoices(&self, query: &InvoiceQuery) -> Result<Vec<ReviewedInvoice>> {
        let filter = Filter::new(&query.filter, query.status);
        let (order, nocase) = query.sort.key();
        let descending = query.descending;
        let key = format!("{:?}|{:?}|{order} {descending}", query.filter, query.status);
        let rows_sql = format!(
            "SELECT i.id, {columns}, i.first_seen_at, {status} AS review_status FROM invoices i \
             WHERE i.id IN (SELECT value FROM json_each(:ids))",
            columns = qualified_columns(),
            status = status_expr(filter.env),
        );
        self.read(|conn| {
            let ids = {
                let mut cache = self.review_cache();
                cache.check(conn)?;
                match cache.orders.get(&key) {
                    Some(ids) => ids.clone(),
                    None => {
                        // Sorted here, not by SQLite: reading 100,000 (id, key) pairs off the
                        // index and sorting them in Rust is several times faster than
                        // SQLite's sorter with its NULLS-last expression.
                        let sql = format!(
                            "SELECT i.id, {order} FROM invoices i WHERE {}",
                            filter.condition
                        );
                        let mut stmt = conn.prepare_cached(&sql)?;
                        let mut keyed = stmt
                            .query_map(filter.params().as_slice(), |r| {
                                Ok((r.get::<_, i64>(0)?, SortKey::read(r.get_ref(1)?, nocase)))
                            })?
                            .collect::<rusqlite::Result<Vec<_>>>()?;
                        keyed.sort_unstable_by(|(a_id, a), (b_id, b)| {
                            a.compare(b, descending).then_with(|| {
                                if descending {
                                    b_id.cmp(a_id)
                                } else {
                                    a_id.cmp(b_id)
                                }
                            })
                        });
                        let ids: Vec<i64> = keyed.into_iter().map(|(id, _)| id).collect();
                        let ids = Arc::new(ids);
                        if cache.orders.len() >= CACHED_ORDERS {
                            cache.orders.clear();
                        }
                        cache.orders.insert(key, ids.clone());
                        ids
                    }
                }
            };
            let start = (query.offset as usize).min(ids.len());
            let page = &ids[start..(start + query.limit as usize).min(ids.len())];
            if page.is_empty() {
                return Ok(Vec::new());
            }
            let position: HashMap<i64, usize> =
                page.iter().enumerate().map(|(n, id)| (*id, n)).collect();
            let mut stmt = conn.prepare_cached(&rows_sql)?;
            let mut rows = stmt
                .query_map(
                    named_params! { ":ids": serde_json::to_string(page).unwrap_or_default() },
                    |row| Ok((row.get::<_, i64>("id")?, reviewed_from_row(row)?)),
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows.sort_by_key(|(id, _)| position.get(id).copied().unwrap_or(usize::MAX));
            Ok(rows.into_iter().map(|(_, row)| row).collect())
        })
    }

    /// How many invoices fall in each review tab: one pass over the `invoices_review` index,
    /// grouped in its own order (no sort), folded here.
    pub fn count_invoices(&self, filter: &InvoiceFilter) -> Result<ReviewCounts> {
        let key = format!("{filter:?}");
        let filter = Filter::new(filter, None);
        let sql = format!(
            "SELECT i.review_mark_production, i.review_mark_test, i.issue_count, count(*) \
             FROM invoices i WHERE {} \
             GROUP BY i.review_mark_production, i.review_mark_test, i.issue_count",
            filter.condition
        );
        self.read(|conn| {
            let mut cache = self.review_cache();
            cache.check(conn)?;
            if let Some(counts) = cache.counts.get(&key) {
                return Ok(*counts);
            }
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut counts = ReviewCounts::default();
            let rows = stmt.query_map(filter.params().as_slice(), |r| {
                Ok((
                    r.get::<_, Option<String>>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            })?;
            for row in rows {
                let (production, test, issues, n) = row?;
                let mark = match filter.env {
                    AgencyEnvironment::Production => production,
                    AgencyEnvironment::Test => test,
                };
                let n = n.unsigned_abs();
                counts.all += n;
                *match (mark.as_deref(), issues) {
                    (Some("submitted"), _) => &mut counts.submitted,
                    (Some(_), _) => &mut counts.duplicate,
                    (None, None) => &mut counts.unchecked,
                    (None, Some(0)) => &mut counts.ready,
                    (None, Some(_)) => &mut counts.needs_fixing,
                } += n;
            }
            cache.counts.insert(key, counts);
            Ok(counts)
        })
    }

    fn review_cache(&self) -> std::sync::MutexGuard<'_, ReviewCache> {
        self.review_cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
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
