//! Submitted cases, and polling the agency for their status and payments.

use casebridge_engine::api::{CasePage, CaseQuery};
use tauri::State;

use crate::engine_slot::EngineSlot;
use crate::error::ShellError;

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
