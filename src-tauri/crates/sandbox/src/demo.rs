//! Demo mode: well-known, obviously fake credentials and a configuration in
//! which cases visibly progress (one simulated day per real second).

use crate::agency::{AgencyConfig, Progression};
use crate::SandboxConfig;

/// The agency key demo mode and scripts use. Clearly fake; only the sandbox
/// accepts it.
pub const AGENCY_API_KEY: &str = "demo-agency-key";

/// Seed used by demo mode so every demo tells the same story.
pub const SEED: u64 = 20_260_101;

/// Everything enabled, cases moving through their lifecycle and receiving
/// payments at one simulated day per second.
pub fn config() -> SandboxConfig {
    SandboxConfig {
        seed: SEED,
        agency: Some(AgencyConfig {
            progression: Some(Progression::demo()),
            ..AgencyConfig::default()
        }),
        ..SandboxConfig::default()
    }
}
