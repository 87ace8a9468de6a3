//! Seeded data for the QuickBooks fake: the two demo companies and bulk
//! data for benches. Every call with the same seed gives the same books.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::model::{FakeCompany, FakeQboAddress, FakeQboCustomer, FakeQboInvoice};

/// What a company holds at start (and after a reset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QboSeed {
    /// No customers, no invoices.
    Empty,
    /// A few hundred invoices of every kind: unpaid, partly paid, paid,
    /// voided; customers with and without addresses, e-mail or company
    /// name, and one deleted (inactive) customer with an open invoice.
    Demo,
    /// `unpaid` open invoices over `customers` customers, plus about one
    /// paid for every ten and one voided for every fifty (benches).
    Bulk { unpaid: usize, customers: usize },
}

const FIRST: [&str; 10] = [
    "Amy", "Bill", "Carla", "Dylan", "Emma", "Frederik", "Greta", "Hans", "Ida", "Jonas",
];
const LAST: [&str; 10] = [
    "Lauterbach",
    "Windsor",
    "Madsen",
    "Sollfrank",
    "Nielsen",
    "Berg",
    "Holm",
    "Kruger",
    "Lund",
    "Ortiz",
];
const FIRMS: [&str; 8] = [
    "Bird Sanctuary",
    "Design Studio",
    "Plumbing",
    "Consulting",
    "Bakery",
    "Landscaping",
    "Auto Repair",
    "Dental Clinic",
];
const SUFFIXES: [&str; 4] = ["Inc", "LLC", "ApS", "Ltd"];
const SERVICES: [&str; 6] = [
    "Consulting hours",
    "Garden design",
    "Maintenance visit",
    "Installation",
    "Materials",
    "Travel",
];

fn address(rng: &mut StdRng, company: &FakeCompany, n: usize) -> Option<FakeQboAddress> {
    let us = company.country == "US";
    match n % 6 {
        // No address at all.
        0 => None,
        // Unstructured: the locality repeated in a line.
        1 => Some(FakeQboAddress {
            lines: vec![
                format!("{} Main St.", 10 + n),
                if us {
                    format!("Springfield, IL {}", 62_700 + n % 90)
                } else {
                    format!("{} Aarhus C", 8_000 + n % 90)
                },
            ],
            city: Some(if us { "Springfield" } else { "Aarhus C" }.into()),
            region: us.then(|| "IL".to_owned()),
            postal_code: Some(if us {
                format!("{}", 62_700 + n % 90)
            } else {
                format!("{}", 8_000 + n % 90)
            }),
            country: None,
        }),
        // Abroad, with an explicit country name.
        2 => Some(FakeQboAddress {
            lines: vec![format!("Hauptstraße {}", 1 + n % 80)],
            city: Some("Berlin".into()),
            region: None,
            postal_code: Some(format!("10{:03}", n % 1000)),
            country: Some("Germany".into()),
        }),
        _ => Some(FakeQboAddress {
            lines: vec![format!(
                "{} {}",
                1 + rng.random_range(0..900),
                if us { "Ocean Dr." } else { "Strandvejen" }
            )],
            city: Some(if us { "Half Moon Bay" } else { "Hellerup" }.into()),
            region: us.then(|| "CA".to_owned()),
            postal_code: Some(if us { "94213".into() } else { "2900".into() }),
            country: if n.is_multiple_of(2) {
                Some(company.country.clone())
            } else {
                None
            },
        }),
    }
}

fn customer(rng: &mut StdRng, company: &FakeCompany, n: usize) -> FakeQboCustomer {
    let given = FIRST[n % FIRST.len()];
    let family = LAST[(n / FIRST.len()) % LAST.len()];
    let firm = (!n.is_multiple_of(3)).then(|| {
        format!(
            "{family}'s {} {}",
            FIRMS[n % FIRMS.len()],
            SUFFIXES[n % SUFFIXES.len()]
        )
    });
    let display_name = match &firm {
        Some(firm) => format!("{firm} #{n}"),
        None => format!("{given} {family} #{n}"),
    };
    FakeQboCustomer {
        id: (n + 1).to_string(),
        display_name,
        company_name: firm,
        given_name: Some(given.to_owned()),
        family_name: Some(family.to_owned()),
        email: (n % 5 != 4).then(|| {
            format!(
                "{}.{}{n}@example.com",
                given.to_lowercase(),
                family.to_lowercase()
            )
        }),
        phone: (n % 4 != 3)
            .then(|| format!("(555) {:03}-{:04}", n % 1000, rng.random_range(0..10_000))),
        bill_addr: address(rng, company, n),
        active: true,
    }
}

/// Customers and invoices for `company`.
pub(crate) fn generate(
    seed: QboSeed,
    company: &FakeCompany,
    rng_seed: u64,
    now: DateTime<Utc>,
) -> (Vec<FakeQboCustomer>, Vec<FakeQboInvoice>) {
    let (unpaid, customers) = match seed {
        QboSeed::Empty => return (Vec::new(), Vec::new()),
        QboSeed::Demo => (260, 40),
        QboSeed::Bulk { unpaid, customers } => (unpaid, customers.max(1)),
    };
    let mut rng = StdRng::seed_from_u64(
        rng_seed
            ^ company
                .realm_id
                .bytes()
                .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
    );
    let mut people: Vec<FakeQboCustomer> = (0..customers)
        .map(|n| customer(&mut rng, company, n))
        .collect();
    if matches!(seed, QboSeed::Demo) {
        // One customer was deleted (made inactive) after being invoiced.
        if let Some(last) = people.last_mut() {
            last.active = false;
        }
    }
    let paid = unpaid / 10;
    let voided = unpaid / 50;
    let total = unpaid + paid + voided;
    let today = now.date_naive();
    let mut invoices = Vec::with_capacity(total);
    for n in 0..total {
        let who = &people[n % people.len()];
        let age_days = rng.random_range(5..900);
        let txn_date: NaiveDate = today - Duration::days(age_days);
        let terms = [14, 30, 30, 45, 60][n % 5];
        let lines: Vec<(String, i64)> = (0..1 + n % 3)
            .map(|k| {
                let cents = rng.random_range(20..5_000) * 100 + [0, 50, 99][k % 3];
                (SERVICES[(n + k) % SERVICES.len()].to_owned(), cents)
            })
            .collect();
        let total_cents: i64 = lines.iter().map(|(_, c)| c).sum();
        // Open invoices first (lowest ids), then paid, then voided.
        let (balance_cents, is_voided) = if n < unpaid {
            // One in four partly paid.
            if n % 4 == 1 {
                (total_cents / 2, false)
            } else {
                (total_cents, false)
            }
        } else if n < unpaid + paid {
            (0, false)
        } else {
            (0, true)
        };
        let currency = if company.multicurrency && n % 7 == 3 {
            Some("EUR".to_owned())
        } else {
            None
        };
        let created = txn_date
            .and_hms_opt(9, 0, 0)
            .map(|t| t.and_utc() + Duration::seconds((n % 3600) as i64))
            .unwrap_or(now);
        invoices.push(FakeQboInvoice {
            id: (1000 + n).to_string(),
            // A few invoices were entered without a number.
            doc_number: (n % 37 != 5).then(|| format!("{}", 1001 + n)),
            txn_date,
            due_date: Some(txn_date + Duration::days(terms)),
            total_cents,
            balance_cents,
            currency,
            customer_id: who.id.clone(),
            voided: is_voided,
            created,
            lines,
            bill_email: who.email.clone().filter(|_| n % 2 == 0),
            bill_addr: who.bill_addr.clone().filter(|_| n % 3 != 0),
        });
    }
    (people, invoices)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn company() -> FakeCompany {
        FakeCompany {
            realm_id: "1".into(),
            name: "Test".into(),
            country: "US".into(),
            home_currency: "USD".into(),
            multicurrency: false,
            utc_offset_hours: -8,
        }
    }

    #[test]
    fn bulk_data_has_exactly_the_unpaid_invoices_asked_for() {
        let now = DateTime::from_timestamp(1_760_000_000, 0).expect("time");
        let (customers, invoices) = generate(
            QboSeed::Bulk {
                unpaid: 500,
                customers: 40,
            },
            &company(),
            7,
            now,
        );
        assert_eq!(customers.len(), 40);
        let open = invoices.iter().filter(|i| i.balance_shown() > 0).count();
        assert_eq!(open, 500);
        assert_eq!(invoices.iter().filter(|i| i.voided).count(), 10);
        assert_eq!(invoices.len(), 560);
    }

    #[test]
    fn the_same_seed_gives_the_same_books() {
        let now = DateTime::from_timestamp(1_760_000_000, 0).expect("time");
        let a = generate(QboSeed::Demo, &company(), 3, now);
        let b = generate(QboSeed::Demo, &company(), 3, now);
        assert_eq!(a, b);
        assert!(a.0.iter().any(|c| c.bill_addr.is_none()));
        assert!(a.0.iter().any(|c| !c.active));
    }
}
