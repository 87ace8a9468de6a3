//! The agency's records and how they look on the wire (InvoiceDto,
//! PaymentDto, CaseFileDto). Rendering follows the published spec, which
//! forbids extra properties on every DTO, so nothing here adds fields.

use axum::body::Bytes;
use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use uuid::Uuid;

use super::progression::Scheduled;
use super::CreditorProfile;

/// Case lifecycle. The API filters by either form but always answers with
/// the label (the enum's description), e.g. `"Pending Verification"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Lifecycle {
    PendingContractSigning,
    PendingVerificationInternal,
    PendingVerification,
    NeedsAdditionalDetails,
    Leads,
    LeadsQuoteGiven,
    Active,
    Paused,
    Closed,
    Merged,
}

impl Lifecycle {
    pub const ALL: [Self; 10] = [
        Self::PendingContractSigning,
        Self::PendingVerificationInternal,
        Self::PendingVerification,
        Self::NeedsAdditionalDetails,
        Self::Leads,
        Self::LeadsQuoteGiven,
        Self::Active,
        Self::Paused,
        Self::Closed,
        Self::Merged,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::PendingContractSigning => "PendingContractSigning",
            Self::PendingVerificationInternal => "PendingVerificationInternal",
            Self::PendingVerification => "PendingVerification",
            Self::NeedsAdditionalDetails => "NeedsAdditionalDetails",
            Self::Leads => "Leads",
            Self::LeadsQuoteGiven => "LeadsQuoteGiven",
            Self::Active => "Active",
            Self::Paused => "Paused",
            Self::Closed => "Closed",
            Self::Merged => "Merged",
        }
    }

    /// What the API returns in `InvoiceDto.lifecycle`.
    pub fn label(self) -> &'static str {
        match self {
            Self::PendingContractSigning => "Pending contract signing",
            Self::PendingVerificationInternal => "Pending Verification Internal",
            Self::PendingVerification => "Pending Verification",
            Self::NeedsAdditionalDetails => "More Info Required",
            Self::Leads => "Collecting Quotes",
            Self::LeadsQuoteGiven => "Pending Quote Selection",
            Self::Active => "Active",
            Self::Paused => "Paused",
            Self::Closed => "Closed",
            Self::Merged => "Merged",
        }
    }

    /// Accepts the enum name or the label, case-insensitively.
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(s) || l.label().eq_ignore_ascii_case(s))
    }

    pub fn is_finished(self) -> bool {
        matches!(self, Self::Closed | Self::Merged)
    }
}

/// Close codes the fake uses (strings exactly as the API returns them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum CloseCode {
    Paid,
    PartiallyPaid,
    NoPayment,
}

impl CloseCode {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Paid => "Paid",
            Self::PartiallyPaid => "Partially paid",
            Self::NoPayment => "Pre-Legal Exhausted \u{2013} No Payment",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DebtorType {
    Company,
    Private,
}

impl DebtorType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Company => "Company",
            Self::Private => "Private",
        }
    }
}

/// A debtor after validation: country resolved, US state normalised.
#[derive(Debug, Clone)]
pub(crate) struct Debtor {
    pub(crate) kind: DebtorType,
    pub(crate) name: String,
    pub(crate) contact_person: Option<String>,
    pub(crate) company_registration_number: Option<String>,
    pub(crate) address: Option<String>,
    pub(crate) zip_code: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) state: Option<String>,
    pub(crate) state_alpha2: Option<String>,
    pub(crate) country_alpha2: &'static str,
    pub(crate) country_name: &'static str,
    pub(crate) email: Option<String>,
    pub(crate) phone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AgeBuckets {
    pub(crate) over6: Option<f64>,
    pub(crate) over12: f64,
    pub(crate) over24: f64,
}

/// A validated `POST /cases` body.
#[derive(Debug, Clone)]
pub(crate) struct NewCase {
    pub(crate) currency: &'static str,
    pub(crate) amount: f64,
    pub(crate) date: NaiveDateTime,
    pub(crate) due_date: NaiveDateTime,
    pub(crate) comments: Option<String>,
    pub(crate) claim_description: Option<String>,
    pub(crate) creditor_reference: Option<String>,
    pub(crate) debtor: Debtor,
    pub(crate) division_id: Option<Uuid>,
    pub(crate) buckets: Option<AgeBuckets>,
    pub(crate) skip_verification: bool,
    pub(crate) allow_pending_contracts: bool,
    pub(crate) is_test: bool,
    pub(crate) tag: Option<String>,
    pub(crate) assigned_user_email: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Case {
    pub(crate) id: Uuid,
    pub(crate) seq: u64,
    pub(crate) reference: String,
    pub(crate) debtor_id: Uuid,
    pub(crate) created: DateTime<Utc>,
    pub(crate) updated: Option<DateTime<Utc>>,
    pub(crate) new: NewCase,
    pub(crate) lifecycle: Lifecycle,
    pub(crate) collection_started: Option<DateTime<Utc>>,
    pub(crate) finished: Option<DateTime<Utc>>,
    pub(crate) close_code: Option<CloseCode>,
    pub(crate) paid: f64,
    pub(crate) signing_pending: bool,
    pub(crate) script: Vec<Scheduled>,
}

pub(crate) struct Payment {
    pub(crate) id: Uuid,
    pub(crate) case_id: Uuid,
    pub(crate) created: DateTime<Utc>,
    pub(crate) amount: f64,
}

pub(crate) struct CaseFile {
    pub(crate) id: Uuid,
    pub(crate) case_id: Uuid,
    pub(crate) created: DateTime<Utc>,
    pub(crate) file_name: String,
    pub(crate) description: Option<String>,
    pub(crate) document_type: &'static str,
    pub(crate) bytes: Bytes,
}

/// The document types the upload endpoint knows.
pub(crate) const DOCUMENT_TYPES: [&str; 6] = [
    "OriginalInvoice",
    "DebtorDocuments",
    "CreditorDocuments",
    "PartnerDocuments",
    "DemandLetter",
    "Miscellaneous",
];

const PARTNER: (&str, &str, &str, &str) = (
    "Sandbox Collection Partner",
    "cases@partner.example",
    "+45 70 00 00 00",
    "https://partner.example",
);

/// Timestamps as the API sends them on read endpoints: naive (no zone),
/// .NET's seven fractional digits, meaning UTC. Clients must cope.
pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
    // chrono has no 7-digit fraction specifier; .NET ticks are 100 ns.
    format!(
        "{}.{:07}",
        t.naive_utc().format("%Y-%m-%dT%H:%M:%S"),
        t.timestamp_subsec_nanos() / 100
    )
}

fn naive(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

impl Case {
    pub(crate) fn remainder(&self) -> f64 {
        round2((self.new.amount - self.paid).max(0.0))
    }

    pub(crate) fn partner_assigned(&self) -> bool {
        self.collection_started.is_some()
    }

    fn blended_uplift(&self) -> Option<f64> {
        self.new
            .buckets
            .map(|b| round2(((b.over12 - b.over24) * 10.0 + b.over24 * 20.0) / self.new.amount))
    }

    /// Pre-legal success fee: a 20 % base plus the age uplift (blended, or
    /// from the due date's age when no buckets were given).
    fn success_fee(&self) -> f64 {
        let uplift = self.blended_uplift().unwrap_or_else(|| {
            let age = self.created.naive_utc() - self.new.due_date;
            if age > Duration::days(730) {
                20.0
            } else if age > Duration::days(365) {
                10.0
            } else {
                0.0
            }
        });
        20.0 + uplift
    }

    pub(crate) fn to_json(&self, creditor: &CreditorProfile) -> Value {
        let d = &self.new.debtor;
        let mut v = json!({
            "id": self.id,
            "dateCreated": timestamp(self.created),
            "dateUpdated": self.updated.map(timestamp),
            "reference": self.reference,
            "creditorReference": self.new.creditor_reference,
            "creditorComments": self.new.comments,
            "claimDescription": self.new.claim_description,
            "grossAmount": self.new.amount,
            "remainder": self.remainder(),
            "interestFees": 0.0,
            "reminderFees": 0.0,
            "collectionFees": 0.0,
            "totalAddedFees": 0.0,
            "currency": self.new.currency,
            "isTestCase": self.new.is_test,
            "lifecycle": self.lifecycle.label(),
            "dueDate": naive(self.new.due_date),
            "date": naive(self.new.date),
            "dateFinished": self.finished.map(timestamp),
            "dateCollectionStarted": self.collection_started.map(timestamp),
            "closeCode": self.close_code.map(CloseCode::label),
            "currentEngagementPhase": self.partner_assigned().then_some("Pre-legal"),
            "claimType": "Unpaid Invoice",
            "creditorDivisionId": self.new.division_id,
            "debtor": {
                "type": d.kind.as_str(),
                "name": d.name,
                "contactPerson": d.contact_person,
                "companyRegistrationNumber": d.company_registration_number,
                "address": d.address,
                "zipCode": d.zip_code,
                "city": d.city,
                "state": d.state,
                "stateAlpha2": d.state_alpha2,
                "countryAlpha2": d.country_alpha2,
                "country": d.country_name,
                "email": d.email,
                "phone": d.phone,
            },
            "creditor": creditor.to_case_json(),
            "blendedAgeUpliftPoints": self.blended_uplift(),
            "preLegalSuccessFee": self.success_fee(),
            "solutionUrl": Value::Null,
            "exclusivePeriodEndDate": self.collection_started.map(|t| timestamp(t + Duration::days(90))),
            "disputeStatus": Value::Null,
            "validation": { "needsInfo": self.lifecycle == Lifecycle::NeedsAdditionalDetails },
            "allocationOutstanding": {
                "principal": self.remainder(),
                "interest": 0.0,
                "reminderFees": 0.0,
                "collectionFees": 0.0,
            },
        });
        // Object-typed properties in the spec are not nullable: omit them
        // rather than send null when there is nothing to say.
        if let Some(obj) = v.as_object_mut() {
            if self.partner_assigned() {
                let (name, email, phone, site) = PARTNER;
                obj.insert(
                    "collectionPartner".into(),
                    json!({ "name": name, "officeEmail": email, "officePhone": phone, "publicSite": site }),
                );
            }
            if self.signing_pending {
                obj.insert("signingHandoff".into(), signing_handoff());
            }
            if let Some(email) = &self.new.assigned_user_email {
                obj.insert(
                    "assignedUser".into(),
                    json!({ "email": email, "name": Value::Null }),
                );
            }
        }
        v
    }
}

pub(crate) fn signing_handoff() -> Value {
    json!({ "combinedSigningUrl": "https://app.debitura.com/signing/sandbox-chain" })
}

impl Payment {
    pub(crate) fn to_json(&self, case: Option<&Case>, currency: &str) -> Value {
        json!({
            "id": self.id,
            "dateCreated": timestamp(self.created),
            "dateUpdated": Value::Null,
            "date": timestamp(self.created),
            "grossAmount": self.amount,
            "recipient": "CollectionPartner",
            "method": "BankTransfer",
            "currency": currency,
            "invoice": {
                "invoiceId": self.case_id,
                "reference": case.map(|c| c.reference.clone()),
                "status": case.map(|c| c.lifecycle.label()),
            },
        })
    }
}

impl CaseFile {
    pub(crate) fn to_json(&self, base_url: &str) -> Value {
        let expires = self.created + Duration::hours(1);
        json!({
            "id": self.id,
            "dateCreated": timestamp(self.created),
            "dateUpdated": timestamp(self.created),
            "caseId": self.case_id,
            "entityType": "Invoice",
            "entityId": self.case_id,
            "fileName": self.file_name,
            "url": format!(
                "{base_url}/__sandbox/blobs/{}?se={}&sig=sandbox",
                self.id,
                expires.format("%Y-%m-%dT%H%%3A%M%%3A%SZ")
            ),
            "description": self.description,
            "documentType": self.document_type,
        })
    }
}
