//! Bulk synthetic orders for scale tests and benchmarks (the desktop's million-order list).
//!
//! One `INSERT … SELECT` over a recursive counter per batch, in one transaction: far faster
//! than a million prepared inserts, and the rows go through the real schema, constraints and
//! triggers (so the trigram search index is filled exactly as in use).
//!
//! Invariant: seeded orders are recognisable — their references start with [`PREFIX`] and
//! their ids end in `-5eed…` — so nothing can mistake them for real orders; they are only ever
//! written to the environment the caller names.

use super::{Environment, Store, StoreError};

/// Every seeded reference starts with this.
pub const PREFIX: &str = "SEED-";

/// Rows per statement: keeps each statement's memory small.
const BATCH: u64 = 50_000;

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
    let mut start = from;
    while start < to {
        let end = (start + BATCH).min(to);
        sqlx::query(
            "WITH RECURSIVE n(j) AS (SELECT ?1 UNION ALL SELECT j + 1 FROM n WHERE j + 1 < ?2),
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
             m(j, status, cur, total_t, captured_t, refunded_t, canceled_t, authorised_t, first,
               last) AS (
               SELECT j, status, cur,
                 printf(CASE dp WHEN 3 THEN '%d.%03d' ELSE '%d.%02d' END, total / 100,
                        CASE dp WHEN 3 THEN (total % 100) * 10 ELSE total % 100 END),
                 CASE WHEN status IN ('fully_captured', 'partially_refunded', 'fully_refunded')
                        THEN 'T' WHEN status = 'partially_captured' THEN 'H' ELSE '0' END,
                 CASE WHEN status = 'fully_refunded' THEN 'T'
                      WHEN status = 'partially_refunded' THEN 'H' ELSE '0' END,
                 CASE WHEN status = 'canceled' THEN 'T' ELSE '0' END,
                 CASE WHEN status IN ('new', 'approved', 'declined', 'expired') THEN '0'
                      ELSE 'T' END,
                 first, last
               FROM s),
             v AS (
               SELECT j, status, cur, total_t, first, last,
                 CASE captured_t WHEN 'T' THEN total_t WHEN 'H' THEN
                   printf(CASE cur WHEN 'KWD' THEN '%.3f' ELSE '%.2f' END,
                          CAST(total_t AS REAL) / 2)
                   ELSE CASE cur WHEN 'KWD' THEN '0.000' ELSE '0.00' END END AS captured,
                 CASE refunded_t WHEN 'T' THEN total_t WHEN 'H' THEN
                   printf(CASE cur WHEN 'KWD' THEN '%.3f' ELSE '%.2f' END,
                          CAST(total_t AS REAL) / 4)
                   ELSE CASE cur WHEN 'KWD' THEN '0.000' ELSE '0.00' END END AS refunded,
                 CASE canceled_t WHEN 'T' THEN total_t
                   ELSE CASE cur WHEN 'KWD' THEN '0.000' ELSE '0.00' END END AS canceled,
                 CASE authorised_t WHEN 'T' THEN total_t
                   ELSE CASE cur WHEN 'KWD' THEN '0.000' ELSE '0.00' END END AS authorised
               FROM m)
             INSERT INTO orders (environment, order_id, order_reference_id, order_number, status,
                payment_type, instalments, currency, total_amount, authorised_amount,
                captured_amount, refunded_amount, canceled_amount, paid_amount, customer_name,
                customer_phone, customer_email, country_code, created_at, updated_at,
                customer_phone_key)
             SELECT ?3, printf('%08x-0000-4000-8000-5eed%08x', j, j), 'SEED-' || printf('%07d', j),
                CAST(j AS TEXT), status, 'PAY_BY_INSTALMENTS', 3, cur, total_t, authorised,
                captured, refunded, canceled, captured, first || ' ' || last,
                printf('5%08d', (j * 104729) % 100000000),
                lower(replace(first, 'سارة', 'sara')) || '.' || j || '@example.test',
                CASE cur WHEN 'SAR' THEN 'SA' WHEN 'AED' THEN 'AE' ELSE 'KW' END,
                strftime('%Y-%m-%dT%H:%M:%S', '2026-01-01T00:00:00', '-' || (j * 31) || ' seconds')
                  || '.000000000Z',
                strftime('%Y-%m-%dT%H:%M:%S', '2026-01-01T00:00:00', '-' || (j * 31) || ' seconds')
                  || '.000000000Z',
                -- Already national (9 digits from 5): its own phone key (crate::phone).
                printf('5%08d', (j * 104729) % 100000000)
             FROM v",
        )
        .bind(i64::try_from(start).unwrap_or(i64::MAX))
        .bind(i64::try_from(end).unwrap_or(i64::MAX))
        .bind(env.as_str())
        .execute(tx.sqlite("seed orders")?)
        .await
        .map_err(StoreError::query(context))?;
        start = end;
    }
    tx.commit().await.map_err(StoreError::query(context))?;
    Ok(to.saturating_sub(from))
}

/// How many seeded orders `env` holds (the next number to seed from).
///
/// # Errors
/// [`StoreError::Query`].
pub async fn count_seeded(store: &Store, env: Environment) -> Result<u64, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE environment = ? AND order_reference_id LIKE 'SEED-%'",
    )
    .bind(env.as_str())
    .fetch_one(store.sqlite_only("count seeded orders")?)
    .await
    .map_err(StoreError::query("count seeded orders"))?;
    Ok(u64::try_from(n).unwrap_or(0))
}
