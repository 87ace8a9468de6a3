//! The QuickBooks client: the company, the unpaid-invoice fetch, the
//! re-read of one invoice.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use casebridge_domain::{Currency, Provider};
use futures::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::sync::OnceCell;

use super::map::{map_invoice, Mapped};
use super::query;
use super::transport::{Reading, Transport, TransportOptions};
use super::wire::{
    CompanyInfoEnvelope, InvoiceEnvelope, PreferencesEnvelope, QueryEnvelope, RowId, WireCustomer,
    WireInvoice,
};
use super::{MAX_PAGE_SIZE, PRODUCTION_BASE_URL, SANDBOX_BASE_URL};
use crate::bearer::BearerSource;
use crate::error::ProviderError;
use crate::fetch::{
    FailureScope, FetchFailure, FetchFilter, FetchOutcome, FetchProgress, ProgressSink, Rechecked,
    SkippedInvoice,
};
use crate::http::{base_url, RetryPolicy};
use crate::ratelimit::RateWindow;

const PROVIDER: Provider = Provider::QuickBooks;

/// Intuit's sandbox or production API (separate keys, separate companies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuickBooksEnvironment {
    /// Development keys, sandbox companies.
    Sandbox,
    /// Production keys, real books.
    Production,
}

impl QuickBooksEnvironment {
    /// The API base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            QuickBooksEnvironment::Sandbox => SANDBOX_BASE_URL,
            QuickBooksEnvironment::Production => PRODUCTION_BASE_URL,
        }
    }
}

/// Tuning for a [`QuickBooksClient`]; the defaults suit the real API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickBooksOptions {
    /// One request may take this long (QuickBooks gives up at 120 s).
    pub request_timeout: Duration,
    /// Retries of failed reads (5xx, `SystemFault`, timeouts, 429).
    pub retry: RetryPolicy,
    /// Rows per query page, at most [`MAX_PAGE_SIZE`].
    pub page_size: u32,
    /// Requests in flight at most (QuickBooks refuses more than 10 per
    /// company and app).
    pub concurrency: usize,
    /// Pacing: every window must have room before a request starts.
    pub rate_windows: Vec<RateWindow>,
    /// The pause after a 429 without `Retry-After`.
    pub throttle_wait: Duration,
    /// Customer ids per `Id IN (…)` query (keeps the URL short).
    pub customer_batch: usize,
}

impl Default for QuickBooksOptions {
    fn default() -> Self {
        QuickBooksOptions {
            request_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            page_size: MAX_PAGE_SIZE,
            // 10 requests/s at 150-300 ms each needs 3 in flight; one more
            // absorbs a slow answer, far below QuickBooks' 10.
            concurrency: 4,
            // 10/s and 500/min per company (reference §7), each counted over
            // a slightly longer window so arrival jitter never shows
            // QuickBooks an 11th request in a second or a 501st in a minute.
            rate_windows: vec![
                RateWindow {
                    limit: 10,
                    window: Duration::from_millis(1_050),
                },
                RateWindow {
                    limit: 500,
                    window: Duration::from_secs(61),
                },
            ],
            throttle_wait: Duration::from_secs(60),
            customer_batch: 100,
        }
    }
}

/// The connected company, as [`QuickBooksClient::company_info`] found it.
/// Holds no secret; the engine may store it with the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickBooksCompany {
    /// The `realmId`; part of every imported invoice's source reference.
    pub realm_id: String,
    /// `CompanyName` (else `LegalName`), to show the user which books.
    pub name: Option<String>,
    /// The company's country (alpha-2 as QuickBooks spells it), also used
    /// for customer addresses that name none.
    pub country: Option<String>,
    /// Home currency: the currency of invoices without `CurrencyRef`.
    pub currency: Option<Currency>,
}

/// A client for one QuickBooks company.
#[derive(Debug)]
pub struct QuickBooksClient {
    transport: Arc<Transport>,
    realm_id: String,
    options: QuickBooksOptions,
    company: OnceCell<QuickBooksCompany>,
}

/// Counters behind progress reports, shared by parallel pages.
struct Progress<'a> {
    sink: &'a dyn ProgressSink,
    pages: AtomicU64,
    invoices: AtomicU64,
}

impl Progress<'_> {
    fn report(&self, waiting: Option<Duration>) {
        self.sink.report(FetchProgress {
            pages: self.pages.load(Ordering::Relaxed),
            invoices: self.invoices.load(Ordering::Relaxed),
            waiting_for_rate_limit: waiting,
        });
    }

    fn page(&self, rows: usize) {
        self.pages.fetch_add(1, Ordering::Relaxed);
        self.invoices.fetch_add(rows as u64, Ordering::Relaxed);
        self.report(None);
    }

    fn waiting(&self, pause: Duration) {
        // Short pauses are our own pacing between requests: not news.
        if pause >= Duration::from_millis(500) {
            self.report(Some(pause));
        }
    }
}

/// Invoices read so far, each once.
#[derive(Default)]
struct Collected {
    seen: HashSet<String>,
    invoices: Vec<WireInvoice>,
    failures: Vec<FetchFailure>,
    pages: u64,
}

impl Collected {
    fn add_rows(&mut self, rows: Vec<Box<RawValue>>) {
        self.pages += 1;
        for row in rows {
            match serde_json::from_str::<WireInvoice>(row.get()) {
                Ok(invoice) => {
                    if self.seen.insert(invoice.id.clone()) {
                        self.invoices.push(invoice);
                    }
                }
                Err(source) => {
                    let id = serde_json::from_str::<RowId>(row.get())
                        .ok()
                        .and_then(|r| r.id)
                        .unwrap_or_else(|| "(no id)".to_owned());
                    self.failures.push(FetchFailure {
                        scope: FailureScope::Invoice { id: id.clone() },
                        error: ProviderError::InvoiceUnreadable {
                            provider: PROVIDER,
                            id,
                            source,
                        },
                    });
                }
            }
        }
    }
}

/// Customers read so far; `unread` ids are those whose batch failed (their
/// absence says nothing about deletion), and `error` the last such failure.
#[derive(Default)]
struct Customers {
    by_id: HashMap<String, WireCustomer>,
    unread: HashSet<String>,
    error: Option<ProviderError>,
}

impl Customers {
    fn add_rows(&mut self, rows: Vec<Box<RawValue>>) {
        for row in rows {
            // A customer we cannot read only costs its contact details.
            match serde_json::from_str::<WireCustomer>(row.get()) {
                Ok(customer) => {
                    self.by_id.insert(customer.id.clone(), customer);
                }
                Err(e) => tracing::debug!(error = %e, "unreadable QuickBooks customer"),
            }
        }
    }
}

fn no_waiting(_: Duration) {}

impl QuickBooksClient {
    /// A client for company `realm_id` at `base_url`
    /// ([`QuickBooksEnvironment::base_url`], or the sandbox fake's).
    ///
    /// # Errors
    /// [`ProviderError::InvalidBaseUrl`] unless the URL is `https://` (or
    /// `http://` to this machine) and the realm id is digits;
    /// [`ProviderError::HttpClient`] if the HTTP stack cannot start.
    pub fn new(
        base_url_text: &str,
        realm_id: &str,
        options: QuickBooksOptions,
    ) -> Result<QuickBooksClient, ProviderError> {
        let base = base_url(PROVIDER, base_url_text)?;
        let realm_id = realm_id.trim();
        if realm_id.is_empty() || !realm_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ProviderError::InvalidBaseUrl {
                provider: PROVIDER,
                url: format!(
                    "{}/v3/company/{realm_id}",
                    base.as_str().trim_end_matches('/')
                ),
                problem: "the company id (realmId) must be digits",
            });
        }
        let options = QuickBooksOptions {
            page_size: options.page_size.clamp(1, MAX_PAGE_SIZE),
            concurrency: options.concurrency.max(1),
            customer_batch: options.customer_batch.clamp(1, MAX_PAGE_SIZE as usize),
            ..options
        };
        let transport = Arc::new(Transport::new(
            &base,
            realm_id,
            TransportOptions {
                timeout: options.request_timeout,
                retry: options.retry,
                windows: options.rate_windows.clone(),
                throttle_wait: options.throttle_wait,
            },
        )?);
        Ok(QuickBooksClient {
            transport,
            realm_id: realm_id.to_owned(),
            options,
            company: OnceCell::new(),
        })
    }

    /// Uses `company` (stored at connect time) instead of asking
    /// QuickBooks again on the first fetch.
    pub fn with_company(self, company: QuickBooksCompany) -> QuickBooksClient {
        QuickBooksClient {
            company: OnceCell::new_with(Some(company)),
            ..self
        }
    }

    /// The company id this client reads.
    pub fn realm_id(&self) -> &str {
        &self.realm_id
    }

    /// The company's name, country and home currency (two requests:
    /// `companyinfo/{realmId}` and `preferences`).
    ///
    /// # Errors
    /// [`ProviderError::NeedsReconnect`] when the token is refused twice
    /// or access to the company was lost; transport errors as for any
    /// request. Unreadable preferences only leave the currency unknown.
    pub async fn company_info(
        &self,
        bearer: &dyn BearerSource,
    ) -> Result<QuickBooksCompany, ProviderError> {
        let info = self
            .transport
            .read::<CompanyInfoEnvelope>(
                bearer,
                &["companyinfo", &self.realm_id],
                Reading::CompanyInfo,
                None,
            )
            .await?
            .company_info;
        let currency = match self
            .transport
            .read::<PreferencesEnvelope>(bearer, &["preferences"], Reading::Preferences, None)
            .await
        {
            Ok(prefs) => prefs
                .preferences
                .currency_prefs
                .and_then(|c| c.home_currency)
                .and_then(|c| Currency::parse(&c.value).ok()),
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "QuickBooks preferences unreadable; home currency unknown");
                None
            }
        };
        let non_blank = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        Ok(QuickBooksCompany {
            realm_id: self.realm_id.clone(),
            name: non_blank(info.company_name).or(non_blank(info.legal_name)),
            country: non_blank(info.country)
                .or_else(|| non_blank(info.company_addr.and_then(|a| a.country))),
            currency,
        })
    }

    async fn company(
        &self,
        bearer: &dyn BearerSource,
    ) -> Result<&QuickBooksCompany, ProviderError> {
        self.company
            .get_or_try_init(|| self.company_info(bearer))
            .await
    }

    /// Every unpaid invoice matching `filter` (`Balance > 0`; the created
    /// range is the invoice date, `TxnDate`), with its customer's contact
    /// details, newest first. Progress goes to `progress` after every page;
    /// the total from `COUNT(*)` goes to
    /// [`ProgressSink::expected_total`] first. When
    /// [`ProgressSink::cancelled`] turns true, pages in flight are dropped
    /// and what was read so far is returned (debtors from the invoices'
    /// own copy, customers not read).
    ///
    /// # Errors
    /// Only when the connection stops working ([`ProviderError::is_fatal`]:
    /// token refused twice, access revoked, no token to be had). Every
    /// other problem (a page or customer batch that failed after retries,
    /// an unreadable invoice) is recorded in [`FetchOutcome::failures`] and
    /// the rest is kept.
    pub async fn fetch_unpaid(
        &self,
        bearer: &dyn BearerSource,
        filter: &FetchFilter,
        progress: &dyn ProgressSink,
    ) -> Result<FetchOutcome, ProviderError> {
        let company = self.company(bearer).await?;
        let progress = Progress {
            sink: progress,
            pages: AtomicU64::new(0),
            invoices: AtomicU64::new(0),
        };
        let on_wait = |pause: Duration| progress.waiting(pause);
        let conditions = query::unpaid_conditions(filter);

        let total = match self
            .transport
            .query::<QueryEnvelope>(
                bearer,
                &query::count_invoices(&conditions),
                Reading::InvoiceCount,
                &on_wait,
            )
            .await
        {
            Ok(envelope) => envelope.response.total_count,
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "QuickBooks COUNT(*) failed; paging without a total");
                None
            }
        };
        if let Some(total) = total {
            progress.sink.expected_total(total);
        }

        let size = u64::from(self.options.page_size);
        let known_pages = total.map_or(0, |t| t.div_ceil(size));
        let mut collected = Collected::default();
        let mut last_known_len = None;
        let (conditions, on_wait) = (conditions.as_str(), &on_wait);
        let mut pages = stream::iter((0..known_pages).map(|k| 1 + k * size))
            .map(|start| async move {
                let rows = self.invoice_page(bearer, conditions, start, on_wait).await;
                (start, rows)
            })
            .buffer_unordered(self.options.concurrency);
        while let Some((start, rows)) = pages.next().await {
            if progress.sink.cancelled() {
                // Dropping the stream drops the pages still in flight.
                break;
            }
            let last = start + size - 1;
            match rows {
                Ok(rows) => {
                    if start + size > known_pages * size {
                        last_known_len = Some(rows.len() as u64);
                    }
                    progress.page(rows.len());
                    collected.add_rows(rows);
                }
                Err(e) if e.is_fatal() => return Err(e),
                Err(error) => collected.failures.push(FetchFailure {
                    scope: FailureScope::Rows { first: start, last },
                    error,
                }),
            }
        }
        drop(pages);

        // Without a total, or when the last counted page was full (rows
        // added since the count, or an exact multiple), read on until a
        // short or empty page.
        let cancelled = || progress.sink.cancelled();
        if !cancelled() && (total.is_none() || last_known_len == Some(size)) {
            let mut start = 1 + known_pages * size;
            while !cancelled() {
                match self.invoice_page(bearer, conditions, start, on_wait).await {
                    Ok(rows) => {
                        let full = rows.len() as u64 >= size;
                        progress.page(rows.len());
                        collected.add_rows(rows);
                        if !full {
                            break;
                        }
                        start += size;
                    }
                    Err(e) if e.is_fatal() => return Err(e),
                    Err(error) => {
                        collected.failures.push(FetchFailure {
                            scope: FailureScope::Rows {
                                first: start,
                                last: start + size - 1,
                            },
                            error,
                        });
                        break;
                    }
                }
            }
        }

        let ids: Vec<String> = {
            let mut ids: Vec<String> = collected
                .invoices
                .iter()
                .filter_map(|i| i.customer_ref.as_ref().map(|c| c.value.clone()))
                .collect::<HashSet<_>>()
                .into_iter()
                .collect();
            ids.sort();
            ids
        };
        // A cancelled fetch keeps what it read, with the invoices' own copy
        // of the debtor instead of reading customers.
        let mut customers = if cancelled() {
            Customers {
                unread: ids.iter().cloned().collect(),
                ..Customers::default()
            }
        } else {
            self.customers(bearer, &ids, on_wait).await?
        };
        if let Some(error) = customers.error.take() {
            let mut unread: Vec<String> = customers.unread.iter().cloned().collect();
            unread.sort();
            collected.failures.push(FetchFailure {
                scope: FailureScope::Customers { ids: unread },
                error,
            });
        }

        let mut outcome = FetchOutcome {
            pages: collected.pages,
            failures: collected.failures,
            ..FetchOutcome::default()
        };
        for wire in &collected.invoices {
            match map_one(wire, &customers, company) {
                Ok(Mapped::Keep(invoice)) => outcome.invoices.push(*invoice),
                Ok(Mapped::Skip(reason)) => outcome.skipped.push(SkippedInvoice {
                    id: wire.id.clone(),
                    reason,
                }),
                Err(error) => outcome.failures.push(FetchFailure {
                    scope: FailureScope::Invoice {
                        id: wire.id.clone(),
                    },
                    error,
                }),
            }
        }
        outcome.invoices.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| b.invoice.source.cmp(&a.invoice.source))
        });
        progress
            .invoices
            .store(outcome.invoices.len() as u64, Ordering::Relaxed);
        progress.report(None);
        Ok(outcome)
    }

    async fn invoice_page(
        &self,
        bearer: &dyn BearerSource,
        conditions: &str,
        start: u64,
        on_wait: &(dyn Fn(Duration) + Send + Sync),
    ) -> Result<Vec<Box<RawValue>>, ProviderError> {
        let envelope = self
            .transport
            .query::<QueryEnvelope>(
                bearer,
                &query::invoice_page(conditions, start, self.options.page_size),
                Reading::InvoicePage,
                on_wait,
            )
            .await?;
        Ok(envelope.response.invoices.unwrap_or_default())
    }

    /// The customers with `ids`, read in parallel batches of
    /// `Id IN (…)`. If QuickBooks refuses `IN` (the one part of the query
    /// language the reference could not confirm), every customer is read
    /// page by page instead: more rows, still no call per invoice.
    async fn customers(
        &self,
        bearer: &dyn BearerSource,
        ids: &[String],
        on_wait: &(dyn Fn(Duration) + Send + Sync),
    ) -> Result<Customers, ProviderError> {
        let mut customers = Customers::default();
        let mut refused_in = false;
        let mut batches = stream::iter(ids.chunks(self.options.customer_batch))
            .map(|batch| async move {
                let result = self
                    .transport
                    .query::<QueryEnvelope>(
                        bearer,
                        &query::customers_by_id(batch),
                        Reading::CustomerPage,
                        on_wait,
                    )
                    .await;
                (batch, result)
            })
            .buffer_unordered(self.options.concurrency);
        while let Some((batch, result)) = batches.next().await {
            match result {
                Ok(envelope) => customers.add_rows(envelope.response.customers.unwrap_or_default()),
                Err(e) if e.is_fatal() => return Err(e),
                Err(ProviderError::Rejected { status, .. })
                    if (400..500).contains(&status) || status == 200 =>
                {
                    refused_in = true;
                    customers.unread.extend(batch.iter().cloned());
                }
                Err(e) => {
                    tracing::warn!(error = %e, "QuickBooks customer batch failed");
                    customers.unread.extend(batch.iter().cloned());
                    customers.error = Some(e);
                }
            }
        }
        drop(batches);
        if refused_in {
            self.all_customers(bearer, &mut customers, on_wait).await?;
        }
        Ok(customers)
    }

    async fn all_customers(
        &self,
        bearer: &dyn BearerSource,
        customers: &mut Customers,
        on_wait: &(dyn Fn(Duration) + Send + Sync),
    ) -> Result<(), ProviderError> {
        tracing::info!("QuickBooks refused Id IN (…); reading every customer instead");
        let mut start = 1;
        loop {
            let envelope = match self
                .transport
                .query::<QueryEnvelope>(
                    bearer,
                    &query::customer_page(start, MAX_PAGE_SIZE),
                    Reading::CustomerPage,
                    on_wait,
                )
                .await
            {
                Ok(envelope) => envelope,
                Err(e) if e.is_fatal() => return Err(e),
                Err(e) => {
                    customers.error = Some(e);
                    return Ok(());
                }
            };
            let rows = envelope.response.customers.unwrap_or_default();
            let full = rows.len() as u64 >= u64::from(MAX_PAGE_SIZE);
            customers.add_rows(rows);
            if !full {
                break;
            }
            start += u64::from(MAX_PAGE_SIZE);
        }
        // Every customer was listed: those still missing were deleted, not
        // unread. (A batch that failed for another reason is retried here
        // too, so its error is over.)
        customers.unread.clear();
        customers.error = None;
        Ok(())
    }

    /// Reads one invoice again (its balance may have changed since the
    /// fetch), with its customer.
    ///
    /// # Errors
    /// [`ProviderError::NotFound`] when the invoice was deleted;
    /// [`ProviderError::InvoiceUnreadable`] / [`ProviderError::InvoiceField`]
    /// / [`ProviderError::InvoiceValue`] when it cannot be mapped; token and
    /// transport errors as usual.
    pub async fn fetch_invoice(
        &self,
        bearer: &dyn BearerSource,
        id: &str,
    ) -> Result<Rechecked, ProviderError> {
        let company = self.company(bearer).await?;
        let envelope = self
            .transport
            .read::<InvoiceEnvelope>(bearer, &["invoice", id], Reading::Invoice, Some(id))
            .await?;
        let wire: WireInvoice = serde_json::from_str(envelope.invoice.get()).map_err(|source| {
            ProviderError::InvoiceUnreadable {
                provider: PROVIDER,
                id: id.to_owned(),
                source,
            }
        })?;
        let ids: Vec<String> = wire.customer_ref.iter().map(|c| c.value.clone()).collect();
        let customers = self.customers(bearer, &ids, &no_waiting).await?;
        Ok(match map_one(&wire, &customers, company)? {
            Mapped::Keep(invoice) => Rechecked::Unpaid(invoice),
            Mapped::Skip(reason) => Rechecked::Settled(reason),
        })
    }
}

fn map_one(
    wire: &WireInvoice,
    customers: &Customers,
    company: &QuickBooksCompany,
) -> Result<Mapped, ProviderError> {
    let customer_id = wire.customer_ref.as_ref().map(|c| c.value.as_str());
    let customer = customer_id.and_then(|id| customers.by_id.get(id));
    let mapped = map_invoice(wire, customer, company)?;
    Ok(match mapped {
        Mapped::Keep(mut invoice) => {
            // Asked for and not returned: deleted (made inactive) in
            // QuickBooks, which queries leave out.
            invoice.customer_deleted =
                customer.is_none() && customer_id.is_some_and(|id| !customers.unread.contains(id));
            Mapped::Keep(invoice)
        }
        skip @ Mapped::Skip(_) => skip,
    })
}
