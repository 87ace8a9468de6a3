//! Files waiting to be (or already) uploaded to a case: provider invoice PDFs and documents
//! matched from a ZIP import.
//!
//! A document may be attached to an outbox entry before its case exists; acceptance of the entry
//! fills in `agency_case_id` in the same transaction (see [`Store::outbox_mark_accepted`]). The
//! file bytes stay on disk at `local_path`; this table never holds file contents.

use chrono::{DateTime, Utc};
use rusqlite::{named_params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::sql::{get_opt_json, get_ts, text_enum, ts};
use crate::Store;

text_enum! {
    /// Upload progress of one document.
    pub enum DocumentState {
        Pending => "pending",
        Uploading => "uploading",
        Uploaded => "uploaded",
        Failed => "failed",
    }
}

/// A document to upload. At least one of `outbox_id` and `agency_case_id` must be set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewDocument {
    pub outbox_id: Option<i64>,
    pub agency_case_id: Option<String>,
    pub file_name: String,
    pub local_path: String,
    /// The agency's `DocumentType` (e.g. `OriginalInvoice`).
    pub document_type: String,
    pub description: Option<String>,
}

/// A stored document and its upload state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentRecord {
    pub id: i64,
    pub outbox_id: Option<i64>,
    pub agency_case_id: Option<String>,
    pub file_name: String,
    pub local_path: String,
    pub document_type: String,
    pub description: Option<String>,
    pub state: DocumentState,
    pub agency_file_id: Option<String>,
    pub last_error: Option<Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, outbox_id, agency_case_id, file_name, local_path, document_type, \
    description, state, agency_file_id, last_error_json, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<DocumentRecord> {
    Ok(DocumentRecord {
        id: row.get("id")?,
        outbox_id: row.get("outbox_id")?,
        agency_case_id: row.get("agency_case_id")?,
        file_name: row.get("file_name")?,
        local_path: row.get("local_path")?,
        document_type: row.get("document_type")?,
        description: row.get("description")?,
        state: row.get("state")?,
        agency_file_id: row.get("agency_file_id")?,
        last_error: get_opt_json(row, "last_error_json")?,
        created_at: get_ts(row, "created_at")?,
        updated_at: get_ts(row, "updated_at")?,
    })
}

impl Store {
    /// Adds a pending document. Errors with a SQLite constraint error when it names neither an
    /// outbox entry nor a case, or one that does not exist.
    pub fn add_document(&self, doc: &NewDocument, now: DateTime<Utc>) -> Result<DocumentRecord> {
        self.write(|tx| {
            Ok(tx
                .prepare_cached(&format!(
                    "INSERT INTO documents (outbox_id, agency_case_id, file_name, local_path, \
                     document_type, description, state, created_at, updated_at) VALUES (:outbox_id, \
                     :case_id, :file_name, :local_path, :document_type, :description, 'pending', :now, :now) \
                     RETURNING {COLUMNS}"
                ))?
                .query_row(
                    named_params! {
                        ":outbox_id": doc.outbox_id,
                        ":case_id": doc.agency_case_id,
                        ":file_name": doc.file_name,
                        ":local_path": doc.local_path,
                        ":document_type": doc.document_type,
                        ":description": doc.description,
                        ":now": ts(&now),
                    },
                    from_row,
                )?)
        })
    }

    /// Documents of an outbox entry or of a case (either link), oldest first.
    pub fn list_documents(
        &self,
        outbox_id: Option<i64>,
        agency_case_id: Option<&str>,
    ) -> Result<Vec<DocumentRecord>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM documents WHERE outbox_id = :outbox_id OR agency_case_id = :case_id ORDER BY id"
            ))?;
            let rows = stmt.query_map(named_params! { ":outbox_id": outbox_id, ":case_id": agency_case_id }, from_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Records upload progress; `agency_file_id` and `error` replace the stored ones.
    pub fn set_document_state(
        &self,
        id: i64,
        state: DocumentState,
        agency_file_id: Option<&str>,
        error: Option<&Value>,
        now: DateTime<Utc>,
    ) -> Result<DocumentRecord> {
        self.write(|tx| {
            tx.prepare_cached(&format!(
                "UPDATE documents SET state = :state, agency_file_id = :file_id, last_error_json = :error, \
                 updated_at = :now WHERE id = :id RETURNING {COLUMNS}"
            ))?
            .query_row(
                named_params! {
                    ":state": state,
                    ":file_id": agency_file_id,
                    ":error": error.map(Value::to_string),
                    ":now": ts(&now),
                    ":id": id,
                },
                from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound { what: "document", id: id.to_string() })
        })
    }
}
