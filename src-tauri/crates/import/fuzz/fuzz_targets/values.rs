//! Cells as amounts and dates in every locale and format, and whole
//! columns for inference: no panic, and an amount that parses prints back
//! to the same value.
#![no_main]

use casebridge_import::values::{
    infer_amount_column, infer_date_column, parse_amount, parse_date, DateFormat, NumberLocale,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let cells: Vec<&str> = text.split('\n').take(1_000).collect();
    for cell in &cells {
        for locale in [NumberLocale::DecimalPoint, NumberLocale::DecimalComma] {
            if let Ok(Some(value)) = parse_amount(cell, locale) {
                let printed = value.to_string();
                assert_eq!(
                    parse_amount(&printed, NumberLocale::DecimalPoint),
                    Ok(Some(value)),
                    "{cell:?} read as {printed} does not read back"
                );
            }
        }
        for format in [DateFormat::Iso, DateFormat::DayFirst, DateFormat::MonthFirst, DateFormat::ExcelSerial] {
            let _ = parse_date(cell, format);
        }
    }
    let _ = infer_amount_column(cells.iter().copied(), NumberLocale::DecimalComma);
    let _ = infer_date_column(cells.iter().copied(), true);
    let _ = infer_date_column(cells.iter().copied(), false);
});
