//! Stripe's documented limits (reference §7): per account and mode, 25
//! requests per second in test mode and 100 in live mode, and 25 per second
//! per endpoint in both. Counted over any sliding second of the sandbox
//! clock; rejected requests count for nothing.

use std::collections::{HashMap, VecDeque};

use super::model::Mode;

/// Requests allowed per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StripeRateLimits {
    pub test_per_second: usize,
    pub live_per_second: usize,
    pub per_endpoint_per_second: usize,
}

impl Default for StripeRateLimits {
    fn default() -> Self {
        StripeRateLimits {
            test_per_second: 25,
            live_per_second: 100,
            per_endpoint_per_second: 25,
        }
    }
}

/// Which limit a rejected request hit (`Stripe-Rate-Limited-Reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exceeded {
    Global,
    Endpoint,
}

impl Exceeded {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Exceeded::Global => "global-rate",
            Exceeded::Endpoint => "endpoint-rate",
        }
    }
}

#[derive(Debug, Default)]
struct Window(VecDeque<i64>);

impl Window {
    /// Requests within the second up to `now_ms`.
    fn count(&mut self, now_ms: i64) -> usize {
        while self.0.front().is_some_and(|t| *t <= now_ms - 1_000) {
            self.0.pop_front();
        }
        self.0.iter().filter(|t| **t <= now_ms).count()
    }

    /// Arrival times reach the limiter slightly out of order (each waited
    /// out its own injected latency), so keep them sorted.
    fn record(&mut self, at_ms: i64) {
        let index = self.0.partition_point(|t| *t <= at_ms);
        self.0.insert(index, at_ms);
    }
}

#[derive(Debug, Default)]
pub(crate) struct Limiter {
    windows: HashMap<(Mode, Option<String>), Window>,
}

impl Limiter {
    /// Admits one request to `endpoint` at `now_ms`, or says which limit
    /// it would exceed.
    pub(crate) fn check(
        &mut self,
        limits: &StripeRateLimits,
        mode: Mode,
        endpoint: &str,
        now_ms: i64,
    ) -> Result<(), Exceeded> {
        let global_limit = match mode {
            Mode::Test => limits.test_per_second,
            Mode::Live => limits.live_per_second,
        };
        let global = self.windows.entry((mode, None)).or_default().count(now_ms);
        if global >= global_limit {
            return Err(Exceeded::Global);
        }
        let key = (mode, Some(endpoint.to_owned()));
        let per_endpoint = self.windows.entry(key.clone()).or_default().count(now_ms);
        if per_endpoint >= limits.per_endpoint_per_second {
            return Err(Exceeded::Endpoint);
        }
        for key in [(mode, None), key] {
            self.windows.entry(key).or_default().record(now_ms);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_mode_allows_25_per_sliding_second_and_rejections_cost_nothing() {
        let limits = StripeRateLimits::default();
        let mut limiter = Limiter::default();
        for i in 0..25 {
            assert_eq!(
                limiter.check(&limits, Mode::Test, "/v1/invoices", i * 10),
                Ok(())
            );
        }
        assert_eq!(
            limiter.check(&limits, Mode::Test, "/v1/customers", 500),
            Err(Exceeded::Global)
        );
        // The first request leaves the window at 1000 ms.
        assert_eq!(
            limiter.check(&limits, Mode::Test, "/v1/customers", 1_000),
            Ok(())
        );
        assert!(limiter
            .check(&limits, Mode::Test, "/v1/customers", 1_001)
            .is_err());
    }

    #[test]
    fn arrivals_recorded_out_of_order_are_counted_in_order() {
        let limits = StripeRateLimits {
            test_per_second: 2,
            ..StripeRateLimits::default()
        };
        let mut limiter = Limiter::default();
        assert_eq!(limiter.check(&limits, Mode::Test, "/x", 1_500), Ok(()));
        assert_eq!(limiter.check(&limits, Mode::Test, "/x", 400), Ok(()));
        // At 1,450 ms the window (450, 1450] holds neither: 400 is too old
        // and 1,500 has not arrived yet.
        assert_eq!(limiter.check(&limits, Mode::Test, "/x", 1_450), Ok(()));
        assert_eq!(
            limiter.check(&limits, Mode::Test, "/x", 1_600),
            Err(Exceeded::Global),
            "1,450 and 1,500 are within the second before 1,600"
        );
    }

    #[test]
    fn live_mode_has_100_overall_but_25_per_endpoint() {
        let limits = StripeRateLimits::default();
        let mut limiter = Limiter::default();
        for _ in 0..25 {
            assert_eq!(
                limiter.check(&limits, Mode::Live, "/v1/invoices", 0),
                Ok(())
            );
        }
        assert_eq!(
            limiter.check(&limits, Mode::Live, "/v1/invoices", 0),
            Err(Exceeded::Endpoint)
        );
        assert_eq!(
            limiter.check(&limits, Mode::Live, "/v1/customers", 0),
            Ok(())
        );
        assert_eq!(
            limiter.check(&limits, Mode::Test, "/v1/invoices", 0),
            Ok(()),
            "test and live are counted apart"
        );
    }
}
