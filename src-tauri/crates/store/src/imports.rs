//! What file import needs from the store besides the invoice cache itself: a compact index of
//! the invoices already known (cached or submitted) to flag duplicate rows, and a streaming
//! writer that stages a million imported invoices in one transaction without holding them all.

use std::collections::{HashMap, HashSet};

use rusqlite::{CachedStatement, OptionalExtension};

use crate::error::{Result, StoreError};
use crate::invoices::{upsert_invoice, CacheRow, UPSERT_INVOICE_SQL};
use crate::refs::SourceRef;
use crate::Store;

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

/// How many invoices one write must expect before [`Store::write_invoices`] rebuilds the
/// cache's indexes instead of updating them row by row.
pub const BULK_ROWS: u64 = 50_000;

/// The trigger that marks each new invoice submitted/duplicate (migration 0003). A bulk load
/// drops it and marks the new invoices in one statement instead: the trigger evaluates twelve
/// lookups per row, about half the cost of a million-row load, to find the handful of invoices
/// that match a submission or case.
const INSERT_MARK_TRIGGER: &str = "invoices_review_on_insert";

/// Marks the invoices inserted since `?1` (row ids above it) that match a submission or case,
/// from the same view the trigger copies: starting from the (few) submissions and cases and
/// probing the rebuilt indexes, not from the million new rows.
const MARK_NEW_INVOICES_SQL: &str = "UPDATE invoices SET (review_mark_test, review_mark_production) = \
     (SELECT m.mark_test, m.mark_production FROM invoice_review_marks m WHERE m.id = invoices.id) \
     WHERE id > ?1 AND id IN ( \
       SELECT i.id FROM outbox o JOIN invoices i ON i.provider = o.provider \
         AND i.account = o.account AND i.external_id = o.external_id \
       UNION SELECT i.id FROM outbox o JOIN invoices i ON i.creditor_reference = o.creditor_reference \
       UNION SELECT i.id FROM outbox o JOIN invoices i ON i.fingerprint = o.fingerprint \
       UNION SELECT i.id FROM cases c JOIN invoices i ON i.provider = c.provider \
         AND i.account = c.account AND i.external_id = c.external_id \
       UNION SELECT i.id FROM cases c JOIN invoices i ON i.creditor_reference = c.creditor_reference \
       UNION SELECT i.id FROM cases c JOIN invoices i ON i.fingerprint = c.fingerprint)";

/// What a bulk load took down and must put back before its commit: the invoice cache's
/// secondary indexes (those with SQL of their own; the UNIQUE key upserts need stays) and the
/// insert-marking trigger, read from the schema itself so a later migration's index is
/// rebuilt too. A refreshed (conflicting) invoice still goes through the update trigger.
struct BulkLoad {
    recreate: Vec<String>,
    last_id_before: i64,
}

impl BulkLoad {
    fn begin(conn: &rusqlite::Connection) -> Result<BulkLoad> {
        let dropped: Vec<(String, String, String)> = conn
            .prepare(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'invoices' \
                 AND ((type = 'index' AND sql IS NOT NULL) OR (type = 'trigger' AND name = ?1))",
            )?
            .query_map([INSERT_MARK_TRIGGER], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (kind, name, _) in &dropped {
            let kind = if kind == "index" { "INDEX" } else { "TRIGGER" };
            conn.execute_batch(&format!("DROP {kind} \"{}\"", name.replace('"', "\"\"")))?;
        }
        Ok(BulkLoad {
            recreate: dropped.into_iter().map(|(_, _, sql)| sql).collect(),
            last_id_before: conn.query_row("SELECT coalesce(max(id), 0) FROM invoices", [], |row| {
                row.get(0)
            })?,
        })
    }

    fn finish(self, conn: &rusqlite::Connection) -> Result<()> {
        // The rebuild sorts each index once: runs of 16 MB merge in one pass for a million
        // invoices, and a helper thread sorts one run while the next is read.
        conn.execute_batch("PRAGMA cache_size = -16384; PRAGMA threads = 1;")?;
        for create in &self.recreate {
            conn.execute_batch(create)?;
        }
        conn.execute_batch("PRAGMA cache_size = -2000; PRAGMA threads = 0;")?;
        conn.execute(MARK_NEW_INVOICES_SQL, [self.last_id_before])?;
        Ok(())
    }
}

/// Copies the WAL into the database file from a connection of its own, so readers and writers
/// of the store's connection carry on (a passive checkpoint never blocks them). If the app
/// exits first, the next open finishes the job: the WAL is valid either way.
fn checkpoint_in_background(path: std::path::PathBuf) {
    let spawned = std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || {
            let result = rusqlite::Connection::open(&path).and_then(|conn| {
                conn.busy_timeout(std::time::Duration::from_secs(5))?;
                conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            });
            if let Err(error) = result {
                tracing::warn!(%error, "the checkpoint after a bulk load failed; SQLite retries it later");
            }
        });
    if let Err(error) = spawned {
        tracing::warn!(%error, "could not start the checkpoint after a bulk load; SQLite does it on a later commit");
    }
}

/// Inserts or refreshes invoices inside one write transaction, one prepared statement.
pub struct InvoiceWriter<'t> {
    stmt: CachedStatement<'t>,
    written: usize,
    rebuilds_indexes: bool,
}

impl InvoiceWriter<'_> {
    /// Writes one invoice (see [`CacheRow`]). Refreshing keeps `first_seen_at`, debtor
    /// fixes and submissions.
    pub fn write(&mut self, row: &CacheRow<'_>) -> Result<()> {
        upsert_invoice(&mut self.stmt, row)?;
        self.written += 1;
        Ok(())
    }

    /// Whether the indexes are rebuilt at the end (see [`Store::write_invoices`]): the caller
    /// may say so, as that takes a while for a million invoices.
    pub fn rebuilds_indexes(&self) -> bool {
        self.rebuilds_indexes
    }

    /// Invoices written so far.
    pub fn written(&self) -> usize {
        self.written
    }
}

impl Store {
    /// Runs `f` with an [`InvoiceWriter`] in one transaction: everything `f` wrote is committed
    /// when it returns `Ok`, nothing when it returns `Err`.
    ///
    /// `expected_rows` is the caller's estimate of how many invoices `f` writes. When it is at
    /// least [`BULK_ROWS`] and more than the cache holds already, the cache's secondary indexes
    /// and its insert-marking trigger are dropped for the load and put back before the commit,
    /// the new invoices' review marks set in one statement (all in the same transaction, so a
    /// reader never sees them missing and a failure restores them): building an index by one
    /// sort costs a fraction of a million random insertions into it, which spill the page cache
    /// to disk over and over once an index outgrows it.
    pub fn write_invoices<T, E>(
        &self,
        expected_rows: u64,
        f: impl FnOnce(&mut InvoiceWriter<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E>
    where
        E: From<StoreError>,
    {
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(StoreError::from)?;
        let rebuild = if expected_rows >= BULK_ROWS {
            let cached: i64 = tx
                .query_row("SELECT count(*) FROM invoices", [], |row| row.get(0))
                .map_err(StoreError::from)?;
            expected_rows > u64::try_from(cached).unwrap_or(0)
        } else {
            false
        };
        let bulk = if rebuild {
            Some(BulkLoad::begin(&tx)?)
        } else {
            None
        };
        let value = {
            let stmt = tx
                .prepare_cached(UPSERT_INVOICE_SQL)
                .map_err(StoreError::from)?;
            let mut writer = InvoiceWriter {
                stmt,
                written: 0,
                rebuilds_indexes: rebuild,
            };
            f(&mut writer)?
        };
        if let Some(bulk) = bulk {
            bulk.finish(&tx)?;
        }
        if rebuild {
            // The commit is durable once the WAL is synced; copying a million invoices' pages
            // into the database file (seconds) need not hold up the caller or this connection.
            tx.execute_batch("PRAGMA wal_autocheckpoint = 0")
                .map_err(StoreError::from)?;
        }
        tx.commit().map_err(StoreError::from)?;
        if rebuild {
            conn.execute_batch("PRAGMA wal_autocheckpoint = 1000")
                .map_err(StoreError::from)?;
            if let Some(path) = conn.path().filter(|p| !p.is_empty()) {
                checkpoint_in_background(path.into());
            }
        }
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
    use crate::invoices::InvoiceRecord;

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
            .write_invoices(2, |w| {
                assert!(!w.rebuilds_indexes(), "two invoices are updated in place");
                w.write(&record("1", &fp).row("{\"a\":1}"))?;
                w.write(&record("2", &"f".repeat(64)).row("{}"))?;
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
        let result: std::result::Result<(), StoreError> = store.write_invoices(1, |w| {
            w.write(&record("1", &"a".repeat(64)).row("{}"))?;
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

    fn invoice_indexes(store: &Store) -> Vec<(String, String)> {
        store
            .read(|conn| {
                Ok(conn
                    .prepare(
                        "SELECT name, sql FROM sqlite_master \
                         WHERE type = 'index' AND tbl_name = 'invoices' ORDER BY name",
                    )?
                    .query_map([], |row| Ok((row.get(0)?, row.get::<_, Option<String>>(1)?.unwrap_or_default())))?
                    .collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .unwrap()
    }

    #[test]
    fn a_bulk_load_rebuilds_every_index_and_the_lookups_use_them() {
        let store = Store::open_in_memory().unwrap();
        let before = invoice_indexes(&store);
        assert!(before.len() >= 5, "unique key + secondary indexes: {before:?}");
        let fp = "0123456789abcdef".repeat(4);
        store
            .write_invoices(BULK_ROWS, |w| {
                assert!(w.rebuilds_indexes());
                w.write(&record("1", &fp).row("{}"))?;
                w.write(&record("1", &fp).row("{\"again\":true}"))?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert_eq!(invoice_indexes(&store), before, "rebuilt exactly as the migrations made them");
        let known = store.known_invoices().unwrap();
        assert_eq!(known.cached.len(), 1, "the upsert met the unique key: one invoice");
    }

    #[test]
    fn a_bulk_load_to_a_file_is_there_when_the_file_is_opened_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("casebridge.sqlite");
        let store = Store::open(&path).unwrap();
        store
            .write_invoices(BULK_ROWS, |w| {
                w.write(&record("1", &"b".repeat(64)).row("{}"))?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
        drop(store);
        let reopened = Store::open(&path).unwrap();
        assert_eq!(reopened.known_invoices().unwrap().cached.len(), 1);
        assert_eq!(
            invoice_indexes(&reopened),
            invoice_indexes(&Store::open_in_memory().unwrap()),
            "every index as a fresh store has it"
        );
    }

    #[test]
    fn a_failed_bulk_load_keeps_the_indexes_and_writes_nothing() {
        let store = Store::open_in_memory().unwrap();
        let before = invoice_indexes(&store);
        let result: std::result::Result<(), StoreError> = store.write_invoices(BULK_ROWS * 10, |w| {
            w.write(&record("1", &"a".repeat(64)).row("{}"))?;
            Err(StoreError::NotFound { what: "test", id: "stop".into() })
        });
        assert!(result.is_err());
        assert_eq!(invoice_indexes(&store), before);
        assert!(store.known_invoices().unwrap().cached.is_empty());
    }

    #[test]
    fn a_fingerprint_key_needs_sixteen_hex_digits() {
        assert_eq!(fingerprint_key("00000000000000ff"), Some(255));
        assert_eq!(fingerprint_key("xyz"), None);
        assert_eq!(fingerprint_key("zzzzzzzzzzzzzzzzzz"), None);
    }
}
