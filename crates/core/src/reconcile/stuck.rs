//! Orders that need a person: deadlines (approved → authorise within 72 h; authorised →
//! Tamara captures by itself after 21 days) and deliveries whose processing failed.
//!
//! Reads only the cache; the same rule as the app's attention queue. How the deadlines are
//! estimated is in the [`super`] module's doc.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{APPROVAL_WINDOW_HOURS, AUTO_CAPTURE_DAYS};
use crate::console::Console;
use crate::error::Result;
use crate::store::deliveries::{self, DeliveryFilter, ProcessingState};
use crate::store::desktop::{Waiting, waiting_orders};
use crate::store::order_list;
use crate::store::orders::{self, OrderRecord};

/// How many failed deliveries one sweep, `orders stuck` or `status` looks at.
pub const FAILED_DELIVERY_SCAN: u32 = 1_000;

/// The deliveries of `env` whose processing failed, newest first (at most
/// [`FAILED_DELIVERY_SCAN`]): the sweep re-reads their orders, `orders stuck` lists them and
/// `status` counts them.
pub async fn failed_deliveries(
    store: &crate::store::Store,
    env: crate::environment::Environment,
) -> Result<Vec<deliveries::WebhookDelivery>> {
    let filter = DeliveryFilter {
        environment: Some(env),
        processing_state: Some(ProcessingState::Failed),
        limit: Some(FAILED_DELIVERY_SCAN),
        ..DeliveryFilter::default()
    };
    Ok(deliveries::list(store, &filter).await?)
}

/// Why an order needs a person.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StuckReason {
    /// Approved, not authorised: Tamara expires it at `expires_at`.
    ApprovedNotAuthorised { expires_at: DateTime<Utc> },
    /// Authorised, not captured: Tamara captures it automatically at `auto_capture_at`.
    AuthorisedNotCaptured { auto_capture_at: DateTime<Utc> },
    /// A verified delivery about it could not be processed.
    ProcessingFailed {
        delivery_id: i64,
        reason: Option<String>,
    },
}

impl StuckReason {
    pub fn code(&self) -> &'static str {
        match self {
            StuckReason::ApprovedNotAuthorised { .. } => "approved_not_authorised",
            StuckReason::AuthorisedNotCaptured { .. } => "authorised_not_captured",
            StuckReason::ProcessingFailed { .. } => "processing_failed",
        }
    }

    fn deadline(&self) -> Option<DateTime<Utc>> {
        match self {
            StuckReason::ApprovedNotAuthorised { expires_at } => Some(*expires_at),
            StuckReason::AuthorisedNotCaptured { auto_capture_at } => Some(*auto_capture_at),
            StuckReason::ProcessingFailed { .. } => None,
        }
    }
}

/// An order that needs a person, with the time left before its deadline (negative: passed).
#[derive(Debug, Clone, PartialEq)]
pub struct StuckOrder {
    pub order_id: String,
    /// The cached order (None when only a failed delivery names it).
    pub order: Option<OrderRecord>,
    pub reason: StuckReason,
    pub time_left: Option<chrono::Duration>,
}

/// Orders needing a person as of `now`: deadlines first (soonest first), then orders whose
/// webhook processing failed. Reads only the cache. The same rule as the app's attention
/// queue (`store::desktop::waiting_orders`): approved orders, and authorised orders with money
/// left to capture whatever their status; never a rehearsal order.
pub async fn stuck_orders(console: &Console, now: DateTime<Utc>) -> Result<Vec<StuckOrder>> {
    let env = console.environment();
    let store = console.store();
    let mut out = Vec::new();
    for what in [Waiting::Approval, Waiting::Capture] {
        for w in waiting_orders(store, env, what, order_list::MAX_PAGE).await? {
            let reason = match what {
                Waiting::Approval => StuckReason::ApprovedNotAuthorised {
                    expires_at: w.created_at + chrono::Duration::hours(APPROVAL_WINDOW_HOURS),
                },
                Waiting::Capture => {
                    if !w.left_to_capture().is_some_and(|m| m.is_positive()) {
                        continue;
                    }
                    let authorised_at = w.authorised_at.unwrap_or(w.updated_at);
                    StuckReason::AuthorisedNotCaptured {
                        auto_capture_at: authorised_at + chrono::Duration::days(AUTO_CAPTURE_DAYS),
                    }
                }
            };
            let order = orders::get(store, env, &w.order_id).await?;
            out.push(StuckOrder {
                order_id: w.order_id,
                time_left: reason.deadline().map(|d| d - now),
                order,
                reason,
            });
        }
    }
    out.sort_by_key(|s| s.time_left);
    let failed = failed_deliveries(store, env).await?;
    for d in failed {
        let order_id = d.order_id.clone().unwrap_or_default();
        let order = if order_id.is_empty() {
            None
        } else {
            orders::get(store, env, &order_id).await?
        };
        out.push(StuckOrder {
            order_id,
            order,
            reason: StuckReason::ProcessingFailed {
                delivery_id: d.id,
                reason: d.processing_result.clone(),
            },
            time_left: None,
        });
    }
    Ok(out)
}
