//! The matcher and the PDF text scan on their own, with arbitrary invoice
//! numbers, paths and PDF bytes: no panic, confidences in 0..1, every hit
//! names a real candidate, outcomes one per document.
#![no_main]

use casebridge_import::documents::matching::{resolve, MatchOutcome, Matcher};
use casebridge_import::documents::pdf_text::pdf_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Layout: numbers and paths as lines up to the first NUL, PDF bytes after.
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (head, pdf) = data.split_at(split);
    let text = pdf_text(pdf);
    assert!(text.len() <= 1 << 20);
    let head = String::from_utf8_lossy(head);
    let mut lines = head.lines();
    let numbers: Vec<&str> = lines.by_ref().take(8).collect();
    let paths: Vec<&str> = lines.take(8).collect();
    let matcher = Matcher::new(numbers.iter().copied());
    let hits: Vec<_> = paths.iter().map(|p| matcher.hits(p, Some(&text))).collect();
    for hit in hits.iter().flatten() {
        assert!(hit.candidate < numbers.len());
        assert!(hit.confidence > 0.0 && hit.confidence <= 1.0);
    }
    let outcomes = resolve(&hits);
    assert_eq!(outcomes.len(), paths.len());
    for outcome in outcomes {
        if let MatchOutcome::Conflict { hits, .. } = outcome {
            assert!(!hits.is_empty());
        }
    }
});
