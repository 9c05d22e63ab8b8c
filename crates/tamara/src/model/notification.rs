//! Webhook notification bodies (reference §7 and the legacy per-order form of §8.6).
//!
//! Invariants: `data` is read as "object or empty array" (Tamara sends `[]` for events without
//! details); the legacy body (`order_status` instead of `event_type`) parses to the same type;
//! every notification yields one identity key for exactly-once processing.

use serde::Deserialize;
use serde_json::Value;

use super::OrderStatus;
use super::webhooks::EventType;
use crate::money::Money;

/// What a notification says happened.
#[derive(Debug, Clone, PartialEq)]
pub enum NotificationKind {
    /// Current form: `event_type`.
    Event(EventType),
    /// Legacy per-order form (`merchant_url.notification`): `order_status`.
    LegacyStatus(OrderStatus),
}

impl NotificationKind {
    /// The name used for deduplication and display: the event type, or the legacy status.
    pub fn name(&self) -> &str {
        match self {
            NotificationKind::Event(e) => e.as_str(),
            NotificationKind::LegacyStatus(s) => s.as_str(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum NotificationData {
    /// `[]` or `{}`: no details.
    Empty,
    Declined {
        declined_reason: Option<String>,
        declined_code: Option<String>,
        decline_type: Option<String>,
    },
    Captured {
        capture_id: String,
        captured_amount: Option<Money>,
    },
    Refunded {
        refund_id: String,
        capture_id: Option<String>,
        refunded_amount: Option<Money>,
        comment: Option<String>,
    },
    /// `order_canceled`, and `order_updated` whose payload is undocumented (assumed the same).
    Canceled {
        cancel_id: String,
        canceled_amount: Option<Money>,
    },
    /// Details for an event this build does not model, kept verbatim.
    Other(Value),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    pub order_id: String,
    pub order_reference_id: Option<String>,
    pub order_number: Option<String>,
    pub kind: NotificationKind,
    pub data: NotificationData,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationParseError {
    #[error("body is not JSON: {0}")]
    NotJson(String),
    #[error("body is not a JSON object")]
    NotAnObject,
    #[error("{0} is missing or not a string")]
    MissingField(&'static str),
    #[error("body has neither event_type nor order_status")]
    NoEventType,
    #[error("data for {event} is malformed: {reason}")]
    BadData { event: String, reason: String },
}

#[derive(Deserialize)]
struct DeclinedData {
    declined_reason: Option<String>,
    declined_code: Option<String>,
    decline_type: Option<String>,
}

#[derive(Deserialize)]
struct CapturedData {
    capture_id: String,
    captured_amount: Option<Money>,
}

#[derive(Deserialize)]
struct RefundedData {
    refund_id: String,
    capture_id: Option<String>,
    refunded_amount: Option<Money>,
    comment: Option<String>,
}

#[derive(Deserialize)]
struct CanceledData {
    cancel_id: String,
    canceled_amount: Option<Money>,
}

impl Notification {
    /// Parses a raw body. Never panics; every refusal names what is wrong.
    pub fn parse(body: &[u8]) -> Result<Notification, NotificationParseError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| NotificationParseError::NotJson(e.to_string()))?;
        Notification::from_value(&value)
    }

    pub fn from_value(value: &Value) -> Result<Notification, NotificationParseError> {
        let obj = value
            .as_object()
            .ok_or(NotificationParseError::NotAnObject)?;
        let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_owned);
        let order_id = text("order_id").ok_or(NotificationParseError::MissingField("order_id"))?;
        let kind = match (text("event_type"), text("order_status")) {
            (Some(e), _) => NotificationKind::Event(EventType::parse(&e)),
            (None, Some(s)) => NotificationKind::LegacyStatus(OrderStatus::parse(&s)),
            (None, None) => return Err(NotificationParseError::NoEventType),
        };
        let data = parse_data(&kind, obj.get("data"))?;
        Ok(Notification {
            order_id,
            order_reference_id: text("order_reference_id"),
            order_number: text("order_number"),
            kind,
            data,
        })
    }

    /// The identity of the event for exactly-once processing:
    /// (order_id, event name, capture/refund/cancel id or "").
    pub fn event_key(&self) -> (String, String, String) {
        let sub = match &self.data {
            NotificationData::Captured { capture_id, .. } => capture_id.clone(),
            NotificationData::Refunded { refund_id, .. } => refund_id.clone(),
            NotificationData::Canceled { cancel_id, .. } => cancel_id.clone(),
            _ => String::new(),
        };
        (self.order_id.clone(), self.kind.name().to_owned(), sub)
    }
}

fn parse_data(
    kind: &NotificationKind,
    data: Option<&Value>,
) -> Result<NotificationData, NotificationParseError> {
    let data = match data {
        None | Some(Value::Null) => return Ok(NotificationData::Empty),
        Some(Value::Array(a)) if a.is_empty() => return Ok(NotificationData::Empty),
        Some(Value::Object(o)) if o.is_empty() => return Ok(NotificationData::Empty),
        Some(v @ Value::Object(_)) => v,
        Some(other) => return Ok(NotificationData::Other(other.clone())),
    };
    let bad = |reason: serde_json::Error| NotificationParseError::BadData {
        event: kind.name().to_owned(),
        reason: reason.to_string(),
    };
    let event = match kind {
        NotificationKind::Event(e) => e.clone(),
        NotificationKind::LegacyStatus(_) => return Ok(NotificationData::Other(data.clone())),
    };
    Ok(match event {
        EventType::OrderDeclined => {
            let d: DeclinedData = serde_json::from_value(data.clone()).map_err(bad)?;
            NotificationData::Declined {
                declined_reason: d.declined_reason,
                declined_code: d.declined_code,
                decline_type: d.decline_type,
            }
        }
        EventType::OrderCaptured => {
            let d: CapturedData = serde_json::from_value(data.clone()).map_err(bad)?;
            NotificationData::Captured {
                capture_id: d.capture_id,
                captured_amount: d.captured_amount,
            }
        }
        EventType::OrderRefunded => {
            let d: RefundedData = serde_json::from_value(data.clone()).map_err(bad)?;
            NotificationData::Refunded {
                refund_id: d.refund_id,
                capture_id: d.capture_id,
                refunded_amount: d.refunded_amount,
                comment: d.comment,
            }
        }
        EventType::OrderCanceled => {
            let d: CanceledData = serde_json::from_value(data.clone()).map_err(bad)?;
            NotificationData::Canceled {
                cancel_id: d.cancel_id,
                canceled_amount: d.canceled_amount,
            }
        }
        // `order_updated`'s payload is undocumented (reference §7): a partial cancel's shape is
        // read as one, anything else kept as sent — never a refusal, since the order is re-read.
        EventType::OrderUpdated => match serde_json::from_value::<CanceledData>(data.clone()) {
            Ok(d) => NotificationData::Canceled {
                cancel_id: d.cancel_id,
                canceled_amount: d.canceled_amount,
            },
            Err(_) => NotificationData::Other(data.clone()),
        },
        _ => NotificationData::Other(data.clone()),
    })
}
