//! Files waiting to be (or already) uploaded to a case: provider invoice PDFs and documents
//! matched from a ZIP import.
//!
//! A document may be attached to an outbox entry before its case exists; acceptance of the entry
//! fills in `agency_case_id` in the same transaction (see [`Store::outbox_mark_accepted`]). A
//! document approved from a ZIP is attached to its invoice's source ref instead (the invoice may
//! not be queued yet); [`Store::documents_to_upload`] finds its case once the invoice's case is
//! written. The file bytes stay on disk at `local_path`; this table never holds file contents.
//!
//! States: `pending` (waiting, or retrying after a transient error), `uploading` (a send was
//! started: whoever finds one must first ask the agency whether the file arrived), `uploaded`,
//! `failed` (the agency refused the file for good; not retried).

use chrono::{DateTime, Utc};
use rusqlite::{named_params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::refs::{AgencyEnvironment, SourceRef};
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
    /// The invoice it belongs to, for documents approved from a ZIP.
    pub source: Option<SourceRef>,
    /// Hex SHA-256 of the content, when known.
    pub sha256: Option<String>,
}

/// A document approved for an invoice (by source ref), which may not be queued yet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewInvoiceDocument {
    pub source: SourceRef,
    pub file_name: String,
    pub local_path: String,
    /// Hex SHA-256 of the content: the same content is stored once per invoice.
    pub sha256: String,
    /// The agency's `DocumentType`.
    pub document_type: String,
    pub description: Option<String>,
}

/// A document that may be uploaded now or later, with the case it would go to in the current
/// agency environment (`None`: the invoice has no case there yet).
#[derive(Debug, Clone, PartialEq)]
pub struct DueDocument {
    pub document: DocumentRecord,
    pub case_id: Option<String>,
}

/// An invoice (or a case submitted from here) a document can be matched to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentOwner {
    pub source: SourceRef,
    /// The creditor reference: the invoice number documents are named after.
    pub invoice_number: String,
    pub debtor_name: Option<String>,
    pub agency_case_id: Option<String>,
    pub agency_reference: Option<String>,
}

const COLUMNS: &str = "id, outbox_id, agency_case_id, file_name, local_path, document_type, \
    description, state, agency_file_id, last_error_json, created_at, updated_at, provider, \
    account, external_id, sha256";

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
        source: SourceRef::from_opt_row(row)?,
        sha256: row.get("sha256")?,
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

    /// Stores a document approved for an invoice. `Ok(None)` when the same content is already
    /// stored for that invoice (approving a ZIP twice stores and uploads nothing twice).
    pub fn add_invoice_document(
        &self,
        doc: &NewInvoiceDocument,
        now: DateTime<Utc>,
    ) -> Result<Option<DocumentRecord>> {
        self.write(|tx| {
            Ok(tx
                .prepare_cached(&format!(
                    "INSERT INTO documents (provider, account, external_id, file_name, local_path, \
                     sha256, document_type, description, state, created_at, updated_at) VALUES \
                     (:provider, :account, :external_id, :file_name, :local_path, :sha256, \
                     :document_type, :description, 'pending', :now, :now) \
                     ON CONFLICT DO NOTHING RETURNING {COLUMNS}"
                ))?
                .query_row(
                    named_params! {
                        ":provider": doc.source.provider,
                        ":account": doc.source.account,
                        ":external_id": doc.source.external_id,
                        ":file_name": doc.file_name,
                        ":local_path": doc.local_path,
                        ":sha256": doc.sha256,
                        ":document_type": doc.document_type,
                        ":description": doc.description,
                        ":now": ts(&now),
                    },
                    from_row,
                )
                .optional()?)
        })
    }

    /// Every document not uploaded and not refused for good (`pending`, `uploading`), oldest
    /// first, with the case it goes to in `env`: its own link, else the case of its invoice.
    pub fn documents_to_upload(&self, env: AgencyEnvironment) -> Result<Vec<DueDocument>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS}, COALESCE(agency_case_id, (SELECT c.agency_case_id FROM cases c \
                 WHERE c.agency_environment = :env AND c.provider = documents.provider \
                 AND c.account = documents.account AND c.external_id = documents.external_id \
                 ORDER BY c.created_at DESC LIMIT 1)) AS resolved_case_id \
                 FROM documents WHERE state IN ('pending', 'uploading') ORDER BY id"
            ))?;
            let rows = stmt.query_map(named_params! { ":env": env }, |row| {
                Ok(DueDocument {
                    document: from_row(row)?,
                    case_id: row.get("resolved_case_id")?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    /// Records upload progress on a document and the case it goes to.
    pub fn set_document_upload(
        &self,
        id: i64,
        case_id: &str,
        state: DocumentState,
        agency_file_id: Option<&str>,
        error: Option<&Value>,
        now: DateTime<Utc>,
    ) -> Result<DocumentRecord> {
        self.write(|tx| {
            tx.prepare_cached(&format!(
                "UPDATE documents SET agency_case_id = :case_id, state = :state, \
                 agency_file_id = :file_id, last_error_json = :error, updated_at = :now \
                 WHERE id = :id RETURNING {COLUMNS}"
            ))?
            .query_row(
                named_params! {
                    ":case_id": case_id,
                    ":state": state,
                    ":file_id": agency_file_id,
                    ":error": error.map(Value::to_string),
                    ":now": ts(&now),
                    ":id": id,
                },
                from_row,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound {
                what: "document",
                id: id.to_string(),
            })
        })
    }

    /// Every cached invoice with an invoice number, and every case submitted from here whose
    /// invoice left the cache, with its case in `env` if there is one: what ZIP documents are
    /// matched against.
    pub fn document_owners(&self, env: AgencyEnvironment) -> Result<Vec<DocumentOwner>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT i.provider, i.account, i.external_id, i.creditor_reference, i.debtor_name, \
                 c.agency_case_id, c.agency_reference FROM invoices i LEFT JOIN cases c \
                 ON c.agency_environment = :env AND c.provider = i.provider \
                 AND c.account = i.account AND c.external_id = i.external_id \
                 WHERE i.creditor_reference IS NOT NULL AND i.creditor_reference <> '' \
                 UNION ALL \
                 SELECT c.provider, c.account, c.external_id, c.creditor_reference, c.debtor_name, \
                 c.agency_case_id, c.agency_reference FROM cases c \
                 WHERE c.agency_environment = :env AND c.provider IS NOT NULL \
                 AND c.creditor_reference IS NOT NULL AND c.creditor_reference <> '' \
                 AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.provider = c.provider \
                 AND i.account = c.account AND i.external_id = c.external_id)",
            )?;
            let rows = stmt.query_map(named_params! { ":env": env }, |row| {
                Ok(DocumentOwner {
                    source: SourceRef::from_row(row)?,
                    invoice_number: row.get("creditor_reference")?,
                    debtor_name: row.get("debtor_name")?,
                    agency_case_id: row.get("agency_case_id")?,
                    agency_reference: row.get("agency_reference")?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
