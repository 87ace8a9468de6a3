//! Where the engine keeps its data and how it was started.
//!
//! Dev builds and demo mode get their own directories (and keychain
//! namespaces) so a developer's or a demo's data never mixes with real data.

use std::path::{Path, PathBuf};

use crate::api::RunMode;
use crate::error::EngineError;

/// Overrides the data directory (tests, e2e runs, portable installs).
pub const DATA_DIR_ENV: &str = "CASEBRIDGE_DATA_DIR";

/// What the engine needs to start.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    pub mode: RunMode,
    /// Demo mode only: use this running fake agency (e.g. one started with
    /// `casebridge sandbox`) instead of starting the sandbox in-process, so
    /// several processes share one.
    pub demo_agency_url: Option<String>,
    /// Demo mode only, with `demo_agency_url`: a running Stripe fake.
    pub demo_stripe_url: Option<String>,
}

impl EngineConfig {
    /// The data directory from `CASEBRIDGE_DATA_DIR`, else the OS default.
    pub fn from_env(mode: RunMode) -> Result<Self, EngineError> {
        let data_dir = match std::env::var_os(DATA_DIR_ENV) {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => default_data_dir(mode)?,
        };
        Ok(Self { data_dir, mode, demo_agency_url: None, demo_stripe_url: None })
    }

    pub fn db_path(&self) -> PathBuf {
        let file = match self.mode {
            RunMode::Normal => "casebridge.sqlite3",
            RunMode::Demo => "casebridge-demo.sqlite3",
        };
        self.data_dir.join(file)
    }

    pub fn log_dir(&self) -> PathBuf {
        self.data_dir.join("logs")
    }

    /// Keychain service name: separate per build kind and mode.
    pub fn keychain_namespace(&self) -> &'static str {
        match (self.mode, cfg!(debug_assertions)) {
            (RunMode::Demo, _) => "casebridge-demo",
            (RunMode::Normal, true) => "casebridge-dev",
            (RunMode::Normal, false) => "casebridge",
        }
    }
}

/// The OS application-data directory: `~/.local/share/casebridge` on Linux,
/// `~/Library/Application Support/com.casebridge.casebridge` on macOS,
/// `%APPDATA%\casebridge\casebridge\data` on Windows. Debug builds use
/// `casebridge-dev` instead, and demo mode a `demo` folder inside either.
pub fn default_data_dir(mode: RunMode) -> Result<PathBuf, EngineError> {
    // On Linux only the application name forms the folder, so it must be
    // the product's own name, never something generic.
    let app = if cfg!(debug_assertions) { "casebridge-dev" } else { "casebridge" };
    let dirs = directories::ProjectDirs::from("com", "casebridge", app)
        .ok_or(EngineError::NoHomeDirectory)?;
    Ok(with_mode(dirs.data_dir(), mode))
}

fn with_mode(base: &Path, mode: RunMode) -> PathBuf {
    match mode {
        RunMode::Normal => base.to_path_buf(),
        RunMode::Demo => base.join("demo"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_data_dir_is_named_after_the_product() {
        let dir = default_data_dir(RunMode::Normal).expect("a home directory in tests");
        let name = dir.to_string_lossy().to_lowercase();
        assert!(name.contains("casebridge"), "{name}");
        assert!(default_data_dir(RunMode::Demo).unwrap().ends_with("demo"));
    }

    #[test]
    fn demo_and_normal_never_share_a_database_file() {
        let config = |mode| EngineConfig { data_dir: with_mode(Path::new("/d"), mode), mode, demo_agency_url: None, demo_stripe_url: None };
        let (normal, demo) = (config(RunMode::Normal), config(RunMode::Demo));
        assert_ne!(normal.db_path(), demo.db_path());
        assert_ne!(normal.keychain_namespace(), demo.keychain_namespace());
        assert!(demo.db_path().starts_with("/d/demo"));
    }
}
