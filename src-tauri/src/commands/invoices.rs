//! The review table, the detail drawer, and fix-once-per-debtor.

use casebridge_engine::api::{
    FixDebtorRequest, FixDebtorResult, InvoiceDetail, InvoicePage, InvoiceQuery,
};
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

#[tauri::command]
pub async fn invoice_detail(
    slot: State<'_, EngineSlot>,
    source_ref: String,
) -> Result<InvoiceDetail, ShellError> {
    Ok(slot.get().await?.invoice_detail(source_ref).await?)
}

/// Stores (or, with no edits, removes) the fix for every invoice of the
/// debtor; the source system is never written to.
#[tauri::command]
pub async fn fix_debtor(
    slot: State<'_, EngineSlot>,
    request: FixDebtorRequest,
) -> Result<FixDebtorResult, ShellError> {
    Ok(slot.get().await?.fix_debtor(request).await?)
}
