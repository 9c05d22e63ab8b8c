//! The "needs attention" queue: orders a person should act on, soonest deadline first.
//!
//! Reasons: approved but not authorised (Tamara expires the approval 72 h after it was made);
//! authorised but not captured (Tamara captures automatically 21 days after authorising);
//! auto-authorise failed (a verified webhook's processing failed while authorising);
//! mismatch (the cache may not match Tamara: a webhook could not be processed, a money move's
//! outcome is unknown, or the last reconciler sweep could not read the order).
//!
//! Invariant: bounded — at most [`MAX_ITEMS`] orders per reason are read, oldest first.

use chrono::{DateTime, Duration, Utc};

use crate::console::Console;
use crate::error::Result;
use crate::reconcile::{self, APPROVAL_WINDOW_HOURS, AUTO_CAPTURE_DAYS};
use crate::store::desktop;
use crate::store::ledger::{self, LedgerState};
use crate::store::orders;
use crate::views::phrase::{Phrase, PhraseCode as P};

/// Most orders read per reason.
pub const MAX_ITEMS: u32 = 500;

/// Why an order is in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AttentionReason {
    ApprovedNotAuthorised,
    AuthorisedNotCaptured,
    AutoAuthoriseFailed,
    Mismatch,
}

impl AttentionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            AttentionReason::ApprovedNotAuthorised => "approved_not_authorised",
            AttentionReason::AuthorisedNotCaptured => "authorised_not_captured",
            AttentionReason::AutoAuthoriseFailed => "auto_authorise_failed",
            AttentionReason::Mismatch => "mismatch",
        }
    }
}

/// One queue entry.
#[derive(Debug, Clone, PartialEq)]
pub struct AttentionItem {
    pub order_id: String,
    /// Empty when the order is not cached.
    pub reference: String,
    pub reason: AttentionReason,
    /// When Tamara acts on its own.
    pub deadline: Option<DateTime<Utc>>,
    pub detail: String,
    /// The detail as a code and parameters, for the desktop to translate.
    pub phrase: Phrase,
}

fn left(deadline: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = deadline - now;
    if d <= Duration::zero() {
        return "the deadline has passed".to_owned();
    }
    let (h, m) = (d.num_hours(), d.num_minutes() % 60);
    if h >= 48 {
        format!("{} days left", h / 24)
    } else {
        format!("{h} h {m} min left")
    }
}

/// The queue as of `now`: orders with deadlines first (soonest first), then the others.
///
/// # Errors
/// Store errors.
pub async fn attention_queue(console: &Console, now: DateTime<Utc>) -> Result<Vec<AttentionItem>> {
    let env = console.environment();
    let store = console.store();
    let mut timed = Vec::new();
    for o in desktop::waiting_orders(store, env, &["approved"], MAX_ITEMS).await? {
        let deadline = o.created_at + Duration::hours(APPROVAL_WINDOW_HOURS);
        timed.push(AttentionItem {
            detail: format!(
                "approved, not authorised: authorise before Tamara expires it ({})",
                left(deadline, now)
            ),
            order_id: o.order_id,
            reference: o.order_reference_id,
            reason: AttentionReason::ApprovedNotAuthorised,
            deadline: Some(deadline),
            phrase: Phrase::new(P::AuthoriseBeforeExpiry, &[]),
        });
    }
    for o in desktop::waiting_orders(store, env, &["authorised", "updated"], MAX_ITEMS).await? {
        let since = o.authorised_at.unwrap_or(o.updated_at);
        let deadline = since + Duration::days(AUTO_CAPTURE_DAYS);
        timed.push(AttentionItem {
            detail: format!(
                "authorised, not captured: capture or cancel before Tamara captures it \
                 automatically ({})",
                left(deadline, now)
            ),
            order_id: o.order_id,
            reference: o.order_reference_id,
            reason: AttentionReason::AuthorisedNotCaptured,
            deadline: Some(deadline),
            phrase: Phrase::new(P::CaptureBeforeAutoCapture, &[]),
        });
    }
    timed.sort_by_key(|i| i.deadline);
    let mut out = timed;
    let reference = async |order_id: &str| -> Result<String> {
        Ok(orders::get(store, env, order_id)
            .await?
            .map(|o| o.order_reference_id)
            .unwrap_or_default())
    };
    for d in reconcile::failed_deliveries(store, env).await? {
        let Some(order_id) = d.order_id.clone().filter(|o| !o.is_empty()) else {
            continue;
        };
        let why = d.processing_result.clone().unwrap_or_default();
        let reason = if why.contains("authorise failed") {
            AttentionReason::AutoAuthoriseFailed
        } else {
            AttentionReason::Mismatch
        };
        let delivery = d.id.to_string();
        let mut params = vec![("delivery", delivery.as_str()), ("reason", why.as_str())];
        params.extend(d.event_type.as_deref().map(|e| ("event", e)));
        out.push(AttentionItem {
            reference: reference(&order_id).await?,
            phrase: Phrase::new(P::DeliveryUnprocessed, &params),
            order_id,
            reason,
            deadline: None,
            detail: format!(
                "webhook delivery {} ({}) could not be processed: {why}; it is retried \
                 automatically, or refresh the order",
                d.id,
                d.event_type.as_deref().unwrap_or("unknown event")
            ),
        });
    }
    for state in [LedgerState::Unknown, LedgerState::Pending] {
        for e in ledger::list_in_state(store, env, state, MAX_ITEMS).await? {
            let amount = e.amount.to_string();
            let params = [
                ("move_kind", e.kind.as_str()),
                ("amount", amount.as_str()),
                ("move_state", state.as_str()),
            ];
            out.push(AttentionItem {
                phrase: Phrase::new(P::MoveUnsettled, &params),
                reference: reference(&e.order_id).await?,
                order_id: e.order_id.clone(),
                reason: AttentionReason::Mismatch,
                deadline: None,
                detail: format!(
                    "{} of {} is {}: refresh the order to learn whether it happened",
                    e.kind,
                    e.amount,
                    state.as_str()
                ),
            });
        }
    }
    if let Some(sweep) = reconcile::last_sweep(console).await? {
        let at = sweep.finished_at.to_rfc3339();
        for f in sweep.failures {
            out.push(AttentionItem {
                phrase: Phrase::new(P::ReconcileFailed, &[("at", &at), ("reason", &f.message)]),
                reference: reference(&f.order_id).await?,
                order_id: f.order_id,
                reason: AttentionReason::Mismatch,
                deadline: None,
                detail: format!(
                    "the reconciler could not read it from Tamara at {}: {}",
                    sweep.finished_at.format("%Y-%m-%d %H:%M UTC"),
                    f.message
                ),
            });
        }
    }
    Ok(out)
}
