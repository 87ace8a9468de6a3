//! The error every command returns.
//!
//! It serialises exactly like the engine's error, `{ code, message, hint }`,
//! so the UI handles one shape. The shell adds one case of its own: the
//! engine failed to start, and every later call reports that failure
//! instead of hanging or panicking.

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
}

impl Serialize for ShellError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Engine(error) => error.serialize(serializer),
            Self::EngineUnavailable { startup } => startup.serialize(serializer),
        }
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
}
