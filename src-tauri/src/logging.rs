//! Logging: stderr plus a daily-rotated file in the data directory's `logs`
//! folder (the one Settings shows), keeping a week.
//!
//! Never log secrets: keys and tokens are not passed to `tracing` anywhere in
//! the shell, and deep links are logged without their query (see
//! `deep_link`). If the log folder cannot be created the app still starts,
//! logging to stderr only, and says so there.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

/// Variable with a `tracing` filter, e.g. `debug` or `casebridge_engine=trace`.
pub const LOG_ENV: &str = "CASEBRIDGE_LOG";
const KEEP_FILES: usize = 7;

/// Installs the global subscriber. Keep the guard alive until exit: dropping
/// it flushes the file writer.
pub fn init(log_dir: &Path) -> Option<WorkerGuard> {
    let filter = EnvFilter::try_from_env(LOG_ENV).unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr = fmt::layer().with_writer(std::io::stderr);

    let appender = std::fs::create_dir_all(log_dir)
        .map_err(|e| e.to_string())
        .and_then(|()| {
            RollingFileAppender::builder()
                .rotation(Rotation::DAILY)
                .filename_prefix("casebridge")
                .filename_suffix("log")
                .max_log_files(KEEP_FILES)
                .build(log_dir)
                .map_err(|e| e.to_string())
        });
    let (file, guard, file_error) = match appender {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            (
                Some(fmt::layer().with_ansi(false).with_writer(writer)),
                Some(guard),
                None,
            )
        }
        Err(reason) => (None, None, Some(reason)),
    };

    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(stderr)
        .with(file)
        .try_init();
    if let Err(error) = installed {
        eprintln!("logging was already set up: {error}");
    }
    if let Some(reason) = file_error {
        tracing::warn!(dir = %log_dir.display(), %reason, "no log file; logging to stderr only");
    }
    guard
}
