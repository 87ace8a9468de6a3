//! What the client sends: `POST /cases` and the test driver.

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

use super::amount::Amount;
use super::enums::DebtorType;
use super::text::{
    CountryAlpha2, CreditorReference, CurrencyCode, EmailAddress, LongText, TestTag, Text,
};
use crate::error::{AgencyError, ValueProblem};

/// Body of `POST /cases` (`CreateCollectionCaseRequestApiViewModel`).
///
/// Every field is typed so that any value you can build satisfies the
/// spec's schema (lengths, formats, required fields); the cross-field
/// business rules (amount > 0, due date ≥ date, US needs a state, …) are the
/// domain's readiness rules and the agency's 400s.
///
/// Left out on purpose: `skipCreationEmails` (deprecated, ignored by the
/// server), `returnUrl` (a desktop app has no page to return to; the signing
/// URL from a 422 opens in the browser), and `debtor.country` (the name form;
/// `countryAlpha2` wins anyway).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCaseRequest {
    pub currency_code: CurrencyCode,
    /// The outstanding principal to recover.
    pub amount_to_recover: Amount,
    /// Invoice date, sent as `YYYY-MM-DD` (the spec's own example does; the
    /// schema's `date-time` is the .NET type showing through).
    pub date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<NaiveDate>,
    pub debtor: DebtorDto,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creditor_reference: Option<CreditorReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claim_description: Option<LongText>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comments: Option<LongText>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub age_breakdown: Option<AgeBreakdown>,
    pub is_test: bool,
    /// Groups test cases for bulk delete; only meaningful with `is_test`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<TestTag>,
    /// Accept the case in `PendingContractSigning` instead of a 422 when the
    /// SDCA / power of attorney are unsigned.
    pub allow_pending_contracts: bool,
    pub skip_debitura_verification: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creditor_division_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collection_partner_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_user_email: Option<EmailAddress>,
}

impl CreateCaseRequest {
    /// The four things every case needs; everything else starts empty/false.
    pub fn new(
        currency_code: CurrencyCode,
        amount_to_recover: Amount,
        date: NaiveDate,
        debtor: DebtorDto,
    ) -> Self {
        Self {
            currency_code,
            amount_to_recover,
            date,
            due_date: None,
            debtor,
            creditor_reference: None,
            claim_description: None,
            comments: None,
            age_breakdown: None,
            is_test: false,
            tag: None,
            allow_pending_contracts: false,
            skip_debitura_verification: false,
            creditor_division_id: None,
            collection_partner_id: None,
            assigned_user_email: None,
        }
    }
}

/// Debtor of a new case (`DebtorDto` as sent).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DebtorDto {
    #[serde(rename = "type")]
    pub debtor_type: DebtorType,
    /// Company name or the person's full name.
    pub name: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_person: Option<Text>,
    /// VAT / CVR / org number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_registration_number: Option<Text>,
    /// Street address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zip_code: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<Text>,
    /// Free-text region (ignored by the agency for US debtors).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<Text>,
    /// Required for US debtors: "CA", "US-CA" or "California".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_alpha2: Option<Text>,
    pub country_alpha2: CountryAlpha2,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Text>,
}

impl DebtorDto {
    pub fn new(debtor_type: DebtorType, name: Text, country_alpha2: CountryAlpha2) -> Self {
        Self {
            debtor_type,
            name,
            contact_person: None,
            company_registration_number: None,
            address: None,
            zip_code: None,
            city: None,
            state: None,
            state_alpha2: None,
            country_alpha2,
            email: None,
            phone: None,
        }
    }
}

/// Multi-invoice age buckets for blended pricing. The 12- and 24-month
/// buckets go together (hence not optional here); each is part of the
/// younger one: over 24 ≤ over 12 ≤ over 6. That each is ≤ the total is
/// checked by the agency.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AgeBreakdown {
    #[serde(
        rename = "amountToRecoverOver6Months",
        skip_serializing_if = "Option::is_none"
    )]
    over_6_months: Option<Amount>,
    #[serde(rename = "amountToRecoverOver12Months")]
    over_12_months: Amount,
    #[serde(rename = "amountToRecoverOver24Months")]
    over_24_months: Amount,
}

impl AgeBreakdown {
    pub fn new(
        over_6_months: Option<Amount>,
        over_12_months: Amount,
        over_24_months: Amount,
    ) -> Result<Self, AgencyError> {
        let ordered = over_24_months <= over_12_months
            && over_6_months.is_none_or(|six| over_12_months <= six);
        if !ordered {
            return Err(AgencyError::InvalidValue {
                field: "amountToRecoverOver12Months",
                problem: ValueProblem::Format {
                    expected: "over 24 months ≤ over 12 months ≤ over 6 months",
                    found: format!(
                        "{} / {} / {}",
                        over_24_months,
                        over_12_months,
                        over_6_months.map_or_else(|| "-".to_owned(), |a| a.to_string())
                    ),
                },
            });
        }
        Ok(Self {
            over_6_months,
            over_12_months,
            over_24_months,
        })
    }
}

/// Target of `POST /test/cases/{id}/advance` (test cases only).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TestAdvance {
    Active,
    /// Records a payment of `amount` and closes the case as Paid.
    ClosedPaid {
        amount: Amount,
    },
    ClosedNoPayment,
}

#[derive(Serialize)]
pub(crate) struct AdvanceBody {
    to: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<Amount>,
}

impl From<TestAdvance> for AdvanceBody {
    fn from(target: TestAdvance) -> Self {
        match target {
            TestAdvance::Active => Self {
                to: "Active",
                amount: None,
            },
            TestAdvance::ClosedPaid { amount } => Self {
                to: "Closed:Paid",
                amount: Some(amount),
            },
            TestAdvance::ClosedNoPayment => Self {
                to: "Closed:NoPayment",
                amount: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn amount(n: i64) -> Amount {
        Amount::new(Decimal::from(n)).expect("small")
    }

    #[test]
    fn minimal_request_omits_absent_fields_and_sends_date_only() {
        let debtor = DebtorDto::new(
            DebtorType::Company,
            Text::new("debtor.name", "Acme ApS").expect("ok"),
            CountryAlpha2::parse("DK").expect("ok"),
        );
        let request = CreateCaseRequest::new(
            CurrencyCode::parse("DKK").expect("ok"),
            amount(1500),
            NaiveDate::from_ymd_opt(2025, 1, 15).expect("valid"),
            debtor,
        );
        let json = serde_json::to_value(&request).expect("serializes");
        assert_eq!(
            json,
            serde_json::json!({
                "currencyCode": "DKK",
                "amountToRecover": 1500.0,
                "date": "2025-01-15",
                "debtor": {"type": "Company", "name": "Acme ApS", "countryAlpha2": "DK"},
                "isTest": false,
                "allowPendingContracts": false,
                "skipDebituraVerification": false
            })
        );
    }

    #[test]
    fn age_buckets_out_of_order_are_refused() {
        assert!(AgeBreakdown::new(Some(amount(100)), amount(50), amount(20)).is_ok());
        assert!(
            AgeBreakdown::new(None, amount(20), amount(50)).is_err(),
            "24 > 12"
        );
        assert!(
            AgeBreakdown::new(Some(amount(10)), amount(50), amount(20)).is_err(),
            "12 > 6"
        );
    }

    #[test]
    fn advance_targets_use_the_documented_strings() {
        let paid = serde_json::to_value(AdvanceBody::from(TestAdvance::ClosedPaid {
            amount: amount(1000),
        }))
        .expect("ok");
        assert_eq!(
            paid,
            serde_json::json!({"to": "Closed:Paid", "amount": 1000.0})
        );
        let active = serde_json::to_value(AdvanceBody::from(TestAdvance::Active)).expect("ok");
        assert_eq!(active, serde_json::json!({"to": "Active"}));
    }
}
