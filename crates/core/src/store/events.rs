//! Processed-event keys: the exactly-once guard of webhook processing.
//!
//! Owns `processed_events`. An event's identity is (environment, order_id, event_type, sub_id),
//! where sub_id is the capture / refund / cancel id the event carries, or `""` when it carries
//! none. Tamara repeats deliveries and may send them out of order; [`claim`] lets exactly one
//! processing of each identity through.
//!
//! To make the claim and its effects atomic, claim inside the same [`super::StoreTx`] that
//! updates the order and the ledger: if processing fails, the rollback releases the claim.
//! [`release`] exists for work that cannot share the transaction.

use chrono::{DateTime, Utc};

use super::codec::{self, ts};
use super::{Db, Environment, StoreError, on_conn};

const TABLE: &str = "processed_events";

/// The identity of a gateway event.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EventKey {
    /// The environment this row belongs to.
    pub environment: Environment,
    /// Tamara's order id.
    pub order_id: String,
    /// The gateway's event name (`order_captured`, …).
    pub event_type: String,
    /// capture_id / refund_id / cancel_id, or "" when the event has none.
    pub sub_id: String,
}

impl EventKey {
    /// Builds a key; `sub_id` None becomes "" (NULL would defeat the unique key).
    pub fn new(
        environment: Environment,
        order_id: impl Into<String>,
        event_type: impl Into<String>,
        sub_id: Option<&str>,
    ) -> EventKey {
        EventKey {
            environment,
            order_id: order_id.into(),
            event_type: event_type.into(),
            sub_id: sub_id.unwrap_or_default().to_owned(),
        }
    }
}

/// Claims the event for processing. Returns true the first time, false if it was already
/// claimed (a repeat delivery: do nothing). `delivery_id` records which inbox row claimed it.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn claim<'c>(
    db: impl Db<'c>,
    key: &EventKey,
    delivery_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let mut conn = db.conn().await.map_err(StoreError::query("claim event"))?;
    let done = on_conn!(conn, c => sqlx::query(
        "INSERT INTO processed_events (environment, order_id, event_type, sub_id, delivery_id,
            claimed_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (environment, order_id, event_type, sub_id) DO NOTHING",
    )
    .bind(key.environment.as_str())
    .bind(&key.order_id)
    .bind(&key.event_type)
    .bind(&key.sub_id)
    .bind(delivery_id)
    .bind(ts(now))
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .map_err(StoreError::query("claim event"))?;
    Ok(done == 1)
}

/// Who claimed an event and when, if anyone did.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn claimed<'c>(
    db: impl Db<'c>,
    key: &EventKey,
) -> Result<Option<(Option<i64>, DateTime<Utc>)>, StoreError> {
    let context = "read event claim";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT delivery_id, claimed_at FROM processed_events
         WHERE environment = $1 AND order_id = $2 AND event_type = $3 AND sub_id = $4",
    )
    .bind(key.environment.as_str())
    .bind(&key.order_id)
    .bind(&key.event_type)
    .bind(&key.sub_id)
    .fetch_optional(c)
    .await
    .map_err(StoreError::query(context))?
    .map(|row| {
        Ok((
            codec::get(&row, TABLE, "delivery_id")?,
            codec::time(&row, TABLE, "claimed_at")?,
        ))
    })
    .transpose())
}

/// Forgets a claim so the event can be processed again (processing failed outside a shared
/// transaction). Returns whether a claim existed.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn release<'c>(db: impl Db<'c>, key: &EventKey) -> Result<bool, StoreError> {
    let mut conn = db
        .conn()
        .await
        .map_err(StoreError::query("release event"))?;
    let done = on_conn!(conn, c => sqlx::query(
        "DELETE FROM processed_events
         WHERE environment = $1 AND order_id = $2 AND event_type = $3 AND sub_id = $4",
    )
    .bind(key.environment.as_str())
    .bind(&key.order_id)
    .bind(&key.event_type)
    .bind(&key.sub_id)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .map_err(StoreError::query("release event"))?;
    Ok(done == 1)
}
