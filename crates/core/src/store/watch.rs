//! What the reconciler's schedule reads about each open order: its status, when it last
//! changed, when it was last read from Tamara and when it was authorised.
//!
//! One query over the status index; rehearsal orders (the go-live checklist's) are left out,
//! as everywhere orders wait for someone.

use chrono::{DateTime, Utc};

use super::codec::{self, ts};
use super::{Db, StoreError};
use crate::environment::Environment;

const TABLE: &str = "orders";

/// One open order as the schedule sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchedOrder {
    pub order_id: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    /// The last real change (a re-read that changed nothing keeps it).
    pub updated_at: DateTime<Utc>,
    /// The last read from Tamara, by anyone.
    pub last_read_at: Option<DateTime<Utc>>,
    /// The first succeeded authorise in the ledger.
    pub authorised_at: Option<DateTime<Utc>>,
}

/// Every order of `env` in one of `statuses`, oldest first.
///
/// # Errors
/// [`StoreError::Query`]; [`StoreError::CorruptRow`].
pub async fn open_orders<'c>(
    db: impl Db<'c>,
    env: Environment,
    statuses: &[&str],
) -> Result<Vec<WatchedOrder>, StoreError> {
    let context = "list open orders";
    let mut qb = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
        "SELECT o.order_id, o.status, o.created_at, o.updated_at, o.last_synced_at,
            (SELECT MIN(l.occurred_at) FROM ledger_entries l
              WHERE l.environment = o.environment AND l.order_id = o.order_id
                AND l.kind = 'authorise' AND l.state = 'succeeded') AS authorised_at
         FROM orders o WHERE o.environment = ",
    );
    qb.push_bind(env.as_str());
    qb.push(" AND o.status IN (");
    let mut list = qb.separated(", ");
    for s in statuses {
        list.push_bind(*s);
    }
    qb.push(") AND substr(o.order_reference_id, 1, ");
    qb.push_bind(i64::try_from(super::order_list::REHEARSAL_PREFIX.len()).unwrap_or(i64::MAX));
    qb.push(") <> ");
    qb.push_bind(super::order_list::REHEARSAL_PREFIX);
    qb.push(" ORDER BY o.created_at, o.order_id");
    let rows = super::fetch_built(db, &mut qb, context).await?;
    rows.iter()
        .map(|r| {
            Ok(WatchedOrder {
                order_id: codec::get(r, TABLE, "order_id")?,
                status: codec::get(r, TABLE, "status")?,
                created_at: codec::time(r, TABLE, "created_at")?,
                updated_at: codec::time(r, TABLE, "updated_at")?,
                last_read_at: codec::time_opt(r, TABLE, "last_synced_at")?,
                authorised_at: codec::time_opt(r, "ledger_entries", "authorised_at")?,
            })
        })
        .collect()
}

/// Sets when `order_id` was last read (and, given, last changed), as if that happened
/// earlier: for tests and benchmarks that set up a store as a running service leaves it.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn backdate<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_id: &str,
    read_at: DateTime<Utc>,
    changed_at: Option<DateTime<Utc>>,
) -> Result<(), StoreError> {
    let context = "backdate an order's last read";
    let mut conn = db.sqlite_conn().await.map_err(StoreError::query(context))?;
    sqlx::query(
        "UPDATE orders SET last_synced_at = ?, updated_at = COALESCE(?, updated_at)
         WHERE environment = ? AND order_id = ?",
    )
    .bind(ts(read_at))
    .bind(changed_at.map(ts))
    .bind(env.as_str())
    .bind(order_id)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query(context))?;
    Ok(())
}
