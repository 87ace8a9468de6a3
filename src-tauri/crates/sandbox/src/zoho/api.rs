//! HTTP surface of the Zoho Books fake (`/books/v3/…`): the
//! `Zoho-oauthtoken` check, `organization_id`, the `{code, message}`
//! envelope, per-organization limits with `X-Rate-Limit-*` headers, the
//! list/detail routes with their filters and `page_context`.
//!
//! Error codes the reference confirms: 1002 (not found), 1000 (internal
//! error). Assumed, as the reference only has third-party lists: 14
//! (invalid or expired token, HTTP 401), 57 (not authorized), 2 (invalid
//! value, e.g. a missing `organization_id`), 45 (too many requests, HTTP
//! 429) and 6041 (the user is not in that organization, answered with
//! **HTTP 200**: the stricter reading of "code != 0 is an error whatever
//! the status").

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{NaiveDate, TimeZone};
use serde_json::{json, Map, Value};

use super::model::{FakeZohoAddress, FakeZohoContact, FakeZohoInvoice, ZohoStatus};
use super::state::{Quota, Throttle, ZohoState};
use crate::server::PolicyRateLimited;

type St = State<Arc<ZohoState>>;
type Params = Query<HashMap<String, String>>;

pub(super) const MAX_PER_PAGE: usize = 200;

pub(super) fn router(state: Arc<ZohoState>) -> Router {
    Router::new()
        .route("/books/v3/organizations", get(list_organizations))
        .route("/books/v3/invoices", get(list_invoices))
        .route("/books/v3/invoices/{id}", get(get_invoice))
        .route("/books/v3/contacts", get(list_contacts))
        .route("/books/v3/contacts/{id}", get(get_contact))
        .fallback(|| async { zoho_error(StatusCode::NOT_FOUND, 5, "Invalid URL Passed") })
        .with_state(state)
}

// ---------------------------------------------------------------- errors

pub(super) fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        )],
        body.to_string(),
    )
        .into_response()
}

/// `{"code": n, "message": "…"}`, Zoho's body for every error.
pub(super) fn zoho_error(status: StatusCode, code: i64, message: &str) -> Response {
    json_response(status, &json!({ "code": code, "message": message }))
}

pub(super) const TOO_MANY: &str =
    "You have made too many requests continuously. Please try again after some time.";
const DAILY_CAP: &str = "You have reached the maximum number of API requests allowed for the day. Please try again tomorrow.";

/// 429 as Zoho sends it: code 45 and the quota headers when known.
pub(super) fn rate_limited(
    message: &str,
    quota: Option<Quota>,
    retry_after: Option<f64>,
) -> Response {
    let mut response = zoho_error(StatusCode::TOO_MANY_REQUESTS, 45, message);
    if let Some(quota) = quota {
        quota_headers(response.headers_mut(), quota);
    }
    if let Some(secs) = retry_after {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(secs.ceil().max(0.0) as u64),
        );
    }
    response
}

/// A refusal on its way out, small enough to travel in a `Result`.
pub(super) enum Refusal {
    /// `{code, message}` with this status.
    Zoho {
        status: StatusCode,
        code: i64,
        message: String,
    },
    /// The fake's own per-minute or daily limit.
    Throttled {
        message: &'static str,
        quota: Option<Quota>,
    },
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::Zoho {
                status,
                code,
                message,
            } => zoho_error(status, code, &message),
            Refusal::Throttled { message, quota } => {
                let mut response = rate_limited(message, quota, None);
                response.extensions_mut().insert(PolicyRateLimited);
                response
            }
        }
    }
}

fn refusal(status: StatusCode, code: i64, message: impl Into<String>) -> Refusal {
    Refusal::Zoho {
        status,
        code,
        message: message.into(),
    }
}

pub(super) fn server_error(status: StatusCode) -> Response {
    zoho_error(status, 1000, "Internal error")
}

fn quota_headers(headers: &mut HeaderMap, quota: Quota) {
    for (name, value) in [
        ("x-rate-limit-limit", quota.limit.to_string()),
        ("x-rate-limit-remaining", quota.remaining.to_string()),
        ("x-rate-limit-reset", quota.reset_secs.to_string()),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
}

// ------------------------------------------------------------ the gate

/// The token from `Authorization: Zoho-oauthtoken <token>` (the only
/// scheme Zoho documents).
fn presented_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .trim()
        .strip_prefix("Zoho-oauthtoken ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

fn token_ok(state: &ZohoState, token: &str) -> bool {
    if state.config.tokens.iter().any(|t| t == token) {
        return true;
    }
    let oauth = state.lock().oauth.clone();
    oauth.is_some_and(|o| o.is_access_token_valid(token))
}

/// Checks the token, the organization and the limits; on success returns
/// the organization id and its quota for the response headers.
fn admit(
    state: &ZohoState,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
    org_scoped: bool,
) -> Result<Option<(String, Option<Quota>)>, Refusal> {
    if !presented_token(headers).is_some_and(|t| token_ok(state, t)) {
        return Err(refusal(
            StatusCode::UNAUTHORIZED,
            14,
            "Invalid OAuth token.",
        ));
    }
    if let Some((code, message)) = state.lock().code_answers.pop_front() {
        return Err(refusal(StatusCode::OK, code, message));
    }
    if !org_scoped {
        return Ok(None);
    }
    let Some(org) = params
        .get("organization_id")
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
    else {
        return Err(refusal(
            StatusCode::BAD_REQUEST,
            2,
            "Invalid value passed for organization_id",
        ));
    };
    let now = state.now();
    let arrived = state.arrival_ms();
    let mut data = state.lock();
    if data.org(org).is_none() {
        return Err(refusal(
            StatusCode::OK,
            6041,
            format!("This user is not associated with the CompanyID/CompanyName:{org}."),
        ));
    }
    match data.admit(&state.config, org, now, arrived) {
        Ok(quota) => Ok(Some((org.to_owned(), quota))),
        Err((throttle, quota)) => {
            let message = match throttle {
                Throttle::PerMinute => TOO_MANY,
                Throttle::Daily => DAILY_CAP,
            };
            Err(Refusal::Throttled { message, quota })
        }
    }
}

fn ok(mut body: Map<String, Value>, quota: Option<Quota>) -> Response {
    body.insert("code".into(), json!(0));
    body.insert("message".into(), json!("success"));
    let mut response = json_response(StatusCode::OK, &Value::Object(body));
    if let Some(quota) = quota {
        quota_headers(response.headers_mut(), quota);
    }
    response
}

fn invalid(param: &str) -> Refusal {
    refusal(
        StatusCode::BAD_REQUEST,
        2,
        format!("Invalid value passed for {param}"),
    )
}

// --------------------------------------------------------------- render

fn amount(cents: i64) -> Value {
    serde_json::Number::from_f64(cents as f64 / 100.0).map_or(Value::Null, Value::Number)
}

/// `2013-11-18T02:17:40-0800`: Zoho's offset without a colon (US Pacific
/// here, so clients must honour the offset).
fn zoho_time(secs: i64) -> String {
    let pacific = chrono::FixedOffset::west_opt(8 * 3600);
    match pacific.and_then(|tz| tz.timestamp_opt(secs, 0).single()) {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%z").to_string(),
        None => " ".into(),
    }
}

fn text_or_space(text: &str) -> Value {
    json!(if text.is_empty() { " " } else { text })
}

/// A zip of plain digits without a leading zero is a JSON number, as in
/// Zoho's examples; others stay strings.
fn zip(text: &str) -> Value {
    match text.parse::<u64>() {
        Ok(n) if !text.starts_with('0') => json!(n),
        _ => json!(text),
    }
}

fn address(a: &FakeZohoAddress) -> Value {
    json!({"address": a.address, "street2": a.street2, "city": a.city, "state": a.state,
           "zip": zip(&a.zip), "country": a.country, "fax": ""})
}

fn invoice_row(
    i: &FakeZohoInvoice,
    customer: Option<&FakeZohoContact>,
    today: NaiveDate,
) -> Map<String, Value> {
    let days = (i.due_date - today).num_days();
    let due_days = if days >= 0 {
        format!("Due in {days} day(s)")
    } else {
        format!("Overdue by {} day(s)", -days)
    };
    let row = json!({
        "invoice_id": i.invoice_id,
        "customer_name": customer.map_or("", |c| c.contact_name.as_str()),
        "customer_id": i.customer_id,
        "status": i.status.as_str(),
        "invoice_number": i.invoice_number,
        "reference_number": " ",
        "date": i.date.to_string(),
        "due_date": i.due_date.to_string(),
        "due_days": due_days,
        "currency_id": "982000000000190",
        "currency_code": i.currency_code,
        "total": amount(i.total_cents),
        "balance": amount(i.balance_cents),
        "created_time": zoho_time(i.created_time),
        "last_modified_time": zoho_time(i.created_time),
        "is_emailed": i.status != ZohoStatus::Draft,
        "last_payment_date": " ",
        "payment_expected_date": " ",
        "exchange_rate": 1,
        "write_off_amount": 0,
        "adjustment": 0,
        "shipping_charge": 0,
    });
    match row {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn contact_row(c: &FakeZohoContact) -> Map<String, Value> {
    let row = json!({
        "contact_id": c.contact_id,
        "contact_name": c.contact_name,
        "company_name": c.company_name,
        "contact_type": "customer",
        "customer_sub_type": c.customer_sub_type,
        "status": "active",
        "first_name": c.first_name,
        "last_name": c.last_name,
        "email": c.email,
        "phone": c.phone,
        "mobile": "",
        "currency_code": "",
        "created_time": "2013-08-05T12:06:10+0530",
        "last_modified_time": "2013-10-07T18:24:51+0530",
    });
    match row {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

fn contact_detail(c: &FakeZohoContact) -> Value {
    let mut row = contact_row(c);
    row.insert("billing_address".into(), address(&c.billing_address));
    row.insert(
        "shipping_address".into(),
        address(&FakeZohoAddress::default()),
    );
    row.insert("vat_reg_no".into(), text_or_space(&c.vat_reg_no));
    row.insert(
        "contact_persons".into(),
        json!([{"contact_person_id": format!("{}1", c.contact_id), "first_name": c.first_name,
                "last_name": c.last_name, "email": c.email, "phone": c.phone, "mobile": "",
                "is_primary_contact": true}]),
    );
    Value::Object(row)
}

// ------------------------------------------------------------- params

fn page_params(params: &HashMap<String, String>) -> Result<(usize, usize), Refusal> {
    let number = |name: &str, default: usize| match params.get(name) {
        None => Ok(default),
        Some(v) => v.trim().parse::<usize>().map_err(|_| invalid(name)),
    };
    let page = number("page", 1)?;
    let per_page = number("per_page", MAX_PER_PAGE)?;
    if page == 0 {
        return Err(invalid("page"));
    }
    if per_page == 0 || per_page > MAX_PER_PAGE {
        return Err(invalid("per_page"));
    }
    Ok((page, per_page))
}

/// `filter_by=Status.*` (the views Zoho's UI has: `Status.Unpaid` includes
/// overdue and partially paid) and `status=` (taken literally here:
/// `status=unpaid` is only the `unpaid` status, the stricter reading).
fn status_filter(params: &HashMap<String, String>) -> Result<Vec<ZohoStatus>, Refusal> {
    let mut allowed: Vec<ZohoStatus> = ZohoStatus::ALL.to_vec();
    if let Some(view) = params.get("filter_by") {
        allowed = match view.trim() {
            "Status.All" | "Date.PaymentExpectedDate" => ZohoStatus::ALL.to_vec(),
            "Status.Sent" => vec![ZohoStatus::Sent],
            "Status.Draft" => vec![ZohoStatus::Draft],
            "Status.OverDue" => vec![ZohoStatus::Overdue],
            "Status.Paid" => vec![ZohoStatus::Paid],
            "Status.Void" => vec![ZohoStatus::Void],
            "Status.Unpaid" => ZohoStatus::ALL
                .into_iter()
                .filter(|s| s.is_unpaid())
                .collect(),
            "Status.PartiallyPaid" => vec![ZohoStatus::PartiallyPaid],
            "Status.Viewed" => vec![ZohoStatus::Viewed],
            _ => return Err(invalid("filter_by")),
        };
    }
    if let Some(status) = params.get("status") {
        let Some(status) = ZohoStatus::parse(status.trim()) else {
            return Err(invalid("status"));
        };
        allowed.retain(|s| *s == status);
    }
    Ok(allowed)
}

/// `{field}`, `{field}_start`, `{field}_end`, `{field}_before`,
/// `{field}_after` as a predicate on a date.
fn date_filter(
    params: &HashMap<String, String>,
    field: &str,
) -> Result<impl Fn(NaiveDate) -> bool, Refusal> {
    let mut bounds: Vec<(&'static str, NaiveDate)> = Vec::new();
    for (suffix, op) in [
        ("", "eq"),
        ("_start", "ge"),
        ("_end", "le"),
        ("_before", "lt"),
        ("_after", "gt"),
    ] {
        let name = format!("{field}{suffix}");
        if let Some(value) = params.get(&name) {
            let date =
                NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").map_err(|_| invalid(&name))?;
            bounds.push((op, date));
        }
    }
    Ok(move |d: NaiveDate| {
        bounds.iter().all(|(op, b)| match *op {
            "eq" => d == *b,
            "ge" => d >= *b,
            "le" => d <= *b,
            "lt" => d < *b,
            _ => d > *b,
        })
    })
}

fn page_context(page: usize, per_page: usize, has_more: bool, extra: Value) -> Value {
    let mut context = json!({"page": page, "per_page": per_page, "has_more_page": has_more});
    if let (Some(map), Value::Object(extra)) = (context.as_object_mut(), extra) {
        map.extend(extra);
    }
    context
}

// --------------------------------------------------------------- routes

async fn list_organizations(
    State(state): St,
    headers: HeaderMap,
    Query(params): Params,
) -> Response {
    if let Err(refused) = admit(&state, &headers, &params, false) {
        return refused.into_response();
    }
    let orgs: Vec<Value> = state
        .lock()
        .orgs
        .iter()
        .map(|o| {
            let o = &o.org;
            json!({"organization_id": o.organization_id, "name": o.name,
                   "contact_name": "Demo Owner", "email": "owner@example.com",
                   "is_default_org": o.is_default_org, "plan_name": o.plan_name,
                   "time_zone": "PST", "is_org_active": true, "currency_code": o.currency_code,
                   "currency_symbol": "", "country": o.country, "price_precision": 2})
        })
        .collect();
    let mut body = Map::new();
    body.insert("organizations".into(), Value::Array(orgs));
    ok(body, None)
}

async fn list_invoices(State(state): St, headers: HeaderMap, Query(params): Params) -> Response {
    let (org_id, quota) = match admit(&state, &headers, &params, true) {
        Ok(Some(admitted)) => admitted,
        Ok(None) => return server_error(StatusCode::INTERNAL_SERVER_ERROR),
        Err(refused) => return refused.into_response(),
    };
    let (page, per_page) = match page_params(&params) {
        Ok(p) => p,
        Err(refused) => return refused.into_response(),
    };
    let statuses = match status_filter(&params) {
        Ok(s) => s,
        Err(refused) => return refused.into_response(),
    };
    let (dated, due) = match (
        date_filter(&params, "date"),
        date_filter(&params, "due_date"),
    ) {
        (Ok(d), Ok(u)) => (d, u),
        (Err(refused), _) | (_, Err(refused)) => return refused.into_response(),
    };
    let customer = params.get("customer_id").map(|c| c.trim().to_owned());
    let today = state.now().date_naive();
    let mut data = state.lock();
    if data.empty_pages > 0 {
        data.empty_pages -= 1;
        let mut body = Map::new();
        body.insert("invoices".into(), json!([]));
        body.insert(
            "page_context".into(),
            page_context(page, per_page, true, json!({})),
        );
        return ok(body, quota);
    }
    let Some(org) = data.org(&org_id) else {
        return server_error(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let matching: Vec<&FakeZohoInvoice> = org
        .invoices
        .iter()
        .filter(|i| statuses.contains(&i.status))
        .filter(|i| dated(i.date) && due(i.due_date))
        .filter(|i| customer.as_ref().is_none_or(|c| *c == i.customer_id))
        .collect();
    let start = (page - 1).saturating_mul(per_page);
    let rows: Vec<Value> = matching
        .iter()
        .skip(start)
        .take(per_page)
        .map(|i| Value::Object(invoice_row(i, org.contact(&i.customer_id), today)))
        .collect();
    let has_more = start.saturating_add(per_page) < matching.len();
    let applied = params
        .get("filter_by")
        .cloned()
        .unwrap_or_else(|| "Status.All".into());
    let mut body = Map::new();
    body.insert("invoices".into(), Value::Array(rows));
    body.insert(
        "page_context".into(),
        page_context(
            page,
            per_page,
            has_more,
            json!({"report_name": "Invoices",
            "applied_filter": applied, "sort_column": "created_time", "sort_order": "D"}),
        ),
    );
    ok(body, quota)
}

async fn get_invoice(
    State(state): St,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Params,
) -> Response {
    let (org_id, quota) = match admit(&state, &headers, &params, true) {
        Ok(Some(admitted)) => admitted,
        Ok(None) => return server_error(StatusCode::INTERNAL_SERVER_ERROR),
        Err(refused) => return refused.into_response(),
    };
    let today = state.now().date_naive();
    let data = state.lock();
    let Some(org) = data.org(&org_id) else {
        return server_error(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let Some(invoice) = org.invoices.iter().find(|i| i.invoice_id == id) else {
        return zoho_error(StatusCode::NOT_FOUND, 1002, "Invoice does not exist.");
    };
    let customer = org.contact(&invoice.customer_id);
    let mut row = invoice_row(invoice, customer, today);
    row.insert(
        "billing_address".into(),
        address(
            &customer
                .map(|c| c.billing_address.clone())
                .unwrap_or_default(),
        ),
    );
    row.insert(
        "line_items".into(),
        json!([{"name": "Services", "description": invoice.line_description,
                "quantity": 1, "rate": amount(invoice.total_cents), "item_total": amount(invoice.total_cents)}]),
    );
    row.insert(
        "payment_made".into(),
        amount(invoice.total_cents - invoice.balance_cents),
    );
    let mut body = Map::new();
    body.insert("invoice".into(), Value::Object(row));
    ok(body, quota)
}

async fn list_contacts(State(state): St, headers: HeaderMap, Query(params): Params) -> Response {
    let (org_id, quota) = match admit(&state, &headers, &params, true) {
        Ok(Some(admitted)) => admitted,
        Ok(None) => return server_error(StatusCode::INTERNAL_SERVER_ERROR),
        Err(refused) => return refused.into_response(),
    };
    let (page, per_page) = match page_params(&params) {
        Ok(p) => p,
        Err(refused) => return refused.into_response(),
    };
    let data = state.lock();
    let Some(org) = data.org(&org_id) else {
        return server_error(StatusCode::INTERNAL_SERVER_ERROR);
    };
    let start = (page - 1).saturating_mul(per_page);
    let rows: Vec<Value> = org
        .contacts
        .iter()
        .skip(start)
        .take(per_page)
        .map(|c| Value::Object(contact_row(c)))
        .collect();
    let has_more = start.saturating_add(per_page) < org.contacts.len();
    let mut body = Map::new();
    body.insert("contacts".into(), Value::Array(rows));
    body.insert(
        "page_context".into(),
        page_context(
            page,
            per_page,
            has_more,
            json!({"applied_filter": "Status.All",
            "sort_column": "contact_name", "sort_order": "A"}),
        ),
    );
    ok(body, quota)
}

async fn get_contact(
    State(state): St,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(params): Params,
) -> Response {
    let (org_id, quota) = match admit(&state, &headers, &params, true) {
        Ok(Some(admitted)) => admitted,
        Ok(None) => return server_error(StatusCode::INTERNAL_SERVER_ERROR),
        Err(refused) => return refused.into_response(),
    };
    let data = state.lock();
    let Some(contact) = data.org(&org_id).and_then(|o| o.contact(&id)) else {
        return zoho_error(StatusCode::NOT_FOUND, 1002, "Contact does not exist.");
    };
    let mut body = Map::new();
    body.insert("contact".into(), contact_detail(contact));
    ok(body, quota)
}
