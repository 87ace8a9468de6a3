//! One failing and one passing case per rule, on top of a fixture invoice
//! that passes every rule without even a warning (so each failing case can
//! assert the *exact* list of findings).

use chrono::NaiveDate;
use rust_decimal::{dec, Decimal};

use super::*;
use crate::case::CaseDraft;
use crate::country::CountryInput;
use crate::invoice::InvoiceAmounts;
use crate::source::SourceRef;

const TODAY: (i32, u32, u32) = (2025, 6, 15);

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn today() -> NaiveDate {
    date(TODAY.0, TODAY.1, TODAY.2)
}

fn dkk(amount: Decimal) -> Money {
    Money::new(amount, Currency::DKK).unwrap()
}

fn policy() -> ReadinessPolicy {
    ReadinessPolicy::new()
        .with_usd_rate(Currency::DKK, dec!(0.15))
        .unwrap()
}

/// Passes every rule, warnings included.
fn ready_invoice() -> Invoice {
    Invoice {
        source: SourceRef::new(Provider::Stripe, "acct_1", "in_123").unwrap(),
        debtor_key: "cus_9".into(),
        creditor_reference: Some("INV-0042".into()),
        issue_date: date(2025, 1, 10),
        due_date: Some(date(2025, 2, 10)),
        amounts: InvoiceAmounts::new(dkk(dec!(1250)), dkk(dec!(1000))).unwrap(),
        description: Some("Carpentry, January".into()),
        debtor: DebtorData {
            kind: None,
            name: Some("Nordisk Tømrer ApS".into()),
            address_lines: vec!["Vestergade 1".into(), "2. sal".into()],
            city: Some("Aarhus".into()),
            postal_code: Some("8000".into()),
            country: CountryInput::new("Danmark"),
            state: None,
            email: Some("Bogholderi@Nordisk-Tomrer.DK".into()),
            phone: Some("+45 12 34 56 78".into()),
            company_registration_number: Some("DK12345678".into()),
            contact_person: Some("Jens Hansen".into()),
        },
        has_document: true,
    }
}

fn check(invoice: &Invoice) -> ReadinessReport {
    check_readiness(invoice, None, today(), &policy())
}

fn codes(report: &ReadinessReport) -> Vec<RuleCode> {
    report.failures.iter().map(|f| f.code).collect()
}

fn failure(report: &ReadinessReport, code: RuleCode) -> &RuleFailure {
    report
        .failures
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("expected {code}, got {:?}", codes(report)))
}

fn with_debtor(edit: impl FnOnce(&mut DebtorData)) -> Invoice {
    let mut invoice = ready_invoice();
    edit(&mut invoice.debtor);
    invoice
}

fn private_person() -> Invoice {
    with_debtor(|d| {
        d.kind = Some(DebtorKind::Private);
        d.name = Some("Jens Hansen".into());
        d.company_registration_number = None;
    })
}

#[test]
fn the_fixture_passes_every_rule_without_warnings() {
    assert_eq!(codes(&check(&ready_invoice())), vec![]);
}

// --- debtor -------------------------------------------------------------

#[test]
fn debtor_name_missing_blocks_and_blank_counts_as_missing() {
    for name in [None, Some("   ".to_owned())] {
        let report = check(&with_debtor(|d| d.name = name));
        assert_eq!(codes(&report), vec![RuleCode::DebtorNameMissing]);
        let f = failure(&report, RuleCode::DebtorNameMissing);
        assert_eq!(f.severity, Severity::Blocking);
        assert_eq!(f.field, CaseField::DebtorName);
        assert!(!report.is_ready());
    }
}

#[test]
fn debtor_type_missing_when_nothing_tells_company_from_person() {
    let report = check(&with_debtor(|d| {
        d.name = Some("Jens Hansen".into());
        d.company_registration_number = None;
    }));
    assert_eq!(codes(&report), vec![RuleCode::DebtorTypeMissing]);
    let f = failure(&report, RuleCode::DebtorTypeMissing);
    assert!(f.message.contains("Jens Hansen"), "{}", f.message);
    assert!(f.hint.contains("Company or Private"));
}

#[test]
fn debtor_type_passes_when_set_inferred_from_name_or_from_tax_id() {
    let explicit = with_debtor(|d| {
        d.name = Some("Jens Hansen".into());
        d.company_registration_number = None;
        d.kind = Some(DebtorKind::Company);
    });
    let by_name = with_debtor(|d| {
        d.name = Some("Hansen Consulting GmbH".into());
        d.company_registration_number = None;
    });
    let by_tax_id = with_debtor(|d| d.name = Some("Jens Hansen".into()));
    for invoice in [explicit, by_name, by_tax_id] {
        assert_eq!(codes(&check(&invoice)), vec![]);
    }
}

#[test]
fn street_missing_blocks_for_no_lines_or_blank_lines() {
    for lines in [vec![], vec!["  ".to_owned(), String::new()]] {
        let report = check(&with_debtor(|d| d.address_lines = lines));
        assert_eq!(codes(&report), vec![RuleCode::StreetMissing]);
        assert_eq!(
            failure(&report, RuleCode::StreetMissing).field,
            CaseField::DebtorAddress
        );
    }
}

#[test]
fn city_missing_blocks() {
    let report = check(&with_debtor(|d| d.city = Some(" ".into())));
    assert_eq!(codes(&report), vec![RuleCode::CityMissing]);
}

#[test]
fn postal_code_missing_is_only_a_warning() {
    let invoice = with_debtor(|d| d.postal_code = None);
    let report = check(&invoice);
    assert_eq!(codes(&report), vec![RuleCode::PostalCodeMissing]);
    assert_eq!(
        failure(&report, RuleCode::PostalCodeMissing).severity,
        Severity::Warning
    );
    assert!(report.is_ready());
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    assert_eq!(draft.debtor().postal_code(), None);
}

#[test]
fn postal_code_invalid_warns_and_is_left_out_of_the_draft() {
    let invoice = with_debtor(|d| d.postal_code = Some("80#00".into()));
    let report = check(&invoice);
    assert_eq!(codes(&report), vec![RuleCode::PostalCodeInvalid]);
    assert!(failure(&report, RuleCode::PostalCodeInvalid)
        .message
        .contains("80#00"));
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    assert_eq!(draft.debtor().postal_code(), None);
}

#[test]
fn postal_code_keeps_leading_zeros_in_the_draft() {
    let invoice = with_debtor(|d| d.postal_code = Some("0800".into()));
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    assert_eq!(
        draft.debtor().postal_code().map(PostalCode::as_str),
        Some("0800")
    );
}

#[test]
fn country_missing_blocks() {
    let report = check(&with_debtor(|d| d.country = None));
    assert_eq!(codes(&report), vec![RuleCode::CountryMissing]);
    assert_eq!(
        failure(&report, RuleCode::CountryMissing).field,
        CaseField::DebtorCountry
    );
}

#[test]
fn country_invalid_blocks_and_names_the_text() {
    let report = check(&with_debtor(|d| d.country = CountryInput::new("Jylland")));
    assert_eq!(codes(&report), vec![RuleCode::CountryInvalid]);
    assert!(failure(&report, RuleCode::CountryInvalid)
        .message
        .contains("Jylland"));
}

#[test]
fn country_names_and_alpha3_pass() {
    for raw in ["Denmark", "DNK", "dk", "DANMARK"] {
        let invoice = with_debtor(|d| d.country = CountryInput::new(raw));
        let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
        assert_eq!(draft.debtor().country(), CountryCode::DK, "{raw}");
    }
}

fn us_debtor(state: Option<&str>) -> Invoice {
    with_debtor(|d| {
        d.country = CountryInput::new("USA");
        d.state = state.map(str::to_owned);
    })
}

#[test]
fn us_state_missing_blocks_for_us_debtors() {
    let report = check(&us_debtor(None));
    assert_eq!(codes(&report), vec![RuleCode::UsStateMissing]);
    assert_eq!(
        failure(&report, RuleCode::UsStateMissing).field,
        CaseField::DebtorState
    );
}

#[test]
fn us_state_invalid_blocks_and_names_the_text() {
    let report = check(&us_debtor(Some("Ontario")));
    assert_eq!(codes(&report), vec![RuleCode::UsStateInvalid]);
    assert!(failure(&report, RuleCode::UsStateInvalid)
        .message
        .contains("Ontario"));
}

#[test]
fn us_state_passes_in_any_accepted_form() {
    for raw in ["CA", "US-CA", "California", "california"] {
        let draft =
            CaseDraft::from_invoice(&us_debtor(Some(raw)), None, today(), &policy()).unwrap();
        assert_eq!(draft.debtor().us_state(), Some(UsState::CA), "{raw}");
        assert_eq!(draft.debtor().region(), None);
    }
}

#[test]
fn non_us_debtors_need_no_state_and_keep_it_as_a_region() {
    let invoice = with_debtor(|d| {
        d.country = CountryInput::new("Portugal");
        d.state = Some("Lisbon".into());
    });
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    assert_eq!(draft.debtor().us_state(), None);
    assert_eq!(draft.debtor().region(), Some("Lisbon"));
}

#[test]
fn email_invalid_blocks_because_the_agency_rejects_it() {
    let report = check(&with_debtor(|d| {
        d.email = Some("bogholderi(at)firma.dk".into())
    }));
    assert_eq!(codes(&report), vec![RuleCode::EmailInvalid]);
    let f = failure(&report, RuleCode::EmailInvalid);
    assert_eq!(f.severity, Severity::Blocking);
    assert!(f.message.contains("bogholderi(at)firma.dk"));
}

#[test]
fn email_is_optional_and_a_valid_one_is_normalised() {
    assert_eq!(codes(&check(&with_debtor(|d| d.email = None))), vec![]);
    let draft = CaseDraft::from_invoice(&ready_invoice(), None, today(), &policy()).unwrap();
    assert_eq!(
        draft.debtor().email().map(Email::as_str),
        Some("Bogholderi@nordisk-tomrer.dk")
    );
}

#[test]
fn several_emails_in_one_field_pass_with_the_first_used() {
    let invoice = with_debtor(|d| d.email = Some("ap@acme.com, cfo@acme.com".into()));
    assert_eq!(codes(&check(&invoice)), vec![]);
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    assert_eq!(
        draft.debtor().email().map(Email::as_str),
        Some("ap@acme.com")
    );
}

#[test]
fn phone_invalid_warns_and_is_left_out_of_the_draft() {
    let invoice = with_debtor(|d| d.phone = Some("n/a".into()));
    let report = check(&invoice);
    assert_eq!(codes(&report), vec![RuleCode::PhoneInvalid]);
    assert_eq!(
        failure(&report, RuleCode::PhoneInvalid).severity,
        Severity::Warning
    );
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    assert_eq!(draft.debtor().phone(), None);
}

#[test]
fn debtor_hints_say_the_fix_applies_to_all_invoices_of_the_debtor() {
    let report = check(&with_debtor(|d| d.city = None));
    assert!(failure(&report, RuleCode::CityMissing)
        .hint
        .contains("every invoice of this debtor"));
    let report = check(&Invoice {
        due_date: None,
        ..ready_invoice()
    });
    assert!(!failure(&report, RuleCode::DueDateMissing)
        .hint
        .contains("every invoice of this debtor"));
}

// --- fix once per debtor --------------------------------------------------

#[test]
fn a_debtor_override_fixes_what_the_source_lacks() {
    let invoice = with_debtor(|d| {
        d.address_lines.clear();
        d.city = None;
        d.country = CountryInput::new("Jylland");
    });
    assert!(!check(&invoice).is_ready());
    let edits = DebtorOverride {
        address_lines: Some(vec!["Nørregade 9".into()]),
        city: Some("Aarhus C".into()),
        country: Some(CountryInput::from(CountryCode::DK)),
        ..DebtorOverride::default()
    };
    let report = check_readiness(&invoice, Some(&edits), today(), &policy());
    assert_eq!(codes(&report), vec![]);
    let draft = CaseDraft::from_invoice(&invoice, Some(&edits), today(), &policy()).unwrap();
    assert_eq!(draft.debtor().address(), "Nørregade 9");
    assert_eq!(draft.debtor().city(), "Aarhus C");
}

#[test]
fn an_override_can_also_break_a_ready_invoice() {
    let edits = DebtorOverride {
        email: Some("not-an-email".into()),
        ..DebtorOverride::default()
    };
    let report = check_readiness(&ready_invoice(), Some(&edits), today(), &policy());
    assert_eq!(codes(&report), vec![RuleCode::EmailInvalid]);
}

// --- amount and currency --------------------------------------------------

#[test]
fn currency_invalid_blocks_iso_fund_codes() {
    let mut invoice = ready_invoice();
    let clf = Money::new(dec!(10), Currency::CLF).unwrap();
    invoice.amounts = InvoiceAmounts::unpaid(clf);
    let report = check(&invoice);
    assert_eq!(codes(&report), vec![RuleCode::CurrencyInvalid]);
    let f = failure(&report, RuleCode::CurrencyInvalid);
    assert_eq!(f.field, CaseField::CurrencyCode);
    assert!(
        f.hint.contains("Stripe"),
        "hint points at the source: {}",
        f.hint
    );
}

#[test]
fn ordinary_currencies_pass_the_currency_rule() {
    let mut invoice = ready_invoice();
    invoice.amounts = InvoiceAmounts::unpaid(Money::new(dec!(1000), Currency::SEK).unwrap());
    assert!(!check(&invoice).has(RuleCode::CurrencyInvalid));
}

#[test]
fn amount_not_positive_blocks_zero_and_negative_balances() {
    for outstanding in [dec!(0), dec!(-25)] {
        let mut invoice = ready_invoice();
        invoice.amounts = InvoiceAmounts::new(dkk(dec!(1250)), dkk(outstanding)).unwrap();
        let report = check(&invoice);
        assert_eq!(
            codes(&report),
            vec![RuleCode::AmountNotPositive],
            "{outstanding}"
        );
        assert_eq!(
            failure(&report, RuleCode::AmountNotPositive).field,
            CaseField::AmountToRecover
        );
    }
}

#[test]
fn amount_below_minimum_warns_using_the_policy_rate() {
    let mut invoice = ready_invoice();
    invoice.amounts = InvoiceAmounts::unpaid(dkk(dec!(666.66)));
    let report = check(&invoice);
    assert_eq!(codes(&report), vec![RuleCode::AmountBelowMinimum]);
    let f = failure(&report, RuleCode::AmountBelowMinimum);
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        f.message.contains("666.67 DKK"),
        "shows the minimum in DKK: {}",
        f.message
    );
    assert!(report.is_ready());
}

#[test]
fn amount_at_the_minimum_passes() {
    let mut invoice = ready_invoice();
    invoice.amounts = InvoiceAmounts::unpaid(dkk(dec!(666.67)));
    assert_eq!(codes(&check(&invoice)), vec![]);
}

#[test]
fn usd_minimum_boundary_is_exactly_100() {
    let mut invoice = ready_invoice();
    invoice.amounts = InvoiceAmounts::unpaid(Money::new(dec!(99.99), Currency::USD).unwrap());
    assert_eq!(codes(&check(&invoice)), vec![RuleCode::AmountBelowMinimum]);
    invoice.amounts = InvoiceAmounts::unpaid(Money::new(dec!(100), Currency::USD).unwrap());
    assert_eq!(codes(&check(&invoice)), vec![]);
}

#[test]
fn without_a_rate_the_minimum_is_not_guessed() {
    let mut invoice = ready_invoice();
    invoice.amounts = InvoiceAmounts::unpaid(Money::new(dec!(1), Currency::SEK).unwrap());
    assert_eq!(codes(&check(&invoice)), vec![]);
}

// --- dates ----------------------------------------------------------------

#[test]
fn invoice_date_in_the_future_blocks() {
    let mut invoice = ready_invoice();
    invoice.issue_date = today().succ_opt().unwrap();
    invoice.due_date = invoice.issue_date.succ_opt();
    let report = check(&invoice);
    assert!(report.has(RuleCode::InvoiceDateInFuture));
    assert_eq!(
        failure(&report, RuleCode::InvoiceDateInFuture).field,
        CaseField::Date
    );
}

#[test]
fn invoice_dated_today_passes() {
    let mut invoice = ready_invoice();
    invoice.issue_date = today();
    invoice.due_date = Some(today());
    assert_eq!(codes(&check(&invoice)), vec![]);
}

#[test]
fn due_date_missing_blocks() {
    let report = check(&Invoice {
        due_date: None,
        ..ready_invoice()
    });
    assert_eq!(codes(&report), vec![RuleCode::DueDateMissing]);
    assert_eq!(
        failure(&report, RuleCode::DueDateMissing).field,
        CaseField::DueDate
    );
}

#[test]
fn due_date_before_invoice_date_blocks() {
    let report = check(&Invoice {
        due_date: Some(date(2025, 1, 9)),
        ..ready_invoice()
    });
    assert_eq!(codes(&report), vec![RuleCode::DueDateBeforeInvoiceDate]);
}

#[test]
fn due_date_equal_to_invoice_date_passes() {
    let invoice = Invoice {
        due_date: Some(date(2025, 1, 10)),
        ..ready_invoice()
    };
    assert_eq!(codes(&check(&invoice)), vec![]);
}

#[test]
fn due_date_tomorrow_blocks_but_today_is_accepted() {
    let report = check(&Invoice {
        due_date: today().succ_opt(),
        ..ready_invoice()
    });
    assert_eq!(codes(&report), vec![RuleCode::DueDateNotPast]);
    assert!(failure(&report, RuleCode::DueDateNotPast)
        .hint
        .contains("2025-06-16"));
    let due_today = Invoice {
        due_date: Some(today()),
        ..ready_invoice()
    };
    assert_eq!(codes(&check(&due_today)), vec![]);
}

// --- reference and description ---------------------------------------------

#[test]
fn creditor_reference_missing_only_warns() {
    let invoice = Invoice {
        creditor_reference: Some("  ".into()),
        ..ready_invoice()
    };
    let report = check(&invoice);
    assert_eq!(codes(&report), vec![RuleCode::CreditorReferenceMissing]);
    assert_eq!(
        failure(&report, RuleCode::CreditorReferenceMissing).severity,
        Severity::Warning
    );
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    assert_eq!(draft.creditor_reference(), None);
    assert_eq!(
        codes(&ReadinessReport {
            failures: draft.warnings().to_vec()
        }),
        vec![RuleCode::CreditorReferenceMissing]
    );
}

#[test]
fn creditor_reference_over_50_characters_blocks() {
    let report = check(&Invoice {
        creditor_reference: Some("R".repeat(51)),
        ..ready_invoice()
    });
    assert_eq!(codes(&report), vec![RuleCode::CreditorReferenceTooLong]);
    assert!(failure(&report, RuleCode::CreditorReferenceTooLong)
        .message
        .contains("51"));
}

#[test]
fn creditor_reference_of_exactly_50_characters_passes() {
    let invoice = Invoice {
        creditor_reference: Some("R".repeat(50)),
        ..ready_invoice()
    };
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    assert_eq!(
        draft.creditor_reference().map(|r| r.as_str().len()),
        Some(50)
    );
}

#[test]
fn description_over_4000_characters_warns_and_is_cut() {
    let invoice = Invoice {
        description: Some("d".repeat(4001)),
        ..ready_invoice()
    };
    let report = check(&invoice);
    assert_eq!(codes(&report), vec![RuleCode::DescriptionTooLong]);
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    let cut = draft.claim_description().unwrap().as_str();
    assert_eq!(cut.encode_utf16().count(), 4000);
}

#[test]
fn description_of_exactly_4000_characters_passes_untouched() {
    let text = "d".repeat(4000);
    let invoice = Invoice {
        description: Some(text.clone()),
        ..ready_invoice()
    };
    assert_eq!(codes(&check(&invoice)), vec![]);
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    assert_eq!(draft.claim_description().unwrap().as_str(), text);
}

// --- evidence ----------------------------------------------------------------

fn company_claim(dkk_amount: Decimal, has_document: bool, description: Option<&str>) -> Invoice {
    Invoice {
        amounts: InvoiceAmounts::unpaid(dkk(dkk_amount)),
        has_document,
        description: description.map(str::to_owned),
        ..ready_invoice()
    }
}

#[test]
fn evidence_document_required_above_usd_10000_without_a_document() {
    // 70,000 DKK × 0.15 = USD 10,500.
    let report = check(&company_claim(dec!(70000), false, Some("Carpentry")));
    assert_eq!(codes(&report), vec![RuleCode::EvidenceDocumentRequired]);
    let f = failure(&report, RuleCode::EvidenceDocumentRequired);
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.field, CaseField::Documents);
    assert!(f.message.contains("10500"), "{}", f.message);
}

#[test]
fn evidence_above_usd_10000_passes_with_a_document() {
    assert_eq!(
        codes(&check(&company_claim(dec!(70000), true, None))),
        vec![]
    );
}

#[test]
fn evidence_document_recommended_from_usd_2000_without_document_or_description() {
    // 20,000 DKK = USD 3,000; and the 2,000 boundary itself counts.
    for amount in [dec!(20000), dec!(13333.34)] {
        let report = check(&company_claim(amount, false, None));
        assert_eq!(
            codes(&report),
            vec![RuleCode::EvidenceDocumentRecommended],
            "{amount}"
        );
    }
}

#[test]
fn evidence_between_usd_2000_and_10000_is_satisfied_by_a_document_or_a_description() {
    assert_eq!(
        codes(&check(&company_claim(dec!(20000), true, None))),
        vec![]
    );
    assert_eq!(
        codes(&check(&company_claim(
            dec!(20000),
            false,
            Some("Roof repair")
        ))),
        vec![]
    );
}

#[test]
fn evidence_below_usd_2000_needs_nothing() {
    // 13,333.33 DKK = USD 1,999.9995.
    assert_eq!(
        codes(&check(&company_claim(dec!(13333.33), false, None))),
        vec![]
    );
}

#[test]
fn evidence_rules_for_private_debtors_want_a_document_and_a_description() {
    let mut invoice = private_person();
    invoice.has_document = false;
    invoice.description = None;
    let report = check(&invoice);
    assert_eq!(
        codes(&report),
        vec![
            RuleCode::EvidenceDocumentRequired,
            RuleCode::EvidenceDescriptionRequired
        ]
    );
    assert!(report.is_ready(), "evidence findings are warnings");
}

#[test]
fn private_debtor_with_document_and_description_passes() {
    assert_eq!(codes(&check(&private_person())), vec![]);
}

// --- report, codes and policy --------------------------------------------------

#[test]
fn several_problems_are_all_reported_in_a_fixed_order() {
    let mut invoice = with_debtor(|d| {
        d.name = None;
        d.city = None;
        d.country = None;
    });
    invoice.due_date = None;
    invoice.creditor_reference = None;
    assert_eq!(
        codes(&check(&invoice)),
        vec![
            RuleCode::DebtorNameMissing,
            RuleCode::CityMissing,
            RuleCode::CountryMissing,
            RuleCode::DueDateMissing,
            RuleCode::CreditorReferenceMissing,
        ]
    );
}

#[test]
fn every_failure_carries_its_codes_severity_and_field() {
    let mut invoice = with_debtor(|d| {
        d.name = None;
        d.phone = Some("n/a".into());
    });
    invoice.due_date = None;
    for f in check(&invoice).failures {
        assert_eq!(f.severity, f.code.severity());
        assert_eq!(f.field, f.code.field());
        assert!(!f.message.is_empty() && !f.hint.is_empty());
    }
}

#[test]
fn rule_codes_are_unique_snake_case_and_round_trip_through_serde() {
    let mut seen = std::collections::HashSet::new();
    for &code in RuleCode::ALL {
        let s = code.as_str();
        assert!(seen.insert(s), "duplicate code {s}");
        assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{s}");
        let json = serde_json::to_string(&code).unwrap();
        assert_eq!(json, format!("\"{s}\""));
        assert_eq!(serde_json::from_str::<RuleCode>(&json).unwrap(), code);
    }
    assert!(serde_json::from_str::<RuleCode>("\"street_gone\"").is_err());
}

#[test]
fn case_fields_use_the_agency_paths() {
    assert_eq!(CaseField::DebtorCountry.as_str(), "debtor.countryAlpha2");
    assert!(CaseField::DebtorCity.is_debtor_field());
    assert!(!CaseField::DueDate.is_debtor_field());
    for &field in CaseField::ALL {
        assert_eq!(CaseField::from_wire(field.as_str()), Some(field));
    }
}

#[test]
fn report_serialises_for_the_ui_and_reads_back() {
    let report = check(&with_debtor(|d| d.address_lines.clear()));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["failures"][0]["code"], "street_missing");
    assert_eq!(json["failures"][0]["severity"], "blocking");
    assert_eq!(json["failures"][0]["field"], "debtor.address");
    let back: ReadinessReport = serde_json::from_value(json).unwrap();
    assert_eq!(back, report);
}

#[test]
fn policy_refuses_non_positive_rates() {
    for rate in [dec!(0), dec!(-1)] {
        assert_eq!(
            ReadinessPolicy::new().with_usd_rate(Currency::DKK, rate),
            Err(DomainError::InvalidExchangeRate {
                currency: Currency::DKK,
                rate
            })
        );
    }
}

#[test]
fn policy_minimum_is_rounded_up_to_the_minor_unit() {
    let policy = ReadinessPolicy::new()
        .with_usd_rate(Currency::JPY, dec!(0.0067))
        .unwrap()
        .with_usd_rate(Currency::DKK, dec!(0.15))
        .unwrap();
    assert_eq!(
        policy.minimum_for(Currency::JPY).map(|m| m.amount()),
        Some(dec!(14926))
    );
    assert_eq!(
        policy.minimum_for(Currency::DKK).map(|m| m.amount()),
        Some(dec!(666.67))
    );
    assert_eq!(
        policy.minimum_for(Currency::USD).map(|m| m.amount()),
        Some(dec!(100))
    );
    assert_eq!(policy.minimum_for(Currency::SEK), None);
}

// --- the draft -------------------------------------------------------------------

#[test]
fn draft_claims_the_outstanding_balance_not_the_total() {
    let draft = CaseDraft::from_invoice(&ready_invoice(), None, today(), &policy()).unwrap();
    assert_eq!(draft.amount_to_recover(), dkk(dec!(1000)));
    assert_eq!(draft.date(), date(2025, 1, 10));
    assert_eq!(draft.due_date(), date(2025, 2, 10));
    assert_eq!(draft.source().to_string(), "stripe:acct_1/in_123");
    assert_eq!(draft.fingerprint(), &ready_invoice().fingerprint());
    assert_eq!(
        draft.creditor_reference().map(CreditorReference::as_str),
        Some("INV-0042")
    );
    assert_eq!(
        draft.claim_description().map(ClaimDescription::as_str),
        Some("Carpentry, January")
    );
    assert!(draft.has_document());
    assert!(draft.warnings().is_empty());
}

#[test]
fn draft_debtor_is_complete() {
    let draft = CaseDraft::from_invoice(&ready_invoice(), None, today(), &policy()).unwrap();
    let debtor = draft.debtor();
    assert_eq!(debtor.kind(), DebtorKind::Company);
    assert_eq!(debtor.name(), "Nordisk Tømrer ApS");
    assert_eq!(debtor.address(), "Vestergade 1, 2. sal");
    assert_eq!(debtor.city(), "Aarhus");
    assert_eq!(debtor.country(), CountryCode::DK);
    assert_eq!(debtor.phone().map(Phone::as_str), Some("+45 12 34 56 78"));
    assert_eq!(debtor.company_registration_number(), Some("DK12345678"));
    assert_eq!(debtor.contact_person(), Some("Jens Hansen"));
}

#[test]
fn draft_drops_the_contact_person_for_private_debtors() {
    let mut invoice = private_person();
    invoice.debtor.contact_person = Some("Someone".into());
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    assert_eq!(draft.debtor().kind(), DebtorKind::Private);
    assert_eq!(draft.debtor().contact_person(), None);
}

#[test]
fn draft_age_buckets_follow_the_due_date() {
    // Due 2024-06-01, today 2025-06-15: 379 days → over 6 and 12, not 24.
    let invoice = Invoice {
        issue_date: date(2024, 5, 1),
        due_date: Some(date(2024, 6, 1)),
        ..ready_invoice()
    };
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    let buckets = draft.age_buckets();
    assert_eq!(buckets.over_6_months(), dkk(dec!(1000)));
    assert_eq!(buckets.over_12_months(), dkk(dec!(1000)));
    assert_eq!(buckets.over_24_months(), Money::zero(Currency::DKK));
}

#[test]
fn draft_is_refused_with_the_same_report_check_readiness_gives() {
    let invoice = with_debtor(|d| d.city = None);
    let report = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap_err();
    assert_eq!(report, check(&invoice));
    assert_eq!(codes(&report), vec![RuleCode::CityMissing]);
}

#[test]
fn draft_carries_warnings_for_the_confirmation_screen() {
    let invoice = with_debtor(|d| d.postal_code = None);
    let draft = CaseDraft::from_invoice(&invoice, None, today(), &policy()).unwrap();
    assert_eq!(draft.warnings().len(), 1);
    assert_eq!(draft.warnings()[0].code, RuleCode::PostalCodeMissing);
}

#[test]
fn draft_serialises_for_preview() {
    let draft = CaseDraft::from_invoice(&ready_invoice(), None, today(), &policy()).unwrap();
    let json = serde_json::to_value(&draft).unwrap();
    assert_eq!(json["amount_to_recover"]["amount"], "1000.00");
    assert_eq!(json["debtor"]["country"], "DK");
    assert_eq!(json["debtor"]["kind"], "Company");
}
