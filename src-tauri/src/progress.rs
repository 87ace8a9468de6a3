//! Long jobs (fetch, import, submit) report progress to the UI as the
//! `job://progress` event, whatever page is open, so a job survives the
//! user navigating away.

use casebridge_engine::api::JobEvent;
use casebridge_engine::ProgressSink;
use tauri::{AppHandle, Emitter};

/// Event name the UI listens to; the payload is a `JobEvent`.
pub const JOB_PROGRESS: &str = "job://progress";

pub struct TauriProgress {
    app: AppHandle,
}

impl TauriProgress {
    pub fn new(app: AppHandle) -> Self {
        Self { app }
    }
}

impl ProgressSink for TauriProgress {
    fn emit(&self, event: JobEvent) {
        // A window that is closing cannot receive events; the job itself
        // goes on and its result is stored, so this is only worth a note.
        if let Err(error) = self.app.emit(JOB_PROGRESS, &event) {
            tracing::warn!(job = %event.job_id, %error, "progress event not delivered");
        }
    }
}
