//! Closed vocabularies of the contract.
//!
//! The agency returns *descriptions* ("Pending Verification", "More Info
//! Required") where its filters take enum *names* ("PendingVerification",
//! "NeedsAdditionalDetails"). Every parser here accepts both, compares them
//! case- and punctuation-insensitively ("Disputed – Legal Action …" with an
//! en dash equals "DisputedLegalAction…"), and keeps anything new as
//! `Other(raw)` so a new state on the server never makes a case unreadable.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Lower-case alphanumerics only: "Pending contract signing" and
/// "PendingContractSigning" both become "pendingcontractsigning".
fn squash(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Declares an enum whose known variants have a canonical name, a label and
/// extra accepted spellings, plus an `Other(String)` fallback.
macro_rules! vocabulary {
    (
        $(#[$doc:meta])*
        $name:ident {
            $( $(#[$vdoc:meta])* $variant:ident => $label:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vdoc])* $variant, )+
            /// A value this client does not know yet, kept verbatim.
            Other(String),
        }

        impl $name {
            /// Parses an enum name or a description; never fails.
            pub fn parse(raw: &str) -> Self {
                let key = squash(raw);
                $(
                    if key == squash(stringify!($variant))
                        || key == squash($label)
                        $(|| key == squash($alias))*
                    {
                        return Self::$variant;
                    }
                )+
                Self::Other(raw.trim().to_owned())
            }

            /// The enum name the agency's filters accept (verbatim for `Other`).
            pub fn name(&self) -> &str {
                match self {
                    $( Self::$variant => stringify!($variant), )+
                    Self::Other(raw) => raw,
                }
            }

            /// The description the agency shows and returns.
            pub fn label(&self) -> &str {
                match self {
                    $( Self::$variant => $label, )+
                    Self::Other(raw) => raw,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.label())
            }
        }

        /// Serialized as the enum name (stable for storage); parsing accepts
        /// names and labels, so it round-trips.
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Ok(Self::parse(&raw))
            }
        }
    };
}

vocabulary!(
    /// Where a case is in the agency's process (`InvoiceDto.lifecycle`).
    Lifecycle {
        PendingContractSigning => "Pending contract signing",
        PendingVerificationInternal => "Pending Verification Internal",
        PendingVerification => "Pending Verification",
        NeedsAdditionalDetails => "More Info Required",
        Leads => "Collecting Quotes",
        LeadsQuoteGiven => "Pending Quote Selection",
        Active => "Active",
        Paused => "Paused",
        Closed => "Closed",
        Merged => "Merged",
    }
);

impl Lifecycle {
    /// Everything is open except Closed and Merged.
    pub fn is_open(&self) -> bool {
        !matches!(self, Self::Closed | Self::Merged)
    }
}

vocabulary!(
    /// Why a closed case was closed (`InvoiceDto.closeCode`).
    CloseCode {
        Paid => "Paid",
        PartiallyPaid => "Partially paid",
        DebtorInsolvent => "Debtor Insolvent/Bankrupt",
        DebtorUntraceable => "Debtor Untraceable",
        DisputedLegalActionDeclined => "Disputed – Legal Action Declined by Client",
        WithdrawnByClient => "Withdrawn by Client",
        PreLegalExhaustedNoPayment => "Pre-Legal Exhausted – No Payment",
        StatuteOfLimitationsExpired => "Statute of Limitations Expired",
        SettlementRejectedByClient => "Settlement Rejected by Client",
        UnresponsiveClient => "Unresponsive Client",
        UneconomicalToPursue => "Uneconomical to Pursue",
        /// The agency's own close code literally called "Other".
        OtherReason => "Other",
        CaseNeverStarted => "Case never started",
        CaseNeverStartedInternal => "Case never started - Internal",
        InvalidCaseData => "Invalid Case Data",
        NoQuotesReceived => "No Quotes Received",
        QuotesExpiredNotAccepted => "Quotes Expired – Not Accepted",
    }
);

impl CloseCode {
    /// Only Paid and Partially paid mean money was recovered.
    pub fn recovered_money(&self) -> bool {
        matches!(self, Self::Paid | Self::PartiallyPaid)
    }
}

vocabulary!(
    /// `business_errors[].type` values the client knows how to explain.
    BusinessErrorKind {
        /// The debtor's jurisdiction is not covered; do not retry.
        NoPartnerAvailable => "NoPartnerAvailable",
        CreditorBlocked => "CreditorBlocked",
        /// The debt-collection agreement (SDCA) is unsigned; has a solution URL.
        MissingDebtCollectionContract => "MissingDebtCollectionContract",
        /// The power of attorney is unsigned; has a solution URL.
        MissingPowerOfAttorney => "MissingPowerOfAttorney",
        MissingKycVerification => "MissingKycVerification",
        IdempotencyConflict => "IdempotencyConflict",
        /// The agency's docs also call it "DuplicateReference".
        DuplicateCreditorReference => "DuplicateCreditorReference" | "DuplicateReference",
    }
);

/// What kind of document an upload is (`DocumentType` form field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum DocumentType {
    /// The agency's default when the field is absent.
    #[default]
    OriginalInvoice,
    DebtorDocuments,
    CreditorDocuments,
    PartnerDocuments,
    DemandLetter,
    Miscellaneous,
}

impl DocumentType {
    pub const ALL: [Self; 6] = [
        Self::OriginalInvoice,
        Self::DebtorDocuments,
        Self::CreditorDocuments,
        Self::PartnerDocuments,
        Self::DemandLetter,
        Self::Miscellaneous,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OriginalInvoice => "OriginalInvoice",
            Self::DebtorDocuments => "DebtorDocuments",
            Self::CreditorDocuments => "CreditorDocuments",
            Self::PartnerDocuments => "PartnerDocuments",
            Self::DemandLetter => "DemandLetter",
            Self::Miscellaneous => "Miscellaneous",
        }
    }

    /// Accepts the name or a spaced label ("Original Invoice").
    pub fn parse(raw: &str) -> Option<Self> {
        let key = squash(raw);
        Self::ALL.into_iter().find(|t| squash(t.as_str()) == key)
    }
}

/// `debtor.type`.
///
/// The agency's schema text says "Company" or "Person", its operation text,
/// error reference and MCP server say "Company" or "Private". We send
/// "Private" (the documented check) and read either.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DebtorType {
    Company,
    /// A private person (B2C).
    Private,
}

impl DebtorType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Company => "Company",
            Self::Private => "Private",
        }
    }

    /// Case-insensitive; "Person" is read as [`DebtorType::Private`].
    pub fn parse(raw: &str) -> Option<Self> {
        match squash(raw).as_str() {
            "company" => Some(Self::Company),
            "private" | "person" => Some(Self::Private),
            _ => None,
        }
    }
}

impl Serialize for DebtorType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_reads_labels_names_and_keeps_unknown_values() {
        let cases = [
            (
                "Pending contract signing",
                Lifecycle::PendingContractSigning,
            ),
            (
                "Pending Verification Internal",
                Lifecycle::PendingVerificationInternal,
            ),
            ("Pending Verification", Lifecycle::PendingVerification),
            ("PendingVerification", Lifecycle::PendingVerification),
            ("More Info Required", Lifecycle::NeedsAdditionalDetails),
            ("NeedsAdditionalDetails", Lifecycle::NeedsAdditionalDetails),
            ("Collecting Quotes", Lifecycle::Leads),
            ("Pending Quote Selection", Lifecycle::LeadsQuoteGiven),
            ("active", Lifecycle::Active),
            ("Closed", Lifecycle::Closed),
        ];
        for (raw, expected) in cases {
            assert_eq!(Lifecycle::parse(raw), expected, "{raw}");
        }
        assert_eq!(
            Lifecycle::parse("Awaiting Court"),
            Lifecycle::Other("Awaiting Court".to_owned())
        );
        assert!(Lifecycle::parse("Paused").is_open());
        assert!(!Lifecycle::parse("Merged").is_open());
    }

    #[test]
    fn lifecycle_serializes_as_filter_name_and_round_trips() {
        let json = serde_json::to_string(&Lifecycle::NeedsAdditionalDetails).expect("ok");
        assert_eq!(json, "\"NeedsAdditionalDetails\"");
        let back: Lifecycle = serde_json::from_str("\"More Info Required\"").expect("ok");
        assert_eq!(back, Lifecycle::NeedsAdditionalDetails);
        assert_eq!(back.label(), "More Info Required");
    }

    #[test]
    fn close_codes_with_dashes_and_slashes_match_their_enum_names() {
        assert_eq!(
            CloseCode::parse("Disputed – Legal Action Declined by Client"),
            CloseCode::DisputedLegalActionDeclined
        );
        assert_eq!(
            CloseCode::parse("PreLegalExhaustedNoPayment"),
            CloseCode::PreLegalExhaustedNoPayment
        );
        assert_eq!(CloseCode::parse("Other"), CloseCode::OtherReason);
        assert_eq!(
            CloseCode::parse("Case never started - Internal"),
            CloseCode::CaseNeverStartedInternal
        );
        assert!(CloseCode::parse("Partially paid").recovered_money());
        assert!(!CloseCode::parse("Withdrawn by Client").recovered_money());
    }

    #[test]
    fn duplicate_reference_has_two_spellings() {
        assert_eq!(
            BusinessErrorKind::parse("DuplicateReference"),
            BusinessErrorKind::DuplicateCreditorReference
        );
        assert_eq!(
            BusinessErrorKind::parse("DuplicateCreditorReference"),
            BusinessErrorKind::DuplicateCreditorReference
        );
    }

    #[test]
    fn debtor_type_sends_private_and_reads_person() {
        assert_eq!(
            serde_json::to_string(&DebtorType::Private).expect("ok"),
            "\"Private\""
        );
        assert_eq!(DebtorType::parse("PERSON"), Some(DebtorType::Private));
        assert_eq!(DebtorType::parse("company"), Some(DebtorType::Company));
        assert_eq!(DebtorType::parse("Individual"), None);
    }

    #[test]
    fn document_type_parses_names_and_labels() {
        assert_eq!(
            DocumentType::parse("Original Invoice"),
            Some(DocumentType::OriginalInvoice)
        );
        assert_eq!(
            DocumentType::parse("demandletter"),
            Some(DocumentType::DemandLetter)
        );
        assert_eq!(DocumentType::parse("Contract"), None);
    }
}
