//! The data file itself: opening, version checks, and what the schema must never contain.

use casebridge_store::{Store, StoreError, SCHEMA_VERSION};
use rusqlite::Connection;

fn columns(conn: &Connection) -> Vec<(String, String)> {
    let mut stmt = conn
        .prepare(
            "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY 1, 2",
        )
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn no_column_can_hold_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.sqlite");
    drop(Store::open(&path).unwrap());
    let conn = Connection::open(&path).unwrap();
    let columns = columns(&conn);

    // Names that look secret-ish but hold none: ids, keys of rows, and token *times* for the
    // health panel. Each must exist, so a rename cannot slip past this list.
    let allowed = [
        ("outbox", "idempotency_key"),
        ("invoices", "debtor_key"),
        ("debtor_overrides", "debtor_key"),
        ("settings", "key"),
        ("connections", "token_expires_at"),
        ("connections", "refresh_token_issued_at"),
    ];
    for (table, column) in allowed {
        assert!(
            columns.iter().any(|(t, c)| t == table && c == column),
            "allow-listed column {table}.{column} no longer exists; update this test"
        );
    }
    let suspicious = [
        "secret",
        "password",
        "passwd",
        "token",
        "credential",
        "key",
        "auth",
        "bearer",
        "cookie",
    ];
    let offending: Vec<_> = columns
        .iter()
        .filter(|(t, c)| {
            let lower = c.to_lowercase();
            suspicious.iter().any(|s| lower.contains(s))
                && !allowed.contains(&(t.as_str(), c.as_str()))
        })
        .collect();
    assert!(
        offending.is_empty(),
        "columns that look like they hold secrets: {offending:?}"
    );
}

#[test]
fn a_file_from_a_newer_casebridge_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.sqlite");
    drop(Store::open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();

    let err = Store::open(&path).unwrap_err();
    match &err {
        StoreError::SchemaTooNew { found, supported } => {
            assert_eq!((*found, *supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
        }
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
    assert_eq!(err.code(), "schema_too_new");
    assert_eq!(
        err.hint(),
        Some("This data was written by a newer Casebridge; update the app.")
    );
    let version: i64 = Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(
        version,
        SCHEMA_VERSION + 1,
        "the newer file is not modified"
    );
}

#[test]
fn opening_creates_missing_folders_and_a_wal_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a/b/data.sqlite");
    let store = Store::open(&path).unwrap();
    store.set_setting("theme", "dark", crate::at(0)).unwrap();
    assert!(path.exists());
    let mode: String = Connection::open(&path)
        .unwrap()
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(
        mode, "wal",
        "WAL is a property of the file, seen by every later connection"
    );
}

#[test]
fn a_folder_that_cannot_be_created_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"not a folder").unwrap();
    let err = Store::open(&blocker.join("data.sqlite")).unwrap_err();
    assert!(matches!(err, StoreError::CreateDir { .. }), "got {err:?}");
    assert_eq!(err.code(), "data_file_unavailable");
}

#[test]
fn a_file_that_is_not_a_database_is_reported_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.sqlite");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "got {err:?}");
    assert_eq!(err.code(), "data_file_corrupt");
}

#[test]
fn the_audit_log_cannot_be_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.sqlite");
    let store = Store::open(&path).unwrap();
    store
        .append_audit(&casebridge_store::NewAuditEntry {
            at: crate::at(0),
            actor: "user".to_owned(),
            action: "case.submitted".to_owned(),
            subject: "outbox:1".to_owned(),
            details: serde_json::json!({ "count": 1 }),
        })
        .unwrap();
    let conn = Connection::open(&path).unwrap();
    let update = conn
        .execute("UPDATE audit_log SET actor = 'someone else'", [])
        .unwrap_err();
    assert!(update.to_string().contains("append-only"), "got {update}");
    assert!(conn.execute("DELETE FROM audit_log", []).is_err());
    assert_eq!(
        store
            .list_audit(&casebridge_store::AuditQuery {
                limit: 10,
                ..Default::default()
            })
            .unwrap()[0]
            .actor,
        "user"
    );
}
