//! Accelerated time: each new case gets a script of lifecycle changes and
//! payments on a simulated calendar, drawn from the sandbox seed and the
//! case's creation order (so the same run replays the same story). Events
//! are applied lazily when a request arrives, stamped with the real instant
//! at which they "happened" (`created + simulated offset / time_scale`), so
//! dates stay on the wall clock while the story plays out fast.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::model::{CloseCode, Lifecycle};

const DAY: f64 = 86_400.0;

/// Turns on scripted progress for new cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Progression {
    /// Simulated seconds per real second (86 400 = one day per second).
    pub time_scale: f64,
    /// Real test cases are never worked by a partner; demo mode may want
    /// them to move anyway.
    pub include_test_cases: bool,
}

impl Progression {
    /// One simulated day per real second, test cases included.
    pub fn demo() -> Self {
        Self {
            time_scale: DAY,
            include_test_cases: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Step {
    /// Partner assigned, collection starts.
    Activate,
    Lifecycle(Lifecycle),
    /// A payment of this share of the original amount.
    Pay(f64),
    Close(CloseCode),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Scheduled {
    /// Simulated seconds after creation.
    pub(crate) at: f64,
    pub(crate) step: Step,
}

/// The story of case number `seq`; deterministic in `(seed, seq)`.
pub(crate) fn script(seed: u64, seq: u64) -> Vec<Scheduled> {
    let mut rng = StdRng::seed_from_u64(seed ^ seq.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut day = rng.random_range(1.0..3.0);
    let mut out = vec![Scheduled {
        at: day * DAY,
        step: Step::Activate,
    }];
    let mut at = |d: f64, step: Step| out.push(Scheduled { at: d * DAY, step });
    let roll: f64 = rng.random();
    if roll < 0.40 {
        // Paid in full over one to three instalments.
        let n = rng.random_range(1..=3u32);
        for _ in 0..n {
            day += rng.random_range(7.0..30.0);
            at(day, Step::Pay(1.0 / f64::from(n)));
        }
        at(day, Step::Close(CloseCode::Paid));
    } else if roll < 0.60 {
        day += rng.random_range(10.0..40.0);
        at(day, Step::Pay(rng.random_range(0.2..0.7)));
        day += rng.random_range(30.0..60.0);
        at(day, Step::Close(CloseCode::PartiallyPaid));
    } else if roll < 0.75 {
        // The partner needs more details first, then the debtor pays.
        day += rng.random_range(3.0..8.0);
        at(day, Step::Lifecycle(Lifecycle::NeedsAdditionalDetails));
        day += rng.random_range(2.0..5.0);
        at(day, Step::Lifecycle(Lifecycle::Active));
        day += rng.random_range(20.0..50.0);
        at(day, Step::Pay(1.0));
        at(day, Step::Close(CloseCode::Paid));
    } else if roll < 0.90 {
        day += rng.random_range(60.0..120.0);
        at(day, Step::Close(CloseCode::NoPayment));
    } else {
        // Long-running: a small payment, still open.
        day += rng.random_range(30.0..60.0);
        at(day, Step::Pay(rng.random_range(0.1..0.3)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_deterministic_and_vary_by_case() {
        assert_eq!(script(1, 5), script(1, 5));
        assert_ne!(script(1, 5), script(1, 6));
        assert_ne!(script(1, 5), script(2, 5));
    }

    #[test]
    fn every_script_starts_with_activation_and_is_in_time_order() {
        for seq in 0..200 {
            let s = script(42, seq);
            assert_eq!(s[0].step, Step::Activate);
            assert!(s.windows(2).all(|w| w[0].at <= w[1].at), "{s:?}");
            let paid: f64 = s
                .iter()
                .map(|e| if let Step::Pay(x) = e.step { x } else { 0.0 })
                .sum();
            assert!(paid <= 1.0 + 1e-9, "never pays more than owed: {s:?}");
        }
    }
}
