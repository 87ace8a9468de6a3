//! Wire types of the at-source checks: whether a submitted invoice was paid, voided or deleted
//! at its source (Stripe, QuickBooks Online, Zoho Books) after it became a case.
//!
//! Shell command: `check_at_source(request: SourceCheckRequest) -> SourceCheckSummary`,
//! progress as `job://progress` events of kind `source_check`. The Cases page calls it after
//! each agency poll (`now: false`: only cases due) and from its "Check now" button.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::UiError;

/// What the case's source says about its invoice, as the Cases page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CaseAtSource {
    /// Still owed at the source.
    Open,
    /// Paid at the source after submission: the agency must be told (a direct payment).
    PaidAtSource,
    /// Voided or deleted at the source after submission.
    GoneAtSource,
    /// Its source can be asked but has not answered yet.
    Unknown,
    /// No source to ask: imported from a file, or found on the agency.
    NotTracked,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct SourceCheckRequest {
    /// The user asked ("Check now"): every case not asked in the last minute, instead of only
    /// those not asked for 15 minutes (an hour for Zoho Books, whose daily quota is small).
    pub now: bool,
}

/// What one run of the at-source check did. Every case counted under `asked` cost requests;
/// cases not due cost none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SourceCheckSummary {
    pub asked: u32,
    pub open: u32,
    pub paid: u32,
    pub gone: u32,
    /// Cases whose source could not answer; their status stays as it was.
    pub failed: u32,
    /// Cases that turned paid at source in this run (the window notifies about these).
    pub newly_paid: u32,
    /// One error per source that failed (e.g. a revoked key), to show once.
    pub errors: Vec<UiError>,
    /// Another check was running, so this one asked nothing.
    pub already_running: bool,
}
