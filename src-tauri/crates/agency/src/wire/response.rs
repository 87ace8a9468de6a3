//! What the agency returns.
//!
//! Nullability follows the spec: a field the spec marks non-nullable is
//! required here (a missing one is a contract break and surfaces as
//! `AgencyError::Malformed`), a nullable one is an `Option`. Nested objects
//! are `Option` because the agency omits them before they exist (no partner
//! before assignment). Unknown fields are ignored so additive API changes do
//! not break parsing. The creditor's own profile (`creditor`) and payout
//! account (`bankAccount`) inside a case are not read: the app has no use
//! for them and they are available from `/me` and the portal.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::amount::Amount;
use super::enums::{CloseCode, DebtorType, DocumentType, Lifecycle};
use super::time::{calendar_date, timestamp};

/// A collection case (`InvoiceDto`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseDto {
    /// Debitura's id, used for every `/cases/{id}` call.
    pub id: Uuid,
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub date_created: DateTime<Utc>,
    #[serde(default, deserialize_with = "timestamp::optional")]
    pub date_updated: Option<DateTime<Utc>>,
    /// 8-character readable reference, e.g. `Q8OAXF3W`.
    pub reference: Option<String>,
    pub creditor_reference: Option<String>,
    pub creditor_comments: Option<String>,
    pub claim_description: Option<String>,
    pub gross_amount: Amount,
    pub remainder: Amount,
    pub interest_fees: Amount,
    pub reminder_fees: Amount,
    pub collection_fees: Amount,
    pub total_added_fees: Amount,
    pub currency: Option<String>,
    pub is_test_case: bool,
    pub lifecycle: Option<Lifecycle>,
    #[serde(deserialize_with = "calendar_date::deserialize")]
    pub date: NaiveDate,
    /// Non-nullable in the spec, but .NET writes `0001-01-01` when unset.
    #[serde(default, deserialize_with = "calendar_date::optional")]
    pub due_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "timestamp::optional")]
    pub date_finished: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "timestamp::optional")]
    pub date_collection_started: Option<DateTime<Utc>>,
    pub close_code: Option<CloseCode>,
    /// "Pre-legal", "Legal" or "Enforcement".
    pub current_engagement_phase: Option<String>,
    pub claim_type: Option<String>,
    pub creditor_division_id: Option<Uuid>,
    pub debtor: Option<CaseDebtor>,
    pub collection_partner: Option<CollectionPartner>,
    /// Percentage points, not money.
    pub blended_age_uplift_points: Option<f64>,
    /// Percentage, not money.
    pub pre_legal_success_fee: Option<f64>,
    /// Signing page when created with `allowPendingContracts` and unsigned contracts.
    pub solution_url: Option<String>,
    pub signing_handoff: Option<SigningHandoff>,
    #[serde(default, deserialize_with = "timestamp::optional")]
    pub exclusive_period_end_date: Option<DateTime<Utc>>,
    pub dispute_status: Option<String>,
    pub validation: Option<CaseValidation>,
    pub assigned_user: Option<AssignedUser>,
    pub allocation_outstanding: Option<AllocationOutstanding>,
}

impl CaseDto {
    /// Open unless Closed or Merged; a case without a lifecycle is open.
    pub fn is_open(&self) -> bool {
        self.lifecycle.as_ref().is_none_or(Lifecycle::is_open)
    }
}

/// The debtor as the agency stored it. Lenient on purpose (every field
/// optional, `type` kept raw): what we read back must never fail on a value
/// the agency chose to normalise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseDebtor {
    #[serde(rename = "type")]
    pub debtor_type: Option<String>,
    pub name: Option<String>,
    pub contact_person: Option<String>,
    pub company_registration_number: Option<String>,
    pub address: Option<String>,
    pub zip_code: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub state_alpha2: Option<String>,
    pub country_alpha2: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl CaseDebtor {
    pub fn parsed_type(&self) -> Option<DebtorType> {
        self.debtor_type.as_deref().and_then(DebtorType::parse)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CollectionPartner {
    pub name: Option<String>,
    pub office_email: Option<String>,
    pub office_phone: Option<String>,
    pub public_site: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SigningHandoff {
    /// One URL that walks the creditor through every pending signing.
    pub combined_signing_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseValidation {
    /// The partner needs more information from the creditor.
    pub needs_info: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignedUser {
    pub email: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AllocationOutstanding {
    pub principal: Amount,
    pub interest: Amount,
    pub reminder_fees: Amount,
    pub collection_fees: Amount,
}

/// A document attached to a case (`CaseFileDto`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaseFileDto {
    pub id: Uuid,
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub date_created: DateTime<Utc>,
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub date_updated: DateTime<Utc>,
    pub case_id: Uuid,
    pub entity_type: Option<String>,
    pub entity_id: Uuid,
    pub file_name: Option<String>,
    /// Signed download link, valid about an hour: list again for a fresh one.
    pub url: Option<String>,
    pub description: Option<String>,
    /// Raw, because the agency may answer with a name or a label.
    pub document_type: Option<String>,
}

impl CaseFileDto {
    pub fn parsed_document_type(&self) -> Option<DocumentType> {
        self.document_type.as_deref().and_then(DocumentType::parse)
    }
}

/// A payment recorded on a case by the collection partner (`PaymentDto`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDto {
    pub id: Uuid,
    #[serde(deserialize_with = "timestamp::deserialize")]
    pub date_created: DateTime<Utc>,
    #[serde(default, deserialize_with = "timestamp::optional")]
    pub date_updated: Option<DateTime<Utc>>,
    #[serde(deserialize_with = "calendar_date::deserialize")]
    pub date: NaiveDate,
    pub gross_amount: Amount,
    /// Value set unconfirmed, kept raw.
    pub recipient: Option<String>,
    /// Value set unconfirmed, kept raw.
    pub method: Option<String>,
    pub currency: Option<String>,
    pub invoice: PaymentInvoice,
}

/// The case a payment belongs to (`PaymentRelatedInvoiceDto`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentInvoice {
    /// The case id.
    pub invoice_id: Uuid,
    pub reference: Option<String>,
    pub status: Option<Lifecycle>,
}

/// The creditor behind the API key (`GET /me`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeDto {
    pub id: Uuid,
    pub company_name: String,
    pub company_registration_number: Option<String>,
    pub address: Option<String>,
    pub zip_code: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    pub office_email: Option<String>,
    pub office_phone: Option<String>,
}

/// Paging metadata (`PageData`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageData {
    pub total_results: u32,
    pub page_size: u32,
    pub current_page: u32,
    pub response_count: u32,
    pub total_pages: u32,
}

/// One page of a list endpoint.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page<T> {
    pub page: PageData,
    pub items: Vec<T>,
}

impl<T> Page<T> {
    pub fn has_next(&self) -> bool {
        self.page.current_page < self.page.total_pages
    }
}

/// `InvoiceListDto`.
#[derive(Deserialize)]
pub(crate) struct CaseList {
    page: PageData,
    #[serde(default)]
    cases: Option<Vec<CaseDto>>,
}

impl From<CaseList> for Page<CaseDto> {
    fn from(list: CaseList) -> Self {
        Self {
            page: list.page,
            items: list.cases.unwrap_or_default(),
        }
    }
}

/// `PaymentListApiDTO`.
#[derive(Deserialize)]
pub(crate) struct PaymentList {
    page: PageData,
    #[serde(default)]
    payments: Option<Vec<PaymentDto>>,
}

impl From<PaymentList> for Page<PaymentDto> {
    fn from(list: PaymentList) -> Self {
        Self {
            page: list.page,
            items: list.payments.unwrap_or_default(),
        }
    }
}

/// Result of `POST /test/cases/{id}/advance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvanceOutcome {
    /// False when the case was already at (or past) the target.
    pub advanced: bool,
    /// "Active", "Closed:Paid", "Closed:NoPayment" or "Closed".
    pub state: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A case as the agency documents it: lifecycle as a label, naive UTC
    /// timestamps, date-times for dates, nulls where nothing happened yet.
    pub(crate) const CASE_JSON: &str = r#"{
        "id": "3f2b8c1e-8a0e-4d8e-9a51-0c1d2e3f4a5b",
        "dateCreated": "2025-02-01T09:15:00.1234567",
        "dateUpdated": null,
        "reference": "Q8OAXF3W",
        "creditorReference": "INV-1001",
        "creditorComments": null,
        "claimDescription": "Consulting, January",
        "grossAmount": 1250.5,
        "remainder": 1250.5,
        "interestFees": 0.0,
        "reminderFees": 0,
        "collectionFees": 0,
        "totalAddedFees": 0,
        "currency": "DKK",
        "isTestCase": true,
        "lifecycle": "Pending Verification",
        "dueDate": "2025-01-15T00:00:00",
        "date": "2024-12-16T00:00:00",
        "dateFinished": null,
        "dateCollectionStarted": null,
        "closeCode": null,
        "currentEngagementPhase": "Pre-legal",
        "claimType": "Unpaid Invoice",
        "creditorDivisionId": null,
        "debtor": {"type": "Company", "name": "Acme ApS", "countryAlpha2": "DK", "zipCode": "2100"},
        "collectionPartner": null,
        "creditor": {"id": "8c3e1a52-0000-4000-8000-000000000001", "companyName": "Us"},
        "bankAccount": null,
        "preLegalSuccessFee": 18.0,
        "signingHandoff": null,
        "exclusivePeriodEndDate": null,
        "disputeStatus": null,
        "validation": {"needsInfo": false},
        "assignedUser": null,
        "allocationOutstanding": {"principal": 1250.5, "interest": 0, "reminderFees": 0, "collectionFees": 0},
        "someFutureField": {"ignored": true}
    }"#;

    #[test]
    fn documented_case_shape_parses_with_labels_naive_timestamps_and_unknown_fields() {
        let case: CaseDto = serde_json::from_str(CASE_JSON).expect("parses");
        assert_eq!(case.reference.as_deref(), Some("Q8OAXF3W"));
        assert_eq!(case.lifecycle, Some(Lifecycle::PendingVerification));
        assert_eq!(case.due_date, NaiveDate::from_ymd_opt(2025, 1, 15));
        assert_eq!(
            case.date,
            NaiveDate::from_ymd_opt(2024, 12, 16).expect("valid")
        );
        assert_eq!(case.gross_amount.to_string(), "1250.5");
        assert_eq!(
            case.debtor.as_ref().and_then(CaseDebtor::parsed_type),
            Some(DebtorType::Company)
        );
        assert!(case.is_open());
        assert_eq!(
            case.date_created.to_rfc3339(),
            "2025-02-01T09:15:00.123456700+00:00"
        );
    }

    #[test]
    fn case_without_an_id_is_a_contract_break() {
        let mut value: serde_json::Value = serde_json::from_str(CASE_JSON).expect("parses");
        if let Some(object) = value.as_object_mut() {
            object.remove("id");
        }
        let err = serde_json::from_value::<CaseDto>(value).expect_err("id is required");
        assert!(err.to_string().contains("id"), "{err}");
    }

    #[test]
    fn closed_case_close_code_and_payment_list_parse() {
        let mut value: serde_json::Value = serde_json::from_str(CASE_JSON).expect("parses");
        value["lifecycle"] = "Closed".into();
        value["closeCode"] = "Paid".into();
        value["dateFinished"] = "2025-03-01T12:00:00Z".into();
        let case: CaseDto = serde_json::from_value(value).expect("parses");
        assert!(!case.is_open());
        assert!(case
            .close_code
            .as_ref()
            .is_some_and(CloseCode::recovered_money));

        let list: PaymentList = serde_json::from_str(
            r#"{"page":{"totalResults":1,"pageSize":10,"currentPage":1,"responseCount":1,"totalPages":1},
                "payments":[{"id":"5a6b7c8d-0000-4000-8000-000000000002","dateCreated":"2025-03-01T12:00:00",
                "dateUpdated":null,"date":"2025-03-01T00:00:00","grossAmount":1000.0,"recipient":"Partner",
                "method":"BankTransfer","currency":"DKK","invoice":{"invoiceId":"3f2b8c1e-8a0e-4d8e-9a51-0c1d2e3f4a5b",
                "reference":"Q8OAXF3W","status":"Closed"}}]}"#,
        )
        .expect("parses");
        let page = Page::from(list);
        assert!(!page.has_next());
        assert_eq!(page.items[0].invoice.status, Some(Lifecycle::Closed));
    }
}
