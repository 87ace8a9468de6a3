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

use std::path::PathBuf;

use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::DialogExt;

use crate::error::ShellError;
use crate::window::MAIN;

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
    let Some(path) = ask_where(&app, &json_file_name(&suggested_name)).await else {
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

async fn ask_where(app: &AppHandle, file_name: &str) -> Option<PathBuf> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut dialog = app
        .dialog()
        .file()
        .set_title("Export payloads")
        .set_file_name(file_name)
        .add_filter("JSON", &["json"]);
    if let Some(window) = app.get_webview_window(MAIN) {
        dialog = dialog.set_parent(&window);
    }
    dialog.save_file(move |picked| {
        // The receiver only goes away if the command was dropped.
        let _ = tx.send(picked);
    });
    // A file URL (mobile content URIs) has no plain path to write to.
    rx.await
        .ok()
        .flatten()
        .and_then(|picked| picked.as_path().map(PathBuf::from))
}

/// A plain file name ending in `.json`: no folders, no control characters,
/// so the suggestion cannot point the dialog somewhere unexpected.
fn json_file_name(suggested: &str) -> String {
    let base: String = suggested
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '-'
            } else {
                c
            }
        })
        .collect();
    let base = base.trim().trim_start_matches('.').trim();
    let base = if base.is_empty() {
        "casebridge-export"
    } else {
        base
    };
    if base.to_ascii_lowercase().ends_with(".json") {
        base.to_string()
    } else {
        format!("{base}.json")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_name_gets_the_json_extension_once() {
        assert_eq!(json_file_name("payloads"), "payloads.json");
        assert_eq!(json_file_name("payloads.JSON"), "payloads.JSON");
    }

    #[test]
    fn folders_and_traversal_in_the_suggestion_are_flattened() {
        let name = json_file_name("../../etc/passwd");
        assert!(!name.contains('/'), "{name}");
        assert_eq!(name, "-..-etc-passwd.json");
        assert_eq!(json_file_name("C:\\x\\y"), "C--x-y.json");
    }

    #[test]
    fn an_empty_or_hidden_only_name_falls_back_to_a_default() {
        assert_eq!(json_file_name("  "), "casebridge-export.json");
        assert_eq!(json_file_name("..."), "casebridge-export.json");
    }
}
