//! Retrying a call that failed in a way that may pass next time.
//!
//! Which failures are retried depends on what a repeat would do:
//! - [`Replay::Idempotent`] (GETs, the test driver): anything retryable,
//!   plus `OutcomeUnknown`, since reading twice is harmless.
//! - [`Replay::Unprocessed`] (`POST /cases`, uploads): only failures where
//!   the agency certainly did not process the request — `NotSent` and 429
//!   (the rate limiter rejects before the request is handled). Everything
//!   else goes back to the caller, whose outbox decides with the
//!   idempotency key in hand.

use std::future::Future;
use std::time::Duration;

use crate::error::AgencyError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    Idempotent,
    Unprocessed,
}

impl Replay {
    pub fn allows(self, error: &AgencyError) -> bool {
        match self {
            Self::Idempotent => {
                error.is_retryable() || matches!(error, AgencyError::OutcomeUnknown { .. })
            }
            Self::Unprocessed => matches!(
                error,
                AgencyError::NotSent { .. } | AgencyError::RateLimited { .. }
            ),
        }
    }
}

/// Exponential backoff with jitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, including the first (1 = no retries).
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    pub const NO_RETRIES: Self = Self {
        max_attempts: 1,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
    };

    /// Pause before retry number `retry` (1 = first retry) after `error`.
    /// `jitter` in [0, 1] picks a point in the upper half of the backoff
    /// ("equal jitter": never less than half, so retries still spread out).
    /// A wait the agency asked for (`retryAfter`, `Retry-After`) is a floor.
    pub fn delay(&self, retry: u32, error: &AgencyError, jitter: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(20);
        let backoff = self
            .base_delay
            .saturating_mul(1 << exponent)
            .min(self.max_delay);
        let jittered = backoff.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0));
        match error.retry_after() {
            Some(asked) => asked.max(jittered),
            None => jittered,
        }
    }

    /// Runs `attempt` until it succeeds, fails in a way `replay` does not
    /// allow to repeat, or `max_attempts` is used up; returns the last error.
    pub async fn run<T, F, Fut>(&self, replay: Replay, mut attempt: F) -> Result<T, AgencyError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, AgencyError>>,
    {
        let mut tries = 0;
        loop {
            tries += 1;
            match attempt().await {
                Ok(value) => return Ok(value),
                Err(error) if tries < self.max_attempts && replay.allows(&error) => {
                    let pause = self.delay(tries, &error, rand::random::<f64>());
                    tracing::warn!(
                        code = error.code(),
                        attempt = tries,
                        pause_ms = pause.as_millis(),
                        "agency call failed; retrying"
                    );
                    tokio::time::sleep(pause).await;
                }
                Err(error) => return Err(error),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn server(status: u16, retry_after: Option<Duration>) -> AgencyError {
        AgencyError::Server {
            status,
            message: None,
            retry_after,
        }
    }

    #[test]
    fn backoff_doubles_is_capped_and_jitter_stays_in_the_upper_half() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
        };
        let err = server(500, None);
        assert_eq!(policy.delay(1, &err, 1.0), Duration::from_secs(1));
        assert_eq!(policy.delay(2, &err, 1.0), Duration::from_secs(2));
        assert_eq!(
            policy.delay(3, &err, 0.0),
            Duration::from_secs(2),
            "half of 4 s"
        );
        assert_eq!(
            policy.delay(9, &err, 1.0),
            Duration::from_secs(10),
            "capped"
        );
        assert_eq!(
            policy.delay(u32::MAX, &err, 1.0),
            Duration::from_secs(10),
            "no overflow"
        );
    }

    #[test]
    fn the_agencys_retry_after_is_a_floor() {
        let policy = RetryPolicy::default();
        let limited = AgencyError::RateLimited {
            retry_after: Duration::from_secs(42),
        };
        assert_eq!(policy.delay(1, &limited, 0.5), Duration::from_secs(42));
        assert_eq!(
            policy.delay(1, &server(503, Some(Duration::from_secs(3))), 0.0),
            Duration::from_secs(3)
        );
    }

    #[test]
    fn post_replays_only_what_certainly_was_not_processed() {
        let limited = AgencyError::RateLimited {
            retry_after: Duration::from_secs(1),
        };
        assert!(Replay::Unprocessed.allows(&limited));
        assert!(
            !Replay::Unprocessed.allows(&server(500, None)),
            "5xx goes back to the outbox"
        );
        assert!(Replay::Idempotent.allows(&server(500, None)));
        let final_error = AgencyError::NotFound { message: None };
        assert!(!Replay::Idempotent.allows(&final_error));
    }

    #[tokio::test(start_paused = true)]
    async fn run_retries_server_errors_then_succeeds_with_backoff_pauses() {
        let calls = AtomicU32::new(0);
        let started = tokio::time::Instant::now();
        let policy = RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(8),
        };
        let result = policy
            .run(Replay::Idempotent, || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 | 1 => Err(server(502, None)),
                    _ => Ok("done"),
                }
            })
            .await;
        assert_eq!(result.expect("third attempt succeeds"), "done");
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let waited = started.elapsed();
        // 1 s then 2 s, each at least half by jitter: ≥ 1.5 s, ≤ 3 s.
        assert!(
            waited >= Duration::from_millis(1500) && waited <= Duration::from_secs(3),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn run_gives_up_after_max_attempts_and_returns_the_last_error() {
        let calls = AtomicU32::new(0);
        let policy = RetryPolicy {
            max_attempts: 3,
            ..RetryPolicy::default()
        };
        let result: Result<(), _> = policy
            .run(Replay::Idempotent, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(server(500, None))
            })
            .await;
        assert!(matches!(
            result,
            Err(AgencyError::Server { status: 500, .. })
        ));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }

    #[tokio::test(start_paused = true)]
    async fn run_does_not_repeat_a_final_error() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = RetryPolicy::default()
            .run(Replay::Idempotent, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(AgencyError::Forbidden { message: None })
            })
            .await;
        assert!(matches!(result, Err(AgencyError::Forbidden { .. })));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
