//! Disputes and the dispute notifications received (migration 0007).
//!
//! Owns `disputes`, keyed by (environment, dispute_id), and `dispute_events`, one row per
//! verified delivery of a dispute event (its body verbatim, understood or not). The rules for
//! what a notification or a listing changes live in [`crate::disputes`]; this module only
//! reads and writes rows.
//!
//! Invariants: an amount is stored with its currency or not at all; a delivery is recorded as
//! a dispute event at most once ([`insert_event`] answers false for a repeat).

use chrono::{DateTime, Utc};

use super::codec::{self, StoreRow, ts};
use super::{Db, Environment, StoreError, on_conn};
use crate::money::{Currency, Money};

const TABLE: &str = "disputes";
const EVENTS: &str = "dispute_events";

/// A dispute as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DisputeRecord {
    pub environment: Environment,
    pub dispute_id: String,
    pub order_id: Option<String>,
    pub order_reference_id: Option<String>,
    /// Tamara's `dispute_status` (an open string).
    pub status: String,
    pub amount: Option<Money>,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// When it last began waiting for the merchant.
    pub awaiting_since: Option<DateTime<Utc>>,
    /// The last event name that changed it.
    pub last_event: Option<String>,
    /// `notification` or `list`: what last wrote the row.
    pub source: String,
    /// The list's record, as read.
    pub raw_json: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A dispute notification as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct DisputeEventRecord {
    pub id: i64,
    pub environment: Environment,
    pub delivery_id: Option<i64>,
    pub event_type: String,
    pub order_id: Option<String>,
    pub dispute_id: Option<String>,
    /// The status the body reported or its event implies.
    pub status: Option<String>,
    /// The body named an order and a dispute.
    pub recognised: bool,
    pub received_at: DateTime<Utc>,
    pub body: String,
}

/// Inserts or replaces a dispute.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn upsert<'c>(db: impl Db<'c>, d: &DisputeRecord) -> Result<(), StoreError> {
    let context = "upsert dispute";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO disputes (environment, dispute_id, order_id, order_reference_id, status,
            amount, currency, opened_at, closed_at, awaiting_since, last_event, source, raw_json,
            updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (environment, dispute_id) DO UPDATE SET
            order_id = excluded.order_id,
            order_reference_id = excluded.order_reference_id,
            status = excluded.status,
            amount = excluded.amount,
            currency = excluded.currency,
            opened_at = excluded.opened_at,
            closed_at = excluded.closed_at,
            awaiting_since = excluded.awaiting_since,
            last_event = excluded.last_event,
            source = excluded.source,
            raw_json = excluded.raw_json,
            updated_at = excluded.updated_at",
    )
    .bind(d.environment.as_str())
    .bind(&d.dispute_id)
    .bind(&d.order_id)
    .bind(&d.order_reference_id)
    .bind(&d.status)
    .bind(d.amount.map(|m| m.amount_text()))
    .bind(d.amount.map(|m| m.currency().to_string()))
    .bind(d.opened_at.map(ts))
    .bind(d.closed_at.map(ts))
    .bind(d.awaiting_since.map(ts))
    .bind(&d.last_event)
    .bind(&d.source)
    .bind(&d.raw_json)
    .bind(ts(d.updated_at))
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(StoreError::query(context))
}

/// The dispute `dispute_id` of `env`.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn get<'c>(
    db: impl Db<'c>,
    env: Environment,
    dispute_id: &str,
) -> Result<Option<DisputeRecord>, StoreError> {
    let context = "get dispute";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM disputes WHERE environment = $1 AND dispute_id = $2",
    )
    .bind(env.as_str())
    .bind(dispute_id)
    .fetch_optional(c)
    .await
    .map_err(StoreError::query(context))?
    .as_ref()
    .map(from_row)
    .transpose())
}

/// Disputes of `env` (of one order when `order_id` is given), most recently opened first.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_id: Option<&str>,
) -> Result<Vec<DisputeRecord>, StoreError> {
    let context = "list disputes";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM disputes WHERE environment = $1 AND ($2 IS NULL OR order_id = $2)
         ORDER BY COALESCE(opened_at, updated_at) DESC, dispute_id DESC",
    )
    .bind(env.as_str())
    .bind(order_id)
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect())
}

fn from_row(row: &impl StoreRow) -> Result<DisputeRecord, StoreError> {
    let currency: Option<Currency> = codec::parsed_opt(row, TABLE, "currency")?;
    let amount = match currency {
        Some(c) => codec::money_opt(row, TABLE, "amount", c)?,
        None => None,
    };
    Ok(DisputeRecord {
        environment: codec::environment(row, TABLE)?,
        dispute_id: codec::get(row, TABLE, "dispute_id")?,
        order_id: codec::get(row, TABLE, "order_id")?,
        order_reference_id: codec::get(row, TABLE, "order_reference_id")?,
        status: codec::get(row, TABLE, "status")?,
        amount,
        opened_at: codec::time_opt(row, TABLE, "opened_at")?,
        closed_at: codec::time_opt(row, TABLE, "closed_at")?,
        awaiting_since: codec::time_opt(row, TABLE, "awaiting_since")?,
        last_event: codec::get(row, TABLE, "last_event")?,
        source: codec::get(row, TABLE, "source")?,
        raw_json: codec::get(row, TABLE, "raw_json")?,
        updated_at: codec::time(row, TABLE, "updated_at")?,
    })
}

/// Records a dispute notification. False when this delivery was already recorded.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn insert_event<'c>(db: impl Db<'c>, e: &DisputeEventRecord) -> Result<bool, StoreError> {
    let context = "insert dispute event";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    // `recognised` binds as a bool: 0/1 on SQLite, a BOOLEAN column on PostgreSQL.
    let rows = on_conn!(conn, c => sqlx::query(
        "INSERT INTO dispute_events (environment, delivery_id, event_type, order_id, dispute_id,
            status, recognised, received_at, body)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (environment, delivery_id) DO NOTHING",
    )
    .bind(e.environment.as_str())
    .bind(e.delivery_id)
    .bind(&e.event_type)
    .bind(&e.order_id)
    .bind(&e.dispute_id)
    .bind(&e.status)
    .bind(e.recognised)
    .bind(ts(e.received_at))
    .bind(&e.body)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .map_err(StoreError::query(context))?;
    Ok(rows == 1)
}

/// Forgets that a delivery was recorded (a replay records it again).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn release_event<'c>(
    db: impl Db<'c>,
    env: Environment,
    delivery_id: i64,
) -> Result<(), StoreError> {
    let context = "release dispute event";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "DELETE FROM dispute_events WHERE environment = $1 AND delivery_id = $2",
    )
    .bind(env.as_str())
    .bind(delivery_id)
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(StoreError::query(context))
}

/// Which dispute events to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventScope<'a> {
    /// The events naming this order.
    Order(&'a str),
    /// The events naming no dispute (their shape was not understood).
    Unmatched,
}

/// Dispute events of `env` in `scope`, oldest first, at most `limit` (the newest).
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn events<'c>(
    db: impl Db<'c>,
    env: Environment,
    scope: EventScope<'_>,
    limit: u32,
) -> Result<Vec<DisputeEventRecord>, StoreError> {
    let context = "list dispute events";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let (order, unmatched) = match scope {
        EventScope::Order(o) => (Some(o), false),
        EventScope::Unmatched => (None, true),
    };
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM (SELECT * FROM dispute_events WHERE environment = $1
            AND ($2 IS NULL OR order_id = $2) AND (NOT $3 OR dispute_id IS NULL)
            ORDER BY id DESC LIMIT $4) AS newest ORDER BY id",
    )
    .bind(env.as_str())
    .bind(order)
    .bind(unmatched)
    .bind(i64::from(limit))
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(event_from_row)
    .collect())
}

fn event_from_row(row: &impl StoreRow) -> Result<DisputeEventRecord, StoreError> {
    Ok(DisputeEventRecord {
        id: codec::get(row, EVENTS, "id")?,
        environment: codec::environment(row, EVENTS)?,
        delivery_id: codec::get(row, EVENTS, "delivery_id")?,
        event_type: codec::get(row, EVENTS, "event_type")?,
        order_id: codec::get(row, EVENTS, "order_id")?,
        dispute_id: codec::get(row, EVENTS, "dispute_id")?,
        status: codec::get(row, EVENTS, "status")?,
        recognised: codec::get(row, EVENTS, "recognised")?,
        received_at: codec::time(row, EVENTS, "received_at")?,
        body: codec::get(row, EVENTS, "body")?,
    })
}
