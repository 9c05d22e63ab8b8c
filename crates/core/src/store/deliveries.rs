//! The raw webhook inbox: every delivery that reached the receiver, verified or not.
//!
//! Owns `webhook_deliveries`. The receiver calls [`insert`] and answers the gateway only after
//! it returns; WAL with `synchronous = FULL` makes the row durable at that point, so a verified
//! delivery is never lost even if the process dies the next moment. The processor then takes
//! rows with [`next_unprocessed`] in arrival (id) order and settles each with [`mark_processed`],
//! [`mark_failed`] or [`mark_skipped`].
//!
//! Invariants: only verified deliveries enter the queue (others are stored as `skipped`, kept
//! as evidence); query strings and headers are stored with secrets already masked — masking is
//! the caller's job, [`mask_secret`] is the helper; the body is stored as the caller gives it
//! (verbatim for signed deliveries, a bounded sample for refused ones — the receiver's choice).

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite};

use super::codec::{self, text_enum, ts};
use super::request_sizes;
pub use super::request_sizes::RequestSizes;
pub(super) use super::request_sizes::size_columns;
use super::{Db, Environment, StoreError};

const TABLE: &str = "webhook_deliveries";

text_enum! {
    /// What the receiver decided about a delivery.
    DeliveryVerdict, "delivery verdict" {
        /// Token valid; answered 200 and queued for processing.
        Verified => "verified",
        /// Token missing, invalid or expired; answered 401.
        Rejected => "rejected",
        /// Token valid but the body is not a notification we can read.
        InvalidBody => "invalid_body",
    }
}

text_enum! {
    /// Where the processor stands with a delivery.
    ProcessingState, "processing state" {
        /// Waiting for the processor.
        Pending => "pending",
        /// Done (including "duplicate event, nothing to do").
        Processed => "processed",
        /// Processing failed; [`requeue`] puts it back.
        Failed => "failed",
        /// Never to be processed (not verified, or set aside by an operator).
        Skipped => "skipped",
    }
}

/// Masks a secret for display or storage (`"****abcd"`) by the one masking rule,
/// [`tamara::sensitive::last_four`]: short values are masked entirely.
pub fn mask_secret(secret: &str) -> String {
    tamara::sensitive::mask_ascii(secret)
}

/// A delivery as received, before it has an id.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery {
    /// The environment whose notification token verified it (or was tried).
    pub environment: Environment,
    /// When the receiver got the request.
    pub received_at: DateTime<Utc>,
    /// HTTP method.
    pub method: String,
    /// Request path.
    pub path: String,
    /// Query string with `tamaraToken` masked.
    pub query: Option<String>,
    /// Request headers as a JSON object, secret values masked.
    pub headers_json: String,
    /// The body, verbatim.
    pub body: String,
    /// What the receiver decided.
    pub verdict: DeliveryVerdict,
    /// Why the verdict (e.g. "token expired").
    pub reason: Option<String>,
    /// The HTTP status the receiver answers.
    pub http_status: u16,
    /// From the body, when it parsed.
    pub order_id: Option<String>,
    /// From the body, when it parsed.
    pub event_type: Option<String>,
    /// The peer's address (`ip:port`), when the server knows it.
    pub sender: Option<String>,
    /// How big the request was, whatever was kept of it.
    pub sizes: Option<RequestSizes>,
}

/// A stored delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookDelivery {
    /// Local id; arrival order.
    pub id: i64,
    /// The environment this row belongs to.
    pub environment: Environment,
    /// When the receiver got the request.
    pub received_at: DateTime<Utc>,
    /// HTTP method.
    pub method: String,
    /// Request path.
    pub path: String,
    /// Query string, `tamaraToken` masked.
    pub query: Option<String>,
    /// Headers as a JSON object, secret values masked.
    pub headers_json: String,
    /// The body, verbatim.
    pub body: String,
    /// What the receiver decided.
    pub verdict: DeliveryVerdict,
    /// Why the verdict.
    pub reason: Option<String>,
    /// The HTTP status answered.
    pub http_status: u16,
    /// From the body, when it parsed; as a filter, only this order.
    pub order_id: Option<String>,
    /// From the body, when it parsed.
    pub event_type: Option<String>,
    /// Where the processor stands.
    pub processing_state: ProcessingState,
    /// What processing did or why it failed.
    pub processing_result: Option<String>,
    /// How many times processing finished (successfully or not).
    pub attempts: i64,
    /// When processing finished.
    pub processed_at: Option<DateTime<Utc>>,
    /// The peer's address, when known (None for rows older than migration 0006).
    pub sender: Option<String>,
    /// The request's real sizes (None for rows older than migration 0006).
    pub sizes: Option<RequestSizes>,
}

/// Which deliveries [`list`] returns, newest first.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    /// Only this environment.
    pub environment: Option<Environment>,
    /// From the body, when it parsed; as a filter, only this order.
    pub order_id: Option<String>,
    /// Only this verdict.
    pub verdict: Option<DeliveryVerdict>,
    /// Only this processing state.
    pub processing_state: Option<ProcessingState>,
    /// Only deliveries with a smaller id (keyset paging).
    pub before_id: Option<i64>,
    /// Page size; 100 when None.
    pub limit: Option<u32>,
}

/// Verified deliveries wait for the processor; the others are evidence only.
pub(super) fn initial_state(verdict: DeliveryVerdict) -> ProcessingState {
    match verdict {
        DeliveryVerdict::Verified => ProcessingState::Pending,
        DeliveryVerdict::Rejected | DeliveryVerdict::InvalidBody => ProcessingState::Skipped,
    }
}

/// The one INSERT of a delivery, shared with the inbox writer ([`super::inbox`]): seventeen
/// positional values in column order, `attempts` starting at 0.
pub(super) const INSERT: &str = "INSERT INTO webhook_deliveries (environment, received_at,
    method, path, query, headers_json, body, verdict, reason, http_status, order_id,
    event_type, processing_state, sender, body_bytes, headers_bytes, query_bytes, attempts)
 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)";

/// Stores a delivery and returns its id. When this returns, the row is on disk.
///
/// # Errors
/// [`StoreError::Query`] — the receiver must then not answer 200.
pub async fn insert<'c>(db: impl Db<'c>, delivery: &NewDelivery) -> Result<i64, StoreError> {
    let state = initial_state(delivery.verdict);
    let [body_bytes, headers_bytes, query_bytes] = size_columns(delivery.sizes);
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("insert delivery"))?;
    let done = sqlx::query(INSERT)
        .bind(delivery.environment.as_str())
        .bind(ts(delivery.received_at))
        .bind(&delivery.method)
        .bind(&delivery.path)
        .bind(&delivery.query)
        .bind(&delivery.headers_json)
        .bind(&delivery.body)
        .bind(delivery.verdict.as_str())
        .bind(&delivery.reason)
        .bind(i64::from(delivery.http_status))
        .bind(&delivery.order_id)
        .bind(&delivery.event_type)
        .bind(state.as_str())
        .bind(&delivery.sender)
        .bind(body_bytes)
        .bind(headers_bytes)
        .bind(query_bytes)
        .execute(&mut *conn)
        .await
        .map_err(StoreError::query("insert delivery"))?;
    Ok(done.last_insert_rowid())
}

/// The delivery with this id.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn get<'c>(db: impl Db<'c>, id: i64) -> Result<Option<WebhookDelivery>, StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("get delivery"))?;
    let row = sqlx::query("SELECT * FROM webhook_deliveries WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query("get delivery"))?;
    row.as_ref().map(from_row).transpose()
}

/// Up to `limit` deliveries waiting for processing, oldest first; all environments when `env`
/// is None.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn next_unprocessed<'c>(
    db: impl Db<'c>,
    env: Option<Environment>,
    limit: u32,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT * FROM webhook_deliveries WHERE processing_state = 'pending'",
    );
    if let Some(env) = env {
        qb.push(" AND environment = ");
        qb.push_bind(env.as_str());
    }
    qb.push(" ORDER BY id LIMIT ");
    qb.push_bind(i64::from(limit));
    let rows = super::fetch_built(db, &mut qb, "next deliveries").await?;
    rows.iter().map(from_row).collect()
}

/// How many deliveries wait for processing; all environments when `env` is None.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn backlog_count<'c>(
    db: impl Db<'c>,
    env: Option<Environment>,
) -> Result<u64, StoreError> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE processing_state = 'pending'",
    );
    if let Some(env) = env {
        qb.push(" AND environment = ");
        qb.push_bind(env.as_str());
    }
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("count backlog"))?;
    let n: i64 = qb
        .build_query_scalar()
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query("count backlog"))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Deliveries matching `filter`, newest first.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list<'c>(
    db: impl Db<'c>,
    filter: &DeliveryFilter,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT * FROM ");
    if filter.order_id.is_some() {
        // The by-order index holds only rows that have left 'pending' (migration 0003: the
        // receiver's inserts do not touch it). Pending rows come through the queue index.
        qb.push("(SELECT * FROM webhook_deliveries WHERE processing_state <> 'pending'");
        push_list_filters(&mut qb, filter);
        qb.push(" UNION ALL SELECT * FROM webhook_deliveries WHERE processing_state = 'pending'");
        push_list_filters(&mut qb, filter);
        qb.push(")");
    } else {
        qb.push("webhook_deliveries WHERE 1 = 1");
        push_list_filters(&mut qb, filter);
    }
    qb.push(" ORDER BY id DESC LIMIT ");
    qb.push_bind(i64::from(filter.limit.unwrap_or(100)));
    let rows = super::fetch_built(db, &mut qb, "list deliveries").await?;
    rows.iter().map(from_row).collect()
}

/// `filter`'s conditions, each as ` AND …`.
fn push_list_filters(qb: &mut QueryBuilder<Sqlite>, filter: &DeliveryFilter) {
    if let Some(env) = filter.environment {
        qb.push(" AND environment = ");
        qb.push_bind(env.as_str());
    }
    if let Some(order_id) = &filter.order_id {
        qb.push(" AND order_id = ");
        qb.push_bind(order_id.clone());
    }
    if let Some(verdict) = filter.verdict {
        qb.push(" AND verdict = ");
        qb.push_bind(verdict.as_str());
    }
    if let Some(state) = filter.processing_state {
        qb.push(" AND processing_state = ");
        qb.push_bind(state.as_str());
    }
    if let Some(before) = filter.before_id {
        qb.push(" AND id < ");
        qb.push_bind(before);
    }
}

/// Marks a pending delivery processed with what was done, counting the attempt.
///
/// # Errors
/// [`StoreError::NotFound`]; [`StoreError::Conflict`] if it is not pending;
/// [`StoreError::Query`].
pub async fn mark_processed<'c>(
    db: impl Db<'c>,
    id: i64,
    result: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    finish(db, id, ProcessingState::Processed, result, at).await
}

/// Marks a pending delivery failed with the reason, counting the attempt. It leaves the queue
/// until [`requeue`]d.
///
/// # Errors
/// As [`mark_processed`].
pub async fn mark_failed<'c>(
    db: impl Db<'c>,
    id: i64,
    result: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    finish(db, id, ProcessingState::Failed, result, at).await
}

/// Takes a pending delivery out of the queue without processing it (operator decision).
///
/// # Errors
/// As [`mark_processed`].
pub async fn mark_skipped<'c>(
    db: impl Db<'c>,
    id: i64,
    result: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    finish(db, id, ProcessingState::Skipped, result, at).await
}

/// Puts a failed verified delivery back in the queue (its arrival position is kept).
///
/// # Errors
/// [`StoreError::NotFound`]; [`StoreError::Conflict`] if it is not a failed verified delivery;
/// [`StoreError::Query`].
pub async fn requeue<'c>(db: impl Db<'c>, id: i64) -> Result<(), StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("requeue delivery"))?;
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET processing_state = 'pending'
         WHERE id = ? AND processing_state = 'failed' AND verdict = 'verified'",
    )
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query("requeue delivery"))?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        explain_miss(&mut conn, id, "failed").await
    }
}

/// Puts a verified delivery back in the queue whatever its state (an operator's replay). Its
/// arrival position and attempt count are kept.
///
/// # Errors
/// [`StoreError::NotFound`]; [`StoreError::Conflict`] if it is not a verified delivery;
/// [`StoreError::Query`].
pub async fn reopen_for_replay<'c>(db: impl Db<'c>, id: i64) -> Result<(), StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("reopen delivery"))?;
    let done = sqlx::query(
        "UPDATE webhook_deliveries SET processing_state = 'pending'
         WHERE id = ? AND verdict = 'verified'",
    )
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query("reopen delivery"))?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        explain_miss(&mut conn, id, "verified").await
    }
}

async fn finish<'c>(
    db: impl Db<'c>,
    id: i64,
    to: ProcessingState,
    result: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("finish delivery"))?;
    // The state condition makes a second finish (two processors racing) a visible conflict
    // instead of a silent overwrite.
    let done = sqlx::query(
        "UPDATE webhook_deliveries
         SET processing_state = ?, processing_result = ?, processed_at = ?,
             attempts = attempts + 1
         WHERE id = ? AND processing_state = 'pending'",
    )
    .bind(to.as_str())
    .bind(result)
    .bind(ts(at))
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(StoreError::query("finish delivery"))?;
    if done.rows_affected() == 1 {
        Ok(())
    } else {
        explain_miss(&mut conn, id, "pending").await
    }
}

/// Turns an update that matched no row into NotFound or Conflict.
async fn explain_miss(
    conn: &mut sqlx::SqliteConnection,
    id: i64,
    expected: &str,
) -> Result<(), StoreError> {
    match get(&mut *conn, id).await? {
        None => Err(StoreError::NotFound {
            entity: "webhook delivery",
            key: id.to_string(),
        }),
        Some(d) => Err(StoreError::Conflict(format!(
            "webhook delivery {id} is {} ({}), not {expected}",
            d.processing_state, d.verdict
        ))),
    }
}

fn from_row(row: &SqliteRow) -> Result<WebhookDelivery, StoreError> {
    let http_status: i64 = codec::get(row, TABLE, "http_status")?;
    Ok(WebhookDelivery {
        id: codec::get(row, TABLE, "id")?,
        environment: codec::environment(row, TABLE)?,
        received_at: codec::time(row, TABLE, "received_at")?,
        method: codec::get(row, TABLE, "method")?,
        path: codec::get(row, TABLE, "path")?,
        query: codec::get(row, TABLE, "query")?,
        headers_json: codec::get(row, TABLE, "headers_json")?,
        body: codec::get(row, TABLE, "body")?,
        verdict: codec::parsed(row, TABLE, "verdict")?,
        reason: codec::get(row, TABLE, "reason")?,
        http_status: u16::try_from(http_status)
            .map_err(|e| StoreError::corrupt(TABLE, "http_status", e))?,
        order_id: codec::get(row, TABLE, "order_id")?,
        event_type: codec::get(row, TABLE, "event_type")?,
        processing_state: codec::parsed(row, TABLE, "processing_state")?,
        processing_result: codec::get(row, TABLE, "processing_result")?,
        attempts: codec::get(row, TABLE, "attempts")?,
        processed_at: codec::time_opt(row, TABLE, "processed_at")?,
        sender: codec::get(row, TABLE, "sender")?,
        sizes: request_sizes::from_row(row, TABLE)?,
    })
}

#[cfg(test)]
mod tests {
    use super::mask_secret;

    #[test]
    fn masks_follow_the_one_rule_of_the_wire_crate() {
        assert_eq!(mask_secret("k-7f3a-long-value"), "****alue");
        assert_eq!(
            mask_secret("abcdefghijk"),
            "****",
            "11 characters show nothing"
        );
        assert_eq!(mask_secret("abcdefghijkl"), "****ijkl");
    }
}
