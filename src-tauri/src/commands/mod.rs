//! The commands the web UI may call, one module per feature. Each takes the
//! engine from state, calls one engine function and returns its result.
//! Adding a command: add it here, in build.rs's `AppManifest` and in
//! `capabilities/main-window.json`.

mod app;
mod cases;
mod integrations;
mod invoices;
mod settings;

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_info,
        integrations::list_integrations,
        invoices::list_invoices,
        cases::list_cases,
        settings::get_settings,
    ]
}
