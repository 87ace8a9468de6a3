//! Error mapping from the bodies the agency documents (reference §5, §10
//! and the spec's error DTOs).

use super::*;

const CTX: RequestContext<'static> = RequestContext {
    environment: Environment::Production,
    creditor_reference: Some("INV-1001"),
    file_name: Some("scan.heic"),
    upload_limit: 25_000_000,
};

fn map(status: u16, body: &str) -> AgencyError {
    from_response(status, None, body.as_bytes(), &CTX)
}

#[test]
fn field_map_400_becomes_validation_with_fields_pointing_at_debtor_inputs() {
    let err = map(
        400,
        r#"{"debtor.email":["Invalid email format"],"DebtorDto.ZipCode":["Required"],"$.debtor.countryAlpha2":["Unknown"]}"#,
    );
    let AgencyError::Validation { fields } = &err else {
        panic!("expected Validation, got {err:?}");
    };
    assert_eq!(
        fields["debtor.email"],
        vec!["Invalid email format".to_owned()]
    );
    let mapped: Vec<AgencyField> = err.field_errors().into_iter().map(|f| f.field).collect();
    assert_eq!(
        mapped,
        vec![
            AgencyField::DebtorCountry,
            AgencyField::DebtorZipCode,
            AgencyField::DebtorEmail
        ],
        "BTreeMap order: $.debtor…, DebtorDto…, debtor.email"
    );
    assert!(err.is_final() && !err.is_retryable());
    assert_eq!(err.code(), "agency_validation");
    assert!(
        err.message().contains("debtor.email: Invalid email format"),
        "{}",
        err.message()
    );
}

#[test]
fn aspnet_validation_problem_details_nests_the_field_map_under_errors() {
    let err = map(
        400,
        r#"{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.",
            "status":400,"errors":{"AmountToRecover":["The field AmountToRecover must be greater than 0."]},"traceId":"00-ab"}"#,
    );
    assert_eq!(err.field_errors()[0].field, AgencyField::AmountToRecover);
}

#[test]
fn malformed_json_problem_details_400_is_bad_request_with_its_detail() {
    let err = map(
        400,
        r#"{"type":"https://tools.ietf.org/html/rfc7231#section-6.5.1","title":"Bad Request","status":400,
            "detail":"The JSON value could not be converted.","instance":"/cases"}"#,
    );
    assert!(
        matches!(&err, AgencyError::BadRequest { message: Some(m), .. } if m == "The JSON value could not be converted."),
        "{err:?}"
    );
}

#[test]
fn value_level_400_messages_map_to_their_fields() {
    for (message, field) in [
        ("Invalid currency code: XYZ", AgencyField::CurrencyCode),
        (
            "Case total must be a positive amount",
            AgencyField::AmountToRecover,
        ),
        ("Debtor information is required", AgencyField::Debtor),
        ("Invalid debtor type", AgencyField::DebtorType),
        ("Invalid country code: ZZ", AgencyField::DebtorCountry),
        (
            "A state code (stateAlpha2) is required for US debtors",
            AgencyField::DebtorStateAlpha2,
        ),
    ] {
        let body =
            serde_json::json!({"error": "Bad Request", "message": message, "businessErrors": []})
                .to_string();
        let err = map(400, &body);
        assert!(matches!(err, AgencyError::BadRequest { .. }), "{err:?}");
        let fields = err.field_errors();
        assert_eq!(fields.len(), 1, "{message}");
        assert_eq!(fields[0].field, field, "{message}");
    }
}

#[test]
fn unknown_400_message_maps_to_no_field_and_plain_text_is_kept() {
    let err = map(400, r#"{"error":"Bad Request","message":"Something new"}"#);
    assert!(err.field_errors().is_empty());
    let err = map(400, "Idempotency-Key must be at most 255 characters");
    assert!(
        matches!(&err, AgencyError::BadRequest { message: Some(m), .. } if m.starts_with("Idempotency-Key")),
        "{err:?}"
    );
}

#[test]
fn field_paths_normalize_case_prefixes_and_indexes() {
    for (path, field) in [
        ("debtor.countryAlpha2", AgencyField::DebtorCountry),
        ("Debtor.Country", AgencyField::DebtorCountry),
        ("DebtorDto.ZipCode", AgencyField::DebtorZipCode),
        ("zipCode", AgencyField::DebtorZipCode),
        ("$.debtor.stateAlpha2", AgencyField::DebtorStateAlpha2),
        ("request.Debtor.Type", AgencyField::DebtorType),
        ("Debtor", AgencyField::Debtor),
        ("$", AgencyField::Body),
        ("", AgencyField::Body),
        ("dueDate", AgencyField::DueDate),
        ("CurrencyCode", AgencyField::CurrencyCode),
        ("AmountToRecoverOver24Months", AgencyField::AgeBreakdown),
        ("debtors[0].name", AgencyField::DebtorName),
    ] {
        assert_eq!(AgencyField::from_path(path), field, "{path}");
    }
    assert_eq!(
        AgencyField::from_path("Debtor.FavouriteColour"),
        AgencyField::Other("Debtor.FavouriteColour".to_owned())
    );
}

#[test]
fn unauthorized_hint_names_both_causes_and_never_the_key() {
    let err = from_response(
        401,
        None,
        b"",
        &RequestContext {
            environment: Environment::Test,
            ..CTX
        },
    );
    assert_eq!(err.code(), "agency_unauthorized");
    let hint = err.hint();
    assert!(
        hint.contains("API key") && hint.contains("environment"),
        "{hint}"
    );
    assert!(hint.contains("production key is rejected"), "{hint}");
    assert!(err.is_final());
}

#[test]
fn forbidden_and_not_found_keep_the_agency_message() {
    assert!(matches!(
        map(403, ""),
        AgencyError::Forbidden { message: None }
    ));
    let err = map(
        404,
        r#"{"error":"Not Found","message":"Case not found","businessErrors":[]}"#,
    );
    assert!(
        matches!(&err, AgencyError::NotFound { message: Some(m) } if m == "Case not found"),
        "{err:?}"
    );
}

#[test]
fn duplicate_creditor_reference_422_carries_the_reference_and_is_final() {
    let err = map(
        422,
        r#"{"businessErrors":[{"type":"DuplicateCreditorReference","message":"Creditor reference already exists","solutionUrl":null}],"signingHandoff":null}"#,
    );
    assert!(
        matches!(&err, AgencyError::DuplicateCreditorReference { creditor_reference: Some(r) } if r == "INV-1001"),
        "{err:?}"
    );
    assert!(err.is_final() && !err.is_retryable() && !err.case_may_exist());
}

#[test]
fn duplicate_reference_spelling_and_400_variants_are_also_duplicates() {
    let by_docs_name = map(
        422,
        r#"{"businessErrors":[{"type":"DuplicateReference","message":"dup"}]}"#,
    );
    let as_400_business = map(
        400,
        r#"{"error":"DuplicateReference","message":"Duplicate creditor reference"}"#,
    );
    let as_400_field = map(
        400,
        r#"{"creditorReference":["Duplicate reference INV-1001"]}"#,
    );
    let pascal_case = map(
        422,
        r#"{"BusinessErrors":[{"Type":"DuplicateCreditorReference"}]}"#,
    );
    for err in [by_docs_name, as_400_business, as_400_field, pascal_case] {
        assert!(
            matches!(err, AgencyError::DuplicateCreditorReference { .. }),
            "{err:?}"
        );
    }
}

#[test]
fn idempotency_conflict_422_is_its_own_error() {
    let err = map(
        422,
        r#"{"businessErrors":[{"type":"IdempotencyConflict","message":"Idempotency key reused with a different body","solutionUrl":null}]}"#,
    );
    assert!(
        matches!(&err, AgencyError::IdempotencyConflict { message: Some(m) } if m.contains("different body")),
        "{err:?}"
    );
    assert_eq!(err.code(), "agency_idempotency_conflict");
}

#[test]
fn business_422_keeps_every_error_solution_url_and_combined_signing_url() {
    let err = map(
        422,
        r#"{"businessErrors":[
            {"type":"MissingDebtCollectionContract","message":"Sign the SDCA","solutionUrl":"https://app.debitura.com/sign/sdca"},
            {"type":"MissingPowerOfAttorney","message":"Sign the PoA","solutionUrl":"https://app.debitura.com/sign/poa"},
            {"type":"MissingKycVerification","message":"KYC","solutionUrl":null},
            {"type":"NoPartnerAvailable","message":"No partner covers ZZ","solutionUrl":null},
            {"type":"CreditorBlocked","message":"Blocked","solutionUrl":null},
            {"type":"BrandNewRule","message":"Something new","solutionUrl":null}],
           "signingHandoff":{"combinedSigningUrl":"https://app.debitura.com/sign/all"},
           "error":"Unprocessable","message":"Business rule violation"}"#,
    );
    let AgencyError::Business {
        errors,
        signing_url,
    } = &err
    else {
        panic!("expected Business, got {err:?}");
    };
    let kinds: Vec<&BusinessErrorKind> = errors.iter().map(|e| &e.kind).collect();
    assert_eq!(
        kinds,
        vec![
            &BusinessErrorKind::MissingDebtCollectionContract,
            &BusinessErrorKind::MissingPowerOfAttorney,
            &BusinessErrorKind::MissingKycVerification,
            &BusinessErrorKind::NoPartnerAvailable,
            &BusinessErrorKind::CreditorBlocked,
            &BusinessErrorKind::Other("BrandNewRule".to_owned()),
        ]
    );
    assert_eq!(
        errors[0].solution_url.as_deref(),
        Some("https://app.debitura.com/sign/sdca")
    );
    assert_eq!(
        signing_url.as_deref(),
        Some("https://app.debitura.com/sign/all")
    );
    let hint = err.hint();
    assert!(
        hint.contains("https://app.debitura.com/sign/poa") && hint.contains("sign/all"),
        "{hint}"
    );
    assert!(
        hint.contains("Something new"),
        "unknown types fall back to their message: {hint}"
    );
    assert!(err.is_final());
}

#[test]
fn legacy_422_with_only_error_and_message_is_still_a_business_error() {
    let err = map(
        422,
        r#"{"error":"NoPartnerAvailable","message":"No partner"}"#,
    );
    assert!(
        matches!(&err, AgencyError::Business { errors, .. } if errors[0].kind == BusinessErrorKind::NoPartnerAvailable),
        "{err:?}"
    );
}

#[test]
fn rate_limit_429_prefers_body_retry_after_then_header_then_default() {
    let body = r#"{"error":"rate_limit_exceeded","message":"Too many requests. Please retry later.","retryAfter":42.5}"#;
    let err = from_response(429, Some("7"), body.as_bytes(), &CTX);
    assert!(
        matches!(err, AgencyError::RateLimited { retry_after } if retry_after == Duration::from_millis(42_500))
    );
    assert!(err.is_retryable() && !err.is_final());

    let header_only = from_response(429, Some("7"), br#"{"error":"rate_limit_exceeded"}"#, &CTX);
    assert_eq!(header_only.retry_after(), Some(Duration::from_secs(7)));

    let neither = from_response(429, None, b"", &CTX);
    assert_eq!(neither.retry_after(), Some(DEFAULT_RETRY_AFTER));

    let garbage = from_response(
        429,
        Some("Wed, 21 Oct 2015 07:28:00 GMT"),
        br#"{"retryAfter":-3}"#,
        &CTX,
    );
    assert_eq!(
        garbage.retry_after(),
        Some(DEFAULT_RETRY_AFTER),
        "negative and HTTP-date fall back"
    );
}

#[test]
fn server_errors_are_retryable_and_gateway_errors_may_have_created_the_case() {
    let err = map(
        500,
        r#"{"error":null,"message":null,"businessErrors":[{"type":"InternalError","message":"Unexpected failure"}]}"#,
    );
    assert!(
        matches!(&err, AgencyError::Server { status: 500, message: Some(m), .. } if m == "Unexpected failure"),
        "{err:?}"
    );
    assert!(err.is_retryable() && !err.case_may_exist());
    assert!(from_response(504, None, b"<html>Gateway Timeout</html>", &CTX).case_may_exist());
    assert_eq!(
        from_response(503, Some("30"), b"", &CTX).retry_after(),
        Some(Duration::from_secs(30))
    );
}

#[test]
fn upload_413_and_415_name_the_limit_and_the_file() {
    assert!(matches!(
        map(413, ""),
        AgencyError::PayloadTooLarge {
            size: None,
            limit: 25_000_000
        }
    ));
    assert!(
        matches!(map(415, ""), AgencyError::UnsupportedFileType { file_name } if file_name == "scan.heic")
    );
    // Outside an upload, a 415 refuses our Content-Type, not a user's file.
    let not_an_upload = RequestContext {
        file_name: None,
        ..CTX
    };
    let err = from_response(
        415,
        None,
        br#"{"title":"Unsupported Media Type","status":415}"#,
        &not_an_upload,
    );
    assert!(
        matches!(err, AgencyError::UnexpectedStatus { status: 415, .. }),
        "{err:?}"
    );
}

#[test]
fn undocumented_statuses_are_unexpected_and_final() {
    let err = map(405, "Method Not Allowed");
    assert!(
        matches!(
            &err,
            AgencyError::UnexpectedStatus {
                status: 405,
                message: Some(_)
            }
        ),
        "{err:?}"
    );
    assert!(err.is_final());
    // A 409 that names an idempotency conflict is recognised by its type.
    assert!(matches!(
        map(
            409,
            r#"{"businessErrors":[{"type":"IdempotencyConflict"}]}"#
        ),
        AgencyError::IdempotencyConflict { .. }
    ));
}

#[test]
fn every_variant_has_a_distinct_snake_case_code_message_and_hint() {
    let samples = [
        map(400, r#"{"x":["y"]}"#),
        map(400, r#"{"message":"m"}"#),
        map(401, ""),
        map(403, ""),
        map(404, ""),
        map(
            422,
            r#"{"businessErrors":[{"type":"DuplicateCreditorReference"}]}"#,
        ),
        map(
            422,
            r#"{"businessErrors":[{"type":"IdempotencyConflict"}]}"#,
        ),
        map(422, r#"{"businessErrors":[{"type":"CreditorBlocked"}]}"#),
        map(413, ""),
        map(415, ""),
        map(429, ""),
        map(500, ""),
        map(418, ""),
        AgencyError::InvalidValue {
            field: "creditorReference",
            problem: ValueProblem::Empty,
        },
    ];
    let mut codes: Vec<&str> = samples.iter().map(AgencyError::code).collect();
    for (err, code) in samples.iter().zip(&codes) {
        assert!(
            code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{code}"
        );
        let report = err.report();
        assert!(
            !report.message.is_empty() && !report.hint.is_empty(),
            "{code}"
        );
        assert!(report.message.ends_with('.'), "{code}: {}", report.message);
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), samples.len(), "codes are distinct");
}
