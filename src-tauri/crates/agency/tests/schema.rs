//! Every `CreateCaseRequest` the client can build validates against the
//! `CreateCollectionCaseRequestApiViewModel` schema of the agency's own
//! OpenAPI spec (`tests/fixtures/agency/customer-api.openapi.json`, in
//! the repository as in CI).
//!
//! OpenAPI 3.0 schemas are not quite JSON Schema; the conversion below does
//! only what 3.0 means: `nullable: true` adds `null` to the type, and
//! `#/components/schemas/…` refs point into `$defs`. Formats are asserted
//! (uuid, email, date-time), with one documented exception: `date-time`
//! also accepts a full date, because the spec's own example for this schema
//! sends `"date": "2026-02-22"` (the .NET `DateTime` type shows through as
//! `date-time`; the API reads dates).

use std::path::PathBuf;

use casebridge_agency::wire::{
    AgeBreakdown, Amount, CountryAlpha2, CreateCaseRequest, CreditorReference, CurrencyCode,
    DebtorDto, DebtorType, EmailAddress, LongText, TestTag, Text,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use uuid::Uuid;

const CREATE_CASE: &str =
    "Debitura.Web.ExternalApi.Contracts.V1.Cases.Requests.CreateCollectionCaseRequestApiViewModel";

fn spec_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../tests/fixtures/agency/customer-api.openapi.json")
}

fn load_spec() -> Value {
    let path = spec_path();
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the agency spec must be next to the repository at {}: {e}",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("the spec is JSON")
}

/// OpenAPI 3.0 schema → JSON Schema 2020-12.
fn convert(value: &Value) -> Value {
    match value {
        Value::Object(object) => {
            let nullable = object
                .get("nullable")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let mut out = Map::new();
            for (key, inner) in object {
                match key.as_str() {
                    "nullable" | "example" | "deprecated" => {}
                    "$ref" => {
                        let target = inner
                            .as_str()
                            .unwrap_or_default()
                            .replace("#/components/schemas/", "#/$defs/");
                        out.insert(key.clone(), Value::String(target));
                    }
                    _ => {
                        out.insert(key.clone(), convert(inner));
                    }
                }
            }
            if nullable {
                if let Some(Value::String(kind)) = out.get("type").cloned() {
                    out.insert("type".to_owned(), json!([kind, "null"]));
                } else if out.contains_key("$ref") {
                    let reference = out.remove("$ref").unwrap_or_default();
                    out.insert(
                        "anyOf".to_owned(),
                        json!([{"$ref": reference}, {"type": "null"}]),
                    );
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(convert).collect()),
        other => other.clone(),
    }
}

fn is_date_or_date_time(text: &str) -> bool {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
        || chrono::DateTime::parse_from_rfc3339(text).is_ok()
}

fn validator() -> jsonschema::Validator {
    let spec = load_spec();
    let schemas = spec["components"]["schemas"].clone();
    assert!(
        schemas.get(CREATE_CASE).is_some(),
        "the spec still defines {CREATE_CASE}"
    );
    let root = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/$defs/{CREATE_CASE}"),
        "$defs": convert(&schemas),
    });
    jsonschema::options()
        .should_validate_formats(true)
        .with_format("date-time", is_date_or_date_time)
        .build(&root)
        .expect("the converted schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, label: &str, body: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{label} violates the spec: {errors:#?}\n{body:#}"
    );
}

fn amount(text: &str) -> Amount {
    Amount::new(text.parse::<Decimal>().expect("test literal")).expect("fits")
}

fn text(value: &str) -> Text {
    Text::new("test", value).expect("non-empty")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn company_dk() -> CreateCaseRequest {
    let mut debtor = DebtorDto::new(
        DebtorType::Company,
        text("Nørre Byg ApS"),
        CountryAlpha2::parse("DK").expect("ok"),
    );
    debtor.contact_person = Some(text("Søren Ølgaard"));
    debtor.company_registration_number = Some(text("DK12345678"));
    debtor.address = Some(text("Østerbrogade 12, 2. th."));
    debtor.zip_code = Some(text("2100"));
    debtor.city = Some(text("København Ø"));
    debtor.email = Some(text("bogholderi@norrebyg.dk"));
    debtor.phone = Some(text("+45 12 34 56 78"));
    let mut request = CreateCaseRequest::new(
        CurrencyCode::parse("DKK").expect("ok"),
        amount("12500.75"),
        day(2025, 1, 15),
        debtor,
    );
    request.due_date = Some(day(2025, 2, 14));
    request.creditor_reference =
        Some(CreditorReference::new("creditorReference", "INV-2025-0042").expect("ok"));
    request.claim_description =
        Some(LongText::new("claimDescription", "Tømrerarbejde, januar 2025").expect("ok"));
    request.comments =
        Some(LongText::new("comments", "Two reminders sent; no reply.").expect("ok"));
    request
}

fn private_us_with_state() -> CreateCaseRequest {
    let mut debtor = DebtorDto::new(
        DebtorType::Private,
        text("Jane Q. Public"),
        CountryAlpha2::parse("us").expect("ok"),
    );
    debtor.address = Some(text("123 Market Street, Apt 4"));
    debtor.zip_code = Some(text("94105"));
    debtor.city = Some(text("San Francisco"));
    debtor.state_alpha2 = Some(text("CA"));
    let mut request = CreateCaseRequest::new(
        CurrencyCode::parse("USD").expect("ok"),
        amount("149.99"),
        day(2024, 11, 30),
        debtor,
    );
    request.due_date = Some(day(2024, 12, 30));
    request.creditor_reference =
        Some(CreditorReference::new("creditorReference", "in_1QxYz2AbCdEfGh").expect("ok"));
    request
}

fn minimal() -> CreateCaseRequest {
    CreateCaseRequest::new(
        CurrencyCode::parse("EUR").expect("ok"),
        amount("100"),
        day(2025, 3, 1),
        DebtorDto::new(
            DebtorType::Company,
            text("Acme BV"),
            CountryAlpha2::parse("NL").expect("ok"),
        ),
    )
}

/// Every optional field set, every bounded text at its limit, in
/// characters that count twice in UTF-16.
fn everything_at_the_limits() -> CreateCaseRequest {
    let mut request = company_dk();
    request.creditor_reference =
        Some(CreditorReference::new("creditorReference", "R".repeat(50)).expect("50 fits"));
    request.claim_description =
        Some(LongText::new("claimDescription", "😀".repeat(2000)).expect("4000 units fit"));
    request.comments = Some(LongText::new("comments", "é".repeat(4000)).expect("4000 fit"));
    request.tag =
        Some(TestTag::new("tag", format!("suite-run-{}", "x".repeat(90))).expect("100 fit"));
    request.is_test = true;
    request.allow_pending_contracts = true;
    request.skip_debitura_verification = true;
    request.creditor_division_id = Some(Uuid::new_v4());
    request.collection_partner_id = Some(Uuid::new_v4());
    request.assigned_user_email = Some(EmailAddress::parse("ar.team@example.com").expect("ok"));
    request.age_breakdown = Some(
        AgeBreakdown::new(Some(amount("9000")), amount("5000.5"), amount("1000")).expect("ordered"),
    );
    request.debtor.state = Some(text("Hovedstaden"));
    request
}

#[test]
fn representative_requests_validate_against_the_agency_schema() {
    let validator = validator();
    for (label, request) in [
        ("company DK", company_dk()),
        ("private US with state", private_us_with_state()),
        ("minimal", minimal()),
        ("everything at the limits", everything_at_the_limits()),
    ] {
        let body = serde_json::to_value(&request).expect("serializes");
        assert_valid(&validator, label, &body);
    }
}

#[test]
fn the_specs_own_example_passes_so_the_date_format_exception_is_the_specs_reading() {
    let spec = load_spec();
    let example = spec["components"]["schemas"][CREATE_CASE]["example"].clone();
    assert_eq!(
        example["date"], "2026-02-22",
        "the spec's example still sends a bare date"
    );
    assert_valid(&validator(), "the spec's example", &example);
}

#[test]
fn the_validator_rejects_what_the_spec_forbids() {
    // Guards against a conversion that accepts anything.
    let validator = validator();
    let good = serde_json::to_value(company_dk()).expect("serializes");
    type Mutation = (&'static str, fn(&mut Value));
    let mutations: [Mutation; 6] = [
        ("unknown top-level field", |v| {
            v["skipEverything"] = json!(true)
        }),
        ("creditorReference of 51", |v| {
            v["creditorReference"] = json!("R".repeat(51))
        }),
        ("debtor without name", |v| {
            if let Some(debtor) = v["debtor"].as_object_mut() {
                debtor.remove("name");
            }
        }),
        ("unknown debtor field", |v| {
            v["debtor"]["vatId"] = json!("x")
        }),
        ("division id not a uuid", |v| {
            v["creditorDivisionId"] = json!("division-7")
        }),
        ("amount as a string", |v| {
            v["amountToRecover"] = json!("12500.75")
        }),
    ];
    for (label, mutate) in mutations {
        let mut bad = good.clone();
        mutate(&mut bad);
        assert!(!validator.is_valid(&bad), "{label} was accepted");
    }
}
