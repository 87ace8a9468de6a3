//! Build script: ACL, config and icons for the shell.
//!
//! The Tauri config lives at the repository root (`../tauri.conf.json`, fixed
//! by the design card), not next to this crate, so every consumer is pointed
//! at it explicitly:
//! - this script: `Attributes::config_path` (tauri-build resolves the config's
//!   relative paths — `frontendDist`, icons — against the config's folder);
//! - `src/main.rs`: `tauri::generate_context!("../tauri.conf.json")` (same
//!   resolution rule, relative to this crate's manifest directory);
//! - the Tauri CLI: it insists on a `tauri.conf.json` *beside* the Cargo
//!   package it builds and resolves paths against that folder, so
//!   `ui/scripts/tauri.mjs` (what `npm run tauri` runs) hands it a rebased
//!   copy for the duration of the command. See that file.
//!
//! Capabilities stay in this crate's `capabilities/` (tauri-build's default
//! lookup, relative to the crate). The app commands are listed here so each
//! one gets an `allow-<command>` permission and a window can only call the
//! commands its capability grants.

fn main() {
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(&[
            "app_info",
            "list_integrations",
            "list_invoices",
            "invoice_detail",
            "fix_debtor",
            "list_cases",
            "refresh_cases",
            "check_at_source",
            "open_document_zip",
            "approve_documents",
            "upload_pending_documents",
            "get_settings",
            "connect_agency",
            "agency_connection",
            "preview_submission",
            "submit",
            "cancel_submission",
            "pending_submissions",
            "resume_submissions",
            "save_json_export",
            "connect_stripe",
            "fetch_stripe",
            "cancel_fetch",
            "oauth_client_settings",
            "save_oauth_client",
            "begin_oauth_connect",
            "finish_oauth_connect",
            "cancel_oauth_connect",
            "oauth_connection",
            "zoho_organizations",
            "choose_zoho_organization",
            "disconnect_oauth",
            "fetch_quickbooks",
            "fetch_zoho",
            "recognise_import_file",
            "open_import",
            "reopen_import",
            "preview_import",
            "fix_import_row",
            "export_import_errors",
            "stage_import",
            "close_import",
            "list_mapping_profiles",
            "rename_mapping_profile",
            "delete_mapping_profile",
            "export_mapping_profile",
            "import_mapping_profile",
        ]));
    if let Err(error) = tauri_build::try_build(attributes) {
        // A build script reports by failing; `{:#}` keeps anyhow's cause chain.
        panic!("tauri-build failed: {error:#}");
    }
}
