//! At-source checks: noticing that a submitted invoice was paid, voided or deleted at its
//! source after it became a case, so the user can tell the agency (a direct payment).
//!
//! A case is asked about when its source is the connected Stripe account, QuickBooks company
//! or Zoho organization, with that provider's own re-read call and the client's own pacing:
//! one request a case at Stripe and Zoho; at QuickBooks one `Id IN (…)` query for a run's
//! batch of invoices and one for their customers. Each case is asked at most once per interval
//! (15 minutes; an hour for Zoho Books, whose small daily quota fetches need too), and each
//! source gets at most a batch of cases per run, least recently asked first. The window runs a check after every
//! agency poll (only cases due, usually none: no request at all) and from "Check now" (every
//! case not asked in the last minute).
//!
//! Still owed → open; paid or nothing owed → paid at source; voided or deleted → gone at source.
//! A failure never changes what the source last said: it is stored on the case with the time of
//! the attempt, so a broken connection is not asked again on every poll. An error about one
//! invoice moves on to the next; an error about the source (revoked key, network, rate limit
//! after retries) stops asking it this run and marks its remaining cases with the same error,
//! at no request. File-imported cases have no source to ask and are never due.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use casebridge_domain::Provider;
use casebridge_providers::quickbooks::QuickBooksClient;
use casebridge_providers::stripe::{StripeAccount, StripeClient};
use casebridge_providers::zoho::ZohoClient;
use casebridge_providers::{ProviderError, Rechecked, SkipReason, SourceStatus};
use casebridge_store::{
    CaseRecord, CaseSourceStatus, NewAuditEntry, SourceAnswer, SourceCheck, SourceCheckDue,
};
use chrono::{DateTime, Utc};

use crate::api::{JobCounts, JobEvent, JobPhase, SourceCheckRequest, SourceCheckSummary, UiError};
use crate::fetching::ui;
use crate::oauth::VaultBearer;
use crate::{Engine, EngineError, ProgressSink};

/// How often one case may be asked about at a source, and how many cases a run asks there.
#[derive(Debug, Clone, Copy)]
struct Pace {
    every: Duration,
    batch: u32,
}

const MINUTE: u64 = 60;

/// One request a case; Stripe allows 25 a second in test mode, the client paces itself.
const STRIPE_PACE: Pace = Pace {
    every: Duration::from_secs(15 * MINUTE),
    batch: 100,
};
/// A batch is one invoice query and one customer query (`Id IN (…)`, 100 ids each) of the 500
/// a minute QuickBooks allows.
const QUICKBOOKS_PACE: Pace = Pace {
    every: Duration::from_secs(15 * MINUTE),
    batch: 100,
};
/// One request a case (no contact lookup) of a daily quota as small as 1,000 that fetches
/// share: 25 cases an hour at most is 600 a day.
const ZOHO_PACE: Pace = Pace {
    every: Duration::from_secs(60 * MINUTE),
    batch: 25,
};
/// "Check now" asks a case again once a minute at most, however often it is pressed.
const CHECK_NOW_EVERY: Duration = Duration::from_secs(MINUTE);

/// The sources a case can be asked about at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Stripe,
    QuickBooks,
    Zoho,
}

impl Source {
    const ALL: [Source; 3] = [Source::Stripe, Source::QuickBooks, Source::Zoho];

    fn provider(self) -> Provider {
        match self {
            Source::Stripe => Provider::Stripe,
            Source::QuickBooks => Provider::QuickBooks,
            Source::Zoho => Provider::Zoho,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Source::Stripe => "Stripe",
            Source::QuickBooks => "QuickBooks Online",
            Source::Zoho => "Zoho Books",
        }
    }

    fn pace(self) -> Pace {
        match self {
            Source::Stripe => STRIPE_PACE,
            Source::QuickBooks => QUICKBOOKS_PACE,
            Source::Zoho => ZOHO_PACE,
        }
    }
}

/// A client of one connected source account.
enum Reader {
    Stripe(StripeClient, StripeAccount),
    QuickBooks(QuickBooksClient, VaultBearer),
    Zoho {
        client: ZohoClient,
        bearer: VaultBearer,
        organization_id: String,
    },
}

/// Answers read for a run's cases at once, by invoice id.
type ReadAhead = HashMap<String, Result<Rechecked, ProviderError>>;

impl Reader {
    /// Reads `ids` in batches where the source can (QuickBooks' `Id IN (…)`); the rest are read
    /// one by one with [`Reader::read`].
    async fn read_ahead(&self, ids: &[String]) -> Result<ReadAhead, ProviderError> {
        match self {
            Reader::QuickBooks(client, bearer) => {
                Ok(client.fetch_invoices(bearer, ids).await?.into_iter().collect())
            }
            Reader::Stripe(..) | Reader::Zoho { .. } => Ok(ReadAhead::new()),
        }
    }

    async fn read(&self, id: &str) -> Result<Rechecked, ProviderError> {
        match self {
            Reader::Stripe(client, account) => client.fetch_invoice(account, id).await,
            Reader::QuickBooks(client, bearer) => client.fetch_invoice(bearer, id).await,
            Reader::Zoho {
                client,
                bearer,
                organization_id,
            } => client.fetch_invoice(bearer, organization_id, id).await,
        }
    }
}

/// What one re-read means for the case.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Answer(SourceAnswer),
    /// This invoice could not be read; the next one may be.
    InvoiceFailed(UiError),
    /// The source cannot answer now (key, token, network, rate limit): stop asking it.
    SourceFailed(UiError),
}

fn outcome(read: Result<Rechecked, ProviderError>) -> Outcome {
    match read {
        Ok(Rechecked::Unpaid(_)) => Outcome::Answer(SourceAnswer::Open),
        Ok(Rechecked::Settled(reason)) => match reason {
            SkipReason::NothingOwed { .. } | SkipReason::Status { status: SourceStatus::Paid } => {
                Outcome::Answer(SourceAnswer::Paid)
            }
            SkipReason::Status { status: SourceStatus::Void } => Outcome::Answer(SourceAnswer::Gone),
            // Written off by the creditor or without a number: the debtor still owes it.
            SkipReason::Status { status: SourceStatus::Open | SourceStatus::Uncollectible } | SkipReason::NoNumber => {
                Outcome::Answer(SourceAnswer::Open)
            }
            SkipReason::Status { status: status @ (SourceStatus::Draft | SourceStatus::Unknown) } => {
                Outcome::InvoiceFailed(UiError {
                    code: "source_status_unrecognised".into(),
                    message: format!(
                        "the source reports the invoice as {}, which says neither paid nor open",
                        match status {
                            SourceStatus::Draft => "a draft",
                            _ => "a status Casebridge does not know",
                        }
                    ),
                    hint: "Open the invoice at its source to see whether it was paid; the case keeps its last known status."
                        .into(),
                })
            }
        },
        Err(ProviderError::NotFound { object: "invoice", .. }) => Outcome::Answer(SourceAnswer::Gone),
        Err(
            error @ (ProviderError::InvoiceUnreadable { .. }
            | ProviderError::InvoiceField { .. }
            | ProviderError::InvoiceValue { .. }
            | ProviderError::InvoiceTimestamp { .. }),
        ) => Outcome::InvoiceFailed(ui(&error)),
        Err(error) => Outcome::SourceFailed(ui(&error)),
    }
}

/// Counts and progress events of one run.
struct Run {
    job_id: String,
    sink: Arc<dyn ProgressSink>,
    total: u64,
    done: u64,
    summary: SourceCheckSummary,
}

impl Run {
    fn emit(&self, phase: JobPhase, message: String) {
        self.sink.emit(JobEvent {
            job_id: self.job_id.clone(),
            kind: "source_check".into(),
            phase,
            done: self.done,
            total: Some(self.total),
            message,
            counts: JobCounts::default(),
        });
    }

    fn counted(&mut self, source: Source, check: &SourceCheck, asked: bool, newly_paid: bool) {
        let s = &mut self.summary;
        s.asked += u32::from(asked);
        s.newly_paid += u32::from(newly_paid);
        match check {
            SourceCheck::Answered(SourceAnswer::Open) => s.open += 1,
            SourceCheck::Answered(SourceAnswer::Paid) => s.paid += 1,
            SourceCheck::Answered(SourceAnswer::Gone) => s.gone += 1,
            SourceCheck::Failed(_) => s.failed += 1,
        }
        self.done += 1;
        self.emit(
            JobPhase::Progress,
            format!(
                "Checked {} of {} invoices at their source ({})",
                self.done,
                self.total,
                source.name()
            ),
        );
    }

    fn source_failed(&mut self, error: UiError) {
        if !self.summary.errors.contains(&error) {
            self.summary.errors.push(error);
        }
    }

    fn finish(mut self) -> SourceCheckSummary {
        let s = &self.summary;
        let mut message = format!(
            "{} checked at their source: {} paid, {} voided or deleted, {} still open",
            self.done, s.paid, s.gone, s.open
        );
        if s.failed > 0 {
            message.push_str(&format!("; {} could not be checked", s.failed));
        }
        self.emit(JobPhase::Finished, message);
        std::mem::take(&mut self.summary)
    }
}

fn failed(error: &UiError) -> SourceCheck {
    SourceCheck::Failed(serde_json::to_value(error).unwrap_or_default())
}

impl Engine {
    /// Asks the sources of submitted cases whether their invoices were paid, voided or
    /// deleted there (see the module docs for which cases and how often), stores what they
    /// said, and reports progress as `source_check` job events when any case is due. Returns
    /// at once, asking nothing, while another check runs.
    pub async fn check_at_source(
        &self,
        request: SourceCheckRequest,
        sink: Arc<dyn ProgressSink>,
    ) -> Result<SourceCheckSummary, EngineError> {
        let Ok(_only_run) = self.inner.at_source_running.try_lock() else {
            return Ok(SourceCheckSummary {
                already_running: true,
                ..SourceCheckSummary::default()
            });
        };
        let env = self.current_agency_environment().await?;
        let now = self.clock().now();
        let mut due = Vec::new();
        for source in Source::ALL {
            let Some(account) = self.connected_account(source).await? else {
                continue;
            };
            let every = if request.now {
                CHECK_NOW_EVERY
            } else {
                source.pace().every
            };
            let asked_before =
                now - chrono::Duration::from_std(every).unwrap_or(chrono::Duration::MAX);
            let cases = self
                .with_store(move |s| {
                    Ok(s.cases_due_for_source_check(&SourceCheckDue {
                        agency_environment: env,
                        provider: source.provider().as_str(),
                        account: &account,
                        asked_before,
                        limit: source.pace().batch,
                    })?)
                })
                .await?;
            if !cases.is_empty() {
                due.push((source, cases));
            }
        }
        let total: usize = due.iter().map(|(_, cases)| cases.len()).sum();
        let mut run = Run {
            job_id: uuid::Uuid::new_v4().to_string(),
            sink,
            total: total as u64,
            done: 0,
            summary: SourceCheckSummary::default(),
        };
        if total == 0 {
            return Ok(run.summary);
        }
        run.emit(
            JobPhase::Started,
            format!("Checking {total} submitted invoices at their source"),
        );
        for (source, cases) in due {
            self.check_source(source, cases, now, &mut run).await?;
        }
        Ok(run.finish())
    }

    async fn connected_account(&self, source: Source) -> Result<Option<String>, EngineError> {
        Ok(match source {
            Source::Stripe => self.stripe_account_id().await?,
            Source::QuickBooks => self.quickbooks_account_id().await,
            Source::Zoho => self.zoho_organization_id().await,
        })
    }

    async fn reader(&self, source: Source) -> Result<Reader, EngineError> {
        Ok(match source {
            Source::Stripe => {
                let (client, account) = self.stripe_client().await?;
                Reader::Stripe(client, account)
            }
            Source::QuickBooks => {
                let (client, bearer) = self.quickbooks_reader().await?;
                Reader::QuickBooks(client, bearer)
            }
            Source::Zoho => {
                let organization_id =
                    self.zoho_organization_id()
                        .await
                        .ok_or(EngineError::NotConnected {
                            source_name: source.name(),
                        })?;
                let (client, bearer) = self.zoho_invoice_reader().await?;
                Reader::Zoho {
                    client,
                    bearer,
                    organization_id,
                }
            }
        })
    }

    async fn check_source(
        &self,
        source: Source,
        cases: Vec<CaseRecord>,
        now: DateTime<Utc>,
        run: &mut Run,
    ) -> Result<(), EngineError> {
        let reader = match self.reader(source).await {
            Ok(reader) => reader,
            Err(error) => {
                let error = error.to_ui();
                run.source_failed(error.clone());
                for case in &cases {
                    self.record_check(source, case, failed(&error), false, now, run)
                        .await?;
                }
                return Ok(());
            }
        };
        let ids: Vec<String> = cases
            .iter()
            .filter_map(|case| Some(case.source.as_ref()?.external_id.clone()))
            .collect();
        // A batch read that fails is the first case's answer, which stops the source below.
        let (mut ahead, mut failed_ahead) = match reader.read_ahead(&ids).await {
            Ok(ahead) => (ahead, None),
            Err(error) => (ReadAhead::new(), Some(error)),
        };
        let mut cases = cases.iter();
        while let Some(case) = cases.next() {
            let Some(source_ref) = &case.source else {
                continue;
            };
            let read = match (failed_ahead.take(), ahead.remove(&source_ref.external_id)) {
                (Some(error), _) => Err(error),
                (None, Some(answer)) => answer,
                (None, None) => reader.read(&source_ref.external_id).await,
            };
            match outcome(read) {
                Outcome::Answer(answer) => {
                    self.record_check(source, case, SourceCheck::Answered(answer), true, now, run)
                        .await?;
                }
                Outcome::InvoiceFailed(error) => {
                    self.record_check(source, case, failed(&error), true, now, run)
                        .await?;
                }
                Outcome::SourceFailed(error) => {
                    tracing::warn!(source = source.name(), code = %error.code, "at-source check stopped");
                    run.source_failed(error.clone());
                    self.record_check(source, case, failed(&error), true, now, run)
                        .await?;
                    for rest in cases.by_ref() {
                        self.record_check(source, rest, failed(&error), false, now, run)
                            .await?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Stores one outcome; a case newly paid at its source also goes to the audit log.
    async fn record_check(
        &self,
        source: Source,
        case: &CaseRecord,
        check: SourceCheck,
        asked: bool,
        now: DateTime<Utc>,
        run: &mut Run,
    ) -> Result<(), EngineError> {
        let id = case.agency_case_id.clone();
        let stored = check.clone();
        let newly_paid = self
            .with_store(move |s| {
                let change = s.record_source_check(&id, &stored, now)?;
                let newly_paid = change.current.source_status == CaseSourceStatus::PaidAtSource
                    && change.previous.as_ref().map(|p| p.source_status)
                        != Some(CaseSourceStatus::PaidAtSource);
                if newly_paid {
                    s.append_audit(&NewAuditEntry {
                        at: now,
                        actor: "engine".into(),
                        action: "case.paid_at_source".into(),
                        subject: id,
                        details: serde_json::json!({
                            "source": change.current.source.as_ref().map(ToString::to_string),
                            "creditorReference": change.current.creditor_reference,
                        }),
                    })?;
                }
                Ok(newly_paid)
            })
            .await?;
        run.counted(source, &check, asked, newly_paid);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use casebridge_domain::{Currency, Money};
    use rust_decimal::Decimal;

    use super::*;

    /// The shell runs engine calls on a multi-threaded runtime (type-checked, never run).
    #[test]
    fn the_check_is_send() {
        fn send<T: Send>(_: T) {}
        let _ = |engine: &Engine| {
            send(engine.check_at_source(SourceCheckRequest::default(), Arc::new(crate::NoProgress)))
        };
    }

    #[test]
    fn paid_voided_deleted_and_owed_invoices_become_answers() {
        let settled = |reason| outcome(Ok(Rechecked::Settled(reason)));
        let status = |status| settled(SkipReason::Status { status });
        assert_eq!(
            status(SourceStatus::Paid),
            Outcome::Answer(SourceAnswer::Paid)
        );
        let zero = Money::new(Decimal::ZERO, Currency::parse("EUR").unwrap()).unwrap();
        assert_eq!(
            settled(SkipReason::NothingOwed { outstanding: zero }),
            Outcome::Answer(SourceAnswer::Paid)
        );
        assert_eq!(
            status(SourceStatus::Void),
            Outcome::Answer(SourceAnswer::Gone)
        );
        assert_eq!(
            status(SourceStatus::Uncollectible),
            Outcome::Answer(SourceAnswer::Open),
            "written off, still owed"
        );
        let deleted = ProviderError::NotFound {
            provider: Provider::Stripe,
            object: "invoice",
            id: "in_1".into(),
        };
        assert_eq!(outcome(Err(deleted)), Outcome::Answer(SourceAnswer::Gone));
    }

    #[test]
    fn an_unknown_status_fails_that_invoice_and_a_missing_organization_fails_the_source() {
        let Outcome::InvoiceFailed(error) = outcome(Ok(Rechecked::Settled(SkipReason::Status {
            status: SourceStatus::Unknown,
        }))) else {
            panic!("an unknown status is no answer");
        };
        assert_eq!(error.code, "source_status_unrecognised");
        let gone_org = ProviderError::NotFound {
            provider: Provider::Zoho,
            object: "organization",
            id: "1".into(),
        };
        assert!(
            matches!(outcome(Err(gone_org)), Outcome::SourceFailed(_)),
            "only a missing invoice means deleted"
        );
    }
}
