//! How long jobs report progress without knowing who listens.
//!
//! The shell forwards events to the window (Tauri events), the CLI prints
//! them, tests collect them.

use crate::api::JobEvent;

pub trait ProgressSink: Send + Sync + 'static {
    fn emit(&self, event: JobEvent);
}

/// Drops every event (for callers that only want the result).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl ProgressSink for NoProgress {
    fn emit(&self, _event: JobEvent) {}
}
