//! The transaction ledger: every authorise, capture, refund and cancel of every order.
//!
//! Owns `ledger_entries`. Two ways in:
//! - Our own money moves are written by [`record_pending`] *before* the request goes out,
//!   carrying a local idempotency reference, then settled by [`mark_succeeded`],
//!   [`mark_failed`] or [`mark_unknown`] (a timeout: the reconciler re-reads the order later).
//! - Transactions learned from a webhook or a poll go through [`upsert_observed`].
//!
//! Invariants:
//! - An idempotency reference is used at most once per environment; a second
//!   [`record_pending`] with it fails with [`StoreError::DuplicateIdempotencyRef`] and changes
//!   nothing, so a retry or double click can never start a second move.
//! - One row per gateway transaction: `(environment, kind, gateway_id)` is unique. For
//!   `authorise`, which has no id of its own, the gateway id is the order id.
//! - States only move pending → succeeded / failed / unknown and unknown → succeeded / failed.
//! - Rows reference a stored order (foreign key), so the order is upserted first.

pub(crate) mod read;

use chrono::{DateTime, Utc};

use super::codec::{text_enum, ts};
use super::error::is_foreign_key_violation;
use super::{Db, Environment, StoreError, begin_write_on, on_conn};
use crate::money::Money;
use read::{fetch_by_id, from_row};

pub use read::{by_idempotency_ref, get, list_for_order, list_in_state, stream_between};

pub use read::{
    SETTLEMENT_SQL, SETTLEMENT_SQL_POSTGRES, SettlementLine, SettlementQuery, SettlementView,
    stream_settlement,
};

const TABLE: &str = "ledger_entries";

text_enum! {
    /// What kind of money move an entry records.
    LedgerKind, "ledger kind" {
        /// The merchant acknowledged an approved order.
        Authorise => "authorise",
        /// Money captured (shipped).
        Capture => "capture",
        /// Captured money returned to the customer.
        Refund => "refund",
        /// Uncaptured money released.
        Cancel => "cancel",
    }
}

text_enum! {
    /// Where an entry stands.
    LedgerState, "ledger state" {
        /// Written before the request; outcome not yet known.
        Pending => "pending",
        /// The gateway did it.
        Succeeded => "succeeded",
        /// The gateway refused it; no money moved.
        Failed => "failed",
        /// The request's outcome is unknown (timeout); re-read the order to learn it.
        Unknown => "unknown",
    }
}

text_enum! {
    /// How we learned of an entry.
    LedgerSource, "ledger source" {
        /// Our own request.
        Api => "api",
        /// A webhook delivery.
        Webhook => "webhook",
        /// Polling order details.
        Poll => "poll",
    }
}

/// One ledger row.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerEntry {
    /// Local id, increasing in insertion order.
    pub id: i64,
    /// The environment the move happened in.
    pub environment: Environment,
    /// The gateway order.
    pub order_id: String,
    /// Authorise, capture, refund or cancel.
    pub kind: LedgerKind,
    /// capture_id / refund_id / cancel_id (order id for authorise); None until known.
    pub gateway_id: Option<String>,
    /// The amount moved (positive; exports apply signs).
    pub amount: Money,
    /// Pending, succeeded, failed or unknown.
    pub state: LedgerState,
    /// Api, webhook or poll.
    pub source: LedgerSource,
    /// Our idempotency reference; None for observed entries.
    pub idempotency_ref: Option<String>,
    /// Who did it (operator name, or "webhook" / "reconciler").
    pub actor: String,
    /// Free text (a refund's comment).
    pub comment: Option<String>,
    /// When the move happened (request time, or the gateway's transaction time).
    pub occurred_at: DateTime<Utc>,
    /// When the row was written.
    pub recorded_at: DateTime<Utc>,
    /// When the row last changed.
    pub updated_at: DateTime<Utc>,
    /// What was sent, secrets excluded.
    pub request_summary: Option<String>,
    /// Why it failed or is unknown.
    pub error: Option<String>,
    /// What identifies our request among the order's transactions (a capture's shipping
    /// details as sent, JSON); None for other moves and for older rows.
    pub witness: Option<String>,
}

/// A money move about to be requested by us.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingMove {
    /// The environment this row belongs to.
    pub environment: Environment,
    /// Tamara's order id.
    pub order_id: String,
    /// Authorise, capture, refund or cancel.
    pub kind: LedgerKind,
    /// The amount moved, positive.
    pub amount: Money,
    /// Unique per environment; generated once per user intent and reused on retries.
    pub idempotency_ref: String,
    /// Who acts: the operator, or a component ("webhook", "reconciler").
    pub actor: String,
    /// Free text (a refund's comment).
    pub comment: Option<String>,
    /// When the move happened.
    pub occurred_at: DateTime<Utc>,
    /// What is sent, secrets excluded.
    pub request_summary: Option<String>,
    /// What identifies this request among the order's transactions if its answer is lost.
    pub witness: Option<String>,
}

/// A gateway transaction learned from a webhook or a poll.
#[derive(Debug, Clone, PartialEq)]
pub struct ObservedMove {
    /// The environment this row belongs to.
    pub environment: Environment,
    /// Tamara's order id.
    pub order_id: String,
    /// Authorise, capture, refund or cancel.
    pub kind: LedgerKind,
    /// capture_id / refund_id / cancel_id; the order id for authorise.
    pub gateway_id: String,
    /// The amount moved, positive.
    pub amount: Money,
    /// Webhook or poll.
    pub source: LedgerSource,
    /// Who acts: the operator, or a component ("webhook", "reconciler").
    pub actor: String,
    /// Free text (a refund's comment).
    pub comment: Option<String>,
    /// The gateway's transaction time, or when we learned of it.
    pub occurred_at: DateTime<Utc>,
}

/// What [`upsert_observed`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// First time we see this transaction: a new succeeded row.
    Inserted(LedgerEntry),
    /// Already in the ledger; the stored row, unchanged.
    AlreadyKnown(LedgerEntry),
}

impl Observation {
    /// The stored entry either way.
    pub fn entry(&self) -> &LedgerEntry {
        match self {
            Observation::Inserted(e) | Observation::AlreadyKnown(e) => e,
        }
    }
}

/// Writes a pending entry for a move we are about to request. Call it, and let it return,
/// before sending the request.
///
/// # Errors
/// [`StoreError::DuplicateIdempotencyRef`] (holding the existing entry, unchanged) if the
/// reference was used before in this environment; [`StoreError::NotFound`] if the order is not
/// stored; [`StoreError::Query`].
pub async fn record_pending<'c>(
    db: impl Db<'c>,
    pending: &PendingMove,
    now: DateTime<Utc>,
) -> Result<LedgerEntry, StoreError> {
    let context = "record pending ledger entry";
    let now = ts(now);
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut tx = begin_write_on(&mut conn)
        .await
        .map_err(StoreError::query(context))?;
    let inserted: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO ledger_entries (environment, order_id, kind, gateway_id, currency, amount,
            state, source, idempotency_ref, actor, comment, occurred_at, recorded_at, updated_at,
            request_summary, error, witness)
         VALUES ($1, $2, $3, NULL, $4, $5, 'pending', 'api', $6, $7, $8, $9, $10, $10, $11, NULL,
            $12)
         ON CONFLICT (environment, idempotency_ref) DO NOTHING
         RETURNING id",
    )
    .bind(pending.environment.as_str())
    .bind(&pending.order_id)
    .bind(pending.kind.as_str())
    .bind(pending.amount.currency().code())
    .bind(pending.amount.amount_text())
    .bind(&pending.idempotency_ref)
    .bind(&pending.actor)
    .bind(&pending.comment)
    .bind(ts(pending.occurred_at))
    .bind(&now)
    .bind(&pending.request_summary)
    .bind(&pending.witness)
    .fetch_optional(c)
    .await)
    .map_err(|e| missing_order_or(e, pending.environment, &pending.order_id, context))?;
    match inserted {
        Some(id) => {
            let entry = fetch_by_id(tx.backend(), id).await?;
            tx.commit().await.map_err(StoreError::query(context))?;
            Ok(entry)
        }
        None => {
            let existing = on_conn!(tx, c => {
                by_idempotency_ref(c, pending.environment, &pending.idempotency_ref).await
            })?
            .ok_or_else(|| {
                StoreError::Conflict(
                    "idempotency reference conflict but no entry holds it".to_owned(),
                )
            })?;
            Err(StoreError::DuplicateIdempotencyRef {
                existing: Box::new(existing),
            })
        }
    }
}

/// Settles a pending or unknown entry as done by the gateway, with the gateway's id.
///
/// If a webhook or poll already recorded the same gateway transaction (it can arrive before our
/// response), that observed row is folded into this one, so the ledger keeps one row per
/// transaction and exports never count it twice. Settling an already-succeeded entry with the
/// same id again is a no-op.
///
/// # Errors
/// [`StoreError::NotFound`]; [`StoreError::Conflict`] if the entry is failed, succeeded with
/// another id, or the id belongs to another of our own moves; [`StoreError::Query`].
pub async fn mark_succeeded<'c>(
    db: impl Db<'c>,
    id: i64,
    gateway_id: &str,
    now: DateTime<Utc>,
) -> Result<LedgerEntry, StoreError> {
    let context = "mark ledger entry succeeded";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut tx = begin_write_on(&mut conn)
        .await
        .map_err(StoreError::query(context))?;
    let entry = fetch_by_id(tx.backend(), id).await?;
    if entry.state == LedgerState::Succeeded && entry.gateway_id.as_deref() == Some(gateway_id) {
        return Ok(entry);
    }
    check_transition(&entry, LedgerState::Succeeded)?;
    let twin = on_conn!(tx, c => sqlx::query(
        "SELECT * FROM ledger_entries
         WHERE environment = $1 AND kind = $2 AND gateway_id = $3 AND id <> $4",
    )
    .bind(entry.environment.as_str())
    .bind(entry.kind.as_str())
    .bind(gateway_id)
    .bind(id)
    .fetch_optional(c)
    .await
    .map_err(StoreError::query(context))?
    .as_ref()
    .map(from_row)
    .transpose())?;
    if let Some(twin) = twin {
        if twin.source == LedgerSource::Api || twin.order_id != entry.order_id {
            return Err(StoreError::Conflict(format!(
                "gateway {} {gateway_id} is already ledger entry {}",
                entry.kind, twin.id
            )));
        }
        on_conn!(tx, c => sqlx::query("DELETE FROM ledger_entries WHERE id = $1")
            .bind(twin.id)
            .execute(c)
            .await
            .map(|_| ()))
        .map_err(StoreError::query(context))?;
    }
    on_conn!(tx, c => sqlx::query(
        "UPDATE ledger_entries SET state = 'succeeded', gateway_id = $1, error = NULL,
            updated_at = $2
         WHERE id = $3",
    )
    .bind(gateway_id)
    .bind(ts(now))
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(StoreError::query(context))?;
    let entry = fetch_by_id(tx.backend(), id).await?;
    tx.commit().await.map_err(StoreError::query(context))?;
    Ok(entry)
}

/// Settles a pending or unknown entry as refused by the gateway; no money moved.
///
/// # Errors
/// [`StoreError::NotFound`]; [`StoreError::Conflict`] if the entry is already settled;
/// [`StoreError::Query`].
pub async fn mark_failed<'c>(
    db: impl Db<'c>,
    id: i64,
    error: &str,
    now: DateTime<Utc>,
) -> Result<LedgerEntry, StoreError> {
    settle(db, id, LedgerState::Failed, error, now).await
}

/// Marks a pending entry as having an unknown outcome (the request timed out or the connection
/// broke). The reconciler later re-reads the order and settles it.
///
/// # Errors
/// [`StoreError::NotFound`]; [`StoreError::Conflict`] if the entry is not pending;
/// [`StoreError::Query`].
pub async fn mark_unknown<'c>(
    db: impl Db<'c>,
    id: i64,
    error: &str,
    now: DateTime<Utc>,
) -> Result<LedgerEntry, StoreError> {
    settle(db, id, LedgerState::Unknown, error, now).await
}

async fn settle<'c>(
    db: impl Db<'c>,
    id: i64,
    to: LedgerState,
    error: &str,
    now: DateTime<Utc>,
) -> Result<LedgerEntry, StoreError> {
    let context = "settle ledger entry";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut tx = begin_write_on(&mut conn)
        .await
        .map_err(StoreError::query(context))?;
    let entry = fetch_by_id(tx.backend(), id).await?;
    check_transition(&entry, to)?;
    on_conn!(tx, c => sqlx::query(
        "UPDATE ledger_entries SET state = $1, error = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(to.as_str())
    .bind(error)
    .bind(ts(now))
    .bind(id)
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(StoreError::query(context))?;
    let entry = fetch_by_id(tx.backend(), id).await?;
    tx.commit().await.map_err(StoreError::query(context))?;
    Ok(entry)
}

fn check_transition(entry: &LedgerEntry, to: LedgerState) -> Result<(), StoreError> {
    use LedgerState::{Failed, Pending, Succeeded, Unknown};
    let allowed = matches!(
        (entry.state, to),
        (Pending, Succeeded | Failed | Unknown) | (Unknown, Succeeded | Failed)
    );
    if allowed {
        Ok(())
    } else {
        Err(StoreError::Conflict(format!(
            "ledger entry {} is {}; it cannot become {to}",
            entry.id, entry.state
        )))
    }
}

/// Records a gateway transaction seen in a webhook or a poll, once: the same
/// `(environment, kind, gateway_id)` again changes nothing and returns the stored row.
///
/// # Errors
/// [`StoreError::NotFound`] if the order is not stored; [`StoreError::Query`].
pub async fn upsert_observed<'c>(
    db: impl Db<'c>,
    observed: &ObservedMove,
    now: DateTime<Utc>,
) -> Result<Observation, StoreError> {
    let context = "record observed ledger entry";
    let now = ts(now);
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut tx = begin_write_on(&mut conn)
        .await
        .map_err(StoreError::query(context))?;
    let inserted: Option<i64> = on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO ledger_entries (environment, order_id, kind, gateway_id, currency, amount,
            state, source, idempotency_ref, actor, comment, occurred_at, recorded_at, updated_at,
            request_summary, error)
         VALUES ($1, $2, $3, $4, $5, $6, 'succeeded', $7, NULL, $8, $9, $10, $11, $11, NULL, NULL)
         ON CONFLICT (environment, kind, gateway_id) DO NOTHING
         RETURNING id",
    )
    .bind(observed.environment.as_str())
    .bind(&observed.order_id)
    .bind(observed.kind.as_str())
    .bind(&observed.gateway_id)
    .bind(observed.amount.currency().code())
    .bind(observed.amount.amount_text())
    .bind(observed.source.as_str())
    .bind(&observed.actor)
    .bind(&observed.comment)
    .bind(ts(observed.occurred_at))
    .bind(&now)
    .fetch_optional(c)
    .await)
    .map_err(|e| missing_order_or(e, observed.environment, &observed.order_id, context))?;
    let outcome = match inserted {
        Some(id) => Observation::Inserted(fetch_by_id(tx.backend(), id).await?),
        None => Observation::AlreadyKnown(on_conn!(tx, c => sqlx::query(
            "SELECT * FROM ledger_entries
             WHERE environment = $1 AND kind = $2 AND gateway_id = $3",
        )
        .bind(observed.environment.as_str())
        .bind(observed.kind.as_str())
        .bind(&observed.gateway_id)
        .fetch_one(c)
        .await
        .map_err(StoreError::query(context))
        .and_then(|row| from_row(&row)))?),
    };
    tx.commit().await.map_err(StoreError::query(context))?;
    Ok(outcome)
}

fn missing_order_or(
    e: sqlx::Error,
    env: Environment,
    order_id: &str,
    context: &'static str,
) -> StoreError {
    if is_foreign_key_violation(&e) {
        StoreError::NotFound {
            entity: "order",
            key: format!("{env}/{order_id}"),
        }
    } else {
        StoreError::query(context)(e)
    }
}
