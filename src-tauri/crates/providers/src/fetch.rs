//! The provider-agnostic half of a fetch: what to ask for, how progress is
//! told, and what comes back (including what failed).

use std::time::Duration;

use casebridge_domain::{Invoice, Money};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{ErrorReport, ProviderError};

/// An inclusive range of calendar days; either end may be open.
///
/// Built with [`DateRange::new`], so a range that ends before it starts
/// cannot exist.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "DateRangeRepr")]
pub struct DateRange {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

#[derive(Deserialize)]
struct DateRangeRepr {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl TryFrom<DateRangeRepr> for DateRange {
    type Error = ProviderError;

    fn try_from(repr: DateRangeRepr) -> Result<Self, Self::Error> {
        DateRange::new("date", repr.from, repr.to)
    }
}

impl DateRange {
    /// No bound on either side.
    pub const ANY: DateRange = DateRange {
        from: None,
        to: None,
    };

    /// A range from `from` to `to`, both days included. `which` names the
    /// range in the error ("created", "due").
    ///
    /// # Errors
    /// [`ProviderError::InvalidDateRange`] when `from` is after `to`.
    pub fn new(
        which: &'static str,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<DateRange, ProviderError> {
        match (from, to) {
            (Some(from), Some(to)) if from > to => {
                Err(ProviderError::InvalidDateRange { which, from, to })
            }
            _ => Ok(DateRange { from, to }),
        }
    }

    /// First day included.
    pub fn from(&self) -> Option<NaiveDate> {
        self.from
    }

    /// Last day included.
    pub fn to(&self) -> Option<NaiveDate> {
        self.to
    }

    /// The first second of `from` (UTC), as a unix timestamp.
    pub(crate) fn start_timestamp(&self) -> Option<i64> {
        self.from
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp())
    }

    /// The last second of `to` (UTC), as a unix timestamp.
    pub(crate) fn end_timestamp(&self) -> Option<i64> {
        self.to
            .and_then(|d| d.and_hms_opt(23, 59, 59))
            .map(|t| t.and_utc().timestamp())
    }
}

/// Which unpaid invoices to fetch. Dates are calendar days in UTC.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchFilter {
    /// When the invoice was created.
    pub created: DateRange,
    /// When the invoice is/was due. Invoices without a due date (Stripe's
    /// automatically charged ones) are left out by any bound here, because
    /// the source filters them out.
    pub due: DateRange,
    /// Also fetch invoices the creditor wrote off (Stripe `uncollectible`).
    pub include_uncollectible: bool,
}

/// Where a fetch stands. Sources give no totals, so these only count up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FetchProgress {
    /// Pages received so far.
    pub pages: u64,
    /// Distinct unpaid invoices kept so far.
    pub invoices: u64,
    /// `Some` while the fetch pauses for the source's rate limit (our own
    /// pacing or a 429 backoff), with how long that pause is.
    pub waiting_for_rate_limit: Option<Duration>,
}

/// Receives progress while a fetch runs. Called from the fetch's task: keep
/// it quick (forward to a channel, update an atomic).
pub trait ProgressSink: Send + Sync {
    /// One update; later ones supersede earlier ones.
    fn report(&self, progress: FetchProgress);

    /// How many invoices the source says match, when it can count them
    /// (QuickBooks `COUNT(*)`); said once, before the first page. Sources
    /// without totals never call it.
    fn expected_total(&self, _total: u64) {}

    /// Where the source's daily request quota stands (Zoho Books: per
    /// organization, shared with every app connected to it); said after
    /// every answer that told us. Sources without a daily cap never call it.
    fn daily_quota(&self, _quota: DailyQuota) {}

    /// `true` once the listener wants the fetch stopped (the user pressed
    /// Cancel). Asked between pages and while waiting: the fetch stops
    /// sending, drops the pages in flight and returns what it has read so
    /// far. Plain closures never cancel.
    fn cancelled(&self) -> bool {
        false
    }
}

/// How much of a daily request quota is used: "N of the daily cap used".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct DailyQuota {
    /// Requests counted today: the source's own count when it sends one
    /// (`limit - remaining`), else the requests this client made.
    pub used: u64,
    /// The daily cap, when the source said.
    pub limit: Option<u64>,
    /// Seconds until the count restarts, when the source said.
    pub resets_in_secs: Option<u64>,
}

impl<F> ProgressSink for F
where
    F: Fn(FetchProgress) + Send + Sync,
{
    fn report(&self, progress: FetchProgress) {
        self(progress);
    }
}

/// A source's lifecycle state of an invoice, in words every source shares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    /// Not finalised; has no number yet.
    Draft,
    /// Finalised and (partly) unpaid.
    Open,
    /// Written off by the creditor at the source, still owed.
    Uncollectible,
    /// Paid in full.
    Paid,
    /// Cancelled.
    Void,
    /// A state this connector does not know (a newer API).
    Unknown,
}

/// Whether the invoice was a one-off or came from a recurring agreement;
/// the review table shows it and agencies treat subscriptions differently
/// (a contract exists).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InvoiceOrigin {
    /// Created by hand or through the API for a single sale.
    OneOff,
    /// Billed by a subscription (`id` when the source names it).
    Subscription {
        /// The source's subscription id (`sub_…`).
        id: Option<String>,
    },
    /// Created by accepting a quote.
    Quote {
        /// The source's quote id (`qt_…`).
        id: Option<String>,
    },
}

/// One unpaid invoice as fetched: the domain invoice plus what the source
/// says about it that the domain model does not carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchedInvoice {
    /// The normalised invoice.
    pub invoice: Invoice,
    /// Open or uncollectible (a fetch never returns other states).
    pub status: SourceStatus,
    /// One-off, subscription or quote.
    pub origin: InvoiceOrigin,
    /// When the source created it, to the second (sorting, slicing).
    pub created_at: DateTime<Utc>,
    /// The invoice PDF, to attach as the original invoice.
    pub document_url: Option<String>,
    /// The source's payment page for the debtor.
    pub payment_page_url: Option<String>,
    /// The customer was deleted at the source; the debtor data is the
    /// invoice's own snapshot only.
    pub customer_deleted: bool,
}

/// One invoice read again right before submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rechecked {
    /// Still owed; the balance is as of now.
    Unpaid(Box<FetchedInvoice>),
    /// Nothing to collect any more, and why (paid or voided at the source,
    /// balance settled).
    Settled(SkipReason),
}

/// Why an invoice the source listed was not returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum SkipReason {
    /// Its status never becomes a case (draft, paid, void, or uncollectible
    /// without the opt-in).
    Status {
        /// The status it had.
        status: SourceStatus,
    },
    /// Nothing is owed any more.
    NothingOwed {
        /// The balance it had (zero or a credit).
        outstanding: Money,
    },
    /// It has no invoice number, which the agency needs as the creditor
    /// reference.
    NoNumber,
}

/// An invoice left out on purpose, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedInvoice {
    /// The source's invoice id.
    pub id: String,
    /// Why.
    pub reason: SkipReason,
}

/// Which part of a fetch a failure cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailureScope {
    /// Invoices of `status` created within `created_from..=created_to`
    /// (UTC) could not all be listed; those already read are kept.
    Listing {
        /// Which status was being listed.
        status: SourceStatus,
        /// First second of the range that failed.
        created_from: Option<DateTime<Utc>>,
        /// Last second of the range that failed.
        created_to: Option<DateTime<Utc>>,
    },
    /// One invoice could not be read or mapped; the others are fine.
    Invoice {
        /// The source's invoice id.
        id: String,
    },
    /// Rows `first..=last` (1-based, in the source's order) of an
    /// offset-paged listing could not be read (QuickBooks pages).
    Rows {
        /// First row position of the lost page.
        first: u64,
        /// Last row position of the lost page.
        last: u64,
    },
    /// These customers could not be read; their invoices are kept with the
    /// invoice's own copy of the debtor (name, billing address, email).
    Customers {
        /// The source's customer ids.
        ids: Vec<String>,
    },
}

/// Something a fetch could not do.
#[derive(Debug)]
pub struct FetchFailure {
    /// What was lost.
    pub scope: FailureScope,
    /// Why.
    pub error: ProviderError,
}

impl FetchFailure {
    /// The error as the UI shows it.
    pub fn report(&self) -> ErrorReport {
        self.error.report()
    }
}

/// What a fetch produced: every unpaid invoice it could read, those it left
/// out on purpose, and what failed. A fetch with failures is partial, not
/// wrong: `invoices` holds exactly what was read.
#[derive(Debug, Default)]
pub struct FetchOutcome {
    /// Unpaid invoices, newest first, each once.
    pub invoices: Vec<FetchedInvoice>,
    /// Listed but left out (paid, drafts, zero balance…).
    pub skipped: Vec<SkippedInvoice>,
    /// Parts that could not be read.
    pub failures: Vec<FetchFailure>,
    /// Pages received.
    pub pages: u64,
}

impl FetchOutcome {
    /// `true` when nothing failed.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn a_range_ending_before_it_starts_is_refused() {
        let err = DateRange::new("due", Some(day(2025, 2, 1)), Some(day(2025, 1, 1)))
            .expect_err("backwards range");
        assert_eq!(err.code(), "date_range_invalid");
        assert_eq!(
            err.to_string(),
            "the due date range starts (2025-02-01) after it ends (2025-01-01)"
        );
        assert!(DateRange::new("due", Some(day(2025, 1, 1)), Some(day(2025, 1, 1))).is_ok());
    }

    #[test]
    fn range_bounds_cover_whole_utc_days() {
        let range =
            DateRange::new("created", Some(day(2024, 1, 1)), Some(day(2024, 1, 1))).expect("valid");
        assert_eq!(range.start_timestamp(), Some(1_704_067_200));
        assert_eq!(range.end_timestamp(), Some(1_704_067_200 + 86_399));
        assert_eq!(DateRange::ANY.start_timestamp(), None);
    }

    #[test]
    fn deserialising_a_backwards_range_fails() {
        let bad = r#"{"from":"2025-02-01","to":"2025-01-01"}"#;
        assert!(serde_json::from_str::<DateRange>(bad).is_err());
        let ok = r#"{"from":"2025-01-01","to":null}"#;
        let range: DateRange = serde_json::from_str(ok).expect("valid");
        assert_eq!(range.from(), Some(day(2025, 1, 1)));
    }

    #[test]
    fn closures_are_progress_sinks() {
        let seen = std::sync::Mutex::new(Vec::new());
        let sink = |p: FetchProgress| seen.lock().expect("not poisoned").push(p.pages);
        sink.report(FetchProgress {
            pages: 3,
            ..FetchProgress::default()
        });
        assert_eq!(*seen.lock().expect("not poisoned"), vec![3]);
    }
}
