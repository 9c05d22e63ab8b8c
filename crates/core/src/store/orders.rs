//! The order projection: one row per gateway order per environment, the last state we know.
//!
//! Owns the `orders` table's rows: webhook processing and polling write them through
//! [`upsert`]; single orders are read by id or reference, exports stream them. Lists of orders
//! (the screen, the CLI, sweeps) are read through [`super::order_list`], the one list query,
//! which stays index-backed up to a million rows (indexes on status, created_at and
//! order_reference_id, each behind `environment`).
//!
//! Invariants: all amounts of an order are in one currency (the total's), checked on write;
//! `status` is stored as the gateway's text and interpreted by the domain, so an unknown future
//! status is kept, not lost. This module does not decide whether a status may move backwards —
//! the caller does, before it upserts.

use chrono::{DateTime, Utc};
use futures::StreamExt as _;
use futures::stream::BoxStream;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use super::codec::{self, StoreRow, ts};
use super::{Db, Environment, Store, StoreError, on_conn, on_pool};
use crate::money::{Currency, Money};

const TABLE: &str = "orders";

/// An order as stored: the gateway's details plus our sync times.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRecord {
    /// The environment this row belongs to.
    pub environment: Environment,
    /// Tamara's order id (UUID text).
    pub order_id: String,
    /// The merchant's reference.
    pub order_reference_id: String,
    /// The customer-facing order number.
    pub order_number: Option<String>,
    /// The gateway's status text (`authorised`, `partially_captured`, …).
    pub status: String,
    /// `PAY_BY_INSTALMENTS`, `PAY_NOW`, …
    pub payment_type: Option<String>,
    /// Number of instalments (None for pay-now).
    pub instalments: Option<i64>,
    /// The order total; its currency is the order's currency.
    pub total: Money,
    /// Amount authorised so far.
    pub authorised: Money,
    /// Cumulative captured amount.
    pub captured: Money,
    /// Cumulative refunded amount.
    pub refunded: Money,
    /// Cumulative canceled amount.
    pub canceled: Money,
    /// What the customer has paid Tamara so far (not what Tamara owes the merchant).
    pub paid: Money,
    /// Customer's full name.
    pub customer_name: Option<String>,
    /// Customer's phone number, as the gateway sends it.
    pub customer_phone: Option<String>,
    /// Customer's email.
    pub customer_email: Option<String>,
    /// ISO 3166-1 alpha-2 country.
    pub country_code: Option<String>,
    /// The gateway's settlement flag (`pending`, empty, …).
    pub settlement_status: Option<String>,
    /// As the gateway sent it; its format is undocumented, so it stays text.
    pub settlement_date: Option<String>,
    /// The order's description.
    pub description: Option<String>,
    /// When the gateway created the order.
    pub created_at: DateTime<Utc>,
    /// When this row last changed.
    pub updated_at: DateTime<Utc>,
    /// When we last read the order from the API (None if only webhooks told us).
    pub last_synced_at: Option<DateTime<Utc>>,
    /// The last order-details JSON from the gateway, verbatim.
    pub raw_json: Option<String>,
}

impl OrderRecord {
    /// The order's currency (the total's).
    pub fn currency(&self) -> Currency {
        self.total.currency()
    }
}

/// Inserts the order or replaces every column of the stored one (the key stays).
///
/// # Errors
/// [`StoreError::Invalid`] if an amount is not in the total's currency;
/// [`StoreError::Query`] if the write fails.
pub async fn upsert<'c>(db: impl Db<'c>, order: &OrderRecord) -> Result<(), StoreError> {
    let currency = order.currency();
    for (what, value) in [
        ("authorised amount", &order.authorised),
        ("captured amount", &order.captured),
        ("refunded amount", &order.refunded),
        ("canceled amount", &order.canceled),
        ("paid amount", &order.paid),
    ] {
        codec::same_currency(what, value, currency)?;
    }
    let mut conn = db.conn().await.map_err(StoreError::query("upsert order"))?;
    on_conn!(conn, c => sqlx::query(
        "INSERT INTO orders (environment, order_id, order_reference_id, order_number, status,
            payment_type, instalments, currency, total_amount, authorised_amount,
            captured_amount, refunded_amount, canceled_amount, paid_amount, customer_name,
            customer_phone, customer_email, country_code, settlement_status, settlement_date,
            description, created_at, updated_at, last_synced_at, raw_json, customer_phone_key)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                 $19, $20, $21, $22, $23, $24, $25, $26)
         ON CONFLICT (environment, order_id) DO UPDATE SET
            order_reference_id = excluded.order_reference_id,
            order_number = excluded.order_number,
            status = excluded.status,
            payment_type = excluded.payment_type,
            instalments = excluded.instalments,
            currency = excluded.currency,
            total_amount = excluded.total_amount,
            authorised_amount = excluded.authorised_amount,
            captured_amount = excluded.captured_amount,
            refunded_amount = excluded.refunded_amount,
            canceled_amount = excluded.canceled_amount,
            paid_amount = excluded.paid_amount,
            customer_name = excluded.customer_name,
            customer_phone = excluded.customer_phone,
            customer_email = excluded.customer_email,
            customer_phone_key = excluded.customer_phone_key,
            country_code = excluded.country_code,
            settlement_status = excluded.settlement_status,
            settlement_date = excluded.settlement_date,
            description = excluded.description,
            created_at = excluded.created_at,
            -- A re-read that changes nothing keeps the time of the last real change: the
            -- app's change feed and the webhook-silence check read it.
            updated_at = CASE
                WHEN orders.raw_json IS NOT DISTINCT FROM excluded.raw_json AND orders.status = excluded.status
                    AND orders.captured_amount = excluded.captured_amount
                    AND orders.refunded_amount = excluded.refunded_amount
                    AND orders.canceled_amount = excluded.canceled_amount
                    AND orders.authorised_amount = excluded.authorised_amount
                THEN orders.updated_at ELSE excluded.updated_at END,
            last_synced_at = excluded.last_synced_at,
            raw_json = excluded.raw_json",
    )
    .bind(order.environment.as_str())
    .bind(&order.order_id)
    .bind(&order.order_reference_id)
    .bind(&order.order_number)
    .bind(&order.status)
    .bind(&order.payment_type)
    .bind(order.instalments)
    .bind(currency.code())
    .bind(order.total.amount_text())
    .bind(order.authorised.amount_text())
    .bind(order.captured.amount_text())
    .bind(order.refunded.amount_text())
    .bind(order.canceled.amount_text())
    .bind(order.paid.amount_text())
    .bind(&order.customer_name)
    .bind(&order.customer_phone)
    .bind(&order.customer_email)
    .bind(&order.country_code)
    .bind(&order.settlement_status)
    .bind(&order.settlement_date)
    .bind(&order.description)
    .bind(ts(order.created_at))
    .bind(ts(order.updated_at))
    .bind(order.last_synced_at.map(ts))
    .bind(&order.raw_json)
    .bind(phone_key(order.customer_phone.as_deref()))
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(StoreError::query("upsert order"))
}

/// What `orders.customer_phone_key` holds for a phone: its national number
/// ([`crate::phone::key`]), `''` for a phone that is no number, NULL for no phone.
fn phone_key(phone: Option<&str>) -> Option<String> {
    phone.map(|p| crate::phone::key(p).unwrap_or_default())
}

/// Fills `customer_phone_key` for orders cached before migration 0009, in batches; a no-op
/// (one probe of a partial index) once done. Returns how many rows it filled.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn backfill_phone_keys(store: &super::Store) -> Result<u64, StoreError> {
    let context = "fill phone keys";
    let mut filled = 0;
    loop {
        // By primary key, not SQLite's rowid, so the same text runs on PostgreSQL.
        let rows: Vec<(String, String, String)> = {
            let mut conn = store.conn().await.map_err(StoreError::query(context))?;
            on_conn!(conn, c => sqlx::query_as(
                "SELECT environment, order_id, customer_phone FROM orders
                 WHERE customer_phone IS NOT NULL AND customer_phone_key IS NULL LIMIT 1000",
            )
            .fetch_all(c)
            .await)
            .map_err(StoreError::query(context))?
        };
        if rows.is_empty() {
            return Ok(filled);
        }
        let mut tx = store.begin().await?;
        let mut conn = tx.as_db();
        for (env, order_id, phone) in &rows {
            on_conn!(conn, c => sqlx::query(
                "UPDATE orders SET customer_phone_key = $1
                 WHERE environment = $2 AND order_id = $3",
            )
            .bind(phone_key(Some(phone)))
            .bind(env)
            .bind(order_id)
            .execute(c)
            .await
            .map(|_| ()))
            .map_err(StoreError::query(context))?;
        }
        drop(conn);
        tx.commit().await.map_err(StoreError::query(context))?;
        filled += rows.len() as u64;
    }
}

/// The order with this gateway id in `env`, if stored.
///
/// # Errors
/// [`StoreError::CorruptRow`] if the stored row does not decode; [`StoreError::Query`].
pub async fn get<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_id: &str,
) -> Result<Option<OrderRecord>, StoreError> {
    let mut conn = db.conn().await.map_err(StoreError::query("get order"))?;
    on_conn!(conn, c => sqlx::query("SELECT * FROM orders WHERE environment = $1 AND order_id = $2")
        .bind(env.as_str())
        .bind(order_id)
        .fetch_optional(c)
        .await
        .map_err(StoreError::query("get order"))?
        .as_ref()
        .map(from_row)
        .transpose())
}

/// The most recently created order with this merchant reference in `env`. References are the
/// merchant's free text and may repeat; the newest wins, as on the gateway's lookup.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn get_by_reference<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_reference_id: &str,
) -> Result<Option<OrderRecord>, StoreError> {
    let mut conn = db
        .conn()
        .await
        .map_err(StoreError::query("get order by reference"))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM orders WHERE environment = $1 AND order_reference_id = $2
         ORDER BY created_at DESC, order_id DESC LIMIT 1",
    )
    .bind(env.as_str())
    .bind(order_reference_id)
    .fetch_optional(c)
    .await
    .map_err(StoreError::query("get order by reference"))?
    .as_ref()
    .map(from_row)
    .transpose())
}

/// One stored order as the database returned it, for streaming exports; decoded by
/// [`OrderLine::view`] without copying. The raw gateway JSON is not read.
#[derive(Debug)]
pub struct OrderLine(LineRow);

/// The row of an [`OrderLine`], by backend.
#[derive(Debug)]
enum LineRow {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl From<SqliteRow> for OrderLine {
    fn from(row: SqliteRow) -> Self {
        OrderLine(LineRow::Sqlite(row))
    }
}

impl From<PgRow> for OrderLine {
    fn from(row: PgRow) -> Self {
        OrderLine(LineRow::Postgres(row))
    }
}

/// An [`OrderLine`] decoded: text borrowed from the row, amounts as stored text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderView<'r> {
    pub environment: &'r str,
    pub order_id: &'r str,
    pub order_reference_id: &'r str,
    pub order_number: Option<&'r str>,
    pub status: &'r str,
    pub payment_type: Option<&'r str>,
    pub instalments: Option<i64>,
    pub currency: &'r str,
    pub total: &'r str,
    pub authorised: &'r str,
    pub captured: &'r str,
    pub refunded: &'r str,
    pub canceled: &'r str,
    pub paid: &'r str,
    pub customer_name: Option<&'r str>,
    pub customer_phone: Option<&'r str>,
    pub customer_email: Option<&'r str>,
    pub country_code: Option<&'r str>,
    pub settlement_status: Option<&'r str>,
    pub settlement_date: Option<&'r str>,
    pub description: Option<&'r str>,
    /// Stored time texts (RFC 3339 UTC, nine-digit fraction).
    pub created_at: &'r str,
    pub updated_at: &'r str,
    pub last_synced_at: Option<&'r str>,
}

impl OrderLine {
    /// Borrows the row's cells.
    ///
    /// # Errors
    /// [`StoreError::CorruptRow`] naming the column that does not decode.
    pub fn view(&self) -> Result<OrderView<'_>, StoreError> {
        match &self.0 {
            LineRow::Sqlite(r) => view(r),
            LineRow::Postgres(r) => view(r),
        }
    }
}

fn view(r: &impl StoreRow) -> Result<OrderView<'_>, StoreError> {
    {
        let text = |i, c| codec::text_at(r, i, TABLE, c);
        let opt = |i, c| codec::opt_text_at(r, i, TABLE, c);
        Ok(OrderView {
            environment: text(0, "environment")?,
            order_id: text(1, "order_id")?,
            order_reference_id: text(2, "order_reference_id")?,
            order_number: opt(3, "order_number")?,
            status: text(4, "status")?,
            payment_type: opt(5, "payment_type")?,
            // By name: the one non-text cell (StoreRow borrows text by position only).
            instalments: codec::get(r, TABLE, "instalments")?,
            currency: text(7, "currency")?,
            total: text(8, "total_amount")?,
            authorised: text(9, "authorised_amount")?,
            captured: text(10, "captured_amount")?,
            refunded: text(11, "refunded_amount")?,
            canceled: text(12, "canceled_amount")?,
            paid: text(13, "paid_amount")?,
            customer_name: opt(14, "customer_name")?,
            customer_phone: opt(15, "customer_phone")?,
            customer_email: opt(16, "customer_email")?,
            country_code: opt(17, "country_code")?,
            settlement_status: opt(18, "settlement_status")?,
            settlement_date: opt(19, "settlement_date")?,
            description: opt(20, "description")?,
            created_at: text(21, "created_at")?,
            updated_at: text(22, "updated_at")?,
            last_synced_at: opt(23, "last_synced_at")?,
        })
    }
}

/// The part of [`stream_created_between`]'s statement both dialects share.
macro_rules! stream_sql {
    () => {
        "SELECT environment, order_id, order_reference_id, order_number, status, payment_type,
            instalments, currency, total_amount, authorised_amount, captured_amount,
            refunded_amount, canceled_amount, paid_amount, customer_name, customer_phone,
            customer_email, country_code, settlement_status, settlement_date, description,
            created_at, updated_at, last_synced_at
         FROM orders
         WHERE environment = $1 AND created_at >= $2 AND created_at < $3 AND ("
    };
}

/// Streams the orders of `env` created in `[from, to)` (either bound optional), oldest first
/// by (created_at, order_id), one row in memory at a time: the source of order exports. With
/// `only`, just the orders with those ids (a selection in the list); ids not cached are skipped.
pub fn stream_created_between<'s>(
    store: &'s Store,
    env: Environment,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    only: Option<&[String]>,
) -> BoxStream<'s, Result<OrderLine, StoreError>> {
    // Absent bounds become the extremes of the fixed-width time text, so one statement (and
    // one index range on orders_by_created) serves every case.
    let from = from.map_or_else(|| String::from("0"), ts);
    let to = to.map_or_else(|| String::from("A"), ts);
    // The selection travels as one JSON array, not one placeholder per id; each dialect
    // unpacks it with its own function (json_each / jsonb_array_elements_text).
    let only = only.map(|ids| serde_json::Value::from(ids.to_vec()).to_string());
    // Both dialects' texts, side by side: only the JSON unpacking differs.
    let sql = if store.postgres_pool().is_some() {
        concat!(
            stream_sql!(),
            "$4::text IS NULL OR order_id IN (SELECT jsonb_array_elements_text($4::jsonb)))
             ORDER BY created_at, order_id"
        )
    } else {
        concat!(
            stream_sql!(),
            "$4 IS NULL OR order_id IN (SELECT value FROM json_each($4)))
             ORDER BY created_at, order_id"
        )
    };
    on_pool!(store, pool => sqlx::query(sql)
        .bind(env.as_str())
        .bind(from)
        .bind(to)
        .bind(only)
        .fetch(pool)
        .map(|row| row.map(OrderLine::from).map_err(StoreError::query("stream orders")))
        .boxed())
}

/// Decodes a `SELECT *` row; the list's full-record projection reads through it too.
pub(super) fn from_row(row: &impl StoreRow) -> Result<OrderRecord, StoreError> {
    let currency = codec::currency(row, TABLE, "currency")?;
    let money = |column| codec::money(row, TABLE, column, currency);
    Ok(OrderRecord {
        environment: codec::environment(row, TABLE)?,
        order_id: codec::get(row, TABLE, "order_id")?,
        order_reference_id: codec::get(row, TABLE, "order_reference_id")?,
        order_number: codec::get(row, TABLE, "order_number")?,
        status: codec::get(row, TABLE, "status")?,
        payment_type: codec::get(row, TABLE, "payment_type")?,
        instalments: codec::get(row, TABLE, "instalments")?,
        total: money("total_amount")?,
        authorised: money("authorised_amount")?,
        captured: money("captured_amount")?,
        refunded: money("refunded_amount")?,
        canceled: money("canceled_amount")?,
        paid: money("paid_amount")?,
        customer_name: codec::get(row, TABLE, "customer_name")?,
        customer_phone: codec::get(row, TABLE, "customer_phone")?,
        customer_email: codec::get(row, TABLE, "customer_email")?,
        country_code: codec::get(row, TABLE, "country_code")?,
        settlement_status: codec::get(row, TABLE, "settlement_status")?,
        settlement_date: codec::get(row, TABLE, "settlement_date")?,
        description: codec::get(row, TABLE, "description")?,
        created_at: codec::time(row, TABLE, "created_at")?,
        updated_at: codec::time(row, TABLE, "updated_at")?,
        last_synced_at: codec::time_opt(row, TABLE, "last_synced_at")?,
        raw_json: codec::get(row, TABLE, "raw_json")?,
    })
}

/// Orders of `env` approved and not yet authorised: how many, and the oldest's last change
/// (the approval, for an order that has not moved since) — read through the status index.
///
/// # Errors
/// [`StoreError::Query`]; [`StoreError::CorruptRow`].
pub async fn approved_waiting<'c>(
    db: impl Db<'c>,
    env: Environment,
) -> Result<(u64, Option<DateTime<Utc>>), StoreError> {
    let context = "read approved orders";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let (n, oldest): (i64, Option<DateTime<Utc>>) = on_conn!(conn, c => {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n, MIN(updated_at) AS oldest FROM orders
             WHERE environment = $1 AND status = 'approved'",
        )
        .bind(env.as_str())
        .fetch_one(c)
        .await
        .map_err(StoreError::query(context))?;
        (codec::get(&row, TABLE, "n")?, codec::time_opt(&row, TABLE, "oldest")?)
    });
    Ok((u64::try_from(n).unwrap_or(0), oldest))
}
