//! At-source checks against the sandbox's Stripe fake: submitted invoices paid or voided in
//! Stripe afterwards show as such on the Cases page; a case is asked about once per interval
//! (counted at the fake); a source that fails keeps what it said last and records why.

mod support;
use support::{Events, TestClock};

use std::sync::{Arc, Mutex};

use casebridge_engine::api::{
    CaseAtSource, CaseQuery, CaseRow, ConnectStripeRequest, FetchRequest, InvoiceFilter,
    InvoiceQuery, JobPhase, SourceCheckRequest, SubmitRequest,
};
use casebridge_engine::{Clock, Engine, NoProgress};
use casebridge_sandbox::stripe::{InvoiceStatus, Mode, DEMO_EXPIRED_KEY, DEMO_RESTRICTED_KEY};
use casebridge_sandbox::Sandbox;
use casebridge_store::secrets::{Secret, SecretKey, SecretStore};
use chrono::{Duration, SubsecRound, Utc};

struct Setup {
    sandbox: Sandbox,
    engine: Engine,
    clock: Arc<TestClock>,
    secrets: Arc<dyn SecretStore>,
    /// The submitted invoices' Stripe ids, in the order of `cases`.
    invoice_ids: Vec<String>,
    _dir: tempfile::TempDir,
}

impl Setup {
    /// Connects the fake's Stripe account, fetches, and submits three ready invoices.
    async fn three_submitted_cases() -> Setup {
        let sandbox = Sandbox::start(casebridge_sandbox::demo::config())
            .await
            .unwrap();
        let (dir, config) = support::demo_config_for(&sandbox);
        // Millisecond precision, as the store keeps times.
        let clock = Arc::new(TestClock(Mutex::new(Utc::now().trunc_subsecs(3))));
        let secrets = support::secrets();
        let engine = Engine::start_with(config, clock.clone(), secrets.clone())
            .await
            .unwrap();
        engine
            .connect_stripe(ConnectStripeRequest {
                api_key: DEMO_RESTRICTED_KEY.into(),
            })
            .await
            .unwrap();
        engine
            .fetch_stripe(FetchRequest::default(), Arc::new(NoProgress))
            .await
            .unwrap();
        let ready = engine
            .list_invoices(InvoiceQuery {
                filter: InvoiceFilter::Ready,
                limit: 3,
                ..Default::default()
            })
            .await
            .unwrap();
        let refs: Vec<String> = ready.rows.iter().map(|r| r.source_ref.clone()).collect();
        engine
            .enqueue_submission(SubmitRequest {
                source_refs: refs.clone(),
            })
            .await
            .unwrap();
        let run = engine
            .run_submissions(Arc::new(NoProgress), Default::default())
            .await
            .unwrap();
        assert_eq!(run.accepted, 3, "{run:#?}");
        let invoice_ids = refs
            .iter()
            .map(|r| r.rsplit('/').next().unwrap().to_string())
            .collect();
        let setup = Setup {
            sandbox,
            engine,
            clock,
            secrets,
            invoice_ids,
            _dir: dir,
        };
        setup.stripe_requests_since_last_look();
        setup
    }

    fn stripe(&self) -> &casebridge_sandbox::stripe::StripeHandle {
        self.sandbox.stripe().unwrap()
    }

    /// Requests the Stripe fake served since the last call.
    fn stripe_requests_since_last_look(&self) -> u64 {
        let count = self.stripe().control().stats().total_requests;
        self.stripe().control().reset_stats();
        count
    }

    async fn check(&self, now: bool) -> casebridge_engine::api::SourceCheckSummary {
        self.engine
            .check_at_source(SourceCheckRequest { now }, Arc::new(NoProgress))
            .await
            .unwrap()
    }

    /// The cases of the submitted invoices, in the order of `invoice_ids`.
    async fn cases(&self) -> Vec<CaseRow> {
        let page = self.engine.list_cases(CaseQuery::default()).await.unwrap();
        let invoices = self.stripe().invoices(Mode::Test);
        self.invoice_ids
            .iter()
            .map(|id| {
                let number = invoices
                    .iter()
                    .find(|i| &i.id == id)
                    .and_then(|i| i.number.clone())
                    .unwrap();
                page.rows
                    .iter()
                    .find(|c| c.creditor_reference.as_deref() == Some(number.as_str()))
                    .unwrap()
                    .clone()
            })
            .collect()
    }

    fn statuses(cases: &[CaseRow]) -> Vec<CaseAtSource> {
        cases.iter().map(|c| c.source_status).collect()
    }
}

#[tokio::test]
async fn invoices_paid_or_voided_in_stripe_after_submission_show_on_their_cases() {
    let s = Setup::three_submitted_cases().await;
    assert_eq!(
        Setup::statuses(&s.cases().await),
        [CaseAtSource::Unknown; 3],
        "not asked yet"
    );

    let events = Arc::new(Events::default());
    let first = s
        .engine
        .check_at_source(SourceCheckRequest { now: false }, events.clone())
        .await
        .unwrap();
    assert_eq!(
        (first.asked, first.open, first.paid),
        (3, 3, 0),
        "{first:?}"
    );
    assert_eq!(
        s.stripe_requests_since_last_look(),
        3,
        "one invoice read per case"
    );
    let phases: Vec<JobPhase> = events.0.lock().unwrap().iter().map(|e| e.phase).collect();
    assert_eq!(phases.first(), Some(&JobPhase::Started));
    assert_eq!(phases.last(), Some(&JobPhase::Finished));
    let checked = s.cases().await;
    assert_eq!(Setup::statuses(&checked), [CaseAtSource::Open; 3]);
    assert_eq!(
        checked[0].source_checked_at,
        Some(s.clock.now().to_rfc3339())
    );

    // The debtor pays the first invoice in Stripe; the creditor voids the second.
    assert!(s
        .stripe()
        .update_invoice(Mode::Test, &s.invoice_ids[0], |i| {
            i.amount_paid = i.total;
            i.status = InvoiceStatus::Paid;
        }));
    assert!(s
        .stripe()
        .update_invoice(Mode::Test, &s.invoice_ids[1], |i| i.status =
            InvoiceStatus::Void));
    s.clock.advance(Duration::minutes(16));

    let second = s.check(false).await;
    assert_eq!(
        (
            second.asked,
            second.paid,
            second.gone,
            second.open,
            second.newly_paid
        ),
        (3, 1, 1, 1, 1),
        "{second:?}"
    );
    assert_eq!(
        Setup::statuses(&s.cases().await),
        [
            CaseAtSource::PaidAtSource,
            CaseAtSource::GoneAtSource,
            CaseAtSource::Open
        ]
    );
}

#[tokio::test]
async fn a_case_is_asked_about_once_per_interval_and_check_now_once_a_minute() {
    let s = Setup::three_submitted_cases().await;
    s.check(false).await;
    assert_eq!(s.stripe_requests_since_last_look(), 3);

    s.clock.advance(Duration::minutes(14));
    let throttled = s.check(false).await;
    assert_eq!(throttled.asked, 0, "{throttled:?}");
    assert_eq!(
        s.stripe_requests_since_last_look(),
        0,
        "within 15 minutes: no request at all"
    );

    let now = s.check(true).await;
    assert_eq!(
        now.asked, 3,
        "“Check now” asks what was not asked in the last minute: {now:?}"
    );
    assert_eq!(s.stripe_requests_since_last_look(), 3);
    let again = s.check(true).await;
    assert_eq!(again.asked, 0, "pressing it twice asks once: {again:?}");
    assert_eq!(s.stripe_requests_since_last_look(), 0);

    s.clock.advance(Duration::minutes(16));
    assert_eq!(s.check(false).await.asked, 3, "due again after 15 minutes");
}

#[tokio::test]
async fn a_rejected_key_keeps_what_stripe_said_last_and_records_why_after_one_request() {
    let s = Setup::three_submitted_cases().await;
    assert!(s
        .stripe()
        .update_invoice(Mode::Test, &s.invoice_ids[0], |i| {
            i.amount_paid = i.total;
            i.status = InvoiceStatus::Paid;
        }));
    s.check(false).await;
    let before = s.cases().await;
    assert_eq!(before[0].source_status, CaseAtSource::PaidAtSource);
    s.stripe_requests_since_last_look();

    // The key is rolled in Stripe's dashboard: the stored one no longer works (Stripe then
    // answers as for an expired key, which the fake has a demo value for).
    s.secrets
        .set(
            &SecretKey::new("stripe", "api_key"),
            &Secret::new(DEMO_EXPIRED_KEY),
        )
        .unwrap();
    s.clock.advance(Duration::minutes(16));
    let failed = s.check(false).await;
    assert_eq!(
        (failed.asked, failed.failed),
        (1, 3),
        "the source is not asked again after a key error: {failed:?}"
    );
    assert_eq!(failed.errors.len(), 1, "{failed:?}");
    assert_eq!(s.stripe_requests_since_last_look(), 1);

    let after = s.cases().await;
    assert_eq!(
        Setup::statuses(&after),
        Setup::statuses(&before),
        "a failure changes no status"
    );
    for (case, earlier) in after.iter().zip(&before) {
        assert_eq!(
            case.source_checked_at, earlier.source_checked_at,
            "still as of the last answer"
        );
        let error = case
            .source_check_error
            .as_ref()
            .expect("the failure is recorded");
        assert_eq!(error.code, failed.errors[0].code);
        assert!(!error.hint.is_empty());
    }
    assert_eq!(
        s.check(false).await.asked,
        0,
        "a failing source is not asked on every poll"
    );
    assert_eq!(s.stripe_requests_since_last_look(), 0);
}
