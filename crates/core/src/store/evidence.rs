//! Reads for the go-live checklist's evidence: the most recent succeeded money moves of a kind.
//!
//! Owns no table. Invariant: only `succeeded` ledger rows count as evidence — a pending,
//! failed or unknown move proves nothing happened at Tamara.

use super::ledger::read::from_row;
use super::ledger::{LedgerEntry, LedgerKind};
use super::{Db, Environment, StoreError};

/// Up to `limit` succeeded moves of `kind` in `env`, oldest first.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn succeeded_moves<'c>(
    db: impl Db<'c>,
    env: Environment,
    kind: LedgerKind,
    limit: u32,
) -> Result<Vec<LedgerEntry>, StoreError> {
    let context = "read checklist evidence";
    let mut conn = db.sqlite_conn().await.map_err(StoreError::query(context))?;
    let rows = sqlx::query(
        "SELECT * FROM ledger_entries
         WHERE environment = ? AND kind = ? AND state = 'succeeded'
         ORDER BY occurred_at, id LIMIT ?",
    )
    .bind(env.as_str())
    .bind(kind.as_str())
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::query(context))?;
    rows.iter().map(from_row).collect()
}
