//! `mizan export settlement | audit | orders`: CSVs for accountants and auditors, from the
//! local store (no network).
//!
//! `-o FILE` is required (`-o -` writes to stdout). The file appears only when complete; a
//! settlement export also writes `NAME.totals.csv` beside it. Progress goes to stderr once a
//! second when stderr is a terminal or with `--progress`, never to stdout. The summary goes to
//! stdout, or to stderr when the CSV itself is on stdout.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Args, Subcommand};
use mizan_core::Console;
use mizan_core::export::{
    self, AuditExport, Destination, ExportError, Format, OrdersExport, SettlementExport,
    SettlementReport, Window, Zone,
};
use serde_json::{Value, json};

use crate::CliError;
use crate::output::{Output, say, table};

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// One row per capture, refund and cancel in a window, plus NAME.totals.csv per currency.
    Settlement(SettlementArgs),
    /// The audit log, hashes included.
    Audit(AuditArgs),
    /// The cached orders, one row each.
    Orders(OrdersArgs),
}

#[derive(Debug, Args)]
pub struct CommonArgs {
    /// Where to write: a file path, or `-` for stdout.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// IANA zone of the local-time columns and of bare dates (e.g. Asia/Riyadh).
    #[arg(long, default_value = "UTC")]
    pub tz: String,
    /// Start with a UTF-8 byte-order mark, so Excel shows Arabic text correctly.
    #[arg(long)]
    pub bom: bool,
    /// Show progress on stderr even when it is not a terminal.
    #[arg(long)]
    pub progress: bool,
}

#[derive(Debug, Args)]
pub struct SettlementArgs {
    /// First day (YYYY-MM-DD, whole day in --tz) or RFC 3339 time.
    #[arg(long)]
    pub from: String,
    /// Last day (YYYY-MM-DD, inclusive) or RFC 3339 time (exclusive).
    #[arg(long)]
    pub to: String,
    /// Also pending and unknown moves (with their state); failed moves are never included.
    #[arg(long)]
    pub include_unsettled: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// First day or RFC 3339 time (default: the beginning).
    #[arg(long)]
    pub from: Option<String>,
    /// Last day (inclusive) or RFC 3339 time (exclusive) (default: now).
    #[arg(long)]
    pub to: Option<String>,
    /// Both environments: the whole chain.
    #[arg(long)]
    pub all_envs: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct OrdersArgs {
    /// Orders created from this day or RFC 3339 time (default: all).
    #[arg(long)]
    pub from: Option<String>,
    /// Orders created up to this day (inclusive) or time (exclusive).
    #[arg(long)]
    pub to: Option<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// A core error as the CLI reports it: bad export input is a usage error (exit 2).
pub fn usage_or_failed(e: mizan_core::Error) -> CliError {
    match e {
        mizan_core::Error::Export(x) if x.is_usage() => CliError::Usage(x.to_string()),
        other => other.into(),
    }
}

fn usage(e: ExportError) -> CliError {
    usage_or_failed(e.into())
}

pub async fn run(console: &Console, out: &Output, cmd: ExportCommand) -> Result<(), CliError> {
    let env = console.environment();
    let actor = console.config().operator.clone();
    match cmd {
        ExportCommand::Settlement(a) => {
            let (format, dest) = prepare(&a.common)?;
            let window = Window::parse(Some(&a.from), Some(&a.to), format.zone).map_err(usage)?;
            let req = SettlementExport {
                environment: env,
                window,
                include_unsettled: a.include_unsettled,
                format,
            };
            let mut progress = Ticker::new(&a.common);
            let report = export::settlement(
                console.store(),
                &req,
                &dest,
                &actor,
                console.now(),
                &mut |n| progress.tick(n),
            )
            .await
            .map_err(usage_or_failed)?;
            progress.done();
            settlement_summary(out, &dest, &report);
        }
        ExportCommand::Audit(a) => {
            let (format, dest) = prepare(&a.common)?;
            let window =
                Window::parse(a.from.as_deref(), a.to.as_deref(), format.zone).map_err(usage)?;
            let req = AuditExport {
                environment: env,
                all_environments: a.all_envs,
                window,
                format,
            };
            let mut progress = Ticker::new(&a.common);
            let rows = export::audit(
                console.store(),
                &req,
                &dest,
                &actor,
                console.now(),
                &mut |n| progress.tick(n),
            )
            .await
            .map_err(usage_or_failed)?;
            progress.done();
            rows_summary(out, &dest, rows);
        }
        ExportCommand::Orders(a) => {
            let (format, dest) = prepare(&a.common)?;
            let window =
                Window::parse(a.from.as_deref(), a.to.as_deref(), format.zone).map_err(usage)?;
            let req = OrdersExport {
                environment: env,
                window,
                format,
                order_ids: None,
            };
            let mut progress = Ticker::new(&a.common);
            let rows = export::orders(
                console.store(),
                &req,
                &dest,
                &actor,
                console.now(),
                &mut |n| progress.tick(n),
            )
            .await
            .map_err(usage_or_failed)?;
            progress.done();
            rows_summary(out, &dest, rows);
        }
    }
    Ok(())
}

fn prepare(c: &CommonArgs) -> Result<(Format, Destination), CliError> {
    let zone = Zone::parse(c.tz.trim()).map_err(usage)?;
    let dest = if c.output.as_os_str() == "-" {
        Destination::Stdout
    } else {
        Destination::File(c.output.clone())
    };
    Ok((Format { bom: c.bom, zone }, dest))
}

/// Rows-written progress on stderr, at most once a second.
struct Ticker {
    on: bool,
    last: Instant,
    shown: bool,
}

impl Ticker {
    fn new(c: &CommonArgs) -> Self {
        Ticker {
            on: c.progress || std::io::stderr().is_terminal(),
            last: Instant::now(),
            shown: false,
        }
    }

    fn tick(&mut self, rows: u64) {
        if self.on && self.last.elapsed() >= Duration::from_secs(1) {
            eprint!("\rmizan: {rows} rows exported");
            self.last = Instant::now();
            self.shown = true;
        }
    }

    fn done(&self) {
        if self.shown {
            eprintln!();
        }
    }
}

/// Prints a line where it cannot mix with CSV on stdout.
fn tell(dest: &Destination, line: &str) {
    match dest {
        Destination::Stdout => eprintln!("{line}"),
        Destination::File(_) => say!("{line}"),
    }
}

fn settlement_summary(out: &Output, dest: &Destination, r: &SettlementReport) {
    let totals: Vec<Value> = r
        .totals
        .iter()
        .map(|t| {
            json!({
                "currency": t.currency.code(),
                "state": t.state.as_str(),
                "transactions": t.transactions,
                "captured": t.captured.amount_text(),
                "refunded": t.refunded.amount_text(),
                "canceled": t.canceled.amount_text(),
                "net": t.net.amount_text(),
            })
        })
        .collect();
    if out.json {
        let v = json!({
            "rows": r.rows,
            "file": r.file.as_ref().map(|p| p.display().to_string()),
            "totals_file": r.totals_file.as_ref().map(|p| p.display().to_string()),
            "totals": totals,
        });
        tell(dest, &v.to_string());
        return;
    }
    tell(dest, &format!("Exported {} rows to {dest}.", r.rows));
    if let Some(t) = &r.totals_file {
        tell(dest, &format!("Totals in {}.", t.display()));
    }
    if !r.totals.is_empty() {
        let rows: Vec<Vec<String>> = r
            .totals
            .iter()
            .map(|t| {
                vec![
                    t.currency.code().to_owned(),
                    t.state.to_string(),
                    t.transactions.to_string(),
                    t.captured.amount_text(),
                    t.refunded.amount_text(),
                    t.canceled.amount_text(),
                    t.net.amount_text(),
                ]
            })
            .collect();
        let headers = [
            "CURRENCY", "STATE", "COUNT", "CAPTURED", "REFUNDED", "CANCELED", "NET",
        ];
        tell(dest, &table(&headers, &rows));
    }
}

fn rows_summary(out: &Output, dest: &Destination, rows: u64) {
    if out.json {
        let file = match dest {
            Destination::File(p) => Some(p.display().to_string()),
            Destination::Stdout => None,
        };
        tell(dest, &json!({"rows": rows, "file": file}).to_string());
    } else {
        tell(dest, &format!("Exported {rows} rows to {dest}."));
    }
}
