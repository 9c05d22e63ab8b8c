//! One order in full for the order screen: amounts (including what remains), items, the
//! timeline merging webhook deliveries, API calls, status changes, money moves, dispute events
//! and audit entries, and which money moves the order's state allows.
//!
//! Invariants: the allowed actions are decided by the same planner that guards the moves
//! ([`crate::moves::plan`]), probed with harmless inputs — never a second copy of the rules;
//! the timeline is bounded ([`MAX_PER_SOURCE`] entries per source, the newest) and sorted by
//! time, oldest first.

use chrono::{DateTime, Utc};
use tamara::model::OrderStatus;
use tamara::model::payments::ShippingInfo;

use crate::console::Console;
use crate::disputes::is_dispute_event;
use crate::error::Result;
use crate::money::Money;
use crate::moves::{AmountInput, MoveAction, OrderState, plan};
use crate::orders::CachedOrder;
use crate::store::audit;
use crate::store::deliveries::{self, DeliveryFilter};
use crate::store::ledger::LedgerEntry;
use crate::store::orders::OrderRecord;

/// Most entries read per timeline source.
pub const MAX_PER_SOURCE: u32 = 200;

/// The order's amounts, all in its currency.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amounts {
    pub authorised: Money,
    pub captured: Money,
    pub refunded: Money,
    pub canceled: Money,
    pub capturable: Money,
    pub refundable: Money,
    pub cancelable: Money,
}

/// Which moves the order's state allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Allowed {
    pub authorise: bool,
    pub capture: bool,
    pub refund: bool,
    pub cancel: bool,
}

/// What a timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    ApiCall,
    Webhook,
    Status,
    Move,
    Audit,
    // A dispute event (its delivery's body as the payload).
    Dispute,
}

/// One event in the order's history.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub kind: TimelineKind,
    pub title: String,
    pub detail: String,
    /// Raw JSON text (a delivery body, a request summary), when there is one.
    pub payload: Option<String>,
}

/// The order screen's model.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderView {
    pub cached: CachedOrder,
    pub amounts: Amounts,
    pub allowed: Allowed,
    pub timeline: Vec<TimelineEntry>,
}

/// The planner's view of a cached order (no items: the probes below never name any).
fn state_of(o: &OrderRecord) -> OrderState {
    OrderState {
        order_id: o.order_id.clone(),
        order_reference_id: o.order_reference_id.clone(),
        status: OrderStatus::parse(&o.status),
        total: o.total,
        captured: o.captured,
        refunded: o.refunded,
        canceled: o.canceled,
        items: Vec::new(),
        captured_units: Default::default(),
    }
}

/// What the planner would allow for `o` now.
pub fn allowed(o: &OrderRecord) -> Allowed {
    let s = state_of(o);
    let shipping = ShippingInfo {
        shipped_at: "2000-01-01T00:00:00Z".into(),
        shipping_company: "probe".into(),
        tracking_number: None,
        tracking_url: None,
    };
    let refundable = s.refundable();
    Allowed {
        authorise: plan(&s, &MoveAction::Authorise).is_ok(),
        capture: plan(
            &s,
            &MoveAction::Capture {
                amount: None,
                items: Vec::new(),
                shipping,
            },
        )
        .is_ok(),
        refund: refundable.is_positive()
            && plan(
                &s,
                &MoveAction::Refund {
                    amount: AmountInput {
                        value: refundable.amount(),
                        currency: None,
                    },
                    comment: "probe".into(),
                },
            )
            .is_ok(),
        cancel: plan(&s, &MoveAction::Cancel { amount: None }).is_ok(),
    }
}

/// The order's amounts, with what remains of each.
pub fn amounts(o: &OrderRecord) -> Amounts {
    let s = state_of(o);
    let allowed = allowed(o);
    Amounts {
        authorised: o.authorised,
        captured: o.captured,
        refunded: o.refunded,
        canceled: o.canceled,
        capturable: if allowed.capture {
            s.uncaptured()
        } else {
            Money::zero(o.currency())
        },
        refundable: s.refundable(),
        cancelable: if allowed.cancel {
            s.uncaptured()
        } else {
            Money::zero(o.currency())
        },
    }
}

/// The order `id_or_reference` from the cache with its amounts, allowed moves and timeline.
///
/// # Errors
/// [`crate::Error::OrderNotCached`]; store errors.
pub async fn order_view(console: &Console, id_or_reference: &str) -> Result<OrderView> {
    let cached = console.cached_order(id_or_reference).await?;
    let timeline = timeline(console, &cached).await?;
    Ok(OrderView {
        amounts: amounts(&cached.order),
        allowed: allowed(&cached.order),
        cached,
        timeline,
    })
}

fn move_entry(e: &LedgerEntry) -> TimelineEntry {
    let mut detail = format!("by {} ({})", e.actor, e.source);
    if let Some(c) = &e.comment {
        detail.push_str(&format!("; comment: {c}"));
    }
    if let Some(id) = &e.gateway_id {
        detail.push_str(&format!("; Tamara id {id}"));
    }
    if let Some(err) = &e.error {
        detail.push_str(&format!("; {err}"));
    }
    // Every ledger entry is a money move, whoever made it (this console, a webhook, the
    // reconciler); "API call" is for reads.
    TimelineEntry {
        at: e.occurred_at,
        kind: TimelineKind::Move,
        title: format!("{} {} {}", capitalised(e.kind.as_str()), e.amount, e.state),
        detail,
        payload: e.request_summary.clone().filter(|s| looks_like_json(s)),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn looks_like_json(s: &str) -> bool {
    let t = s.trim_start();
    (t.starts_with('{') || t.starts_with('['))
        && serde_json::from_str::<serde_json::Value>(s).is_ok()
}

/// A status change in an audit result: `a -> b` or `cached as b`.
fn status_change(result: &str) -> Option<String> {
    let words: Vec<&str> = result
        .split(|c: char| c.is_whitespace() || c == ';' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    words.windows(3).find_map(|w| match w {
        [a, "->", b] => Some(format!("{a} → {b}")),
        ["cached", "as", b] => Some(format!("→ {b}")),
        _ => None,
    })
}

async fn timeline(console: &Console, cached: &CachedOrder) -> Result<Vec<TimelineEntry>> {
    let o = &cached.order;
    let env = console.environment();
    let store = console.store();
    let mut out = vec![TimelineEntry {
        at: o.created_at,
        kind: TimelineKind::Status,
        title: "Order created at Tamara".into(),
        detail: format!("reference {}, total {}", o.order_reference_id, o.total),
        payload: None,
    }];
    if let Some(at) = o.last_synced_at {
        out.push(TimelineEntry {
            at,
            kind: TimelineKind::ApiCall,
            title: "Order details read from Tamara".into(),
            detail: format!("status {}", o.status),
            payload: o.raw_json.clone(),
        });
    }
    let filter = DeliveryFilter {
        environment: Some(env),
        order_id: Some(o.order_id.clone()),
        limit: Some(MAX_PER_SOURCE),
        ..DeliveryFilter::default()
    };
    for d in deliveries::list(store, &filter).await? {
        let dispute_event = d.event_type.as_deref().is_some_and(is_dispute_event);
        if dispute_event && d.verdict == deliveries::DeliveryVerdict::Verified {
            // On the timeline as the dispute event below.
            continue;
        }
        let mut detail = format!("{} ({})", d.processing_state, d.http_status);
        if let Some(r) = d.reason.as_ref().or(d.processing_result.as_ref()) {
            detail.push_str(&format!(": {r}"));
        }
        out.push(TimelineEntry {
            at: d.received_at,
            kind: TimelineKind::Webhook,
            title: format!(
                "Webhook {} — {}",
                d.event_type.as_deref().unwrap_or("(no event type)"),
                d.verdict
            ),
            detail,
            payload: Some(d.body.clone()),
        });
    }
    out.extend(cached.ledger.iter().map(move_entry));
    let (_, dispute_events) = crate::disputes::for_order(console, &o.order_id).await?;
    out.extend(dispute_events.into_iter().map(|e| TimelineEntry {
        at: e.received_at,
        kind: TimelineKind::Dispute,
        title: format!(
            "Dispute {} — {}",
            e.dispute_id.as_deref().unwrap_or("?"),
            e.event_type
        ),
        detail: match (&e.status, e.recognised) {
            (Some(s), true) => format!("status {s}"),
            (Some(s), false) => format!("status {s}; body shape not recognised, kept as sent"),
            (None, _) => "body shape not recognised, kept as sent".to_owned(),
        },
        payload: Some(e.body),
    }));
    for a in audit::list_for_subject(store, env, &o.order_id, MAX_PER_SOURCE).await? {
        // A money move's audit entry stays under "Audit" (who asked, what was said, the
        // outcome); the move itself is on the timeline from the ledger. Dispute events are
        // above already.
        if a.action.starts_with("dispute.event") {
            continue;
        }
        let (kind, title) = match status_change(&a.result) {
            _ if a.action.starts_with("move.") => (TimelineKind::Audit, a.action.clone()),
            Some(change) => (TimelineKind::Status, format!("Status {change}")),
            None => (TimelineKind::Audit, a.action.clone()),
        };
        out.push(TimelineEntry {
            at: a.at,
            kind,
            title,
            detail: format!("{} — by {}", a.result, a.operator),
            payload: a.request_summary.filter(|s| looks_like_json(s)),
        });
    }
    out.sort_by_key(|e| e.at);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_changes_are_read_from_audit_results() {
        assert_eq!(
            status_change("order_approved: approved -> authorised; authorised").as_deref(),
            Some("approved → authorised")
        );
        assert_eq!(
            status_change("order_approved: cached as approved").as_deref(),
            Some("→ approved")
        );
        assert_eq!(status_change("duplicate of delivery 3"), None);
    }
}
