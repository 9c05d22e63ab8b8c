//! The audit export: the audit log's rows in seq order, hashes included, so the file itself
//! can be checked against the chain rules (with `all_environments`, the file is the whole
//! chain and verifiable on its own).

use chrono::{DateTime, Utc};
use futures::TryStreamExt;

use super::sheet::Sheet;
use super::window::TimeCells;
use super::{Destination, Format, PROGRESS_EVERY, Progress, Recorded, Window, record, write_to};
use crate::environment::Environment;
use crate::store::Store;
use crate::store::audit as audit_store;

/// The audit file's columns, in order.
pub const AUDIT_COLUMNS: &[&str] = &[
    "seq",
    "environment",
    "time_utc",
    "time_local",
    "os_user",
    "operator",
    "action",
    "subject",
    "request_summary",
    "result",
    "prev_hash",
    "hash",
];

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditExport {
    /// The environment recorded as acting; its rows are exported unless `all_environments`.
    pub environment: Environment,
    /// Both environments' rows: the whole chain.
    pub all_environments: bool,
    /// Rows with `from <= at < to`; a missing bound is open.
    pub window: Window,
    pub format: Format,
}

/// Writes the audit export of `req` to `dest` and records it (as `actor`) in the log itself.
/// Returns the rows written.
///
/// # Errors
/// [`crate::Error::Export`]; [`crate::Error::Store`]. No file is left on failure.
pub async fn audit(
    store: &Store,
    req: &AuditExport,
    dest: &Destination,
    actor: &str,
    now: DateTime<Utc>,
    progress: Progress<'_>,
) -> crate::Result<u64> {
    let summary = format!(
        "audit {} all_environments={} bom={}",
        req.window.label, req.all_environments, req.format.bom
    );
    let outcome = write_to(dest, async |out| {
        write_rows(store, req, out, progress).await
    })
    .await;
    let what = Recorded {
        env: req.environment,
        actor,
        action: "export.audit",
        dest,
        summary,
    };
    record(store, what, now, outcome, |n| *n).await
}

async fn write_rows<W: std::io::Write + Send>(
    store: &Store,
    req: &AuditExport,
    out: W,
    progress: Progress<'_>,
) -> crate::Result<u64> {
    let env = (!req.all_environments).then_some(req.environment);
    let reader = store.streaming_reader().await?;
    let mut sheet = Sheet::new(out, req.format.bom, AUDIT_COLUMNS)?;
    let mut rows = std::pin::pin!(audit_store::stream_between(
        &reader,
        env,
        req.window.from,
        req.window.to
    ));
    let mut cells = TimeCells::default();
    let mut seq = String::new();
    while let Some(e) = rows.try_next().await? {
        cells.set(e.at.naive_utc(), req.format.zone);
        seq.clear();
        seq.push_str(&e.seq.to_string());
        sheet.value(&seq)?;
        sheet.value(e.environment.as_str())?;
        sheet.value(&cells.utc)?;
        sheet.value(&cells.local)?;
        sheet.text(&e.os_user)?;
        sheet.text(&e.operator)?;
        sheet.text(&e.action)?;
        sheet.text(&e.subject)?;
        sheet.opt_text(e.request_summary.as_deref())?;
        sheet.text(&e.result)?;
        sheet.value(&e.prev_hash)?;
        sheet.value(&e.hash)?;
        sheet.end_row()?;
        if sheet.rows() % PROGRESS_EVERY == 0 {
            progress(sheet.rows());
        }
    }
    let n = sheet.rows();
    progress(n);
    reader.close().await;
    sheet.finish()?;
    Ok(n)
}
