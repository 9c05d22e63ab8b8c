//! Disputes: the one adapter between Tamara's disputes and the console.
//!
//! Owns receiving the six dispute events ([`receive`], called by the webhook processor for
//! verified deliveries), the local disputes table (`store::disputes`, migration 0007), the
//! refresh from the dispute list and the comment ([`refresh`]), and the days left to respond.
//!
//! Sources: the six event names are Tamara's (reference §6.5); their payloads are
//! undocumented ([`notice`] reads what it can and keeps the rest); the list and update API is
//! **third-party-sourced** (§5.11, §16.16), so it is used only where `MIZAN_<ENV>_DISPUTES_PATH`
//! names a path. No source gives the time a merchant has to respond: it is the
//! [`RESPONSE_DAYS_SETTING`] setting, [`DEFAULT_RESPONSE_DAYS`] days unless set.
//!
//! Invariants: a verified dispute delivery is never refused for its shape — it is stored
//! verbatim as a dispute event, and changes a dispute only when it names one; a closed dispute
//! is never reopened by a late event; time comes from the context's clock.

pub mod notice;
pub mod receive;
pub mod refresh;

use chrono::{DateTime, Duration, Utc};
use tamara::model::dispute::DisputeStatus;
use tamara::model::webhooks::EventType;

use crate::context::Context;
use crate::error::Result;
use crate::store::disputes::{self as stored, EventScope};
use crate::store::settings::{self, SettingScope};

pub use crate::error::dispute::DisputeError;
pub use crate::store::disputes::{DisputeEventRecord, DisputeRecord};

/// The setting (per environment, else global) holding the days a merchant has to respond to a
/// dispute waiting for them.
pub const RESPONSE_DAYS_SETTING: &str = "disputes.response_days";
/// Days to respond when the setting is absent: Mizan's choice, not Tamara's (no source says).
pub const DEFAULT_RESPONSE_DAYS: u32 = 7;
/// Most events read per source (an order's, the unmatched ones).
pub const MAX_EVENTS: u32 = 200;

/// True for the dispute events and their family (`OrderDispute…`).
pub fn is_dispute_event(name: &str) -> bool {
    EventType::parse(name).is_dispute()
}

/// The status a dispute event reports when its body says none (`OrderDisputeWasUpdated`
/// implies none). Mizan's reading of the names; the simulator uses the same.
pub fn implied_status(event: &EventType) -> Option<DisputeStatus> {
    Some(match event {
        EventType::DisputeAwaitingMerchantResponse => DisputeStatus::AwaitingMerchantResponse,
        EventType::DisputeClosedMerchantAcceptedClaim
        | EventType::DisputeClosedTamaraAcceptedClaim => DisputeStatus::ClaimAccepted,
        EventType::DisputeClosedTamaraAcceptedAndMerchantRefundedClaim => DisputeStatus::Closed,
        EventType::DisputeClosedClaimCancelled => DisputeStatus::Cancelled,
        _ => return None,
    })
}

/// True while the dispute is not over.
pub fn is_open(d: &DisputeRecord) -> bool {
    d.closed_at.is_none() && !DisputeStatus::parse(&d.status).is_closed()
}

/// True while the dispute waits for the merchant.
pub fn awaits_merchant(d: &DisputeRecord) -> bool {
    is_open(d)
        && matches!(
            DisputeStatus::parse(&d.status),
            DisputeStatus::AwaitingMerchantResponse | DisputeStatus::Open
        )
}

/// When the merchant must have responded by, and the whole days left until then (rounded up;
/// negative once overdue). None unless the dispute waits for the merchant.
pub fn deadline(
    d: &DisputeRecord,
    response_days: u32,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, i64)> {
    if !awaits_merchant(d) {
        return None;
    }
    let since = d.awaiting_since.or(d.opened_at)?;
    let by = since + Duration::days(i64::from(response_days));
    let secs = (by - now).num_seconds();
    let days = if secs > 0 {
        (secs + 86_399) / 86_400
    } else {
        secs / 86_400
    };
    Some((by, days))
}

/// A dispute with its deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct DisputeRow {
    pub dispute: DisputeRecord,
    pub respond_by: Option<DateTime<Utc>>,
    pub days_left: Option<i64>,
}

/// The disputes screen: the disputes, and the dispute events that named no dispute.
#[derive(Debug, Clone, PartialEq)]
pub struct DisputeBoard {
    pub disputes: Vec<DisputeRow>,
    pub unmatched: Vec<DisputeEventRecord>,
    pub response_days: u32,
    /// The environment has a dispute list path configured.
    pub api_configured: bool,
}

/// The disputes of the active environment (only open ones with `open_only`), most recently
/// opened first, with their deadlines.
///
/// # Errors
/// Store errors.
pub async fn board(ctx: &Context, open_only: bool) -> Result<DisputeBoard> {
    let env = ctx.environment();
    let days = response_days(ctx).await?;
    let now = ctx.now();
    let disputes = stored::list(ctx.store(), env, None)
        .await?
        .into_iter()
        .filter(|d| !open_only || is_open(d))
        .map(|d| {
            let due = deadline(&d, days, now);
            DisputeRow {
                respond_by: due.map(|(by, _)| by),
                days_left: due.map(|(_, left)| left),
                dispute: d,
            }
        })
        .collect();
    let unmatched = stored::events(ctx.store(), env, EventScope::Unmatched, MAX_EVENTS).await?;
    Ok(DisputeBoard {
        disputes,
        unmatched,
        response_days: days,
        api_configured: ctx.config().active().disputes_path.is_some(),
    })
}

/// The disputes of one order and the dispute events naming it, oldest first.
///
/// # Errors
/// Store errors.
pub async fn for_order(
    ctx: &Context,
    order_id: &str,
) -> Result<(Vec<DisputeRecord>, Vec<DisputeEventRecord>)> {
    let env = ctx.environment();
    let disputes = stored::list(ctx.store(), env, Some(order_id)).await?;
    let events = stored::events(ctx.store(), env, EventScope::Order(order_id), MAX_EVENTS).await?;
    Ok((disputes, events))
}

/// Days to respond: the environment's [`RESPONSE_DAYS_SETTING`], else the global one, else
/// [`DEFAULT_RESPONSE_DAYS`]; a stored value that does not read as 1–90 counts as unset.
///
/// # Errors
/// Store errors.
pub async fn response_days(ctx: &Context) -> Result<u32> {
    let store = ctx.store();
    for scope in [SettingScope::Env(ctx.environment()), SettingScope::Global] {
        if let Some(v) = settings::get(store, scope, RESPONSE_DAYS_SETTING).await?
            && let Ok(days) = v.trim().parse::<u32>()
            && (1..=90).contains(&days)
        {
            return Ok(days);
        }
    }
    Ok(DEFAULT_RESPONSE_DAYS)
}

/// Sets the days to respond for the active environment (1 to 90).
///
/// # Errors
/// [`crate::Error::Invalid`] outside 1 to 90; store errors.
pub async fn set_response_days(ctx: &Context, days: i64) -> Result<()> {
    if !(1..=90).contains(&days) {
        return Err(crate::Error::Invalid(format!(
            "days to respond to a dispute must be 1 to 90, not {days}"
        )));
    }
    settings::set(
        ctx.store(),
        SettingScope::Env(ctx.environment()),
        RESPONSE_DAYS_SETTING,
        &days.to_string(),
        ctx.now(),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::environment::Environment;

    fn record(status: &str, since: Option<DateTime<Utc>>) -> DisputeRecord {
        DisputeRecord {
            environment: Environment::Sandbox,
            dispute_id: "1".into(),
            order_id: Some("o".into()),
            order_reference_id: None,
            status: status.into(),
            amount: None,
            opened_at: since,
            closed_at: None,
            awaiting_since: since,
            last_event: None,
            source: "notification".into(),
            raw_json: None,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn days_left_count_whole_days_up_and_only_while_the_merchant_is_asked() {
        let t0 = DateTime::UNIX_EPOCH;
        let d = record("awaiting_merchant_response", Some(t0));
        assert_eq!(deadline(&d, 7, t0).unwrap().1, 7);
        assert_eq!(deadline(&d, 7, t0 + Duration::hours(1)).unwrap().1, 7);
        assert_eq!(deadline(&d, 7, t0 + Duration::days(7)).unwrap().1, 0);
        assert_eq!(deadline(&d, 7, t0 + Duration::days(9)).unwrap().1, -2);
        assert_eq!(deadline(&record("under_review", Some(t0)), 7, t0), None);
        assert_eq!(deadline(&record("claim_accepted", Some(t0)), 7, t0), None);
        assert!(!is_open(&record("cancelled", None)));
        assert!(is_open(&record("escalated_somewhere", None)));
    }

    #[test]
    fn every_dispute_event_but_the_update_implies_a_status() {
        let implied: Vec<_> = EventType::DISPUTE_EVENTS
            .iter()
            .map(implied_status)
            .collect();
        assert_eq!(implied.iter().filter(|s| s.is_none()).count(), 1);
        assert_eq!(implied_status(&EventType::DisputeWasUpdated), None);
        assert!(is_dispute_event("OrderDisputeSomethingNew"));
        assert!(!is_dispute_event("order_captured"));
    }
}
