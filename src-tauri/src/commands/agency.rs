//! Settings › Agency: which environment cases go to, and the key for it.

use casebridge_engine::api::{AgencyConnection, ConnectAgencyRequest};
use tauri::State;

use crate::engine_slot::EngineSlot;
use crate::error::ShellError;

/// Checks the key with the agency and keeps it only if it works. The answer
/// carries the key's last four characters, never the key.
#[tauri::command]
pub async fn connect_agency(
    slot: State<'_, EngineSlot>,
    request: ConnectAgencyRequest,
) -> Result<AgencyConnection, ShellError> {
    Ok(slot.get().await?.connect_agency(request).await?)
}

#[tauri::command]
pub async fn agency_connection(
    slot: State<'_, EngineSlot>,
) -> Result<Option<AgencyConnection>, ShellError> {
    Ok(slot.get().await?.agency_connection().await?)
}
