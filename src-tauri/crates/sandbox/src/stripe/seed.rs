//! Deterministic demo data: the same seed and "now" give the same
//! customers and invoices, byte for byte, and 100,000 invoices take well
//! under a second to make.
//!
//! The story it tells: customers in a dozen countries paying in their own
//! currency (including zero-decimal JPY, three-decimal KWD and ISK's
//! hundredths), companies and people, some without an address, some whose
//! country is written as a name or is not a country at all (so the
//! readiness checklist has something to fix once per debtor), one deleted
//! customer, one-off and subscription invoices (some charged automatically,
//! so without a due date), and invoices that must never be imported:
//! drafts, paid, void, and one open invoice with nothing left to pay.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::model::{
    object_id, CustomerSnapshot, Dataset, FakeAddress, FakeCustomer, FakeInvoice, FakeTaxId,
    InvoiceStatus, Mode,
};

/// What a fresh fake holds, per mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedData {
    /// No customers, no invoices.
    Empty,
    /// The demo story with this many invoices of every status.
    Demo { invoices: usize },
    /// This many open, unpaid invoices and nothing else (benches).
    OpenOnly { invoices: usize },
}

struct Country {
    alpha2: &'static str,
    /// How some accounts' data spells it.
    name: &'static str,
    currency: &'static str,
    vat_prefix: Option<&'static str>,
    company_suffixes: &'static [&'static str],
    /// (city, postal code, state)
    places: &'static [(&'static str, &'static str, Option<&'static str>)],
    phone: &'static str,
    weight: u32,
}

const COUNTRIES: &[Country] = &[
    Country {
        alpha2: "DK",
        name: "Denmark",
        currency: "dkk",
        vat_prefix: Some("DK"),
        company_suffixes: &["ApS", "A/S", "I/S"],
        places: &[
            ("København K", "1050", None),
            ("Aarhus C", "8000", None),
            ("Odense C", "5000", None),
        ],
        phone: "+45",
        weight: 20,
    },
    Country {
        alpha2: "DE",
        name: "Deutschland",
        currency: "eur",
        vat_prefix: Some("DE"),
        company_suffixes: &["GmbH", "AG", "UG"],
        places: &[
            ("Berlin", "10115", None),
            ("Hamburg", "20095", None),
            ("München", "80331", None),
        ],
        phone: "+49",
        weight: 16,
    },
    Country {
        alpha2: "SE",
        name: "Sweden",
        currency: "sek",
        vat_prefix: Some("SE"),
        company_suffixes: &["AB"],
        places: &[("Stockholm", "111 22", None), ("Göteborg", "411 01", None)],
        phone: "+46",
        weight: 8,
    },
    Country {
        alpha2: "NO",
        name: "Norway",
        currency: "nok",
        vat_prefix: None,
        company_suffixes: &["AS"],
        places: &[("Oslo", "0150", None), ("Bergen", "5003", None)],
        phone: "+47",
        weight: 6,
    },
    Country {
        alpha2: "GB",
        name: "United Kingdom",
        currency: "gbp",
        vat_prefix: Some("GB"),
        company_suffixes: &["Ltd", "PLC"],
        places: &[("London", "SW1A 1AA", None), ("Manchester", "M1 1AE", None)],
        phone: "+44",
        weight: 10,
    },
    Country {
        alpha2: "NL",
        name: "Netherlands",
        currency: "eur",
        vat_prefix: Some("NL"),
        company_suffixes: &["B.V."],
        places: &[("Amsterdam", "1012 AB", None), ("Utrecht", "3511 AB", None)],
        phone: "+31",
        weight: 6,
    },
    Country {
        alpha2: "FR",
        name: "France",
        currency: "eur",
        vat_prefix: Some("FR"),
        company_suffixes: &["SARL", "SAS"],
        places: &[("Paris", "75001", None), ("Lyon", "69001", None)],
        phone: "+33",
        weight: 5,
    },
    Country {
        alpha2: "US",
        name: "United States",
        currency: "usd",
        vat_prefix: None,
        company_suffixes: &["Inc", "LLC", "Corp"],
        places: &[
            ("Springfield", "62701", Some("IL")),
            ("Austin", "73301", Some("TX")),
            ("San Jose", "95113", Some("CA")),
        ],
        phone: "+1",
        weight: 10,
    },
    Country {
        alpha2: "JP",
        name: "Japan",
        currency: "jpy",
        vat_prefix: None,
        company_suffixes: &["K.K.", "Co., Ltd."],
        places: &[("Tokyo", "100-0001", None), ("Osaka", "530-0001", None)],
        phone: "+81",
        weight: 5,
    },
    Country {
        alpha2: "KW",
        name: "Kuwait",
        currency: "kwd",
        vat_prefix: None,
        company_suffixes: &["W.L.L."],
        places: &[("Kuwait City", "13001", None)],
        phone: "+965",
        weight: 3,
    },
    Country {
        alpha2: "IS",
        name: "Iceland",
        currency: "isk",
        vat_prefix: None,
        company_suffixes: &["ehf."],
        places: &[("Reykjavík", "101", None), ("Akureyri", "600", None)],
        phone: "+354",
        weight: 4,
    },
    Country {
        alpha2: "CH",
        name: "Schweiz",
        currency: "chf",
        vat_prefix: Some("CHE-"),
        company_suffixes: &["AG", "GmbH"],
        places: &[("Zürich", "8001", None), ("Basel", "4051", None)],
        phone: "+41",
        weight: 4,
    },
];

/// Regions people write where a country belongs; no country parser reads
/// them, so the user has to fix the debtor.
const NOT_COUNTRIES: &[&str] = &["Jylland", "Bavaria", "Scandinavia"];

const COMPANY_WORDS: &[&str] = &[
    "Nordlys",
    "Acme Widgets",
    "Bluebird",
    "Fjord Trading",
    "Kestrel",
    "Lindqvist",
    "Brightwater",
    "Sakura Foods",
    "Al-Noor Trading",
    "Polar Fisheries",
    "Copperleaf",
    "Hansen & Søn",
    "Meridian Logistics",
    "Oakridge",
    "Vestas Byg",
    "Saltvik",
    "Ironbridge",
    "Tidewater",
    "Greenfield Dairy",
    "Atlas Print",
];
/// Trading names with no legal form: neither person nor company is certain.
const TRADING_NAMES: &[&str] = &[
    "Blue Harbor Trading",
    "The Corner Bakery",
    "Northwind Studio",
    "Smith & Daughters",
];
const FIRST_NAMES: &[&str] = &[
    "Anna", "Lars", "Sofie", "Jonas", "Emma", "Noah", "Freja", "Oliver", "Ida", "Kenji", "Yuki",
    "Fatima", "Omar", "Sigrún", "Jón", "Claire", "Lucas", "Mia",
];
const LAST_NAMES: &[&str] = &[
    "Jensen",
    "Nielsen",
    "Müller",
    "Schmidt",
    "Andersson",
    "Berg",
    "Smith",
    "Taylor",
    "Tanaka",
    "Sato",
    "Al-Sabah",
    "Jónsdóttir",
    "Dubois",
    "de Vries",
    "Rossi",
    "Hansen",
];
const STREETS: &[&str] = &[
    "Hovedgaden",
    "Hauptstraße",
    "Storgatan",
    "High Street",
    "Main Street",
    "Keizersgracht",
    "Rue de la Paix",
    "Laugavegur",
    "Bahnhofstrasse",
    "Ginza",
];
const PRODUCTS: &[&str] = &[
    "Consulting hours",
    "Pro plan (monthly)",
    "Implementation workshop",
    "Hardware: sensor kit",
    "Support retainer",
    "Freight and handling",
    "Annual licence",
    "Design sprint",
];

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn pick_country(rng: &mut StdRng) -> &'static Country {
    let total: u32 = COUNTRIES.iter().map(|c| c.weight).sum();
    let mut roll = rng.random_range(0..total);
    for country in COUNTRIES {
        if roll < country.weight {
            return country;
        }
        roll -= country.weight;
    }
    &COUNTRIES[0]
}

fn customer(seq: u64, rng: &mut StdRng, now: i64, livemode: bool) -> FakeCustomer {
    let country = pick_country(rng);
    let roll = rng.random_range(0..100);
    let (name, business, individual) = if roll < 55 {
        let name = format!(
            "{} {}",
            pick(rng, COMPANY_WORDS),
            pick(rng, country.company_suffixes)
        );
        (name.clone(), Some(name), None)
    } else if roll < 88 {
        let name = format!("{} {}", pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES));
        (name.clone(), None, Some(name))
    } else {
        (pick(rng, TRADING_NAMES).to_string(), None, None)
    };
    let is_company = business.is_some();
    // Only newer API versions and newer customers say which it is.
    let says_kind = rng.random_range(0..100) < 40;
    let address_roll = rng.random_range(0..100);
    let address = (address_roll >= 15).then(|| {
        let (city, postal, state) = *pick(rng, country.places);
        let country_text = match address_roll {
            15..=21 => country.name.to_owned(),
            22..=24 => pick(rng, NOT_COUNTRIES).to_string(),
            _ => country.alpha2.to_owned(),
        };
        FakeAddress {
            line1: Some(format!(
                "{} {}",
                pick(rng, STREETS),
                rng.random_range(1..200)
            )),
            line2: (rng.random_range(0..100) < 15)
                .then(|| format!("Floor {}", rng.random_range(1..9))),
            city: (address_roll % 33 != 0).then(|| city.to_owned()),
            state: state.map(str::to_owned),
            postal_code: Some(postal.to_owned()),
            country: Some(country_text),
        }
    });
    let tax_ids = match country.vat_prefix {
        Some(prefix) if is_company && rng.random_range(0..100) < 60 => vec![FakeTaxId {
            kind: if prefix == "GB" {
                "gb_vat"
            } else if prefix.starts_with("CHE") {
                "ch_vat"
            } else {
                "eu_vat"
            }
            .to_owned(),
            value: format!("{prefix}{:09}", rng.random_range(0..1_000_000_000_u64)),
        }],
        _ => Vec::new(),
    };
    let email_name: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .collect::<String>()
        .to_lowercase();
    let id = object_id(
        if livemode { "cus_L" } else { "cus_" },
        seq,
        5,
        rng.random(),
    );
    FakeCustomer {
        created: now - rng.random_range(800..1_600) * 86_400,
        name: Some(name),
        email: (rng.random_range(0..100) < 90)
            .then(|| format!("billing+{seq}@{email_name}.example")),
        phone: (rng.random_range(0..100) < 60).then(|| {
            format!(
                "{} {} {}",
                country.phone,
                rng.random_range(10..99),
                rng.random_range(100_000..999_999)
            )
        }),
        address,
        tax_ids,
        business_name: business.filter(|_| says_kind),
        individual_name: individual.filter(|_| says_kind),
        currency: Some(country.currency.to_owned()),
        invoice_prefix: format!("{}{:05X}", country.alpha2, seq),
        deleted: false,
        id,
    }
}

/// An amount in the currency's Stripe minor units, as Stripe would accept
/// it (ISK in hundredths ending in 00, KWD in thousandths ending in 0).
fn amount(rng: &mut StdRng, currency: &str) -> i64 {
    match currency {
        "jpy" => rng.random_range(5_000..3_000_000),
        "isk" => rng.random_range(5_000..3_000_000) * 100,
        "kwd" => rng.random_range(10..8_000) * 1_000 + rng.random_range(0..100) * 10,
        _ => rng.random_range(50..25_000) * 100 + rng.random_range(0..100),
    }
}

fn status(rng: &mut StdRng) -> InvoiceStatus {
    match rng.random_range(0..100) {
        0..=69 => InvoiceStatus::Open,
        70..=77 => InvoiceStatus::Uncollectible,
        78..=87 => InvoiceStatus::Paid,
        88..=93 => InvoiceStatus::Void,
        _ => InvoiceStatus::Draft,
    }
}

/// Builds one mode's data.
pub(crate) fn generate(data: SeedData, mode: Mode, seed: u64, now: i64) -> Dataset {
    let (count, open_only) = match data {
        SeedData::Empty => (0, false),
        SeedData::Demo { invoices } => (invoices, false),
        SeedData::OpenOnly { invoices } => (invoices, true),
    };
    let salt = match mode {
        Mode::Test => 0,
        Mode::Live => 0x9E37_79B9_7F4A_7C15,
    };
    let mut rng = StdRng::seed_from_u64(seed ^ salt);
    let mut dataset = Dataset::default();
    if count == 0 {
        return dataset;
    }
    let customer_count = (count / 8).max(12);
    let mut customers: Vec<FakeCustomer> = (0..customer_count as u64)
        .map(|seq| customer(seq, &mut rng, now, mode.livemode()))
        .collect();
    if !open_only {
        // Its invoices keep their snapshot; the customer object is a stub.
        customers[3].deleted = true;
    }
    let mut numbers = vec![0_u32; customer_count];
    let burst_second = now - 40 * 86_400;
    dataset.invoices.reserve(count);
    for seq in 0..count {
        let owner = rng.random_range(0..customer_count);
        let customer = &customers[owner];
        let currency = customer
            .currency
            .clone()
            .unwrap_or_else(|| "eur".to_owned());
        // A subscription run creates many invoices in the same second: more
        // than a page of them tests cursors that cannot be split by date.
        let created = if count >= 1_000 && seq < 150 {
            burst_second
        } else {
            now - rng.random_range(3_600..730 * 86_400)
        };
        let status = if open_only {
            InvoiceStatus::Open
        } else {
            status(&mut rng)
        };
        let subscription = rng.random_range(0..100) < 40;
        let charged_automatically = subscription && rng.random_bool(0.5);
        let line_count = rng.random_range(1..=3);
        let lines: Vec<(String, i64)> = (0..line_count)
            .map(|_| {
                (
                    pick(&mut rng, PRODUCTS).to_string(),
                    amount(&mut rng, &currency),
                )
            })
            .collect();
        let total: i64 = lines.iter().map(|(_, a)| a).sum();
        let amount_paid = match status {
            InvoiceStatus::Paid => total,
            InvoiceStatus::Open | InvoiceStatus::Uncollectible if rng.random_range(0..100) < 20 => {
                // Partly paid, in the currency's own steps.
                let step = match currency.as_str() {
                    "isk" => 100,
                    "kwd" => 10,
                    _ => 1,
                };
                (total / 3 / step) * step
            }
            _ => 0,
        };
        let number = (status != InvoiceStatus::Draft).then(|| {
            numbers[owner] += 1;
            format!("{}-{:04}", customer.invoice_prefix, numbers[owner])
        });
        // Older invoices were finalised before the customer's details were
        // filled in: their snapshot is empty and the customer object has
        // the data.
        let snapshot = if rng.random_range(0..100) < 5 {
            CustomerSnapshot::default()
        } else {
            CustomerSnapshot::of(customer)
        };
        dataset.invoices.push(FakeInvoice {
            id: object_id(
                if mode.livemode() { "in_L" } else { "in_" },
                seq as u64,
                7,
                rng.random(),
            ),
            number,
            status,
            customer: Some(customer.id.clone()),
            created,
            due_date: (!charged_automatically)
                .then(|| created + if rng.random_bool(0.5) { 14 } else { 30 } * 86_400),
            effective_at: (status != InvoiceStatus::Draft).then_some(created),
            currency,
            total,
            amount_paid,
            subscription: subscription
                .then(|| object_id("sub_", owner as u64, 5, (owner as u64).wrapping_mul(7_919))),
            billing_reason: if subscription {
                "subscription_cycle"
            } else {
                "manual"
            }
            .to_owned(),
            collection_method: if charged_automatically {
                "charge_automatically"
            } else {
                "send_invoice"
            }
            .to_owned(),
            lines,
            snapshot: Some(snapshot),
        });
    }
    if !open_only {
        // An open invoice settled by a credit balance: nothing is owed.
        if let Some(settled) = dataset
            .invoices
            .iter_mut()
            .find(|inv| inv.status == InvoiceStatus::Open)
        {
            settled.amount_paid = settled.total;
        }
    }
    dataset.next_invoice = count as u64;
    dataset.next_customer = customer_count as u64;
    dataset.customers = customers.into_iter().map(|c| (c.id.clone(), c)).collect();
    dataset.reindex();
    dataset
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_767_225_600; // 2026-01-01

    #[test]
    fn the_same_seed_gives_the_same_data() {
        let a = generate(SeedData::Demo { invoices: 500 }, Mode::Test, 7, NOW);
        let b = generate(SeedData::Demo { invoices: 500 }, Mode::Test, 7, NOW);
        assert_eq!(a.invoices, b.invoices);
        let c = generate(SeedData::Demo { invoices: 500 }, Mode::Test, 8, NOW);
        assert_ne!(a.invoices, c.invoices);
    }

    #[test]
    fn demo_data_has_every_case_the_importer_must_handle() {
        let d = generate(SeedData::Demo { invoices: 2_000 }, Mode::Test, 1, NOW);
        assert_eq!(d.invoices.len(), 2_000);
        for status in InvoiceStatus::ALL {
            assert!(d.invoices.iter().any(|i| i.status == status), "{status:?}");
        }
        for currency in ["jpy", "kwd", "isk", "eur", "dkk", "usd"] {
            assert!(
                d.invoices.iter().any(|i| i.currency == currency),
                "{currency}"
            );
        }
        assert!(d
            .invoices
            .iter()
            .any(|i| i.subscription.is_some() && i.due_date.is_none()));
        assert!(d.invoices.iter().any(|i| i.subscription.is_none()));
        assert!(d
            .invoices
            .iter()
            .all(|i| (i.number.is_none()) == (i.status == InvoiceStatus::Draft)));
        assert!(d
            .invoices
            .iter()
            .any(|i| i.status == InvoiceStatus::Open && i.amount_remaining() == 0));
        assert_eq!(d.customers.values().filter(|c| c.deleted).count(), 1);
        assert!(d.customers.values().any(|c| c.address.is_none()));
        let countries: Vec<&str> = d
            .customers
            .values()
            .filter_map(|c| c.address.as_ref()?.country.as_deref())
            .collect();
        assert!(countries
            .iter()
            .any(|c| *c == "Denmark" || *c == "Deutschland"));
        assert!(countries.iter().any(|c| NOT_COUNTRIES.contains(c)));
        // ISK in hundredths ending in 00, KWD in thousandths ending in 0.
        for inv in &d.invoices {
            match inv.currency.as_str() {
                "isk" => assert_eq!(inv.total % 100, 0),
                "kwd" => assert_eq!(inv.total % 10, 0),
                _ => {}
            }
        }
        let burst = d
            .invoices
            .iter()
            .filter(|i| i.created == NOW - 40 * 86_400)
            .count();
        assert!(burst > 100, "more than a page in one second: {burst}");
    }

    #[test]
    fn open_only_data_is_all_open_and_owed() {
        let d = generate(SeedData::OpenOnly { invoices: 1_000 }, Mode::Test, 1, NOW);
        assert!(d
            .invoices
            .iter()
            .all(|i| i.status == InvoiceStatus::Open && i.amount_remaining() > 0));
        let ids: std::collections::HashSet<_> = d.invoices.iter().map(|i| &i.id).collect();
        assert_eq!(ids.len(), 1_000, "ids are unique");
    }
}
