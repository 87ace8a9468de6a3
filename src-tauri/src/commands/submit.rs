//! Submit: the dry run the confirmation shows, the send itself with
//! `job://progress` events, and stopping it.

use std::sync::Arc;

use casebridge_engine::api::{SubmitOutcome, SubmitPreview, SubmitRequest, SubmitSummary};
use tauri::{AppHandle, State};

use crate::engine_slot::EngineSlot;
use crate::error::ShellError;
use crate::progress::TauriProgress;

/// What would be sent and what cannot be, with the exact bodies. Sends and
/// writes nothing.
#[tauri::command]
pub async fn preview_submission(
    slot: State<'_, EngineSlot>,
    request: SubmitRequest,
) -> Result<SubmitPreview, ShellError> {
    Ok(slot.get().await?.preview_submission(request).await?)
}

/// Queues the selection in the durable outbox and sends it. Only the
/// confirmation dialog calls this, after the user has seen the preview.
#[tauri::command]
pub async fn submit(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    request: SubmitRequest,
) -> Result<SubmitOutcome, ShellError> {
    let sink = Arc::new(TauriProgress::new(app));
    Ok(slot.get().await?.submit(request, sink).await?)
}

/// Stops a running submit after the sends in flight; false if none ran.
#[tauri::command]
pub async fn cancel_submission(slot: State<'_, EngineSlot>) -> Result<bool, ShellError> {
    Ok(slot.get().await?.cancel_submission().await)
}

/// How many cases wait in the outbox from an earlier run that was stopped or
/// interrupted (the banner's N).
#[tauri::command]
pub async fn pending_submissions(slot: State<'_, EngineSlot>) -> Result<u32, ShellError> {
    Ok(slot.get().await?.pending_submissions().await?)
}

/// Sends what is already queued, with the same `job://progress` events and
/// stop as a submit; queues nothing new.
#[tauri::command]
pub async fn resume_submissions(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
) -> Result<SubmitSummary, ShellError> {
    let sink = Arc::new(TauriProgress::new(app));
    Ok(slot.get().await?.resume_submissions(sink).await?)
}
