//! HTTP side of the QuickBooks fake: the gate (token, company, minor
//! version, throttles, service time), the query endpoint and the reads,
//! and QuickBooks' JSON shapes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use rand::Rng;
use serde_json::{json, Map, Value};

use super::model::{FakeCompany, FakeQboAddress, FakeQboCustomer, FakeQboInvoice};
use super::query::{self, Entity, Op, QueryError};
use super::{Books, FaultIn200, QboState};
use crate::oauth::AccessCheck;
use crate::server::{ArrivedAt, PolicyRateLimited};

type St = State<Arc<QboState>>;

pub(super) fn router(state: Arc<QboState>) -> Router {
    Router::new()
        .route("/v3/company/{realm}/query", get(run_query))
        .route("/v3/company/{realm}/invoice/{id}", get(read_invoice))
        .route("/v3/company/{realm}/customer/{id}", get(read_customer))
        .route("/v3/company/{realm}/companyinfo/{id}", get(company_info))
        .route("/v3/company/{realm}/preferences", get(preferences))
        .route_layer(middleware::from_fn_with_state(state.clone(), gate))
        .fallback(unknown_url)
        .with_state(state)
}

// ---------------------------------------------------------------- shapes

fn offset(company: Option<&FakeCompany>) -> FixedOffset {
    company
        .and_then(|c| FixedOffset::east_opt(c.utc_offset_hours * 3600))
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC is an offset"))
}

/// `2020-09-29T05:58:07-07:00` (MetaData).
fn meta_time(at: DateTime<Utc>, company: &FakeCompany) -> String {
    at.with_timezone(&offset(Some(company)))
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// `2020-09-29T06:04:49.352-07:00` (every envelope's `time`).
fn envelope_time(state: &QboState, company: Option<&FakeCompany>) -> String {
    state
        .now()
        .with_timezone(&offset(company))
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
}

/// The documented `Fault` envelope.
fn fault(
    state: &QboState,
    status: StatusCode,
    kind: &str,
    code: &str,
    message: &str,
    detail: &str,
) -> Response {
    json_response(
        status,
        &json!({
            "Fault": {
                "Error": [{ "Message": message, "Detail": detail, "code": code, "element": "" }],
                "type": kind
            },
            "time": envelope_time(state, None)
        }),
    )
}

fn query_fault(state: &QboState, error: &QueryError) -> Response {
    fault(
        state,
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        error.code,
        error.message,
        &error.detail,
    )
}

/// The gateway's 401, in the lower-case shape recorded upstream. The
/// recorded detail quoted the token; ours never does.
fn unauthorized(detail: &str) -> Response {
    let mut response = json_response(
        StatusCode::UNAUTHORIZED,
        &json!({
            "warnings": null,
            "intuitObject": null,
            "fault": {
                "error": [{
                    "message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                    "detail": detail,
                    "code": "3200",
                    "element": null
                }],
                "type": "AUTHENTICATION"
            },
            "report": null,
            "queryResponse": null,
            "batchItemResponse": [],
            "attachableResponse": [],
            "syncErrorResponse": null,
            "requestId": null,
            "time": 0,
            "status": null,
            "cdcresponse": []
        }),
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"Intuit\", error=\"invalid_token\""),
    );
    response
}

fn forbidden(state: &QboState) -> Response {
    fault(
        state,
        StatusCode::FORBIDDEN,
        "AuthorizationFault",
        "120",
        "Authorization Failure",
        "AuthorizationFailure: the token does not give access to this company",
    )
}

/// 429 `ThrottleExceeded`. QuickBooks documents no `Retry-After`; injected
/// faults may ask for one.
pub(super) fn throttled(state: &QboState, retry_after: Option<f64>) -> Response {
    let mut response = fault(
        state,
        StatusCode::TOO_MANY_REQUESTS,
        "SERVICE",
        "3001",
        "message=ThrottleExceeded; errorCode=003001; statusCode=429",
        "The request limit was reached.",
    );
    if let Some(secs) = retry_after {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(secs.ceil().max(0.0) as u64),
        );
    }
    response
}

/// 500 from the API (a `SystemFault`); other 5xx from the gateway, in HTML.
pub(super) fn server_error(state: &QboState, status: StatusCode) -> Response {
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        return fault(
            state,
            status,
            "SystemFault",
            "10000",
            "An application error has occurred while processing your request",
            "System Failure Error: An unexpected error occurred",
        );
    }
    let reason = status.canonical_reason().unwrap_or("Server Error");
    let mut response = (
        status,
        format!(
            "<html><body><h1>{} {reason}</h1></body></html>",
            status.as_u16()
        ),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

fn fault_in_200(state: &QboState, kind: FaultIn200) -> Response {
    match kind {
        FaultIn200::System => fault(
            state,
            StatusCode::OK,
            "SystemFault",
            "10000",
            "An application error has occurred while processing your request",
            "System Failure Error: could not complete the request",
        ),
        FaultIn200::Validation => fault(
            state,
            StatusCode::OK,
            "ValidationFault",
            "4001",
            "Invalid query",
            "QueryValidationError: the query could not be run",
        ),
    }
}

fn money(cents: i64) -> Value {
    json!(cents as f64 / 100.0)
}

fn currency_name(code: &str) -> &'static str {
    match code {
        "USD" => "United States Dollar",
        "DKK" => "Danish Krone",
        "EUR" => "Euro",
        "GBP" => "British Pound Sterling",
        "CAD" => "Canadian Dollar",
        _ => "Currency",
    }
}

fn address(addr: &FakeQboAddress, id: usize) -> Value {
    let mut out = Map::new();
    out.insert("Id".into(), json!(id.to_string()));
    for (n, line) in addr.lines.iter().take(5).enumerate() {
        out.insert(format!("Line{}", n + 1), json!(line));
    }
    let fields = [
        ("City", &addr.city),
        ("CountrySubDivisionCode", &addr.region),
        ("PostalCode", &addr.postal_code),
        ("Country", &addr.country),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            out.insert(key.into(), json!(value));
        }
    }
    Value::Object(out)
}

fn render_customer(c: &FakeQboCustomer, company: &FakeCompany) -> Value {
    let mut out = json!({
        "Taxable": false,
        "Job": false,
        "BillWithParent": false,
        "Balance": 0,
        "BalanceWithJobs": 0,
        "CurrencyRef": { "value": company.home_currency, "name": currency_name(&company.home_currency) },
        "PreferredDeliveryMethod": "Print",
        "domain": "QBO",
        "sparse": false,
        "Id": c.id,
        "SyncToken": "0",
        "MetaData": { "CreateTime": "2015-10-01T16:48:43-07:00", "LastUpdatedTime": "2015-10-01T16:48:43-07:00" },
        "FullyQualifiedName": c.display_name,
        "DisplayName": c.display_name,
        "PrintOnCheckName": c.display_name,
        "Active": c.active,
    });
    let Some(obj) = out.as_object_mut() else {
        return out;
    };
    let optional = [
        ("GivenName", &c.given_name),
        ("FamilyName", &c.family_name),
        ("CompanyName", &c.company_name),
    ];
    for (key, value) in optional {
        if let Some(value) = value {
            obj.insert(key.into(), json!(value));
        }
    }
    if let Some(email) = &c.email {
        obj.insert("PrimaryEmailAddr".into(), json!({ "Address": email }));
    }
    if let Some(phone) = &c.phone {
        obj.insert("PrimaryPhone".into(), json!({ "FreeFormNumber": phone }));
    }
    if let Some(addr) = &c.bill_addr {
        obj.insert("BillAddr".into(), address(addr, 1));
        obj.insert("ShipAddr".into(), address(addr, 1));
    }
    out
}

fn render_invoice(inv: &FakeQboInvoice, books: &Books) -> Value {
    let company = &books.company;
    let customer_name = books
        .customer(&inv.customer_id)
        .map(|c| c.display_name.clone())
        .unwrap_or_default();
    let mut lines: Vec<Value> = inv
        .lines
        .iter()
        .enumerate()
        .map(|(n, (description, cents))| {
            json!({
                "Id": (n + 1).to_string(),
                "LineNum": n + 1,
                "Description": description,
                "Amount": money(if inv.voided { 0 } else { *cents }),
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": { "ItemRef": { "value": "1", "name": "Services" }, "TaxCodeRef": { "value": "NON" } }
            })
        })
        .collect();
    lines.push(json!({
        "Amount": money(inv.total_shown()),
        "DetailType": "SubTotalLineDetail",
        "SubTotalLineDetail": {}
    }));
    let mut out = json!({
        "AllowIPNPayment": false,
        "AllowOnlinePayment": false,
        "AllowOnlineCreditCardPayment": false,
        "AllowOnlineACHPayment": false,
        "domain": "QBO",
        "sparse": false,
        "Id": inv.id,
        "SyncToken": "0",
        "MetaData": {
            "CreateTime": meta_time(inv.created, company),
            "LastUpdatedTime": meta_time(inv.created, company)
        },
        "CustomField": [],
        "TxnDate": inv.txn_date.to_string(),
        "LinkedTxn": [],
        "Line": lines,
        "TxnTaxDetail": { "TotalTax": 0 },
        "CustomerRef": { "value": inv.customer_id, "name": customer_name },
        "TotalAmt": money(inv.total_shown()),
        "ApplyTaxAfterDiscount": false,
        "PrintStatus": "NeedToPrint",
        "EmailStatus": "NotSet",
        "Balance": money(inv.balance_shown()),
    });
    let Some(obj) = out.as_object_mut() else {
        return out;
    };
    if let Some(number) = &inv.doc_number {
        obj.insert("DocNumber".into(), json!(number));
    }
    if let Some(due) = inv.due_date {
        obj.insert("DueDate".into(), json!(due.to_string()));
    }
    let currency = inv.currency.as_deref().unwrap_or(&company.home_currency);
    if company.multicurrency {
        obj.insert(
            "CurrencyRef".into(),
            json!({ "value": currency, "name": currency_name(currency) }),
        );
    }
    if let Some(email) = &inv.bill_email {
        obj.insert("BillEmail".into(), json!({ "Address": email }));
    }
    if let Some(addr) = &inv.bill_addr {
        obj.insert("BillAddr".into(), address(addr, 2));
    }
    if inv.voided {
        obj.insert("PrivateNote".into(), json!("Voided"));
    }
    out
}

// ---------------------------------------------------------------- gate

fn realm_of(path: &str) -> Option<&str> {
    let mut segments = path.trim_start_matches('/').split('/');
    match (segments.next(), segments.next(), segments.next()) {
        (Some("v3"), Some("company"), Some(realm)) => Some(realm),
        _ => None,
    }
}

fn bearer(req: &Request) -> Option<&str> {
    req.headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Why this token may not read `realm`, as the answer to send; `None`
/// when it may.
fn refusal(state: &QboState, token: Option<&str>, realm: &str) -> Option<Response> {
    let Some(token) = token else {
        return Some(unauthorized("Token invalid"));
    };
    let (fixed, oauth) = {
        let data = state.lock();
        (data.tokens.get(token).copied(), data.oauth.clone())
    };
    match fixed {
        Some(true) => return None,
        Some(false) => return Some(unauthorized("Token expired")),
        None => {}
    }
    match oauth.map(|o| o.check_access_token(token)) {
        Some(AccessCheck::Valid { realm_id }) => match realm_id {
            Some(bound) if bound != realm => Some(forbidden(state)),
            _ => None,
        },
        Some(AccessCheck::Expired) => Some(unauthorized("Token expired")),
        _ => Some(unauthorized("Token invalid")),
    }
}

/// Frees the request's in-flight slot however the request ends.
struct InFlight {
    state: Arc<QboState>,
    realm: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(n) = self.state.lock().in_flight.get_mut(&self.realm) {
            *n = n.saturating_sub(1);
        }
    }
}

fn minor_version_refused(req: &Request) -> Option<String> {
    let query = req.uri().query()?;
    let value = url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "minorversion")
        .map(|(_, v)| v.into_owned())?;
    match value.parse::<u32>() {
        Ok(v) if v >= 75 => None,
        _ => Some(value),
    }
}

fn policy_throttled(state: &QboState) -> Response {
    let mut response = throttled(state, None);
    response.extensions_mut().insert(PolicyRateLimited);
    response
}

async fn gate(State(state): St, req: Request, next: Next) -> Response {
    let Some(realm) = realm_of(req.uri().path()).map(str::to_owned) else {
        return unknown_url().await;
    };
    if let Some(refusal) = refusal(&state, bearer(&req), &realm) {
        return refusal;
    }
    if !state.lock().books.contains_key(&realm) {
        return forbidden(&state);
    }
    if let Some(version) = minor_version_refused(&req) {
        return fault(
            &state,
            StatusCode::BAD_REQUEST,
            "ValidationFault",
            "4000",
            "Invalid minor version",
            &format!("minorversion={version} is no longer supported; use 75 or later"),
        );
    }
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let admitted = {
        // The middleware's stamp, taken before anything else ran: a stamp
        // taken here would come late whenever the fake is busy, and the
        // limiter would see arrivals closer together than they were.
        let arrived = req.extensions().get::<ArrivedAt>().map_or_else(
            || state.now().timestamp_millis(),
            |at| at.0.timestamp_millis(),
        );
        let mut data = state.lock();
        let limits = state.config.rate_limits;
        let in_flight = data.in_flight.get(&realm).copied().unwrap_or(0);
        let allowed = match limits {
            None => true,
            Some(limits) => {
                in_flight < limits.concurrent
                    && data
                        .arrivals
                        .entry(realm.clone())
                        .or_default()
                        .admit(&limits, arrived)
            }
        };
        if allowed {
            *data.in_flight.entry(realm.clone()).or_default() += 1;
        }
        allowed
    };
    if !admitted {
        return policy_throttled(&state);
    }
    let _slot = InFlight {
        state: state.clone(),
        realm,
    };
    let (service, tid, queued) = {
        let mut guard = state.lock();
        let data = &mut *guard;
        let service = match data.service_time_ms {
            Some((min, max)) => Some(data.rng.random_range(min..=max)),
            None => None,
        };
        data.transactions += 1;
        let queued = data.faults_in_200.pop_front();
        (
            service,
            format!(
                "1-{:08x}-{:016x}",
                data.transactions,
                data.rng.random::<u64>()
            ),
            queued,
        )
    };
    if let Some(ms) = service {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let mut response = match queued {
        Some(kind) => fault_in_200(&state, kind),
        None if !wants_json => xml_answer(&state),
        None => next.run(req).await,
    };
    if let Ok(value) = HeaderValue::from_str(&tid) {
        response.headers_mut().insert("intuit_tid", value);
    }
    response
}

/// Without `Accept: application/json`, QuickBooks answers XML.
fn xml_answer(state: &QboState) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><IntuitResponse xmlns=\"http://schema.intuit.com/finance/v3\" time=\"{}\"/>",
        envelope_time(state, None)
    );
    let mut response = (StatusCode::OK, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    response
}

async fn unknown_url() -> Response {
    (StatusCode::NOT_FOUND, "Not Found").into_response()
}

// ---------------------------------------------------------------- query

#[derive(Debug, Clone, PartialEq)]
enum Field {
    Num(f64),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    Text(String),
    Bool(bool),
    Null,
}

fn invoice_field(inv: &FakeQboInvoice, name: &str) -> Option<Field> {
    let cents = |c: i64| Field::Num(c as f64 / 100.0);
    Some(match name {
        "Id" => inv.id.parse().map_or(Field::Null, Field::Num),
        "DocNumber" => inv.doc_number.clone().map_or(Field::Null, Field::Text),
        "TxnDate" => Field::Date(inv.txn_date),
        "DueDate" => inv.due_date.map_or(Field::Null, Field::Date),
        "Balance" => cents(inv.balance_shown()),
        "TotalAmt" => cents(inv.total_shown()),
        "CustomerRef" => Field::Text(inv.customer_id.clone()),
        "MetaData.CreateTime" | "MetaData.LastUpdatedTime" => Field::Time(inv.created),
        _ => return None,
    })
}

fn customer_field(c: &FakeQboCustomer, name: &str) -> Option<Field> {
    let text = |v: &Option<String>| v.clone().map_or(Field::Null, Field::Text);
    Some(match name {
        "Id" => c.id.parse().map_or(Field::Null, Field::Num),
        "DisplayName" => Field::Text(c.display_name.clone()),
        "CompanyName" => text(&c.company_name),
        "GivenName" => text(&c.given_name),
        "FamilyName" => text(&c.family_name),
        "Active" => Field::Bool(c.active),
        _ => return None,
    })
}

fn bad_value(field: &str, value: &str) -> QueryError {
    query::invalid(format!("invalid value '{value}' for property '{field}'"))
}

/// `field op value` for one literal.
fn compare(field_name: &str, field: &Field, op: Op, value: &str) -> Result<bool, QueryError> {
    use std::cmp::Ordering;
    let ordering: Option<Ordering> = match field {
        Field::Null => return Ok(false),
        Field::Num(n) => {
            let v: f64 = value
                .trim()
                .parse()
                .map_err(|_| bad_value(field_name, value))?;
            n.partial_cmp(&v)
        }
        Field::Date(d) => {
            let v = value
                .get(..10)
                .and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
                .ok_or_else(|| bad_value(field_name, value))?;
            Some(d.cmp(&v))
        }
        Field::Time(t) => {
            let v = DateTime::parse_from_rfc3339(value)
                .map(|v| v.with_timezone(&Utc))
                .ok()
                .or_else(|| {
                    NaiveDate::parse_from_str(value, "%Y-%m-%d")
                        .ok()
                        .map(|d| d.and_time(chrono::NaiveTime::MIN).and_utc())
                })
                .ok_or_else(|| bad_value(field_name, value))?;
            Some(t.cmp(&v))
        }
        Field::Text(t) => Some(t.as_str().cmp(value)),
        Field::Bool(b) => {
            let v: bool = value
                .trim()
                .to_ascii_lowercase()
                .parse()
                .map_err(|_| bad_value(field_name, value))?;
            Some(b.cmp(&v))
        }
    };
    let Some(ordering) = ordering else {
        return Ok(false);
    };
    Ok(match op {
        Op::Eq | Op::In => ordering == Ordering::Equal,
        Op::Ne => ordering != Ordering::Equal,
        Op::Lt => ordering == Ordering::Less,
        Op::Le => ordering != Ordering::Greater,
        Op::Gt => ordering == Ordering::Greater,
        Op::Ge => ordering != Ordering::Less,
    })
}

fn matches(
    field_of: &dyn Fn(&str) -> Option<Field>,
    conditions: &[query::Condition],
) -> Result<bool, QueryError> {
    for c in conditions {
        let field = field_of(&c.field).unwrap_or(Field::Null);
        let mut any = false;
        for value in &c.values {
            if compare(&c.field, &field, c.op, value)? {
                any = true;
                break;
            }
        }
        if !any {
            return Ok(false);
        }
    }
    Ok(true)
}

fn not_queryable(name: &str) -> QueryError {
    query::invalid(format!("property '{name}' is not queryable"))
}

enum Row<'a> {
    Invoice(&'a FakeQboInvoice),
    Customer(&'a FakeQboCustomer),
}

/// Rows of the answer (only the page, rendered), plus the count before
/// paging.
fn select(books: &Books, q: &query::Query) -> Result<(usize, Vec<Value>), QueryError> {
    let probe_invoice = FakeQboInvoice {
        id: String::new(),
        doc_number: None,
        txn_date: NaiveDate::MIN,
        due_date: None,
        total_cents: 0,
        balance_cents: 0,
        currency: None,
        customer_id: String::new(),
        voided: false,
        created: DateTime::<Utc>::MIN_UTC,
        lines: Vec::new(),
        bill_email: None,
        bill_addr: None,
    };
    let probe_customer = FakeQboCustomer {
        id: String::new(),
        display_name: String::new(),
        company_name: None,
        given_name: None,
        family_name: None,
        email: None,
        phone: None,
        bill_addr: None,
        active: true,
    };
    let known = |name: &str| match q.entity {
        Entity::Invoice => invoice_field(&probe_invoice, name).is_some(),
        Entity::Customer => customer_field(&probe_customer, name).is_some(),
    };
    for name in q
        .conditions
        .iter()
        .map(|c| c.field.as_str())
        .chain(q.order.iter().map(|(f, _)| f.as_str()))
    {
        if !known(name) {
            return Err(not_queryable(name));
        }
    }
    let key = |f: Option<Field>| match f {
        Some(Field::Num(n)) => (0, n, String::new()),
        Some(Field::Text(t)) => (0, 0.0, t),
        Some(Field::Date(d)) => (0, 0.0, d.to_string()),
        Some(Field::Time(t)) => (0, t.timestamp() as f64, String::new()),
        Some(Field::Bool(b)) => (0, f64::from(u8::from(b)), String::new()),
        Some(Field::Null) | None => (1, 0.0, String::new()),
    };
    let order = q.order.clone().unwrap_or(("Id".to_owned(), false));
    // Match and sort first; render only the page asked for.
    let mut rows: Vec<((i32, f64, String), Row<'_>)> = Vec::new();
    match q.entity {
        Entity::Invoice => {
            for inv in &books.invoices {
                if matches(&|n| invoice_field(inv, n), &q.conditions)? {
                    rows.push((key(invoice_field(inv, &order.0)), Row::Invoice(inv)));
                }
            }
        }
        Entity::Customer => {
            // Inactive customers only when the query asks about Active.
            let asks_active = q.conditions.iter().any(|c| c.field == "Active");
            for c in &books.customers {
                if (c.active || asks_active) && matches(&|n| customer_field(c, n), &q.conditions)? {
                    rows.push((key(customer_field(c, &order.0)), Row::Customer(c)));
                }
            }
        }
    }
    let total = rows.len();
    if q.count {
        return Ok((total, Vec::new()));
    }
    // The books are kept in numeric id order: only another order sorts.
    if order.0 != "Id" {
        rows.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal));
    }
    if order.1 {
        rows.reverse();
    }
    let page = rows
        .into_iter()
        .skip(q.start - 1)
        .take(q.max)
        .map(|(_, row)| match row {
            Row::Invoice(inv) => render_invoice(inv, books),
            Row::Customer(c) => render_customer(c, &books.company),
        })
        .collect();
    Ok((total, page))
}

async fn run_query(
    State(state): St,
    Path(realm): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let Some(text) = params.get("query").filter(|q| !q.trim().is_empty()) else {
        // A bare /query is answered 200 with a SystemFault (reference §9).
        return fault(
            &state,
            StatusCode::OK,
            "SystemFault",
            "10000",
            "An application error has occurred while processing your request",
            "System Failure Error: query is required",
        );
    };
    let parsed = match query::parse(text) {
        Ok(q) => q,
        Err(e) => return query_fault(&state, &e),
    };
    if !state.lock().in_supported && parsed.conditions.iter().any(|c| c.op == Op::In) {
        return query_fault(
            &state,
            &QueryError {
                code: "4000",
                message: "Error parsing query",
                detail: "QueryParserError: Encountered \" IN \" at line 1.".into(),
            },
        );
    }
    if parsed.entity == Entity::Invoice && !parsed.count {
        let mut data = state.lock();
        if let Some(left) = data
            .failing_pages
            .get_mut(&parsed.start)
            .filter(|n| **n > 0)
        {
            *left -= 1;
            drop(data);
            return server_error(&state, StatusCode::INTERNAL_SERVER_ERROR);
        }
    }
    // Selecting, rendering and serializing a page of a large company takes
    // tens of milliseconds: on the blocking pool, from the company's own
    // handle on its books, not under the state lock. The fake serves from
    // one async worker, and while that worker waited on the lock (every
    // request's admission takes it) no other request was read, so arrivals
    // were stamped late and bunched: up to ~150 ms on a loaded machine,
    // enough to count requests sent 120 ms apart in the same second.
    let Some(books) = state.lock().books.get(&realm).cloned() else {
        return forbidden(&state);
    };
    let work = state.clone();
    let answered = tokio::task::spawn_blocking(move || {
        let (total, rows) = match select(&books, &parsed) {
            Ok(answer) => answer,
            Err(e) => return query_fault(&work, &e),
        };
        let time = envelope_time(&work, Some(&books.company));
        let body = if parsed.count {
            json!({ "QueryResponse": { "totalCount": total }, "time": time })
        } else if rows.is_empty() {
            json!({ "QueryResponse": {}, "time": time })
        } else {
            let key = match parsed.entity {
                Entity::Invoice => "Invoice",
                Entity::Customer => "Customer",
            };
            let shown = rows.len();
            json!({
                "QueryResponse": { key: rows, "startPosition": parsed.start, "maxResults": shown },
                "time": time
            })
        };
        json_response(StatusCode::OK, &body)
    })
    .await;
    answered.unwrap_or_else(|_| server_error(&state, StatusCode::INTERNAL_SERVER_ERROR))
}

fn object_not_found(state: &QboState, what: &str, id: &str) -> Response {
    fault(
        state,
        StatusCode::BAD_REQUEST,
        "ValidationFault",
        "610",
        "Object Not Found",
        &format!("Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. ({what} {id})"),
    )
}

async fn read_invoice(State(state): St, Path((realm, id)): Path<(String, String)>) -> Response {
    let data = state.lock();
    let found = data.books.get(&realm).and_then(|books| {
        books
            .invoices
            .iter()
            .find(|i| i.id == id)
            .map(|inv| (render_invoice(inv, books), books.company.clone()))
    });
    drop(data);
    match found {
        Some((invoice, company)) => json_response(
            StatusCode::OK,
            &json!({ "Invoice": invoice, "time": envelope_time(&state, Some(&company)) }),
        ),
        None => object_not_found(&state, "Invoice", &id),
    }
}

async fn read_customer(State(state): St, Path((realm, id)): Path<(String, String)>) -> Response {
    let data = state.lock();
    let found = data.books.get(&realm).and_then(|books| {
        books
            .customer(&id)
            .map(|c| (render_customer(c, &books.company), books.company.clone()))
    });
    drop(data);
    match found {
        Some((customer, company)) => json_response(
            StatusCode::OK,
            &json!({ "Customer": customer, "time": envelope_time(&state, Some(&company)) }),
        ),
        None => object_not_found(&state, "Customer", &id),
    }
}

async fn company_info(State(state): St, Path((realm, id)): Path<(String, String)>) -> Response {
    let company = state.lock().books.get(&realm).map(|b| b.company.clone());
    match company {
        Some(c) if id == realm => json_response(
            StatusCode::OK,
            &json!({
                "CompanyInfo": {
                    "CompanyName": c.name,
                    "LegalName": c.name,
                    "CompanyAddr": { "Id": "1", "Line1": "1 Demo Street", "Country": c.country },
                    "Country": c.country,
                    "SupportedLanguages": "en",
                    "domain": "QBO",
                    "sparse": false,
                    "Id": "1",
                    "SyncToken": "1"
                },
                "time": envelope_time(&state, Some(&c))
            }),
        ),
        _ => object_not_found(&state, "CompanyInfo", &id),
    }
}

async fn preferences(State(state): St, Path(realm): Path<String>) -> Response {
    let company = state.lock().books.get(&realm).map(|b| b.company.clone());
    match company {
        Some(c) => json_response(
            StatusCode::OK,
            &json!({
                "Preferences": {
                    "CurrencyPrefs": {
                        "MultiCurrencyEnabled": c.multicurrency,
                        "HomeCurrency": { "value": c.home_currency }
                    },
                    "domain": "QBO",
                    "sparse": false,
                    "Id": "1",
                    "SyncToken": "1"
                },
                "time": envelope_time(&state, Some(&c))
            }),
        ),
        None => forbidden(&state),
    }
}
