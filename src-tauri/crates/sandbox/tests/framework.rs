//! The fake framework: fault kinds, control endpoints, stats, binding and
//! shutdown, exercised through the agency fake.

mod common;

use std::time::{Duration, Instant};

use casebridge_sandbox::faults::{Seconds, ServerErrorStatus};
use casebridge_sandbox::{FaultKind, FaultPlan, FaultRule, Fraction, Latency};
use common::{case_body, send, start};
use serde_json::{json, Value};

fn rate_limit(secs: f64, header: bool) -> FaultKind {
    FaultKind::RateLimit {
        retry_after_secs: Seconds::try_from(secs).expect("valid seconds"),
        retry_after_header: header,
    }
}

fn server_error(code: u16) -> FaultKind {
    FaultKind::ServerError {
        status: ServerErrorStatus::try_from(code).expect("5xx"),
    }
}

#[tokio::test]
async fn injected_429_uses_the_agency_body_and_optional_header() {
    let a = start().await;
    a.handle().control().set_faults(FaultPlan {
        rules: vec![
            FaultRule::next(1, rate_limit(2.5, true)),
            FaultRule::next(1, rate_limit(7.0, false)),
        ],
        ..FaultPlan::default()
    });
    let resp = a.get("/me").send().await.expect("send");
    assert_eq!(resp.status(), 429);
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("3")
    );
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["error"], "rate_limit_exceeded");
    assert_eq!(body["retryAfter"], 2.5);

    let resp = a.get("/me").send().await.expect("send");
    assert_eq!(resp.status(), 429);
    assert!(resp.headers().get("retry-after").is_none());

    assert_eq!(
        a.get("/me").send().await.expect("send").status(),
        200,
        "rules are spent"
    );
    let stats = a.handle().control().stats();
    assert_eq!(stats.faults_injected.get("rateLimit"), Some(&2));
    assert_eq!(stats.status_count(429), 2);
    assert_eq!(stats.rate_limited, 0, "none came from the policy");
}

#[tokio::test]
async fn server_error_burst_then_recovery_and_nothing_is_processed() {
    let a = start().await;
    a.handle().control().set_faults(FaultPlan {
        rules: vec![
            FaultRule::next(1, server_error(500)),
            FaultRule::next(1, server_error(502)),
            FaultRule::next(1, server_error(503)),
        ],
        ..FaultPlan::default()
    });
    let (status, body) = a.create(&case_body("INV-5XX")).await;
    assert_eq!(status, 500);
    assert_eq!(body["businessErrors"][0]["type"], "InternalServerError");
    let resp = a
        .post("/cases")
        .json(&case_body("INV-5XX"))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 502);
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/html"),
        "gateway errors are not JSON"
    );
    assert_eq!(a.create(&case_body("INV-5XX")).await.0, 503);
    assert_eq!(
        a.handle().case_count(),
        0,
        "5xx faults happen before processing"
    );
    assert_eq!(a.create(&case_body("INV-5XX")).await.0, 200);
}

#[tokio::test]
async fn malformed_body_is_truncated_json_after_processing() {
    let a = start().await;
    a.handle()
        .control()
        .set_faults(FaultPlan::rule(FaultRule::next(
            1,
            FaultKind::MalformedBody,
        )));
    let resp = a
        .post("/cases")
        .json(&case_body("INV-M"))
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.expect("body");
    assert!(text.starts_with('{'), "{text}");
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "must not parse: {text}"
    );
    assert_eq!(a.handle().case_count(), 1, "the case was created");
}

#[tokio::test]
async fn accept_then_drop_creates_the_case_but_loses_the_answer() {
    let a = start().await;
    a.handle().control().set_faults(FaultPlan::rule(
        FaultRule::next(1, FaultKind::DropAfterProcessing).on_route("POST /cases"),
    ));
    let body = case_body("INV-DROP");
    let err = a
        .post("/cases")
        .header("Idempotency-Key", "drop-1")
        .json(&body)
        .send()
        .await
        .expect_err("the connection closes without a response");
    assert!(!err.is_timeout(), "closed, not timed out: {err}");
    assert_eq!(a.handle().case_count(), 1, "side effects happened");
    let created = a
        .handle()
        .case_by_creditor_reference("INV-DROP")
        .expect("case stored");

    // The client's safe recovery: retry with the same key → the stored answer.
    let (status, replay) = send(
        a.post("/cases")
            .header("Idempotency-Key", "drop-1")
            .json(&body),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(replay["id"], created["id"]);
    assert_eq!(a.handle().case_count(), 1, "still exactly one case");
    assert_eq!(
        a.handle().control().stats().by_outcome.get("dropped"),
        Some(&1)
    );
}

#[tokio::test]
async fn hang_never_answers_and_processes_nothing() {
    let a = start().await;
    a.handle()
        .control()
        .set_faults(FaultPlan::rule(FaultRule::next(1, FaultKind::Hang)));
    let started = Instant::now();
    let err = a
        .post("/cases")
        .timeout(Duration::from_millis(300))
        .json(&case_body("INV-H"))
        .send()
        .await
        .expect_err("no answer");
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(a.handle().case_count(), 0);
    assert_eq!(
        a.create(&case_body("INV-H")).await.0,
        200,
        "next request is served"
    );
    // Shutdown does not wait for the hung request forever.
    let stopping = Instant::now();
    a.sandbox.shutdown().await;
    assert!(stopping.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn latency_is_added_before_the_request_is_handled() {
    let a = start().await;
    a.handle().control().set_faults(FaultPlan {
        latency: Some(Latency {
            fixed_ms: 200,
            jitter_ms: 50,
        }),
        ..FaultPlan::default()
    });
    let started = Instant::now();
    assert_eq!(send(a.get("/me")).await.0, 200);
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn fractional_faults_repeat_exactly_for_the_same_seed() {
    async fn statuses(seed: u64) -> Vec<u16> {
        let a = start().await;
        a.handle().control().set_faults(FaultPlan {
            seed,
            rules: vec![FaultRule::fraction(
                Fraction::try_from(0.5).expect("valid"),
                server_error(503),
            )],
            ..FaultPlan::default()
        });
        let mut out = Vec::new();
        for _ in 0..40 {
            out.push(send(a.get("/me")).await.0);
        }
        out
    }
    let first = statuses(9).await;
    assert_eq!(first, statuses(9).await);
    assert_ne!(first, statuses(10).await);
    let failures = first.iter().filter(|s| **s == 503).count();
    assert!((8..=32).contains(&failures), "about half of 40: {failures}");
}

#[tokio::test]
async fn control_endpoints_set_inspect_and_clear_faults_over_http() {
    let a = start().await;
    let http = reqwest::Client::new();
    let control = format!("{}/__sandbox", a.url);
    let plan = json!({
        "seed": 3,
        "rules": [{
            "fault": {"kind": "serverError", "status": 503},
            "trigger": {"next": 2},
            "route": "GET /me"
        }]
    });
    let (status, echoed) = send(http.post(format!("{control}/faults")).json(&plan)).await;
    assert_eq!(status, 200);
    assert_eq!(echoed, plan);
    assert_eq!(send(a.get("/cases")).await.0, 200, "other routes untouched");
    assert_eq!(send(a.get("/me")).await.0, 503);
    let (_, now) = send(http.get(format!("{control}/faults"))).await;
    assert_eq!(
        now["rules"][0]["trigger"],
        json!({"next": 1}),
        "countdown visible"
    );

    let (status, err) = send(
        http.post(format!("{control}/faults"))
            .json(&json!({"rules": [{"fault": {"kind": "serverError", "status": 404}, "trigger": {"next": 1}}]})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        err["message"].as_str().is_some_and(|m| m.contains("5xx")),
        "{err}"
    );

    let rule =
        json!({"fault": {"kind": "rateLimit", "retryAfterSecs": 1.0}, "trigger": {"next": 1}});
    let (status, plan) = send(http.post(format!("{control}/faults/rules")).json(&rule)).await;
    assert_eq!(status, 200);
    assert_eq!(plan["rules"].as_array().map(Vec::len), Some(2));

    assert_eq!(send(http.delete(format!("{control}/faults"))).await.0, 204);
    assert_eq!(send(a.get("/me")).await.0, 200, "cleared");
    // Control routes need no API key and are not counted or rate limited.
    let (status, stats) = send(http.get(format!("{control}/stats"))).await;
    assert_eq!(status, 200);
    assert_eq!(stats["byRoute"]["GET /me"], 2);
    assert_eq!(stats["byRoute"]["GET /cases"], 1);
    assert_eq!(stats["byOutcome"]["503"], 1);
    assert_eq!(stats["faultsInjected"]["serverError"], 1);
    assert_eq!(stats["totalRequests"], 3);
}

#[tokio::test]
async fn reset_forgets_cases_faults_and_stats() {
    let a = start().await;
    a.create_ok("INV-R").await;
    a.handle().control().add_fault(FaultRule::fraction(
        Fraction::try_from(1.0).expect("valid"),
        FaultKind::Hang,
    ));
    let (status, _) = send(reqwest::Client::new().post(format!("{}/__sandbox/reset", a.url))).await;
    assert_eq!(status, 204);
    assert_eq!(a.handle().case_count(), 0);
    assert_eq!(a.handle().control().faults(), FaultPlan::default());
    assert_eq!(a.handle().control().stats().total_requests, 0);
    assert_eq!(
        a.create(&case_body("INV-R")).await.0,
        200,
        "reference is free again"
    );
}

#[tokio::test]
async fn stats_count_routes_and_the_busiest_window() {
    let a = start().await;
    for _ in 0..3 {
        assert_eq!(send(a.get("/me")).await.0, 200);
    }
    a.clock.advance(chrono::Duration::seconds(61));
    assert_eq!(send(a.get("/cases")).await.0, 200);
    assert_eq!(send(a.get("/nowhere")).await.0, 404);
    let stats = a.handle().control().stats();
    assert_eq!(stats.route_count("GET /me"), 3);
    assert_eq!(stats.route_count("GET /cases"), 1);
    assert_eq!(stats.route_count("GET (unmatched)"), 1);
    assert_eq!(stats.max_in_any_minute, 3);
    assert_eq!(stats.max_in_window(chrono::Duration::seconds(62)), 5);
    assert_eq!(stats.per_minute.len(), 2);
    assert_eq!(stats.per_second.iter().map(|(_, n)| n).sum::<u64>(), 5);
}

#[tokio::test]
async fn fakes_listen_on_loopback_only() {
    let a = start().await;
    for fake in a.sandbox.fakes() {
        assert_eq!(fake.addr().ip(), std::net::Ipv4Addr::LOCALHOST);
        assert!(fake.url().starts_with("http://127.0.0.1:"));
    }
    // Find this machine's non-loopback address without sending anything
    // (connecting a UDP socket only picks a route).
    let probe = std::net::UdpSocket::bind("0.0.0.0:0").expect("udp socket");
    let Ok(()) = probe.connect("10.255.255.255:9") else {
        return; // no route off this machine: nothing else to check
    };
    let ip = probe.local_addr().expect("local addr").ip();
    if ip.is_loopback() || ip.is_unspecified() {
        return;
    }
    let port = a.sandbox.fakes().next().expect("a fake").addr().port();
    let reached = tokio::time::timeout(
        Duration::from_secs(2),
        tokio::net::TcpStream::connect((ip, port)),
    )
    .await;
    assert!(
        !matches!(reached, Ok(Ok(_))),
        "the fake must not be reachable on {ip}:{port}"
    );
}

#[tokio::test]
async fn urls_serialise_for_scripts_and_shutdown_closes_the_port() {
    let a = start().await;
    let urls = a.sandbox.urls();
    assert_eq!(
        serde_json::to_value(&urls).expect("json"),
        json!({ "agency": a.url.clone() })
    );
    let addr = a.sandbox.fakes().next().expect("a fake").addr();
    a.sandbox.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn a_disabled_fake_is_not_started_and_says_so() {
    let sandbox = casebridge_sandbox::Sandbox::start(casebridge_sandbox::SandboxConfig {
        agency: None,
        ..casebridge_sandbox::SandboxConfig::default()
    })
    .await
    .expect("starts");
    assert_eq!(sandbox.urls().agency, None);
    let err = sandbox.agency().expect_err("agency is off");
    let report = err.report();
    assert_eq!(report.code, "sandbox_fake_not_enabled");
    assert!(report.message.contains("agency"), "{report:?}");
    assert!(!report.hint.is_empty());
    sandbox.shutdown().await;
}

#[tokio::test]
async fn an_agency_without_keys_is_rejected_at_start() {
    let err = casebridge_sandbox::Sandbox::start(casebridge_sandbox::SandboxConfig {
        agency: Some(casebridge_sandbox::AgencyConfig {
            api_keys: Vec::new(),
            ..casebridge_sandbox::AgencyConfig::default()
        }),
        ..casebridge_sandbox::SandboxConfig::default()
    })
    .await
    .expect_err("no key could ever authenticate");
    assert_eq!(err.code(), "sandbox_invalid_config");
}
