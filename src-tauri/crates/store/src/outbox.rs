//! The durable submission queue: what makes "exactly once" hold across crashes and processes.
//!
//! ```text
//!            enqueue            claim                 mark_accepted
//!  cancel ◄── queued ─────────────────► sending ──────────────────► accepted (+ case row)
//!               ▲                        │ │ │      mark_rejected
//!               └─────── requeue ────────┘ │ └─────────────────────► rejected
//!                                          │ mark_uncertain,
//!                                          ▼ recover_interrupted
//!                                      uncertain ──claim──► sending
//!  rejected / cancelled ──enqueue again──► queued (same row, new idempotency key)
//! ```
//! Every arrow is a compare-and-set on `state`; a caller that loses the race gets `None` (claim)
//! or [`StoreError::OutboxTransition`].
//!
//! Only a claim leads out of `queued` (besides cancel) and out of `uncertain`, and every way out
//! of `sending` is taken by the claimer (or by recovery, once the claim is older than any request
//! can take). So whoever resolves an uncertain entry — by resending with the same key or by
//! looking the creditor reference up at the agency — claims it first, and two windows can never
//! resolve (or send) the same entry at once.
//!
//! The outbox does not decide *when* to retry or *what* an agency error means: the engine passes
//! `next_attempt_at` and an error JSON in.

use chrono::{DateTime, Utc};
use rusqlite::types::ToSql;
use rusqlite::{named_params, params_from_iter, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::cases::{self, AcceptedCase, CaseRecord};
use crate::error::{Result, StoreError};
use crate::refs::{AgencyEnvironment, SourceRef};
use crate::sql::{get_opt_json, get_opt_ts, get_ts, text_enum, ts};
use crate::Store;

text_enum! {
    /// Where one submission is.
    pub enum OutboxState {
        /// Committed and waiting to be sent, or definitely not received (connect error, 429).
        Queued => "queued",
        /// Claimed by one sender; the request may be in flight.
        Sending => "sending",
        /// The agency created the case (final).
        Accepted => "accepted",
        /// The agency refused it (final until the user submits the invoice again).
        Rejected => "rejected",
        /// Sent or maybe sent, answer unknown (timeout, crash mid-send); resend with the same key.
        Uncertain => "uncertain",
        /// Withdrawn by the user before it was sent.
        Cancelled => "cancelled",
    }
}

impl OutboxState {
    /// Whether an entry in this state means "this invoice is submitted or on its way".
    pub fn is_live(self) -> bool {
        !matches!(self, OutboxState::Rejected | OutboxState::Cancelled)
    }
}

/// Must stay textually equal to the WHERE of the `outbox_live_creditor_reference` index, or
/// SQLite will not use that index for these lookups.
const LIVE: &str = "state NOT IN ('rejected', 'cancelled')";

/// One invoice to submit. The caller builds the exact request body and a fresh idempotency key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewOutboxEntry {
    /// Sent as `Idempotency-Key`; 1–255 characters; never reused for another body.
    pub idempotency_key: String,
    pub agency_environment: AgencyEnvironment,
    pub source: SourceRef,
    pub creditor_reference: String,
    pub fingerprint: Option<String>,
    /// The exact JSON body of `POST /cases`.
    pub payload: Value,
    pub batch_id: Option<String>,
}

/// A stored submission.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub id: i64,
    pub idempotency_key: String,
    pub agency_environment: AgencyEnvironment,
    pub source: SourceRef,
    pub creditor_reference: String,
    pub fingerprint: Option<String>,
    pub payload: Value,
    pub state: OutboxState,
    /// How many times it was claimed for sending.
    pub attempts: u32,
    pub last_error: Option<Value>,
    pub agency_case_id: Option<String>,
    pub agency_reference: Option<String>,
    pub batch_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Not to be claimed before this time (backoff); `None` = as soon as possible.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, idempotency_key, agency_environment, provider, account, external_id, \
    creditor_reference, fingerprint, payload_json, state, attempts, last_error_json, \
    agency_case_id, agency_reference, batch_id, created_at, updated_at, next_attempt_at";

fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: row.get("id")?,
        idempotency_key: row.get("idempotency_key")?,
        agency_environment: row.get("agency_environment")?,
        source: SourceRef::from_row(row)?,
        creditor_reference: row.get("creditor_reference")?,
        fingerprint: row.get("fingerprint")?,
        payload: row.get("payload_json")?,
        state: row.get("state")?,
        attempts: row.get("attempts")?,
        last_error: get_opt_json(row, "last_error_json")?,
        agency_case_id: row.get("agency_case_id")?,
        agency_reference: row.get("agency_reference")?,
        batch_id: row.get("batch_id")?,
        created_at: get_ts(row, "created_at")?,
        updated_at: get_ts(row, "updated_at")?,
        next_attempt_at: get_opt_ts(row, "next_attempt_at")?,
    })
}

/// Why an invoice was not enqueued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuplicateMatch {
    /// The same invoice (source ref) is already queued or submitted.
    SourceRef,
    /// Another live submission or case uses the same creditor reference.
    CreditorReference,
    /// The same invoice arrived from another source (same debtor, amount, number, date).
    Fingerprint,
}

/// An earlier submission: an outbox entry, or a case that was found on the agency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExistingSubmission {
    /// A live (queued, sending, uncertain or accepted) outbox entry.
    Outbox(OutboxEntry),
    /// A case known from polling that was not submitted through this outbox.
    Case(CaseRecord),
}

/// An invoice of an enqueue call that was not queued again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlreadySubmitted {
    pub requested: SourceRef,
    pub matched_by: DuplicateMatch,
    pub existing: ExistingSubmission,
}

/// Result of [`Store::outbox_enqueue`], in input order within each list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnqueueResult {
    /// New entries, and revived ones (an invoice rejected or cancelled before, submitted again).
    pub enqueued: Vec<OutboxEntry>,
    pub already_queued_or_submitted: Vec<AlreadySubmitted>,
}

/// Filter for [`Store::outbox_list`]; empty `states` means every state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OutboxFilter {
    pub states: Vec<OutboxState>,
    pub batch_id: Option<String>,
    pub agency_environment: Option<AgencyEnvironment>,
    pub limit: u32,
    pub offset: u32,
}

/// Number of entries per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxCounts {
    pub queued: u64,
    pub sending: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub uncertain: u64,
    pub cancelled: u64,
}

impl OutboxCounts {
    /// The count for one state.
    pub fn get(&self, state: OutboxState) -> u64 {
        match state {
            OutboxState::Queued => self.queued,
            OutboxState::Sending => self.sending,
            OutboxState::Accepted => self.accepted,
            OutboxState::Rejected => self.rejected,
            OutboxState::Uncertain => self.uncertain,
            OutboxState::Cancelled => self.cancelled,
        }
    }

    fn slot(&mut self, state: OutboxState) -> &mut u64 {
        match state {
            OutboxState::Queued => &mut self.queued,
            OutboxState::Sending => &mut self.sending,
            OutboxState::Accepted => &mut self.accepted,
            OutboxState::Rejected => &mut self.rejected,
            OutboxState::Uncertain => &mut self.uncertain,
            OutboxState::Cancelled => &mut self.cancelled,
        }
    }

    /// All entries counted.
    pub fn total(&self) -> u64 {
        OutboxState::ALL.iter().map(|s| self.get(*s)).sum()
    }
}

/// What an earlier submission is looked up by.
enum Key<'a> {
    Source(&'a SourceRef),
    CreditorReference(&'a str),
    Fingerprint(&'a str),
}

impl Key<'_> {
    /// SQL condition (parameters from `?2`) and its parameters.
    fn condition(&self) -> (&'static str, Vec<&dyn ToSql>) {
        match self {
            Key::Source(s) => (
                "provider = ?2 AND account = ?3 AND external_id = ?4",
                vec![&s.provider, &s.account, &s.external_id],
            ),
            Key::CreditorReference(r) => ("creditor_reference = ?2", vec![r]),
            Key::Fingerprint(f) => ("fingerprint = ?2", vec![f]),
        }
    }

    fn matched_by(&self) -> DuplicateMatch {
        match self {
            Key::Source(_) => DuplicateMatch::SourceRef,
            Key::CreditorReference(_) => DuplicateMatch::CreditorReference,
            Key::Fingerprint(_) => DuplicateMatch::Fingerprint,
        }
    }
}

/// Live outbox entries and unlinked cases (cases found on the agency) matching `key`. Cases that
/// came from the outbox are represented by their entry, so nothing is listed twice.
fn existing(
    conn: &Connection,
    env: AgencyEnvironment,
    key: &Key<'_>,
) -> Result<Vec<ExistingSubmission>> {
    let (condition, key_params) = key.condition();
    let mut params: Vec<&dyn ToSql> = vec![&env];
    params.extend(key_params);

    let mut found = Vec::new();
    // No ORDER BY: with it SQLite re-prepares these statements on every execution (the plan
    // depends on the bound values), which made enqueueing ten times slower. The few matches
    // are sorted here instead.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM outbox WHERE agency_environment = ?1 AND {LIVE} AND {condition}"
    ))?;
    let mut entries = stmt
        .query_map(params_from_iter(params.iter()), entry_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.id);
    found.extend(entries.into_iter().map(ExistingSubmission::Outbox));
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM cases WHERE agency_environment = ?1 AND outbox_id IS NULL AND {condition}",
        cases::COLUMNS
    ))?;
    let mut cases = stmt
        .query_map(params_from_iter(params.iter()), cases::case_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    cases.sort_by(|a, b| a.agency_case_id.cmp(&b.agency_case_id));
    found.extend(cases.into_iter().map(ExistingSubmission::Case));
    Ok(found)
}

#[allow(
    clippy::large_enum_variant,
    reason = "short-lived, moved once into the enqueue result"
)]
enum Enqueued {
    Queued(OutboxEntry),
    Already(AlreadySubmitted),
}

fn enqueue_one(tx: &Transaction<'_>, new: &NewOutboxEntry, now: &str) -> Result<Enqueued> {
    let env = new.agency_environment;
    let mut keys = vec![
        Key::Source(&new.source),
        Key::CreditorReference(&new.creditor_reference),
    ];
    if let Some(fingerprint) = &new.fingerprint {
        keys.push(Key::Fingerprint(fingerprint));
    }
    for key in &keys {
        if let Some(existing) = existing(tx, env, key)?.into_iter().next() {
            return Ok(Enqueued::Already(AlreadySubmitted {
                requested: new.source.clone(),
                matched_by: key.matched_by(),
                existing,
            }));
        }
    }

    // Past this point no live row has this source ref, so a row with this key that belongs to
    // the same invoice is a rejected/cancelled one: reusing its key for a new body would make the
    // agency answer IdempotencyConflict, and any other owner is a caller bug.
    let key_taken: bool = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE idempotency_key = ?1)")?
        .query_row([&new.idempotency_key], |r| r.get(0))?;
    if key_taken {
        return Err(StoreError::Conflict {
            what: "idempotency key",
            value: new.idempotency_key.clone(),
        });
    }

    let params = named_params! {
        ":key": new.idempotency_key,
        ":env": env,
        ":provider": new.source.provider,
        ":account": new.source.account,
        ":external_id": new.source.external_id,
        ":creditor_reference": new.creditor_reference,
        ":fingerprint": new.fingerprint,
        ":payload": new.payload.to_string(),
        ":batch_id": new.batch_id,
        ":now": now,
    };
    // A rejected or cancelled row for this invoice is revived in place: the UNIQUE source ref
    // means there is only ever one row per invoice and environment.
    let revived = tx
        .prepare_cached(&format!(
            "UPDATE outbox SET idempotency_key = :key, creditor_reference = :creditor_reference, \
             fingerprint = :fingerprint, payload_json = :payload, state = 'queued', attempts = 0, \
             last_error_json = NULL, agency_case_id = NULL, agency_reference = NULL, \
             batch_id = :batch_id, updated_at = :now, next_attempt_at = NULL \
             WHERE agency_environment = :env AND provider = :provider AND account = :account \
             AND external_id = :external_id RETURNING {COLUMNS}"
        ))?
        .query_row(params, entry_from_row)
        .optional()?;
    let entry = match revived {
        Some(entry) => entry,
        None => tx
            .prepare_cached(&format!(
                "INSERT INTO outbox (idempotency_key, agency_environment, provider, account, \
                 external_id, creditor_reference, fingerprint, payload_json, state, attempts, \
                 batch_id, created_at, updated_at) VALUES (:key, :env, :provider, :account, \
                 :external_id, :creditor_reference, :fingerprint, :payload, 'queued', 0, \
                 :batch_id, :now, :now) RETURNING {COLUMNS}"
            ))?
            .query_row(params, entry_from_row)?,
    };
    Ok(Enqueued::Queued(entry))
}

/// Compare-and-set of one entry's state. `set` assigns the other columns, using `:`-named
/// parameters from `extra`.
fn transition(
    tx: &Transaction<'_>,
    id: i64,
    from: &[OutboxState],
    to: OutboxState,
    set: &str,
    extra: &[(&str, &dyn ToSql)],
    now: &DateTime<Utc>,
) -> Result<OutboxEntry> {
    let from_sql = from
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let now = ts(now);
    let mut params: Vec<(&str, &dyn ToSql)> = vec![(":id", &id), (":to", &to), (":now", &now)];
    params.extend_from_slice(extra);
    let updated = tx
        .prepare_cached(&format!(
            "UPDATE outbox SET state = :to, {set}, updated_at = :now \
             WHERE id = :id AND state IN ({from_sql}) RETURNING {COLUMNS}"
        ))?
        .query_row(params.as_slice(), entry_from_row)
        .optional()?;
    if let Some(entry) = updated {
        return Ok(entry);
    }
    let state: Option<OutboxState> = tx
        .prepare_cached("SELECT state FROM outbox WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Err(match state {
        Some(state) => StoreError::OutboxTransition {
            id,
            state,
            attempted: to,
        },
        None => StoreError::NotFound {
            what: "outbox entry",
            id: id.to_string(),
        },
    })
}

fn list_where(
    conn: &Connection,
    condition: &str,
    params: &[(&str, &dyn ToSql)],
) -> Result<Vec<OutboxEntry>> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {COLUMNS} FROM outbox WHERE {condition}"))?;
    let rows = stmt.query_map(params, entry_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Store {
    /// Adds submissions in one transaction (all or none on error).
    ///
    /// An invoice is *not* queued again, and is reported in
    /// [`EnqueueResult::already_queued_or_submitted`], when a live entry or a known case matches
    /// it by source ref, creditor reference or fingerprint (in that order) in the same agency
    /// environment. An invoice whose entry was rejected or cancelled is revived with the new key
    /// and payload. Duplicates within `entries` are caught the same way.
    ///
    /// Errors: [`StoreError::Conflict`] when an idempotency key is already used by another row
    /// (including an old row of the same invoice); nothing is enqueued then.
    pub fn outbox_enqueue(
        &self,
        entries: &[NewOutboxEntry],
        now: DateTime<Utc>,
    ) -> Result<EnqueueResult> {
        let now = ts(&now);
        self.write(|tx| {
            let mut result = EnqueueResult::default();
            for new in entries {
                match enqueue_one(tx, new, &now)? {
                    Enqueued::Queued(entry) => result.enqueued.push(entry),
                    Enqueued::Already(already) => result.already_queued_or_submitted.push(already),
                }
            }
            Ok(result)
        })
    }

    /// Takes an entry for sending: `queued`/`uncertain` → `sending`, attempts + 1, if its backoff
    /// (`next_attempt_at`) has passed. Atomic across threads and processes: of two claimers
    /// exactly one gets the entry; the other (and any claim of a missing, final or backing-off
    /// entry) gets `None`. Commit this before sending the request.
    pub fn outbox_claim(&self, id: i64, now: DateTime<Utc>) -> Result<Option<OutboxEntry>> {
        let now = ts(&now);
        self.write(|tx| {
            Ok(tx
                .prepare_cached(&format!(
                    "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = :now \
                     WHERE id = :id AND state IN ('queued', 'uncertain') \
                     AND (next_attempt_at IS NULL OR next_attempt_at <= :now) RETURNING {COLUMNS}"
                ))?
                .query_row(named_params! { ":id": id, ":now": now }, entry_from_row)
                .optional()?)
        })
    }

    /// The agency created the case: `sending` → `accepted`, and in the same commit
    /// the case row is written (linked to this entry and its invoice) and the entry's documents
    /// are pointed at the case. Never half-done: either the app knows the case or it does not.
    ///
    /// Errors: [`StoreError::OutboxTransition`] if the entry is in another state,
    /// [`StoreError::NotFound`] if it does not exist.
    pub fn outbox_mark_accepted(
        &self,
        id: i64,
        case: &AcceptedCase,
        now: DateTime<Utc>,
    ) -> Result<OutboxEntry> {
        self.write(|tx| {
            let entry = transition(
                tx,
                id,
                &[OutboxState::Sending],
                OutboxState::Accepted,
                "agency_case_id = :case_id, agency_reference = :reference, \
                 last_error_json = NULL, next_attempt_at = NULL",
                &[
                    (":case_id", &case.agency_case_id),
                    (":reference", &case.agency_reference),
                ],
                &now,
            )?;
            cases::insert_submitted(tx, &entry, case, &now)?;
            tx.prepare_cached(
                "UPDATE documents SET agency_case_id = ?1, updated_at = ?2 \
                 WHERE outbox_id = ?3 AND agency_case_id IS NULL",
            )?
            .execute(rusqlite::params![case.agency_case_id, ts(&now), id])?;
            Ok(entry)
        })
    }

    /// The agency gave a final refusal: `sending` → `rejected`. The invoice can be
    /// enqueued again (with a new key) after the user fixed it.
    pub fn outbox_mark_rejected(
        &self,
        id: i64,
        error: &Value,
        now: DateTime<Utc>,
    ) -> Result<OutboxEntry> {
        let error = error.to_string();
        self.write(|tx| {
            transition(
                tx,
                id,
                &[OutboxState::Sending],
                OutboxState::Rejected,
                "last_error_json = :error, next_attempt_at = NULL",
                &[(":error", &error)],
                &now,
            )
        })
    }

    /// The request may have reached the agency but no answer came (timeout, 5xx, broken
    /// connection): `sending` → `uncertain`, claimable again from `next_attempt_at`. Resending
    /// must use the same idempotency key, which it does because the entry keeps it.
    pub fn outbox_mark_uncertain(
        &self,
        id: i64,
        error: &Value,
        next_attempt_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<OutboxEntry> {
        let (error, next) = (error.to_string(), ts(&next_attempt_at));
        self.write(|tx| {
            transition(
                tx,
                id,
                &[OutboxState::Sending],
                OutboxState::Uncertain,
                "last_error_json = :error, next_attempt_at = :next",
                &[(":error", &error), (":next", &next)],
                &now,
            )
        })
    }

    /// The request definitely did not create a case (connection refused, 429, or the agency
    /// confirmed it has no such case): `sending` → `queued` from `next_attempt_at`.
    pub fn outbox_requeue(
        &self,
        id: i64,
        error: &Value,
        next_attempt_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<OutboxEntry> {
        let (error, next) = (error.to_string(), ts(&next_attempt_at));
        self.write(|tx| {
            transition(
                tx,
                id,
                &[OutboxState::Sending],
                OutboxState::Queued,
                "last_error_json = :error, next_attempt_at = :next",
                &[(":error", &error), (":next", &next)],
                &now,
            )
        })
    }

    /// The user withdraws an entry that was never sent: `queued` → `cancelled`. An `uncertain`
    /// entry cannot be cancelled, because the agency may already have the case.
    pub fn outbox_cancel(&self, id: i64, now: DateTime<Utc>) -> Result<OutboxEntry> {
        self.write(|tx| {
            transition(
                tx,
                id,
                &[OutboxState::Queued],
                OutboxState::Cancelled,
                "next_attempt_at = NULL",
                &[],
                &now,
            )
        })
    }

    /// Turns entries stuck in `sending` since before `claimed_before` into `uncertain` (with
    /// `error`, claimable now) and returns them. Call it at start-up and periodically, with
    /// `claimed_before` = now − (request timeout + margin): a claim that old belongs to a sender
    /// that crashed, while a younger one may still be in flight in another process.
    pub fn outbox_recover_interrupted(
        &self,
        claimed_before: DateTime<Utc>,
        error: &Value,
        now: DateTime<Utc>,
    ) -> Result<Vec<OutboxEntry>> {
        let (cutoff, error, now) = (ts(&claimed_before), error.to_string(), ts(&now));
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(&format!(
                "UPDATE outbox SET state = 'uncertain', last_error_json = :error, \
                 next_attempt_at = :now, updated_at = :now \
                 WHERE state = 'sending' AND updated_at <= :cutoff RETURNING {COLUMNS}"
            ))?;
            let rows = stmt.query_map(
                named_params! { ":error": error, ":now": now, ":cutoff": cutoff },
                entry_from_row,
            )?;
            let mut recovered: Vec<OutboxEntry> = rows.collect::<rusqlite::Result<_>>()?;
            recovered.sort_by_key(|e| e.id);
            Ok(recovered)
        })
    }

    /// Entries not finished yet (`queued`, `sending`, `uncertain`), oldest first. `sending` here
    /// means in flight or interrupted; see [`Store::outbox_recover_interrupted`].
    pub fn outbox_unfinished(&self) -> Result<Vec<OutboxEntry>> {
        self.read(|conn| {
            list_where(
                conn,
                "state IN ('queued', 'sending', 'uncertain') ORDER BY id",
                &[],
            )
        })
    }

    /// Entries that can be claimed at `now`, oldest first, at most `limit`.
    pub fn outbox_due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<OutboxEntry>> {
        let now = ts(&now);
        self.read(|conn| {
            list_where(
                conn,
                "state IN ('queued', 'uncertain') AND (next_attempt_at IS NULL OR next_attempt_at <= :now) \
                 ORDER BY id LIMIT :limit",
                &[(":now", &now), (":limit", &limit)],
            )
        })
    }

    /// One entry by id.
    pub fn outbox_get(&self, id: i64) -> Result<Option<OutboxEntry>> {
        self.read(|conn| {
            Ok(list_where(conn, "id = :id", &[(":id", &id)])?
                .into_iter()
                .next())
        })
    }

    /// Entries matching `filter`, oldest first.
    pub fn outbox_list(&self, filter: &OutboxFilter) -> Result<Vec<OutboxEntry>> {
        let states = if filter.states.is_empty() {
            OutboxState::ALL
        } else {
            &filter.states
        };
        let states_sql = states
            .iter()
            .map(|s| format!("'{}'", s.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        self.read(|conn| {
            list_where(
                conn,
                &format!(
                    "state IN ({states_sql}) AND (:batch IS NULL OR batch_id = :batch) \
                     AND (:env IS NULL OR agency_environment = :env) \
                     ORDER BY id LIMIT :limit OFFSET :offset"
                ),
                &[
                    (":batch", &filter.batch_id),
                    (":env", &filter.agency_environment),
                    (":limit", &filter.limit),
                    (":offset", &filter.offset),
                ],
            )
        })
    }

    /// Entries per state, for one batch or (with `None`) for all.
    pub fn outbox_counts_by_state(&self, batch_id: Option<&str>) -> Result<OutboxCounts> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT state, count(*) FROM outbox WHERE (?1 IS NULL OR batch_id = ?1) GROUP BY state",
            )?;
            let mut counts = OutboxCounts::default();
            for row in stmt.query_map([batch_id], |r| Ok((r.get::<_, OutboxState>(0)?, r.get::<_, i64>(1)?)))? {
                let (state, n) = row?;
                *counts.slot(state) = n.unsigned_abs();
            }
            Ok(counts)
        })
    }

    /// Whether this invoice has a live submission or a case in `env`.
    pub fn is_submitted(&self, env: AgencyEnvironment, source: &SourceRef) -> Result<bool> {
        self.read(|conn| Ok(!existing(conn, env, &Key::Source(source))?.is_empty()))
    }

    /// Live submissions and known cases in `env` with this creditor reference.
    pub fn submitted_by_creditor_reference(
        &self,
        env: AgencyEnvironment,
        creditor_reference: &str,
    ) -> Result<Vec<ExistingSubmission>> {
        self.read(|conn| existing(conn, env, &Key::CreditorReference(creditor_reference)))
    }

    /// Live submissions and known cases in `env` with this cross-source fingerprint.
    pub fn submitted_by_fingerprint(
        &self,
        env: AgencyEnvironment,
        fingerprint: &str,
    ) -> Result<Vec<ExistingSubmission>> {
        self.read(|conn| existing(conn, env, &Key::Fingerprint(fingerprint)))
    }
}
