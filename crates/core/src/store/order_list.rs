//! The order list as the desktop shows it: slim rows (no raw JSON), every filter of the
//! screen, and a capped count — all answered from indexes at a million orders.
//!
//! Owns the list's SQL over `orders` and the `orders_text` trigram index (migration 0002).
//! Invariants: every value is bound, never formatted into SQL; rows come newest first
//! (created_at, order_id descending — a total order, so pages never skip or repeat a row);
//! counting stops at a cap, so a count never scans a million rows.
//!
//! Text search (reference filter and free text) has two plans, chosen per query by asking the
//! trigram index how many orders contain the text (at most [`NARROW_MATCHES`] + 1 read):
//! - narrow (few matches): the page is built from the matching rowids, then sorted;
//! - broad (many matches, or a text under 3 characters, which trigrams cannot index): the
//!   newest-first index is walked with `LIKE` until the page is full, which is quick exactly
//!   because matches are common.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row as _, Sqlite};

use super::codec::ts;
use super::{Db, Environment, StoreError};
use crate::money::{Currency, Money};

const TABLE: &str = "orders";

/// Text searches with at most this many matches take the narrow plan.
pub const NARROW_MATCHES: u32 = 5_000;

/// Largest page.
pub const MAX_LIMIT: u32 = 1_000;

/// The shortest text the trigram index can answer.
const TRIGRAM: usize = 3;

/// Which orders, and which page of them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OrderListQuery {
    /// Any of these statuses; empty: every status.
    pub statuses: Vec<String>,
    pub currency: Option<Currency>,
    /// Part of the merchant's reference, case-insensitive.
    pub reference: Option<String>,
    /// Part of the reference, customer name, email or phone; or a whole order id.
    pub text: Option<String>,
    /// Created at or after.
    pub created_from: Option<DateTime<Utc>>,
    /// Created strictly before.
    pub created_to: Option<DateTime<Utc>>,
    /// Total at least (in the order's own currency).
    pub amount_min: Option<Decimal>,
    /// Total at most.
    pub amount_max: Option<Decimal>,
    pub offset: u32,
    /// 1 to [`MAX_LIMIT`].
    pub limit: u32,
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderListRow {
    pub order_id: String,
    pub order_reference_id: String,
    pub status: String,
    pub total: Money,
    pub captured: Money,
    pub refunded: Money,
    pub created_at: DateTime<Utc>,
    pub customer_name: Option<String>,
}

/// How [`page`] and [`count`] will search text (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextPlan {
    /// No text filter.
    None,
    /// Few matches: start from the trigram index.
    Narrow,
    /// Many matches or a short text: walk newest first and test each row.
    Broad,
}

/// Decides the text plan of `q` (one bounded read of the trigram index).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn text_plan<'c>(db: impl Db<'c>, q: &OrderListQuery) -> Result<TextPlan, StoreError> {
    let Some(fts) = fts_query(q) else {
        return Ok(if has_text(q) {
            TextPlan::Broad
        } else {
            TextPlan::None
        });
    };
    let mut conn = db
        .conn()
        .await
        .map_err(StoreError::query("plan order search"))?;
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT rowid FROM orders_text WHERE orders_text MATCH ? LIMIT ?)",
    )
    .bind(fts)
    .bind(i64::from(NARROW_MATCHES) + 1)
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::query("plan order search"))?;
    Ok(if n > i64::from(NARROW_MATCHES) {
        TextPlan::Broad
    } else {
        TextPlan::Narrow
    })
}

/// One page of `q` in `env`, newest first.
///
/// # Errors
/// [`StoreError::CorruptRow`] naming the column that does not decode; [`StoreError::Query`].
pub async fn page<'c>(
    db: impl Db<'c>,
    env: Environment,
    q: &OrderListQuery,
    plan: TextPlan,
) -> Result<Vec<OrderListRow>, StoreError> {
    let mut qb = QueryBuilder::<Sqlite>::new(
        "SELECT order_id, order_reference_id, status, currency, total_amount, captured_amount,
                refunded_amount, created_at, customer_name FROM orders",
    );
    push_where(&mut qb, env, q, plan);
    qb.push(" ORDER BY created_at DESC, order_id DESC LIMIT ");
    qb.push_bind(i64::from(q.limit.clamp(1, MAX_LIMIT)));
    qb.push(" OFFSET ");
    qb.push_bind(i64::from(q.offset));
    let mut conn = db.conn().await.map_err(StoreError::query("list orders"))?;
    let rows = qb
        .build()
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::query("list orders"))?;
    rows.iter().map(decode).collect()
}

/// How many orders in `env` match `q`, counting no further than `cap` (paging ignored).
/// Returns `(n, capped)`: when `capped`, at least `n` match.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn count<'c>(
    db: impl Db<'c>,
    env: Environment,
    q: &OrderListQuery,
    plan: TextPlan,
    cap: u32,
) -> Result<(u32, bool), StoreError> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM (SELECT 1 FROM orders");
    // The broad plan's LIKE would test every row; the index gives the same set.
    let plan = if plan == TextPlan::Broad && fts_query(q).is_some() {
        TextPlan::Narrow
    } else {
        plan
    };
    push_where(&mut qb, env, q, plan);
    qb.push(" LIMIT ");
    qb.push_bind(i64::from(cap) + 1);
    qb.push(")");
    let mut conn = db.conn().await.map_err(StoreError::query("count orders"))?;
    let n: i64 = qb
        .build_query_scalar()
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query("count orders"))?;
    let n = u32::try_from(n).unwrap_or(u32::MAX);
    Ok(if n > cap { (cap, true) } else { (n, false) })
}

fn has_text(q: &OrderListQuery) -> bool {
    q.reference.is_some() || q.text.is_some()
}

/// The FTS5 query for the text filters, or None when there is none or one is too short for
/// trigrams. Each text is one quoted phrase, so nothing the user types is FTS syntax.
fn fts_query(q: &OrderListQuery) -> Option<String> {
    let phrase = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    let long = |t: &str| t.chars().count() >= TRIGRAM;
    let mut parts = Vec::new();
    if let Some(r) = &q.reference {
        if !long(r) {
            return None;
        }
        parts.push(format!("order_reference_id : {}", phrase(r)));
    }
    if let Some(t) = &q.text {
        if !long(t) {
            return None;
        }
        parts.push(phrase(t));
    }
    (!parts.is_empty()).then(|| parts.join(" AND "))
}

fn like(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn push_where(qb: &mut QueryBuilder<Sqlite>, env: Environment, q: &OrderListQuery, plan: TextPlan) {
    qb.push(" WHERE environment = ");
    qb.push_bind(env.as_str());
    if !q.statuses.is_empty() {
        qb.push(" AND status IN (");
        let mut sep = qb.separated(", ");
        for s in &q.statuses {
            sep.push_bind(s.clone());
        }
        qb.push(")");
    }
    if let Some(c) = q.currency {
        qb.push(" AND currency = ");
        qb.push_bind(c.code());
    }
    if let Some(from) = q.created_from {
        qb.push(" AND created_at >= ");
        qb.push_bind(ts(from));
    }
    if let Some(to) = q.created_to {
        qb.push(" AND created_at < ");
        qb.push_bind(ts(to));
    }
    // Bound as text and cast by SQLite, exactly like the indexed expression.
    if let Some(min) = q.amount_min {
        qb.push(" AND CAST(total_amount AS REAL) >= CAST(");
        qb.push_bind(min.to_string());
        qb.push(" AS REAL)");
    }
    if let Some(max) = q.amount_max {
        qb.push(" AND CAST(total_amount AS REAL) <= CAST(");
        qb.push_bind(max.to_string());
        qb.push(" AS REAL)");
    }
    match plan {
        TextPlan::None => {}
        TextPlan::Narrow => {
            if let Some(fts) = fts_query(q) {
                qb.push(" AND (rowid IN (SELECT rowid FROM orders_text WHERE orders_text MATCH ");
                qb.push_bind(fts);
                qb.push(")");
                if let Some(t) = &q.text {
                    qb.push(" OR order_id = ");
                    qb.push_bind(t.clone());
                }
                qb.push(")");
            }
        }
        TextPlan::Broad => {
            if let Some(r) = &q.reference {
                qb.push(" AND order_reference_id LIKE ");
                qb.push_bind(like(r));
                qb.push(" ESCAPE '\\'");
            }
            if let Some(t) = &q.text {
                let pattern = like(t);
                qb.push(" AND (order_id = ");
                qb.push_bind(t.clone());
                for column in [
                    "order_reference_id",
                    "customer_name",
                    "customer_email",
                    "customer_phone",
                ] {
                    qb.push(format!(" OR {column} LIKE "));
                    qb.push_bind(pattern.clone());
                    qb.push(" ESCAPE '\\'");
                }
                qb.push(")");
            }
        }
    }
}

fn decode(r: &SqliteRow) -> Result<OrderListRow, StoreError> {
    let text = |c: &'static str| -> Result<String, StoreError> {
        r.try_get::<String, _>(c)
            .map_err(|e| StoreError::corrupt(TABLE, c, e))
    };
    let currency: Currency = text("currency")?
        .parse()
        .map_err(|e| StoreError::corrupt(TABLE, "currency", e))?;
    let money = |c: &'static str| -> Result<Money, StoreError> {
        Money::parse(&text(c)?, currency).map_err(|e| StoreError::corrupt(TABLE, c, e))
    };
    let created = text("created_at")?;
    Ok(OrderListRow {
        order_id: text("order_id")?,
        order_reference_id: text("order_reference_id")?,
        status: text("status")?,
        total: money("total_amount")?,
        captured: money("captured_amount")?,
        refunded: money("refunded_amount")?,
        created_at: DateTime::parse_from_rfc3339(&created)
            .map_err(|e| StoreError::corrupt(TABLE, "created_at", e))?
            .with_timezone(&Utc),
        customer_name: r
            .try_get("customer_name")
            .map_err(|e| StoreError::corrupt(TABLE, "customer_name", e))?,
    })
}
