//! Source and agency connections: who we are connected to and how healthy that is.
//!
//! Credentials are not here. A connection's API key or tokens live in the keychain under a
//! [`crate::secrets::SecretKey`] scoped by the connection id; this table only records facts a
//! health panel shows (expiry times, last error), which are safe to display and to back up.

use chrono::{DateTime, Utc};
use rusqlite::{named_params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::sql::{get_opt_json, get_opt_ts, get_ts, opt_ts, text_enum, ts};
use crate::Store;

text_enum! {
    /// Health of a connection, as shown on its card.
    pub enum ConnectionStatus {
        Connected => "connected",
        /// Credentials were revoked or expired beyond refresh: the user must connect again.
        NeedsReconnect => "needs_reconnect",
        /// The last operation failed for another reason (see `last_error`).
        Error => "error",
        Disconnected => "disconnected",
    }
}

/// A connection. `id` is chosen by the caller and stable, e.g. `stripe:acct_123`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionRecord {
    pub id: String,
    pub provider: String,
    pub account_id: String,
    pub display_name: String,
    /// The provider's environment, e.g. `production`, `sandbox`, `test`.
    pub environment: String,
    /// Non-secret settings (data centre, API domain, chosen organization…).
    pub settings: Value,
    pub status: ConnectionStatus,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<Value>,
    pub token_expires_at: Option<DateTime<Utc>>,
    pub refresh_token_issued_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, provider, account_id, display_name, environment, settings_json, status, \
    last_success_at, last_error_json, token_expires_at, refresh_token_issued_at, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<ConnectionRecord> {
    Ok(ConnectionRecord {
        id: row.get("id")?,
        provider: row.get("provider")?,
        account_id: row.get("account_id")?,
        display_name: row.get("display_name")?,
        environment: row.get("environment")?,
        settings: row.get("settings_json")?,
        status: row.get("status")?,
        last_success_at: get_opt_ts(row, "last_success_at")?,
        last_error: get_opt_json(row, "last_error_json")?,
        token_expires_at: get_opt_ts(row, "token_expires_at")?,
        refresh_token_issued_at: get_opt_ts(row, "refresh_token_issued_at")?,
        created_at: get_ts(row, "created_at")?,
        updated_at: get_ts(row, "updated_at")?,
    })
}

impl Store {
    /// Creates the connection or replaces every field of it except `created_at`.
    pub fn upsert_connection(&self, c: &ConnectionRecord) -> Result<ConnectionRecord> {
        self.write(|tx| {
            Ok(tx
                .prepare_cached(&format!(
                    "INSERT INTO connections ({COLUMNS}) VALUES (:id, :provider, :account_id, \
                     :display_name, :environment, :settings, :status, :last_success_at, :last_error, \
                     :token_expires_at, :refresh_token_issued_at, :created_at, :updated_at) \
                     ON CONFLICT (id) DO UPDATE SET provider = excluded.provider, \
                     account_id = excluded.account_id, display_name = excluded.display_name, \
                     environment = excluded.environment, settings_json = excluded.settings_json, \
                     status = excluded.status, last_success_at = excluded.last_success_at, \
                     last_error_json = excluded.last_error_json, \
                     token_expires_at = excluded.token_expires_at, \
                     refresh_token_issued_at = excluded.refresh_token_issued_at, \
                     updated_at = excluded.updated_at RETURNING {COLUMNS}"
                ))?
                .query_row(
                    named_params! {
                        ":id": c.id,
                        ":provider": c.provider,
                        ":account_id": c.account_id,
                        ":display_name": c.display_name,
                        ":environment": c.environment,
                        ":settings": c.settings.to_string(),
                        ":status": c.status,
                        ":last_success_at": opt_ts(c.last_success_at.as_ref()),
                        ":last_error": c.last_error.as_ref().map(Value::to_string),
                        ":token_expires_at": opt_ts(c.token_expires_at.as_ref()),
                        ":refresh_token_issued_at": opt_ts(c.refresh_token_issued_at.as_ref()),
                        ":created_at": ts(&c.created_at),
                        ":updated_at": ts(&c.updated_at),
                    },
                    from_row,
                )?)
        })
    }

    /// One connection by id.
    pub fn get_connection(&self, id: &str) -> Result<Option<ConnectionRecord>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!("SELECT {COLUMNS} FROM connections WHERE id = ?1"))?
                .query_row([id], from_row)
                .optional()?)
        })
    }

    /// All connections, by provider then name.
    pub fn list_connections(&self) -> Result<Vec<ConnectionRecord>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM connections ORDER BY provider, display_name, id"
            ))?;
            let rows = stmt.query_map([], from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Removes the row; returns whether it existed. The caller deletes the keychain entries.
    pub fn delete_connection(&self, id: &str) -> Result<bool> {
        self.write(|tx| Ok(tx.execute("DELETE FROM connections WHERE id = ?1", [id])? > 0))
    }

    /// A call through this connection worked: status `connected`, error cleared.
    pub fn record_connection_success(
        &self,
        id: &str,
        at: DateTime<Utc>,
    ) -> Result<ConnectionRecord> {
        let at = ts(&at);
        self.update_connection(
            id,
            "status = 'connected', last_success_at = :at, last_error_json = NULL",
            &[(":at", &at)],
        )
    }

    /// A call through this connection failed; `status` says whether the user must reconnect.
    pub fn record_connection_error(
        &self,
        id: &str,
        status: ConnectionStatus,
        error: &Value,
        at: DateTime<Utc>,
    ) -> Result<ConnectionRecord> {
        let (at, error) = (ts(&at), error.to_string());
        self.update_connection(
            id,
            "status = :status, last_error_json = :error",
            &[(":at", &at), (":status", &status), (":error", &error)],
        )
    }

    /// After a token refresh: the new access token's expiry, and when a rotated refresh token
    /// was issued (`None` = the refresh token did not change).
    pub fn record_token_times(
        &self,
        id: &str,
        token_expires_at: DateTime<Utc>,
        refresh_token_issued_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<ConnectionRecord> {
        let (at, expires, issued) = (
            ts(&at),
            ts(&token_expires_at),
            opt_ts(refresh_token_issued_at.as_ref()),
        );
        self.update_connection(
            id,
            "token_expires_at = :expires, \
             refresh_token_issued_at = coalesce(:issued, refresh_token_issued_at)",
            &[(":at", &at), (":expires", &expires), (":issued", &issued)],
        )
    }

    /// Updates one connection; `params` must bind `:at`, which becomes `updated_at`.
    fn update_connection(
        &self,
        id: &str,
        set: &str,
        params: &[(&str, &dyn rusqlite::ToSql)],
    ) -> Result<ConnectionRecord> {
        let mut all: Vec<(&str, &dyn rusqlite::ToSql)> = vec![(":id", &id)];
        all.extend_from_slice(params);
        self.write(|tx| {
            tx.prepare_cached(&format!(
                "UPDATE connections SET {set}, updated_at = :at WHERE id = :id RETURNING {COLUMNS}"
            ))?
            .query_row(all.as_slice(), from_row)
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "connection",
                id: id.to_owned(),
            })
        })
    }
}
