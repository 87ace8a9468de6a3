//! Rate limiter behaviour under a paused tokio clock.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("test limits are non-zero")
}

fn limits(per_minute: u32, per_hour: u32, per_day: u32) -> RateLimiterConfig {
    RateLimits {
        per_minute: nz(per_minute),
        per_hour: nz(per_hour),
        per_day: nz(per_day),
    }
    .into()
}

/// Grants `count` permits as fast as the limiter allows; returns each
/// grant's offset from the start.
async fn grant_times(limiter: &RateLimiter, count: usize) -> Vec<Duration> {
    let start = Instant::now();
    let mut times = Vec::with_capacity(count);
    for _ in 0..count {
        limiter.acquire().await;
        times.push(start.elapsed());
    }
    times
}

/// Largest number of grants inside any half-open span of `length`.
fn max_in_any_span(times: &[Duration], length: Duration) -> usize {
    let mut best = 0;
    let mut first = 0;
    for (last, t) in times.iter().enumerate() {
        while *t - times[first] >= length {
            first += 1;
        }
        best = best.max(last + 1 - first);
    }
    best
}

/// The agency as the reference describes it: a sliding minute of six 10-s
/// segments, a fixed hour and a fixed day, each at its own phase relative
/// to our clock; it counts a request on arrival and rejects (without
/// counting) when any window is full.
struct AgencyModel {
    per_minute: u32,
    per_hour: u32,
    per_day: u32,
    phase: Duration,
    segments: std::collections::BTreeMap<u64, u32>,
    hours: std::collections::BTreeMap<u64, u32>,
    days: std::collections::BTreeMap<u64, u32>,
}

impl AgencyModel {
    fn new(per_minute: u32, per_hour: u32, per_day: u32, phase: Duration) -> Self {
        Self {
            per_minute,
            per_hour,
            per_day,
            phase,
            segments: Default::default(),
            hours: Default::default(),
            days: Default::default(),
        }
    }

    /// True when accepted.
    fn arrive(&mut self, at: Duration) -> bool {
        let t = (at + self.phase).as_secs();
        let (segment, hour, day) = (t / 10, t / 3600, t / 86_400);
        let minute_used: u32 = self
            .segments
            .range(segment.saturating_sub(5)..=segment)
            .map(|(_, c)| c)
            .sum();
        let hour_used = self.hours.get(&hour).copied().unwrap_or(0);
        let day_used = self.days.get(&day).copied().unwrap_or(0);
        if minute_used >= self.per_minute || hour_used >= self.per_hour || day_used >= self.per_day
        {
            return false;
        }
        *self.segments.entry(segment).or_default() += 1;
        *self.hours.entry(hour).or_default() += 1;
        *self.days.entry(day).or_default() += 1;
        true
    }
}

#[tokio::test(start_paused = true)]
async fn minute_window_never_exceeds_the_limit_and_sustains_over_95_percent() {
    let per_minute = 2_000;
    let limiter = RateLimiter::new(limits(per_minute, u32::MAX, u32::MAX));
    let times = grant_times(&limiter, 120_001).await;

    let worst = max_in_any_span(&times, Duration::from_secs(61));
    assert!(worst <= per_minute as usize, "{worst} grants within 61 s");
    // Permit 120,001 needs 60 full windows to pass: at 100 % it would be
    // granted at 60 min.
    let sixty_windows = times[120_000];
    let utilization = 3_600.0 / sixty_windows.as_secs_f64();
    assert!(
        utilization >= 0.95,
        "utilization {utilization:.3}: permit 120,001 at {sixty_windows:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn agency_default_limits_give_zero_429s_at_any_server_phase_with_latency_jitter() {
    // Two simulated days at the documented limits: the day window binds
    // (20,000/hour lets a day's 100,000 through in 5 hours, then the day
    // window holds them).
    let limiter = RateLimiter::new(RateLimits::DEBITURA.into());
    let times = grant_times(&limiter, 200_001).await;

    for (window, limit) in [(61, 2_000), (3_601, 20_000), (86_401, 100_000)] {
        let worst = max_in_any_span(&times, Duration::from_secs(window));
        assert!(
            worst <= limit,
            "{worst} grants within {window} s (limit {limit})"
        );
    }
    // Sustained rate: permit 200,001 needs two full day windows to pass;
    // at exactly 100 % it would be granted at 48 h.
    let two_windows = times[200_000];
    let utilization = 2.0 * 86_400.0 / two_windows.as_secs_f64();
    assert!(
        utilization >= 0.95,
        "utilization {utilization:.3}: permit 200,001 at {two_windows:?}"
    );

    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..20 {
        let phase = Duration::from_millis(rng.random_range(0..86_400_000));
        let mut agency = AgencyModel::new(2_000, 20_000, 100_000, phase);
        let mut arrivals: Vec<Duration> = times
            .iter()
            .map(|t| *t + Duration::from_millis(rng.random_range(20..520)))
            .collect();
        arrivals.sort_unstable();
        let rejected = arrivals.iter().filter(|a| !agency.arrive(**a)).count();
        assert_eq!(rejected, 0, "429s at server phase {phase:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_client_resetting_fixed_windows_would_get_429s_where_this_one_does_not() {
    // Guards the test above against a model that can never reject: the
    // same model must reject a naive client that bursts at its own hour
    // boundary while the server's hour started 30 minutes earlier.
    let mut agency = AgencyModel::new(u32::MAX, 100, u32::MAX, Duration::from_secs(1800));
    let naive: Vec<Duration> = (0..100)
        .map(|i| Duration::from_secs(1799) + Duration::from_millis(i))
        .chain((0..100).map(|i| Duration::from_secs(1800) + Duration::from_millis(i)))
        .collect();
    let mut server = AgencyModel::new(u32::MAX, 100, u32::MAX, Duration::ZERO);
    let rejected_naive = naive.iter().filter(|a| !server.arrive(**a)).count();
    assert!(
        rejected_naive > 0,
        "the model rejects a burst of 200 within one server hour"
    );

    let limiter = RateLimiter::new(limits(u32::MAX, 100, u32::MAX));
    let times = grant_times(&limiter, 300).await;
    assert!(
        times.iter().all(|t| agency.arrive(*t)),
        "limiter output is accepted"
    );
}

#[tokio::test(start_paused = true)]
async fn concurrent_tasks_share_the_windows_and_take_turns() {
    let limiter = Arc::new(RateLimiter::new(limits(100, u32::MAX, u32::MAX)));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let limiter = Arc::clone(&limiter);
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            for _ in 0..100 {
                limiter.acquire().await;
                mine.push(start.elapsed());
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("task finished"));
    }
    all.sort_unstable();
    assert_eq!(all.len(), 800);
    assert!(max_in_any_span(&all, Duration::from_secs(61)) <= 100);
    // 800 at 100 per ~61.5 s: 7 full waits.
    assert!(
        start.elapsed() < Duration::from_secs(7 * 62 + 1),
        "{:?}",
        start.elapsed()
    );
}

#[tokio::test(start_paused = true)]
async fn penalize_pauses_every_waiter_for_the_retry_after() {
    let limiter = Arc::new(RateLimiter::new(RateLimits::DEBITURA.into()));
    limiter.acquire().await;
    let start = Instant::now();
    limiter.penalize(Duration::from_secs(42));

    let mut tasks = Vec::new();
    for _ in 0..3 {
        let limiter = Arc::clone(&limiter);
        tasks.push(tokio::spawn(async move {
            limiter.acquire().await;
            start.elapsed()
        }));
    }
    for task in tasks {
        let waited = task.await.expect("task finished");
        assert!(waited >= Duration::from_secs(42), "{waited:?}");
        assert!(waited < Duration::from_secs(43), "{waited:?}");
    }
    // A shorter penalty does not shorten a longer one.
    limiter.penalize(Duration::from_secs(30));
    limiter.penalize(Duration::from_secs(5));
    assert_eq!(limiter.snapshot().paused_for, Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn snapshot_shows_usage_remaining_and_the_wait() {
    let limiter = RateLimiter::new(limits(3, 10, 100));
    let idle = limiter.snapshot();
    assert_eq!(idle.wait, Duration::ZERO);
    assert_eq!(idle.windows[0].remaining, 3);

    for _ in 0..3 {
        limiter.acquire().await;
    }
    let full = limiter.snapshot();
    assert_eq!(
        full.windows,
        vec![
            WindowUsage {
                label: "minute",
                limit: 3,
                used: 3,
                remaining: 0
            },
            WindowUsage {
                label: "hour",
                limit: 10,
                used: 3,
                remaining: 7
            },
            WindowUsage {
                label: "day",
                limit: 100,
                used: 3,
                remaining: 97
            },
        ]
    );
    // Held for 1 + ⌈61 s / 0.5 s⌉ = 123 buckets of 0.5 s.
    assert_eq!(full.wait, Duration::from_millis(61_500));
    let json = serde_json::to_value(&full).expect("serializes");
    assert_eq!(json["wait_ms"], 61_500);

    limiter.penalize(Duration::from_secs(90));
    let paused = limiter.snapshot();
    assert_eq!(paused.wait, Duration::from_secs(90));
    assert_eq!(paused.paused_for, Duration::from_secs(90));
}

#[tokio::test(start_paused = true)]
async fn an_abandoned_acquire_takes_no_permit() {
    let limiter = RateLimiter::new(limits(1, 10, 10));
    limiter.acquire().await;
    // The second acquire must wait; give up after 10 s.
    let gave_up = tokio::time::timeout(Duration::from_secs(10), limiter.acquire()).await;
    assert!(gave_up.is_err(), "the window is full");
    assert_eq!(limiter.snapshot().windows[0].used, 1, "nothing was taken");
    assert_eq!(limiter.snapshot().waiting, 0);
}
