//! A million-row CSV imported (read, mapped, validated, staged in SQLite) against a floor
//! measured in the same run on the same file: a bare `csv` parse plus plain prepared inserts
//! of the raw strings into an index-free SQLite table, in one transaction, with the store's
//! own journal settings (WAL, synchronous FULL).
//!
//! Prints both times, the ratio (goal ≤ 2×) and the import's peak resident memory (goal
//! < 100 MB; the peak is reset right before the import, so the floor does not count).
//!
//! Run: `cargo bench -p casebridge-engine --bench import_1m_csv` (`IMPORT_BENCH_ROWS` to change
//! the size).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use std::sync::Mutex;

use casebridge_engine::api::{JobEvent, RunMode, StageRequest};
use casebridge_engine::{Engine, EngineConfig, ProgressSink, SystemClock};

const CITIES: [(&str, &str); 6] = [
    ("8000", "Aarhus"),
    ("1620", "København V"),
    ("5000", "Odense C"),
    ("9000", "Aalborg"),
    ("6700", "Esbjerg"),
    ("7100", "Vejle"),
];

/// A realistic export: ~120 bytes per row, Danish names and addresses, ISO dates.
fn generate(path: &Path, rows: u32) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(
        out,
        "Invoice no,Invoice date,Due date,Customer no,Customer,Street,Postal code,City,Country,Amount,Currency"
    )?;
    for n in 0..rows {
        let (zip, city) = CITIES[(n % 6) as usize];
        let month = 1 + n % 9;
        let day = 1 + n % 28;
        writeln!(
            out,
            "INV-{n:07},2026-{month:02}-{day:02},2026-{:02}-{day:02},C-{:05},Nordisk Tømrer {} ApS,Vestergade {},{zip},{city},DK,{}.{:02},DKK",
            month + 1,
            n % 50_000,
            n % 50_000,
            1 + n % 200,
            100 + n % 90_000,
            n % 100
        )?;
    }
    out.flush()?;
    Ok(std::fs::metadata(path)?.len())
}

/// The floor: parse every record and insert its raw strings.
fn floor(csv_path: &Path, db_path: &Path) -> Result<u64, Box<dyn std::error::Error>> {
    let mut conn = rusqlite::Connection::open(db_path)?;
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch(
        "CREATE TABLE raw (c1 TEXT, c2 TEXT, c3 TEXT, c4 TEXT, c5 TEXT, c6 TEXT, c7 TEXT, c8 TEXT, c9 TEXT, c10 TEXT, c11 TEXT)",
    )?;
    let tx = conn.transaction()?;
    let mut rows = 0;
    {
        let mut stmt =
            tx.prepare("INSERT INTO raw VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")?;
        let mut reader = csv::Reader::from_path(csv_path)?;
        let mut record = csv::StringRecord::new();
        while reader.read_record(&mut record)? {
            stmt.execute(rusqlite::params_from_iter(record.iter()))?;
            rows += 1;
        }
    }
    tx.commit()?;
    Ok(rows)
}

/// When the import said it had written every row and began rebuilding the indexes.
#[derive(Default)]
struct IndexingStarted(Mutex<Option<Instant>>);

impl ProgressSink for IndexingStarted {
    fn emit(&self, event: JobEvent) {
        if event.message.starts_with("Indexing") {
            *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Instant::now());
        }
    }
}

fn status_kb(field: &str) -> Option<u64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rows: u32 = std::env::var("IMPORT_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    let csv_path = dir.path().join("invoices.csv");
    let bytes = generate(&csv_path, rows)?;
    println!(
        "import-1m-csv: {rows} rows, {:.1} MB ({} bytes/row)",
        bytes as f64 / 1e6,
        bytes / u64::from(rows.max(1))
    );

    let started = Instant::now();
    let floor_rows = floor(&csv_path, &dir.path().join("floor.sqlite"))?;
    let floor_time = started.elapsed();
    assert_eq!(floor_rows, u64::from(rows), "the floor read every row");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let config = EngineConfig {
        data_dir: dir.path().join("data"),
        mode: RunMode::Normal,
        demo_agency_url: None,
        demo_stripe_url: None,
    };
    let secrets =
        casebridge_store::secrets::secret_store_for(casebridge_store::secrets::BuildKind::Demo);
    let engine = runtime.block_on(Engine::start_with(config, Arc::new(SystemClock), secrets))?;
    // Peak memory from here on: "5" resets VmHWM (Linux).
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let indexing = Arc::new(IndexingStarted::default());
    let started = Instant::now();
    let summary = runtime.block_on(async {
        let session = engine.open_import(csv_path.display().to_string()).await?;
        engine
            .stage_import(
                session.id.clone(),
                StageRequest {
                    mapping: session.mapping,
                    save_profile_as: None,
                },
                indexing.clone(),
            )
            .await
    })?;
    let import_time = started.elapsed();
    assert_eq!(
        summary.staged + summary.invalid + summary.duplicates,
        u64::from(rows),
        "every row accounted for"
    );
    assert_eq!(
        summary.staged,
        u64::from(rows),
        "the generated file has no bad rows: {summary:?}"
    );

    let ratio = import_time.as_secs_f64() / floor_time.as_secs_f64();
    let peak_mb = status_kb("VmHWM:").map_or(f64::NAN, |kb| kb as f64 / 1024.0);
    println!(
        "  floor (csv parse + raw prepared inserts, one transaction): {:.2} s",
        floor_time.as_secs_f64()
    );
    println!(
        "  import (read, map, validate, stage in the invoice cache):  {:.2} s",
        import_time.as_secs_f64()
    );
    if let Some(at) = *indexing.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) {
        let load = at.duration_since(started).as_secs_f64();
        println!(
            "    of which rows read, mapped, judged and written: {load:.2} s; index rebuild + commit: {:.2} s",
            import_time.as_secs_f64() - load
        );
    }
    println!("  ratio: {ratio:.2}x (goal <= 2x)");
    println!(
        "  peak RSS during the import: {peak_mb:.0} MB (goal < 100 MB){}",
        if reset {
            ""
        } else {
            " — peak could not be reset, includes the floor"
        }
    );
    println!(
        "  staged {} invoices ({} ready, {} need fixing)",
        summary.staged, summary.ready, summary.needs_fixing
    );
    Ok(())
}
