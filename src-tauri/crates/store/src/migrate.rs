//! Forward-only schema migrations, embedded in the binary.
//!
//! `PRAGMA user_version` holds the schema version. All pending migrations and the version bump run
//! in one `BEGIN IMMEDIATE` transaction: a failure (or a kill) leaves the file exactly as it was,
//! and a second process opening the same file at the same moment waits and then finds nothing
//! left to do. A file newer than this binary is refused, never "repaired".
//!
//! Shipped migration files are never edited; a change is a new file with the next number.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Result, StoreError};

#[derive(Clone, Copy)]
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

macro_rules! migration {
    ($version:literal, $file:literal) => {
        Migration {
            version: $version,
            name: $file,
            sql: include_str!(concat!("../migrations/", $file, ".sql")),
        }
    };
}

/// Every migration, in order; `version` is the position in the list, starting at 1.
pub(crate) const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_init"),
    migration!(2, "0002_audit_log_append_only"),
    migration!(3, "0003_invoice_review_marks"),
    migration!(4, "0004_documents_by_invoice"),
    migration!(5, "0005_case_source_checks"),
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn user_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Brings `conn` to the last of `migrations`, all or nothing.
pub(crate) fn migrate(conn: &mut Connection, migrations: &[Migration]) -> Result<()> {
    let supported = migrations.len() as i64;
    // Cheap early refusal without taking the write lock.
    let found = user_version(conn)?;
    if found > supported {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    if found == supported {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again under the write lock: another process may have migrated meanwhile.
    let found = user_version(&tx)?;
    if found > supported {
        return Err(StoreError::SchemaTooNew { found, supported });
    }
    for migration in migrations.iter().filter(|m| m.version > found) {
        tx.execute_batch(migration.sql)
            .and_then(|()| tx.pragma_update(None, "user_version", migration.version))
            .map_err(|source| StoreError::Migration {
                version: migration.version,
                name: migration.name,
                source,
            })?;
        tracing::info!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    }

    #[test]
    fn versions_are_contiguous_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(
                m.version,
                i as i64 + 1,
                "migration {} is out of order",
                m.name
            );
            assert!(
                m.name.starts_with(&format!("{:04}_", m.version)),
                "file {} does not carry its version number",
                m.name
            );
        }
    }

    #[test]
    fn migrations_do_not_manage_their_own_transaction() {
        // The runner wraps everything in one transaction; a COMMIT inside a file would end it early.
        for m in MIGRATIONS {
            let upper = m.sql.to_uppercase();
            for word in [
                "COMMIT",
                "ROLLBACK",
                "BEGIN TRANSACTION",
                "BEGIN IMMEDIATE",
                "VACUUM",
            ] {
                assert!(
                    !upper.contains(word),
                    "migration {} contains {word}",
                    m.name
                );
            }
        }
    }

    #[test]
    fn empty_database_migrates_to_latest() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, MIGRATIONS).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        let tables = tables(&conn);
        for t in [
            "audit_log",
            "cases",
            "connections",
            "debtor_overrides",
            "documents",
            "invoices",
            "mapping_profiles",
            "outbox",
            "settings",
        ] {
            assert!(tables.contains(&t.to_owned()), "missing table {t}");
        }
    }

    #[test]
    fn every_earlier_version_migrates_to_latest_keeping_data() {
        for start in 1..SCHEMA_VERSION {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate(&mut conn, &MIGRATIONS[..start as usize]).unwrap();
            assert_eq!(user_version(&conn).unwrap(), start);
            // Data written at the old version must survive the upgrade.
            conn.execute(
                "INSERT INTO settings (key, value_json, updated_at) VALUES ('probe', '1', '2024-01-01T00:00:00.000Z')",
                [],
            )
            .unwrap();
            conn.execute(
                "INSERT INTO audit_log (at, actor, action, subject) VALUES ('2024-01-01T00:00:00.000Z', 'test', 'probe', 'x')",
                [],
            )
            .unwrap();

            migrate(&mut conn, MIGRATIONS).unwrap();
            assert_eq!(
                user_version(&conn).unwrap(),
                SCHEMA_VERSION,
                "from version {start}"
            );
            let kept: String = conn
                .query_row(
                    "SELECT value_json FROM settings WHERE key = 'probe'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(kept, "1", "from version {start}");
            let audit: i64 = conn
                .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
                .unwrap();
            assert_eq!(audit, 1, "from version {start}");
        }
    }

    #[test]
    fn review_marks_are_filled_in_for_a_cache_from_before_they_existed() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, &MIGRATIONS[..2]).unwrap();
        conn.execute_batch(
            "INSERT INTO invoices (provider, account, external_id, creditor_reference, debtor_key, \
               debtor_name, outstanding, issue_count, payload_json, source_status, fetched_at, first_seen_at) \
             VALUES ('stripe', 'acct_1', 'in_sent', 'INV-1', 'cus_1', 'A', '10', 0, '{}', 'open', 't', 't'), \
                    ('stripe', 'acct_1', 'in_new', 'INV-2', 'cus_1', 'A', '10', 0, '{}', 'open', 't', 't'); \
             INSERT INTO outbox (idempotency_key, agency_environment, provider, account, external_id, \
               creditor_reference, payload_json, state, created_at, updated_at) \
             VALUES ('k', 'production', 'stripe', 'acct_1', 'in_sent', 'INV-1', '{}', 'queued', 't', 't');",
        )
        .unwrap();
        migrate(&mut conn, MIGRATIONS).unwrap();
        let marks: Vec<(String, Option<String>, Option<String>)> = conn
            .prepare("SELECT external_id, review_mark_test, review_mark_production FROM invoices ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            marks,
            [
                ("in_sent".to_owned(), None, Some("submitted".to_owned())),
                ("in_new".to_owned(), None, None),
            ]
        );
    }

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, MIGRATIONS).unwrap();
        migrate(&mut conn, MIGRATIONS).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
    }

    #[test]
    fn failing_migration_leaves_database_unchanged() {
        let good = Migration {
            version: 1,
            name: "good",
            sql: "CREATE TABLE a (x INTEGER);",
        };
        let also_good = Migration {
            version: 2,
            name: "also_good",
            sql: "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (1);",
        };
        // Half of this file succeeds before the error: the half must not stay either.
        let bad = Migration {
            version: 3,
            name: "bad",
            sql: "CREATE TABLE c (x INTEGER); INSERT INTO missing VALUES (1);",
        };

        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, &[good]).unwrap();

        let err = migrate(&mut conn, &[good, also_good, bad]).unwrap_err();
        match &err {
            StoreError::Migration { version, name, .. } => {
                assert_eq!((*version, *name), (3, "bad"));
            }
            other => panic!("expected a migration error, got {other:?}"),
        }
        assert_eq!(err.code(), "migration_failed");
        assert_eq!(user_version(&conn).unwrap(), 1, "version must stay at 1");
        assert_eq!(
            tables(&conn),
            vec!["a".to_owned()],
            "b and c must not exist"
        );
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM a", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0, "the insert from migration 2 must be rolled back");
    }

    #[test]
    fn newer_schema_is_refused_and_left_alone() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 5)
            .unwrap();
        let err = migrate(&mut conn, MIGRATIONS).unwrap_err();
        match err {
            StoreError::SchemaTooNew { found, supported } => {
                assert_eq!((found, supported), (SCHEMA_VERSION + 5, SCHEMA_VERSION));
            }
            other => panic!("expected SchemaTooNew, got {other:?}"),
        }
        assert!(tables(&conn).is_empty());
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION + 5);
    }
}
