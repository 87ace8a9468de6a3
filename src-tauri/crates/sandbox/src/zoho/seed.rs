//! Deterministic data per organization: the same seed and day give the same
//! contacts and invoices.

use chrono::{Days, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::model::{FakeZohoAddress, FakeZohoContact, FakeZohoInvoice, ZohoStatus};

/// What a fresh organization holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZohoSeed {
    /// No contacts, no invoices.
    Empty,
    /// Invoices of every status (drafts, paid and void included) over a
    /// few dozen customers.
    Demo { invoices: usize },
    /// Only unpaid invoices (sent, viewed, unpaid, overdue, partially
    /// paid) over `customers` customers (benches).
    UnpaidOnly { invoices: usize, customers: usize },
}

/// (country as Zoho writes it, city, zip, state, company suffix, phone prefix)
const PLACES: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("Germany", "Berlin", "10115", "", "GmbH", "+49"),
    ("Denmark", "Aarhus C", "8000", "", "ApS", "+45"),
    ("U.S.A", "Pleasanton", "94588", "CA", "Inc", "+1"),
    ("United Kingdom", "London", "EC1A 1BB", "", "Ltd", "+44"),
    ("France", "Lyon", "69001", "", "SARL", "+33"),
    ("U.S.A", "Boston", "02108", "MA", "LLC", "+1"),
];

const NAMES: &[&str] = &[
    "Bowman", "Keller", "Nordlys", "Ashford", "Moreau", "Hale", "Brandt", "Lund", "Carver",
    "Dubois", "Fenwick", "Vogel",
];

fn contact(rng: &mut StdRng, n: usize) -> FakeZohoContact {
    let place = PLACES[n % PLACES.len()];
    let (country, city, zip, state, suffix, phone) = place;
    let family = NAMES[rng.random_range(0..NAMES.len())];
    let business = n % 4 != 3;
    let first = ["Will", "Anna", "Jonas", "Claire", "Sam"][n % 5];
    let (name, company) = if business {
        let company = format!("{family} & Co {suffix} {n}");
        (company.clone(), company)
    } else {
        (format!("{first} {family} {n}"), String::new())
    };
    // Every ninth customer has no address, so review has something to fix.
    let billing_address = if n % 9 == 8 {
        FakeZohoAddress::default()
    } else {
        FakeZohoAddress {
            address: format!("{} Market Street", 10 + n % 90),
            street2: if n.is_multiple_of(3) {
                format!("Suite {}", 100 + n % 50)
            } else {
                String::new()
            },
            city: city.into(),
            state: state.into(),
            zip: zip.into(),
            country: country.into(),
        }
    };
    FakeZohoContact {
        contact_id: format!("4600000{:08}", 26_049 + n),
        contact_name: name,
        company_name: company,
        customer_sub_type: if business { "business" } else { "individual" }.into(),
        first_name: first.into(),
        last_name: family.into(),
        email: format!("{}.{n}@example.com", first.to_lowercase()),
        phone: format!("{phone} 555 {:04}", n % 10_000),
        billing_address,
        vat_reg_no: String::new(),
    }
}

/// Contacts and invoices for one organization (invoices in `currency`,
/// dated up to 400 days before `today`).
pub(crate) fn generate(
    data: ZohoSeed,
    seed: u64,
    org_number: u64,
    currency: &str,
    today: NaiveDate,
) -> (Vec<FakeZohoContact>, Vec<FakeZohoInvoice>) {
    let (invoices, customers, unpaid_only) = match data {
        ZohoSeed::Empty => return (Vec::new(), Vec::new()),
        ZohoSeed::Demo { invoices } => (invoices, 40, false),
        ZohoSeed::UnpaidOnly {
            invoices,
            customers,
        } => (invoices, customers.max(1), true),
    };
    let mut rng = StdRng::seed_from_u64(seed ^ org_number.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let contacts: Vec<FakeZohoContact> = (0..customers).map(|n| contact(&mut rng, n)).collect();
    let invoices = (0..invoices)
        .map(|n| {
            let customer = &contacts[rng.random_range(0..contacts.len())];
            let age = rng.random_range(0..400_u64);
            let date = today.checked_sub_days(Days::new(age)).unwrap_or(today);
            let terms = [14_u64, 30, 45][n % 3];
            let due_date = date.checked_add_days(Days::new(terms)).unwrap_or(date);
            let total_cents = rng.random_range(5_000..2_500_000_i64);
            let roll = rng.random_range(0..100);
            let status = match roll {
                _ if !unpaid_only && roll < 12 => ZohoStatus::Paid,
                _ if !unpaid_only && roll < 16 => ZohoStatus::Draft,
                _ if !unpaid_only && roll < 19 => ZohoStatus::Void,
                _ if roll % 5 == 0 => ZohoStatus::PartiallyPaid,
                _ if due_date < today => ZohoStatus::Overdue,
                _ if roll % 2 == 0 => ZohoStatus::Viewed,
                _ => ZohoStatus::Sent,
            };
            let balance_cents = match status {
                ZohoStatus::Paid | ZohoStatus::Void => 0,
                ZohoStatus::PartiallyPaid => total_cents / 3,
                _ => total_cents,
            };
            let seq = n as i64;
            FakeZohoInvoice {
                invoice_id: format!("98200000{:07}", 567_114 + n),
                invoice_number: format!("INV-{:05}", n + 1),
                status,
                date,
                due_date,
                customer_id: customer.contact_id.clone(),
                currency_code: currency.into(),
                total_cents,
                balance_cents,
                created_time: date
                    .and_hms_opt(9, 0, 0)
                    .map_or(0, |t| t.and_utc().timestamp())
                    + seq % 3_600,
                line_description: format!("Consulting services, order {}", 7_000 + n),
            }
        })
        .collect();
    (contacts, invoices)
}
