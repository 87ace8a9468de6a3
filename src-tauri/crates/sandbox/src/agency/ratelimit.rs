//! The agency's documented limits, per API key: a sliding window made of
//! segments (2,000/min in 10-s segments), a fixed hourly window (20,000) and
//! a fixed daily window (100,000, anchored to midnight UTC). Going over any
//! one is rejected at once; rejected calls consume nothing (as ASP.NET's
//! limiters behave). Unauthenticated calls share one fallback bucket.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Limits and window lengths; scale them down for tests and benches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimits {
    pub sliding: SlidingWindow,
    pub hourly: FixedWindow,
    pub daily: FixedWindow,
    /// Also send a `Retry-After` header (one docs version shows it, a newer
    /// one says it is not sent; the body's `retryAfter` is always there).
    pub retry_after_header: bool,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            sliding: SlidingWindow {
                limit: 2_000,
                window: Duration::from_secs(60),
                segments: 6,
            },
            hourly: FixedWindow {
                limit: 20_000,
                window: Duration::from_secs(3_600),
            },
            daily: FixedWindow {
                limit: 100_000,
                window: Duration::from_secs(86_400),
            },
            retry_after_header: false,
        }
    }
}

impl RateLimits {
    /// Limits no test will reach.
    pub fn unlimited() -> Self {
        let huge = FixedWindow {
            limit: u64::MAX,
            window: Duration::from_secs(86_400),
        };
        Self {
            sliding: SlidingWindow {
                limit: u64::MAX,
                window: Duration::from_secs(60),
                segments: 6,
            },
            hourly: huge.clone(),
            daily: huge,
            retry_after_header: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SlidingWindow {
    pub limit: u64,
    pub window: Duration,
    /// The window slides by `window / segments`.
    pub segments: u32,
}

/// Windows aligned to multiples of `window` since the Unix epoch (so a
/// 1-day window starts at midnight UTC, a 1-hour one on the hour).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixedWindow {
    pub limit: u64,
    pub window: Duration,
}

/// Bucket for requests without a valid key.
pub(crate) const ANONYMOUS: &str = "";

#[derive(Debug, Default)]
struct KeyState {
    /// (segment index, requests) for segments still inside the window.
    segments: VecDeque<(i64, u64)>,
    hour: (i64, u64),
    day: (i64, u64),
}

#[derive(Debug)]
pub(crate) struct RateLimiter {
    limits: RateLimits,
    keys: HashMap<String, KeyState>,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX).max(1)
}

impl RateLimiter {
    pub(crate) fn new(limits: RateLimits) -> Self {
        Self {
            limits,
            keys: HashMap::new(),
        }
    }

    pub(crate) fn limits(&self) -> &RateLimits {
        &self.limits
    }

    /// Admits one request for `key` at `now`, or says in how many seconds
    /// a permit frees up.
    pub(crate) fn check(&mut self, key: &str, now: DateTime<Utc>) -> Result<(), f64> {
        let now = now.timestamp_millis();
        let l = &self.limits;
        let seg_ms = (ms(l.sliding.window) / i64::from(l.sliding.segments.max(1))).max(1);
        let segments = i64::from(l.sliding.segments.max(1));
        let hour_ms = ms(l.hourly.window);
        let day_ms = ms(l.daily.window);
        let state = self.keys.entry(key.to_owned()).or_default();

        let seg = now.div_euclid(seg_ms);
        while state
            .segments
            .front()
            .is_some_and(|(idx, _)| *idx <= seg - segments)
        {
            state.segments.pop_front();
        }
        let hour = now.div_euclid(hour_ms);
        if state.hour.0 != hour {
            state.hour = (hour, 0);
        }
        let day = now.div_euclid(day_ms);
        if state.day.0 != day {
            state.day = (day, 0);
        }

        let mut wait_ms: Option<i64> = None;
        let mut wait = |until: i64| wait_ms = Some(wait_ms.unwrap_or(0).max(until - now));
        let in_window: u64 = state.segments.iter().map(|(_, n)| n).sum();
        if in_window >= l.sliding.limit {
            // Permits come back when the oldest counted segment slides out;
            // if it alone does not bring us under the limit, wait longer.
            let mut freed = 0;
            for (idx, n) in &state.segments {
                freed += n;
                if in_window - freed < l.sliding.limit {
                    wait((idx + segments) * seg_ms);
                    break;
                }
            }
        }
        if state.hour.1 >= l.hourly.limit {
            wait((hour + 1) * hour_ms);
        }
        if state.day.1 >= l.daily.limit {
            wait((day + 1) * day_ms);
        }
        if let Some(w) = wait_ms {
            return Err(w as f64 / 1000.0);
        }

        match state.segments.back_mut() {
            Some((idx, n)) if *idx == seg => *n += 1,
            _ => state.segments.push_back((seg, 1)),
        }
        state.hour.1 += 1;
        state.day.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(secs: f64) -> DateTime<Utc> {
        // 2026-01-01T00:00:00Z is aligned to every window used here.
        let base = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .expect("valid time");
        base + chrono::Duration::milliseconds((secs * 1000.0) as i64)
    }

    fn limits(per_window: u64, hourly: u64, daily: u64) -> RateLimits {
        RateLimits {
            sliding: SlidingWindow {
                limit: per_window,
                window: Duration::from_secs(60),
                segments: 6,
            },
            hourly: FixedWindow {
                limit: hourly,
                window: Duration::from_secs(3600),
            },
            daily: FixedWindow {
                limit: daily,
                window: Duration::from_secs(86_400),
            },
            retry_after_header: false,
        }
    }

    #[test]
    fn sliding_window_frees_permits_segment_by_segment() {
        let mut rl = RateLimiter::new(limits(4, 100, 100));
        // 2 requests in segment 0 (0-10 s), 2 in segment 1 (10-20 s).
        for t in [1.0, 2.0, 11.0, 12.0] {
            assert_eq!(rl.check("k", at(t)), Ok(()));
        }
        // Full until segment 0 leaves the window at 60 s.
        assert_eq!(rl.check("k", at(30.0)), Err(30.0));
        assert_eq!(rl.check("k", at(59.9)), Err(0.1));
        assert_eq!(rl.check("k", at(60.0)), Ok(()));
        // Rejections consumed nothing: exactly one more fits after 60 s.
        assert_eq!(rl.check("k", at(60.5)), Ok(()));
        assert!(rl.check("k", at(61.0)).is_err());
    }

    #[test]
    fn fixed_hour_window_resets_on_the_hour() {
        let mut rl = RateLimiter::new(limits(1_000, 3, 100));
        for t in [0.0, 100.0, 200.0] {
            assert_eq!(rl.check("k", at(t)), Ok(()));
        }
        assert_eq!(rl.check("k", at(3_000.0)), Err(600.0));
        assert_eq!(rl.check("k", at(3_600.0)), Ok(()));
    }

    #[test]
    fn daily_window_is_anchored_to_midnight_utc() {
        let mut rl = RateLimiter::new(limits(1_000, 1_000, 2));
        assert!(rl.check("k", at(0.0)).is_ok());
        assert!(rl.check("k", at(40_000.0)).is_ok());
        assert_eq!(rl.check("k", at(43_200.0)), Err(43_200.0));
        assert!(rl.check("k", at(86_400.0)).is_ok());
    }

    #[test]
    fn keys_have_separate_buckets() {
        let mut rl = RateLimiter::new(limits(1, 100, 100));
        assert!(rl.check("a", at(0.0)).is_ok());
        assert!(rl.check("a", at(0.0)).is_err());
        assert!(rl.check("b", at(0.0)).is_ok());
        assert!(rl.check(ANONYMOUS, at(0.0)).is_ok());
    }
}
