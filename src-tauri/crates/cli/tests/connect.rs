//! `casebridge connect` in demo mode, driven like a user would: the link it prints is opened
//! by an HTTP client that clicks the sandbox consent page, the browser comes back to the CLI's
//! loopback listener, and the Zoho organization is picked on stdin.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use casebridge_sandbox::demo::QUICKBOOKS_COMPANIES;

fn connect(data_dir: &std::path::Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_casebridge"))
        .args(["--demo", "connect", "--no-browser", "--timeout", "60"])
        .args(args)
        .env("CASEBRIDGE_DATA_DIR", data_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI starts")
}

/// Lines of the child's stdout, as they come.
fn lines(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn sign_in_link(lines: &mpsc::Receiver<String>) -> String {
    loop {
        let line = lines.recv_timeout(Duration::from_secs(60)).expect("the CLI prints the sign-in link");
        if let Some(url) = line.trim().strip_prefix("http") {
            return format!("http{url}");
        }
    }
}

/// The browser: opens the consent page, allows (QuickBooks: picks `realm`), and follows the
/// redirect back to the CLI's loopback listener.
fn click_consent(link: &str, realm: Option<&str>) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let url = url::Url::parse(link).unwrap();
        let page = http.get(url.clone()).send().await.unwrap();
        assert_eq!(page.status(), 200, "a consent page");
        let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        form.push(("decision".into(), "allow".into()));
        if let Some(realm) = realm {
            form.push(("realmId".into(), realm.into()));
        }
        let mut post = url.clone();
        post.set_query(None);
        let redirect = http.post(post).form(&form).send().await.unwrap();
        assert_eq!(redirect.status(), 302);
        let back = redirect.headers()["location"].to_str().unwrap().to_owned();
        assert!(back.starts_with("http://127.0.0.1:"), "{back}");
        http.get(back).send().await.unwrap();
    });
}

fn rest(lines: &mpsc::Receiver<String>) -> String {
    lines.iter().collect::<Vec<_>>().join("\n")
}

#[test]
fn connect_quickbooks_prints_the_link_waits_and_names_the_company_picked_on_the_consent_page() {
    let dir = tempfile::tempdir().unwrap();
    let (realm, name) = QUICKBOOKS_COMPANIES[1];
    let mut child = connect(dir.path(), &["quickbooks", "--organization", realm]);
    let out = lines(child.stdout.take().unwrap());
    click_consent(&sign_in_link(&out), Some(realm));
    let status = child.wait().unwrap();
    let printed = rest(&out);
    assert!(status.success(), "{printed}");
    assert!(printed.contains(&format!("connected to QuickBooks Online {name} ({realm})")), "{printed}");
}

#[test]
fn connect_zoho_asks_which_organization_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = connect(dir.path(), &["zoho"]);
    let out = lines(child.stdout.take().unwrap());
    click_consent(&sign_in_link(&out), None);
    let mut listing = Vec::new();
    while listing.len() < 3 {
        let line = out.recv_timeout(Duration::from_secs(60)).expect("the organizations are listed");
        if line.trim_start().starts_with("1.") || line.trim_start().starts_with("2.") || line.starts_with("Which") {
            listing.push(line);
        }
    }
    let second = listing.iter().find(|l| l.trim_start().starts_with("2.")).unwrap().clone();
    child.stdin.take().unwrap().write_all(b"2\n").unwrap();
    let status = child.wait().unwrap();
    let printed = rest(&out);
    assert!(status.success(), "{printed}");
    let name = second.trim_start().trim_start_matches("2.").trim().split(" (").next().unwrap().to_owned();
    assert!(printed.contains(&format!("connected to Zoho Books {name}")), "{name}: {printed}");
}

#[test]
fn connect_zoho_without_an_answer_lists_the_organizations_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = connect(dir.path(), &["zoho"]);
    drop(child.stdin.take());
    let out = lines(child.stdout.take().unwrap());
    click_consent(&sign_in_link(&out), None);
    let output = child.wait_with_output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--organization"), "{stderr}");
}
