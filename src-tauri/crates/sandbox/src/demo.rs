//! Demo mode: well-known, obviously fake credentials and a configuration in
//! which cases visibly progress (one simulated day per real second).

use crate::agency::{AgencyConfig, Progression};
use crate::oauth::{OAuthConfig, OAuthShape, SandboxCompany};
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

/// The QuickBooks sandbox companies the demo's consent page offers (`realmId`, name). The
/// QuickBooks API fake serves data for these realms.
pub const QUICKBOOKS_COMPANIES: [(&str, &str); 2] = [
    ("9130350000000001", "Nordlys Consulting ApS"),
    (
        "9130350000000002",
        "Craig's Design and Landscaping Services",
    ),
];

/// The data centre the demo's Zoho sign-in reports (`location`).
pub const ZOHO_LOCATION: &str = "eu";

/// The QuickBooks-shaped OAuth fake of demo mode: a consent page with a company choice, for
/// the demo client ([`crate::oauth::DEMO_CLIENT_ID`]).
pub fn quickbooks_oauth() -> OAuthConfig {
    OAuthConfig {
        shape: OAuthShape::QuickBooks {
            companies: QUICKBOOKS_COMPANIES
                .iter()
                .map(|(realm_id, name)| SandboxCompany {
                    realm_id: (*realm_id).into(),
                    name: (*name).into(),
                })
                .collect(),
        },
        ..OAuthConfig::default()
    }
}

/// The Zoho-shaped OAuth fake of demo mode (its `api_domain` is the Zoho API fake's URL, set
/// once that listens).
pub fn zoho_oauth() -> OAuthConfig {
    OAuthConfig::zoho(ZOHO_LOCATION, None)
}

/// Everything enabled, cases moving through their lifecycle and receiving
/// payments at one simulated day per second, and a Stripe account with
/// enough invoices to page through (its keys: [`crate::stripe`]'s
/// `DEMO_*_KEY` constants), and the QuickBooks and Zoho authorization
/// servers with consent pages for the demo OAuth client, and the QuickBooks
/// (two companies) and Zoho Books (two organizations) APIs trusting their
/// servers' tokens.
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
        quickbooks_oauth: Some(quickbooks_oauth()),
        zoho_oauth: Some(zoho_oauth()),
        quickbooks: Some(crate::QuickBooksConfig::default()),
        zoho: Some(crate::ZohoConfig::default()),
        ..SandboxConfig::default()
    }
}
