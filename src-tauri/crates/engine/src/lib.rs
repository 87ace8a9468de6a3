//! casebridge-engine — the use cases of Casebridge, shared by the window and the CLI.
//!
//! The shell (`casebridge-desktop`) and the CLI (`casebridge`) both hold one
//! [`Engine`] and call its methods; neither holds logic of its own. The engine
//! opens the SQLite store, reaches secrets through the keychain module, starts
//! the sandbox fakes in demo mode, turns cached invoices into readiness
//! reports, and submits cases through the durable outbox.
//!
//! It must not depend on Tauri or hold UI state: progress leaves through a
//! [`ProgressSink`] the caller provides, errors leave as [`EngineError`]
//! (serialised `{ code, message, hint }`), and data leaves as the wire types
//! in [`api`]. It must not read the wall clock in business logic: time comes
//! from the [`Clock`] it was started with, so tests are deterministic.

pub mod api;
mod agency;
mod at_source;
mod cache;
mod cases;
mod clock;
mod config;
mod debtors;
mod documents;
mod error;
mod import;
mod import_export;
mod import_mapping;
mod import_profiles;
mod fetching;
mod integrations;
mod oauth;
mod progress;
mod quickbooks;
mod review;
mod stripe;
mod submission;
mod tracking;
mod zoho;

use std::sync::Arc;

use casebridge_sandbox::Sandbox;
use casebridge_store::secrets::{secret_store_for, BuildKind, SecretStore};
use casebridge_store::Store;

pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{default_data_dir, EngineConfig, DATA_DIR_ENV};
pub use error::EngineError;
pub use agency::{AgencyRateLimits, RateWindow};
pub use progress::{NoProgress, ProgressSink};
pub use submission::CancelFlag;
/// Tests and the CLI open consent pages their own way ([`Engine::set_browser`]).
pub use casebridge_auth::{AuthError, Browser};
pub use oauth::DEEP_LINK_CALLBACK;

use api::{AppInfo, RunMode, SandboxService};

/// The running engine. Cheap to clone; every clone shares one store.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    config: EngineConfig,
    store: Store,
    secrets: Arc<dyn SecretStore>,
    clock: Arc<dyn Clock>,
    sandbox: tokio::sync::Mutex<Option<Sandbox>>,
    sandbox_services: Vec<SandboxService>,
    /// Where demo mode's fakes listen (all `None` outside demo mode).
    sandbox_urls: casebridge_sandbox::SandboxUrls,
    /// One limiter per engine: the agency counts requests per key.
    limiter: tokio::sync::Mutex<Option<Arc<casebridge_agency::RateLimiter>>>,
    /// Set while the window's submit runs, so it can be stopped.
    submit_cancel: tokio::sync::Mutex<Option<CancelFlag>>,
    /// Open file imports, by id.
    imports: import::ImportSessions,
    /// Set while a Stripe fetch runs, so it can be stopped.
    fetch_cancel: tokio::sync::Mutex<Option<CancelFlag>>,
    /// The OAuth sign-in in progress and the token vault.
    oauth: oauth::OAuthRuntime,
    /// Held while an at-source check runs: a poll's check and "Check now" never overlap.
    at_source_running: tokio::sync::Mutex<()>,
}

/// Opens (creating if needed) the database and applies pending migrations;
/// returns the schema version. Used by `casebridge db migrate`.
pub fn migrate(config: &EngineConfig) -> Result<i64, EngineError> {
    create_data_dir(config)?;
    // Opening migrates to the newest schema, or refuses a newer one.
    Store::open(&config.db_path())?;
    Ok(casebridge_store::SCHEMA_VERSION)
}

fn create_data_dir(config: &EngineConfig) -> Result<(), EngineError> {
    std::fs::create_dir_all(&config.data_dir).map_err(|source| EngineError::DataDirectory {
        path: config.data_dir.display().to_string(),
        source,
    })
}

impl Engine {
    /// Opens the store (running migrations) and, in demo mode, starts the
    /// sandbox fakes and points the agency connection at them.
    pub async fn start(config: EngineConfig) -> Result<Engine, EngineError> {
        let build_kind = match (config.mode, cfg!(debug_assertions)) {
            (RunMode::Demo, _) => BuildKind::Demo,
            (RunMode::Normal, true) => BuildKind::Dev,
            (RunMode::Normal, false) => BuildKind::Production,
        };
        Self::start_with(config, Arc::new(SystemClock), secret_store_for(build_kind)).await
    }

    /// As [`Engine::start`], with the clock and secret store tests want.
    pub async fn start_with(
        config: EngineConfig,
        clock: Arc<dyn Clock>,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Engine, EngineError> {
        create_data_dir(&config)?;
        let store = Store::open(&config.db_path())?;
        let no_fakes = casebridge_sandbox::SandboxUrls::default();
        let (sandbox, sandbox_urls) = match (config.mode, &config.demo_agency_url) {
            (RunMode::Normal, _) => (None, no_fakes),
            (RunMode::Demo, Some(url)) => (
                None,
                casebridge_sandbox::SandboxUrls {
                    agency: Some(url.clone()),
                    stripe: config.demo_stripe_url.clone(),
                    ..casebridge_sandbox::SandboxUrls::default()
                },
            ),
            (RunMode::Demo, None) => {
                let sandbox = Sandbox::start(casebridge_sandbox::demo::config()).await?;
                let urls = sandbox.urls();
                (Some(sandbox), urls)
            }
        };
        let sandbox_services = sandbox_services(&sandbox_urls);
        let agency_url = sandbox_urls.agency.clone();
        tracing::info!(
            mode = ?config.mode,
            db = %config.db_path().display(),
            "engine started"
        );
        let oauth = oauth::OAuthRuntime::new(secrets.clone(), config.data_dir.clone());
        let engine = Engine {
            inner: Arc::new(Inner {
                config,
                store,
                secrets,
                clock,
                sandbox: tokio::sync::Mutex::new(sandbox),
                sandbox_services,
                sandbox_urls,
                limiter: tokio::sync::Mutex::new(None),
                submit_cancel: tokio::sync::Mutex::new(None),
                imports: import::ImportSessions::default(),
                fetch_cancel: tokio::sync::Mutex::new(None),
                oauth,
                at_source_running: tokio::sync::Mutex::new(()),
            }),
        };
        if let Some(url) = agency_url {
            engine.connect_demo_agency(&url).await?;
        }
        Ok(engine)
    }

    /// Stops background work and the sandbox. The store needs no closing:
    /// every write is committed when its call returns.
    pub async fn shutdown(&self) {
        if let Some(sandbox) = self.inner.sandbox.lock().await.take() {
            sandbox.shutdown().await;
        }
    }

    pub fn info(&self) -> AppInfo {
        let config = &self.inner.config;
        AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            mode: config.mode,
            data_dir: config.data_dir.display().to_string(),
            db_path: config.db_path().display().to_string(),
            log_dir: config.log_dir().display().to_string(),
            sandbox: self.inner.sandbox_services.clone(),
        }
    }

    pub async fn settings(&self) -> Result<api::Settings, EngineError> {
        let info = self.info();
        Ok(api::Settings {
            data_dir: info.data_dir,
            db_path: info.db_path,
            log_dir: info.log_dir,
            agency: self.agency_connection().await?.map(|c| api::AgencySettings {
                environment: format!("{:?}", c.environment),
                base_url: c.base_url,
                key_stored: true,
            }),
        })
    }

    pub(crate) fn store(&self) -> &Store {
        &self.inner.store
    }

    pub(crate) fn secrets(&self) -> &Arc<dyn SecretStore> {
        &self.inner.secrets
    }

    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// Runs a blocking store call off the async runtime's worker threads.
    pub(crate) async fn with_store<T, F>(&self, f: F) -> Result<T, EngineError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, EngineError> + Send + 'static,
    {
        let store = self.store().clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|_| EngineError::TaskPanicked)?
    }
}

fn sandbox_services(urls: &casebridge_sandbox::SandboxUrls) -> Vec<SandboxService> {
    [
        ("Debitura agency (fake)", urls.agency.clone()),
        ("Stripe (fake)", urls.stripe.clone()),
        ("QuickBooks sign-in (fake)", urls.quickbooks_oauth.clone()),
        ("QuickBooks Online API (fake)", urls.quickbooks.clone()),
        ("Zoho sign-in (fake)", urls.zoho_oauth.clone()),
        ("Zoho Books API (fake)", urls.zoho.clone()),
    ]
        .into_iter()
        .filter_map(|(name, url)| url.map(|url| SandboxService { name: name.to_string(), url }))
        .collect()
}
