//! Shared helpers: fixed clock values and builders for records.

use casebridge_store::{AgencyEnvironment, NewOutboxEntry, SourceRef, Store};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

/// A fixed instant plus `secs` seconds; tests never read the real clock.
pub fn at(secs: i64) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-03-01T10:00:00Z")
        .expect("valid literal")
        .with_timezone(&Utc)
        + Duration::seconds(secs)
}

pub fn src(external_id: &str) -> SourceRef {
    SourceRef::new("stripe", "acct_1", external_id)
}

/// A submission for `source`, with a creditor reference derived from its id.
pub fn new_entry(source: SourceRef, key: &str) -> NewOutboxEntry {
    NewOutboxEntry {
        idempotency_key: key.to_owned(),
        agency_environment: AgencyEnvironment::Production,
        creditor_reference: format!("INV-{}-{}", source.provider, source.external_id),
        fingerprint: None,
        payload: json!({ "creditorReference": source.external_id, "amountToRecover": 100 }),
        batch_id: Some("batch-1".to_owned()),
        source,
    }
}

pub fn memory_store() -> Store {
    Store::open_in_memory().expect("in-memory store opens")
}
