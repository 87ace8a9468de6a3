//! The agency fake's list endpoints, files, payments, test driver, rate
//! limits and accelerated lifecycle.

mod common;

use std::time::Duration;

use casebridge_sandbox::agency::{FixedWindow, Lifecycle, Progression, RateLimits, SlidingWindow};
use common::{case_body, send, start, start_with, with, Agency, KEY, OTHER_KEY};
use serde_json::{json, Value};

fn ids(list: &Value) -> Vec<String> {
    list["cases"]
        .as_array()
        .expect("cases array")
        .iter()
        .map(|c| {
            c["creditorReference"]
                .as_str()
                .expect("reference")
                .to_owned()
        })
        .collect()
}

async fn create_n(a: &Agency, n: usize) -> Vec<Value> {
    let mut out = Vec::new();
    for i in 0..n {
        let body = with(
            case_body(&format!("INV-{i:02}")),
            "/amountToRecover",
            json!(100 + i),
        );
        let (status, case) = a.create(&body).await;
        assert_eq!(status, 200, "{case}");
        out.push(case);
        a.clock.advance(chrono::Duration::seconds(1));
    }
    out
}

#[tokio::test]
async fn list_defaults_to_ten_newest_first_with_page_metadata() {
    let a = start().await;
    create_n(&a, 12).await;
    let (status, list) = send(a.get("/cases")).await;
    assert_eq!(status, 200);
    assert_eq!(
        list["page"],
        json!({ "totalResults": 12, "pageSize": 10, "currentPage": 1, "responseCount": 10, "totalPages": 2 })
    );
    assert_eq!(ids(&list)[0], "INV-11");
    let (_, page2) = send(a.get("/cases?Page=2")).await;
    assert_eq!(ids(&page2), ["INV-01", "INV-00"]);
    assert_eq!(page2["page"]["responseCount"], 2);
    let (_, beyond) = send(a.get("/cases?Page=5&PageSize=5")).await;
    assert_eq!(beyond["cases"], json!([]));
    assert_eq!(beyond["page"]["totalPages"], 3);
}

#[tokio::test]
async fn page_size_above_100_or_below_1_is_a_400() {
    let a = start().await;
    // Page is an int32 on the server: 2^31 does not bind.
    for q in [
        "PageSize=101",
        "PageSize=0",
        "Page=0",
        "Page=abc",
        "Page=2147483648",
        "PageSize=",
        "Page=x&Page=2",
    ] {
        let (status, body) = send(a.get(&format!("/cases?{q}"))).await;
        assert_eq!(status, 400, "{q}: {body}");
        assert_eq!(body["businessErrors"][0]["type"], "InvalidPagination");
    }
    assert_eq!(
        send(a.get("/cases?pagesize=100")).await.0,
        200,
        "names are case-insensitive"
    );
}

#[tokio::test]
async fn sort_by_amount_and_unknown_fields_are_ignored() {
    let a = start().await;
    create_n(&a, 3).await;
    let (_, asc) = send(a.get("/cases?Sort=Bogus:desc,GrossAmount:asc")).await;
    assert_eq!(ids(&asc), ["INV-00", "INV-01", "INV-02"]);
    let (_, desc) = send(a.get("/cases?Sort=grossamount:DESC")).await;
    assert_eq!(ids(&desc), ["INV-02", "INV-01", "INV-00"]);
    let (_, oldest) = send(a.get("/cases?Sort=DateCreated:asc")).await;
    assert_eq!(ids(&oldest), ["INV-00", "INV-01", "INV-02"]);
}

#[tokio::test]
async fn statuses_filter_takes_names_and_labels_case_insensitively() {
    let a = start().await;
    let cases = create_n(&a, 3).await;
    let active_id: uuid::Uuid = cases[1]["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("uuid");
    a.handle()
        .set_lifecycle(active_id, Lifecycle::Active)
        .expect("case exists");
    for q in [
        "Statuses=Active",
        "statuses=active",
        "Statuses=ACTIVE,Closed",
        "Statuses=Active&Statuses=Closed",
    ] {
        let (status, list) = send(a.get(&format!("/cases?{q}"))).await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(ids(&list), ["INV-01"], "{q}");
    }
    for q in [
        "Statuses=PendingVerification",
        "Statuses=pending%20verification",
    ] {
        let (_, list) = send(a.get(&format!("/cases?{q}"))).await;
        assert_eq!(ids(&list), ["INV-02", "INV-00"], "{q}");
    }
    let (status, body) = send(a.get("/cases?Statuses=Sleeping")).await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test]
async fn ids_filter_accepts_repeated_and_comma_separated_guids() {
    let a = start().await;
    let cases = create_n(&a, 3).await;
    let (id0, id2) = (
        cases[0]["id"].as_str().expect("id"),
        cases[2]["id"].as_str().expect("id"),
    );
    let (_, list) = send(a.get(&format!("/cases?Ids={id0},{id2}"))).await;
    assert_eq!(ids(&list), ["INV-02", "INV-00"]);
    let (_, list) = send(a.get(&format!("/cases?Ids={id0}&Ids={id2}"))).await;
    assert_eq!(ids(&list), ["INV-02", "INV-00"]);
    for bad in [
        "Ids=nope",
        "Ids=",
        "DivisionIds=&DivisionIds=",
        "DebtorIds=x",
    ] {
        assert_eq!(send(a.get(&format!("/cases?{bad}"))).await.0, 400, "{bad}");
    }
    assert_eq!(send(a.get("/cases?Statuses=")).await.0, 400, "empty status");
}

async fn upload(
    a: &Agency,
    case_id: &str,
    name: &str,
    bytes: Vec<u8>,
    doc_type: Option<&str>,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new().part(
        "File",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    if let Some(t) = doc_type {
        form = form.text("DocumentType", t.to_owned());
    }
    form = form.text("Description", "Invoice PDF");
    send(a.post(&format!("/cases/{case_id}/files")).multipart(form)).await
}

#[tokio::test]
async fn files_upload_list_and_download() {
    let a = start().await;
    let case = a.create_ok("INV-F").await;
    let id = case["id"].as_str().expect("id");
    let (status, file) = upload(&a, id, "invoice.PDF", b"%PDF-1.7 fake".to_vec(), None).await;
    assert_eq!(status, 200, "{file}");
    assert_eq!(file["documentType"], "OriginalInvoice");
    assert_eq!(file["caseId"], case["id"]);
    assert_eq!(file["fileName"], "invoice.PDF");
    assert_eq!(file["description"], "Invoice PDF");
    let (status, file2) = upload(&a, id, "letter.png", vec![1, 2, 3], Some("demandletter")).await;
    assert_eq!(status, 200, "{file2}");
    assert_eq!(file2["documentType"], "DemandLetter");

    let (status, files) = send(a.get(&format!("/cases/{id}/files"))).await;
    assert_eq!(status, 200);
    assert_eq!(files.as_array().map(Vec::len), Some(2));

    let url = file["url"].as_str().expect("url");
    assert!(url.starts_with(&a.url), "{url}");
    let bytes = reqwest::get(url)
        .await
        .expect("download")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(&bytes[..], b"%PDF-1.7 fake");
}

#[tokio::test]
async fn files_reject_wrong_type_size_document_type_and_unknown_case() {
    let a = start_with(casebridge_sandbox::AgencyConfig {
        max_upload_bytes: 1024,
        ..common::config()
    })
    .await;
    let id = a.create_ok("INV-FX").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, body) = upload(&a, &id, "photo.gif", vec![1], None).await;
    assert_eq!(
        status, 415,
        "gif is in the spec's list but not the docs': refused: {body}"
    );
    let (status, _) = upload(&a, &id, "no-extension", vec![1], None).await;
    assert_eq!(status, 415);
    let (status, body) = upload(&a, &id, "big.pdf", vec![0; 1025], None).await;
    assert_eq!(status, 413, "{body}");
    let (status, _) = upload(&a, &id, "exact.pdf", vec![0; 1024], None).await;
    assert_eq!(status, 200, "exactly the limit is fine");
    let (status, body) = upload(&a, &id, "a.pdf", vec![1], Some("Selfie")).await;
    assert_eq!(status, 400);
    assert_eq!(body["businessErrors"][0]["type"], "InvalidDocumentType");
    let (status, _) = upload(&a, &uuid::Uuid::nil().to_string(), "a.pdf", vec![1], None).await;
    assert_eq!(status, 404);
    let (status, body) = send(
        a.post(&format!("/cases/{id}/files"))
            .multipart(reqwest::multipart::Form::new().text("Description", "no file")),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["businessErrors"][0]["type"], "MissingFile");
}

#[tokio::test]
async fn the_real_25_mb_limit_answers_413_not_a_dropped_connection() {
    let a = start().await;
    let id = a.create_ok("INV-25").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, body) = upload(&a, &id, "huge.pdf", vec![0; 25 * 1024 * 1024 + 1], None).await;
    assert_eq!(status, 413);
    assert_eq!(body["businessErrors"][0]["type"], "FileTooLarge");
}

#[tokio::test]
async fn test_driver_advances_pays_closes_and_guards() {
    let a = start().await;
    let case = a.create_ok("INV-A").await;
    let id = case["id"].as_str().expect("id");
    let advance = |body: Value| send(a.post(&format!("/test/cases/{id}/advance")).json(&body));

    assert_eq!(
        advance(json!({"to": "Active"})).await,
        (200, json!({"advanced": true, "state": "Active"}))
    );
    assert_eq!(
        advance(json!({"to": "Active"})).await,
        (200, json!({"advanced": false, "state": "Active"}))
    );
    let (status, body) = advance(json!({"to": "Closed:Paid"})).await;
    assert_eq!(status, 400, "amount is required for Closed:Paid: {body}");
    assert_eq!(advance(json!({"to": "Sideways"})).await.0, 400);
    assert_eq!(
        advance(json!({"to": "Closed:Paid", "amount": 1000.0})).await,
        (200, json!({"advanced": true, "state": "Closed:Paid"}))
    );
    assert_eq!(
        advance(json!({"to": "Closed:Paid", "amount": 1000.0})).await,
        (200, json!({"advanced": false, "state": "Closed:Paid"}))
    );
    assert_eq!(
        advance(json!({"to": "Closed:NoPayment"})).await.0,
        400,
        "conflicting close"
    );

    let (_, after) = send(a.get(&format!("/cases/{id}"))).await;
    assert_eq!(after["lifecycle"], "Closed");
    assert_eq!(after["closeCode"], "Paid");
    assert_eq!(after["remainder"], 250.5);
    assert!(after["dateFinished"].is_string());

    let (status, payments) = send(a.get(&format!("/cases/{id}/payments"))).await;
    assert_eq!(status, 200);
    assert_eq!(payments[0]["grossAmount"], 1000.0);
    assert_eq!(payments[0]["currency"], "EUR");
    assert_eq!(payments[0]["invoice"]["invoiceId"], case["id"]);
    assert_eq!(payments[0]["invoice"]["status"], "Closed");

    let pid = payments[0]["id"].as_str().expect("payment id");
    let (status, one) = send(a.get(&format!("/Payments/{pid}"))).await;
    assert_eq!((status, &one), (200, &payments[0]));
    let (status, page) = send(a.get("/Payments")).await;
    assert_eq!(status, 200);
    assert_eq!(page["page"]["totalResults"], 1);
    assert_eq!(page["payments"][0], payments[0]);
    assert_eq!(
        send(a.get(&format!("/Payments/{}", uuid::Uuid::nil())))
            .await
            .0,
        404
    );
    assert_eq!(
        send(a.get("/payments")).await.0,
        404,
        "only the spec's casing is served"
    );
}

#[tokio::test]
async fn no_payment_close_uses_the_documented_close_code() {
    let a = start().await;
    let id = a.create_ok("INV-NP").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, body) = send(
        a.post(&format!("/test/cases/{id}/advance"))
            .json(&json!({"to": "Closed:NoPayment"})),
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"advanced": true, "state": "Closed:NoPayment"}))
    );
    let (_, case) = send(a.get(&format!("/cases/{id}"))).await;
    assert_eq!(case["closeCode"], "Pre-Legal Exhausted \u{2013} No Payment");
}

#[tokio::test]
async fn production_cases_cannot_be_advanced_or_deleted() {
    let a = start().await;
    let body = with(case_body("INV-PROD"), "/isTest", json!(false));
    let mut body = body;
    body["tag"] = json!("run-1");
    let (_, case) = a.create(&body).await;
    let id = case["id"].as_str().expect("id");
    assert_eq!(
        send(
            a.post(&format!("/test/cases/{id}/advance"))
                .json(&json!({"to": "Active"}))
        )
        .await
        .0,
        400
    );
    assert_eq!(send(a.delete(&format!("/test/cases/{id}"))).await.0, 400);
    assert_eq!(send(a.delete("/test/cases?tag=run-1")).await.0, 400);
    assert_eq!(a.handle().case_count(), 1, "nothing was deleted");
}

#[tokio::test]
async fn delete_by_tag_removes_only_that_runs_test_cases_and_frees_references() {
    let a = start().await;
    for (r, tag) in [("A", "run-1"), ("B", "run-1"), ("C", "run-2")] {
        let mut body = case_body(r);
        body["tag"] = json!(tag);
        assert_eq!(a.create(&body).await.0, 200);
    }
    assert_eq!(
        send(a.delete("/test/cases")).await.0,
        400,
        "tag is required"
    );
    assert_eq!(send(a.delete("/test/cases?tag=run-1")).await.0, 204);
    assert_eq!(
        send(a.delete("/test/cases?tag=run-1")).await.0,
        204,
        "idempotent"
    );
    assert_eq!(a.handle().case_count(), 1);
    assert_eq!(send(a.get("/cases/by-creditor-reference/A")).await.0, 404);
    assert_eq!(
        a.create(&case_body("A")).await.0,
        200,
        "reference free again"
    );

    let id = a.create_ok("D").await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(send(a.delete(&format!("/test/cases/{id}"))).await.0, 204);
    assert_eq!(
        send(a.delete(&format!("/test/cases/{id}"))).await.0,
        204,
        "already deleted"
    );
    assert_eq!(send(a.get(&format!("/cases/{id}"))).await.0, 404);
    assert_eq!(
        send(a.delete(&format!("/test/cases/{}", uuid::Uuid::nil())))
            .await
            .0,
        404
    );
}

fn scaled_limits() -> RateLimits {
    RateLimits {
        sliding: SlidingWindow {
            limit: 5,
            window: Duration::from_secs(60),
            segments: 6,
        },
        hourly: FixedWindow {
            limit: 8,
            window: Duration::from_secs(3600),
        },
        daily: FixedWindow {
            limit: 10,
            window: Duration::from_secs(86_400),
        },
        retry_after_header: true,
    }
}

#[tokio::test]
async fn rate_limits_per_key_sliding_minute_then_hour_then_day() {
    let a = start_with(casebridge_sandbox::AgencyConfig {
        rate_limits: scaled_limits(),
        ..common::config()
    })
    .await;
    let me = |key: &'static str| {
        let a = &a;
        async move {
            let resp = a
                .http
                .get(format!("{}/me", a.url))
                .header("XApiKey", key)
                .send()
                .await
                .expect("send");
            let header = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let status = resp.status().as_u16();
            (status, header, resp.json::<Value>().await.expect("json"))
        }
    };
    for _ in 0..5 {
        assert_eq!(me(KEY).await.0, 200);
    }
    let (status, header, body) = me(KEY).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"], "rate_limit_exceeded");
    assert!(body["message"]
        .as_str()
        .is_some_and(|m| m.starts_with("Too many requests.")));
    assert_eq!(
        body["retryAfter"], 60.0,
        "all five were in the first 10-s segment"
    );
    assert_eq!(header.as_deref(), Some("60"));
    assert_eq!(
        me(OTHER_KEY).await.0,
        200,
        "the other key has its own bucket"
    );

    // After the window slides, three more fit before the hourly limit (8).
    a.clock.advance(chrono::Duration::seconds(60));
    for _ in 0..3 {
        assert_eq!(me(KEY).await.0, 200);
    }
    let (status, _, body) = me(KEY).await;
    assert_eq!(status, 429);
    assert_eq!(body["retryAfter"], 3540.0, "until the top of the hour");

    // Next hour: two more reach the daily limit (10).
    a.clock.advance(chrono::Duration::seconds(3540));
    assert_eq!(me(KEY).await.0, 200);
    assert_eq!(me(KEY).await.0, 200);
    let (status, _, body) = me(KEY).await;
    assert_eq!(status, 429);
    assert_eq!(
        body["retryAfter"],
        11.0 * 3600.0,
        "from 13:00 until midnight UTC"
    );

    let stats = a.handle().control().stats();
    assert_eq!(
        stats.rate_limited, 3,
        "policy 429s are counted apart from injected ones"
    );
    assert_eq!(stats.status_count(429), 3);
    assert_eq!(stats.faults_injected.get("rateLimit"), None);
}

#[tokio::test]
async fn unauthenticated_calls_share_one_bucket_and_are_limited_before_auth() {
    let a = start_with(casebridge_sandbox::AgencyConfig {
        rate_limits: scaled_limits(),
        ..common::config()
    })
    .await;
    for key in ["a", "b", "c", "d", "e"] {
        let (status, _) = send(a.http.get(format!("{}/me", a.url)).header("XApiKey", key)).await;
        assert_eq!(status, 401);
    }
    let (status, _) = send(a.http.get(format!("{}/me", a.url))).await;
    assert_eq!(status, 429);
    assert_eq!(send(a.get("/me")).await.0, 200, "a valid key is unaffected");
}

#[tokio::test]
async fn accelerated_time_moves_cases_and_records_payments_deterministically() {
    async fn run() -> Vec<Value> {
        let a = start_with(casebridge_sandbox::AgencyConfig {
            progression: Some(Progression {
                time_scale: 86_400.0,
                include_test_cases: true,
            }),
            ..common::config()
        })
        .await;
        for i in 0..20 {
            a.create_ok(&format!("P-{i}")).await;
        }
        // 200 real seconds = 200 simulated days: every story has ended or is long-running.
        a.clock.advance(chrono::Duration::seconds(200));
        a.handle().cases()
    }
    let cases = run().await;
    let lifecycles: Vec<&str> = cases
        .iter()
        .filter_map(|c| c["lifecycle"].as_str())
        .collect();
    assert!(
        lifecycles.iter().all(|l| *l == "Active" || *l == "Closed"),
        "{lifecycles:?}"
    );
    let closed = cases.iter().filter(|c| c["lifecycle"] == "Closed").count();
    assert!(
        closed >= 10,
        "most stories end within 200 days: {closed}/20"
    );
    for c in &cases {
        assert!(
            c["dateCollectionStarted"].is_string(),
            "every case got a partner"
        );
        if c["closeCode"] == "Paid" {
            assert_eq!(c["remainder"], 0.0, "{c}");
        }
    }
    assert!(cases.iter().any(|c| c["closeCode"] == "Paid"));
    assert_eq!(run().await, cases, "same seed, same story");
}

#[tokio::test]
async fn without_progression_cases_stay_put() {
    let a = start().await;
    a.create_ok("STILL").await;
    a.clock.advance(chrono::Duration::days(400));
    assert_eq!(a.handle().cases()[0]["lifecycle"], "Pending Verification");
}
