//! ZIP of documents: open a dropped ZIP (safe extraction, matched to
//! invoices), approve the matches, and upload what waits for its case.
//!
//! The ZIP's path comes from the window (a drop or the open dialog); the
//! engine only reads it and writes into its own data folder.

use std::path::PathBuf;

use casebridge_engine::api::{
    ApproveDocumentsOutcome, ApproveDocumentsRequest, DocumentBatch, DocumentUploadSummary,
};
use tauri::State;

use crate::engine_slot::EngineSlot;
use crate::error::ShellError;

#[tauri::command]
pub async fn open_document_zip(
    slot: State<'_, EngineSlot>,
    path: String,
) -> Result<DocumentBatch, ShellError> {
    Ok(slot
        .get()
        .await?
        .open_document_zip(PathBuf::from(path))
        .await?)
}

#[tauri::command]
pub async fn approve_documents(
    slot: State<'_, EngineSlot>,
    request: ApproveDocumentsRequest,
) -> Result<ApproveDocumentsOutcome, ShellError> {
    Ok(slot.get().await?.approve_documents(request).await?)
}

/// Uploads stored documents whose case exists now (also run after every submission).
#[tauri::command]
pub async fn upload_pending_documents(
    slot: State<'_, EngineSlot>,
) -> Result<DocumentUploadSummary, ShellError> {
    Ok(slot.get().await?.upload_pending_documents().await?)
}
