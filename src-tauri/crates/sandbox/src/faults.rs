//! Fault plans: what a fake does wrong, to which requests, and how often.
//!
//! A plan is plain data (serde), so the same value can be set through the
//! Rust handle ([`crate::FakeControl::set_faults`]) or posted as JSON to
//! `POST /__sandbox/faults`. Decisions draw from a RNG seeded by the plan, so
//! the same sequence of requests meets the same faults.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Everything a fake should currently get wrong.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultPlan {
    /// Seeds the RNG behind latency jitter and fractional triggers.
    #[serde(default)]
    pub seed: u64,
    /// Added to every API request before anything else happens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency: Option<Latency>,
    /// Checked in order; the first rule that fires decides the request.
    #[serde(default)]
    pub rules: Vec<FaultRule>,
}

impl FaultPlan {
    /// A plan with just one rule.
    pub fn rule(rule: FaultRule) -> Self {
        Self {
            rules: vec![rule],
            ..Self::default()
        }
    }
}

/// Fixed delay plus uniformly random jitter in `0..=jitter_ms`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Latency {
    #[serde(default)]
    pub fixed_ms: u64,
    #[serde(default)]
    pub jitter_ms: u64,
}

/// One fault, when it fires, and optionally on which route only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    pub fault: FaultKind,
    pub trigger: Trigger,
    /// `"METHOD /route/{template}"` as in stats (e.g. `"POST /cases"`);
    /// absent = every API route.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
}

impl FaultRule {
    /// The next `n` requests (on any route) meet `fault`.
    pub fn next(n: u32, fault: FaultKind) -> Self {
        Self {
            fault,
            trigger: Trigger::Next(n),
            route: None,
        }
    }

    /// Each request meets `fault` with probability `fraction`.
    pub fn fraction(fraction: Fraction, fault: FaultKind) -> Self {
        Self {
            fault,
            trigger: Trigger::Fraction(fraction),
            route: None,
        }
    }

    /// Restricts the rule to one route, e.g. `"POST /cases"`.
    pub fn on_route(mut self, route: impl Into<String>) -> Self {
        self.route = Some(route.into());
        self
    }
}

/// When a rule fires. JSON: `{"next": 3}` or `{"fraction": 0.1}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Trigger {
    /// The next N matching requests; counts down, then the rule is spent.
    Next(u32),
    /// Each matching request independently, with this probability.
    Fraction(Fraction),
}

/// A probability in `0.0..=1.0`.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Fraction(f64);

impl TryFrom<f64> for Fraction {
    type Error = String;
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        if (0.0..=1.0).contains(&value) {
            Ok(Self(value))
        } else {
            Err(format!("fraction must be within 0.0..=1.0, got {value}"))
        }
    }
}

impl From<Fraction> for f64 {
    fn from(value: Fraction) -> Self {
        value.0
    }
}

/// What goes wrong. JSON is tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum FaultKind {
    /// 429 in the provider's own format (body and, if asked, `Retry-After`).
    RateLimit {
        retry_after_secs: Seconds,
        #[serde(default)]
        retry_after_header: bool,
    },
    /// A 5xx in the provider's own error format; nothing is processed.
    ServerError { status: ServerErrorStatus },
    /// The request IS processed (side effects happen), then the response body
    /// is cut in half: a proxy or network fault after the server committed.
    MalformedBody,
    /// Nothing is processed and nothing is answered until the client gives
    /// up (the connection is closed after an hour at most).
    Hang,
    /// The request IS processed (side effects happen), then the connection is
    /// closed without a response: the client cannot know the outcome.
    DropAfterProcessing,
}

impl FaultKind {
    /// Stable name used in stats.
    pub fn name(&self) -> &'static str {
        match self {
            Self::RateLimit { .. } => "rateLimit",
            Self::ServerError { .. } => "serverError",
            Self::MalformedBody => "malformedBody",
            Self::Hang => "hang",
            Self::DropAfterProcessing => "dropAfterProcessing",
        }
    }
}

/// A non-negative, finite number of seconds.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Seconds(f64);

impl Seconds {
    pub fn as_f64(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Seconds {
    type Error = String;
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        if value.is_finite() && value >= 0.0 {
            Ok(Self(value))
        } else {
            Err(format!("seconds must be finite and >= 0, got {value}"))
        }
    }
}

impl From<Seconds> for f64 {
    fn from(value: Seconds) -> Self {
        value.0
    }
}

/// A 5xx status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct ServerErrorStatus(u16);

impl ServerErrorStatus {
    pub fn code(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for ServerErrorStatus {
    type Error = String;
    fn try_from(value: u16) -> Result<Self, Self::Error> {
        if (500..=599).contains(&value) {
            Ok(Self(value))
        } else {
            Err(format!("status must be a 5xx code, got {value}"))
        }
    }
}

impl From<ServerErrorStatus> for u16 {
    fn from(value: ServerErrorStatus) -> Self {
        value.0
    }
}

/// What to do with one request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decision {
    pub(crate) delay: Duration,
    pub(crate) fault: Option<FaultKind>,
}

/// A plan plus the RNG and countdowns it is consumed with.
#[derive(Debug)]
pub(crate) struct FaultState {
    plan: FaultPlan,
    rng: StdRng,
}

impl Default for FaultState {
    fn default() -> Self {
        Self::new(FaultPlan::default())
    }
}

impl FaultState {
    pub(crate) fn new(plan: FaultPlan) -> Self {
        let rng = StdRng::seed_from_u64(plan.seed);
        Self { plan, rng }
    }

    /// The plan with its countdowns as they stand now.
    pub(crate) fn plan(&self) -> &FaultPlan {
        &self.plan
    }

    pub(crate) fn push(&mut self, rule: FaultRule) {
        self.plan.rules.push(rule);
    }

    pub(crate) fn decide(&mut self, route: &str) -> Decision {
        let delay = match self.plan.latency {
            Some(Latency {
                fixed_ms,
                jitter_ms,
            }) => {
                let jitter = if jitter_ms == 0 {
                    0
                } else {
                    self.rng.random_range(0..=jitter_ms)
                };
                Duration::from_millis(fixed_ms.saturating_add(jitter))
            }
            None => Duration::ZERO,
        };
        let mut fault = None;
        for rule in &mut self.plan.rules {
            if rule.route.as_deref().is_some_and(|r| r != route) {
                continue;
            }
            let fires = match &mut rule.trigger {
                Trigger::Next(0) => false,
                Trigger::Next(n) => {
                    *n -= 1;
                    true
                }
                Trigger::Fraction(p) => self.rng.random::<f64>() < p.0,
            };
            if fires {
                fault = Some(rule.fault.clone());
                break;
            }
        }
        Decision { delay, fault }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_error(code: u16) -> FaultKind {
        FaultKind::ServerError {
            status: ServerErrorStatus::try_from(code).expect("5xx"),
        }
    }

    #[test]
    fn next_n_fires_exactly_n_times_then_is_spent() {
        let mut state = FaultState::new(FaultPlan::rule(FaultRule::next(2, server_error(503))));
        let fired: Vec<bool> = (0..4)
            .map(|_| state.decide("GET /me").fault.is_some())
            .collect();
        assert_eq!(fired, [true, true, false, false]);
        assert_eq!(state.plan().rules[0].trigger, Trigger::Next(0));
    }

    #[test]
    fn route_filter_leaves_other_routes_alone() {
        let rule = FaultRule::next(1, FaultKind::Hang).on_route("POST /cases");
        let mut state = FaultState::new(FaultPlan::rule(rule));
        assert_eq!(state.decide("GET /me").fault, None);
        assert_eq!(state.decide("POST /cases").fault, Some(FaultKind::Hang));
    }

    #[test]
    fn fractional_faults_are_reproducible_from_the_seed() {
        let plan = FaultPlan {
            seed: 7,
            latency: Some(Latency {
                fixed_ms: 5,
                jitter_ms: 10,
            }),
            rules: vec![FaultRule::fraction(
                Fraction::try_from(0.3).expect("valid"),
                FaultKind::MalformedBody,
            )],
        };
        let run = |plan: FaultPlan| {
            let mut state = FaultState::new(plan);
            (0..200)
                .map(|_| state.decide("GET /cases"))
                .collect::<Vec<_>>()
        };
        let a = run(plan.clone());
        assert_eq!(a, run(plan));
        let hits = a.iter().filter(|d| d.fault.is_some()).count();
        assert!((30..=90).contains(&hits), "~30% of 200, got {hits}");
        assert!(a
            .iter()
            .all(|d| (5..=15).contains(&(d.delay.as_millis() as u64))));
    }

    #[test]
    fn json_form_round_trips_and_rejects_nonsense() {
        let json = r#"{"seed":1,"rules":[{"fault":{"kind":"rateLimit","retryAfterSecs":1.5,"retryAfterHeader":true},"trigger":{"next":3},"route":"POST /cases"}]}"#;
        let plan: FaultPlan = serde_json::from_str(json).expect("valid plan");
        assert_eq!(
            plan.rules[0].fault,
            FaultKind::RateLimit {
                retry_after_secs: Seconds::try_from(1.5).expect("valid"),
                retry_after_header: true
            }
        );
        assert_eq!(
            serde_json::to_value(&plan).expect("serializes"),
            serde_json::from_str::<serde_json::Value>(json).expect("json")
        );
        let bad_status =
            r#"{"rules":[{"fault":{"kind":"serverError","status":404},"trigger":{"next":1}}]}"#;
        let err = serde_json::from_str::<FaultPlan>(bad_status).expect_err("404 is not 5xx");
        assert!(err.to_string().contains("5xx"), "{err}");
        let bad_fraction = r#"{"rules":[{"fault":{"kind":"hang"},"trigger":{"fraction":1.5}}]}"#;
        assert!(serde_json::from_str::<FaultPlan>(bad_fraction).is_err());
    }
}
