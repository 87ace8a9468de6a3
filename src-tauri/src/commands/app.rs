//! Version, mode and where the data lives (Settings › Diagnostics, demo badge).

use casebridge_engine::api::AppInfo;
use tauri::State;

use crate::engine_slot::EngineSlot;
use crate::error::ShellError;

#[tauri::command]
pub async fn app_info(slot: State<'_, EngineSlot>) -> Result<AppInfo, ShellError> {
    Ok(slot.get().await?.info())
}
