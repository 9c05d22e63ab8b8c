//! Reads from Tamara's API into the local cache: checkout creation, fetching an order, and
//! reading one back from the cache.
//!
//! Invariants: every read from the API lands in the cache in one transaction (order, items and
//! observed ledger rows together, or nothing); a read whose status ranks below the cached one
//! ([`super::status_rank`]) is stale and leaves the cached order as it is (statuses never move
//! backwards).

use chrono::Utc;
use tamara::OrderPath;
use tamara::model::OrderStatus;
use tamara::model::WithRaw;
use tamara::model::checkout::{CheckoutRequest, CheckoutResponse};
use tamara::model::order::OrderDetails;

use super::{CachedOrder, project, status_rank};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::store::{items, ledger, orders};

/// A created checkout session, and the order as cached right after.
#[derive(Debug, Clone)]
pub struct CheckoutCreated {
    pub response: WithRaw<CheckoutResponse>,
    /// None when the session was created but reading it back failed (the order is then
    /// fetched later; the session itself is not lost).
    pub cached: Option<CachedOrder>,
}

/// Validates and creates a checkout session, then reads the new order into the cache.
pub async fn create_checkout(ctx: &Context, req: &CheckoutRequest) -> Result<CheckoutCreated> {
    req.validate().map_err(|e| Error::Invalid(e.to_string()))?;
    let gateway = ctx.gateway()?;
    let response = gateway.create_checkout(req).await?;
    let cached = match gateway
        .order(&response.value.order_id, OrderPath::Orders)
        .await
    {
        Ok(details) => Some(cache(ctx, &details).await?),
        Err(e) => {
            tracing::warn!(order_id = %response.value.order_id, error = %e, "created, not yet cached");
            None
        }
    };
    Ok(CheckoutCreated { response, cached })
}

/// Reads an order from the API by Tamara id and caches it.
pub async fn fetch(ctx: &Context, order_id: &str) -> Result<CachedOrder> {
    non_empty("order id", order_id)?;
    let details = ctx.gateway()?.order(order_id, OrderPath::Orders).await?;
    cache(ctx, &details).await
}

/// Reads an order from the API by the merchant's reference and caches it.
pub async fn fetch_by_reference(ctx: &Context, reference: &str) -> Result<CachedOrder> {
    non_empty("order reference", reference)?;
    let details = ctx.gateway()?.order_by_reference(reference).await?;
    cache(ctx, &details).await
}

/// One order from the cache (no network): by Tamara id, else by merchant reference.
pub async fn cached(ctx: &Context, id_or_reference: &str) -> Result<CachedOrder> {
    let env = ctx.environment();
    let order = match orders::get(ctx.store(), env, id_or_reference).await? {
        Some(o) => o,
        None => orders::get_by_reference(ctx.store(), env, id_or_reference)
            .await?
            .ok_or_else(|| Error::OrderNotCached {
                env,
                order_id: id_or_reference.to_owned(),
            })?,
    };
    let items = items::list_for_order(ctx.store(), env, &order.order_id).await?;
    let ledger = ledger::list_for_order(ctx.store(), env, &order.order_id).await?;
    Ok(CachedOrder {
        order,
        items,
        ledger,
    })
}

/// Writes a fresh read into the cache (never moving a status backwards).
pub async fn cache(ctx: &Context, details: &WithRaw<OrderDetails>) -> Result<CachedOrder> {
    let env = ctx.environment();
    let snapshot = project(env, &details.value, &details.raw, Utc::now())?;
    if let Some(known) = orders::get(ctx.store(), env, &snapshot.order.order_id).await? {
        let rank = |s: &str| status_rank(&OrderStatus::parse(s));
        if rank(&snapshot.order.status) < rank(&known.status) {
            tracing::info!(order_id = %known.order_id, cached = %known.status,
                read = %snapshot.order.status, "stale read ignored: statuses never move backwards");
            return cached(ctx, &known.order_id).await;
        }
    }
    let mut tx = ctx.store().begin().await?;
    orders::upsert(&mut *tx, &snapshot.order).await?;
    items::replace_for_order(&mut *tx, env, &snapshot.order.order_id, &snapshot.items).await?;
    for m in &snapshot.moves {
        ledger::upsert_observed(&mut *tx, m).await?;
    }
    tx.commit()
        .await
        .map_err(|e| crate::store::StoreError::query("commit order")(e))?;
    cached(ctx, &snapshot.order.order_id).await
}

fn non_empty(what: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::Invalid(format!("{what} must not be empty")))
    } else {
        Ok(())
    }
}
