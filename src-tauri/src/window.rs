//! The main window and the single-instance rule.
//!
//! The window is declared in tauri.conf.json with `create: false` and built
//! here, so its title can say "Demo" from the first frame.

use std::path::PathBuf;

use casebridge_engine::api::RunMode;
use tauri::plugin::TauriPlugin;
use tauri::{App, AppHandle, Manager, WebviewWindow, WebviewWindowBuilder, Wry};

pub const MAIN: &str = "main";

/// `1` copies the page's console (errors included) to stdout, so headless
/// runs and e2e tests can see what the UI logged. Linux (WebKitGTK) only.
pub const CONSOLE_ENV: &str = "CASEBRIDGE_WEBVIEW_CONSOLE";

pub fn title(mode: RunMode) -> &'static str {
    match mode {
        RunMode::Normal => "Casebridge",
        RunMode::Demo => "Casebridge — Demo",
    }
}

/// Demo and normal are separate apps as far as "already running" goes: their
/// data differ, so a demo launch must not just focus a normal window.
/// (Only Linux lets the plugin take a custom id; see the report for Windows
/// and macOS.)
fn instance_id(mode: RunMode) -> &'static str {
    match mode {
        RunMode::Normal => "com.casebridge.desktop",
        RunMode::Demo => "com.casebridge.desktop.demo",
    }
}

/// `webview_dir` keeps the page's own storage (theme choice, caches) inside
/// the app's data directory, so demo, normal and test runs with their own
/// `CASEBRIDGE_DATA_DIR` never share it. (Linux and Windows; macOS keeps
/// WebKit's per-app store.)
pub fn create_main(app: &App, mode: RunMode, webview_dir: PathBuf) -> tauri::Result<()> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .ok_or(tauri::Error::WindowNotFound)?;
    let window = WebviewWindowBuilder::from_config(app, config)?
        .title(title(mode))
        .data_directory(webview_dir)
        .build()?;
    if std::env::var_os(CONSOLE_ENV).is_some_and(|v| v == "1") {
        console_to_stdout(&window)?;
    }
    Ok(())
}

#[cfg(target_os = "linux")]
fn console_to_stdout(window: &WebviewWindow) -> tauri::Result<()> {
    use webkit2gtk::{SettingsExt, WebViewExt};
    window.with_webview(|webview| {
        if let Some(settings) = webview.inner().settings() {
            settings.set_enable_write_console_messages_to_stdout(true);
        }
    })
}

#[cfg(not(target_os = "linux"))]
fn console_to_stdout(_window: &WebviewWindow) -> tauri::Result<()> {
    tracing::warn!("{CONSOLE_ENV} only works on Linux");
    Ok(())
}

/// Brings the main window to the front (second launch, deep link).
pub fn focus_main(app: &AppHandle) {
    let Some(window) = app.get_webview_window(MAIN) else {
        return;
    };
    let shown = window
        .unminimize()
        .and_then(|()| window.show())
        .and_then(|()| window.set_focus());
    if let Err(error) = shown {
        tracing::warn!(%error, "could not bring the window to the front");
    }
}

/// A second launch hands its arguments (and any `casebridge://` link, which
/// the plugin forwards to the deep-link plugin first) to the running app and
/// exits; the running app comes to the front.
pub fn single_instance(mode: RunMode) -> TauriPlugin<Wry> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(instance_id(mode))
        .callback(|app, args, _cwd| {
            tracing::info!(
                arguments = args.len(),
                "second launch; focusing the running window"
            );
            focus_main(app);
        })
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_title_says_demo_and_normal_does_not() {
        assert_eq!(title(RunMode::Demo), "Casebridge — Demo");
        assert!(!title(RunMode::Normal).contains("Demo"));
    }

    #[test]
    fn demo_and_normal_do_not_share_an_instance_lock() {
        assert_ne!(instance_id(RunMode::Demo), instance_id(RunMode::Normal));
    }
}
