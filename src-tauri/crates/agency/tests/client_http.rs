//! The client's HTTP mechanics against tiny in-test servers on 127.0.0.1:
//! what goes on the wire (headers, paths, queries, multipart), and how
//! transport outcomes are classified. The agency's behaviour itself is
//! covered by `contract.rs` against the sandbox fake.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use casebridge_agency::wire::{
    Amount, CountryAlpha2, CreateCaseRequest, CreditorReference, CurrencyCode, DebtorDto,
    DebtorType, Text,
};
use casebridge_agency::{
    AgencyClient, AgencyConfig, AgencyError, ApiKey, CaseQuery, DocumentType, Environment,
    IdempotencyKey, Lifecycle, RetryPolicy, Timeouts,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use uuid::Uuid;

const KEY: &str = "test-key-0123456789";
const CASE_ID: &str = "3f2b8c1e-8a0e-4d8e-9a51-0c1d2e3f4a5b";

fn case_json() -> Value {
    json!({
        "id": CASE_ID, "dateCreated": "2025-02-01T09:15:00", "dateUpdated": null, "reference": "Q8OAXF3W",
        "creditorReference": "INV-1001", "creditorComments": null, "claimDescription": null,
        "grossAmount": 1500.0, "remainder": 1500.0, "interestFees": 0, "reminderFees": 0,
        "collectionFees": 0, "totalAddedFees": 0, "currency": "DKK", "isTestCase": true,
        "lifecycle": "Pending Verification", "dueDate": "2025-01-15T00:00:00", "date": "2024-12-16T00:00:00",
        "dateFinished": null, "dateCollectionStarted": null, "closeCode": null
    })
}

/// What a handler saw.
#[derive(Debug, Clone, Default)]
struct Seen {
    headers: Vec<HeaderMap>,
    bodies: Vec<Bytes>,
    paths: Vec<String>,
    queries: Vec<Option<String>>,
}

type Shared = Arc<Mutex<Seen>>;

async fn serve(router: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    addr
}

fn client_for(base: &str, retry: RetryPolicy, timeouts: Timeouts) -> AgencyClient {
    let config = AgencyConfig::custom(base, ApiKey::new(KEY).expect("valid key"))
        .expect("loopback URL")
        .with_timeouts(timeouts);
    AgencyClient::new(config)
        .expect("client builds")
        .with_retry_policy(retry)
}

fn client(addr: SocketAddr) -> AgencyClient {
    client_for(
        &format!("http://{addr}"),
        RetryPolicy::NO_RETRIES,
        Timeouts::default(),
    )
}

fn request() -> CreateCaseRequest {
    let debtor = DebtorDto::new(
        DebtorType::Company,
        Text::new("debtor.name", "Acme ApS").expect("ok"),
        CountryAlpha2::parse("DK").expect("ok"),
    );
    let mut request = CreateCaseRequest::new(
        CurrencyCode::parse("DKK").expect("ok"),
        Amount::new(Decimal::new(150_050, 2)).expect("fits"),
        NaiveDate::from_ymd_opt(2024, 12, 16).expect("valid"),
        debtor,
    );
    request.creditor_reference =
        Some(CreditorReference::new("creditorReference", "INV-1001").expect("ok"));
    request
}

#[tokio::test]
async fn create_case_sends_the_key_the_idempotency_key_and_the_spec_body_under_a_base_path() {
    let seen: Shared = Shared::default();
    let router = Router::new()
        .route(
            "/agency/cases",
            post(
                |State(seen): State<Shared>, headers: HeaderMap, body: Bytes| async move {
                    let mut s = seen.lock().expect("lock");
                    s.headers.push(headers);
                    s.bodies.push(body);
                    axum::Json(case_json())
                },
            ),
        )
        .with_state(seen.clone());
    let addr = serve(router).await;
    let client = client_for(
        &format!("http://{addr}/agency/"),
        RetryPolicy::NO_RETRIES,
        Timeouts::default(),
    );
    let key = IdempotencyKey::new("outbox-42").expect("valid");

    let case = client.create_case(&request(), &key).await.expect("created");
    assert_eq!(case.id.to_string(), CASE_ID);
    assert_eq!(case.lifecycle, Some(Lifecycle::PendingVerification));

    let s = seen.lock().expect("lock").clone();
    let headers = &s.headers[0];
    assert_eq!(headers["xapikey"], KEY);
    assert_eq!(headers["idempotency-key"], "outbox-42");
    assert_eq!(headers["content-type"], "application/json");
    assert!(headers.get("authorization").is_none());
    let sent: Value = serde_json::from_slice(&s.bodies[0]).expect("json body");
    assert_eq!(sent, serde_json::to_value(request()).expect("serializes"));
    assert_eq!(sent["amountToRecover"], json!(1500.5));
}

#[tokio::test]
async fn creditor_reference_travels_as_one_encoded_segment_and_404_means_none() {
    let seen: Shared = Shared::default();
    let router = Router::new()
        .route(
            "/cases/by-creditor-reference/{reference}",
            get(|State(seen): State<Shared>, Path(reference): Path<String>| async move {
                seen.lock().expect("lock").paths.push(reference);
                (
                    StatusCode::NOT_FOUND,
                    axum::Json(json!({"error": "Not Found", "message": "No case", "businessErrors": []})),
                )
            }),
        )
        .with_state(seen.clone());
    let addr = serve(router).await;
    let reference = CreditorReference::new("creditorReference", "INV/2025 #7?ø").expect("ok");

    let found = client(addr)
        .find_case_by_creditor_reference(&reference)
        .await
        .expect("404 is not an error");
    assert!(found.is_none());
    assert_eq!(
        seen.lock().expect("lock").paths,
        vec!["INV/2025 #7?ø".to_owned()]
    );
}

#[tokio::test]
async fn list_cases_sends_paging_repeated_filters_and_sort() {
    let seen: Shared = Shared::default();
    let router = Router::new()
        .route(
            "/cases",
            get(|State(seen): State<Shared>, RawQuery(query): RawQuery| async move {
                seen.lock().expect("lock").queries.push(query);
                axum::Json(json!({
                    "page": {"totalResults": 1, "pageSize": 100, "currentPage": 1, "responseCount": 1, "totalPages": 1},
                    "cases": [case_json()]
                }))
            }),
        )
        .with_state(seen.clone());
    let addr = serve(router).await;
    let query = CaseQuery {
        statuses: vec![Lifecycle::Active, Lifecycle::NeedsAdditionalDetails],
        ..CaseQuery::default()
    };
    let page = client(addr).list_cases(&query).await.expect("listed");
    assert_eq!(page.items.len(), 1);
    assert!(!page.has_next());
    assert_eq!(
        seen.lock().expect("lock").queries[0].as_deref(),
        Some("Page=1&PageSize=100&Statuses=Active&Statuses=NeedsAdditionalDetails")
    );
}

#[tokio::test]
async fn upload_sends_file_document_type_and_description_as_multipart() {
    /// One multipart field: name, file name, content type, bytes.
    #[derive(Clone, Debug)]
    struct Field {
        name: String,
        file_name: Option<String>,
        mime: Option<String>,
        bytes: Vec<u8>,
    }
    #[derive(Default, Clone, Debug)]
    struct Parts(Vec<Field>);
    let parts: Arc<Mutex<Parts>> = Arc::default();
    let router = Router::new()
        .route(
            "/cases/{id}/files",
            post(|State(parts): State<Arc<Mutex<Parts>>>, Path(id): Path<String>, mut form: Multipart| async move {
                while let Ok(Some(field)) = form.next_field().await {
                    let name = field.name().unwrap_or_default().to_owned();
                    let file_name = field.file_name().map(str::to_owned);
                    let mime = field.content_type().map(str::to_owned);
                    let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
                    parts.lock().expect("lock").0.push(Field { name, file_name, mime, bytes });
                }
                axum::Json(json!({
                    "id": Uuid::new_v4(), "dateCreated": "2025-02-01T10:00:00", "dateUpdated": "2025-02-01T10:00:00",
                    "caseId": id, "entityType": "Case", "entityId": id, "fileName": "invoice.pdf",
                    "url": "https://blob.example/x", "description": "Original", "documentType": "OriginalInvoice"
                }))
            }),
        )
        .with_state(parts.clone());
    let addr = serve(router).await;
    let case_id = Uuid::parse_str(CASE_ID).expect("uuid");

    let file = client(addr)
        .upload_document(
            case_id,
            "C:\\scans\\invoice.PDF",
            b"%PDF-1.7 test",
            DocumentType::OriginalInvoice,
            Some("Original"),
        )
        .await
        .expect("uploaded");
    assert_eq!(
        file.parsed_document_type(),
        Some(DocumentType::OriginalInvoice)
    );

    let parts = parts.lock().expect("lock").0.clone();
    let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, vec!["File", "DocumentType", "Description"]);
    assert_eq!(
        parts[0].file_name.as_deref(),
        Some("invoice.PDF"),
        "directories stripped"
    );
    assert_eq!(parts[0].mime.as_deref(), Some("application/pdf"));
    assert_eq!(parts[0].bytes, b"%PDF-1.7 test");
    assert_eq!(parts[1].bytes, b"OriginalInvoice");
}

#[tokio::test]
async fn refused_documents_never_reach_the_server() {
    let hits = Arc::new(AtomicU32::new(0));
    let router = Router::new()
        .route(
            "/cases/{id}/files",
            post(|State(hits): State<Arc<AtomicU32>>| async move {
                hits.fetch_add(1, Ordering::SeqCst);
                StatusCode::INTERNAL_SERVER_ERROR
            }),
        )
        .with_state(hits.clone());
    let addr = serve(router).await;
    let client = client(addr);
    let case_id = Uuid::new_v4();

    let too_big = vec![0u8; 25_000_001];
    let err = client
        .upload_document(
            case_id,
            "big.pdf",
            &too_big,
            DocumentType::OriginalInvoice,
            None,
        )
        .await
        .expect_err("over the limit");
    assert!(
        matches!(
            err,
            AgencyError::PayloadTooLarge {
                size: Some(25_000_001),
                ..
            }
        ),
        "{err:?}"
    );

    let err = client
        .upload_document(
            case_id,
            "contract.docx",
            b"x",
            DocumentType::CreditorDocuments,
            None,
        )
        .await
        .expect_err("docx is outside the safe set");
    assert!(
        matches!(&err, AgencyError::UnsupportedFileType { file_name } if file_name == "contract.docx"),
        "{err:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_refused_connection_is_not_sent_and_safe_to_retry() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let err = client(addr)
        .create_case(&request(), &IdempotencyKey::generate())
        .await
        .expect_err("nobody listens");
    assert!(matches!(err, AgencyError::NotSent { .. }), "{err:?}");
    assert!(err.is_retryable() && !err.case_may_exist());
    let mut chain = format!("{err:?} {err} {}", err.report().hint);
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        chain.push_str(&format!(" {cause} {cause:?}"));
        source = cause.source();
    }
    assert!(!chain.contains(KEY), "the key leaked: {chain}");
}

#[tokio::test]
async fn a_timeout_after_the_request_was_sent_is_outcome_unknown() {
    let router = Router::new().route(
        "/cases",
        post(|| async {
            tokio::time::sleep(Duration::from_secs(30)).await;
            axum::Json(case_json())
        }),
    );
    let addr = serve(router).await;
    let timeouts = Timeouts {
        request: Duration::from_millis(300),
        ..Timeouts::default()
    };
    let client = client_for(&format!("http://{addr}"), RetryPolicy::default(), timeouts);
    let started = Instant::now();
    let err = client
        .create_case(&request(), &IdempotencyKey::generate())
        .await
        .expect_err("times out");
    assert!(matches!(err, AgencyError::OutcomeUnknown { .. }), "{err:?}");
    assert!(err.case_may_exist() && !err.is_retryable() && !err.is_final());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "POST was not retried after an unknown outcome"
    );
}

#[tokio::test]
async fn get_retries_after_429_and_waits_the_retry_after() {
    let calls = Arc::new(AtomicU32::new(0));
    let router = Router::new()
        .route(
            "/cases/{id}",
            get(|State(calls): State<Arc<AtomicU32>>| async move {
                if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                    let body = json!({"error": "rate_limit_exceeded", "message": "Too many requests.", "retryAfter": 0.4});
                    (StatusCode::TOO_MANY_REQUESTS, axum::Json(body)).into_response()
                } else {
                    axum::Json(case_json()).into_response()
                }
            }),
        )
        .with_state(calls.clone());
    let addr = serve(router).await;
    let client = client_for(
        &format!("http://{addr}"),
        RetryPolicy::default(),
        Timeouts::default(),
    );
    let started = Instant::now();
    let case = client
        .get_case(Uuid::parse_str(CASE_ID).expect("uuid"))
        .await
        .expect("second try works");
    assert_eq!(case.reference.as_deref(), Some("Q8OAXF3W"));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn post_cases_is_not_retried_on_a_server_error() {
    let calls = Arc::new(AtomicU32::new(0));
    let router = Router::new()
        .route(
            "/cases",
            post(|State(calls): State<Arc<AtomicU32>>| async move {
                calls.fetch_add(1, Ordering::SeqCst);
                let body = json!({"error": null, "message": null, "businessErrors": [{"type": "InternalError", "message": "boom"}]});
                (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(body))
            }),
        )
        .with_state(calls.clone());
    let addr = serve(router).await;
    let client = client_for(
        &format!("http://{addr}"),
        RetryPolicy::default(),
        Timeouts::default(),
    );
    let err = client
        .create_case(&request(), &IdempotencyKey::generate())
        .await
        .expect_err("500");
    assert!(
        matches!(err, AgencyError::Server { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "the outbox decides, not the client"
    );
}

#[tokio::test]
async fn redirects_are_not_followed_so_the_key_stays_home() {
    let hits = Arc::new(AtomicU32::new(0));
    let router = Router::new()
        .route("/me", get(|| async { Redirect::temporary("/elsewhere") }))
        .route(
            "/elsewhere",
            get(|State(hits): State<Arc<AtomicU32>>| async move {
                hits.fetch_add(1, Ordering::SeqCst);
                StatusCode::OK
            }),
        )
        .with_state(hits.clone());
    let addr = serve(router).await;
    let err = client(addr).me().await.expect_err("307 is not an answer");
    assert!(
        matches!(err, AgencyError::UnexpectedStatus { status: 307, .. }),
        "{err:?}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_unreadable_success_is_malformed_and_the_case_may_exist() {
    let router = Router::new().route(
        "/cases",
        post(|| async {
            (
                [("content-type", "application/json")],
                r#"{"id": "3f2b8c1e-8a0e"#,
            )
                .into_response() as Response
        }),
    );
    let addr = serve(router).await;
    let err = client(addr)
        .create_case(&request(), &IdempotencyKey::generate())
        .await
        .expect_err("truncated body");
    assert!(
        matches!(err, AgencyError::Malformed { status: 200, .. }),
        "{err:?}"
    );
    assert!(err.case_may_exist());
}

#[test]
fn the_client_debug_output_never_shows_the_key() {
    let client = client_for(
        "http://127.0.0.1:9",
        RetryPolicy::NO_RETRIES,
        Timeouts::default(),
    );
    let debug = format!("{client:?}");
    assert!(!debug.contains(KEY), "{debug}");
}

#[test]
fn the_real_environments_refuse_plain_http() {
    let mut config = AgencyConfig::new(Environment::Production, ApiKey::new(KEY).expect("valid"))
        .expect("production has a URL");
    config.base_url = url::Url::parse("http://customer-api.debitura.com").expect("valid URL");
    let err = AgencyClient::new(config).expect_err("a live key never goes over http");
    assert!(
        matches!(
            err,
            AgencyError::InvalidValue {
                field: "base URL",
                ..
            }
        ),
        "{err:?}"
    );
}
