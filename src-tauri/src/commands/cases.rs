//! Submitted cases, polling the agency for their status and payments, and asking their sources
//! whether they were paid there.

use std::sync::Arc;

use casebridge_engine::api::{CasePage, CaseQuery, SourceCheckRequest, SourceCheckSummary};
use tauri::{AppHandle, State};

use crate::engine_slot::EngineSlot;
use crate::error::ShellError;
use crate::progress::TauriProgress;

#[tauri::command]
pub async fn list_cases(
    slot: State<'_, EngineSlot>,
    query: CaseQuery,
) -> Result<CasePage, ShellError> {
    Ok(slot.get().await?.list_cases(query).await?)
}

/// Asks the agency for every case and payment; returns how many stored
/// cases changed.
#[tauri::command]
pub async fn refresh_cases(slot: State<'_, EngineSlot>) -> Result<usize, ShellError> {
    Ok(slot.get().await?.refresh_cases().await?)
}

/// Asks Stripe, QuickBooks and Zoho whether submitted invoices were paid, voided or deleted
/// there (only cases due, or with `now` every case not asked in the last minute), reporting
/// `job://progress` events of kind "source_check".
#[tauri::command]
pub async fn check_at_source(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    request: SourceCheckRequest,
) -> Result<SourceCheckSummary, ShellError> {
    let sink = Arc::new(TauriProgress::new(app));
    Ok(slot.get().await?.check_at_source(request, sink).await?)
}
