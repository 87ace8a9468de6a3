//! Stripe invoice JSON → [`FetchedInvoice`], per FIELD-MAPPING.md's Stripe
//! column.

use casebridge_domain::{
    infer_debtor_kind, CountryInput, Currency, DebtorData, DebtorKind, Invoice, InvoiceAmounts,
    Provider, SourceRef,
};
use chrono::{DateTime, Utc};

use super::money::stripe_money;
use super::wire::{
    Expandable, MaybeDeleted, WireAddress, WireCustomer, WireInvoice, WireStatus, WireTaxId,
};
use crate::error::ProviderError;
use crate::fetch::{FetchedInvoice, InvoiceOrigin, SkipReason, SourceStatus};

/// What became of one listed invoice.
#[derive(Debug)]
pub(crate) enum Mapped {
    Keep(Box<FetchedInvoice>),
    Skip(SkipReason),
}

pub(crate) fn status(wire: Option<WireStatus>) -> SourceStatus {
    match wire {
        Some(WireStatus::Draft) => SourceStatus::Draft,
        Some(WireStatus::Open) => SourceStatus::Open,
        Some(WireStatus::Paid) => SourceStatus::Paid,
        Some(WireStatus::Uncollectible) => SourceStatus::Uncollectible,
        Some(WireStatus::Void) => SourceStatus::Void,
        Some(WireStatus::Unknown) | None => SourceStatus::Unknown,
    }
}

fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

fn owned(text: Option<&str>) -> Option<String> {
    non_blank(text).map(str::to_owned)
}

fn timestamp(id: &str, field: &'static str, value: i64) -> Result<DateTime<Utc>, ProviderError> {
    DateTime::from_timestamp(value, 0).ok_or_else(|| ProviderError::InvoiceTimestamp {
        provider: Provider::Stripe,
        id: id.to_owned(),
        field,
        value,
    })
}

/// Maps one invoice, or says why it is left out.
///
/// `accepted` are the statuses the caller wants (open, plus uncollectible
/// when the user opted in); `paid`, `void` and `draft` never become cases
/// whatever is asked.
pub(crate) fn map_invoice(
    wire: WireInvoice,
    account: &str,
    accepted: &[SourceStatus],
) -> Result<Mapped, ProviderError> {
    let status = status(wire.status);
    let collectible = matches!(status, SourceStatus::Open | SourceStatus::Uncollectible);
    if !collectible || !accepted.contains(&status) {
        return Ok(Mapped::Skip(SkipReason::Status { status }));
    }
    let value_error = |source| ProviderError::InvoiceValue {
        provider: Provider::Stripe,
        id: wire.id.clone(),
        source,
    };
    let currency = Currency::parse(&wire.currency).map_err(value_error)?;
    let outstanding = stripe_money(currency, wire.amount_remaining).map_err(value_error)?;
    if !outstanding.is_positive() {
        return Ok(Mapped::Skip(SkipReason::NothingOwed { outstanding }));
    }
    let Some(number) = owned(wire.number.as_deref()) else {
        return Ok(Mapped::Skip(SkipReason::NoNumber));
    };
    let total = stripe_money(currency, wire.total).map_err(value_error)?;
    let amounts = InvoiceAmounts::new(total, outstanding).map_err(value_error)?;
    let source = SourceRef::new(Provider::Stripe, account, &wire.id).map_err(value_error)?;

    let created_at = timestamp(&wire.id, "created", wire.created)?;
    // `effective_at` is the date the invoice counts from when it was
    // backdated; otherwise it is the finalisation time, and `created`
    // (FIELD-MAPPING: "created, or effective_at when set") is close enough
    // that the later one would only shift dates by the draft period.
    let issued_at = match wire.effective_at {
        Some(at) => timestamp(&wire.id, "effective_at", at)?,
        None => created_at,
    };
    let due_date = wire
        .due_date
        .map(|at| timestamp(&wire.id, "due_date", at).map(|t| t.date_naive()))
        .transpose()?;

    let (debtor, debtor_key, customer_deleted) = debtor(&wire);
    let invoice = Invoice {
        source,
        debtor_key,
        creditor_reference: Some(number),
        issue_date: issued_at.date_naive(),
        due_date,
        amounts,
        description: description(&wire),
        debtor,
        has_document: wire.invoice_pdf.is_some(),
    };
    Ok(Mapped::Keep(Box::new(FetchedInvoice {
        invoice,
        status,
        origin: origin(&wire),
        created_at,
        document_url: owned(wire.invoice_pdf.as_deref()),
        payment_page_url: owned(wire.hosted_invoice_url.as_deref()),
        customer_deleted,
    })))
}

/// Subscription or one-off, across API versions: basil's `parent` first,
/// then the pre-basil `subscription` field, then `billing_reason`.
pub(crate) fn origin(wire: &WireInvoice) -> InvoiceOrigin {
    if let Some(parent) = &wire.parent {
        match parent.kind.as_deref() {
            Some("subscription_details") => {
                return InvoiceOrigin::Subscription {
                    id: parent
                        .subscription_details
                        .as_ref()
                        .and_then(|d| d.subscription.as_ref())
                        .map(|s| s.id().to_owned()),
                };
            }
            Some("quote_details") => {
                return InvoiceOrigin::Quote {
                    id: parent
                        .quote_details
                        .as_ref()
                        .and_then(|d| d.quote.as_ref())
                        .map(|q| q.id().to_owned()),
                };
            }
            _ => {}
        }
    }
    if let Some(subscription) = &wire.subscription {
        return InvoiceOrigin::Subscription {
            id: Some(subscription.id().to_owned()),
        };
    }
    match wire.billing_reason.as_deref() {
        Some(reason) if reason.starts_with("subscription") => {
            InvoiceOrigin::Subscription { id: None }
        }
        Some("quote_accept") => InvoiceOrigin::Quote { id: None },
        _ => InvoiceOrigin::OneOff,
    }
}

/// Line descriptions, one per line; the invoice memo when there are none.
/// Cutting to the agency's length is the domain's job.
fn description(wire: &WireInvoice) -> Option<String> {
    let lines: Vec<&str> = wire
        .lines
        .iter()
        .flat_map(|lines| &lines.data)
        .filter_map(|line| non_blank(line.description.as_deref()))
        .collect();
    if lines.is_empty() {
        owned(wire.description.as_deref())
    } else {
        Some(lines.join("\n"))
    }
}

fn has_any_field(address: &WireAddress) -> bool {
    [
        &address.line1,
        &address.line2,
        &address.city,
        &address.state,
        &address.postal_code,
        &address.country,
    ]
    .into_iter()
    .any(|field| non_blank(field.as_deref()).is_some())
}

fn first_tax_id<'a>(ids: impl IntoIterator<Item = &'a WireTaxId>) -> Option<String> {
    ids.into_iter()
        .find_map(|tax_id| owned(tax_id.value.as_deref()))
}

/// The debtor as billed: the invoice's customer snapshot, falling back
/// field by field to the customer object when it was expanded (and not
/// deleted). Returns the data, the key debtor overrides hang on, and
/// whether the customer was deleted.
fn debtor(wire: &WireInvoice) -> (DebtorData, String, bool) {
    let (customer_id, customer, deleted): (Option<&str>, Option<&WireCustomer>, bool) =
        match &wire.customer {
            Some(Expandable::Id(id)) => (Some(id), None, false),
            Some(Expandable::Object(MaybeDeleted::Live(customer))) => {
                (Some(&customer.id), Some(customer), false)
            }
            Some(Expandable::Object(MaybeDeleted::Deleted { id })) => (Some(id), None, true),
            None => (None, None, false),
        };
    // Without a customer (Accounts v2 invoices) the account is the debtor;
    // failing both, the invoice stands alone.
    let debtor_key = customer_id
        .or(wire.customer_account.as_deref())
        .unwrap_or(&wire.id)
        .to_owned();

    let address = wire
        .customer_address
        .as_ref()
        .filter(|a| has_any_field(a))
        .or_else(|| {
            customer
                .and_then(|c| c.address.as_ref())
                .filter(|a| has_any_field(a))
        });
    let business_name = customer.and_then(|c| non_blank(c.business_name.as_deref()));
    let individual_name = customer.and_then(|c| non_blank(c.individual_name.as_deref()));
    let name = owned(wire.customer_name.as_deref())
        .or_else(|| customer.and_then(|c| owned(c.name.as_deref())))
        .or_else(|| business_name.or(individual_name).map(str::to_owned));
    let tax_id = first_tax_id(wire.customer_tax_ids.iter().flatten()).or_else(|| {
        customer
            .and_then(|c| c.tax_ids.as_ref())
            .and_then(|list| first_tax_id(&list.data))
    });
    // Stripe says outright when it knows (newer versions); otherwise the
    // domain's rule reads tax ids and legal-form words.
    let kind = match (business_name, individual_name) {
        (Some(_), _) => Some(DebtorKind::Company),
        (None, Some(_)) => Some(DebtorKind::Private),
        (None, None) => infer_debtor_kind(name.as_deref(), tax_id.is_some()),
    };
    let contact_person = business_name
        .and(individual_name)
        .filter(|person| Some(*person) != name.as_deref())
        .map(str::to_owned);

    let field =
        |pick: fn(&WireAddress) -> &Option<String>| address.and_then(|a| owned(pick(a).as_deref()));
    let data = DebtorData {
        kind,
        name,
        address_lines: [field(|a| &a.line1), field(|a| &a.line2)]
            .into_iter()
            .flatten()
            .collect(),
        city: field(|a| &a.city),
        postal_code: field(|a| &a.postal_code),
        country: field(|a| &a.country).and_then(|c| CountryInput::new(&c)),
        state: field(|a| &a.state),
        email: owned(wire.customer_email.as_deref())
            .or_else(|| customer.and_then(|c| owned(c.email.as_deref()))),
        phone: owned(wire.customer_phone.as_deref())
            .or_else(|| customer.and_then(|c| owned(c.phone.as_deref()))),
        company_registration_number: tax_id,
        contact_person,
    };
    (data, debtor_key, deleted)
}

#[cfg(test)]
mod tests;
