//! Disputes: the simulator's own model of them (reference §5.11, §6.5), its moves, and the
//! body of their notifications.
//!
//! Tamara documents only the six event names; the list/update shape is a third-party
//! profile's [T] and the notification payload is undocumented (§16.7, §16.16). What the
//! simulator does there is a choice behind a switch (`SandboxConfig::dispute_api_enabled`,
//! `SandboxConfig::dispute_payload`, `docs/SIMULATOR.md`).
//!
//! Invariants: dispute ids are integers handed out in opening order (1, 2, …); a closed
//! dispute accepts no further move (409 `transition_not_allowed`); every move appends one
//! activity and returns the one event it sends; each event name maps to exactly one status.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::clock::fmt_millis_z;
use crate::errors::{ApiError, ApiResult};
use crate::money::Money;

/// The six dispute events (§6.5), in the order the reference lists them.
pub const DISPUTE_EVENTS: [&str; 6] = [
    AWAITING_MERCHANT_RESPONSE,
    "OrderDisputeClosedMerchantAcceptedClaim",
    "OrderDisputeClosedTamaraAcceptedClaim",
    "OrderDisputeClosedTamaraAcceptedAndMerchantRefundedClaim",
    "OrderDisputeClosedClaimCancelled",
    WAS_UPDATED,
];

/// Sent when a dispute opens (the customer's claim now waits for the merchant).
pub const AWAITING_MERCHANT_RESPONSE: &str = "OrderDisputeAwaitingMerchantResponse";
/// Sent for a change that does not close the dispute.
pub const WAS_UPDATED: &str = "OrderDisputeWasUpdated";

/// The notification body of a dispute event (undocumented, §16.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum DisputePayload {
    /// The order notification's common fields (§7) with the dispute in `data`:
    /// `{order_id, order_reference_id, order_number, dispute_id, event_type, data: {dispute_id,
    /// dispute_status, amount, comment}}`.
    #[default]
    LikeOrder,
    /// A shape no source shows and that names no order at the top (`{event_type, dispute:
    /// {...}}`): a receiver must still keep it.
    Unrecognised,
}

/// One dispute on one order.
#[derive(Debug, Clone)]
pub struct Dispute {
    pub dispute_id: i64,
    pub order_id: Uuid,
    pub order_reference_id: String,
    pub order_number: String,
    /// Third-party profile values (`awaiting_merchant_response`, `under_review`, …).
    pub status: &'static str,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub amount: Money,
    /// `(event, comment, at)` in order.
    pub activities: Vec<(String, Option<String>, DateTime<Utc>)>,
}

/// What a move sets: the status an event reports, and whether it closes the dispute.
pub fn status_of(event: &str) -> Option<(&'static str, bool)> {
    Some(match event {
        AWAITING_MERCHANT_RESPONSE => ("awaiting_merchant_response", false),
        "OrderDisputeClosedMerchantAcceptedClaim" => ("claim_accepted", true),
        "OrderDisputeClosedTamaraAcceptedClaim" => ("claim_accepted", true),
        "OrderDisputeClosedTamaraAcceptedAndMerchantRefundedClaim" => ("closed", true),
        "OrderDisputeClosedClaimCancelled" => ("cancelled", true),
        WAS_UPDATED => ("under_review", false),
        _ => return None,
    })
}

impl Dispute {
    /// Applies `event` (one of [`DISPUTE_EVENTS`]) with an optional comment.
    ///
    /// # Errors
    /// 400 for an unknown event, 409 when the dispute is already closed.
    pub fn apply(
        &mut self,
        event: &str,
        comment: Option<String>,
        now: DateTime<Utc>,
    ) -> ApiResult<()> {
        let (status, closes) = status_of(event)
            .ok_or_else(|| ApiError::invalid("event", "expected one of the six dispute events"))?;
        if self.closed_at.is_some() {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                format!(
                    "The dispute {} cannot be moved to {status} from {}",
                    self.dispute_id, self.status
                ),
                "transition_not_allowed",
            )
            .with_data(
                json!({"dispute_id": self.dispute_id, "old_state": self.status,
                "new_state": status}),
            ));
        }
        self.status = status;
        if closes {
            self.closed_at = Some(now);
        }
        self.activities.push((event.to_owned(), comment, now));
        Ok(())
    }

    /// A merchant's comment through the update path: an activity, and a dispute waiting for
    /// the merchant goes under review ([SIM]; the profile says only that it is updated).
    pub fn comment(&mut self, comment: String, now: DateTime<Utc>) -> ApiResult<()> {
        if self.closed_at.is_some() {
            return Err(ApiError::new(
                axum::http::StatusCode::CONFLICT,
                format!("The dispute {} is closed", self.dispute_id),
                "transition_not_allowed",
            ));
        }
        if self.status == "awaiting_merchant_response" {
            self.status = "under_review";
        }
        self.activities
            .push(("merchant_comment".to_owned(), Some(comment), now));
        Ok(())
    }

    /// The third-party profile's Dispute object.
    pub fn to_json(&self, order_status: &str) -> Value {
        json!({
            "dispute_id": self.dispute_id,
            "order_id": self.order_id,
            "merchant_order_reference_id": self.order_reference_id,
            "order_status": order_status,
            "dispute_status": self.status,
            "opened_at": fmt_millis_z(self.opened_at),
            "closed_at": self.closed_at.map(fmt_millis_z),
            "amount": self.amount.to_json(),
            "activities": self.activities.iter().map(|(event, comment, at)| json!({
                "event": event, "comment": comment, "attachments": [],
                "created_at": fmt_millis_z(*at),
            })).collect::<Vec<_>>(),
        })
    }

    /// The notification body of `event` in the configured shape.
    pub fn notification(&self, event: &str, shape: DisputePayload) -> Value {
        let comment = self.activities.last().and_then(|(_, c, _)| c.clone());
        let data = json!({
            "dispute_id": self.dispute_id,
            "dispute_status": self.status,
            "amount": self.amount.to_json(),
            "comment": comment,
        });
        match shape {
            DisputePayload::LikeOrder => json!({
                "order_id": self.order_id,
                "order_reference_id": self.order_reference_id,
                "order_number": self.order_number,
                "dispute_id": self.dispute_id,
                "event_type": event,
                "data": data,
            }),
            DisputePayload::Unrecognised => json!({
                "event_type": event,
                "dispute": {
                    "id": self.dispute_id,
                    "state": self.status,
                    "order": {"uuid": self.order_id},
                },
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::money::Currency;

    fn dispute() -> Dispute {
        Dispute {
            dispute_id: 1,
            order_id: Uuid::nil(),
            order_reference_id: "R1".into(),
            order_number: "N1".into(),
            status: "awaiting_merchant_response",
            opened_at: DateTime::UNIX_EPOCH,
            closed_at: None,
            amount: Money::new(rust_decimal::Decimal::new(10000, 2), Currency::Sar),
            activities: Vec::new(),
        }
    }

    #[test]
    fn every_event_has_one_status_and_a_closed_dispute_stays_closed() {
        for e in DISPUTE_EVENTS {
            let mut d = dispute();
            d.apply(e, None, DateTime::UNIX_EPOCH).unwrap();
            assert_eq!(d.status, status_of(e).unwrap().0);
        }
        let mut d = dispute();
        d.apply(
            "OrderDisputeClosedClaimCancelled",
            None,
            DateTime::UNIX_EPOCH,
        )
        .unwrap();
        let e = d
            .apply(WAS_UPDATED, None, DateTime::UNIX_EPOCH)
            .unwrap_err();
        assert_eq!(e.status.as_u16(), 409);
        assert!(
            d.apply("order_captured", None, DateTime::UNIX_EPOCH)
                .is_err()
        );
    }
}
