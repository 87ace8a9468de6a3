//! Zoho Books (v3): read-only import of unpaid invoices per organization.

mod map;
mod wire;
