//! Reads from Tamara's API into the local cache: checkout creation, fetching an order, the
//! one place that writes a read into the cache ([`cache_details`], used by the console and the
//! webhook processor alike), and reading an order back from the cache.
//!
//! Invariants: every read from the API lands in the cache in one transaction (order, items and
//! observed ledger rows together, or nothing); a read whose status is behind the cached one
//! ([`super::is_behind`]: ranks lower, and is not a final status) is stale and leaves the
//! cached order as it is (statuses never move backwards).

use chrono::Utc;
use tamara::OrderPath;
use tamara::model::OrderStatus;
use tamara::model::WithRaw;
use tamara::model::checkout::{CheckoutRequest, CheckoutResponse};
use tamara::model::order::OrderDetails;

use chrono::DateTime;

use super::{CachedOrder, is_behind, project};
use crate::context::Context;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::store::ledger::LedgerSource;
use crate::store::{DbConn, items, ledger, orders};

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

/// Writes a fresh read into the cache (never moving a status backwards) in one transaction,
/// and returns the order as cached.
pub async fn cache(ctx: &Context, details: &WithRaw<OrderDetails>) -> Result<CachedOrder> {
    let env = ctx.environment();
    let mut tx = ctx.store().begin().await?;
    let outcome =
        cache_details(&mut tx.as_db(), env, details, LedgerSource::Poll, ctx.now()).await?;
    tx.commit()
        .await
        .map_err(|e| crate::store::StoreError::query("commit order")(e))?;
    if let CacheOutcome::Stale { cached, fetched } = &outcome {
        tracing::info!(order_id = %details.value.order_id, %cached, read = %fetched,
            "stale read ignored: statuses never move backwards");
    }
    cached(ctx, &details.value.order_id).await
}

/// What writing a fresh read into the cache did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheOutcome {
    /// The order row now holds the fetched status (`from` is the previous one, if cached).
    Applied { from: Option<String>, to: String },
    /// The fetched status ranks below the cached one: recorded, not applied.
    Stale { cached: String, fetched: String },
}

impl CacheOutcome {
    /// A one-line description for inbox results and the audit log.
    pub fn describe(&self) -> String {
        match self {
            CacheOutcome::Applied { from: None, to } => format!("cached as {to}"),
            CacheOutcome::Applied { from: Some(f), to } if f == to => format!("still {to}"),
            CacheOutcome::Applied { from: Some(f), to } => format!("{f} -> {to}"),
            // `on_hold` and statuses no source names: kept in the raw read and the inbox,
            // never applied over a status the console can place.
            CacheOutcome::Stale { cached, fetched }
                if super::status_rank(&OrderStatus::parse(fetched)) == 0 =>
            {
                format!("read {fetched}, a status on no documented lifecycle; kept {cached}")
            }
            CacheOutcome::Stale { cached, fetched } => {
                format!("stale read {fetched} kept {cached} (statuses never move backwards)")
            }
        }
    }
}

/// Writes one read of order details into the cache on `conn` (use `&mut tx` to make it part
/// of a larger transaction): the order row and its items only if the status does not move
/// backwards, and every observed money move (deduplicated by the store) with `source`.
///
/// # Errors
/// [`crate::Error::UncacheableOrder`]; store errors.
pub async fn cache_details(
    conn: &mut DbConn<'_>,
    env: Environment,
    details: &WithRaw<OrderDetails>,
    source: LedgerSource,
    now: DateTime<Utc>,
) -> Result<CacheOutcome> {
    let snapshot = project(env, &details.value, &details.raw, now)?;
    let existing = orders::get(&mut *conn, env, &snapshot.order.order_id).await?;
    let fetched = snapshot.order.status.clone();
    if let Some(cached) = &existing
        && is_behind(
            &OrderStatus::parse(&fetched),
            &OrderStatus::parse(&cached.status),
        )
    {
        return Ok(CacheOutcome::Stale {
            cached: cached.status.clone(),
            fetched,
        });
    }
    orders::upsert(&mut *conn, &snapshot.order).await?;
    items::replace_for_order(&mut *conn, env, &snapshot.order.order_id, &snapshot.items).await?;
    let actor = source.as_str().to_owned();
    for m in &snapshot.moves {
        let mut m = m.clone();
        m.source = source;
        m.actor.clone_from(&actor);
        ledger::upsert_observed(&mut *conn, &m, now).await?;
    }
    Ok(CacheOutcome::Applied {
        from: existing.map(|o| o.status),
        to: fetched,
    })
}

pub(crate) fn non_empty(what: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        Err(Error::Invalid(format!("{what} must not be empty")))
    } else {
        Ok(())
    }
}
