//! The crate's one error type.
//!
//! Every variant keeps the offending input so the UI can show it back, has a
//! stable snake_case [`DomainError::code`] and a [`DomainError::hint`] that
//! tells the user what to do. Where a parse error matches a readiness rule
//! (`country_invalid`, `email_invalid`…) the code is the same string, so an
//! import row error and a checklist item read alike.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::currency::Currency;

/// Everything that can go wrong while turning outside text into domain values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The text is not an ISO 4217 code of a currency that money can be in.
    #[error("\"{input}\" is not an ISO 4217 currency code")]
    ParseCurrency {
        /// The text as received.
        input: String,
    },
    /// The amount has more decimals than the currency has minor units
    /// (e.g. `12.345` DKK, or `5.5` ISK).
    #[error("{amount} has more decimals than {currency} allows ({allowed})")]
    TooManyDecimals {
        /// The amount as received.
        amount: Decimal,
        /// The currency it was meant to be in.
        currency: Currency,
        /// How many decimals the currency allows.
        allowed: u32,
    },
    /// A minor-unit exponent beyond what a decimal can hold (28).
    #[error("a minor-unit exponent of {exponent} is out of range (at most 28)")]
    ExponentOutOfRange {
        /// The exponent as passed.
        exponent: u32,
    },
    /// Two amounts that must share a currency do not.
    #[error("the total is in {total} but the outstanding balance is in {outstanding}")]
    CurrencyMismatch {
        /// Currency of the invoice total.
        total: Currency,
        /// Currency of the outstanding balance.
        outstanding: Currency,
    },
    /// The text names no ISO 3166-1 country we know (by code or name).
    #[error("\"{input}\" is not a country we recognise")]
    ParseCountry {
        /// The text as received.
        input: String,
    },
    /// The text names no US state, district, territory or military code.
    #[error("\"{input}\" is not a US state, territory or military postal code")]
    ParseUsState {
        /// The text as received.
        input: String,
    },
    /// The text is not shaped like an email address.
    #[error("\"{input}\" is not a valid email address: {problem}")]
    ParseEmail {
        /// The text as received.
        input: String,
        /// What is wrong with it, in plain words.
        problem: &'static str,
    },
    /// The text cannot be a phone number (no digits, or letters in it).
    #[error("\"{input}\" is not a phone number")]
    ParsePhone {
        /// The text as received.
        input: String,
    },
    /// The text cannot be a postal code (empty, too long, odd characters).
    #[error("\"{input}\" is not a postal code")]
    ParsePostalCode {
        /// The text as received.
        input: String,
    },
    /// The text names no source Casebridge imports from.
    #[error("\"{input}\" is not a source Casebridge imports from")]
    ParseProvider {
        /// The text as received.
        input: String,
    },
    /// The text is not of the form `provider:account/external_id`.
    #[error("\"{input}\" is not a source reference (expected provider:account/id)")]
    ParseSourceRef {
        /// The text as received.
        input: String,
    },
    /// A part of a source reference is blank.
    #[error("the {part} of a source reference is empty")]
    EmptySourceRefPart {
        /// Which part: `"account"` or `"external id"`.
        part: &'static str,
    },
    /// The text is neither a company nor a private-person debtor type.
    #[error("\"{input}\" is not a debtor type (Company or Private)")]
    ParseDebtorKind {
        /// The text as received.
        input: String,
    },
    /// A creditor reference (invoice number) that is blank.
    #[error("the creditor reference is empty")]
    EmptyCreditorReference,
    /// A creditor reference longer than the agency accepts.
    #[error("the creditor reference is {length} characters long; the agency allows at most {max}")]
    CreditorReferenceTooLong {
        /// Its length in UTF-16 units (how the agency counts).
        length: usize,
        /// The agency's limit.
        max: usize,
    },
    /// An exchange rate that is zero or negative.
    #[error("{rate} is not a usable USD exchange rate for {currency}")]
    InvalidExchangeRate {
        /// The currency the rate was for.
        currency: Currency,
        /// The rate as passed (USD per one unit of `currency`).
        rate: Decimal,
    },
    /// The text is not a fingerprint this crate produced.
    #[error("\"{input}\" is not a duplicate fingerprint")]
    ParseFingerprint {
        /// The text as received.
        input: String,
    },
}

impl DomainError {
    /// Stable snake_case identifier for the UI and logs.
    pub const fn code(&self) -> &'static str {
        match self {
            DomainError::ParseCurrency { .. } => "currency_invalid",
            DomainError::TooManyDecimals { .. } => "amount_too_many_decimals",
            DomainError::ExponentOutOfRange { .. } => "exponent_out_of_range",
            DomainError::CurrencyMismatch { .. } => "currency_mismatch",
            DomainError::ParseCountry { .. } => "country_invalid",
            DomainError::ParseUsState { .. } => "us_state_invalid",
            DomainError::ParseEmail { .. } => "email_invalid",
            DomainError::ParsePhone { .. } => "phone_invalid",
            DomainError::ParsePostalCode { .. } => "postal_code_invalid",
            DomainError::ParseProvider { .. } => "provider_invalid",
            DomainError::ParseSourceRef { .. } => "source_ref_invalid",
            DomainError::EmptySourceRefPart { .. } => "source_ref_part_empty",
            DomainError::ParseDebtorKind { .. } => "debtor_type_invalid",
            DomainError::EmptyCreditorReference => "creditor_reference_empty",
            DomainError::CreditorReferenceTooLong { .. } => "creditor_reference_too_long",
            DomainError::InvalidExchangeRate { .. } => "exchange_rate_invalid",
            DomainError::ParseFingerprint { .. } => "fingerprint_invalid",
        }
    }

    /// What the user can do about it, in plain words.
    pub fn hint(&self) -> String {
        match self {
            DomainError::ParseCurrency { .. } => {
                "Use a three-letter ISO 4217 currency code such as DKK, EUR or USD.".to_owned()
            }
            DomainError::TooManyDecimals {
                currency, allowed, ..
            } => match allowed {
                0 => format!("{currency} has no decimals: use a whole amount."),
                1 => format!("{currency} amounts have 1 decimal: round the amount."),
                n => format!("{currency} amounts have at most {n} decimals: round the amount."),
            },
            DomainError::ExponentOutOfRange { .. } => {
                "This is a bug in the source connector: report it with the invoice.".to_owned()
            }
            DomainError::CurrencyMismatch { .. } => {
                "Check the invoice in its source: total and balance must be in one currency."
                    .to_owned()
            }
            DomainError::ParseCountry { .. } => {
                "Use a two-letter country code (DK, DE, US) or the country's English name."
                    .to_owned()
            }
            DomainError::ParseUsState { .. } => {
                "Use the two-letter state code (CA), \"US-CA\" or the state's name (California)."
                    .to_owned()
            }
            DomainError::ParseEmail { .. } => {
                "Enter the address as name@example.com, or leave it empty.".to_owned()
            }
            DomainError::ParsePhone { .. } => {
                "Enter the number with its country code, e.g. +45 12 34 56 78, or leave it empty."
                    .to_owned()
            }
            DomainError::ParsePostalCode { .. } => {
                "Enter the postal code as written on letters (letters, digits, spaces, dashes)."
                    .to_owned()
            }
            DomainError::ParseProvider { .. } => {
                "Use one of: stripe, quickbooks, zoho, file.".to_owned()
            }
            DomainError::ParseSourceRef { .. } | DomainError::EmptySourceRefPart { .. } => {
                "A source reference looks like stripe:acct_123/in_456.".to_owned()
            }
            DomainError::ParseDebtorKind { .. } => {
                "Choose Company for a business or Private for a person.".to_owned()
            }
            DomainError::EmptyCreditorReference => {
                "Enter the invoice number, or leave the reference out.".to_owned()
            }
            DomainError::CreditorReferenceTooLong { max, .. } => {
                format!("Shorten the invoice number to at most {max} characters.")
            }
            DomainError::InvalidExchangeRate { currency, .. } => {
                format!("Enter how many US dollars one {currency} is worth, as a positive number.")
            }
            DomainError::ParseFingerprint { .. } => {
                "Fingerprints are computed by Casebridge; recompute it from the invoice.".to_owned()
            }
        }
    }

    /// The `{ code, message, hint }` triple the UI shows.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code(),
            message: self.to_string(),
            hint: self.hint(),
        }
    }
}

/// A [`DomainError`] flattened for the UI: stable code, what happened, what
/// to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReport {
    /// Stable snake_case code (see [`DomainError::code`]).
    pub code: &'static str,
    /// What happened.
    pub message: String,
    /// What the user can do.
    pub hint: String,
}
