//! File import through the engine, on real files the tests write: a Danish semicolon CSV in
//! Windows-1252 with a title row, a European-number file, an XLSX written by a spreadsheet
//! library, and files that are not tables at all.

mod support;

use std::path::Path;
use std::sync::Arc;

use casebridge_engine::api::{
    CaseFieldTarget, CellFix, DuplicateOf, ErrorFileFormat, FieldMapping, FieldSource,
    ImportMapping, ImportPage, ImportRowFilter, ImportRowStatus, InvoiceQuery, ReadOptions,
    RunMode, StageRequest,
};
use casebridge_engine::{Engine, EngineConfig, FixedClock, NoProgress};
use chrono::{TimeZone, Utc};

async fn engine(dir: &tempfile::TempDir) -> Engine {
    let clock = Arc::new(FixedClock(
        Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap(),
    ));
    let config = EngineConfig {
        data_dir: dir.path().join("data"),
        mode: RunMode::Normal,
        demo_agency_url: None,
        demo_stripe_url: None,
    };
    Engine::start_with(config, clock, support::secrets())
        .await
        .unwrap()
}

/// Text in Windows-1252, as Danish accounting exports write it.
fn cp1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'æ' => 0xE6,
            'ø' => 0xF8,
            'å' => 0xE5,
            'Æ' => 0xC6,
            'Ø' => 0xD8,
            'Å' => 0xC5,
            c if c.is_ascii() => c as u8,
            other => panic!("{other} is not in the test's code page table"),
        })
        .collect()
}

/// Row 1 is a title, row 2 the header; rows 3–7 data. Row 5 has an amount that is not one,
/// row 6 an impossible date and an unknown currency, row 7 a private debtor without a street.
const DANISH: &str = "Debitorliste oktober\n\
Fakturanr;Fakturadato;Forfaldsdato;Kundenr;Kunde;Adresse;Postnr;By;Land;Beløb;Valuta\n\
00123;05.09.2026;19.09.2026;K-7;Nordisk Tømrer ApS;Vestergade 1;0150;København K;Danmark;1.234,56;DKK\n\
00124;09.09.2026;23.09.2026;K-8;Fjordhus A/S;Nørregade 2;8000;Aarhus;DK;2.500,00;DKK\n\
00125;10.09.2026;24.09.2026;K-9;Ærø Fisk ApS;Havnen 3;5970;Ærøskøbing;DK;tolv;DKK\n\
00126;31.02.2026;24.09.2026;K-10;Skagen Sild ApS;Havnevej 4;9990;Skagen;DK;99,00;XYZ\n\
00127;11.09.2026;25.09.2026;K-11;Bjørn Østergård;;8000;Aarhus;DK;450,00;DKK\n";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

fn page(filter: ImportRowFilter) -> ImportPage {
    ImportPage {
        offset: 0,
        limit: 100,
        filter,
    }
}

#[tokio::test]
async fn a_danish_csv_goes_from_drop_to_the_invoice_list_with_fixes_an_error_file_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    let path = write(dir.path(), "debitorer.csv", &cp1252(DANISH));

    // Open: encoding, dialect, header below the title row, suggestions.
    let session = engine.open_import(path.clone()).await.unwrap();
    let encoding = session.encoding.as_ref().unwrap();
    assert_eq!(encoding.name, "windows-1252");
    let dialect = session.dialect.as_ref().unwrap();
    assert_eq!(
        (
            dialect.delimiter.as_str(),
            dialect.header_row,
            dialect.preamble_rows
        ),
        (";", Some(2), 1)
    );
    assert!(
        session.recognised.contains("semicolon-separated"),
        "{}",
        session.recognised
    );
    assert_eq!(session.headers[9], "Beløb", "decoded from Windows-1252");
    let suggested = |column: u32| session.suggestions[column as usize].field;
    assert_eq!(suggested(0), Some(CaseFieldTarget::InvoiceNumber));
    assert_eq!(suggested(1), Some(CaseFieldTarget::IssueDate));
    assert_eq!(suggested(2), Some(CaseFieldTarget::DueDate));
    assert_eq!(suggested(4), Some(CaseFieldTarget::DebtorName));
    // One amount column: “Beløb” is the invoice amount, owed in full.
    assert_eq!(suggested(9), Some(CaseFieldTarget::TotalAmount));
    assert_eq!(suggested(10), Some(CaseFieldTarget::Currency));
    assert!(session.profile.is_none());
    let mapping = session.mapping.clone();

    // Preview: every row accounted for, bad cells named with their columns.
    let preview = engine
        .preview_import(
            session.id.clone(),
            mapping.clone(),
            page(ImportRowFilter::All),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            preview.total,
            preview.ready,
            preview.needs_fixing,
            preview.invalid
        ),
        (5, 2, 1, 2)
    );
    let row = |n: u64| preview.rows.iter().find(|r| r.row_number == n).unwrap();
    assert_eq!(row(3).status, ImportRowStatus::Ready);
    assert_eq!(row(3).invoice.as_ref().unwrap().amount, "1234.56");
    assert_eq!(row(3).cells[0], "00123", "leading zeros kept");
    let bad_amount = &row(5).cell_errors;
    assert_eq!(bad_amount.len(), 1);
    assert_eq!(
        (bad_amount[0].column, bad_amount[0].code.as_str()),
        (Some(9), "amount_invalid")
    );
    assert_eq!(bad_amount[0].field, Some(CaseFieldTarget::TotalAmount));
    assert!(
        bad_amount[0].message.contains("tolv"),
        "{}",
        bad_amount[0].message
    );
    let codes: Vec<(Option<u32>, &str)> = row(6)
        .cell_errors
        .iter()
        .map(|e| (e.column, e.code.as_str()))
        .collect();
    assert_eq!(
        codes,
        [(Some(1), "date_impossible"), (Some(10), "currency_invalid")]
    );
    let private = row(7);
    assert_eq!(private.status, ImportRowStatus::NeedsFixing);
    assert!(
        private
            .readiness
            .iter()
            .any(|i| i.code == "street_missing" && i.column == Some(5)),
        "{:?}",
        private.readiness
    );

    let errors = engine
        .preview_import(
            session.id.clone(),
            mapping.clone(),
            page(ImportRowFilter::Errors),
        )
        .await
        .unwrap();
    assert_eq!((errors.matching, errors.rows.len()), (2, 2));

    // Fix the amount in place: the row becomes an invoice.
    let fixed = engine
        .fix_import_row(
            session.id.clone(),
            CellFix {
                row_number: 5,
                column: 9,
                value: "12,00".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        fixed.status,
        ImportRowStatus::Ready,
        "{:?}",
        fixed.cell_errors
    );
    assert_eq!(fixed.fixed_columns, [9]);
    assert_eq!(fixed.invoice.unwrap().amount, "12.00");

    // The error file: the rows still needing attention, a reason column, bad cells filled.
    let error_file = dir.path().join("debitorer-to-fix.xlsx");
    let exported = engine
        .export_import_errors(
            session.id.clone(),
            error_file.display().to_string(),
            ErrorFileFormat::Xlsx,
        )
        .await
        .unwrap();
    assert_eq!(exported.rows, 2, "row 6 (invalid) and row 7 (needs fixing)");
    let csv_file = dir.path().join("debitorer-to-fix.csv");
    engine
        .export_import_errors(
            session.id.clone(),
            csv_file.display().to_string(),
            ErrorFileFormat::Csv,
        )
        .await
        .unwrap();
    let csv_text = std::fs::read_to_string(&csv_file).unwrap();
    assert!(csv_text.contains("Casebridge: what to fix"), "{csv_text}");
    assert!(
        csv_text.contains("Row 6 of debitorer.csv: column 2:"),
        "{csv_text}"
    );

    // Stage with a saved profile: valid rows land in the invoice cache as provider `file`.
    let summary = engine
        .stage_import(
            session.id.clone(),
            StageRequest {
                mapping: mapping.clone(),
                save_profile_as: Some("Danske debitorer".into()),
            },
            Arc::new(NoProgress),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            summary.staged,
            summary.ready,
            summary.needs_fixing,
            summary.invalid
        ),
        (4, 3, 1, 1)
    );
    assert_eq!(summary.profile.as_ref().unwrap().name, "Danske debitorer");
    let files = files_card(&engine).await;
    assert_eq!(files.account.as_deref(), Some("debitorer.csv"), "the Files card names the last file");
    assert!(files.last_success_at.is_some(), "and says when it was imported");
    let listed = engine
        .list_invoices(InvoiceQuery {
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    let imported: Vec<_> = listed
        .rows
        .iter()
        .filter(|r| r.provider == "file")
        .collect();
    assert_eq!(imported.len(), 4);
    assert!(
        imported
            .iter()
            .any(|r| r.creditor_reference.as_deref() == Some("00125") && r.amount == "12.00")
    );

    // The error file comes back (fixed in Excel): same header fingerprint, so the saved
    // profile is offered; its reason column is ignored.
    let back = engine
        .open_import(error_file.display().to_string())
        .await
        .unwrap();
    assert_eq!(back.headers, session.headers);
    assert_eq!(back.header_fingerprint, session.header_fingerprint);
    assert_eq!(
        back.profile.as_ref().map(|p| p.name.as_str()),
        Some("Danske debitorer")
    );
    let again = engine
        .preview_import(
            back.id.clone(),
            back.mapping.clone(),
            page(ImportRowFilter::All),
        )
        .await
        .unwrap();
    assert_eq!(
        (again.total, again.invalid),
        (2, 1),
        "the impossible date is still impossible"
    );

    // The original file a second time: what was imported is flagged, not imported twice.
    let second = engine.open_import(path).await.unwrap();
    assert_eq!(
        second.profile.as_ref().map(|p| p.name.as_str()),
        Some("Danske debitorer")
    );
    let dupes = engine
        .preview_import(
            second.id.clone(),
            second.mapping.clone(),
            page(ImportRowFilter::Duplicates),
        )
        .await
        .unwrap();
    assert_eq!(
        dupes.duplicates, 3,
        "rows 3, 4 and 7 (row 5 changed with its fix, which the new session lacks)"
    );
    assert!(
        matches!(dupes.rows[0].duplicate_of, Some(DuplicateOf::Cached { .. })),
        "{:?}",
        dupes.rows[0].duplicate_of
    );
    let staged_again = engine
        .stage_import(
            second.id.clone(),
            StageRequest {
                mapping: second.mapping.clone(),
                save_profile_as: None,
            },
            Arc::new(NoProgress),
        )
        .await
        .unwrap();
    assert_eq!((staged_again.staged, staged_again.duplicates), (0, 3));
    let listed = engine
        .list_invoices(InvoiceQuery {
            limit: 50,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        listed.rows.iter().filter(|r| r.provider == "file").count(),
        4,
        "nothing doubled"
    );
}

#[tokio::test]
async fn european_numbers_join_split_and_constants_build_the_invoice() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    let text = "No,Date,First name,Last name,Address,Amount\n\
        A-1,2026-09-01,Bjørn,Østergård,\"Vestergade 1, 8000 Aarhus\",\"1 234,56\"\n\
        A-2,2026-09-02,Ida,Holm,\"Nørregade 2, 5000 Odense\",\"(99,50)\"\n";
    let path = write(dir.path(), "people.csv", text.as_bytes());
    let session = engine.open_import(path).await.unwrap();
    let column = |field, column| FieldMapping {
        field,
        source: FieldSource::Column { column },
    };
    let split = |field, separator: Option<&str>, from, to| FieldMapping {
        field,
        source: FieldSource::Split {
            column: 4,
            part: casebridge_engine::api::SplitPart {
                separator: separator.map(str::to_owned),
                from,
                to,
            },
        },
    };
    let mapping = ImportMapping {
        fields: vec![
            column(CaseFieldTarget::InvoiceNumber, 0),
            column(CaseFieldTarget::IssueDate, 1),
            column(CaseFieldTarget::TotalAmount, 5),
            FieldMapping {
                field: CaseFieldTarget::DebtorName,
                source: FieldSource::Join {
                    columns: vec![2, 3],
                    separator: " ".into(),
                },
            },
            split(CaseFieldTarget::Street, Some(","), 0, Some(1)),
            split(CaseFieldTarget::PostalCode, None, -2, Some(-1)),
            split(CaseFieldTarget::City, None, -1, None),
            FieldMapping {
                field: CaseFieldTarget::Currency,
                source: FieldSource::Constant {
                    value: "DKK".into(),
                },
            },
            FieldMapping {
                field: CaseFieldTarget::DebtorType,
                source: FieldSource::Constant {
                    value: "Private".into(),
                },
            },
        ],
        amount_locale: casebridge_engine::api::AmountLocale::DecimalComma,
        issue_date_order: Some(casebridge_engine::api::DateOrder::Iso),
        due_date_order: None,
    };
    let preview = engine
        .preview_import(session.id.clone(), mapping, page(ImportRowFilter::All))
        .await
        .unwrap();
    let first = preview.rows[0].invoice.as_ref().unwrap();
    assert_eq!(
        (first.amount.as_str(), first.currency.as_str()),
        ("1234.56", "DKK")
    );
    assert_eq!(first.debtor_name.as_deref(), Some("Bjørn Østergård"));
    assert!(
        !preview.rows[0].readiness.iter().any(|i| [
            "street_missing",
            "city_missing",
            "debtor_type_missing"
        ]
        .contains(&i.code.as_str())),
        "{:?}",
        preview.rows[0].readiness
    );
    // Accounting parentheses are a negative amount: read as such, and held back by the same
    // readiness rule as a provider's credit note, on the amount's column.
    assert_eq!(preview.rows[1].status, ImportRowStatus::NeedsFixing);
    assert!(
        preview.rows[1]
            .readiness
            .iter()
            .any(|i| i.code == "amount_not_positive" && i.column == Some(5)),
        "{:?}",
        preview.rows[1].readiness
    );
}

#[tokio::test]
async fn an_xlsx_written_by_a_spreadsheet_library_imports_with_typed_dates_and_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    let path = dir.path().join("march.xlsx");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Invoices").unwrap();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (column, header) in [
        "Invoice number",
        "Invoice date",
        "Due date",
        "Customer",
        "Street",
        "Zip",
        "City",
        "Country",
        "Amount",
        "Currency",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    for (row, (number, amount)) in [("00042", 1250.5), ("00043", 80.0)].iter().enumerate() {
        let row = row as u32 + 1;
        sheet.write_string(row, 0, *number).unwrap();
        let issued = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 9, 1 + row as u8).unwrap();
        let due = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 9, 15 + row as u8).unwrap();
        sheet
            .write_datetime_with_format(row, 1, &issued, &date)
            .unwrap();
        sheet
            .write_datetime_with_format(row, 2, &due, &date)
            .unwrap();
        for (column, text) in [
            (3, "Acme Widgets Ltd"),
            (4, "1 High Street"),
            (5, "SW1A 1AA"),
            (6, "London"),
            (7, "GB"),
        ] {
            sheet.write_string(row, column, text).unwrap();
        }
        sheet.write_number(row, 8, *amount).unwrap();
        sheet.write_string(row, 9, "GBP").unwrap();
    }
    book.add_worksheet().set_name("Notes").unwrap();
    book.save(&path).unwrap();

    let recognised = engine
        .recognise_import_file(path.display().to_string())
        .await
        .unwrap();
    assert_eq!(
        recognised.kind,
        casebridge_engine::api::ImportFileKind::Xlsx
    );
    let session = engine
        .open_import(path.display().to_string())
        .await
        .unwrap();
    assert_eq!(session.sheets, ["Invoices", "Notes"]);
    assert_eq!(session.sheet.as_deref(), Some("Invoices"));
    assert!(
        session.recognised.contains("XLSX"),
        "{}",
        session.recognised
    );
    let preview = engine
        .preview_import(
            session.id.clone(),
            session.mapping.clone(),
            page(ImportRowFilter::All),
        )
        .await
        .unwrap();
    assert_eq!(
        (preview.total, preview.invalid),
        (2, 0),
        "{:?}",
        preview.rows
    );
    let first = preview.rows[0].invoice.as_ref().unwrap();
    assert_eq!(
        (first.issue_date.as_str(), first.due_date.as_deref()),
        ("2026-09-02", Some("2026-09-16"))
    );
    assert_eq!(
        (first.amount.as_str(), first.creditor_reference.as_deref()),
        ("1250.50", Some("00042"))
    );
    let summary = engine
        .stage_import(
            session.id.clone(),
            StageRequest {
                mapping: session.mapping.clone(),
                save_profile_as: None,
            },
            Arc::new(NoProgress),
        )
        .await
        .unwrap();
    assert_eq!(
        (summary.staged, summary.account.as_str()),
        (2, "march.xlsx [Invoices]")
    );

    // The other sheet is empty: choosing it says so.
    let error = engine
        .reopen_import(
            session.id.clone(),
            ReadOptions {
                sheet: Some("Nowhere".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(error.code(), "import_sheet_missing");
}

#[tokio::test]
async fn files_that_are_not_tables_get_clear_errors_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    let png = write(
        dir.path(),
        "invoices.csv",
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01",
    );
    let error = engine.open_import(png).await.unwrap_err();
    assert_eq!(error.code(), "import_not_text", "{error}");
    let empty = write(dir.path(), "empty.csv", b"");
    assert_eq!(
        engine.open_import(empty).await.unwrap_err().code(),
        "import_empty_file"
    );
    let zip = write(
        dir.path(),
        "documents.zip",
        b"PK\x03\x04\x14\0\0\0\0\0invoice-00123.pdf",
    );
    assert_eq!(
        engine.open_import(zip).await.unwrap_err().code(),
        "import_is_zip"
    );
    let missing = dir.path().join("gone.csv").display().to_string();
    assert_eq!(
        engine.open_import(missing).await.unwrap_err().code(),
        "import_file"
    );
    assert_eq!(
        engine
            .preview_import(
                "no-such-session".into(),
                empty_mapping(),
                ImportPage::default()
            )
            .await
            .unwrap_err()
            .code(),
        "import_unknown"
    );
    let listed = engine
        .list_invoices(InvoiceQuery {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(listed.rows.is_empty());
    let files = files_card(&engine).await;
    assert_eq!((files.account, files.last_success_at), (None, None), "a failed open is no import");
}

async fn files_card(engine: &Engine) -> casebridge_engine::api::IntegrationCard {
    engine
        .integrations()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.kind == casebridge_engine::api::IntegrationKind::Files)
        .unwrap()
}

fn empty_mapping() -> ImportMapping {
    ImportMapping {
        fields: Vec::new(),
        amount_locale: casebridge_engine::api::AmountLocale::DecimalPoint,
        issue_date_order: None,
        due_date_order: None,
    }
}

#[tokio::test]
async fn profiles_are_listed_renamed_exported_imported_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    let headers = vec!["Fakturanr".to_owned(), "Beløb".to_owned()];
    let mapping = ImportMapping {
        fields: vec![FieldMapping {
            field: CaseFieldTarget::InvoiceNumber,
            source: FieldSource::Column { column: 0 },
        }],
        ..empty_mapping()
    };
    let saved = engine
        .save_mapping_profile("Dinero".into(), headers.clone(), mapping.clone())
        .await
        .unwrap();
    let renamed = engine
        .rename_mapping_profile(saved.id, "Dinero export".into())
        .await
        .unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.headers.clone()),
        ("Dinero export", headers)
    );
    let file = dir.path().join("profile.json").display().to_string();
    engine
        .export_mapping_profile(saved.id, file.clone())
        .await
        .unwrap();
    assert!(engine.delete_mapping_profile(saved.id).await.unwrap());
    assert!(engine.list_mapping_profiles().await.unwrap().is_empty());
    let back = engine.import_mapping_profile(file).await.unwrap();
    assert_eq!(
        (back.name.as_str(), back.header_fingerprint.as_str()),
        ("Dinero export", saved.header_fingerprint.as_str())
    );
    assert_eq!(
        engine
            .mapping_profile_by_name("Dinero export")
            .await
            .unwrap()
            .mapping,
        mapping
    );
    let not_a_profile = write(dir.path(), "other.json", b"{\"hello\": 1}");
    assert_eq!(
        engine
            .import_mapping_profile(not_a_profile)
            .await
            .unwrap_err()
            .code(),
        "mapping_profile_file"
    );
    assert_eq!(
        engine
            .rename_mapping_profile(back.id, " ".into())
            .await
            .unwrap_err()
            .code(),
        "invalid_input"
    );
}

/// A file's name, its bytes, and the right field of each column.
type CorpusFile = (&'static str, Vec<u8>, Vec<Option<CaseFieldTarget>>);

/// Mapping accuracy on this corpus: columns whose first suggestion is the right field, out of
/// all columns that hold a case field (32/32 when written). Printed for the issue's closing
/// note; any column that stops mapping right fails the test.
#[tokio::test]
async fn first_suggestions_map_the_corpus_columns_right() {
    use CaseFieldTarget as F;
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(&dir).await;
    let corpus: [CorpusFile; 3] = [
        (
            "debitorer.csv",
            cp1252(DANISH),
            vec![
                Some(F::InvoiceNumber), Some(F::IssueDate), Some(F::DueDate), Some(F::CustomerId), Some(F::DebtorName),
                Some(F::Street), Some(F::PostalCode), Some(F::City), Some(F::Country), Some(F::TotalAmount), Some(F::Currency),
            ],
        ),
        (
            "export.csv",
            "Invoice No.,Invoice Date,Due Date,Company,E-mail,Phone,Zip code,Town,Country code,Balance due,Currency\n\
             INV-1,03/14/2026,04/13/2026,Acme Inc,ap@acme.com,+1 555 0100,02139,Cambridge,US,\"1,234.50\",USD\n\
             INV-2,03/15/2026,04/14/2026,Globex LLC,billing@globex.com,+1 555 0101,10001,New York,US,99.00,USD\n"
                .as_bytes()
                .to_vec(),
            vec![
                Some(F::InvoiceNumber), Some(F::IssueDate), Some(F::DueDate), Some(F::DebtorName), Some(F::Email), Some(F::Phone),
                Some(F::PostalCode), Some(F::City), Some(F::Country), Some(F::OutstandingAmount), Some(F::Currency),
            ],
        ),
        (
            "rechnungen.csv",
            "Rechnungsnummer;Rechnungsdatum;Fälligkeitsdatum;Kunde;Straße;PLZ;Ort;Land;Offener Betrag;Währung\n\
             R-100;01.03.2026;31.03.2026;Müller GmbH;Hauptstraße 5;10115;Berlin;DE;1.500,00;EUR\n\
             R-101;02.03.2026;01.04.2026;Schmidt AG;Marktplatz 1;80331;München;DE;250,00;EUR\n"
                .as_bytes()
                .to_vec(),
            vec![
                Some(F::InvoiceNumber), Some(F::IssueDate), Some(F::DueDate), Some(F::DebtorName), Some(F::Street),
                Some(F::PostalCode), Some(F::City), Some(F::Country), Some(F::OutstandingAmount), Some(F::Currency),
            ],
        ),
    ];
    let (mut right, mut total) = (0, 0);
    for (name, bytes, expected) in corpus {
        let session = engine
            .open_import(write(dir.path(), name, &bytes))
            .await
            .unwrap();
        for (suggestion, want) in session.suggestions.iter().zip(&expected) {
            total += 1;
            if suggestion.field == *want {
                right += 1;
            } else {
                println!(
                    "{name}: “{}” suggested {:?}, expected {want:?}",
                    suggestion.header, suggestion.field
                );
            }
        }
    }
    println!("mapping accuracy: {right}/{total} columns right on the first suggestion");
    assert_eq!(right, total, "columns mapped right on the first suggestion");
}
