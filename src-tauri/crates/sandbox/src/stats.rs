//! Request accounting per fake: what arrived when, on which route, and what
//! was answered. Benches and tests use it to prove a client never went over a
//! provider's rate limit and to count the 429s and faults it was served.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// What became of one request, as counted in [`StatsSnapshot::by_outcome`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Status(u16),
    /// The connection was closed without a response (accept-then-drop).
    Dropped,
}

impl Outcome {
    fn label(self) -> String {
        match self {
            Self::Status(code) => code.to_string(),
            Self::Dropped => "dropped".to_owned(),
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Stats {
    /// Arrival times in milliseconds since the epoch (sandbox clock).
    arrivals: Vec<i64>,
    by_route: BTreeMap<String, u64>,
    by_outcome: BTreeMap<String, u64>,
    faults: BTreeMap<&'static str, u64>,
    rate_limited: u64,
}

impl Stats {
    pub(crate) fn arrived(&mut self, route: &str, at: DateTime<Utc>) {
        self.arrivals.push(at.timestamp_millis());
        *self.by_route.entry(route.to_owned()).or_default() += 1;
    }

    pub(crate) fn finished(&mut self, outcome: Outcome) {
        *self.by_outcome.entry(outcome.label()).or_default() += 1;
    }

    pub(crate) fn fault_injected(&mut self, kind: &'static str) {
        *self.faults.entry(kind).or_default() += 1;
    }

    pub(crate) fn rate_limited_by_policy(&mut self) {
        self.rate_limited += 1;
    }

    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        let mut arrivals = self.arrivals.clone();
        arrivals.sort_unstable();
        let per_second = bucket(&arrivals, 1_000);
        let per_minute = bucket(&arrivals, 60_000);
        StatsSnapshot {
            total_requests: arrivals.len() as u64,
            by_route: self.by_route.clone(),
            by_outcome: self.by_outcome.clone(),
            faults_injected: self
                .faults
                .iter()
                .map(|(k, v)| ((*k).to_owned(), *v))
                .collect(),
            rate_limited: self.rate_limited,
            max_in_any_second: max_in_window(&arrivals, 1_000),
            max_in_any_minute: max_in_window(&arrivals, 60_000),
            max_in_any_hour: max_in_window(&arrivals, 3_600_000),
            per_second,
            per_minute,
            arrivals_ms: arrivals,
        }
    }
}

/// A point-in-time copy of a fake's counters.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsSnapshot {
    pub total_requests: u64,
    /// Keyed by `"METHOD /route/{template}"`.
    pub by_route: BTreeMap<String, u64>,
    /// Keyed by status code (`"200"`, `"429"`) or `"dropped"`.
    pub by_outcome: BTreeMap<String, u64>,
    /// Injected faults by kind (`"rateLimit"`, `"serverError"`, …).
    pub faults_injected: BTreeMap<String, u64>,
    /// 429s the fake's own rate-limit policy served (not injected ones).
    pub rate_limited: u64,
    /// Most requests that arrived within any sliding window of that length.
    pub max_in_any_second: u64,
    pub max_in_any_minute: u64,
    pub max_in_any_hour: u64,
    /// `(unix second, requests)` for every second that saw a request.
    pub per_second: Vec<(i64, u64)>,
    /// `(unix minute start in seconds, requests)` for every calendar minute.
    pub per_minute: Vec<(i64, u64)>,
    #[serde(skip)]
    arrivals_ms: Vec<i64>,
}

impl StatsSnapshot {
    /// Most requests that arrived within any window of `window` (sliding, to
    /// the millisecond): what a provider's sliding-window limiter would see.
    pub fn max_in_window(&self, window: Duration) -> u64 {
        max_in_window(&self.arrivals_ms, window.num_milliseconds())
    }

    /// Requests answered with `status`.
    pub fn status_count(&self, status: u16) -> u64 {
        self.by_outcome
            .get(&status.to_string())
            .copied()
            .unwrap_or(0)
    }

    /// Requests to one route, e.g. `"POST /cases"`.
    pub fn route_count(&self, route: &str) -> u64 {
        self.by_route.get(route).copied().unwrap_or(0)
    }
}

fn bucket(sorted_ms: &[i64], width_ms: i64) -> Vec<(i64, u64)> {
    let mut out: Vec<(i64, u64)> = Vec::new();
    for ms in sorted_ms {
        let start = ms.div_euclid(width_ms) * width_ms / 1_000;
        match out.last_mut() {
            Some((s, n)) if *s == start => *n += 1,
            _ => out.push((start, 1)),
        }
    }
    out
}

fn max_in_window(sorted_ms: &[i64], window_ms: i64) -> u64 {
    let mut best = 0usize;
    let mut lo = 0usize;
    for (hi, t) in sorted_ms.iter().enumerate() {
        while sorted_ms[lo] <= t - window_ms {
            lo += 1;
        }
        best = best.max(hi - lo + 1);
    }
    best as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sliding_max_counts_requests_closer_than_the_window() {
        // 0 ms, 500 ms, 999 ms fit in one second; 1000 ms starts a new one.
        let arrivals = [0, 500, 999, 1_000, 1_001];
        assert_eq!(max_in_window(&arrivals, 1_000), 4);
        assert_eq!(max_in_window(&arrivals, 10), 3); // 999, 1000, 1001
        assert_eq!(max_in_window(&arrivals, 2), 2);
        assert_eq!(max_in_window(&[], 1_000), 0);
    }

    #[test]
    fn buckets_group_by_calendar_second() {
        assert_eq!(
            bucket(&[100, 900, 1_100, 5_000], 1_000),
            vec![(0, 2), (1, 1), (5, 1)]
        );
    }
}
