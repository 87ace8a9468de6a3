//! `casebridge cases`: submitted cases and their agency status.

use casebridge_engine::api::CaseQuery;
use casebridge_engine::{Engine, EngineError};
use clap::Args;

#[derive(Args)]
pub struct CasesArgs {
    /// Ask the agency for the latest status and payments first.
    #[arg(long)]
    refresh: bool,

    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn run(engine: &Engine, args: CasesArgs) -> Result<(), EngineError> {
    if args.refresh {
        let changed = engine.refresh_cases().await?;
        eprintln!("refreshed from the agency: {changed} case(s) changed");
    }
    let page = engine.list_cases(CaseQuery::default()).await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&page.rows).unwrap_or_default());
        return Ok(());
    }
    println!("{:<10} {:<24} {:<28} {:>14} {:<26} {:>12}", "REFERENCE", "INVOICE", "DEBTOR", "AMOUNT", "STATUS", "PAID");
    for c in &page.rows {
        println!(
            "{:<10} {:<24} {:<28} {:>14} {:<26} {:>12}",
            c.agency_reference.as_deref().unwrap_or("-"),
            c.creditor_reference.as_deref().unwrap_or("-"),
            c.debtor_name.as_deref().unwrap_or("-"),
            format!("{} {}", c.amount, c.currency),
            c.lifecycle,
            c.paid_amount,
        );
    }
    println!("{} case(s); last polled {}", page.total, page.last_polled_at.as_deref().unwrap_or("never"));
    Ok(())
}
