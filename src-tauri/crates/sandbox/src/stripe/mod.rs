//! Fake of the Stripe API's read side for invoices and customers (see
//! `shared/reference/stripe.md`): newest-first cursor lists with Stripe's
//! filters and `expand[]`, retrieval, deleted stubs, Stripe's error bodies
//! for bad keys, missing restricted-key permissions, unknown objects and
//! bad parameters, per-mode rate limits, and the JSON shape of the API
//! version each request pins.
//!
//! Data is generated from the sandbox seed ([`SeedData`]) and can be
//! edited through [`StripeHandle`]. It shares no types with the client: the
//! two meet only at the wire.

mod api;
mod model;
mod ratelimit;
mod render;
mod seed;
mod state;

use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;

pub use model::{
    CustomerSnapshot, FakeAddress, FakeCustomer, FakeInvoice, FakeTaxId, InvoiceStatus, Mode,
};
pub use ratelimit::StripeRateLimits;
pub use seed::SeedData;

use crate::clock::SharedClock;
use crate::faults::Seconds;
use crate::server::{FakeControl, FakeServer, Provider};
use crate::SandboxError;
use state::StripeState;

// Demo keys: made-up sandbox values that only this fake accepts; none has
// the shape of a real key.
/// Restricted test key with Invoices: Read and Customers: Read (sandbox).
pub const DEMO_RESTRICTED_KEY: &str = "rk_test_casebridge_demo_readonly"; // sandbox demo key
/// Restricted test key with Invoices: Read only (sandbox).
pub const DEMO_INVOICES_ONLY_KEY: &str = "rk_test_casebridge_demo_invoices_only"; // sandbox demo key
/// Secret test key, all permissions (sandbox).
pub const DEMO_SECRET_KEY: &str = "sk_test_casebridge_demo_secret"; // sandbox demo key
/// Restricted live-mode key with read permissions (sandbox).
pub const DEMO_LIVE_KEY: &str = "rk_live_casebridge_demo_readonly"; // sandbox demo key
/// A key the fake knows but that has expired (sandbox).
pub const DEMO_EXPIRED_KEY: &str = "rk_test_casebridge_demo_expired"; // sandbox demo key
/// The account every demo key belongs to.
pub const DEMO_ACCOUNT_ID: &str = "acct_1CasebridgeDemo";

/// `None` or `Read`, as a restricted key's permission per resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    None,
    Read,
}

/// A key the fake accepts. Its mode and kind come from the prefix (`rk_` /
/// `sk_`, `test_` / `live_`); secret keys may do everything. `Debug` never
/// shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct StripeKeyConfig {
    pub key: String,
    /// Restricted keys: `rak_invoice_read`.
    pub invoices: Access,
    /// Restricted keys: `rak_customer_read`.
    pub customers: Access,
    /// Answers 401 `api_key_expired`.
    pub expired: bool,
}

impl std::fmt::Debug for StripeKeyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeKeyConfig")
            .field("invoices", &self.invoices)
            .field("customers", &self.customers)
            .field("expired", &self.expired)
            .finish_non_exhaustive()
    }
}

impl StripeKeyConfig {
    /// A restricted key with these permissions.
    pub fn restricted(key: &str, invoices: Access, customers: Access) -> Self {
        StripeKeyConfig {
            key: key.to_owned(),
            invoices,
            customers,
            expired: false,
        }
    }

    /// A secret key (`sk_…`): everything allowed.
    pub fn secret(key: &str) -> Self {
        StripeKeyConfig::restricted(key, Access::Read, Access::Read)
    }

    pub(crate) fn is_secret(&self) -> bool {
        self.key.starts_with("sk_")
    }

    pub(crate) fn mode(&self) -> Option<Mode> {
        let rest = self
            .key
            .strip_prefix("rk_")
            .or_else(|| self.key.strip_prefix("sk_"))?;
        if rest.starts_with("test_") {
            Some(Mode::Test)
        } else if rest.starts_with("live_") {
            Some(Mode::Live)
        } else {
            None
        }
    }
}

/// How the Stripe fake behaves.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    pub keys: Vec<StripeKeyConfig>,
    pub account_id: String,
    pub account_name: String,
    /// Alpha-2.
    pub account_country: String,
    pub test_data: SeedData,
    pub live_data: SeedData,
    /// `None` = no limits (tests that fire many requests on a manual clock).
    pub rate_limits: Option<StripeRateLimits>,
    /// The account's default API version, used when a request pins none.
    /// Older than basil on purpose: a client that forgets to pin gets the
    /// older shape, as with a real account created years ago.
    pub default_api_version: String,
}

impl Default for StripeConfig {
    fn default() -> Self {
        StripeConfig {
            keys: vec![
                StripeKeyConfig::restricted(DEMO_RESTRICTED_KEY, Access::Read, Access::Read),
                StripeKeyConfig::restricted(DEMO_INVOICES_ONLY_KEY, Access::Read, Access::None),
                StripeKeyConfig::secret(DEMO_SECRET_KEY),
                StripeKeyConfig::restricted(DEMO_LIVE_KEY, Access::Read, Access::Read),
                StripeKeyConfig {
                    expired: true,
                    ..StripeKeyConfig::restricted(DEMO_EXPIRED_KEY, Access::Read, Access::Read)
                },
            ],
            account_id: DEMO_ACCOUNT_ID.into(),
            account_name: "Casebridge Demo ApS".into(),
            account_country: "DK".into(),
            test_data: SeedData::Demo { invoices: 600 },
            live_data: SeedData::Empty,
            rate_limits: Some(StripeRateLimits::default()),
            default_api_version: "2024-06-20".into(),
        }
    }
}

/// Runtime handle on the Stripe fake: faults/stats plus its data.
#[derive(Clone)]
pub struct StripeHandle {
    control: FakeControl,
    state: Arc<StripeState>,
}

impl std::fmt::Debug for StripeHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeHandle").finish_non_exhaustive()
    }
}

impl StripeHandle {
    pub fn control(&self) -> &FakeControl {
        &self.control
    }

    pub fn account_id(&self) -> &str {
        &self.state.config.account_id
    }

    /// Every invoice of `mode`, newest first.
    pub fn invoices(&self, mode: Mode) -> Vec<FakeInvoice> {
        self.state.lock().dataset(mode).invoices.clone()
    }

    /// Every customer of `mode` (deleted ones included).
    pub fn customers(&self, mode: Mode) -> Vec<FakeCustomer> {
        self.state
            .lock()
            .dataset(mode)
            .customers
            .values()
            .cloned()
            .collect()
    }

    /// Adds a customer; an empty id gets one assigned. Returns the id.
    pub fn insert_customer(&self, mode: Mode, customer: FakeCustomer) -> String {
        self.state.lock().insert_customer(mode, customer)
    }

    /// Adds an invoice; an empty id gets one assigned, a finalised invoice
    /// without a number gets the customer's next one, and a missing
    /// snapshot is taken from the customer now. Returns the id.
    pub fn insert_invoice(&self, mode: Mode, invoice: FakeInvoice) -> String {
        self.state.lock().insert_invoice(mode, invoice)
    }

    /// Adds many invoices at once (as [`Self::insert_invoice`] each, but
    /// sorted only once). Returns their ids in the given order.
    pub fn insert_invoices(
        &self,
        mode: Mode,
        invoices: impl IntoIterator<Item = FakeInvoice>,
    ) -> Vec<String> {
        self.state.lock().insert_invoices(mode, invoices)
    }

    /// Changes one invoice (pay it, void it…); `false` if there is none.
    pub fn update_invoice(
        &self,
        mode: Mode,
        id: &str,
        change: impl FnOnce(&mut FakeInvoice),
    ) -> bool {
        self.state.lock().update_invoice(mode, id, change)
    }

    /// Deletes a customer (its invoices keep their snapshot); `false` if
    /// there is none.
    pub fn delete_customer(&self, mode: Mode, id: &str) -> bool {
        self.state.lock().delete_customer(mode, id)
    }

    /// Replaces all of `mode`'s data.
    pub fn reseed(&self, mode: Mode, data: SeedData) {
        self.state.reseed(mode, data);
    }

    /// The next `n` invoice list pages answer `has_more: true` with no
    /// data, a shape that leaves a client without a cursor.
    pub fn empty_next_pages(&self, n: u32) {
        self.state.lock().empty_pages = n;
    }
}

struct StripeProvider {
    state: Arc<StripeState>,
}

impl Provider for StripeProvider {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn rate_limited(&self, retry_after: Seconds, with_header: bool) -> Response {
        api::rate_limited("global-rate", with_header.then_some(retry_after.as_f64()))
    }

    fn server_error(&self, status: StatusCode) -> Response {
        api::server_error(status)
    }

    fn reset(&self) {
        self.state.reset();
    }

    fn control_routes(&self) -> axum::Router {
        api::file_routes(self.state.clone())
    }
}

/// Builds the Stripe fake (not yet listening) and its handle.
pub fn build(
    config: StripeConfig,
    clock: SharedClock,
    seed: u64,
) -> Result<(FakeServer, StripeHandle), SandboxError> {
    let invalid = |reason| {
        Err(SandboxError::InvalidConfig {
            fake: "stripe",
            reason,
        })
    };
    if config.keys.is_empty() {
        return invalid("at least one API key is required");
    }
    if config.keys.iter().any(|k| k.mode().is_none()) {
        return invalid("keys must start with rk_test_, rk_live_, sk_test_ or sk_live_");
    }
    if !api::valid_version(&config.default_api_version) {
        return invalid("the default API version must look like 2024-06-20 or 2025-03-31.basil");
    }
    let state = Arc::new(StripeState::new(config, clock.clone(), seed));
    let server = FakeServer::new(
        Arc::new(StripeProvider {
            state: state.clone(),
        }),
        api::router(state.clone()),
        clock,
    );
    state.attach(server.control());
    let handle = StripeHandle {
        control: server.control(),
        state,
    };
    Ok((server, handle))
}
