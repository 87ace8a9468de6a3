//! Fake of the Debitura Customer API (see `shared/reference/debitura.md` and
//! the published OpenAPI spec). It validates raw JSON like the server does
//! and answers in the spec's shapes; it shares no types with the client
//! crate, so the two meet only at the wire.

mod api;
mod iso;
mod model;
mod progression;
mod ratelimit;
mod state;
mod validate;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use uuid::Uuid;

pub use model::Lifecycle;
pub use progression::Progression;
pub use ratelimit::{FixedWindow, RateLimits, SlidingWindow};

use crate::clock::SharedClock;
use crate::faults::Seconds;
use crate::server::{FakeControl, FakeServer, Provider};
use crate::SandboxError;
use state::AgencyState;

/// An API key the fake accepts. Debug output never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

/// What `GET /me` returns and cases embed as `creditor`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreditorProfile {
    pub id: Uuid,
    pub company_name: String,
    pub company_registration_number: String,
    pub address: String,
    pub zip_code: String,
    pub city: String,
    pub country: String,
    pub office_email: String,
    pub office_phone: String,
}

impl Default for CreditorProfile {
    fn default() -> Self {
        Self {
            id: Uuid::from_u128(0x5a4d_b0c5_0000_4000_8000_0000_0000_0001),
            company_name: "Casebridge Sandbox ApS".into(),
            company_registration_number: "DK00000000".into(),
            address: "Sandkassevej 1".into(),
            zip_code: "2100".into(),
            city: "Copenhagen".into(),
            country: "Denmark".into(),
            office_email: "finance@sandbox.example".into(),
            office_phone: "+45 00 00 00 00".into(),
        }
    }
}

impl CreditorProfile {
    fn to_me_json(&self) -> Value {
        json!({
            "id": self.id,
            "companyName": self.company_name,
            "companyRegistrationNumber": self.company_registration_number,
            "address": self.address,
            "zipCode": self.zip_code,
            "city": self.city,
            "state": Value::Null,
            "country": self.country,
            "officeEmail": self.office_email,
            "officePhone": self.office_phone,
        })
    }

    fn to_case_json(&self) -> Value {
        json!({
            "id": self.id,
            "companyName": self.company_name,
            "companyRegistrationNumber": self.company_registration_number,
            "officeEmail": self.office_email,
            "officePhone": self.office_phone,
            "address": self.address,
            "city": self.city,
            "zipCode": self.zip_code,
            "state": Value::Null,
            "country": self.country,
        })
    }
}

/// How the agency fake behaves.
#[derive(Debug, Clone)]
pub struct AgencyConfig {
    /// Keys accepted in the `XApiKey` header; all belong to one creditor.
    pub api_keys: Vec<ApiKey>,
    pub creditor: CreditorProfile,
    pub rate_limits: RateLimits,
    /// `None` = cases stay where they are until the test drives them.
    pub progression: Option<Progression>,
    /// Upload size limit (25 MB on the real API).
    pub max_upload_bytes: usize,
    /// `false` = the creditor has not signed SDCA/PoA: `POST /cases` answers
    /// 422 `MissingDebtCollectionContract` unless `allowPendingContracts`.
    pub contracts_signed: bool,
    /// Debtor countries (alpha-2) no partner covers: 422 `NoPartnerAvailable`.
    pub uncovered_countries: Vec<String>,
}

impl Default for AgencyConfig {
    fn default() -> Self {
        Self {
            api_keys: vec![ApiKey::new(crate::demo::AGENCY_API_KEY)],
            creditor: CreditorProfile::default(),
            rate_limits: RateLimits::default(),
            progression: None,
            max_upload_bytes: 25 * 1024 * 1024,
            contracts_signed: true,
            uncovered_countries: Vec::new(),
        }
    }
}

/// Runtime handle on the agency fake: faults/stats plus its data, for
/// assertions and for playing the collection partner's part.
#[derive(Clone)]
pub struct AgencyHandle {
    control: FakeControl,
    state: Arc<AgencyState>,
}

impl std::fmt::Debug for AgencyHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgencyHandle").finish_non_exhaustive()
    }
}

impl AgencyHandle {
    pub fn control(&self) -> &FakeControl {
        &self.control
    }

    pub fn case_count(&self) -> usize {
        self.state.lock().cases.len()
    }

    /// Every case as `InvoiceDto` JSON, in creation order.
    pub fn cases(&self) -> Vec<Value> {
        let data = self.state.lock();
        let mut cases: Vec<_> = data.cases.values().collect();
        cases.sort_by_key(|c| c.seq);
        cases
            .into_iter()
            .map(|c| c.to_json(&self.state.config.creditor))
            .collect()
    }

    pub fn case_by_creditor_reference(&self, creditor_reference: &str) -> Option<Value> {
        self.state
            .lock()
            .case_by_creditor_reference(creditor_reference)
            .map(|c| c.to_json(&self.state.config.creditor))
    }

    /// Plays the partner: records a payment now. Returns the payment id.
    pub fn record_payment(&self, case_id: Uuid, amount: f64) -> Result<Uuid, SandboxError> {
        let now = self.state.now();
        self.state
            .lock()
            .pay(case_id, amount, now)
            .ok_or(SandboxError::UnknownCase { id: case_id })
    }

    /// Plays the partner: moves a case to `lifecycle` now.
    pub fn set_lifecycle(&self, case_id: Uuid, lifecycle: Lifecycle) -> Result<(), SandboxError> {
        let now = self.state.now();
        let mut data = self.state.lock();
        if !data.cases.contains_key(&case_id) {
            return Err(SandboxError::UnknownCase { id: case_id });
        }
        if lifecycle == Lifecycle::Active {
            data.activate(case_id, now);
        } else {
            data.set_lifecycle(case_id, lifecycle, now);
        }
        Ok(())
    }
}

struct AgencyProvider {
    state: Arc<AgencyState>,
}

impl Provider for AgencyProvider {
    fn name(&self) -> &'static str {
        "agency"
    }

    fn rate_limited(&self, retry_after: Seconds, with_header: bool) -> Response {
        api::too_many_requests(retry_after.as_f64(), with_header)
    }

    fn server_error(&self, status: StatusCode) -> Response {
        api::server_error(status)
    }

    fn reset(&self) {
        self.state.reset();
    }

    fn control_routes(&self) -> Router {
        Router::new()
            .route("/blobs/{id}", get(download_blob))
            .with_state(self.state.clone())
    }
}

/// Stands in for the signed Azure blob URL in `CaseFileDto.url`.
async fn download_blob(State(state): State<Arc<AgencyState>>, Path(id): Path<String>) -> Response {
    let Ok(id) = Uuid::parse_str(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let data = state.lock();
    match data.files.iter().find(|f| f.id == id) {
        Some(f) => (
            [(header::CONTENT_TYPE, "application/octet-stream")],
            Bytes::clone(&f.bytes),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Builds the agency fake (not yet listening) and its handle.
pub fn build(
    config: AgencyConfig,
    clock: SharedClock,
    seed: u64,
) -> Result<(FakeServer, AgencyHandle), SandboxError> {
    if config.api_keys.is_empty() {
        return Err(SandboxError::InvalidConfig {
            fake: "agency",
            reason: "at least one API key is required",
        });
    }
    if config.rate_limits.sliding.segments == 0 {
        return Err(SandboxError::InvalidConfig {
            fake: "agency",
            reason: "the sliding window needs at least one segment",
        });
    }
    let state = Arc::new(AgencyState::new(config, clock.clone(), seed));
    let server = FakeServer::new(
        Arc::new(AgencyProvider {
            state: state.clone(),
        }),
        api::router(state.clone()),
        clock,
    );
    let handle = AgencyHandle {
        control: server.control(),
        state,
    };
    Ok((server, handle))
}
