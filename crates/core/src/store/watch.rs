//! What the reconciler's schedule reads about each open order: its status, when it last
//! changed, when it was last read from Tamara and when it was authorised.
//!
//! One query over the status index; rehearsal orders (the go-live checklist's) are left out,
//! as everywhere orders wait for someone.

use chrono::{DateTime, Utc};

use super::codec::{self, Arg, Built, bind_args, ts};
use super::{Db, StoreError, on_conn};
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
    let mut q = Built::new(
        "SELECT o.order_id, o.status, o.created_at, o.updated_at, o.last_synced_at,
            (SELECT MIN(l.occurred_at) FROM ledger_entries l
              WHERE l.environment = o.environment AND l.order_id = o.order_id
                AND l.kind = 'authorise' AND l.state = 'succeeded') AS authorised_at
         FROM orders o WHERE o.environment = ",
    );
    q.bind(Arg::Text(env.as_str().to_owned()));
    q.push(" AND o.status IN (");
    q.bind_list(statuses.iter().map(|s| Arg::Text((*s).to_owned())));
    // CAST: PostgreSQL's substr takes an INTEGER length, and a bound i64 is BIGINT.
    q.push(") AND substr(o.order_reference_id, 1, CAST(");
    q.bind(Arg::Int(
        i64::try_from(super::order_list::REHEARSAL_PREFIX.len()).unwrap_or(i64::MAX),
    ));
    q.push(" AS INTEGER)) <> ");
    q.bind(Arg::Text(super::order_list::REHEARSAL_PREFIX.to_owned()));
    q.push(" ORDER BY o.created_at, o.order_id");
    if statuses.is_empty() {
        // `IN ()` is no SQL on PostgreSQL; no status asked for, no order.
        return Ok(Vec::new());
    }
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => bind_args!(sqlx::query(q.text()), q)
        .fetch_all(c)
        .await
        .map_err(StoreError::query(context))?
        .iter()
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
        .collect())
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
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "UPDATE orders SET last_synced_at = $1, updated_at = COALESCE($2, updated_at)
         WHERE environment = $3 AND order_id = $4",
    )
    .bind(ts(read_at))
    .bind(changed_at.map(ts))
    .bind(env.as_str())
    .bind(order_id)
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(StoreError::query(context))
}
