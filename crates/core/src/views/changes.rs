//! The change feed: what changed in the store since the app last looked, so the app can push
//! events (new deliveries, changed orders) instead of the UI polling.
//!
//! Invariant: watermarks only move forward; each call reads a bounded batch, so a burst is
//! reported over several calls rather than in one huge read.

use crate::console::Console;
use crate::error::Result;
use crate::store::desktop::{self, ChangedOrder, NewDeliveryBrief};

/// Most rows read per call and kind.
pub const BATCH: u32 = 200;

/// Where the feed stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Watermark {
    pub delivery_id: i64,
    /// A stored `updated_at` text.
    pub order_updated_at: String,
}

/// What changed since a watermark.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub deliveries: Vec<NewDeliveryBrief>,
    pub orders: Vec<ChangedOrder>,
}

/// The current end of the feed: start here to report only what happens from now on.
///
/// # Errors
/// Store errors.
pub async fn now(console: &Console) -> Result<Watermark> {
    let env = console.environment();
    Ok(Watermark {
        delivery_id: desktop::last_delivery_id(console.store(), env).await?,
        order_updated_at: desktop::last_order_change(console.store(), env).await?,
    })
}

/// Changes after `mark`, advancing it past what is returned.
///
/// # Errors
/// Store errors (the watermark is then unchanged).
pub async fn since(console: &Console, mark: &mut Watermark) -> Result<Changes> {
    let env = console.environment();
    let store = console.store();
    let deliveries = desktop::deliveries_after(store, env, mark.delivery_id, BATCH).await?;
    let orders = desktop::orders_changed_after(store, env, &mark.order_updated_at, BATCH).await?;
    if let Some(d) = deliveries.last() {
        mark.delivery_id = d.id;
    }
    if let Some(o) = orders.last() {
        mark.order_updated_at.clone_from(&o.updated_at);
    }
    Ok(Changes { deliveries, orders })
}
