//! `casebridge stripe connect --key-stdin` (fetching is `casebridge fetch stripe`, cmd_fetch).

use std::io::Read;

use casebridge_engine::api::ConnectStripeRequest;
use casebridge_engine::{Engine, EngineError};

use clap::Subcommand;

#[derive(Subcommand)]
pub enum StripeAction {
    /// Check a restricted key (read from stdin, never the command line) and keep it in the keychain.
    Connect {
        #[arg(long, required = true)]
        key_stdin: bool,
    },
}

pub async fn connect(engine: &Engine, action: StripeAction) -> Result<(), EngineError> {
    let StripeAction::Connect { key_stdin: _ } = action;
    let mut api_key = String::new();
    std::io::stdin()
        .read_to_string(&mut api_key)
        .map_err(|e| EngineError::InvalidInput { field: "stdin", reason: format!("could not read the key: {e}") })?;
    let connection = engine.connect_stripe(ConnectStripeRequest { api_key }).await?;
    println!(
        "connected to Stripe account {} ({}, {} mode)",
        connection.account_name.as_deref().unwrap_or("(unnamed)"),
        connection.account_id,
        connection.mode
    );
    if let Some(warning) = connection.warning {
        eprintln!("warning: {} — {}", warning.message, warning.hint);
    }
    Ok(())
}
