//! One fetch job for every source: the request's date filters, progress as job events (with
//! the source's total and daily quota when it tells them), the outcome cached (open and
//! uncollectible apart), the connection's health recorded, and the summary.
//!
//! A source module builds its client, calls [`Engine::start_fetch`], runs its provider
//! fetch with the returned [`FetchJob`] as progress sink, and hands the result to
//! [`Engine::finish_fetch`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use casebridge_providers::{
    DailyQuota, DateRange, FetchFilter, FetchOutcome, FetchProgress, ProviderError, SourceStatus,
};
use casebridge_store::ConnectionStatus;
use chrono::NaiveDate;

use crate::api::{FetchRequest, FetchSummary, JobCounts, JobEvent, JobPhase, UiError};
use crate::{CancelFlag, Engine, EngineError, ProgressSink};

/// Which connection a fetch reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FetchSource {
    /// As the user knows it, e.g. "QuickBooks Online".
    pub name: &'static str,
    /// The `connections` row whose health the fetch updates.
    pub connection_id: &'static str,
}

fn date(field: &'static str, value: Option<&str>) -> Result<Option<NaiveDate>, EngineError> {
    value
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

/// The provider filter of a fetch request (dates inclusive, `YYYY-MM-DD`).
pub(crate) fn fetch_filter(request: &FetchRequest) -> Result<FetchFilter, EngineError> {
    let range = |which, (from_field, from): (&'static str, &Option<String>), (to_field, to): (&'static str, &Option<String>)| {
        Ok::<_, EngineError>(DateRange::new(
            which,
            date(from_field, from.as_deref())?,
            date(to_field, to.as_deref())?,
        )?)
    };
    Ok(FetchFilter {
        created: range("created", ("createdFrom", &request.created_from), ("createdTo", &request.created_to))?,
        due: range("due", ("dueFrom", &request.due_from), ("dueTo", &request.due_to))?,
        include_uncollectible: request.include_uncollectible,
    })
}

pub(crate) fn ui(error: &ProviderError) -> UiError {
    let r = error.report();
    UiError { code: r.code.to_string(), message: r.message, hint: r.hint }
}

/// A running fetch: turns provider progress into job events and tells the provider when the
/// user cancelled.
pub(crate) struct FetchJob {
    source: FetchSource,
    job_id: String,
    sink: Arc<dyn ProgressSink>,
    cancel: CancelFlag,
    /// 0 until the source says how many invoices match.
    total: AtomicU64,
    quota: Mutex<Option<DailyQuota>>,
}

impl FetchJob {
    fn emit(&self, phase: JobPhase, done: u64, pages: u64, message: String) {
        let total = self.total.load(Ordering::Relaxed);
        self.sink.emit(JobEvent {
            job_id: self.job_id.clone(),
            kind: "fetch".into(),
            phase,
            done,
            total: (total > 0).then_some(total),
            message,
            counts: JobCounts { pages: Some(pages), ..JobCounts::default() },
        });
    }

    fn quota_note(&self) -> String {
        match *self.quota.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(DailyQuota { used, limit: Some(limit), .. }) => {
                format!("; {used} of today's {limit} requests used")
            }
            _ => String::new(),
        }
    }
}

impl casebridge_providers::ProgressSink for FetchJob {
    fn report(&self, p: FetchProgress) {
        let name = self.source.name;
        match p.waiting_for_rate_limit {
            Some(wait) => self.emit(
                JobPhase::Waiting,
                p.invoices,
                p.pages,
                format!("{name} rate limit: waiting {:.1} s", wait.as_secs_f64()),
            ),
            None => {
                let total = self.total.load(Ordering::Relaxed);
                let of = if total > 0 { format!(" of {total}") } else { String::new() };
                let no_total = if total > 0 { String::new() } else { format!(" ({name} gives no total)") };
                let quota = self.quota_note();
                self.emit(
                    JobPhase::Progress,
                    p.invoices,
                    p.pages,
                    format!("{} pages, {}{of} invoices so far{no_total}{quota}", p.pages, p.invoices),
                );
            }
        }
    }

    fn expected_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    fn daily_quota(&self, quota: DailyQuota) {
        *self.quota.lock().unwrap_or_else(PoisonError::into_inner) = Some(quota);
    }

    fn cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }
}

impl Engine {
    /// A fetch job for `source`, stoppable with [`Engine::cancel_fetch`]; announces it.
    pub(crate) async fn start_fetch(&self, source: FetchSource, sink: Arc<dyn ProgressSink>) -> FetchJob {
        let cancel = CancelFlag::default();
        *self.inner.fetch_cancel.lock().await = Some(cancel.clone());
        let job = FetchJob {
            source,
            job_id: uuid::Uuid::new_v4().to_string(),
            sink,
            cancel,
            total: AtomicU64::new(0),
            quota: Mutex::new(None),
        };
        job.emit(JobPhase::Started, 0, 0, format!("Fetching unpaid invoices from {}", source.name));
        job
    }

    /// Caches what a fetch read and records the connection's health. A fatal error (the
    /// connection needs reconnecting) is returned; anything else that failed is listed in the
    /// summary and the rest is kept.
    pub(crate) async fn finish_fetch(
        &self,
        job: &FetchJob,
        result: Result<FetchOutcome, ProviderError>,
    ) -> Result<FetchSummary, EngineError> {
        *self.inner.fetch_cancel.lock().await = None;
        let id = job.source.connection_id;
        let now = self.clock().now();
        let quota = *job.quota.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(quota) = quota {
            self.with_store(move |s| Ok(crate::integrations::remember_daily_quota(s, id, quota, now)?)).await?;
        }
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(error) => {
                let report = serde_json::to_value(ui(&error)).unwrap_or_default();
                // A revoked key or refresh token needs a new connection; an unreachable token
                // endpoint does not.
                let status = if error.is_fatal() && !matches!(error, ProviderError::TokenUnavailable { .. }) {
                    ConnectionStatus::NeedsReconnect
                } else {
                    ConnectionStatus::Error
                };
                self.with_store(move |s| Ok(s.record_connection_error(id, status, &report, now)?)).await?;
                job.emit(JobPhase::Failed, 0, 0, error.to_string());
                return Err(error.into());
            }
        };
        let cancelled = job.cancel.is_cancelled();
        let failures: Vec<UiError> = outcome.failures.iter().map(|f| ui(&f.error)).collect();
        let (open, uncollectible): (Vec<_>, Vec<_>) =
            outcome.invoices.into_iter().partition(|f| f.status != SourceStatus::Uncollectible);
        let count = open.len() + uncollectible.len();
        self.cache_invoices(open.into_iter().map(|f| f.invoice).collect(), "open").await?;
        self.cache_invoices(uncollectible.into_iter().map(|f| f.invoice).collect(), "uncollectible").await?;
        let last_error = failures.first().map(|f| serde_json::to_value(f).unwrap_or_default());
        self.with_store(move |s| {
            match last_error {
                Some(error) => {
                    s.record_connection_error(id, ConnectionStatus::Connected, &error, now)?;
                }
                // A cancelled fetch proves the connection works but is no full sync.
                None if cancelled => {}
                None => {
                    s.record_connection_success(id, now)?;
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
        let quota = job.quota_note();
        let (phase, message) = if cancelled {
            (JobPhase::Cancelled, format!("Cancelled: {} unpaid invoices from {} pages kept", summary.invoices, summary.pages))
        } else if summary.failures.is_empty() {
            (JobPhase::Finished, format!("{} unpaid invoices fetched from {} pages{quota}", summary.invoices, summary.pages))
        } else {
            (
                JobPhase::Finished,
                format!("{} invoices kept; {} parts could not be read", summary.invoices, summary.failures.len()),
            )
        };
        job.emit(phase, count as u64, outcome.pages, message);
        Ok(summary)
    }
}

/// The `(source ref, external id)` of the selected invoices that belong to `provider`'s
/// connected `account`.
pub(crate) fn selected_ids(
    source_refs: &[String],
    provider: casebridge_domain::Provider,
    account: &str,
) -> Vec<(String, String)> {
    source_refs
        .iter()
        .filter_map(|r| casebridge_domain::SourceRef::parse(r).ok().map(|p| (r.clone(), p)))
        .filter(|(_, p)| p.provider() == provider && p.account() == account)
        .map(|(r, p)| (r, p.external_id().to_string()))
        .collect()
}

impl Engine {
    /// Stops the running fetch (any source): no new page is asked for, the pages in flight
    /// are dropped, and what was read is cached. Returns whether a fetch was running.
    pub async fn cancel_fetch(&self) -> bool {
        match self.inner.fetch_cancel.lock().await.as_ref() {
            Some(flag) => {
                flag.cancel();
                true
            }
            None => false,
        }
    }

    /// Caches re-read invoices and drops the settled ones; returns the settled references.
    pub(crate) async fn forget_settled(
        &self,
        unpaid: Vec<casebridge_domain::Invoice>,
        provider: &'static str,
        account: &str,
        settled: Vec<(String, String)>,
    ) -> Result<Vec<String>, EngineError> {
        self.cache_invoices(unpaid, "open").await?;
        let account = account.to_owned();
        let gone: Vec<String> = settled.iter().map(|(_, id)| id.clone()).collect();
        self.with_store(move |s| {
            for id in &gone {
                s.forget_invoice(&casebridge_store::SourceRef::new(provider, &account, id))?;
            }
            Ok(())
        })
        .await?;
        Ok(settled.into_iter().map(|(source_ref, _)| source_ref).collect())
    }

    /// Re-reads every selected invoice of a connected source right before it is queued, so a
    /// case carries today's balance; returns the references found settled (they leave the
    /// cache and the selection). Invoices of a source no longer connected go as cached.
    pub(crate) async fn recheck_balances(&self, source_refs: &[String]) -> Result<Vec<String>, EngineError> {
        let mut settled = self.recheck_stripe_balances(source_refs).await?;
        settled.extend(self.recheck_quickbooks_balances(source_refs).await?);
        settled.extend(self.recheck_zoho_balances(source_refs).await?);
        Ok(settled)
    }
}
