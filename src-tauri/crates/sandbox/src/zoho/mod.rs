//! Fake of the Zoho Books v3 API's read side (see `shared/reference/zoho.md`):
//! `/books/v3/organizations`, invoice and contact lists and details, with
//! the quirks the reference lists: `organization_id` required on every
//! organization call, several organizations per user, `{code, message}` on
//! every body with non-zero codes at HTTP 200, `page`/`per_page` (≤ 200)
//! and `page_context.has_more_page`, `filter_by`/`status` and the
//! date/due-date filters, 100 requests per minute per organization and a
//! daily cap (HTTP 429, code 45, `X-Rate-Limit-*` headers), and
//! `Authorization: Zoho-oauthtoken …` checked against fixed tokens and,
//! once [`ZohoHandle::trust_oauth`] is called, the OAuth fake's tokens
//! (expired ones answer 401, code 14). Invoices change after a fetch
//! (paid, void, deleted) through [`ZohoHandle::change_invoice`] or
//! `POST /__sandbox/zoho/{organization_id}/invoices/{id}` ([`InvoiceChange`]).
//!
//! Its URL plays the token's `api_domain`: clients append `/books/v3`.
//! It shares no types with the client: they meet only at the wire.

mod api;
mod changes;
mod model;
mod seed;
mod state;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;

pub use changes::InvoiceChange;
pub use model::{FakeOrganization, FakeZohoAddress, FakeZohoContact, FakeZohoInvoice, ZohoStatus};
pub use seed::ZohoSeed;

use crate::clock::SharedClock;
use crate::faults::Seconds;
use crate::oauth::OAuthHandle;
use crate::server::{FakeControl, FakeServer, Provider};
use crate::SandboxError;
use state::ZohoState;

/// Access token the fake accepts without the OAuth fake (sandbox only; not
/// the shape of a real Zoho token).
pub const DEMO_ACCESS_TOKEN: &str = "casebridge-demo-zoho-access-token"; // sandbox demo token
/// The demo user's US organization (USD, the default one).
pub const DEMO_ORG_US: &str = "10229182";
/// The demo user's EU organization (EUR).
pub const DEMO_ORG_EU: &str = "20051234";
/// Zoho's per-organization limit (reference §9).
pub const PER_MINUTE_LIMIT: u32 = 100;

/// How the Zoho fake behaves.
#[derive(Clone)]
pub struct ZohoConfig {
    /// Accepted access tokens (besides the OAuth fake's, once trusted).
    /// `Debug` shows only how many.
    pub tokens: Vec<String>,
    /// The user's organizations and what each holds.
    pub organizations: Vec<(FakeOrganization, ZohoSeed)>,
    /// Requests per sliding minute per organization; `None` = unlimited.
    pub per_minute: Option<u32>,
    /// Requests per UTC day per organization; `None` = unlimited.
    pub daily_cap: Option<u64>,
}

impl Default for ZohoConfig {
    fn default() -> Self {
        ZohoConfig {
            tokens: vec![DEMO_ACCESS_TOKEN.into()],
            organizations: vec![
                (
                    FakeOrganization {
                        organization_id: DEMO_ORG_US.into(),
                        name: "Casebridge Demo Inc".into(),
                        currency_code: "USD".into(),
                        country: "U.S.A".into(),
                        is_default_org: true,
                        plan_name: "PROFESSIONAL".into(),
                    },
                    ZohoSeed::Demo { invoices: 600 },
                ),
                (
                    FakeOrganization {
                        organization_id: DEMO_ORG_EU.into(),
                        name: "Casebridge Demo GmbH".into(),
                        currency_code: "EUR".into(),
                        country: "Germany".into(),
                        is_default_org: false,
                        plan_name: "STANDARD".into(),
                    },
                    ZohoSeed::Demo { invoices: 300 },
                ),
            ],
            per_minute: Some(PER_MINUTE_LIMIT),
            // Higher plans' figure (reference §9: 1,000 Free … 10,000).
            daily_cap: Some(10_000),
        }
    }
}

impl std::fmt::Debug for ZohoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZohoConfig")
            .field("tokens", &self.tokens.len())
            .field("organizations", &self.organizations)
            .field("per_minute", &self.per_minute)
            .field("daily_cap", &self.daily_cap)
            .finish()
    }
}

/// Runtime handle on the Zoho fake: faults/stats plus its data.
#[derive(Clone)]
pub struct ZohoHandle {
    control: FakeControl,
    state: Arc<ZohoState>,
}

impl std::fmt::Debug for ZohoHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ZohoHandle").finish_non_exhaustive()
    }
}

impl ZohoHandle {
    pub fn control(&self) -> &FakeControl {
        &self.control
    }

    /// Also accept the access tokens `oauth` issued (until they expire or
    /// are revoked there).
    pub fn trust_oauth(&self, oauth: &OAuthHandle) {
        self.state.lock().oauth = Some(oauth.clone());
    }

    /// The organizations, as configured.
    pub fn organizations(&self) -> Vec<FakeOrganization> {
        self.state
            .lock()
            .orgs
            .iter()
            .map(|o| o.org.clone())
            .collect()
    }

    /// Every invoice of `org`, newest first (empty for an unknown org).
    pub fn invoices(&self, org: &str) -> Vec<FakeZohoInvoice> {
        self.state
            .lock()
            .org(org)
            .map(|o| o.invoices.clone())
            .unwrap_or_default()
    }

    /// Every contact of `org`.
    pub fn contacts(&self, org: &str) -> Vec<FakeZohoContact> {
        self.state
            .lock()
            .org(org)
            .map(|o| o.contacts.clone())
            .unwrap_or_default()
    }

    /// Replaces `org`'s contacts and invoices; `false` for an unknown org.
    pub fn replace_data(
        &self,
        org: &str,
        contacts: Vec<FakeZohoContact>,
        invoices: Vec<FakeZohoInvoice>,
    ) -> bool {
        let mut data = self.state.lock();
        let Some(org) = data.org_mut(org) else {
            return false;
        };
        org.contacts = contacts;
        org.invoices = invoices;
        org.sort();
        true
    }

    /// Changes one invoice (pay it, void it…); `false` if there is none.
    pub fn update_invoice(
        &self,
        org: &str,
        id: &str,
        change: impl FnOnce(&mut FakeZohoInvoice),
    ) -> bool {
        let mut data = self.state.lock();
        let Some(org) = data.org_mut(org) else {
            return false;
        };
        let Some(invoice) = org.invoices.iter_mut().find(|i| i.invoice_id == id) else {
            return false;
        };
        change(invoice);
        org.sort();
        true
    }

    /// The customer pays, or the creditor voids or deletes, invoice `id` (see
    /// [`InvoiceChange`] for how each then reads); `false` if there is no such invoice.
    pub fn change_invoice(&self, org: &str, id: &str, change: InvoiceChange) -> bool {
        changes::apply(&self.state, org, id, change)
    }

    /// The next `n` API requests (after the token check) answer HTTP 200
    /// with this non-zero `code` and `message`.
    pub fn answer_next_with_code(&self, n: usize, code: i64, message: &str) {
        let mut data = self.state.lock();
        data.code_answers
            .extend(std::iter::repeat_n((code, message.to_owned()), n));
    }

    /// The next `n` invoice list pages answer `has_more_page: true` with
    /// no invoices.
    pub fn empty_next_pages(&self, n: u32) {
        self.state.lock().empty_pages = n;
    }

    /// Requests `org` used today (sandbox clock, UTC day).
    pub fn used_today(&self, org: &str) -> u64 {
        let today = self.state.now().date_naive();
        self.state.lock().used_today(org, today)
    }

    /// Pretends `org` already used `used` requests today (daily-cap tests).
    pub fn set_used_today(&self, org: &str, used: u64) {
        let today = self.state.now().date_naive();
        self.state.lock().set_used_today(org, today, used);
    }
}

struct ZohoProvider {
    state: Arc<ZohoState>,
}

impl Provider for ZohoProvider {
    fn name(&self) -> &'static str {
        "zoho"
    }

    fn rate_limited(&self, retry_after: Seconds, with_header: bool) -> Response {
        api::rate_limited(
            api::TOO_MANY,
            None,
            with_header.then_some(retry_after.as_f64()),
        )
    }

    fn server_error(&self, status: StatusCode) -> Response {
        api::server_error(status)
    }

    fn reset(&self) {
        self.state.reset();
    }

    fn control_routes(&self) -> axum::Router {
        changes::routes(self.state.clone())
    }
}

/// Builds the Zoho fake (not yet listening) and its handle.
pub fn build(
    config: ZohoConfig,
    clock: SharedClock,
    seed: u64,
) -> Result<(FakeServer, ZohoHandle), SandboxError> {
    let invalid = |reason| {
        Err(SandboxError::InvalidConfig {
            fake: "zoho",
            reason,
        })
    };
    if config.organizations.is_empty() {
        return invalid("at least one organization is required");
    }
    if config.per_minute == Some(0) || config.daily_cap == Some(0) {
        return invalid("limits must be positive (None = unlimited)");
    }
    let state = Arc::new(ZohoState::new(config, clock.clone(), seed));
    let server = FakeServer::new(
        Arc::new(ZohoProvider {
            state: state.clone(),
        }),
        api::router(state.clone()),
        clock,
    );
    state.attach(server.control());
    let handle = ZohoHandle {
        control: server.control(),
        state,
    };
    Ok((server, handle))
}
