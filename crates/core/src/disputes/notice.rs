//! Reading a dispute notification's body, whose shape no source documents (reference §6.5,
//! §16.7).
//!
//! Invariants: a body is a dispute notice when it is a JSON object whose `event_type` is one
//! of the six dispute events or of their family (`OrderDispute…`); everything else in it is
//! optional and looked for where the order notifications keep theirs (the top level, then
//! `data`). Nothing here fails: what cannot be read is `None`, and the body is kept verbatim by
//! the caller.

use serde_json::{Map, Value};
use tamara::model::dispute::DisputeStatus;
use tamara::model::webhooks::EventType;

use crate::money::Money;

/// What a dispute notification says, as far as its shape is understood.
#[derive(Debug, Clone, PartialEq)]
pub struct DisputeNotice {
    pub event: EventType,
    pub order_id: Option<String>,
    pub order_reference_id: Option<String>,
    /// An integer in the third-party list; kept as text, whatever the notification sends.
    pub dispute_id: Option<String>,
    /// `dispute_status` when the body carries one.
    pub status: Option<DisputeStatus>,
    pub amount: Option<Money>,
    pub comment: Option<String>,
}

impl DisputeNotice {
    /// The body named both an order and a dispute: the shape was understood.
    pub fn recognised(&self) -> bool {
        self.order_id.is_some() && self.dispute_id.is_some()
    }

    /// The status the notice reports, else the one its event implies.
    pub fn status(&self) -> Option<DisputeStatus> {
        self.status
            .clone()
            .or_else(|| super::implied_status(&self.event))
    }
}

/// The notice in `body`, or None when the body is not a dispute notification.
pub fn read(body: &[u8]) -> Option<DisputeNotice> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let top = value.as_object()?;
    let event = EventType::parse(top.get("event_type")?.as_str()?);
    if !event.is_dispute() {
        return None;
    }
    let data = top.get("data").and_then(Value::as_object);
    let find = |key: &str| text(top, key).or_else(|| data.and_then(|d| text(d, key)));
    let amount = top
        .get("amount")
        .or_else(|| data.and_then(|d| d.get("amount")))
        .and_then(|v| serde_json::from_value::<Money>(v.clone()).ok());
    Some(DisputeNotice {
        order_id: find("order_id"),
        order_reference_id: find("order_reference_id"),
        dispute_id: find("dispute_id"),
        status: find("dispute_status").map(|s| DisputeStatus::parse(&s)),
        amount,
        comment: find("comment"),
        event,
    })
}

/// A non-empty string or number under `key`, as text.
fn text(obj: &Map<String, Value>, key: &str) -> Option<String> {
    match obj.get(key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_simulator_s_shape_is_read_and_others_are_kept_unread() {
        let n = read(
            br#"{"order_id":"o-1","order_reference_id":"R1","dispute_id":7,
                "event_type":"OrderDisputeAwaitingMerchantResponse",
                "data":{"dispute_status":"awaiting_merchant_response",
                        "amount":{"amount":12.5,"currency":"SAR"},"comment":"late"}}"#,
        )
        .unwrap();
        assert!(n.recognised());
        assert_eq!(n.dispute_id.as_deref(), Some("7"));
        assert_eq!(n.status(), Some(DisputeStatus::AwaitingMerchantResponse));
        assert_eq!(n.amount.unwrap().amount_text(), "12.50");
        let odd = read(br#"{"event_type":"OrderDisputeWasEscalated","dispute":{"id":1}}"#).unwrap();
        assert!(!odd.recognised());
        assert_eq!(odd.event.as_str(), "OrderDisputeWasEscalated");
        assert_eq!(odd.status(), None);
        assert!(read(br#"{"order_id":"o","event_type":"order_captured"}"#).is_none());
        assert!(read(b"[]").is_none());
        assert!(read(b"not json").is_none());
    }
}
