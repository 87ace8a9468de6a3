//! The one error type of the store, with a stable `code()` and a user-facing `hint()`.
//!
//! Messages name the thing that failed (a path, a table, a key name) but never a value that could
//! be a secret: keychain errors keep the platform cause only when it cannot contain the secret.

use std::path::PathBuf;

use rusqlite::ErrorCode;

use crate::outbox::OutboxState;

/// Everything that can go wrong in the store and the keychain module.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The folder that should hold the data file could not be created.
    #[error("could not create the data folder {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// SQLite could not open (or set up) the data file.
    #[error("could not open the data file {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// A query failed (busy, disk full, constraint, corrupt file…); `code()` tells which.
    #[error("a database operation failed")]
    Sqlite {
        #[from]
        #[source]
        source: rusqlite::Error,
    },
    /// The file was written by a newer Casebridge whose schema this binary does not know.
    #[error(
        "the data file has schema version {found}, but this Casebridge supports up to {supported}"
    )]
    SchemaTooNew { found: i64, supported: i64 },
    /// A migration failed; nothing of this upgrade was applied.
    #[error("upgrading the data file to schema version {version} ({name}) failed")]
    Migration {
        version: i64,
        name: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    /// The OS keychain refused or failed an operation. `key` is the entry name, never its value.
    #[error("the OS keychain could not {op} the secret {key}: {problem}")]
    Keychain {
        op: KeychainOp,
        key: String,
        problem: KeychainProblem,
        #[source]
        source: Option<keyring::Error>,
    },
    /// A row the caller referred to does not exist.
    #[error("{what} {id} was not found")]
    NotFound { what: &'static str, id: String },
    /// A unique value the caller supplied is already taken by another row.
    #[error("{what} {value:?} is already in use")]
    Conflict { what: &'static str, value: String },
    /// An outbox entry is not in a state that allows the requested step (another process moved it).
    #[error("outbox entry {id} is {state}, so it cannot become {attempted}")]
    OutboxTransition {
        id: i64,
        state: OutboxState,
        attempted: OutboxState,
    },
    /// A setting's value could not be converted to or from JSON.
    #[error("the setting {key} has a value of the wrong shape")]
    SettingValue {
        key: String,
        #[source]
        source: serde_json::Error,
    },
}

/// What the keychain was asked to do, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeychainOp {
    /// Reading an entry.
    Read,
    /// Creating or replacing an entry.
    Write,
    /// Removing an entry.
    Delete,
}

impl std::fmt::Display for KeychainOp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeychainOp::Read => "read",
            KeychainOp::Write => "save",
            KeychainOp::Delete => "delete",
        })
    }
}

/// Why the keychain failed, in terms the user can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeychainProblem {
    /// Locked, no Secret Service running, no session bus, access denied.
    Unavailable,
    /// The stored value is not text (written by something else).
    NotText,
    /// The platform refused the entry (name or value too long, invalid attribute).
    Rejected,
    /// Several entries match one name (written by something else).
    Ambiguous,
}

impl std::fmt::Display for KeychainProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            KeychainProblem::Unavailable => "the keychain is locked or unavailable",
            KeychainProblem::NotText => "the stored value is not text",
            KeychainProblem::Rejected => "the keychain refused the entry",
            KeychainProblem::Ambiguous => "several keychain entries have this name",
        })
    }
}

impl StoreError {
    /// A stable snake_case code the UI can switch on.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::CreateDir { .. } => "data_file_unavailable",
            StoreError::Open { source, .. } => {
                sqlite_code(source).unwrap_or("data_file_unavailable")
            }
            StoreError::Sqlite { source } => sqlite_code(source).unwrap_or("database_error"),
            StoreError::SchemaTooNew { .. } => "schema_too_new",
            StoreError::Migration { .. } => "migration_failed",
            StoreError::Keychain { problem, .. } => match problem {
                KeychainProblem::Unavailable => "keychain_unavailable",
                KeychainProblem::NotText => "keychain_bad_value",
                KeychainProblem::Rejected => "keychain_rejected",
                KeychainProblem::Ambiguous => "keychain_ambiguous",
            },
            StoreError::NotFound { .. } => "not_found",
            StoreError::Conflict { .. } => "conflict",
            StoreError::OutboxTransition { .. } => "outbox_state_changed",
            StoreError::SettingValue { .. } => "setting_invalid",
        }
    }

    /// What the user can do about it, when there is something to do.
    pub fn hint(&self) -> Option<&'static str> {
        match self.code() {
            "data_file_unavailable" => {
                Some("Check that the data folder exists, is writable and is on a local disk.")
            }
            "data_file_busy" => Some(
                "Another Casebridge window or the casebridge CLI is writing to the same data; try again in a moment.",
            ),
            "disk_full" => Some("Free some disk space, then try again."),
            "data_file_corrupt" => {
                Some("The data file is damaged; restore it from a backup or move it away to start fresh.")
            }
            "schema_too_new" => {
                Some("This data was written by a newer Casebridge; update the app.")
            }
            "migration_failed" => Some(
                "Nothing was changed. Make a copy of the data file and report this problem.",
            ),
            "keychain_unavailable" => Some(
                "The OS keychain is locked or unavailable; unlock it. On Linux a Secret Service such as gnome-keyring must be running.",
            ),
            "keychain_bad_value" | "keychain_ambiguous" => Some(
                "Remove the Casebridge entry from the OS keychain, then connect again.",
            ),
            "outbox_state_changed" => Some("Refresh: another window or the CLI already handled it."),
            "not_found" => Some("Refresh the list; it may have been removed."),
            _ => None,
        }
    }
}

/// The code for SQLite failures the user can do something about.
fn sqlite_code(err: &rusqlite::Error) -> Option<&'static str> {
    match err.sqlite_error_code()? {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => Some("data_file_busy"),
        ErrorCode::DiskFull => Some("disk_full"),
        ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => Some("data_file_corrupt"),
        ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied => {
            Some("data_file_unavailable")
        }
        _ => None,
    }
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
