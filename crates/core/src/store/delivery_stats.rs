//! Counts over the webhook inbox for health displays (`mizan status`, the dashboard).
//!
//! Owns no table: it reads `webhook_deliveries` (and `orders`, for the registration-health
//! silence check), on SQLite or PostgreSQL. Invariant: counts are per environment and over a half-open time window,
//! using the stored arrival (or cache-update) time.

use chrono::{DateTime, Utc};

use super::codec::{self, ts};
use super::{Db, Environment, StoreError, on_conn};

const TABLE: &str = "webhook_deliveries";

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
    let rows: Vec<(String, String, i64)> = on_conn!(conn, c => sqlx::query(
        "SELECT verdict, processing_state, COUNT(*) AS n FROM webhook_deliveries
         WHERE environment = $1 AND received_at >= $2
         GROUP BY verdict, processing_state",
    )
    .bind(env.as_str())
    .bind(ts(since))
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(|row| {
        Ok((
            codec::get(row, TABLE, "verdict")?,
            codec::get(row, TABLE, "processing_state")?,
            codec::get(row, TABLE, "n")?,
        ))
    })
    .collect::<Result<_, StoreError>>())?;
    let mut counts = DeliveryCounts::default();
    for (verdict, state, n) in rows {
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

/// When the newest verified delivery of `env` arrived, if any.
///
/// # Errors
/// [`StoreError::Query`]; [`StoreError::CorruptRow`] for an unreadable time.
pub async fn last_verified_at<'c>(
    db: impl Db<'c>,
    env: Environment,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let context = "last verified delivery";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let at: Option<String> = on_conn!(conn, c => sqlx::query_scalar(
        "SELECT received_at FROM webhook_deliveries
         WHERE environment = $1 AND verdict = 'verified' ORDER BY id DESC LIMIT 1",
    )
    .bind(env.as_str())
    .fetch_optional(c)
    .await)
    .map_err(StoreError::query(context))?;
    at.map(|t| {
        DateTime::parse_from_rfc3339(&t)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| StoreError::corrupt("webhook_deliveries", "received_at", e))
    })
    .transpose()
}

/// How many cached orders of `env` changed in `(after, until]`, counting no further than `cap`
/// (answered from the `orders_by_updated` index).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn orders_changed<'c>(
    db: impl Db<'c>,
    env: Environment,
    after: DateTime<Utc>,
    until: DateTime<Utc>,
    cap: u32,
) -> Result<u32, StoreError> {
    let context = "count changed orders";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let n: i64 = on_conn!(conn, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM orders
         WHERE environment = $1 AND updated_at > $2 AND updated_at <= $3 LIMIT $4) AS changed",
    )
    .bind(env.as_str())
    .bind(ts(after))
    .bind(ts(until))
    .bind(i64::from(cap))
    .fetch_one(c)
    .await)
    .map_err(StoreError::query(context))?;
    Ok(u32::try_from(n).unwrap_or(cap))
}

/// Refused (401) deliveries of a window: how many, from how many senders, and the busiest.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RefusalCounts {
    pub refused: u64,
    /// Distinct sender addresses (rows from before senders were kept count as one unknown).
    pub senders: u64,
    /// The address that sent the most, with its count.
    pub top_sender: Option<(String, u64)>,
}

/// Counts the refused deliveries of `env` received at or after `since`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn refusals_since<'c>(
    db: impl Db<'c>,
    env: Environment,
    since: DateTime<Utc>,
) -> Result<RefusalCounts, StoreError> {
    let context = "count refused deliveries";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    // `sender` is `ip:port` (`[ip]:port` for IPv6); a sender is its address, whatever port.
    // SQLite finds a character with `instr`, PostgreSQL with `strpos` (neither has the other);
    // PostgreSQL's `substr` refuses a negative length, hence its `GREATEST`. Ties order by the
    // address's bytes on both (PostgreSQL's default collation may not).
    let sql = if conn.is_postgres() {
        "SELECT ip AS sender, COUNT(*) AS n FROM (
           SELECT CASE
             WHEN sender IS NULL THEN '?'
             WHEN sender LIKE '[%' THEN substr(sender, 2, GREATEST(strpos(sender, ']') - 2, 0))
             WHEN strpos(sender, ':') > 0 THEN substr(sender, 1, strpos(sender, ':') - 1)
             ELSE sender END AS ip
           FROM webhook_deliveries
           WHERE environment = $1 AND received_at >= $2 AND verdict = 'rejected') AS refused
         GROUP BY ip ORDER BY n DESC, ip COLLATE \"C\""
    } else {
        "SELECT ip AS sender, COUNT(*) AS n FROM (
           SELECT CASE
             WHEN sender IS NULL THEN '?'
             WHEN sender LIKE '[%' THEN substr(sender, 2, instr(sender, ']') - 2)
             WHEN instr(sender, ':') > 0 THEN substr(sender, 1, instr(sender, ':') - 1)
             ELSE sender END AS ip
           FROM webhook_deliveries
           WHERE environment = $1 AND received_at >= $2 AND verdict = 'rejected') AS refused
         GROUP BY ip ORDER BY n DESC, ip"
    };
    let rows: Vec<(String, i64)> = on_conn!(conn, c => sqlx::query(sql)
        .bind(env.as_str())
        .bind(ts(since))
        .fetch_all(c)
        .await
        .map_err(StoreError::query(context))?
        .iter()
        .map(|row| Ok((codec::get(row, TABLE, "sender")?, codec::get(row, TABLE, "n")?)))
        .collect::<Result<_, StoreError>>())?;
    let mut counts = RefusalCounts::default();
    for (sender, n) in rows {
        let n = u64::try_from(n).unwrap_or(0);
        counts.refused += n;
        counts.senders += 1;
        if counts.top_sender.is_none() {
            counts.top_sender = Some((sender, n));
        }
    }
    Ok(counts)
}

/// The inbox's backlog: how many verified deliveries wait, since when, and the processing
/// times of the most recent processed ones (newest first, at most `recent`) — each read through
/// the queue index, never a scan of the whole inbox.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BacklogReading {
    pub pending: u64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub recently_processed: Vec<DateTime<Utc>>,
}

/// Reads [`BacklogReading`] for `env`.
///
/// # Errors
/// [`StoreError::Query`]; [`StoreError::CorruptRow`].
pub async fn backlog<'c>(
    db: impl Db<'c>,
    env: Environment,
    recent: u32,
) -> Result<BacklogReading, StoreError> {
    let context = "read the backlog";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let (n, oldest_pending_at): (i64, Option<DateTime<Utc>>) = on_conn!(conn, c => {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n,
                (SELECT received_at FROM webhook_deliveries
                 WHERE processing_state = 'pending' AND environment = $1 ORDER BY id LIMIT 1)
                 AS oldest
             FROM webhook_deliveries WHERE processing_state = 'pending' AND environment = $1",
        )
        .bind(env.as_str())
        .fetch_one(c)
        .await
        .map_err(StoreError::query(context))?;
        (codec::get(&row, TABLE, "n")?, codec::time_opt(&row, TABLE, "oldest")?)
    });
    let times: Vec<Option<String>> = on_conn!(conn, c => sqlx::query_scalar(
        "SELECT processed_at FROM webhook_deliveries
         WHERE processing_state = 'processed' AND environment = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(env.as_str())
    .bind(i64::from(recent))
    .fetch_all(c)
    .await)
    .map_err(StoreError::query(context))?;
    let recently_processed = times
        .into_iter()
        .flatten()
        .map(|t| codec::parse_time(&t).map_err(|e| StoreError::corrupt(TABLE, "processed_at", e)))
        .collect::<Result<_, _>>()?;
    Ok(BacklogReading {
        pending: u64::try_from(n).unwrap_or(0),
        oldest_pending_at,
        recently_processed,
    })
}
