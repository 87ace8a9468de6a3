//! Every way a call to the agency can end other than success.
//!
//! Each variant knows its stable `code()`, a `message()` for the user, a
//! `hint()` with what to do, whether the *same* request may be sent again
//! (`is_retryable`) and whether the answer is definitive (`is_final`). When
//! both are false the outcome needs reconciling first (see
//! [`AgencyError::OutcomeUnknown`]).
//!
//! No variant carries the API key, and the transport sources only carry the
//! URL (which never contains it: the key travels in a sensitive header).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::Environment;
use crate::wire::BusinessErrorKind;

/// Why a value was refused before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueProblem {
    Empty,
    TooLong {
        length: usize,
        max: usize,
    },
    TooPrecise {
        digits: u32,
        max: u32,
    },
    Format {
        expected: &'static str,
        found: String,
    },
    OutOfRange {
        min: u64,
        max: u64,
        found: u64,
    },
}

impl std::fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("is empty"),
            Self::TooLong { length, max } => {
                write!(f, "is {length} characters long; at most {max} allowed")
            }
            Self::TooPrecise { digits, max } => {
                write!(
                    f,
                    "has {digits} significant digits; at most {max} are sent exactly"
                )
            }
            Self::Format { expected, found } => write!(f, "is {found:?}; expected {expected}"),
            Self::OutOfRange { min, max, found } => {
                write!(f, "is {found}; must be between {min} and {max}")
            }
        }
    }
}

/// One entry of `businessErrors[]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BusinessError {
    pub kind: BusinessErrorKind,
    pub message: Option<String>,
    /// Where the user can fix this specific problem (e.g. sign a contract).
    pub solution_url: Option<String>,
}

/// The case field an agency validation error points at, so the engine can
/// lead the user back to the readiness rule and the input to fix.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyField {
    /// The body as a whole (unreadable JSON, missing body).
    Body,
    CurrencyCode,
    AmountToRecover,
    AgeBreakdown,
    Date,
    DueDate,
    CreditorReference,
    ClaimDescription,
    Comments,
    Tag,
    AssignedUserEmail,
    CreditorDivisionId,
    CollectionPartnerId,
    /// The debtor object itself (e.g. missing).
    Debtor,
    DebtorType,
    DebtorName,
    DebtorContactPerson,
    DebtorCompanyRegistrationNumber,
    DebtorAddress,
    DebtorZipCode,
    DebtorCity,
    DebtorState,
    DebtorStateAlpha2,
    /// `countryAlpha2` or `country`.
    DebtorCountry,
    DebtorEmail,
    DebtorPhone,
    /// A path this client does not recognise, verbatim.
    Other(String),
}

impl AgencyField {
    /// Maps an agency field path to a field. Accepts every spelling seen in
    /// the agency's answers: `debtor.countryAlpha2`, `Debtor.CountryAlpha2`,
    /// `DebtorDto.ZipCode`, System.Text.Json paths like `$.debtor.zipCode`,
    /// and bare leaf names (`ZipCode`; the request has only one field of
    /// each debtor name, so the leaf is enough).
    pub fn from_path(path: &str) -> Self {
        let trimmed = path.trim().trim_start_matches('$');
        let segments: Vec<String> = trimmed
            .split(['.', '[', ']'])
            .map(|s| {
                s.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
                    .to_ascii_lowercase()
            })
            .filter(|s| !s.is_empty() && !s.chars().all(|c| c.is_ascii_digit()))
            .collect();
        let Some(leaf) = segments.last() else {
            return Self::Body;
        };
        match leaf.as_str() {
            "debtor" | "debtordto" => Self::Debtor,
            "currencycode" | "currency" => Self::CurrencyCode,
            "amounttorecover" | "amount" => Self::AmountToRecover,
            "amounttorecoverover6months"
            | "amounttorecoverover12months"
            | "amounttorecoverover24months" => Self::AgeBreakdown,
            "date" => Self::Date,
            "duedate" => Self::DueDate,
            "creditorreference" => Self::CreditorReference,
            "claimdescription" => Self::ClaimDescription,
            "comments" => Self::Comments,
            "tag" => Self::Tag,
            "assigneduseremail" => Self::AssignedUserEmail,
            "creditordivisionid" => Self::CreditorDivisionId,
            "collectionpartnerid" => Self::CollectionPartnerId,
            "type" | "debtortype" => Self::DebtorType,
            "name" | "debtorname" => Self::DebtorName,
            "contactperson" => Self::DebtorContactPerson,
            "companyregistrationnumber" => Self::DebtorCompanyRegistrationNumber,
            "address" => Self::DebtorAddress,
            "zipcode" | "postalcode" => Self::DebtorZipCode,
            "city" => Self::DebtorCity,
            "state" => Self::DebtorState,
            "statealpha2" => Self::DebtorStateAlpha2,
            "countryalpha2" | "country" => Self::DebtorCountry,
            "email" => Self::DebtorEmail,
            "phone" => Self::DebtorPhone,
            _ => Self::Other(path.trim().to_owned()),
        }
    }

    /// The agency's value-level 400s come as a sentence, not a field map.
    /// These are the sentences the agency's error reference documents for
    /// `POST /cases`.
    fn from_message(message: &str) -> Option<Self> {
        let lower = message.to_ascii_lowercase();
        let field = if lower.contains("invalid currency code") {
            Self::CurrencyCode
        } else if lower.contains("case total must be a positive amount") {
            Self::AmountToRecover
        } else if lower.contains("debtor information is required") {
            Self::Debtor
        } else if lower.contains("invalid debtor type") {
            Self::DebtorType
        } else if lower.contains("invalid country code") {
            Self::DebtorCountry
        } else if lower.contains("state code") && lower.contains("us debtors") {
            Self::DebtorStateAlpha2
        } else if lower.contains("due date") {
            Self::DueDate
        } else if lower.contains("invoice date") {
            Self::Date
        } else {
            return None;
        };
        Some(field)
    }
}

/// A validation message tied to a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: AgencyField,
    /// The path as the agency wrote it (empty when derived from a message).
    pub path: String,
    pub messages: Vec<String>,
}

/// `{ code, message, hint }` for the UI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorReport {
    pub code: &'static str,
    pub message: String,
    pub hint: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AgencyError {
    /// 400 with a field map: `{"debtor.email": ["Invalid email format"]}`
    /// (or ASP.NET's `ValidationProblemDetails.errors`).
    #[error("the agency rejected {} field(s): {}", fields.len(), summarize_fields(fields))]
    Validation {
        fields: BTreeMap<String, Vec<String>>,
    },

    /// Any other 400: `ApiErrorResponseDto`, ProblemDetails or plain text.
    #[error("the agency rejected the request: {}", message.as_deref().unwrap_or("no reason given"))]
    BadRequest {
        message: Option<String>,
        business_errors: Vec<BusinessError>,
    },

    /// 401: the key is invalid or revoked, or belongs to the other environment.
    #[error("the agency did not accept the API key ({environment} environment)")]
    Unauthorized { environment: Environment },

    /// 403: a valid key without permission for this.
    #[error("the API key has no permission for this request")]
    Forbidden { message: Option<String> },

    /// 404: not found, deleted or another account's.
    #[error("not found at the agency: {}", message.as_deref().unwrap_or("no such resource"))]
    NotFound { message: Option<String> },

    /// The creditor reference is already used by another case of this
    /// creditor. Look it up with `find_case_by_creditor_reference`; do not
    /// retry.
    #[error("a case with creditor reference {} already exists", creditor_reference.as_deref().unwrap_or("(unknown)"))]
    DuplicateCreditorReference { creditor_reference: Option<String> },

    /// 422 `IdempotencyConflict`: the key was used before with a different body.
    #[error("the idempotency key was already used for a different case")]
    IdempotencyConflict { message: Option<String> },

    /// 422 business rule violations (contracts, coverage, KYC, blocked).
    #[error("the agency refused the case: {}", summarize_business(errors))]
    Business {
        errors: Vec<BusinessError>,
        /// One URL that walks the user through every pending signing.
        signing_url: Option<String>,
    },

    /// The document is larger than the agency accepts (checked before
    /// sending when `size` is known; 413 otherwise).
    #[error("the document is too large ({}; limit {limit} bytes)", size.map_or_else(|| "size not reported".to_owned(), |s| format!("{s} bytes")))]
    PayloadTooLarge { size: Option<u64>, limit: u64 },

    /// The document's type is not accepted (checked before sending; 415 otherwise).
    #[error("the file type of {file_name:?} is not accepted")]
    UnsupportedFileType { file_name: String },

    /// 429: wait `retry_after` before the next request.
    #[error("the agency's rate limit was hit; retry in {retry_after:?}")]
    RateLimited { retry_after: Duration },

    /// 5xx.
    #[error("the agency had a server error (HTTP {status})")]
    Server {
        status: u16,
        message: Option<String>,
        retry_after: Option<Duration>,
    },

    /// A status the contract does not list (e.g. 405, 409 without a type).
    #[error("the agency answered with unexpected HTTP status {status}")]
    UnexpectedStatus {
        status: u16,
        message: Option<String>,
    },

    /// The agency's answer could not be read. On a 2xx to `POST /cases` the
    /// case *was* created: reconcile, do not re-send blindly.
    #[error("the agency's answer (HTTP {status}) could not be read")]
    Malformed {
        status: u16,
        #[source]
        source: serde_json::Error,
    },

    /// The request never reached the agency (DNS, refused, TLS, connect
    /// timeout). Safe to send again.
    #[error("could not reach the agency")]
    NotSent {
        #[source]
        source: reqwest::Error,
    },

    /// The request may have reached the agency but no answer arrived
    /// (timeout, connection dropped after sending). For `POST /cases` the
    /// case may exist: reconcile by idempotency key or creditor reference
    /// before sending again.
    #[error("no answer from the agency; the request may or may not have been processed")]
    OutcomeUnknown {
        #[source]
        source: reqwest::Error,
    },

    /// A value was refused before sending.
    #[error("{field} {problem}")]
    InvalidValue {
        field: &'static str,
        problem: ValueProblem,
    },

    /// The HTTP client could not be set up (TLS backend).
    #[error("could not set up the HTTP client")]
    ClientSetup {
        #[source]
        source: reqwest::Error,
    },
}

fn summarize_fields(fields: &BTreeMap<String, Vec<String>>) -> String {
    let mut out = String::new();
    for (i, (field, messages)) in fields.iter().enumerate() {
        if i > 0 {
            out.push_str("; ");
        }
        let _ = write!(out, "{field}: {}", messages.join(", "));
    }
    out
}

fn summarize_business(errors: &[BusinessError]) -> String {
    if errors.is_empty() {
        return "no reason given".to_owned();
    }
    errors
        .iter()
        .map(|e| match &e.message {
            Some(message) => format!("{} ({message})", e.kind.name()),
            None => e.kind.name().to_owned(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl AgencyError {
    /// Stable snake_case code for the UI and logs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "agency_validation",
            Self::BadRequest { .. } => "agency_bad_request",
            Self::Unauthorized { .. } => "agency_unauthorized",
            Self::Forbidden { .. } => "agency_forbidden",
            Self::NotFound { .. } => "agency_not_found",
            Self::DuplicateCreditorReference { .. } => "agency_duplicate_creditor_reference",
            Self::IdempotencyConflict { .. } => "agency_idempotency_conflict",
            Self::Business { .. } => "agency_business_rule",
            Self::PayloadTooLarge { .. } => "agency_document_too_large",
            Self::UnsupportedFileType { .. } => "agency_unsupported_file_type",
            Self::RateLimited { .. } => "agency_rate_limited",
            Self::Server { .. } => "agency_server_error",
            Self::UnexpectedStatus { .. } => "agency_unexpected_status",
            Self::Malformed { .. } => "agency_malformed_response",
            Self::NotSent { .. } => "agency_unreachable",
            Self::OutcomeUnknown { .. } => "agency_outcome_unknown",
            Self::InvalidValue { .. } => "agency_invalid_value",
            Self::ClientSetup { .. } => "agency_client_setup",
        }
    }

    /// What happened, for the user.
    pub fn message(&self) -> String {
        match self {
            Self::Validation { .. } => {
                let fields: Vec<String> = self
                    .field_errors()
                    .into_iter()
                    .map(|e| {
                        format!(
                            "{}: {}",
                            if e.path.is_empty() {
                                "request"
                            } else {
                                &e.path
                            },
                            e.messages.join(", ")
                        )
                    })
                    .collect();
                format!("The agency rejected the case data. {}.", fields.join("; "))
            }
            Self::Business { errors, .. } => format!(
                "The agency refused the case: {}.",
                summarize_business(errors)
            ),
            other => {
                let mut text = other.to_string();
                if let Some(first) = text.get(..1) {
                    text = first.to_uppercase() + &text[1..];
                }
                text.push('.');
                text
            }
        }
    }

    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            Self::Validation { .. } | Self::BadRequest { .. } => {
                "Fix the highlighted fields for this invoice (or its debtor) and submit again.".to_owned()
            }
            Self::Unauthorized { environment } => format!(
                "Check the agency API key in Settings. A key only works in the environment it was made for: \
                 you are using {environment}; a {} key is rejected here.",
                environment.other_label()
            ),
            Self::Forbidden { .. } => {
                "Ask the agency account owner to give this API key access, or use a key with full access.".to_owned()
            }
            Self::NotFound { .. } => {
                "The case may have been deleted or belong to another agency account. Refresh the case list.".to_owned()
            }
            Self::DuplicateCreditorReference { .. } => {
                "This invoice was already submitted. Casebridge will link the existing case instead of creating another."
                    .to_owned()
            }
            Self::IdempotencyConflict { .. } => {
                "The case data changed after a submission attempt. Casebridge will check whether the first attempt \
                 created a case before trying again."
                    .to_owned()
            }
            Self::Business { errors, signing_url } => business_hint(errors, signing_url.as_deref()),
            Self::PayloadTooLarge { limit, .. } => {
                format!("Split or compress the document to at most {} MB and upload it again.", limit / 1_000_000)
            }
            Self::UnsupportedFileType { .. } => format!(
                "Convert the document to one of: {}.",
                crate::documents::ALLOWED_EXTENSIONS.join(", ")
            ),
            Self::RateLimited { .. } => "Nothing to do: Casebridge waits and continues automatically.".to_owned(),
            Self::Server { .. } => {
                "The agency has a temporary problem. Casebridge retries; if it persists, try again later.".to_owned()
            }
            Self::UnexpectedStatus { .. } | Self::Malformed { .. } => {
                "Check the agency environment and base URL in Settings; if they are right, the agency's API may have \
                 changed: report this with the log file."
                    .to_owned()
            }
            Self::NotSent { .. } => {
                "Check the internet connection (and the agency base URL in Settings); submission continues when the \
                 agency is reachable."
                    .to_owned()
            }
            Self::OutcomeUnknown { .. } => {
                "Nothing is lost: Casebridge checks with the agency whether the case was created before sending it \
                 again."
                    .to_owned()
            }
            Self::InvalidValue { .. } => "Correct the value and try again.".to_owned(),
            Self::ClientSetup { .. } => "Restart Casebridge; if this persists, report it with the log file.".to_owned(),
        }
    }

    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code(),
            message: self.message(),
            hint: self.hint(),
        }
    }

    /// The same request may be sent again (after a pause): the agency did not
    /// process it (429, unreachable) or asks to try later (5xx, where a POST
    /// must reuse its idempotency key).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Server { .. } | Self::NotSent { .. }
        )
    }

    /// The agency's answer is definitive: sending the same request again
    /// gets the same answer. Not final and not retryable means "find out
    /// what happened first" ([`Self::OutcomeUnknown`], [`Self::Malformed`]).
    pub fn is_final(&self) -> bool {
        !self.is_retryable()
            && !matches!(self, Self::OutcomeUnknown { .. } | Self::Malformed { .. })
    }

    /// After `POST /cases`, could the case exist even though we got an error?
    /// True when the request may have been processed: no answer, an
    /// unreadable success, or a gateway error (502/504) in front of a
    /// backend that may have finished.
    pub fn case_may_exist(&self) -> bool {
        match self {
            Self::OutcomeUnknown { .. } => true,
            Self::Malformed { status, .. } => (200..300).contains(status),
            Self::Server { status, .. } => matches!(status, 502 | 504),
            _ => false,
        }
    }

    /// Field-level problems, for pointing back at the readiness checklist:
    /// every entry of a 400 field map, or a documented value-level 400
    /// message mapped to its field.
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            Self::Validation { fields } => fields
                .iter()
                .map(|(path, messages)| FieldError {
                    field: AgencyField::from_path(path),
                    path: path.clone(),
                    messages: messages.clone(),
                })
                .collect(),
            Self::BadRequest {
                message,
                business_errors,
            } => message
                .iter()
                .chain(business_errors.iter().filter_map(|e| e.message.as_ref()))
                .filter_map(|m| {
                    AgencyField::from_message(m).map(|field| FieldError {
                        field,
                        path: String::new(),
                        messages: vec![m.clone()],
                    })
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// How long the agency asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after } => Some(*retry_after),
            Self::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

fn business_hint(errors: &[BusinessError], signing_url: Option<&str>) -> String {
    let mut hints = Vec::new();
    for error in errors {
        let text = match error.kind {
            BusinessErrorKind::NoPartnerAvailable => {
                "The agency has no collection partner for the debtor's country; this case cannot be submitted there."
                    .to_owned()
            }
            BusinessErrorKind::CreditorBlocked => {
                "Your agency account is blocked from creating cases; contact the agency's support.".to_owned()
            }
            BusinessErrorKind::MissingDebtCollectionContract => {
                "Sign the debt-collection agreement in the agency portal, then submit again.".to_owned()
            }
            BusinessErrorKind::MissingPowerOfAttorney => {
                "Sign the power of attorney in the agency portal, then submit again.".to_owned()
            }
            BusinessErrorKind::MissingKycVerification => {
                "Complete the identity (KYC) verification in the agency portal, then submit again.".to_owned()
            }
            _ => error
                .message
                .clone()
                .unwrap_or_else(|| format!("The agency reported {}.", error.kind.name())),
        };
        let text = match &error.solution_url {
            Some(url) => format!("{text} ({url})"),
            None => text,
        };
        hints.push(text);
    }
    if let Some(url) = signing_url {
        hints.push(format!("All pending signatures in one go: {url}"));
    }
    if hints.is_empty() {
        hints.push("Check the case in the agency portal.".to_owned());
    }
    hints.join(" ")
}

/// What the caller knows about the request, to fill in errors the agency's
/// body does not spell out.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestContext<'a> {
    pub environment: Environment,
    pub creditor_reference: Option<&'a str>,
    pub file_name: Option<&'a str>,
    pub upload_limit: u64,
}

/// Fallback when a 429 says neither `retryAfter` nor `Retry-After`: one
/// segment of the agency's sliding minute window.
pub(crate) const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(10);
/// Longest wait we accept from the agency, so a garbled value cannot park
/// the app for days.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Longest excerpt of an unstructured body kept in an error.
const MAX_TEXT: usize = 300;

fn get_ci<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn get_str<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    get_ci(object, key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn business_errors_of(object: &Map<String, Value>) -> Vec<BusinessError> {
    let Some(Value::Array(items)) = get_ci(object, "businessErrors") else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(Value::as_object)
        .map(|item| BusinessError {
            kind: BusinessErrorKind::parse(get_str(item, "type").unwrap_or_default()),
            message: get_str(item, "message").map(str::to_owned),
            solution_url: get_str(item, "solutionUrl").map(str::to_owned),
        })
        .collect()
}

/// `{"field": ["message", …], …}` with every value a list of strings.
fn field_map(value: &Value) -> Option<BTreeMap<String, Vec<String>>> {
    let object = value.as_object().filter(|o| !o.is_empty())?;
    object
        .iter()
        .map(|(field, messages)| {
            let list = messages.as_array()?;
            let texts = list
                .iter()
                .map(|m| m.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()?;
            Some((field.clone(), texts))
        })
        .collect()
}

/// The most helpful human sentence in a structured error body.
fn message_of(object: &Map<String, Value>) -> Option<String> {
    ["message", "detail", "title", "error"]
        .iter()
        .find_map(|key| get_str(object, key))
        .map(str::to_owned)
}

fn text_excerpt(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    (!text.is_empty()).then(|| text.chars().take(MAX_TEXT).collect())
}

fn parse_seconds(value: f64) -> Option<Duration> {
    (value.is_finite() && value >= 0.0).then(|| Duration::from_secs_f64(value).min(MAX_RETRY_AFTER))
}

/// Body `retryAfter` (float seconds) first, then the `Retry-After` header
/// (delta-seconds; an HTTP-date would need a trusted clock and falls back).
fn retry_after_of(object: Option<&Map<String, Value>>, header: Option<&str>) -> Option<Duration> {
    object
        .and_then(|o| get_ci(o, "retryAfter"))
        .and_then(|v| {
            v.as_f64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        })
        .and_then(parse_seconds)
        .or_else(|| {
            header
                .and_then(|h| h.trim().parse::<f64>().ok())
                .and_then(parse_seconds)
        })
}

/// Duplicates and idempotency conflicts are recognised by type whatever
/// the status (the duplicate's status is unconfirmed: 422 per the agency's
/// MCP server, a "validation error" per its docs).
fn special_business_error(
    object: &Map<String, Value>,
    business: &[BusinessError],
    ctx: &RequestContext<'_>,
) -> Option<AgencyError> {
    let legacy = get_str(object, "error").map(BusinessErrorKind::parse);
    let kinds = business.iter().map(|b| &b.kind).chain(legacy.iter());
    for kind in kinds {
        match kind {
            BusinessErrorKind::DuplicateCreditorReference => {
                return Some(AgencyError::DuplicateCreditorReference {
                    creditor_reference: ctx.creditor_reference.map(str::to_owned),
                })
            }
            BusinessErrorKind::IdempotencyConflict => {
                return Some(AgencyError::IdempotencyConflict {
                    message: business
                        .iter()
                        .find(|b| b.kind == BusinessErrorKind::IdempotencyConflict)
                        .and_then(|b| b.message.clone())
                        .or_else(|| message_of(object)),
                })
            }
            _ => {}
        }
    }
    None
}

/// A field map whose creditor-reference entry says "duplicate" is the
/// docs' `DuplicateReference` validation error.
fn is_duplicate_field(fields: &BTreeMap<String, Vec<String>>) -> bool {
    fields.iter().any(|(path, messages)| {
        AgencyField::from_path(path) == AgencyField::CreditorReference
            && messages
                .iter()
                .any(|m| m.to_ascii_lowercase().contains("duplicate") || m.contains("already"))
    })
}

/// Turns a non-2xx answer into an error.
pub(crate) fn from_response(
    status: u16,
    retry_after_header: Option<&str>,
    body: &[u8],
    ctx: &RequestContext<'_>,
) -> AgencyError {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let object = json.as_ref().and_then(Value::as_object);
    let business = object.map(business_errors_of).unwrap_or_default();
    let message = object.and_then(message_of).or_else(|| {
        if json.is_none() {
            text_excerpt(body)
        } else {
            None
        }
    });

    if matches!(status, 400 | 409 | 422) {
        if let Some(special) = object.and_then(|o| special_business_error(o, &business, ctx)) {
            return special;
        }
    }

    match status {
        400 => {
            // ASP.NET ValidationProblemDetails nests the map under "errors".
            let fields = object
                .and_then(|o| get_ci(o, "errors"))
                .and_then(field_map)
                .or_else(|| json.as_ref().and_then(field_map));
            match fields {
                Some(fields) if is_duplicate_field(&fields) => {
                    AgencyError::DuplicateCreditorReference {
                        creditor_reference: ctx.creditor_reference.map(str::to_owned),
                    }
                }
                Some(fields) => AgencyError::Validation { fields },
                None => AgencyError::BadRequest {
                    message,
                    business_errors: business,
                },
            }
        }
        401 => AgencyError::Unauthorized {
            environment: ctx.environment,
        },
        403 => AgencyError::Forbidden { message },
        404 => AgencyError::NotFound { message },
        413 => AgencyError::PayloadTooLarge {
            size: None,
            limit: ctx.upload_limit,
        },
        // Outside an upload a 415 means our Content-Type was refused: a
        // client bug, not the user's file.
        415 => match ctx.file_name {
            Some(file_name) => AgencyError::UnsupportedFileType {
                file_name: file_name.to_owned(),
            },
            None => AgencyError::UnexpectedStatus { status, message },
        },
        422 => {
            let mut errors = business;
            if errors.is_empty() {
                // Legacy single-error shape: {"error": "...", "message": "..."}.
                if let Some(o) = object {
                    if let Some(kind) = get_str(o, "error") {
                        errors.push(BusinessError {
                            kind: BusinessErrorKind::parse(kind),
                            message: get_str(o, "message").map(str::to_owned),
                            solution_url: None,
                        });
                    }
                }
            }
            let signing_url = object
                .and_then(|o| get_ci(o, "signingHandoff"))
                .and_then(Value::as_object)
                .and_then(|h| get_str(h, "combinedSigningUrl"))
                .map(str::to_owned);
            AgencyError::Business {
                errors,
                signing_url,
            }
        }
        429 => AgencyError::RateLimited {
            retry_after: retry_after_of(object, retry_after_header).unwrap_or(DEFAULT_RETRY_AFTER),
        },
        500..=599 => AgencyError::Server {
            status,
            message: message.or_else(|| business.iter().find_map(|b| b.message.clone())),
            retry_after: retry_after_of(object, retry_after_header),
        },
        _ => AgencyError::UnexpectedStatus { status, message },
    }
}

/// Splits transport failures by what we know about the request's fate.
pub(crate) fn from_transport(source: reqwest::Error) -> AgencyError {
    // Connect errors (DNS, refused, TLS handshake, connect timeout) happen
    // before a single byte of the request is written. Everything else
    // (request timeout, reset, connection closed before the response) may
    // come after the server got the whole request.
    if source.is_connect() || source.is_builder() {
        AgencyError::NotSent { source }
    } else {
        AgencyError::OutcomeUnknown { source }
    }
}

#[cfg(test)]
mod tests;
