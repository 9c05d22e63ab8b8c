//! Payouts (Tamara's bank deposits) and the statements each settles (migration 0011), and the
//! newest revisions' lines as payouts and the monthly view read them, on SQLite or PostgreSQL.
//!
//! Owns `payouts` and `payout_statements`. The rules — what a payout settles, how a difference
//! is explained — live in `crate::statements::payouts`; this module only reads and writes rows.
//!
//! Invariants: a bank file row and a bank reference are stored once per environment; a
//! statement id is linked to at most one payout (the primary key says so).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::codec::{self, StoreRow, ts};
use super::error::is_unique_violation;
use super::{Db, Environment, StoreError, on_conn};
use crate::money::{Currency, Money};

const TABLE: &str = "payouts";
const LINKS: &str = "payout_statements";

/// Only the newest revision of each statement counts (`s` is the statement row). A macro so
/// the queries stay literals (`concat!`).
macro_rules! newest_revision {
    () => {
        "NOT EXISTS (SELECT 1 FROM statements t
            WHERE t.environment = s.environment AND t.statement_id = s.statement_id
              AND t.revision > s.revision)"
    };
}

/// A payout as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PayoutRecord {
    pub id: i64,
    pub environment: Environment,
    /// The bank's value date.
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub bank_reference: Option<String>,
    pub description: Option<String>,
    /// `manual` or `bank_csv`.
    pub source: String,
    pub bank_digest: Option<String>,
    pub bank_row: Option<u32>,
    /// The payout fee the match allowed.
    pub fee_allowance: Money,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// A payout ↔ statement link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayoutLink {
    pub payout: i64,
    pub statement_id: String,
    /// The revision's row that was newest when linked.
    pub statement: i64,
}

/// The newest revision of a statement with its net payable (the sum of its lines' payable).
#[derive(Debug, Clone, PartialEq)]
pub struct StatementNet {
    pub id: i64,
    pub statement_id: String,
    pub revision: u32,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub net_payable: Money,
}

/// Writes a payout (its `id` is ignored); returns the new row id. Inside the caller's
/// transaction it is a savepoint, so a refusal leaves that transaction usable (PostgreSQL
/// would otherwise abort it).
///
/// # Errors
/// [`StoreError::Conflict`] when the bank reference, or the bank file row, is a payout of
/// the environment already (callers check first); [`StoreError::Query`].
pub async fn insert<'c>(db: impl Db<'c>, p: &PayoutRecord) -> Result<i64, StoreError> {
    let context = "insert payout";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut tx = super::begin_write_on(&mut conn)
        .await
        .map_err(StoreError::query(context))?;
    let id = on_conn!(tx, c => sqlx::query_scalar(
        "INSERT INTO payouts (environment, paid_on, currency, amount, bank_reference,
            description, source, bank_digest, bank_row, fee_allowance, note, created_at,
            created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(p.environment.as_str())
    .bind(p.paid_on.to_string())
    .bind(p.amount.currency().code())
    .bind(p.amount.amount_text())
    .bind(&p.bank_reference)
    .bind(&p.description)
    .bind(&p.source)
    .bind(&p.bank_digest)
    .bind(p.bank_row.map(i64::from))
    .bind(p.fee_allowance.amount_text())
    .bind(&p.note)
    .bind(ts(p.created_at))
    .bind(&p.created_by)
    .fetch_one(c)
    .await)
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(format!(
                "bank reference {:?} or bank file row {:?} is a payout already",
                p.bank_reference, p.bank_row
            ))
        } else {
            StoreError::query(context)(e)
        }
    })?;
    tx.commit().await.map_err(StoreError::query(context))?;
    Ok(id)
}

/// The payout of `env` with this bank reference, or from this bank file row.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn existing<'c>(
    db: impl Db<'c>,
    env: Environment,
    reference: Option<&str>,
    bank_row: Option<(&str, u32)>,
) -> Result<Option<PayoutRecord>, StoreError> {
    let context = "find payout";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let (digest, row) = bank_row.map_or((None, None), |(d, r)| (Some(d), Some(i64::from(r))));
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM payouts WHERE environment = $1
           AND (bank_reference = $2 OR (bank_digest = $3 AND bank_row = $4))
         ORDER BY id LIMIT 1",
    )
    .bind(env.as_str())
    .bind(reference)
    .bind(digest)
    .bind(row)
    .fetch_optional(c)
    .await
    .map_err(StoreError::query(context))?
    .as_ref()
    .map(from_row)
    .transpose())
}

/// Every payout of `env`, oldest value date first.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list<'c>(db: impl Db<'c>, env: Environment) -> Result<Vec<PayoutRecord>, StoreError> {
    let context = "list payouts";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM payouts WHERE environment = $1 ORDER BY paid_on, id"
    )
    .bind(env.as_str())
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect())
}

/// Links `payout` to statement `statement_id` (revision row `statement`), in a savepoint of its
/// own as [`insert`] is.
///
/// # Errors
/// [`StoreError::Conflict`] when the statement id is linked already, to this payout or
/// another (callers check first); [`StoreError::Query`] (also for an unknown payout or
/// statement row).
pub async fn link<'c>(
    db: impl Db<'c>,
    env: Environment,
    payout: i64,
    statement_id: &str,
    statement: i64,
) -> Result<(), StoreError> {
    let context = "link payout";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut tx = super::begin_write_on(&mut conn)
        .await
        .map_err(StoreError::query(context))?;
    on_conn!(tx, c => sqlx::query(
        "INSERT INTO payout_statements (environment, statement_id, payout, statement)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(env.as_str())
    .bind(statement_id)
    .bind(payout)
    .bind(statement)
    .execute(c)
    .await
    .map(|_| ()))
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Conflict(format!(
                "statement {statement_id} is settled by a payout already"
            ))
        } else {
            StoreError::query(context)(e)
        }
    })?;
    tx.commit().await.map_err(StoreError::query(context))
}

/// Every payout ↔ statement link of `env`.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn links<'c>(db: impl Db<'c>, env: Environment) -> Result<Vec<PayoutLink>, StoreError> {
    let context = "payout links";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM payout_statements WHERE environment = $1 ORDER BY payout, statement",
    )
    .bind(env.as_str())
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(link_from_row)
    .collect())
}

/// The newest revision of every statement of `env` in `currency`, with its net payable,
/// oldest period first. A statement whose lines are in another currency is not listed.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn statement_nets<'c>(
    db: impl Db<'c>,
    env: Environment,
    currency: Currency,
) -> Result<Vec<StatementNet>, StoreError> {
    let context = "statement nets";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let sql = concat!(
        "SELECT s.id, s.statement_id, s.revision, s.period_start, s.period_end, l.payable
         FROM statements s JOIN statement_lines l ON l.statement = s.id
         WHERE s.environment = $1 AND l.currency = $2 AND ",
        newest_revision!(),
        " ORDER BY s.period_end, s.period_start, s.id"
    );
    // Summed here, not by SQL: amounts are exact decimal text, and only `Money` adds them
    // exactly (and the same way) on both backends.
    on_conn!(conn, c => nets_of(
        &sqlx::query(sql)
            .bind(env.as_str())
            .bind(currency.code())
            .fetch_all(c)
            .await
            .map_err(StoreError::query(context))?,
        currency,
    ))
}

/// [`statement_nets`]' lines summed per statement (the rows come grouped by statement).
fn nets_of(rows: &[impl StoreRow], currency: Currency) -> Result<Vec<StatementNet>, StoreError> {
    let mut out: Vec<StatementNet> = Vec::new();
    for r in rows {
        let t = "statements";
        let id: i64 = codec::get(r, t, "id")?;
        let payable = codec::money(r, "statement_lines", "payable", currency)?;
        if let Some(last) = out.last_mut().filter(|s| s.id == id) {
            last.net_payable = last
                .net_payable
                .checked_add(payable)
                .map_err(|e| StoreError::corrupt(t, "payable", e))?;
            continue;
        }
        let revision: i64 = codec::get(r, t, "revision")?;
        out.push(StatementNet {
            id,
            statement_id: codec::get(r, t, "statement_id")?,
            revision: u32::try_from(revision).map_err(|e| StoreError::corrupt(t, "revision", e))?,
            period_start: codec::parsed(r, t, "period_start")?,
            period_end: codec::parsed(r, t, "period_end")?,
            net_payable: payable,
        });
    }
    Ok(out)
}

/// The currencies of `env`'s statement lines and payouts, in code order.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn currencies<'c>(
    db: impl Db<'c>,
    env: Environment,
) -> Result<Vec<Currency>, StoreError> {
    let context = "currencies";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    // Currency codes are three capital letters: every collation orders them alike.
    let codes: Vec<String> = on_conn!(conn, c => sqlx::query_scalar(
        "SELECT DISTINCT l.currency FROM statement_lines l JOIN statements s ON s.id = l.statement
          WHERE s.environment = $1
         UNION SELECT currency FROM payouts WHERE environment = $1 ORDER BY 1",
    )
    .bind(env.as_str())
    .fetch_all(c)
    .await)
    .map_err(StoreError::query(context))?;
    codes
        .iter()
        .map(|c| {
            c.parse()
                .map_err(|e| StoreError::corrupt(TABLE, "currency", e))
        })
        .collect()
}

/// One line of a newest revision whose transaction date is in `[from, to]`, with its
/// statement id (text): what the monthly view sums.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthLine {
    pub statement_id: String,
    pub event: String,
    pub amount: Money,
    pub total_fees: Money,
    pub vat: Money,
    pub payable: Money,
}

/// The lines of `env`'s newest revisions dated `from..=to` (calendar days, the statements'
/// own).
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn lines_dated<'c>(
    db: impl Db<'c>,
    env: Environment,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<MonthLine>, StoreError> {
    let context = "month lines";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let sql = concat!(
        "SELECT s.statement_id, l.event, l.currency, l.amount, l.total_fees, l.vat, l.payable
         FROM statement_lines l JOIN statements s ON s.id = l.statement
         WHERE s.environment = $1 AND l.transaction_date >= $2 AND l.transaction_date <= $3
           AND ",
        newest_revision!(),
        " ORDER BY s.id, l.row_no"
    );
    on_conn!(conn, c => sqlx::query(sql)
        .bind(env.as_str())
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(c)
        .await
        .map_err(StoreError::query(context))?
        .iter()
        .map(month_line_from_row)
        .collect())
}

fn month_line_from_row(r: &impl StoreRow) -> Result<MonthLine, StoreError> {
    let t = "statement_lines";
    let currency = codec::currency(r, t, "currency")?;
    let money = |c| codec::money(r, t, c, currency);
    Ok(MonthLine {
        statement_id: codec::get(r, t, "statement_id")?,
        event: codec::get(r, t, "event")?,
        amount: money("amount")?,
        total_fees: money("total_fees")?,
        vat: money("vat")?,
        payable: money("payable")?,
    })
}

fn link_from_row(r: &impl StoreRow) -> Result<PayoutLink, StoreError> {
    Ok(PayoutLink {
        payout: codec::get(r, LINKS, "payout")?,
        statement_id: codec::get(r, LINKS, "statement_id")?,
        statement: codec::get(r, LINKS, "statement")?,
    })
}

fn from_row(row: &impl StoreRow) -> Result<PayoutRecord, StoreError> {
    let currency = codec::currency(row, TABLE, "currency")?;
    let bank_row: Option<i64> = codec::get(row, TABLE, "bank_row")?;
    let fee: Decimal = codec::parsed(row, TABLE, "fee_allowance")?;
    Ok(PayoutRecord {
        id: codec::get(row, TABLE, "id")?,
        environment: codec::environment(row, TABLE)?,
        paid_on: codec::parsed(row, TABLE, "paid_on")?,
        amount: codec::money(row, TABLE, "amount", currency)?,
        bank_reference: codec::get(row, TABLE, "bank_reference")?,
        description: codec::get(row, TABLE, "description")?,
        source: codec::get(row, TABLE, "source")?,
        bank_digest: codec::get(row, TABLE, "bank_digest")?,
        bank_row: bank_row
            .map(u32::try_from)
            .transpose()
            .map_err(|e| StoreError::corrupt(TABLE, "bank_row", e))?,
        fee_allowance: Money::new(fee, currency)
            .map_err(|e| StoreError::corrupt(TABLE, "fee_allowance", e))?,
        note: codec::get(row, TABLE, "note")?,
        created_at: codec::time(row, TABLE, "created_at")?,
        created_by: codec::get(row, TABLE, "created_by")?,
    })
}
