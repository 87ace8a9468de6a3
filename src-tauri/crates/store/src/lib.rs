//! # casebridge-store
//!
//! Casebridge's local memory: one SQLite file, plus the keychain module for secrets.
//!
//! ## What it owns
//! - Opening the data file ([`Store::open`]): WAL, foreign keys, a busy timeout so the window and
//!   the `casebridge` CLI can share one file, and forward-only embedded migrations applied all or
//!   nothing (a file from a newer Casebridge is refused with [`StoreError::SchemaTooNew`]).
//! - The repositories, as methods on [`Store`]: connections (health, never credentials), the
//!   invoice cache with review status, per-debtor fixes, the submission **outbox**, cases,
//!   documents, CSV mapping profiles, the append-only audit log and non-secret settings.
//! - [`secrets`]: the only door to the OS keychain. API keys and OAuth tokens go there and nowhere
//!   else.
//!
//! ## Exactly-once submission
//! The outbox row, with its idempotency key, is committed before anything is sent. The source
//! ref `(agency environment, provider, account, external id)` is UNIQUE, and live rows are also
//! unique by creditor reference, so the schema itself refuses a second submission of an invoice.
//! Every step is a compare-and-set (`queued → sending → accepted`, …): of two windows, two
//! threads or two processes, one wins and the other is told so. A row left in `sending` by a
//! crash is turned into `uncertain` by [`Store::outbox_recover_interrupted`] and is resolved by
//! resending with the *same* idempotency key or by asking the agency.
//!
//! Durability: the file runs with `synchronous = FULL`. The outbox is a write-ahead record: a
//! request is sent only after the commit that records it returns, so that commit must survive
//! anything the request survives. WAL with `NORMAL` survives a kill -9 of the app, but a power
//! cut or OS crash can roll back the last commits, e.g. an enqueue or claim whose request did go
//! out; the invoice would then look unsubmitted and could be sent again under a fresh key. `FULL`
//! makes every commit durable for one fsync; bulk writes (invoice upserts, enqueueing a batch)
//! are single transactions, so that cost is per batch, not per row.
//!
//! ## What it must not do
//! - Store a secret in SQLite (a test scans the schema for secret-like columns), or print one.
//! - Know about the domain crate, HTTP, providers or Tauri: rows are plain structs, payloads are
//!   `serde_json::Value`, and the engine converts.
//! - Read the clock or pick a data folder: callers pass `now` and the path.
//!
//! Methods are synchronous and short; call them from async code via `spawn_blocking` when a call
//! may take long (bulk upserts).

mod audit;
mod cases;
mod connections;
mod documents;
mod error;
mod imports;
mod invoices;
mod mapping_profiles;
mod migrate;
mod outbox;
mod refs;
pub mod secrets;
mod settings;
mod sql;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use audit::{AuditEntry, AuditQuery, NewAuditEntry};
pub use cases::{
    AcceptedCase, CaseChange, CaseQuery, CaseRecord, CaseSourceStatus, PolledCase, SourceAnswer,
    SourceCheck, SourceCheckDue,
};
pub use connections::{ConnectionRecord, ConnectionStatus};
pub use documents::{
    DocumentOwner, DocumentRecord, DocumentState, DueDocument, NewDocument, NewInvoiceDocument,
};
pub use error::{KeychainOp, KeychainProblem, Result, StoreError};
pub use imports::{fingerprint_key, InvoiceWriter, KnownInvoices, BULK_ROWS};
pub use invoices::{
    DebtorOverride, InvoiceFilter, InvoiceQuery, InvoiceRecord, CacheRow, InvoiceSort, ReviewCounts,
    ReviewStatus, ReviewedInvoice,
};
pub use mapping_profiles::{MappingProfile, NewMappingProfile};
pub use migrate::SCHEMA_VERSION;
pub use outbox::{
    AlreadySubmitted, DuplicateMatch, EnqueueResult, ExistingSubmission, NewOutboxEntry,
    OutboxCounts, OutboxEntry, OutboxFilter, OutboxState,
};
pub use refs::{AgencyEnvironment, DebtorRef, SourceRef};

/// How long a call waits for another process (CLI or a second window) holding the write lock.
/// Long enough to ride out a bulk upsert of 100k invoices, short enough that a stuck process
/// surfaces as a `data_file_busy` error instead of a frozen window.
const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// A handle to the data file. Cheap to clone; clones share one connection, and each method holds
/// it only for its own short transaction.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    /// Review-table orderings and counts, valid until the next write by anyone.
    review_cache: Arc<Mutex<invoices::ReviewCache>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the data file at `path` and its parent folders, and brings the
    /// schema up to date.
    ///
    /// Errors: [`StoreError::CreateDir`] / [`StoreError::Open`] when the folder or file cannot be
    /// used, [`StoreError::SchemaTooNew`] for a file from a newer Casebridge (left untouched),
    /// [`StoreError::Migration`] when an upgrade fails (nothing applied).
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
                path: parent.to_owned(),
                source,
            })?;
        }
        let open_err = |source| StoreError::Open {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open(path).map_err(open_err)?;
        // The busy timeout must be set first: switching to WAL needs a lock another process may hold.
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(open_err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            // Happens on file systems without shared memory (some network shares). Still correct,
            // but the window and the CLI will block each other more.
            tracing::warn!(%mode, path = %path.display(), "SQLite could not enable WAL");
        }
        Self::configure_and_migrate(conn).map_err(|e| match e {
            StoreError::Sqlite { source } => open_err(source),
            other => other,
        })
    }

    /// A private, empty, fully migrated database that disappears with the handle (tests, dry runs).
    pub fn open_in_memory() -> Result<Store> {
        Self::configure_and_migrate(Connection::open_in_memory()?)
    }

    fn configure_and_migrate(mut conn: Connection) -> Result<Store> {
        conn.pragma_update(None, "synchronous", "FULL")?;
        // A big import or fetch grows the WAL file; without a limit it keeps that size forever.
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        conn.pragma_update(None, "foreign_keys", true)?;
        migrate::migrate(&mut conn, migrate::MIGRATIONS)?;
        // Every write transaction takes the write lock up front: a deferred transaction that
        // reads and then writes can fail with SQLITE_BUSY at once (no busy wait) when another
        // process wrote in between, which is exactly the two-process case.
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        Ok(Store {
            conn: Arc::new(Mutex::new(conn)),
            review_cache: Arc::default(),
        })
    }

    /// The connection, even if a previous holder panicked: an unfinished transaction is rolled
    /// back when its guard drops, so the connection itself is never left half-written.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` in one write transaction; commits on `Ok`, rolls back on `Err`.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs read-only `f` on the shared connection.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        f(&self.conn())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_uses_wal_and_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("nested/deeper/casebridge.sqlite")).unwrap();
        store
            .read(|conn| {
                let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
                let fk: i64 = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
                let sync: i64 = conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
                assert_eq!(mode, "wal");
                assert_eq!(fk, 1);
                assert_eq!(sync, 2, "synchronous must be FULL (2)");
                Ok(())
            })
            .unwrap();
    }
}
