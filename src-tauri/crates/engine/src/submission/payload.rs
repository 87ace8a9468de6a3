//! A checked [`CaseDraft`] becomes the exact `POST /cases` body.
//!
//! The domain has already proven every required field; this only changes
//! shape. The body is built once, stored in the outbox, and every retry
//! sends those stored bytes.

use casebridge_agency::wire::{
    AgeBreakdown, CountryAlpha2, CreditorReference, CurrencyCode, DebtorType, LongText, Text,
};
use casebridge_agency::{AgencyError, CreateCaseRequest, DebtorDto};
use casebridge_domain::{CaseDraft, DebtorKind, Money};

use crate::EngineError;

/// Whether the agency should treat the case as a test (never collected).
#[derive(Debug, Clone, Copy)]
pub(crate) struct PayloadOptions {
    pub is_test: bool,
}

fn amount(money: Money) -> Result<casebridge_agency::wire::Amount, AgencyError> {
    casebridge_agency::wire::Amount::new(money.amount())
}

fn optional_text(field: &'static str, value: Option<&str>) -> Result<Option<Text>, AgencyError> {
    Text::optional(field, value)
}

pub(crate) fn case_request(
    draft: &CaseDraft,
    options: PayloadOptions,
) -> Result<serde_json::Value, EngineError> {
    let request = build(draft, options)?;
    serde_json::to_value(&request).map_err(|source| EngineError::Serialize { source })
}

fn build(draft: &CaseDraft, options: PayloadOptions) -> Result<CreateCaseRequest, AgencyError> {
    let d = draft.debtor();
    let mut debtor = DebtorDto::new(
        match d.kind() {
            DebtorKind::Company => DebtorType::Company,
            DebtorKind::Private => DebtorType::Private,
        },
        Text::new("debtor.name", d.name())?,
        CountryAlpha2::parse(d.country().alpha2())?,
    );
    debtor.address = Some(Text::new("debtor.address", d.address())?);
    debtor.city = Some(Text::new("debtor.city", d.city())?);
    debtor.zip_code = optional_text("debtor.zipCode", d.postal_code().map(|p| p.as_str()))?;
    debtor.state_alpha2 = optional_text("debtor.stateAlpha2", d.us_state().map(|s| s.code()))?;
    debtor.state = optional_text("debtor.state", d.region())?;
    debtor.email = optional_text("debtor.email", d.email().map(|e| e.as_str()))?;
    debtor.phone = optional_text("debtor.phone", d.phone().map(|p| p.as_str()))?;
    debtor.company_registration_number =
        optional_text("debtor.companyRegistrationNumber", d.company_registration_number())?;
    if d.kind() == DebtorKind::Company {
        debtor.contact_person = optional_text("debtor.contactPerson", d.contact_person())?;
    }

    let money = draft.amount_to_recover();
    let mut request = CreateCaseRequest::new(
        CurrencyCode::parse(money.currency().code())?,
        amount(money)?,
        draft.date(),
        debtor,
    );
    request.due_date = Some(draft.due_date());
    request.creditor_reference = draft
        .creditor_reference()
        .map(|r| CreditorReference::new("creditorReference", r.as_str()))
        .transpose()?;
    request.claim_description = draft
        .claim_description()
        .map(|c| LongText::new("claimDescription", c.as_str()))
        .transpose()?;
    let buckets = draft.age_buckets();
    if buckets.over_6_months().is_positive() {
        request.age_breakdown = Some(AgeBreakdown::new(
            Some(amount(buckets.over_6_months())?),
            amount(buckets.over_12_months())?,
            amount(buckets.over_24_months())?,
        )?);
    }
    request.is_test = options.is_test;
    Ok(request)
}
