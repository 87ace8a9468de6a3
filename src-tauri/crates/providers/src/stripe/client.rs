//! The Stripe client: validate a key, fetch unpaid invoices, re-read one.

use std::sync::Arc;
use std::time::Duration;

use casebridge_domain::Provider;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::key::{KeyKind, KeyWarning, StripeKey, StripeMode};
use super::map::{map_invoice, Mapped};
use super::slices::{walk, Walk};
use super::transport::{default_budget, Endpoint, Transport};
use super::wire::{ListPage, MaybeDeleted, WireAccount, WireInvoice};
use crate::error::ProviderError;
use crate::fetch::{FetchFilter, FetchOutcome, ProgressSink, Rechecked, SourceStatus};
use crate::http::{base_url, RetryPolicy};
use crate::ratelimit::RateBudget;

/// How [`StripeClient::fetch_unpaid`] walks the invoice list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchStrategy {
    /// One cursor, newest to oldest: one page per round trip. Kept for
    /// comparison (the bench) and for accounts where parallel reads are
    /// unwelcome.
    Sequential,
    /// Created-date slices paged in parallel, at most `concurrency` pages
    /// in flight, paced by the rate limit.
    Sliced {
        /// Pages in flight at most.
        concurrency: usize,
    },
}

/// Tuning for a [`StripeClient`]; the defaults suit the real API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StripeOptions {
    /// One request (connect + answer) may take this long.
    pub request_timeout: Duration,
    /// Retries of failed reads.
    pub retry: RetryPolicy,
    /// How to walk the list.
    pub strategy: FetchStrategy,
    /// Pacing; `None` = Stripe's documented limits for the key's mode.
    pub rate_budget: Option<RateBudget>,
}

impl Default for StripeOptions {
    fn default() -> Self {
        StripeOptions {
            request_timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            // 25 requests/s at ~0.4-0.6 s per list page needs 10-15 pages
            // in flight to keep the rate limit, not latency, the bottleneck.
            strategy: FetchStrategy::Sliced { concurrency: 16 },
            rate_budget: None,
        }
    }
}

/// The Stripe account a key reads, as found by [`StripeClient::validate`].
/// Holds no secret, so the engine may store it with the connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripeAccount {
    /// `acct_…`; part of every imported invoice's source reference.
    pub id: String,
    /// Test or live data.
    pub mode: StripeMode,
    /// The account's display name, when Stripe told us.
    pub name: Option<String>,
    /// The account's country (alpha-2), when Stripe told us.
    pub country: Option<String>,
}

/// A client for one Stripe account and key.
#[derive(Debug)]
pub struct StripeClient {
    transport: Arc<Transport>,
    mode: StripeMode,
    kind: KeyKind,
    strategy: FetchStrategy,
}

/// `GET /v1/invoices` item fields that tell a restricted key which account
/// it is reading.
#[derive(Deserialize)]
struct InvoiceAccountFields {
    account_name: Option<String>,
    account_country: Option<String>,
}

fn no_waiting(_: Duration) {}

impl StripeClient {
    /// A client talking to `base_url` (normally [`super::DEFAULT_BASE_URL`],
    /// the sandbox's URL in demo mode and tests).
    ///
    /// # Errors
    /// [`ProviderError::InvalidBaseUrl`] unless the URL is `https://` (or
    /// `http://` to this machine); [`ProviderError::HttpClient`] if the
    /// HTTP stack cannot start.
    pub fn new(
        base_url_text: &str,
        key: StripeKey,
        options: StripeOptions,
    ) -> Result<StripeClient, ProviderError> {
        let base = base_url(Provider::Stripe, base_url_text)?;
        let budget = options
            .rate_budget
            .unwrap_or_else(|| default_budget(key.mode()));
        let transport = Arc::new(Transport::new(
            base,
            &key,
            options.request_timeout,
            options.retry,
            budget,
        )?);
        Ok(StripeClient {
            transport,
            mode: key.mode(),
            kind: key.kind(),
            strategy: options.strategy,
        })
    }

    /// Test or live, from the key.
    pub fn mode(&self) -> StripeMode {
        self.mode
    }

    /// The warning to show for this client's key, if any.
    pub fn key_warning(&self) -> Option<KeyWarning> {
        match self.kind {
            KeyKind::Secret => Some(KeyWarning::SecretKey),
            KeyKind::Restricted => None,
        }
    }

    /// Checks the key can read invoices and customers and finds its
    /// account. Makes three requests.
    ///
    /// # Errors
    /// - [`ProviderError::KeyRejected`]: wrong, revoked or expired key.
    /// - [`ProviderError::MissingPermissions`]: every missing permission,
    ///   named (`rak_invoice_read`, `rak_customer_read`).
    /// - [`ProviderError::AccountUnknown`]: Stripe did not reveal the
    ///   account.
    /// - Transport errors as for any request.
    pub async fn validate(&self) -> Result<StripeAccount, ProviderError> {
        let limit_one = [("limit", "1".to_owned())];
        let invoices = self
            .transport
            .get::<ListPage>(
                Endpoint::ListInvoices,
                &["v1", "invoices"],
                &limit_one,
                None,
                &no_waiting,
            )
            .await;
        if let Err(error @ ProviderError::KeyRejected { .. }) = invoices {
            return Err(error);
        }
        let customers = self
            .transport
            .get::<Value>(
                Endpoint::ListCustomers,
                &["v1", "customers"],
                &limit_one,
                None,
                &no_waiting,
            )
            .await;

        let mut missing = Vec::new();
        let mut account_id = None;
        let mut sample = None;
        for probe in [invoices.map(Some), customers.map(|_| None)] {
            match probe {
                Ok(page) => sample = sample.or(page),
                Err(ProviderError::MissingPermissions {
                    permissions,
                    account,
                    ..
                }) => {
                    missing.extend(permissions);
                    account_id = account_id.or(account);
                }
                Err(other) => return Err(other),
            }
        }

        // Restricted keys may not read /v1/account, but Stripe's refusal
        // names the account, which is all we need from it.
        let (mut name, mut country) = (None, None);
        match self
            .transport
            .get::<WireAccount>(
                Endpoint::RetrieveAccount,
                &["v1", "account"],
                &[],
                None,
                &no_waiting,
            )
            .await
        {
            Ok(account) => {
                name = account.display_name();
                country = account.country.clone();
                account_id = Some(account.id);
            }
            Err(ProviderError::MissingPermissions { account, .. }) => {
                account_id = account_id.or(account);
            }
            Err(error @ ProviderError::KeyRejected { .. }) => return Err(error),
            Err(other) => tracing::debug!(error = %other, "GET /v1/account failed"),
        }

        if !missing.is_empty() {
            return Err(ProviderError::MissingPermissions {
                provider: Provider::Stripe,
                permissions: missing,
                account: account_id,
            });
        }
        if let Some(first) = sample.and_then(|page: ListPage| page.data.into_iter().next()) {
            if let Ok(fields) = serde_json::from_str::<InvoiceAccountFields>(first.get()) {
                name = name.or(fields.account_name);
                country = country.or(fields.account_country);
            }
        }
        let id = account_id.ok_or(ProviderError::AccountUnknown)?;
        Ok(StripeAccount {
            id,
            mode: self.mode,
            name,
            country,
        })
    }

    /// Every unpaid invoice matching `filter`: `open`, plus
    /// `uncollectible` when the filter opts in; drafts, paid and void
    /// invoices and zero balances never come back. Progress goes to
    /// `progress` after every page and during long rate-limit pauses.
    ///
    /// # Errors
    /// Only when the key stops working (rejected, permission removed):
    /// then nothing fetched is trustworthy to keep building on. Every other
    /// problem (timeouts, 5xx, unreadable pages or invoices) is recorded in
    /// [`FetchOutcome::failures`] and the rest of the fetch carries on.
    pub async fn fetch_unpaid(
        &self,
        account: &StripeAccount,
        filter: &FetchFilter,
        progress: &dyn ProgressSink,
    ) -> Result<FetchOutcome, ProviderError> {
        let how = match self.strategy {
            FetchStrategy::Sequential => Walk {
                concurrency: 1,
                split: false,
            },
            FetchStrategy::Sliced { concurrency } => Walk {
                concurrency,
                split: true,
            },
        };
        walk(self.transport.clone(), &account.id, filter, how, progress).await
    }

    /// Reads one invoice again (its outstanding balance may have changed
    /// since the fetch). Uncollectible invoices count as unpaid.
    ///
    /// # Errors
    /// [`ProviderError::NotFound`] when the invoice no longer exists;
    /// [`ProviderError::InvoiceUnreadable`] / [`ProviderError::InvoiceValue`]
    /// when it cannot be mapped; transport and key errors as usual.
    pub async fn fetch_invoice(
        &self,
        account: &StripeAccount,
        id: &str,
    ) -> Result<Rechecked, ProviderError> {
        let value = self
            .transport
            .get::<Value>(
                Endpoint::RetrieveInvoice,
                &["v1", "invoices", id],
                &[("expand[]", "customer".to_owned())],
                Some(id),
                &no_waiting,
            )
            .await?;
        let unreadable = |source| ProviderError::InvoiceUnreadable {
            provider: Provider::Stripe,
            id: id.to_owned(),
            source,
        };
        let wire = match MaybeDeleted::<WireInvoice>::from_value(value).map_err(unreadable)? {
            MaybeDeleted::Live(wire) => wire,
            MaybeDeleted::Deleted { id } => {
                return Err(ProviderError::NotFound {
                    provider: Provider::Stripe,
                    object: "invoice",
                    id,
                })
            }
        };
        let accepted = [SourceStatus::Open, SourceStatus::Uncollectible];
        Ok(match map_invoice(wire, &account.id, &accepted)? {
            Mapped::Keep(invoice) => Rechecked::Unpaid(invoice),
            Mapped::Skip(reason) => Rechecked::Settled(reason),
        })
    }
}
