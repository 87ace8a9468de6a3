//! The fake's in-memory accounts, one dataset per mode, behind one mutex
//! (never held across an `.await`).

use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use chrono::{DateTime, Utc};

use super::model::{
    object_id, CustomerSnapshot, Dataset, FakeCustomer, FakeInvoice, InvoiceStatus, Mode,
};
use super::ratelimit::Limiter;
use super::seed::{generate, SeedData};
use super::StripeConfig;
use crate::clock::SharedClock;
use crate::server::FakeControl;

pub(crate) struct Data {
    test: Dataset,
    live: Dataset,
    pub(crate) limiter: Limiter,
    /// List pages still to answer empty with `has_more: true`.
    pub(crate) empty_pages: u32,
    pub(crate) requests: u64,
}

impl Data {
    pub(crate) fn dataset(&self, mode: Mode) -> &Dataset {
        match mode {
            Mode::Test => &self.test,
            Mode::Live => &self.live,
        }
    }

    fn dataset_mut(&mut self, mode: Mode) -> &mut Dataset {
        match mode {
            Mode::Test => &mut self.test,
            Mode::Live => &mut self.live,
        }
    }

    pub(crate) fn insert_customer(&mut self, mode: Mode, mut customer: FakeCustomer) -> String {
        let data = self.dataset_mut(mode);
        if customer.id.is_empty() {
            data.next_customer += 1;
            customer.id = object_id("cus_", data.next_customer, 5, data.next_customer);
        }
        if customer.invoice_prefix.is_empty() {
            customer.invoice_prefix = format!("T{:06X}", data.next_customer);
        }
        let id = customer.id.clone();
        data.customers.insert(id.clone(), customer);
        data.reindex();
        id
    }

    /// Adds invoices (see [`super::StripeHandle::insert_invoices`]),
    /// re-sorting once.
    pub(crate) fn insert_invoices(
        &mut self,
        mode: Mode,
        invoices: impl IntoIterator<Item = FakeInvoice>,
    ) -> Vec<String> {
        let ids = invoices
            .into_iter()
            .map(|invoice| self.prepare_invoice(mode, invoice))
            .collect();
        self.dataset_mut(mode).reindex();
        ids
    }

    pub(crate) fn insert_invoice(&mut self, mode: Mode, invoice: FakeInvoice) -> String {
        let id = self.prepare_invoice(mode, invoice);
        self.dataset_mut(mode).reindex();
        id
    }

    /// Assigns what an inserted invoice lacks and stores it unsorted.
    fn prepare_invoice(&mut self, mode: Mode, mut invoice: FakeInvoice) -> String {
        let data = self.dataset_mut(mode);
        data.next_invoice += 1;
        if invoice.id.is_empty() {
            invoice.id = object_id("in_", data.next_invoice, 7, data.next_invoice);
        }
        let customer = invoice
            .customer
            .as_ref()
            .and_then(|id| data.customers.get(id));
        if invoice.number.is_none() && invoice.status != InvoiceStatus::Draft {
            let prefix = customer.map_or("INV", |c| c.invoice_prefix.as_str());
            invoice.number = Some(format!("{prefix}-{:04}", data.next_invoice));
        }
        if invoice.snapshot.is_none() {
            invoice.snapshot = Some(customer.map(CustomerSnapshot::of).unwrap_or_default());
        }
        let id = invoice.id.clone();
        data.invoices.push(invoice);
        id
    }

    pub(crate) fn update_invoice(
        &mut self,
        mode: Mode,
        id: &str,
        change: impl FnOnce(&mut FakeInvoice),
    ) -> bool {
        let data = self.dataset_mut(mode);
        let Some(&index) = data.invoice_index.get(id) else {
            return false;
        };
        change(&mut data.invoices[index]);
        data.reindex();
        true
    }

    pub(crate) fn delete_customer(&mut self, mode: Mode, id: &str) -> bool {
        match self.dataset_mut(mode).customers.get_mut(id) {
            Some(customer) => {
                customer.deleted = true;
                true
            }
            None => false,
        }
    }
}

pub(crate) struct StripeState {
    pub(crate) config: StripeConfig,
    clock: SharedClock,
    seed: u64,
    data: Mutex<Data>,
    /// This fake's own fault controls, to know the latency it injects.
    control: OnceLock<FakeControl>,
}

impl StripeState {
    pub(crate) fn new(config: StripeConfig, clock: SharedClock, seed: u64) -> Self {
        let data = Mutex::new(Self::fresh(&config, clock.now(), seed));
        Self {
            config,
            clock,
            seed,
            data,
            control: OnceLock::new(),
        }
    }

    pub(crate) fn attach(&self, control: FakeControl) {
        // Set once, right after the server is built.
        let _ = self.control.set(control);
    }

    /// When the request being handled arrived, in ms: the injected latency
    /// runs before the handlers, but Stripe counts a request against its
    /// rate limit when it arrives, not after the simulated delay.
    pub(crate) fn arrival_ms(&self) -> i64 {
        let delay = self
            .control
            .get()
            .and_then(|c| c.faults().latency)
            .map_or(0, |latency| latency.fixed_ms);
        self.now().timestamp_millis() - i64::try_from(delay).unwrap_or(0)
    }

    fn fresh(config: &StripeConfig, now: DateTime<Utc>, seed: u64) -> Data {
        let now = now.timestamp();
        Data {
            test: generate(config.test_data, Mode::Test, seed, now),
            live: generate(config.live_data, Mode::Live, seed, now),
            limiter: Limiter::default(),
            empty_pages: 0,
            requests: 0,
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Data> {
        // Every mutation completes before the guard drops; a panic in a
        // handler cannot leave a half-written dataset worth refusing.
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn reset(&self) {
        *self.lock() = Self::fresh(&self.config, self.now(), self.seed);
    }

    pub(crate) fn reseed(&self, mode: Mode, data: SeedData) {
        let generated = generate(data, mode, self.seed, self.now().timestamp());
        *self.lock().dataset_mut(mode) = generated;
    }
}
