//! Integration tests of casebridge-store, through its public API (plus raw SQLite where a test
//! must look under the hood: schema scans, simulated crashes).

mod common;
mod invoices;
mod keychain;
mod outbox;
mod repositories;
mod schema;

pub use common::*;
