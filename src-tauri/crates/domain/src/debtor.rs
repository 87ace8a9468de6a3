//! The debtor: who owes the money.
//!
//! Two shapes on purpose. [`DebtorData`] is what a source gave us, every
//! field optional and unchecked, plus the user's [`DebtorOverride`] edits,
//! which are made once per debtor and apply to all of that debtor's
//! invoices. [`Debtor`] is the complete, checked debtor of a
//! [`crate::CaseDraft`]; only the readiness rules can build one.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::country::{CountryCode, CountryInput};
use crate::error::DomainError;
use crate::text::{fold, non_blank};
use crate::us_state::UsState;
use crate::wire_enum::wire_enum;

wire_enum! {
    /// Company (B2B) or private person (B2C). The wire values are the
    /// agency's `debtor.type` values.
    pub enum DebtorKind {
        /// A business of any legal form.
        Company => "Company",
        /// A private person (consumer).
        Private => "Private",
    }
}

impl DebtorKind {
    /// Reads a debtor type from user or spreadsheet text, any case:
    /// "Company"/"Business"/"B2B"/"Firma"/"Virksomhed"/"Företag"/"Entreprise"
    /// or "Private"/"Person"/"Individual"/"Consumer"/"B2C"/"Privat"/"Privé".
    ///
    /// # Errors
    /// [`DomainError::ParseDebtorKind`] for anything else.
    pub fn parse(input: &str) -> Result<DebtorKind, DomainError> {
        match fold(input.trim()).as_str() {
            "company" | "business" | "b2b" | "corporate" | "organisation" | "organization"
            | "firma" | "virksomhed" | "foretag" | "bedrift" | "yritys" | "unternehmen"
            | "entreprise" | "empresa" | "bedrijf" | "azienda" => Ok(DebtorKind::Company),
            "private" | "person" | "individual" | "consumer" | "b2c" | "privat"
            | "privatperson" | "yksityinen" | "prive" | "particulier" | "particular"
            | "privato" => Ok(DebtorKind::Private),
            _ => Err(DomainError::ParseDebtorKind {
                input: input.to_owned(),
            }),
        }
    }
}

impl FromStr for DebtorKind {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DebtorKind::parse(s)
    }
}

/// Legal-form words that mark a company wherever they appear in a name.
const COMPANY_WORDS: &[&str] = &[
    "aps",
    "a/s",
    "i/s",
    "k/s",
    "p/s",
    "ivs",
    "amba",
    "smba",
    "fmba",
    "gmbh",
    "mbh",
    "kgaa",
    "ohg",
    "gbr",
    "ltd",
    "limited",
    "plc",
    "llc",
    "llp",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "company",
    "asa",
    "oyj",
    "sarl",
    "sasu",
    "eurl",
    "spa",
    "srl",
    "sro",
    "bvba",
    "vof",
    "pty",
    "bhd",
    "sdn",
    "pte",
    "ltda",
    "kft",
    "zrt",
    "gmbh&co",
];

/// Short legal-form words that could also be part of a person's name, so
/// they count only as the first or last word ("AB Volvo", "Nordic AS").
const COMPANY_EDGE_WORDS: &[&str] = &[
    "ag", "kg", "ug", "ab", "as", "oy", "ky", "bv", "nv", "sa", "sl", "slu", "se", "co", "hb",
    "kb", "ans", "lp", "sas", "lda", "doo", "ev", "cv",
];

/// Multi-word legal forms, matched on the word sequence.
const COMPANY_PHRASES: &[&[&str]] = &[
    &["sp", "z", "oo"],
    &["s", "de", "rl"],
    &["sa", "de", "cv"],
    &["s", "r", "l"],
];

/// Guesses the debtor type the way FIELD-MAPPING.md prescribes for sources
/// that do not say: a tax/VAT id, or a legal-form word in the name (ApS,
/// A/S, GmbH, AG, Ltd, LLC, Inc, AB, AS, Oy, BV, SARL, SL, SpA…), means
/// Company.
///
/// Returns `None` when there is no such sign: a bare name cannot tell a
/// person from a business, so the user is asked (once per debtor). Never
/// returns `Private`: sources that know a debtor is a person say so
/// (Stripe `individual_name`, QuickBooks without `CompanyName`) and set
/// [`DebtorData::kind`] directly.
pub fn infer_debtor_kind(name: Option<&str>, has_tax_id: bool) -> Option<DebtorKind> {
    if has_tax_id || name.is_some_and(has_company_form) {
        Some(DebtorKind::Company)
    } else {
        None
    }
}

/// Whether `word` (folded, dots removed) is a legal-form word such as
/// "aps" or "gmbh"; the fingerprint drops these from names.
pub(crate) fn is_legal_form_word(word: &str) -> bool {
    COMPANY_WORDS.contains(&word) || COMPANY_EDGE_WORDS.contains(&word)
}

fn has_company_form(name: &str) -> bool {
    let folded = fold(name).replace('.', "");
    let words: Vec<&str> = folded
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | ';' | '"'))
        .filter(|w| !w.is_empty())
        .collect();
    let Some((first, last)) = words.first().zip(words.last()) else {
        return false;
    };
    if words.iter().any(|w| COMPANY_WORDS.contains(w))
        || COMPANY_EDGE_WORDS.contains(first)
        || COMPANY_EDGE_WORDS.contains(last)
    {
        return true;
    }
    COMPANY_PHRASES
        .iter()
        .any(|phrase| words.windows(phrase.len()).any(|run| run == *phrase))
}

/// An email address that passed a light structural check: one `@`, a
/// plausible local part, a domain with at least two labels. The domain is
/// lower-cased (domains are case-insensitive; local parts, formally, are
/// not, so they are kept). Deliverability is not checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Email(String);

impl Email {
    /// Reads an address; trims.
    ///
    /// # Errors
    /// [`DomainError::ParseEmail`] with a plain-words `problem`.
    pub fn parse(input: &str) -> Result<Email, DomainError> {
        let bad = |problem| DomainError::ParseEmail {
            input: input.to_owned(),
            problem,
        };
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(bad("it is empty"));
        }
        if trimmed.chars().count() > 254 {
            return Err(bad("it is longer than 254 characters"));
        }
        let (local, domain) = match trimmed.split_once('@') {
            Some((local, domain)) if !domain.contains('@') => (local, domain),
            _ => return Err(bad("it needs exactly one @")),
        };
        if !valid_local_part(local) {
            return Err(bad("the part before the @ is not valid"));
        }
        if !valid_domain(domain) {
            return Err(bad("the part after the @ is not a valid domain"));
        }
        Ok(Email(format!("{local}@{}", domain.to_lowercase())))
    }

    /// Reads the first address of a contact field the way sources fill it:
    /// QuickBooks allows several addresses separated by commas, exports
    /// write `Name <address>`. The agency takes one address, so the first
    /// one is used.
    ///
    /// # Errors
    /// As [`Email::parse`], for the first address found.
    pub fn from_contact_field(input: &str) -> Result<Email, DomainError> {
        let first = input
            .split([',', ';'])
            .map(str::trim)
            .find(|part| !part.is_empty())
            .unwrap_or(input);
        let address = match (first.rfind('<'), first.ends_with('>')) {
            (Some(open), true) => &first[open + 1..first.len() - 1],
            _ => first,
        };
        Email::parse(address).map_err(|error| match error {
            DomainError::ParseEmail { problem, .. } => DomainError::ParseEmail {
                input: input.to_owned(),
                problem,
            },
            other => other,
        })
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn valid_local_part(local: &str) -> bool {
    !local.is_empty()
        && local.chars().count() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(
                    c,
                    '<' | '>' | ',' | ';' | '"' | '(' | ')' | '[' | ']' | '\\'
                )
        })
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.chars().count() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| !tld.chars().all(|c| c.is_ascii_digit()))
}

/// A phone number, kept as the text it was written in (trimmed, inner
/// whitespace collapsed). Never a number type: leading zeros, `+`, and
/// extensions matter, and spreadsheets love to turn `+4512345678` into
/// `4.51E+09`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Phone(String);

impl Phone {
    /// Reads a phone number: at least 3 digits, at most 40 characters; only
    /// digits, spaces and `+ - ( ) . / #`, plus an extension marker
    /// (`x`, `ext`, `ext.`).
    ///
    /// # Errors
    /// [`DomainError::ParsePhone`] for blank text, placeholders like "n/a",
    /// letters, or scientific notation.
    pub fn parse(input: &str) -> Result<Phone, DomainError> {
        let collapsed = collapse_whitespace(input);
        let lower = collapsed.to_ascii_lowercase();
        let without_extension = lower
            .replacen("ext.", " ", 1)
            .replacen("ext", " ", 1)
            .replacen('x', " ", 1);
        let digits = collapsed.chars().filter(char::is_ascii_digit).count();
        let shape_ok = without_extension.chars().all(|c| {
            c.is_ascii_digit() || c == ' ' || matches!(c, '+' | '-' | '(' | ')' | '.' | '/' | '#')
        });
        if digits >= 3 && collapsed.chars().count() <= 40 && shape_ok {
            Ok(Phone(collapsed))
        } else {
            Err(DomainError::ParsePhone {
                input: input.to_owned(),
            })
        }
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A postal code as text: leading zeros kept (`"02134"`), letters
/// upper-cased (`"SW1A 1AA"`), inner whitespace collapsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PostalCode(String);

impl PostalCode {
    /// Reads a postal code: 1–16 characters of ASCII letters, digits,
    /// spaces and dashes, with at least one digit or letter.
    ///
    /// # Errors
    /// [`DomainError::ParsePostalCode`] for blank text or other characters.
    pub fn parse(input: &str) -> Result<PostalCode, DomainError> {
        let collapsed = collapse_whitespace(input).to_ascii_uppercase();
        let ok = !collapsed.is_empty()
            && collapsed.chars().count() <= 16
            && collapsed.chars().any(|c| c.is_ascii_alphanumeric())
            && collapsed
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
        if ok {
            Ok(PostalCode(collapsed))
        } else {
            Err(DomainError::ParsePostalCode {
                input: input.to_owned(),
            })
        }
    }

    /// Rebuilds a postal code that a source sent as a JSON number (Zoho's
    /// `billing_address.zip` can be one), restoring the leading zeros the
    /// number lost for countries whose codes are all digits of a fixed
    /// length: `2134` in the US is `"02134"`, `800` in Australia `"0800"`.
    /// Other countries, or no country, get the digits as they are.
    ///
    /// # Errors
    /// [`DomainError::ParsePostalCode`] for numbers too long to be a postal
    /// code (more than 16 digits).
    pub fn from_number(
        number: u64,
        country: Option<CountryCode>,
    ) -> Result<PostalCode, DomainError> {
        let width = country.and_then(numeric_postal_code_width).unwrap_or(0);
        PostalCode::parse(&format!("{number:0width$}"))
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Countries whose postal codes are all-digit and fixed-length, and where
/// codes with a leading zero exist (so a number loses information).
fn numeric_postal_code_width(country: CountryCode) -> Option<usize> {
    use CountryCode as C;
    match country {
        C::US
        | C::PR
        | C::GU
        | C::VI
        | C::AS
        | C::MP
        | C::DE
        | C::FR
        | C::IT
        | C::ES
        | C::FI
        | C::MX
        | C::EE
        | C::HR
        | C::GR
        | C::TR
        | C::MY
        | C::TH
        | C::ID => Some(5),
        C::AU | C::NZ | C::ZA | C::NO | C::PH => Some(4),
        C::SG | C::IN | C::RU | C::CN | C::KZ | C::BY => Some(6),
        _ => None,
    }
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

macro_rules! text_value_impls {
    ($($ty:ident),+) => {$(
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl FromStr for $ty {
            type Err = DomainError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s)
            }
        }

        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
                $ty::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    )+};
}

text_value_impls!(Email, Phone, PostalCode);

/// A debtor as a source gave it: every field optional, nothing checked.
/// Blank strings count as missing everywhere. Missing JSON fields
/// deserialise as empty, so stored data survives new fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DebtorData {
    /// Company or private, when the source says (or a connector inferred it
    /// with [`infer_debtor_kind`]).
    pub kind: Option<DebtorKind>,
    /// Company name or the person's full name.
    pub name: Option<String>,
    /// Street address lines (without city and postal code), in order.
    pub address_lines: Vec<String>,
    /// City.
    pub city: Option<String>,
    /// Postal code, as text.
    pub postal_code: Option<String>,
    /// Country as written by the source, with the recognised code.
    pub country: Option<CountryInput>,
    /// State or region as written (`"CA"`, `"California"`, `"Lisbon"`).
    pub state: Option<String>,
    /// Email address as written.
    pub email: Option<String>,
    /// Phone number as written.
    pub phone: Option<String>,
    /// VAT / CVR / organisation number.
    pub company_registration_number: Option<String>,
    /// Contact person at a company.
    pub contact_person: Option<String>,
}

/// The user's edits to one debtor, remembered and applied to every invoice
/// of that debtor. `Some` replaces the source's value (`Some("")` clears
/// it); `None` keeps it. In JSON, absent fields are `None`, so the UI can
/// send only what the user changed (`{"city": "Aarhus"}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DebtorOverride {
    /// Replaces [`DebtorData::kind`].
    pub kind: Option<DebtorKind>,
    /// Replaces [`DebtorData::name`].
    pub name: Option<String>,
    /// Replaces all of [`DebtorData::address_lines`].
    pub address_lines: Option<Vec<String>>,
    /// Replaces [`DebtorData::city`].
    pub city: Option<String>,
    /// Replaces [`DebtorData::postal_code`].
    pub postal_code: Option<String>,
    /// Replaces [`DebtorData::country`].
    pub country: Option<CountryInput>,
    /// Replaces [`DebtorData::state`].
    pub state: Option<String>,
    /// Replaces [`DebtorData::email`].
    pub email: Option<String>,
    /// Replaces [`DebtorData::phone`].
    pub phone: Option<String>,
    /// Replaces [`DebtorData::company_registration_number`].
    pub company_registration_number: Option<String>,
    /// Replaces [`DebtorData::contact_person`].
    pub contact_person: Option<String>,
}

impl DebtorData {
    /// This data with the user's edits laid over it.
    pub fn with_override(&self, edits: &DebtorOverride) -> DebtorData {
        fn pick<T: Clone>(edit: &Option<T>, source: &Option<T>) -> Option<T> {
            edit.as_ref().or(source.as_ref()).cloned()
        }
        DebtorData {
            kind: edits.kind.or(self.kind),
            name: pick(&edits.name, &self.name),
            address_lines: edits
                .address_lines
                .clone()
                .unwrap_or_else(|| self.address_lines.clone()),
            city: pick(&edits.city, &self.city),
            postal_code: pick(&edits.postal_code, &self.postal_code),
            country: pick(&edits.country, &self.country),
            state: pick(&edits.state, &self.state),
            email: pick(&edits.email, &self.email),
            phone: pick(&edits.phone, &self.phone),
            company_registration_number: pick(
                &edits.company_registration_number,
                &self.company_registration_number,
            ),
            contact_person: pick(&edits.contact_person, &self.contact_person),
        }
    }

    /// The kind the source gave, else the one [`infer_debtor_kind`] reads
    /// from the name and registration number; `None` means "ask the user".
    pub fn effective_kind(&self) -> Option<DebtorKind> {
        self.kind.or_else(|| {
            infer_debtor_kind(
                non_blank(self.name.as_deref()),
                non_blank(self.company_registration_number.as_deref()).is_some(),
            )
        })
    }

    /// The non-blank address lines, trimmed, joined with ", " (the agency
    /// takes one `address` string); `None` when there are none.
    pub fn street_address(&self) -> Option<String> {
        let lines: Vec<&str> = self
            .address_lines
            .iter()
            .filter_map(|line| non_blank(Some(line)))
            .collect();
        (!lines.is_empty()).then(|| lines.join(", "))
    }
}

/// A complete, checked debtor, as the agency receives it. Built only by
/// [`crate::CaseDraft::from_invoice`].
///
/// Invariants: name, street address and city are non-blank; `us_state` is
/// `Some` exactly when the country is the US; `region` (free-text state) is
/// only set outside the US; `contact_person` only for companies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Debtor {
    kind: DebtorKind,
    name: String,
    address: String,
    city: String,
    postal_code: Option<PostalCode>,
    country: CountryCode,
    us_state: Option<UsState>,
    region: Option<String>,
    email: Option<Email>,
    phone: Option<Phone>,
    company_registration_number: Option<String>,
    contact_person: Option<String>,
}

/// The checked parts of a [`Debtor`], handed over by the readiness rules.
pub(crate) struct DebtorParts {
    pub kind: DebtorKind,
    pub name: String,
    pub address: String,
    pub city: String,
    pub postal_code: Option<PostalCode>,
    pub country: CountryCode,
    pub us_state: Option<UsState>,
    pub region: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub company_registration_number: Option<String>,
    pub contact_person: Option<String>,
}

impl Debtor {
    pub(crate) fn from_parts(parts: DebtorParts) -> Debtor {
        let is_us = parts.country == CountryCode::US;
        Debtor {
            kind: parts.kind,
            name: parts.name,
            address: parts.address,
            city: parts.city,
            postal_code: parts.postal_code,
            country: parts.country,
            us_state: parts.us_state.filter(|_| is_us),
            region: parts.region.filter(|_| !is_us),
            email: parts.email,
            phone: parts.phone,
            company_registration_number: parts.company_registration_number,
            contact_person: parts
                .contact_person
                .filter(|_| parts.kind == DebtorKind::Company),
        }
    }

    /// Company or private person.
    pub fn kind(&self) -> DebtorKind {
        self.kind
    }

    /// Company name or full name of the person.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Street address, lines joined with ", ".
    pub fn address(&self) -> &str {
        &self.address
    }

    /// City.
    pub fn city(&self) -> &str {
        &self.city
    }

    /// Postal code, when known (the agency does not require it).
    pub fn postal_code(&self) -> Option<&PostalCode> {
        self.postal_code.as_ref()
    }

    /// Country.
    pub fn country(&self) -> CountryCode {
        self.country
    }

    /// The US state; always `Some` for US debtors, `None` otherwise.
    pub fn us_state(&self) -> Option<UsState> {
        self.us_state
    }

    /// Free-text state/region for non-US debtors (the agency's `state`).
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Email, when known and valid.
    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }

    /// Phone, when known and plausible.
    pub fn phone(&self) -> Option<&Phone> {
        self.phone.as_ref()
    }

    /// VAT / CVR / organisation number.
    pub fn company_registration_number(&self) -> Option<&str> {
        self.company_registration_number.as_deref()
    }

    /// Contact person (companies only).
    pub fn contact_person(&self) -> Option<&str> {
        self.contact_person.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debtor_kind_wire_values_are_the_agencys() {
        assert_eq!(DebtorKind::Company.as_str(), "Company");
        assert_eq!(DebtorKind::Private.as_str(), "Private");
        assert_eq!(
            serde_json::to_string(&DebtorKind::Private).unwrap(),
            "\"Private\""
        );
        assert_eq!(
            serde_json::from_str::<DebtorKind>("\"Company\"").unwrap(),
            DebtorKind::Company
        );
    }

    #[test]
    fn debtor_kind_parse_reads_synonyms_in_several_languages() {
        assert_eq!(DebtorKind::parse(" company "), Ok(DebtorKind::Company));
        assert_eq!(DebtorKind::parse("B2B"), Ok(DebtorKind::Company));
        assert_eq!(DebtorKind::parse("Virksomhed"), Ok(DebtorKind::Company));
        assert_eq!(DebtorKind::parse("Företag"), Ok(DebtorKind::Company));
        assert_eq!(DebtorKind::parse("Person"), Ok(DebtorKind::Private));
        assert_eq!(DebtorKind::parse("privé"), Ok(DebtorKind::Private));
    }

    #[test]
    fn debtor_kind_parse_refuses_unknown_words() {
        for bad in ["", "  ", "maybe", "Companyy", "🏢"] {
            assert_eq!(
                DebtorKind::parse(bad),
                Err(DomainError::ParseDebtorKind {
                    input: bad.to_owned()
                })
            );
        }
    }

    #[test]
    fn infer_kind_finds_legal_forms_in_names() {
        for name in [
            "Nordisk Tømrer ApS",
            "Jensen A/S",
            "Müller GmbH & Co. KG",
            "Siemens AG",
            "Acme Ltd.",
            "Acme Widgets, LLC",
            "Apple Inc.",
            "AB Volvo",
            "Volvo AB",
            "Equinor ASA",
            "Nordic Bakery AS",
            "Nokia Oyj",
            "Oy Hartwall",
            "Philips B.V.",
            "Renault S.A.R.L.",
            "Ferrari S.p.A.",
            "Zara S.L.",
            "Firma Sp. z o.o.",
            "Smith & Co",
        ] {
            assert_eq!(
                infer_debtor_kind(Some(name), false),
                Some(DebtorKind::Company),
                "{name}"
            );
        }
    }

    #[test]
    fn infer_kind_asks_when_a_name_shows_no_legal_form() {
        for name in [
            "Jens Hansen",
            "Anna Asmussen",
            "Sasha Grey",
            "Inca Trail Tours",
            "Coco",
            "",
        ] {
            assert_eq!(infer_debtor_kind(Some(name), false), None, "{name}");
        }
        assert_eq!(infer_debtor_kind(None, false), None);
    }

    #[test]
    fn infer_kind_treats_a_tax_id_as_a_company() {
        assert_eq!(
            infer_debtor_kind(Some("Jens Hansen"), true),
            Some(DebtorKind::Company)
        );
        assert_eq!(infer_debtor_kind(None, true), Some(DebtorKind::Company));
    }

    #[test]
    fn email_lowercases_the_domain_only() {
        let email = Email::parse("  Jens.Hansen@Example.DK ").unwrap();
        assert_eq!(email.as_str(), "Jens.Hansen@example.dk");
        assert!(Email::parse("ap@xn--bcher-kva.example").is_ok());
        assert!(Email::parse("ap@bücher.de").is_ok());
    }

    #[test]
    fn email_refuses_malformed_addresses_with_a_reason() {
        let cases = [
            ("", "it is empty"),
            ("   ", "it is empty"),
            ("jens", "it needs exactly one @"),
            ("a@b@c.dk", "it needs exactly one @"),
            ("@example.com", "the part before the @ is not valid"),
            (
                "jens hansen@example.com",
                "the part before the @ is not valid",
            ),
            (".jens@example.com", "the part before the @ is not valid"),
            ("jens..h@example.com", "the part before the @ is not valid"),
            ("jens@", "the part after the @ is not a valid domain"),
            (
                "jens@localhost",
                "the part after the @ is not a valid domain",
            ),
            (
                "jens@example..com",
                "the part after the @ is not a valid domain",
            ),
            (
                "jens@-example.com",
                "the part after the @ is not a valid domain",
            ),
            ("jens@1.2.3.4", "the part after the @ is not a valid domain"),
            (
                "jens@exa_mple.com",
                "the part after the @ is not a valid domain",
            ),
        ];
        for (input, problem) in cases {
            assert_eq!(
                Email::parse(input),
                Err(DomainError::ParseEmail {
                    input: input.to_owned(),
                    problem
                }),
                "{input:?}"
            );
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(matches!(
            Email::parse(&long),
            Err(DomainError::ParseEmail {
                problem: "it is longer than 254 characters",
                ..
            })
        ));
    }

    #[test]
    fn email_from_contact_field_takes_the_first_address() {
        let cases = [
            ("ap@acme.com, boss@acme.com", "ap@acme.com"),
            (" ; ap@acme.com;boss@acme.com", "ap@acme.com"),
            ("Acme AP <AP@Acme.COM>", "AP@acme.com"),
            ("plain@acme.com", "plain@acme.com"),
        ];
        for (input, expected) in cases {
            assert_eq!(
                Email::from_contact_field(input).unwrap().as_str(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn email_from_contact_field_reports_the_whole_field_when_the_first_is_bad() {
        assert_eq!(
            Email::from_contact_field("nope, ap@acme.com"),
            Err(DomainError::ParseEmail {
                input: "nope, ap@acme.com".into(),
                problem: "it needs exactly one @"
            })
        );
        assert!(Email::from_contact_field("Acme <>").is_err());
        assert!(Email::from_contact_field("").is_err());
    }

    #[test]
    fn phone_keeps_text_and_collapses_whitespace() {
        assert_eq!(
            Phone::parse("  +45  12 34 56 78 ").unwrap().as_str(),
            "+45 12 34 56 78"
        );
        assert_eq!(
            Phone::parse("0045 12345678").unwrap().as_str(),
            "0045 12345678"
        );
        assert_eq!(
            Phone::parse("(415) 555-0123 ext. 12").unwrap().as_str(),
            "(415) 555-0123 ext. 12"
        );
        assert!(Phone::parse("+1 415 555 0123 x7").is_ok());
    }

    #[test]
    fn phone_refuses_placeholders_letters_and_scientific_notation() {
        for bad in [
            "",
            "  ",
            "n/a",
            "12",
            "call me",
            "4.51E+09",
            "+45 ☎ 12345678",
            &"1".repeat(41),
        ] {
            assert_eq!(
                Phone::parse(bad),
                Err(DomainError::ParsePhone {
                    input: bad.to_owned()
                }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn postal_code_keeps_leading_zeros_and_uppercases() {
        assert_eq!(PostalCode::parse(" 02134 ").unwrap().as_str(), "02134");
        assert_eq!(PostalCode::parse("sw1a  1aa").unwrap().as_str(), "SW1A 1AA");
        assert_eq!(PostalCode::parse("1234-567").unwrap().as_str(), "1234-567");
    }

    #[test]
    fn postal_code_from_a_number_restores_leading_zeros_where_codes_have_fixed_width() {
        let cases = [
            (2134, Some(CountryCode::US), "02134"),
            (1067, Some(CountryCode::DE), "01067"),
            (800, Some(CountryCode::AU), "0800"),
            (150, Some(CountryCode::NO), "0150"),
            (18960, Some(CountryCode::SG), "018960"),
            (8000, Some(CountryCode::DK), "8000"),
            (2134, None, "2134"),
            (123_456, Some(CountryCode::US), "123456"),
        ];
        for (number, country, expected) in cases {
            assert_eq!(
                PostalCode::from_number(number, country).unwrap().as_str(),
                expected
            );
        }
        assert_eq!(
            PostalCode::from_number(u64::MAX, None),
            Err(DomainError::ParsePostalCode {
                input: u64::MAX.to_string()
            })
        );
    }

    #[test]
    fn postal_code_refuses_blank_odd_characters_and_overlong_text() {
        for bad in ["", "   ", "--", "12#45", "ø123", "12345678901234567"] {
            assert_eq!(
                PostalCode::parse(bad),
                Err(DomainError::ParsePostalCode {
                    input: bad.to_owned()
                }),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn text_values_serde_round_trip_and_revalidate() {
        let email = Email::parse("a@b.dk").unwrap();
        let json = serde_json::to_string(&email).unwrap();
        assert_eq!(json, "\"a@b.dk\"");
        assert_eq!(serde_json::from_str::<Email>(&json).unwrap(), email);
        assert!(serde_json::from_str::<Email>("\"nope\"").is_err());
        assert_eq!(
            serde_json::from_str::<PostalCode>("\"0800\"")
                .unwrap()
                .as_str(),
            "0800"
        );
        assert!(serde_json::from_str::<Phone>("\"n/a\"").is_err());
    }

    fn source_debtor() -> DebtorData {
        DebtorData {
            kind: None,
            name: Some("Nordisk Tømrer ApS".into()),
            address_lines: vec!["Vestergade 1".into(), "  ".into(), "2. sal".into()],
            city: Some("Aarhus".into()),
            postal_code: Some("8000".into()),
            country: CountryInput::new("Danmark"),
            email: Some("old@example.dk".into()),
            ..DebtorData::default()
        }
    }

    #[test]
    fn override_replaces_only_the_fields_it_sets() {
        let edits = DebtorOverride {
            city: Some("Aarhus C".into()),
            email: Some(String::new()),
            country: CountryInput::new("DK"),
            ..DebtorOverride::default()
        };
        let merged = source_debtor().with_override(&edits);
        assert_eq!(merged.city.as_deref(), Some("Aarhus C"));
        assert_eq!(
            merged.email.as_deref(),
            Some(""),
            "Some(\"\") clears the source's email"
        );
        assert_eq!(merged.name.as_deref(), Some("Nordisk Tømrer ApS"));
        assert_eq!(merged.address_lines, source_debtor().address_lines);
        assert_eq!(merged.country.and_then(|c| c.code()), Some(CountryCode::DK));
    }

    #[test]
    fn override_replaces_address_lines_as_a_whole() {
        let edits = DebtorOverride {
            address_lines: Some(vec!["Nørregade 9".into()]),
            ..DebtorOverride::default()
        };
        let merged = source_debtor().with_override(&edits);
        assert_eq!(merged.street_address().as_deref(), Some("Nørregade 9"));
    }

    #[test]
    fn empty_override_changes_nothing() {
        assert_eq!(
            source_debtor().with_override(&DebtorOverride::default()),
            source_debtor()
        );
    }

    #[test]
    fn street_address_joins_non_blank_lines() {
        assert_eq!(
            source_debtor().street_address().as_deref(),
            Some("Vestergade 1, 2. sal")
        );
        let blank = DebtorData {
            address_lines: vec![" ".into()],
            ..DebtorData::default()
        };
        assert_eq!(blank.street_address(), None);
    }

    #[test]
    fn effective_kind_prefers_the_source_then_infers() {
        let mut data = source_debtor();
        assert_eq!(data.effective_kind(), Some(DebtorKind::Company));
        data.kind = Some(DebtorKind::Private);
        assert_eq!(data.effective_kind(), Some(DebtorKind::Private));
        let unknown = DebtorData {
            name: Some("Jens Hansen".into()),
            company_registration_number: Some("  ".into()),
            ..DebtorData::default()
        };
        assert_eq!(
            unknown.effective_kind(),
            None,
            "a blank VAT number is no VAT number"
        );
    }

    #[test]
    fn debtor_override_reads_partial_json_from_the_ui() {
        let edits: DebtorOverride =
            serde_json::from_str(r#"{"city": "Aarhus", "country": "Danmark"}"#).unwrap();
        assert_eq!(edits.city.as_deref(), Some("Aarhus"));
        assert_eq!(edits.country.and_then(|c| c.code()), Some(CountryCode::DK));
        assert_eq!(edits.address_lines, None);
        let empty: DebtorData = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, DebtorData::default());
    }

    #[test]
    fn debtor_override_serde_round_trips() {
        let edits = DebtorOverride {
            kind: Some(DebtorKind::Private),
            address_lines: Some(vec!["Nørregade 9".into()]),
            state: Some("CA".into()),
            ..DebtorOverride::default()
        };
        let json = serde_json::to_string(&edits).unwrap();
        assert_eq!(
            serde_json::from_str::<DebtorOverride>(&json).unwrap(),
            edits
        );
    }

    #[test]
    fn debtor_data_serde_round_trips() {
        let data = source_debtor();
        let json = serde_json::to_string(&data).unwrap();
        let back: DebtorData = serde_json::from_str(&json).unwrap();
        assert_eq!(back, data);
    }
}
