//! A client-side rate limiter that keeps several windows at once.
//!
//! # What it guarantees
//!
//! For every configured window of length `L` and limit `N`, no span of
//! `L + safety_margin` (measured at the moment `acquire` returns) contains
//! more than `N` permits. `acquire` waits until every window has room; it
//! never fails. `penalize` pauses everyone after a 429.
//!
//! # Why every window slides, although the agency's hour and day are fixed
//!
//! The agency counts 2,000/min in a sliding window of six 10-s segments,
//! 20,000/hour and 100,000/day in fixed windows (reference §10). We know
//! neither its segment phase nor where its fixed windows start (the day is
//! "midnight UTC" in one version of the docs and "first request" in
//! another), and our clock is not its clock. A client that resets a fixed
//! window at *its* boundary can put up to 2·N requests into one of the
//! server's windows and get 429s. A server window — segmented, fixed or
//! sliding, at any phase — never looks back further than its length `L`,
//! so a client that never has more than `N` requests in *any* span of `L`
//! can never overrun it, whatever the phase or clock offset.
//!
//! # Safety margin and utilization
//!
//! The server counts a request when it arrives, not when we send it; two
//! requests sent `L` apart may arrive closer together by the difference in
//! their latencies. `safety_margin` (default 1 s) absorbs that jitter. Each
//! window is tracked in `buckets_per_window` buckets of `r = L / 120`
//! (0.5 s for the minute, 30 s for the hour, 12 min for the day); a permit is
//! held until a bucket boundary at least `L + margin` after the end of its
//! bucket, i.e. `len = 1 + ⌈(L + margin) / r⌉` buckets. Under saturation
//! permits are granted right at bucket starts and held `len · r`, so the
//! sustained rate is `N` per 61.5 s for the minute (97.6 %) and `N` per
//! 61 min / 24.4 h for the hour and day (98.4 %). Memory is O(buckets)
//! regardless of the limits.
//!
//! # Time
//!
//! Time is read from `tokio::time`, so tests run under
//! `tokio::time::pause()` and are deterministic; the bookkeeping itself takes
//! the instant as an argument.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde::{Serialize, Serializer};
use tokio::time::Instant;

/// The agency's documented limits per API key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    pub per_minute: NonZeroU32,
    pub per_hour: NonZeroU32,
    pub per_day: NonZeroU32,
}

const fn non_zero(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(v) => v,
        None => panic!("a rate limit must be at least 1"),
    }
}

impl RateLimits {
    /// 2,000/min, 20,000/hour, 100,000/day.
    pub const DEBITURA: Self = Self {
        per_minute: non_zero(2_000),
        per_hour: non_zero(20_000),
        per_day: non_zero(100_000),
    };
}

impl Default for RateLimits {
    fn default() -> Self {
        Self::DEBITURA
    }
}

/// One window: at most `limit` permits in any span of `length`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowSpec {
    /// For the UI: "minute", "hour", "day".
    pub label: &'static str,
    pub limit: NonZeroU32,
    pub length: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimiterConfig {
    pub windows: Vec<WindowSpec>,
    /// Extra time each permit is held beyond the window length (latency jitter).
    pub safety_margin: Duration,
    /// Bucket resolution of each window (window length / this).
    pub buckets_per_window: u32,
}

impl From<RateLimits> for RateLimiterConfig {
    fn from(limits: RateLimits) -> Self {
        Self {
            windows: vec![
                WindowSpec {
                    label: "minute",
                    limit: limits.per_minute,
                    length: Duration::from_secs(60),
                },
                WindowSpec {
                    label: "hour",
                    limit: limits.per_hour,
                    length: Duration::from_secs(3600),
                },
                WindowSpec {
                    label: "day",
                    limit: limits.per_day,
                    length: Duration::from_secs(86_400),
                },
            ],
            safety_margin: Duration::from_secs(1),
            buckets_per_window: 120,
        }
    }
}

/// Permits counted per time bucket, in a ring covering the hold time.
#[derive(Debug)]
struct Window {
    spec: WindowSpec,
    resolution_nanos: u128,
    /// `ring[b % len]` counts permits granted in bucket `b`; a permit of
    /// bucket `b` is released when bucket `b + len` starts.
    ring: Vec<u32>,
    /// Newest bucket the ring has been advanced to.
    head: u64,
    used: u32,
}

impl Window {
    fn new(spec: WindowSpec, margin: Duration, buckets_per_window: u32) -> Self {
        let resolution = (spec.length / buckets_per_window.max(1)).max(Duration::from_millis(1));
        let resolution_nanos = resolution.as_nanos();
        // A permit taken anywhere in bucket b must be held until at least
        // `length + margin` after the *end* of b: (b + len)·r ≥ (b + 1)·r + L + m.
        let span = (spec.length + margin).as_nanos();
        let len = 1 + span.div_ceil(resolution_nanos);
        Self {
            spec,
            resolution_nanos,
            ring: vec![0; usize::try_from(len).unwrap_or(usize::MAX)],
            head: 0,
            used: 0,
        }
    }

    fn len(&self) -> u64 {
        self.ring.len() as u64
    }

    fn slot(&self, bucket: u64) -> usize {
        // The remainder is < ring.len(), which is a usize.
        usize::try_from(bucket % self.len()).unwrap_or_default()
    }

    fn bucket_at(&self, elapsed: Duration) -> u64 {
        u64::try_from(elapsed.as_nanos() / self.resolution_nanos).unwrap_or(u64::MAX)
    }

    fn start_of(&self, bucket: u64) -> Duration {
        let nanos = self.resolution_nanos.saturating_mul(u128::from(bucket));
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    fn advance(&mut self, bucket: u64) {
        if bucket <= self.head {
            return;
        }
        if bucket - self.head >= self.len() {
            self.ring.fill(0);
            self.used = 0;
        } else {
            for b in self.head + 1..=bucket {
                let slot = self.slot(b);
                self.used -= self.ring[slot];
                self.ring[slot] = 0;
            }
        }
        self.head = bucket;
    }

    /// The bucket from which one more permit fits, if it does not fit now.
    fn blocked_until(&self) -> Option<u64> {
        let limit = self.spec.limit.get();
        if self.used < limit {
            return None;
        }
        let need = self.used - limit + 1;
        let mut freed = 0;
        let oldest = self.head.saturating_sub(self.len() - 1);
        for bucket in oldest..=self.head {
            freed += self.ring[self.slot(bucket)];
            if freed >= need {
                return Some(bucket + self.len());
            }
        }
        Some(self.head + self.len())
    }

    fn record(&mut self) {
        let slot = self.slot(self.head);
        self.ring[slot] += 1;
        self.used += 1;
    }
}

#[derive(Debug)]
struct State {
    origin: Instant,
    windows: Vec<Window>,
    paused_until: Option<Instant>,
}

impl State {
    fn advance(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.origin);
        for window in &mut self.windows {
            let bucket = window.bucket_at(elapsed);
            window.advance(bucket);
        }
    }

    /// When the next permit could be granted; `None` = now.
    fn ready_at(&self, now: Instant) -> Option<Instant> {
        let pause = self.paused_until.filter(|until| *until > now);
        self.windows
            .iter()
            .filter_map(|w| w.blocked_until().map(|b| self.origin + w.start_of(b)))
            .chain(pause)
            .max()
    }

    /// Grants a permit now, or says when to try again.
    fn try_acquire(&mut self, now: Instant) -> Result<(), Instant> {
        self.advance(now);
        match self.ready_at(now) {
            Some(at) => Err(at),
            None => {
                for window in &mut self.windows {
                    window.record();
                }
                Ok(())
            }
        }
    }
}

/// Usage of one window, for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowUsage {
    pub label: &'static str,
    pub limit: u32,
    pub used: u32,
    pub remaining: u32,
}

fn as_millis<S: Serializer>(value: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(u64::try_from(value.as_millis()).unwrap_or(u64::MAX))
}

/// What the limiter is doing right now ("rate-limit wait 3 s").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RateLimitSnapshot {
    pub windows: Vec<WindowUsage>,
    /// How long the next `acquire` would wait (0 = none).
    #[serde(rename = "wait_ms", serialize_with = "as_millis")]
    pub wait: Duration,
    /// Remaining pause imposed by a 429.
    #[serde(rename = "paused_ms", serialize_with = "as_millis")]
    pub paused_for: Duration,
    /// Tasks currently inside `acquire`.
    pub waiting: usize,
}

/// Shared by every request made with one API key (wrap it in an `Arc`).
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<State>,
    /// Waiters take turns (tokio's mutex is FIFO) instead of all waking at
    /// the same instant and racing for one permit.
    turn: tokio::sync::Mutex<()>,
    waiting: AtomicUsize,
}

struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl RateLimiter {
    pub fn new(config: RateLimiterConfig) -> Self {
        let windows = config
            .windows
            .into_iter()
            .map(|spec| Window::new(spec, config.safety_margin, config.buckets_per_window))
            .collect();
        Self {
            state: Mutex::new(State {
                origin: Instant::now(),
                windows,
                paused_until: None,
            }),
            turn: tokio::sync::Mutex::new(()),
            waiting: AtomicUsize::new(0),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent even if a holder panicked: every
        // critical section is a few arithmetic steps with no early exit.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until every window has room, then takes one permit. Dropping
    /// the future while it waits takes nothing.
    pub async fn acquire(&self) {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        let _waiting = Waiting(&self.waiting);
        let _turn = self.turn.lock().await;
        loop {
            let outcome = self.state().try_acquire(Instant::now());
            match outcome {
                Ok(()) => return,
                Err(at) => tokio::time::sleep_until(at).await,
            }
        }
    }

    /// After a 429: nobody gets a permit for `retry_after` from now (an
    /// existing longer pause is kept).
    pub fn penalize(&self, retry_after: Duration) {
        let until = Instant::now() + retry_after;
        let mut state = self.state();
        if state.paused_until.is_none_or(|current| current < until) {
            state.paused_until = Some(until);
        }
        tracing::info!(
            retry_after_ms = retry_after.as_millis(),
            "agency rate limit hit; pausing requests"
        );
    }

    pub fn snapshot(&self) -> RateLimitSnapshot {
        let now = Instant::now();
        let mut state = self.state();
        state.advance(now);
        let windows = state
            .windows
            .iter()
            .map(|w| WindowUsage {
                label: w.spec.label,
                limit: w.spec.limit.get(),
                used: w.used,
                remaining: w.spec.limit.get().saturating_sub(w.used),
            })
            .collect();
        RateLimitSnapshot {
            windows,
            wait: state.ready_at(now).map_or(Duration::ZERO, |at| at - now),
            paused_for: state
                .paused_until
                .map_or(Duration::ZERO, |until| until.saturating_duration_since(now)),
            waiting: self.waiting.load(Ordering::Relaxed),
        }
    }
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self::new(RateLimits::default().into())
    }
}

#[cfg(test)]
mod tests;
