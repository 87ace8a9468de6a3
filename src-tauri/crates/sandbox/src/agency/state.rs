//! The agency's in-memory account: cases, payments, files, idempotency
//! records and rate-limit buckets, all behind one mutex so every request is
//! atomic (no lock is ever held across an `.await`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;
use uuid::Uuid;

use super::model::{round2, Case, CaseFile, CloseCode, Lifecycle, NewCase, Payment};
use super::progression::{script, Step};
use super::ratelimit::RateLimiter;
use super::AgencyConfig;
use crate::clock::SharedClock;

/// A terminal `POST /cases` answer kept for `Idempotency-Key` replays.
pub(crate) struct StoredResponse {
    pub(crate) request: Value,
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
}

pub(crate) struct Data {
    pub(crate) cases: BTreeMap<Uuid, Case>,
    by_reference: HashMap<String, Uuid>,
    by_creditor_reference: HashMap<String, Uuid>,
    deleted: HashSet<Uuid>,
    pub(crate) payments: Vec<Payment>,
    pub(crate) files: Vec<CaseFile>,
    pub(crate) idempotency: HashMap<String, StoredResponse>,
    pub(crate) limiter: RateLimiter,
    rng: StdRng,
    next_seq: u64,
}

impl Data {
    fn new(config: &AgencyConfig, seed: u64) -> Self {
        Self {
            cases: BTreeMap::new(),
            by_reference: HashMap::new(),
            by_creditor_reference: HashMap::new(),
            deleted: HashSet::new(),
            payments: Vec::new(),
            files: Vec::new(),
            idempotency: HashMap::new(),
            limiter: RateLimiter::new(config.rate_limits.clone()),
            rng: StdRng::seed_from_u64(seed),
            next_seq: 0,
        }
    }

    pub(crate) fn new_id(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.rng.random()).into_uuid()
    }

    fn new_reference(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        loop {
            let r: String = (0..8)
                .map(|_| char::from(ALPHABET[self.rng.random_range(0..ALPHABET.len())]))
                .collect();
            if !self.by_reference.contains_key(&r) {
                return r;
            }
        }
    }

    pub(crate) fn case_by_creditor_reference(&self, r: &str) -> Option<&Case> {
        self.by_creditor_reference
            .get(r)
            .and_then(|id| self.cases.get(id))
    }

    pub(crate) fn case_by_reference(&self, r: &str) -> Option<&Case> {
        self.by_reference.get(r).and_then(|id| self.cases.get(id))
    }

    pub(crate) fn was_deleted(&self, id: &Uuid) -> bool {
        self.deleted.contains(id)
    }

    pub(crate) fn create(
        &mut self,
        new: NewCase,
        now: DateTime<Utc>,
        config: &AgencyConfig,
        seed: u64,
    ) -> &Case {
        let seq = self.next_seq;
        self.next_seq += 1;
        let id = self.new_id();
        let debtor_id = self.new_id();
        let reference = self.new_reference();
        let signing_pending = !config.contracts_signed;
        let progresses = config
            .progression
            .as_ref()
            .is_some_and(|p| !new.is_test || p.include_test_cases);
        let (lifecycle, collection_started) = if signing_pending {
            (Lifecycle::PendingContractSigning, None)
        } else if new.skip_verification {
            (Lifecycle::Active, Some(now))
        } else {
            (Lifecycle::PendingVerification, None)
        };
        self.by_reference.insert(reference.clone(), id);
        if let Some(r) = &new.creditor_reference {
            self.by_creditor_reference.insert(r.clone(), id);
        }
        let case = Case {
            id,
            seq,
            reference,
            debtor_id,
            created: now,
            updated: None,
            new,
            lifecycle,
            collection_started,
            finished: None,
            close_code: None,
            paid: 0.0,
            signing_pending,
            script: if progresses {
                script(seed, seq)
            } else {
                Vec::new()
            },
        };
        self.cases.entry(id).or_insert(case)
    }

    /// Hard delete with everything hanging off the case.
    pub(crate) fn delete(&mut self, id: Uuid) {
        if let Some(case) = self.cases.remove(&id) {
            self.by_reference.remove(&case.reference);
            if let Some(r) = &case.new.creditor_reference {
                self.by_creditor_reference.remove(r);
            }
            self.payments.retain(|p| p.case_id != id);
            self.files.retain(|f| f.case_id != id);
            self.deleted.insert(id);
        }
    }

    pub(crate) fn activate(&mut self, id: Uuid, at: DateTime<Utc>) {
        if let Some(c) = self.cases.get_mut(&id) {
            if !c.lifecycle.is_finished() && c.lifecycle != Lifecycle::Active {
                c.lifecycle = Lifecycle::Active;
                c.collection_started.get_or_insert(at);
                c.updated = Some(at);
            }
        }
    }

    /// Records a payment; returns its id, or None for an unknown case.
    pub(crate) fn pay(&mut self, id: Uuid, amount: f64, at: DateTime<Utc>) -> Option<Uuid> {
        let payment_id = self.new_id();
        let case = self.cases.get_mut(&id)?;
        case.paid = round2(case.paid + amount);
        case.updated = Some(at);
        self.payments.push(Payment {
            id: payment_id,
            case_id: id,
            created: at,
            amount: round2(amount),
        });
        Some(payment_id)
    }

    pub(crate) fn close(&mut self, id: Uuid, code: CloseCode, at: DateTime<Utc>) {
        if let Some(c) = self.cases.get_mut(&id) {
            c.lifecycle = Lifecycle::Closed;
            c.close_code = Some(code);
            c.finished = Some(at);
            c.updated = Some(at);
            c.script.clear();
        }
    }

    pub(crate) fn set_lifecycle(&mut self, id: Uuid, lifecycle: Lifecycle, at: DateTime<Utc>) {
        if let Some(c) = self.cases.get_mut(&id) {
            c.lifecycle = lifecycle;
            c.updated = Some(at);
        }
    }

    /// Plays every scripted event that is due by `now`.
    fn catch_up(&mut self, now: DateTime<Utc>, time_scale: f64) {
        let due: Vec<(Uuid, DateTime<Utc>, Step)> = self
            .cases
            .values_mut()
            .filter(|c| !c.script.is_empty() && c.lifecycle != Lifecycle::PendingContractSigning)
            .flat_map(|c| {
                let created = c.created;
                let at =
                    |sim: f64| created + Duration::milliseconds((sim / time_scale * 1000.0) as i64);
                let n = c.script.iter().take_while(|e| at(e.at) <= now).count();
                c.script
                    .drain(..n)
                    .map(|e| (c.id, at(e.at), e.step))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (id, at, step) in due {
            match step {
                Step::Activate => self.activate(id, at),
                Step::Lifecycle(l) => self.set_lifecycle(id, l, at),
                Step::Pay(share) => {
                    let amount = self
                        .cases
                        .get(&id)
                        .map_or(0.0, |c| round2(c.new.amount * share).min(c.remainder()));
                    if amount > 0.0 {
                        self.pay(id, amount, at);
                    }
                }
                Step::Close(code) => {
                    let left = self.cases.get(&id).map_or(0.0, Case::remainder);
                    if code == CloseCode::Paid && left > 0.0 {
                        self.pay(id, left, at);
                    }
                    self.close(id, code, at);
                }
            }
        }
    }
}

pub(crate) struct AgencyState {
    data: Mutex<Data>,
    pub(crate) config: AgencyConfig,
    pub(crate) clock: SharedClock,
    pub(crate) seed: u64,
}

impl AgencyState {
    pub(crate) fn new(config: AgencyConfig, clock: SharedClock, seed: u64) -> Self {
        Self {
            data: Mutex::new(Data::new(&config, seed)),
            config,
            clock,
            seed,
        }
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The account as of now (scripted events applied).
    pub(crate) fn lock(&self) -> MutexGuard<'_, Data> {
        let mut data = self.data.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(p) = &self.config.progression {
            if p.time_scale > 0.0 {
                data.catch_up(self.now(), p.time_scale);
            }
        }
        data
    }

    pub(crate) fn reset(&self) {
        *self.data.lock().unwrap_or_else(PoisonError::into_inner) =
            Data::new(&self.config, self.seed);
    }
}
