//! Read queries behind the desktop's screens that the per-table modules do not offer: the
//! attention candidates, the captured/refunded volume per day, the change feed the app turns
//! into events, and an order's audit trail.
//!
//! Each runs on SQLite or PostgreSQL. Invariants: read-only; every query filters on the environment and is bounded (a limit, or a
//! time window over an index), so none scans a million orders.

use chrono::{DateTime, Utc};

use super::codec::{self, StoreRow, ts};
use super::{Db, Environment, StoreError, on_conn};
use crate::money::{Currency, Money};

/// An order waiting for a person's action, with the time its clock started.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingOrder {
    pub order_id: String,
    pub order_reference_id: String,
    pub status: String,
    pub created_at: DateTime<Utc>,
    /// The first successful authorise in the ledger, if any.
    pub authorised_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub total: Money,
    pub captured: Money,
    pub canceled: Money,
    pub customer_name: Option<String>,
}

impl WaitingOrder {
    /// What is left to capture, exactly: total − canceled − captured (`None` if the
    /// currencies disagree, which the store never writes).
    pub fn left_to_capture(&self) -> Option<Money> {
        self.total
            .checked_sub(self.canceled)
            .and_then(|m| m.checked_sub(self.captured))
            .ok()
    }
}

/// Which waiting orders [`waiting_orders`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// Approved, not yet authorised.
    Approval,
    /// Authorised with money left to capture (total − canceled − captured > 0), whatever the
    /// status says: `authorised`, `updated`, `partially_captured`, or `partially_refunded`
    /// of an order captured in part.
    Capture,
}

/// Orders of `env` waiting for `what`, oldest first (their deadlines come first), at most
/// `limit`, with the time of their first successful authorise. Rehearsal orders
/// ([`super::order_list::is_rehearsal`]) are never waiting for anyone.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn waiting_orders<'c>(
    db: impl Db<'c>,
    env: Environment,
    what: Waiting,
    limit: u32,
) -> Result<Vec<WaitingOrder>, StoreError> {
    let context = "list waiting orders";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let select = "SELECT o.order_id, o.order_reference_id, o.status, o.created_at, o.updated_at,
            o.currency, o.total_amount, o.captured_amount, o.canceled_amount, o.customer_name,
            (SELECT MIN(l.occurred_at) FROM ledger_entries l
              WHERE l.environment = o.environment AND l.order_id = o.order_id
                AND l.kind = 'authorise' AND l.state = 'succeeded') AS authorised_at
         FROM orders o WHERE o.environment = $1";
    let waiting = match what {
        Waiting::Approval => " AND o.status = 'approved'",
        // A filter key only (the caller re-checks the amounts exactly): SQLite compares floats,
        // where half of the smallest minor unit keeps rounding from counting 0.30 − 0.10 − 0.20;
        // PostgreSQL compares exact NUMERICs.
        Waiting::Capture if conn.is_postgres() => {
            " AND o.status IN ('authorised', 'updated', 'partially_captured',
                'partially_refunded')
              AND CAST(o.total_amount AS NUMERIC) > CAST(o.canceled_amount AS NUMERIC)
                + CAST(o.captured_amount AS NUMERIC)"
        }
        Waiting::Capture => {
            " AND o.status IN ('authorised', 'updated', 'partially_captured',
                'partially_refunded')
              AND CAST(o.total_amount AS REAL) > CAST(o.canceled_amount AS REAL)
                + CAST(o.captured_amount AS REAL) + 0.0005"
        }
    };
    // Ties of creation time go by the order id's bytes on both backends (PostgreSQL's default
    // collation may order text otherwise). The prefix length is an INTEGER: PostgreSQL has no
    // `substr` taking a BIGINT.
    let tail = if conn.is_postgres() {
        " AND substr(o.order_reference_id, 1, $2) <> $3
         ORDER BY o.created_at, o.order_id COLLATE \"C\" LIMIT $4"
    } else {
        " AND substr(o.order_reference_id, 1, $2) <> $3
         ORDER BY o.created_at, o.order_id LIMIT $4"
    };
    let sql = format!("{select}{waiting}{tail}");
    let prefix = super::order_list::REHEARSAL_PREFIX;
    let prefix_len = i32::try_from(prefix.len()).unwrap_or(i32::MAX);
    let table = "orders";
    on_conn!(conn, c => sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
        .bind(env.as_str())
        .bind(prefix_len)
        .bind(prefix)
        .bind(i64::from(limit))
        .fetch_all(c)
        .await
        .map_err(StoreError::query(context))?
        .iter()
        .map(|r| {
            let currency = codec::currency(r, table, "currency")?;
            let money = |column| codec::money(r, table, column, currency);
            Ok(WaitingOrder {
                order_id: codec::get(r, table, "order_id")?,
                order_reference_id: codec::get(r, table, "order_reference_id")?,
                status: codec::get(r, table, "status")?,
                created_at: codec::time(r, table, "created_at")?,
                authorised_at: codec::time_opt(r, "ledger_entries", "authorised_at")?,
                updated_at: codec::time(r, table, "updated_at")?,
                total: money("total_amount")?,
                captured: money("captured_amount")?,
                canceled: money("canceled_amount")?,
                customer_name: codec::get(r, table, "customer_name")?,
            })
        })
        .collect())
}

/// Captured and refunded money of one UTC day in one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct DayVolume {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub captured: Money,
    pub refunded: Money,
}

/// Succeeded captures and refunds of `env` that happened at or after `since`, summed exactly
/// per (day, currency), in day then currency order.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn volume_since<'c>(
    db: impl Db<'c>,
    env: Environment,
    since: DateTime<Utc>,
) -> Result<Vec<DayVolume>, StoreError> {
    use futures::TryStreamExt as _;
    let context = "sum volume per day";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut sums: std::collections::BTreeMap<(String, &'static str), DayVolume> =
        std::collections::BTreeMap::new();
    on_conn!(conn, c => {
        let mut rows = sqlx::query(
            "SELECT substr(occurred_at, 1, 10) AS day, currency, kind, amount FROM ledger_entries
             WHERE environment = $1 AND occurred_at >= $2 AND state = 'succeeded'
               AND kind IN ('capture', 'refund')",
        )
        .bind(env.as_str())
        .bind(ts(since))
        .fetch(c);
        while let Some(r) = rows.try_next().await.map_err(StoreError::query(context))? {
            add_volume(&mut sums, &r)?;
        }
    });
    Ok(sums.into_values().collect())
}

/// Adds one ledger row of [`volume_since`] to its (day, currency) sum.
fn add_volume(
    sums: &mut std::collections::BTreeMap<(String, &'static str), DayVolume>,
    r: &impl StoreRow,
) -> Result<(), StoreError> {
    let table = "ledger_entries";
    let currency: Currency = codec::currency(r, table, "currency")?;
    let amount = codec::money(r, table, "amount", currency)?;
    let day: String = codec::get(r, table, "day")?;
    let entry = sums
        .entry((day.clone(), currency.code()))
        .or_insert_with(|| DayVolume {
            day,
            captured: Money::zero(currency),
            refunded: Money::zero(currency),
        });
    let kind: String = codec::get(r, table, "kind")?;
    let slot = if kind == "capture" {
        &mut entry.captured
    } else {
        &mut entry.refunded
    };
    *slot = slot
        .checked_add(amount)
        .map_err(|e| StoreError::corrupt(table, "amount", e))?;
    Ok(())
}

/// A delivery as the change feed reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDeliveryBrief {
    pub id: i64,
    pub order_id: Option<String>,
    pub event_type: Option<String>,
    pub verdict: String,
}

/// Deliveries of `env` with an id above `after_id`, oldest first, at most `limit`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn deliveries_after<'c>(
    db: impl Db<'c>,
    env: Environment,
    after_id: i64,
    limit: u32,
) -> Result<Vec<NewDeliveryBrief>, StoreError> {
    let context = "list new deliveries";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let t = "webhook_deliveries";
    on_conn!(conn, c => sqlx::query(
        "SELECT id, order_id, event_type, verdict FROM webhook_deliveries
         WHERE id > $1 AND environment = $2 ORDER BY id LIMIT $3",
    )
    .bind(after_id)
    .bind(env.as_str())
    .bind(i64::from(limit))
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(|r| {
        Ok(NewDeliveryBrief {
            id: codec::get(r, t, "id")?,
            order_id: codec::get(r, t, "order_id")?,
            event_type: codec::get(r, t, "event_type")?,
            verdict: codec::get(r, t, "verdict")?,
        })
    })
    .collect())
}

/// The highest delivery id of `env` (0 when none): where a change feed starts.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn last_delivery_id<'c>(db: impl Db<'c>, env: Environment) -> Result<i64, StoreError> {
    let context = "last delivery id";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let id: Option<i64> = on_conn!(conn, c => sqlx::query_scalar(
        "SELECT MAX(id) FROM webhook_deliveries WHERE environment = $1"
    )
    .bind(env.as_str())
    .fetch_one(c)
    .await)
    .map_err(StoreError::query(context))?;
    Ok(id.unwrap_or(0))
}

/// An order whose row changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedOrder {
    pub order_id: String,
    pub status: String,
    /// Amount texts as stored (what a screen shows changes with them).
    pub captured: String,
    pub refunded: String,
    /// The stored `updated_at` text: the next call's watermark.
    pub updated_at: String,
}

/// Orders of `env` whose `updated_at` is after `since` (a stored time text; empty: from the
/// start), oldest change first, at most `limit`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn orders_changed_after<'c>(
    db: impl Db<'c>,
    env: Environment,
    since: &str,
    limit: u32,
) -> Result<Vec<ChangedOrder>, StoreError> {
    let context = "list changed orders";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let t = "orders";
    on_conn!(conn, c => sqlx::query(
        "SELECT order_id, status, captured_amount, refunded_amount, updated_at FROM orders
         WHERE environment = $1 AND updated_at > $2 ORDER BY updated_at LIMIT $3",
    )
    .bind(env.as_str())
    .bind(since)
    .bind(i64::from(limit))
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(|r| {
        Ok(ChangedOrder {
            order_id: codec::get(r, t, "order_id")?,
            status: codec::get(r, t, "status")?,
            captured: codec::get(r, t, "captured_amount")?,
            refunded: codec::get(r, t, "refunded_amount")?,
            updated_at: codec::get(r, t, "updated_at")?,
        })
    })
    .collect())
}

/// The latest stored `updated_at` of `env` (empty when there are no orders).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn last_order_change<'c>(
    db: impl Db<'c>,
    env: Environment,
) -> Result<String, StoreError> {
    let context = "last order change";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let at: Option<String> = on_conn!(conn, c => sqlx::query_scalar(
        "SELECT MAX(updated_at) FROM orders WHERE environment = $1"
    )
    .bind(env.as_str())
    .fetch_one(c)
    .await)
    .map_err(StoreError::query(context))?;
    Ok(at.unwrap_or_default())
}
