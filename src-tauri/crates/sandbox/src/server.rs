//! The building block every fake is made of: an axum `Router` for the
//! provider's API, wrapped in shared fault-injection and stats middleware,
//! plus the `/__sandbox/` control routes, served on its own `127.0.0.1:0`
//! listener.
//!
//! The accept loop is our own (not `axum::serve`) because "accept-then-drop"
//! must close one connection from inside a handler after the request was
//! processed, and shutdown must be able to abort connections that a `Hang`
//! fault keeps open forever.

use std::future::pending;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use crate::clock::SharedClock;
use crate::faults::{FaultKind, FaultPlan, FaultRule, FaultState, Seconds};
use crate::stats::{Outcome, Stats, StatsSnapshot};
use crate::SandboxError;

/// How long a `Hang` fault holds a connection before closing it anyway.
const HANG_LIMIT: Duration = Duration::from_secs(3600);
/// How long shutdown waits for in-flight requests before aborting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);

/// The provider-specific half of a fake: how it signals errors in its own
/// format and how it forgets its data.
pub trait Provider: Send + Sync + 'static {
    /// Short name, as used in [`crate::SandboxUrls`] (e.g. `"agency"`).
    fn name(&self) -> &'static str;
    /// A 429 exactly as this provider sends it.
    fn rate_limited(&self, retry_after: Seconds, with_header: bool) -> Response;
    /// A 5xx exactly as this provider sends it.
    fn server_error(&self, status: StatusCode) -> Response;
    /// Forget all data created since start (`POST /__sandbox/reset`).
    fn reset(&self);
    /// Extra routes under `/__sandbox/` (not rate limited, not faulted).
    fn control_routes(&self) -> Router {
        Router::new()
    }
}

/// When the request reached the fake (sandbox clock), before any injected
/// latency: what a provider's rate limiter counts. A request extension,
/// set for every API request.
#[derive(Debug, Clone, Copy)]
pub struct ArrivedAt(pub chrono::DateTime<chrono::Utc>);

/// Marks a response as a rejection by the fake's own rate-limit policy (as
/// opposed to an injected 429), so stats can count the two apart.
#[derive(Debug, Clone, Copy)]
pub struct PolicyRateLimited;

struct Shared {
    provider: Arc<dyn Provider>,
    faults: Mutex<FaultState>,
    stats: Mutex<Stats>,
    clock: SharedClock,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding these locks cannot leave them half-updated in a
    // way that matters to a fake; keep serving rather than cascade panics.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runtime handle on one fake's faults and stats. Cheap to clone.
#[derive(Clone)]
pub struct FakeControl {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for FakeControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeControl")
            .field("fake", &self.shared.provider.name())
            .finish_non_exhaustive()
    }
}

impl FakeControl {
    /// Replaces the fault plan (and re-seeds its RNG).
    pub fn set_faults(&self, plan: FaultPlan) {
        *lock(&self.shared.faults) = FaultState::new(plan);
    }

    /// Appends one rule to the current plan, keeping its RNG state.
    pub fn add_fault(&self, rule: FaultRule) {
        lock(&self.shared.faults).push(rule);
    }

    /// The current plan, with countdowns as they stand.
    pub fn faults(&self) -> FaultPlan {
        lock(&self.shared.faults).plan().clone()
    }

    pub fn clear_faults(&self) {
        self.set_faults(FaultPlan::default());
    }

    pub fn stats(&self) -> StatsSnapshot {
        lock(&self.shared.stats).snapshot()
    }

    pub fn reset_stats(&self) {
        *lock(&self.shared.stats) = Stats::default();
    }

    /// Clears faults, stats and all data the fake holds.
    pub fn reset(&self) {
        self.clear_faults();
        self.reset_stats();
        self.shared.provider.reset();
    }
}

/// A fake not yet listening.
pub struct FakeServer {
    shared: Arc<Shared>,
    api: Router,
}

impl FakeServer {
    pub fn new(provider: Arc<dyn Provider>, api: Router, clock: SharedClock) -> Self {
        Self {
            shared: Arc::new(Shared {
                provider,
                faults: Mutex::new(FaultState::default()),
                stats: Mutex::new(Stats::default()),
                clock,
            }),
            api,
        }
    }

    pub fn control(&self) -> FakeControl {
        FakeControl {
            shared: self.shared.clone(),
        }
    }

    /// The full app: API behind faults and stats, plus `/__sandbox/`.
    fn into_router(self) -> Router {
        let control =
            control_router(self.shared.clone()).merge(self.shared.provider.control_routes());
        let api = self.api.layer(middleware::from_fn_with_state(
            self.shared,
            faults_and_stats,
        ));
        Router::new().nest("/__sandbox", control).merge(api)
    }

    /// Binds `127.0.0.1:0` and serves until [`RunningFake::shutdown`] (or drop).
    pub async fn start(self) -> Result<RunningFake, SandboxError> {
        let name = self.shared.provider.name();
        let control = self.control();
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|source| SandboxError::Bind { fake: name, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| SandboxError::Bind { fake: name, source })?;
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, self.into_router(), stopped));
        tracing::info!(fake = name, %addr, "sandbox fake listening");
        Ok(RunningFake {
            name,
            addr,
            control,
            stop,
            task: Some(task),
        })
    }
}

/// A fake that is listening.
pub struct RunningFake {
    name: &'static str,
    addr: SocketAddr,
    control: FakeControl,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for RunningFake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningFake")
            .field("name", &self.name)
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningFake {
    pub fn name(&self) -> &'static str {
        self.name
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn control(&self) -> &FakeControl {
        &self.control
    }

    /// Stops accepting, lets in-flight requests finish for a short grace
    /// period, then closes whatever is still open (e.g. hung requests).
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            if let Err(e) = task.await {
                tracing::warn!(fake = self.name, error = %e, "sandbox fake task ended abnormally");
            }
        }
    }
}

impl Drop for RunningFake {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Lets a handler close its own connection without answering.
#[derive(Clone, Default)]
struct ConnKill(Arc<Notify>);

impl ConnKill {
    fn kill(&self) {
        self.0.notify_one();
    }
}

async fn accept_loop(listener: TcpListener, app: Router, mut stopped: watch::Receiver<bool>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    conns.spawn(serve_connection(stream, app.clone(), stopped.clone()));
                }
                Err(e) => {
                    // Typically EMFILE; back off instead of spinning.
                    tracing::warn!(error = %e, "sandbox accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            _ = stopped.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    drop(listener);
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while conns.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        conns.abort_all();
    }
}

async fn serve_connection(stream: TcpStream, app: Router, mut stopped: watch::Receiver<bool>) {
    let kill = ConnKill::default();
    let svc_kill = kill.clone();
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(svc_kill.clone());
        let app = app.clone();
        async move { app.oneshot(req.map(Body::new)).await }
    });
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::pin!(conn);
    let mut stopping = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "sandbox connection ended with an error");
                }
                return;
            }
            // Returning drops `conn`, which closes the socket mid-request.
            _ = kill.0.notified() => return,
            _ = stopped.changed(), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
}

fn route_label(req: &Request) -> String {
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str);
    format!("{} {}", req.method(), path)
}

async fn faults_and_stats(
    State(shared): State<Arc<Shared>>,
    mut req: Request,
    next: Next,
) -> Response {
    let route = route_label(&req);
    let arrived = shared.clock.now();
    lock(&shared.stats).arrived(&route, arrived);
    req.extensions_mut().insert(ArrivedAt(arrived));
    let decision = lock(&shared.faults).decide(&route);
    if !decision.delay.is_zero() {
        tokio::time::sleep(decision.delay).await;
    }
    let kill = req.extensions().get::<ConnKill>().cloned();
    let response = match decision.fault {
        None => next.run(req).await,
        Some(fault) => {
            lock(&shared.stats).fault_injected(fault.name());
            match fault {
                FaultKind::RateLimit {
                    retry_after_secs,
                    retry_after_header,
                } => shared
                    .provider
                    .rate_limited(retry_after_secs, retry_after_header),
                FaultKind::ServerError { status } => {
                    let status = StatusCode::from_u16(status.code())
                        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                    shared.provider.server_error(status)
                }
                FaultKind::MalformedBody => truncate_body(next.run(req).await).await,
                FaultKind::Hang => {
                    tokio::time::sleep(HANG_LIMIT).await;
                    return close_without_answer(&shared, kill).await;
                }
                FaultKind::DropAfterProcessing => {
                    // Side effects happen; only the answer is lost.
                    let _processed = next.run(req).await;
                    return close_without_answer(&shared, kill).await;
                }
            }
        }
    };
    let mut stats = lock(&shared.stats);
    stats.finished(Outcome::Status(response.status().as_u16()));
    if response.extensions().get::<PolicyRateLimited>().is_some() {
        stats.rate_limited_by_policy();
    }
    response
}

async fn close_without_answer(shared: &Shared, kill: Option<ConnKill>) -> Response {
    lock(&shared.stats).finished(Outcome::Dropped);
    if let Some(kill) = kill {
        kill.kill();
    }
    // The connection task drops this future when it closes the socket.
    pending::<Response>().await
}

/// Cuts the body in half (so it is never valid JSON), keeping status and
/// headers except `Content-Length`.
async fn truncate_body(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let cut = if bytes.len() < 2 {
        parts.status = StatusCode::OK;
        Bytes::from_static(b"{\"")
    } else {
        bytes.slice(..bytes.len() / 2)
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(cut))
}

fn control_router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(
            "/faults",
            get(get_faults).post(set_faults).delete(clear_faults),
        )
        .route("/faults/rules", post(add_fault))
        .route("/stats", get(get_stats).delete(reset_stats))
        .route("/reset", post(reset_all))
        .with_state(FakeControl { shared })
}

fn bad_control_request(e: &serde_json::Error) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(serde_json::json!({ "error": "invalid_fault_plan", "message": e.to_string() })),
    )
        .into_response()
}

async fn get_faults(State(c): State<FakeControl>) -> Json<FaultPlan> {
    Json(c.faults())
}

async fn set_faults(State(c): State<FakeControl>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultPlan>(&body) {
        Ok(plan) => {
            c.set_faults(plan);
            Json(c.faults()).into_response()
        }
        Err(e) => bad_control_request(&e),
    }
}

async fn add_fault(State(c): State<FakeControl>, body: Bytes) -> Response {
    match serde_json::from_slice::<FaultRule>(&body) {
        Ok(rule) => {
            c.add_fault(rule);
            Json(c.faults()).into_response()
        }
        Err(e) => bad_control_request(&e),
    }
}

async fn clear_faults(State(c): State<FakeControl>) -> StatusCode {
    c.clear_faults();
    StatusCode::NO_CONTENT
}

async fn get_stats(State(c): State<FakeControl>) -> Json<StatsSnapshot> {
    Json(c.stats())
}

async fn reset_stats(State(c): State<FakeControl>) -> StatusCode {
    c.reset_stats();
    StatusCode::NO_CONTENT
}

async fn reset_all(State(c): State<FakeControl>) -> StatusCode {
    c.reset();
    StatusCode::NO_CONTENT
}
