//! `mizan settlement …`: Tamara's statements. `read` looks at a file without storing it;
//! `import`, `list`, `show` and `export` store statements and reconcile them against the
//! ledger; `payout add|import`, `payouts` and `month` record the bank deposits that pay them
//! and the monthly view (see `mizan_core::statements`).

mod payouts;
mod read;
mod statements;

use std::path::PathBuf;

use clap::{Args, Subcommand};

pub use read::run as read;
pub use statements::run;

#[derive(Debug, Subcommand)]
pub enum SettlementCommand {
    /// Read a statement file and print what it holds (nothing is stored or sent).
    Read(ReadArgs),
    /// Import a statement (.xlsx or .csv): the same file again changes nothing; a changed file
    /// with a known statement id is stored as its next revision, with the differences listed.
    Import(ImportArgs),
    /// The imported statements, newest period first.
    List,
    /// One statement reconciled line by line against the ledger (ID from `list`).
    Show(ShowArgs),
    /// Write a statement's reconciliation report (CSV) for the accountant.
    Export(ExportArgs),
    /// Record Tamara's bank deposits: by hand, or from the bank statement CSV.
    #[command(subcommand)]
    Payout(PayoutCommand),
    /// Every payout with the statements it settles and its difference explained, and the
    /// statements still unpaid.
    Payouts,
    /// The monthly view: captured, refunded, fees, VAT, net payable, paid, the difference
    /// explained, and fees + VAT (what Tamara's monthly tax invoice states).
    Month(MonthArgs),
}

#[derive(Debug, Subcommand)]
pub enum PayoutCommand {
    /// Record a deposit by hand; it settles the `--statement`s given, else the unpaid
    /// statements (oldest first) whose net payable sums to it.
    Add(PayoutAddArgs),
    /// Import Tamara's deposits from the bank statement CSV (the same file again adds nothing).
    Import(PayoutImportArgs),
}

#[derive(Debug, Args)]
pub struct PayoutAddArgs {
    /// The amount the bank received, e.g. 1234.56.
    #[arg(long)]
    pub amount: String,
    #[arg(long, default_value = "SAR")]
    pub currency: String,
    /// The bank's value date, YYYY-MM-DD.
    #[arg(long)]
    pub date: String,
    /// The bank's reference for the deposit (recorded once).
    #[arg(long)]
    pub reference: Option<String>,
    /// A statement it settles (its number in `mizan settlement list`); repeat for several.
    #[arg(long = "statement")]
    pub statements: Vec<i64>,
    /// The largest bank/transfer fee the deposit may be short by (default: setting
    /// settlement.payout_fee_max, else 0).
    #[arg(long)]
    pub max_fee: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct PayoutImportArgs {
    /// The bank statement as CSV (date, description/reference and credit columns).
    pub file: PathBuf,
    /// The account's currency when the file has no currency column.
    #[arg(long, default_value = "SAR")]
    pub currency: String,
    /// Take every credit, not only those whose description names Tamara (تمارا).
    #[arg(long)]
    pub all_credits: bool,
    /// As for `payout add`.
    #[arg(long)]
    pub max_fee: Option<String>,
}

#[derive(Debug, Args)]
pub struct MonthArgs {
    /// The calendar month, YYYY-MM (statement days are Asia/Riyadh days).
    pub month: String,
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The statement as downloaded from Tamara's partner portal (.xlsx or .csv).
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The statement as downloaded from Tamara's partner portal (.xlsx or .csv).
    pub file: PathBuf,
    /// The statement's time zone, which cuts its period into days (IANA name).
    #[arg(long, default_value = "Asia/Riyadh")]
    pub time_zone: String,
    /// VAT on Tamara's fees in percent; by default the rate where the currency is used
    /// (SAR 15, AED 5, BHD 10, OMR 5, KWD and QAR 0).
    #[arg(long)]
    pub vat_percent: Option<String>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The statement's number in `mizan settlement list`.
    pub id: i64,
    /// Only the lines and movements someone has to look at.
    #[arg(long)]
    pub only_differences: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The statement's number in `mizan settlement list`.
    pub id: i64,
    /// Where to write the report (CSV).
    #[arg(short, long)]
    pub output: PathBuf,
    /// Replace the file if it exists.
    #[arg(long)]
    pub force: bool,
}
