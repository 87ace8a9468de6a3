//! Cases known at the agency: written when a submission is accepted, refreshed by polling.
//!
//! Two writers touch a case row and own different columns. Acceptance owns the link to the
//! invoice (source ref, outbox entry, fingerprint, `submitted_at`); polling owns what the agency
//! says (lifecycle, amounts, `raw_json`). Neither overwrites the other's columns, so the order in
//! which they arrive does not matter.

use chrono::{DateTime, Utc};
use rusqlite::{named_params, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::outbox::OutboxEntry;
use crate::refs::{AgencyEnvironment, SourceRef};
use crate::sql::{get_opt_json, get_opt_ts, get_ts, text_enum, ts};
use crate::Store;

text_enum! {
    /// What the source system says about a submitted invoice.
    pub enum CaseSourceStatus {
        /// Still unpaid at the source.
        Open => "open",
        /// Paid at the source after submission: the user must report a direct payment.
        PaidAtSource => "paid_at_source",
        /// Voided or deleted at the source after submission: nothing is owed there any more.
        GoneAtSource => "gone_at_source",
        /// Not checked yet, or no source (a case found on the agency, or a file import).
        Unknown => "unknown",
    }
}

/// A stored case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub agency_case_id: String,
    pub agency_environment: AgencyEnvironment,
    pub agency_reference: Option<String>,
    pub creditor_reference: Option<String>,
    /// `None` for cases found on the agency that were not submitted from this app.
    pub source: Option<SourceRef>,
    pub outbox_id: Option<i64>,
    pub fingerprint: Option<String>,
    pub debtor_name: Option<String>,
    /// Decimal text.
    pub amount: Option<String>,
    pub currency: Option<String>,
    /// The agency's lifecycle label, as returned (e.g. "Active").
    pub lifecycle: Option<String>,
    pub close_code: Option<String>,
    /// The agency's payments for this case, as last polled (a JSON array).
    pub payments: Value,
    pub source_status: CaseSourceStatus,
    /// When the source last answered: what `source_status` is as of.
    pub source_checked_at: Option<DateTime<Utc>>,
    /// When the source was last asked, answered or not (the re-check throttle).
    pub source_check_attempted_at: Option<DateTime<Utc>>,
    /// Why the last ask failed (`{code, message, hint}`); `None` after an answer.
    pub source_check_error: Option<Value>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub last_polled_at: Option<DateTime<Utc>>,
    /// The last case object the agency returned.
    pub raw: Option<Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What the agency answered to `POST /cases`; see [`Store::outbox_mark_accepted`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptedCase {
    pub agency_case_id: String,
    pub agency_reference: Option<String>,
    pub debtor_name: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub lifecycle: Option<String>,
    /// The response body.
    pub raw: Option<Value>,
}

/// One case as read from the agency's case list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolledCase {
    pub agency_case_id: String,
    pub agency_environment: AgencyEnvironment,
    pub agency_reference: Option<String>,
    pub creditor_reference: Option<String>,
    pub debtor_name: Option<String>,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub lifecycle: Option<String>,
    pub close_code: Option<String>,
    pub raw: Value,
}

/// A case before and after an update, read in the same transaction, so the caller can tell
/// what changed (new case, lifecycle change, closed, new payment) without racing another process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseChange {
    pub previous: Option<CaseRecord>,
    pub current: CaseRecord,
}

/// What the source said when a submitted invoice was read again there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceAnswer {
    /// Still owed.
    Open,
    /// Paid (nothing left to pay).
    Paid,
    /// Voided or deleted.
    Gone,
}

impl SourceAnswer {
    fn status(self) -> CaseSourceStatus {
        match self {
            SourceAnswer::Open => CaseSourceStatus::Open,
            SourceAnswer::Paid => CaseSourceStatus::PaidAtSource,
            SourceAnswer::Gone => CaseSourceStatus::GoneAtSource,
        }
    }
}

/// The outcome of one re-check at the source, for [`Store::record_source_check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SourceCheck {
    /// The source answered: the status is replaced and the error cleared.
    Answered(SourceAnswer),
    /// The source could not be asked or did not answer (`{code, message, hint}`): the status
    /// and the time of the last answer stay as they were.
    Failed(Value),
}

/// Which cases [`Store::cases_due_for_source_check`] returns: those submitted from one source
/// account, not asked since `asked_before`, still worth asking (not voided or deleted there,
/// not closed at the agency), least recently asked first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCheckDue<'a> {
    pub agency_environment: AgencyEnvironment,
    pub provider: &'a str,
    pub account: &'a str,
    pub asked_before: DateTime<Utc>,
    pub limit: u32,
}

/// Filter for [`Store::list_cases`]; newest submission first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseQuery {
    pub agency_environment: Option<AgencyEnvironment>,
    pub source_status: Option<CaseSourceStatus>,
    /// Only cases submitted from this app (with a source ref), e.g. for re-checking at the source.
    pub with_source_only: bool,
    pub limit: u32,
    pub offset: u32,
}

pub(crate) const COLUMNS: &str = "agency_case_id, agency_environment, agency_reference, \
    creditor_reference, provider, account, external_id, outbox_id, fingerprint, debtor_name, \
    amount, currency, lifecycle, close_code, payments_json, source_status, source_checked_at, \
    source_check_attempted_at, source_check_error_json, submitted_at, last_polled_at, raw_json, \
    created_at, updated_at";

pub(crate) fn case_from_row(row: &Row<'_>) -> rusqlite::Result<CaseRecord> {
    Ok(CaseRecord {
        agency_case_id: row.get("agency_case_id")?,
        agency_environment: row.get("agency_environment")?,
        agency_reference: row.get("agency_reference")?,
        creditor_reference: row.get("creditor_reference")?,
        source: SourceRef::from_opt_row(row)?,
        outbox_id: row.get("outbox_id")?,
        fingerprint: row.get("fingerprint")?,
        debtor_name: row.get("debtor_name")?,
        amount: row.get("amount")?,
        currency: row.get("currency")?,
        lifecycle: row.get("lifecycle")?,
        close_code: row.get("close_code")?,
        payments: row.get("payments_json")?,
        source_status: row.get("source_status")?,
        source_checked_at: get_opt_ts(row, "source_checked_at")?,
        source_check_attempted_at: get_opt_ts(row, "source_check_attempted_at")?,
        source_check_error: get_opt_json(row, "source_check_error_json")?,
        submitted_at: get_opt_ts(row, "submitted_at")?,
        last_polled_at: get_opt_ts(row, "last_polled_at")?,
        raw: get_opt_json(row, "raw_json")?,
        created_at: get_ts(row, "created_at")?,
        updated_at: get_ts(row, "updated_at")?,
    })
}

/// Writes the case of an accepted entry (part of the acceptance transaction). If polling saw the
/// case first, the row gains its link to the invoice and keeps what polling wrote.
///
/// Errors: [`StoreError::Conflict`] when the case id is already linked to another submission
/// (the agency answered two requests with one case), which rolls the acceptance back.
pub(crate) fn insert_submitted(
    tx: &Transaction<'_>,
    entry: &OutboxEntry,
    case: &AcceptedCase,
    now: &DateTime<Utc>,
) -> Result<CaseRecord> {
    let now = ts(now);
    let raw = case.raw.as_ref().map(Value::to_string);
    tx
        .prepare_cached(&format!(
            "INSERT INTO cases (agency_case_id, agency_environment, agency_reference, \
             creditor_reference, provider, account, external_id, outbox_id, fingerprint, \
             debtor_name, amount, currency, lifecycle, raw_json, submitted_at, created_at, updated_at) \
             VALUES (:id, :env, :reference, :creditor_reference, :provider, :account, :external_id, \
             :outbox_id, :fingerprint, :debtor_name, :amount, :currency, :lifecycle, :raw, :now, :now, :now) \
             ON CONFLICT (agency_case_id) DO UPDATE SET \
             provider = excluded.provider, account = excluded.account, \
             external_id = excluded.external_id, outbox_id = excluded.outbox_id, \
             fingerprint = excluded.fingerprint, submitted_at = excluded.submitted_at, \
             agency_reference = coalesce(cases.agency_reference, excluded.agency_reference), \
             creditor_reference = coalesce(cases.creditor_reference, excluded.creditor_reference), \
             updated_at = excluded.updated_at \
             WHERE cases.outbox_id IS NULL \
             RETURNING {COLUMNS}"
        ))?
        .query_row(
            named_params! {
                ":id": case.agency_case_id,
                ":env": entry.agency_environment,
                ":reference": case.agency_reference,
                ":creditor_reference": entry.creditor_reference,
                ":provider": entry.source.provider,
                ":account": entry.source.account,
                ":external_id": entry.source.external_id,
                ":outbox_id": entry.id,
                ":fingerprint": entry.fingerprint,
                ":debtor_name": case.debtor_name,
                ":amount": case.amount,
                ":currency": case.currency,
                ":lifecycle": case.lifecycle,
                ":raw": raw,
                ":now": now,
            },
            case_from_row,
        )
        .optional()?
        .ok_or_else(|| StoreError::Conflict {
            what: "agency case id (linked to another submission)",
            value: case.agency_case_id.clone(),
        })
}

fn get(conn: &rusqlite::Connection, agency_case_id: &str) -> Result<Option<CaseRecord>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM cases WHERE agency_case_id = ?1"
        ))?
        .query_row([agency_case_id], case_from_row)
        .optional()?)
}

impl Store {
    /// One case by the agency's id.
    pub fn get_case(&self, agency_case_id: &str) -> Result<Option<CaseRecord>> {
        self.read(|conn| get(conn, agency_case_id))
    }

    /// Cases matching `query`, newest submission (or first sighting) first.
    pub fn list_cases(&self, query: &CaseQuery) -> Result<Vec<CaseRecord>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM cases \
                 WHERE (:env IS NULL OR agency_environment = :env) \
                 AND (:status IS NULL OR source_status = :status) \
                 AND (NOT :with_source OR provider IS NOT NULL) \
                 ORDER BY coalesce(submitted_at, created_at) DESC, agency_case_id \
                 LIMIT :limit OFFSET :offset"
            ))?;
            let rows = stmt.query_map(
                named_params! {
                    ":env": query.agency_environment,
                    ":status": query.source_status,
                    ":with_source": query.with_source_only,
                    ":limit": query.limit,
                    ":offset": query.offset,
                },
                case_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Stores what the agency currently says about each case (one transaction), creating rows for
    /// cases not seen before. Links to invoices and the source status are kept.
    pub fn upsert_polled_cases(
        &self,
        cases: &[PolledCase],
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseChange>> {
        let now = ts(&now);
        self.write(|tx| {
            let mut changes = Vec::with_capacity(cases.len());
            for case in cases {
                let previous = get(tx, &case.agency_case_id)?;
                let current = tx
                    .prepare_cached(&format!(
                        "INSERT INTO cases (agency_case_id, agency_environment, agency_reference, \
                         creditor_reference, debtor_name, amount, currency, lifecycle, close_code, \
                         raw_json, last_polled_at, created_at, updated_at) \
                         VALUES (:id, :env, :reference, :creditor_reference, :debtor_name, :amount, \
                         :currency, :lifecycle, :close_code, :raw, :now, :now, :now) \
                         ON CONFLICT (agency_case_id) DO UPDATE SET \
                         agency_reference = coalesce(excluded.agency_reference, cases.agency_reference), \
                         creditor_reference = coalesce(excluded.creditor_reference, cases.creditor_reference), \
                         debtor_name = excluded.debtor_name, amount = excluded.amount, \
                         currency = excluded.currency, lifecycle = excluded.lifecycle, \
                         close_code = excluded.close_code, raw_json = excluded.raw_json, \
                         last_polled_at = excluded.last_polled_at, updated_at = excluded.updated_at \
                         RETURNING {COLUMNS}"
                    ))?
                    .query_row(
                        named_params! {
                            ":id": case.agency_case_id,
                            ":env": case.agency_environment,
                            ":reference": case.agency_reference,
                            ":creditor_reference": case.creditor_reference,
                            ":debtor_name": case.debtor_name,
                            ":amount": case.amount,
                            ":currency": case.currency,
                            ":lifecycle": case.lifecycle,
                            ":close_code": case.close_code,
                            ":raw": case.raw.to_string(),
                            ":now": now,
                        },
                        case_from_row,
                    )?;
                changes.push(CaseChange { previous, current });
            }
            Ok(changes)
        })
    }

    /// Replaces the case's payments with what the agency lists now (a JSON array) and returns
    /// the case before and after.
    pub fn set_case_payments(
        &self,
        agency_case_id: &str,
        payments: &Value,
        now: DateTime<Utc>,
    ) -> Result<CaseChange> {
        self.update_case(
            agency_case_id,
            "payments_json = :value",
            &payments.to_string(),
            now,
        )
    }

    /// See [`SourceCheckDue`].
    pub fn cases_due_for_source_check(&self, due: &SourceCheckDue<'_>) -> Result<Vec<CaseRecord>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM cases \
                 WHERE agency_environment = :env AND provider = :provider AND account = :account \
                 AND (source_check_attempted_at IS NULL OR source_check_attempted_at < :before) \
                 AND source_status <> 'gone_at_source' AND close_code IS NULL \
                 ORDER BY source_check_attempted_at IS NOT NULL, source_check_attempted_at, \
                 agency_case_id \
                 LIMIT :limit"
            ))?;
            let rows = stmt.query_map(
                named_params! {
                    ":env": due.agency_environment,
                    ":provider": due.provider,
                    ":account": due.account,
                    ":before": ts(&due.asked_before),
                    ":limit": due.limit,
                },
                case_from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Records a re-check of the case's invoice at its source and returns the case before and
    /// after. Either way the case counts as asked at `now`.
    pub fn record_source_check(
        &self,
        agency_case_id: &str,
        check: &SourceCheck,
        now: DateTime<Utc>,
    ) -> Result<CaseChange> {
        match check {
            SourceCheck::Answered(answer) => self.update_case(
                agency_case_id,
                "source_status = :value, source_checked_at = :now, \
                 source_check_attempted_at = :now, source_check_error_json = NULL",
                &answer.status(),
                now,
            ),
            SourceCheck::Failed(error) => self.update_case(
                agency_case_id,
                "source_check_attempted_at = :now, source_check_error_json = :value",
                &error.to_string(),
                now,
            ),
        }
    }

    fn update_case(
        &self,
        agency_case_id: &str,
        set: &str,
        value: &dyn rusqlite::ToSql,
        now: DateTime<Utc>,
    ) -> Result<CaseChange> {
        let now = ts(&now);
        self.write(|tx| {
            let previous = get(tx, agency_case_id)?.ok_or_else(|| StoreError::NotFound {
                what: "case",
                id: agency_case_id.to_owned(),
            })?;
            let current = tx
                .prepare_cached(&format!(
                    "UPDATE cases SET {set}, updated_at = :now WHERE agency_case_id = :id RETURNING {COLUMNS}"
                ))?
                .query_row(
                    named_params! { ":value": value, ":now": now, ":id": agency_case_id },
                    case_from_row,
                )?;
            Ok(CaseChange { previous: Some(previous), current })
        })
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use crate::migrate::{migrate, MIGRATIONS};

    /// Migration 0005 swaps the status column of a populated table: what polling and
    /// acceptance stored survives, the new status is accepted, and a wrong one still is not.
    #[test]
    fn statuses_stored_before_the_at_source_columns_survive_the_migration() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, &MIGRATIONS[..4]).unwrap();
        conn.execute_batch(
            "INSERT INTO cases (agency_case_id, agency_environment, provider, account, external_id, \
             source_status, created_at, updated_at) VALUES \
             ('c1', 'test', 'stripe', 'acct_1', 'in_1', 'paid_at_source', 't', 't'), \
             ('c2', 'test', NULL, NULL, NULL, 'unknown', 't', 't')",
        )
        .unwrap();
        migrate(&mut conn, MIGRATIONS).unwrap();

        let status = |id: &str| -> String {
            conn.query_row(
                "SELECT source_status FROM cases WHERE agency_case_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(status("c1"), "paid_at_source");
        assert_eq!(status("c2"), "unknown");
        conn.execute(
            "UPDATE cases SET source_status = 'gone_at_source' WHERE agency_case_id = 'c1'",
            [],
        )
        .unwrap();
        assert_eq!(status("c1"), "gone_at_source");
        assert!(
            conn.execute(
                "UPDATE cases SET source_status = 'maybe' WHERE agency_case_id = 'c1'",
                []
            )
            .is_err(),
            "the CHECK came along with the column"
        );
        let checked: Option<String> = conn
            .query_row(
                "SELECT source_checked_at FROM cases WHERE agency_case_id = 'c1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(checked, None, "never checked yet");
    }
}
