//! Shared helpers for the engine's integration tests.
#![allow(dead_code)] // each test binary uses a different subset

pub mod oauth;

use casebridge_domain::{
    CountryInput, Currency, DebtorData, DebtorKind, Invoice, InvoiceAmounts, Money, Provider,
    SourceRef,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// A complete, submittable invoice from a fake Stripe account.
pub fn ready_invoice(n: u32) -> Invoice {
    Invoice {
        source: SourceRef::new(Provider::Stripe, "acct_test", &format!("in_{n:06}")).unwrap(),
        debtor_key: format!("cus_{}", n % 97),
        creditor_reference: Some(format!("INV-{n:06}")),
        issue_date: NaiveDate::from_ymd_opt(2026, 8, 1).unwrap(),
        due_date: NaiveDate::from_ymd_opt(2026, 9, 1),
        amounts: InvoiceAmounts::unpaid(
            Money::new(Decimal::new(125_000 + i64::from(n), 2), Currency::parse("DKK").unwrap()).unwrap(),
        ),
        description: Some("Consulting, August".into()),
        debtor: DebtorData {
            kind: Some(DebtorKind::Company),
            name: Some(format!("Debtor {} ApS", n % 97)),
            address_lines: vec!["Vesterbrogade 1".into()],
            city: Some("København V".into()),
            postal_code: Some("1620".into()),
            country: CountryInput::new("Denmark"),
            email: Some("ap@example.com".into()),
            ..DebtorData::default()
        },
        has_document: false,
    }
}

/// The same invoice with the debtor's street missing (fixable once per debtor).
pub fn invoice_without_street(n: u32) -> Invoice {
    let mut invoice = ready_invoice(n);
    invoice.debtor.address_lines.clear();
    invoice
}

/// Secrets that live and die with the test (no OS keychain needed).
pub fn secrets() -> std::sync::Arc<dyn casebridge_store::secrets::SecretStore> {
    std::sync::Arc::new(casebridge_store::secrets::EphemeralSecrets::default())
}

/// A clock the test moves forward (the fakes keep real time).
pub struct TestClock(pub std::sync::Mutex<chrono::DateTime<chrono::Utc>>);

impl TestClock {
    pub fn advance(&self, by: chrono::Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl casebridge_engine::Clock for TestClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().unwrap()
    }
}

/// Every progress event a job emitted, in order.
#[derive(Default)]
pub struct Events(pub std::sync::Mutex<Vec<casebridge_engine::api::JobEvent>>);

impl casebridge_engine::ProgressSink for Events {
    fn emit(&self, event: casebridge_engine::api::JobEvent) {
        self.0.lock().unwrap().push(event);
    }
}

/// A data folder and an engine config in demo mode pointed at `sandbox`'s agency and Stripe
/// fakes (the folder goes when the returned handle drops).
pub fn demo_config_for(
    sandbox: &casebridge_sandbox::Sandbox,
) -> (tempfile::TempDir, casebridge_engine::EngineConfig) {
    let urls = sandbox.urls();
    let dir = tempfile::tempdir().unwrap();
    let config = casebridge_engine::EngineConfig {
        data_dir: dir.path().to_path_buf(),
        mode: casebridge_engine::api::RunMode::Demo,
        demo_agency_url: urls.agency.clone(),
        demo_stripe_url: urls.stripe.clone(),
    };
    (dir, config)
}
