//! Imported settlement statements and their lines (migration 0010), and the ledger's settled
//! captures and refunds as reconciliation reads them.
//!
//! Owns `statements` and `statement_lines`. The rules — when a file is a repeat or a revision,
//! which merchant may be imported, how lines match — live in [`crate::settlement`]; this module
//! only reads and writes rows.
//!
//! Invariants: a statement and all its lines are written in the caller's one transaction; a
//! (environment, digest) is stored once; revisions of one statement id count up from 1 and
//! are never overwritten.

use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt as _;
use rust_decimal::Decimal;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row as _, Sqlite};

use super::codec::{self, ts};
use super::{Db, Environment, StoreError};
use crate::money::{Currency, Money};

const TABLE: &str = "statements";
const LINES: &str = "statement_lines";
/// Rows per multi-row INSERT: 15 parameters each stays far below SQLite's 32,766.
const INSERT_CHUNK: usize = 1_000;
/// Order ids per `IN (…)` list.
const ID_CHUNK: usize = 500;

/// A statement as stored (one revision of it).
#[derive(Debug, Clone, PartialEq)]
pub struct StatementRecord {
    /// The row id: what `mizan settlement show ID` takes.
    pub id: i64,
    pub environment: Environment,
    /// Tamara's statement id, or `file-<digest prefix>` when the file names none.
    pub statement_id: String,
    pub revision: u32,
    pub digest: String,
    pub merchant_id: Option<String>,
    pub statement_date: Option<String>,
    /// First and last calendar day of the period, inclusive, in `time_zone`.
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub time_zone: String,
    /// The VAT rate on Tamara's fees the lines are checked against, in percent.
    pub vat_percent: Decimal,
    pub file_name: String,
    pub line_count: u32,
    pub imported_at: DateTime<Utc>,
    pub imported_by: String,
    /// The statement's own totals per currency (its summary table); empty when it has none.
    pub stated_totals: Vec<StatedTotals>,
}

/// What a statement states it totals, in one currency.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StatedTotals {
    pub sales: Money,
    /// Negative, as the lines give refunds.
    pub refunds: Money,
    pub fees: Money,
    pub vat: Money,
    pub net: Money,
}

/// One line of a statement as stored. `event` is `captured` or `refunded`.
#[derive(Debug, Clone, PartialEq)]
pub struct LineRecord {
    pub row: u32,
    pub transaction_date: NaiveDate,
    pub tamara_order_id: String,
    pub merchant_order_id: Option<String>,
    pub event: String,
    pub amount: Money,
    pub fixed_fees: Money,
    pub variable_fee_percent: Option<Decimal>,
    pub variable_fees: Money,
    pub total_fees: Money,
    pub vat: Money,
    pub payable: Money,
    pub instalments: Option<u32>,
}

/// A line of another statement, with the statement that holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct LineElsewhere {
    pub statement: i64,
    pub statement_id: String,
    pub line: LineRecord,
}

/// A succeeded capture or refund, with its order's reference, as reconciliation reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct SettledMove {
    pub ledger_id: i64,
    pub order_id: String,
    pub order_reference_id: Option<String>,
    /// `capture` or `refund`.
    pub kind: String,
    pub gateway_id: Option<String>,
    /// Positive, as the ledger keeps it.
    pub amount: Money,
    pub occurred_at: DateTime<Utc>,
}

/// The statement of `env` whose file had `digest`.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn by_digest<'c>(
    db: impl Db<'c>,
    env: Environment,
    digest: &str,
) -> Result<Option<StatementRecord>, StoreError> {
    one(
        db,
        "SELECT * FROM statements WHERE environment = ? AND digest = ?",
        env,
        digest,
    )
    .await
}

/// The newest revision of statement `statement_id` of `env`.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn latest<'c>(
    db: impl Db<'c>,
    env: Environment,
    statement_id: &str,
) -> Result<Option<StatementRecord>, StoreError> {
    let sql = "SELECT * FROM statements WHERE environment = ? AND statement_id = ?
               ORDER BY revision DESC LIMIT 1";
    one(db, sql, env, statement_id).await
}

/// The statement with row id `id` in `env`.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn get<'c>(
    db: impl Db<'c>,
    env: Environment,
    id: i64,
) -> Result<Option<StatementRecord>, StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("get statement"))?;
    let row = sqlx::query("SELECT * FROM statements WHERE environment = ? AND id = ?")
        .bind(env.as_str())
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query("get statement"))?;
    row.as_ref().map(from_row).transpose()
}

async fn one<'c>(
    db: impl Db<'c>,
    sql: &'static str,
    env: Environment,
    key: &str,
) -> Result<Option<StatementRecord>, StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("get statement"))?;
    let row = sqlx::query(sql)
        .bind(env.as_str())
        .bind(key)
        .fetch_optional(&mut *conn)
        .await
        .map_err(StoreError::query("get statement"))?;
    row.as_ref().map(from_row).transpose()
}

/// Every statement of `env`, every revision, newest period first.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list<'c>(
    db: impl Db<'c>,
    env: Environment,
) -> Result<Vec<StatementRecord>, StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("list statements"))?;
    let rows = sqlx::query(
        "SELECT * FROM statements WHERE environment = ?
         ORDER BY period_end DESC, statement_id DESC, revision DESC",
    )
    .bind(env.as_str())
    .fetch_all(&mut *conn)
    .await
    .map_err(StoreError::query("list statements"))?;
    rows.iter().map(from_row).collect()
}

/// Writes a statement (its `id` is ignored) and its lines; returns the new row id.
///
/// # Errors
/// [`StoreError::Conflict`]-like query errors when the digest or revision exists;
/// [`StoreError::Query`].
pub async fn insert<'c>(
    db: impl Db<'c>,
    s: &StatementRecord,
    lines: &[LineRecord],
) -> Result<i64, StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("insert statement"))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO statements (environment, statement_id, revision, digest, merchant_id,
            statement_date, period_start, period_end, time_zone, vat_percent, file_name,
            line_count, imported_at, imported_by, stated_totals)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(s.environment.as_str())
    .bind(&s.statement_id)
    .bind(s.revision)
    .bind(&s.digest)
    .bind(&s.merchant_id)
    .bind(&s.statement_date)
    .bind(s.period_start.to_string())
    .bind(s.period_end.to_string())
    .bind(&s.time_zone)
    .bind(s.vat_percent.to_string())
    .bind(&s.file_name)
    .bind(s.line_count)
    .bind(ts(s.imported_at))
    .bind(&s.imported_by)
    .bind(stated_json(&s.stated_totals)?)
    .fetch_one(&mut *conn)
    .await
    .map_err(StoreError::query("insert statement"))?;
    for chunk in lines.chunks(INSERT_CHUNK) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO statement_lines (statement, row_no, transaction_date, tamara_order_id,
                merchant_order_id, event, currency, amount, fixed_fees, variable_fee_percent,
                variable_fees, total_fees, vat, payable, instalments) ",
        );
        q.push_values(chunk, |mut b, l| {
            b.push_bind(id)
                .push_bind(l.row)
                .push_bind(l.transaction_date.to_string())
                .push_bind(l.tamara_order_id.clone())
                .push_bind(l.merchant_order_id.clone())
                .push_bind(l.event.clone())
                .push_bind(l.amount.currency().code())
                .push_bind(l.amount.amount_text())
                .push_bind(l.fixed_fees.amount_text())
                .push_bind(l.variable_fee_percent.map(|p| p.to_string()))
                .push_bind(l.variable_fees.amount_text())
                .push_bind(l.total_fees.amount_text())
                .push_bind(l.vat.amount_text())
                .push_bind(l.payable.amount_text())
                .push_bind(l.instalments);
        });
        q.build()
            .execute(&mut *conn)
            .await
            .map_err(StoreError::query("insert statement lines"))?;
    }
    Ok(id)
}

/// The lines of statement row `statement`, in file order.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn lines<'c>(db: impl Db<'c>, statement: i64) -> Result<Vec<LineRecord>, StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("statement lines"))?;
    // Streamed: each row is decoded as it arrives, so a large statement never holds
    // its raw rows and its decoded lines at once.
    let mut out = Vec::new();
    let mut rows = sqlx::query("SELECT * FROM statement_lines WHERE statement = ? ORDER BY row_no")
        .bind(statement)
        .fetch(&mut *conn);
    while let Some(row) = rows
        .try_next()
        .await
        .map_err(StoreError::query("statement lines"))?
    {
        out.push(line_from_row(&row)?);
    }
    Ok(out)
}

/// Lines about `order_ids` in the newest revision of every statement of `env` but `except`.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn lines_elsewhere<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_ids: &[&str],
    except: Option<i64>,
) -> Result<Vec<LineElsewhere>, StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("lines elsewhere"))?;
    let mut out = Vec::new();
    for chunk in order_ids.chunks(ID_CHUNK) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT s.id AS statement_row, s.statement_id AS statement_text, l.*
             FROM statement_lines l JOIN statements s ON s.id = l.statement
             WHERE s.environment = ",
        );
        q.push_bind(env.as_str());
        q.push(" AND s.id <> ").push_bind(except.unwrap_or(-1));
        q.push(
            " AND s.revision = (SELECT MAX(revision) FROM statements t
               WHERE t.environment = s.environment AND t.statement_id = s.statement_id)
             AND l.tamara_order_id IN (",
        );
        let mut ids = q.separated(", ");
        for id in chunk {
            ids.push_bind(*id);
        }
        q.push(") ORDER BY s.id, l.row_no");
        let rows = q
            .build()
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query("lines elsewhere"))?;
        for row in &rows {
            out.push(LineElsewhere {
                statement: codec::get(row, LINES, "statement_row")?,
                statement_id: codec::get(row, LINES, "statement_text")?,
                line: line_from_row(row)?,
            });
        }
    }
    Ok(out)
}

/// Succeeded captures and refunds of `env` on `order_ids`, whenever they happened.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn moves_of_orders<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_ids: &[&str],
) -> Result<Vec<SettledMove>, StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("settled moves"))?;
    let mut out = Vec::new();
    for chunk in order_ids.chunks(ID_CHUNK) {
        let mut q = moves_query(env);
        q.push(" AND l.order_id IN (");
        let mut ids = q.separated(", ");
        for id in chunk {
            ids.push_bind(*id);
        }
        q.push(") ORDER BY l.occurred_at, l.id");
        let rows = q
            .build()
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query("settled moves"))?;
        for row in &rows {
            out.push(move_from_row(row)?);
        }
    }
    Ok(out)
}

/// Succeeded captures and refunds of `env` with `from <= occurred_at < to`.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn moves_between<'c>(
    db: impl Db<'c>,
    env: Environment,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<SettledMove>, StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("settled moves"))?;
    let mut q = moves_query(env);
    q.push(" AND l.occurred_at >= ").push_bind(ts(from));
    q.push(" AND l.occurred_at < ").push_bind(ts(to));
    q.push(" ORDER BY l.occurred_at, l.id");
    let mut out = Vec::new();
    let mut rows = q.build().fetch(&mut *conn);
    while let Some(row) = rows
        .try_next()
        .await
        .map_err(StoreError::query("settled moves"))?
    {
        out.push(move_from_row(&row)?);
    }
    Ok(out)
}

/// Which of `order_ids` the cache holds in `env`.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn cached_orders<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_ids: &[&str],
) -> Result<std::collections::HashSet<String>, StoreError> {
    let mut conn = db
        .sqlite_conn()
        .await
        .map_err(StoreError::query("cached orders"))?;
    let mut out = std::collections::HashSet::new();
    for chunk in order_ids.chunks(ID_CHUNK) {
        let mut q: QueryBuilder<Sqlite> =
            QueryBuilder::new("SELECT order_id FROM orders WHERE environment = ");
        q.push_bind(env.as_str()).push(" AND order_id IN (");
        let mut ids = q.separated(", ");
        for id in chunk {
            ids.push_bind(*id);
        }
        q.push(")");
        let found: Vec<String> = q
            .build_query_scalar()
            .fetch_all(&mut *conn)
            .await
            .map_err(StoreError::query("cached orders"))?;
        out.extend(found);
    }
    Ok(out)
}

fn moves_query(env: Environment) -> QueryBuilder<Sqlite> {
    let mut q = QueryBuilder::new(
        "SELECT l.id, l.order_id, o.order_reference_id, l.kind, l.gateway_id, l.currency,
                l.amount, l.occurred_at
         FROM ledger_entries l
         LEFT JOIN orders o ON o.environment = l.environment AND o.order_id = l.order_id
         WHERE l.kind IN ('capture', 'refund') AND l.state = 'succeeded' AND l.environment = ",
    );
    q.push_bind(env.as_str());
    q
}

fn move_from_row(row: &SqliteRow) -> Result<SettledMove, StoreError> {
    let t = "ledger_entries";
    let currency = codec::currency(row, t, "currency")?;
    Ok(SettledMove {
        ledger_id: codec::get(row, t, "id")?,
        order_id: codec::get(row, t, "order_id")?,
        order_reference_id: codec::get(row, t, "order_reference_id")?,
        kind: codec::get(row, t, "kind")?,
        gateway_id: codec::get(row, t, "gateway_id")?,
        amount: codec::money(row, t, "amount", currency)?,
        occurred_at: codec::time(row, t, "occurred_at")?,
    })
}

fn from_row(row: &SqliteRow) -> Result<StatementRecord, StoreError> {
    let revision: i64 = codec::get(row, TABLE, "revision")?;
    let line_count: i64 = codec::get(row, TABLE, "line_count")?;
    Ok(StatementRecord {
        id: codec::get(row, TABLE, "id")?,
        environment: codec::environment(row, TABLE)?,
        statement_id: codec::get(row, TABLE, "statement_id")?,
        revision: u32::try_from(revision).map_err(|e| StoreError::corrupt(TABLE, "revision", e))?,
        digest: codec::get(row, TABLE, "digest")?,
        merchant_id: codec::get(row, TABLE, "merchant_id")?,
        statement_date: codec::get(row, TABLE, "statement_date")?,
        period_start: codec::parsed(row, TABLE, "period_start")?,
        period_end: codec::parsed(row, TABLE, "period_end")?,
        time_zone: codec::get(row, TABLE, "time_zone")?,
        vat_percent: codec::parsed(row, TABLE, "vat_percent")?,
        file_name: codec::get(row, TABLE, "file_name")?,
        line_count: u32::try_from(line_count)
            .map_err(|e| StoreError::corrupt(TABLE, "line_count", e))?,
        imported_at: codec::time(row, TABLE, "imported_at")?,
        imported_by: codec::get(row, TABLE, "imported_by")?,
        stated_totals: match codec::get::<Option<String>>(row, TABLE, "stated_totals")? {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| StoreError::corrupt(TABLE, "stated_totals", e))?,
            None => Vec::new(),
        },
    })
}

fn stated_json(totals: &[StatedTotals]) -> Result<Option<String>, StoreError> {
    if totals.is_empty() {
        return Ok(None);
    }
    serde_json::to_string(totals)
        .map(Some)
        .map_err(|e| StoreError::corrupt(TABLE, "stated_totals", e))
}

fn line_from_row(row: &SqliteRow) -> Result<LineRecord, StoreError> {
    let currency: Currency = codec::currency(row, LINES, "currency")?;
    let money = |c| codec::money(row, LINES, c, currency);
    let row_no: i64 = codec::get(row, LINES, "row_no")?;
    let instalments: Option<i64> = row
        .try_get("instalments")
        .map_err(|e| StoreError::corrupt(LINES, "instalments", e))?;
    Ok(LineRecord {
        row: u32::try_from(row_no).map_err(|e| StoreError::corrupt(LINES, "row_no", e))?,
        transaction_date: codec::parsed(row, LINES, "transaction_date")?,
        tamara_order_id: codec::get(row, LINES, "tamara_order_id")?,
        merchant_order_id: codec::get(row, LINES, "merchant_order_id")?,
        event: codec::get(row, LINES, "event")?,
        amount: money("amount")?,
        fixed_fees: money("fixed_fees")?,
        variable_fee_percent: codec::parsed_opt(row, LINES, "variable_fee_percent")?,
        variable_fees: money("variable_fees")?,
        total_fees: money("total_fees")?,
        vat: money("vat")?,
        payable: money("payable")?,
        instalments: instalments
            .map(u32::try_from)
            .transpose()
            .map_err(|e| StoreError::corrupt(LINES, "instalments", e))?,
    })
}
