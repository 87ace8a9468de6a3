//! The commands the web UI may call, one module per feature. Each takes the
//! engine from state, calls one engine function and returns its result.
//! Adding a command: add it here, in build.rs's `AppManifest` and in
//! `capabilities/main-window.json`.

mod agency;
mod app;
mod cases;
mod documents;
mod export;
mod import;
mod integrations;
mod invoices;
mod oauth;
mod save_dialog;
mod settings;
mod stripe;
mod submit;

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_info,
        integrations::list_integrations,
        invoices::list_invoices,
        invoices::invoice_detail,
        invoices::fix_debtor,
        cases::list_cases,
        cases::refresh_cases,
        cases::check_at_source,
        documents::open_document_zip,
        documents::approve_documents,
        documents::upload_pending_documents,
        settings::get_settings,
        agency::connect_agency,
        agency::agency_connection,
        submit::preview_submission,
        submit::submit,
        submit::cancel_submission,
        submit::pending_submissions,
        submit::resume_submissions,
        export::save_json_export,
        stripe::connect_stripe,
        stripe::fetch_stripe,
        stripe::cancel_fetch,
        oauth::oauth_client_settings,
        oauth::save_oauth_client,
        oauth::begin_oauth_connect,
        oauth::finish_oauth_connect,
        oauth::cancel_oauth_connect,
        oauth::oauth_connection,
        oauth::zoho_organizations,
        oauth::choose_zoho_organization,
        oauth::disconnect_oauth,
        oauth::fetch_quickbooks,
        oauth::fetch_zoho,
        import::recognise_import_file,
        import::open_import,
        import::reopen_import,
        import::preview_import,
        import::fix_import_row,
        import::export_import_errors,
        import::stage_import,
        import::close_import,
        import::list_mapping_profiles,
        import::rename_mapping_profile,
        import::delete_mapping_profile,
        import::export_mapping_profile,
        import::import_mapping_profile,
    ]
}
