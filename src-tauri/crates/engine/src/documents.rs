//! A ZIP of documents → files matched to invoices → uploads to their cases.
//!
//! [`Engine::open_document_zip`] extracts the ZIP safely (see
//! `casebridge_import::documents`) into `<data dir>/documents/staging/<batch>`
//! and matches every file against the cached invoices and the cases
//! submitted from here; nothing is in the database yet. The batch is kept
//! as `batch.json` next to its files, so approval works from another
//! window or CLI run. [`Engine::approve_documents`] copies the approved
//! files into `<data dir>/documents/files`, stores one `documents` row per
//! file and invoice (the same content twice for one invoice is stored
//! once), and uploads those whose case exists. The others wait:
//! [`Engine::upload_pending_documents`] runs again at the end of every
//! submission run, when new cases have just been accepted.
//!
//! Uploads never duplicate: a row is marked `uploading` before its send,
//! and a row found `uploading` (the app stopped mid-send, or the answer was
//! lost) is first looked up in the case's file list before it is sent
//! again.

use std::collections::HashMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use casebridge_agency::wire::DocumentType;
use casebridge_agency::{AgencyClient, AgencyError};
use casebridge_import::documents::{
    self as zipdocs, ConflictReason as ZipConflict, DocumentKind as ZipKind, DocumentRole,
    EntryOutcome, Hit, MatchBasis as ZipBasis, MatchOutcome, Matcher, ZipLimits,
};
use casebridge_store::{
    DocumentOwner, DocumentRecord, DocumentState, NewInvoiceDocument, SourceRef,
};
use serde::{Deserialize, Serialize};

use crate::api::{
    AgencyDocumentType, ApproveDocumentsOutcome, ApproveDocumentsRequest, ConflictReason,
    DocumentBatch, DocumentBatchCounts, DocumentCandidate, DocumentEntry, DocumentKind,
    DocumentStatus, DocumentTarget, DocumentUploadFailure, DocumentUploadSummary, MatchBasis,
    UiError,
};
use crate::cache::display_source;
use crate::{Engine, EngineError};

const BATCH_FILE: &str = "batch.json";
/// How long an opened ZIP's staged files wait for approval. Approval may come
/// in several passes (clear matches first, conflicts later), so a batch is not
/// removed when approved; batches older than this are removed when the next
/// ZIP is opened, so staging never grows without bound.
const STAGING_KEPT: chrono::Duration = chrono::Duration::days(2);

/// The limits of a ZIP bound for the agency: its own per-file limit and
/// extensions, and the import crate's bounds for the rest.
pub(crate) fn zip_limits() -> ZipLimits {
    ZipLimits::for_agency(
        casebridge_agency::documents::MAX_DOCUMENT_BYTES,
        &casebridge_agency::documents::ALLOWED_EXTENSIONS,
    )
}

/// A batch as kept on disk until it is approved.
#[derive(Debug, Serialize, Deserialize)]
struct StagedBatch {
    batch: DocumentBatch,
    /// By entry index: the staged file's name in the batch folder and its hash.
    files: HashMap<u32, StagedFile>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StagedFile {
    file: String,
    sha256: String,
}

impl Engine {
    fn documents_dir(&self) -> PathBuf {
        self.inner.config.data_dir.join("documents")
    }

    fn staging_dir(&self, batch_id: &str) -> Result<PathBuf, EngineError> {
        // The id names a folder: only what `open_document_zip` makes (a UUID) is accepted.
        if uuid::Uuid::parse_str(batch_id).is_err() {
            return Err(EngineError::UnknownDocumentBatch {
                id: batch_id.to_owned(),
            });
        }
        Ok(self.documents_dir().join("staging").join(batch_id))
    }

    /// Extracts and matches a ZIP of documents; see the module docs.
    ///
    /// Errors: the ZIP cannot be opened or read (`zip_unreadable`,
    /// `zip_too_many_entries`, `import_io`), the staging folder cannot be
    /// written (`document_file`). Refused entries are not errors: they are
    /// listed with their reason.
    pub async fn open_document_zip(&self, path: PathBuf) -> Result<DocumentBatch, EngineError> {
        let env = self.current_agency_environment().await?;
        let owners = self
            .with_store(move |s| Ok(s.document_owners(env)?))
            .await?;
        let id = uuid::Uuid::new_v4().to_string();
        let dir = self.staging_dir(&id)?;
        let staging_root = self.documents_dir().join("staging");
        let cutoff = std::time::SystemTime::from(self.clock().now() - STAGING_KEPT);
        tokio::task::spawn_blocking(move || {
            forget_stale_batches(&staging_root, cutoff);
            stage_zip(&path, id, &dir, &owners)
        })
        .await
        .map_err(|_| EngineError::TaskPanicked)?
    }

    /// Stores the approved files of a batch and uploads those whose case
    /// exists (when an agency is connected). Approving the same file for
    /// the same invoice again stores and uploads nothing new.
    ///
    /// Errors: unknown batch, an index that is not an extracted file of it,
    /// a source ref that is not a cached invoice (nothing is stored then).
    pub async fn approve_documents(
        &self,
        request: ApproveDocumentsRequest,
    ) -> Result<ApproveDocumentsOutcome, EngineError> {
        let dir = self.staging_dir(&request.batch_id)?;
        let staged = read_batch(&dir, &request.batch_id)?;
        let env = self.current_agency_environment().await?;
        let owners = self
            .with_store(move |s| Ok(s.document_owners(env)?))
            .await?;
        let known: HashMap<String, SourceRef> = owners
            .into_iter()
            .map(|o| (display_source(&o.source), o.source))
            .collect();

        // Check every approval before storing any: all or nothing.
        let mut planned = Vec::with_capacity(request.approvals.len());
        for approval in &request.approvals {
            let entry = staged
                .batch
                .entries
                .get(approval.index as usize)
                .ok_or_else(|| invalid_index(approval.index))?;
            let file = staged
                .files
                .get(&approval.index)
                .ok_or_else(|| invalid_index(approval.index))?;
            let source = known.get(&approval.source_ref).cloned().ok_or_else(|| {
                EngineError::UnknownInvoice {
                    source_ref: approval.source_ref.clone(),
                }
            })?;
            let document_type = approval.document_type.unwrap_or(entry.suggested_type);
            planned.push((entry.clone(), file.clone(), source, document_type));
        }

        let files_dir = self.documents_dir().join("files");
        std::fs::create_dir_all(&files_dir).map_err(|source| document_file(&files_dir, source))?;
        let (mut stored, mut already_stored) = (0u32, 0u32);
        for (entry, file, source, document_type) in planned {
            // Named by content: the same file approved for two invoices is kept once on disk.
            let extension = entry
                .name
                .rsplit_once('.')
                .map_or("bin", |(_, ext)| ext)
                .to_ascii_lowercase();
            let target = files_dir.join(format!("{}.{extension}", file.sha256));
            if !target.exists() {
                let from = dir.join(&file.file);
                std::fs::copy(&from, &target).map_err(|source| document_file(&from, source))?;
            }
            let new = NewInvoiceDocument {
                source,
                file_name: bare_name(&entry.name),
                local_path: target.display().to_string(),
                sha256: file.sha256,
                document_type: document_type_name(document_type).to_owned(),
                description: None,
            };
            let now = self.clock().now();
            match self
                .with_store(move |s| Ok(s.add_invoice_document(&new, now)?))
                .await?
            {
                Some(_) => stored += 1,
                None => already_stored += 1,
            }
        }
        let upload = match self.upload_pending_documents().await {
            Ok(summary) => Some(summary),
            Err(EngineError::AgencyNotConnected | EngineError::AgencyKeyMissing) => None,
            Err(e) => return Err(e),
        };
        Ok(ApproveDocumentsOutcome {
            stored,
            already_stored,
            upload,
        })
    }

    /// Uploads every stored document whose case exists in the connected
    /// agency environment; the rest are counted as waiting. A transient
    /// failure leaves the document to be retried on the next run; a final
    /// refusal (file type, size) marks it failed.
    pub async fn upload_pending_documents(&self) -> Result<DocumentUploadSummary, EngineError> {
        let (client, settings) = self.agency_client().await?;
        let env = settings.outbox_environment();
        let due = self
            .with_store(move |s| Ok(s.documents_to_upload(env)?))
            .await?;
        let mut summary = DocumentUploadSummary::default();
        for item in due {
            let Some(case_id) = item.case_id else {
                summary.waiting_for_case += 1;
                continue;
            };
            let document = item.document;
            match self.upload_one(&client, &document, &case_id).await? {
                None => summary.uploaded += 1,
                Some(error) => summary.failed.push(DocumentUploadFailure {
                    file_name: document.file_name.clone(),
                    source_ref: document.source.as_ref().map(display_source),
                    error,
                }),
            }
        }
        Ok(summary)
    }

    /// One document to its case. `Ok(Some(error))` when it did not go up
    /// (recorded on the row); `Err` only when the store fails.
    async fn upload_one(
        &self,
        client: &AgencyClient,
        document: &DocumentRecord,
        case_id: &str,
    ) -> Result<Option<UiError>, EngineError> {
        let id = document.id;
        let Ok(case_uuid) = uuid::Uuid::parse_str(case_id) else {
            let error = UiError {
                code: "document_case_unknown".into(),
                message: format!("case id {case_id} is not one the agency gave"),
                hint: "Refresh the cases list; the document stays stored.".into(),
            };
            return self
                .record_upload(id, case_id, DocumentState::Failed, None, Some(error))
                .await;
        };
        if document.state == DocumentState::Uploading {
            // A send was started before and its answer never recorded: ask first.
            match client.list_documents(case_uuid).await {
                Ok(files) => {
                    if let Some(found) = files
                        .iter()
                        .find(|f| f.file_name.as_deref() == Some(document.file_name.as_str()))
                    {
                        return self
                            .record_upload(
                                id,
                                case_id,
                                DocumentState::Uploaded,
                                Some(found.id.to_string()),
                                None,
                            )
                            .await;
                    }
                }
                Err(e) => return Ok(Some(EngineError::Agency(e).to_ui())),
            }
        }
        let bytes = match tokio::fs::read(&document.local_path).await {
            Ok(bytes) => bytes,
            Err(source) => {
                let error = document_file(Path::new(&document.local_path), source).to_ui();
                return self
                    .record_upload(id, case_id, DocumentState::Failed, None, Some(error))
                    .await;
            }
        };
        self.record_upload(id, case_id, DocumentState::Uploading, None, None)
            .await?;
        let document_type = parse_document_type(&document.document_type);
        let answer = client
            .upload_document(
                case_uuid,
                &document.file_name,
                &bytes,
                document_type,
                document.description.as_deref(),
            )
            .await;
        match answer {
            Ok(file) => {
                self.record_upload(
                    id,
                    case_id,
                    DocumentState::Uploaded,
                    Some(file.id.to_string()),
                    None,
                )
                .await
            }
            Err(e) => {
                let state = upload_state_after(&e);
                self.record_upload(
                    id,
                    case_id,
                    state,
                    None,
                    Some(EngineError::Agency(e).to_ui()),
                )
                .await
            }
        }
    }
}

impl Engine {
    /// Writes an upload's progress on its row; returns the error it recorded.
    async fn record_upload(
        &self,
        id: i64,
        case_id: &str,
        state: DocumentState,
        agency_file_id: Option<String>,
        error: Option<UiError>,
    ) -> Result<Option<UiError>, EngineError> {
        let case_id = case_id.to_owned();
        let now = self.clock().now();
        let json = error
            .as_ref()
            .map(|e| serde_json::json!({ "code": e.code, "message": e.message, "hint": e.hint }));
        self.with_store(move |s| {
            Ok(s.set_document_upload(
                id,
                &case_id,
                state,
                agency_file_id.as_deref(),
                json.as_ref(),
                now,
            )?)
        })
        .await?;
        Ok(error)
    }
}

/// Retryable: the agency did not take it, send again. Final: refused for
/// good. Otherwise the outcome is unknown: stay `uploading`, so the next run
/// looks in the case's files before sending again.
fn upload_state_after(e: &AgencyError) -> DocumentState {
    if e.is_retryable() {
        DocumentState::Pending
    } else if e.is_final() {
        DocumentState::Failed
    } else {
        DocumentState::Uploading
    }
}

fn invalid_index(index: u32) -> EngineError {
    EngineError::InvalidInput {
        field: "index",
        reason: format!("entry {index} is not an extracted file of this batch"),
    }
}

fn document_file(path: &Path, source: std::io::Error) -> EngineError {
    EngineError::DocumentFile {
        path: path.display().to_string(),
        source,
    }
}

fn read_batch(dir: &Path, id: &str) -> Result<StagedBatch, EngineError> {
    let path = dir.join(BATCH_FILE);
    let text = std::fs::read(&path)
        .map_err(|_| EngineError::UnknownDocumentBatch { id: id.to_owned() })?;
    serde_json::from_slice(&text).map_err(|source| EngineError::CorruptCache {
        what: format!("document batch {id}"),
        source,
    })
}

/// Removes staged batches last written before `cutoff`. Best effort: a
/// batch that cannot be removed now is tried again at the next open.
fn forget_stale_batches(root: &Path, cutoff: std::time::SystemTime) {
    let Ok(batches) = std::fs::read_dir(root) else {
        return;
    };
    for batch in batches.flatten() {
        let written = std::fs::metadata(batch.path().join(BATCH_FILE)).and_then(|m| m.modified());
        // A folder without its batch file is an open that failed midway.
        if written.map_or(true, |at| at < cutoff) {
            if let Err(e) = std::fs::remove_dir_all(batch.path()) {
                tracing::warn!(path = %batch.path().display(), error = %e, "stale document batch not removed");
            }
        }
    }
}

/// The last path component: the agency gets a name, never a ZIP path.
fn bare_name(name: &str) -> String {
    name.rsplit(['/', '\\']).next().unwrap_or(name).to_owned()
}

/// Extracts into `dir`, matches, writes `batch.json`.
fn stage_zip(
    path: &Path,
    id: String,
    dir: &Path,
    owners: &[DocumentOwner],
) -> Result<DocumentBatch, EngineError> {
    let file_name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let zip = std::fs::File::open(path).map_err(|source| document_file(path, source))?;
    std::fs::create_dir_all(dir).map_err(|source| document_file(dir, source))?;
    let matcher = Matcher::new(owners.iter().map(|o| o.invoice_number.as_str()));
    let mut staged_by_zip_index = HashMap::new();
    let reports = zipdocs::read_zip(
        BufReader::new(zip),
        &file_name,
        &zip_limits(),
        &matcher,
        |file| {
            // Our own name for it: the ZIP's path is never used on disk.
            let staged = format!("{}.{}", file.index, extension_of(file.kind));
            std::fs::write(dir.join(&staged), file.bytes)?;
            staged_by_zip_index.insert(
                file.index,
                StagedFile {
                    file: staged,
                    sha256: zipdocs::content_hash(file.bytes),
                },
            );
            Ok(())
        },
    );
    let reports = match reports {
        Ok(reports) => reports,
        Err(e) => {
            // Nothing of a ZIP that failed as a whole is kept.
            let _ = std::fs::remove_dir_all(dir);
            return Err(EngineError::DocumentZip(Box::new(e)));
        }
    };
    let mut files = HashMap::new();
    let mut counts = DocumentBatchCounts::default();
    let mut entries = Vec::with_capacity(reports.len());
    for (position, report) in reports.into_iter().enumerate() {
        let index = u32::try_from(position).unwrap_or(u32::MAX);
        let (size, kind, status) = match &report.entry.outcome {
            EntryOutcome::Extracted { kind, size } => {
                if let Some(staged) = staged_by_zip_index.remove(&report.entry.index) {
                    files.insert(index, staged);
                }
                let status = status_of(report.outcome.as_ref(), owners);
                (*size, Some(api_kind(*kind)), status)
            }
            EntryOutcome::Refused { refusal, kind } => {
                let why = refusal.report();
                let reason = UiError {
                    code: why.code.to_owned(),
                    message: why.message,
                    hint: why.hint,
                };
                (
                    report.entry.declared_size,
                    kind.map(api_kind),
                    DocumentStatus::Refused { reason },
                )
            }
        };
        match &status {
            DocumentStatus::Matched { .. } => counts.matched += 1,
            DocumentStatus::Conflict { .. } => counts.conflicts += 1,
            DocumentStatus::Unmatched => counts.unmatched += 1,
            DocumentStatus::Refused { .. } => counts.refused += 1,
        }
        let suggested_type = match (kind, report.role) {
            (Some(_), Some(role)) => agency_type_for(role),
            _ => AgencyDocumentType::Miscellaneous,
        };
        entries.push(DocumentEntry {
            index,
            name: report.entry.name,
            size,
            kind,
            suggested_type,
            status,
        });
    }
    let batch = DocumentBatch {
        id,
        file_name,
        entries,
        counts,
    };
    let staged = StagedBatch { batch, files };
    let json = serde_json::to_vec(&staged).map_err(|source| EngineError::Serialize { source })?;
    std::fs::write(dir.join(BATCH_FILE), json).map_err(|source| document_file(dir, source))?;
    Ok(staged.batch)
}

/// What the UI shows for one extracted file's match.
fn status_of(outcome: Option<&MatchOutcome>, owners: &[DocumentOwner]) -> DocumentStatus {
    let candidates = |hits: &[Hit]| -> Vec<DocumentCandidate> {
        hits.iter()
            .filter_map(|hit| candidate(hit, owners))
            .collect()
    };
    match outcome {
        Some(MatchOutcome::Matched { hit }) => match candidate(hit, owners) {
            Some(candidate) => DocumentStatus::Matched { candidate },
            None => DocumentStatus::Unmatched,
        },
        Some(MatchOutcome::Conflict { reason, hits }) => DocumentStatus::Conflict {
            reason: match reason {
                ZipConflict::SeveralInvoices => ConflictReason::SeveralInvoices,
                ZipConflict::SharedInvoice => ConflictReason::SharedInvoice,
            },
            candidates: candidates(hits),
        },
        Some(MatchOutcome::Unmatched) | None => DocumentStatus::Unmatched,
    }
}

fn candidate(hit: &Hit, owners: &[DocumentOwner]) -> Option<DocumentCandidate> {
    let owner = owners.get(hit.candidate)?;
    Some(DocumentCandidate {
        target: DocumentTarget {
            source_ref: display_source(&owner.source),
            invoice_number: owner.invoice_number.clone(),
            debtor_name: owner.debtor_name.clone(),
            case_id: owner.agency_case_id.clone(),
            agency_reference: owner.agency_reference.clone(),
        },
        confidence: hit.confidence,
        basis: match hit.basis {
            ZipBasis::FileName => MatchBasis::FileName,
            ZipBasis::FolderName => MatchBasis::FolderName,
            ZipBasis::PdfText => MatchBasis::PdfText,
        },
    })
}

fn api_kind(kind: ZipKind) -> DocumentKind {
    match kind {
        ZipKind::Pdf => DocumentKind::Pdf,
        ZipKind::Xls => DocumentKind::Xls,
        ZipKind::Xlsx => DocumentKind::Xlsx,
        ZipKind::Csv => DocumentKind::Csv,
        ZipKind::Txt => DocumentKind::Txt,
        ZipKind::Jpeg => DocumentKind::Jpeg,
        ZipKind::Png => DocumentKind::Png,
    }
}

fn extension_of(kind: ZipKind) -> &'static str {
    match kind {
        ZipKind::Pdf => "pdf",
        ZipKind::Xls => "xls",
        ZipKind::Xlsx => "xlsx",
        ZipKind::Csv => "csv",
        ZipKind::Txt => "txt",
        ZipKind::Jpeg => "jpg",
        ZipKind::Png => "png",
    }
}

/// The invoice PDF is the agency's `OriginalInvoice`; a reminder its
/// `DemandLetter`; contracts, orders and anything else the creditor holds
/// are `CreditorDocuments`.
fn agency_type_for(role: DocumentRole) -> AgencyDocumentType {
    match role {
        DocumentRole::Invoice => AgencyDocumentType::OriginalInvoice,
        DocumentRole::Reminder => AgencyDocumentType::DemandLetter,
        DocumentRole::Evidence | DocumentRole::Other => AgencyDocumentType::CreditorDocuments,
    }
}

fn agency_document_type(t: AgencyDocumentType) -> DocumentType {
    match t {
        AgencyDocumentType::OriginalInvoice => DocumentType::OriginalInvoice,
        AgencyDocumentType::DebtorDocuments => DocumentType::DebtorDocuments,
        AgencyDocumentType::CreditorDocuments => DocumentType::CreditorDocuments,
        AgencyDocumentType::PartnerDocuments => DocumentType::PartnerDocuments,
        AgencyDocumentType::DemandLetter => DocumentType::DemandLetter,
        AgencyDocumentType::Miscellaneous => DocumentType::Miscellaneous,
    }
}

/// The stored spelling: the agency's own name for the type.
fn document_type_name(t: AgencyDocumentType) -> &'static str {
    agency_document_type(t).as_str()
}

/// A stored type back to the agency's; an unknown one (never written by
/// this code) is sent as the agency's own default.
fn parse_document_type(stored: &str) -> DocumentType {
    DocumentType::ALL
        .into_iter()
        .find(|t| t.as_str() == stored)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_extension_the_agency_takes_is_a_kind_the_zip_reader_extracts() {
        let limits = zip_limits();
        for ext in casebridge_agency::documents::ALLOWED_EXTENSIONS {
            let kind = ZipKind::from_extension(ext).unwrap_or_else(|| panic!("{ext} has no kind"));
            assert!(limits.allowed.contains(&kind), "{ext}");
        }
        assert_eq!(
            limits.max_file_bytes,
            casebridge_agency::documents::MAX_DOCUMENT_BYTES
        );
    }

    #[test]
    fn document_types_round_trip_through_their_stored_names() {
        for t in [
            AgencyDocumentType::OriginalInvoice,
            AgencyDocumentType::DebtorDocuments,
            AgencyDocumentType::CreditorDocuments,
            AgencyDocumentType::PartnerDocuments,
            AgencyDocumentType::DemandLetter,
            AgencyDocumentType::Miscellaneous,
        ] {
            assert_eq!(
                parse_document_type(document_type_name(t)),
                agency_document_type(t)
            );
        }
        assert_eq!(
            agency_type_for(DocumentRole::Invoice),
            AgencyDocumentType::OriginalInvoice
        );
    }

    #[test]
    fn upload_state_says_whether_to_resend_give_up_or_look_first() {
        let too_large = AgencyError::PayloadTooLarge {
            size: Some(30_000_000),
            limit: 25_000_000,
        };
        assert_eq!(
            upload_state_after(&too_large),
            DocumentState::Failed,
            "refused for good: not retried"
        );
        let busy = AgencyError::RateLimited {
            retry_after: std::time::Duration::from_secs(3),
        };
        assert_eq!(
            upload_state_after(&busy),
            DocumentState::Pending,
            "not taken: send again"
        );
        let unreadable = AgencyError::Malformed {
            status: 200,
            source: serde_json::from_str::<serde_json::Value>("{").unwrap_err(),
        };
        assert_eq!(
            upload_state_after(&unreadable),
            DocumentState::Uploading,
            "the file may be there: the next run looks in the case's files before sending"
        );
    }
}
