//! Demo statements: every [`STATEMENT_EVERY`] ticks the simulator closes what was captured and
//! refunded so far into a statement, with one deliberate difference ([`DEMO_FAULT`]); the demo
//! saves the file in the data directory and imports it, so the Reconciliation screen has a
//! statement arriving and one line to look at.
//!
//! Invariants: the file is imported through [`Console::import_statement`] like any other, so
//! the demo proves the real path; nothing to settle is not a failure.

use reqwest::StatusCode;

use super::Traffic;
use crate::error::{Error, Result};
use crate::statements::{ImportOptions, ImportReport};

/// Ticks between two demo statements.
pub const STATEMENT_EVERY: u64 = 25;
/// The simulator's fault each demo statement carries: one line's amount changed.
pub const DEMO_FAULT: &str = "changed_amount";

impl Traffic {
    /// Closes, downloads and imports a statement; `None` when nothing was settled since the
    /// last one.
    ///
    /// # Errors
    /// [`Error::Invalid`] when the simulator refuses or the file cannot be saved; the import's
    /// own errors.
    pub async fn settle(&self) -> Result<Option<ImportReport>> {
        let close = format!("{}/_sandbox/statements/close", self.api);
        let resp = self
            .http
            .post(&close)
            .send()
            .await
            .map_err(|e| sim(&close, &e))?;
        if resp.status() == StatusCode::CONFLICT {
            return Ok(None);
        }
        if !resp.status().is_success() {
            return Err(Error::Invalid(format!(
                "the simulator refused {close}: HTTP {}",
                resp.status()
            )));
        }
        let closed: serde_json::Value = resp.json().await.map_err(|e| sim(&close, &e))?;
        let id = closed["statement_id"]
            .as_str()
            .filter(|id| {
                !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "the simulator's statement has no usable id: {closed}"
                ))
            })?
            .to_owned();
        let url = format!(
            "{}/_sandbox/statements/{id}.csv?faults={DEMO_FAULT}",
            self.api
        );
        let resp = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| sim(&url, &e))?;
        if !resp.status().is_success() {
            return Err(Error::Invalid(format!(
                "the simulator refused {url}: HTTP {}",
                resp.status()
            )));
        }
        let bytes = resp.bytes().await.map_err(|e| sim(&url, &e))?;
        let dir = self.console.config().data_dir.join("statements");
        let path = dir.join(format!("{id}.csv"));
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&path, &bytes))
            .map_err(|e| {
                Error::Invalid(format!(
                    "cannot save the demo statement {}: {e}",
                    path.display()
                ))
            })?;
        Ok(Some(
            self.console
                .import_statement(&path, &ImportOptions::default())
                .await?,
        ))
    }
}

fn sim(url: &str, e: &dyn std::fmt::Display) -> Error {
    Error::Invalid(format!("the simulator did not answer {url}: {e}"))
}
