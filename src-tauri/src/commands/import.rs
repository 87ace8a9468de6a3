//! The Import page: a dropped or picked spreadsheet becomes invoices in the cache.
//!
//! Paths to read come from the window (a drop or the open dialog). Paths to write — the error
//! file, an exported profile — never do: the user picks them in the system's save dialog here,
//! so these commands cannot be used to write files unasked (as for `save_json_export`).

use std::sync::Arc;

use casebridge_engine::api::{
    CellFix, ErrorFileFormat, ErrorFileSummary, ImportMapping, ImportPage, ImportPreview,
    ImportRow, ImportSession, MappingProfileSummary, ReadOptions, RecognisedFile, StageRequest,
    StageSummary,
};
use tauri::{AppHandle, State};

use super::save_dialog::SaveAs;
use crate::engine_slot::EngineSlot;
use crate::error::ShellError;
use crate::progress::TauriProgress;

/// What a dropped file is (ZIPs go to the documents import).
#[tauri::command]
pub async fn recognise_import_file(
    slot: State<'_, EngineSlot>,
    path: String,
) -> Result<RecognisedFile, ShellError> {
    Ok(slot.get().await?.recognise_import_file(path).await?)
}

#[tauri::command]
pub async fn open_import(
    slot: State<'_, EngineSlot>,
    path: String,
) -> Result<ImportSession, ShellError> {
    Ok(slot.get().await?.open_import(path).await?)
}

#[tauri::command]
pub async fn reopen_import(
    slot: State<'_, EngineSlot>,
    id: String,
    options: ReadOptions,
) -> Result<ImportSession, ShellError> {
    Ok(slot.get().await?.reopen_import(id, options).await?)
}

#[tauri::command]
pub async fn preview_import(
    slot: State<'_, EngineSlot>,
    id: String,
    mapping: ImportMapping,
    page: ImportPage,
) -> Result<ImportPreview, ShellError> {
    Ok(slot.get().await?.preview_import(id, mapping, page).await?)
}

#[tauri::command]
pub async fn fix_import_row(
    slot: State<'_, EngineSlot>,
    id: String,
    fix: CellFix,
) -> Result<ImportRow, ShellError> {
    Ok(slot.get().await?.fix_import_row(id, fix).await?)
}

/// Asks where to save the error file and writes it; `None` when the user cancelled.
#[tauri::command]
pub async fn export_import_errors(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    id: String,
    suggested_name: String,
    format: ErrorFileFormat,
) -> Result<Option<ErrorFileSummary>, ShellError> {
    let engine = slot.get().await?;
    let (filter, extension) = match format {
        ErrorFileFormat::Xlsx => ("Excel workbook", "xlsx"),
        ErrorFileFormat::Csv => ("CSV", "csv"),
    };
    let save_as = SaveAs {
        title: "Export rows to fix",
        filter,
        extension,
        fallback: "casebridge-import",
    };
    let Some(path) = save_as.ask(&app, &suggested_name).await else {
        return Ok(None);
    };
    Ok(Some(
        engine
            .export_import_errors(id, path.display().to_string(), format)
            .await?,
    ))
}

/// Imports the valid rows, reporting `job://progress` events of kind "import".
#[tauri::command]
pub async fn stage_import(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    id: String,
    request: StageRequest,
) -> Result<StageSummary, ShellError> {
    let sink = Arc::new(TauriProgress::new(app));
    Ok(slot.get().await?.stage_import(id, request, sink).await?)
}

#[tauri::command]
pub async fn close_import(slot: State<'_, EngineSlot>, id: String) -> Result<bool, ShellError> {
    Ok(slot.get().await?.close_import(&id))
}

#[tauri::command]
pub async fn list_mapping_profiles(
    slot: State<'_, EngineSlot>,
) -> Result<Vec<MappingProfileSummary>, ShellError> {
    Ok(slot.get().await?.list_mapping_profiles().await?)
}

#[tauri::command]
pub async fn rename_mapping_profile(
    slot: State<'_, EngineSlot>,
    id: i64,
    name: String,
) -> Result<MappingProfileSummary, ShellError> {
    Ok(slot.get().await?.rename_mapping_profile(id, name).await?)
}

#[tauri::command]
pub async fn delete_mapping_profile(
    slot: State<'_, EngineSlot>,
    id: i64,
) -> Result<bool, ShellError> {
    Ok(slot.get().await?.delete_mapping_profile(id).await?)
}

/// Asks where to save the profile and writes it; the path written, `None` when cancelled.
#[tauri::command]
pub async fn export_mapping_profile(
    app: AppHandle,
    slot: State<'_, EngineSlot>,
    id: i64,
    suggested_name: String,
) -> Result<Option<String>, ShellError> {
    let engine = slot.get().await?;
    let save_as = SaveAs {
        title: "Export mapping profile",
        filter: "JSON",
        extension: "json",
        fallback: "casebridge-import",
    };
    let Some(path) = save_as.ask(&app, &suggested_name).await else {
        return Ok(None);
    };
    let path = path.display().to_string();
    engine.export_mapping_profile(id, path.clone()).await?;
    Ok(Some(path))
}

#[tauri::command]
pub async fn import_mapping_profile(
    slot: State<'_, EngineSlot>,
    path: String,
) -> Result<MappingProfileSummary, ShellError> {
    Ok(slot.get().await?.import_mapping_profile(path).await?)
}
