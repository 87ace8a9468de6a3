//! `casebridge import FILE [--profile NAME] [--dry-run]`: a spreadsheet of invoices into the
//! local database, with the mapping the window would suggest (or a saved profile).

use std::path::PathBuf;
use std::sync::Arc;

use casebridge_engine::api::{ImportPage, ImportRowFilter, StageRequest};
use casebridge_engine::{Engine, EngineError};
use clap::Args;

use crate::progress::StderrProgress;

#[derive(Args)]
pub struct ImportArgs {
    /// A CSV, TSV, TXT, XLSX, XLS or ODS file.
    file: PathBuf,
    /// Use this saved mapping profile instead of the suggested (or header-matched) mapping.
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Save the mapping used as a profile under this name.
    #[arg(long, value_name = "NAME", conflicts_with = "dry_run")]
    save_profile: Option<String>,
    /// Check every row and report; import nothing.
    #[arg(long)]
    dry_run: bool,
    /// A workbook's sheet (default: the first).
    #[arg(long)]
    sheet: Option<String>,
}

/// How many problem rows are listed.
const SHOWN: u32 = 20;

/// Returns whether every row imported (no invalid rows).
pub async fn run(engine: &Engine, args: ImportArgs) -> Result<bool, EngineError> {
    let path = args.file.display().to_string();
    let mut session = engine.open_import(path).await?;
    if let Some(sheet) = args.sheet {
        let options = casebridge_engine::api::ReadOptions {
            sheet: Some(sheet),
            ..Default::default()
        };
        session = engine.reopen_import(session.id.clone(), options).await?;
    }
    eprintln!("{}: {}", session.file_name, session.recognised);
    let mapping = match &args.profile {
        Some(name) => engine.mapping_profile_by_name(name).await?.mapping,
        None => {
            if let Some(profile) = &session.profile {
                eprintln!(
                    "using the saved mapping profile “{}” (same header)",
                    profile.name
                );
            }
            session.mapping.clone()
        }
    };
    let errors = engine
        .preview_import(
            session.id.clone(),
            mapping.clone(),
            ImportPage {
                offset: 0,
                limit: SHOWN,
                filter: ImportRowFilter::Errors,
            },
        )
        .await?;
    for row in &errors.rows {
        for error in &row.cell_errors {
            let column = error
                .column
                .map(|c| format!(", column {}", c + 1))
                .unwrap_or_default();
            eprintln!(
                "row {}{column}: {} — {}",
                row.row_number, error.message, error.hint
            );
        }
    }
    if errors.invalid > u64::from(SHOWN) {
        eprintln!(
            "… and {} more rows with errors",
            errors.invalid - u64::from(SHOWN)
        );
    }
    let complete = errors.invalid == 0;
    if args.dry_run {
        println!(
            "dry run: {} rows; {} would be imported ({} ready, {} need fixing), {} have errors, {} are duplicates",
            errors.total,
            errors.valid,
            errors.ready,
            errors.needs_fixing,
            errors.invalid,
            errors.duplicates
        );
        return Ok(complete);
    }
    let summary = engine
        .stage_import(
            session.id.clone(),
            StageRequest {
                mapping,
                save_profile_as: args.save_profile,
            },
            Arc::new(StderrProgress),
        )
        .await?;
    engine.close_import(&session.id);
    println!(
        "{} invoices imported from {} ({} ready, {} need fixing); {} rows with errors and {} duplicates left out",
        summary.staged,
        summary.account,
        summary.ready,
        summary.needs_fixing,
        summary.invalid,
        summary.duplicates
    );
    if let Some(profile) = summary.profile {
        println!("mapping saved as profile “{}”", profile.name);
    }
    Ok(complete)
}
