//! Demo-mode engines signed in to the QuickBooks and Zoho fakes: the authorize URL is followed
//! by an HTTP client acting as the browser, which "clicks" the consent page.

use std::sync::{Arc, Mutex};

use casebridge_engine::api::{BeginConnectRequest, OAuthConnection, OAuthProvider, RunMode};
use casebridge_engine::{AuthError, Browser, Engine, EngineConfig};
use casebridge_store::secrets::SecretStore;
use chrono::Utc;
use url::Url;

use super::TestClock;

/// Records the consent pages the engine asked to open; the test "clicks" them.
#[derive(Default)]
pub struct RecordingBrowser(pub Mutex<Vec<Url>>);

impl Browser for RecordingBrowser {
    fn open(&self, url: &Url) -> Result<(), AuthError> {
        self.0.lock().unwrap().push(url.clone());
        Ok(())
    }
}

/// An engine in demo mode with its own in-process sandbox (every fake).
pub struct Demo {
    pub engine: Engine,
    pub clock: Arc<TestClock>,
    pub secrets: Arc<dyn SecretStore>,
    pub browser: Arc<RecordingBrowser>,
    _dir: tempfile::TempDir,
}

impl Demo {
    /// The base URL of the engine's sandbox fake named `name` (as `info().sandbox` lists it).
    pub fn fake_url(&self, name: &str) -> String {
        self.engine
            .info()
            .sandbox
            .into_iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("no sandbox fake named {name}"))
            .url
    }
}

pub async fn demo() -> Demo {
    let dir = tempfile::tempdir().unwrap();
    let config = EngineConfig {
        data_dir: dir.path().to_path_buf(),
        mode: RunMode::Demo,
        demo_agency_url: None,
        demo_stripe_url: None,
    };
    let clock = Arc::new(TestClock(Mutex::new(Utc::now())));
    let secrets = super::secrets();
    let engine = Engine::start_with(config, clock.clone(), secrets.clone()).await.unwrap();
    let browser = Arc::new(RecordingBrowser::default());
    engine.set_browser(browser.clone());
    Demo { engine, clock, secrets, browser, _dir: dir }
}

/// An HTTP client that does not follow redirects (the test looks at each).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// The browser on the consent page: submits the form (`decision`, and for QuickBooks the
/// company) and returns where the provider redirects to.
pub async fn consent(authorize_url: &str, decision: &str, realm_id: Option<&str>) -> String {
    let url = Url::parse(authorize_url).unwrap();
    let page = http().get(url.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200, "demo mode shows a consent page");
    let html = page.text().await.unwrap();
    let mut form: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    form.push(("decision".into(), decision.into()));
    if let Some(realm) = realm_id {
        assert!(html.contains(realm), "the page offers company {realm}");
        form.push(("realmId".into(), realm.into()));
    }
    let mut post = url.clone();
    post.set_query(None);
    let answer = http().post(post).form(&form).send().await.unwrap();
    assert_eq!(answer.status(), 302, "{}", answer.text().await.unwrap_or_default());
    answer.headers()["location"].to_str().unwrap().to_owned()
}

/// The browser arriving at the loopback listener.
pub async fn return_to_app(location: &str) {
    let page = http().get(location).send().await.unwrap();
    assert!(page.status().is_success() || page.status() == 400, "{}", page.status());
}

pub fn begin(provider: OAuthProvider) -> BeginConnectRequest {
    BeginConnectRequest { provider, timeout_secs: Some(30) }
}

/// Signs in to QuickBooks and picks company `realm`.
pub async fn connect_quickbooks(d: &Demo, realm: &str) {
    let started = d.engine.begin_oauth_connect(begin(OAuthProvider::Quickbooks)).await.unwrap();
    let location = consent(&started.authorize_url, "allow", Some(realm)).await;
    return_to_app(&location).await;
    d.engine.finish_oauth_connect().await.unwrap();
}

/// Signs in to Zoho (the organization is chosen afterwards).
pub async fn connect_zoho(d: &Demo) -> OAuthConnection {
    let started = d.engine.begin_oauth_connect(begin(OAuthProvider::Zoho)).await.unwrap();
    let location = consent(&started.authorize_url, "allow", None).await;
    return_to_app(&location).await;
    d.engine.finish_oauth_connect().await.unwrap()
}
