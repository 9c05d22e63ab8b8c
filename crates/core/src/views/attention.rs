//! The "needs attention" queue: orders a person should act on, soonest deadline first.
//!
//! Reasons: approved but not authorised (Tamara expires the approval 72 h after it was made);
//! authorised with money left to capture, whatever the status (`authorised`, `updated`, or
//! captured or refunded in part with the rest uncaptured: Tamara captures automatically 21 days
//! after authorising);
//! auto-authorise failed (a verified webhook's processing failed while authorising);
//! mismatch (the cache may not match Tamara: a webhook could not be processed, a money move's
//! outcome is unknown, or the last reconciler sweep could not read the order).
//!
//! Rehearsal orders (the go-live checklist's, `REHEARSE-…`) are never in the queue.
//!
//! Invariant: bounded — at most [`MAX_ITEMS`] orders per reason are read, oldest first.

use chrono::{DateTime, Duration, Utc};

use crate::console::Console;
use crate::error::Result;
use crate::money::Money;
use crate::reconcile::{self, APPROVAL_WINDOW_HOURS, AUTO_CAPTURE_DAYS};
use crate::store::desktop::{self, Waiting};
use crate::store::ledger::{self, LedgerState};
use crate::store::order_list::is_rehearsal;
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
    /// The money at stake: the total awaiting authorisation, or what is left to capture.
    pub amount: Option<Money>,
    /// The customer's name, when the order is cached with one.
    pub customer: Option<String>,
    pub detail: String,
    /// The detail as a code and parameters, for the desktop to translate.
    pub phrase: Phrase,
}

/// The queue as of `now`: orders with deadlines first (soonest first), then the others.
///
/// # Errors
/// Store errors.
pub async fn attention_queue(console: &Console, now: DateTime<Utc>) -> Result<Vec<AttentionItem>> {
    let env = console.environment();
    let store = console.store();
    let mut timed = Vec::new();
    for o in desktop::waiting_orders(store, env, Waiting::Approval, MAX_ITEMS).await? {
        let deadline = o.created_at + Duration::hours(APPROVAL_WINDOW_HOURS);
        timed.push(AttentionItem {
            detail: format!(
                "approved, not authorised: authorise before Tamara expires it ({})",
                passed(deadline, now)
            ),
            order_id: o.order_id,
            reference: o.order_reference_id,
            reason: AttentionReason::ApprovedNotAuthorised,
            deadline: Some(deadline),
            phrase: Phrase::new(P::AuthoriseBeforeExpiry, &[]),
            amount: Some(o.total),
            customer: o.customer_name,
        });
    }
    for o in desktop::waiting_orders(store, env, Waiting::Capture, MAX_ITEMS).await? {
        // Exactly: the store's filter is a float key.
        let Some(left) = o.left_to_capture().filter(Money::is_positive) else {
            continue;
        };
        let since = o.authorised_at.unwrap_or(o.updated_at);
        let deadline = since + Duration::days(AUTO_CAPTURE_DAYS);
        timed.push(AttentionItem {
            detail: format!(
                "{left} authorised, not captured: capture or cancel it before Tamara captures \
                 it automatically ({})",
                passed(deadline, now)
            ),
            order_id: o.order_id,
            reference: o.order_reference_id,
            reason: AttentionReason::AuthorisedNotCaptured,
            deadline: Some(deadline),
            phrase: Phrase::new(P::CaptureBeforeAutoCapture, &[]),
            amount: Some(left),
            customer: o.customer_name,
        });
    }
    timed.sort_by_key(|i| i.deadline);
    let mut out = timed;
    // (reference, customer) of a cached order; a rehearsal order is left out of the queue.
    let cached = async |order_id: &str| -> Result<Option<(String, Option<String>)>> {
        Ok(match orders::get(store, env, order_id).await? {
            Some(o) if is_rehearsal(&o.order_reference_id) => None,
            Some(o) => Some((o.order_reference_id, o.customer_name)),
            None => Some((String::new(), None)),
        })
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
        let Some((reference, customer)) = cached(&order_id).await? else {
            continue;
        };
        out.push(AttentionItem {
            phrase: Phrase::new(P::DeliveryUnprocessed, &params),
            reference,
            customer,
            amount: None,
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
            let Some((reference, customer)) = cached(&e.order_id).await? else {
                continue;
            };
            out.push(AttentionItem {
                phrase: Phrase::new(P::MoveUnsettled, &params),
                reference,
                customer,
                amount: Some(e.amount),
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
            let Some((reference, customer)) = cached(&f.order_id).await? else {
                continue;
            };
            out.push(AttentionItem {
                phrase: Phrase::new(P::ReconcileFailed, &[("at", &at), ("reason", &f.message)]),
                reference,
                customer,
                amount: None,
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

/// The deadline in words for the CLI-facing sentence; the app renders its own, localised.
fn passed(deadline: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let d = deadline - now;
    if d <= Duration::zero() {
        return "the deadline has passed".to_owned();
    }
    let (days, h, m) = (d.num_days(), d.num_hours() % 24, d.num_minutes() % 60);
    if days >= 2 {
        format!("{days} days left")
    } else {
        format!("{} h {m} min left", days * 24 + h)
    }
}
