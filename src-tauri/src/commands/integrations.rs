//! The Integrations page: one card per source and the agency.

use casebridge_engine::api::IntegrationCard;
use tauri::State;

use crate::engine_slot::EngineSlot;
use crate::error::ShellError;

#[tauri::command]
pub async fn list_integrations(
    slot: State<'_, EngineSlot>,
) -> Result<Vec<IntegrationCard>, ShellError> {
    Ok(slot.get().await?.integrations().await?)
}
