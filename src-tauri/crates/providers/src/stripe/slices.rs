//! Listing invoices fast without missing or repeating any.
//!
//! Stripe lists newest first, 100 per page, with a cursor
//! (`starting_after`) and no totals, so a plain walk is one page per round
//! trip. We walk several *slices* of the created-date range at once
//! instead, each with its own cursor, and let the rate limiter, not the
//! latency, set the pace.
//!
//! How slices split, and why nothing is lost: after a page of slice
//! `[lo, hi]` whose last invoice (the cursor) was created at `t`, every
//! invoice created after `t` has been seen (newest first), and what is left
//! is "after the cursor" within `[lo, t]`. If there is spare parallelism
//! and the page's density says at least two more pages lie below `t`, the
//! rest is cut at `m` (`lo < m <= t`): the cursor keeps walking `[m, hi]`
//! (its cursor object is still inside that range) and a fresh slice takes
//! `[lo, m - 1]`. The two parts are disjoint and together exactly the rest,
//! so the merge needs no guesswork; ids are still de-duplicated in case an
//! invoice changes status between two listings. Halving repeatedly from the
//! top means an open-ended range ("all time") costs only a few empty
//! slices before the slices sit where the invoices are. A second with more
//! than a page of invoices is never split; its cursor walks it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use casebridge_domain::Provider;
use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::map::{map_invoice, Mapped};
use super::transport::{Endpoint, Transport};
use super::wire::{ItemKey, ListPage, WireInvoice};
use crate::error::ProviderError;
use crate::fetch::{
    FailureScope, FetchFailure, FetchFilter, FetchOutcome, FetchProgress, ProgressSink,
    SkippedInvoice, SourceStatus,
};

/// Stripe's largest page.
pub(crate) const PAGE_LIMIT: usize = 100;
/// Rate-limit pauses shorter than this are normal pacing, not news.
const REPORT_WAITS_FROM: Duration = Duration::from_millis(250);
/// How soon a cancelled fetch notices while no page arrives.
const CANCEL_CHECK: Duration = Duration::from_millis(100);

/// One piece of the listing: invoices of `status` created in `lo..=hi`
/// (`hi: None` = no upper bound), after `cursor` if set.
#[derive(Debug, Clone)]
struct Slice {
    status: SourceStatus,
    lo: i64,
    hi: Option<i64>,
    /// Id and `created` of the last invoice read in this slice.
    cursor: Option<(String, i64)>,
}

impl Slice {
    fn query(&self, filter: &FetchFilter) -> Vec<(&'static str, String)> {
        let status = match self.status {
            SourceStatus::Uncollectible => "uncollectible",
            _ => "open",
        };
        let mut query = vec![
            ("status", status.to_owned()),
            ("limit", PAGE_LIMIT.to_string()),
            // The customer rides along with each page: the fallback for
            // debtor fields the invoice snapshot lacks, without a request
            // per customer.
            ("expand[]", "data.customer".to_owned()),
            ("created[gte]", self.lo.to_string()),
        ];
        if let Some(hi) = self.hi {
            query.push(("created[lte]", hi.to_string()));
        }
        if let Some(from) = filter.due.start_timestamp() {
            query.push(("due_date[gte]", from.to_string()));
        }
        if let Some(to) = filter.due.end_timestamp() {
            query.push(("due_date[lte]", to.to_string()));
        }
        if let Some((id, _)) = &self.cursor {
            query.push(("starting_after", id.clone()));
        }
        query
    }

    /// What a failure of this slice lost: everything not yet read.
    fn unread_scope(&self) -> FailureScope {
        let at = |ts: i64| DateTime::<Utc>::from_timestamp(ts, 0);
        FailureScope::Listing {
            status: self.status,
            created_from: Some(self.lo).filter(|lo| *lo > 0).and_then(at),
            created_to: self
                .cursor
                .as_ref()
                .map(|(_, created)| *created)
                .or(self.hi)
                .and_then(at),
        }
    }

    /// Cuts off the older part of what is left below the cursor at `t`, if
    /// the page suggests it holds at least two more pages.
    fn split_off(&mut self, t: i64, per_second: f64) -> Option<Slice> {
        let below = t - self.lo;
        if below < 1 || per_second * (below as f64) < (2 * PAGE_LIMIT) as f64 {
            return None;
        }
        let m = self.lo + (below + 1) / 2;
        let older = Slice {
            status: self.status,
            lo: self.lo,
            hi: Some(m - 1),
            cursor: None,
        };
        self.lo = m;
        Some(older)
    }
}

/// How to walk.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Walk {
    /// Pages in flight at most.
    pub concurrency: usize,
    /// `false` = one cursor per status, newest to oldest (the plain walk).
    pub split: bool,
}

/// One listed invoice, read and mapped in its page's task.
struct Item {
    id: Option<String>,
    outcome: Result<Mapped, ProviderError>,
}

/// A page, read and mapped.
struct Page {
    items: Vec<Item>,
    has_more: bool,
    /// `created` of the first readable item.
    newest: Option<i64>,
    /// Id and `created` of the last readable item: the next cursor. An
    /// unreadable last item is simply listed again (and counted once).
    cursor: Option<(String, i64)>,
}

/// What every page task needs, shared.
struct Shared {
    transport: Arc<Transport>,
    filter: FetchFilter,
    account: String,
    accepted: Vec<SourceStatus>,
}

/// Fetches, parses and maps one page. Runs as its own task, so parsing
/// and mapping use every core while the walk only merges.
async fn read_page(
    shared: Arc<Shared>,
    slice: &Slice,
    waits: mpsc::UnboundedSender<Duration>,
) -> Result<Page, ProviderError> {
    let on_wait = move |pause: Duration| {
        // The walk may be gone (cancelled); then nobody needs to know.
        let _ = waits.send(pause);
    };
    let page = shared
        .transport
        .get::<ListPage>(
            Endpoint::ListInvoices,
            &["v1", "invoices"],
            &slice.query(&shared.filter),
            None,
            &on_wait,
        )
        .await?;
    let mut newest = None;
    let mut cursor = None;
    let mut items = Vec::with_capacity(page.data.len());
    for raw in &page.data {
        let key = serde_json::from_str::<ItemKey>(raw.get()).ok();
        let id = key.as_ref().and_then(|k| k.id.clone());
        if let Some((id, created)) = key.and_then(|k| Some((k.id?, k.created?))) {
            newest = newest.or(Some(created));
            cursor = Some((id, created));
        }
        let outcome = serde_json::from_str::<WireInvoice>(raw.get())
            .map_err(|source| ProviderError::InvoiceUnreadable {
                provider: Provider::Stripe,
                id: id.clone().unwrap_or_else(|| NO_ID.to_owned()),
                source,
            })
            .and_then(|wire| map_invoice(wire, &shared.account, &shared.accepted));
        items.push(Item { id, outcome });
    }
    Ok(Page {
        items,
        has_more: page.has_more,
        newest,
        cursor,
    })
}

const NO_ID: &str = "(no id)";

/// Everything a walk has read so far.
#[derive(Default)]
struct Collector {
    seen: HashSet<String>,
    outcome: FetchOutcome,
}

impl Collector {
    fn take(&mut self, item: Item) {
        if let Some(id) = &item.id {
            if !self.seen.insert(id.clone()) {
                return;
            }
        }
        let id = item.id.unwrap_or_else(|| NO_ID.to_owned());
        match item.outcome {
            Ok(Mapped::Keep(invoice)) => self.outcome.invoices.push(*invoice),
            Ok(Mapped::Skip(reason)) => self.outcome.skipped.push(SkippedInvoice { id, reason }),
            Err(error) => self.outcome.failures.push(FetchFailure {
                scope: FailureScope::Invoice { id },
                error,
            }),
        }
    }

    fn progress(&self, waiting_for_rate_limit: Option<Duration>) -> FetchProgress {
        FetchProgress {
            pages: self.outcome.pages,
            invoices: self.outcome.invoices.len() as u64,
            waiting_for_rate_limit,
        }
    }
}

/// Pages in flight, each its own task; dropping the walk aborts them.
struct Tasks {
    set: JoinSet<(Slice, Result<Page, ProviderError>)>,
    shared: Arc<Shared>,
    waits: mpsc::UnboundedSender<Duration>,
}

impl Tasks {
    fn spawn(&mut self, slice: Slice) {
        let shared = self.shared.clone();
        let waits = self.waits.clone();
        self.set.spawn(async move {
            let result = read_page(shared, &slice, waits).await;
            (slice, result)
        });
    }
}

/// Lists every unpaid invoice matching `filter`, until `progress` says it
/// is cancelled (then returns what it merged so far).
///
/// # Errors
/// Only the fatal ones ([`ProviderError::is_fatal`]: key rejected or a
/// permission missing), which stop the walk; everything else becomes a
/// [`FetchFailure`] while the rest carries on.
pub(crate) async fn walk(
    transport: Arc<Transport>,
    account: &str,
    filter: &FetchFilter,
    how: Walk,
    progress: &dyn ProgressSink,
) -> Result<FetchOutcome, ProviderError> {
    let mut statuses = vec![SourceStatus::Open];
    if filter.include_uncollectible {
        statuses.push(SourceStatus::Uncollectible);
    }
    let (waits, mut waited) = mpsc::unbounded_channel();
    let mut tasks = Tasks {
        set: JoinSet::new(),
        shared: Arc::new(Shared {
            transport,
            filter: *filter,
            account: account.to_owned(),
            accepted: statuses.clone(),
        }),
        waits,
    };
    let lo = filter.created.start_timestamp().unwrap_or(0).max(0);
    let hi = filter.created.end_timestamp();
    for status in statuses {
        tasks.spawn(Slice {
            status,
            lo,
            hi,
            cursor: None,
        });
    }
    let concurrency = how.concurrency.max(1);
    let mut collector = Collector::default();
    // A page can take seconds (latency, a 429 backoff): look at the cancel
    // flag meanwhile too, not only when something arrives.
    let mut cancel_check = tokio::time::interval(CANCEL_CHECK);
    loop {
        if progress.cancelled() {
            // Dropping the tasks aborts the pages in flight; what was
            // merged so far is returned like any partial fetch.
            tasks.set.abort_all();
            break;
        }
        let joined = tokio::select! {
            _ = cancel_check.tick() => continue,
            Some(pause) = waited.recv() => {
                if pause >= REPORT_WAITS_FROM {
                    progress.report(collector.progress(Some(pause)));
                }
                continue;
            }
            joined = tasks.set.join_next() => joined,
        };
        let (slice, result) = match joined {
            None => break,
            Some(Ok(done)) => done,
            // Our own bug, not the provider's: do not hide it.
            Some(Err(join)) => std::panic::resume_unwind(join.into_panic()),
        };
        let page = match result {
            Ok(page) => page,
            Err(error) if error.is_fatal() => return Err(error),
            Err(error) => {
                collector.outcome.failures.push(FetchFailure {
                    scope: slice.unread_scope(),
                    error,
                });
                continue;
            }
        };
        let count = page.items.len();
        for item in page.items {
            collector.take(item);
        }
        collector.outcome.pages += 1;
        progress.report(collector.progress(None));
        if !page.has_more {
            continue;
        }
        let Some((cursor_id, t)) = page.cursor else {
            collector.outcome.failures.push(FetchFailure {
                scope: slice.unread_scope(),
                error: ProviderError::EmptyPageWithMore {
                    provider: Provider::Stripe,
                },
            });
            continue;
        };
        let mut next = Slice {
            cursor: Some((cursor_id, t)),
            ..slice
        };
        if how.split {
            let span = page.newest.map_or(1, |newest| (newest - t).max(0) + 1);
            let per_second = count as f64 / span as f64;
            while tasks.set.len() + 1 < concurrency {
                let Some(older) = next.split_off(t, per_second) else {
                    break;
                };
                tasks.spawn(older);
            }
        }
        tasks.spawn(next);
    }
    let mut outcome = collector.outcome;
    outcome.invoices.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then_with(|| b.invoice.source.cmp(&a.invoice.source))
    });
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(lo: i64, hi: Option<i64>) -> Slice {
        Slice {
            status: SourceStatus::Open,
            lo,
            hi,
            cursor: Some(("in_cursor".into(), 1_000)),
        }
    }

    #[test]
    fn a_split_leaves_two_disjoint_parts_that_cover_the_rest() {
        let mut upper = slice(0, Some(2_000));
        let lower = upper.split_off(1_000, 1.0).expect("dense enough");
        assert_eq!((lower.lo, lower.hi), (0, Some(499)));
        assert!(lower.cursor.is_none(), "the older part starts fresh");
        assert_eq!((upper.lo, upper.hi), (500, Some(2_000)));
        assert!(
            upper.lo <= 1_000,
            "the cursor object stays inside the walking slice's range"
        );
    }

    #[test]
    fn thin_or_single_second_rests_are_not_split() {
        // 0.1 invoices/s over 1000 s below the cursor = 100: one page.
        assert!(slice(0, None).split_off(1_000, 0.1).is_none());
        // Nothing below the cursor's second: only the cursor can go on.
        assert!(slice(1_000, None).split_off(1_000, 1_000.0).is_none());
        // One second below: splits into [999, 999] and [1000, …].
        let mut s = slice(999, None);
        let lower = s.split_off(1_000, 1_000.0).expect("dense");
        assert_eq!((lower.lo, lower.hi, s.lo), (999, Some(999), 1_000));
    }

    #[test]
    fn the_query_carries_every_filter_and_the_cursor() {
        let filter = FetchFilter {
            due: crate::fetch::DateRange::new(
                "due",
                chrono::NaiveDate::from_ymd_opt(2024, 1, 1),
                chrono::NaiveDate::from_ymd_opt(2024, 1, 31),
            )
            .expect("valid"),
            ..FetchFilter::default()
        };
        let query = slice(5, Some(10)).query(&filter);
        let get = |k: &str| {
            query
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("status"), Some("open"));
        assert_eq!(get("limit"), Some("100"));
        assert_eq!(get("expand[]"), Some("data.customer"));
        assert_eq!(get("created[gte]"), Some("5"));
        assert_eq!(get("created[lte]"), Some("10"));
        assert_eq!(get("due_date[gte]"), Some("1704067200"));
        assert_eq!(get("due_date[lte]"), Some("1706745599"));
        assert_eq!(get("starting_after"), Some("in_cursor"));
    }
}
