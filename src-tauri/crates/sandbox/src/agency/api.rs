//! HTTP surface of the agency fake: routes, auth, rate limits, and the
//! error bodies in the provider's own shapes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use super::model::{Case, CaseFile, CloseCode, Lifecycle, DOCUMENT_TYPES};
use super::ratelimit::ANONYMOUS;
use super::state::{AgencyState, StoredResponse};
use super::validate::{self, FieldErrors};
use crate::server::PolicyRateLimited;

type St = State<Arc<AgencyState>>;
/// An answer a helper decided on early (boxed: `Response` is large).
type Early = Box<Response>;

const JSON_UTF8: &str = "application/json; charset=utf-8";
const MAX_IDEMPOTENCY_KEY: usize = 255;
const MAX_PAGE_SIZE: u32 = 100;
/// `Page` is an int32 on the server; larger values fail to bind (400).
const MAX_PAGE: u32 = 2_147_483_647;
/// Extensions allowed by both the spec and the docs (the client's safe set).
const ALLOWED_EXTENSIONS: [&str; 8] = ["pdf", "xls", "xlsx", "csv", "txt", "jpg", "jpeg", "png"];

pub(super) fn router(state: Arc<AgencyState>) -> Router {
    // Leave room past the 25 MB limit so oversize uploads are read and
    // answered with the API's own 413 rather than cut off by axum.
    let upload_limit = state.config.max_upload_bytes.saturating_mul(2) + 1024 * 1024;
    Router::new()
        .route("/me", get(me))
        .route("/cases", post(create_case).get(list_cases))
        .route("/cases/{id}", get(get_case))
        .route(
            "/cases/by-creditor-reference/",
            get(empty_creditor_reference),
        )
        .route(
            "/cases/by-creditor-reference/{creditorReference}",
            get(get_by_creditor_reference),
        )
        .route(
            "/cases/case-reference/{caseReference}",
            get(get_by_case_reference),
        )
        .route(
            "/cases/{id}/files",
            post(upload_file)
                .get(list_files)
                .layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route("/cases/{id}/payments", get(case_payments))
        .route("/Payments", get(list_payments))
        .route("/Payments/{id}", get(get_payment))
        .route("/test/cases/{id}/advance", post(advance_test_case))
        .route("/test/cases/{id}", delete(delete_test_case))
        .route("/test/cases", delete(delete_test_cases))
        // route_layer: unknown paths are 404 without auth or rate limiting,
        // as ASP.NET routes before it authorises.
        .route_layer(middleware::from_fn_with_state(state.clone(), gate))
        .with_state(state)
}

// ---------------------------------------------------------------- responses

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8))],
        body.to_string(),
    )
        .into_response()
}

/// `ApiErrorResponseDto`: legacy `error`/`message` plus `businessErrors`.
fn api_error(status: StatusCode, kind: &str, message: impl Into<String>) -> Response {
    let message = message.into();
    json_response(
        status,
        &json!({
            "error": status.canonical_reason().unwrap_or("Error"),
            "message": message,
            "businessErrors": [{ "type": kind, "message": message, "solutionUrl": Value::Null }],
        }),
    )
}

fn bad_request(kind: &str, message: impl Into<String>) -> Response {
    api_error(StatusCode::BAD_REQUEST, kind, message)
}

fn not_found(what: &str) -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("{what} not found"),
    )
}

fn field_errors(errors: &FieldErrors) -> Response {
    json_response(StatusCode::BAD_REQUEST, &json!(errors))
}

/// RFC 7807 ProblemDetails, as ASP.NET writes it.
fn problem_details(status: StatusCode, title: &str, detail: String, instance: &str) -> Response {
    let section = match status {
        StatusCode::UNAUTHORIZED => "15.5.2",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "15.5.16",
        _ => "15.5.1",
    };
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json; charset=utf-8"),
        )],
        json!({
            "type": format!("https://tools.ietf.org/html/rfc9110#section-{section}"),
            "title": title,
            "status": status.as_u16(),
            "detail": detail,
            "instance": instance,
        })
        .to_string(),
    )
        .into_response()
}

/// ASP.NET's answer to a body it cannot parse as JSON.
fn problem(detail: String, instance: &str) -> Response {
    problem_details(
        StatusCode::BAD_REQUEST,
        "One or more validation errors occurred.",
        detail,
        instance,
    )
}

fn business_error(kind: &str, message: &str, solution_url: Option<&str>) -> Value {
    json!({ "type": kind, "message": message, "solutionUrl": solution_url })
}

/// The documented 429: body always, `Retry-After` header only if asked.
pub(super) fn too_many_requests(retry_after: f64, with_header: bool) -> Response {
    let secs = retry_after.ceil().max(0.0) as u64;
    let body = json!({
        "error": "rate_limit_exceeded",
        "message": format!("Too many requests. Please retry after {secs} seconds."),
        "retryAfter": retry_after,
    });
    let mut response = json_response(StatusCode::TOO_MANY_REQUESTS, &body);
    if with_header {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// 500 as the API sends it; 502/503/504 as the gateway in front sends them
/// (HTML, not JSON: clients must not assume a JSON error body).
pub(super) fn server_error(status: StatusCode) -> Response {
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        return json_response(
            status,
            &json!({ "businessErrors": [business_error(
                "InternalServerError",
                "An unexpected error occurred. Please try again later.",
                None,
            )] }),
        );
    }
    let reason = status.canonical_reason().unwrap_or("Server Error");
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))],
        format!(
            "<html><head><title>{0} {1}</title></head><body><h1>{0} {1}</h1></body></html>",
            status.as_u16(),
            reason
        ),
    )
        .into_response()
}

// -------------------------------------------------------- auth + rate limit

async fn gate(State(state): St, req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get("XApiKey")
        .and_then(|v| v.to_str().ok())
        .filter(|k| state.config.api_keys.iter().any(|a| a.expose() == *k))
        .map(str::to_owned);
    let now = state.now();
    let verdict = {
        let mut data = state.lock();
        let with_header = data.limiter.limits().retry_after_header;
        data.limiter
            .check(key.as_deref().unwrap_or(ANONYMOUS), now)
            .map_err(|wait| (wait, with_header))
    };
    if let Err((wait, with_header)) = verdict {
        let mut response = too_many_requests(wait, with_header);
        response.extensions_mut().insert(PolicyRateLimited);
        return response;
    }
    if key.is_none() {
        // The 401 body is unconfirmed; the spec's only documented one
        // (GET /users) is ProblemDetails, and so is this.
        return problem_details(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Missing or invalid API key. Send it in the XApiKey header.".into(),
            req.uri().path(),
        );
    }
    next.run(req).await
}

// ---------------------------------------------------------------- helpers

fn parse_id(raw: &str, what: &str) -> Result<Uuid, Early> {
    Uuid::parse_str(raw.trim())
        .map_err(|_| Box::new(bad_request("InvalidId", format!("{what} must be a GUID"))))
}

fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn case_json(state: &AgencyState, case: &Case) -> Response {
    json_response(StatusCode::OK, &case.to_json(&state.config.creditor))
}

/// Query parameters, names matched case-insensitively as ASP.NET binds them.
struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Repeated and comma-separated values alike. Empty items are kept (and
    /// then rejected by the caller): an empty string binds to no GUID or status.
    fn list<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        self.all(name)
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect()
    }

    /// ASP.NET binds a scalar from the first value; an empty one does not
    /// bind to an int (400), an absent one keeps the default.
    fn int(&self, name: &str, default: u32, max: u32) -> Result<u32, Early> {
        match self.all(name).next().map(str::trim) {
            None => Ok(default),
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => Ok(n),
                _ => Err(Box::new(bad_request(
                    "InvalidPagination",
                    format!("{name} must be a whole number between 1 and {max}, got '{v}'"),
                ))),
            },
        }
    }

    fn uuids(&self, name: &str) -> Result<Vec<Uuid>, Early> {
        self.list(name)
            .into_iter()
            .map(|v| {
                Uuid::parse_str(v).map_err(|_| {
                    Box::new(bad_request(
                        "InvalidFilter",
                        format!("{name} contains an invalid GUID: '{v}'"),
                    ))
                })
            })
            .collect()
    }
}

struct Paging {
    page: u32,
    page_size: u32,
}

impl Paging {
    fn from(q: &QueryParams) -> Result<Self, Early> {
        Ok(Self {
            page: q.int("Page", 1, MAX_PAGE)?,
            page_size: q.int("PageSize", 10, MAX_PAGE_SIZE)?,
        })
    }

    fn apply<T>(&self, items: Vec<T>) -> (Value, Vec<T>) {
        let total = items.len();
        let size = self.page_size as usize;
        let skip = (self.page as usize - 1).saturating_mul(size);
        let page: Vec<T> = items.into_iter().skip(skip).take(size).collect();
        let meta = json!({
            "totalResults": total,
            "pageSize": self.page_size,
            "currentPage": self.page,
            "responseCount": page.len(),
            "totalPages": total.div_ceil(size),
        });
        (meta, page)
    }
}

// ------------------------------------------------------------------- /me

async fn me(State(state): St) -> Response {
    json_response(StatusCode::OK, &state.config.creditor.to_me_json())
}

// ------------------------------------------------------------- POST /cases

fn is_json_content_type(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json"
        || mime == "text/json"
        || (mime.starts_with("application/") && mime.ends_with("+json"))
}

fn unsupported_media_type(instance: &str) -> Response {
    problem_details(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "Unsupported Media Type",
        "The request body must be JSON (application/json).".into(),
        instance,
    )
}

/// Parses a JSON object body the way ASP.NET's input formatter would.
fn json_object(
    headers: &HeaderMap,
    body: &Bytes,
    instance: &str,
) -> Result<Map<String, Value>, Early> {
    if !is_json_content_type(headers) {
        return Err(Box::new(unsupported_media_type(instance)));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Box::new(problem(
            "A non-empty request body is required.".into(),
            instance,
        )));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Box::new(problem(
            "The JSON value could not be converted to the request type: expected an object.".into(),
            instance,
        ))),
        Err(e) => Err(Box::new(problem(
            format!("The request body is not valid JSON: {e}"),
            instance,
        ))),
    }
}

async fn create_case(State(state): St, headers: HeaderMap, body: Bytes) -> Response {
    let idem_key = match headers.get("Idempotency-Key").map(|v| v.to_str()) {
        None => None,
        Some(Err(_)) => {
            return bad_request(
                "InvalidIdempotencyKey",
                "Idempotency-Key must be visible ASCII text",
            )
        }
        Some(Ok(k)) if k.chars().count() > MAX_IDEMPOTENCY_KEY => {
            return bad_request(
                "InvalidIdempotencyKey",
                format!("Idempotency-Key must be at most {MAX_IDEMPOTENCY_KEY} characters"),
            )
        }
        // A blank key is no key (nothing to match a retry against).
        Some(Ok(k)) if k.trim().is_empty() => None,
        Some(Ok(k)) => Some(k.to_owned()),
    };
    let request = match json_object(&headers, &body, "/cases") {
        Ok(map) => map,
        Err(response) => return *response,
    };
    let now = state.now();
    let mut data = state.lock();

    if let Some(key) = &idem_key {
        if let Some(stored) = data.idempotency.get(key) {
            if stored.request == Value::Object(request.clone()) {
                return json_response(stored.status, &stored.body);
            }
            return json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &json!({ "businessErrors": [business_error(
                    "IdempotencyConflict",
                    "This Idempotency-Key was already used with a different request body.",
                    None,
                )] }),
            );
        }
    }

    // Field-level 400s are not stored: the caller may fix and retry.
    let new = match validate::new_case(&request, now) {
        Ok(new) => new,
        Err(errors) => return field_errors(&errors),
    };

    let mut errors = Vec::new();
    let mut signing = false;
    if state
        .config
        .uncovered_countries
        .iter()
        .any(|c| c.eq_ignore_ascii_case(new.debtor.country_alpha2))
    {
        errors.push(business_error(
            "NoPartnerAvailable",
            &format!(
                "No collection partner covers debtors in {}.",
                new.debtor.country_name
            ),
            None,
        ));
    }
    if !state.config.contracts_signed && !new.allow_pending_contracts {
        signing = true;
        errors.push(business_error(
            "MissingDebtCollectionContract",
            "Sign the Standard Debt Collection Agreement before creating cases.",
            Some("https://app.debitura.com/contracts/sdca"),
        ));
        errors.push(business_error(
            "MissingPowerOfAttorney",
            "Sign the Power of Attorney before creating cases.",
            Some("https://app.debitura.com/contracts/poa"),
        ));
    }
    if let Some(r) = &new.creditor_reference {
        if let Some(existing) = data.case_by_creditor_reference(r) {
            errors.push(business_error(
                "DuplicateCreditorReference",
                &format!(
                    "A case with creditor reference '{r}' already exists ({}).",
                    existing.reference
                ),
                None,
            ));
        }
    }

    let (status, response) = if errors.is_empty() {
        let case = data.create(new, now, &state.config, state.seed);
        (StatusCode::OK, case.to_json(&state.config.creditor))
    } else {
        let mut body = json!({ "businessErrors": errors });
        if signing {
            if let Some(obj) = body.as_object_mut() {
                obj.insert("signingHandoff".into(), super::model::signing_handoff());
            }
        }
        (StatusCode::UNPROCESSABLE_ENTITY, body)
    };
    if let Some(key) = idem_key {
        data.idempotency.insert(
            key,
            StoredResponse {
                request: Value::Object(request),
                status,
                body: response.clone(),
            },
        );
    }
    json_response(status, &response)
}

// -------------------------------------------------------------- GET /cases

#[derive(Clone, Copy)]
enum SortField {
    DateCreated,
    DateUpdated,
    DateFinished,
    DateCollectionStarted,
    DueDate,
    Date,
    GrossAmount,
    Remainder,
    InterestFees,
    CollectionFees,
    ReminderFees,
    Lifecycle,
    CloseCode,
}

impl SortField {
    fn parse(s: &str) -> Option<Self> {
        const ALL: [(&str, SortField); 13] = [
            ("DateCreated", SortField::DateCreated),
            ("DateUpdated", SortField::DateUpdated),
            ("DateFinished", SortField::DateFinished),
            ("DateCollectionStarted", SortField::DateCollectionStarted),
            ("DueDate", SortField::DueDate),
            ("Date", SortField::Date),
            ("GrossAmount", SortField::GrossAmount),
            ("Remainder", SortField::Remainder),
            ("InterestFees", SortField::InterestFees),
            ("CollectionFees", SortField::CollectionFees),
            ("ReminderFees", SortField::ReminderFees),
            ("Lifecycle", SortField::Lifecycle),
            ("CloseCode", SortField::CloseCode),
        ];
        ALL.iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s.trim()))
            .map(|(_, f)| *f)
    }

    fn compare(self, a: &Case, b: &Case) -> std::cmp::Ordering {
        let num = |x: f64, y: f64| x.total_cmp(&y);
        match self {
            Self::DateCreated => a.created.cmp(&b.created),
            Self::DateUpdated => a.updated.cmp(&b.updated),
            Self::DateFinished => a.finished.cmp(&b.finished),
            Self::DateCollectionStarted => a.collection_started.cmp(&b.collection_started),
            Self::DueDate => a.new.due_date.cmp(&b.new.due_date),
            Self::Date => a.new.date.cmp(&b.new.date),
            Self::GrossAmount => num(a.new.amount, b.new.amount),
            Self::Remainder => num(a.remainder(), b.remainder()),
            // Fees are always zero in the fake.
            Self::InterestFees | Self::CollectionFees | Self::ReminderFees => {
                std::cmp::Ordering::Equal
            }
            Self::Lifecycle => a.lifecycle.cmp(&b.lifecycle),
            Self::CloseCode => a.close_code.cmp(&b.close_code),
        }
    }
}

/// `Field[:asc|desc][,…]`; unknown fields are ignored, as documented.
fn parse_sort(spec: &str) -> Vec<(SortField, bool)> {
    spec.split(',')
        .filter_map(|part| {
            let (field, dir) = part.split_once(':').unwrap_or((part, "asc"));
            let descending = match dir.trim().to_ascii_lowercase().as_str() {
                "asc" | "" => false,
                "desc" => true,
                _ => return None,
            };
            SortField::parse(field).map(|f| (f, descending))
        })
        .collect()
}

async fn list_cases(State(state): St, Query(raw): Query<Vec<(String, String)>>) -> Response {
    let q = QueryParams(raw);
    let paging = match Paging::from(&q) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let mut statuses = Vec::new();
    for s in q.list("Statuses") {
        match Lifecycle::parse(s) {
            Some(l) => statuses.push(l),
            None => return bad_request("InvalidStatus", format!("Unknown case status: '{s}'")),
        }
    }
    let (ids, debtor_ids, division_ids) =
        match (q.uuids("Ids"), q.uuids("DebtorIds"), q.uuids("DivisionIds")) {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            (Err(r), _, _) | (_, Err(r), _) | (_, _, Err(r)) => return *r,
        };
    // A string binds from its first value, like every scalar.
    let mut sort = q.all("Sort").next().map(parse_sort).unwrap_or_default();
    // Newest first unless asked otherwise; creation order breaks ties.
    sort.push((SortField::DateCreated, true));

    let data = state.lock();
    let mut cases: Vec<&Case> = data
        .cases
        .values()
        .filter(|c| statuses.is_empty() || statuses.contains(&c.lifecycle))
        .filter(|c| ids.is_empty() || ids.contains(&c.id))
        .filter(|c| debtor_ids.is_empty() || debtor_ids.contains(&c.debtor_id))
        .filter(|c| {
            division_ids.is_empty() || c.new.division_id.is_some_and(|d| division_ids.contains(&d))
        })
        .collect();
    cases.sort_by(|a, b| {
        sort.iter()
            .map(|(f, desc)| {
                let o = f.compare(a, b);
                if *desc {
                    o.reverse()
                } else {
                    o
                }
            })
            .find(|o| o.is_ne())
            .unwrap_or_else(|| b.seq.cmp(&a.seq))
    });
    let (page, cases) = paging.apply(cases);
    let cases: Vec<Value> = cases
        .into_iter()
        .map(|c| c.to_json(&state.config.creditor))
        .collect();
    json_response(StatusCode::OK, &json!({ "page": page, "cases": cases }))
}

// --------------------------------------------------------- single-case reads

async fn get_case(State(state): St, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id, "Case id") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let data = state.lock();
    match data.cases.get(&id) {
        Some(case) => case_json(&state, case),
        None => not_found("Case"),
    }
}

async fn empty_creditor_reference() -> Response {
    bad_request(
        "InvalidCreditorReference",
        "Creditor reference must not be empty",
    )
}

async fn get_by_creditor_reference(State(state): St, Path(r): Path<String>) -> Response {
    if r.trim().is_empty() {
        return empty_creditor_reference().await;
    }
    let data = state.lock();
    match data.case_by_creditor_reference(&r) {
        Some(case) => case_json(&state, case),
        None => not_found("Case"),
    }
}

async fn get_by_case_reference(State(state): St, Path(r): Path<String>) -> Response {
    if r.trim().is_empty() {
        return bad_request("InvalidCaseReference", "Case reference must not be empty");
    }
    let data = state.lock();
    match data.case_by_reference(r.trim()) {
        Some(case) => case_json(&state, case),
        None => not_found("Case"),
    }
}

// ------------------------------------------------------------------ files

struct Upload {
    file_name: String,
    bytes: Vec<u8>,
    size: usize,
}

fn multipart_failure(e: &MultipartError) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        bad_request(
            "InvalidMultipart",
            format!("Could not read the multipart body: {e}"),
        )
    }
}

fn too_large() -> Response {
    api_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "FileTooLarge",
        "File size must be less than 25MB",
    )
}

async fn upload_file(
    State(state): St,
    Path(id): Path<String>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let id = match parse_id(&id, "Case id") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let Ok(mut multipart) = multipart else {
        return api_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "The request must be multipart/form-data",
        );
    };
    let max = state.config.max_upload_bytes;
    let mut upload: Option<Upload> = None;
    let mut document_type: Option<String> = None;
    let mut description: Option<String> = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return multipart_failure(&e),
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name.eq_ignore_ascii_case("File") {
            // A part without a file name binds as a plain value, not a file.
            let Some(file_name) = field.file_name().map(str::to_owned) else {
                continue;
            };
            let mut u = Upload {
                file_name,
                bytes: Vec::new(),
                size: 0,
            };
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => {
                        u.size += chunk.len();
                        if u.size <= max {
                            u.bytes.extend_from_slice(&chunk);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => return multipart_failure(&e),
                }
            }
            upload = Some(u);
        } else if name.eq_ignore_ascii_case("DocumentType")
            || name.eq_ignore_ascii_case("Description")
        {
            let text = match field.text().await {
                Ok(t) => t,
                Err(e) => return multipart_failure(&e),
            };
            if name.eq_ignore_ascii_case("DocumentType") {
                document_type = Some(text);
            } else {
                description = Some(text);
            }
        }
    }

    let now = state.now();
    let mut data = state.lock();
    if !data.cases.contains_key(&id) {
        return not_found("Case");
    }
    let Some(upload) = upload else {
        return bad_request("MissingFile", "A file is required (form field 'File')");
    };
    if upload.size > max {
        return too_large();
    }
    if upload.size == 0 {
        return bad_request("EmptyFile", "The uploaded file is empty");
    }
    let extension = upload
        .file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    if !ALLOWED_EXTENSIONS.contains(&extension.as_str()) {
        return api_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedFileType",
            format!(
                "File type '.{extension}' is not allowed. Allowed: {}",
                ALLOWED_EXTENSIONS.map(|e| format!(".{e}")).join(", ")
            ),
        );
    }
    let document_type = match document_type
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => DOCUMENT_TYPES[0],
        Some(t) => match DOCUMENT_TYPES.iter().find(|d| d.eq_ignore_ascii_case(t)) {
            Some(d) => d,
            None => {
                return bad_request(
                    "InvalidDocumentType",
                    format!(
                        "Invalid document type: {t}. Allowed: {}",
                        DOCUMENT_TYPES.join(", ")
                    ),
                )
            }
        },
    };
    let file = CaseFile {
        id: data.new_id(),
        case_id: id,
        created: now,
        file_name: upload.file_name,
        description: description.filter(|d| !d.trim().is_empty()),
        document_type,
        bytes: Bytes::from(upload.bytes),
    };
    let body = file.to_json(&base_url(&headers));
    data.files.push(file);
    json_response(StatusCode::OK, &body)
}

async fn list_files(State(state): St, Path(id): Path<String>, headers: HeaderMap) -> Response {
    let id = match parse_id(&id, "Case id") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let data = state.lock();
    if !data.cases.contains_key(&id) {
        return not_found("Case");
    }
    let base = base_url(&headers);
    let files: Vec<Value> = data
        .files
        .iter()
        .filter(|f| f.case_id == id)
        .map(|f| f.to_json(&base))
        .collect();
    json_response(StatusCode::OK, &Value::Array(files))
}

// --------------------------------------------------------------- payments

async fn case_payments(State(state): St, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id, "Case id") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let data = state.lock();
    let Some(case) = data.cases.get(&id) else {
        return not_found("Case");
    };
    let payments: Vec<Value> = data
        .payments
        .iter()
        .filter(|p| p.case_id == id)
        .map(|p| p.to_json(Some(case), case.new.currency))
        .collect();
    json_response(StatusCode::OK, &Value::Array(payments))
}

async fn list_payments(State(state): St, Query(raw): Query<Vec<(String, String)>>) -> Response {
    let paging = match Paging::from(&QueryParams(raw)) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let data = state.lock();
    // Newest first.
    let payments: Vec<_> = data.payments.iter().rev().collect();
    let (page, payments) = paging.apply(payments);
    let payments: Vec<Value> = payments
        .into_iter()
        .map(|p| {
            let case = data.cases.get(&p.case_id);
            p.to_json(case, case.map_or("", |c| c.new.currency))
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({ "page": page, "payments": payments }),
    )
}

async fn get_payment(State(state): St, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id, "Payment id") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let data = state.lock();
    match data.payments.iter().find(|p| p.id == id) {
        Some(p) => {
            let case = data.cases.get(&p.case_id);
            json_response(
                StatusCode::OK,
                &p.to_json(case, case.map_or("", |c| c.new.currency)),
            )
        }
        None => not_found("Payment"),
    }
}

// ------------------------------------------------------------ test driver

/// `AdvanceTestCaseResponse.state` for a case as it stands.
fn test_state(case: &Case) -> &'static str {
    match (case.lifecycle, case.close_code) {
        (Lifecycle::Closed, Some(CloseCode::Paid)) => "Closed:Paid",
        (Lifecycle::Closed, Some(CloseCode::NoPayment)) => "Closed:NoPayment",
        (Lifecycle::Closed, _) => "Closed",
        (l, _) => l.name(),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Target {
    Active,
    Paid,
    NoPayment,
}

async fn advance_test_case(
    State(state): St,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let id = match parse_id(&id, "Case id") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let request = match json_object(&headers, &body, "/test/cases/advance") {
        Ok(map) => map,
        Err(r) => return *r,
    };
    let field = |name: &str| {
        request
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    };
    let target = match field("to").and_then(Value::as_str) {
        Some(t) if t.eq_ignore_ascii_case("Active") => Target::Active,
        Some(t) if t.eq_ignore_ascii_case("Closed:Paid") => Target::Paid,
        Some(t) if t.eq_ignore_ascii_case("Closed:NoPayment") => Target::NoPayment,
        other => {
            return bad_request(
                "InvalidTargetState",
                format!(
                    "'to' must be one of Active, Closed:Paid, Closed:NoPayment (got {})",
                    other.unwrap_or("nothing")
                ),
            )
        }
    };
    let amount = match field("amount") {
        None => None,
        Some(v) => match v.as_f64() {
            Some(a) if a > 0.0 && a.is_finite() => Some(a),
            _ => return bad_request("InvalidAmount", "'amount' must be a positive number"),
        },
    };
    let now = state.now();
    let mut data = state.lock();
    let Some(case) = data.cases.get(&id) else {
        return not_found("Case");
    };
    if !case.new.is_test {
        return bad_request(
            "NotATestCase",
            "Only test cases (isTest: true) can be advanced",
        );
    }
    let closed_as = (case.lifecycle == Lifecycle::Closed).then_some(case.close_code);
    let already = match (target, closed_as) {
        (Target::Active, Some(_)) => true,
        (Target::Active, None) => case.lifecycle == Lifecycle::Active,
        (Target::Paid, Some(Some(CloseCode::Paid)))
        | (Target::NoPayment, Some(Some(CloseCode::NoPayment))) => true,
        (_, Some(code)) => {
            return bad_request(
                "CloseCodeConflict",
                format!(
                    "The case is already closed as '{}'",
                    code.map_or("unknown", CloseCode::label)
                ),
            )
        }
        (_, None) => false,
    };
    if already {
        return json_response(
            StatusCode::OK,
            &json!({ "advanced": false, "state": test_state(case) }),
        );
    }
    let gross = case.new.amount;
    match target {
        Target::Active => data.activate(id, now),
        Target::Paid => {
            let Some(amount) = amount else {
                return bad_request(
                    "MissingAmount",
                    "'amount' is required when 'to' is Closed:Paid",
                );
            };
            data.activate(id, now);
            data.pay(id, amount.min(gross), now);
            data.close(id, CloseCode::Paid, now);
        }
        Target::NoPayment => {
            data.activate(id, now);
            data.close(id, CloseCode::NoPayment, now);
        }
    }
    let state_name = data.cases.get_mut(&id).map_or("Active", |c| {
        // A driven test case no longer follows its own script.
        c.script.clear();
        test_state(c)
    });
    json_response(
        StatusCode::OK,
        &json!({ "advanced": true, "state": state_name }),
    )
}

async fn delete_test_case(State(state): St, Path(id): Path<String>) -> Response {
    let id = match parse_id(&id, "Case id") {
        Ok(id) => id,
        Err(r) => return *r,
    };
    let mut data = state.lock();
    match data.cases.get(&id) {
        None if data.was_deleted(&id) => StatusCode::NO_CONTENT.into_response(),
        None => not_found("Case"),
        Some(c) if !c.new.is_test => {
            bad_request("ProductionCase", "Production cases cannot be deleted")
        }
        Some(_) => {
            data.delete(id);
            StatusCode::NO_CONTENT.into_response()
        }
    }
}

async fn delete_test_cases(State(state): St, Query(raw): Query<Vec<(String, String)>>) -> Response {
    let q = QueryParams(raw);
    let Some(tag) = q
        .all("tag")
        .next()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
    else {
        return bad_request("MissingTag", "The 'tag' query parameter is required");
    };
    let mut data = state.lock();
    let matched: Vec<(Uuid, bool)> = data
        .cases
        .values()
        .filter(|c| c.new.tag.as_deref() == Some(tag.as_str()))
        .map(|c| (c.id, c.new.is_test))
        .collect();
    if matched.iter().any(|(_, is_test)| !is_test) {
        return bad_request(
            "ProductionCase",
            "The tag matches production cases; nothing was deleted",
        );
    }
    for (id, _) in matched {
        data.delete(id);
    }
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_spec_ignores_unknown_fields_and_bad_directions() {
        let parsed = parse_sort("GrossAmount:desc, Nope:asc,DueDate,Date:sideways");
        let names: Vec<(bool, bool)> = parsed
            .iter()
            .map(|(f, d)| (matches!(f, SortField::GrossAmount), *d))
            .collect();
        assert_eq!(names, [(true, true), (false, false)]);
    }
}
