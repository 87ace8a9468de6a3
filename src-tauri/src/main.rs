//! Casebridge desktop shell.
//!
//! The only crate that knows about Tauri. It owns the window, the bridge
//! between the web UI and the engine (thin `#[tauri::command]`s, one module
//! per feature), events to the UI (`job://progress`), logging to a rotating
//! file, single-instance handling and `casebridge://` deep links.
//!
//! It must NOT contain business logic: a command takes the engine from
//! state, calls one engine function and returns its result or its error,
//! which serialises to the UI as `{ code, message, hint }`. Anything worth
//! testing without a window belongs in `casebridge-engine`.
//!
//! Start-up order matters for a fast window: logging, then the Tauri app and
//! its window; the engine (SQLite, migrations, demo sandbox servers) starts
//! on a background task, and commands wait for it (see `engine_slot`).
//!
//! Modes: `--demo` or `CASEBRIDGE_DEMO=1` runs against the built-in sandbox
//! with a separate data directory and database; the title says "Demo".
//! `CASEBRIDGE_DATA_DIR` overrides the data directory (e2e runs);
//! `CASEBRIDGE_LOG` sets the log filter (e.g. `debug`).
//!
//! Config: `../tauri.conf.json` at the repository root — see `build.rs` for
//! how this crate, its build script and the Tauri CLI all find it.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod deep_link;
mod engine_slot;
mod error;
mod launch;
mod logging;
mod progress;
mod window;

use std::process::ExitCode;

use casebridge_engine::EngineConfig;
use tauri::{Manager, RunEvent};

use crate::engine_slot::EngineSlot;

fn main() -> ExitCode {
    let mode = launch::run_mode(
        std::env::args_os(),
        std::env::var_os(launch::DEMO_ENV).as_deref(),
    );
    let config = match EngineConfig::from_env(mode) {
        Ok(config) => config,
        Err(error) => {
            // No window yet and no log file: stderr is all there is.
            eprintln!("Casebridge cannot start: {error}. {}", error.hint());
            return ExitCode::FAILURE;
        }
    };
    let _log_guard = logging::init(&config.log_dir());
    let webview_dir = config.data_dir.join("webview");
    tracing::info!(?mode, data_dir = %config.data_dir.display(), version = env!("CARGO_PKG_VERSION"), "starting");

    let app = tauri::Builder::default()
        // First: a second launch must hand over before anything else starts.
        .plugin(window::single_instance(mode))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .manage(EngineSlot::new(config))
        .invoke_handler(commands::handler())
        .setup(move |app| {
            window::create_main(app, mode, webview_dir.clone())?;
            deep_link::listen(app);
            EngineSlot::start_in_background(app.handle());
            Ok(())
        })
        .build(tauri::generate_context!("../tauri.conf.json"));

    match app {
        Ok(app) => {
            app.run(|handle, event| {
                if let RunEvent::Exit = event {
                    tauri::async_runtime::block_on(handle.state::<EngineSlot>().shutdown());
                    tracing::info!("stopped");
                }
            });
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(error = %error, "the window system could not start");
            ExitCode::FAILURE
        }
    }
}
