//! `casebridge submit`: the invoices in the local database → agency cases.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use casebridge_engine::api::{SubmitPreview, SubmitRequest};
use casebridge_engine::{CancelFlag, Engine, EngineError};

use crate::progress::StderrProgress;
use clap::Args;

#[derive(Args)]
pub struct SubmitArgs {
    /// An invoice to submit, as `provider:account/id` (repeatable).
    /// Without any, every invoice that is ready is submitted.
    #[arg(long = "invoice", value_name = "SOURCE_REF")]
    invoices: Vec<String>,

    /// Check and print the exact bodies; send nothing, queue nothing.
    #[arg(long)]
    dry_run: bool,

    /// Do not ask for confirmation (for scripts).
    #[arg(long)]
    yes: bool,
}


/// What the command ended with, for the exit code.
pub enum SubmitEnd {
    AllDone,
    SomeNotAccepted,
}

pub async fn run(engine: &Engine, args: SubmitArgs) -> Result<SubmitEnd, EngineError> {
    let source_refs = if args.invoices.is_empty() { engine.ready_source_refs().await? } else { args.invoices };
    let request = SubmitRequest { source_refs };
    let preview = engine.preview_submission(request.clone()).await?;
    print_preview(&preview);
    if args.dry_run {
        let bodies: Vec<_> = preview.will_send.iter().map(|i| &i.payload).collect();
        println!("{}", serde_json::to_string_pretty(&bodies).unwrap_or_default());
        return Ok(SubmitEnd::AllDone);
    }
    if !preview.will_send.is_empty() && !args.yes && !confirm(&preview)? {
        eprintln!("Nothing was sent.");
        return Ok(SubmitEnd::AllDone);
    }
    // Enqueue even when nothing new is sendable: the run below also resumes
    // what an interrupted earlier run left in the outbox.
    if !preview.will_send.is_empty() {
        engine.enqueue_submission(request).await?;
    }
    let summary = engine.run_submissions(Arc::new(StderrProgress), CancelFlag::default()).await?;
    for result in &summary.results {
        let detail = result.error.as_ref().map(|e| format!(" — {} ({})", e.message, e.hint)).unwrap_or_default();
        println!(
            "{:<10} {:<30} {}{}",
            format!("{:?}", result.state).to_lowercase(),
            result.creditor_reference,
            result.agency_reference.as_deref().unwrap_or("-"),
            detail
        );
    }
    println!(
        "{} accepted, {} rejected, {} uncertain, {} still queued",
        summary.accepted, summary.rejected, summary.uncertain, summary.queued
    );
    if let Some(why) = summary.stopped_because {
        eprintln!("stopped: {} — {}", why.message, why.hint);
        return Ok(SubmitEnd::SomeNotAccepted);
    }
    Ok(if summary.rejected + summary.uncertain + summary.queued == 0 {
        SubmitEnd::AllDone
    } else {
        SubmitEnd::SomeNotAccepted
    })
}

fn print_preview(preview: &SubmitPreview) {
    eprintln!("Destination: {}", preview.destination);
    eprintln!("Ready to send: {}", preview.will_send.len());
    for total in &preview.totals {
        eprintln!("  {} {} in {} case(s)", total.amount, total.currency, total.count);
    }
    if !preview.blocked.is_empty() {
        eprintln!("Not sendable: {}", preview.blocked.len());
        for blocked in preview.blocked.iter().take(20) {
            for issue in &blocked.issues {
                eprintln!("  {} — {}: {}", blocked.source_ref, issue.message, issue.hint);
            }
        }
        if preview.blocked.len() > 20 {
            eprintln!("  … and {} more (see the Invoices page)", preview.blocked.len() - 20);
        }
    }
}

fn confirm(preview: &SubmitPreview) -> Result<bool, EngineError> {
    if !std::io::stdin().is_terminal() {
        return Err(EngineError::InvalidInput {
            field: "--yes",
            reason: "not a terminal, so nobody can confirm; pass --yes to send without asking".into(),
        });
    }
    eprint!("Send {} case(s) to {}? [y/N] ", preview.will_send.len(), preview.destination);
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
