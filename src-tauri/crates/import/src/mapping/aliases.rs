//! The multilingual alias table: what spreadsheets in English, Danish,
//! German, Swedish, Norwegian, French, Spanish and Dutch call each field.
//!
//! Aliases are written as users write them; they are normalised (see
//! [`super::normalize`]) when the table is built, so "Beløb", "BELØB" and
//! "belob" all hit. Each alias belongs to one field only: a test checks it.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::normalize;

/// A field of an imported invoice a column can fill. The engine's API and the
/// UI (as `ImportField`, which ts-rs writes into `ui/src/gen`) use this type
/// too, so the mapping editor and the importer cannot disagree on the fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "ImportField")]
pub enum CaseFieldTarget {
    /// Invoice number (the agency's creditor reference).
    InvoiceNumber,
    /// Invoice date.
    IssueDate,
    /// Due date.
    DueDate,
    /// Invoice total.
    TotalAmount,
    /// What is still owed (the claim).
    OutstandingAmount,
    /// ISO 4217 currency.
    Currency,
    /// What the invoice is for.
    Description,
    /// The customer's id in the creditor's system (groups a debtor's
    /// invoices).
    CustomerId,
    /// Debtor name.
    DebtorName,
    /// Company or private person.
    DebtorType,
    /// Street address.
    Street,
    /// Second address line.
    Street2,
    /// Postal code.
    PostalCode,
    /// City.
    City,
    /// Country (code or name).
    Country,
    /// State / province / region.
    State,
    /// Debtor email.
    Email,
    /// Debtor phone.
    Phone,
    /// VAT / company registration number.
    CompanyRegistrationNumber,
    /// Contact person at a company debtor.
    ContactPerson,
}

impl CaseFieldTarget {
    /// Every target, in the order the UI lists them.
    pub const ALL: [CaseFieldTarget; 20] = [
        CaseFieldTarget::InvoiceNumber,
        CaseFieldTarget::IssueDate,
        CaseFieldTarget::DueDate,
        CaseFieldTarget::TotalAmount,
        CaseFieldTarget::OutstandingAmount,
        CaseFieldTarget::Currency,
        CaseFieldTarget::Description,
        CaseFieldTarget::CustomerId,
        CaseFieldTarget::DebtorName,
        CaseFieldTarget::DebtorType,
        CaseFieldTarget::Street,
        CaseFieldTarget::Street2,
        CaseFieldTarget::PostalCode,
        CaseFieldTarget::City,
        CaseFieldTarget::Country,
        CaseFieldTarget::State,
        CaseFieldTarget::Email,
        CaseFieldTarget::Phone,
        CaseFieldTarget::CompanyRegistrationNumber,
        CaseFieldTarget::ContactPerson,
    ];

    /// The names spreadsheets use for this field, as written.
    pub fn aliases(self) -> &'static [&'static str] {
        use CaseFieldTarget as T;
        match self {
            T::InvoiceNumber => &[
                "invoice number",
                "invoice no",
                "invoice #",
                "invoice nr",
                "invoice id",
                "invoice",
                "inv no",
                "inv #",
                "document number",
                "doc no",
                "bill number",
                "invoice ref",
                // da / sv / no
                "fakturanummer",
                "fakturanr",
                "faktura nr",
                "faktura",
                "bilagsnummer",
                "bilagsnr",
                // de
                "rechnungsnummer",
                "rechnungsnr",
                "rechnung nr",
                "re nr",
                "belegnummer",
                "rechnung",
                // fr
                "n° de facture",
                "numéro de facture",
                "no facture",
                "n° facture",
                "facture",
                "réf facture",
                // es
                "número de factura",
                "nº factura",
                "nº de factura",
                "num factura",
                "factura",
                "número factura",
                // nl
                "factuurnummer",
                "factuurnr",
                "factuur nr",
                "factuur",
            ],
            T::IssueDate => &[
                "invoice date",
                "date",
                "issue date",
                "issued",
                "document date",
                "date of invoice",
                "issued on",
                "billing date",
                "fakturadato",
                "dato",
                "udstedelsesdato",
                "bilagsdato",
                "rechnungsdatum",
                "datum",
                "belegdatum",
                "ausstellungsdatum",
                "fakturadatum",
                "date de facture",
                "date facture",
                "date d'émission",
                "date de facturation",
                "fecha de factura",
                "fecha factura",
                "fecha",
                "fecha de emisión",
                "fecha emisión",
                "factuurdatum",
            ],
            T::DueDate => &[
                "due date",
                "due",
                "payment due",
                "due on",
                "maturity date",
                "payment date due",
                "forfaldsdato",
                "forfald",
                "betalingsfrist",
                "sidste rettidige betalingsdato",
                "fälligkeitsdatum",
                "fällig am",
                "fälligkeit",
                "zahlungsziel",
                "fällig",
                "förfallodatum",
                "förfallodag",
                "förfaller",
                "forfallsdato",
                "forfall",
                "forfallsdag",
                "date d'échéance",
                "échéance",
                "date échéance",
                "fecha de vencimiento",
                "vencimiento",
                "fecha vencimiento",
                "vervaldatum",
                "vervaldag",
                "uiterste betaaldatum",
            ],
            T::TotalAmount => &[
                "amount",
                "total",
                "invoice amount",
                "total amount",
                "gross amount",
                "invoice total",
                "amount incl vat",
                "total incl vat",
                "beløb",
                "fakturabeløb",
                "i alt",
                "beløb inkl moms",
                "total inkl moms",
                "betrag",
                "rechnungsbetrag",
                "gesamtbetrag",
                "bruttobetrag",
                "summe",
                "brutto",
                "belopp",
                "fakturabelopp",
                "totalt",
                "summa",
                "totalbelopp",
                "beløp",
                "fakturabeløp",
                "sum",
                "totalbeløp",
                "montant",
                "montant ttc",
                "total ttc",
                "montant total",
                "montant facture",
                "importe",
                "importe total",
                "total factura",
                "monto",
                "importe factura",
                "bedrag",
                "totaalbedrag",
                "factuurbedrag",
                "totaal",
                "bedrag incl btw",
            ],
            T::OutstandingAmount => &[
                "balance",
                "outstanding",
                "amount due",
                "balance due",
                "open amount",
                "remaining",
                "amount outstanding",
                "unpaid",
                "outstanding amount",
                "amount remaining",
                "restbeløb",
                "udestående",
                "saldo",
                "skyldigt beløb",
                "åbent beløb",
                "restsaldo",
                "offener betrag",
                "restbetrag",
                "offen",
                "ausstehend",
                "offener posten",
                "restbelopp",
                "utestående",
                "kvar att betala",
                "utestående belopp",
                "restbeløp",
                "utestående beløp",
                "solde",
                "reste à payer",
                "montant dû",
                "montant restant",
                "solde dû",
                "pendiente",
                "importe pendiente",
                "saldo pendiente",
                "openstaand bedrag",
                "openstaand",
                "restbedrag",
                "nog te betalen",
            ],
            T::Currency => &[
                "currency",
                "curr",
                "ccy",
                "currency code",
                "cur",
                "valuta",
                "møntfod",
                "valutakode",
                "währung",
                "währungscode",
                "devise",
                "monnaie",
                "moneda",
                "divisa",
                "munt",
                "munteenheid",
            ],
            T::Description => &[
                "description",
                "text",
                "item",
                "details",
                "memo",
                "notes",
                "subject",
                "line items",
                "beskrivelse",
                "tekst",
                "varebeskrivelse",
                "bemærkning",
                "beschreibung",
                "bezeichnung",
                "verwendungszweck",
                "betreff",
                "beskrivning",
                "anteckning",
                "libellé",
                "désignation",
                "objet",
                "descripción",
                "concepto",
                "detalle",
                "omschrijving",
                "beschrijving",
            ],
            T::CustomerId => &[
                "customer id",
                "customer number",
                "customer no",
                "account number",
                "client id",
                "debtor number",
                "customer ref",
                "account no",
                "client number",
                "kundenummer",
                "kundenr",
                "debitornummer",
                "debitornr",
                "kunde nr",
                "kundennummer",
                "kundennr",
                "debitorennummer",
                "kd nr",
                "kundnummer",
                "kundnr",
                "numéro client",
                "n° client",
                "code client",
                "id client",
                "référence client",
                "número de cliente",
                "código cliente",
                "id cliente",
                "nº cliente",
                "klantnummer",
                "debiteurnummer",
                "klantnr",
                "debiteurnr",
            ],
            T::DebtorName => &[
                "customer",
                "customer name",
                "name",
                "debtor",
                "debtor name",
                "client",
                "client name",
                "company",
                "company name",
                "bill to",
                "payer",
                "account name",
                "kunde",
                "kundenavn",
                "navn",
                "debitor",
                "firma",
                "firmanavn",
                "debitornavn",
                "kundenname",
                "schuldner",
                "rechnungsempfänger",
                "firmenname",
                "kund",
                "kundnamn",
                "namn",
                "företag",
                "gäldenär",
                "företagsnamn",
                "skyldner",
                "firmanavn",
                "nom",
                "nom du client",
                "raison sociale",
                "débiteur",
                "société",
                "nom client",
                "cliente",
                "nombre",
                "nombre del cliente",
                "razón social",
                "deudor",
                "empresa",
                "klant",
                "naam",
                "klantnaam",
                "debiteur",
                "bedrijf",
                "bedrijfsnaam",
            ],
            T::DebtorType => &[
                "customer type",
                "debtor type",
                "type",
                "entity type",
                "customer kind",
                "kundetype",
                "debitortype",
                "kundentyp",
                "kundenart",
                "kundtyp",
                "type de client",
                "tipo de cliente",
                "tipo cliente",
                "klanttype",
                "soort klant",
            ],
            T::Street => &[
                "address",
                "street",
                "address line 1",
                "address 1",
                "street address",
                "billing address",
                "address1",
                "addr",
                "adresse",
                "vej",
                "gade",
                "vejnavn",
                "adresse 1",
                "straße",
                "anschrift",
                "straße und hausnummer",
                "str",
                "adress",
                "gatuadress",
                "gata",
                "utdelningsadress",
                "gateadresse",
                "gate",
                "rue",
                "adresse postale",
                "dirección",
                "calle",
                "domicilio",
                "adres",
                "straat",
                "straatnaam",
            ],
            T::Street2 => &[
                "address line 2",
                "address 2",
                "address2",
                "street 2",
                "street2",
                "adresse 2",
                "adresszusatz",
                "adress 2",
                "c/o",
                "complément d'adresse",
                "dirección 2",
                "adres 2",
            ],
            T::PostalCode => &[
                "postal code",
                "postcode",
                "zip",
                "zip code",
                "post code",
                "postal",
                "postnummer",
                "postnr",
                "plz",
                "postleitzahl",
                "code postal",
                "cp",
                "código postal",
            ],
            T::City => &[
                "city",
                "town",
                "by",
                "bynavn",
                "ort",
                "stadt",
                "wohnort",
                "stad",
                "postort",
                "sted",
                "poststed",
                "ville",
                "localité",
                "ciudad",
                "población",
                "localidad",
                "plaats",
                "woonplaats",
            ],
            T::Country => &[
                "country",
                "country code",
                "land",
                "landekode",
                "länderkennzeichen",
                "landskod",
                "landkode",
                "pays",
                "país",
                "code pays",
                "código de país",
                "landcode",
            ],
            T::State => &[
                "state",
                "province",
                "region",
                "county",
                "state code",
                "bundesland",
                "län",
                "fylke",
                "région",
                "département",
                "provincia",
                "estado",
                "provincie",
            ],
            T::Email => &[
                "email",
                "e-mail",
                "mail",
                "email address",
                "e-mail address",
                "e-mailadresse",
                "e-mail-adresse",
                "e-post",
                "epost",
                "e-postadress",
                "courriel",
                "adresse e-mail",
                "mél",
                "correo",
                "correo electrónico",
                "e-mailadres",
            ],
            T::Phone => &[
                "phone",
                "telephone",
                "tel",
                "mobile",
                "phone number",
                "cell",
                "phone no",
                "telefon",
                "tlf",
                "mobil",
                "telefonnummer",
                "tlf nr",
                "handy",
                "mobilnummer",
                "téléphone",
                "tél",
                "portable",
                "teléfono",
                "móvil",
                "telefoon",
                "mobiel",
                "telefoonnummer",
            ],
            T::CompanyRegistrationNumber => &[
                "vat",
                "vat number",
                "vat no",
                "tax id",
                "company number",
                "registration number",
                "org number",
                "ein",
                "vat id",
                "company reg no",
                "cvr",
                "cvr nr",
                "cvr nummer",
                "se nr",
                "ust id",
                "ust idnr",
                "umsatzsteuer id",
                "handelsregisternummer",
                "steuernummer",
                "organisationsnummer",
                "org nr",
                "momsreg nr",
                "organisasjonsnummer",
                "orgnr",
                "siret",
                "siren",
                "numéro de tva",
                "tva intracommunautaire",
                "n° tva",
                "nif",
                "cif",
                "nif cif",
                "kvk",
                "kvk nummer",
                "btw nummer",
                "btw nr",
            ],
            T::ContactPerson => &[
                "contact",
                "contact person",
                "attention",
                "attn",
                "kontaktperson",
                "att",
                "ansprechpartner",
                "interlocuteur",
                "contacto",
                "persona de contacto",
                "contactpersoon",
            ],
        }
    }
}

/// One normalised alias and whose it is.
pub(crate) struct Alias {
    pub(crate) normalized: String,
    pub(crate) compact: String,
    pub(crate) target: CaseFieldTarget,
}

/// Every alias, normalised once.
pub(crate) static TABLE: LazyLock<Vec<Alias>> = LazyLock::new(|| {
    CaseFieldTarget::ALL
        .iter()
        .flat_map(|&target| {
            target.aliases().iter().map(move |alias| {
                let normalized = normalize(alias);
                Alias {
                    compact: normalized.replace(' ', ""),
                    normalized,
                    target,
                }
            })
        })
        .collect()
});

/// Exact lookups by normalised and by compact form ("faktura nr" and
/// "fakturanr" are the same header).
static EXACT: LazyLock<HashMap<String, usize>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    for (index, alias) in TABLE.iter().enumerate() {
        map.entry(alias.normalized.clone()).or_insert(index);
        map.entry(alias.compact.clone()).or_insert(index);
    }
    map
});

/// The alias a normalised header is, exactly.
pub(crate) fn exact(normalized: &str) -> Option<&'static Alias> {
    let index = EXACT
        .get(normalized)
        .or_else(|| EXACT.get(&normalized.replace(' ', "")))?;
    TABLE.get(*index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_alias_belongs_to_two_fields() {
        let mut owner: HashMap<&str, CaseFieldTarget> = HashMap::new();
        let mut clashes = Vec::new();
        for alias in TABLE.iter() {
            for form in [&alias.normalized, &alias.compact] {
                if let Some(&other) = owner.get(form.as_str()) {
                    if other != alias.target {
                        clashes.push(format!("{form}: {other:?} and {:?}", alias.target));
                    }
                }
                owner.insert(form, alias.target);
            }
        }
        assert!(clashes.is_empty(), "{clashes:#?}");
    }

    #[test]
    fn every_field_has_aliases_in_several_languages() {
        for target in CaseFieldTarget::ALL {
            assert!(target.aliases().len() >= 5, "{target:?}");
        }
    }

    #[test]
    fn headers_from_the_issue_hit_their_fields_whatever_the_spelling() {
        use CaseFieldTarget as T;
        for (header, target) in [
            ("Fakturanummer", T::InvoiceNumber),
            ("Rechnungsnummer", T::InvoiceNumber),
            ("Fakturanr.", T::InvoiceNumber),
            ("N° de facture", T::InvoiceNumber),
            ("Número de factura", T::InvoiceNumber),
            ("Factuurnummer", T::InvoiceNumber),
            ("FORFALDSDATO", T::DueDate),
            ("Fälligkeitsdatum", T::DueDate),
            ("Förfallodatum", T::DueDate),
            ("Beløb", T::TotalAmount),
            ("Betrag", T::TotalAmount),
            ("Belopp", T::TotalAmount),
            ("Montant", T::TotalAmount),
            ("Importe", T::TotalAmount),
            ("Bedrag", T::TotalAmount),
            ("Kunde", T::DebtorName),
            ("Debitor", T::DebtorName),
            ("Postnummer", T::PostalCode),
            ("PLZ", T::PostalCode),
            ("Code postal", T::PostalCode),
            ("Ort", T::City),
            ("By", T::City),
            ("Stad", T::City),
            ("Ville", T::City),
            ("Ciudad", T::City),
            ("Plaats", T::City),
            ("Faktura-Nr", T::InvoiceNumber),
            ("E-Mail", T::Email),
        ] {
            assert_eq!(
                exact(&normalize(header)).map(|a| a.target),
                Some(target),
                "{header}"
            );
        }
        assert!(exact(&normalize("Lieblingsfarbe")).is_none());
    }
}
