//! The offline invoice cache: what providers and imports fetched, with the
//! readiness verdict stored beside each invoice so the review table can
//! filter and count 100,000 rows in SQL.
//!
//! Readiness depends on the debtor's fixes and on today's date, so it is
//! re-evaluated whenever either may have changed (a fetch, a fix, start-up).

use casebridge_domain::{check_readiness, DebtorOverride, Fingerprint, Invoice, ReadinessPolicy};
use casebridge_store::{CacheRow, DebtorRef, InvoiceRecord, SourceRef, Store};
use chrono::{DateTime, NaiveDate, Utc};

use crate::{Engine, EngineError};

pub(crate) fn store_source(invoice: &Invoice) -> SourceRef {
    SourceRef::new(
        invoice.source.provider().as_str(),
        invoice.source.account(),
        invoice.source.external_id(),
    )
}

/// The `provider:account/external_id` text the UI and CLI use for an
/// invoice: the domain's format, so it parses back exactly.
pub(crate) fn display_source(source: &SourceRef) -> String {
    casebridge_domain::Provider::parse(&source.provider)
        .and_then(|p| casebridge_domain::SourceRef::new(p, &source.account, &source.external_id))
        .map_or_else(
            |_| format!("{}:{}/{}", source.provider, source.account, source.external_id),
            |parsed| parsed.to_string(),
        )
}

/// The key of an invoice's debtor fix: provider, account, the source's customer id.
pub(crate) fn debtor_ref(invoice: &Invoice) -> DebtorRef {
    DebtorRef {
        provider: invoice.source.provider().as_str().to_string(),
        account: invoice.source.account().to_string(),
        debtor_key: invoice.debtor_key.clone(),
    }
}

/// The user's fix for a debtor, if any; the one reader of stored fixes.
pub(crate) fn load_fix(store: &Store, debtor: &DebtorRef) -> Result<Option<DebtorOverride>, EngineError> {
    store
        .get_debtor_override(debtor)?
        .map(|o| serde_json::from_value(o.value))
        .transpose()
        .map_err(|source| EngineError::CorruptCache { what: format!("the fix for debtor {}", debtor.debtor_key), source })
}

pub(crate) fn record(
    invoice: &Invoice,
    edits: Option<&DebtorOverride>,
    today: NaiveDate,
    policy: &ReadinessPolicy,
    source_status: &str,
    fetched_at: DateTime<Utc>,
) -> Result<InvoiceRecord, EngineError> {
    let report = check_readiness(invoice, edits, today, policy);
    let debtor = match edits {
        Some(e) => invoice.debtor.with_override(e),
        None => invoice.debtor.clone(),
    };
    let outstanding = invoice.outstanding();
    Ok(InvoiceRecord {
        source: store_source(invoice),
        creditor_reference: invoice.creditor_reference.clone(),
        debtor_key: invoice.debtor_key.clone(),
        debtor_name: debtor.name.unwrap_or_default(),
        fingerprint: Some(invoice.fingerprint().as_str().to_string()),
        issue_date: Some(invoice.issue_date),
        due_date: invoice.due_date,
        currency: Some(outstanding.currency().code().to_string()),
        outstanding: outstanding.amount().to_string(),
        issue_count: Some(u32::try_from(report.blocking().count()).unwrap_or(u32::MAX)),
        payload: serde_json::to_value(invoice).map_err(|source| EngineError::Serialize { source })?,
        source_status: source_status.to_string(),
        fetched_at,
    })
}

/// An invoice on its way into the cache with everything its row needs computed once: the
/// readiness verdict and fingerprint the caller already judged it by. Owned, so a producer
/// thread can hand it to the thread holding the write transaction, which serialises the
/// payload (the two threads' shares of the work come out about even that way).
pub(crate) struct Staged {
    invoice: Invoice,
    source: SourceRef,
    debtor_name: String,
    fingerprint: Fingerprint,
    outstanding: String,
    currency: &'static str,
    issue_count: u32,
}

impl Staged {
    pub(crate) fn new(
        invoice: Invoice,
        edits: Option<&DebtorOverride>,
        fingerprint: Fingerprint,
        issue_count: u32,
    ) -> Staged {
        let debtor_name = match edits.and_then(|e| e.name.clone()) {
            Some(name) => name,
            None => invoice.debtor.name.clone().unwrap_or_default(),
        };
        let outstanding = invoice.outstanding();
        Staged {
            source: store_source(&invoice),
            debtor_name,
            fingerprint,
            outstanding: outstanding.amount().to_string(),
            currency: outstanding.currency().code(),
            issue_count,
            invoice,
        }
    }

    /// The payload as the cache stores it (JSON of the domain type), written into `buffer`.
    pub(crate) fn payload_json<'b>(&self, buffer: &'b mut Vec<u8>) -> Result<&'b str, EngineError> {
        buffer.clear();
        serde_json::to_writer(&mut *buffer, &self.invoice).map_err(|source| EngineError::Serialize { source })?;
        // serde_json writes UTF-8 only; the check is a cheap scan, not a trust.
        std::str::from_utf8(buffer).map_err(|e| EngineError::Serialize { source: serde::ser::Error::custom(e) })
    }

    pub(crate) fn row<'a>(
        &'a self,
        payload_json: &'a str,
        source_status: &'a str,
        fetched_at: DateTime<Utc>,
    ) -> CacheRow<'a> {
        CacheRow {
            source: &self.source,
            creditor_reference: self.invoice.creditor_reference.as_deref(),
            debtor_key: &self.invoice.debtor_key,
            debtor_name: &self.debtor_name,
            fingerprint: Some(self.fingerprint.as_str()),
            issue_date: Some(self.invoice.issue_date),
            due_date: self.invoice.due_date,
            currency: Some(self.currency),
            outstanding: &self.outstanding,
            issue_count: Some(self.issue_count),
            payload_json,
            source_status,
            fetched_at,
        }
    }
}

impl Engine {
    /// Stores fetched or imported invoices (one transaction) with their
    /// readiness verdicts. Debtor fixes are kept: they live apart from the
    /// cache and are applied on top.
    pub async fn cache_invoices(
        &self,
        invoices: Vec<Invoice>,
        source_status: &'static str,
    ) -> Result<usize, EngineError> {
        let today = self.clock().today();
        let now = self.clock().now();
        self.with_store(move |store| {
            let policy = ReadinessPolicy::new();
            let mut edits_by_debtor = std::collections::HashMap::new();
            let mut records = Vec::with_capacity(invoices.len());
            for invoice in &invoices {
                let key = debtor_ref(invoice);
                if !edits_by_debtor.contains_key(&key) {
                    edits_by_debtor.insert(key.clone(), load_fix(store, &key)?);
                }
                let edits = edits_by_debtor.get(&key).and_then(Option::as_ref);
                records.push(record(invoice, edits, today, &policy, source_status, now)?);
            }
            Ok(store.upsert_invoices(&records)?)
        })
        .await
    }
}
