//! The order list: one query ([`OrderListQuery`]) and one WHERE builder for every reader of
//! many orders — the desktop screen, the CLI, the reconciler's sweeps and the checklist.
//!
//! Owns the list's SQL over `orders` and the `orders_text` trigram index (migration 0002), in
//! two projections of the same rows: slim [`OrderListRow`]s for the screen ([`page`]) and full
//! [`OrderRecord`]s for the CLI and sweeps ([`records`]); plus [`count`], capped or exact.
//! Invariants: every value is bound, never formatted into SQL; rows come newest first
//! (created_at, order_id descending — a total order, so offset and keyset pages never skip or
//! repeat a row); both projections run the same WHERE and ORDER BY, so for one query they
//! hold the same orders in the same order; a capped count never scans a million rows.
//!
//! Text search (reference filter and free text) has two plans, chosen per query by reading at
//! most [`NARROW_MATCHES`] + 1 matching rowids from the trigram index:
//! - narrow (few matches): page and count are built from exactly those rowids (plus the order
//!   whose id is the text, when it is one), then sorted;
//! - broad (many matches, or a text under 3 characters, which trigrams cannot index): the
//!   newest-first index is walked with `LIKE` until the page is full, which is quick exactly
//!   because matches are common; the capped count stops at [`BROAD_COUNT_CAP`].
//!
//! A query with text run on [`TextPlan::None`] takes the `LIKE` walk: right, only slower.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Sqlite};

use super::codec::{self, ts};
use super::orders::{self, OrderRecord};
use super::{Db, Environment, StoreError};
use crate::money::{Currency, Money};

const TABLE: &str = "orders";

/// Text searches with at most this many matches take the narrow plan.
pub const NARROW_MATCHES: u32 = 5_000;

/// A broad text search (thousands of matches) counts no further than this when capped: the
/// operator is told "1,000+" and narrows the search, rather than waiting for an exact count.
pub const BROAD_COUNT_CAP: u32 = 1_000;

/// Page size of a query that names none ([`OrderListQuery::default`]).
pub const DEFAULT_PAGE: u32 = 100;
/// Largest page, whatever the query asks; screens set their own, smaller limit.
pub const MAX_PAGE: u32 = 10_000;

/// The shortest text the trigram index can answer.
const TRIGRAM: usize = 3;

/// How the go-live rehearsal (`checklist::rehearse`) begins each order reference it creates:
/// the mark of a rehearsal order, which real traffic never carries.
pub const REHEARSAL_PREFIX: &str = "REHEARSE-";

/// Whether `reference` is a rehearsal order's.
pub fn is_rehearsal(reference: &str) -> bool {
    reference.starts_with(REHEARSAL_PREFIX)
}

/// Which orders, and which page of them. The default matches every order, first page.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderListQuery {
    /// Any of these statuses; empty: every status. (A caller meaning "none" does not query.)
    pub statuses: Vec<String>,
    pub currency: Option<Currency>,
    /// Part of the merchant's reference; ASCII letters match in either case.
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
    /// Rehearsal orders ([`is_rehearsal`]): `None` every order, `Some(false)` none of them
    /// (the screen's default), `Some(true)` only them.
    pub rehearsal: Option<bool>,
    /// Only orders cached at or before this arrival mark ([`arrival_mark`]): a list pinned
    /// there keeps its rows while new orders arrive.
    pub arrived_upto: Option<i64>,
    /// Only orders cached after this arrival mark: the ones a pinned list has not shown.
    pub arrived_after: Option<i64>,
    /// Keyset paging: only rows after this one in list order. Sweeps use it because an offset
    /// re-walks every skipped row; ignored by [`count`].
    pub after: Option<OrderCursor>,
    /// Rows to skip; ignored by [`count`].
    pub offset: u32,
    /// Page size, clamped to 1 ..= [`MAX_PAGE`]; ignored by [`count`].
    pub limit: u32,
}

impl Default for OrderListQuery {
    fn default() -> Self {
        OrderListQuery {
            statuses: Vec::new(),
            currency: None,
            reference: None,
            text: None,
            created_from: None,
            created_to: None,
            amount_min: None,
            amount_max: None,
            rehearsal: None,
            arrived_upto: None,
            arrived_after: None,
            after: None,
            offset: 0,
            limit: DEFAULT_PAGE,
        }
    }
}

/// A position in the list for keyset paging: the last row of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderCursor {
    pub created_at: DateTime<Utc>,
    /// Tamara's order id: breaks ties of `created_at`.
    pub order_id: String,
}

impl From<&OrderRecord> for OrderCursor {
    fn from(o: &OrderRecord) -> Self {
        OrderCursor {
            created_at: o.created_at,
            order_id: o.order_id.clone(),
        }
    }
}

impl From<&OrderListRow> for OrderCursor {
    fn from(r: &OrderListRow) -> Self {
        OrderCursor {
            created_at: r.created_at,
            order_id: r.order_id.clone(),
        }
    }
}

/// One row of the list as the screen shows it: a few columns, no raw JSON.
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
    pub customer_phone: Option<String>,
    pub customer_email: Option<String>,
}

/// The slim row is a projection of the record: the same columns, read the same way.
impl From<&OrderRecord> for OrderListRow {
    fn from(o: &OrderRecord) -> Self {
        OrderListRow {
            order_id: o.order_id.clone(),
            order_reference_id: o.order_reference_id.clone(),
            status: o.status.clone(),
            total: o.total,
            captured: o.captured,
            refunded: o.refunded,
            created_at: o.created_at,
            customer_name: o.customer_name.clone(),
            customer_phone: o.customer_phone.clone(),
            customer_email: o.customer_email.clone(),
        }
    }
}

/// How [`page`], [`records`] and [`count`] will search text (see the module doc).
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
    let mut conn = db.sqlite_conn().await.map_err(StoreError::query(context))?;
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
    // A phone typed in any usual form: the orders whose phone has the same national number.
    if let Some(key) = q.text.as_deref().and_then(crate::phone::search_key) {
        let by_phone: Vec<i64> = sqlx::query_scalar(
            "SELECT rowid FROM orders WHERE environment = ? AND customer_phone_key = ? LIMIT ?",
        )
        .bind(env.as_str())
        .bind(key)
        .bind(i64::from(NARROW_MATCHES) + 1)
        .fetch_all(&mut *conn)
        .await
        .map_err(StoreError::query(context))?;
        rowids.extend(by_phone);
        rowids.sort_unstable();
        rowids.dedup();
        if rowids.len() > NARROW_MATCHES as usize {
            return Ok(TextPlan::Broad);
        }
    }
    Ok(TextPlan::Narrow(rowids))
}

/// Tamara's order ids are UUIDs: 36 characters of hex digits and dashes.
fn looks_like_id(t: &str) -> bool {
    t.len() == 36 && t.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// One page of `q` in `env`, newest first, as slim rows: the screen's projection.
///
/// # Errors
/// [`StoreError::CorruptRow`] naming the column that does not decode; [`StoreError::Query`].
pub async fn page<'c>(
    db: impl Db<'c>,
    env: Environment,
    q: &OrderListQuery,
    plan: &TextPlan,
) -> Result<Vec<OrderListRow>, StoreError> {
    let select = "SELECT order_id, order_reference_id, status, currency, total_amount,
                captured_amount, refunded_amount, created_at, customer_name, customer_phone,
                customer_email FROM orders";
    let rows = fetch_page(db, env, q, plan, select, "list orders").await?;
    rows.iter().map(decode).collect()
}

/// The same page as [`page`], as full records: for the CLI, sweeps and checks.
///
/// # Errors
/// [`StoreError::CorruptRow`] if any row on the page does not decode; [`StoreError::Query`].
pub async fn records<'c>(
    db: impl Db<'c>,
    env: Environment,
    q: &OrderListQuery,
    plan: &TextPlan,
) -> Result<Vec<OrderRecord>, StoreError> {
    let select = "SELECT * FROM orders";
    let rows = fetch_page(db, env, q, plan, select, "list order records").await?;
    rows.iter().map(orders::from_row).collect()
}

/// Runs `select` with the list's WHERE, cursor, order and page: the one place both
/// projections get their rows, so they cannot drift apart.
async fn fetch_page<'c>(
    db: impl Db<'c>,
    env: Environment,
    q: &OrderListQuery,
    plan: &TextPlan,
    select: &str,
    context: &'static str,
) -> Result<Vec<SqliteRow>, StoreError> {
    let mut qb = QueryBuilder::<Sqlite>::new(select);
    push_where(&mut qb, env, q, plan);
    if let Some(after) = &q.after {
        let at = ts(after.created_at);
        qb.push(" AND (created_at < ");
        qb.push_bind(at.clone());
        qb.push(" OR (created_at = ");
        qb.push_bind(at);
        qb.push(" AND order_id < ");
        qb.push_bind(after.order_id.clone());
        qb.push("))");
    }
    qb.push(" ORDER BY created_at DESC, order_id DESC LIMIT ");
    qb.push_bind(i64::from(q.limit.clamp(1, MAX_PAGE)));
    qb.push(" OFFSET ");
    qb.push_bind(i64::from(q.offset));
    super::fetch_built(db, &mut qb, context).await
}

/// How many orders in `env` match `q` (paging ignored). With a `cap`, counting stops there
/// (at [`BROAD_COUNT_CAP`] on the broad text plan) — the screen's count; without, it is exact
/// — the CLI's total. Returns `(n, capped)`: when `capped`, at least `n` match.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn count<'c>(
    db: impl Db<'c>,
    env: Environment,
    q: &OrderListQuery,
    plan: &TextPlan,
    cap: Option<u32>,
) -> Result<(u64, bool), StoreError> {
    let broad = *plan == TextPlan::Broad;
    let cap = cap.map(|c| if broad { c.min(BROAD_COUNT_CAP) } else { c });
    let mut qb = QueryBuilder::<Sqlite>::new(if cap.is_some() {
        "SELECT COUNT(*) FROM (SELECT 1 FROM orders"
    } else {
        "SELECT COUNT(*) FROM orders"
    });
    let phone = q.text.as_deref().and_then(crate::phone::search_key);
    if broad
        && phone.is_none()
        && let Some(fts) = fts_query(q)
    {
        // The index gives the same set as the LIKE walk, without testing every row.
        push_filters(&mut qb, env, q, false);
        qb.push(" AND rowid IN (SELECT rowid FROM orders_text WHERE orders_text MATCH ");
        qb.push_bind(fts);
        qb.push(")");
    } else {
        push_where(&mut qb, env, q, plan);
    }
    if let Some(cap) = cap {
        qb.push(" LIMIT ");
        qb.push_bind(i64::from(cap) + 1);
        qb.push(")");
    }
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("count orders"))?;
    let n: i64 = qb
        .build_query_scalar()
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query("count orders"))?;
    let n = u64::try_from(n).unwrap_or(0);
    Ok(match cap {
        Some(cap) if n > u64::from(cap) => (u64::from(cap), true),
        _ => (n, false),
    })
}

/// The arrival mark of the newest order cached in any environment (0 for none): orders
/// cached later have a higher one. Constant time (SQLite reads the largest rowid).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn arrival_mark<'c>(db: impl Db<'c>) -> Result<i64, StoreError> {
    let context = "read the arrival mark";
    let mut conn = db.sqlite_conn().await.map_err(StoreError::query(context))?;
    sqlx::query_scalar("SELECT COALESCE(MAX(rowid), 0) FROM orders")
        .fetch_one(&mut *conn)
        .await
        .map_err(StoreError::query(context))
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

/// A `LIKE` pattern (with `ESCAPE '\'`) matching `text` anywhere: `%`, `_` and `\` are
/// literal. SQLite's LIKE ignores the case of ASCII letters, as the trigram index does.
fn like(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// The list's one WHERE clause: the filters, then the text plan.
fn push_where(
    qb: &mut QueryBuilder<Sqlite>,
    env: Environment,
    q: &OrderListQuery,
    plan: &TextPlan,
) {
    let narrow = match plan {
        TextPlan::Narrow(rowids) => Some(rowids),
        TextPlan::None | TextPlan::Broad => None,
    };
    push_filters(qb, env, q, narrow.is_none());
    match narrow {
        Some(rowids) if rowids.is_empty() => {
            qb.push(" AND 1 = 0");
        }
        Some(rowids) => {
            qb.push(" AND rowid IN (");
            let mut sep = qb.separated(", ");
            for id in rowids {
                sep.push_bind(*id);
            }
            qb.push(")");
        }
        None => {
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
                if let Some(key) = crate::phone::search_key(t) {
                    sep.push("customer_phone_key = ");
                    sep.push_bind_unseparated(key);
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
    // An order's rowid is its arrival in the cache: an upsert keeps it, the store never vacuums.
    if let Some(mark) = q.arrived_upto {
        qb.push(" AND rowid <= ");
        qb.push_bind(mark);
    }
    if let Some(mark) = q.arrived_after {
        qb.push(" AND rowid > ");
        qb.push_bind(mark);
    }
    if let Some(only) = q.rehearsal {
        // substr, not LIKE: the prefix is matched exactly, case included.
        qb.push(" AND substr(order_reference_id, 1, ");
        qb.push_bind(i64::try_from(REHEARSAL_PREFIX.len()).unwrap_or(i64::MAX));
        qb.push(if only { ") = " } else { ") <> " });
        qb.push_bind(REHEARSAL_PREFIX);
    }
}

fn decode(r: &SqliteRow) -> Result<OrderListRow, StoreError> {
    let currency = codec::currency(r, TABLE, "currency")?;
    let money = |column| codec::money(r, TABLE, column, currency);
    Ok(OrderListRow {
        order_id: codec::get(r, TABLE, "order_id")?,
        order_reference_id: codec::get(r, TABLE, "order_reference_id")?,
        status: codec::get(r, TABLE, "status")?,
        total: money("total_amount")?,
        captured: money("captured_amount")?,
        refunded: money("refunded_amount")?,
        created_at: codec::time(r, TABLE, "created_at")?,
        customer_name: codec::get(r, TABLE, "customer_name")?,
        customer_phone: codec::get(r, TABLE, "customer_phone")?,
        customer_email: codec::get(r, TABLE, "customer_email")?,
    })
}
