//! Any bytes as a dropped "CSV": encoding detection, dialect sniffing and
//! the row stream must return rows or an error, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = casebridge_import::reader::open(data, "fuzz.csv", None) {
        for row in rows.take(10_000) {
            if let Err(e) = row {
                assert!(!e.code().is_empty() && !e.hint().is_empty());
            }
        }
    }
});
