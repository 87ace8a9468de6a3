//! Fake of the QuickBooks Online Accounting API's read side (see
//! `shared/reference/quickbooks.md`):
//!
//! - `GET /v3/company/{realmId}/query?query=…` with the query-language
//!   subset clients use ([`query`]): `SELECT *` / `SELECT COUNT(*)` from
//!   `Invoice` or `Customer`, `WHERE` conditions joined by `AND` (`=`, `<`,
//!   `>`, `<=`, `>=`, `!=`, `IN`), `ORDERBY`, `STARTPOSITION` (1-based),
//!   `MAXRESULTS` (default 100, at most 1000). Past the last row the answer
//!   is `{"QueryResponse":{}}`, without the entity key. Parse errors answer
//!   400 with the recorded `Fault` shape (codes 4000/4001); a missing
//!   `query` answers HTTP 200 with a `SystemFault`, as QuickBooks does.
//! - `GET …/invoice/{id}`, `…/customer/{id}`, `…/companyinfo/{realmId}`,
//!   `…/preferences`.
//! - `Authorization: Bearer …` checked against fixed tokens and, once
//!   [`QuickBooksHandle::trust_oauth`] is called, the OAuth fake's tokens,
//!   which are bound to one company: expired/unknown tokens answer 401 with
//!   the gateway's lower-case `fault` (code 3200) and `WWW-Authenticate`;
//!   another company's token answers 403 `AuthorizationFault` (code 120).
//! - `minorversion` below 75 is refused (400), as support for 1–74 ended.
//! - Per company: 10 requests/s, 500 requests/min and 10 in flight; beyond
//!   them 429 with a `ThrottleExceeded` fault (code 3001) and no
//!   `Retry-After` (none is documented). Rejected requests count for
//!   nothing.
//! - Voided invoices: `TotalAmt` and `Balance` 0 and "Voided" in
//!   `PrivateNote`; paid ones `Balance` 0. Inactive (deleted) customers are
//!   left out of customer queries unless they ask for `Active`.
//! - Invoices changed after a fetch ([`InvoiceChange`]): paid, voided or deleted
//!   through [`QuickBooksHandle::change_invoice`] or
//!   `POST /__sandbox/quickbooks/{realmId}/invoices/{id}`.
//! - An optional service time per request, spent after the rate-limit
//!   check (as a real server's work is), so limits see true arrivals.
//!
//! It shares no types with the client: they meet only at the wire.

mod api;
mod changes;
mod model;
mod query;
mod seed;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::SeedableRng;

pub use changes::InvoiceChange;
pub use model::{FakeCompany, FakeQboAddress, FakeQboCustomer, FakeQboInvoice};
pub use seed::QboSeed;

use crate::clock::SharedClock;
use crate::faults::Seconds;
use crate::oauth::OAuthHandle;
use crate::server::{FakeControl, FakeServer, Provider};
use crate::SandboxError;

/// Access token the fake accepts for every company without the OAuth fake
/// (sandbox only; not the shape of a real token).
pub const DEMO_ACCESS_TOKEN: &str = "casebridge-demo-qbo-access-token"; // sandbox demo token
/// Requests per second per company (reference §7).
pub const PER_SECOND_LIMIT: usize = 10;
/// Requests per minute per company (reference §7).
pub const PER_MINUTE_LIMIT: usize = 500;
/// Requests in flight per company (reference §7).
pub const CONCURRENT_LIMIT: usize = 10;

/// QuickBooks' throttles, per company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QboRateLimits {
    pub per_second: usize,
    pub per_minute: usize,
    pub concurrent: usize,
}

impl Default for QboRateLimits {
    fn default() -> Self {
        QboRateLimits {
            per_second: PER_SECOND_LIMIT,
            per_minute: PER_MINUTE_LIMIT,
            concurrent: CONCURRENT_LIMIT,
        }
    }
}

/// A fault to answer with HTTP 200, which QuickBooks does at times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultIn200 {
    /// `SystemFault` (passes on retry).
    System,
    /// `ValidationFault` (does not).
    Validation,
}

/// How the QuickBooks fake behaves.
#[derive(Clone)]
pub struct QuickBooksConfig {
    /// Accepted for every company (besides the OAuth fake's, once trusted).
    /// `Debug` shows only how many.
    pub tokens: Vec<String>,
    /// The companies and what each holds.
    pub companies: Vec<(FakeCompany, QboSeed)>,
    /// `None` = no throttling (tests on a manual clock).
    pub rate_limits: Option<QboRateLimits>,
    /// Each request takes between these many milliseconds after admission.
    pub service_time_ms: Option<(u64, u64)>,
}

impl std::fmt::Debug for QuickBooksConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuickBooksConfig")
            .field("tokens", &self.tokens.len())
            .field("companies", &self.companies)
            .field("rate_limits", &self.rate_limits)
            .field("service_time_ms", &self.service_time_ms)
            .finish()
    }
}

/// The two demo companies (the realms the demo consent page offers, see
/// [`crate::demo::QUICKBOOKS_COMPANIES`]): a Danish multicurrency company
/// in DKK (some invoices in EUR) and a US company in USD without
/// multicurrency (no `CurrencyRef` on its invoices).
pub fn demo_companies() -> Vec<(FakeCompany, QboSeed)> {
    let [(dk_realm, dk_name), (us_realm, us_name)] = crate::demo::QUICKBOOKS_COMPANIES;
    vec![
        (
            FakeCompany {
                realm_id: dk_realm.into(),
                name: dk_name.into(),
                country: "DK".into(),
                home_currency: "DKK".into(),
                multicurrency: true,
                utc_offset_hours: 1,
            },
            QboSeed::Demo,
        ),
        (
            FakeCompany {
                realm_id: us_realm.into(),
                name: us_name.into(),
                country: "US".into(),
                home_currency: "USD".into(),
                multicurrency: false,
                utc_offset_hours: -8,
            },
            QboSeed::Demo,
        ),
    ]
}

impl Default for QuickBooksConfig {
    fn default() -> Self {
        QuickBooksConfig {
            tokens: vec![DEMO_ACCESS_TOKEN.into()],
            companies: demo_companies(),
            rate_limits: Some(QboRateLimits::default()),
            service_time_ms: None,
        }
    }
}

/// One company's books, each list sorted by numeric id. Shared as
/// `Arc<Books>`: a query renders its page from its own handle without
/// holding the state lock, and writers copy on write.
#[derive(Clone)]
pub(crate) struct Books {
    pub company: FakeCompany,
    pub customers: Vec<FakeQboCustomer>,
    pub invoices: Vec<FakeQboInvoice>,
}

fn numeric(id: &str) -> u64 {
    id.parse().unwrap_or(u64::MAX)
}

impl Books {
    fn new(company: FakeCompany, seed: QboSeed, rng_seed: u64, now: DateTime<Utc>) -> Books {
        let (customers, invoices) = seed::generate(seed, &company, rng_seed, now);
        let mut books = Books {
            company,
            customers,
            invoices,
        };
        books.sort();
        books
    }

    fn sort(&mut self) {
        self.customers.sort_by_key(|c| numeric(&c.id));
        self.invoices.sort_by_key(|i| numeric(&i.id));
    }

    fn next_id(&self) -> String {
        let highest = self
            .invoices
            .iter()
            .map(|i| numeric(&i.id))
            .chain(self.customers.iter().map(|c| numeric(&c.id)))
            .filter(|n| *n != u64::MAX)
            .max()
            .unwrap_or(0);
        (highest + 1).to_string()
    }

    pub(crate) fn customer(&self, id: &str) -> Option<&FakeQboCustomer> {
        self.customers.iter().find(|c| c.id == id)
    }
}

/// Sliding-window arrival log of one company.
#[derive(Debug, Default)]
pub(crate) struct Arrivals(VecDeque<i64>);

impl Arrivals {
    fn count_within(&self, now_ms: i64, window_ms: i64) -> usize {
        self.0
            .iter()
            .filter(|t| **t > now_ms - window_ms && **t <= now_ms)
            .count()
    }

    /// Admits a request at `now_ms` unless a limit is full.
    pub(crate) fn admit(&mut self, limits: &QboRateLimits, now_ms: i64) -> bool {
        while self.0.front().is_some_and(|t| *t <= now_ms - 60_000) {
            self.0.pop_front();
        }
        if self.count_within(now_ms, 1_000) >= limits.per_second
            || self.count_within(now_ms, 60_000) >= limits.per_minute
        {
            return false;
        }
        // Arrivals reach us slightly out of order; keep them sorted.
        let index = self.0.partition_point(|t| *t <= now_ms);
        self.0.insert(index, now_ms);
        true
    }
}

pub(crate) struct Data {
    pub books: HashMap<String, Arc<Books>>,
    /// Fixed tokens and whether they still work.
    pub tokens: HashMap<String, bool>,
    pub oauth: Option<OAuthHandle>,
    pub arrivals: HashMap<String, Arrivals>,
    pub in_flight: HashMap<String, usize>,
    pub faults_in_200: VecDeque<FaultIn200>,
    pub in_supported: bool,
    /// Invoice query pages (by `STARTPOSITION`) that answer 500 this many
    /// more times.
    pub failing_pages: HashMap<usize, u32>,
    pub service_time_ms: Option<(u64, u64)>,
    pub rng: StdRng,
    pub transactions: u64,
}

pub(crate) struct QboState {
    pub config: QuickBooksConfig,
    clock: SharedClock,
    seed: u64,
    inner: Mutex<Data>,
}

impl QboState {
    fn fresh(
        config: &QuickBooksConfig,
        seed: u64,
        now: DateTime<Utc>,
        oauth: Option<OAuthHandle>,
    ) -> Data {
        Data {
            books: config
                .companies
                .iter()
                .map(|(company, data)| {
                    (
                        company.realm_id.clone(),
                        Arc::new(Books::new(company.clone(), *data, seed, now)),
                    )
                })
                .collect(),
            tokens: config.tokens.iter().map(|t| (t.clone(), true)).collect(),
            oauth,
            arrivals: HashMap::new(),
            in_flight: HashMap::new(),
            faults_in_200: VecDeque::new(),
            in_supported: true,
            failing_pages: HashMap::new(),
            service_time_ms: config.service_time_ms,
            rng: StdRng::seed_from_u64(seed),
            transactions: 0,
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Data> {
        // Critical sections never await and leave the data consistent.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn reset(&self) {
        let mut data = self.lock();
        let oauth = data.oauth.take();
        *data = Self::fresh(&self.config, self.seed, self.now(), oauth);
    }
}

/// Runtime handle on the QuickBooks fake: faults/stats plus its books.
#[derive(Clone)]
pub struct QuickBooksHandle {
    control: FakeControl,
    state: Arc<QboState>,
}

impl std::fmt::Debug for QuickBooksHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuickBooksHandle").finish_non_exhaustive()
    }
}

impl QuickBooksHandle {
    pub fn control(&self) -> &FakeControl {
        &self.control
    }

    /// Also accept the access tokens `oauth` issued, for the company each
    /// grant is bound to, until they expire or are revoked.
    pub fn trust_oauth(&self, oauth: &OAuthHandle) {
        self.state.lock().oauth = Some(oauth.clone());
    }

    /// Accept `token` for every company.
    pub fn add_token(&self, token: &str) {
        self.state.lock().tokens.insert(token.to_owned(), true);
    }

    /// `token` answers 401 "Token expired" from now on.
    pub fn expire_token(&self, token: &str) {
        if let Some(valid) = self.state.lock().tokens.get_mut(token) {
            *valid = false;
        }
    }

    /// The company's invoices, by id.
    pub fn invoices(&self, realm_id: &str) -> Vec<FakeQboInvoice> {
        self.state
            .lock()
            .books
            .get(realm_id)
            .map(|b| b.invoices.clone())
            .unwrap_or_default()
    }

    /// The company's customers (inactive ones too), by id.
    pub fn customers(&self, realm_id: &str) -> Vec<FakeQboCustomer> {
        self.state
            .lock()
            .books
            .get(realm_id)
            .map(|b| b.customers.clone())
            .unwrap_or_default()
    }

    /// Adds a customer; an empty id gets the next one. Returns the id, or
    /// `None` for an unknown company.
    pub fn insert_customer(&self, realm_id: &str, mut customer: FakeQboCustomer) -> Option<String> {
        let mut data = self.state.lock();
        let books = Arc::make_mut(data.books.get_mut(realm_id)?);
        if customer.id.is_empty() {
            customer.id = books.next_id();
        }
        let id = customer.id.clone();
        books.customers.push(customer);
        books.sort();
        Some(id)
    }

    /// Adds invoices; empty ids get the next ones. Returns their ids, or
    /// `None` for an unknown company.
    pub fn insert_invoices(
        &self,
        realm_id: &str,
        invoices: impl IntoIterator<Item = FakeQboInvoice>,
    ) -> Option<Vec<String>> {
        let mut data = self.state.lock();
        let books = Arc::make_mut(data.books.get_mut(realm_id)?);
        let mut ids = Vec::new();
        for mut invoice in invoices {
            if invoice.id.is_empty() {
                invoice.id = books.next_id();
            }
            ids.push(invoice.id.clone());
            books.invoices.push(invoice);
            books.sort();
        }
        Some(ids)
    }

    /// Changes one invoice (pay it, void it…); `false` if there is none.
    pub fn update_invoice(
        &self,
        realm_id: &str,
        id: &str,
        change: impl FnOnce(&mut FakeQboInvoice),
    ) -> bool {
        let mut data = self.state.lock();
        let found = data
            .books
            .get_mut(realm_id)
            .and_then(|b| Arc::make_mut(b).invoices.iter_mut().find(|i| i.id == id));
        match found {
            Some(invoice) => {
                change(invoice);
                true
            }
            None => false,
        }
    }

    /// The customer pays, or the creditor voids or deletes, invoice `id` (see
    /// [`InvoiceChange`] for how each then reads); `false` if there is no such invoice.
    pub fn change_invoice(&self, realm_id: &str, id: &str, change: InvoiceChange) -> bool {
        changes::apply(&self.state, realm_id, id, change)
    }

    /// Replaces one company's books.
    pub fn reseed(&self, realm_id: &str, seed: QboSeed) -> bool {
        let now = self.state.now();
        let mut data = self.state.lock();
        let Some(books) = data.books.get_mut(realm_id) else {
            return false;
        };
        *books = Arc::new(Books::new(
            books.company.clone(),
            seed,
            self.state.seed,
            now,
        ));
        true
    }

    /// The next `n` API answers are HTTP 200 carrying a `kind` fault.
    pub fn faults_in_200(&self, n: usize, kind: FaultIn200) {
        self.state
            .lock()
            .faults_in_200
            .extend(std::iter::repeat_n(kind, n));
    }

    /// `false`: `IN (…)` is refused as a parse error (to test clients that
    /// must cope if QuickBooks did not support it).
    pub fn set_in_supported(&self, supported: bool) {
        self.state.lock().in_supported = supported;
    }

    /// The next `times` invoice queries starting at row `start` answer 500
    /// (a page that keeps failing while the others work).
    pub fn fail_page(&self, start: usize, times: u32) {
        self.state.lock().failing_pages.insert(start, times);
    }

    /// Each request takes between `min` and `max` ms after admission;
    /// `None` = answer at once.
    pub fn set_service_time(&self, range_ms: Option<(u64, u64)>) {
        self.state.lock().service_time_ms = range_ms;
    }
}

struct QboProvider {
    state: Arc<QboState>,
}

impl Provider for QboProvider {
    fn name(&self) -> &'static str {
        "quickbooks"
    }

    fn rate_limited(&self, retry_after: Seconds, with_header: bool) -> Response {
        api::throttled(&self.state, with_header.then_some(retry_after.as_f64()))
    }

    fn server_error(&self, status: StatusCode) -> Response {
        api::server_error(&self.state, status)
    }

    fn reset(&self) {
        self.state.reset();
    }

    fn control_routes(&self) -> axum::Router {
        changes::routes(self.state.clone())
    }
}

/// Builds the QuickBooks fake (not yet listening) and its handle.
pub fn build(
    config: QuickBooksConfig,
    clock: SharedClock,
    seed: u64,
) -> Result<(FakeServer, QuickBooksHandle), SandboxError> {
    let invalid = |reason| {
        Err(SandboxError::InvalidConfig {
            fake: "quickbooks",
            reason,
        })
    };
    if config
        .companies
        .iter()
        .any(|(c, _)| c.realm_id.is_empty() || !c.realm_id.bytes().all(|b| b.is_ascii_digit()))
    {
        return invalid("every company needs a numeric realm id");
    }
    if let Some((min, max)) = config.service_time_ms {
        if min > max {
            return invalid("the service time range must not end before it starts");
        }
    }
    let now = clock.now();
    let state = Arc::new(QboState {
        inner: Mutex::new(QboState::fresh(&config, seed, now, None)),
        config,
        clock: clock.clone(),
        seed,
    });
    let server = FakeServer::new(
        Arc::new(QboProvider {
            state: state.clone(),
        }),
        api::router(state.clone()),
        clock,
    );
    let handle = QuickBooksHandle {
        control: server.control(),
        state,
    };
    Ok((server, handle))
}
