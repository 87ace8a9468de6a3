//! Demo mode: well-known, obviously fake credentials and a configuration in
//! which cases visibly progress (one simulated day per real second).

use crate::agency::{AgencyConfig, Progression};
use crate::stripe::{SeedData, StripeConfig};
use crate::SandboxConfig;

/// The agency key demo mode and scripts use. Clearly fake; only the sandbox
/// accepts it.
pub const AGENCY_API_KEY: &str = "demo-agency-key";

/// Stripe invoices in demo mode: a few thousand rows to review, with more
/// than a page created in one second (a subscription run).
pub const STRIPE_DEMO_INVOICES: usize = 2_500;

/// Seed used by demo mode so every demo tells the same story.
pub const SEED: u64 = 20_260_101;

/// Everything enabled, cases moving through their lifecycle and receiving
/// payments at one simulated day per second, and a Stripe account with
/// enough invoices to page through (its keys: [`crate::stripe`]'s
/// `DEMO_*_KEY` constants).
pub fn config() -> SandboxConfig {
    SandboxConfig {
        seed: SEED,
        agency: Some(AgencyConfig {
            progression: Some(Progression::demo()),
            ..AgencyConfig::default()
        }),
        stripe: Some(StripeConfig {
            test_data: SeedData::Demo {
                invoices: STRIPE_DEMO_INVOICES,
            },
            ..StripeConfig::default()
        }),
        ..SandboxConfig::default()
    }
}
