//! Reading a delivery's body, for the receiver and the processor alike, through the wire
//! crate's parser — which accepts the events whose payload no source documents
//! (`order_updated`, `order_on_hold`, reference §7) whatever their `data` holds.
//!
//! Invariants: a body the wire crate reads is read the same here; an undocumented payload
//! never turns a verified delivery into a 400 (Tamara would retry it, and the order would not
//! be re-read) — its `data` is kept verbatim and otherwise ignored, since the order is re-read
//! anyway; every notification has an identity for exactly-once processing, and notifications
//! of an event that can happen more than once but whose body names no transaction (an
//! `order_updated` without a `cancel_id`) are told apart by their delivery: processing a
//! repeat costs one re-read, skipping a second update would lose it.

use tamara::model::notification::{Notification, NotificationKind, NotificationParseError};
use tamara::model::webhooks::EventType;

/// Parses a delivery's body: the wire crate's reading, which keeps an undocumented payload as
/// sent instead of refusing it.
///
/// # Errors
/// What the wire crate refuses.
pub fn parse(body: &[u8]) -> Result<Notification, NotificationParseError> {
    Notification::parse(body)
}

/// Events whose payload no source documents.
fn undocumented(e: &EventType) -> bool {
    matches!(
        e,
        EventType::OrderUpdated | EventType::OrderOnHold | EventType::Other(_)
    )
}

/// The identity `(order id, event, sub-id)` under which a notification is processed once: the
/// wire crate's (the capture, refund or cancel id as sub-id), or, for an event that can repeat
/// on one order and names no transaction, the delivery's id.
pub fn event_key(n: &Notification, delivery_id: i64) -> (String, String, String) {
    let (order_id, event, sub) = n.event_key();
    let repeats = match &n.kind {
        NotificationKind::Event(e) => undocumented(e),
        NotificationKind::LegacyStatus(_) => false,
    };
    if sub.is_empty() && repeats {
        return (order_id, event, format!("delivery-{delivery_id}"));
    }
    (order_id, event, sub)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::Value;
    use tamara::model::notification::NotificationData;

    fn body(event: &str, data: &str) -> Vec<u8> {
        format!(r#"{{"order_id":"o-1","event_type":"{event}","data":{data}}}"#).into_bytes()
    }

    #[test]
    fn an_undocumented_payload_is_kept_not_refused() {
        let shape =
            r#"{"update_type":"partial_cancel","new_total_amount":{"amount":70,"currency":"SAR"}}"#;
        let n = parse(&body("order_updated", shape)).unwrap();
        assert!(matches!(n.data, NotificationData::Other(Value::Object(_))));
        assert_eq!(event_key(&n, 7).2, "delivery-7");
        let cancel = r#"{"cancel_id":"c-1","canceled_amount":{"amount":10,"currency":"SAR"}}"#;
        let n = parse(&body("order_updated", cancel)).unwrap();
        assert_eq!(
            event_key(&n, 7).2,
            "c-1",
            "the documented-like shape keeps its id"
        );
        let n = parse(&body("order_updated", "[]")).unwrap();
        assert_eq!(event_key(&n, 8).2, "delivery-8");
    }

    #[test]
    fn documented_payloads_are_read_as_the_wire_crate_reads_them() {
        assert!(parse(&body("order_captured", r#"{"amount":1}"#)).is_err());
        let n = parse(&body("order_approved", "[]")).unwrap();
        assert_eq!(
            event_key(&n, 9).2,
            "",
            "happens once per order: no sub-id needed"
        );
        assert!(parse(b"not json").is_err());
    }
}
