//! The Stripe connection: a restricted key checked against the account,
//! fetching unpaid invoices into the cache, and re-reading each one's
//! balance right before it is submitted.
//!
//! The key lives only in the keychain; SQLite keeps the account id, mode and
//! name. In demo mode the base URL is the sandbox's Stripe fake.

use std::sync::Arc;

use casebridge_providers::stripe::{Rechecked, StripeAccount, StripeClient, StripeKey, StripeOptions};
use casebridge_providers::{DateRange, FetchFilter, FetchProgress, ProviderError};
use casebridge_store::secrets::{Secret, SecretKey};
use casebridge_store::{ConnectionRecord, ConnectionStatus, NewAuditEntry};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::api::{
    ConnectStripeRequest, FetchRequest, FetchSummary, JobCounts, JobEvent, JobPhase, StripeConnection, UiError,
};
use crate::{CancelFlag, Engine, EngineError, ProgressSink};

const CONNECTION_ID: &str = "stripe";

fn secret_key() -> SecretKey {
    SecretKey::new("stripe", "api_key")
}

/// What SQLite keeps about the Stripe connection (no key).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredStripe {
    account: StripeAccount,
    base_url: String,
}

fn ui(e: &ProviderError) -> UiError {
    let r = e.report();
    UiError { code: r.code.to_string(), message: r.message, hint: r.hint }
}

fn date(field: &'static str, value: &Option<String>) -> Result<Option<NaiveDate>, EngineError> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| EngineError::InvalidInput {
                field,
                reason: format!("{v:?} is not a date like 2026-01-31"),
            })
        })
        .transpose()
}

fn range(
    which: &'static str,
    (from_field, from): (&'static str, &Option<String>),
    (to_field, to): (&'static str, &Option<String>),
) -> Result<DateRange, EngineError> {
    Ok(DateRange::new(which, date(from_field, from)?, date(to_field, to)?)?)
}

/// Turns the provider's progress into job events, and tells the fetch when
/// the user cancelled it.
struct FetchListener {
    job_id: String,
    sink: Arc<dyn ProgressSink>,
    cancel: CancelFlag,
}

impl FetchListener {
    fn emit(&self, phase: JobPhase, progress: FetchProgress, message: String) {
        self.sink.emit(JobEvent {
            job_id: self.job_id.clone(),
            kind: "fetch".into(),
            phase,
            done: progress.invoices,
            total: None,
            message,
            counts: JobCounts { pages: Some(progress.pages), ..JobCounts::default() },
        });
    }
}

impl casebridge_providers::ProgressSink for FetchListener {
    fn report(&self, p: FetchProgress) {
        match p.waiting_for_rate_limit {
            Some(wait) => {
                self.emit(JobPhase::Waiting, p, format!("Stripe rate limit: waiting {:.1} s", wait.as_secs_f64()));
            }
            None => self.emit(
                JobPhase::Progress,
                p,
                format!("{} pages, {} invoices so far (Stripe gives no total)", p.pages, p.invoices),
            ),
        }
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

impl Engine {
    fn stripe_base_url(&self) -> String {
        self.inner
            .sandbox_urls
            .stripe
            .clone()
            .unwrap_or_else(|| casebridge_providers::stripe::DEFAULT_BASE_URL.to_string())
    }

    /// Checks the key (invoice and customer read) and keeps it.
    pub async fn connect_stripe(&self, request: ConnectStripeRequest) -> Result<StripeConnection, EngineError> {
        let key_text = request.api_key.trim().to_string();
        let key = StripeKey::parse(&key_text)?;
        let warning = key.warning().map(|w| UiError {
            code: w.code().to_string(),
            message: w.message().to_string(),
            hint: w.hint().to_string(),
        });
        let base_url = self.stripe_base_url();
        let client = StripeClient::new(&base_url, key, StripeOptions::default())?;
        let account = client.validate().await?;
        self.secrets().set(&secret_key(), &Secret::new(key_text))?;
        let now = self.clock().now();
        let stored = StoredStripe { account: account.clone(), base_url };
        let settings = serde_json::to_value(&stored).map_err(|source| EngineError::Serialize { source })?;
        self.with_store(move |store| {
            store.upsert_connection(&ConnectionRecord {
                id: CONNECTION_ID.into(),
                provider: "stripe".into(),
                account_id: stored.account.id.clone(),
                display_name: stored.account.name.clone().unwrap_or_else(|| stored.account.id.clone()),
                environment: format!("{:?}", stored.account.mode).to_lowercase(),
                settings,
                status: ConnectionStatus::Connected,
                last_success_at: None,
                last_error: None,
                token_expires_at: None,
                refresh_token_issued_at: None,
                created_at: now,
                updated_at: now,
            })?;
            store.append_audit(&NewAuditEntry {
                at: now,
                actor: "user".into(),
                action: "stripe.connected".into(),
                subject: stored.account.id.clone(),
                details: serde_json::json!({ "mode": stored.account.mode }),
            })?;
            Ok(())
        })
        .await?;
        Ok(StripeConnection {
            account_id: account.id,
            account_name: account.name,
            mode: format!("{:?}", account.mode).to_lowercase(),
            warning,
        })
    }

    async fn stripe_client(&self) -> Result<(StripeClient, StripeAccount), EngineError> {
        let record = self
            .with_store(|store| Ok(store.get_connection(CONNECTION_ID)?))
            .await?
            .ok_or(EngineError::NotConnected { source_name: "Stripe" })?;
        let stored: StoredStripe = serde_json::from_value(record.settings)
            .map_err(|source| EngineError::CorruptCache { what: "the Stripe connection".into(), source })?;
        let key = self.secrets().get(&secret_key())?.ok_or(EngineError::NotConnected { source_name: "Stripe" })?;
        // A demo's fake listens on a new port each start.
        let base_url = self.inner.sandbox_urls.stripe.clone().unwrap_or(stored.base_url);
        let client = StripeClient::new(&base_url, StripeKey::parse(key.expose())?, StripeOptions::default())?;
        Ok((client, stored.account))
    }

    /// Fetches unpaid invoices into the cache. A partial fetch keeps what it
    /// got and lists what failed; so does a cancelled one
    /// ([`Engine::cancel_fetch`]), whose summary says so.
    pub async fn fetch_stripe(&self, request: FetchRequest, sink: Arc<dyn ProgressSink>) -> Result<FetchSummary, EngineError> {
        let cancel = CancelFlag::default();
        *self.inner.fetch_cancel.lock().await = Some(cancel.clone());
        let summary = self.fetch_stripe_until(request, sink, &cancel).await;
        *self.inner.fetch_cancel.lock().await = None;
        summary
    }

    /// Stops a running [`Engine::fetch_stripe`]: no new page is asked for,
    /// the pages in flight are dropped, and what was read is cached.
    /// Returns whether a fetch was running.
    pub async fn cancel_fetch(&self) -> bool {
        match self.inner.fetch_cancel.lock().await.as_ref() {
            Some(flag) => {
                flag.cancel();
                true
            }
            None => false,
        }
    }

    async fn fetch_stripe_until(
        &self,
        request: FetchRequest,
        sink: Arc<dyn ProgressSink>,
        cancel: &CancelFlag,
    ) -> Result<FetchSummary, EngineError> {
        let filter = FetchFilter {
            created: range("created", ("createdFrom", &request.created_from), ("createdTo", &request.created_to))?,
            due: range("due", ("dueFrom", &request.due_from), ("dueTo", &request.due_to))?,
            include_uncollectible: request.include_uncollectible,
        };
        let (client, account) = self.stripe_client().await?;
        let listener = FetchListener { job_id: uuid::Uuid::new_v4().to_string(), sink, cancel: cancel.clone() };
        listener.emit(JobPhase::Started, FetchProgress::default(), "Fetching open invoices from Stripe".into());
        let now = self.clock().now();
        let outcome = match client.fetch_unpaid(&account, &filter, &listener).await {
            Ok(outcome) => outcome,
            Err(error) => {
                let report = serde_json::to_value(ui(&error)).unwrap_or_default();
                let status = if error.is_fatal() { ConnectionStatus::NeedsReconnect } else { ConnectionStatus::Error };
                self.with_store(move |s| Ok(s.record_connection_error(CONNECTION_ID, status, &report, now)?)).await?;
                listener.emit(JobPhase::Failed, FetchProgress::default(), error.to_string());
                return Err(error.into());
            }
        };
        let cancelled = cancel.is_cancelled();
        let failures: Vec<UiError> = outcome.failures.iter().map(|f| ui(&f.error)).collect();
        let (open, uncollectible): (Vec<_>, Vec<_>) = outcome
            .invoices
            .into_iter()
            .partition(|f| f.status != casebridge_providers::SourceStatus::Uncollectible);
        let count = open.len() + uncollectible.len();
        self.cache_invoices(open.into_iter().map(|f| f.invoice).collect(), "open").await?;
        self.cache_invoices(uncollectible.into_iter().map(|f| f.invoice).collect(), "uncollectible").await?;
        let last_error = failures.first().map(|f| serde_json::to_value(f).unwrap_or_default());
        self.with_store(move |s| {
            match last_error {
                Some(error) => {
                    s.record_connection_error(CONNECTION_ID, ConnectionStatus::Connected, &error, now)?;
                }
                // A cancelled fetch proves the key works but is no full sync.
                None if cancelled => {}
                None => {
                    s.record_connection_success(CONNECTION_ID, now)?;
                }
            }
            Ok(())
        })
        .await?;
        let summary = FetchSummary {
            invoices: u32::try_from(count).unwrap_or(u32::MAX),
            pages: u32::try_from(outcome.pages).unwrap_or(u32::MAX),
            skipped: u32::try_from(outcome.skipped.len()).unwrap_or(u32::MAX),
            failures,
            cancelled,
        };
        let done = FetchProgress { pages: outcome.pages, invoices: count as u64, waiting_for_rate_limit: None };
        let (phase, message) = if cancelled {
            (
                JobPhase::Cancelled,
                format!("Cancelled: {} unpaid invoices from {} pages kept", summary.invoices, summary.pages),
            )
        } else if summary.failures.is_empty() {
            (JobPhase::Finished, format!("{} unpaid invoices fetched from {} pages", summary.invoices, summary.pages))
        } else {
            (
                JobPhase::Finished,
                format!("{} invoices kept; {} parts could not be read", summary.invoices, summary.failures.len()),
            )
        };
        listener.emit(phase, done, message);
        Ok(summary)
    }

    /// Re-reads the connected account's Stripe invoices among `source_refs`
    /// right before they are queued, so the case carries today's balance; an
    /// invoice paid or voided since the fetch is dropped from the cache (and
    /// so from the selection, reported as not found). Invoices of an account
    /// that is no longer connected cannot be re-read and go as cached.
    /// Returns the selected references found settled at the source.
    pub(crate) async fn recheck_stripe_balances(&self, source_refs: &[String]) -> Result<Vec<String>, EngineError> {
        let connected = self.with_store(|s| Ok(s.get_connection(CONNECTION_ID)?)).await?;
        let Some(connected) = connected else { return Ok(Vec::new()) };
        let ids: Vec<(String, String)> = source_refs
            .iter()
            .filter_map(|r| casebridge_domain::SourceRef::parse(r).ok().map(|p| (r.clone(), p)))
            .filter(|(_, p)| p.provider() == casebridge_domain::Provider::Stripe && p.account() == connected.account_id)
            .map(|(r, p)| (r, p.external_id().to_string()))
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (client, account) = self.stripe_client().await?;
        let mut unpaid = Vec::new();
        let mut settled = Vec::new();
        for (source_ref, id) in ids {
            match client.fetch_invoice(&account, &id).await? {
                Rechecked::Unpaid(fetched) => unpaid.push(fetched.invoice),
                Rechecked::Settled(_) => settled.push((source_ref, id)),
            }
        }
        self.cache_invoices(unpaid, "open").await?;
        let account_id = account.id.clone();
        let gone = settled.iter().map(|(_, id)| id.clone()).collect::<Vec<_>>();
        self.with_store(move |s| {
            for id in &gone {
                s.forget_invoice(&casebridge_store::SourceRef::new("stripe", &account_id, id))?;
            }
            Ok(())
        })
        .await?;
        Ok(settled.into_iter().map(|(source_ref, _)| source_ref).collect())
    }
}
