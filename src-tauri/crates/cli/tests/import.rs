//! `casebridge import`: a dry run changes nothing, a real run stages the valid rows and names
//! the bad ones, and importing the same file again flags its rows as duplicates.

use std::path::Path;
use std::process::{Command, Output};

fn casebridge(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_casebridge"))
        .args(args)
        .env("CASEBRIDGE_DATA_DIR", data_dir)
        .env_remove("CASEBRIDGE_DEMO")
        .output()
        .expect("the casebridge binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn import_stages_valid_rows_names_bad_cells_and_flags_a_second_import() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("marts.csv");
    std::fs::write(
        &file,
        "Debitorliste\nFakturanr;Fakturadato;Forfaldsdato;Kunde;Adresse;Postnr;By;Land;Beløb;Valuta\n\
         00123;05.09.2026;19.09.2026;Nordisk Tømrer ApS;Vestergade 1;0150;København K;DK;1.234,56;DKK\n\
         00124;06.09.2026;20.09.2026;Fjordhus A/S;Nørregade 2;8000;Aarhus;DK;tolv;DKK\n",
    )
    .unwrap();
    let path = file.display().to_string();
    let data = dir.path().join("data");

    let dry = casebridge(&data, &["import", &path, "--dry-run"]);
    assert_eq!(
        dry.status.code(),
        Some(2),
        "a row has errors: {}",
        text(&dry.stderr)
    );
    assert!(
        text(&dry.stdout).contains("dry run: 2 rows; 1 would be imported"),
        "{}",
        text(&dry.stdout)
    );
    assert!(
        text(&dry.stderr).contains("row 4, column 9: \"tolv\" is not an amount"),
        "{}",
        text(&dry.stderr)
    );

    let real = casebridge(&data, &["import", &path, "--save-profile", "Dansk"]);
    assert!(
        text(&real.stdout).contains("1 invoices imported from marts.csv"),
        "{}",
        text(&real.stdout)
    );
    assert!(
        text(&real.stdout).contains("mapping saved as profile “Dansk”"),
        "{}",
        text(&real.stdout)
    );

    let again = casebridge(&data, &["import", &path, "--profile", "Dansk"]);
    assert!(
        text(&again.stdout).contains("0 invoices imported")
            && text(&again.stdout).contains("1 duplicates"),
        "{}",
        text(&again.stdout)
    );

    let unknown = casebridge(&data, &["import", &path, "--profile", "Nope"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        text(&unknown.stderr).contains("error:"),
        "{}",
        text(&unknown.stderr)
    );
}
