//! Progress of long jobs, printed to stderr one line per event.

use casebridge_engine::api::JobEvent;
use casebridge_engine::ProgressSink;

pub struct StderrProgress;

impl ProgressSink for StderrProgress {
    fn emit(&self, event: JobEvent) {
        eprintln!("[{:?}] {}", event.phase, event.message);
    }
}
