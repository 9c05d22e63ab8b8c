//! Reading the ledger: single entries, an order's history, the reconciler's work list, and the
//! time-ordered stream settlement exports are built from.

use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use sqlx::sqlite::SqliteRow;

use super::{LedgerEntry, LedgerState, TABLE};
use crate::store::codec::{self, ts};
use crate::store::{Db, Environment, Store, StoreError};

/// The entry with this local id.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn get<'c>(db: impl Db<'c>, id: i64) -> Result<Option<LedgerEntry>, StoreError> {
    let mut conn = db
        .conn()
        .await
        .map_err(StoreError::query("get ledger entry"))?;
    let row = sqlx::query("SELECT * FROM ledger_entries WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query("get ledger entry"))?;
    row.as_ref().map(from_row).transpose()
}

/// The entry holding this idempotency reference in `env`.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn by_idempotency_ref<'c>(
    db: impl Db<'c>,
    env: Environment,
    idempotency_ref: &str,
) -> Result<Option<LedgerEntry>, StoreError> {
    let context = "get ledger entry by idempotency ref";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let row =
        sqlx::query("SELECT * FROM ledger_entries WHERE environment = ? AND idempotency_ref = ?")
            .bind(env.as_str())
            .bind(idempotency_ref)
            .fetch_optional(&mut *conn)
            .await
            .map_err(StoreError::query(context))?;
    row.as_ref().map(from_row).transpose()
}

/// Every entry of an order, oldest first.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list_for_order<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_id: &str,
) -> Result<Vec<LedgerEntry>, StoreError> {
    let mut conn = db
        .conn()
        .await
        .map_err(StoreError::query("list ledger for order"))?;
    let rows = sqlx::query(
        "SELECT * FROM ledger_entries WHERE environment = ? AND order_id = ?
         ORDER BY occurred_at, id",
    )
    .bind(env.as_str())
    .bind(order_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::query("list ledger for order"))?;
    rows.iter().map(from_row).collect()
}

/// Up to `limit` entries of `env` in `state`, oldest first: the reconciler's work list
/// (pending and unknown moves).
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list_in_state<'c>(
    db: impl Db<'c>,
    env: Environment,
    state: LedgerState,
    limit: u32,
) -> Result<Vec<LedgerEntry>, StoreError> {
    let mut conn = db
        .conn()
        .await
        .map_err(StoreError::query("list ledger by state"))?;
    let rows = sqlx::query(
        "SELECT * FROM ledger_entries WHERE environment = ? AND state = ? ORDER BY id LIMIT ?",
    )
    .bind(env.as_str())
    .bind(state.as_str())
    .bind(i64::from(limit))
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::query("list ledger by state"))?;
    rows.iter().map(from_row).collect()
}

/// Streams every entry of `env` with `from <= occurred_at < to`, in (occurred_at, id) order,
/// without loading them all: the source of settlement exports. All states are included; the
/// export decides which to show.
pub fn stream_between(
    store: &Store,
    env: Environment,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> impl Stream<Item = Result<LedgerEntry, StoreError>> + Send + '_ {
    sqlx::query(
        "SELECT * FROM ledger_entries
         WHERE environment = ? AND occurred_at >= ? AND occurred_at < ?
         ORDER BY occurred_at, id",
    )
    .bind(env.as_str())
    .bind(ts(from))
    .bind(ts(to))
    .fetch(store.pool())
    .map(|row| {
        row.map_err(StoreError::query("stream ledger entries"))
            .and_then(|row| from_row(&row))
    })
}

pub(super) async fn fetch_by_id(
    conn: &mut sqlx::SqliteConnection,
    id: i64,
) -> Result<LedgerEntry, StoreError> {
    let row = sqlx::query("SELECT * FROM ledger_entries WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query("get ledger entry"))?
        .ok_or_else(|| StoreError::NotFound {
            entity: "ledger entry",
            key: id.to_string(),
        })?;
    from_row(&row)
}

pub(crate) fn from_row(row: &SqliteRow) -> Result<LedgerEntry, StoreError> {
    let currency = codec::currency(row, TABLE, "currency")?;
    Ok(LedgerEntry {
        id: codec::get(row, TABLE, "id")?,
        environment: codec::environment(row, TABLE)?,
        order_id: codec::get(row, TABLE, "order_id")?,
        kind: codec::parsed(row, TABLE, "kind")?,
        gateway_id: codec::get(row, TABLE, "gateway_id")?,
        amount: codec::money(row, TABLE, "amount", currency)?,
        state: codec::parsed(row, TABLE, "state")?,
        source: codec::parsed(row, TABLE, "source")?,
        idempotency_ref: codec::get(row, TABLE, "idempotency_ref")?,
        actor: codec::get(row, TABLE, "actor")?,
        comment: codec::get(row, TABLE, "comment")?,
        occurred_at: codec::time(row, TABLE, "occurred_at")?,
        recorded_at: codec::time(row, TABLE, "recorded_at")?,
        updated_at: codec::time(row, TABLE, "updated_at")?,
        request_summary: codec::get(row, TABLE, "request_summary")?,
        error: codec::get(row, TABLE, "error")?,
    })
}
