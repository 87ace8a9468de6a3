//! Contract tests: the client against the sandbox's fake of the agency
//! (`casebridge_sandbox`), which validates raw JSON like the real API and
//! answers in its shapes. Every endpoint the client calls, every documented
//! error the fake can produce, and the transport faults that decide
//! exactly-once submission (accept-then-drop, truncated success, hang).
//!
//! Not reachable through the client, so covered by unit tests on raw
//! bodies instead: 415 (the client refuses those files before sending),
//! 403 (the fake has no permission model), ProblemDetails for malformed
//! JSON (the client cannot send malformed JSON).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use casebridge_agency::wire::BusinessErrorKind;
use casebridge_agency::wire::{
    Amount, CloseCode, CountryAlpha2, CreateCaseRequest, CreditorReference, CurrencyCode,
    DebtorDto, DebtorType, TestAdvance, Text,
};
use casebridge_agency::{
    AgencyClient, AgencyConfig, AgencyError, AgencyField, ApiKey, CaseQuery, DocumentType,
    IdempotencyKey, Lifecycle, PageSize, RateLimiter, RateLimiterConfig, RetryPolicy, Timeouts,
    WindowSpec,
};
use casebridge_sandbox as sandbox;
use casebridge_sandbox::agency::{FixedWindow, RateLimits, SlidingWindow};
use casebridge_sandbox::faults::{Seconds, ServerErrorStatus};
use casebridge_sandbox::{FaultKind, FaultPlan, FaultRule, ManualClock, Sandbox, SandboxConfig};
use chrono::{NaiveDate, TimeZone, Utc};
use rust_decimal::Decimal;
use uuid::Uuid;

const KEY: &str = "contract-key-1";

struct Agency {
    sandbox: Sandbox,
    url: String,
}

impl Agency {
    fn handle(&self) -> &sandbox::AgencyHandle {
        self.sandbox.agency().expect("agency enabled")
    }

    fn faults(&self, rule: FaultRule) {
        self.handle().control().set_faults(FaultPlan::rule(rule));
    }

    fn client_with(&self, key: &str, retry: RetryPolicy, timeouts: Timeouts) -> AgencyClient {
        let config = AgencyConfig::custom(&self.url, ApiKey::new(key).expect("valid key"))
            .expect("loopback URL")
            .with_timeouts(timeouts);
        AgencyClient::new(config)
            .expect("client")
            .with_retry_policy(retry)
    }

    fn client(&self) -> AgencyClient {
        self.client_with(KEY, fast_retries(), Timeouts::default())
    }
}

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
    }
}

fn agency_config() -> sandbox::AgencyConfig {
    sandbox::AgencyConfig {
        api_keys: vec![sandbox::agency::ApiKey::new(KEY)],
        rate_limits: RateLimits::unlimited(),
        ..sandbox::AgencyConfig::default()
    }
}

/// The fake's clock stands at 2026-03-01 12:00 UTC; case dates lie before it.
async fn start_with(config: sandbox::AgencyConfig) -> Agency {
    let start = Utc
        .with_ymd_and_hms(2026, 3, 1, 12, 0, 0)
        .single()
        .expect("valid");
    start_on(config, Arc::new(ManualClock::new(start))).await
}

async fn start_on(config: sandbox::AgencyConfig, clock: sandbox::SharedClock) -> Agency {
    let sandbox = Sandbox::start(SandboxConfig {
        seed: 1,
        clock,
        agency: Some(config),
        stripe: None,
        ..SandboxConfig::default()
    })
    .await
    .expect("sandbox starts");
    let url = sandbox.urls().agency.expect("agency url");
    Agency { sandbox, url }
}

async fn start() -> Agency {
    start_with(agency_config()).await
}

fn text(value: &str) -> Text {
    Text::new("test", value).expect("non-empty")
}

fn amount(value: i64) -> Amount {
    Amount::new(Decimal::from(value)).expect("fits")
}

/// A case the agency accepts: a German company, test mode.
fn case(reference: &str) -> CreateCaseRequest {
    let mut debtor = DebtorDto::new(
        DebtorType::Company,
        text("Example GmbH"),
        CountryAlpha2::parse("DE").expect("ok"),
    );
    debtor.address = Some(text("Hauptstrasse 1"));
    debtor.zip_code = Some(text("10115"));
    debtor.city = Some(text("Berlin"));
    debtor.email = Some(text("accounts@example.de"));
    let mut request = CreateCaseRequest::new(
        CurrencyCode::parse("EUR").expect("ok"),
        Amount::new(Decimal::new(125_050, 2)).expect("fits"),
        NaiveDate::from_ymd_opt(2026, 1, 15).expect("valid"),
        debtor,
    );
    request.due_date = NaiveDate::from_ymd_opt(2026, 2, 14);
    request.creditor_reference =
        Some(CreditorReference::new("creditorReference", reference).expect("ok"));
    request.is_test = true;
    request
}

fn reference(value: &str) -> CreditorReference {
    CreditorReference::new("creditorReference", value).expect("ok")
}

#[tokio::test]
async fn me_returns_the_creditor_behind_the_key() {
    let agency = start().await;
    let me = agency.client().me().await.expect("key accepted");
    assert_eq!(me.company_name, "Casebridge Sandbox ApS");
}

#[tokio::test]
async fn a_wrong_key_is_unauthorized_and_the_hint_names_key_and_environment() {
    let agency = start().await;
    let err = agency
        .client_with("not-the-key", fast_retries(), Timeouts::default())
        .me()
        .await
        .expect_err("401");
    assert!(matches!(err, AgencyError::Unauthorized { .. }), "{err:?}");
    assert!(err.is_final());
    assert!(err.hint().contains("environment"), "{}", err.hint());
    assert_eq!(
        agency
            .handle()
            .control()
            .stats()
            .by_route
            .values()
            .sum::<u64>(),
        1,
        "401 is not retried"
    );
}

#[tokio::test]
async fn create_get_find_and_list_cases_in_the_agencys_shapes() {
    let agency = start().await;
    let client = agency.client();
    let created = client
        .create_case(&case("INV-1001"), &IdempotencyKey::generate())
        .await
        .expect("created");
    assert_eq!(created.creditor_reference.as_deref(), Some("INV-1001"));
    assert_eq!(created.gross_amount.value(), Decimal::new(125_050, 2));
    assert_eq!(created.due_date, NaiveDate::from_ymd_opt(2026, 2, 14));
    assert!(created.is_test_case && created.is_open());
    assert!(
        matches!(created.reference.as_deref(), Some(r) if r.len() == 8),
        "{:?}",
        created.reference
    );

    let fetched = client.get_case(created.id).await.expect("by id");
    assert_eq!(fetched.id, created.id);
    let found = client
        .find_case_by_creditor_reference(&reference("INV-1001"))
        .await
        .expect("lookup");
    assert_eq!(found.map(|c| c.id), Some(created.id));
    let missing = client
        .find_case_by_creditor_reference(&reference("INV-404"))
        .await
        .expect("lookup");
    assert!(missing.is_none());
    let err = client
        .get_case(Uuid::new_v4())
        .await
        .expect_err("unknown id");
    assert!(matches!(err, AgencyError::NotFound { .. }), "{err:?}");

    for n in 2..=3 {
        client
            .create_case(&case(&format!("INV-100{n}")), &IdempotencyKey::generate())
            .await
            .expect("created");
    }
    let lifecycle = created
        .lifecycle
        .clone()
        .expect("a new case has a lifecycle");
    let first = client
        .list_cases(&CaseQuery {
            page_size: PageSize::new(2).expect("ok"),
            statuses: vec![lifecycle.clone()],
            ..CaseQuery::default()
        })
        .await
        .expect("page 1");
    assert_eq!((first.items.len(), first.page.total_results), (2, 3));
    assert!(first.has_next());
    let second = client
        .list_cases(&CaseQuery {
            page: NonZeroU32::new(2).expect("non-zero"),
            page_size: PageSize::new(2).expect("ok"),
            statuses: vec![lifecycle],
            ..CaseQuery::default()
        })
        .await
        .expect("page 2");
    assert_eq!(second.items.len(), 1);
    assert!(!second.has_next());
    let closed_only = client
        .list_cases(&CaseQuery {
            statuses: vec![Lifecycle::Closed],
            ..CaseQuery::default()
        })
        .await
        .expect("filtered");
    assert!(closed_only.items.is_empty());
    let by_id = client
        .list_cases(&CaseQuery {
            ids: vec![created.id],
            ..CaseQuery::default()
        })
        .await
        .expect("by ids");
    assert_eq!(
        by_id.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![created.id]
    );
}

#[tokio::test]
async fn the_same_idempotency_key_and_body_replays_the_first_answer() {
    let agency = start().await;
    let client = agency.client();
    let key = IdempotencyKey::generate();
    let first = client
        .create_case(&case("INV-2001"), &key)
        .await
        .expect("created");
    let again = client
        .create_case(&case("INV-2001"), &key)
        .await
        .expect("replayed");
    assert_eq!(again.id, first.id);
    assert_eq!(agency.handle().case_count(), 1);
}

#[tokio::test]
async fn a_reused_key_with_a_different_body_is_an_idempotency_conflict() {
    let agency = start().await;
    let client = agency.client();
    let key = IdempotencyKey::generate();
    client
        .create_case(&case("INV-3001"), &key)
        .await
        .expect("created");
    let err = client
        .create_case(&case("INV-3002"), &key)
        .await
        .expect_err("conflict");
    assert!(
        matches!(err, AgencyError::IdempotencyConflict { .. }),
        "{err:?}"
    );
    assert!(err.is_final());
    assert_eq!(agency.handle().case_count(), 1);
}

#[tokio::test]
async fn a_second_case_with_the_same_creditor_reference_is_a_duplicate() {
    let agency = start().await;
    let client = agency.client();
    let original = client
        .create_case(&case("INV-4001"), &IdempotencyKey::generate())
        .await
        .expect("created");
    let err = client
        .create_case(&case("INV-4001"), &IdempotencyKey::generate())
        .await
        .expect_err("duplicate");
    assert!(
        matches!(&err, AgencyError::DuplicateCreditorReference { creditor_reference: Some(r) } if r == "INV-4001"),
        "{err:?}"
    );
    assert!(err.is_final() && !err.case_may_exist());
    let existing = client
        .find_case_by_creditor_reference(&reference("INV-4001"))
        .await
        .expect("lookup");
    assert_eq!(existing.map(|c| c.id), Some(original.id));
}

#[tokio::test]
async fn field_errors_point_at_the_debtor_fields_to_fix() {
    let agency = start().await;
    let mut request = case("INV-5001");
    request.debtor.country_alpha2 = CountryAlpha2::parse("US").expect("ok");
    request.debtor.address = None;
    request.currency_code = CurrencyCode::parse("USD").expect("ok");
    let err = agency
        .client()
        .create_case(&request, &IdempotencyKey::generate())
        .await
        .expect_err("400");
    assert!(matches!(err, AgencyError::Validation { .. }), "{err:?}");
    let fields: Vec<AgencyField> = err.field_errors().into_iter().map(|f| f.field).collect();
    assert!(
        fields.contains(&AgencyField::DebtorStateAlpha2),
        "{fields:?}"
    );
    assert!(fields.contains(&AgencyField::DebtorAddress), "{fields:?}");
    assert!(
        !fields.iter().any(|f| matches!(f, AgencyField::Other(_))),
        "{fields:?}"
    );
    assert_eq!(agency.handle().case_count(), 0);

    // Field-level 400s are not stored under the key: fixing the body and
    // sending it with the same key works.
    let key = IdempotencyKey::generate();
    request.debtor.state_alpha2 = None;
    let err = agency
        .client()
        .create_case(&request, &key)
        .await
        .expect_err("still 400");
    assert!(matches!(err, AgencyError::Validation { .. }), "{err:?}");
    request.debtor.address = Some(text("1 Market Street"));
    request.debtor.state_alpha2 = Some(text("CA"));
    agency
        .client()
        .create_case(&request, &key)
        .await
        .expect("fixed body, same key");
}

#[tokio::test]
async fn unsigned_contracts_are_business_errors_unless_pending_contracts_are_allowed() {
    let agency = start_with(sandbox::AgencyConfig {
        contracts_signed: false,
        ..agency_config()
    })
    .await;
    let client = agency.client();
    let err = client
        .create_case(&case("INV-6001"), &IdempotencyKey::generate())
        .await
        .expect_err("422");
    let AgencyError::Business {
        errors,
        signing_url,
    } = &err
    else {
        panic!("expected Business, got {err:?}");
    };
    let kinds: Vec<&BusinessErrorKind> = errors.iter().map(|e| &e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            &BusinessErrorKind::MissingDebtCollectionContract,
            &BusinessErrorKind::MissingPowerOfAttorney
        ]
    );
    assert!(
        errors.iter().all(|e| e.solution_url.is_some()),
        "{errors:?}"
    );
    assert!(signing_url.is_some());
    assert!(err.is_final());

    let mut pending = case("INV-6002");
    pending.allow_pending_contracts = true;
    let created = client
        .create_case(&pending, &IdempotencyKey::generate())
        .await
        .expect("accepted as pending");
    assert_eq!(created.lifecycle, Some(Lifecycle::PendingContractSigning));
}

#[tokio::test]
async fn an_uncovered_country_is_no_partner_available() {
    let agency = start_with(sandbox::AgencyConfig {
        uncovered_countries: vec!["DE".to_owned()],
        ..agency_config()
    })
    .await;
    let err = agency
        .client()
        .create_case(&case("INV-7001"), &IdempotencyKey::generate())
        .await
        .expect_err("422");
    assert!(
        matches!(&err, AgencyError::Business { errors, .. } if errors[0].kind == BusinessErrorKind::NoPartnerAvailable),
        "{err:?}"
    );
}

#[tokio::test]
async fn documents_upload_and_list_and_unknown_cases_are_not_found() {
    let agency = start().await;
    let client = agency.client();
    let created = client
        .create_case(&case("INV-8001"), &IdempotencyKey::generate())
        .await
        .expect("created");
    let file = client
        .upload_document(
            created.id,
            "INV-8001.pdf",
            b"%PDF-1.7 invoice",
            DocumentType::OriginalInvoice,
            Some("The invoice"),
        )
        .await
        .expect("uploaded");
    assert_eq!(file.case_id, created.id);
    assert_eq!(file.file_name.as_deref(), Some("INV-8001.pdf"));
    assert_eq!(
        file.parsed_document_type(),
        Some(DocumentType::OriginalInvoice)
    );
    client
        .upload_document(
            created.id,
            "letter.txt",
            b"Dear debtor",
            DocumentType::DemandLetter,
            None,
        )
        .await
        .expect("uploaded");

    let files = client.list_documents(created.id).await.expect("listed");
    let types: Vec<Option<DocumentType>> = files.iter().map(|f| f.parsed_document_type()).collect();
    assert_eq!(
        types,
        vec![
            Some(DocumentType::OriginalInvoice),
            Some(DocumentType::DemandLetter)
        ]
    );

    let err = client
        .upload_document(
            Uuid::new_v4(),
            "a.pdf",
            b"%PDF",
            DocumentType::OriginalInvoice,
            None,
        )
        .await
        .expect_err("no such case");
    assert!(matches!(err, AgencyError::NotFound { .. }), "{err:?}");
    let err = client
        .list_documents(Uuid::new_v4())
        .await
        .expect_err("no such case");
    assert!(matches!(err, AgencyError::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn the_agencys_own_413_is_payload_too_large() {
    let agency = start_with(sandbox::AgencyConfig {
        max_upload_bytes: 1_000,
        ..agency_config()
    })
    .await;
    let client = agency.client();
    let created = client
        .create_case(&case("INV-9001"), &IdempotencyKey::generate())
        .await
        .expect("created");
    let err = client
        .upload_document(
            created.id,
            "scan.png",
            &[7u8; 2_000],
            DocumentType::OriginalInvoice,
            None,
        )
        .await
        .expect_err("413");
    assert!(
        matches!(err, AgencyError::PayloadTooLarge { size: None, .. }),
        "{err:?}"
    );
    assert!(err.is_final());
}

#[tokio::test]
async fn the_test_driver_closes_a_case_as_paid_and_the_payment_shows_everywhere() {
    let agency = start().await;
    let client = agency.client();
    let created = client
        .create_case(&case("INV-10001"), &IdempotencyKey::generate())
        .await
        .expect("created");

    let active = client
        .advance_test_case(created.id, TestAdvance::Active)
        .await
        .expect("advanced");
    assert!(active.advanced);
    assert_eq!(
        client.get_case(created.id).await.expect("get").lifecycle,
        Some(Lifecycle::Active)
    );

    let paid = client
        .advance_test_case(
            created.id,
            TestAdvance::ClosedPaid {
                amount: amount(1000),
            },
        )
        .await
        .expect("closed");
    assert_eq!(
        (paid.advanced, paid.state.as_deref()),
        (true, Some("Closed:Paid"))
    );
    let closed = client.get_case(created.id).await.expect("get");
    assert_eq!(closed.lifecycle, Some(Lifecycle::Closed));
    assert_eq!(closed.close_code, Some(CloseCode::Paid));
    assert!(!closed.is_open());

    let payments = client
        .list_case_payments(created.id)
        .await
        .expect("case payments");
    assert_eq!(payments.len(), 1);
    assert_eq!(payments[0].gross_amount, amount(1000));
    assert_eq!(payments[0].invoice.invoice_id, created.id);
    let all = client
        .list_payments(NonZeroU32::MIN, PageSize::MAX)
        .await
        .expect("all payments");
    assert_eq!(
        all.items.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![payments[0].id]
    );
    let one = client.get_payment(payments[0].id).await.expect("by id");
    assert_eq!(one, payments[0]);
    let err = client
        .get_payment(Uuid::new_v4())
        .await
        .expect_err("unknown payment");
    assert!(matches!(err, AgencyError::NotFound { .. }), "{err:?}");

    let again = client
        .advance_test_case(
            created.id,
            TestAdvance::ClosedPaid {
                amount: amount(1000),
            },
        )
        .await
        .expect("no-op");
    assert!(!again.advanced);
    let err = client
        .advance_test_case(created.id, TestAdvance::ClosedNoPayment)
        .await
        .expect_err("conflict");
    assert!(matches!(err, AgencyError::BadRequest { .. }), "{err:?}");

    let mut production = case("INV-10002");
    production.is_test = false;
    let production = client
        .create_case(&production, &IdempotencyKey::generate())
        .await
        .expect("created");
    let err = client
        .advance_test_case(production.id, TestAdvance::Active)
        .await
        .expect_err("not a test case");
    assert!(matches!(err, AgencyError::BadRequest { .. }), "{err:?}");
}

#[tokio::test]
async fn accept_then_drop_is_outcome_unknown_and_reconciles_to_exactly_one_case() {
    let agency = start().await;
    let client = agency.client();
    agency.faults(FaultRule::next(1, FaultKind::DropAfterProcessing).on_route("POST /cases"));
    let key = IdempotencyKey::generate();
    let err = client
        .create_case(&case("INV-11001"), &key)
        .await
        .expect_err("dropped");
    assert!(matches!(err, AgencyError::OutcomeUnknown { .. }), "{err:?}");
    assert!(err.case_may_exist() && !err.is_retryable() && !err.is_final());
    assert_eq!(agency.handle().case_count(), 1, "the agency did create it");

    // Reconcile: the lookup finds it, and resending with the same key
    // replays the stored answer instead of creating a second case.
    let found = client
        .find_case_by_creditor_reference(&reference("INV-11001"))
        .await
        .expect("lookup");
    let replayed = client
        .create_case(&case("INV-11001"), &key)
        .await
        .expect("replayed");
    assert_eq!(found.map(|c| c.id), Some(replayed.id));
    assert_eq!(agency.handle().case_count(), 1);
}

#[tokio::test]
async fn a_truncated_success_is_malformed_and_the_case_exists() {
    let agency = start().await;
    let client = agency.client();
    agency.faults(FaultRule::next(1, FaultKind::MalformedBody).on_route("POST /cases"));
    let key = IdempotencyKey::generate();
    let err = client
        .create_case(&case("INV-12001"), &key)
        .await
        .expect_err("cut body");
    assert!(
        matches!(err, AgencyError::Malformed { status: 200, .. }),
        "{err:?}"
    );
    assert!(err.case_may_exist());
    let replayed = client
        .create_case(&case("INV-12001"), &key)
        .await
        .expect("replayed");
    assert_eq!(replayed.creditor_reference.as_deref(), Some("INV-12001"));
    assert_eq!(agency.handle().case_count(), 1);
}

#[tokio::test]
async fn a_hang_times_out_as_outcome_unknown_and_reconciling_finds_nothing_to_duplicate() {
    let agency = start().await;
    agency.faults(FaultRule::next(1, FaultKind::Hang).on_route("POST /cases"));
    let impatient = agency.client_with(
        KEY,
        fast_retries(),
        Timeouts {
            request: Duration::from_millis(300),
            ..Timeouts::default()
        },
    );
    let key = IdempotencyKey::generate();
    let err = impatient
        .create_case(&case("INV-13001"), &key)
        .await
        .expect_err("hung");
    assert!(matches!(err, AgencyError::OutcomeUnknown { .. }), "{err:?}");
    let found = impatient
        .find_case_by_creditor_reference(&reference("INV-13001"))
        .await
        .expect("lookup");
    assert!(found.is_none(), "a hung request was not processed");
    impatient
        .create_case(&case("INV-13001"), &key)
        .await
        .expect("sent again");
    assert_eq!(agency.handle().case_count(), 1);
}

#[tokio::test]
async fn gets_ride_out_gateway_errors_and_rate_limit_faults() {
    let agency = start().await;
    let client = agency.client();
    let created = client
        .create_case(&case("INV-14001"), &IdempotencyKey::generate())
        .await
        .expect("created");
    let plan = FaultPlan {
        rules: vec![
            FaultRule::next(
                1,
                FaultKind::RateLimit {
                    retry_after_secs: Seconds::try_from(0.2).expect("valid"),
                    retry_after_header: false,
                },
            )
            .on_route("GET /cases/{id}"),
            FaultRule::next(
                2,
                FaultKind::ServerError {
                    status: ServerErrorStatus::try_from(503).expect("5xx"),
                },
            )
            .on_route("GET /cases/{id}"),
        ],
        ..FaultPlan::default()
    };
    agency.handle().control().set_faults(plan);
    let started = Instant::now();
    let case = client
        .get_case(created.id)
        .await
        .expect("fourth attempt works");
    assert_eq!(case.id, created.id);
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "the retryAfter was honoured"
    );
    let stats = agency.handle().control().stats();
    assert_eq!(
        stats.by_route.get("GET /cases/{id}"),
        Some(&4),
        "{:?}",
        stats.by_route
    );
}

#[tokio::test]
async fn post_cases_is_not_retried_after_a_server_error_and_the_same_key_then_works() {
    let agency = start().await;
    let client = agency.client();
    agency.faults(
        FaultRule::next(
            1,
            FaultKind::ServerError {
                status: ServerErrorStatus::try_from(500).expect("5xx"),
            },
        )
        .on_route("POST /cases"),
    );
    let key = IdempotencyKey::generate();
    let err = client
        .create_case(&case("INV-15001"), &key)
        .await
        .expect_err("500");
    assert!(
        matches!(err, AgencyError::Server { status: 500, .. }),
        "{err:?}"
    );
    assert!(err.is_retryable() && !err.case_may_exist());
    assert_eq!(
        agency
            .handle()
            .control()
            .stats()
            .by_route
            .get("POST /cases"),
        Some(&1)
    );
    client
        .create_case(&case("INV-15001"), &key)
        .await
        .expect("the outbox's retry");
    assert_eq!(agency.handle().case_count(), 1);
}

#[tokio::test]
async fn the_agencys_own_429_carries_retry_after_and_pauses_the_limiter() {
    let mut limits = RateLimits::unlimited();
    limits.sliding = SlidingWindow {
        limit: 2,
        window: Duration::from_secs(60),
        segments: 6,
    };
    let agency = start_with(sandbox::AgencyConfig {
        rate_limits: limits,
        ..agency_config()
    })
    .await;
    let client = agency.client_with(KEY, RetryPolicy::NO_RETRIES, Timeouts::default());
    client.me().await.expect("1");
    client.me().await.expect("2");
    let err = client.me().await.expect_err("3rd in the minute");
    let AgencyError::RateLimited { retry_after } = err else {
        panic!("expected RateLimited, got {err:?}");
    };
    assert!(retry_after > Duration::ZERO);
    let snapshot = client.rate_limiter().snapshot();
    assert!(
        snapshot.paused_for > Duration::ZERO && snapshot.wait > Duration::ZERO,
        "{snapshot:?}"
    );
}

#[tokio::test]
async fn a_limiter_matching_the_servers_windows_gets_no_429_at_full_pace() {
    // Real time on both sides: the fake's sliding window (10 per 1 s in two
    // 0.5-s segments) and fixed window (15 per 2 s, aligned to the epoch)
    // against a limiter configured with the same limits. Both bind: 10 go
    // at once, 5 more after about a second, the next 15 after two.
    let mut limits = RateLimits::unlimited();
    limits.sliding = SlidingWindow {
        limit: 10,
        window: Duration::from_secs(1),
        segments: 2,
    };
    limits.hourly = FixedWindow {
        limit: 15,
        window: Duration::from_secs(2),
    };
    let agency = start_on(
        sandbox::AgencyConfig {
            rate_limits: limits,
            ..agency_config()
        },
        Arc::new(sandbox::SystemClock),
    )
    .await;
    let limiter = Arc::new(RateLimiter::new(RateLimiterConfig {
        windows: vec![
            WindowSpec {
                label: "second",
                limit: NonZeroU32::new(10).expect("non-zero"),
                length: Duration::from_secs(1),
            },
            WindowSpec {
                label: "two seconds",
                limit: NonZeroU32::new(15).expect("non-zero"),
                length: Duration::from_secs(2),
            },
        ],
        safety_margin: Duration::from_millis(50),
        buckets_per_window: 20,
    }));
    let config = AgencyConfig::custom(&agency.url, ApiKey::new(KEY).expect("ok")).expect("url");
    let client = AgencyClient::with_rate_limiter(config, limiter)
        .expect("client")
        .with_retry_policy(RetryPolicy::NO_RETRIES);

    let started = Instant::now();
    for i in 0..45 {
        client
            .me()
            .await
            .unwrap_or_else(|e| panic!("request {i}: {e:?}"));
    }
    let stats = agency.handle().control().stats();
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    // 15 per 2 s: request 31 cannot go before 4 s, so the limiter paced.
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_agency_that_is_gone_is_not_sent() {
    let agency = start().await;
    let client = agency.client();
    agency.sandbox.shutdown().await;
    let err = client.me().await.expect_err("nobody listens");
    assert!(matches!(err, AgencyError::NotSent { .. }), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn an_outbox_body_resent_after_a_drop_is_replayed_not_duplicated() {
    // The engine's outbox stores the serialized request and resends exactly
    // that body under the same key.
    let agency = start().await;
    let client = agency.client();
    let stored = serde_json::to_value(case("INV-16001")).expect("serializes");
    let key = IdempotencyKey::generate();
    agency.faults(FaultRule::next(1, FaultKind::DropAfterProcessing).on_route("POST /cases"));
    let err = client
        .create_case_from_stored_body(&stored, Some("INV-16001"), &key)
        .await
        .expect_err("dropped");
    assert!(err.case_may_exist(), "{err:?}");
    let replayed = client
        .create_case_from_stored_body(&stored, Some("INV-16001"), &key)
        .await
        .expect("replayed");
    assert_eq!(replayed.creditor_reference.as_deref(), Some("INV-16001"));
    assert_eq!(agency.handle().case_count(), 1);

    let err = client
        .create_case_from_stored_body(&stored, Some("INV-16001"), &IdempotencyKey::generate())
        .await
        .expect_err("a new key is a new submission");
    assert!(
        matches!(&err, AgencyError::DuplicateCreditorReference { creditor_reference: Some(r) } if r == "INV-16001"),
        "{err:?}"
    );
}
