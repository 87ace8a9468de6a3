//! Submission: from selected invoices to agency cases, exactly once.
//!
//! Three steps, each safe to interrupt:
//! 1. [`Engine::preview_submission`] (the dry run) checks every selected
//!    invoice with the readiness rules and builds the exact bodies. It
//!    writes nothing and sends nothing.
//! 2. [`Engine::enqueue_submission`] writes each body with a fresh
//!    idempotency key to the outbox in one transaction. The outbox accepts a
//!    source reference once per agency environment, ever.
//! 3. [`Engine::run_submissions`] drains the outbox: claim (a compare-and-set
//!    to `sending`, committed before the request leaves), send the stored
//!    body, record the answer. Entries found in `sending` at start-up were
//!    interrupted mid-send and become `uncertain`; an uncertain entry is
//!    reconciled (looked up by creditor reference, then re-sent with the same
//!    key and body, which the agency replays) before anything new is sent for
//!    it. A crash, a kill, a lost network or a closed window therefore never
//!    produces a second case and never loses one.
//!
//! What an agency answer means for an entry is decided in [`disposition`],
//! in one place.

mod payload;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use casebridge_agency::wire::CreditorReference;
use casebridge_agency::{AgencyClient, AgencyError, CaseDto, IdempotencyKey};
use casebridge_domain::{
    CaseDraft, Invoice, ReadinessPolicy, ReadinessReport, RuleFailure, Severity,
    SourceRef as DomainSourceRef,
};
use casebridge_store::{
    AcceptedCase, AgencyEnvironment, NewAuditEntry, NewOutboxEntry, OutboxEntry,
    OutboxState, ReviewStatus, SourceRef, Store,
};
use rust_decimal::Decimal;
use tokio::task::JoinSet;

use crate::api::{
    BlockedItem, CurrencyTotal, IssueSeverity, JobCounts, JobEvent, JobPhase, PreviewItem, RuleIssue,
    SubmissionResult, SubmissionState, SubmitPreview, SubmitRequest, SubmitSummary, UiError,
};
use crate::{Engine, EngineError, ProgressSink};

pub(crate) use payload::PayloadOptions;

/// The exact body for a checked draft.
pub(crate) fn body(draft: &CaseDraft, options: PayloadOptions) -> Result<serde_json::Value, EngineError> {
    payload::case_request(draft, options)
}

/// Test cases unless the connection sends real ones.
pub(crate) fn payload_options(settings: Option<&crate::agency::StoredAgencySettings>) -> PayloadOptions {
    PayloadOptions { is_test: settings.is_some_and(|s| s.sends_test_cases()) }
}


/// Requests in flight at once. The rate limiter, not this, bounds the rate;
/// this only hides the agency's latency.
const SENDERS: usize = 16;
/// Entries read from the outbox per round.
const ROUND: u32 = 256;

/// Lets the caller stop a run between sends; what is queued stays queued.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub(crate) fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

pub(crate) fn issue(f: &RuleFailure) -> RuleIssue {
    RuleIssue {
        code: f.code.as_str().to_string(),
        field: f.field.as_str().to_string(),
        severity: match f.severity {
            Severity::Blocking => IssueSeverity::Blocking,
            Severity::Warning => IssueSeverity::Warning,
        },
        message: f.message.clone(),
        hint: f.hint.clone(),
    }
}

fn blocking_issue(code: &str, field: &str, message: String, hint: &str) -> RuleIssue {
    RuleIssue {
        code: code.to_string(),
        field: field.to_string(),
        severity: IssueSeverity::Blocking,
        message,
        hint: hint.to_string(),
    }
}

fn store_ref(source: &DomainSourceRef) -> SourceRef {
    SourceRef::new(source.provider().as_str(), source.account(), source.external_id())
}

use crate::cache::display_source as display_ref;

/// A cached invoice by its `provider:account/id` text, or a clear error.
pub(crate) fn cached_invoice(
    store: &Store,
    env: AgencyEnvironment,
    raw_ref: &str,
) -> Result<casebridge_store::ReviewedInvoice, EngineError> {
    let unknown = || EngineError::UnknownInvoice { source_ref: raw_ref.to_string() };
    let parsed = DomainSourceRef::parse(raw_ref).map_err(|_| unknown())?;
    store.get_invoice(env, &store_ref(&parsed))?.ok_or_else(unknown)
}

/// The outcome of preparing one selected invoice.
enum Prepared {
    Send { item: PreviewItem, source: SourceRef, fingerprint: String },
    Blocked(BlockedItem),
}

fn prepare_one(
    store: &Store,
    env: AgencyEnvironment,
    raw_ref: &str,
    today: chrono::NaiveDate,
    policy: &ReadinessPolicy,
    options: PayloadOptions,
) -> Result<Prepared, EngineError> {
    let blocked = |creditor_reference: Option<String>, issue: RuleIssue| {
        Ok(Prepared::Blocked(BlockedItem {
            source_ref: raw_ref.to_string(),
            creditor_reference,
            issues: vec![issue],
        }))
    };
    let Ok(domain_ref) = DomainSourceRef::parse(raw_ref) else {
        return blocked(
            None,
            blocking_issue(
                "unknown_invoice",
                "source",
                format!("{raw_ref:?} is not an invoice reference Casebridge knows"),
                "Select the invoice again from the Invoices page.",
            ),
        );
    };
    let source = store_ref(&domain_ref);
    let Some(cached) = store.get_invoice(env, &source)? else {
        return blocked(
            None,
            blocking_issue(
                "unknown_invoice",
                "source",
                format!("invoice {raw_ref} is not in the local cache"),
                "Fetch invoices again; the invoice may have been removed from the cache.",
            ),
        );
    };
    let creditor_reference = cached.invoice.creditor_reference.clone();
    match cached.status {
        ReviewStatus::Submitted => {
            return blocked(
                creditor_reference,
                blocking_issue(
                    "already_submitted",
                    "source",
                    "this invoice was already submitted to the agency".into(),
                    "Nothing to do: see it on the Cases page.",
                ),
            )
        }
        ReviewStatus::Duplicate => {
            return blocked(
                creditor_reference,
                blocking_issue(
                    "duplicate",
                    "creditorReference",
                    "another submitted invoice has the same invoice number or the same debtor, amount and date".into(),
                    "Check the Cases page; if it really is a different invoice, give it a distinct invoice number at the source.",
                ),
            )
        }
        _ => {}
    }
    let invoice: Invoice = serde_json::from_value(cached.invoice.payload.clone())
        .map_err(|source| EngineError::CorruptCache { what: raw_ref.to_string(), source })?;
    let edits = crate::cache::load_fix(store, &crate::cache::debtor_ref(&invoice))?;
    match CaseDraft::from_invoice(&invoice, edits.as_ref(), today, policy) {
        Err(report) => Ok(Prepared::Blocked(blocked_by_rules(raw_ref, creditor_reference, &report))),
        Ok(draft) => {
            let body = payload::case_request(&draft, options)?;
            let money = draft.amount_to_recover();
            Ok(Prepared::Send {
                item: PreviewItem {
                    source_ref: raw_ref.to_string(),
                    creditor_reference: draft.creditor_reference().map(|r| r.as_str().to_string()),
                    debtor_name: draft.debtor().name().to_string(),
                    amount: money.amount().to_string(),
                    currency: money.currency().code().to_string(),
                    payload: body,
                    warnings: draft.warnings().iter().map(issue).collect(),
                },
                fingerprint: draft.fingerprint().as_str().to_string(),
                source,
            })
        }
    }
}

fn blocked_by_rules(raw_ref: &str, creditor_reference: Option<String>, report: &ReadinessReport) -> BlockedItem {
    BlockedItem {
        source_ref: raw_ref.to_string(),
        creditor_reference,
        issues: report.blocking().map(issue).collect(),
    }
}

fn totals(items: &[PreviewItem]) -> Vec<CurrencyTotal> {
    let mut by_currency: BTreeMap<&str, (Decimal, u32)> = BTreeMap::new();
    for item in items {
        let entry = by_currency.entry(&item.currency).or_default();
        entry.0 += item.amount.parse::<Decimal>().unwrap_or_default();
        entry.1 += 1;
    }
    by_currency
        .into_iter()
        .map(|(currency, (amount, count))| CurrencyTotal {
            currency: currency.to_string(),
            amount: amount.to_string(),
            count,
        })
        .collect()
}

/// The creditor reference an outbox entry is known by at the agency. An
/// invoice without a number is sent without one; the outbox still needs a
/// stable key, so it uses the source reference.
fn outbox_creditor_reference(item: &PreviewItem) -> String {
    item.creditor_reference.clone().unwrap_or_else(|| item.source_ref.clone())
}

impl Engine {
    /// The dry run: what would be sent, what cannot be and why. Writes and
    /// sends nothing.
    pub async fn preview_submission(&self, request: SubmitRequest) -> Result<SubmitPreview, EngineError> {
        let (preview, _) = self.prepare(request).await?;
        Ok(preview)
    }

    async fn prepare(
        &self,
        request: SubmitRequest,
    ) -> Result<(SubmitPreview, Vec<(SourceRef, String)>), EngineError> {
        let settings = self.agency_settings().await?;
        let env = settings.as_ref().map_or(self.agency_environment(), |s| s.outbox_environment());
        let options = payload_options(settings.as_ref());
        let destination = settings
            .as_ref()
            .map_or_else(|| "no agency connected yet (dry run only)".to_string(), |s| s.destination());
        let today = self.clock().today();
        self.with_store(move |store| {
            let policy = ReadinessPolicy::new();
            let mut will_send = Vec::new();
            let mut keys = Vec::new();
            let mut blocked = Vec::new();
            for raw in dedup(&request.source_refs) {
                match prepare_one(store, env, raw, today, &policy, options)? {
                    Prepared::Send { item, source, fingerprint } => {
                        keys.push((source, fingerprint));
                        will_send.push(item);
                    }
                    Prepared::Blocked(item) => blocked.push(item),
                }
            }
            let totals = totals(&will_send);
            Ok((SubmitPreview { will_send, blocked, totals, destination }, keys))
        })
        .await
    }

    /// Writes every sendable invoice of `request` to the outbox in one
    /// transaction and returns the batch id with the preview of what was
    /// queued. Invoices already queued or submitted come back as blocked.
    pub async fn enqueue_submission(
        &self,
        request: SubmitRequest,
    ) -> Result<(String, SubmitPreview), EngineError> {
        let settings = self.agency_settings().await?.ok_or(EngineError::AgencyNotConnected)?;
        // Send today's balance, not the one fetched hours ago.
        let settled = self.recheck_balances(&request.source_refs).await?;
        let (mut preview, keys) = self.prepare(request).await?;
        for blocked in preview.blocked.iter_mut().filter(|b| settled.contains(&b.source_ref)) {
            blocked.issues = vec![blocking_issue(
                "paid_at_source",
                "amountToRecover",
                "the invoice was paid or voided at the source since it was fetched".into(),
                "Nothing to collect: it was left out.",
            )];
        }
        let batch_id = uuid::Uuid::new_v4().to_string();
        let env = settings.outbox_environment();
        let entries: Vec<NewOutboxEntry> = preview
            .will_send
            .iter()
            .zip(&keys)
            .map(|(item, (source, fingerprint))| NewOutboxEntry {
                idempotency_key: IdempotencyKey::generate().as_str().to_string(),
                agency_environment: env,
                source: source.clone(),
                creditor_reference: outbox_creditor_reference(item),
                fingerprint: Some(fingerprint.clone()),
                payload: item.payload.clone(),
                batch_id: Some(batch_id.clone()),
            })
            .collect();
        let now = self.clock().now();
        let batch = batch_id.clone();
        let result = self
            .with_store(move |store| {
                let result = store.outbox_enqueue(&entries, now)?;
                store.append_audit(&NewAuditEntry {
                    at: now,
                    actor: "user".into(),
                    action: "submission.queued".into(),
                    subject: batch.clone(),
                    details: serde_json::json!({
                        "queued": result.enqueued.len(),
                        "alreadySubmitted": result.already_queued_or_submitted.len(),
                    }),
                })?;
                Ok(result)
            })
            .await?;
        // Anything the outbox refused was queued or submitted by someone
        // else (the CLI, another window) since the preview was built.
        let refused: Vec<String> = result
            .already_queued_or_submitted
            .iter()
            .map(|a| display_ref(&a.requested))
            .collect();
        let (sent, moved): (Vec<PreviewItem>, Vec<PreviewItem>) =
            preview.will_send.into_iter().partition(|i| !refused.contains(&i.source_ref));
        preview.blocked.extend(moved.into_iter().map(|item| BlockedItem {
            source_ref: item.source_ref,
            creditor_reference: item.creditor_reference,
            issues: vec![blocking_issue(
                "already_submitted",
                "source",
                "this invoice was queued or submitted meanwhile (by another window or the CLI)".into(),
                "Nothing to do: it will not be sent twice.",
            )],
        }));
        preview.totals = totals(&sent);
        preview.will_send = sent;
        Ok((batch_id, preview))
    }

    /// The window's submit: queue the selection, then send everything due,
    /// reporting progress. [`Engine::cancel_submission`] stops it between
    /// sends; what is queued stays queued.
    pub async fn submit(
        &self,
        request: SubmitRequest,
        sink: Arc<dyn ProgressSink>,
    ) -> Result<crate::api::SubmitOutcome, EngineError> {
        let (batch_id, queued) = self.enqueue_submission(request).await?;
        let cancel = CancelFlag::default();
        *self.inner.submit_cancel.lock().await = Some(cancel.clone());
        let summary = self.run_submissions(sink, cancel).await;
        *self.inner.submit_cancel.lock().await = None;
        let mut summary = summary?;
        summary.batch_id = Some(batch_id.clone());
        Ok(crate::api::SubmitOutcome { batch_id, queued, summary })
    }

    /// Sends what is already queued (e.g. after a Stop or a crash) without
    /// queueing anything new; stoppable like [`Engine::submit`].
    pub async fn resume_submissions(&self, sink: Arc<dyn ProgressSink>) -> Result<SubmitSummary, EngineError> {
        let cancel = CancelFlag::default();
        *self.inner.submit_cancel.lock().await = Some(cancel.clone());
        let summary = self.run_submissions(sink, cancel).await;
        *self.inner.submit_cancel.lock().await = None;
        summary
    }

    /// How many cases wait in the outbox of the connected environment
    /// (queued, or uncertain and due for reconciliation).
    pub async fn pending_submissions(&self) -> Result<u32, EngineError> {
        let env = self.current_agency_environment().await?;
        let pending = self.with_store(|s| Ok(s.outbox_unfinished()?)).await?;
        Ok(u32::try_from(pending.iter().filter(|e| e.agency_environment == env).count()).unwrap_or(u32::MAX))
    }

    /// Stops a running [`Engine::submit`] after the sends in flight.
    /// Returns whether one was running.
    pub async fn cancel_submission(&self) -> bool {
        match self.inner.submit_cancel.lock().await.as_ref() {
            Some(flag) => {
                flag.cancel();
                true
            }
            None => false,
        }
    }

    /// Sends everything due in the outbox (any batch) until it is empty,
    /// cancelled, or the agency refuses the key. Returns what happened to
    /// each entry this run touched.
    pub async fn run_submissions(
        &self,
        sink: Arc<dyn ProgressSink>,
        cancel: CancelFlag,
    ) -> Result<SubmitSummary, EngineError> {
        let (client, settings) = self.agency_client().await?;
        let env = settings.outbox_environment();
        let job_id = uuid::Uuid::new_v4().to_string();
        // Only one sender per data directory, across processes: with the
        // lock held, an entry still `sending` belongs to a process that died
        // mid-send, so all of them are recovered as uncertain.
        let _sender_lock = self.outbox_lock()?;
        let now = self.clock().now();
        let interrupted = serde_json::json!({
            "code": "interrupted",
            "message": "Casebridge stopped while this case was being sent",
            "hint": "It is checked with the agency before anything is sent again.",
        });
        let recovered = self
            .with_store(move |s| Ok(s.outbox_recover_interrupted(now, &interrupted, now)?))
            .await?;
        if !recovered.is_empty() {
            tracing::warn!(count = recovered.len(), "outbox entries were interrupted mid-send; reconciling them first");
        }
        let mut progress = Progress::new(job_id, sink);
        progress.emit(JobPhase::Started, format!("Sending to {}", settings.destination()));

        let mut stopped_because = None;
        loop {
            if cancel.is_cancelled() {
                stopped_because = Some(UiError {
                    code: "cancelled".into(),
                    message: "sending was stopped".into(),
                    hint: "Queued cases stay queued and are sent when you resume.".into(),
                });
                break;
            }
            let now = self.clock().now();
            let due = self
                .with_store(move |s| Ok(s.outbox_due(now, ROUND)?))
                .await?
                .into_iter()
                .filter(|e| e.agency_environment == env)
                .collect::<Vec<_>>();
            if due.is_empty() {
                match self.next_wake(env).await? {
                    Some(wait) => {
                        progress.emit(JobPhase::Waiting, format!("retrying in {} s", wait.as_secs().max(1)));
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    None => break,
                }
            }
            if let Some(stop) = self.send_round(&client, due, &mut progress, &cancel).await? {
                stopped_because = Some(stop);
                break;
            }
        }
        // Documents approved for the cases accepted above go up now (see documents.rs); a
        // failure leaves them stored for the next run and never fails the submission.
        if !cancel.is_cancelled() {
            if let Err(e) = self.upload_pending_documents().await {
                tracing::warn!(code = %e.code(), "documents were not uploaded after submitting");
            }
        }
        let summary = progress.summary(stopped_because);
        progress.emit(
            if summary.stopped_because.is_some() { JobPhase::Failed } else { JobPhase::Finished },
            format!("{} accepted, {} rejected, {} uncertain", summary.accepted, summary.rejected, summary.uncertain),
        );
        Ok(summary)
    }

    /// An exclusive lock on `<data dir>/outbox.lock`, held while sending.
    fn outbox_lock(&self) -> Result<std::fs::File, EngineError> {
        let path = self.inner.config.data_dir.join("outbox.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| EngineError::DataDirectory { path: path.display().to_string(), source })?;
        match file.try_lock() {
            Ok(()) => Ok(file),
            Err(std::fs::TryLockError::WouldBlock) => Err(EngineError::AlreadySending),
            Err(std::fs::TryLockError::Error(source)) => {
                Err(EngineError::DataDirectory { path: path.display().to_string(), source })
            }
        }
    }

    /// How long until the earliest postponed entry is due, if any remain.
    async fn next_wake(&self, env: AgencyEnvironment) -> Result<Option<Duration>, EngineError> {
        let now = self.clock().now();
        let pending = self.with_store(|s| Ok(s.outbox_unfinished()?)).await?;
        Ok(pending
            .iter()
            .filter(|e| e.agency_environment == env)
            .filter(|e| matches!(e.state, OutboxState::Queued | OutboxState::Uncertain))
            .filter_map(|e| e.next_attempt_at)
            .min()
            .map(|at| (at - now).to_std().unwrap_or(Duration::ZERO).max(Duration::from_millis(50))))
    }

    /// Sends one round concurrently; returns why to stop, if the agency said so.
    async fn send_round(
        &self,
        client: &AgencyClient,
        due: Vec<OutboxEntry>,
        progress: &mut Progress,
        cancel: &CancelFlag,
    ) -> Result<Option<UiError>, EngineError> {
        let mut tasks = JoinSet::new();
        let mut queue = due.into_iter();
        let mut stop = None;
        loop {
            while tasks.len() < SENDERS && stop.is_none() && !cancel.is_cancelled() {
                let Some(entry) = queue.next() else { break };
                let engine = self.clone();
                let client = client.clone();
                tasks.spawn(async move { engine.send_one(&client, entry).await });
            }
            let Some(joined) = tasks.join_next().await else { break };
            let outcome = joined.map_err(|_| EngineError::TaskPanicked)??;
            if let Some(outcome) = outcome {
                if let Some(why) = &outcome.stop {
                    stop.get_or_insert_with(|| why.clone());
                }
                progress.record(outcome);
            }
        }
        Ok(stop)
    }

    /// Claims, sends (or reconciles) and records one entry. `None` when
    /// another sender claimed it first.
    async fn send_one(&self, client: &AgencyClient, entry: OutboxEntry) -> Result<Option<Outcome>, EngineError> {
        let id = entry.id;
        let was_uncertain = entry.state == OutboxState::Uncertain;
        let now = self.clock().now();
        let Some(claimed) = self.with_store(move |s| Ok(s.outbox_claim(id, now)?)).await? else {
            return Ok(None);
        };
        let answer = if was_uncertain {
            reconcile_then_send(client, &claimed).await
        } else {
            send(client, &claimed).await
        };
        let decided = disposition(client, &claimed, answer).await;
        self.record(&claimed, decided).await.map(Some)
    }

    async fn record(&self, entry: &OutboxEntry, decided: Decision) -> Result<Outcome, EngineError> {
        let id = entry.id;
        let now = self.clock().now();
        let mut result = SubmissionResult {
            source_ref: display_ref(&entry.source),
            creditor_reference: entry.creditor_reference.clone(),
            state: SubmissionState::Sending,
            agency_reference: None,
            linked_existing_case: false,
            error: None,
            field_issues: Vec::new(),
        };
        let mut stop = None;
        let mut rate_limit_wait = None;
        match decided {
            Decision::Accepted { case, linked_existing_case } => {
                let accepted = accepted_case(&case, linked_existing_case);
                result.state = SubmissionState::Accepted;
                result.agency_reference = accepted.agency_reference.clone();
                result.linked_existing_case = linked_existing_case;
                self.with_store(move |s| Ok(s.outbox_mark_accepted(id, &accepted, now)?)).await?;
            }
            Decision::Rejected { error, field_issues } => {
                result.state = SubmissionState::Rejected;
                let stored = serde_json::json!({ "error": error, "fieldIssues": field_issues });
                result.error = Some(error);
                result.field_issues = field_issues;
                self.with_store(move |s| Ok(s.outbox_mark_rejected(id, &stored, now)?)).await?;
            }
            Decision::Uncertain { error, retry_in } => {
                result.state = SubmissionState::Uncertain;
                let stored = serde_json::to_value(&error).unwrap_or_default();
                result.error = Some(error);
                let at = now + chrono::Duration::from_std(retry_in).unwrap_or_default();
                self.with_store(move |s| Ok(s.outbox_mark_uncertain(id, &stored, at, now)?)).await?;
            }
            Decision::Requeue { error, retry_in, stop_run } => {
                result.state = SubmissionState::Queued;
                let stored = serde_json::to_value(&error).unwrap_or_default();
                if stop_run {
                    stop = Some(error.clone());
                } else if error.code == "rate_limited" {
                    rate_limit_wait = Some(retry_in);
                }
                result.error = Some(error);
                let at = now + chrono::Duration::from_std(retry_in).unwrap_or_default();
                self.with_store(move |s| Ok(s.outbox_requeue(id, &stored, at, now)?)).await?;
            }
        }
        Ok(Outcome { result, stop, rate_limit_wait })
    }
}

fn dedup(refs: &[String]) -> Vec<&String> {
    let mut seen = std::collections::BTreeSet::new();
    refs.iter().filter(|r| seen.insert(r.as_str())).collect()
}

fn accepted_case(case: &CaseDto, linked_existing_case: bool) -> AcceptedCase {
    let mut raw = serde_json::to_value(case).unwrap_or_default();
    if linked_existing_case {
        if let Some(obj) = raw.as_object_mut() {
            obj.insert("casebridgeLinkedExisting".into(), serde_json::Value::Bool(true));
        }
    }
    AcceptedCase {
        agency_case_id: case.id.to_string(),
        agency_reference: case.reference.clone(),
        debtor_name: case.debtor.as_ref().and_then(|d| d.name.clone()),
        amount: Some(case.gross_amount.to_string()),
        currency: case.currency.clone(),
        lifecycle: case.lifecycle.as_ref().map(|l| l.label().to_string()),
        raw: Some(raw),
    }
}

async fn send(client: &AgencyClient, entry: &OutboxEntry) -> Result<CaseDto, AgencyError> {
    let key = IdempotencyKey::new(entry.idempotency_key.clone())?;
    client
        .create_case_from_stored_body(&entry.payload, entry.payload_creditor_reference(), &key)
        .await
}

/// An uncertain entry may already be a case. Look for it first; only if the
/// agency has none, send again with the same key and body (which the agency
/// would answer with the stored response anyway, if it had processed it).
async fn reconcile_then_send(client: &AgencyClient, entry: &OutboxEntry) -> Result<CaseDto, AgencyError> {
    if let Some(reference) = entry.payload_creditor_reference() {
        if let Some(case) = lookup(client, reference).await? {
            return Ok(case);
        }
    }
    send(client, entry).await
}

async fn lookup(client: &AgencyClient, reference: &str) -> Result<Option<CaseDto>, AgencyError> {
    let reference = CreditorReference::new("creditorReference", reference)?;
    client.find_case_by_creditor_reference(&reference).await
}

trait PayloadReference {
    fn payload_creditor_reference(&self) -> Option<&str>;
}

impl PayloadReference for OutboxEntry {
    fn payload_creditor_reference(&self) -> Option<&str> {
        self.payload.get("creditorReference").and_then(|v| v.as_str())
    }
}

/// What to do with an entry after one answer.
enum Decision {
    Accepted { case: Box<CaseDto>, linked_existing_case: bool },
    /// A final refusal: the user must fix something.
    Rejected { error: UiError, field_issues: Vec<RuleIssue> },
    /// The agency may have the case: reconcile before sending again.
    Uncertain { error: UiError, retry_in: Duration },
    /// Certainly not processed: send again later.
    Requeue { error: UiError, retry_in: Duration, stop_run: bool },
}

fn ui(e: &AgencyError) -> UiError {
    let report = e.report();
    UiError { code: report.code.to_string(), message: report.message, hint: report.hint }
}

/// The one place that decides what an agency answer means for an entry.
async fn disposition(client: &AgencyClient, entry: &OutboxEntry, answer: Result<CaseDto, AgencyError>) -> Decision {
    const BACKOFF: Duration = Duration::from_secs(2);
    let error = match answer {
        Ok(case) => return Decision::Accepted { case: Box::new(case), linked_existing_case: false },
        Err(error) => error,
    };
    match &error {
        AgencyError::DuplicateCreditorReference { .. } => {
            // The agency already has a case for this invoice number: link it
            // instead of creating another (never retry).
            match entry.payload_creditor_reference() {
                Some(reference) => match lookup(client, reference).await {
                    Ok(Some(case)) => Decision::Accepted { case: Box::new(case), linked_existing_case: true },
                    Ok(None) => Decision::Rejected { error: ui(&error), field_issues: Vec::new() },
                    Err(lookup) => Decision::Uncertain { error: ui(&lookup), retry_in: BACKOFF },
                },
                None => Decision::Rejected { error: ui(&error), field_issues: Vec::new() },
            }
        }
        AgencyError::RateLimited { retry_after } => {
            Decision::Requeue { error: ui(&error), retry_in: *retry_after, stop_run: false }
        }
        AgencyError::NotSent { .. } => Decision::Requeue { error: ui(&error), retry_in: BACKOFF, stop_run: false },
        AgencyError::Unauthorized { .. } | AgencyError::Forbidden { .. } => {
            // Every other entry would fail the same way: stop, keep them queued.
            Decision::Requeue { error: ui(&error), retry_in: Duration::ZERO, stop_run: true }
        }
        // Any 5xx might have created the case before failing; so might an
        // unreadable 2xx or a lost answer. Reconcile before sending again.
        AgencyError::Server { retry_after, .. } => Decision::Uncertain {
            error: ui(&error),
            retry_in: retry_after.unwrap_or(BACKOFF),
        },
        e if e.case_may_exist() => Decision::Uncertain { error: ui(&error), retry_in: BACKOFF },
        _ => Decision::Rejected {
            field_issues: error
                .field_errors()
                .into_iter()
                .map(|f| RuleIssue {
                    code: "agency_field_rejected".into(),
                    field: f.path.clone(),
                    severity: IssueSeverity::Blocking,
                    message: f.messages.join("; "),
                    hint: format!("Fix {} in the invoice's checklist and submit it again.", f.path),
                })
                .collect(),
            error: ui(&error),
        },
    }
}

struct Outcome {
    result: SubmissionResult,
    stop: Option<UiError>,
    rate_limit_wait: Option<Duration>,
}

/// Counts and results of one run, reported as events while it goes.
struct Progress {
    job_id: String,
    sink: Arc<dyn ProgressSink>,
    results: Vec<SubmissionResult>,
    counts: BTreeMap<&'static str, u32>,
}

impl Progress {
    fn new(job_id: String, sink: Arc<dyn ProgressSink>) -> Self {
        Self { job_id, sink, results: Vec::new(), counts: BTreeMap::new() }
    }

    fn count(&self, key: &str) -> u32 {
        self.counts.get(key).copied().unwrap_or(0)
    }

    fn emit(&self, phase: JobPhase, message: String) {
        self.sink.emit(JobEvent {
            job_id: self.job_id.clone(),
            kind: "submit".into(),
            phase,
            done: u64::from(self.count("accepted") + self.count("rejected")),
            total: None,
            message,
            counts: JobCounts {
                pages: None,
                accepted: Some(u64::from(self.count("accepted"))),
                rejected: Some(u64::from(self.count("rejected"))),
                uncertain: Some(u64::from(self.count("uncertain"))),
            },
        });
    }

    fn record(&mut self, outcome: Outcome) {
        let key = match outcome.result.state {
            SubmissionState::Accepted => "accepted",
            SubmissionState::Rejected => "rejected",
            SubmissionState::Uncertain => "uncertain",
            _ => "queued",
        };
        *self.counts.entry(key).or_default() += 1;
        match outcome.rate_limit_wait {
            Some(wait) => self.emit(
                JobPhase::Waiting,
                format!("agency rate limit: waiting {:.1} s", wait.as_secs_f64()),
            ),
            None => self.emit(
                JobPhase::Progress,
                format!("{} accepted, {} rejected", self.count("accepted"), self.count("rejected")),
            ),
        }
        // Keep the latest word on each entry: a requeued entry may be
        // accepted later in the same run.
        self.results.retain(|r| r.source_ref != outcome.result.source_ref);
        self.results.push(outcome.result);
    }

    fn summary(&self, stopped_because: Option<UiError>) -> SubmitSummary {
        let final_count = |state: SubmissionState| {
            u32::try_from(self.results.iter().filter(|r| r.state == state).count()).unwrap_or(u32::MAX)
        };
        SubmitSummary {
            batch_id: None,
            accepted: final_count(SubmissionState::Accepted),
            rejected: final_count(SubmissionState::Rejected),
            uncertain: final_count(SubmissionState::Uncertain),
            queued: final_count(SubmissionState::Queued),
            results: self.results.clone(),
            stopped_because,
        }
    }
}
