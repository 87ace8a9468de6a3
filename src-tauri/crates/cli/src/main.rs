//! `casebridge` — the headless command line on the same engine as the window.
//!
//! For scripted and scheduled work (sync, import, submit) and for the tests
//! and benchmarks. Every subcommand calls the engine; none holds logic of its
//! own beyond parsing arguments and printing results.

mod cmd_agency;
mod cmd_cases;
mod cmd_connect;
mod cmd_db;
mod cmd_fetch;
mod cmd_import;
mod cmd_import_zip;
mod cmd_sandbox;
mod cmd_stripe;
mod cmd_submit;
mod progress;

use std::process::ExitCode;

use casebridge_engine::api::RunMode;
use casebridge_engine::{Engine, EngineConfig, EngineError};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "casebridge", version, about = "Turn unpaid invoices into collection cases, exactly once.")]
struct Cli {
    /// Use the demo database and the built-in fake servers.
    #[arg(long, global = true, env = "CASEBRIDGE_DEMO")]
    demo: bool,

    /// With --demo: use this running fake agency (from `casebridge sandbox`)
    /// instead of starting one, so several processes share it.
    #[arg(long, global = true, value_name = "URL", requires = "demo")]
    sandbox_agency_url: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the local fake servers (agency, later Stripe/QuickBooks/Zoho) and print their URLs.
    Sandbox(cmd_sandbox::SandboxArgs),
    /// Inspect or migrate the local database.
    Db {
        #[command(subcommand)]
        action: cmd_db::DbAction,
    },
    /// Connect to the collection agency or show the connection.
    Agency {
        #[command(subcommand)]
        action: cmd_agency::AgencyAction,
    },
    /// Connect Stripe with a restricted key.
    Stripe {
        #[command(subcommand)]
        action: cmd_stripe::StripeAction,
    },
    /// Sign in to QuickBooks Online or Zoho Books (OAuth in the browser, back to this machine).
    Connect(cmd_connect::ConnectArgs),
    /// Fetch unpaid invoices from a source into the local database.
    Fetch(cmd_fetch::FetchArgs),
    /// Submit invoices from the local database as agency cases (exactly once).
    Submit(cmd_submit::SubmitArgs),
    /// List submitted cases with their agency status.
    Cases(cmd_cases::CasesArgs),
    /// Import invoices from a CSV / TSV / XLSX / XLS / ODS file into the local database.
    Import(cmd_import::ImportArgs),
    /// Match a ZIP of documents (invoice PDFs, reminders) to invoices and upload them to their cases.
    ImportZip(cmd_import_zip::ImportZipArgs),
}

/// Exit codes: 0 done, 1 error, 2 finished but not everything went through
/// (invoices not accepted, or parts of a fetch not read).
const EXIT_NOT_ALL_ACCEPTED: u8 = 2;

async fn start_engine(mode: RunMode, sandbox_agency_url: Option<String>) -> Result<Engine, EngineError> {
    let mut config = EngineConfig::from_env(mode)?;
    config.demo_agency_url = sandbox_agency_url;
    Engine::start(config).await
}

async fn with_engine(
    mode: RunMode,
    sandbox_agency_url: Option<String>,
    command: Command,
) -> Result<ExitCode, EngineError> {
    let engine = start_engine(mode, sandbox_agency_url).await?;
    let result = match command {
        Command::Agency { action } => cmd_agency::run(&engine, action).await.map(|()| ExitCode::SUCCESS),
        Command::Submit(args) => cmd_submit::run(&engine, args).await.map(|end| match end {
            cmd_submit::SubmitEnd::AllDone => ExitCode::SUCCESS,
            cmd_submit::SubmitEnd::SomeNotAccepted => ExitCode::from(EXIT_NOT_ALL_ACCEPTED),
        }),
        Command::Cases(args) => cmd_cases::run(&engine, args).await.map(|()| ExitCode::SUCCESS),
        Command::ImportZip(args) => cmd_import_zip::run(&engine, args).await.map(|complete| {
            if complete { ExitCode::SUCCESS } else { ExitCode::from(EXIT_NOT_ALL_ACCEPTED) }
        }),
        Command::Stripe { action } => cmd_stripe::connect(&engine, action).await.map(|()| ExitCode::SUCCESS),
        Command::Connect(args) => cmd_connect::run(&engine, args).await.map(|()| ExitCode::SUCCESS),
        Command::Fetch(args) => cmd_fetch::run(&engine, args).await.map(|complete| {
            if complete { ExitCode::SUCCESS } else { ExitCode::from(EXIT_NOT_ALL_ACCEPTED) }
        }),
        Command::Import(args) => cmd_import::run(&engine, args).await.map(|complete| {
            if complete { ExitCode::SUCCESS } else { ExitCode::from(EXIT_NOT_ALL_ACCEPTED) }
        }),
        Command::Sandbox(_) | Command::Db { .. } => unreachable!("handled without an engine"),
    };
    engine.shutdown().await;
    result
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CASEBRIDGE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();

    let cli = Cli::parse();
    let mode = if cli.demo { RunMode::Demo } else { RunMode::Normal };
    let result = match cli.command {
        Command::Sandbox(args) => cmd_sandbox::run(args)
            .await
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| (e.to_string(), e.hint().to_string())),
        Command::Db { action } => cmd_db::run(action, mode)
            .map(|()| ExitCode::SUCCESS)
            .map_err(|e| (e.to_string(), e.hint())),
        command => with_engine(mode, cli.sandbox_agency_url, command)
            .await
            .map_err(|e| (e.to_string(), e.hint())),
    };
    match result {
        Ok(code) => code,
        Err((message, hint)) => {
            eprintln!("error: {message}\n  hint: {hint}");
            ExitCode::FAILURE
        }
    }
}
