//! `casebridge stripe connect --key-stdin` and `casebridge fetch stripe …`.

use std::io::Read;
use std::sync::Arc;

use casebridge_engine::api::{ConnectStripeRequest, FetchRequest};
use casebridge_engine::{Engine, EngineError};

use crate::progress::StderrProgress;
use clap::{Args, Subcommand, ValueEnum};

#[derive(Subcommand)]
pub enum StripeAction {
    /// Check a restricted key (read from stdin, never the command line) and keep it in the keychain.
    Connect {
        #[arg(long, required = true)]
        key_stdin: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Source {
    Stripe,
}

#[derive(Args)]
pub struct FetchArgs {
    source: Source,
    /// Created on or after (YYYY-MM-DD).
    #[arg(long)]
    created_from: Option<String>,
    /// Created on or before (YYYY-MM-DD).
    #[arg(long)]
    created_to: Option<String>,
    /// Due on or after (YYYY-MM-DD).
    #[arg(long)]
    due_from: Option<String>,
    /// Due on or before (YYYY-MM-DD).
    #[arg(long)]
    due_to: Option<String>,
    /// Also fetch invoices marked uncollectible.
    #[arg(long)]
    include_uncollectible: bool,
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

pub async fn fetch(engine: &Engine, args: FetchArgs) -> Result<bool, EngineError> {
    let Source::Stripe = args.source;
    let summary = engine
        .fetch_stripe(
            FetchRequest {
                created_from: args.created_from,
                created_to: args.created_to,
                due_from: args.due_from,
                due_to: args.due_to,
                include_uncollectible: args.include_uncollectible,
            },
            Arc::new(StderrProgress),
        )
        .await?;
    println!("{} unpaid invoices cached from {} pages ({} skipped: paid, void, draft or nothing owed)", summary.invoices, summary.pages, summary.skipped);
    for failure in &summary.failures {
        eprintln!("not fetched: {} — {}", failure.message, failure.hint);
    }
    Ok(summary.failures.is_empty())
}
