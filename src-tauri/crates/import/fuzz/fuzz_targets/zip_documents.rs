//! Any bytes as a dropped ZIP of documents: extraction, type checks, the
//! PDF text scan and matching must list every entry or fail as a whole with
//! an error, never panic, and never hand out a file over the limits.
#![no_main]

use std::io::Cursor;

use casebridge_import::documents::{read_zip, EntryOutcome, ZipLimits};
use libfuzzer_sys::fuzz_target;

const NUMBERS: [&str; 6] = ["INV-1001", "1002", "00345", "2024-0042", "A7", "Faktura 88"];

fuzz_target!(|data: &[u8]| {
    let mut limits = ZipLimits::for_agency(64 * 1024, &["pdf", "xls", "xlsx", "csv", "txt", "jpg", "jpeg", "png"]);
    limits.max_total_bytes = 256 * 1024;
    limits.max_entries = 500;
    let matcher = casebridge_import::documents::Matcher::new(NUMBERS);
    let mut handed_out = 0u64;
    let result = read_zip(Cursor::new(data), "fuzz.zip", &limits, &matcher, |file| {
        assert!(file.bytes.len() as u64 <= limits.max_file_bytes);
        assert!(!file.bytes.is_empty());
        assert!(casebridge_import::documents::check_entry_name(file.name).is_ok());
        handed_out += file.bytes.len() as u64;
        Ok(())
    });
    assert!(handed_out <= limits.max_total_bytes);
    if let Ok(reports) = result {
        for report in reports {
            let extracted = matches!(report.entry.outcome, EntryOutcome::Extracted { .. });
            assert_eq!(extracted, report.outcome.is_some());
        }
    }
});
