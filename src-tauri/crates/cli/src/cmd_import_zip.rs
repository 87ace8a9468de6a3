//! `casebridge import-zip FILE`: a ZIP of documents → files matched to
//! invoices, stored and uploaded to their cases (now, or once submitted).

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use casebridge_engine::api::{
    ApproveDocumentsRequest, DocumentApproval, DocumentBatch, DocumentStatus,
};
use casebridge_engine::{Engine, EngineError};
use clap::Args;

#[derive(Args)]
pub struct ImportZipArgs {
    /// The ZIP of invoice PDFs, reminders and other documents.
    file: PathBuf,

    /// Approve every clear match without asking (for scripts). Conflicts
    /// and unmatched files are never approved from here: use the window.
    #[arg(long)]
    yes: bool,
}

/// Returns whether every file of the ZIP was matched and stored.
pub async fn run(engine: &Engine, args: ImportZipArgs) -> Result<bool, EngineError> {
    let batch = engine.open_document_zip(args.file).await?;
    print_batch(&batch);
    let approvals: Vec<DocumentApproval> = batch
        .entries
        .iter()
        .filter_map(|e| match &e.status {
            DocumentStatus::Matched { candidate } => Some(DocumentApproval {
                index: e.index,
                source_ref: candidate.target.source_ref.clone(),
                document_type: None,
            }),
            _ => None,
        })
        .collect();
    let everything_matched = approvals.len() == batch.entries.len();
    if approvals.is_empty() {
        eprintln!("No file matched an invoice; nothing was stored.");
        return Ok(batch.entries.is_empty());
    }
    if !args.yes && !confirm(approvals.len())? {
        eprintln!("Nothing was stored.");
        return Ok(false);
    }
    let outcome = engine
        .approve_documents(ApproveDocumentsRequest {
            batch_id: batch.id,
            approvals,
        })
        .await?;
    println!(
        "{} stored, {} already stored before",
        outcome.stored, outcome.already_stored
    );
    let Some(upload) = outcome.upload else {
        println!("No agency connected yet: they upload once it is (casebridge agency connect) and their cases exist.");
        return Ok(everything_matched);
    };
    println!(
        "{} uploaded, {} waiting for their case to be submitted",
        upload.uploaded, upload.waiting_for_case
    );
    for failure in &upload.failed {
        eprintln!(
            "not uploaded: {} — {} ({})",
            failure.file_name, failure.error.message, failure.error.hint
        );
    }
    Ok(everything_matched && upload.failed.is_empty())
}

fn print_batch(batch: &DocumentBatch) {
    let c = &batch.counts;
    eprintln!(
        "{}: {} matched, {} conflicts, {} unmatched, {} refused",
        batch.file_name, c.matched, c.conflicts, c.unmatched, c.refused
    );
    for entry in &batch.entries {
        let (status, detail) = match &entry.status {
            DocumentStatus::Matched { candidate } => (
                "matched".to_owned(),
                format!(
                    "{} ({:.0} %, {:?})",
                    candidate.target.invoice_number,
                    candidate.confidence * 100.0,
                    candidate.basis
                ),
            ),
            DocumentStatus::Conflict { reason, candidates } => (
                "conflict".to_owned(),
                format!(
                    "{reason:?}: {}",
                    candidates
                        .iter()
                        .map(|c| c.target.invoice_number.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            DocumentStatus::Unmatched => ("unmatched".to_owned(), "-".to_owned()),
            DocumentStatus::Refused { reason } => {
                (format!("refused:{}", reason.code), reason.message.clone())
            }
        };
        println!("{status:<28} {:<40} {detail}", entry.name);
    }
}

fn confirm(count: usize) -> Result<bool, EngineError> {
    if !std::io::stdin().is_terminal() {
        return Err(EngineError::InvalidInput {
            field: "--yes",
            reason: "not a terminal, so nobody can confirm; pass --yes to approve the matches"
                .into(),
        });
    }
    eprint!("Approve the {count} matched document(s) and upload them to their cases? [y/N] ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok();
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}
