//! Non-secret settings as JSON values under string keys.
//!
//! Secrets (the agency key, the outbound webhook secret, OAuth client secrets) belong in
//! [`crate::secrets`]; this table is copied into backups and diagnostics.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::sql::ts;
use crate::Store;

impl Store {
    /// The value under `key`, or `None` when unset.
    /// Errors: [`StoreError::SettingValue`] when the stored value does not fit `T`.
    pub fn get_setting<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        let value: Option<Value> = self.read(|conn| {
            Ok(conn
                .prepare_cached("SELECT value_json FROM settings WHERE key = ?1")?
                .query_row([key], |r| r.get(0))
                .optional()?)
        })?;
        value
            .map(serde_json::from_value)
            .transpose()
            .map_err(|source| StoreError::SettingValue {
                key: key.to_owned(),
                source,
            })
    }

    /// Stores `value` as JSON under `key`, replacing any previous value.
    pub fn set_setting<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let json = serde_json::to_string(value).map_err(|source| StoreError::SettingValue {
            key: key.to_owned(),
            source,
        })?;
        self.write(|tx| {
            tx.execute(
                "INSERT INTO settings (key, value_json, updated_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at",
                params![key, json, ts(&now)],
            )?;
            Ok(())
        })
    }

    /// Removes a setting; returns whether it was set.
    pub fn delete_setting(&self, key: &str) -> Result<bool> {
        self.write(|tx| Ok(tx.execute("DELETE FROM settings WHERE key = ?1", [key])? > 0))
    }
}
