//! Exports: settlement, audit and order CSVs for accountants and auditors.
//!
//! Owns turning stored rows into files. Every export:
//! - streams: one row in memory at a time from a sqlx `fetch` stream into the `csv` writer,
//!   so memory stays flat however many rows there are;
//! - is all or nothing: a file is written to a temporary file beside the target and renamed
//!   over it only when complete and synced, so a failed export never leaves a half file (or
//!   clobbers an earlier good one);
//! - goes through [`sheet`]'s rules: UTF-8, optional BOM, formula neutralisation of text
//!   columns while amounts stay numbers;
//! - shows local times in a chosen IANA zone beside UTC ([`window`]);
//! - never carries a secret: columns are chosen from rows that hold none (tokens live in the
//!   keychain or the environment, never in SQLite);
//! - is itself recorded in the audit log (who exported what, where, and how it went).
//!
//! Blocking file writes happen on the async task: they are buffered 64 KiB at a time and the
//! database work runs on sqlx's own SQLite thread, so nothing else waits on them.

mod audit_log;
pub mod guard;
mod orders;
mod settlement;
pub mod sheet;
mod window;

use chrono::{DateTime, Utc};
use std::fmt;
use std::fs::File;
use std::path::{Path, PathBuf};

use crate::audit::{self, AuditRecord};
use crate::environment::Environment;
use crate::store::Store;

pub use audit_log::{AUDIT_COLUMNS, AuditExport, audit};
pub use orders::{ORDER_COLUMNS, OrdersExport, orders};
pub use settlement::{
    SETTLEMENT_COLUMNS, SettlementExport, SettlementReport, TOTALS_COLUMNS, Totals, settlement,
    totals_path,
};
pub use window::{Window, Zone};

pub use crate::error::export::ExportError;

/// How cells are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// Start with the UTF-8 byte-order mark (for Excel).
    pub bom: bool,
    /// The zone of the local-time columns.
    pub zone: Zone,
}

impl Default for Format {
    fn default() -> Self {
        Format {
            bom: false,
            zone: Zone::UTC,
        }
    }
}

/// Where an export goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A file, replaced atomically when the export is complete.
    File(PathBuf),
    /// Standard output (`-o -`): streamed as written; a failure mid-way cannot be undone.
    Stdout,
}

impl fmt::Display for Destination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Destination::File(p) => write!(f, "{}", p.display()),
            Destination::Stdout => f.write_str("stdout"),
        }
    }
}

/// Called with the number of rows written so far, every [`PROGRESS_EVERY`] rows and at the end.
pub type Progress<'p> = &'p mut (dyn FnMut(u64) + Send);

/// How often [`Progress`] is called, in rows.
pub const PROGRESS_EVERY: u64 = 8192;

/// A file being written: a temporary file in the target's directory, renamed over the target
/// by [`Staged::commit`] and deleted if dropped before.
pub(crate) struct Staged {
    tmp: tempfile::NamedTempFile,
    target: PathBuf,
}

impl Staged {
    pub fn create(target: &Path) -> Result<Staged, ExportError> {
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".mizan-export-")
            .suffix(".partial")
            .tempfile_in(dir)
            .map_err(|e| ExportError::file(target, e))?;
        Ok(Staged {
            tmp,
            target: target.to_owned(),
        })
    }

    pub fn file(&mut self) -> &mut File {
        self.tmp.as_file_mut()
    }

    /// Syncs the data to disk, then renames it over the target.
    pub fn commit(self) -> Result<(), ExportError> {
        self.tmp
            .as_file()
            .sync_all()
            .map_err(|e| ExportError::file(&self.target, e))?;
        let target = self.target;
        self.tmp
            .persist(&target)
            .map_err(|e| ExportError::file(&target, e.error))?;
        Ok(())
    }
}

/// An export as the audit log records it.
pub(crate) struct Recorded<'a> {
    pub env: Environment,
    pub actor: &'a str,
    /// `export.settlement`, `export.audit` or `export.orders`.
    pub action: &'static str,
    pub dest: &'a Destination,
    /// The window and options, never a secret.
    pub summary: String,
}

/// Records an export in the audit log. A failed export is recorded too (with the error's code);
/// then the export's own error is what the caller sees, even if recording also fails.
/// Writes one CSV to `dest` with `write`: straight to stdout, or to a staged file that is
/// renamed over the target only once complete (a failure leaves no file). Returns the rows.
async fn write_to(
    dest: &Destination,
    write: impl AsyncFnOnce(&mut (dyn std::io::Write + Send)) -> crate::Result<u64>,
) -> crate::Result<u64> {
    match dest {
        Destination::Stdout => write(&mut std::io::stdout()).await,
        Destination::File(path) => {
            let mut staged = Staged::create(path)?;
            let rows = write(staged.file()).await?;
            staged.commit()?;
            Ok(rows)
        }
    }
}

async fn record<T>(
    store: &Store,
    what: Recorded<'_>,
    now: DateTime<Utc>,
    outcome: crate::Result<T>,
    rows: impl FnOnce(&T) -> u64,
) -> crate::Result<T> {
    let result = match &outcome {
        Ok(v) => format!("ok: {} rows", rows(v)),
        Err(e) => format!("failed: {}", e.code()),
    };
    let rec = AuditRecord {
        env: what.env,
        actor: what.actor.to_owned(),
        action: what.action.to_owned(),
        subject: what.dest.to_string(),
        request_summary: Some(what.summary),
        result,
    };
    let recorded = audit::record(store, rec, now).await;
    match (outcome, recorded) {
        (Ok(v), Ok(_)) => Ok(v),
        (Ok(_), Err(e)) | (Err(e), _) => Err(e),
    }
}
