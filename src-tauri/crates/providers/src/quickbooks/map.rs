//! QuickBooks invoice + customer JSON → [`FetchedInvoice`], per
//! FIELD-MAPPING.md's QuickBooks column.

use std::str::FromStr;

use casebridge_domain::{
    CountryInput, Currency, DebtorData, DebtorKind, Invoice, InvoiceAmounts, Money, Provider,
    SourceRef,
};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde_json::Number;

use super::wire::{WireAddress, WireCustomer, WireInvoice};
use super::QuickBooksCompany;
use crate::error::ProviderError;
use crate::fetch::{FetchedInvoice, InvoiceOrigin, SkipReason, SourceStatus};

const PROVIDER: Provider = Provider::QuickBooks;

/// What became of one invoice.
#[derive(Debug)]
pub(crate) enum Mapped {
    Keep(Box<FetchedInvoice>),
    Skip(SkipReason),
}

fn non_blank(text: Option<&str>) -> Option<&str> {
    text.map(str::trim).filter(|t| !t.is_empty())
}

fn owned(text: Option<&str>) -> Option<String> {
    non_blank(text).map(str::to_owned)
}

fn field_error(id: &str, field: &'static str, value: &str, problem: &'static str) -> ProviderError {
    ProviderError::InvoiceField {
        provider: PROVIDER,
        id: id.to_owned(),
        field,
        value: value.to_owned(),
        problem,
    }
}

fn date(id: &str, field: &'static str, value: &str) -> Result<NaiveDate, ProviderError> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d")
        .map_err(|_| field_error(id, field, value, "not a YYYY-MM-DD date"))
}

/// An amount as QuickBooks sends it (`100.0`, `1234.56`), exactly: the
/// JSON number's shortest text, read as a decimal.
fn money(
    id: &str,
    field: &'static str,
    value: &Number,
    currency: Currency,
) -> Result<Money, ProviderError> {
    let text = value.to_string();
    let amount = Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .map_err(|_| field_error(id, field, &text, "not an amount"))?;
    Money::new(amount, currency).map_err(|source| ProviderError::InvoiceValue {
        provider: PROVIDER,
        id: id.to_owned(),
        source,
    })
}

/// Voided invoices keep their lines but have `Balance` and `TotalAmt` 0
/// and "Voided" in the private note; there is no status field.
fn is_voided(wire: &WireInvoice, total: &Money) -> bool {
    !total.is_positive()
        && wire
            .private_note
            .as_deref()
            .is_some_and(|note| note.to_ascii_lowercase().contains("void"))
}

/// Maps one invoice, or says why it is left out. `customer` is the
/// invoice's customer when it could be read.
pub(crate) fn map_invoice(
    wire: &WireInvoice,
    customer: Option<&WireCustomer>,
    company: &QuickBooksCompany,
) -> Result<Mapped, ProviderError> {
    let id = wire.id.as_str();
    let currency = match non_blank(wire.currency_ref.as_ref().map(|c| c.value.as_str())) {
        Some(code) => Currency::parse(code).map_err(|source| ProviderError::InvoiceValue {
            provider: PROVIDER,
            id: id.to_owned(),
            source,
        })?,
        None => company.currency.ok_or_else(|| {
            field_error(
                id,
                "CurrencyRef",
                "",
                "absent, and the company's home currency is unknown",
            )
        })?,
    };
    let zero = Number::from(0);
    let balance = money(
        id,
        "Balance",
        wire.balance.as_ref().unwrap_or(&zero),
        currency,
    )?;
    let total = match &wire.total_amt {
        Some(total) => money(id, "TotalAmt", total, currency)?,
        None => balance,
    };
    if is_voided(wire, &total) {
        return Ok(Mapped::Skip(SkipReason::Status {
            status: SourceStatus::Void,
        }));
    }
    if !balance.is_positive() {
        return Ok(Mapped::Skip(SkipReason::NothingOwed {
            outstanding: balance,
        }));
    }
    let amounts =
        InvoiceAmounts::new(total, balance).map_err(|source| ProviderError::InvoiceValue {
            provider: PROVIDER,
            id: id.to_owned(),
            source,
        })?;
    let source = SourceRef::new(PROVIDER, &company.realm_id, id).map_err(|source| {
        ProviderError::InvoiceValue {
            provider: PROVIDER,
            id: id.to_owned(),
            source,
        }
    })?;
    let txn_date = wire
        .txn_date
        .as_deref()
        .ok_or_else(|| field_error(id, "TxnDate", "", "missing"))?;
    let issue_date = date(id, "TxnDate", txn_date)?;
    let due_date = non_blank(wire.due_date.as_deref())
        .map(|d| date(id, "DueDate", d))
        .transpose()?;
    // Record creation time, to the second, for ordering; the invoice date
    // when QuickBooks did not send it.
    let created_at = wire
        .meta_data
        .as_ref()
        .and_then(|m| non_blank(m.create_time.as_deref()))
        .map(|t| {
            DateTime::parse_from_rfc3339(t)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|_| field_error(id, "MetaData.CreateTime", t, "not an ISO-8601 time"))
        })
        .transpose()?
        .unwrap_or_else(|| issue_date.and_time(chrono::NaiveTime::MIN).and_utc());

    let customer_ref = wire.customer_ref.as_ref();
    let debtor_key = non_blank(customer_ref.map(|c| c.value.as_str()))
        .unwrap_or(id)
        .to_owned();
    let invoice = Invoice {
        source,
        debtor_key,
        creditor_reference: owned(wire.doc_number.as_deref()).or_else(|| Some(id.to_owned())),
        issue_date,
        due_date,
        amounts,
        description: description(wire),
        debtor: debtor(wire, customer, company),
        has_document: false,
    };
    Ok(Mapped::Keep(Box::new(FetchedInvoice {
        invoice,
        status: SourceStatus::Open,
        origin: match &wire.recur_data_ref {
            Some(template) => InvoiceOrigin::Subscription {
                id: owned(Some(&template.value)),
            },
            None => InvoiceOrigin::OneOff,
        },
        created_at,
        document_url: None,
        payment_page_url: None,
        customer_deleted: false,
    })))
}

/// `Line[].Description`, one per line (subtotal lines have none).
fn description(wire: &WireInvoice) -> Option<String> {
    let lines: Vec<&str> = wire
        .line
        .iter()
        .filter_map(|line| non_blank(line.description.as_deref()))
        .collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

fn has_any_field(address: &WireAddress) -> bool {
    [
        &address.line1,
        &address.line2,
        &address.line3,
        &address.line4,
        &address.line5,
        &address.city,
        &address.postal_code,
        &address.country,
    ]
    .into_iter()
    .any(|field| non_blank(field.as_deref()).is_some())
}

/// Street lines: `Line1..Line5` without those that only repeat the city,
/// state, postcode or country (unstructured addresses put "Bayshore, CA
/// 94326" in a line of their own).
fn street_lines(address: &WireAddress) -> Vec<String> {
    let city = non_blank(address.city.as_deref());
    let postal = non_blank(address.postal_code.as_deref());
    let country = non_blank(address.country.as_deref());
    let repeats_locality = |line: &str| {
        let lower = line.to_lowercase();
        Some(line) == country
            || postal.is_some_and(|p| lower.contains(&p.to_lowercase()))
            || city.is_some_and(|c| {
                lower == c.to_lowercase() || lower.starts_with(&format!("{}, ", c.to_lowercase()))
            })
    };
    [
        &address.line1,
        &address.line2,
        &address.line3,
        &address.line4,
        &address.line5,
    ]
    .into_iter()
    .filter_map(|line| non_blank(line.as_deref()))
    .filter(|line| !repeats_locality(line))
    .map(str::to_owned)
    .collect()
}

/// The debtor as billed: the invoice's own billing address and email
/// first (what the debtor received), then the customer record.
fn debtor(
    wire: &WireInvoice,
    customer: Option<&WireCustomer>,
    company: &QuickBooksCompany,
) -> DebtorData {
    let company_name = customer.and_then(|c| owned(c.company_name.as_deref()));
    let name = company_name
        .clone()
        .or_else(|| customer.and_then(|c| owned(c.display_name.as_deref())))
        .or_else(|| owned(wire.customer_ref.as_ref().and_then(|c| c.name.as_deref())));
    let kind = match (customer, &company_name) {
        (Some(_), Some(_)) => Some(DebtorKind::Company),
        (Some(_), None) => Some(DebtorKind::Private),
        (None, _) => None,
    };
    let contact_person = customer.and_then(|c| {
        let person = [c.given_name.as_deref(), c.family_name.as_deref()]
            .into_iter()
            .filter_map(non_blank)
            .collect::<Vec<_>>()
            .join(" ");
        (company_name.is_some() && !person.is_empty()).then_some(person)
    });
    let address = wire
        .bill_addr
        .as_ref()
        .filter(|a| has_any_field(a))
        .or_else(|| {
            customer
                .and_then(|c| c.bill_addr.as_ref())
                .filter(|a| has_any_field(a))
        });
    // US (and most single-country) companies leave Country empty on
    // domestic addresses: an address without one is taken to be in the
    // company's own country.
    let country = address.and_then(|a| {
        owned(a.country.as_deref())
            .or_else(|| company.country.clone())
            .and_then(|c| CountryInput::new(&c))
    });
    let email = owned(wire.bill_email.as_ref().and_then(|e| e.address.as_deref())).or_else(|| {
        customer.and_then(|c| {
            owned(
                c.primary_email_addr
                    .as_ref()
                    .and_then(|e| e.address.as_deref()),
            )
        })
    });
    let phone = customer.and_then(|c| {
        owned(
            c.primary_phone
                .as_ref()
                .and_then(|p| p.free_form_number.as_deref()),
        )
        .or_else(|| {
            owned(
                c.mobile
                    .as_ref()
                    .and_then(|p| p.free_form_number.as_deref()),
            )
        })
    });
    DebtorData {
        kind,
        name,
        address_lines: address.map(street_lines).unwrap_or_default(),
        city: address.and_then(|a| owned(a.city.as_deref())),
        postal_code: address.and_then(|a| owned(a.postal_code.as_deref())),
        country,
        state: address.and_then(|a| owned(a.country_sub_division_code.as_deref())),
        email,
        phone,
        company_registration_number: None,
        contact_person,
    }
}

#[cfg(test)]
mod tests;
