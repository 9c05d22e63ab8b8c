//! The audit log's storage: append-only rows linked by hashes.
//!
//! Owns `audit_log`. Computing hashes is the audit module's job; this one stores what it is
//! given and keeps the chain's shape: `seq` counts 1, 2, 3… with no gaps across both
//! environments, and each row's `prev_hash` equals the previous row's `hash`. A row that would
//! break either rule is refused with [`StoreError::Conflict`] — that is also what a concurrent
//! appender sees, and it should re-read [`last`] and retry.
//!
//! There is no update or delete function, and database triggers refuse both, so a row once
//! written stays as written (tampering outside the app shows up as a broken chain).

use chrono::{DateTime, Utc};
use futures::StreamExt;
use futures::stream::BoxStream;

use super::codec::{self, StoreRow, ts};
use super::error::is_unique_violation;
use super::{Db, Environment, Store, StoreError, on_conn, on_pool};

const TABLE: &str = "audit_log";

/// One audit row. `seq`, `prev_hash` and `hash` are computed by the caller: the next `seq` is
/// `last().seq + 1` (1 for the first row) and `prev_hash` is `last().hash` (the caller's genesis
/// value for the first row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// The environment this row belongs to.
    pub environment: Environment,
    /// When the action happened.
    pub at: DateTime<Utc>,
    /// The operating-system account that ran the console.
    pub os_user: String,
    /// Who acted: the operator name, or a component ("webhook", "reconciler").
    pub operator: String,
    /// What was done, e.g. "capture" or "webhook.received".
    pub action: String,
    /// What it was done to, e.g. an order id.
    pub subject: String,
    /// The request, secrets excluded.
    pub request_summary: Option<String>,
    /// The outcome.
    pub result: String,
    /// The previous row's hash.
    pub prev_hash: String,
    /// This row's hash, computed by the audit module.
    pub hash: String,
}

/// Appends `entry` and returns its seq.
///
/// # Errors
/// [`StoreError::Conflict`] if `seq` is not the next number, `prev_hash` is not the last row's
/// hash, or the hash already exists; [`StoreError::Query`].
pub async fn append<'c>(db: impl Db<'c>, entry: &AuditEntry) -> Result<i64, StoreError> {
    let context = "append audit entry";
    if entry.seq < 1 {
        return Err(StoreError::Conflict(format!(
            "audit seq starts at 1, not {}",
            entry.seq
        )));
    }
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut tx = crate::store::begin_write_on(&mut conn)
        .await
        .map_err(StoreError::query(context))?;
    // Insert first, then check the link: the insert takes the write lock (SQLite's, waiting out
    // the busy timeout; on PostgreSQL the store's), so no other appender can slip in between
    // the check and the write.
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO audit_log (seq, environment, at, os_user, operator, action, subject,
            request_summary, result, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(entry.seq)
    .bind(entry.environment.as_str())
    .bind(ts(entry.at))
    .bind(&entry.os_user)
    .bind(&entry.operator)
    .bind(&entry.action)
    .bind(&entry.subject)
    .bind(&entry.request_summary)
    .bind(&entry.result)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(format!(
                "audit seq {} or its hash already exists",
                entry.seq
            ))
        } else {
            StoreError::query(context)(e)
        }
    })?;
    if entry.seq > 1 {
        let prev_hash: Option<String> = on_conn!(tx, c => sqlx::query_scalar(
            "SELECT hash FROM audit_log WHERE seq = $1"
        )
        .bind(entry.seq - 1)
        .fetch_optional(c)
        .await)
        .map_err(StoreError::query(context))?;
        if prev_hash.as_deref() != Some(entry.prev_hash.as_str()) {
            // Dropping `tx` rolls the insert back.
            return Err(StoreError::Conflict(format!(
                "audit entry {} does not follow the chain (no entry {} with that hash)",
                entry.seq,
                entry.seq - 1
            )));
        }
    }
    tx.commit().await.map_err(StoreError::query(context))?;
    Ok(entry.seq)
}

/// Up to `limit` rows of `env` with seq greater than `after_seq` (0 for the start), in seq
/// order.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list<'c>(
    db: impl Db<'c>,
    env: Environment,
    limit: u32,
    after_seq: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    let context = "list audit entries";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM audit_log WHERE environment = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    )
    .bind(env.as_str())
    .bind(after_seq)
    .bind(i64::from(limit))
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect())
}

/// The newest `limit` rows of `env` about `subject` (an order id), in seq order: an order's
/// audit trail for the desktop timeline (index `audit_log_by_subject`, migration 0002).
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list_for_subject<'c>(
    db: impl Db<'c>,
    env: Environment,
    subject: &str,
    limit: u32,
) -> Result<Vec<AuditEntry>, StoreError> {
    let context = "list audit entries of a subject";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM (SELECT * FROM audit_log WHERE environment = $1 AND subject = $2
                       ORDER BY seq DESC LIMIT $3) AS newest ORDER BY seq",
    )
    .bind(env.as_str())
    .bind(subject)
    .bind(i64::from(limit))
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect())
}

/// Up to `limit` rows of both environments with seq greater than `after_seq`, in seq order:
/// what chain verification walks.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list_chain<'c>(
    db: impl Db<'c>,
    limit: u32,
    after_seq: i64,
) -> Result<Vec<AuditEntry>, StoreError> {
    let context = "list audit chain";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query("SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
        .bind(after_seq)
        .bind(i64::from(limit))
        .fetch_all(c)
        .await
        .map_err(StoreError::query(context))?
        .iter()
        .map(from_row)
        .collect())
}

/// The newest row of the chain (either environment), if any.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn last<'c>(db: impl Db<'c>) -> Result<Option<AuditEntry>, StoreError> {
    let context = "last audit entry";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query("SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(c)
        .await
        .map_err(StoreError::query(context))?
        .as_ref()
        .map(from_row)
        .transpose())
}

/// The newest `limit` rows at or after `since` (any time when None), of `env` (both when
/// None), returned oldest first: what `mizan audit list` shows.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list_recent<'c>(
    db: impl Db<'c>,
    env: Option<Environment>,
    since: Option<DateTime<Utc>>,
    limit: u32,
) -> Result<Vec<AuditEntry>, StoreError> {
    let context = "list recent audit entries";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut entries: Vec<AuditEntry> = on_conn!(conn, c => sqlx::query(
        "SELECT * FROM audit_log WHERE ($1 IS NULL OR environment = $1) AND at >= $2
         ORDER BY seq DESC LIMIT $3",
    )
    .bind(env.map(Environment::as_str))
    .bind(since.map_or_else(|| String::from("0"), ts))
    .bind(i64::from(limit))
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect::<Result<_, _>>())?;
    entries.reverse();
    Ok(entries)
}

/// Streams the whole chain, both environments, in seq order, one row in memory at a time:
/// what chain verification walks. One statement, so it reads one consistent snapshot even
/// while others append.
pub fn stream_chain(store: &Store) -> BoxStream<'_, Result<AuditEntry, StoreError>> {
    on_pool!(store, pool => sqlx::query("SELECT * FROM audit_log ORDER BY seq")
        .fetch(pool)
        .map(|row| {
            row.map_err(StoreError::query("stream audit chain"))
                .and_then(|row| from_row(&row))
        })
        .boxed())
}

/// Streams the rows of `env` (both when None) with `from <= at < to` (either bound optional),
/// in seq order: the source of audit exports.
pub fn stream_between(
    store: &Store,
    env: Option<Environment>,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> BoxStream<'_, Result<AuditEntry, StoreError>> {
    on_pool!(store, pool => sqlx::query(
        "SELECT * FROM audit_log WHERE ($1 IS NULL OR environment = $1) AND at >= $2 AND at < $3
         ORDER BY seq",
    )
    .bind(env.map(Environment::as_str))
    .bind(from.map_or_else(|| String::from("0"), ts))
    .bind(to.map_or_else(|| String::from("A"), ts))
    .fetch(pool)
    .map(|row| {
        row.map_err(StoreError::query("stream audit entries"))
            .and_then(|row| from_row(&row))
    })
    .boxed())
}

fn from_row(row: &impl StoreRow) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: codec::get(row, TABLE, "seq")?,
        environment: codec::environment(row, TABLE)?,
        at: codec::time(row, TABLE, "at")?,
        os_user: codec::get(row, TABLE, "os_user")?,
        operator: codec::get(row, TABLE, "operator")?,
        action: codec::get(row, TABLE, "action")?,
        subject: codec::get(row, TABLE, "subject")?,
        request_summary: codec::get(row, TABLE, "request_summary")?,
        result: codec::get(row, TABLE, "result")?,
        prev_hash: codec::get(row, TABLE, "prev_hash")?,
        hash: codec::get(row, TABLE, "hash")?,
    })
}
