//! `casebridge agency connect|status`.

use std::io::Read;

use casebridge_engine::api::{AgencyEnvironmentChoice, ConnectAgencyRequest};
use casebridge_engine::{Engine, EngineError};
use clap::{Subcommand, ValueEnum};

#[derive(Clone, Copy, ValueEnum)]
pub enum EnvironmentArg {
    Production,
    /// Production with `isTest: true` (validated, never collected).
    ProductionTest,
    /// The partner test environment (testcustomer-api.debitura.com).
    Test,
    /// Any base URL (needs --base-url).
    Custom,
}

#[derive(Subcommand)]
pub enum AgencyAction {
    /// Check an API key (read from stdin, never from the command line) and keep it in the keychain.
    Connect {
        #[arg(long, value_enum, default_value = "production-test")]
        environment: EnvironmentArg,
        #[arg(long)]
        base_url: Option<String>,
        /// Read the key from standard input.
        #[arg(long, required = true)]
        key_stdin: bool,
    },
    /// Show the current connection (never the key).
    Status,
}

pub async fn run(engine: &Engine, action: AgencyAction) -> Result<(), EngineError> {
    match action {
        AgencyAction::Connect { environment, base_url, key_stdin: _ } => {
            let mut api_key = String::new();
            std::io::stdin().read_to_string(&mut api_key).map_err(|e| EngineError::InvalidInput {
                field: "stdin",
                reason: format!("could not read the key: {e}"),
            })?;
            let connection = engine
                .connect_agency(ConnectAgencyRequest {
                    environment: match environment {
                        EnvironmentArg::Production => AgencyEnvironmentChoice::Production,
                        EnvironmentArg::ProductionTest => AgencyEnvironmentChoice::ProductionTestMode,
                        EnvironmentArg::Test => AgencyEnvironmentChoice::Test,
                        EnvironmentArg::Custom => AgencyEnvironmentChoice::Custom,
                    },
                    base_url,
                    api_key,
                })
                .await?;
            println!("connected to {} at {} (key {})", connection.company_name, connection.base_url, connection.key_hint);
        }
        AgencyAction::Status => match engine.agency_connection().await? {
            Some(c) => println!("{} at {} ({:?}, key {})", c.company_name, c.base_url, c.environment, c.key_hint),
            None => println!("not connected; run `casebridge agency connect --key-stdin`"),
        },
    }
    Ok(())
}
