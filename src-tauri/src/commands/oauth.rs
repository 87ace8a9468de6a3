//! QuickBooks and Zoho on the Integrations page: the provider apps (Settings), the sign-in
//! (begin, then finish when the browser comes back), the Zoho organization choice, fetching
//! and disconnecting. Deep-link callbacks arrive through `deep_link.rs`, not here.

use std::sync::Arc;

use casebridge_engine::api::{
    BeginConnectRequest, ChooseOrganizationRequest, ConnectStarted, FetchRequest, FetchSummary,
    OAuthClientSettings, OAuthConnection, OAuthProvider, SaveOAuthClientRequest, ZohoOrganization,
};
use tauri::{AppHandle, State};

use crate::engine_slot::EngineSlot;
use crate::error::ShellError;
use crate::progress::TauriProgress;

#[tauri::command]
pub async fn oauth_client_settings(
    slot: State<'_, EngineSlot>,
    provider: OAuthProvider,
) -> Result<OAuthClientSettings, ShellError> {
    Ok(slot.get().await?.oauth_client_settings(provider).await?)
}

/// The client secret goes to the keychain; the answer says only whether one is stored.
#[tauri::command]
pub async fn save_oauth_client(
    slot: State<'_, EngineSlot>,
    request: SaveOAuthClientRequest,
) -> Result<OAuthClientSettings, ShellError> {
    Ok(slot.get().await?.save_oauth_client(request).await?)
}

/// Opens the consent page in the system browser and returns at once.
#[tauri::command]
pub async fn begin_oauth_connect(
    slot: State<'_, EngineSlot>,
    request: BeginConnectRequest,
) -> Result<ConnectStarted, ShellError> {
    Ok(slot.get().await?.begin_oauth_connect(request).await?)
}

/// Resolves when the sign-in ends: loopback or deep-link callback, refusal, time-out, cancel.
#[tauri::command]
pub async fn finish_oauth_connect(slot: State<'_, EngineSlot>) -> Result<OAuthConnection, ShellError> {
    Ok(slot.get().await?.finish_oauth_connect().await?)
}

#[tauri::command]
pub async fn cancel_oauth_connect(slot: State<'_, EngineSlot>) -> Result<bool, ShellError> {
    Ok(slot.get().await?.cancel_oauth_connect().await)
}

#[tauri::command]
pub async fn oauth_connection(
    slot: State<'_, EngineSlot>,
    provider: OAuthProvider,
) -> Result<Option<OAuthConnection>, ShellError> {
    Ok(slot.get().await?.oauth_connection(provider).await?)
}

#[tauri::command]
pub async fn zoho_organizations(slot: State<'_, EngineSlot>) -> Result<Vec<ZohoOrganization>, ShellError> {
    Ok(slot.get().await?.zoho_organizations().await?)
}

#[tauri::command]
pub async fn choose_zoho_organization(
    slot: State<'_, EngineSlot>,
    request: ChooseOrganizationRequest,
) -> Result<OAuthConnection, ShellError> {
    Ok(slot.get().await?.choose_zoho_organization(request).await?)
}

/// Revokes at the provider (best effort) and forgets the tokens; cached invoices stay.
#[tauri::command]
pub async fn disconnect_oauth(slot: State<'_, EngineSlot>, provider: OAuthProvider) -> Result<(), ShellError> {
    Ok(slot.get().await?.disconnect_oauth(provider).await?)
}

/// Progress as `job://progress` events of kind "fetch".
#[tauri::command]
pub async fn fetch_quickbooks(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    request: FetchRequest,
) -> Result<FetchSummary, ShellError> {
    let sink = Arc::new(TauriProgress::new(app));
    Ok(slot.get().await?.fetch_quickbooks(request, sink).await?)
}

/// Progress as `job://progress` events of kind "fetch".
#[tauri::command]
pub async fn fetch_zoho(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    request: FetchRequest,
) -> Result<FetchSummary, ShellError> {
    let sink = Arc::new(TauriProgress::new(app));
    Ok(slot.get().await?.fetch_zoho(request, sink).await?)
}
