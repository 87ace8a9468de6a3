//! `casebridge db path|migrate`.

use casebridge_engine::api::RunMode;
use casebridge_engine::{EngineConfig, EngineError};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum DbAction {
    /// Print the path of the SQLite file.
    Path,
    /// Apply pending migrations and print the schema version.
    Migrate,
}

pub fn run(action: DbAction, mode: RunMode) -> Result<(), EngineError> {
    let config = EngineConfig::from_env(mode)?;
    match action {
        DbAction::Path => println!("{}", config.db_path().display()),
        DbAction::Migrate => {
            let version = casebridge_engine::migrate(&config)?;
            println!("{} is at schema version {version}", config.db_path().display());
        }
    }
    Ok(())
}
