//! `bench-export`: times the real `mizan export settlement` on a store of up to a million
//! ledger rows against `sqlite3 -csv` running the equivalent query on the same file, and shows
//! that the export's peak memory stays flat as the rows grow.
//!
//! How: a fresh store (the real migrations) is filled in steps (100k, 300k, 1M rows by
//! default) with `INSERT … SELECT` over a recursive counter, one transaction per step — far
//! faster than a million prepared inserts and the same rows. After each step both programs
//! run as child processes (best of three runs, after a warm-up): `mizan` writes the CSV and its
//! totals file, `sqlite3 -csv` writes the same columns, computed in SQL (same join, same
//! filter, same order, signed amounts, UTC and Asia/Riyadh times) to a file. Each run goes
//! through this binary's hidden `measure` mode, a separate process whose only child is the
//! program measured, so `getrusage(RUSAGE_CHILDREN)` there is that program's peak RSS alone.
//!
//! Usage: `bench-export [--steps 100000,300000,1000000] [--mizan PATH] [--sqlite3 PATH]
//! [--dir DIR]` (`--dir` keeps the database and both CSVs for inspection).

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use mizan_core::store::Store;
use nix::sys::resource::{UsageWho, getrusage};

/// The target: the export within this factor of `sqlite3 -csv`.
const TARGET_RATIO: f64 = 1.5;
const RUNS: usize = 3;
const FROM: &str = "2023-12-31";
const TO: &str = "2026-01-01";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let outcome = if args.first().map(String::as_str) == Some("measure") {
        measure(&args[1..])
    } else {
        bench(&args)
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("bench-export: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// `measure STDOUT_FILE PROGRAM ARGS…`: runs the program with stdout to the file and prints
/// `WALL_SECONDS PEAK_RSS_KIB`.
fn measure(args: &[String]) -> Result<ExitCode> {
    let [stdout_file, program, rest @ ..] = args else {
        bail!("usage: bench-export measure STDOUT_FILE PROGRAM [ARGS...]");
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
    // Linux reports ru_maxrss in KiB.
    println!("{wall:.6} {}", usage.max_rss());
    Ok(ExitCode::SUCCESS)
}

struct Options {
    steps: Vec<u64>,
    /// Work here and keep the files (default: a temporary directory, removed at the end).
    dir: Option<PathBuf>,
    mizan: PathBuf,
    sqlite3: String,
}

fn options(args: &[String]) -> Result<Options> {
    let own = std::env::current_exe().context("own path")?;
    let mut o = Options {
        steps: vec![100_000, 300_000, 1_000_000],
        dir: None,
        mizan: own.with_file_name("mizan"),
        sqlite3: "sqlite3".to_owned(),
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--steps" => {
                o.steps = value
                    .split(',')
                    .map(|s| s.trim().parse::<u64>().context("--steps: numbers"))
                    .collect::<Result<_>>()?;
            }
            "--mizan" => o.mizan = PathBuf::from(value),
            "--dir" => o.dir = Some(PathBuf::from(value)),
            "--sqlite3" => o.sqlite3.clone_from(value),
            other => bail!("unknown flag {other}"),
        }
    }
    if o.steps.is_empty() || o.steps.windows(2).any(|w| w[0] >= w[1]) {
        bail!("--steps must be increasing");
    }
    if !o.mizan.is_file() {
        bail!(
            "{} not found: build it first (cargo build --release -p mizan-cli)",
            o.mizan.display()
        );
    }
    Ok(o)
}

struct Run {
    secs: f64,
    rss_kib: i64,
}

struct Step {
    rows: u64,
    /// CSV lines written (header included), the same for both.
    lines: usize,
    /// Whether the two files hold the same cells.
    identical: bool,
    mizan: Run,
    sqlite3: Run,
}

fn bench(args: &[String]) -> Result<ExitCode> {
    let o = options(args)?;
    let temp = tempfile::tempdir().context("temp dir")?;
    let dir = match &o.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            if std::fs::read_dir(d)?.next().is_some() {
                bail!("--dir {} is not empty", d.display());
            }
            d.clone()
        }
        None => temp.path().to_owned(),
    };
    let db = dir.join("mizan.db");
    let runtime = tokio::runtime::Runtime::new().context("runtime")?;
    runtime.block_on(async {
        let store = Store::open(&db).await?;
        store.close().await;
        anyhow::Ok(())
    })?;
    let mut steps = Vec::new();
    let mut have = 0;
    for &target in &o.steps {
        let started = Instant::now();
        runtime.block_on(fill(&db, have, target))?;
        eprintln!(
            "bench-export: store has {target} ledger rows (+{} in {:.1} s)",
            target - have,
            started.elapsed().as_secs_f64()
        );
        have = target;
        steps.push(run_step(&o, &dir, &db, target)?);
    }
    report(&steps)
}

/// Adds ledger rows `from..to` and their orders (two rows per order): captures, refunds with
/// Arabic (and one formula-like) comments, cancels; SAR and KWD; a few pending rows the
/// export leaves out.
async fn fill(db: &Path, from: u64, to: u64) -> Result<()> {
    use sqlx::Connection as _;
    let url = format!("sqlite://{}", db.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await?;
    let mut tx = conn.begin().await?;
    let (from, to) = (i64::try_from(from)?, i64::try_from(to)?);
    sqlx::query(
        "WITH RECURSIVE n(j) AS (SELECT ?1 UNION ALL SELECT j + 1 FROM n WHERE j + 1 < ?2)
         INSERT INTO orders (environment, order_id, order_reference_id, order_number, status,
            payment_type, instalments, currency, total_amount, authorised_amount,
            captured_amount, refunded_amount, canceled_amount, paid_amount, customer_name,
            settlement_status, settlement_date, created_at, updated_at)
         SELECT 'sandbox', printf('%08x-0000-4000-8000-%012x', j, j), 'REF-' || j, 'N' || j,
            'fully_captured', 'PAY_BY_INSTALMENTS', 3,
            CASE j % 5 WHEN 0 THEN 'KWD' ELSE 'SAR' END,
            CASE j % 5 WHEN 0 THEN '500.000' ELSE '500.00' END,
            CASE j % 5 WHEN 0 THEN '500.000' ELSE '500.00' END,
            CASE j % 5 WHEN 0 THEN '500.000' ELSE '500.00' END,
            CASE j % 5 WHEN 0 THEN '0.000' ELSE '0.00' END,
            CASE j % 5 WHEN 0 THEN '0.000' ELSE '0.00' END,
            CASE j % 5 WHEN 0 THEN '0.000' ELSE '0.00' END,
            'سارة خالد', CASE j % 3 WHEN 0 THEN 'settled' ELSE 'pending' END, '2025-01-15',
            '2024-01-01T00:00:00.000000000Z', '2024-01-01T00:00:00.000000000Z'
         FROM n",
    )
    .bind(from / 2)
    .bind((to + 1) / 2)
    .execute(&mut *tx)
    .await
    .context("insert orders")?;
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
         INSERT INTO ledger_entries (environment, order_id, kind, gateway_id, currency, amount,
            state, source, idempotency_ref, actor, comment, occurred_at, recorded_at,
            updated_at)
         SELECT 'sandbox', printf('%08x-0000-4000-8000-%012x', i / 2, i / 2),
            CASE WHEN i % 10 < 7 THEN 'capture' WHEN i % 10 < 9 THEN 'refund' ELSE 'cancel' END,
            printf('%08x-1111-4000-8000-%012x', i, i),
            CASE (i / 2) % 5 WHEN 0 THEN 'KWD' ELSE 'SAR' END,
            CASE (i / 2) % 5 WHEN 0 THEN (i % 400 + 1) || '.' || printf('%03d', i % 1000)
                 ELSE (i % 400 + 1) || '.' || printf('%02d', i % 100) END,
            CASE WHEN i % 97 = 0 THEN 'pending' ELSE 'succeeded' END,
            CASE WHEN i % 2 = 0 THEN 'api' ELSE 'webhook' END,
            CASE WHEN i % 2 = 0 THEN 'idem-' || i END,
            CASE WHEN i % 2 = 0 THEN 'ops-ahmad' ELSE 'webhook' END,
            CASE WHEN i % 10 = 7 THEN 'استرجاع جزئي، طلب العميل'
                 WHEN i % 10 = 8 THEN '=HYPERLINK(\"x\")' END,
            strftime('%Y-%m-%dT%H:%M:%S', '2024-01-01T00:00:00', '+' || (i * 30) || ' seconds')
                || '.000000000Z',
            '2024-01-01T00:00:00.000000000Z', '2024-01-01T00:00:00.000000000Z'
         FROM n",
    )
    .bind(from)
    .bind(to)
    .execute(&mut *tx)
    .await
    .context("insert ledger rows")?;
    tx.commit().await?;
    conn.close().await?;
    Ok(())
}

/// The settlement export's rows computed by SQLite itself: the same join, filter and order as
/// the store's query (`SETTLEMENT_SQL`), the same columns, signs and Asia/Riyadh (+03:00, no
/// daylight saving) times.
fn sqlite3_query() -> String {
    let where_clause = mizan_core::store::ledger::SETTLEMENT_SQL
        .split_once("FROM ledger_entries")
        .map(|(_, rest)| rest)
        .unwrap_or_default()
        .replacen("l.environment = $1", "l.environment = 'sandbox'", 1)
        .replacen(
            "l.occurred_at >= $2",
            "l.occurred_at >= '2023-12-30T21:00:00.000000000Z'",
            1,
        )
        .replacen(
            "l.occurred_at < $3",
            "l.occurred_at < '2026-01-01T21:00:00.000000000Z'",
            1,
        )
        .replacen("($4, $5, $6)", "('succeeded', 'succeeded', 'succeeded')", 1);
    format!(
        "SELECT l.environment, o.order_reference_id, o.order_number, l.order_id AS tamara_order_id,
            l.kind AS transaction_type, l.gateway_id AS transaction_id,
            l.idempotency_ref AS idempotency_reference,
            substr(l.occurred_at, 1, 19) || 'Z' AS time_utc,
            strftime('%Y-%m-%dT%H:%M:%S', l.occurred_at, '+3 hours') || '+03:00' AS time_local,
            date(l.occurred_at, '+3 hours') AS date_local, l.currency,
            CASE l.kind WHEN 'capture' THEN l.amount ELSE '-' || l.amount END AS amount,
            CASE l.kind WHEN 'capture' THEN l.amount WHEN 'refund' THEN '-' || l.amount
                 ELSE CASE l.currency WHEN 'KWD' THEN '0.000' ELSE '0.00' END END AS net_amount,
            l.state, l.source, o.payment_type, o.instalments, o.settlement_status,
            o.settlement_date, l.actor,
            CASE WHEN substr(l.comment, 1, 1) IN ('=', '+', '-', '@', char(9), char(13))
                 THEN '''' || l.comment ELSE l.comment END AS comment,
            CASE WHEN l.kind = 'cancel' THEN '' WHEN st.id IS NULL THEN 'pending'
                 WHEN p.id IS NULL THEN 'settled' ELSE 'paid' END AS statement_status,
            st.statement_id, sl.total_fees AS statement_fees, sl.vat AS statement_vat,
            sl.payable AS statement_net_payable,
            coalesce(p.bank_reference, 'payout-' || p.id) AS payout_reference,
            p.paid_on AS payout_date
         FROM ledger_entries{where_clause};"
    )
}

fn run_step(o: &Options, dir: &Path, db: &Path, rows: u64) -> Result<Step> {
    let out = dir.join(format!("settlement-{rows}.csv"));
    let sqlite_out = dir.join(format!("sqlite3-{rows}.csv"));
    let mut mizan = Command::new(&o.mizan);
    mizan
        .args(["--env", "sandbox", "--data-dir"])
        .arg(dir)
        .args(["export", "settlement", "--from", FROM, "--to", TO])
        .args(["--tz", "Asia/Riyadh", "-o"])
        .arg(&out)
        .env("MIZAN_OPERATOR", "bench");
    let mut sqlite = Command::new(&o.sqlite3);
    sqlite
        .args(["-csv", "-header", "-newline", "\r\n"])
        .arg(db)
        .arg(sqlite3_query());
    // Warm the page cache for both, then take the best of RUNS each.
    timed(&sqlite, &sqlite_out)?;
    let mut best_sqlite = timed(&sqlite, &sqlite_out)?;
    let mut best_mizan = timed(&mizan, &dir.join("mizan-stdout.txt"))?;
    for _ in 1..RUNS {
        best_mizan = best(best_mizan, timed(&mizan, &dir.join("mizan-stdout.txt"))?);
        best_sqlite = best(best_sqlite, timed(&sqlite, &sqlite_out)?);
    }
    let ours = count_lines(&out)?;
    let theirs = count_lines(&sqlite_out)?;
    if ours != theirs {
        bail!("row counts differ: mizan wrote {ours} lines, sqlite3 {theirs}");
    }
    let identical = same_cells(&out, &sqlite_out)?;
    Ok(Step {
        rows,
        lines: ours,
        identical,
        mizan: best_mizan,
        sqlite3: best_sqlite,
    })
}

/// The faster run's time, and the larger peak memory of the two (memory is not luck).
fn best(a: Run, b: Run) -> Run {
    Run {
        secs: a.secs.min(b.secs),
        rss_kib: a.rss_kib.max(b.rss_kib),
    }
}

/// Runs `cmd` through the `measure` mode with stdout to `stdout_file`.
fn timed(cmd: &Command, stdout_file: &Path) -> Result<Run> {
    let own = std::env::current_exe()?;
    let output = Command::new(own)
        .arg("measure")
        .arg(stdout_file)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .envs(cmd.get_envs().filter_map(|(k, v)| Some((k, v?))))
        .stderr(Stdio::inherit())
        .output()
        .context("measure")?;
    if !output.status.success() {
        bail!("{:?} failed", cmd.get_program());
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut parts = text.split_whitespace();
    let secs = parts.next().context("no time")?.parse()?;
    let rss_kib = parts.next().context("no rss")?.parse()?;
    Ok(Run { secs, rss_kib })
}

/// Whether two CSV files hold the same cells (quoting may differ: sqlite3 quotes every
/// non-ASCII text, the export only what RFC 4180 requires).
fn same_cells(a: &Path, b: &Path) -> Result<bool> {
    let mut ra = csv::ReaderBuilder::new().has_headers(false).from_path(a)?;
    let mut rb = csv::ReaderBuilder::new().has_headers(false).from_path(b)?;
    let (mut x, mut y) = (csv::ByteRecord::new(), csv::ByteRecord::new());
    loop {
        let (more_a, more_b) = (ra.read_byte_record(&mut x)?, rb.read_byte_record(&mut y)?);
        if more_a != more_b || x != y {
            return Ok(false);
        }
        if !more_a {
            return Ok(true);
        }
    }
}

fn count_lines(path: &Path) -> Result<usize> {
    use std::io::BufRead as _;
    let file = std::fs::File::open(path).with_context(|| path.display().to_string())?;
    Ok(std::io::BufReader::new(file).split(b'\n').count())
}

fn report(steps: &[Step]) -> Result<ExitCode> {
    let mib = |kib: i64| kib as f64 / 1024.0;
    println!("settlement export (Asia/Riyadh, best of {RUNS}) vs sqlite3 -csv, same database");
    println!(
        "{:>9}  {:>9}  {:>9}  {:>10}  {:>10}  {:>11}  {:>6}  {:>9}",
        "rows",
        "csv lines",
        "mizan s",
        "mizan MiB",
        "sqlite3 s",
        "sqlite3 MiB",
        "ratio",
        "same cells"
    );
    for s in steps {
        println!(
            "{:>9}  {:>9}  {:>9.3}  {:>10.1}  {:>10.3}  {:>11.1}  {:>6.2}  {:>9}",
            s.rows,
            s.lines,
            s.mizan.secs,
            mib(s.mizan.rss_kib),
            s.sqlite3.secs,
            mib(s.sqlite3.rss_kib),
            s.mizan.secs / s.sqlite3.secs,
            if s.identical { "yes" } else { "no" }
        );
    }
    let (Some(first), Some(last)) = (steps.first(), steps.last()) else {
        bail!("no steps");
    };
    let ratio = last.mizan.secs / last.sqlite3.secs;
    let verdict = if ratio <= TARGET_RATIO {
        "PASS"
    } else {
        "MISS"
    };
    println!(
        "{} rows: mizan {:.3} s, sqlite3 {:.3} s, ratio {ratio:.2} (target <= {TARGET_RATIO}): {verdict}",
        last.rows, last.mizan.secs, last.sqlite3.secs
    );
    println!(
        "peak RSS of the export: {} (x{:.1} rows, x{:.2} memory)",
        steps
            .iter()
            .map(|s| format!("{} rows {:.1} MiB", s.rows, mib(s.mizan.rss_kib)))
            .collect::<Vec<_>>()
            .join(", "),
        last.rows as f64 / first.rows as f64,
        last.mizan.rss_kib as f64 / first.mizan.rss_kib as f64
    );
    Ok(if ratio <= TARGET_RATIO {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}
