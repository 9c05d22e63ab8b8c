//! The ledger's settled captures and refunds, and the order cache, as statement reconciliation
//! reads them (part of [`super`], split off for length): read-only, on SQLite or PostgreSQL.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use futures::TryStreamExt as _;

use super::{ID_CHUNK, placeholders};
use crate::money::Money;
use crate::store::codec::{self, StoreRow, ts};
use crate::store::{Db, Environment, StoreError, on_conn};

/// A succeeded capture or refund, with its order's reference, as reconciliation reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct SettledMove {
    pub ledger_id: i64,
    pub order_id: String,
    pub order_reference_id: Option<String>,
    /// `capture` or `refund`.
    pub kind: String,
    pub gateway_id: Option<String>,
    /// Positive, as the ledger keeps it.
    pub amount: Money,
    pub occurred_at: DateTime<Utc>,
}

/// The settled moves of `$1` (the environment); callers add their own conditions. A macro so
/// the queries stay literals (`concat!`).
macro_rules! moves_select {
    () => {
        "SELECT l.id, l.order_id, o.order_reference_id, l.kind, l.gateway_id, l.currency,
                l.amount, l.occurred_at
         FROM ledger_entries l
         LEFT JOIN orders o ON o.environment = l.environment AND o.order_id = l.order_id
         WHERE l.kind IN ('capture', 'refund') AND l.state = 'succeeded' AND l.environment = $1"
    };
}

/// Succeeded captures and refunds of `env` on `order_ids`, whenever they happened.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn moves_of_orders<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_ids: &[&str],
) -> Result<Vec<SettledMove>, StoreError> {
    let context = "settled moves";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut out = Vec::new();
    for chunk in order_ids.chunks(ID_CHUNK) {
        // Only generated `$N` placeholders are spliced in; every value is bound.
        let sql = format!(
            "{} AND l.order_id IN ({}) ORDER BY l.occurred_at, l.id",
            moves_select!(),
            placeholders(2, chunk.len())
        );
        let found: Vec<SettledMove> = on_conn!(conn, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(env.as_str());
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c)
                .await
                .map_err(StoreError::query(context))?
                .iter()
                .map(move_from_row)
                .collect::<Result<_, _>>()
        })?;
        out.extend(found);
    }
    Ok(out)
}

/// Succeeded captures and refunds of `env` with `from <= occurred_at < to`.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn moves_between<'c>(
    db: impl Db<'c>,
    env: Environment,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<SettledMove>, StoreError> {
    let context = "settled moves";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let sql = concat!(
        moves_select!(),
        " AND l.occurred_at >= $2 AND l.occurred_at < $3 ORDER BY l.occurred_at, l.id"
    );
    // Streamed: each row is decoded as it arrives (a period can hold many moves).
    on_conn!(conn, c => {
        let mut out = Vec::new();
        let mut rows = sqlx::query(sql)
            .bind(env.as_str())
            .bind(ts(from))
            .bind(ts(to))
            .fetch(c);
        while let Some(row) = rows.try_next().await.map_err(StoreError::query(context))? {
            out.push(move_from_row(&row)?);
        }
        Ok(out)
    })
}

/// Which of `order_ids` the cache holds in `env`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn cached_orders<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_ids: &[&str],
) -> Result<HashSet<String>, StoreError> {
    let context = "cached orders";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut out = HashSet::new();
    for chunk in order_ids.chunks(ID_CHUNK) {
        // Only generated `$N` placeholders are spliced in; every value is bound.
        let sql = format!(
            "SELECT order_id FROM orders WHERE environment = $1 AND order_id IN ({})",
            placeholders(2, chunk.len())
        );
        let found: Vec<String> = on_conn!(conn, c => {
            let mut q =
                sqlx::query_scalar(sqlx::AssertSqlSafe(sql.as_str())).bind(env.as_str());
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c).await
        })
        .map_err(StoreError::query(context))?;
        out.extend(found);
    }
    Ok(out)
}

fn move_from_row(row: &impl StoreRow) -> Result<SettledMove, StoreError> {
    let t = "ledger_entries";
    let currency = codec::currency(row, t, "currency")?;
    Ok(SettledMove {
        ledger_id: codec::get(row, t, "id")?,
        order_id: codec::get(row, t, "order_id")?,
        order_reference_id: codec::get(row, t, "order_reference_id")?,
        kind: codec::get(row, t, "kind")?,
        gateway_id: codec::get(row, t, "gateway_id")?,
        amount: codec::money(row, t, "amount", currency)?,
        occurred_at: codec::time(row, t, "occurred_at")?,
    })
}
