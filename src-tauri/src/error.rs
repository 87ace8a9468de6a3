//! The error every command returns.
//!
//! It serialises exactly like the engine's error, `{ code, message, hint }`,
//! so the UI handles one shape. The shell adds one case of its own: the
//! engine failed to start, and every later call reports that failure
//! instead of hanging or panicking. Saving an export (the one thing the
//! shell does without the engine) adds its own two.

use casebridge_engine::api::UiError;
use casebridge_engine::EngineError;
use serde::{Serialize, Serializer};

#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    #[error(transparent)]
    Engine(#[from] EngineError),

    /// The start-up failure as it was reported when it happened; the engine
    /// error itself is not `Clone`, so its UI form is what every later call
    /// gets.
    #[error("the engine is not running: {}", .startup.message)]
    EngineUnavailable { startup: UiError },

    #[error("the export is not valid JSON")]
    ExportNotJson {
        #[source]
        source: serde_json::Error,
    },

    #[error("could not write the export to {path}")]
    ExportWrite {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl ShellError {
    pub fn to_ui(&self) -> UiError {
        match self {
            Self::Engine(error) => error.to_ui(),
            Self::EngineUnavailable { startup } => startup.clone(),
            Self::ExportNotJson { .. } => UiError {
                code: "export_not_json".into(),
                message: self.to_string(),
                hint: "Nothing was saved. This is a bug in the window; please report it with exported diagnostics."
                    .into(),
            },
            Self::ExportWrite { source, .. } => UiError {
                code: "export_write_failed".into(),
                message: format!("{self}: {source}"),
                hint: "Choose a folder you can write to (and check the disk is not full), then export again."
                    .into(),
            },
        }
    }
}

impl Serialize for ShellError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_ui().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_reach_the_ui_as_code_message_hint() {
        let error = ShellError::from(EngineError::NoHomeDirectory);
        let json = serde_json::to_value(&error).expect("serialises");
        assert_eq!(json["code"], "no_home_directory");
        assert_eq!(json["message"], EngineError::NoHomeDirectory.to_string());
        assert_eq!(json["hint"], EngineError::NoHomeDirectory.hint());
        assert_eq!(json.as_object().map(|o| o.len()), Some(3));
    }

    #[test]
    fn a_failed_start_is_reported_with_its_original_code() {
        let startup = EngineError::NoHomeDirectory.to_ui();
        let json = serde_json::to_value(ShellError::EngineUnavailable {
            startup: startup.clone(),
        })
        .expect("serialises");
        assert_eq!(json["code"], startup.code);
        assert_eq!(json["hint"], startup.hint);
    }

    #[test]
    fn a_failed_export_write_names_the_path_and_the_cause() {
        let error = ShellError::ExportWrite {
            path: "/read-only/payloads.json".into(),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        let json = serde_json::to_value(&error).expect("serialises");
        assert_eq!(json["code"], "export_write_failed");
        let message = json["message"].as_str().unwrap_or_default();
        assert!(message.contains("/read-only/payloads.json"), "{message}");
        assert!(
            message.to_lowercase().contains("permission denied"),
            "{message}"
        );
        assert!(json["hint"].as_str().is_some_and(|h| !h.is_empty()));
    }
}
