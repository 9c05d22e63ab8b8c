//! Reads for the go-live checklist's evidence: the most recent succeeded money moves of a kind.
//!
//! Owns no table. Invariant: only `succeeded` ledger rows count as evidence — a pending,
//! failed or unknown move proves nothing happened at Tamara.

use super::ledger::read::from_row;
use super::ledger::{LedgerEntry, LedgerKind};
use super::{Db, Environment, StoreError, on_conn};

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
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM ledger_entries
         WHERE environment = $1 AND kind = $2 AND state = 'succeeded'
         ORDER BY occurred_at, id LIMIT $3",
    )
    .bind(env.as_str())
    .bind(kind.as_str())
    .bind(i64::from(limit))
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect())
}
