//! Saving an export (the submit preview's payloads) to a file the user
//! picks. Engine-free: the UI hands over the JSON it shows, the user chooses
//! the place in the system's save dialog, and this writes it there.
//!
//! Why not a browser download: the CSP allows a `blob:` `<a download>`, but
//! the webview's handling differs per platform — WebKitGTK (checked) writes
//! it silently into the process's working directory, with no prompt and no
//! word to the user. A file with debtors' addresses should land where the
//! user chose. The window cannot choose the path itself: only the
//! dialog does, so this command cannot be used to write files unasked.

use tauri::AppHandle;

use super::save_dialog::SaveAs;
use crate::error::ShellError;

const SAVE_AS: SaveAs<'static> = SaveAs {
    title: "Export payloads",
    filter: "JSON",
    extension: "json",
    fallback: "casebridge-export",
};

/// Asks where to save `contents` (which must be JSON) and writes it there.
/// Returns the path written, or `None` when the user cancelled the dialog.
#[tauri::command]
pub async fn save_json_export(
    app: AppHandle,
    suggested_name: String,
    contents: String,
) -> Result<Option<String>, ShellError> {
    serde_json::from_str::<serde::de::IgnoredAny>(&contents)
        .map_err(|source| ShellError::ExportNotJson { source })?;
    let Some(path) = SAVE_AS.ask(&app, &suggested_name).await else {
        return Ok(None);
    };
    tokio::fs::write(&path, contents.as_bytes())
        .await
        .map_err(|source| ShellError::ExportWrite {
            path: path.display().to_string(),
            source,
        })?;
    tracing::info!(path = %path.display(), "export saved");
    Ok(Some(path.display().to_string()))
}
