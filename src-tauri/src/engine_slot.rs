//! The engine as managed state that becomes ready after the window is up.
//!
//! Opening SQLite, running migrations and (in demo mode) starting the
//! sandbox servers happen on a background task so the window appears at
//! once. Commands await the same start-up; whoever asks first starts it.
//! A failed start is kept and returned to every command as a
//! `{ code, message, hint }` the UI can show.

use casebridge_engine::api::UiError;
use casebridge_engine::{Engine, EngineConfig};
use tauri::{AppHandle, Manager};
use tokio::sync::OnceCell;

use crate::error::ShellError;

pub struct EngineSlot {
    config: EngineConfig,
    engine: OnceCell<Result<Engine, UiError>>,
}

impl EngineSlot {
    pub fn new(config: EngineConfig) -> Self {
        Self {
            config,
            engine: OnceCell::new(),
        }
    }

    /// Begins start-up now instead of at the first command.
    pub fn start_in_background(app: &AppHandle) {
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            // The outcome is kept in the slot and logged by `get`.
            let _ = app.state::<EngineSlot>().get().await;
        });
    }

    /// The running engine, starting it if nobody has yet.
    pub async fn get(&self) -> Result<&Engine, ShellError> {
        let started = self
            .engine
            .get_or_init(|| async {
                match Engine::start(self.config.clone()).await {
                    Ok(engine) => {
                        tracing::info!("engine ready");
                        Ok(engine)
                    }
                    Err(error) => {
                        tracing::error!(error = %error, code = %error.code(), "engine failed to start");
                        Err(error.to_ui())
                    }
                }
            })
            .await;
        started
            .as_ref()
            .map_err(|startup| ShellError::EngineUnavailable {
                startup: startup.clone(),
            })
    }

    /// Stops background work (sandbox servers, pollers) if the engine ran.
    pub async fn shutdown(&self) {
        if let Some(Ok(engine)) = self.engine.get() {
            engine.shutdown().await;
        }
    }
}
