//! The processor's claim on the deliveries it is about to process, so two server instances on
//! one PostgreSQL database do not both work the same delivery (both re-reading the order, both
//! calling authorise) while one of them settles it.
//!
//! `FOR UPDATE SKIP LOCKED` alone cannot be that claim: row locks end with the statement
//! outside a transaction, and a transaction holding them across processing would block the
//! processor's own settling UPDATE. Advisory locks per delivery, held by a [`HeldLock`] for
//! the batch, block nobody's writes; after taking them the rows are re-read, so one settled by
//! another instance in the meantime is dropped.

use std::collections::BTreeSet;

use super::{WebhookDelivery, from_row, next_unprocessed};
use crate::store::locks::HeldLock;
use crate::store::{Environment, Store, StoreError};

/// The first of the two advisory keys of a delivery claim (the second is the delivery id);
/// two-key locks never collide with the single-key ones of [`crate::store::locks`].
const CLAIM_CLASS: i32 = 0x4d5a_0001;

/// Up to `limit` pending deliveries of `env`, oldest first, claimed until the lock is
/// released: another instance's claim skips them. An order whose earlier delivery another
/// instance holds is left out entirely, so each order's deliveries still settle in arrival
/// order. On SQLite this is [`next_unprocessed`] and nothing is held.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn claim_next(
    store: &Store,
    env: Environment,
    limit: u32,
) -> Result<(HeldLock, Vec<WebhookDelivery>), StoreError> {
    let Some(pool) = store.postgres_pool() else {
        return Ok((
            HeldLock::none(),
            next_unprocessed(store, Some(env), limit).await?,
        ));
    };
    let context = "claim deliveries";
    // A plain read, not `next_unprocessed`'s SKIP LOCKED: a row another instance is settling
    // right now must still be seen, so its order counts as busy below.
    let candidates = sqlx::query(
        "SELECT * FROM webhook_deliveries WHERE processing_state = 'pending'
         AND environment = $1 ORDER BY id LIMIT $2",
    )
    .bind(env.as_str())
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect::<Result<Vec<_>, _>>()?;
    if candidates.is_empty() {
        return Ok((HeldLock::none(), candidates));
    }
    let ids: Vec<i64> = candidates.iter().map(|r| r.id).collect();
    let mut tx = pool.begin().await.map_err(StoreError::query(context))?;
    // The id folded into the int4 key: two ids sharing a key only delay one to a later batch.
    let locked: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM unnest($1::bigint[]) AS c(id)
         WHERE pg_try_advisory_xact_lock($2, (id % 2147483648)::int4)",
    )
    .bind(&ids)
    .bind(CLAIM_CLASS)
    .fetch_all(&mut *tx)
    .await
    .map_err(StoreError::query(context))?;
    let locked: BTreeSet<i64> = locked.into_iter().collect();
    let busy: BTreeSet<&str> = candidates
        .iter()
        .filter(|r| !locked.contains(&r.id))
        .filter_map(|r| r.order_id.as_deref())
        .collect();
    let mine: Vec<i64> = candidates
        .iter()
        .filter(|r| locked.contains(&r.id))
        .filter(|r| r.order_id.as_deref().is_none_or(|o| !busy.contains(o)))
        .map(|r| r.id)
        .collect();
    // Re-read under the claim: a delivery another instance settled (and let go) since the
    // candidates were read is no longer pending.
    let rows = sqlx::query(
        "SELECT * FROM webhook_deliveries
         WHERE id = ANY($1) AND processing_state = 'pending' ORDER BY id",
    )
    .bind(&mine)
    .fetch_all(&mut *tx)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect::<Result<Vec<_>, _>>()?;
    Ok((HeldLock { tx: Some(tx) }, rows))
}
