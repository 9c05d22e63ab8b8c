//! Reading the ledger: single entries, an order's history, the reconciler's work list, and the
//! time-ordered stream settlement exports are built from.

use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use sqlx::Row as _;
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;

use super::{LedgerEntry, LedgerState, TABLE};
use crate::store::codec::{self, StoreRow, ts};
use crate::store::{Conn, Db, DbConn, Environment, Store, StoreError, on_conn, on_pool};

/// The entry with this local id.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn get<'c>(db: impl Db<'c>, id: i64) -> Result<Option<LedgerEntry>, StoreError> {
    let context = "get ledger entry";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query("SELECT * FROM ledger_entries WHERE id = $1")
        .bind(id)
        .fetch_optional(c)
        .await
        .map_err(StoreError::query(context))?
        .as_ref()
        .map(from_row)
        .transpose())
}

/// The entry holding this idempotency reference in `env`.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn by_idempotency_ref<'c>(
    db: impl Db<'c>,
    env: Environment,
    idempotency_ref: &str,
) -> Result<Option<LedgerEntry>, StoreError> {
    let context = "get ledger entry by idempotency ref";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM ledger_entries WHERE environment = $1 AND idempotency_ref = $2",
    )
    .bind(env.as_str())
    .bind(idempotency_ref)
    .fetch_optional(c)
    .await
    .map_err(StoreError::query(context))?
    .as_ref()
    .map(from_row)
    .transpose())
}

/// Every entry of an order, oldest first.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list_for_order<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_id: &str,
) -> Result<Vec<LedgerEntry>, StoreError> {
    let context = "list ledger for order";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM ledger_entries WHERE environment = $1 AND order_id = $2
         ORDER BY occurred_at, id",
    )
    .bind(env.as_str())
    .bind(order_id)
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect())
}

/// Up to `limit` entries of `env` in `state`, oldest first: the reconciler's work list
/// (pending and unknown moves).
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list_in_state<'c>(
    db: impl Db<'c>,
    env: Environment,
    state: LedgerState,
    limit: u32,
) -> Result<Vec<LedgerEntry>, StoreError> {
    let context = "list ledger by state";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM ledger_entries WHERE environment = $1 AND state = $2 ORDER BY id LIMIT $3",
    )
    .bind(env.as_str())
    .bind(state.as_str())
    .bind(i64::from(limit))
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect())
}

/// Streams every entry of `env` with `from <= occurred_at < to`, in (occurred_at, id) order,
/// without loading them all: the source of settlement exports. All states are included; the
/// export decides which to show.
pub fn stream_between(
    store: &Store,
    env: Environment,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> impl Stream<Item = Result<LedgerEntry, StoreError>> + Send + '_ {
    let context = "stream ledger entries";
    let stream: BoxStream<'_, Result<LedgerEntry, StoreError>> = on_pool!(store, pool => sqlx::query(
        "SELECT * FROM ledger_entries
         WHERE environment = $1 AND occurred_at >= $2 AND occurred_at < $3
         ORDER BY occurred_at, id",
    )
    .bind(env.as_str())
    .bind(ts(from))
    .bind(ts(to))
    .fetch(pool)
    .map(move |row| {
        row.map_err(StoreError::query(context))
            .and_then(|row| from_row(&row))
    })
    .boxed());
    stream
}

/// What a settlement export reads: money moves of one environment in a time window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementQuery {
    /// The environment; no export crosses environments.
    pub environment: Environment,
    /// Inclusive lower bound on `occurred_at`.
    pub from: DateTime<Utc>,
    /// Exclusive upper bound on `occurred_at`.
    pub to: DateTime<Utc>,
    /// Also pending and unknown moves (outcome not yet known); failed moves never move money
    /// and are never included, nor are authorisations (they move none either).
    pub include_unsettled: bool,
}

/// One capture, refund or cancel joined with its order, as the database returned it. Decoding
/// is deferred to [`SettlementLine::view`], which borrows instead of copying.
#[derive(Debug)]
pub struct SettlementLine(LineRow);

/// A settlement row of either backend.
#[derive(Debug)]
enum LineRow {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl From<SqliteRow> for LineRow {
    fn from(row: SqliteRow) -> LineRow {
        LineRow::Sqlite(row)
    }
}

impl From<PgRow> for LineRow {
    fn from(row: PgRow) -> LineRow {
        LineRow::Postgres(row)
    }
}

/// A [`SettlementLine`] decoded: text borrowed from the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SettlementView<'r> {
    pub environment: &'r str,
    pub order_reference_id: &'r str,
    pub order_number: Option<&'r str>,
    pub order_id: &'r str,
    /// `capture`, `refund` or `cancel`.
    pub kind: &'r str,
    /// capture_id / refund_id / cancel_id; None while pending.
    pub gateway_id: Option<&'r str>,
    pub idempotency_ref: Option<&'r str>,
    /// Stored time text (RFC 3339 UTC, nine-digit fraction).
    pub occurred_at: &'r str,
    pub currency: &'r str,
    /// Positive stored amount text.
    pub amount: &'r str,
    pub state: &'r str,
    pub source: &'r str,
    pub payment_type: Option<&'r str>,
    pub instalments: Option<i64>,
    pub settlement_status: Option<&'r str>,
    pub settlement_date: Option<&'r str>,
    pub actor: &'r str,
    pub comment: Option<&'r str>,
    /// Tamara's id of the statement (newest revision) that settled the move, if any.
    pub statement_id: Option<&'r str>,
    /// That line's total fees, VAT and net payable, as stored (exact text).
    pub statement_fees: Option<&'r str>,
    pub statement_vat: Option<&'r str>,
    pub statement_payable: Option<&'r str>,
    /// The payout that settled the statement: its bank reference, id and value date.
    pub payout_reference: Option<&'r str>,
    pub payout_id: Option<i64>,
    pub payout_date: Option<&'r str>,
}

/// The settlement query with `$join` naming the statement line that settled each move (`sl`,
/// with `statement`, `total_fees`, `vat` and `payable`): the one place the two backends' texts
/// differ, so the rest is written once. `$match` is the match (see [`SETTLEMENT_SQL`]).
macro_rules! settlement_sql {
    ($join_open:expr, $match:expr, $join_close:expr) => {
        concat!(
            "SELECT l.environment, o.order_reference_id, o.order_number,
        l.order_id, l.kind, l.gateway_id, l.idempotency_ref, l.occurred_at, l.currency,
        l.amount, l.state, l.source, o.payment_type, o.instalments, o.settlement_status,
        o.settlement_date, l.actor, l.comment,
        st.statement_id, sl.total_fees, sl.vat, sl.payable, p.bank_reference, p.id, p.paid_on
     FROM ledger_entries l
     JOIN orders o ON o.environment = l.environment AND o.order_id = l.order_id
     ",
            $join_open,
            $match,
            $join_close,
            "
     LEFT JOIN statements st ON st.id = sl.statement
     LEFT JOIN payout_statements ps
        ON ps.environment = st.environment AND ps.statement_id = st.statement_id
     LEFT JOIN payouts p ON p.id = ps.payout
     WHERE l.environment = $1 AND l.occurred_at >= $2 AND l.occurred_at < $3
       AND l.kind IN ('capture', 'refund', 'cancel') AND l.state IN ($4, $5, $6)
     ORDER BY l.occurred_at, l.id"
        )
    };
}

/// Which statement line settled a move, as the body of a subquery over `x` (the candidate
/// line) and `s` (its statement); shared by both backends' texts.
macro_rules! settlement_match {
    () => {
        "FROM statement_lines x JOIN statements s ON s.id = x.statement
        WHERE l.state = 'succeeded' AND l.kind IN ('capture', 'refund')
          AND x.tamara_order_id = l.order_id
          AND x.event = CASE l.kind WHEN 'capture' THEN 'captured' ELSE 'refunded' END
          AND x.currency = l.currency
          AND (x.amount = l.amount OR x.amount = '-' || l.amount)
          AND s.environment = l.environment
          AND NOT EXISTS (SELECT 1 FROM statements t WHERE t.environment = s.environment
                AND t.statement_id = s.statement_id AND t.revision > s.revision)
          AND (SELECT COUNT(*) FROM statement_lines y JOIN statements r ON r.id = y.statement
                WHERE y.tamara_order_id = x.tamara_order_id AND y.event = x.event
                  AND y.currency = x.currency AND y.amount = x.amount
                  AND r.environment = s.environment AND (r.id, y.row_no) < (s.id, x.row_no)
                  AND NOT EXISTS (SELECT 1 FROM statements u WHERE u.environment = r.environment
                        AND u.statement_id = r.statement_id AND u.revision > r.revision))
            = (SELECT COUNT(*) FROM ledger_entries e
                WHERE e.environment = l.environment AND e.order_id = l.order_id
                  AND e.kind = l.kind AND e.currency = l.currency AND e.amount = l.amount
                  AND e.state = 'succeeded' AND (e.occurred_at, e.id) < (l.occurred_at, l.id))
        ORDER BY s.id, x.row_no LIMIT 1"
    };
}

/// The settlement export's query on SQLite. Public so the export benchmark can hand the very
/// same SQL to the `sqlite3` shell; bind environment, from, to, then the included states.
///
/// A succeeded capture or refund is joined to the statement line that settled it: a line of a
/// newest revision with the same Tamara order, event, currency and amount (refund lines may be
/// negative); the n-th identical movement takes the n-th identical line (statement row id,
/// then row order), so two equal captures never share one line. The lookup is one indexed
/// probe per row (`statement_lines_by_order`), so the export still streams.
pub const SETTLEMENT_SQL: &str = settlement_sql!(
    "LEFT JOIN statement_lines sl ON sl.rowid = (
        SELECT x.rowid ",
    settlement_match!(),
    ")"
);

/// [`SETTLEMENT_SQL`] on PostgreSQL, which has no `rowid`: the same match as a lateral
/// subquery returning the line itself, run per ledger row like SQLite's. SQLite has no
/// `LATERAL`, hence two texts around one shared match (same rows, same cells: a test compares
/// both backends' output).
pub const SETTLEMENT_SQL_POSTGRES: &str = settlement_sql!(
    "LEFT JOIN LATERAL (
        SELECT x.statement, x.total_fees, x.vat, x.payable ",
    settlement_match!(),
    ") sl ON TRUE"
);

impl SettlementLine {
    /// Borrows the row's cells.
    ///
    /// # Errors
    /// [`StoreError::CorruptRow`] naming the column that does not decode.
    pub fn view(&self) -> Result<SettlementView<'_>, StoreError> {
        match &self.0 {
            LineRow::Sqlite(r) => view(r),
            LineRow::Postgres(r) => view(r),
        }
    }
}

/// A settlement row's integer cells by position (the text ones go through [`StoreRow`]).
trait IntAt: StoreRow {
    fn int_at(&self, index: usize, column: &'static str) -> Result<Option<i64>, StoreError>;
}

impl IntAt for SqliteRow {
    fn int_at(&self, index: usize, column: &'static str) -> Result<Option<i64>, StoreError> {
        self.try_get(index)
            .map_err(|e| StoreError::corrupt(TABLE, column, e))
    }
}

impl IntAt for PgRow {
    fn int_at(&self, index: usize, column: &'static str) -> Result<Option<i64>, StoreError> {
        self.try_get(index)
            .map_err(|e| StoreError::corrupt(TABLE, column, e))
    }
}

fn view(r: &impl IntAt) -> Result<SettlementView<'_>, StoreError> {
    let text = |i, c| codec::text_at(r, i, TABLE, c);
    let opt = |i, c| codec::opt_text_at(r, i, TABLE, c);
    Ok(SettlementView {
        environment: text(0, "environment")?,
        order_reference_id: text(1, "order_reference_id")?,
        order_number: opt(2, "order_number")?,
        order_id: text(3, "order_id")?,
        kind: text(4, "kind")?,
        gateway_id: opt(5, "gateway_id")?,
        idempotency_ref: opt(6, "idempotency_ref")?,
        occurred_at: text(7, "occurred_at")?,
        currency: text(8, "currency")?,
        amount: text(9, "amount")?,
        state: text(10, "state")?,
        source: text(11, "source")?,
        payment_type: opt(12, "payment_type")?,
        instalments: r.int_at(13, "instalments")?,
        settlement_status: opt(14, "settlement_status")?,
        settlement_date: opt(15, "settlement_date")?,
        actor: text(16, "actor")?,
        comment: opt(17, "comment")?,
        statement_id: opt(18, "statement_id")?,
        statement_fees: opt(19, "statement_fees")?,
        statement_vat: opt(20, "statement_vat")?,
        statement_payable: opt(21, "statement_payable")?,
        payout_reference: opt(22, "payout_reference")?,
        payout_id: r.int_at(23, "payout_id")?,
        payout_date: opt(24, "payout_date")?,
    })
}

/// Streams the captures, refunds and cancels of `q` with their orders, in (occurred_at, id)
/// order, one row in memory at a time: the source of settlement exports.
pub fn stream_settlement<'s>(
    store: &'s Store,
    q: &SettlementQuery,
) -> impl Stream<Item = Result<SettlementLine, StoreError>> + Send + 's {
    let context = "stream settlement lines";
    let succeeded = LedgerState::Succeeded.as_str();
    let (pending, unknown) = if q.include_unsettled {
        (LedgerState::Pending.as_str(), LedgerState::Unknown.as_str())
    } else {
        (succeeded, succeeded)
    };
    let sql = if store.is_postgres() {
        SETTLEMENT_SQL_POSTGRES
    } else {
        SETTLEMENT_SQL
    };
    let (env, from, to) = (q.environment.as_str(), ts(q.from), ts(q.to));
    let stream: BoxStream<'s, Result<SettlementLine, StoreError>> = on_pool!(store, pool => {
        sqlx::query(sql)
            .bind(env)
            .bind(from)
            .bind(to)
            .bind(succeeded)
            .bind(pending)
            .bind(unknown)
            .fetch(pool)
            .map(move |row| {
                row.map(|r| SettlementLine(r.into()))
                    .map_err(StoreError::query(context))
            })
            .boxed()
    });
    stream
}

/// The entry with this id on a write transaction's connection, or [`StoreError::NotFound`].
pub(super) async fn fetch_by_id(conn: Conn<'_>, id: i64) -> Result<LedgerEntry, StoreError> {
    let mut db = match conn {
        Conn::Sqlite(c) => DbConn::Sqlite(c),
        Conn::Postgres(c) => DbConn::Postgres(c),
    };
    get(&mut db, id).await?.ok_or_else(|| StoreError::NotFound {
        entity: "ledger entry",
        key: id.to_string(),
    })
}

pub(crate) fn from_row(row: &impl StoreRow) -> Result<LedgerEntry, StoreError> {
    let currency = codec::currency(row, TABLE, "currency")?;
    Ok(LedgerEntry {
        id: codec::get(row, TABLE, "id")?,
        environment: codec::environment(row, TABLE)?,
        order_id: codec::get(row, TABLE, "order_id")?,
        kind: codec::parsed(row, TABLE, "kind")?,
        gateway_id: codec::get(row, TABLE, "gateway_id")?,
        amount: codec::money(row, TABLE, "amount", currency)?,
        state: codec::parsed(row, TABLE, "state")?,
        source: codec::parsed(row, TABLE, "source")?,
        idempotency_ref: codec::get(row, TABLE, "idempotency_ref")?,
        actor: codec::get(row, TABLE, "actor")?,
        comment: codec::get(row, TABLE, "comment")?,
        occurred_at: codec::time(row, TABLE, "occurred_at")?,
        recorded_at: codec::time(row, TABLE, "recorded_at")?,
        updated_at: codec::time(row, TABLE, "updated_at")?,
        request_summary: codec::get(row, TABLE, "request_summary")?,
        error: codec::get(row, TABLE, "error")?,
        witness: codec::get(row, TABLE, "witness")?,
    })
}
