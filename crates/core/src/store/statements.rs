//! Imported settlement statements and their lines (migration 0010), and the ledger's settled
//! captures and refunds as reconciliation reads them ([`moves`]), on SQLite or PostgreSQL.
//!
//! Owns `statements` and `statement_lines`. The rules — when a file is a repeat or a revision,
//! which merchant may be imported, how lines match — live in [`crate::settlement`]; this module
//! only reads and writes rows.
//!
//! Invariants: a statement and all its lines are written in one transaction (the caller's, or
//! one of its own); a (environment, digest) is stored once; revisions of one statement id count
//! up from 1 and are never overwritten.

mod moves;

use chrono::{DateTime, NaiveDate, Utc};
use futures::TryStreamExt as _;
use rust_decimal::Decimal;

use super::codec::{self, StoreRow, ts};
use super::error::is_unique_violation;
use super::{Db, Environment, StoreError, on_conn};
use crate::money::{Currency, Money};
pub use moves::{SettledMove, cached_orders, moves_between, moves_of_orders};

const TABLE: &str = "statements";
const LINES: &str = "statement_lines";
/// Rows per multi-row INSERT: 15 parameters each, 15,000 in all, below both SQLite's 32,766
/// and PostgreSQL's 65,535.
const INSERT_CHUNK: usize = 1_000;
/// Columns of one statement line in the INSERT.
const LINE_COLUMNS: usize = 15;
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
        "SELECT * FROM statements WHERE environment = $1 AND digest = $2",
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
    let sql = "SELECT * FROM statements WHERE environment = $1 AND statement_id = $2
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
    let context = "get statement";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query("SELECT * FROM statements WHERE environment = $1 AND id = $2")
        .bind(env.as_str())
        .bind(id)
        .fetch_optional(c)
        .await
        .map_err(StoreError::query(context))?
        .as_ref()
        .map(from_row)
        .transpose())
}

async fn one<'c>(
    db: impl Db<'c>,
    sql: &'static str,
    env: Environment,
    key: &str,
) -> Result<Option<StatementRecord>, StoreError> {
    let context = "get statement";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(sql)
        .bind(env.as_str())
        .bind(key)
        .fetch_optional(c)
        .await
        .map_err(StoreError::query(context))?
        .as_ref()
        .map(from_row)
        .transpose())
}

/// Every statement of `env`, every revision, newest period first (statement ids in byte order
/// on both backends).
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list<'c>(
    db: impl Db<'c>,
    env: Environment,
) -> Result<Vec<StatementRecord>, StoreError> {
    let context = "list statements";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    // PostgreSQL orders text by the database's locale, SQLite by bytes: "C" is bytes there
    // (and a collation SQLite does not know).
    let sql = if conn.is_postgres() {
        "SELECT * FROM statements WHERE environment = $1
         ORDER BY period_end DESC, statement_id COLLATE \"C\" DESC, revision DESC"
    } else {
        "SELECT * FROM statements WHERE environment = $1
         ORDER BY period_end DESC, statement_id DESC, revision DESC"
    };
    on_conn!(conn, c => sqlx::query(sql)
        .bind(env.as_str())
        .fetch_all(c)
        .await
        .map_err(StoreError::query(context))?
        .iter()
        .map(from_row)
        .collect())
}

/// Writes a statement (its `id` is ignored) and its lines, all or nothing; returns the new row
/// id. Inside the caller's transaction it is a savepoint, so a refusal leaves that transaction
/// usable (PostgreSQL would otherwise abort it).
///
/// # Errors
/// [`StoreError::Conflict`] when the digest, or this revision of the statement id, is stored
/// already in `s.environment`; [`StoreError::Query`].
pub async fn insert<'c>(
    db: impl Db<'c>,
    s: &StatementRecord,
    lines: &[LineRecord],
) -> Result<i64, StoreError> {
    let context = "insert statement";
    let stated = stated_json(&s.stated_totals)?;
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut tx = super::begin_write_on(&mut conn)
        .await
        .map_err(StoreError::query(context))?;
    let id: i64 = on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO statements (environment, statement_id, revision, digest, merchant_id,
            statement_date, period_start, period_end, time_zone, vat_percent, file_name,
            line_count, imported_at, imported_by, stated_totals)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
    )
    .bind(s.environment.as_str())
    .bind(&s.statement_id)
    .bind(i64::from(s.revision))
    .bind(&s.digest)
    .bind(&s.merchant_id)
    .bind(&s.statement_date)
    .bind(s.period_start.to_string())
    .bind(s.period_end.to_string())
    .bind(&s.time_zone)
    .bind(s.vat_percent.to_string())
    .bind(&s.file_name)
    .bind(i64::from(s.line_count))
    .bind(ts(s.imported_at))
    .bind(&s.imported_by)
    .bind(&stated)
    .fetch_one(c)
    .await)
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(format!(
                "statement {} revision {} or a file with digest {} is imported already",
                s.statement_id, s.revision, s.digest
            ))
        } else {
            StoreError::query(context)(e)
        }
    })?;
    for chunk in lines.chunks(INSERT_CHUNK) {
        // Only generated `$N` placeholders are spliced in; every value is bound.
        let sql = format!(
            "INSERT INTO statement_lines (statement, row_no, transaction_date, tamara_order_id,
                merchant_order_id, event, currency, amount, fixed_fees, variable_fee_percent,
                variable_fees, total_fees, vat, payable, instalments) VALUES {}",
            value_rows(chunk.len(), LINE_COLUMNS)
        );
        on_conn!(tx, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()));
            for l in chunk {
                q = q
                    .bind(id)
                    .bind(i64::from(l.row))
                    .bind(l.transaction_date.to_string())
                    .bind(l.tamara_order_id.as_str())
                    .bind(l.merchant_order_id.as_deref())
                    .bind(l.event.as_str())
                    .bind(l.amount.currency().code())
                    .bind(l.amount.amount_text())
                    .bind(l.fixed_fees.amount_text())
                    .bind(l.variable_fee_percent.map(|p| p.to_string()))
                    .bind(l.variable_fees.amount_text())
                    .bind(l.total_fees.amount_text())
                    .bind(l.vat.amount_text())
                    .bind(l.payable.amount_text())
                    .bind(l.instalments.map(i64::from));
            }
            q.execute(c).await.map(|_| ())
        })
        .map_err(StoreError::query("insert statement lines"))?;
    }
    tx.commit().await.map_err(StoreError::query(context))?;
    Ok(id)
}

/// The lines of statement row `statement`, in file order.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn lines<'c>(db: impl Db<'c>, statement: i64) -> Result<Vec<LineRecord>, StoreError> {
    let context = "statement lines";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    // Streamed: each row is decoded as it arrives, so a large statement never holds
    // its raw rows and its decoded lines at once.
    on_conn!(conn, c => {
        let mut out = Vec::new();
        let mut rows =
            sqlx::query("SELECT * FROM statement_lines WHERE statement = $1 ORDER BY row_no")
                .bind(statement)
                .fetch(c);
        while let Some(row) = rows.try_next().await.map_err(StoreError::query(context))? {
            out.push(line_from_row(&row)?);
        }
        Ok(out)
    })
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
    let context = "lines elsewhere";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut out = Vec::new();
    for chunk in order_ids.chunks(ID_CHUNK) {
        // Only generated `$N` placeholders are spliced in; every value is bound.
        let sql = format!(
            "SELECT s.id AS statement_row, s.statement_id AS statement_text, l.*
             FROM statement_lines l JOIN statements s ON s.id = l.statement
             WHERE s.environment = $1 AND s.id <> $2
               AND s.revision = (SELECT MAX(revision) FROM statements t
                   WHERE t.environment = s.environment AND t.statement_id = s.statement_id)
               AND l.tamara_order_id IN ({})
             ORDER BY s.id, l.row_no",
            placeholders(3, chunk.len())
        );
        let found: Vec<LineElsewhere> = on_conn!(conn, c => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(env.as_str())
                .bind(except.unwrap_or(-1));
            for id in chunk {
                q = q.bind(*id);
            }
            q.fetch_all(c)
                .await
                .map_err(StoreError::query(context))?
                .iter()
                .map(|row| {
                    Ok(LineElsewhere {
                        statement: codec::get(row, LINES, "statement_row")?,
                        statement_id: codec::get(row, LINES, "statement_text")?,
                        line: line_from_row(row)?,
                    })
                })
                .collect::<Result<_, StoreError>>()
        })?;
        out.extend(found);
    }
    Ok(out)
}

/// `$from, $from+1, …` for `n` values.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, …, $width), ($width+1, …), …` for `rows` rows of a multi-row INSERT.
fn value_rows(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", placeholders(r * width + 1, width)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn from_row(row: &impl StoreRow) -> Result<StatementRecord, StoreError> {
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

fn line_from_row(row: &impl StoreRow) -> Result<LineRecord, StoreError> {
    let currency: Currency = codec::currency(row, LINES, "currency")?;
    let money = |c| codec::money(row, LINES, c, currency);
    let row_no: i64 = codec::get(row, LINES, "row_no")?;
    let instalments: Option<i64> = codec::get(row, LINES, "instalments")?;
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
