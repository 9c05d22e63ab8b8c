//! `mizan settlement …`: Tamara's statements. `read` looks at a file without storing it;
//! `import`, `list`, `show` and `export` store statements and reconcile them against the
//! ledger (see `mizan_core::statements`).

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
