//! The one error the shell and the CLI see.
//!
//! Library crates keep their own specific errors; this enum wraps them with
//! `#[source]` intact and serialises to the UI as `{ code, message, hint }`.
//! `code` is stable: the UI may switch on it, so never rename one.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use crate::api::UiError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("could not find a home directory to keep Casebridge's data in")]
    NoHomeDirectory,

    #[error("could not create the data directory {path}")]
    DataDirectory {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error(transparent)]
    Store(#[from] casebridge_store::StoreError),

    #[error(transparent)]
    Sandbox(#[from] casebridge_sandbox::SandboxError),

    #[error(transparent)]
    Agency(#[from] casebridge_agency::AgencyError),

    #[error(transparent)]
    Provider(#[from] casebridge_providers::ProviderError),

    #[error("{source_name} is not connected yet")]
    NotConnected { source_name: &'static str },

    #[error("{field}: {reason}")]
    InvalidInput { field: &'static str, reason: String },

    #[error("could not serialise the case body")]
    Serialize {
        #[source]
        source: serde_json::Error,
    },

    #[error("the cached data for {what} could not be read")]
    CorruptCache {
        what: String,
        #[source]
        source: serde_json::Error,
    },

    #[error("invoice {source_ref} is not in the local cache")]
    UnknownInvoice { source_ref: String },

    #[error("another Casebridge window or command is already sending cases")]
    AlreadySending,

    #[error("no agency connection yet")]
    AgencyNotConnected,

    #[error("the agency API key is missing from the keychain")]
    AgencyKeyMissing,

    #[error("a background task stopped unexpectedly")]
    TaskPanicked,

    /// Boxed: the import error is larger than all the others.
    #[error(transparent)]
    Import(Box<casebridge_import::ImportError>),

    #[error("{path} could not be read or written")]
    ImportFile {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("this import was closed or the app restarted since it was opened")]
    UnknownImport { id: String },

    #[error("{file} is a ZIP archive, not a table of invoices")]
    ImportIsZip { file: String },

    #[error("the error file {path} could not be written")]
    ErrorFile {
        path: String,
        #[source]
        source: rust_xlsxwriter::XlsxError,
    },

    #[error("the error file {path} could not be written")]
    ErrorFileCsv {
        path: String,
        #[source]
        source: csv::Error,
    },

    #[error("{path} is not a Casebridge mapping profile: {reason}")]
    ProfileFile { path: String, reason: String },

    /// Boxed: the auth error is as large as all the others together.
    #[error(transparent)]
    Auth(Box<casebridge_auth::AuthError>),

    #[error("{provider} is not set up: {what} of your app is missing")]
    OAuthClientMissing { provider: &'static str, what: &'static str },

    #[error("no sign-in was started")]
    NoSignInStarted,

    #[error("the sign-in was cancelled")]
    SignInCancelled,

    /// An outcome reported to more than one caller (the deep link and the waiting window).
    #[error(transparent)]
    Shared(std::sync::Arc<EngineError>),

    #[error("organization {id} is not one of the signed-in user's Zoho organizations")]
    UnknownOrganization { id: String },

    #[error("no Zoho Books organization is chosen yet")]
    OrganizationNotChosen,

    #[error("the document file {path} could not be read or written")]
    DocumentFile {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("document batch {id} is not open (it was approved, or never opened here)")]
    UnknownDocumentBatch { id: String },

    /// A ZIP of documents that cannot be read as a whole (boxed: the import error is large).
    #[error(transparent)]
    DocumentZip(Box<casebridge_import::ImportError>),
}

impl EngineError {
    pub fn code(&self) -> String {
        match self {
            Self::NoHomeDirectory => "no_home_directory".into(),
            Self::DataDirectory { .. } => "data_directory".into(),
            Self::Store(e) => e.code().to_string(),
            Self::Sandbox(e) => e.code().to_string(),
            Self::Agency(e) => e.code().to_string(),
            Self::Provider(e) => e.code().to_string(),
            Self::NotConnected { .. } => "not_connected".into(),
            Self::InvalidInput { .. } => "invalid_input".into(),
            Self::Auth(e) => e.code().into(),
            Self::OAuthClientMissing { .. } => "oauth_client_missing".into(),
            Self::NoSignInStarted => "oauth_no_sign_in".into(),
            Self::SignInCancelled => "oauth_cancelled".into(),
            Self::Shared(e) => e.code(),
            Self::UnknownOrganization { .. } => "zoho_unknown_organization".into(),
            Self::OrganizationNotChosen => "zoho_organization_not_chosen".into(),
            Self::DocumentFile { .. } => "document_file".into(),
            Self::UnknownDocumentBatch { .. } => "document_batch_unknown".into(),
            Self::DocumentZip(e) => e.code().into(),
            Self::TaskPanicked => "internal".into(),
            Self::AgencyNotConnected => "agency_not_connected".into(),
            Self::CorruptCache { .. } => "corrupt_cache".into(),
            Self::AlreadySending => "already_sending".into(),
            Self::UnknownInvoice { .. } => "unknown_invoice".into(),
            Self::Serialize { .. } => "internal".into(),
            Self::AgencyKeyMissing => "agency_key_missing".into(),
            Self::Import(e) => e.code().into(),
            Self::ImportFile { .. } => "import_file".into(),
            Self::UnknownImport { .. } => "import_unknown".into(),
            Self::ImportIsZip { .. } => "import_is_zip".into(),
            Self::ErrorFile { .. } | Self::ErrorFileCsv { .. } => "import_error_file".into(),
            Self::ProfileFile { .. } => "mapping_profile_file".into(),
        }
    }

    pub fn hint(&self) -> String {
        match self {
            Self::NoHomeDirectory => {
                "Set CASEBRIDGE_DATA_DIR to a folder Casebridge may write to.".into()
            }
            Self::DataDirectory { .. } => {
                "Check that the folder is writable, or set CASEBRIDGE_DATA_DIR to another folder."
                    .into()
            }
            Self::Store(e) => e
                .hint()
                .unwrap_or("Try again; if it keeps failing, export diagnostics from Settings.")
                .to_string(),
            Self::Sandbox(e) => e.hint().to_string(),
            Self::Agency(e) => e.hint().to_string(),
            Self::Provider(e) => e.hint(),
            Self::NotConnected { source_name } => {
                format!("Connect {source_name} on the Integrations page first.")
            }
            Self::InvalidInput { .. } => "Correct the value and try again.".into(),
            Self::Auth(e) => e.hint().into(),
            Self::OAuthClientMissing { .. } => {
                "Enter the client ID and secret of your app (from the provider's developer console) under Settings → OAuth clients."
                    .into()
            }
            Self::NoSignInStarted => "Click Connect to start a sign-in first.".into(),
            Self::SignInCancelled => "Nothing changed. Click Connect to start again.".into(),
            Self::Shared(e) => e.hint(),
            Self::UnknownOrganization { .. } => {
                "Choose one of the organizations listed; reconnect if the one you want is missing.".into()
            }
            Self::OrganizationNotChosen => "Choose the organization to read on the Integrations page.".into(),
            Self::DocumentFile { .. } => {
                "Check that the file still exists and that the data folder has free space, then try again.".into()
            }
            Self::UnknownDocumentBatch { .. } => "Drop the ZIP again to match its documents.".into(),
            Self::DocumentZip(e) => e.hint(),
            Self::Serialize { .. } => "Nothing was sent. Please report this with exported diagnostics.".into(),
            Self::CorruptCache { .. } => "Fetch the invoices again to refresh the cache; nothing was sent.".into(),
            Self::UnknownInvoice { .. } => {
                "Fetch invoices again; it may have been paid or removed at the source.".into()
            }
            Self::AlreadySending => {
                "Wait for it to finish (its progress shows there); queued cases are sent once, by whichever runs."
                    .into()
            }
            Self::AgencyNotConnected => {
                "Add your Debitura API key under Settings → Agency before submitting.".into()
            }
            Self::AgencyKeyMissing => {
                "The keychain entry was removed or the keychain was reset: enter the API key again under Settings → Agency."
                    .into()
            }
            Self::TaskPanicked => {
                "Nothing was lost: try again. If it keeps happening, export diagnostics from Settings."
                    .into()
            }
            Self::Import(e) => e.hint(),
            Self::ImportFile { .. } => {
                "Check that the file exists, is not open in another program, and that you may read (or write) it.".into()
            }
            Self::UnknownImport { .. } => "Drop the file again to start over; nothing was imported.".into(),
            Self::ImportIsZip { .. } => "Drop it on the Documents import to match its files to cases.".into(),
            Self::ErrorFile { .. } | Self::ErrorFileCsv { .. } => {
                "Choose a folder you may write to, and close the file if it is open in Excel.".into()
            }
            Self::ProfileFile { .. } => "Choose a .json file exported from Casebridge's mapping profiles.".into(),
        }
    }

    /// Whether only a new sign-in helps (refresh token refused, access lost, never connected).
    pub fn needs_reconnect(&self) -> bool {
        match self {
            Self::Auth(e) => matches!(
                **e,
                casebridge_auth::AuthError::NeedsReconnect { .. } | casebridge_auth::AuthError::NotConnected { .. }
            ),
            Self::Provider(e) => matches!(e, casebridge_providers::ProviderError::NeedsReconnect { .. }),
            Self::Shared(e) => e.needs_reconnect(),
            _ => false,
        }
    }

    pub fn to_ui(&self) -> UiError {
        UiError { code: self.code(), message: self.to_string(), hint: self.hint() }
    }
}

impl From<casebridge_auth::AuthError> for EngineError {
    fn from(error: casebridge_auth::AuthError) -> Self {
        Self::Auth(Box::new(error))
    }
}

impl Serialize for EngineError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let ui = self.to_ui();
        let mut s = serializer.serialize_struct("EngineError", 3)?;
        s.serialize_field("code", &ui.code)?;
        s.serialize_field("message", &ui.message)?;
        s.serialize_field("hint", &ui.hint)?;
        s.end()
    }
}

impl From<casebridge_import::ImportError> for EngineError {
    fn from(error: casebridge_import::ImportError) -> Self {
        Self::Import(Box::new(error))
    }
}
