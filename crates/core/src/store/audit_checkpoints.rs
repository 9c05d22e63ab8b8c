//! The audit chain's signed checkpoints: storage only.
//!
//! Owns `audit_checkpoints` (migration 0005). Computing and checking MACs is the audit
//! module's job; this one stores rows as given and lists them oldest first. Nothing here is
//! trusted by verification: a row whose MAC does not check is reported, whatever this table
//! holds.

use chrono::{DateTime, Utc};

use super::codec::{self, StoreRow, ts};
use super::{Db, StoreError, on_conn};

const TABLE: &str = "audit_checkpoints";

/// One signed checkpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointRow {
    /// Row id, in writing order (0 before it is stored).
    pub id: i64,
    /// The seq of the chain's newest entry (0 for an empty chain).
    pub seq: i64,
    /// That entry's hash (the genesis hash for an empty chain).
    pub head_hash: String,
    /// How many entries the chain held up to and including `seq`.
    pub entry_count: i64,
    pub at: DateTime<Utc>,
    /// Why it was written: `adopt`, `periodic`, `verify`, `manual`, `rotate-old`, `rotate-new`.
    pub reason: String,
    /// The fingerprint of the key that MACed it.
    pub key_id: String,
    /// HMAC-SHA256 over the fields above, hex.
    pub mac: String,
}

/// Stores `row` (its `id` is ignored) and returns the new id.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn insert<'c>(db: impl Db<'c>, row: &CheckpointRow) -> Result<i64, StoreError> {
    let context = "insert audit checkpoint";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query_scalar(
        "INSERT INTO audit_checkpoints (seq, head_hash, entry_count, at, reason, key_id, mac)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(row.seq)
    .bind(&row.head_hash)
    .bind(row.entry_count)
    .bind(ts(row.at))
    .bind(&row.reason)
    .bind(&row.key_id)
    .bind(&row.mac)
    .fetch_one(c)
    .await)
    .map_err(StoreError::query(context))
}

/// Every checkpoint, oldest first. There are few (one per verification or per many entries).
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list<'c>(db: impl Db<'c>) -> Result<Vec<CheckpointRow>, StoreError> {
    let context = "list audit checkpoints";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query("SELECT * FROM audit_checkpoints ORDER BY id")
        .fetch_all(c)
        .await
        .map_err(StoreError::query(context))?
        .iter()
        .map(from_row)
        .collect())
}

/// The newest checkpoint, if any.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn last<'c>(db: impl Db<'c>) -> Result<Option<CheckpointRow>, StoreError> {
    let context = "last audit checkpoint";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query("SELECT * FROM audit_checkpoints ORDER BY id DESC LIMIT 1")
        .fetch_optional(c)
        .await
        .map_err(StoreError::query(context))?
        .as_ref()
        .map(from_row)
        .transpose())
}

fn from_row(row: &impl StoreRow) -> Result<CheckpointRow, StoreError> {
    Ok(CheckpointRow {
        id: codec::get(row, TABLE, "id")?,
        seq: codec::get(row, TABLE, "seq")?,
        head_hash: codec::get(row, TABLE, "head_hash")?,
        entry_count: codec::get(row, TABLE, "entry_count")?,
        at: codec::time(row, TABLE, "at")?,
        reason: codec::get(row, TABLE, "reason")?,
        key_id: codec::get(row, TABLE, "key_id")?,
        mac: codec::get(row, TABLE, "mac")?,
    })
}
