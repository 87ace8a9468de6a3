//! The Stripe card's connect form and the Invoices page's fetch bar.

use std::sync::Arc;

use casebridge_engine::api::{ConnectStripeRequest, FetchRequest, FetchSummary, StripeConnection};
use tauri::{AppHandle, State};

use crate::engine_slot::EngineSlot;
use crate::error::ShellError;
use crate::progress::TauriProgress;

/// Checks the key (invoice and customer read) before keeping it in the
/// keychain; the answer never carries the key.
#[tauri::command]
pub async fn connect_stripe(
    slot: State<'_, EngineSlot>,
    request: ConnectStripeRequest,
) -> Result<StripeConnection, ShellError> {
    Ok(slot.get().await?.connect_stripe(request).await?)
}

/// Fetches unpaid invoices into the cache, reporting pages and invoices as
/// `job://progress` events of kind "fetch".
#[tauri::command]
pub async fn fetch_stripe(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    request: FetchRequest,
) -> Result<FetchSummary, ShellError> {
    let sink = Arc::new(TauriProgress::new(app));
    Ok(slot.get().await?.fetch_stripe(request, sink).await?)
}

/// Stops a running fetch; what was read so far is cached and the fetch's
/// summary says it was cancelled. False if none ran.
#[tauri::command]
pub async fn cancel_fetch(slot: State<'_, EngineSlot>) -> Result<bool, ShellError> {
    Ok(slot.get().await?.cancel_fetch().await)
}
