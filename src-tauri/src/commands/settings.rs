//! Settings: data location and agency configuration (no secrets).

use casebridge_engine::api::Settings;
use tauri::State;

use crate::engine_slot::EngineSlot;
use crate::error::ShellError;

#[tauri::command]
pub async fn get_settings(slot: State<'_, EngineSlot>) -> Result<Settings, ShellError> {
    Ok(slot.get().await?.settings().await?)
}
