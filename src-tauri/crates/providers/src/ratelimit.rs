//! Client-side pacing: never send more than a source allows, so a bulk
//! fetch runs at the source's rate limit instead of bouncing off it.
//!
//! A sliding-window log per budget (one for the whole account, one per
//! endpoint): a request may start only if fewer than `limit` requests
//! started within the last `window`. Unlike a token bucket it has no burst
//! above the limit, which is what a server counting "requests in any
//! second" wants to see.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// The one pacer (or limiter) of `key` in this process, made by `make` the first time.
///
/// Providers count requests per company or organization whichever client sends them, and the
/// engine makes a client per operation (a fetch, the re-read before submission, a check at
/// source): with pacing per client, two operations at once go over the limit together. Kept
/// for the life of the process (a few hundred bytes per key).
pub(crate) fn process_wide<K: Eq + Hash, T>(
    registry: &'static OnceLock<Mutex<HashMap<K, Arc<T>>>>,
    key: K,
    make: impl FnOnce() -> T,
) -> Arc<T> {
    // No await inside, so a poisoned lock still holds a usable map.
    let mut shared = registry
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    shared.entry(key).or_insert_with(|| Arc::new(make())).clone()
}

/// How many requests may start within one window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateBudget {
    /// Requests to any endpoint within `window`.
    pub global: u32,
    /// Requests to one endpoint within `window`.
    pub per_endpoint: u32,
    /// The window. Make it a little longer than the source's own window:
    /// requests arrive with a few milliseconds of jitter, and a limit met
    /// exactly at our end can be exceeded by one at theirs.
    pub window: Duration,
}

#[derive(Debug)]
struct Log {
    limit: usize,
    starts: VecDeque<Instant>,
}

impl Log {
    fn new(limit: u32) -> Log {
        let limit = usize::try_from(limit.max(1)).unwrap_or(usize::MAX);
        Log {
            limit,
            starts: VecDeque::with_capacity(limit.min(1024)),
        }
    }

    /// Drops starts older than the window; returns when a slot frees up,
    /// or `None` if one is free now.
    fn free_at(&mut self, now: Instant, window: Duration) -> Option<Instant> {
        while self
            .starts
            .front()
            .is_some_and(|start| now.duration_since(*start) >= window)
        {
            self.starts.pop_front();
        }
        if self.starts.len() < self.limit {
            None
        } else {
            self.starts.front().map(|oldest| *oldest + window)
        }
    }
}

#[derive(Debug)]
struct Logs {
    global: Log,
    endpoints: HashMap<&'static str, Log>,
}

/// Paces requests to one account. Shared by every task of a fetch.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    budget: RateBudget,
    logs: Mutex<Logs>,
}

impl RateLimiter {
    pub(crate) fn new(budget: RateBudget) -> RateLimiter {
        RateLimiter {
            budget,
            logs: Mutex::new(Logs {
                global: Log::new(budget.global),
                endpoints: HashMap::new(),
            }),
        }
    }

    /// Waits until a request to `endpoint` may start, and records it.
    /// Returns how long it waited. `on_wait` hears about each pause before
    /// it starts (to tell the user).
    pub(crate) async fn acquire(
        &self,
        endpoint: &'static str,
        on_wait: &(dyn Fn(Duration) + Send + Sync),
    ) -> Duration {
        let mut waited = Duration::ZERO;
        loop {
            let now = Instant::now();
            let free_at = {
                // The critical section never awaits, so a poisoned lock can
                // only mean a panic elsewhere mid-push: the log is still
                // usable.
                let mut guard = self.logs.lock().unwrap_or_else(PoisonError::into_inner);
                let logs = &mut *guard;
                let window = self.budget.window;
                let per_endpoint = self.budget.per_endpoint;
                let global_free = logs.global.free_at(now, window);
                let endpoint_log = logs
                    .endpoints
                    .entry(endpoint)
                    .or_insert_with(|| Log::new(per_endpoint));
                let endpoint_free = endpoint_log.free_at(now, window);
                match global_free.max(endpoint_free) {
                    None => {
                        endpoint_log.starts.push_back(now);
                        logs.global.starts.push_back(now);
                        return waited;
                    }
                    Some(at) => at,
                }
            };
            let pause = free_at.saturating_duration_since(now);
            on_wait(pause);
            tokio::time::sleep_until(free_at).await;
            waited += pause;
        }
    }
}

/// One limit of a [`Pacer`]: at most `limit` requests start within any
/// `window`. A source with several limits (QuickBooks: 10 per second and
/// 500 per minute) gets one each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateWindow {
    /// Requests allowed to start within `window`.
    pub limit: u32,
    /// The sliding window; a little longer than the source's own, for the
    /// same reason as [`RateBudget::window`].
    pub window: Duration,
}

/// Paces requests under several sliding windows at once. A start is
/// recorded in every window in the same critical section that found room
/// in all of them, so no window is ever judged on a stale start time.
#[derive(Debug)]
pub(crate) struct Pacer {
    logs: Mutex<Vec<(Duration, Log)>>,
}

impl Pacer {
    pub(crate) fn new(windows: &[RateWindow]) -> Pacer {
        Pacer {
            logs: Mutex::new(
                windows
                    .iter()
                    .map(|w| (w.window, Log::new(w.limit)))
                    .collect(),
            ),
        }
    }

    /// Waits until a request may start under every window, and records it.
    /// Returns how long it waited; `on_wait` hears of each pause first.
    pub(crate) async fn acquire(&self, on_wait: &(dyn Fn(Duration) + Send + Sync)) -> Duration {
        let mut waited = Duration::ZERO;
        loop {
            let now = Instant::now();
            let free_at = {
                // As in RateLimiter: no await inside, so poison is harmless.
                let mut logs = self.logs.lock().unwrap_or_else(PoisonError::into_inner);
                let free_at = logs
                    .iter_mut()
                    .filter_map(|(window, log)| log.free_at(now, *window))
                    .max();
                match free_at {
                    None => {
                        logs.iter_mut()
                            .for_each(|(_, log)| log.starts.push_back(now));
                        return waited;
                    }
                    Some(at) => at,
                }
            };
            let pause = free_at.saturating_duration_since(now);
            on_wait(pause);
            tokio::time::sleep_until(free_at).await;
            waited += pause;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(global: u32, per_endpoint: u32) -> RateBudget {
        RateBudget {
            global,
            per_endpoint,
            window: Duration::from_secs(1),
        }
    }

    fn no_report(_: Duration) {}

    #[tokio::test(start_paused = true)]
    async fn the_limit_is_never_exceeded_in_any_window() {
        let limiter = RateLimiter::new(budget(5, 5));
        let start = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..23 {
            limiter.acquire("list", &no_report).await;
            starts.push(Instant::now().duration_since(start));
        }
        for (i, t) in starts.iter().enumerate() {
            let in_window = starts[i..]
                .iter()
                .take_while(|u| **u < *t + Duration::from_secs(1))
                .count();
            assert!(in_window <= 5, "{in_window} starts within 1 s of {t:?}");
        }
        // 23 requests at 5 per second: the 21st starts after 4 s.
        assert_eq!(starts[20], Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn a_pacer_keeps_both_the_second_and_the_minute_limit() {
        let pacer = Pacer::new(&[
            RateWindow {
                limit: 10,
                window: Duration::from_secs(1),
            },
            RateWindow {
                limit: 25,
                window: Duration::from_secs(60),
            },
        ]);
        let start = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..30 {
            pacer.acquire(&no_report).await;
            starts.push(Instant::now().duration_since(start));
        }
        // 10 at once, 10 a second later, 5 more at 2 s, then the minute
        // window is full until the first start leaves it at 60 s.
        assert_eq!(starts[9], Duration::ZERO);
        assert_eq!(starts[10], Duration::from_secs(1));
        assert_eq!(starts[24], Duration::from_secs(2));
        assert_eq!(starts[25], Duration::from_secs(60));
        for (i, t) in starts.iter().enumerate() {
            let in_second = starts[i..]
                .iter()
                .take_while(|u| **u < *t + Duration::from_secs(1))
                .count();
            assert!(in_second <= 10, "{in_second} starts within 1 s of {t:?}");
        }
    }

    #[tokio::test(start_paused = true)]
    async fn endpoints_have_their_own_budget_under_the_global_one() {
        let limiter = RateLimiter::new(budget(4, 2));
        for _ in 0..2 {
            assert_eq!(limiter.acquire("a", &no_report).await, Duration::ZERO);
        }
        // Endpoint "a" is full, "b" is not.
        assert_eq!(limiter.acquire("b", &no_report).await, Duration::ZERO);
        assert_eq!(limiter.acquire("b", &no_report).await, Duration::ZERO);
        // Now the global budget is full too: "c" waits a whole window.
        let reported = Mutex::new(Vec::new());
        let report = |d: Duration| reported.lock().expect("not poisoned").push(d);
        assert_eq!(limiter.acquire("c", &report).await, Duration::from_secs(1));
        assert_eq!(
            *reported.lock().expect("not poisoned"),
            vec![Duration::from_secs(1)]
        );
    }
}
