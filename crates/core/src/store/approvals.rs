//! The four-eyes approval queue's storage.
//!
//! Owns `approvals`. The rules (who may ask, who may decide, thresholds, expiry) live in
//! [`crate::team::approvals`]; this module makes each move of a request one conditional UPDATE,
//! so that across consoles and server instances exactly one of two racing decisions wins:
//! pending → approved | rejected (never by the requester — the table refuses that too — and
//! never after `expires_at`), then approved → executed | failed once the operation ran. The
//! money moves only for the caller whose [`approve`] returned true, so it moves once.

use chrono::{DateTime, Utc};

use super::codec::{self, StoreRow, text_enum, ts};
use super::{Db, Environment, StoreError, on_conn};

const TABLE: &str = "approvals";

text_enum! {
    /// Where a request stands in the table (expiry is read off `expires_at`, not stored).
    ApprovalRowState, "approval state" {
        /// Waiting for a second person.
        Pending => "pending",
        /// Approved; the operation is about to run or running.
        Approved => "approved",
        /// Rejected by a second person.
        Rejected => "rejected",
        /// Approved and run.
        Executed => "executed",
        /// Approved, run, and refused or failed.
        Failed => "failed",
    }
}

/// A request to queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApproval {
    pub environment: Environment,
    /// The gated action's stable name (`refund`, `cancel`, `register_webhook`, …).
    pub action: String,
    /// What it acts on (an order id, a webhook URL).
    pub subject: String,
    /// The operation to run when approved, as JSON.
    pub request: String,
    /// The amount, exact text, when the action moves money.
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub requested_by: i64,
    pub requested_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A stored request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRow {
    pub id: i64,
    pub new: NewApproval,
    pub state: ApprovalRowState,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    /// What running it gave (a capture id, an error code).
    pub outcome: Option<String>,
}

/// Queues a request; returns its id.
///
/// # Errors
/// [`StoreError::Query`] (also when `requested_by` is no user).
pub async fn request<'c>(db: impl Db<'c>, new: &NewApproval) -> Result<i64, StoreError> {
    let context = "queue approval";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query_scalar(
        "INSERT INTO approvals (environment, action, subject, request, amount, currency,
            requested_by, requested_at, expires_at, state)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending') RETURNING id",
    )
    .bind(new.environment.as_str())
    .bind(&new.action)
    .bind(&new.subject)
    .bind(&new.request)
    .bind(&new.amount)
    .bind(&new.currency)
    .bind(new.requested_by)
    .bind(ts(new.requested_at))
    .bind(ts(new.expires_at))
    .fetch_one(c)
    .await)
    .map_err(StoreError::query(context))
}

/// Records `approver`'s approval of request `id` at `now`, if it is still pending, unexpired and
/// not the approver's own. Returns true for exactly one caller: the one that must now run the
/// operation.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn approve<'c>(
    db: impl Db<'c>,
    id: i64,
    approver: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    decide(db, id, approver, now, ApprovalRowState::Approved).await
}

/// Records `approver`'s rejection, on the same conditions as [`approve`].
///
/// # Errors
/// [`StoreError::Query`].
pub async fn reject<'c>(
    db: impl Db<'c>,
    id: i64,
    approver: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    decide(db, id, approver, now, ApprovalRowState::Rejected).await
}

async fn decide<'c>(
    db: impl Db<'c>,
    id: i64,
    approver: i64,
    now: DateTime<Utc>,
    to: ApprovalRowState,
) -> Result<bool, StoreError> {
    let context = "decide approval";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let changed = on_conn!(conn, c => sqlx::query(
        "UPDATE approvals SET state = $1, decided_by = $2, decided_at = $3
         WHERE id = $4 AND state = 'pending' AND expires_at > $3 AND requested_by <> $2",
    )
    .bind(to.as_str())
    .bind(approver)
    .bind(ts(now))
    .bind(id)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .map_err(StoreError::query(context))?;
    Ok(changed == 1)
}

/// Records what running approved request `id` gave; only an approved request moves on, once.
/// Returns whether it did.
///
/// # Errors
/// [`StoreError::Invalid`] for a target other than executed or failed; [`StoreError::Query`].
pub async fn finish<'c>(
    db: impl Db<'c>,
    id: i64,
    to: ApprovalRowState,
    outcome: &str,
) -> Result<bool, StoreError> {
    let context = "finish approval";
    if !matches!(to, ApprovalRowState::Executed | ApprovalRowState::Failed) {
        return Err(StoreError::Invalid {
            what: "approval outcome",
            detail: format!("an approved request ends executed or failed, not {to}"),
        });
    }
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let changed = on_conn!(conn, c => sqlx::query(
        "UPDATE approvals SET state = $1, outcome = $2 WHERE id = $3 AND state = 'approved'",
    )
    .bind(to.as_str())
    .bind(outcome)
    .bind(id)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .map_err(StoreError::query(context))?;
    Ok(changed == 1)
}

/// Request `id`, if any.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn get<'c>(db: impl Db<'c>, id: i64) -> Result<Option<ApprovalRow>, StoreError> {
    let context = "get approval";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query("SELECT * FROM approvals WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await
        .map_err(StoreError::query(context))?
        .as_ref()
        .map(from_row)
        .transpose())
}

/// The queue: `env`'s pending requests not expired at `now`, oldest first.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn pending<'c>(
    db: impl Db<'c>,
    env: Environment,
    now: DateTime<Utc>,
) -> Result<Vec<ApprovalRow>, StoreError> {
    let context = "list pending approvals";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM approvals
         WHERE environment = $1 AND state = 'pending' AND expires_at > $2 ORDER BY id",
    )
    .bind(env.as_str())
    .bind(ts(now))
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect())
}

fn from_row(row: &impl StoreRow) -> Result<ApprovalRow, StoreError> {
    Ok(ApprovalRow {
        id: codec::get(row, TABLE, "id")?,
        new: NewApproval {
            environment: codec::environment(row, TABLE)?,
            action: codec::get(row, TABLE, "action")?,
            subject: codec::get(row, TABLE, "subject")?,
            request: codec::get(row, TABLE, "request")?,
            amount: codec::get(row, TABLE, "amount")?,
            currency: codec::get(row, TABLE, "currency")?,
            requested_by: codec::get(row, TABLE, "requested_by")?,
            requested_at: codec::time(row, TABLE, "requested_at")?,
            expires_at: codec::time(row, TABLE, "expires_at")?,
        },
        state: codec::parsed(row, TABLE, "state")?,
        decided_by: codec::get(row, TABLE, "decided_by")?,
        decided_at: codec::time_opt(row, TABLE, "decided_at")?,
        outcome: codec::get(row, TABLE, "outcome")?,
    })
}
