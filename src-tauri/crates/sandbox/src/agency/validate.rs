//! `POST /cases` validation on the raw JSON, the way the server does it:
//! property names case-insensitive (ASP.NET web defaults), every field
//! error collected into `{ "field.path": ["message", …] }`.
//!
//! Where the sources disagree, the fake takes the stricter reading, so a
//! client that passes here also passes the real API:
//! - unknown properties are rejected (the spec says `additionalProperties:
//!   false`; ASP.NET might ignore them);
//! - numbers must be JSON numbers (ASP.NET may read numeric strings);
//! - `dueDate` is required (MCP and support say so; the spec says nullable);
//! - `debtor.type` must be Company or Private (not the schema text's Person);
//! - `debtor.address` and `debtor.city` are required (docs; spec nullable);
//! - US debtors need `stateAlpha2` (the op text says `state` is ignored).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::iso;
use super::model::{AgeBuckets, Debtor, DebtorType, NewCase};

/// Field path → messages, serialised as the 400 body.
pub(crate) type FieldErrors = BTreeMap<String, Vec<String>>;

const CASE_FIELDS: &[&str] = &[
    "currencyCode",
    "date",
    "dueDate",
    "comments",
    "claimDescription",
    "creditorReference",
    "debtor",
    "creditorDivisionId",
    "amountToRecover",
    "amountToRecoverOver6Months",
    "amountToRecoverOver12Months",
    "amountToRecoverOver24Months",
    "skipDebituraVerification",
    "skipCreationEmails",
    "allowPendingContracts",
    "isTest",
    "tag",
    "collectionPartnerId",
    "assignedUserEmail",
    "returnUrl",
];

const DEBTOR_FIELDS: &[&str] = &[
    "type",
    "name",
    "contactPerson",
    "companyRegistrationNumber",
    "address",
    "zipCode",
    "city",
    "state",
    "stateAlpha2",
    "countryAlpha2",
    "country",
    "email",
    "phone",
];

/// Reads one JSON object with case-insensitive property names, recording
/// type and length errors under `prefix.field`.
struct Fields<'a> {
    by_lower: HashMap<String, &'a Value>,
    prefix: &'static str,
}

impl<'a> Fields<'a> {
    fn new(
        map: &'a Map<String, Value>,
        prefix: &'static str,
        known: &[&str],
        errors: &mut FieldErrors,
    ) -> Self {
        let mut by_lower = HashMap::new();
        for (k, v) in map {
            let lower = k.to_ascii_lowercase();
            if known.iter().any(|f| f.eq_ignore_ascii_case(k)) {
                by_lower.insert(lower, v);
            } else {
                push(
                    errors,
                    path(prefix, k),
                    format!("Could not find a property named '{k}'."),
                );
            }
        }
        Self { by_lower, prefix }
    }

    fn key(&self, field: &str) -> String {
        path(self.prefix, field)
    }

    /// Present and not null.
    fn get(&self, field: &str) -> Option<&'a Value> {
        self.by_lower
            .get(&field.to_ascii_lowercase())
            .copied()
            .filter(|v| !v.is_null())
    }

    fn string(&self, field: &str, max: Option<usize>, errors: &mut FieldErrors) -> Option<String> {
        match self.get(field)? {
            Value::String(s) => {
                if let Some(max) = max {
                    if s.chars().count() > max {
                        push(
                            errors,
                            self.key(field),
                            format!(
                                "The field {} must be a string or array type with a maximum length of '{max}'.",
                                pascal(field)
                            ),
                        );
                        return None;
                    }
                }
                Some(s.clone())
            }
            _ => {
                type_error(errors, self.key(field), "System.String");
                None
            }
        }
    }

    /// A string that counts as absent when empty or blank.
    fn text(&self, field: &str, max: Option<usize>, errors: &mut FieldErrors) -> Option<String> {
        self.string(field, max, errors)
            .filter(|s| !s.trim().is_empty())
    }

    fn number(&self, field: &str, errors: &mut FieldErrors) -> Option<f64> {
        match self.get(field)? {
            Value::Number(n) => n.as_f64(),
            _ => {
                type_error(errors, self.key(field), "System.Decimal");
                None
            }
        }
    }

    fn boolean(&self, field: &str, errors: &mut FieldErrors) -> bool {
        match self.get(field) {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                type_error(errors, self.key(field), "System.Boolean");
                false
            }
        }
    }

    fn uuid(&self, field: &str, errors: &mut FieldErrors) -> Option<Uuid> {
        let parsed = match self.get(field)? {
            Value::String(s) => Uuid::parse_str(s).ok(),
            _ => None,
        };
        if parsed.is_none() {
            type_error(errors, self.key(field), "System.Guid");
        }
        parsed
    }

    fn datetime(&self, field: &str, errors: &mut FieldErrors) -> Option<NaiveDateTime> {
        let parsed = match self.get(field)? {
            Value::String(s) => parse_datetime(s),
            _ => None,
        };
        if parsed.is_none() {
            type_error(errors, self.key(field), "System.DateTime");
        }
        parsed
    }
}

/// ISO 8601 as System.Text.Json reads it: a date, a naive date-time, or one
/// with an offset (converted to UTC).
fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.naive_utc());
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()
}

fn path(prefix: &str, field: &str) -> String {
    if prefix.is_empty() {
        field.to_owned()
    } else {
        format!("{prefix}.{field}")
    }
}

fn pascal(field: &str) -> String {
    let mut c = field.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

fn push(errors: &mut FieldErrors, key: String, message: impl Into<String>) {
    errors.entry(key).or_default().push(message.into());
}

fn type_error(errors: &mut FieldErrors, key: String, dotnet_type: &str) {
    push(
        errors,
        key,
        format!("The JSON value could not be converted to {dotnet_type}."),
    );
}

fn required(errors: &mut FieldErrors, key: String, field: &str) {
    push(
        errors,
        key,
        format!("The {} field is required.", pascal(field)),
    );
}

fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

/// Validates a `POST /cases` body against the server's rules.
pub(crate) fn new_case(
    body: &Map<String, Value>,
    now: DateTime<Utc>,
) -> Result<NewCase, FieldErrors> {
    let mut e = FieldErrors::new();
    let f = Fields::new(body, "", CASE_FIELDS, &mut e);
    let today = now.date_naive();

    let currency = match f.text("currencyCode", None, &mut e) {
        None => {
            if !e.contains_key("currencyCode") {
                required(&mut e, "currencyCode".into(), "currencyCode");
            }
            None
        }
        Some(code) => {
            let upper = code.trim().to_ascii_uppercase();
            let found = iso::CURRENCIES.iter().copied().find(|c| *c == upper);
            if found.is_none() {
                push(
                    &mut e,
                    "currencyCode".into(),
                    format!("Invalid currency code: {code}"),
                );
            }
            found
        }
    };

    let amount = f.number("amountToRecover", &mut e);
    if !e.contains_key("amountToRecover") && !amount.is_some_and(|a| a > 0.0 && a.is_finite()) {
        push(
            &mut e,
            "amountToRecover".into(),
            "Case total must be a positive amount",
        );
    }

    let date = f.datetime("date", &mut e);
    match date {
        None if !e.contains_key("date") => required(&mut e, "date".into(), "date"),
        Some(d) if d.date() > today => {
            push(&mut e, "date".into(), "Case date cannot be in the future");
        }
        _ => {}
    }
    let due_date = f.datetime("dueDate", &mut e);
    match due_date {
        None if !e.contains_key("dueDate") => required(&mut e, "dueDate".into(), "dueDate"),
        Some(due) => {
            if date.is_some_and(|d| due.date() < d.date()) {
                push(
                    &mut e,
                    "dueDate".into(),
                    "Due date cannot be earlier than the case date",
                );
            }
            if due.date() > today {
                push(&mut e, "dueDate".into(), "Due date cannot be in the future");
            }
        }
        None => {}
    }

    let comments = f.string("comments", Some(4000), &mut e);
    let claim_description = f.string("claimDescription", Some(4000), &mut e);
    let creditor_reference = f.text("creditorReference", Some(50), &mut e);
    let tag = f.text("tag", Some(100), &mut e);
    let _return_url = f.string("returnUrl", Some(2048), &mut e);
    let assigned_user_email = f.text("assignedUserEmail", Some(320), &mut e);
    if assigned_user_email
        .as_deref()
        .is_some_and(|s| !looks_like_email(s))
    {
        push(
            &mut e,
            "assignedUserEmail".into(),
            "The AssignedUserEmail field is not a valid e-mail address.",
        );
    }
    let division_id = f.uuid("creditorDivisionId", &mut e);
    let _partner_id = f.uuid("collectionPartnerId", &mut e);
    let skip_verification = f.boolean("skipDebituraVerification", &mut e);
    let _skip_emails = f.boolean("skipCreationEmails", &mut e);
    let allow_pending_contracts = f.boolean("allowPendingContracts", &mut e);
    let is_test = f.boolean("isTest", &mut e);

    let buckets = age_buckets(&f, amount, &mut e);

    let debtor = match f.get("debtor") {
        None => {
            push(&mut e, "debtor".into(), "Debtor information is required");
            None
        }
        Some(Value::Object(map)) => debtor(map, &mut e),
        Some(_) => {
            type_error(&mut e, "debtor".into(), "DebtorDto");
            None
        }
    };

    match (currency, amount, date, due_date, debtor) {
        (Some(currency), Some(amount), Some(date), Some(due_date), Some(debtor))
            if e.is_empty() =>
        {
            Ok(NewCase {
                currency,
                amount,
                date,
                due_date,
                comments,
                claim_description,
                creditor_reference,
                debtor,
                division_id,
                buckets,
                skip_verification,
                allow_pending_contracts,
                is_test,
                tag,
                assigned_user_email,
            })
        }
        _ => Err(e),
    }
}

fn age_buckets(f: &Fields<'_>, amount: Option<f64>, e: &mut FieldErrors) -> Option<AgeBuckets> {
    let over6 = f.number("amountToRecoverOver6Months", e);
    let over12 = f.number("amountToRecoverOver12Months", e);
    let over24 = f.number("amountToRecoverOver24Months", e);
    for (field, value) in [
        ("amountToRecoverOver6Months", over6),
        ("amountToRecoverOver12Months", over12),
        ("amountToRecoverOver24Months", over24),
    ] {
        if let Some(v) = value {
            if v < 0.0 {
                push(
                    e,
                    field.into(),
                    format!("{} cannot be negative", pascal(field)),
                );
            } else if amount.is_some_and(|a| v > a) {
                push(
                    e,
                    field.into(),
                    format!("{} cannot exceed AmountToRecover", pascal(field)),
                );
            }
        }
    }
    match (over6, over12, over24) {
        (None, None, None) => None,
        (over6, Some(over12), Some(over24)) => {
            if over24 > over12 {
                push(
                    e,
                    "amountToRecoverOver24Months".into(),
                    "AmountToRecoverOver24Months cannot exceed AmountToRecoverOver12Months",
                );
            }
            if over6.is_some_and(|o6| over12 > o6) {
                push(
                    e,
                    "amountToRecoverOver6Months".into(),
                    "AmountToRecoverOver6Months must be at least AmountToRecoverOver12Months",
                );
            }
            Some(AgeBuckets {
                over6,
                over12,
                over24,
            })
        }
        (Some(_), None, None) => {
            push(
                e,
                "amountToRecoverOver6Months".into(),
                "AmountToRecoverOver6Months can only be provided alongside AmountToRecoverOver12Months and AmountToRecoverOver24Months",
            );
            None
        }
        (_, over12, _) => {
            let field = if over12.is_some() {
                "amountToRecoverOver24Months"
            } else {
                "amountToRecoverOver12Months"
            };
            push(
                e,
                field.into(),
                "AmountToRecoverOver12Months and AmountToRecoverOver24Months must be provided together",
            );
            None
        }
    }
}

fn debtor(map: &Map<String, Value>, e: &mut FieldErrors) -> Option<Debtor> {
    let f = Fields::new(map, "debtor", DEBTOR_FIELDS, e);
    let kind = match f.text("type", None, e) {
        None => {
            if !e.contains_key("debtor.type") {
                required(e, "debtor.type".into(), "type");
            }
            None
        }
        Some(t) if t.eq_ignore_ascii_case("company") => Some(DebtorType::Company),
        Some(t) if t.eq_ignore_ascii_case("private") => Some(DebtorType::Private),
        Some(_) => {
            push(e, "debtor.type".into(), "Invalid debtor type");
            None
        }
    };
    let name = f.text("name", None, e);
    if name.is_none() && !e.contains_key("debtor.name") {
        required(e, "debtor.name".into(), "name");
    }
    let address = f.text("address", None, e);
    if address.is_none() && !e.contains_key("debtor.address") {
        required(e, "debtor.address".into(), "address");
    }
    let city = f.text("city", None, e);
    if city.is_none() && !e.contains_key("debtor.city") {
        required(e, "debtor.city".into(), "city");
    }
    let email = f.text("email", None, e);
    if email.as_deref().is_some_and(|s| !looks_like_email(s)) {
        push(e, "debtor.email".into(), "Invalid email format");
    }
    let country = country(&f, e);
    let state = f.text("state", None, e);
    let state_alpha2 = f.text("stateAlpha2", None, e);
    let state_alpha2 = match (country, state_alpha2) {
        (Some(("US", _)), None) => {
            if !e.contains_key("debtor.stateAlpha2") {
                push(
                    e,
                    "debtor.stateAlpha2".into(),
                    "A state code (stateAlpha2, e.g. \"CA\") is required for US debtors",
                );
            }
            None
        }
        (Some(("US", _)), Some(s)) => {
            let code = us_state(&s);
            if code.is_none() {
                push(
                    e,
                    "debtor.stateAlpha2".into(),
                    format!("Invalid US state: {s}"),
                );
            }
            code.map(str::to_owned)
        }
        (_, other) => other,
    };
    let contact_person = f.text("contactPerson", None, e);
    let company_registration_number = f.text("companyRegistrationNumber", None, e);
    let zip_code = f.text("zipCode", None, e);
    let phone = f.text("phone", None, e);
    let (kind, name, (country_alpha2, country_name)) = (kind?, name?, country?);
    Some(Debtor {
        kind,
        name,
        contact_person,
        company_registration_number,
        address,
        zip_code,
        city,
        state,
        state_alpha2,
        country_alpha2,
        country_name,
        email,
        phone,
    })
}

/// `countryAlpha2` wins; otherwise `country` must be an exact English name.
fn country(f: &Fields<'_>, e: &mut FieldErrors) -> Option<(&'static str, &'static str)> {
    if let Some(code) = f.text("countryAlpha2", None, e) {
        let upper = code.trim().to_ascii_uppercase();
        let found = iso::COUNTRIES
            .iter()
            .find(|(a2, _, _)| *a2 == upper)
            .map(|(a2, name, _)| (*a2, *name));
        if found.is_none() {
            push(
                e,
                "debtor.countryAlpha2".into(),
                format!("Invalid country code: {code}"),
            );
        }
        return found;
    }
    if e.contains_key("debtor.countryAlpha2") {
        return None;
    }
    match f.text("country", None, e) {
        Some(name) => {
            let found = iso::COUNTRIES
                .iter()
                .find(|(_, short, official)| {
                    *short == name || (!official.is_empty() && *official == name)
                })
                .map(|(a2, short, _)| (*a2, *short));
            if found.is_none() {
                push(
                    e,
                    "debtor.country".into(),
                    format!(
                        "Invalid country: {name}. Use countryAlpha2 (ISO 3166-1 alpha-2) instead"
                    ),
                );
            }
            found
        }
        None => {
            if !e.contains_key("debtor.country") {
                required(e, "debtor.countryAlpha2".into(), "countryAlpha2");
            }
            None
        }
    }
}

/// `"CA"`, `"US-CA"` or `"California"`, any case → `"CA"`.
fn us_state(s: &str) -> Option<&'static str> {
    let s = s.trim();
    let code = s
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("US-"))
        .map_or(s, |_| &s[3..]);
    iso::US_STATES
        .iter()
        .find(|(c, name)| c.eq_ignore_ascii_case(code) || name.eq_ignore_ascii_case(s))
        .map(|(c, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_accept_the_forms_system_text_json_reads() {
        let midnight = NaiveDate::from_ymd_opt(2025, 1, 15)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("valid date");
        assert_eq!(parse_datetime("2025-01-15"), Some(midnight));
        assert_eq!(parse_datetime("2025-01-15T00:00:00"), Some(midnight));
        assert_eq!(parse_datetime("2025-01-15T02:00:00+02:00"), Some(midnight));
        assert_eq!(parse_datetime("15/01/2025"), None);
    }

    #[test]
    fn us_states_accept_code_iso_and_name() {
        assert_eq!(us_state("ca"), Some("CA"));
        assert_eq!(us_state("US-NY"), Some("NY"));
        assert_eq!(us_state("California"), Some("CA"));
        assert_eq!(us_state("XX"), None);
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert!(looks_like_email("a@b.dk"));
        assert!(!looks_like_email("a@b"));
        assert!(!looks_like_email("@b.dk"));
        assert!(!looks_like_email("a b@c.dk"));
    }
}
