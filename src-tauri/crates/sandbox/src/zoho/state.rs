//! The Zoho fake's organizations and its per-organization request
//! accounting, behind one mutex (never held across an `.await`).

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use chrono::{DateTime, NaiveDate, Utc};

use super::model::{FakeOrganization, FakeZohoContact, FakeZohoInvoice};
use super::seed::generate;
use super::ZohoConfig;
use crate::clock::SharedClock;
use crate::oauth::OAuthHandle;
use crate::server::FakeControl;

pub(crate) struct OrgData {
    pub org: FakeOrganization,
    /// By contact name, as Zoho's default contact list order.
    pub contacts: Vec<FakeZohoContact>,
    /// Newest `created_time` first, as Zoho's default invoice order.
    pub invoices: Vec<FakeZohoInvoice>,
}

impl OrgData {
    pub(crate) fn sort(&mut self) {
        self.contacts
            .sort_by(|a, b| a.contact_name.cmp(&b.contact_name));
        self.invoices.sort_by(|a, b| {
            b.created_time
                .cmp(&a.created_time)
                .then_with(|| b.invoice_id.cmp(&a.invoice_id))
        });
    }

    pub(crate) fn contact(&self, id: &str) -> Option<&FakeZohoContact> {
        self.contacts.iter().find(|c| c.contact_id == id)
    }
}

/// Why a request is refused before it reaches the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Throttle {
    /// More than the per-minute limit in the last 60 s.
    PerMinute,
    /// The organization's daily quota is used up.
    Daily,
}

/// Where one organization stands against its limits, for the
/// `X-Rate-Limit-*` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Quota {
    pub limit: u64,
    pub remaining: u64,
    /// Seconds until the daily count starts again (next UTC midnight).
    pub reset_secs: i64,
}

pub(crate) struct Data {
    pub orgs: Vec<OrgData>,
    /// Accepted request arrivals (ms) per organization, last 60 s.
    minute: HashMap<String, VecDeque<i64>>,
    /// Accepted requests per organization and UTC day.
    daily: HashMap<(String, NaiveDate), u64>,
    /// Answers still to give with HTTP 200 and a non-zero code.
    pub code_answers: VecDeque<(i64, String)>,
    /// Invoice list pages still to answer empty with `has_more_page: true`.
    pub empty_pages: u32,
    pub oauth: Option<OAuthHandle>,
}

impl Data {
    pub(crate) fn org(&self, id: &str) -> Option<&OrgData> {
        self.orgs.iter().find(|o| o.org.organization_id == id)
    }

    pub(crate) fn org_mut(&mut self, id: &str) -> Option<&mut OrgData> {
        self.orgs.iter_mut().find(|o| o.org.organization_id == id)
    }

    fn quota_at(&self, config: &ZohoConfig, org: &str, now: DateTime<Utc>) -> Option<Quota> {
        let limit = config.daily_cap?;
        let used = self
            .daily
            .get(&(org.to_owned(), now.date_naive()))
            .copied()
            .unwrap_or(0);
        let midnight = now
            .date_naive()
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(0, |t| t.and_utc().timestamp());
        Some(Quota {
            limit,
            remaining: limit.saturating_sub(used),
            reset_secs: (midnight - now.timestamp()).max(0),
        })
    }

    /// Admits one request to `org` that arrived at `arrived_ms`, or says
    /// which limit it hits. Refused requests are not counted.
    pub(crate) fn admit(
        &mut self,
        config: &ZohoConfig,
        org: &str,
        now: DateTime<Utc>,
        arrived_ms: i64,
    ) -> Result<Option<Quota>, (Throttle, Option<Quota>)> {
        let quota = self.quota_at(config, org, now);
        if quota.is_some_and(|q| q.remaining == 0) {
            return Err((Throttle::Daily, quota));
        }
        if let Some(limit) = config.per_minute {
            let window = self.minute.entry(org.to_owned()).or_default();
            while window.front().is_some_and(|t| *t <= arrived_ms - 60_000) {
                window.pop_front();
            }
            let in_window = window.iter().filter(|t| **t <= arrived_ms).count();
            if in_window >= usize::try_from(limit).unwrap_or(usize::MAX) {
                return Err((Throttle::PerMinute, quota));
            }
            // Arrivals reach us slightly out of order (each waited out its
            // injected latency): keep them sorted.
            let at = window.partition_point(|t| *t <= arrived_ms);
            window.insert(at, arrived_ms);
        }
        *self
            .daily
            .entry((org.to_owned(), now.date_naive()))
            .or_default() += 1;
        Ok(self.quota_at(config, org, now))
    }

    /// Requests `org` has used today.
    pub(crate) fn used_today(&self, org: &str, today: NaiveDate) -> u64 {
        self.daily
            .get(&(org.to_owned(), today))
            .copied()
            .unwrap_or(0)
    }

    pub(crate) fn set_used_today(&mut self, org: &str, today: NaiveDate, used: u64) {
        self.daily.insert((org.to_owned(), today), used);
    }
}

pub(crate) struct ZohoState {
    pub config: ZohoConfig,
    clock: SharedClock,
    seed: u64,
    data: Mutex<Data>,
    control: OnceLock<FakeControl>,
}

impl ZohoState {
    pub(crate) fn new(config: ZohoConfig, clock: SharedClock, seed: u64) -> Self {
        let data = Mutex::new(Self::fresh(&config, clock.now().date_naive(), seed, None));
        ZohoState {
            config,
            clock,
            seed,
            data,
            control: OnceLock::new(),
        }
    }

    fn fresh(config: &ZohoConfig, today: NaiveDate, seed: u64, oauth: Option<OAuthHandle>) -> Data {
        let orgs = config
            .organizations
            .iter()
            .enumerate()
            .map(|(n, (org, data))| {
                let (contacts, invoices) =
                    generate(*data, seed, n as u64, &org.currency_code, today);
                let mut org = OrgData {
                    org: org.clone(),
                    contacts,
                    invoices,
                };
                org.sort();
                org
            })
            .collect();
        Data {
            orgs,
            minute: HashMap::new(),
            daily: HashMap::new(),
            code_answers: VecDeque::new(),
            empty_pages: 0,
            oauth,
        }
    }

    pub(crate) fn attach(&self, control: FakeControl) {
        // Set once, right after the server is built.
        let _ = self.control.set(control);
    }

    /// When the request being handled arrived, in ms: injected latency runs
    /// before the handlers, but a limit counts a request when it arrives.
    pub(crate) fn arrival_ms(&self) -> i64 {
        let delay = self
            .control
            .get()
            .and_then(|c| c.faults().latency)
            .map_or(0, |latency| latency.fixed_ms);
        self.now().timestamp_millis() - i64::try_from(delay).unwrap_or(0)
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Data> {
        // Every mutation completes before the guard drops.
        self.data.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn reset(&self) {
        let mut data = self.lock();
        let oauth = data.oauth.take();
        *data = Self::fresh(&self.config, self.now().date_naive(), self.seed, oauth);
    }
}
