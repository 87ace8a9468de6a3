//! The Zoho Books client: list organizations, fetch unpaid invoices of one,
//! re-read one invoice.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use casebridge_domain::Provider;
use futures::stream::{FuturesUnordered, StreamExt};
use serde::{Deserialize, Serialize};

use super::map::{map_invoice, Mapped};
use super::transport::{default_budget, Call, Endpoint, Transport};
use super::wire::{
    ContactDetail, ContactPage, InvoiceDetail, InvoicePage, OrganizationList, RowKey, WireContact,
    WireInvoice,
};
use crate::bearer::BearerSource;
use crate::error::ProviderError;
use crate::fetch::{
    DailyQuota, FailureScope, FetchFailure, FetchFilter, FetchOutcome, FetchProgress, ProgressSink,
    Rechecked, SkippedInvoice,
};
use crate::http::{base_url, RetryPolicy};
use crate::ratelimit::RateBudget;

/// Zoho's largest page (reference §4).
pub const PAGE_SIZE: u32 = 200;
/// Rate-limit pauses shorter than this are normal pacing, not news.
const REPORT_WAITS_FROM: Duration = Duration::from_millis(250);
/// Empty pages claiming more, or pages that failed, in a row, before the
/// walk gives up (nothing else would end a walk whose pages never answer).
const MAX_EMPTY_PAGES: u32 = 3;

/// Which list views an unpaid fetch walks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnpaidQuery {
    /// `filter_by=Status.Unpaid` alone: Zoho documents that "Unpaid"
    /// includes overdue and partially paid invoices (reference §4).
    UnpaidView,
    /// `Status.Unpaid`, `Status.OverDue` and `Status.PartiallyPaid` one
    /// after the other, de-duplicated: for an account where the unpaid view
    /// turns out to leave some out (costs two more walks).
    EachStatus,
}

impl UnpaidQuery {
    fn views(self) -> &'static [&'static str] {
        match self {
            UnpaidQuery::UnpaidView => &["Status.Unpaid"],
            UnpaidQuery::EachStatus => &["Status.Unpaid", "Status.OverDue", "Status.PartiallyPaid"],
        }
    }
}

/// Where the debtor's details come from.
///
/// Zoho's contact *list* has names, email and phone but no address
/// (reference §7, and the OAS list schema); only `GET /contacts/{id}` has
/// the billing address. The invoice list has neither. So the cheapest way
/// to an address is one contact read per distinct debtor (never one per
/// invoice). When the daily quota left is smaller than the number of
/// debtors, `PerDebtor` reads the contact list instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactLookup {
    /// `GET /contacts/{id}` once per distinct customer of the unpaid
    /// invoices: addresses, contact persons, tax ids.
    PerDebtor,
    /// `GET /contacts` pages (200 contacts per request): names, email and
    /// phone for everyone, no addresses. For a nearly spent daily quota.
    ListOnly,
    /// Nothing beyond the invoice rows (customer name only).
    None,
}

/// Tuning for a [`ZohoClient`]; the defaults suit the real API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZohoOptions {
    /// One request (connect + answer) may take this long.
    pub request_timeout: Duration,
    /// Retries of failed reads (5xx, 429, timeouts, broken bodies).
    pub retry: RetryPolicy,
    /// Pacing per organization; `None` = 100 requests per minute.
    pub rate_budget: Option<RateBudget>,
    /// Requests in flight at most (reference §9: 2–3).
    pub concurrency: usize,
    /// Which list views to walk.
    pub unpaid_query: UnpaidQuery,
    /// Where debtor details come from.
    pub contacts: ContactLookup,
}

impl Default for ZohoOptions {
    fn default() -> Self {
        ZohoOptions {
            request_timeout: Duration::from_secs(30),
            // Zoho's own guidance and the Singer tap: back off from 5 s to
            // 60 s on 429/5xx.
            retry: RetryPolicy {
                max_attempts: 5,
                base_delay: Duration::from_secs(5),
                max_delay: Duration::from_secs(60),
                max_retry_after: Duration::from_secs(120),
            },
            rate_budget: None,
            concurrency: 3,
            unpaid_query: UnpaidQuery::UnpaidView,
            contacts: ContactLookup::PerDebtor,
        }
    }
}

/// One organization the connected user belongs to, for the user to choose
/// from (never pick one silently: the default one is only marked).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZohoOrganization {
    /// `organization_id`; part of every imported invoice's source reference.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its base currency (ISO 4217), when Zoho said.
    pub currency: Option<String>,
    /// Its country as Zoho writes it, when Zoho said.
    pub country: Option<String>,
    /// Zoho's default organization for this user.
    pub is_default: bool,
    /// `false` when Zoho marks it inactive (`is_org_active`).
    pub active: bool,
}

/// A client for the Zoho Books API of one data centre.
#[derive(Debug)]
pub struct ZohoClient {
    transport: Arc<Transport>,
    options: ZohoOptions,
}

fn no_waiting(_: Duration) {}

/// One listed invoice on its way to the outcome.
struct Row {
    id: String,
    parsed: Result<WireInvoice, ProviderError>,
}

impl ZohoClient {
    /// A client for the data centre at `api_base_url`: the token's
    /// `api_domain` (`https://www.zohoapis.eu`), to which `/books/v3` is
    /// appended; the sandbox's Zoho URL in demo mode and tests.
    ///
    /// # Errors
    /// [`ProviderError::InvalidBaseUrl`] unless the URL is `https://` (or
    /// `http://` to this machine); [`ProviderError::HttpClient`] if the
    /// HTTP stack cannot start.
    pub fn new(api_base_url: &str, options: ZohoOptions) -> Result<ZohoClient, ProviderError> {
        let mut base = base_url(Provider::Zoho, api_base_url)?;
        if let Ok(mut path) = base.path_segments_mut() {
            path.pop_if_empty().extend(["books", "v3"]);
        }
        let transport = Transport::new(
            base,
            options.request_timeout,
            options.retry,
            options.rate_budget.unwrap_or_else(default_budget),
        )?;
        Ok(ZohoClient {
            transport: Arc::new(transport),
            options,
        })
    }

    /// Where `organization_id`'s daily quota stands after this client's
    /// requests ("N of the daily cap used"); `None` before any request.
    pub fn daily_quota(&self, organization_id: &str) -> Option<DailyQuota> {
        self.transport.quota(organization_id).map(|q| q.public())
    }

    /// The organizations the connected user belongs to, in Zoho's order.
    ///
    /// # Errors
    /// [`ProviderError::NeedsReconnect`] when the token is refused twice or
    /// lacks the settings scope; transport errors as for any request.
    pub async fn organizations(
        &self,
        bearer: &dyn BearerSource,
    ) -> Result<Vec<ZohoOrganization>, ProviderError> {
        let list: OrganizationList = self
            .transport
            .get(
                bearer,
                Call {
                    endpoint: Endpoint::Organizations,
                    segments: &["organizations"],
                    organization_id: None,
                    query: &[],
                    id: None,
                },
                &no_waiting,
            )
            .await?;
        Ok(list
            .organizations
            .into_iter()
            .map(|o| ZohoOrganization {
                name: o.name.unwrap_or_else(|| o.organization_id.clone()),
                id: o.organization_id,
                currency: o.currency_code,
                country: o.country,
                is_default: o.is_default_org,
                active: o.is_org_active.unwrap_or(true),
            })
            .collect())
    }

    /// Every unpaid invoice of `organization_id` matching `filter`: sent,
    /// viewed, unpaid, overdue and partially paid, with a balance. The
    /// filter's `created` range is the invoice date (Zoho has no creation
    /// filter); `include_uncollectible` has no Zoho counterpart.
    ///
    /// Pages of 200 are read until `has_more_page` is false, up to
    /// [`ZohoOptions::concurrency`] at once (a page past the end costs one
    /// request and comes back empty), then debtor details per
    /// [`ZohoOptions::contacts`], all paced under the organization's
    /// per-minute limit. The daily quota goes to
    /// [`ProgressSink::daily_quota`] as Zoho reports it.
    ///
    /// # Errors
    /// Only when the connection stops working ([`ProviderError::is_fatal`]).
    /// Everything else, the daily cap included, is recorded in
    /// [`FetchOutcome::failures`] and what was read is kept.
    pub async fn fetch_unpaid(
        &self,
        bearer: &dyn BearerSource,
        organization_id: &str,
        filter: &FetchFilter,
        progress: &dyn ProgressSink,
    ) -> Result<FetchOutcome, ProviderError> {
        let mut walk = Walk {
            client: self,
            bearer,
            org: organization_id,
            progress,
            outcome: FetchOutcome::default(),
            counts: Arc::default(),
            seen: HashSet::new(),
            kept: Vec::new(),
            stopped: false,
        };
        for view in self.options.unpaid_query.views() {
            if walk.stopped {
                break;
            }
            walk.list(view, filter).await?;
        }
        let contacts = walk.contacts().await?;
        walk.finish(&contacts);
        Ok(walk.outcome)
    }

    /// Reads one invoice again (and its contact, for the debtor) right
    /// before submission.
    ///
    /// # Errors
    /// [`ProviderError::NotFound`] when the invoice no longer exists;
    /// [`ProviderError::InvoiceUnreadable`] / [`ProviderError::InvoiceValue`]
    /// when it cannot be mapped; connection errors as usual.
    pub async fn fetch_invoice(
        &self,
        bearer: &dyn BearerSource,
        organization_id: &str,
        invoice_id: &str,
    ) -> Result<Rechecked, ProviderError> {
        let detail: serde_json::Value = self
            .transport
            .get(
                bearer,
                Call {
                    endpoint: Endpoint::GetInvoice,
                    segments: &["invoices", invoice_id],
                    organization_id: Some(organization_id),
                    query: &[],
                    id: Some(invoice_id),
                },
                &no_waiting,
            )
            .await?;
        let unreadable = |source| ProviderError::InvoiceUnreadable {
            provider: Provider::Zoho,
            id: invoice_id.to_owned(),
            source,
        };
        let detail: InvoiceDetail = serde_json::from_value(detail).map_err(unreadable)?;
        let wire = detail
            .into_invoice()
            .ok_or_else(|| ProviderError::NotFound {
                provider: Provider::Zoho,
                object: "invoice",
                id: invoice_id.to_owned(),
            })?;
        let contact = match (&wire.customer_id, self.options.contacts) {
            (Some(customer), ContactLookup::PerDebtor) => self
                .contact(bearer, organization_id, customer, &no_waiting)
                .await
                .or_else(|e| if e.is_fatal() { Err(e) } else { Ok(None) })?,
            _ => None,
        };
        Ok(
            match map_invoice(&wire, organization_id, contact.as_ref())? {
                Mapped::Keep(invoice) => Rechecked::Unpaid(invoice),
                Mapped::Skip(reason) => Rechecked::Settled(reason),
            },
        )
    }

    async fn contact(
        &self,
        bearer: &dyn BearerSource,
        org: &str,
        id: &str,
        on_wait: &(dyn Fn(Duration) + Send + Sync),
    ) -> Result<Option<WireContact>, ProviderError> {
        let detail: ContactDetail = self
            .transport
            .get(
                bearer,
                Call {
                    endpoint: Endpoint::GetContact,
                    segments: &["contacts", id],
                    organization_id: Some(org),
                    query: &[],
                    id: Some(id),
                },
                on_wait,
            )
            .await?;
        Ok(detail.into_contact())
    }
}

/// The query of one list view for `filter`.
fn list_query(view: &str, filter: &FetchFilter, page: u32) -> Vec<(&'static str, String)> {
    let mut query = vec![
        ("filter_by", view.to_owned()),
        ("per_page", PAGE_SIZE.to_string()),
        ("page", page.to_string()),
        ("sort_column", "created_time".to_owned()),
    ];
    let bounds = [
        ("date_start", filter.created.from()),
        ("date_end", filter.created.to()),
        ("due_date_start", filter.due.from()),
        ("due_date_end", filter.due.to()),
    ];
    for (name, day) in bounds {
        if let Some(day) = day {
            query.push((name, day.format("%Y-%m-%d").to_string()));
        }
    }
    query
}

/// Counts shared with rate-limit waits, which report from inside requests.
#[derive(Default)]
struct Counts {
    pages: AtomicU64,
    invoices: AtomicU64,
}

/// Reports pauses for the rate limit worth telling the user about.
fn waiter<'a>(
    progress: &'a dyn ProgressSink,
    counts: Arc<Counts>,
) -> impl Fn(Duration) + Send + Sync + 'a {
    move |pause: Duration| {
        if pause >= REPORT_WAITS_FROM {
            progress.report(FetchProgress {
                pages: counts.pages.load(Ordering::Relaxed),
                invoices: counts.invoices.load(Ordering::Relaxed),
                waiting_for_rate_limit: Some(pause),
            });
        }
    }
}

/// One fetch in progress.
struct Walk<'a> {
    client: &'a ZohoClient,
    bearer: &'a dyn BearerSource,
    org: &'a str,
    progress: &'a dyn ProgressSink,
    outcome: FetchOutcome,
    counts: Arc<Counts>,
    seen: HashSet<String>,
    /// Rows that are unpaid, waiting for their contact.
    kept: Vec<WireInvoice>,
    /// The daily cap ended the fetch: no further requests.
    stopped: bool,
}

impl Walk<'_> {
    fn report(&self) {
        let (pages, invoices) = (self.outcome.pages, self.kept.len() as u64);
        self.counts.pages.store(pages, Ordering::Relaxed);
        self.counts.invoices.store(invoices, Ordering::Relaxed);
        self.progress.report(FetchProgress {
            pages,
            invoices,
            waiting_for_rate_limit: None,
        });
        if let Some(quota) = self.client.daily_quota(self.org) {
            self.progress.daily_quota(quota);
        }
    }

    /// Records a non-fatal failure; the daily cap also stops the fetch.
    fn failed(&mut self, scope: FailureScope, error: ProviderError) -> Result<(), ProviderError> {
        if error.is_fatal() {
            return Err(error);
        }
        if matches!(error, ProviderError::DailyLimitReached { .. }) {
            self.stopped = true;
        }
        self.outcome.failures.push(FetchFailure { scope, error });
        Ok(())
    }

    fn take_rows(&mut self, rows: Vec<Row>) {
        for row in rows {
            if !self.seen.insert(row.id.clone()) {
                continue;
            }
            match row.parsed {
                Err(error) => self.outcome.failures.push(FetchFailure {
                    scope: FailureScope::Invoice { id: row.id },
                    error,
                }),
                Ok(wire) => match map_invoice(&wire, self.org, None) {
                    Ok(Mapped::Keep(_)) => self.kept.push(wire),
                    Ok(Mapped::Skip(reason)) => self
                        .outcome
                        .skipped
                        .push(SkippedInvoice { id: row.id, reason }),
                    Err(error) => self.outcome.failures.push(FetchFailure {
                        scope: FailureScope::Invoice { id: row.id },
                        error,
                    }),
                },
            }
        }
    }

    /// Walks one list view page by page, `concurrency` pages at once.
    async fn list(&mut self, view: &str, filter: &FetchFilter) -> Result<(), ProviderError> {
        let concurrency = self.client.options.concurrency.max(1);
        let transport = self.client.transport.clone();
        let (bearer, org, progress) = (self.bearer, self.org, self.progress);
        let counts = self.counts.clone();
        let fetch = |page: u32| {
            let transport = transport.clone();
            let counts = counts.clone();
            let query = list_query(view, filter, page);
            async move {
                let on_wait = waiter(progress, counts);
                let result = transport
                    .get::<InvoicePage>(
                        bearer,
                        Call {
                            endpoint: Endpoint::ListInvoices,
                            segments: &["invoices"],
                            organization_id: Some(org),
                            query: &query,
                            id: None,
                        },
                        &on_wait,
                    )
                    .await;
                (page, result)
            }
        };
        let mut in_flight = FuturesUnordered::new();
        let mut next_page = 1_u32;
        // The first page known to be the last.
        let mut last: Option<u32> = None;
        let mut retried_empty: HashSet<u32> = HashSet::new();
        let mut empty_in_a_row = 0;
        let mut failed_in_a_row = 0;
        // One page first: most organizations fit in it, and pages asked for
        // in parallel past the end would each cost a request for nothing.
        let mut width = 1;
        loop {
            while !self.stopped && in_flight.len() < width && last.is_none_or(|l| next_page <= l) {
                in_flight.push(fetch(next_page));
                next_page += 1;
            }
            let Some((page, result)) = in_flight.next().await else {
                return Ok(());
            };
            if last.is_some_and(|l| page > l) {
                continue;
            }
            let rows_scope = FailureScope::Rows {
                first: u64::from(page - 1) * u64::from(PAGE_SIZE) + 1,
                last: u64::from(page) * u64::from(PAGE_SIZE),
            };
            let listed = match result {
                Ok(listed) => listed,
                Err(error) => {
                    failed_in_a_row += 1;
                    if failed_in_a_row >= MAX_EMPTY_PAGES {
                        last = Some(last.map_or(page, |l| l.min(page)));
                    }
                    self.failed(rows_scope, error)?;
                    continue;
                }
            };
            failed_in_a_row = 0;
            self.outcome.pages += 1;
            let more = listed.page_context.has_more_page;
            if listed.invoices.is_empty() && more {
                // Nothing to continue from, and the rows it should have
                // held may be lost: ask once more before moving on.
                if retried_empty.insert(page) {
                    in_flight.push(fetch(page));
                    continue;
                }
                empty_in_a_row += 1;
                let error = ProviderError::EmptyPageWithMore {
                    provider: Provider::Zoho,
                };
                if empty_in_a_row >= MAX_EMPTY_PAGES {
                    last = Some(page);
                }
                self.failed(rows_scope, error)?;
                continue;
            }
            empty_in_a_row = 0;
            if more {
                width = concurrency;
            } else {
                last = Some(last.map_or(page, |l| l.min(page)));
            }
            let rows = listed
                .invoices
                .iter()
                .map(|raw| {
                    let key: Option<RowKey> = serde_json::from_str(raw.get()).ok();
                    let id = key
                        .and_then(|k| k.invoice_id)
                        .unwrap_or_else(|| format!("(row without id, page {page})"));
                    let parsed = serde_json::from_str::<WireInvoice>(raw.get()).map_err(|source| {
                        ProviderError::InvoiceUnreadable {
                            provider: Provider::Zoho,
                            id: id.clone(),
                            source,
                        }
                    });
                    Row { id, parsed }
                })
                .collect();
            self.take_rows(rows);
            self.report();
        }
    }

    /// Debtor details for the kept invoices, per [`ContactLookup`].
    async fn contacts(&mut self) -> Result<HashMap<String, WireContact>, ProviderError> {
        if self.stopped {
            return Ok(HashMap::new());
        }
        match self.client.options.contacts {
            ContactLookup::None => Ok(HashMap::new()),
            ContactLookup::PerDebtor if self.quota_too_low_for_details() => {
                self.contact_list().await
            }
            ContactLookup::PerDebtor => self.contact_details().await,
            ContactLookup::ListOnly => self.contact_list().await,
        }
    }

    /// One read per debtor would run into the daily cap (which every app
    /// on the organization shares): then the contact list's pages give
    /// names, email and phone for far fewer requests, and the missing
    /// addresses show up in review instead of the whole fetch stopping.
    fn quota_too_low_for_details(&self) -> bool {
        let debtors: HashSet<&str> = self
            .kept
            .iter()
            .filter_map(|w| w.customer_id.as_deref())
            .collect();
        self.client
            .transport
            .quota(self.org)
            .and_then(|q| q.remaining)
            .is_some_and(|remaining| remaining < debtors.len() as u64)
    }

    async fn contact_details(&mut self) -> Result<HashMap<String, WireContact>, ProviderError> {
        let mut wanted: Vec<&str> = self
            .kept
            .iter()
            .filter_map(|w| w.customer_id.as_deref())
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let wanted: Vec<String> = wanted.into_iter().map(str::to_owned).collect();
        let concurrency = self.client.options.concurrency.max(1);
        let (client, bearer, org, progress) = (self.client, self.bearer, self.org, self.progress);
        let counts = self.counts.clone();
        let mut found = HashMap::new();
        let mut lost = Vec::new();
        let mut last_error = None;
        let mut queue = wanted.into_iter();
        let mut in_flight = FuturesUnordered::new();
        loop {
            while !self.stopped && in_flight.len() < concurrency {
                let Some(id) = queue.next() else { break };
                let counts = counts.clone();
                in_flight.push(async move {
                    let on_wait = waiter(progress, counts);
                    let result = client.contact(bearer, org, &id, &on_wait).await;
                    (id, result)
                });
            }
            let Some((id, result)) = in_flight.next().await else {
                break;
            };
            match result {
                Ok(Some(contact)) => {
                    found.insert(id, contact);
                }
                Ok(None) => lost.push(id),
                Err(error) if error.is_fatal() => return Err(error),
                Err(error) => {
                    if matches!(error, ProviderError::DailyLimitReached { .. }) {
                        self.stopped = true;
                    }
                    lost.push(id);
                    last_error = Some(error);
                }
            }
            if found.len() % 25 == 0 {
                self.report();
            }
        }
        // Customers never asked for (the daily cap stopped us) count as lost.
        lost.extend(queue);
        if let Some(error) = last_error {
            lost.sort_unstable();
            self.outcome.failures.push(FetchFailure {
                scope: FailureScope::Customers { ids: lost },
                error,
            });
        }
        self.report();
        Ok(found)
    }

    async fn contact_list(&mut self) -> Result<HashMap<String, WireContact>, ProviderError> {
        let mut found = HashMap::new();
        let on_wait = waiter(self.progress, self.counts.clone());
        let mut failure = None;
        for page in 1_u32.. {
            let query = [
                ("per_page", PAGE_SIZE.to_string()),
                ("page", page.to_string()),
            ];
            let listed = self
                .client
                .transport
                .get::<ContactPage>(
                    self.bearer,
                    Call {
                        endpoint: Endpoint::ListContacts,
                        segments: &["contacts"],
                        organization_id: Some(self.org),
                        query: &query,
                        id: None,
                    },
                    &on_wait,
                )
                .await;
            match listed {
                Ok(listed) => {
                    for raw in &listed.contacts {
                        if let Ok(contact) = serde_json::from_str::<WireContact>(raw.get()) {
                            found.insert(contact.contact_id.clone(), contact);
                        }
                    }
                    if !listed.page_context.has_more_page || listed.contacts.is_empty() {
                        break;
                    }
                }
                Err(error) => {
                    failure = Some(error);
                    break;
                }
            }
        }
        if let Some(error) = failure {
            let mut lost: Vec<String> = self
                .kept
                .iter()
                .filter_map(|w| w.customer_id.clone())
                .filter(|id| !found.contains_key(id))
                .collect();
            lost.sort_unstable();
            lost.dedup();
            self.failed(FailureScope::Customers { ids: lost }, error)?;
        }
        Ok(found)
    }

    /// Maps every kept row with its contact; newest first.
    fn finish(&mut self, contacts: &HashMap<String, WireContact>) {
        for wire in std::mem::take(&mut self.kept) {
            let contact = wire.customer_id.as_ref().and_then(|id| contacts.get(id));
            match map_invoice(&wire, self.org, contact) {
                Ok(Mapped::Keep(invoice)) => self.outcome.invoices.push(*invoice),
                Ok(Mapped::Skip(reason)) => self.outcome.skipped.push(SkippedInvoice {
                    id: wire.invoice_id,
                    reason,
                }),
                Err(error) => self.outcome.failures.push(FetchFailure {
                    scope: FailureScope::Invoice {
                        id: wire.invoice_id,
                    },
                    error,
                }),
            }
        }
        self.outcome
            .invoices
            .sort_by_key(|f| std::cmp::Reverse(f.created_at));
    }
}
