//! The audit log: who did what to which subject, append-only.
//!
//! The database refuses UPDATE and DELETE on this table (migration 0002), so history cannot be
//! rewritten by a bug or by another process. Details are JSON chosen by the caller and must not
//! contain secrets (the caller redacts).

use chrono::{DateTime, Utc};
use rusqlite::{named_params, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Result;
use crate::sql::{get_ts, ts};
use crate::Store;

/// An event to record. `at` is passed in (no clock in the store).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    pub at: DateTime<Utc>,
    /// `user`, `cli`, `scheduler`…
    pub actor: String,
    /// e.g. `case.submitted`, `connection.removed`.
    pub action: String,
    /// What it was done to, e.g. an outbox id, a connection id.
    pub subject: String,
    pub details: Value,
}

/// A recorded event; `id` grows with every append, so it orders and pages the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub details: Value,
}

/// Newest first; page with `before_id` = the last id of the previous page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub subject: Option<String>,
    pub before_id: Option<i64>,
    pub limit: u32,
}

const COLUMNS: &str = "id, at, actor, action, subject, details_json";

fn from_row(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    Ok(AuditEntry {
        id: row.get("id")?,
        at: get_ts(row, "at")?,
        actor: row.get("actor")?,
        action: row.get("action")?,
        subject: row.get("subject")?,
        details: row.get("details_json")?,
    })
}

impl Store {
    /// Appends one event and returns it with its id.
    pub fn append_audit(&self, entry: &NewAuditEntry) -> Result<AuditEntry> {
        self.write(|tx| {
            Ok(tx
                .prepare_cached(&format!(
                    "INSERT INTO audit_log (at, actor, action, subject, details_json) \
                     VALUES (:at, :actor, :action, :subject, :details) RETURNING {COLUMNS}"
                ))?
                .query_row(
                    named_params! {
                        ":at": ts(&entry.at),
                        ":actor": entry.actor,
                        ":action": entry.action,
                        ":subject": entry.subject,
                        ":details": entry.details.to_string(),
                    },
                    from_row,
                )?)
        })
    }

    /// Events matching `query`, newest first.
    pub fn list_audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM audit_log WHERE (:subject IS NULL OR subject = :subject) \
                 AND (:before IS NULL OR id < :before) ORDER BY id DESC LIMIT :limit"
            ))?;
            let rows = stmt.query_map(
                named_params! { ":subject": query.subject, ":before": query.before_id, ":limit": query.limit },
                from_row,
            )?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
