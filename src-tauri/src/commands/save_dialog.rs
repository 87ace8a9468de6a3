//! The system's save dialog, for the commands that write a file (an export,
//! the import's error file, a mapping profile). The window only suggests a
//! name; the user picks the place, so no command can write files unasked.

use std::path::PathBuf;

use tauri::{AppHandle, Manager};
use tauri_plugin_dialog::DialogExt;

use crate::window::MAIN;

/// What the dialog shows: its title, and the one file type it offers.
pub struct SaveAs<'a> {
    pub title: &'a str,
    /// The filter's label: "JSON", "Excel workbook"…
    pub filter: &'a str,
    /// Without the dot: "json", "xlsx".
    pub extension: &'a str,
    /// The name when the suggestion has nothing usable left.
    pub fallback: &'a str,
}

impl SaveAs<'_> {
    /// Asks where to save, suggesting `suggested_name` made plain; `None`
    /// when the user cancelled.
    pub async fn ask(&self, app: &AppHandle, suggested_name: &str) -> Option<PathBuf> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let mut dialog = app
            .dialog()
            .file()
            .set_title(self.title)
            .set_file_name(self.plain_name(suggested_name))
            .add_filter(self.filter, &[self.extension]);
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

    /// A plain file name with the extension once: no folders or control
    /// characters, so the suggestion cannot point the dialog somewhere
    /// unexpected.
    fn plain_name(&self, suggested: &str) -> String {
        let base: String = suggested
            .chars()
            .map(|c| {
                if c.is_control()
                    || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                {
                    '-'
                } else {
                    c
                }
            })
            .collect();
        let base = base.trim().trim_start_matches('.').trim();
        let base = if base.is_empty() { self.fallback } else { base };
        let dotted = format!(".{}", self.extension);
        if base.to_ascii_lowercase().ends_with(&dotted) {
            base.to_owned()
        } else {
            format!("{base}{dotted}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::SaveAs;

    fn plain(extension: &str, suggested: &str) -> String {
        SaveAs {
            title: "Save",
            filter: "Any",
            extension,
            fallback: "casebridge-export",
        }
        .plain_name(suggested)
    }

    #[test]
    fn a_plain_name_gets_the_extension_once_whatever_its_case() {
        assert_eq!(plain("json", "payloads"), "payloads.json");
        assert_eq!(plain("json", "payloads.JSON"), "payloads.JSON");
        assert_eq!(plain("xlsx", "march.XLSX"), "march.XLSX");
    }

    #[test]
    fn folders_and_traversal_in_the_suggestion_are_flattened() {
        let name = plain("json", "../../etc/passwd");
        assert!(!name.contains('/'), "{name}");
        assert_eq!(name, "-..-etc-passwd.json");
        assert_eq!(plain("json", "C:\\x\\y"), "C--x-y.json");
        assert_eq!(plain("xlsx", "../march-to-fix"), "-march-to-fix.xlsx");
    }

    #[test]
    fn an_empty_or_hidden_only_name_falls_back_to_the_default() {
        assert_eq!(plain("json", "  "), "casebridge-export.json");
        assert_eq!(plain("json", "..."), "casebridge-export.json");
        assert_eq!(plain("csv", " "), "casebridge-export.csv");
    }
}
