//! The raw webhook inbox: every delivery that reached the receiver, verified or not.
//!
//! Owns `webhook_deliveries`, on SQLite or PostgreSQL. The receiver calls [`insert`] (or the
//! inbox writer, [`super::inbox`]) and answers the gateway only after it returns; the commit
//! makes the row durable at that point (SQLite's WAL with `synchronous = FULL`, PostgreSQL's
//! write-ahead log), so a verified delivery is never lost even if the process dies the next
//! moment. The processor then takes
//! rows with [`next_unprocessed`] in arrival (id) order and settles each with [`mark_processed`],
//! [`mark_failed`] or [`mark_skipped`].
//!
//! Invariants: only verified deliveries enter the queue (others are stored as `skipped`, kept
//! as evidence); query strings and headers are stored with secrets already masked — masking is
//! the caller's job, [`mask_secret`] is the helper; the body is stored as the caller gives it
//! (verbatim for signed deliveries, a bounded sample for refused ones — the receiver's choice).

use chrono::{DateTime, Utc};

use super::codec::{self, StoreRow, text_enum, ts};
use super::request_sizes;
pub use super::request_sizes::RequestSizes;
pub(super) use super::request_sizes::size_columns;
use super::{Db, DbConn, Environment, StoreError, on_conn};

mod claim;
mod list;
pub use claim::claim_next;
pub use list::{DeliveryFilter, list};
use list::{Sql, bound};

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

/// Verified deliveries wait for the processor; the others are evidence only.
pub(super) fn initial_state(verdict: DeliveryVerdict) -> ProcessingState {
    match verdict {
        DeliveryVerdict::Verified => ProcessingState::Pending,
        DeliveryVerdict::Rejected | DeliveryVerdict::InvalidBody => ProcessingState::Skipped,
    }
}

/// The columns of a delivery's INSERT followed by `$values`: seventeen values in column order,
/// `attempts` starting at 0. One column list for every writer of the inbox.
macro_rules! insert_sql {
    ($values:literal) => {
        concat!(
            "INSERT INTO webhook_deliveries (environment, received_at, method, path, query,
    headers_json, body, verdict, reason, http_status, order_id, event_type, processing_state,
    sender, body_bytes, headers_bytes, query_bytes, attempts) VALUES ",
            $values
        )
    };
}

/// The SQLite inbox writer's INSERT ([`super::inbox`], through rusqlite; its id is SQLite's
/// last insert rowid).
pub(super) const INSERT: &str =
    insert_sql!("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)");

/// The INSERT through sqlx on either backend, answering the new id (PostgreSQL has no last
/// insert rowid).
pub(super) const INSERT_RETURNING: &str = insert_sql!(
    "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, 0) RETURNING id"
);

/// Binds `d`'s seventeen values onto [`INSERT_RETURNING`], in column order.
macro_rules! bind_delivery {
    ($query:expr, $d:expr) => {{
        let d: &$crate::store::deliveries::NewDelivery = $d;
        let [body_bytes, headers_bytes, query_bytes] =
            $crate::store::deliveries::size_columns(d.sizes);
        $query
            .bind(d.environment.as_str())
            .bind($crate::store::codec::ts(d.received_at))
            .bind(d.method.as_str())
            .bind(d.path.as_str())
            .bind(d.query.as_deref())
            .bind(d.headers_json.as_str())
            .bind(d.body.as_str())
            .bind(d.verdict.as_str())
            .bind(d.reason.as_deref())
            .bind(i64::from(d.http_status))
            .bind(d.order_id.as_deref())
            .bind(d.event_type.as_deref())
            .bind($crate::store::deliveries::initial_state(d.verdict).as_str())
            .bind(d.sender.as_deref())
            .bind(body_bytes)
            .bind(headers_bytes)
            .bind(query_bytes)
    }};
}
pub(super) use bind_delivery;

/// Stores a delivery and returns its id. When this returns, the row is durable (SQLite's WAL
/// with `synchronous = FULL`; PostgreSQL's commit).
///
/// # Errors
/// [`StoreError::Query`] — the receiver must then not answer 200.
pub async fn insert<'c>(db: impl Db<'c>, delivery: &NewDelivery) -> Result<i64, StoreError> {
    let context = "insert delivery";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => bind_delivery!(sqlx::query_scalar(INSERT_RETURNING), delivery)
        .fetch_one(c)
        .await)
    .map_err(StoreError::query(context))
}

/// The delivery with this id.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn get<'c>(db: impl Db<'c>, id: i64) -> Result<Option<WebhookDelivery>, StoreError> {
    let context = "get delivery";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query("SELECT * FROM webhook_deliveries WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await
        .map_err(StoreError::query(context))?
        .as_ref()
        .map(from_row)
        .transpose())
}

/// Up to `limit` deliveries waiting for processing, oldest first; all environments when `env`
/// is None.
///
/// On PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED`: called inside a transaction,
/// this is a claim — a concurrent claimer (another server instance on the same database) skips
/// these rows until the transaction ends instead of taking the same deliveries. SQLite has no
/// such clause and needs none: its writers are serialised by the file's lock. Outside a
/// transaction the lock ends with the statement, and the finish's `pending` condition
/// ([`mark_processed`]) is what makes a second settle a visible conflict.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn next_unprocessed<'c>(
    db: impl Db<'c>,
    env: Option<Environment>,
    limit: u32,
) -> Result<Vec<WebhookDelivery>, StoreError> {
    let context = "next deliveries";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut sql = Sql::new("SELECT * FROM webhook_deliveries WHERE processing_state = 'pending'");
    if let Some(env) = env {
        sql.push(" AND environment = ");
        sql.bind(env.as_str());
    }
    sql.push(" ORDER BY id LIMIT ");
    sql.bind(i64::from(limit));
    if conn.is_postgres() {
        sql.push(" FOR UPDATE SKIP LOCKED");
    }
    on_conn!(conn, c => bound!(sql, sqlx::query(sql.text()))
        .fetch_all(c)
        .await
        .map_err(StoreError::query(context))?
        .iter()
        .map(from_row)
        .collect())
}

/// How many deliveries wait for processing; all environments when `env` is None.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn backlog_count<'c>(
    db: impl Db<'c>,
    env: Option<Environment>,
) -> Result<u64, StoreError> {
    let context = "count backlog";
    let mut sql =
        Sql::new("SELECT COUNT(*) FROM webhook_deliveries WHERE processing_state = 'pending'");
    if let Some(env) = env {
        sql.push(" AND environment = ");
        sql.bind(env.as_str());
    }
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let n: i64 =
        on_conn!(conn, c => bound!(sql, sqlx::query_scalar(sql.text())).fetch_one(c).await)
            .map_err(StoreError::query(context))?;
    Ok(u64::try_from(n).unwrap_or(0))
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
    let context = "requeue delivery";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let done = on_conn!(conn, c => sqlx::query(
        "UPDATE webhook_deliveries SET processing_state = 'pending'
         WHERE id = $1 AND processing_state = 'failed' AND verdict = 'verified'",
    )
    .bind(id)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .map_err(StoreError::query(context))?;
    if done == 1 {
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
    let context = "reopen delivery";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let done = on_conn!(conn, c => sqlx::query(
        "UPDATE webhook_deliveries SET processing_state = 'pending'
         WHERE id = $1 AND verdict = 'verified'",
    )
    .bind(id)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .map_err(StoreError::query(context))?;
    if done == 1 {
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
    let context = "finish delivery";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    // The state condition makes a second finish (two processors racing) a visible conflict
    // instead of a silent overwrite. On PostgreSQL a racing UPDATE waits for the first to
    // commit, then re-reads the row and finds it no longer pending.
    let done = on_conn!(conn, c => sqlx::query(
        "UPDATE webhook_deliveries
         SET processing_state = $1, processing_result = $2, processed_at = $3,
             attempts = attempts + 1
         WHERE id = $4 AND processing_state = 'pending'",
    )
    .bind(to.as_str())
    .bind(result)
    .bind(ts(at))
    .bind(id)
    .execute(c)
    .await
    .map(|d| d.rows_affected()))
    .map_err(StoreError::query(context))?;
    if done == 1 {
        Ok(())
    } else {
        explain_miss(&mut conn, id, "pending").await
    }
}

/// Turns an update that matched no row into NotFound or Conflict.
async fn explain_miss(conn: &mut DbConn<'_>, id: i64, expected: &str) -> Result<(), StoreError> {
    match get(conn, id).await? {
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

fn from_row(row: &impl StoreRow) -> Result<WebhookDelivery, StoreError> {
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
