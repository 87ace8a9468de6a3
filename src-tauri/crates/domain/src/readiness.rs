//! Readiness rules: can this invoice become a case, and if not, what
//! exactly must the user fix?
//!
//! The rules mirror the agency's `POST /cases` validation (Debitura Customer
//! API, see `shared/reference/debitura.md` §3) and its evidence checklist
//! (§7). **Blocking** failures are what the agency would reject; **warnings**
//! are what it accepts but the user should know (no invoice number, below
//! the business minimum, missing evidence). Every failure names the
//! [`CaseField`] to fix and carries a message and a hint in plain words.
//!
//! Decisions where the agency's sources disagree:
//! - A due date of *today* is accepted (newest docs: "strictly future
//!   rejected, today accepted"); tomorrow is blocked.
//! - Evidence rules and the USD 100 minimum are warnings: amounts are rarely
//!   in USD, exchange rates are only approximate, and the agency applies
//!   them as review criteria, not as API errors.
//! - Postal code is optional at the agency, so a missing one is a warning.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::case::{CaseDraftParts, ClaimDescription, CreditorReference};
use crate::country::CountryCode;
use crate::currency::Currency;
use crate::debtor::{
    Debtor, DebtorData, DebtorKind, DebtorOverride, DebtorParts, Email, Phone, PostalCode,
};
use crate::error::DomainError;
use crate::invoice::Invoice;
use crate::money::Money;
use crate::source::Provider;
use crate::text::{non_blank, utf16_len};
use crate::us_state::UsState;
use crate::wire_enum::wire_enum;

wire_enum! {
    /// How bad a failure is.
    pub enum Severity {
        /// The agency would reject the case: it cannot be submitted.
        Blocking => "blocking",
        /// The case can be submitted, but the user should know.
        Warning => "warning",
    }
}

wire_enum! {
    /// The case field a failure is about, named by its path in the agency's
    /// `POST /cases` body, so agency 400 errors (keyed the same way) map
    /// onto the same fields.
    pub enum CaseField {
        /// `creditorReference` (invoice number).
        CreditorReference => "creditorReference",
        /// `date` (invoice date).
        Date => "date",
        /// `dueDate`.
        DueDate => "dueDate",
        /// `amountToRecover`.
        AmountToRecover => "amountToRecover",
        /// `currencyCode`.
        CurrencyCode => "currencyCode",
        /// `claimDescription`.
        ClaimDescription => "claimDescription",
        /// `debtor.type`.
        DebtorType => "debtor.type",
        /// `debtor.name`.
        DebtorName => "debtor.name",
        /// `debtor.address` (street).
        DebtorAddress => "debtor.address",
        /// `debtor.city`.
        DebtorCity => "debtor.city",
        /// `debtor.zipCode`.
        DebtorZipCode => "debtor.zipCode",
        /// `debtor.countryAlpha2`.
        DebtorCountry => "debtor.countryAlpha2",
        /// `debtor.stateAlpha2`.
        DebtorState => "debtor.stateAlpha2",
        /// `debtor.email`.
        DebtorEmail => "debtor.email",
        /// `debtor.phone`.
        DebtorPhone => "debtor.phone",
        /// The documents uploaded with the case.
        Documents => "documents",
    }
}

impl CaseField {
    /// Fields of the debtor: fixing one fixes it for every invoice of that
    /// debtor (via a [`DebtorOverride`]).
    pub fn is_debtor_field(self) -> bool {
        self.as_str().starts_with("debtor.")
    }
}

wire_enum! {
    /// What a readiness rule found. The string form is stable: the UI,
    /// stored reports and filters key on it.
    pub enum RuleCode {
        /// Company or private is unknown and cannot be inferred.
        DebtorTypeMissing => "debtor_type_missing",
        /// No debtor name.
        DebtorNameMissing => "debtor_name_missing",
        /// No street address.
        StreetMissing => "street_missing",
        /// No city.
        CityMissing => "city_missing",
        /// No postal code (warning: optional at the agency).
        PostalCodeMissing => "postal_code_missing",
        /// A postal code that cannot be one (warning: it is left out).
        PostalCodeInvalid => "postal_code_invalid",
        /// No country.
        CountryMissing => "country_missing",
        /// Country text that names no country.
        CountryInvalid => "country_invalid",
        /// A US debtor without a state.
        UsStateMissing => "us_state_missing",
        /// A US debtor whose state text names no state.
        UsStateInvalid => "us_state_invalid",
        /// An email address the agency would reject.
        EmailInvalid => "email_invalid",
        /// A phone number that cannot be one (warning: it is left out).
        PhoneInvalid => "phone_invalid",
        /// A currency invoices are not paid in (ISO fund codes).
        CurrencyInvalid => "currency_invalid",
        /// Nothing, or less than nothing, is outstanding.
        AmountNotPositive => "amount_not_positive",
        /// Below the agency's business minimum (warning).
        AmountBelowMinimum => "amount_below_minimum",
        /// The invoice date is after today.
        InvoiceDateInFuture => "invoice_date_in_future",
        /// No due date.
        DueDateMissing => "due_date_missing",
        /// The due date is before the invoice date.
        DueDateBeforeInvoiceDate => "due_date_before_invoice_date",
        /// The due date is after today.
        DueDateNotPast => "due_date_not_past",
        /// No invoice number (warning).
        CreditorReferenceMissing => "creditor_reference_missing",
        /// An invoice number longer than 50 characters.
        CreditorReferenceTooLong => "creditor_reference_too_long",
        /// A description longer than 4,000 characters (warning: it is cut).
        DescriptionTooLong => "description_too_long",
        /// The agency's evidence rules want a document (warning).
        EvidenceDocumentRequired => "evidence_document_required",
        /// The agency wants a document or a description (warning).
        EvidenceDocumentRecommended => "evidence_document_recommended",
        /// The agency wants a claim description (warning).
        EvidenceDescriptionRequired => "evidence_description_required",
    }
}

impl RuleCode {
    /// Each rule always has the same severity.
    pub const fn severity(self) -> Severity {
        match self {
            RuleCode::PostalCodeMissing
            | RuleCode::PostalCodeInvalid
            | RuleCode::PhoneInvalid
            | RuleCode::AmountBelowMinimum
            | RuleCode::CreditorReferenceMissing
            | RuleCode::DescriptionTooLong
            | RuleCode::EvidenceDocumentRequired
            | RuleCode::EvidenceDocumentRecommended
            | RuleCode::EvidenceDescriptionRequired => Severity::Warning,
            _ => Severity::Blocking,
        }
    }

    /// Each rule is always about the same field.
    pub const fn field(self) -> CaseField {
        match self {
            RuleCode::DebtorTypeMissing => CaseField::DebtorType,
            RuleCode::DebtorNameMissing => CaseField::DebtorName,
            RuleCode::StreetMissing => CaseField::DebtorAddress,
            RuleCode::CityMissing => CaseField::DebtorCity,
            RuleCode::PostalCodeMissing | RuleCode::PostalCodeInvalid => CaseField::DebtorZipCode,
            RuleCode::CountryMissing | RuleCode::CountryInvalid => CaseField::DebtorCountry,
            RuleCode::UsStateMissing | RuleCode::UsStateInvalid => CaseField::DebtorState,
            RuleCode::EmailInvalid => CaseField::DebtorEmail,
            RuleCode::PhoneInvalid => CaseField::DebtorPhone,
            RuleCode::CurrencyInvalid => CaseField::CurrencyCode,
            RuleCode::AmountNotPositive | RuleCode::AmountBelowMinimum => {
                CaseField::AmountToRecover
            }
            RuleCode::InvoiceDateInFuture => CaseField::Date,
            RuleCode::DueDateMissing
            | RuleCode::DueDateBeforeInvoiceDate
            | RuleCode::DueDateNotPast => CaseField::DueDate,
            RuleCode::CreditorReferenceMissing | RuleCode::CreditorReferenceTooLong => {
                CaseField::CreditorReference
            }
            RuleCode::DescriptionTooLong | RuleCode::EvidenceDescriptionRequired => {
                CaseField::ClaimDescription
            }
            RuleCode::EvidenceDocumentRequired | RuleCode::EvidenceDocumentRecommended => {
                CaseField::Documents
            }
        }
    }
}

/// One finding of the readiness check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleFailure {
    /// What was found (stable code).
    pub code: RuleCode,
    /// Whether it blocks submission.
    pub severity: Severity,
    /// The case field to fix.
    pub field: CaseField,
    /// What is wrong, in plain words, naming the offending value.
    pub message: String,
    /// Exactly what to do about it.
    pub hint: String,
}

/// All findings for one invoice, in a fixed order (debtor, amount, dates,
/// reference, description, evidence).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadinessReport {
    /// Blocking failures and warnings together.
    pub failures: Vec<RuleFailure>,
}

impl ReadinessReport {
    /// `true` when nothing blocks submission (warnings allowed).
    pub fn is_ready(&self) -> bool {
        self.blocking().next().is_none()
    }

    /// The failures that block submission.
    pub fn blocking(&self) -> impl Iterator<Item = &RuleFailure> {
        self.failures
            .iter()
            .filter(|f| f.severity == Severity::Blocking)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &RuleFailure> {
        self.failures
            .iter()
            .filter(|f| f.severity == Severity::Warning)
    }

    /// Whether a failure with `code` is present.
    pub fn has(&self, code: RuleCode) -> bool {
        self.failures.iter().any(|f| f.code == code)
    }
}

/// The knobs of the readiness check that are not facts of the invoice.
///
/// The agency states its business minimum (USD 100) and evidence
/// thresholds (USD 2,000 and 10,000) in US dollars. To apply them to other
/// currencies the caller supplies approximate rates; this crate knows none
/// but USD's own. Without a rate for an invoice's currency, the minimum and
/// the amount-based evidence rules are skipped for it (the private-debtor
/// evidence rules still apply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadinessPolicy {
    usd_per_unit: BTreeMap<Currency, Decimal>,
}

impl Default for ReadinessPolicy {
    fn default() -> Self {
        ReadinessPolicy::new()
    }
}

impl ReadinessPolicy {
    /// The agency's business minimum claim, in USD.
    pub const AGENCY_MINIMUM_USD: Decimal = Decimal::from_parts(100, 0, 0, false, 0);
    /// From this USD value on, the agency wants a document or a description.
    pub const EVIDENCE_DOCUMENT_OR_DESCRIPTION_USD: Decimal =
        Decimal::from_parts(2_000, 0, 0, false, 0);
    /// Above this USD value, the agency wants a document.
    pub const EVIDENCE_DOCUMENT_USD: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

    /// A policy that knows only USD (rate 1).
    pub fn new() -> ReadinessPolicy {
        ReadinessPolicy {
            usd_per_unit: BTreeMap::from([(Currency::USD, Decimal::ONE)]),
        }
    }

    /// Adds (or replaces) the approximate value of one unit of `currency` in
    /// USD (e.g. DKK → 0.145).
    ///
    /// # Errors
    /// [`DomainError::InvalidExchangeRate`] when `usd_per_unit` is not
    /// positive.
    pub fn with_usd_rate(
        mut self,
        currency: Currency,
        usd_per_unit: Decimal,
    ) -> Result<ReadinessPolicy, DomainError> {
        if usd_per_unit <= Decimal::ZERO {
            return Err(DomainError::InvalidExchangeRate {
                currency,
                rate: usd_per_unit,
            });
        }
        self.usd_per_unit.insert(currency, usd_per_unit);
        Ok(self)
    }

    /// The approximate USD value of `money`, when its currency has a rate.
    pub fn usd_value(&self, money: Money) -> Option<Decimal> {
        let rate = self.usd_per_unit.get(&money.currency())?;
        money.amount().checked_mul(*rate)
    }

    /// The agency's USD 100 minimum in `currency`, rounded up to the
    /// currency's minor unit, when the currency has a rate.
    pub fn minimum_for(&self, currency: Currency) -> Option<Money> {
        let rate = self.usd_per_unit.get(&currency)?;
        let amount = Self::AGENCY_MINIMUM_USD
            .checked_div(*rate)?
            .round_dp_with_strategy(currency.exponent(), RoundingStrategy::AwayFromZero);
        Money::new(amount, currency).ok()
    }
}

/// Checks `invoice`, with the user's `edits` to its debtor laid over the
/// source's data, against every rule as of `today`.
pub fn check_readiness(
    invoice: &Invoice,
    edits: Option<&DebtorOverride>,
    today: NaiveDate,
    policy: &ReadinessPolicy,
) -> ReadinessReport {
    evaluate(invoice, edits, today, policy).report
}

/// The report, plus the checked parts of a draft when every required value
/// could be built. Shared by [`check_readiness`] and
/// [`crate::CaseDraft::from_invoice`] so the two can never disagree.
pub(crate) struct Evaluation {
    pub report: ReadinessReport,
    pub parts: Option<CaseDraftParts>,
}

pub(crate) fn evaluate(
    invoice: &Invoice,
    edits: Option<&DebtorOverride>,
    today: NaiveDate,
    policy: &ReadinessPolicy,
) -> Evaluation {
    let data = match edits {
        Some(edits) => invoice.debtor.with_override(edits),
        None => invoice.debtor.clone(),
    };
    let mut checks = Checks {
        failures: Vec::new(),
        provider: invoice.source.provider(),
    };
    let debtor = checks.debtor(&data);
    checks.amount(invoice, policy);
    let due_date = checks.dates(invoice, today);
    let creditor_reference = checks.creditor_reference(invoice);
    let claim_description = checks.description(invoice);
    checks.evidence(invoice, data.effective_kind(), policy);

    let report = ReadinessReport {
        failures: checks.failures,
    };
    let parts = match (debtor, due_date, creditor_reference) {
        (Some(debtor), Some(due_date), Ok(creditor_reference)) if report.is_ready() => {
            Some(CaseDraftParts {
                creditor_reference,
                due_date,
                claim_description,
                debtor,
            })
        }
        _ => None,
    };
    Evaluation { report, parts }
}

struct Checks {
    failures: Vec<RuleFailure>,
    provider: Provider,
}

impl Checks {
    fn fail(&mut self, code: RuleCode, message: String, hint: String) {
        let field = code.field();
        let hint = if field.is_debtor_field() {
            format!("{hint} This applies to every invoice of this debtor.")
        } else {
            hint
        };
        self.failures.push(RuleFailure {
            code,
            severity: code.severity(),
            field,
            message,
            hint,
        });
    }

    /// Where invoice-level data is corrected: at its source, never by
    /// Casebridge writing back.
    fn fix_at_source(&self) -> &'static str {
        match self.provider {
            Provider::Stripe => "in Stripe, then fetch again",
            Provider::QuickBooks => "in QuickBooks, then fetch again",
            Provider::Zoho => "in Zoho Books, then fetch again",
            Provider::File => "in the imported row",
        }
    }

    fn debtor(&mut self, data: &DebtorData) -> Option<Debtor> {
        let name = non_blank(data.name.as_deref());
        if name.is_none() {
            self.fail(
                RuleCode::DebtorNameMissing,
                "The debtor has no name.".into(),
                "Add the debtor's company name or full name.".into(),
            );
        }
        let kind = data.effective_kind();
        if kind.is_none() {
            let who = name.map_or_else(|| "this debtor".to_owned(), |n| format!("“{n}”"));
            self.fail(
                RuleCode::DebtorTypeMissing,
                format!("We can't tell whether {who} is a company or a private person."),
                "Choose Company or Private for this debtor.".into(),
            );
        }
        let address = data.street_address();
        if address.is_none() {
            self.fail(
                RuleCode::StreetMissing,
                "The debtor's street address is missing.".into(),
                "Add the debtor's street address.".into(),
            );
        }
        let city = non_blank(data.city.as_deref());
        if city.is_none() {
            self.fail(
                RuleCode::CityMissing,
                "The debtor's city is missing.".into(),
                "Add the debtor's city.".into(),
            );
        }
        let postal_code = self.postal_code(data);
        let country = self.country(data);
        let (us_state, region) = self.state(data, country);
        let email = self.email(data);
        let phone = self.phone(data);

        Some(Debtor::from_parts(DebtorParts {
            kind: kind?,
            name: name?.to_owned(),
            address: address?,
            city: city?.to_owned(),
            postal_code,
            country: country?,
            us_state,
            region,
            email: email.ok()?,
            phone,
            company_registration_number: non_blank(data.company_registration_number.as_deref())
                .map(str::to_owned),
            contact_person: non_blank(data.contact_person.as_deref()).map(str::to_owned),
        }))
    }

    fn postal_code(&mut self, data: &DebtorData) -> Option<PostalCode> {
        let Some(raw) = non_blank(data.postal_code.as_deref()) else {
            self.fail(
                RuleCode::PostalCodeMissing,
                "The debtor's postal code is missing. The agency accepts cases without one, \
                 but uses it to choose a local collection partner."
                    .into(),
                "Add the debtor's postal code.".into(),
            );
            return None;
        };
        match PostalCode::parse(raw) {
            Ok(code) => Some(code),
            Err(_) => {
                self.fail(
                    RuleCode::PostalCodeInvalid,
                    format!("“{raw}” doesn't look like a postal code, so it will be left out."),
                    "Correct the debtor's postal code (letters, digits, spaces and dashes only)."
                        .into(),
                );
                None
            }
        }
    }

    fn country(&mut self, data: &DebtorData) -> Option<CountryCode> {
        match &data.country {
            None => {
                self.fail(
                    RuleCode::CountryMissing,
                    "The debtor's country is missing.".into(),
                    "Choose the debtor's country.".into(),
                );
                None
            }
            Some(input) if input.code().is_none() => {
                self.fail(
                    RuleCode::CountryInvalid,
                    format!("We couldn't recognise “{}” as a country.", input.raw()),
                    "Choose the debtor's country from the list, or enter its two-letter code \
                     (e.g. DK)."
                        .into(),
                );
                None
            }
            Some(input) => input.code(),
        }
    }

    /// The agency needs a state for US debtors only; elsewhere the source's
    /// state text travels as a free-text region.
    fn state(
        &mut self,
        data: &DebtorData,
        country: Option<CountryCode>,
    ) -> (Option<UsState>, Option<String>) {
        let raw = non_blank(data.state.as_deref());
        if country != Some(CountryCode::US) {
            return (None, raw.map(str::to_owned));
        }
        let Some(raw) = raw else {
            self.fail(
                RuleCode::UsStateMissing,
                "The debtor is in the United States, and the agency needs the state for US \
                 debtors."
                    .into(),
                "Add the debtor's state (e.g. CA or California).".into(),
            );
            return (None, None);
        };
        match UsState::parse(raw) {
            Ok(state) => (Some(state), None),
            Err(_) => {
                self.fail(
                    RuleCode::UsStateInvalid,
                    format!("“{raw}” is not a US state."),
                    "Enter the state's two-letter code (e.g. CA) or its full name.".into(),
                );
                (None, None)
            }
        }
    }

    /// `Err(())` when an email is present but invalid: the agency rejects
    /// the whole case for it, so the draft must not be built.
    fn email(&mut self, data: &DebtorData) -> Result<Option<Email>, ()> {
        let Some(raw) = non_blank(data.email.as_deref()) else {
            return Ok(None);
        };
        match Email::from_contact_field(raw) {
            Ok(email) => Ok(Some(email)),
            Err(error) => {
                let problem = match &error {
                    DomainError::ParseEmail { problem, .. } => *problem,
                    _ => "it is not an email address",
                };
                self.fail(
                    RuleCode::EmailInvalid,
                    format!("“{raw}” is not a valid email address: {problem}."),
                    "Correct the debtor's email address, or remove it.".into(),
                );
                Err(())
            }
        }
    }

    fn phone(&mut self, data: &DebtorData) -> Option<Phone> {
        let raw = non_blank(data.phone.as_deref())?;
        match Phone::parse(raw) {
            Ok(phone) => Some(phone),
            Err(_) => {
                self.fail(
                    RuleCode::PhoneInvalid,
                    format!("“{raw}” doesn't look like a phone number, so it will be left out."),
                    "Correct the debtor's phone number, with its country code \
                     (e.g. +45 12 34 56 78)."
                        .into(),
                );
                None
            }
        }
    }

    fn amount(&mut self, invoice: &Invoice, policy: &ReadinessPolicy) {
        let outstanding = invoice.outstanding();
        let currency = outstanding.currency();
        if currency.is_fund() {
            self.fail(
                RuleCode::CurrencyInvalid,
                format!(
                    "{currency} ({}) is an ISO fund code, not a currency invoices are paid in.",
                    currency.name()
                ),
                format!("Correct the invoice's currency {}.", self.fix_at_source()),
            );
        }
        if !outstanding.is_positive() {
            let message = if outstanding.amount().is_zero() {
                format!("Nothing is outstanding on this invoice ({outstanding}).")
            } else {
                format!("The outstanding balance is negative ({outstanding}): that is a credit, not a debt.")
            };
            self.fail(
                RuleCode::AmountNotPositive,
                message,
                format!(
                    "Only invoices with money still owed can go to collection. If the balance \
                     is wrong, correct it {}.",
                    self.fix_at_source()
                ),
            );
            return;
        }
        if let Some(minimum) = policy.minimum_for(currency) {
            if outstanding.amount() < minimum.amount() {
                self.fail(
                    RuleCode::AmountBelowMinimum,
                    format!(
                        "{outstanding} is below the agency's minimum of USD {} (about {minimum}).",
                        ReadinessPolicy::AGENCY_MINIMUM_USD
                    ),
                    "The agency may decline claims this small. You can still send it, or wait \
                     until the debtor owes more."
                        .into(),
                );
            }
        }
    }

    fn dates(&mut self, invoice: &Invoice, today: NaiveDate) -> Option<NaiveDate> {
        let date = invoice.issue_date;
        if date > today {
            self.fail(
                RuleCode::InvoiceDateInFuture,
                format!("The invoice date {date} is in the future."),
                format!("Correct the invoice date {}.", self.fix_at_source()),
            );
        }
        let Some(due) = invoice.due_date else {
            self.fail(
                RuleCode::DueDateMissing,
                "The invoice has no due date, so it is not overdue yet as far as the agency \
                 can tell."
                    .into(),
                format!("Add the due date {}.", self.fix_at_source()),
            );
            return None;
        };
        if due < date {
            self.fail(
                RuleCode::DueDateBeforeInvoiceDate,
                format!("The due date {due} is before the invoice date {date}."),
                format!(
                    "Correct the due date or the invoice date {}.",
                    self.fix_at_source()
                ),
            );
        }
        if due > today {
            self.fail(
                RuleCode::DueDateNotPast,
                format!("The invoice is not due until {due}."),
                format!(
                    "It can go to collection from {due} on. If the due date is wrong, correct \
                     it {}.",
                    self.fix_at_source()
                ),
            );
        }
        Some(due)
    }

    /// `Err(())` when the reference is present but unusable.
    fn creditor_reference(&mut self, invoice: &Invoice) -> Result<Option<CreditorReference>, ()> {
        let Some(raw) = non_blank(invoice.creditor_reference.as_deref()) else {
            self.fail(
                RuleCode::CreditorReferenceMissing,
                "The invoice has no invoice number.".into(),
                format!(
                    "Add the invoice number {}: the agency uses it to tell cases apart and \
                     to refuse duplicates.",
                    self.fix_at_source()
                ),
            );
            return Ok(None);
        };
        match CreditorReference::parse(raw) {
            Ok(reference) => Ok(Some(reference)),
            Err(_) => {
                self.fail(
                    RuleCode::CreditorReferenceTooLong,
                    format!(
                        "The invoice number is {} characters long; the agency accepts at most {}.",
                        utf16_len(raw),
                        CreditorReference::MAX_LEN
                    ),
                    format!("Shorten the invoice number {}.", self.fix_at_source()),
                );
                Err(())
            }
        }
    }

    fn description(&mut self, invoice: &Invoice) -> Option<ClaimDescription> {
        let raw = non_blank(invoice.description.as_deref())?;
        let length = utf16_len(raw);
        if length > ClaimDescription::MAX_LEN {
            self.fail(
                RuleCode::DescriptionTooLong,
                format!(
                    "The description is {length} characters long; the agency accepts {}, so the \
                     rest will be cut off.",
                    ClaimDescription::MAX_LEN
                ),
                format!(
                    "Nothing to do unless the end matters; then shorten it {}.",
                    self.fix_at_source()
                ),
            );
        }
        ClaimDescription::new(raw)
    }

    fn evidence(&mut self, invoice: &Invoice, kind: Option<DebtorKind>, policy: &ReadinessPolicy) {
        let has_description = non_blank(invoice.description.as_deref()).is_some();
        let attach_hint = "Attach the invoice PDF or the contract for this invoice \
                           (e.g. by importing a ZIP of documents).";
        if kind == Some(DebtorKind::Private) {
            if !invoice.has_document {
                self.fail(
                    RuleCode::EvidenceDocumentRequired,
                    "For private debtors the agency needs a document, such as the invoice PDF."
                        .into(),
                    attach_hint.into(),
                );
            }
            if !has_description {
                self.fail(
                    RuleCode::EvidenceDescriptionRequired,
                    "For private debtors the agency needs a description of what the debt is for."
                        .into(),
                    format!(
                        "Add a description of what was sold or delivered {}.",
                        self.fix_at_source()
                    ),
                );
            }
            return;
        }
        let outstanding = invoice.outstanding();
        let Some(usd) = policy.usd_value(outstanding) else {
            return;
        };
        let usd_shown = usd.round_dp(0);
        if usd > ReadinessPolicy::EVIDENCE_DOCUMENT_USD && !invoice.has_document {
            self.fail(
                RuleCode::EvidenceDocumentRequired,
                format!(
                    "For claims over USD {} the agency needs a document; {outstanding} is about \
                     USD {usd_shown}.",
                    ReadinessPolicy::EVIDENCE_DOCUMENT_USD
                ),
                attach_hint.into(),
            );
        } else if usd >= ReadinessPolicy::EVIDENCE_DOCUMENT_OR_DESCRIPTION_USD
            && usd <= ReadinessPolicy::EVIDENCE_DOCUMENT_USD
            && !invoice.has_document
            && !has_description
        {
            self.fail(
                RuleCode::EvidenceDocumentRecommended,
                format!(
                    "For claims from USD {} to {} the agency needs a document or a description; \
                     {outstanding} is about USD {usd_shown}.",
                    ReadinessPolicy::EVIDENCE_DOCUMENT_OR_DESCRIPTION_USD,
                    ReadinessPolicy::EVIDENCE_DOCUMENT_USD
                ),
                "Attach the invoice PDF, or add a description of what the debt is for.".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests;
