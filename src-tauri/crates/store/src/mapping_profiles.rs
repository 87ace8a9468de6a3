//! Saved column mappings for file imports, found again by the file's header fingerprint.

use chrono::{DateTime, Utc};
use rusqlite::{named_params, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::sql::{get_ts, ts};
use crate::Store;

/// A mapping to save. `name` is unique; `header_fingerprint` is computed by the importer from
/// the header row, and several profiles may share one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewMappingProfile {
    pub name: String,
    pub header_fingerprint: String,
    pub mapping: Value,
}

/// A saved mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MappingProfile {
    pub id: i64,
    pub name: String,
    pub header_fingerprint: String,
    pub mapping: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, name, header_fingerprint, mapping_json, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<MappingProfile> {
    Ok(MappingProfile {
        id: row.get("id")?,
        name: row.get("name")?,
        header_fingerprint: row.get("header_fingerprint")?,
        mapping: row.get("mapping_json")?,
        created_at: get_ts(row, "created_at")?,
        updated_at: get_ts(row, "updated_at")?,
    })
}

fn ensure_name_free(tx: &Transaction<'_>, name: &str, except_id: Option<i64>) -> Result<()> {
    let taken: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM mapping_profiles WHERE name = ?1 AND id IS NOT ?2)",
        )?
        .query_row(rusqlite::params![name, except_id], |r| r.get(0))?;
    if taken {
        return Err(StoreError::Conflict {
            what: "mapping profile name",
            value: name.to_owned(),
        });
    }
    Ok(())
}

impl Store {
    /// Saves a new profile. Errors: [`StoreError::Conflict`] when the name is taken.
    pub fn create_mapping_profile(
        &self,
        p: &NewMappingProfile,
        now: DateTime<Utc>,
    ) -> Result<MappingProfile> {
        self.write(|tx| {
            ensure_name_free(tx, &p.name, None)?;
            Ok(tx
                .prepare_cached(&format!(
                    "INSERT INTO mapping_profiles (name, header_fingerprint, mapping_json, created_at, updated_at) \
                     VALUES (:name, :fp, :mapping, :now, :now) RETURNING {COLUMNS}"
                ))?
                .query_row(
                    named_params! {
                        ":name": p.name,
                        ":fp": p.header_fingerprint,
                        ":mapping": p.mapping.to_string(),
                        ":now": ts(&now),
                    },
                    from_row,
                )?)
        })
    }

    /// Replaces a profile's name, fingerprint and mapping. Errors: [`StoreError::NotFound`],
    /// [`StoreError::Conflict`] when the new name belongs to another profile.
    pub fn update_mapping_profile(
        &self,
        id: i64,
        p: &NewMappingProfile,
        now: DateTime<Utc>,
    ) -> Result<MappingProfile> {
        self.write(|tx| {
            ensure_name_free(tx, &p.name, Some(id))?;
            tx.prepare_cached(&format!(
                "UPDATE mapping_profiles SET name = :name, header_fingerprint = :fp, mapping_json = :mapping, \
                 updated_at = :now WHERE id = :id RETURNING {COLUMNS}"
            ))?
            .query_row(
                named_params! {
                    ":name": p.name,
                    ":fp": p.header_fingerprint,
                    ":mapping": p.mapping.to_string(),
                    ":now": ts(&now),
                    ":id": id,
                },
                from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound { what: "mapping profile", id: id.to_string() })
        })
    }

    /// One profile by id.
    pub fn get_mapping_profile(&self, id: i64) -> Result<Option<MappingProfile>> {
        Ok(self.list_profiles_where("id = ?1", &[&id])?.pop())
    }

    /// Profiles saved for files with this header, most recently updated first.
    pub fn find_mapping_profiles(&self, header_fingerprint: &str) -> Result<Vec<MappingProfile>> {
        self.list_profiles_where("header_fingerprint = ?1", &[&header_fingerprint])
    }

    /// All profiles, most recently updated first.
    pub fn list_mapping_profiles(&self) -> Result<Vec<MappingProfile>> {
        self.list_profiles_where("1", &[])
    }

    /// Deletes a profile; returns whether it existed.
    pub fn delete_mapping_profile(&self, id: i64) -> Result<bool> {
        self.write(|tx| Ok(tx.execute("DELETE FROM mapping_profiles WHERE id = ?1", [id])? > 0))
    }

    fn list_profiles_where(
        &self,
        condition: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<MappingProfile>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM mapping_profiles WHERE {condition} ORDER BY updated_at DESC, id DESC"
            ))?;
            let rows = stmt.query_map(params, from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
