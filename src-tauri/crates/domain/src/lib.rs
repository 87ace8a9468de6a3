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

//! ## Example
//!
//! ```
//! use casebridge_domain::*;
//! use chrono::NaiveDate;
//!
//! let today = NaiveDate::from_ymd_opt(2025, 6, 15).unwrap();
//! let invoice = Invoice {
//!     source: SourceRef::parse("stripe:acct_1/in_123")?,
//!     debtor_key: "cus_9".into(),
//!     creditor_reference: Some("INV-0042".into()),
//!     issue_date: NaiveDate::from_ymd_opt(2025, 1, 10).unwrap(),
//!     due_date: NaiveDate::from_ymd_opt(2025, 2, 10),
//!     amounts: InvoiceAmounts::new(
//!         Money::from_minor_units(125_000, Currency::DKK),
//!         // Stripe's amount_remaining, in Stripe's exponent for DKK.
//!         Money::from_minor_units_with_exponent(100_000, Currency::parse("dkk")?, 2)?,
//!     )?,
//!     description: Some("Carpentry, January".into()),
//!     debtor: DebtorData {
//!         name: Some("Nordisk Tømrer ApS".into()), // "ApS": a company
//!         city: Some("Aarhus".into()),
//!         country: CountryInput::new("Danmark"),
//!         ..DebtorData::default()
//!     },
//!     has_document: true,
//! };
//! let policy = ReadinessPolicy::new();
//!
//! // The source has no street for this debtor: blocked, with a hint.
//! let report = check_readiness(&invoice, None, today, &policy);
//! assert!(report.has(RuleCode::StreetMissing));
//! assert!(!report.is_ready());
//!
//! // The user fixes the debtor once; all of the debtor's invoices benefit.
//! let fix = DebtorOverride {
//!     address_lines: Some(vec!["Vestergade 1".into()]),
//!     ..DebtorOverride::default()
//! };
//! let draft = CaseDraft::from_invoice(&invoice, Some(&fix), today, &policy)
//!     .map_err(|report| format!("{report:?}"))?;
//! assert_eq!(draft.amount_to_recover().to_string(), "1000.00 DKK");
//! assert_eq!(draft.debtor().country(), CountryCode::DK);
//! assert_eq!(draft.debtor().kind(), DebtorKind::Company);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(missing_docs)]

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

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (SplitMix64), so the "fuzz" below is
    /// reproducible without a property-testing dependency.
    fn next(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn awkward_strings() -> Vec<String> {
        let pool: Vec<char> =
            "aZ09 -_./:%@+()#,'&dkDKusUS\u{0}\u{301}\u{200B}\u{FEFF}øÆßİıΣς😀🇩🇰\u{202E}\t\n"
                .chars()
                .collect();
        let mut state = 42;
        (0..4000)
            .map(|_| {
                let len = usize::try_from(next(&mut state) % 20).unwrap_or(0);
                (0..len)
                    .map(|_| {
                        let i = usize::try_from(next(&mut state) % pool.len() as u64).unwrap_or(0);
                        pool[i]
                    })
                    .collect()
            })
            .collect()
    }

    /// Parsers take text from files and APIs: they must never panic, and
    /// whatever they accept must read back to itself from its own output.
    #[test]
    fn parsers_never_panic_and_accept_their_own_output() {
        for s in awkward_strings() {
            if let Ok(c) = Currency::parse(&s) {
                assert_eq!(Currency::parse(c.code()), Ok(c));
            }
            if let Ok(c) = CountryCode::parse(&s) {
                assert_eq!(CountryCode::parse(c.alpha2()), Ok(c));
            }
            if let Ok(st) = UsState::parse(&s) {
                assert_eq!(UsState::parse(st.code()), Ok(st));
            }
            if let Ok(e) = Email::parse(&s) {
                assert_eq!(Email::parse(e.as_str()), Ok(e.clone()));
            }
            if let Ok(p) = Phone::parse(&s) {
                assert_eq!(Phone::parse(p.as_str()), Ok(p.clone()));
            }
            if let Ok(p) = PostalCode::parse(&s) {
                assert_eq!(PostalCode::parse(p.as_str()), Ok(p.clone()));
            }
            if let Ok(r) = SourceRef::parse(&s) {
                assert_eq!(SourceRef::parse(&r.to_string()), Ok(r.clone()));
            }
            if let Ok(r) = SourceRef::new(Provider::File, &s, &s) {
                assert_eq!(SourceRef::parse(&r.to_string()), Ok(r.clone()), "{s:?}");
            }
            if let Ok(k) = DebtorKind::parse(&s) {
                assert_eq!(DebtorKind::parse(k.as_str()), Ok(k));
            }
            if let Ok(r) = CreditorReference::parse(&s) {
                assert_eq!(CreditorReference::parse(r.as_str()), Ok(r.clone()));
            }
            let _ = infer_debtor_kind(Some(&s), false);
            let _ = ClaimDescription::new(&s);
            let _ = Fingerprint::parse(&s);
        }
    }

    #[test]
    fn every_error_has_a_snake_case_code_a_message_and_a_hint() {
        let errors = [
            Currency::parse("x").unwrap_err(),
            CountryCode::parse("x").unwrap_err(),
            UsState::parse("x").unwrap_err(),
            Email::parse("x").unwrap_err(),
            Phone::parse("x").unwrap_err(),
            PostalCode::parse("#").unwrap_err(),
            Provider::parse("x").unwrap_err(),
            SourceRef::parse("x").unwrap_err(),
            SourceRef::new(Provider::File, "", "1").unwrap_err(),
            DebtorKind::parse("x").unwrap_err(),
            CreditorReference::parse("").unwrap_err(),
            CreditorReference::parse(&"x".repeat(51)).unwrap_err(),
            Fingerprint::parse("x").unwrap_err(),
            Money::new(rust_decimal::Decimal::new(1, 3), Currency::DKK).unwrap_err(),
            Money::from_minor_units_with_exponent(1, Currency::DKK, 40).unwrap_err(),
            InvoiceAmounts::new(Money::zero(Currency::DKK), Money::zero(Currency::EUR))
                .unwrap_err(),
            ReadinessPolicy::new()
                .with_usd_rate(Currency::DKK, rust_decimal::Decimal::ZERO)
                .unwrap_err(),
        ];
        let mut codes = std::collections::HashSet::new();
        for error in &errors {
            let report = error.report();
            assert!(report
                .code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'));
            assert!(!report.message.is_empty(), "{error:?}");
            assert!(
                report.hint.ends_with('.'),
                "hint is a sentence: {}",
                report.hint
            );
            codes.insert(report.code);
        }
        assert_eq!(codes.len(), errors.len(), "each variant has its own code");
        let json = serde_json::to_value(errors[1].report()).unwrap();
        assert_eq!(json["code"], "country_invalid");
        assert_eq!(json["message"], "\"x\" is not a country we recognise");
    }
}
