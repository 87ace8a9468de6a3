//! Tracking: the agency's view of our cases (status, payments), polled.
//!
//! A desktop app has no public URL for webhooks, so it asks: every case page
//! and every payment page, then stores what changed in one transaction per
//! page. Payments are read from the account-wide list (one call per 100
//! payments) rather than one call per case.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use casebridge_agency::{AgencyClient, CaseDto, CaseQuery, PageSize, PaymentDto};
use casebridge_store::{AgencyEnvironment, PolledCase};

use crate::{Engine, EngineError};

impl Engine {
    /// Polls every case and payment of the connected agency account and
    /// returns how many stored cases changed.
    pub async fn refresh_cases(&self) -> Result<usize, EngineError> {
        let (client, settings) = self.agency_client().await?;
        let env = settings.outbox_environment();
        let cases = all_cases(&client).await?;
        let payments = all_payments(&client).await?;
        let now = self.clock().now();
        let polled: Vec<PolledCase> = cases.iter().map(|c| polled(c, env)).collect();
        let mut by_case: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
        for payment in &payments {
            by_case
                .entry(payment.invoice.invoice_id.to_string())
                .or_default()
                .push(serde_json::to_value(payment).map_err(|source| EngineError::Serialize { source })?);
        }
        self.with_store(move |store| {
            let mut changed = store
                .upsert_polled_cases(&polled, now)?
                .into_iter()
                .filter(|c| c.previous.as_ref() != Some(&c.current))
                .count();
            for case in &polled {
                let list = serde_json::Value::Array(by_case.remove(&case.agency_case_id).unwrap_or_default());
                let change = store.set_case_payments(&case.agency_case_id, &list, now)?;
                if change.previous.as_ref().map(|p| &p.payments) != Some(&change.current.payments) {
                    changed += 1;
                }
            }
            Ok(changed)
        })
        .await
    }
}

fn polled(c: &CaseDto, env: AgencyEnvironment) -> PolledCase {
    PolledCase {
        agency_case_id: c.id.to_string(),
        agency_environment: env,
        agency_reference: c.reference.clone(),
        creditor_reference: c.creditor_reference.clone(),
        debtor_name: c.debtor.as_ref().and_then(|d| d.name.clone()),
        amount: Some(c.gross_amount.to_string()),
        currency: c.currency.clone(),
        lifecycle: c.lifecycle.as_ref().map(|l| l.label().to_string()),
        close_code: c.close_code.as_ref().map(|code| code.label().to_string()),
        raw: serde_json::to_value(c).unwrap_or_default(),
    }
}

async fn all_cases(client: &AgencyClient) -> Result<Vec<CaseDto>, EngineError> {
    let mut out = Vec::new();
    let mut page = NonZeroU32::MIN;
    loop {
        let query = CaseQuery { page, page_size: PageSize::MAX, ..CaseQuery::default() };
        let result = client.list_cases(&query).await?;
        let more = result.has_next();
        out.extend(result.items);
        if !more {
            return Ok(out);
        }
        page = page.saturating_add(1);
    }
}

async fn all_payments(client: &AgencyClient) -> Result<Vec<PaymentDto>, EngineError> {
    let mut out = Vec::new();
    let mut page = NonZeroU32::MIN;
    loop {
        let result = client.list_payments(page, PageSize::MAX).await?;
        let more = result.has_next();
        out.extend(result.items);
        if !more {
            return Ok(out);
        }
        page = page.saturating_add(1);
    }
}
