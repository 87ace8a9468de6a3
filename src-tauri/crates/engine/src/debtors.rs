//! Review of one invoice and fix-once-per-debtor.
//!
//! A fix is stored per debtor (provider, account, the source's customer id),
//! apart from the invoice cache, so re-fetching never loses it; it applies to
//! every invoice of that debtor, and their readiness is re-judged at once.
//! The source system is never written to.

use casebridge_domain::{
    check_readiness, CaseDraft, CountryInput, DebtorData, DebtorKind, DebtorOverride, Invoice,
    ReadinessPolicy,
};
use casebridge_store::{NewAuditEntry, ReviewStatus};

use crate::api::{
    DebtorEdits, DebtorView, FixDebtorRequest, FixDebtorResult, InvoiceDetail, RuleIssue,
};
use crate::cache::{debtor_ref, load_fix, record};
use crate::submission::{issue, payload_options};
use crate::{Engine, EngineError};

fn edits_from_data(d: &DebtorData) -> DebtorEdits {
    DebtorEdits {
        kind: d.kind.map(|k| k.as_str().to_string()),
        name: d.name.clone(),
        address_lines: Some(d.address_lines.clone()).filter(|l| !l.is_empty()),
        city: d.city.clone(),
        postal_code: d.postal_code.clone(),
        country: d.country.as_ref().map(|c| c.raw().to_string()),
        state: d.state.clone(),
        email: d.email.clone(),
        phone: d.phone.clone(),
        company_registration_number: d.company_registration_number.clone(),
        contact_person: d.contact_person.clone(),
    }
}

fn edits_from_override(o: &DebtorOverride) -> DebtorEdits {
    DebtorEdits {
        kind: o.kind.map(|k| k.as_str().to_string()),
        name: o.name.clone(),
        address_lines: o.address_lines.clone(),
        city: o.city.clone(),
        postal_code: o.postal_code.clone(),
        country: o.country.as_ref().map(|c| c.raw().to_string()),
        state: o.state.clone(),
        email: o.email.clone(),
        phone: o.phone.clone(),
        company_registration_number: o.company_registration_number.clone(),
        contact_person: o.contact_person.clone(),
    }
}

fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Parses the user's edits; a debtor type that is neither company nor
/// person is refused rather than guessed.
fn override_from_edits(e: DebtorEdits) -> Result<DebtorOverride, EngineError> {
    let kind = clean(e.kind)
        .map(|k| DebtorKind::parse(&k))
        .transpose()
        .map_err(|err| EngineError::InvalidInput { field: "kind", reason: err.to_string() })?;
    Ok(DebtorOverride {
        kind,
        name: clean(e.name),
        address_lines: e
            .address_lines
            .map(|lines| lines.into_iter().filter_map(|l| clean(Some(l))).collect::<Vec<_>>())
            .filter(|lines| !lines.is_empty()),
        city: clean(e.city),
        postal_code: clean(e.postal_code),
        country: clean(e.country).and_then(|c| CountryInput::new(&c)),
        state: clean(e.state),
        email: clean(e.email),
        phone: clean(e.phone),
        company_registration_number: clean(e.company_registration_number),
        contact_person: clean(e.contact_person),
    })
}

fn parse_invoice(value: &serde_json::Value, what: &str) -> Result<Invoice, EngineError> {
    serde_json::from_value(value.clone()).map_err(|source| EngineError::CorruptCache { what: what.to_string(), source })
}

impl Engine {
    /// Everything the drawer shows for one invoice.
    pub async fn invoice_detail(&self, source_ref: String) -> Result<InvoiceDetail, EngineError> {
        let env = self.current_agency_environment().await?;
        let options = payload_options(self.agency_settings().await?.as_ref());
        let today = self.clock().today();
        self.with_store(move |store| {
            let cached = crate::submission::cached_invoice(store, env, &source_ref)?;
            let invoice = parse_invoice(&cached.invoice.payload, &source_ref)?;
            let debtor = debtor_ref(&invoice);
            let fix = load_fix(store, &debtor)?;
            let policy = ReadinessPolicy::new();
            let report = check_readiness(&invoice, fix.as_ref(), today, &policy);
            let payload = match (cached.status, CaseDraft::from_invoice(&invoice, fix.as_ref(), today, &policy)) {
                (ReviewStatus::Ready | ReviewStatus::NeedsFixing | ReviewStatus::Unchecked, Ok(draft)) => {
                    Some(crate::submission::body(&draft, options)?)
                }
                _ => None,
            };
            let invoice_count = u32::try_from(store.invoices_of_debtor(&debtor)?.len()).unwrap_or(u32::MAX);
            Ok(InvoiceDetail {
                description: invoice.description.clone(),
                checklist: report.failures.iter().map(issue).collect::<Vec<RuleIssue>>(),
                debtor: DebtorView {
                    debtor_key: invoice.debtor_key.clone(),
                    source: edits_from_data(&invoice.debtor),
                    fix: fix.as_ref().map(edits_from_override),
                    invoice_count,
                },
                payload,
                row: crate::review::row(cached, today),
            })
        })
        .await
    }

    /// Stores (or with `edits: None`, removes) the fix for the debtor of
    /// `source_ref` and re-judges every invoice of that debtor.
    pub async fn fix_debtor(&self, request: FixDebtorRequest) -> Result<FixDebtorResult, EngineError> {
        let env = self.current_agency_environment().await?;
        let edits = request.edits.map(override_from_edits).transpose()?;
        let today = self.clock().today();
        let now = self.clock().now();
        self.with_store(move |store| {
            let cached = crate::submission::cached_invoice(store, env, &request.source_ref)?;
            let invoice = parse_invoice(&cached.invoice.payload, &request.source_ref)?;
            let debtor = debtor_ref(&invoice);
            match &edits {
                Some(fix) => {
                    let value = serde_json::to_value(fix).map_err(|source| EngineError::Serialize { source })?;
                    store.set_debtor_override(&debtor, &value, now)?;
                }
                None => {
                    store.delete_debtor_override(&debtor)?;
                }
            }
            let policy = ReadinessPolicy::new();
            let mut records = Vec::new();
            for cached in store.invoices_of_debtor(&debtor)? {
                let invoice = parse_invoice(&cached.payload, "an invoice of this debtor")?;
                records.push(record(&invoice, edits.as_ref(), today, &policy, &cached.source_status, cached.fetched_at)?);
            }
            let now_ready = records.iter().filter(|r| r.issue_count == Some(0)).count();
            store.upsert_invoices(&records)?;
            store.append_audit(&NewAuditEntry {
                at: now,
                actor: "user".into(),
                action: if edits.is_some() { "debtor.fixed" } else { "debtor.fix_removed" }.into(),
                subject: format!("{}:{}/{}", debtor.provider, debtor.account, debtor.debtor_key),
                details: serde_json::json!({ "invoices": records.len() }),
            })?;
            Ok(FixDebtorResult {
                invoices_updated: u32::try_from(records.len()).unwrap_or(u32::MAX),
                now_ready: u32::try_from(now_ready).unwrap_or(u32::MAX),
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_edits_mean_keep_the_source_value() {
        let fix = override_from_edits(DebtorEdits {
            city: Some("  ".into()),
            address_lines: Some(vec![" ".into()]),
            country: Some(" Danmark ".into()),
            ..DebtorEdits::default()
        })
        .unwrap();
        assert_eq!(fix.city, None);
        assert_eq!(fix.address_lines, None);
        assert_eq!(fix.country.and_then(|c| c.code()).map(|c| c.alpha2()), Some("DK"));
    }

    #[test]
    fn an_unknown_debtor_type_is_refused_not_guessed() {
        let err = override_from_edits(DebtorEdits { kind: Some("Alien".into()), ..DebtorEdits::default() }).unwrap_err();
        assert_eq!(err.code(), "invalid_input");
    }
}
