//! # casebridge-domain
//!
//! The pure domain model of Casebridge: what an unpaid invoice *is* once it
//! has left Stripe, QuickBooks, Zoho or a spreadsheet, what the collection
//! agency (Debitura) needs before it accepts a case, and the rules that sit
//! between the two.
//!
//! ## What this crate owns
//!
//! - **Values that parse, never "validate"**: [`Currency`] (ISO 4217 with its
//!   minor units), [`Money`] (a decimal amount that never carries more decimals
//!   than its currency allows), [`CountryCode`] (ISO 3166-1, read from codes,
//!   English and local names), [`UsState`], [`Email`], [`Phone`],
//!   [`PostalCode`], [`CreditorReference`], [`SourceRef`] (where an invoice
//!   came from, with a stable string form) and [`Fingerprint`] (the
//!   cross-source duplicate key). Once you hold one, it is valid.
//! - **Incomplete data vs. submittable data**: an [`Invoice`] carries a
//!   [`DebtorData`] whose fields are all optional, exactly as a source gave
//!   them; a [`DebtorOverride`] holds the user's fix-once-per-debtor edits. A
//!   [`CaseDraft`] (with its complete [`Debtor`]) can only be built by
//!   [`CaseDraft::from_invoice`], which runs the readiness rules, so holding a
//!   draft proves it passed them.
//! - **Readiness rules** ([`check_readiness`]): the agency's case rules
//!   (Debitura Customer API `POST /cases`, plus its evidence checklist) as a
//!   list of [`RuleFailure`]s with a stable [`RuleCode`], a [`Severity`], the
//!   [`CaseField`] to fix, a plain-language message and a hint.
//! - **Errors**: one [`DomainError`] enum; every variant has a stable
//!   [`DomainError::code`] and a [`DomainError::hint`], and
//!   [`DomainError::report`] gives the UI its `{ code, message, hint }`.
//!
//! ## What this crate must NOT do
//!
//! No IO of any kind (files, network, SQLite, keychain, environment), no
//! async, no Tauri, no logging, and no reading of the clock: "today" is always
//! a parameter so rules are deterministic in tests. It knows no provider's
//! wire format (Stripe JSON, QuickBooks JSON…) and no agency wire format
//! either: the provider and agency crates map to and from these types.
//! Exchange rates are not known here; callers pass them in a
//! [`ReadinessPolicy`].

mod case;
mod country;
mod currency;
mod debtor;
mod error;
mod fingerprint;
mod invoice;
mod money;
mod readiness;
mod source;
mod text;
mod us_state;
mod wire_enum;

pub use case::{debt_age_days, AgeBuckets, CaseDraft, ClaimDescription, CreditorReference};
pub use country::{CountryCode, CountryInput};
pub use currency::Currency;
pub use debtor::{
    infer_debtor_kind, Debtor, DebtorData, DebtorKind, DebtorOverride, Email, Phone, PostalCode,
};
pub use error::{DomainError, ErrorReport};
pub use fingerprint::Fingerprint;
pub use invoice::{Invoice, InvoiceAmounts};
pub use money::Money;
pub use readiness::{
    check_readiness, CaseField, ReadinessPolicy, ReadinessReport, RuleCode, RuleFailure, Severity,
};
pub use source::{Provider, SourceRef};
pub use us_state::UsState;
