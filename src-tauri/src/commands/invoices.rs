//! The review table: one window of rows plus the filter counts.

use casebridge_engine::api::{InvoicePage, InvoiceQuery};
use tauri::State;

use crate::engine_slot::EngineSlot;
use crate::error::ShellError;

#[tauri::command]
pub async fn list_invoices(
    slot: State<'_, EngineSlot>,
    query: InvoiceQuery,
) -> Result<InvoicePage, ShellError> {
    Ok(slot.get().await?.list_invoices(query).await?)
}
