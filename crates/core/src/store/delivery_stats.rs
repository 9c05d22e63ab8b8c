//! Counts over the webhook inbox for health displays (`mizan status`, the dashboard).
//!
//! Owns no table: it reads `webhook_deliveries`. Invariant: counts are per environment and
//! over a half-open time window `[since, now]`, using the stored arrival time.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::codec::ts;
use super::{Db, Environment, StoreError};

/// How deliveries since a moment were judged and processed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DeliveryCounts {
    /// Token valid (answered 200).
    pub verified: u64,
    /// Token missing, forged, expired or mismatched (answered 401).
    pub rejected: u64,
    /// Valid token, unreadable body (answered 400).
    pub invalid_body: u64,
    /// Verified but processing failed (waiting for a retry).
    pub failed: u64,
    /// Verified and still waiting for the processor.
    pub pending: u64,
}

/// Counts the deliveries of `env` received at or after `since`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn counts_since<'c>(
    db: impl Db<'c>,
    env: Environment,
    since: DateTime<Utc>,
) -> Result<DeliveryCounts, StoreError> {
    let context = "count deliveries";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let rows = sqlx::query(
        "SELECT verdict, processing_state, COUNT(*) AS n FROM webhook_deliveries
         WHERE environment = ? AND received_at >= ?
         GROUP BY verdict, processing_state",
    )
    .bind(env.as_str())
    .bind(ts(since))
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::query(context))?;
    let mut counts = DeliveryCounts::default();
    for row in rows {
        let verdict: String = row.try_get("verdict").map_err(StoreError::query(context))?;
        let state: String = row
            .try_get("processing_state")
            .map_err(StoreError::query(context))?;
        let n: i64 = row.try_get("n").map_err(StoreError::query(context))?;
        let n = u64::try_from(n).unwrap_or(0);
        match verdict.as_str() {
            "verified" => counts.verified += n,
            "rejected" => counts.rejected += n,
            _ => counts.invalid_body += n,
        }
        if verdict == "verified" {
            match state.as_str() {
                "failed" => counts.failed += n,
                "pending" => counts.pending += n,
                _ => {}
            }
        }
    }
    Ok(counts)
}
