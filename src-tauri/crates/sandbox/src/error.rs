use std::path::PathBuf;

use serde::Serialize;

/// Everything that can go wrong starting, driving or stopping the sandbox.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("could not listen on 127.0.0.1 for the {fake} fake")]
    Bind {
        fake: &'static str,
        #[source]
        source: std::io::Error,
    },
    #[error("the {fake} fake is not enabled in this sandbox")]
    NotEnabled { fake: &'static str },
    #[error("no case with id {id} in the agency fake")]
    UnknownCase { id: uuid::Uuid },
    #[error("invalid {fake} configuration: {reason}")]
    InvalidConfig {
        fake: &'static str,
        reason: &'static str,
    },
    #[error("could not write the sandbox URLs to {}", path.display())]
    WriteUrls {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not serialize the sandbox URLs")]
    EncodeUrls {
        #[source]
        source: serde_json::Error,
    },
    #[error("could not listen for the stop signal")]
    Signal {
        #[source]
        source: std::io::Error,
    },
}

/// The `{ code, message, hint }` shape the UI and CLI show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReport {
    pub code: &'static str,
    pub message: String,
    pub hint: &'static str,
}

impl SandboxError {
    /// Stable snake_case identifier.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Bind { .. } => "sandbox_bind_failed",
            Self::NotEnabled { .. } => "sandbox_fake_not_enabled",
            Self::UnknownCase { .. } => "sandbox_unknown_case",
            Self::InvalidConfig { .. } => "sandbox_invalid_config",
            Self::WriteUrls { .. } => "sandbox_write_urls_failed",
            Self::EncodeUrls { .. } => "sandbox_encode_urls_failed",
            Self::Signal { .. } => "sandbox_signal_failed",
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> &'static str {
        match self {
            Self::Bind { .. } => {
                "Check that the loopback interface is up and that the process may open sockets."
            }
            Self::NotEnabled { .. } => "Enable that fake in the SandboxConfig before starting.",
            Self::UnknownCase { .. } => "Use the id of a case created in this sandbox run.",
            Self::InvalidConfig { .. } => "Fix the sandbox configuration and start again.",
            Self::WriteUrls { .. } => {
                "Choose a --urls-file path in a directory that exists and is writable."
            }
            Self::EncodeUrls { .. } => "This is a bug in the sandbox; please report it.",
            Self::Signal { .. } => "Stop the sandbox by killing the process instead.",
        }
    }

    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code(),
            message: self.to_string(),
            hint: self.hint(),
        }
    }
}
