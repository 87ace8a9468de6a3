//! Wire types between the engine and the UI.
//!
//! Every request and response the shell passes to the web UI is defined here
//! once, in camelCase, and exported to TypeScript (`ui/src/gen/`) by ts-rs
//! when `cargo test -p casebridge-engine export_bindings` runs; CI fails if
//! the committed TypeScript differs. Amounts travel as decimal strings so no
//! float ever touches money. These types carry no secrets: a stored key is
//! reported as a boolean, never as text.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

mod oauth;
pub use oauth::*;

mod documents;
pub use documents::*;
mod import;
pub use import::*;
mod at_source;
pub use at_source::*;

/// An error as the UI shows it: what happened, what to do, and a stable code
/// the UI may switch on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UiError {
    pub code: String,
    pub message: String,
    pub hint: String,
}

/// How the app was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RunMode {
    /// Real accounts, the user's own data directory.
    Normal,
    /// Built-in fake servers on 127.0.0.1 and a separate demo database.
    Demo,
}

/// One local fake server started for demo mode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SandboxService {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub mode: RunMode,
    pub data_dir: String,
    pub db_path: String,
    pub log_dir: String,
    /// Empty outside demo mode.
    pub sandbox: Vec<SandboxService>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum IntegrationKind {
    Stripe,
    Quickbooks,
    Zoho,
    Files,
    Agency,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConnectionStatus {
    NotConnected,
    Connected,
    NeedsReconnect,
    Error,
}

/// One card on the Integrations page, with the connection's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IntegrationCard {
    pub kind: IntegrationKind,
    pub title: String,
    /// One line on when to use this integration.
    pub blurb: String,
    pub status: ConnectionStatus,
    /// Company, organization or account the connection points at.
    pub account: Option<String>,
    pub environment: Option<String>,
    /// RFC 3339.
    pub last_success_at: Option<String>,
    pub token_expires_at: Option<String>,
    pub last_error: Option<UiError>,
    /// QuickBooks and Zoho: sign-in details (refresh-token age, organization choice…).
    pub oauth: Option<OAuthHealth>,
    /// The source's rate limits and how Casebridge stays under them, in one sentence.
    pub rate_limits: Option<String>,
    /// Zoho Books: the organization's daily request quota as the last fetch left it.
    pub daily_quota: Option<DailyQuotaSeen>,
}

/// A source's daily request quota as last seen (Zoho Books caps requests per organization and
/// day, shared with every other app of the organization).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DailyQuotaSeen {
    /// Requests counted today: the source's own count when it sends one, else ours.
    #[ts(type = "number")]
    pub used: u64,
    /// The daily cap, when the source said.
    #[ts(type = "number | null")]
    pub limit: Option<u64>,
    /// RFC 3339: when this was counted.
    pub counted_at: String,
    /// RFC 3339: when the count restarts, when the source said.
    pub resets_at: Option<String>,
}

/// The review table's filter tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InvoiceFilter {
    #[default]
    All,
    Ready,
    NeedsFixing,
    Submitted,
    Duplicate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InvoiceSortField {
    #[default]
    DueDate,
    IssueDate,
    Amount,
    Debtor,
    CreditorReference,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct InvoiceQuery {
    pub filter: InvoiceFilter,
    pub search: Option<String>,
    pub sort: InvoiceSortField,
    pub descending: bool,
    pub offset: u32,
    /// At most 1,000 rows per call; the table asks for the window it shows.
    pub limit: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Readiness {
    Ready,
    NeedsFixing,
    Submitted,
    Duplicate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct InvoiceRow {
    /// `provider:account/external_id`, the invoice's identity.
    pub source_ref: String,
    pub provider: String,
    pub creditor_reference: Option<String>,
    pub debtor_name: Option<String>,
    /// Outstanding balance, decimal string in the currency's minor units.
    pub amount: String,
    pub currency: String,
    /// YYYY-MM-DD.
    pub issue_date: String,
    pub due_date: Option<String>,
    pub debt_age_days: Option<i64>,
    pub readiness: Readiness,
    pub issue_count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FilterCounts {
    pub all: u32,
    pub ready: u32,
    pub needs_fixing: u32,
    pub submitted: u32,
    pub duplicate: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct InvoicePage {
    pub rows: Vec<InvoiceRow>,
    /// Rows matching the filter and search, for the scroll height.
    pub total: u32,
    pub counts: FilterCounts,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, Default)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct CaseQuery {
    pub search: Option<String>,
    pub offset: u32,
    /// 0 = the default page of 500.
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CaseRow {
    pub agency_case_id: String,
    pub agency_reference: Option<String>,
    pub creditor_reference: Option<String>,
    pub debtor_name: Option<String>,
    pub amount: String,
    pub currency: String,
    /// The agency's lifecycle label, e.g. "Pending Verification".
    pub lifecycle: String,
    pub paid_amount: String,
    pub source_status: CaseAtSource,
    /// When the source last answered (RFC 3339); `None` if it never did.
    pub source_checked_at: Option<String>,
    /// Why the last ask at the source failed; the status is the last answer before it.
    pub source_check_error: Option<UiError>,
    pub submitted_at: Option<String>,
    pub last_polled_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CasePage {
    pub rows: Vec<CaseRow>,
    pub total: u32,
    pub last_polled_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AgencySettings {
    /// "production", "test" or "custom".
    pub environment: String,
    pub base_url: String,
    /// Whether a key is in the keychain. The key itself never leaves it.
    pub key_stored: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Settings {
    pub data_dir: String,
    pub db_path: String,
    pub log_dir: String,
    pub agency: Option<AgencySettings>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum JobPhase {
    Started,
    Progress,
    /// Waiting for a rate-limit window; `message` says how long.
    Waiting,
    Finished,
    Failed,
    Cancelled,
}

/// Progress of a long job (fetch, import, submit), sent as events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct JobEvent {
    pub job_id: String,
    /// "fetch", "import", "submit", …
    pub kind: String,
    pub phase: JobPhase,
    #[ts(type = "number")]
    pub done: u64,
    /// None when the source gives no totals (Stripe): the UI shows counts.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
    /// A sentence for people; the UI reads `counts`, never this text.
    pub message: String,
    /// What the job has counted so far, by name.
    pub counts: JobCounts,
}

/// Counts a job reports beside `done`, so the window shows them without
/// reading them out of `message`. Each job fills what it has; the rest stay
/// null.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct JobCounts {
    /// Fetch: pages received so far.
    #[ts(type = "number | null")]
    pub pages: Option<u64>,
    /// Submit: cases the agency accepted, rejected, or whose answer was lost.
    #[ts(type = "number | null")]
    pub accepted: Option<u64>,
    #[ts(type = "number | null")]
    pub rejected: Option<u64>,
    #[ts(type = "number | null")]
    pub uncertain: Option<u64>,
}

/// Which agency endpoint cases go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AgencyEnvironmentChoice {
    /// customer-api.debitura.com, real cases.
    Production,
    /// customer-api.debitura.com with `isTest: true`: fully validated, never
    /// collected. Debitura's way for clients to try the API.
    ProductionTestMode,
    /// testcustomer-api.debitura.com (referral partners' test environment).
    Test,
    /// Any base URL, e.g. a local sandbox.
    Custom,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectAgencyRequest {
    pub environment: AgencyEnvironmentChoice,
    /// Only for `custom`.
    pub base_url: Option<String>,
    /// Goes to the keychain after a successful check; never stored elsewhere.
    pub api_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AgencyConnection {
    pub environment: AgencyEnvironmentChoice,
    pub base_url: String,
    /// The creditor the key belongs to (`GET /me`).
    pub company_name: String,
    /// The key's last four characters, for recognising it.
    pub key_hint: String,
}

/// The invoices a user selected for submission, by `InvoiceRow.sourceRef`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SubmitRequest {
    pub source_refs: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum IssueSeverity {
    Blocking,
    Warning,
}

/// One failed readiness rule, or one field the agency refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RuleIssue {
    pub code: String,
    pub field: String,
    pub severity: IssueSeverity,
    pub message: String,
    pub hint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PreviewItem {
    pub source_ref: String,
    pub creditor_reference: Option<String>,
    pub debtor_name: String,
    pub amount: String,
    pub currency: String,
    /// The exact JSON body `POST /cases` will carry.
    #[ts(type = "unknown")]
    pub payload: serde_json::Value,
    pub warnings: Vec<RuleIssue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BlockedItem {
    pub source_ref: String,
    pub creditor_reference: Option<String>,
    /// Why it cannot be sent: readiness failures, already submitted, not found.
    pub issues: Vec<RuleIssue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CurrencyTotal {
    pub currency: String,
    pub amount: String,
    pub count: u32,
}

/// What a submission would send: the dry run, and the confirmation screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SubmitPreview {
    pub will_send: Vec<PreviewItem>,
    pub blocked: Vec<BlockedItem>,
    pub totals: Vec<CurrencyTotal>,
    /// Where the cases would go, e.g. "Debitura production (test mode)".
    pub destination: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SubmissionState {
    Queued,
    Sending,
    Accepted,
    Rejected,
    Uncertain,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SubmissionResult {
    pub source_ref: String,
    pub creditor_reference: String,
    pub state: SubmissionState,
    pub agency_reference: Option<String>,
    /// True when the agency already had a case with this creditor reference
    /// and the invoice was linked to it instead of creating another.
    pub linked_existing_case: bool,
    pub error: Option<UiError>,
    /// Fields the agency refused, pointing back at the readiness checklist.
    pub field_issues: Vec<RuleIssue>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SubmitSummary {
    pub batch_id: Option<String>,
    pub accepted: u32,
    pub rejected: u32,
    pub uncertain: u32,
    pub queued: u32,
    pub results: Vec<SubmissionResult>,
    /// Set when the run stopped early (invalid key, cancelled); the rest stays queued.
    pub stopped_because: Option<UiError>,
}

/// The user's fix for one debtor; `None` keeps what the source says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct DebtorEdits {
    /// "Company" or "Private".
    pub kind: Option<String>,
    pub name: Option<String>,
    /// Street lines, e.g. ["Vesterbrogade 1", "2. sal"].
    pub address_lines: Option<Vec<String>>,
    pub city: Option<String>,
    pub postal_code: Option<String>,
    /// A country name or ISO code; normalised by the readiness rules.
    pub country: Option<String>,
    /// US state (code or name) or a free-text region.
    pub state: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub company_registration_number: Option<String>,
    pub contact_person: Option<String>,
}

/// The debtor as it will be sent: the source's data with the user's fix on top.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DebtorView {
    pub debtor_key: String,
    /// What the source says.
    pub source: DebtorEdits,
    /// The user's fix, if any.
    pub fix: Option<DebtorEdits>,
    /// How many cached invoices a fix would apply to.
    pub invoice_count: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct InvoiceDetail {
    pub row: InvoiceRow,
    pub description: Option<String>,
    /// Every readiness finding (blocking and warnings), mirroring the agency's rules.
    pub checklist: Vec<RuleIssue>,
    pub debtor: DebtorView,
    /// The exact body that would be sent, when the invoice is ready.
    #[ts(type = "unknown")]
    pub payload: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FixDebtorRequest {
    /// Any invoice of the debtor (the fix applies to all of them).
    pub source_ref: String,
    /// `None` removes the fix.
    pub edits: Option<DebtorEdits>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FixDebtorResult {
    pub invoices_updated: u32,
    /// How many of them are now ready.
    pub now_ready: u32,
}

/// A submission from the window: what was queued and what came of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SubmitOutcome {
    pub batch_id: String,
    /// What was queued (and what was refused, with reasons).
    pub queued: SubmitPreview,
    pub summary: SubmitSummary,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectStripeRequest {
    /// `rk_…` (restricted, read-only: recommended) or `sk_…`. Kept only in
    /// the keychain after the check.
    pub api_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct StripeConnection {
    pub account_id: String,
    pub account_name: Option<String>,
    /// "test" or "live".
    pub mode: String,
    /// E.g. a secret key was used where a restricted key would be safer.
    pub warning: Option<UiError>,
}

/// What to fetch; dates are inclusive, YYYY-MM-DD.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct FetchRequest {
    pub created_from: Option<String>,
    pub created_to: Option<String>,
    pub due_from: Option<String>,
    pub due_to: Option<String>,
    /// Also fetch invoices marked uncollectible.
    pub include_uncollectible: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FetchSummary {
    pub invoices: u32,
    pub pages: u32,
    /// Invoices seen but not imported (paid, void, nothing owed, no number).
    pub skipped: u32,
    /// What could not be read; everything else was kept.
    pub failures: Vec<UiError>,
    /// The user stopped the fetch: what was read before is cached, the rest
    /// was not asked for.
    pub cancelled: bool,
}
