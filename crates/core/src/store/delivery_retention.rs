//! How long the webhook inbox keeps what it no longer needs.
//!
//! Owns the pruning of `webhook_deliveries` (on SQLite or PostgreSQL): refused deliveries (verdict `rejected`) older than
//! the refused window, and settled ones (`processed`, or `skipped` — set aside or unreadable)
//! whose settling is older than the settled window. The service calls [`prune`] periodically
//! ([`crate::service`]); the windows come from [`crate::config::Retention`].
//!
//! Invariants: a verified delivery is never pruned while it is `pending` or `failed` (it still
//! has work to do, or a person's attention to get); nothing is pruned by arrival time alone
//! except refused deliveries; the processed-event keys and dispute events that named a pruned
//! delivery stay (a key still stops a duplicate; a dispute event keeps its body) and lose only
//! the link; rows go in small batches, each its
//! own short write transaction, so the receiver's commits never wait long behind a prune.

use chrono::{DateTime, Utc};

use super::codec::ts;
use super::{Store, StoreError, on_conn};

/// Rows deleted per transaction.
const BATCH: i64 = 500;

/// The unlinks (processed-event keys, dispute events) and the delete of one batch of the
/// deliveries matching `$cond` (`$1` the cutoff, `$2` the batch size): static SQL, built once by
/// the compiler, the same on both backends.
macro_rules! batch_sql {
    ($cond:literal) => {
        (
            [
                concat!(
                    "UPDATE processed_events SET delivery_id = NULL WHERE delivery_id IN \
                     (SELECT id FROM webhook_deliveries WHERE ",
                    $cond,
                    " ORDER BY id LIMIT $2)"
                ),
                concat!(
                    "UPDATE dispute_events SET delivery_id = NULL WHERE delivery_id IN \
                     (SELECT id FROM webhook_deliveries WHERE ",
                    $cond,
                    " ORDER BY id LIMIT $2)"
                ),
            ],
            concat!(
                "DELETE FROM webhook_deliveries WHERE id IN \
                 (SELECT id FROM webhook_deliveries WHERE ",
                $cond,
                " ORDER BY id LIMIT $2)"
            ),
        )
    };
}

/// Refused deliveries that arrived before the cutoff.
const REFUSED: ([&str; 2], &str) = batch_sql!("verdict = 'rejected' AND received_at < $1");

/// Settled deliveries (never refused ones) settled — or, unsettled in time, received — before
/// the cutoff.
const SETTLED: ([&str; 2], &str) = batch_sql!(
    "verdict <> 'rejected' AND processing_state IN ('processed', 'skipped') \
     AND COALESCE(processed_at, received_at) < $1"
);

/// What one [`prune`] removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Refused deliveries.
    pub rejected: u64,
    /// Settled (processed or skipped) deliveries.
    pub settled: u64,
}

/// Deletes refused deliveries received before `rejected_before` and settled deliveries settled
/// (or, with no settling time, received) before `settled_before`.
///
/// # Errors
/// [`StoreError::Query`]; what was deleted before the error stays deleted.
pub async fn prune(
    store: &Store,
    rejected_before: DateTime<Utc>,
    settled_before: DateTime<Utc>,
) -> Result<Pruned, StoreError> {
    let rejected = prune_where(store, REFUSED, &ts(rejected_before)).await?;
    let settled = prune_where(store, SETTLED, &ts(settled_before)).await?;
    Ok(Pruned { rejected, settled })
}

/// Deletes the rows a [`batch_sql`] pair selects with `cutoff`, batch by batch.
async fn prune_where(
    store: &Store,
    (unlinks, delete): ([&'static str; 2], &'static str),
    cutoff: &str,
) -> Result<u64, StoreError> {
    let mut total = 0u64;
    loop {
        // On PostgreSQL `begin` takes the store's write lock, as SQLite's `BEGIN IMMEDIATE`
        // does: the batch's unlink and delete see the same rows.
        let mut tx = store.begin().await?;
        let mut conn = tx.as_db();
        for unlink in unlinks {
            on_conn!(conn, c => sqlx::query(unlink)
                .bind(cutoff)
                .bind(BATCH)
                .execute(c)
                .await
                .map(|_| ()))
            .map_err(StoreError::query("unlink pruned deliveries"))?;
        }
        let deleted = on_conn!(conn, c => sqlx::query(delete)
            .bind(cutoff)
            .bind(BATCH)
            .execute(c)
            .await
            .map(|d| d.rows_affected()))
        .map_err(StoreError::query("prune deliveries"))?;
        tx.commit()
            .await
            .map_err(StoreError::query("prune deliveries"))?;
        total += deleted;
        if deleted < u64::try_from(BATCH).unwrap_or(u64::MAX) {
            return Ok(total);
        }
    }
}
