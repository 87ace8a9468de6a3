//! Submitted cases as last polled from the agency.

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
