//! The agency fake's case endpoints: auth, create + validation, idempotency,
//! duplicates, reads.

mod common;

use common::{case_body, send, start, with, without, KEY, OTHER_KEY};
use serde_json::{json, Value};

#[tokio::test]
async fn missing_or_wrong_api_key_is_401_with_a_body() {
    let a = start().await;
    let (status, body) = send(a.http.get(format!("{}/me", a.url))).await;
    assert_eq!(status, 401);
    // ProblemDetails, like the spec's only documented 401 (GET /users).
    assert_eq!(body["status"], 401);
    assert_eq!(body["title"], "Unauthorized");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|m| m.contains("XApiKey")),
        "{body}"
    );
    let (status, _) = send(
        a.http
            .get(format!("{}/me", a.url))
            .header("XApiKey", "nope"),
    )
    .await;
    assert_eq!(status, 401);
    // Bearer tokens are for referral partners; the fake does not mint them.
    let (status, _) = send(a.http.get(format!("{}/cases", a.url)).bearer_auth(KEY)).await;
    assert_eq!(status, 401);
    // Routing comes first: an unknown path is 404 whether or not a key is sent.
    let (status, _) = send(a.http.get(format!("{}/nowhere", a.url))).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn me_returns_the_creditor_profile_for_any_valid_key() {
    let a = start().await;
    for key in [KEY, OTHER_KEY] {
        let (status, body) = send(a.http.get(format!("{}/me", a.url)).header("XApiKey", key)).await;
        assert_eq!(status, 200);
        assert_eq!(body["companyName"], "Casebridge Sandbox ApS");
        assert!(body["id"].as_str().is_some());
    }
}

#[tokio::test]
async fn create_returns_an_invoice_dto_with_label_lifecycle() {
    let a = start().await;
    let case = a.create_ok("INV-1").await;
    assert!(uuid::Uuid::parse_str(case["id"].as_str().expect("id")).is_ok());
    let reference = case["reference"].as_str().expect("reference");
    assert_eq!(reference.len(), 8);
    assert!(reference
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
    assert_eq!(case["creditorReference"], "INV-1");
    assert_eq!(case["lifecycle"], "Pending Verification");
    assert_eq!(case["grossAmount"], 1250.5);
    assert_eq!(case["remainder"], 1250.5);
    assert_eq!(case["currency"], "EUR");
    assert_eq!(case["isTestCase"], true);
    assert_eq!(case["date"], "2026-01-15T00:00:00");
    assert_eq!(case["dueDate"], "2026-02-14T00:00:00");
    // Naive timestamp, seven fractional digits, no zone: as .NET sends it.
    assert_eq!(case["dateCreated"], "2026-03-01T12:00:00.0000000");
    assert_eq!(case["debtor"]["country"], "Germany");
    assert_eq!(case["debtor"]["type"], "Company");
    assert_eq!(a.handle().case_count(), 1);
}

#[tokio::test]
async fn skip_verification_starts_active_with_a_partner() {
    let a = start().await;
    let body = with(case_body("INV-S"), "/isTest", json!(false));
    let mut body = body;
    body["skipDebituraVerification"] = json!(true);
    let (status, case) = a.create(&body).await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["lifecycle"], "Active");
    assert!(case["collectionPartner"]["name"].is_string());
}

async fn field_error(a: &common::Agency, body: Value) -> Value {
    let (status, errors) = a.create(&body).await;
    assert_eq!(status, 400, "expected a field error, got {errors}");
    assert_eq!(
        a.handle().case_count(),
        0,
        "a rejected case must not be stored"
    );
    errors
}

#[tokio::test]
async fn documented_validation_messages_are_keyed_by_field_path() {
    let a = start().await;
    let base = case_body("INV-V");
    let cases: Vec<(Value, &str, &str)> = vec![
        (with(base.clone(), "/currencyCode", json!("XYZ")), "currencyCode", "Invalid currency code: XYZ"),
        (with(base.clone(), "/amountToRecover", json!(0)), "amountToRecover", "Case total must be a positive amount"),
        (with(base.clone(), "/amountToRecover", json!(-5)), "amountToRecover", "Case total must be a positive amount"),
        (with(base.clone(), "/debtor", Value::Null), "debtor", "Debtor information is required"),
        (without(base.clone(), "/debtor"), "debtor", "Debtor information is required"),
        (with(base.clone(), "/debtor/type", json!("Person")), "debtor.type", "Invalid debtor type"),
        (with(base.clone(), "/debtor/countryAlpha2", json!("ZZ")), "debtor.countryAlpha2", "Invalid country code: ZZ"),
        (with(base.clone(), "/date", json!("2026-03-02")), "date", "Case date cannot be in the future"),
        (with(base.clone(), "/dueDate", json!("2026-01-14")), "dueDate", "Due date cannot be earlier than the case date"),
        (with(base.clone(), "/dueDate", json!("2026-03-02")), "dueDate", "Due date cannot be in the future"),
        (with(base.clone(), "/debtor/email", json!("not-an-email")), "debtor.email", "Invalid email format"),
        (without(base.clone(), "/currencyCode"), "currencyCode", "The CurrencyCode field is required."),
        (without(base.clone(), "/dueDate"), "dueDate", "The DueDate field is required."),
        (without(base.clone(), "/debtor/name"), "debtor.name", "The Name field is required."),
        (without(base.clone(), "/debtor/city"), "debtor.city", "The City field is required."),
        (
            with(base.clone(), "/creditorReference", json!("x".repeat(51))),
            "creditorReference",
            "The field CreditorReference must be a string or array type with a maximum length of '50'.",
        ),
        (
            with(base.clone(), "/amountToRecover", json!("1250.50")),
            "amountToRecover",
            "The JSON value could not be converted to System.Decimal.",
        ),
        (with(base.clone(), "/date", json!("15/01/2026")), "date", "The JSON value could not be converted to System.DateTime."),
    ];
    for (body, key, message) in cases {
        let errors = field_error(&a, body).await;
        assert_eq!(errors[key], json!([message]), "for {key}: {errors}");
    }
}

#[tokio::test]
async fn today_is_an_acceptable_due_date_and_lowercase_codes_are_normalised() {
    let a = start().await;
    let body = with(case_body("INV-T"), "/dueDate", json!("2026-03-01"));
    let body = with(body, "/currencyCode", json!("eur"));
    let body = with(body, "/debtor/countryAlpha2", json!("de"));
    let body = with(body, "/debtor/type", json!("company"));
    let (status, case) = a.create(&body).await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["currency"], "EUR");
    assert_eq!(case["debtor"]["countryAlpha2"], "DE");
}

#[tokio::test]
async fn us_debtors_need_a_valid_state() {
    let a = start().await;
    let us = with(case_body("INV-US"), "/debtor/countryAlpha2", json!("US"));
    let errors = field_error(&a, us.clone()).await;
    assert!(errors["debtor.stateAlpha2"][0]
        .as_str()
        .is_some_and(|m| m.contains("required for US debtors")));
    let mut bad = us.clone();
    bad["debtor"]["stateAlpha2"] = json!("QQ");
    let errors = field_error(&a, bad).await;
    assert_eq!(
        errors["debtor.stateAlpha2"],
        json!(["Invalid US state: QQ"])
    );
    for (i, state) in ["CA", "US-NY", "texas"].iter().enumerate() {
        let mut ok = with(
            us.clone(),
            "/creditorReference",
            json!(format!("INV-US-{i}")),
        );
        ok["debtor"]["stateAlpha2"] = json!(state);
        let (status, case) = a.create(&ok).await;
        assert_eq!(status, 200, "{state}: {case}");
    }
}

#[tokio::test]
async fn country_name_must_be_the_exact_english_name() {
    let a = start().await;
    let body = without(case_body("INV-C"), "/debtor/countryAlpha2");
    let mut bad = body.clone();
    bad["debtor"]["country"] = json!("Deutschland");
    let errors = field_error(&a, bad).await;
    assert!(errors["debtor.country"][0]
        .as_str()
        .is_some_and(|m| m.contains("countryAlpha2")));
    let (status, case) = a
        .create(&{
            let mut b = body;
            b["debtor"]["country"] = json!("Germany");
            b
        })
        .await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["debtor"]["countryAlpha2"], "DE");
}

#[tokio::test]
async fn unknown_properties_are_rejected_but_names_are_case_insensitive() {
    let a = start().await;
    let mut body = case_body("INV-P");
    body["amount"] = json!(5);
    let errors = field_error(&a, body).await;
    assert!(errors["amount"][0]
        .as_str()
        .is_some_and(|m| m.contains("amount")));

    let mut pascal = without(case_body("INV-P"), "/currencyCode");
    pascal["CurrencyCode"] = json!("DKK");
    let (status, case) = a.create(&pascal).await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["currency"], "DKK");
}

#[tokio::test]
async fn age_buckets_must_come_together_and_be_ordered() {
    let a = start().await;
    let base = case_body("INV-B");
    let mut only12 = base.clone();
    only12["amountToRecoverOver12Months"] = json!(100);
    let errors = field_error(&a, only12).await;
    assert!(errors["amountToRecoverOver24Months"][0]
        .as_str()
        .is_some_and(|m| m.contains("together")));

    let mut inverted = base.clone();
    inverted["amountToRecoverOver12Months"] = json!(100);
    inverted["amountToRecoverOver24Months"] = json!(200);
    let errors = field_error(&a, inverted).await;
    assert!(
        errors.get("amountToRecoverOver24Months").is_some(),
        "{errors}"
    );

    let mut too_big = base.clone();
    too_big["amountToRecoverOver12Months"] = json!(5000);
    too_big["amountToRecoverOver24Months"] = json!(0);
    let errors = field_error(&a, too_big).await;
    assert!(errors["amountToRecoverOver12Months"][0]
        .as_str()
        .is_some_and(|m| m.contains("exceed")));

    let mut six_below_twelve = base.clone();
    six_below_twelve["amountToRecoverOver6Months"] = json!(50);
    six_below_twelve["amountToRecoverOver12Months"] = json!(100);
    six_below_twelve["amountToRecoverOver24Months"] = json!(0);
    let errors = field_error(&a, six_below_twelve).await;
    assert!(
        errors.get("amountToRecoverOver6Months").is_some(),
        "{errors}"
    );

    let mut ok = base;
    ok["amountToRecoverOver6Months"] = json!(1000);
    ok["amountToRecoverOver12Months"] = json!(500);
    ok["amountToRecoverOver24Months"] = json!(250);
    let (status, case) = a.create(&ok).await;
    assert_eq!(status, 200, "{case}");
    // ((500 - 250) * 10 + 250 * 20) / 1250.5
    assert_eq!(case["blendedAgeUpliftPoints"], 6.0);
}

#[tokio::test]
async fn malformed_json_is_a_problem_details_400() {
    let a = start().await;
    let (status, body) = send(
        a.post("/cases")
            .header("Content-Type", "application/json")
            .body("{\"currencyCode\": "),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["status"], 400);
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    let (status, _) = send(
        a.post("/cases")
            .header("Content-Type", "application/json")
            .body("[1]"),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = send(
        a.post("/cases")
            .header("Content-Type", "text/plain")
            .body("{}"),
    )
    .await;
    assert_eq!(
        status, 415,
        "non-JSON content types are refused like ASP.NET does"
    );
}

#[tokio::test]
async fn duplicate_creditor_reference_is_a_422_business_error() {
    let a = start().await;
    let first = a.create_ok("INV-DUP").await;
    let (status, body) = a
        .create(&with(case_body("INV-DUP"), "/amountToRecover", json!(99)))
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["businessErrors"][0]["type"],
        "DuplicateCreditorReference"
    );
    assert_eq!(a.handle().case_count(), 1);
    // The documented recovery: look the existing case up by reference.
    let (status, found) = send(a.get("/cases/by-creditor-reference/INV-DUP")).await;
    assert_eq!(status, 200);
    assert_eq!(found["id"], first["id"]);
}

#[tokio::test]
async fn idempotency_replays_the_stored_response_verbatim() {
    let a = start().await;
    let body = case_body("INV-I");
    let first = send(
        a.post("/cases")
            .header("Idempotency-Key", "k-1")
            .json(&body),
    )
    .await;
    assert_eq!(first.0, 200);
    a.clock.advance(chrono::Duration::seconds(30));
    // Same key, same body: same status and body, no second case.
    let again = send(
        a.post("/cases")
            .header("Idempotency-Key", "k-1")
            .json(&body),
    )
    .await;
    assert_eq!(again, first);
    assert_eq!(a.handle().case_count(), 1);
    // Key order and whitespace do not make a body different.
    let reordered = serde_json::to_string_pretty(&body).expect("json");
    let again = send(
        a.post("/cases")
            .header("Idempotency-Key", "k-1")
            .header("Content-Type", "application/json")
            .body(reordered),
    )
    .await;
    assert_eq!(again, first);
}

#[tokio::test]
async fn idempotency_key_reused_with_another_body_is_a_conflict() {
    let a = start().await;
    let body = case_body("INV-IC");
    assert_eq!(
        send(
            a.post("/cases")
                .header("Idempotency-Key", "k-2")
                .json(&body)
        )
        .await
        .0,
        200
    );
    let changed = with(body, "/amountToRecover", json!(10));
    let (status, err) = send(
        a.post("/cases")
            .header("Idempotency-Key", "k-2")
            .json(&changed),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(err["businessErrors"][0]["type"], "IdempotencyConflict");
    assert_eq!(a.handle().case_count(), 1);
}

#[tokio::test]
async fn idempotency_does_not_store_field_errors_but_stores_business_errors() {
    let a = start().await;
    let bad = with(case_body("INV-IF"), "/currencyCode", json!("XYZ"));
    assert_eq!(
        send(a.post("/cases").header("Idempotency-Key", "k-3").json(&bad))
            .await
            .0,
        400
    );
    // Fixed body, same key: accepted, because the 400 was not stored.
    let (status, _) = send(
        a.post("/cases")
            .header("Idempotency-Key", "k-3")
            .json(&case_body("INV-IF")),
    )
    .await;
    assert_eq!(status, 200);

    // A duplicate (422) is terminal and replayed even after the original is gone.
    let dup = send(
        a.post("/cases")
            .header("Idempotency-Key", "k-4")
            .json(&case_body("INV-IF")),
    )
    .await;
    assert_eq!(dup.0, 422);
    let cleanup = send(a.delete("/test/cases?tag=none")).await;
    assert_eq!(cleanup.0, 204);
    assert_eq!(
        send(
            a.post("/cases")
                .header("Idempotency-Key", "k-4")
                .json(&case_body("INV-IF"))
        )
        .await,
        dup
    );
}

#[tokio::test]
async fn idempotency_key_longer_than_255_characters_is_rejected() {
    let a = start().await;
    let (status, body) = send(
        a.post("/cases")
            .header("Idempotency-Key", "k".repeat(256))
            .json(&case_body("INV-L")),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["businessErrors"][0]["type"], "InvalidIdempotencyKey");
    assert_eq!(a.handle().case_count(), 0);
    let (status, _) = send(
        a.post("/cases")
            .header("Idempotency-Key", "k".repeat(255))
            .json(&case_body("INV-L")),
    )
    .await;
    assert_eq!(status, 200);
    // A blank key is ignored: the duplicate check, not a replay, answers.
    let (status, body) = send(
        a.post("/cases")
            .header("Idempotency-Key", " ")
            .json(&case_body("INV-L")),
    )
    .await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test]
async fn single_case_reads_by_id_creditor_reference_and_case_reference() {
    let a = start().await;
    let case = a.create_ok("INV/with space").await;
    let id = case["id"].as_str().expect("id");
    let (status, by_id) = send(a.get(&format!("/cases/{id}"))).await;
    assert_eq!((status, &by_id), (200, &case));
    let (status, by_ref) = send(a.get("/cases/by-creditor-reference/INV%2Fwith%20space")).await;
    assert_eq!(status, 200);
    assert_eq!(by_ref["id"], case["id"]);
    let reference = case["reference"].as_str().expect("reference");
    let (status, by_case_ref) = send(a.get(&format!("/cases/case-reference/{reference}"))).await;
    assert_eq!(status, 200);
    assert_eq!(by_case_ref["id"], case["id"]);

    assert_eq!(send(a.get("/cases/not-a-guid")).await.0, 400);
    assert_eq!(
        send(a.get(&format!("/cases/{}", uuid::Uuid::nil())))
            .await
            .0,
        404
    );
    assert_eq!(
        send(a.get("/cases/by-creditor-reference/INV-NOPE")).await.0,
        404
    );
    assert_eq!(send(a.get("/cases/by-creditor-reference/%20")).await.0, 400);
    assert_eq!(send(a.get("/cases/case-reference/ZZZZZZZZ")).await.0, 404);
}

#[tokio::test]
async fn unsigned_contracts_reject_unless_pending_is_allowed() {
    let a = common::start_with(casebridge_sandbox::AgencyConfig {
        contracts_signed: false,
        ..common::config()
    })
    .await;
    let (status, body) = a.create(&case_body("INV-K")).await;
    assert_eq!(status, 422);
    let types: Vec<&str> = body["businessErrors"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(
        types,
        ["MissingDebtCollectionContract", "MissingPowerOfAttorney"]
    );
    assert!(body["signingHandoff"]["combinedSigningUrl"].is_string());

    let mut allowed = case_body("INV-K");
    allowed["allowPendingContracts"] = json!(true);
    let (status, case) = a.create(&allowed).await;
    assert_eq!(status, 200, "{case}");
    assert_eq!(case["lifecycle"], "Pending contract signing");
    assert!(case["signingHandoff"]["combinedSigningUrl"].is_string());
}

#[tokio::test]
async fn uncovered_country_is_no_partner_available() {
    let a = common::start_with(casebridge_sandbox::AgencyConfig {
        uncovered_countries: vec!["DE".into()],
        ..common::config()
    })
    .await;
    let (status, body) = a.create(&case_body("INV-N")).await;
    assert_eq!(status, 422);
    assert_eq!(body["businessErrors"][0]["type"], "NoPartnerAvailable");
    assert_eq!(a.handle().case_count(), 0);
}

#[tokio::test]
async fn concurrent_retries_with_one_key_create_exactly_one_case() {
    let a = start().await;
    let body = case_body("INV-RACE");
    let sends = (0..16).map(|_| {
        send(
            a.post("/cases")
                .header("Idempotency-Key", "race")
                .json(&body),
        )
    });
    let answers = futures_join_all(sends).await;
    let first = &answers[0];
    assert_eq!(first.0, 200, "{first:?}");
    assert!(
        answers.iter().all(|a| a == first),
        "every retry sees the same answer"
    );
    assert_eq!(a.handle().case_count(), 1);
}

#[tokio::test]
async fn concurrent_submissions_of_one_reference_create_exactly_one_case() {
    let a = start().await;
    let body = case_body("INV-RACE2");
    let sends = (0..16).map(|_| send(a.post("/cases").json(&body)));
    let answers = futures_join_all(sends).await;
    let created = answers.iter().filter(|(s, _)| *s == 200).count();
    let duplicates = answers
        .iter()
        .filter(|(s, b)| {
            *s == 422 && b["businessErrors"][0]["type"] == "DuplicateCreditorReference"
        })
        .count();
    assert_eq!((created, duplicates), (1, 15));
    assert_eq!(a.handle().case_count(), 1);
}

/// Runs the futures concurrently on the test runtime (no extra crate).
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task completes"));
    }
    out
}

#[tokio::test]
async fn partner_side_payments_show_up_in_the_payment_lists() {
    let a = start().await;
    let case = a.create_ok("INV-PAY").await;
    let id: uuid::Uuid = case["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("uuid");
    let pid = a.handle().record_payment(id, 200.25).expect("case exists");
    let (_, one) = send(a.get(&format!("/Payments/{pid}"))).await;
    assert_eq!(one["grossAmount"], 200.25);
    let (_, after) = send(a.get(&format!("/cases/{id}"))).await;
    assert_eq!(after["remainder"], 1050.25);
    assert!(matches!(
        a.handle().record_payment(uuid::Uuid::nil(), 1.0),
        Err(casebridge_sandbox::SandboxError::UnknownCase { .. })
    ));
}
