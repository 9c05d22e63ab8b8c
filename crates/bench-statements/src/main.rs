//! `bench-statements`: imports and matches a Tamara statement of up to 200,000 lines against a
//! cache of a million orders with the real `mizan settlement import` and `mizan settlement
//! show`, beside calamine alone reading the same file, and prints wall time, peak memory and
//! the ratio (target: import + match within 2× the read; memory flat in the lines).
//!
//! How: a fresh store (the real migrations) gets `--orders` synthetic orders (the core's
//! seeder) and, for each step of `--lines`, that many captures of SAR orders in its ledger.
//! An XLSX statement in the §11.1 layout is written for exactly those captures, fees consistent,
//! so a correct match finds every line `matched`. Each program runs under this binary's hidden
//! `measure` mode, a process of its own, so `getrusage(RUSAGE_CHILDREN)` is its peak RSS alone.
//! The import runs once per step (a second would be "unchanged"); the read and the match are
//! best of three after a warm-up.
//!
//! Usage: `bench-statements [--orders 1000000] [--lines 50000,200000] [--mizan PATH] [--dir DIR]`.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use mizan_core::environment::Environment;
use mizan_core::store::{Store, seed};
use nix::sys::resource::{UsageWho, getrusage};

const TARGET_RATIO: f64 = 2.0;
const RUNS: usize = 3;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = match args.first().map(String::as_str) {
        Some("measure") => measure(&args[1..]),
        Some("read") => read_only(&args[1..]),
        _ => bench(&args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("bench-statements: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// `measure STDOUT_FILE PROGRAM ARGS…`: runs the program (with this process's environment)
/// and prints `WALL_SECONDS PEAK_RSS_KIB`.
fn measure(args: &[String]) -> Result<ExitCode> {
    let [stdout_file, program, rest @ ..] = args else {
        bail!("usage: bench-statements measure STDOUT_FILE PROGRAM [ARGS...]");
    };
    let stdout = std::fs::File::create(stdout_file).context("measure: stdout file")?;
    let started = Instant::now();
    let status = Command::new(program)
        .args(rest)
        .stdout(stdout)
        .stderr(Stdio::inherit())
        .status()
        .with_context(|| format!("cannot run {program}"))?;
    let wall = started.elapsed().as_secs_f64();
    if !status.success() {
        bail!("{program} failed: {status}");
    }
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).context("getrusage")?;
    println!("{wall:.6} {}", usage.max_rss());
    Ok(ExitCode::SUCCESS)
}

/// `read FILE`: calamine alone — opens the workbook, reads its first sheet, touches every cell.
fn read_only(args: &[String]) -> Result<ExitCode> {
    use calamine::{Reader as _, Xlsx, open_workbook};
    let [file] = args else {
        bail!("usage: bench-statements read FILE")
    };
    let mut book: Xlsx<_> = open_workbook(file).context("open")?;
    let sheet = book.sheet_names().first().cloned().context("no sheet")?;
    let range = book.worksheet_range(&sheet).context("sheet")?;
    let mut chars = 0usize;
    for row in range.rows() {
        for cell in row {
            chars += cell.to_string().len();
        }
    }
    println!("{} rows, {chars} characters", range.height());
    Ok(ExitCode::SUCCESS)
}

struct Options {
    orders: u64,
    lines: Vec<u64>,
    dir: Option<PathBuf>,
    mizan: PathBuf,
}

fn options(args: &[String]) -> Result<Options> {
    let own = std::env::current_exe().context("own path")?;
    let mut o = Options {
        orders: 1_000_000,
        lines: vec![50_000, 200_000],
        dir: None,
        mizan: own.with_file_name("mizan"),
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--orders" => o.orders = value.parse().context("--orders: a number")?,
            "--lines" => {
                o.lines = value
                    .split(',')
                    .map(|s| s.trim().parse::<u64>().context("--lines: numbers"))
                    .collect::<Result<_>>()?;
            }
            "--mizan" => o.mizan = PathBuf::from(value),
            "--dir" => o.dir = Some(PathBuf::from(value)),
            other => bail!("unknown flag {other}"),
        }
    }
    if o.lines.is_empty() || o.lines.windows(2).any(|w| w[0] >= w[1]) {
        bail!("--lines must be increasing");
    }
    if !o.mizan.is_file() {
        bail!(
            "{} not found: build it first (cargo build --release -p mizan-cli)",
            o.mizan.display()
        );
    }
    Ok(o)
}

#[derive(Clone, Copy)]
struct Run {
    secs: f64,
    rss_kib: i64,
}

struct Step {
    lines: u64,
    read: Run,
    import: Run,
    matching: Run,
    matched: u64,
}

fn bench(args: &[String]) -> Result<ExitCode> {
    let o = options(args)?;
    let temp = tempfile::tempdir().context("temp dir")?;
    let dir = o.dir.clone().unwrap_or_else(|| temp.path().to_owned());
    let data = dir.join("data");
    std::fs::create_dir_all(&data)?;
    let db = data.join("mizan.db");
    let runtime = tokio::runtime::Runtime::new().context("runtime")?;
    let started = Instant::now();
    runtime.block_on(async {
        let store = Store::open(&db).await?;
        let have = seed::count_seeded(&store, Environment::Sandbox).await?;
        if have < o.orders {
            seed::seed_orders(&store, Environment::Sandbox, have, o.orders).await?;
        }
        store.close().await;
        anyhow::Ok(())
    })?;
    eprintln!(
        "bench-statements: {} orders in {:.1} s",
        o.orders,
        started.elapsed().as_secs_f64()
    );
    let mut steps = Vec::new();
    for &lines in &o.lines {
        let captures = runtime.block_on(captures(&db, lines))?;
        if (captures.len() as u64) < lines {
            bail!(
                "only {} SAR orders to capture: raise --orders",
                captures.len()
            );
        }
        let file = dir.join(format!("statement-{lines}.xlsx"));
        write_statement(&file, lines, &captures)?;
        steps.push(run_step(&o, &dir, &data, &file, lines)?);
    }
    report(&steps)
}

/// A capture of each of the first `n` seeded SAR orders (in the ledger, succeeded, on the
/// order's creation time): (order id, amount text, Riyadh day "DD/MM/YYYY").
async fn captures(db: &Path, n: u64) -> Result<Vec<(String, String, String)>> {
    use sqlx::{Connection as _, Row as _};
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await?;
    let n = i64::try_from(n)?;
    sqlx::query(
        "INSERT OR IGNORE INTO ledger_entries (environment, order_id, kind, gateway_id, currency,
            amount, state, source, actor, occurred_at, recorded_at, updated_at)
         SELECT environment, order_id, 'capture', 'cap-' || order_id, currency, total_amount,
            'succeeded', 'webhook', 'bench', created_at, created_at, created_at
         FROM orders WHERE environment = 'sandbox' AND currency = 'SAR'
         ORDER BY order_id LIMIT ?",
    )
    .bind(n)
    .execute(&mut conn)
    .await
    .context("insert captures")?;
    let rows = sqlx::query(
        "SELECT order_id, amount, occurred_at FROM ledger_entries
         WHERE environment = 'sandbox' AND kind = 'capture' ORDER BY order_id LIMIT ?",
    )
    .bind(n)
    .fetch_all(&mut conn)
    .await?;
    rows.iter()
        .map(|r| {
            let at: String = r.try_get("occurred_at")?;
            let utc = chrono_day(&at)?;
            Ok((r.try_get("order_id")?, r.try_get("amount")?, utc))
        })
        .collect()
}

/// The Riyadh calendar day (UTC+3, no daylight saving) of a stored time, as DD/MM/YYYY.
fn chrono_day(stored: &str) -> Result<String> {
    let t = chrono::DateTime::parse_from_rfc3339(stored).context("stored time")?;
    Ok((t + chrono::Duration::hours(3))
        .format("%d/%m/%Y")
        .to_string())
}

fn write_statement(file: &Path, lines: u64, captures: &[(String, String, String)]) -> Result<()> {
    use rust_xlsxwriter::Workbook;
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let header = [
        ("Statement ID", format!("ST-BENCH-{lines}")),
        ("Statement Date", "01/01/2026".to_owned()),
        ("Tamara Merchant ID", "m-bench".to_owned()),
    ];
    for (r, (k, v)) in header.iter().enumerate() {
        sheet.write_string(u32::try_from(r)?, 0, *k)?;
        sheet.write_string(u32::try_from(r)?, 1, v)?;
    }
    let columns = [
        "Transaction Date",
        "Tamara Order ID",
        "Currency",
        "Event",
        "Event Amount",
        "Tamara Fixed Fees",
        "Tamara Variable Fees",
        "Total Fees",
        "VAT Collected by Tamara",
        "Total Payable to Merchant",
    ];
    let top = 4u32;
    for (c, name) in columns.iter().enumerate() {
        sheet.write_string(top, u16::try_from(c)?, *name)?;
    }
    for (i, (order, amount, day)) in captures.iter().take(usize::try_from(lines)?).enumerate() {
        let row = top + 1 + u32::try_from(i)?;
        let cents: i64 = amount.replace('.', "").parse().context("amount")?;
        let variable = (cents * 2 + 50) / 100;
        let total = 100 + variable;
        let vat = (total * 15 + 50) / 100;
        let text = |c: i64| format!("{}.{:02}", c / 100, c % 100);
        let cells = [
            day.clone(),
            order.clone(),
            "SAR".into(),
            "Captured".into(),
            amount.clone(),
            "1.00".into(),
            text(variable),
            text(total),
            text(vat),
            text(cents - total - vat),
        ];
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(row, u16::try_from(c)?, v)?;
        }
    }
    book.save(file).context("save the statement")?;
    Ok(())
}

fn timed(dir: &Path, data: &Path, program: &Path, args: &[&str]) -> Result<(Run, String)> {
    let own = std::env::current_exe()?;
    let out = dir.join("measured.out");
    let result = Command::new(&own)
        .arg("measure")
        .arg(&out)
        .arg(program)
        .args(args)
        .env("MIZAN_DATA_DIR", data)
        .env("MIZAN_ENV", "sandbox")
        .env("MIZAN_RECONCILE_EVERY_SECS", "0")
        .output()
        .context("measure")?;
    if !result.status.success() {
        bail!(
            "{} {args:?}: {}",
            program.display(),
            String::from_utf8_lossy(&result.stderr)
        );
    }
    let text = String::from_utf8(result.stdout)?;
    let mut parts = text.split_whitespace();
    let secs: f64 = parts.next().context("wall")?.parse()?;
    let rss_kib: i64 = parts.next().context("rss")?.parse()?;
    Ok((Run { secs, rss_kib }, std::fs::read_to_string(&out)?))
}

fn best(dir: &Path, data: &Path, program: &Path, args: &[&str]) -> Result<(Run, String)> {
    let (mut run, mut out) = timed(dir, data, program, args)?; // warm-up
    run.secs = f64::MAX;
    for _ in 0..RUNS {
        let (r, o) = timed(dir, data, program, args)?;
        if r.secs < run.secs {
            run = r;
            out = o;
        }
    }
    Ok((run, out))
}

fn run_step(o: &Options, dir: &Path, data: &Path, file: &Path, lines: u64) -> Result<Step> {
    let own = std::env::current_exe()?;
    let path = file.to_str().context("path")?;
    let (read, _) = best(dir, data, &own, &["read", path])?;
    let (import, out) = timed(
        dir,
        data,
        &o.mizan,
        &["--json", "settlement", "import", path],
    )?;
    let imported: serde_json::Value = serde_json::from_str(&out)?;
    let id = imported["statement"]["id"]
        .as_i64()
        .context("statement id")?
        .to_string();
    let (matching, out) = best(
        dir,
        data,
        &o.mizan,
        &["--json", "settlement", "show", &id, "--only-differences"],
    )?;
    let shown: serde_json::Value = serde_json::from_str(&out)?;
    let matched = shown["counts"]["matched"].as_u64().unwrap_or_default();
    if matched != lines || shown["balanced"] != true {
        bail!(
            "{lines} lines: {matched} matched, balanced {}",
            shown["balanced"]
        );
    }
    Ok(Step {
        lines,
        read,
        import,
        matching,
        matched,
    })
}

fn mib(kib: i64) -> f64 {
    kib as f64 / 1024.0
}

fn report(steps: &[Step]) -> Result<ExitCode> {
    println!(
        "| lines | calamine read | import | match | import + match / read | peak MiB read / import / match |"
    );
    println!("|---:|---:|---:|---:|---:|---:|");
    for s in steps {
        let ratio = (s.import.secs + s.matching.secs) / s.read.secs;
        println!(
            "| {} | {:.2} s | {:.2} s | {:.2} s | {ratio:.2}× | {:.0} / {:.0} / {:.0} |",
            s.lines,
            s.read.secs,
            s.import.secs,
            s.matching.secs,
            mib(s.read.rss_kib),
            mib(s.import.rss_kib),
            mib(s.matching.rss_kib)
        );
        debug_assert_eq!(s.matched, s.lines);
    }
    let last = steps.last().context("no step")?;
    let ratio = (last.import.secs + last.matching.secs) / last.read.secs;
    println!(
        "target: import + match within {TARGET_RATIO}× of calamine's read at {} lines: {}",
        last.lines,
        if ratio <= TARGET_RATIO {
            "met"
        } else {
            "NOT met"
        }
    );
    Ok(ExitCode::SUCCESS)
}
