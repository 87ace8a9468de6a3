//! Zoho invoice (+ its contact) → [`FetchedInvoice`], per FIELD-MAPPING.md's
//! Zoho column.

use casebridge_domain::{
    infer_debtor_kind, CountryInput, Currency, DebtorData, DebtorKind, Invoice, InvoiceAmounts,
    Money, Provider, SourceRef,
};
use chrono::{DateTime, Utc};

use super::wire::{WireAddress, WireContact, WireContactPerson, WireInvoice, WireStatus};
use crate::error::ProviderError;
use crate::fetch::{FetchedInvoice, InvoiceOrigin, SkipReason, SourceStatus};

/// What became of one listed invoice.
#[derive(Debug)]
pub(crate) enum Mapped {
    Keep(Box<FetchedInvoice>),
    Skip(SkipReason),
}

/// Zoho's eight statuses in the shared vocabulary: everything sent and not
/// settled (`sent`, `viewed`, `unpaid`, `overdue`, `partially_paid`) is open.
pub(crate) fn status(wire: Option<WireStatus>) -> SourceStatus {
    match wire {
        Some(WireStatus::Draft) => SourceStatus::Draft,
        Some(
            WireStatus::Sent
            | WireStatus::Viewed
            | WireStatus::Unpaid
            | WireStatus::Overdue
            | WireStatus::PartiallyPaid,
        ) => SourceStatus::Open,
        Some(WireStatus::Paid) => SourceStatus::Paid,
        Some(WireStatus::Void) => SourceStatus::Void,
        Some(WireStatus::Unknown) | None => SourceStatus::Unknown,
    }
}

/// `2013-11-18T02:17:40-0800` (offset without a colon) or RFC 3339.
fn zoho_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%z")
        .or_else(|_| DateTime::parse_from_rfc3339(text))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Maps one invoice, or says why it is left out. `contact` is the
/// customer's contact as read (list row or detail), when we have it.
pub(crate) fn map_invoice(
    wire: &WireInvoice,
    organization_id: &str,
    contact: Option<&WireContact>,
) -> Result<Mapped, ProviderError> {
    let status = status(wire.status);
    if status != SourceStatus::Open {
        return Ok(Mapped::Skip(SkipReason::Status { status }));
    }
    let value_error = |source| ProviderError::InvoiceValue {
        provider: Provider::Zoho,
        id: wire.invoice_id.clone(),
        source,
    };
    let currency = Currency::parse(&wire.currency_code).map_err(value_error)?;
    let outstanding = Money::new(wire.balance, currency).map_err(value_error)?;
    if !outstanding.is_positive() {
        return Ok(Mapped::Skip(SkipReason::NothingOwed { outstanding }));
    }
    let Some(number) = wire.invoice_number.clone() else {
        return Ok(Mapped::Skip(SkipReason::NoNumber));
    };
    let total = Money::new(wire.total, currency).map_err(value_error)?;
    let amounts = InvoiceAmounts::new(total, outstanding).map_err(value_error)?;
    let source =
        SourceRef::new(Provider::Zoho, organization_id, &wire.invoice_id).map_err(value_error)?;
    // Zoho has no creation filter; `created_time` only orders the list. A
    // missing or odd one falls back to the invoice date.
    let created_at = wire
        .created_time
        .as_deref()
        .and_then(zoho_time)
        .unwrap_or_else(|| wire.date.and_time(chrono::NaiveTime::MIN).and_utc());
    let invoice = Invoice {
        source,
        debtor_key: wire
            .customer_id
            .clone()
            .unwrap_or_else(|| wire.invoice_id.clone()),
        creditor_reference: Some(number),
        issue_date: wire.date,
        due_date: wire.due_date,
        amounts,
        description: description(wire),
        debtor: debtor(wire, contact),
        has_document: false,
    };
    Ok(Mapped::Keep(Box::new(FetchedInvoice {
        invoice,
        status,
        origin: match &wire.recurring_invoice_id {
            Some(id) => InvoiceOrigin::Subscription {
                id: Some(id.clone()),
            },
            None => InvoiceOrigin::OneOff,
        },
        created_at,
        document_url: None,
        payment_page_url: wire.invoice_url.clone(),
        customer_deleted: false,
    })))
}

/// Line descriptions (or item names), one per line; only the detail has
/// line items.
fn description(wire: &WireInvoice) -> Option<String> {
    let lines: Vec<&str> = wire
        .line_items
        .iter()
        .filter_map(|line| line.description.as_deref().or(line.name.as_deref()))
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn has_any_field(address: &WireAddress) -> bool {
    [
        &address.address,
        &address.street2,
        &address.city,
        &address.zip,
        &address.country,
    ]
    .into_iter()
    .any(Option::is_some)
}

fn joined(first: &Option<String>, last: &Option<String>) -> Option<String> {
    let parts: Vec<&str> = [first, last]
        .into_iter()
        .filter_map(|p| p.as_deref())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn full_name(person: &WireContactPerson) -> Option<String> {
    joined(&person.first_name, &person.last_name)
}

/// The debtor: the contact's data first (it is what Zoho bills to), the
/// invoice's own fields where the contact has none.
fn debtor(wire: &WireInvoice, contact: Option<&WireContact>) -> DebtorData {
    let person = contact.and_then(|c| {
        c.contact_persons
            .iter()
            .find(|p| p.is_primary_contact)
            .or_else(|| c.contact_persons.first())
    });
    let name = contact
        .and_then(|c| {
            c.company_name
                .clone()
                .or_else(|| c.contact_name.clone())
                .or_else(|| joined(&c.first_name, &c.last_name))
        })
        .or_else(|| wire.customer_name.clone());
    let tax_id = contact.and_then(|c| {
        c.vat_reg_no
            .clone()
            .or_else(|| c.tax_reg_no.clone())
            .or_else(|| c.gst_no.clone())
    });
    let kind = match contact.and_then(|c| c.customer_sub_type.as_deref()) {
        Some("business") => Some(DebtorKind::Company),
        Some("individual") => Some(DebtorKind::Private),
        _ => infer_debtor_kind(name.as_deref(), tax_id.is_some()),
    };
    let address = contact
        .and_then(|c| c.billing_address.as_ref())
        .filter(|a| has_any_field(a))
        .or_else(|| wire.billing_address.as_ref().filter(|a| has_any_field(a)));
    let field = |pick: fn(&WireAddress) -> &Option<String>| address.and_then(|a| pick(a).clone());
    let email = contact
        .and_then(|c| c.email.clone())
        .or_else(|| person.and_then(|p| p.email.clone()))
        .or_else(|| wire.email.clone());
    let phone = contact
        .and_then(|c| c.phone.clone().or_else(|| c.mobile.clone()))
        .or_else(|| person.and_then(|p| p.phone.clone().or_else(|| p.mobile.clone())))
        .or_else(|| field(|a| &a.phone));
    let contact_person = (kind == Some(DebtorKind::Company))
        .then(|| person.and_then(full_name))
        .flatten()
        .filter(|p| Some(p) != name.as_ref());
    DebtorData {
        kind,
        name,
        address_lines: [field(|a| &a.address), field(|a| &a.street2)]
            .into_iter()
            .flatten()
            .collect(),
        city: field(|a| &a.city),
        postal_code: field(|a| &a.zip),
        country: field(|a| &a.country).and_then(|c| CountryInput::new(&c)),
        state: field(|a| &a.state),
        email,
        phone,
        company_registration_number: tax_id,
        contact_person,
    }
}
