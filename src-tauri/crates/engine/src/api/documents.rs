//! Wire types of the ZIP-of-documents import: what a dropped ZIP held, what
//! each file was matched to (or why it was refused), and the user's approval.
//!
//! Flow: `open_document_zip(path)` → [`DocumentBatch`] (files are staged,
//! nothing is stored yet) → the user confirms or corrects the matches →
//! `approve_documents(ApproveDocumentsRequest)` → [`ApproveDocumentsOutcome`]
//! (stored, and uploaded at once where the case already exists; the rest go
//! up when their case is accepted).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::UiError;

/// What a file in the ZIP is, judged by its extension AND its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum DocumentKind {
    Pdf,
    Xls,
    Xlsx,
    Csv,
    Txt,
    Jpeg,
    Png,
}

/// The agency's `DocumentType` a file is uploaded as (the agency's own
/// spelling). A PDF matched to an invoice defaults to `OriginalInvoice`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum AgencyDocumentType {
    OriginalInvoice,
    DebtorDocuments,
    CreditorDocuments,
    PartnerDocuments,
    DemandLetter,
    Miscellaneous,
}

/// Where the invoice number was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MatchBasis {
    /// In the file's own name (strongest).
    FileName,
    /// In the name of a folder the file sits in.
    FolderName,
    /// In the PDF's text, next to a label such as "Invoice no." or "Fakturanr".
    PdfText,
}

/// An invoice (and its case, once submitted) a document can belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DocumentTarget {
    /// The invoice's source ref (`provider:account:id`), as in `InvoiceRow`.
    pub source_ref: String,
    /// The invoice number the match was made on.
    pub invoice_number: String,
    pub debtor_name: Option<String>,
    /// The agency case id when the invoice was already submitted and accepted.
    pub case_id: Option<String>,
    pub agency_reference: Option<String>,
}

/// One possible owner of a document, with how sure the match is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DocumentCandidate {
    pub target: DocumentTarget,
    /// 0..1: file name exact 0.95, after dropping a prefix or leading zeros
    /// 0.85, folder name 0.75, PDF text next to a label 0.7, less for short
    /// numbers that could be anything.
    pub confidence: f32,
    pub basis: MatchBasis,
}

/// Why a document was not matched on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConflictReason {
    /// Two or more invoices match this file about equally well.
    SeveralInvoices,
    /// This file and another file in the ZIP both match the same invoice
    /// (e.g. an invoice and its reminder): approve each that belongs.
    SharedInvoice,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[ts(export)]
pub enum DocumentStatus {
    Matched { candidate: DocumentCandidate },
    /// The user must choose; candidates are best first.
    Conflict { reason: ConflictReason, candidates: Vec<DocumentCandidate> },
    /// No invoice number of a known invoice was found; the user may pick one.
    Unmatched,
    /// Not extracted. `reason.code` is specific: `path_traversal`,
    /// `absolute_path`, `drive_letter`, `bad_name`, `symlink`, `encrypted`,
    /// `too_large`, `ratio_too_high`, `size_mismatch`, `total_size_exceeded`,
    /// `type_not_allowed`, `content_mismatch`, `corrupt_entry`,
    /// `unsupported_compression`, `empty_file`, `system_file`,
    /// `duplicate_name`. (A ZIP with too many entries fails as a whole:
    /// `zip_too_many_entries`.)
    Refused { reason: UiError },
}

/// One file of the ZIP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DocumentEntry {
    /// Position in the batch; what an approval names.
    pub index: u32,
    /// The path inside the ZIP, as written there (for display only).
    pub name: String,
    /// Real bytes for extracted files; the declared size for refused ones.
    #[ts(type = "number")]
    pub size: u64,
    /// `None` when refused before its type was known.
    pub kind: Option<DocumentKind>,
    /// What it would be uploaded as.
    pub suggested_type: AgencyDocumentType,
    pub status: DocumentStatus,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DocumentBatchCounts {
    pub matched: u32,
    pub conflicts: u32,
    pub unmatched: u32,
    pub refused: u32,
}

/// What a dropped ZIP held. Extracted files wait in a staging folder until
/// approved; nothing is in the database yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DocumentBatch {
    pub id: String,
    /// The ZIP's file name.
    pub file_name: String,
    pub entries: Vec<DocumentEntry>,
    pub counts: DocumentBatchCounts,
}

/// The user's decision for one entry: it belongs to this invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DocumentApproval {
    pub index: u32,
    /// Any cached invoice (the match's, a candidate's, or one the user picked).
    pub source_ref: String,
    /// `None` keeps the entry's `suggestedType`.
    pub document_type: Option<AgencyDocumentType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ApproveDocumentsRequest {
    pub batch_id: String,
    pub approvals: Vec<DocumentApproval>,
}

/// A document that could not be uploaded (it stays stored and is retried
/// unless the agency refused it for good).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DocumentUploadFailure {
    pub file_name: String,
    pub source_ref: Option<String>,
    pub error: UiError,
}

/// The result of one upload run over every stored document that is due.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DocumentUploadSummary {
    pub uploaded: u32,
    /// Stored, waiting for their invoice's case to be accepted.
    pub waiting_for_case: u32,
    pub failed: Vec<DocumentUploadFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ApproveDocumentsOutcome {
    /// Newly stored documents.
    pub stored: u32,
    /// Approved files that were already stored for the same invoice (same
    /// content): not stored or uploaded twice.
    pub already_stored: u32,
    /// `None` when no agency is connected yet: they upload later.
    pub upload: Option<DocumentUploadSummary>,
}
