//! Bulk synthetic orders for scale tests and benchmarks (the desktop's million-order list).
//!
//! One `INSERT … SELECT` over a counter per batch, in one transaction: far faster than a
//! million prepared inserts, and the rows go through the real schema, constraints and triggers
//! (so the trigram search index is filled exactly as in use). SQLite and PostgreSQL write the
//! same rows: the statement is shared but for the counter (a recursive CTE / `generate_series`)
//! and text formatting (`printf` and `strftime` / `lpad` and `to_char`), and every amount is
//! integer arithmetic in minor units (halves and quarters round half up), so no float rounding
//! can tell the two apart.
//!
//! Invariant: seeded orders are recognisable — their references start with [`PREFIX`] and
//! their ids end in `-5eed…` — so nothing can mistake them for real orders; they are only ever
//! written to the environment the caller names.

use super::{Db as _, Environment, Store, StoreError, on_conn};

/// Every seeded reference starts with this.
pub const PREFIX: &str = "SEED-";

/// Rows per statement: keeps each statement's memory small.
const BATCH: u64 = 50_000;

/// The statement's parts both dialects share: the numbered rows `v(j, status, cur, dp, first,
/// last, t, captured, refunded, canceled, authorised)`, amounts in minor units.
const ROWS: &str = "
     s(j, status, cur, dp, total, first, last) AS (
       SELECT j,
         CASE j % 20 WHEN 0 THEN 'approved' WHEN 1 THEN 'declined' WHEN 2 THEN 'expired'
           WHEN 3 THEN 'canceled' WHEN 4 THEN 'authorised' WHEN 5 THEN 'authorised'
           WHEN 6 THEN 'partially_captured' WHEN 7 THEN 'partially_refunded'
           WHEN 8 THEN 'fully_refunded' WHEN 9 THEN 'new'
           ELSE 'fully_captured' END,
         CASE j % 10 WHEN 0 THEN 'KWD' WHEN 1 THEN 'AED' WHEN 2 THEN 'AED' ELSE 'SAR' END,
         CASE j % 10 WHEN 0 THEN 3 ELSE 2 END,
         (j * 7919) % 300000 + 1000,
         CASE j % 12 WHEN 0 THEN 'Sara' WHEN 1 THEN 'Omar' WHEN 2 THEN 'Layla'
           WHEN 3 THEN 'Khalid' WHEN 4 THEN 'Noura' WHEN 5 THEN 'Faisal' WHEN 6 THEN 'Huda'
           WHEN 7 THEN 'Yousef' WHEN 8 THEN 'Reem' WHEN 9 THEN 'Tariq' WHEN 10 THEN 'Maha'
           ELSE 'سارة' END,
         CASE (j / 12) % 9 WHEN 0 THEN 'Al-Harbi' WHEN 1 THEN 'Al-Qahtani'
           WHEN 2 THEN 'Haddad' WHEN 3 THEN 'Al-Mansour' WHEN 4 THEN 'Nasser'
           WHEN 5 THEN 'Al-Otaibi' WHEN 6 THEN 'Saleh' WHEN 7 THEN 'Al-Zahrani'
           ELSE 'خالد' END
       FROM n),
     m(j, status, cur, dp, first, last, t) AS (
       SELECT j, status, cur, dp, first, last, CASE dp WHEN 3 THEN total * 10 ELSE total END
       FROM s),
     v AS (
       SELECT j, status, cur, dp, first, last, t,
         CASE WHEN status IN ('fully_captured', 'partially_refunded', 'fully_refunded') THEN t
              WHEN status = 'partially_captured' THEN (t + 1) / 2 ELSE 0 END AS captured,
         CASE WHEN status = 'fully_refunded' THEN t
              WHEN status = 'partially_refunded' THEN (t + 2) / 4 ELSE 0 END AS refunded,
         CASE WHEN status = 'canceled' THEN t ELSE 0 END AS canceled,
         CASE WHEN status IN ('new', 'approved', 'declined', 'expired') THEN 0
              ELSE t END AS authorised
       FROM m)
     INSERT INTO orders (environment, order_id, order_reference_id, order_number, status,
        payment_type, instalments, currency, total_amount, authorised_amount,
        captured_amount, refunded_amount, canceled_amount, paid_amount, customer_name,
        customer_phone, customer_email, country_code, created_at, updated_at,
        customer_phone_key)
     SELECT $3, ";

/// How one dialect spells the parts that differ.
struct Dialect {
    /// The counter `n(j)` over `$1 .. $2`.
    counter: &'static str,
    /// An amount `{x}` in minor units at `dp` decimals, as text.
    amount: &'static str,
    /// The order id, the reference and the phone (all of `j`).
    id: &'static str,
    reference: &'static str,
    phone: &'static str,
    /// Creation time to the second, `j * 31` s before 2026-01-01.
    created: &'static str,
}

const SQLITE: Dialect = Dialect {
    counter: "WITH RECURSIVE n(j) AS (SELECT $1 UNION ALL SELECT j + 1 FROM n WHERE j + 1 < $2),",
    amount: "CASE dp WHEN 3 THEN printf('%d.%03d', {x} / 1000, {x} % 1000)
               ELSE printf('%d.%02d', {x} / 100, {x} % 100) END",
    id: "printf('%08x-0000-4000-8000-5eed%08x', j, j)",
    reference: "'SEED-' || printf('%07d', j)",
    phone: "printf('5%08d', (j * 104729) % 100000000)",
    created: "strftime('%Y-%m-%dT%H:%M:%S', '2026-01-01T00:00:00', '-' || (j * 31) || ' seconds')",
};

/// `lpad` with a width of at least the text's own, as `printf('%0Nd')` never truncates.
const POSTGRES: Dialect = Dialect {
    counter: "WITH n(j) AS (SELECT g FROM generate_series($1, $2 - 1) AS g),",
    amount: "CASE dp WHEN 3
               THEN CAST({x} / 1000 AS TEXT) || '.' || lpad(CAST({x} % 1000 AS TEXT), 3, '0')
               ELSE CAST({x} / 100 AS TEXT) || '.' || lpad(CAST({x} % 100 AS TEXT), 2, '0') END",
    id: "lpad(to_hex(j), greatest(8, length(to_hex(j))), '0') || '-0000-4000-8000-5eed'
           || lpad(to_hex(j), greatest(8, length(to_hex(j))), '0')",
    reference: "'SEED-' || lpad(CAST(j AS TEXT), greatest(7, length(CAST(j AS TEXT))), '0')",
    phone: "'5' || lpad(CAST((j * 104729) % 100000000 AS TEXT), 8, '0')",
    created: "to_char(TIMESTAMP '2026-01-01 00:00:00' - (j * 31) * INTERVAL '1 second',
                'YYYY-MM-DD\"T\"HH24:MI:SS')",
};

impl Dialect {
    /// The whole statement. Only these fixed fragments are spliced in; values are bound.
    fn statement(&self) -> String {
        let amount = |x: &str| self.amount.replace("{x}", x);
        format!(
            "{counter}{ROWS}{id}, {reference},
                CAST(j AS TEXT), status, 'PAY_BY_INSTALMENTS', 3, cur, {total}, {authorised},
                {captured}, {refunded}, {canceled}, {captured}, first || ' ' || last,
                {phone},
                lower(replace(first, 'سارة', 'sara')) || '.' || CAST(j AS TEXT) || '@example.test',
                CASE cur WHEN 'SAR' THEN 'SA' WHEN 'AED' THEN 'AE' ELSE 'KW' END,
                {created} || '.000000000Z',
                {created} || '.000000000Z',
                -- Already national (9 digits from 5): its own phone key (crate::phone).
                {phone}
             FROM v",
            counter = self.counter,
            id = self.id,
            reference = self.reference,
            total = amount("t"),
            authorised = amount("authorised"),
            captured = amount("captured"),
            refunded = amount("refunded"),
            canceled = amount("canceled"),
            phone = self.phone,
            created = self.created,
        )
    }
}

/// Appends orders `from..to` (numbered) to `env`: statuses, currencies, amounts, customers and
/// creation times (one every 31 s back from 2026-01-01, so a million span a year) vary with
/// the number. Returns how many were written.
///
/// # Errors
/// [`StoreError::Query`] (nothing is written then).
pub async fn seed_orders(
    store: &Store,
    env: Environment,
    from: u64,
    to: u64,
) -> Result<u64, StoreError> {
    let context = "seed orders";
    let mut tx = store.begin().await?;
    let mut conn = tx.as_db();
    // Both dialects' statements, side by side above: SQLite has no generate_series or lpad,
    // PostgreSQL no printf or strftime.
    let sql = if conn.is_postgres() {
        POSTGRES.statement()
    } else {
        SQLITE.statement()
    };
    let mut start = from;
    while start < to {
        let end = (start + BATCH).min(to);
        on_conn!(conn, c => sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind(i64::try_from(start).unwrap_or(i64::MAX))
            .bind(i64::try_from(end).unwrap_or(i64::MAX))
            .bind(env.as_str())
            .execute(c)
            .await
            .map(|_| ()))
        .map_err(StoreError::query(context))?;
        start = end;
    }
    drop(conn);
    tx.commit().await.map_err(StoreError::query(context))?;
    Ok(to.saturating_sub(from))
}

/// How many seeded orders `env` holds (the next number to seed from). `LOWER(…) LIKE` keeps
/// SQLite's case-insensitive LIKE on PostgreSQL, whose LIKE minds case.
///
/// # Errors
/// [`StoreError::Query`].
pub async fn count_seeded(store: &Store, env: Environment) -> Result<u64, StoreError> {
    let context = "count seeded orders";
    let mut conn = store.conn().await.map_err(StoreError::query(context))?;
    let n: i64 = on_conn!(conn, c => sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders
         WHERE environment = $1 AND LOWER(order_reference_id) LIKE 'seed-%'",
    )
    .bind(env.as_str())
    .fetch_one(c)
    .await)
    .map_err(StoreError::query(context))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
