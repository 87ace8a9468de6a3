//! `casebridge fetch stripe|quickbooks|zoho [--created-from …]`: unpaid invoices into the
//! local database, with progress on stderr.

use std::sync::Arc;

use casebridge_engine::api::{FetchRequest, FetchSummary};
use casebridge_engine::{Engine, EngineError};
use clap::{Args, ValueEnum};

use crate::progress::StderrProgress;

#[derive(Clone, Copy, ValueEnum)]
pub enum Source {
    Stripe,
    Quickbooks,
    Zoho,
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

/// Returns whether everything was read.
pub async fn run(engine: &Engine, args: FetchArgs) -> Result<bool, EngineError> {
    let request = FetchRequest {
        created_from: args.created_from,
        created_to: args.created_to,
        due_from: args.due_from,
        due_to: args.due_to,
        include_uncollectible: args.include_uncollectible,
    };
    let progress = Arc::new(StderrProgress);
    let summary: FetchSummary = match args.source {
        Source::Stripe => engine.fetch_stripe(request, progress).await?,
        Source::Quickbooks => engine.fetch_quickbooks(request, progress).await?,
        Source::Zoho => engine.fetch_zoho(request, progress).await?,
    };
    println!(
        "{} unpaid invoices cached from {} pages ({} skipped: paid, void, draft or nothing owed)",
        summary.invoices, summary.pages, summary.skipped
    );
    for failure in &summary.failures {
        eprintln!("not fetched: {} — {}", failure.message, failure.hint);
    }
    Ok(summary.failures.is_empty())
}
