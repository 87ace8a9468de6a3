//! The HTTP client for the agency's Customer API.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::multipart::{Form, Part};
use reqwest::Method;
use serde::de::DeserializeOwned;
use url::Url;
use uuid::Uuid;

use crate::config::{AgencyConfig, Environment};
use crate::documents::{self, MAX_DOCUMENT_BYTES};
use crate::error::{self, AgencyError, RequestContext, ValueProblem};
use crate::idempotency::IdempotencyKey;
use crate::query::{CaseQuery, PageSize};
use crate::ratelimit::RateLimiter;
use crate::retry::{Replay, RetryPolicy};
use crate::wire::{
    AdvanceBody, AdvanceOutcome, CaseDto, CaseFileDto, CaseList, CreateCaseRequest,
    CreditorReference, DocumentType, MeDto, Page, PaymentDto, PaymentList, TestAdvance,
};

const API_KEY_HEADER: &str = "XApiKey";
const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// What goes in the request body.
enum Body<'a> {
    Empty,
    Json(Vec<u8>),
    Document(DocumentUpload<'a>),
}

struct DocumentUpload<'a> {
    file_name: String,
    mime: &'static str,
    bytes: &'a [u8],
    document_type: DocumentType,
    description: Option<&'a str>,
}

impl DocumentUpload<'_> {
    /// Built afresh for each attempt: a multipart body is consumed by sending.
    fn form(&self) -> Result<Form, AgencyError> {
        let file = Part::bytes(self.bytes.to_vec())
            .file_name(self.file_name.clone())
            .mime_str(self.mime)
            .map_err(|_| AgencyError::InvalidValue {
                field: "File",
                problem: ValueProblem::Format {
                    expected: "a known document MIME type",
                    found: self.mime.to_owned(),
                },
            })?;
        let mut form = Form::new()
            .part("File", file)
            .text("DocumentType", self.document_type.as_str());
        if let Some(description) = self.description.filter(|d| !d.trim().is_empty()) {
            form = form.text("Description", description.to_owned());
        }
        Ok(form)
    }
}

/// One logical call (possibly several attempts).
struct Call<'a> {
    method: Method,
    path: Vec<&'a str>,
    query: Vec<(&'static str, String)>,
    body: Body<'a>,
    idempotency_key: Option<&'a IdempotencyKey>,
    timeout: Option<Duration>,
    replay: Replay,
    creditor_reference: Option<&'a str>,
    file_name: Option<&'a str>,
}

impl<'a> Call<'a> {
    fn new(method: Method, path: Vec<&'a str>, replay: Replay) -> Self {
        Self {
            method,
            path,
            query: Vec::new(),
            body: Body::Empty,
            idempotency_key: None,
            timeout: None,
            replay,
            creditor_reference: None,
            file_name: None,
        }
    }

    fn get(path: Vec<&'a str>) -> Self {
        Self::new(Method::GET, path, Replay::Idempotent)
    }
}

/// Talks to one agency account. Cheap to clone; clones share the HTTP
/// connection pool and the rate limiter.
#[derive(Debug, Clone)]
pub struct AgencyClient {
    http: reqwest::Client,
    base_url: Url,
    environment: Environment,
    upload_timeout: Duration,
    limiter: Arc<RateLimiter>,
    retry: RetryPolicy,
}

impl AgencyClient {
    /// A client with its own rate limiter at the agency's documented limits.
    pub fn new(config: AgencyConfig) -> Result<Self, AgencyError> {
        Self::with_rate_limiter(config, Arc::new(RateLimiter::default()))
    }

    /// Share `limiter` between every client that uses the same API key:
    /// the agency counts per key.
    pub fn with_rate_limiter(
        config: AgencyConfig,
        limiter: Arc<RateLimiter>,
    ) -> Result<Self, AgencyError> {
        // The real environments carry a live key: never over plain HTTP.
        if config.environment != Environment::Custom && config.base_url.scheme() != "https" {
            return Err(AgencyError::InvalidValue {
                field: "base URL",
                problem: ValueProblem::Format {
                    expected: "an https:// URL for the production and test environments",
                    found: config.base_url.to_string(),
                },
            });
        }
        let mut key = HeaderValue::from_str(config.api_key.expose()).map_err(|_| {
            AgencyError::InvalidValue {
                field: "API key",
                problem: ValueProblem::Format {
                    expected: "a valid HTTP header value",
                    found: "(hidden)".to_owned(),
                },
            }
        })?;
        // Keeps the key out of reqwest's and hyper's Debug output.
        key.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(API_KEY_HEADER, key);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("casebridge/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.timeouts.connect)
            .timeout(config.timeouts.request)
            // A redirect would forward the XApiKey header to wherever it
            // points; the API never redirects, so we do not follow.
            .redirect(reqwest::redirect::Policy::none())
            .https_only(config.environment != Environment::Custom)
            .build()
            .map_err(|source| AgencyError::ClientSetup { source })?;
        Ok(Self {
            http,
            base_url: config.base_url,
            environment: config.environment,
            upload_timeout: config.timeouts.upload,
            limiter,
            retry: RetryPolicy::default(),
        })
    }

    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn rate_limiter(&self) -> &Arc<RateLimiter> {
        &self.limiter
    }

    pub fn environment(&self) -> Environment {
        self.environment
    }

    /// `GET /me`: checks the key and returns the creditor behind it. Use it
    /// to validate a key on save (401 → wrong key or wrong environment).
    pub async fn me(&self) -> Result<MeDto, AgencyError> {
        self.call(&Call::get(vec!["me"])).await
    }

    /// `POST /cases` with an `Idempotency-Key`.
    ///
    /// Not retried except when the agency certainly did not process it
    /// (`NotSent`, 429). On `OutcomeUnknown` (or any error whose
    /// [`AgencyError::case_may_exist`] is true) reconcile before sending
    /// again: resend with the *same* key and body (the agency replays the
    /// stored answer) or look the case up by creditor reference. On
    /// `DuplicateCreditorReference` look it up; do not resend.
    pub async fn create_case(
        &self,
        request: &CreateCaseRequest,
        key: &IdempotencyKey,
    ) -> Result<CaseDto, AgencyError> {
        let body = serde_json::to_vec(request).map_err(|e| AgencyError::InvalidValue {
            field: "request body",
            problem: ValueProblem::Format {
                expected: "a serializable case",
                found: e.to_string(),
            },
        })?;
        let mut call = Call::new(Method::POST, vec!["cases"], Replay::Unprocessed);
        call.body = Body::Json(body);
        call.idempotency_key = Some(key);
        call.creditor_reference = request
            .creditor_reference
            .as_ref()
            .map(CreditorReference::as_str);
        self.call(&call).await
    }

    /// `POST /cases` with a body that was serialised earlier (by
    /// [`CreateCaseRequest`]) and stored, e.g. in an outbox. Sending the
    /// stored bytes, not a rebuilt request, keeps every retry's body
    /// identical, which the agency's idempotency replay requires. Same retry
    /// rules as [`AgencyClient::create_case`].
    pub async fn create_case_from_stored_body(
        &self,
        body: &serde_json::Value,
        creditor_reference: Option<&str>,
        key: &IdempotencyKey,
    ) -> Result<CaseDto, AgencyError> {
        let body = serde_json::to_vec(body).map_err(|e| AgencyError::InvalidValue {
            field: "request body",
            problem: ValueProblem::Format {
                expected: "a serializable case",
                found: e.to_string(),
            },
        })?;
        let mut call = Call::new(Method::POST, vec!["cases"], Replay::Unprocessed);
        call.body = Body::Json(body);
        call.idempotency_key = Some(key);
        call.creditor_reference = creditor_reference;
        self.call(&call).await
    }

    /// `GET /cases/{id}`.
    pub async fn get_case(&self, id: Uuid) -> Result<CaseDto, AgencyError> {
        let id = id.to_string();
        self.call(&Call::get(vec!["cases", &id])).await
    }

    /// `GET /cases/by-creditor-reference/{ref}` (exact match); `None` on 404.
    pub async fn find_case_by_creditor_reference(
        &self,
        creditor_reference: &CreditorReference,
    ) -> Result<Option<CaseDto>, AgencyError> {
        let mut call = Call::get(vec![
            "cases",
            "by-creditor-reference",
            creditor_reference.as_str(),
        ]);
        call.creditor_reference = Some(creditor_reference.as_str());
        match self.call(&call).await {
            Ok(case) => Ok(Some(case)),
            Err(AgencyError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// `GET /cases` (one page).
    pub async fn list_cases(&self, query: &CaseQuery) -> Result<Page<CaseDto>, AgencyError> {
        let mut call = Call::get(vec!["cases"]);
        call.query = query.pairs();
        let list: CaseList = self.call(&call).await?;
        Ok(list.into())
    }

    /// `POST /cases/{id}/files`. The file name's extension and the size are
    /// checked first ([`documents::ALLOWED_EXTENSIONS`], 25,000,000 bytes);
    /// a refused document is never sent. Uploads are not idempotent: after
    /// `OutcomeUnknown`, `list_documents` shows whether it arrived.
    pub async fn upload_document(
        &self,
        case_id: Uuid,
        file_name: &str,
        bytes: &[u8],
        document_type: DocumentType,
        description: Option<&str>,
    ) -> Result<CaseFileDto, AgencyError> {
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        let checked = documents::check(file_name, size)?;
        let id = case_id.to_string();
        let mut call = Call::new(
            Method::POST,
            vec!["cases", &id, "files"],
            Replay::Unprocessed,
        );
        call.timeout = Some(self.upload_timeout);
        call.file_name = Some(file_name);
        call.body = Body::Document(DocumentUpload {
            file_name: checked.file_name,
            mime: checked.mime,
            bytes,
            document_type,
            description,
        });
        self.call(&call).await
    }

    /// `GET /cases/{id}/files`. Download URLs expire after about an hour.
    pub async fn list_documents(&self, case_id: Uuid) -> Result<Vec<CaseFileDto>, AgencyError> {
        let id = case_id.to_string();
        self.call(&Call::get(vec!["cases", &id, "files"])).await
    }

    /// `GET /cases/{id}/payments`.
    pub async fn list_case_payments(&self, case_id: Uuid) -> Result<Vec<PaymentDto>, AgencyError> {
        let id = case_id.to_string();
        self.call(&Call::get(vec!["cases", &id, "payments"])).await
    }

    /// `GET /Payments` (all cases, one page; capital P as in the spec).
    pub async fn list_payments(
        &self,
        page: NonZeroU32,
        page_size: PageSize,
    ) -> Result<Page<PaymentDto>, AgencyError> {
        let mut call = Call::get(vec!["Payments"]);
        call.query = vec![
            ("Page", page.to_string()),
            ("PageSize", page_size.get().to_string()),
        ];
        let list: PaymentList = self.call(&call).await?;
        Ok(list.into())
    }

    /// `GET /Payments/{id}`.
    pub async fn get_payment(&self, id: Uuid) -> Result<PaymentDto, AgencyError> {
        let id = id.to_string();
        self.call(&Call::get(vec!["Payments", &id])).await
    }

    /// `POST /test/cases/{id}/advance` (test cases only). Advancing to the
    /// state a case is already in is a no-op, so this is retried like a GET.
    pub async fn advance_test_case(
        &self,
        case_id: Uuid,
        target: TestAdvance,
    ) -> Result<AdvanceOutcome, AgencyError> {
        let id = case_id.to_string();
        let body = serde_json::to_vec(&AdvanceBody::from(target)).map_err(|e| {
            AgencyError::InvalidValue {
                field: "advance target",
                problem: ValueProblem::Format {
                    expected: "a serializable target",
                    found: e.to_string(),
                },
            }
        })?;
        let mut call = Call::new(
            Method::POST,
            vec!["test", "cases", &id, "advance"],
            Replay::Idempotent,
        );
        call.body = Body::Json(body);
        self.call(&call).await
    }

    fn url(&self, call: &Call<'_>) -> Url {
        let mut url = self.base_url.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            // Keeps a base path prefix; each piece is percent-encoded as one
            // segment, so a creditor reference with "/" stays one segment.
            segments.pop_if_empty().extend(&call.path);
        }
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&call.query);
        }
        url
    }

    async fn call<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T, AgencyError> {
        let (status, body) = self.retry.run(call.replay, || self.attempt(call)).await?;
        serde_json::from_slice(&body).map_err(|source| AgencyError::Malformed { status, source })
    }

    /// One request: wait for the rate limiter, send, classify the answer.
    async fn attempt(&self, call: &Call<'_>) -> Result<(u16, Vec<u8>), AgencyError> {
        let url = self.url(call);
        let mut request = self.http.request(call.method.clone(), url.clone());
        if let Some(timeout) = call.timeout {
            request = request.timeout(timeout);
        }
        if let Some(key) = call.idempotency_key {
            request = request.header(IDEMPOTENCY_KEY_HEADER, key.as_str());
        }
        request = match &call.body {
            Body::Empty => request,
            Body::Json(bytes) => request
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            Body::Document(upload) => request.multipart(upload.form()?),
        };

        self.limiter.acquire().await;
        let started = Instant::now();
        let response = request.send().await.map_err(|e| {
            let err = error::from_transport(e);
            tracing::warn!(method = %call.method, path = url.path(), code = err.code(), "agency request failed");
            err
        })?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = match response.bytes().await {
            Ok(bytes) => bytes.to_vec(),
            // The agency answered 2xx but the body got lost: it did the work.
            Err(source) if status.is_success() => {
                return Err(AgencyError::OutcomeUnknown { source })
            }
            Err(_) => Vec::new(),
        };
        tracing::debug!(
            method = %call.method,
            path = url.path(),
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis(),
            "agency call"
        );
        if status.is_success() {
            return Ok((status.as_u16(), body));
        }
        let ctx = RequestContext {
            environment: self.environment,
            creditor_reference: call.creditor_reference,
            file_name: call.file_name,
            upload_limit: MAX_DOCUMENT_BYTES,
        };
        let err = error::from_response(status.as_u16(), retry_after.as_deref(), &body, &ctx);
        if let AgencyError::RateLimited { retry_after } = &err {
            self.limiter.penalize(*retry_after);
        }
        Err(err)
    }
}
