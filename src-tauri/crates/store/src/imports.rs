//! What file import needs from the store besides the invoice cache itself: a compact index of
//! the invoices already known (cached or submitted) to flag duplicate rows, and a streaming
//! writer that stages a million imported invoices in one transaction without holding them all.

use std::collections::{HashMap, HashSet};

use rusqlite::{CachedStatement, OptionalExtension, params};

use crate::Store;
use crate::error::{Result, StoreError};
use crate::invoices::InvoiceRecord;
use crate::refs::SourceRef;
use crate::sql::{date, ts};

/// Inserts an invoice or refreshes it (keeping `first_seen_at`), as
/// [`Store::upsert_invoices`] does for fetched invoices; parameters in the order
/// [`InvoiceWriter::write`] binds them.
const UPSERT_INVOICE_SQL: &str = "INSERT INTO invoices (provider, account, external_id, creditor_reference, \
     debtor_key, debtor_name, fingerprint, issue_date, due_date, currency, outstanding, \
     issue_count, payload_json, source_status, fetched_at, first_seen_at) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15) \
     ON CONFLICT (provider, account, external_id) DO UPDATE SET \
     creditor_reference = excluded.creditor_reference, debtor_key = excluded.debtor_key, \
     debtor_name = excluded.debtor_name, fingerprint = excluded.fingerprint, \
     issue_date = excluded.issue_date, due_date = excluded.due_date, \
     currency = excluded.currency, outstanding = excluded.outstanding, \
     issue_count = excluded.issue_count, payload_json = excluded.payload_json, \
     source_status = excluded.source_status, fetched_at = excluded.fetched_at";

/// The key a duplicate fingerprint is indexed by: its first 64 bits. Fingerprints are SHA-256
/// hex, so 64 bits make an accidental match across a million invoices a one-in-10^7 event;
/// a hit is confirmed by reading the invoice back before it is reported.
pub fn fingerprint_key(fingerprint: &str) -> Option<u64> {
    fingerprint
        .get(..16)
        .and_then(|prefix| u64::from_str_radix(prefix, 16).ok())
}

/// What is already known, keyed for fast lookups during an import (16 bytes per invoice).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct KnownInvoices {
    /// Fingerprint keys of live submissions and cases (any agency environment).
    pub submitted_fingerprints: HashSet<u64>,
    /// Creditor references of live submissions and cases: the agency refuses a second case
    /// with the same one.
    pub submitted_references: HashSet<String>,
    /// Fingerprint key → the cached invoice's row id.
    pub cached: HashMap<u64, i64>,
}

/// Inserts or refreshes invoices inside one write transaction, one prepared statement.
pub struct InvoiceWriter<'t> {
    stmt: CachedStatement<'t>,
    written: usize,
}

impl InvoiceWriter<'_> {
    /// Writes one invoice with its payload already serialised (the import serialises straight
    /// from the domain type, skipping an intermediate JSON value). Refreshing keeps
    /// `first_seen_at`, debtor fixes and submissions.
    pub fn write(&mut self, inv: &InvoiceRecord, payload_json: &str) -> Result<()> {
        self.stmt.execute(params![
            inv.source.provider,
            inv.source.account,
            inv.source.external_id,
            inv.creditor_reference,
            inv.debtor_key,
            inv.debtor_name,
            inv.fingerprint,
            inv.issue_date.as_ref().map(date),
            inv.due_date.as_ref().map(date),
            inv.currency,
            inv.outstanding,
            inv.issue_count,
            payload_json,
            inv.source_status,
            ts(&inv.fetched_at),
        ])?;
        self.written += 1;
        Ok(())
    }

    /// Invoices written so far.
    pub fn written(&self) -> usize {
        self.written
    }
}

impl Store {
    /// Runs `f` with an [`InvoiceWriter`] in one transaction: everything `f` wrote is committed
    /// when it returns `Ok`, nothing when it returns `Err`.
    pub fn write_invoices<T, E>(
        &self,
        f: impl FnOnce(&mut InvoiceWriter<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(StoreError::from)?;
        let value = {
            let stmt = tx
                .prepare_cached(UPSERT_INVOICE_SQL)
                .map_err(StoreError::from)?;
            let mut writer = InvoiceWriter { stmt, written: 0 };
            f(&mut writer)?
        };
        tx.commit().map_err(StoreError::from)?;
        Ok(value)
    }

    /// The duplicate index of everything cached or submitted.
    pub fn known_invoices(&self) -> Result<KnownInvoices> {
        self.read(|conn| {
            let mut known = KnownInvoices::default();
            let live = "state NOT IN ('rejected', 'cancelled')";
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT creditor_reference, fingerprint FROM outbox WHERE {live} \
                 UNION ALL SELECT creditor_reference, fingerprint FROM cases"
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                if let Some(reference) = row.get::<_, Option<String>>(0)? {
                    known.submitted_references.insert(reference);
                }
                if let Some(key) = row
                    .get::<_, Option<String>>(1)?
                    .as_deref()
                    .and_then(fingerprint_key)
                {
                    known.submitted_fingerprints.insert(key);
                }
            }
            let mut stmt = conn.prepare_cached(
                "SELECT id, fingerprint FROM invoices WHERE fingerprint IS NOT NULL",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                if let Some(key) = row
                    .get::<_, Option<String>>(1)?
                    .as_deref()
                    .and_then(fingerprint_key)
                {
                    known.cached.entry(key).or_insert(row.get(0)?);
                }
            }
            Ok(known)
        })
    }

    /// A cached invoice's source and full fingerprint, by row id (to confirm and name a
    /// duplicate found through [`KnownInvoices::cached`]).
    pub fn cached_invoice_identity(&self, id: i64) -> Result<Option<(SourceRef, Option<String>)>> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT provider, account, external_id, fingerprint FROM invoices WHERE id = ?1",
                )?
                .query_row([id], |row| Ok((SourceRef::from_row(row)?, row.get("fingerprint")?)))
                .optional()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use super::*;

    fn record(external_id: &str, fingerprint: &str) -> InvoiceRecord {
        InvoiceRecord {
            source: SourceRef::new("file", "march.csv", external_id),
            creditor_reference: Some(external_id.to_owned()),
            debtor_key: "K-1".into(),
            debtor_name: "Nordisk Tømrer ApS".into(),
            fingerprint: Some(fingerprint.to_owned()),
            issue_date: None,
            due_date: None,
            currency: Some("DKK".into()),
            outstanding: "10.00".into(),
            issue_count: Some(0),
            payload: json!({}),
            source_status: "imported".into(),
            fetched_at: Utc.with_ymd_and_hms(2024, 6, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn streamed_invoices_commit_together_and_feed_the_duplicate_index() {
        let store = Store::open_in_memory().unwrap();
        let fp = "0123456789abcdef".repeat(4);
        let written = store
            .write_invoices(|w| {
                w.write(&record("1", &fp), "{\"a\":1}")?;
                w.write(&record("2", &"f".repeat(64)), "{}")?;
                Ok::<_, StoreError>(w.written())
            })
            .unwrap();
        assert_eq!(written, 2);
        let known = store.known_invoices().unwrap();
        let id = known.cached[&0x0123_4567_89ab_cdef];
        let (source, stored) = store.cached_invoice_identity(id).unwrap().unwrap();
        assert_eq!(source.external_id, "1");
        assert_eq!(stored.as_deref(), Some(fp.as_str()));
        assert!(known.submitted_references.is_empty());
    }

    #[test]
    fn a_failed_stage_writes_nothing() {
        let store = Store::open_in_memory().unwrap();
        let result: std::result::Result<(), StoreError> = store.write_invoices(|w| {
            w.write(&record("1", &"a".repeat(64)), "{}")?;
            Err(StoreError::NotFound {
                what: "test",
                id: "stop".into(),
            })
        });
        assert!(result.is_err());
        assert!(
            store.known_invoices().unwrap().cached.is_empty(),
            "rolled back"
        );
    }

    #[test]
    fn a_fingerprint_key_needs_sixteen_hex_digits() {
        assert_eq!(fingerprint_key("00000000000000ff"), Some(255));
        assert_eq!(fingerprint_key("xyz"), None);
        assert_eq!(fingerprint_key("zzzzzzzzzzzzzzzzzz"), None);
    }
}
