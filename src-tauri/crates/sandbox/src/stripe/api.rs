//! HTTP surface of the Stripe fake: auth, API version, rate limits, the
//! list/retrieve routes, and Stripe's error bodies.
//!
//! Where Stripe's exact wording is not public, messages follow the shape
//! of the ones that are (SDK issues, docs) and say so in a comment.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde::Serialize;
use serde_json::json;

use super::model::{FakeCustomer, FakeInvoice, InvoiceStatus, Mode};
use super::render::{self, Ctx, CustomerField, Shape};
use super::state::StripeState;
use super::{Access, StripeKeyConfig};
use crate::server::PolicyRateLimited;

type St = State<Arc<StripeState>>;
type Params = Result<Query<Vec<(String, String)>>, QueryRejection>;

const MAX_LIMIT: usize = 100;
const DEFAULT_LIMIT: usize = 10;

pub(super) fn router(state: Arc<StripeState>) -> Router {
    Router::new()
        .route("/v1/invoices", get(list_invoices))
        .route("/v1/invoices/{id}", get(retrieve_invoice))
        .route("/v1/customers", get(list_customers))
        .route("/v1/customers/{id}", get(retrieve_customer))
        .route("/v1/account", get(retrieve_account))
        .route_layer(middleware::from_fn_with_state(state.clone(), gate))
        .fallback(unrecognized_url)
        .with_state(state)
}

/// PDFs and payment pages, served outside the API (as pay.stripe.com is).
pub(super) fn file_routes(state: Arc<StripeState>) -> Router {
    Router::new()
        .route("/stripe/invoices/{id}/pdf", get(invoice_pdf))
        .route("/stripe/invoices/{id}", get(payment_page))
        .with_state(state)
}

// ---------------------------------------------------------------- errors

fn json_response(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => (
            status,
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response(),
        // Only a map with non-string keys could fail; none is built here.
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `{"error":{"type","code","message","param","doc_url"}}`; absent parts
/// are left out, as Stripe does.
fn stripe_error(
    status: StatusCode,
    kind: &str,
    code: Option<&str>,
    message: &str,
    param: Option<&str>,
) -> Response {
    let mut error = json!({ "type": kind, "message": message });
    if let Some(fields) = error.as_object_mut() {
        if let Some(code) = code {
            fields.insert("code".into(), json!(code));
            fields.insert(
                "doc_url".into(),
                json!(format!(
                    "https://stripe.com/docs/error-codes/{}",
                    code.replace('_', "-")
                )),
            );
        }
        if let Some(param) = param {
            fields.insert("param".into(), json!(param));
        }
    }
    json_response(status, &json!({ "error": error }))
}

/// A refusal on its way out, small enough to travel in a `Result`.
struct ApiError {
    status: StatusCode,
    code: Option<&'static str>,
    message: String,
    param: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        stripe_error(
            self.status,
            "invalid_request_error",
            self.code,
            &self.message,
            self.param.as_deref(),
        )
    }
}

fn invalid_request(message: impl Into<String>, param: Option<&str>) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        code: None,
        message: message.into(),
        param: param.map(str::to_owned),
    }
}

fn no_such(object: &str, id: &str, status: StatusCode, param: &str) -> ApiError {
    ApiError {
        status,
        code: Some("resource_missing"),
        message: format!("No such {object}: '{id}'"),
        param: Some(param.to_owned()),
    }
}

/// 429 as the SDKs see it: `Stripe-Should-Retry: true` (the signal they
/// obey first), the reason header, and `Retry-After` only when asked.
pub(super) fn rate_limited(reason: &str, retry_after: Option<f64>) -> Response {
    let mut response = stripe_error(
        StatusCode::TOO_MANY_REQUESTS,
        "invalid_request_error",
        Some("rate_limit"),
        "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.",
        None,
    );
    let headers = response.headers_mut();
    headers.insert("stripe-should-retry", HeaderValue::from_static("true"));
    if let Ok(value) = HeaderValue::from_str(reason) {
        headers.insert("stripe-rate-limited-reason", value);
    }
    if let Some(secs) = retry_after {
        headers.insert(
            header::RETRY_AFTER,
            HeaderValue::from(secs.ceil().max(0.0) as u64),
        );
    }
    response
}

/// 500 from the API itself (JSON, retry advised); other 5xx as a gateway
/// in front would send them (HTML, no Stripe headers), so clients cannot
/// count on a JSON body or on `Stripe-Should-Retry` there.
pub(super) fn server_error(status: StatusCode) -> Response {
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        let mut response =
            stripe_error(status, "api_error", None, "An unknown error occurred", None);
        response
            .headers_mut()
            .insert("stripe-should-retry", HeaderValue::from_static("true"));
        return response;
    }
    let reason = status.canonical_reason().unwrap_or("Server Error");
    (
        status,
        [(header::CONTENT_TYPE, HeaderValue::from_static("text/html"))],
        format!(
            "<html><body><h1>{} {reason}</h1></body></html>",
            status.as_u16()
        ),
    )
        .into_response()
}

async fn unrecognized_url(req: Request) -> Response {
    stripe_error(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        None,
        &format!(
            "Unrecognized request URL ({}: {}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.",
            req.method(),
            req.uri().path()
        ),
        None,
    )
}

// ----------------------------------------------- auth, version, rate limit

/// The authenticated caller, for the handlers.
#[derive(Clone)]
struct Caller {
    key: StripeKeyConfig,
    mode: Mode,
    shape: Shape,
}

/// `sk_test_****demo`: prefix, stars, last four, as Stripe echoes keys.
fn masked(key: &str) -> String {
    let prefix_len = key.match_indices('_').nth(1).map_or(0, |(i, _)| i + 1);
    let tail_start = key.len().saturating_sub(4).max(prefix_len);
    format!(
        "{}{}{}",
        &key[..prefix_len],
        "*".repeat(tail_start - prefix_len),
        &key[tail_start..]
    )
}

/// `Bearer <key>`, or HTTP Basic with the key as user name.
fn presented_key(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    if let Some(key) = value.strip_prefix("Bearer ") {
        return Some(key.trim().to_owned());
    }
    let decoded = base64_decode(value.strip_prefix("Basic ")?.trim())?;
    let text = String::from_utf8(decoded).ok()?;
    Some(text.split(':').next().unwrap_or_default().to_owned())
}

/// Standard base64 (with padding), enough for a Basic auth header.
fn base64_decode(input: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let bytes = input.trim_end_matches('=').as_bytes();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut acc = 0_u32;
        for (i, c) in chunk.iter().enumerate() {
            acc |= value(*c)? << (18 - 6 * i);
        }
        let produced = match chunk.len() {
            4 => 3,
            3 => 2,
            2 => 1,
            _ => return None,
        };
        out.extend_from_slice(&acc.to_be_bytes()[1..=produced]);
    }
    Some(out)
}

pub(super) fn valid_version(version: &str) -> bool {
    let (date, name) = version.split_once('.').unwrap_or((version, "a"));
    let b = date.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && !name.is_empty()
        && name.bytes().all(|c| c.is_ascii_lowercase())
}

async fn gate(State(state): St, mut req: Request, next: Next) -> Response {
    let Some(presented) = presented_key(req.headers()) else {
        return stripe_error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
            None,
        );
    };
    let Some(key) = state
        .config
        .keys
        .iter()
        .find(|k| k.key == presented)
        .cloned()
    else {
        return stripe_error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            None,
            &format!("Invalid API Key provided: {}", masked(&presented)),
            None,
        );
    };
    if key.expired {
        return stripe_error(
            StatusCode::UNAUTHORIZED,
            "invalid_request_error",
            Some("api_key_expired"),
            &format!("Expired API Key provided: {}", masked(&presented)),
            None,
        );
    }
    let Some(mode) = key.mode() else {
        return server_error(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let version = match req.headers().get("stripe-version").map(HeaderValue::to_str) {
        None => state.config.default_api_version.clone(),
        Some(Ok(v)) if valid_version(v.trim()) => v.trim().to_owned(),
        Some(other) => {
            let shown = other.unwrap_or("(not text)");
            return invalid_request(format!("Invalid Stripe API version: {shown}"), None)
                .into_response();
        }
    };
    let endpoint = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| req.uri().path().to_owned(), |p| p.as_str().to_owned());
    if let Some(limits) = &state.config.rate_limits {
        let arrived = state.arrival_ms();
        let verdict = state.lock().limiter.check(limits, mode, &endpoint, arrived);
        if let Err(exceeded) = verdict {
            let mut response = rate_limited(exceeded.reason(), None);
            response.extensions_mut().insert(PolicyRateLimited);
            return response;
        }
    }
    let request_id = {
        let mut data = state.lock();
        data.requests += 1;
        format!("req_sandbox{:08}", data.requests)
    };
    req.extensions_mut().insert(Caller {
        key,
        mode,
        shape: Shape::of_version(&version),
    });
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    for (name, value) in [("request-id", request_id), ("stripe-version", version)] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    response
}

fn forbidden(state: &StripeState, key: &StripeKeyConfig, permission: &str) -> ApiError {
    // The wording of Stripe's 403 for restricted keys (stripe-node #2246).
    ApiError {
        status: StatusCode::FORBIDDEN,
        code: None,
        message: format!(
            "The provided key '{}' does not have the required permissions for this endpoint on account '{}'. Having the '{permission}' permission would allow this request to continue.",
            masked(&key.key),
            state.config.account_id
        ),
        param: None,
    }
}

fn require(
    state: &StripeState,
    caller: &Caller,
    invoices: bool,
    customers: bool,
) -> Result<(), ApiError> {
    if invoices && caller.key.invoices != Access::Read {
        return Err(forbidden(state, &caller.key, "rak_invoice_read"));
    }
    if customers && caller.key.customers != Access::Read {
        return Err(forbidden(state, &caller.key, "rak_customer_read"));
    }
    Ok(())
}

fn ctx<'a>(state: &'a StripeState, caller: &Caller, headers: &HeaderMap) -> Ctx<'a> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    Ctx {
        shape: caller.shape,
        livemode: caller.mode.livemode(),
        account_name: &state.config.account_name,
        account_country: &state.config.account_country,
        files_base: format!("http://{host}/__sandbox/stripe"),
    }
}

// --------------------------------------------------------------- params

/// A `created` / `due_date` filter: exact value or a range.
#[derive(Debug, Default, Clone, Copy)]
struct Range {
    eq: Option<i64>,
    gt: Option<i64>,
    gte: Option<i64>,
    lt: Option<i64>,
    lte: Option<i64>,
}

impl Range {
    fn is_open(&self) -> bool {
        self.eq.is_none()
            && self.gt.is_none()
            && self.gte.is_none()
            && self.lt.is_none()
            && self.lte.is_none()
    }

    fn contains(&self, value: Option<i64>) -> bool {
        if self.is_open() {
            return true;
        }
        let Some(v) = value else { return false };
        self.eq.is_none_or(|b| v == b)
            && self.gt.is_none_or(|b| v > b)
            && self.gte.is_none_or(|b| v >= b)
            && self.lt.is_none_or(|b| v < b)
            && self.lte.is_none_or(|b| v <= b)
    }

    /// The newest `created` this range admits (for a binary search start).
    fn upper(&self) -> Option<i64> {
        [self.eq, self.lte, self.lt.map(|b| b - 1)]
            .into_iter()
            .flatten()
            .min()
    }

    /// The oldest `created` this range admits.
    fn lower(&self) -> Option<i64> {
        [self.eq, self.gte, self.gt.map(|b| b + 1)]
            .into_iter()
            .flatten()
            .max()
    }
}

#[derive(Debug, Default)]
struct ListParams {
    limit: Option<usize>,
    starting_after: Option<String>,
    ending_before: Option<String>,
    expand: Vec<String>,
    status: Option<InvoiceStatus>,
    customer: Option<String>,
    subscription: Option<String>,
    collection_method: Option<String>,
    email: Option<String>,
    created: Range,
    due_date: Range,
}

fn parse_int(key: &str, value: &str) -> Result<i64, ApiError> {
    value
        .trim()
        .parse()
        .map_err(|_| invalid_request(format!("Invalid integer: {value}"), Some(key)))
}

fn range_part<'a>(range: &'a mut Range, part: &str) -> Option<&'a mut Option<i64>> {
    Some(match part {
        "" => &mut range.eq,
        "[gt]" => &mut range.gt,
        "[gte]" => &mut range.gte,
        "[lt]" => &mut range.lt,
        "[lte]" => &mut range.lte,
        _ => return None,
    })
}

/// Reads the query against the parameters `allowed` for the route; anything
/// else is refused as Stripe does ("Received unknown parameter").
fn parse_params(query: Params, allowed: &[&str]) -> Result<ListParams, ApiError> {
    let Query(pairs) = query.map_err(|e| invalid_request(e.body_text(), None))?;
    let mut p = ListParams::default();
    for (key, value) in pairs {
        let base = key.split('[').next().unwrap_or_default();
        if !allowed.contains(&base) {
            return Err(invalid_request(
                format!("Received unknown parameter: {key}"),
                Some(&key),
            ));
        }
        let bracket = &key[base.len()..];
        match base {
            "limit" => {
                let n = parse_int(&key, &value)?;
                if n < 1 {
                    return Err(invalid_request(
                        "This value must be greater than or equal to 1.",
                        Some("limit"),
                    ));
                }
                if n > MAX_LIMIT as i64 {
                    return Err(invalid_request(
                        "This value must be less than or equal to 100.",
                        Some("limit"),
                    ));
                }
                p.limit = Some(n as usize);
            }
            "starting_after" => p.starting_after = Some(value),
            "ending_before" => p.ending_before = Some(value),
            "expand" => p.expand.push(value),
            "status" => {
                p.status = Some(InvoiceStatus::parse(&value).ok_or_else(|| {
                    invalid_request(format!("Invalid status: must be one of draft, open, paid, uncollectible, or void (got {value})"),
                        Some("status"),
                    )
                })?);
            }
            "customer" => p.customer = Some(value),
            "subscription" => p.subscription = Some(value),
            "collection_method" => p.collection_method = Some(value),
            "email" => p.email = Some(value),
            "created" | "due_date" => {
                let range = if base == "created" {
                    &mut p.created
                } else {
                    &mut p.due_date
                };
                let n = parse_int(&key, &value)?;
                let slot = range_part(range, bracket).ok_or_else(|| {
                    invalid_request(format!("Received unknown parameter: {key}"), Some(&key))
                })?;
                *slot = Some(n);
            }
            _ => {}
        }
    }
    if p.starting_after.is_some() && p.ending_before.is_some() {
        return Err(invalid_request(
            "You may only specify one of these parameters: ending_before, starting_after.",
            None,
        ));
    }
    Ok(p)
}

fn check_expand(expand: &[String], allowed: &[&str]) -> Result<(), ApiError> {
    match expand.iter().find(|e| !allowed.contains(&e.as_str())) {
        Some(path) => Err(invalid_request(
            format!("This property cannot be expanded ({path})."),
            Some("expand"),
        )),
        None => Ok(()),
    }
}

/// A cursor as a position in a newest-first list.
#[derive(Debug, Clone, Copy)]
enum Cursor {
    After(usize),
    Before(usize),
}

/// One page of the positions in `range` (of a newest-first list) that
/// `matches`, after or before the cursor; `has_more` says whether more lie
/// in the direction of travel. Walks only as far as the page needs.
fn page(
    range: std::ops::Range<usize>,
    cursor: Option<Cursor>,
    limit: usize,
    matches: impl Fn(usize) -> bool,
) -> (Vec<usize>, bool) {
    let mut found: Vec<usize> = match cursor {
        Some(Cursor::Before(at)) => (range.start..at.min(range.end))
            .rev()
            .filter(|&i| matches(i))
            .take(limit + 1)
            .collect(),
        Some(Cursor::After(at)) => (range.start.max(at + 1)..range.end)
            .filter(|&i| matches(i))
            .take(limit + 1)
            .collect(),
        None => range.filter(|&i| matches(i)).take(limit + 1).collect(),
    };
    let has_more = found.len() > limit;
    found.truncate(limit);
    if matches!(cursor, Some(Cursor::Before(_))) {
        found.reverse();
    }
    (found, has_more)
}

/// The cursor parameters as positions; an unknown id is Stripe's 400.
fn cursor_for(
    params: &ListParams,
    object: &str,
    position: impl Fn(&str) -> Option<usize>,
) -> Result<Option<Cursor>, ApiError> {
    let lookup = |id: &str, param: &str| {
        position(id).ok_or_else(|| no_such(object, id, StatusCode::BAD_REQUEST, param))
    };
    Ok(match (&params.starting_after, &params.ending_before) {
        (Some(id), _) => Some(Cursor::After(lookup(id, "starting_after")?)),
        (None, Some(id)) => Some(Cursor::Before(lookup(id, "ending_before")?)),
        (None, None) => None,
    })
}

// --------------------------------------------------------------- routes

async fn list_invoices(
    State(state): St,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    query: Params,
) -> Result<Response, ApiError> {
    let allowed = [
        "limit",
        "starting_after",
        "ending_before",
        "expand",
        "status",
        "customer",
        "subscription",
        "collection_method",
        "created",
        "due_date",
    ];
    let params = parse_params(query, &allowed)?;
    check_expand(&params.expand, &["data.customer"])?;
    let expand_customer = !params.expand.is_empty();
    require(&state, &caller, true, expand_customer)?;
    let ctx = ctx(&state, &caller, &headers);
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    // Pick and copy the page under the lock; render after releasing it.
    let (items, customers, has_more) = {
        let mut data = state.lock();
        if data.empty_pages > 0 {
            data.empty_pages -= 1;
            return Ok(json_response(
                StatusCode::OK,
                &render::list::<()>("/v1/invoices", Vec::new(), true),
            ));
        }
        let set = data.dataset(caller.mode);
        let cursor = cursor_for(&params, "invoice", |id| set.invoice_index.get(id).copied())?;
        // Newest first: the created filter is a contiguous stretch.
        let upper = params.created.upper();
        let lower = params.created.lower();
        let start = upper.map_or(0, |u| set.invoices.partition_point(|inv| inv.created > u));
        let end = lower.map_or(set.invoices.len(), |l| {
            set.invoices.partition_point(|inv| inv.created >= l)
        });
        let (positions, has_more) = page(start..end, cursor, limit, |i| {
            let inv = &set.invoices[i];
            params.status.is_none_or(|s| inv.status == s)
                && params.due_date.contains(inv.due_date)
                && params
                    .customer
                    .as_ref()
                    .is_none_or(|c| inv.customer.as_ref() == Some(c))
                && params
                    .subscription
                    .as_ref()
                    .is_none_or(|s| inv.subscription.as_ref() == Some(s))
                && params
                    .collection_method
                    .as_ref()
                    .is_none_or(|m| &inv.collection_method == m)
        });
        let items: Vec<FakeInvoice> = positions.iter().map(|&i| set.invoices[i].clone()).collect();
        let customers: Vec<Option<FakeCustomer>> = items
            .iter()
            .map(|inv| {
                inv.customer
                    .as_ref()
                    .filter(|_| expand_customer)
                    .and_then(|id| set.customers.get(id))
                    .cloned()
            })
            .collect();
        (items, customers, has_more)
    };
    let rendered: Vec<_> = items
        .iter()
        .zip(&customers)
        .map(|(inv, customer)| {
            let field = if expand_customer {
                CustomerField::Expanded(customer.as_ref())
            } else {
                CustomerField::Id
            };
            render::invoice(inv, field, &ctx)
        })
        .collect();
    let body = render::list("/v1/invoices", rendered, has_more);
    Ok(json_response(StatusCode::OK, &body))
}

async fn retrieve_invoice(
    State(state): St,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    query: Params,
) -> Result<Response, ApiError> {
    let params = parse_params(query, &["expand"])?;
    check_expand(&params.expand, &["customer"])?;
    let expand_customer = !params.expand.is_empty();
    require(&state, &caller, true, expand_customer)?;
    let ctx = ctx(&state, &caller, &headers);
    let (inv, customer) = {
        let data = state.lock();
        let set = data.dataset(caller.mode);
        let inv = set
            .invoice(&id)
            .ok_or_else(|| no_such("invoice", &id, StatusCode::NOT_FOUND, "id"))?
            .clone();
        let customer = inv
            .customer
            .as_ref()
            .and_then(|c| set.customers.get(c))
            .cloned();
        (inv, customer)
    };
    let field = if expand_customer {
        CustomerField::Expanded(customer.as_ref())
    } else {
        CustomerField::Id
    };
    Ok(json_response(
        StatusCode::OK,
        &render::invoice(&inv, field, &ctx),
    ))
}

async fn list_customers(
    State(state): St,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    query: Params,
) -> Result<Response, ApiError> {
    let allowed = [
        "limit",
        "starting_after",
        "ending_before",
        "expand",
        "email",
        "created",
    ];
    let params = parse_params(query, &allowed)?;
    check_expand(&params.expand, &["data.tax_ids"])?;
    require(&state, &caller, false, true)?;
    let ctx = ctx(&state, &caller, &headers);
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    let (items, has_more) = {
        let data = state.lock();
        let set = data.dataset(caller.mode);
        let order = &set.customer_order;
        let cursor = cursor_for(&params, "customer", |id| order.iter().position(|c| c == id))?;
        let (positions, has_more) = page(0..order.len(), cursor, limit, |i| {
            set.customers.get(&order[i]).is_some_and(|c| {
                !c.deleted
                    && params.created.contains(Some(c.created))
                    && params
                        .email
                        .as_ref()
                        .is_none_or(|e| c.email.as_ref() == Some(e))
            })
        });
        let items: Vec<FakeCustomer> = positions
            .iter()
            .filter_map(|&i| set.customers.get(&order[i]).cloned())
            .collect();
        (items, has_more)
    };
    let expand_tax_ids = !params.expand.is_empty();
    let rendered = items
        .iter()
        .map(|c| render::customer(c, &ctx, expand_tax_ids))
        .collect();
    let body = render::list("/v1/customers", rendered, has_more);
    Ok(json_response(StatusCode::OK, &body))
}

async fn retrieve_customer(
    State(state): St,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    query: Params,
) -> Result<Response, ApiError> {
    let params = parse_params(query, &["expand"])?;
    check_expand(&params.expand, &["tax_ids"])?;
    require(&state, &caller, false, true)?;
    let ctx = ctx(&state, &caller, &headers);
    let customer = state
        .lock()
        .dataset(caller.mode)
        .customers
        .get(&id)
        .cloned()
        .ok_or_else(|| no_such("customer", &id, StatusCode::NOT_FOUND, "id"))?;
    Ok(json_response(
        StatusCode::OK,
        &render::customer(&customer, &ctx, !params.expand.is_empty()),
    ))
}

async fn retrieve_account(State(state): St, Extension(caller): Extension<Caller>) -> Response {
    if !caller.key.is_secret() {
        // Restricted keys cannot read the account at all; the refusal still
        // names it (dj-stripe PR #1131 quotes this message).
        return stripe_error(
            StatusCode::FORBIDDEN,
            "invalid_request_error",
            None,
            &format!(
                "The provided key '{}' does not have the required permissions for this endpoint on account '{}'. This is a restricted API key, but the required permissions are not available for use by restricted keys.",
                masked(&caller.key.key),
                state.config.account_id
            ),
            None,
        );
    }
    let config = &state.config;
    json_response(
        StatusCode::OK,
        &json!({
            "id": config.account_id, "object": "account", "type": "standard",
            "country": config.account_country, "default_currency": "dkk",
            "business_profile": {"name": config.account_name},
            "settings": {"dashboard": {"display_name": config.account_name,
                "timezone": "Europe/Copenhagen"}},
            "charges_enabled": true, "payouts_enabled": true,
        }),
    )
}

async fn invoice_pdf(State(state): St, Path(id): Path<String>) -> Response {
    let data = state.lock();
    let found = [Mode::Test, Mode::Live]
        .into_iter()
        .find_map(|mode| data.dataset(mode).invoice(&id))
        .filter(|inv| inv.status != InvoiceStatus::Draft);
    match found {
        Some(inv) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            )],
            render::invoice_pdf(
                inv.number.as_deref().unwrap_or_default(),
                &format!("{} {}", inv.amount_remaining(), inv.currency.to_uppercase()),
            ),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn payment_page(State(state): St, Path(id): Path<String>) -> Response {
    let data = state.lock();
    let found = [Mode::Test, Mode::Live]
        .into_iter()
        .find_map(|mode| data.dataset(mode).invoice(&id));
    match found {
        Some(inv) => (
            [(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"))],
            format!(
                "<html><body><h1>Invoice {}</h1><p>Sandbox payment page: nothing can be paid here.</p></body></html>",
                inv.number.as_deref().unwrap_or("(draft)")
            ),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked_like_stripe_does() {
        assert_eq!(
            masked("rk_test_casebridge_demo_readonly"),
            "rk_test_********************only"
        ); // sandbox demo key
        assert_eq!(masked("sk_x"), "sk_x");
    }

    #[test]
    fn basic_auth_carries_the_key_as_user_name() {
        let mut headers = HeaderMap::new();
        // base64("sk_test_casebridge_demo_secret:") — sandbox demo key
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_static("Basic c2tfdGVzdF9jYXNlYnJpZGdlX2RlbW9fc2VjcmV0Og=="),
        );
        assert_eq!(
            presented_key(&headers).as_deref(),
            Some("sk_test_casebridge_demo_secret")
        ); // sandbox demo key
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic !!!"));
        assert_eq!(presented_key(&headers), None);
    }

    #[test]
    fn api_versions_are_dates_with_an_optional_name() {
        for ok in ["2025-03-31.basil", "2024-06-20"] {
            assert!(valid_version(ok), "{ok}");
        }
        for bad in [
            "",
            "latest",
            "2025-3-31",
            "2025-03-31.",
            "2025-03-31.Basil",
            "20250331",
        ] {
            assert!(!valid_version(bad), "{bad}");
        }
    }

    #[test]
    fn pages_walk_forward_and_backward_around_a_cursor() {
        // Positions 0..5 of a newest-first list; 3 is filtered out.
        let all = |i: usize| i != 3;
        assert_eq!(page(0..6, None, 2, all), (vec![0, 1], true));
        assert_eq!(
            page(0..6, Some(Cursor::After(1)), 2, all),
            (vec![2, 4], true)
        );
        assert_eq!(page(0..6, Some(Cursor::After(4)), 2, all), (vec![5], false));
        assert_eq!(
            page(0..6, Some(Cursor::Before(5)), 2, all),
            (vec![2, 4], true)
        );
        assert_eq!(
            page(0..6, Some(Cursor::Before(2)), 2, all),
            (vec![0, 1], false)
        );
        // A cursor outside the filtered stretch still orders correctly.
        assert_eq!(page(2..4, Some(Cursor::After(0)), 5, all), (vec![2], false));
        assert_eq!(page(2..4, Some(Cursor::After(4)), 5, all), (vec![], false));
    }

    #[test]
    fn ranges_combine_bounds_and_exclude_missing_values() {
        let r = Range {
            gte: Some(10),
            lt: Some(20),
            ..Range::default()
        };
        assert!(r.contains(Some(10)) && r.contains(Some(19)));
        assert!(!r.contains(Some(20)) && !r.contains(Some(9)) && !r.contains(None));
        assert!(Range::default().contains(None));
        assert_eq!((r.lower(), r.upper()), (Some(10), Some(19)));
    }
}
