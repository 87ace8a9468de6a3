//! Hostile ZIPs, made here: each must be refused entry by entry with its
//! own reason while the good files in the same ZIP still come through, or,
//! when the ZIP itself is unreadable, fail with a clear error.

mod common;

use std::io::Cursor;

use casebridge_import::documents::{
    extract, read_zip, EntryOutcome, MatchOutcome, Matcher, Refusal, ZipEntry, ZipLimits,
};
use common::{build, pdf, RawEntry};

const AGENCY_EXTENSIONS: [&str; 8] = ["pdf", "xls", "xlsx", "csv", "txt", "jpg", "jpeg", "png"];

fn limits() -> ZipLimits {
    ZipLimits::for_agency(25_000_000, &AGENCY_EXTENSIONS)
}

/// Extracts and returns every entry plus what reached the caller.
fn run(zip: &[u8], limits: &ZipLimits) -> (Vec<ZipEntry>, Vec<(String, Vec<u8>)>) {
    let mut kept = Vec::new();
    let entries = extract::extract(Cursor::new(zip), "hostile.zip", limits, |file| {
        kept.push((file.name.to_owned(), file.bytes.to_vec()));
        Ok(())
    })
    .expect("the ZIP itself is readable");
    (entries, kept)
}

fn refusal<'a>(entries: &'a [ZipEntry], name: &str) -> &'a Refusal {
    let entry = entries
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("{name} not listed: {entries:?}"));
    match &entry.outcome {
        EntryOutcome::Refused { refusal, .. } => refusal,
        other => panic!("{name} was not refused: {other:?}"),
    }
}

#[test]
fn zip_bomb_with_honest_headers_is_refused_for_its_ratio_before_inflating() {
    let zeros = vec![0u8; 8 << 20];
    let zip = build(&[
        RawEntry::deflated("bomb.txt", &zeros),
        RawEntry::stored("INV-1001.pdf", &pdf("Invoice 1001")),
    ]);
    let (entries, kept) = run(&zip, &limits());
    assert!(
        matches!(refusal(&entries, "bomb.txt"), Refusal::RatioTooHigh { ratio, limit: 100 } if *ratio > 500),
        "{entries:?}"
    );
    assert_eq!(kept.len(), 1, "the good PDF still comes through");
    assert_eq!(kept[0].0, "INV-1001.pdf");
}

#[test]
fn zip_bomb_lying_about_its_size_is_stopped_while_inflating() {
    // The header says 1,000 bytes (ratio fine); the data inflates to 8 MiB.
    let mut bomb = RawEntry::deflated("small.csv", &vec![b'a'; 8 << 20]);
    bomb.declared_size = 1_000;
    let (entries, kept) = run(&build(&[bomb]), &limits());
    // The ZIP reader itself stops at the declared size; either way the
    // entry is refused at byte 1,001, not after 8 MiB.
    let refused = refusal(&entries, "small.csv");
    assert!(
        matches!(refused, Refusal::SizeMismatch { declared: 1_000 })
            || matches!(refused, Refusal::CorruptEntry { detail } if detail.contains("declared")),
        "{refused:?}"
    );
    assert!(kept.is_empty());
}

#[test]
fn total_size_limit_refuses_the_entries_past_it_and_keeps_the_first() {
    let mut limits = limits();
    limits.max_total_bytes = 150;
    let zip = build(&[
        RawEntry::stored("a.txt", &[b'a'; 100]),
        RawEntry::stored("b.txt", &[b'b'; 100]),
        RawEntry::stored("c.txt", &[b'c'; 40]),
    ]);
    let (entries, kept) = run(&zip, &limits);
    assert_eq!(
        refusal(&entries, "b.txt"),
        &Refusal::TotalSizeExceeded { limit: 150 }
    );
    let names: Vec<_> = kept.iter().map(|k| k.0.as_str()).collect();
    assert_eq!(names, ["a.txt", "c.txt"]);
}

#[test]
fn zip_slip_absolute_and_drive_letter_names_are_refused_each_with_its_reason() {
    let body = b"hello";
    let zip = build(&[
        RawEntry::stored("../../etc/cron.d/evil.txt", body),
        RawEntry::stored("docs/../../outside.txt", body),
        RawEntry::stored("..\\..\\Windows\\evil.txt", body),
        RawEntry::stored("/etc/passwd.txt", body),
        RawEntry::stored("\\\\server\\share\\x.txt", body),
        RawEntry::stored("C:\\Users\\x.txt", body),
        RawEntry::stored("ok/fine.txt", body),
    ]);
    let (entries, kept) = run(&zip, &limits());
    for name in [
        "../../etc/cron.d/evil.txt",
        "docs/../../outside.txt",
        "..\\..\\Windows\\evil.txt",
    ] {
        assert_eq!(refusal(&entries, name), &Refusal::PathTraversal, "{name}");
    }
    assert_eq!(refusal(&entries, "/etc/passwd.txt"), &Refusal::AbsolutePath);
    assert_eq!(
        refusal(&entries, "\\\\server\\share\\x.txt"),
        &Refusal::AbsolutePath
    );
    assert_eq!(refusal(&entries, "C:\\Users\\x.txt"), &Refusal::DriveLetter);
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].0, "ok/fine.txt");
}

#[test]
fn symlink_entry_is_refused_and_its_target_never_read() {
    let mut link = RawEntry::stored("invoice.pdf", b"/etc/passwd");
    link.unix_mode = 0o120777;
    let (entries, kept) = run(&build(&[link]), &limits());
    assert_eq!(refusal(&entries, "invoice.pdf"), &Refusal::Symlink);
    assert!(kept.is_empty());
}

#[test]
fn two_gb_declared_entry_is_refused_from_its_header_without_reading() {
    let mut huge = RawEntry::stored("huge.pdf", b"%PDF-1.4 tiny");
    huge.declared_size = 2_147_483_648;
    let (entries, kept) = run(
        &build(&[huge, RawEntry::stored("1001.pdf", &pdf("x"))]),
        &limits(),
    );
    assert_eq!(
        refusal(&entries, "huge.pdf"),
        &Refusal::TooLarge {
            size: 2_147_483_648,
            limit: 25_000_000,
            declared: true
        },
        "`declared: true` means it was refused from the header, before any read"
    );
    assert_eq!(kept.len(), 1);
}

#[test]
fn per_file_limit_is_the_agencys_and_inclusive() {
    let mut limits = limits();
    limits.max_file_bytes = 10;
    let zip = build(&[
        RawEntry::stored("ten.txt", &[b'x'; 10]),
        RawEntry::stored("eleven.txt", &[b'x'; 11]),
    ]);
    let (entries, kept) = run(&zip, &limits);
    assert_eq!(kept.len(), 1);
    assert!(matches!(
        refusal(&entries, "eleven.txt"),
        Refusal::TooLarge {
            size: 11,
            limit: 10,
            declared: true
        }
    ));
}

#[test]
fn encrypted_entry_is_refused_as_encrypted() {
    let mut secret = RawEntry::stored("INV-7.pdf", b"\x13\x37 encrypted bytes");
    secret.flags = 1;
    let (entries, kept) = run(&build(&[secret]), &limits());
    assert_eq!(refusal(&entries, "INV-7.pdf"), &Refusal::Encrypted);
    assert!(kept.is_empty());
}

#[test]
fn truncated_zip_is_a_clear_error_of_the_whole_file() {
    let zip = build(&[
        RawEntry::stored("INV-1.pdf", &pdf("Invoice 1")),
        RawEntry::stored("b.txt", b"b"),
    ]);
    for cut in [zip.len() - 10, zip.len() / 2, 3] {
        let err = extract::extract(Cursor::new(&zip[..cut]), "cut.zip", &limits(), |_| Ok(()))
            .expect_err("a cut-off ZIP cannot be opened");
        assert_eq!(err.code(), "zip_unreadable", "cut at {cut}: {err}");
        assert_eq!(err.to_string(), "cut.zip: the ZIP cannot be opened");
        assert!(err.hint().contains("damaged or incomplete"));
    }
}

#[test]
fn damaged_entry_data_is_refused_as_corrupt_and_the_rest_proceed() {
    let mut bad = RawEntry::stored("bad.txt", b"hello world");
    bad.crc ^= 1;
    let (entries, kept) = run(
        &build(&[bad, RawEntry::stored("good.txt", b"fine")]),
        &limits(),
    );
    assert!(
        matches!(refusal(&entries, "bad.txt"), Refusal::CorruptEntry { .. }),
        "{entries:?}"
    );
    assert_eq!(kept.len(), 1);
}

#[test]
fn types_are_checked_by_extension_and_by_content() {
    let zip = build(&[
        RawEntry::stored("setup.exe", b"MZ\x90\x00"),
        RawEntry::stored("letter.docx", b"PK\x03\x04"),
        RawEntry::stored("README", b"text"),
        RawEntry::stored("fake.pdf", b"PK\x03\x04 a zip in disguise"),
        RawEntry::stored("garbage.csv", b"\x00\x01\x02\x03binary"),
        RawEntry::stored("empty.pdf", b""),
        RawEntry::stored("__MACOSX/._INV-1.pdf", b"\x00\x05\x16\x07"),
        RawEntry::stored("Thumbs.db", b"x"),
        RawEntry::stored("INV-1.pdf", &pdf("Invoice 1")),
        RawEntry::stored("inv-1.PDF", &pdf("Invoice 1 again")),
    ]);
    let (entries, kept) = run(&zip, &limits());
    assert_eq!(
        refusal(&entries, "setup.exe"),
        &Refusal::TypeNotAllowed {
            extension: Some("exe".into())
        }
    );
    assert_eq!(
        refusal(&entries, "letter.docx"),
        &Refusal::TypeNotAllowed {
            extension: Some("docx".into())
        }
    );
    assert_eq!(
        refusal(&entries, "README"),
        &Refusal::TypeNotAllowed { extension: None }
    );
    assert!(matches!(
        refusal(&entries, "fake.pdf"),
        Refusal::ContentMismatch { .. }
    ));
    assert!(matches!(
        refusal(&entries, "garbage.csv"),
        Refusal::ContentMismatch { .. }
    ));
    assert_eq!(refusal(&entries, "empty.pdf"), &Refusal::EmptyFile);
    assert_eq!(
        refusal(&entries, "__MACOSX/._INV-1.pdf"),
        &Refusal::SystemFile
    );
    assert_eq!(refusal(&entries, "Thumbs.db"), &Refusal::SystemFile);
    assert_eq!(refusal(&entries, "inv-1.PDF"), &Refusal::DuplicateName);
    assert_eq!(kept.len(), 1);
    // Every refusal has a distinct, stable code and a hint.
    for entry in &entries {
        if let EntryOutcome::Refused { refusal, .. } = &entry.outcome {
            let report = refusal.report();
            assert!(
                !report.hint.is_empty() && !report.message.is_empty(),
                "{report:?}"
            );
        }
    }
}

#[test]
fn too_many_entries_is_an_error_of_the_whole_zip() {
    let mut limits = limits();
    limits.max_entries = 3;
    let entries: Vec<_> = (0..4)
        .map(|i| RawEntry::stored(&format!("{i}.txt"), b"x"))
        .collect();
    let err = extract::extract(
        Cursor::new(build(&entries)),
        "many.zip",
        &limits,
        |_| Ok(()),
    )
    .expect_err("over the entry limit");
    assert_eq!(err.code(), "zip_too_many_entries");
    assert_eq!(
        err.to_string(),
        "many.zip: the ZIP holds 4 entries, more than the 3 allowed"
    );
}

#[test]
fn a_mixed_zip_matches_the_good_files_and_lists_the_rest() {
    let numbers = ["INV-1001", "INV-1002", "00345"];
    let matcher = Matcher::new(numbers);
    let mut link = RawEntry::stored("INV-1002.pdf", b"/etc/passwd");
    link.unix_mode = 0o120777;
    let zip = build(&[
        RawEntry::deflated("March/INV-1001.pdf", &pdf("Invoice INV-1001")),
        RawEntry::stored("scan 17.pdf", &pdf("Fakturanr. 00345  Kunde 1002")),
        RawEntry::stored("notes.txt", b"nothing to see"),
        RawEntry::stored("../INV-1002.pdf", &pdf("x")),
        link,
    ]);
    let reports = read_zip(
        Cursor::new(zip),
        "docs.zip",
        &limits(),
        &matcher,
        |_| Ok(()),
    )
    .expect("readable");
    assert_eq!(reports.len(), 5);
    let outcome = |i: usize| reports[i].outcome.clone();
    assert!(
        matches!(outcome(0), Some(MatchOutcome::Matched { hit }) if hit.candidate == 0 && hit.confidence > 0.9)
    );
    assert!(
        matches!(outcome(1), Some(MatchOutcome::Matched { hit }) if hit.candidate == 2),
        "{:?}",
        outcome(1)
    );
    assert_eq!(outcome(2), Some(MatchOutcome::Unmatched));
    assert_eq!(outcome(3), None, "refused entries are not matched");
    assert_eq!(outcome(4), None);
}
