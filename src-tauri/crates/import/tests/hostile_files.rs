//! Files that are not what their name says, through the import reader:
//! each must fail at once with a clear error, never a panic or a pile of
//! nonsense rows.

use casebridge_import::reader;

/// Deterministic pseudo-random bytes (an LCG): garbage that is the same
/// on every run.
fn garbage(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}

#[test]
fn binary_garbage_renamed_csv_is_refused_as_not_text() {
    for seed in [1, 7, 42] {
        let err = reader::open(garbage(64 * 1024, seed).as_slice(), "invoices.csv", None)
            .err()
            .unwrap_or_else(|| panic!("seed {seed}: garbage was read as a CSV"));
        assert_eq!(err.code(), "import_not_text", "seed {seed}: {err}");
        assert_eq!(
            err.to_string(),
            "invoices.csv: this is binary data, not a text file"
        );
        assert!(!err.hint().is_empty());
    }
}

#[test]
fn an_executable_and_a_zip_renamed_csv_say_what_they_are() {
    let mut elf = b"\x7fELF\x02\x01\x01\x00".to_vec();
    elf.extend(garbage(4096, 3));
    let err = reader::open(elf.as_slice(), "export.csv", None)
        .err()
        .expect("an executable is not a CSV");
    assert_eq!(err.code(), "import_not_text");

    let mut zip = b"PK\x03\x04\x14\x00\x00\x00".to_vec();
    zip.extend(garbage(4096, 5));
    let err = reader::open(zip.as_slice(), "export.csv", None)
        .err()
        .expect("a ZIP is not a CSV");
    assert_eq!(
        err.to_string(),
        "export.csv: this is a ZIP container (XLSX, ODS or ZIP), not a text file"
    );
    assert!(err.hint().contains(".xlsx"), "{}", err.hint());
}
