//! The order list as the desktop shows it: slim rows (no raw JSON), every filter of the
//! screen, and a capped count — all answered from indexes at a million orders.
//!
//! Owns the list's SQL over `orders` and the `orders_text` trigram index (migration 0002).
//! Invariants: every value is bound, never formatted into SQL; rows come newest first
//! (created_at, order_id descending — a total order, so pages never skip or repeat a row);
//! counting stops at a cap, so a count never scans a million rows.
//!
//! Text search (reference filter and free text) has two plans, chosen per query by reading at
//! most [`NARROW_MATCHES`] + 1 matching rowids from the trigram index:
//! - narrow (few matches): page and count are built from exactly those rowids (plus the order
//!   whose id is the text, when it is one), then sorted;
//! - broad (many matches, or a text under 3 characters, which trigrams cannot index): the
//!   newest-first index is walked with `LIKE` until the page is full, which is quick exactly
//!   because matches are common; the count stops at [`BROAD_COUNT_CAP`].

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

/// A broad text search (thousands of matches) counts no further than this: the operator is
/// told "1,000+" and narrows the search, rather than waiting for an exact count.
pub const BROAD_COUNT_CAP: u32 = 1_000;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextPlan {
    /// No text filter.
    None,
    /// Few matches: exactly these rows (rowids) are candidates.
    Narrow(Vec<i64>),
    /// Many matches or a short text: walk newest first and test each row.
    Broad,
}

impl TextPlan {
    pub fn is_none(&self) -> bool {
        matches!(self, TextPlan::None)
    }
}

/// Decides the text plan of `q` in `env` (one bounded read of the trigram index, and one key
/// lookup when the text is an order id).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn text_plan<'c>(
    db: impl Db<'c>,
    env: Environment,
    q: &OrderListQuery,
) -> Result<TextPlan, StoreError> {
    if !has_text(q) {
        return Ok(TextPlan::None);
    }
    let Some(fts) = fts_query(q) else {
        return Ok(TextPlan::Broad);
    };
    let context = "plan order search";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut rowids: Vec<i64> =
        sqlx::query_scalar("SELECT rowid FROM orders_text WHERE orders_text MATCH ? LIMIT ?")
            .bind(fts)
            .bind(i64::from(NARROW_MATCHES) + 1)
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query(context))?;
    if rowids.len() > NARROW_MATCHES as usize {
        return Ok(TextPlan::Broad);
    }
    // The text may be a whole order id, which the trigram index does not hold.
    if let Some(t) = q.text.as_deref().filter(|t| looks_like_id(t)) {
        let by_id: Option<i64> =
            sqlx::query_scalar("SELECT rowid FROM orders WHERE environment = ? AND order_id = ?")
                .bind(env.as_str())
                .bind(t)
                .fetch_optional(&mut *conn)
                .await
                .map_err(StoreError::query(context))?;
        rowids.extend(by_id);
    }
    Ok(TextPlan::Narrow(rowids))
}

/// Tamara's order ids are UUIDs: 36 characters of hex digits and dashes.
fn looks_like_id(t: &str) -> bool {
    t.len() == 36 && t.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// One page of `q` in `env`, newest first.
///
/// # Errors
/// [`StoreError::CorruptRow`] naming the column that does not decode; [`StoreError::Query`].
pub async fn page<'c>(
    db: impl Db<'c>,
    env: Environment,
    q: &OrderListQuery,
    plan: &TextPlan,
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
    let rows = super::fetch_built(db, &mut qb, "list orders").await?;
    rows.iter().map(decode).collect()
}

/// How many orders in `env` match `q`, counting no further than `cap` (no further than
/// [`BROAD_COUNT_CAP`] on the broad text plan; paging ignored). Returns `(n, capped)`: when
/// `capped`, at least `n` match.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn count<'c>(
    db: impl Db<'c>,
    env: Environment,
    q: &OrderListQuery,
    plan: &TextPlan,
    cap: u32,
) -> Result<(u32, bool), StoreError> {
    let mut qb = QueryBuilder::<Sqlite>::new("SELECT COUNT(*) FROM (SELECT 1 FROM orders");
    let fts = fts_query(q);
    let cap = if *plan == TextPlan::Broad {
        cap.min(BROAD_COUNT_CAP)
    } else {
        cap
    };
    if *plan == TextPlan::Broad
        && let Some(fts) = fts
    {
        // The index gives the same set as the LIKE walk, without testing every row.
        push_filters(&mut qb, env, q, false);
        qb.push(" AND rowid IN (SELECT rowid FROM orders_text WHERE orders_text MATCH ");
        qb.push_bind(fts);
        qb.push(")");
    } else {
        push_where(&mut qb, env, q, plan);
    }
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

fn push_where(
    qb: &mut QueryBuilder<Sqlite>,
    env: Environment,
    q: &OrderListQuery,
    plan: &TextPlan,
) {
    push_filters(qb, env, q, !matches!(plan, TextPlan::Narrow(_)));
    match plan {
        TextPlan::None => {}
        TextPlan::Narrow(rowids) if rowids.is_empty() => {
            qb.push(" AND 1 = 0");
        }
        TextPlan::Narrow(rowids) => {
            qb.push(" AND rowid IN (");
            let mut sep = qb.separated(", ");
            for id in rowids {
                sep.push_bind(*id);
            }
            qb.push(")");
        }
        TextPlan::Broad => {
            if let Some(r) = &q.reference {
                qb.push(" AND order_reference_id LIKE ");
                qb.push_bind(like(r));
                qb.push(" ESCAPE '\\'");
            }
            if let Some(t) = &q.text {
                let pattern = like(t);
                qb.push(" AND (");
                let mut sep = qb.separated(" OR ");
                for column in [
                    "order_reference_id",
                    "customer_name",
                    "customer_email",
                    "customer_phone",
                ] {
                    sep.push(format!("{column} LIKE "));
                    sep.push_bind_unseparated(pattern.clone());
                    sep.push_unseparated(" ESCAPE '\\'");
                }
                qb.push(")");
            }
        }
    }
}

/// The filters other than text: environment, statuses, currency, dates, amounts.
///
/// Every secondary index starts with `environment`. When the candidate rows are already known
/// (a list of rowids, or the trigram index's matches), `indexed = false` writes the
/// environment test so that no index can serve it (`environment || '' = ?`, portable SQL):
/// the planner then reads those rows by rowid instead of walking a million index entries and
/// testing each against the list.
fn push_filters(
    qb: &mut QueryBuilder<Sqlite>,
    env: Environment,
    q: &OrderListQuery,
    indexed: bool,
) {
    qb.push(if indexed {
        " WHERE environment = "
    } else {
        " WHERE environment || '' = "
    });
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
