//! Webhook registrations (reference §6).
//!
//! Invariant: a URL is accepted only if Tamara would accept it: HTTPS and at most 255
//! characters ([`validate_webhook_url`]).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::open_enum;

open_enum!(
    /// Order and dispute event names (reference §6.5).
    EventType {
        OrderApproved => "order_approved",
        OrderDeclined => "order_declined",
        OrderAuthorised => "order_authorised",
        OrderCanceled => "order_canceled",
        OrderUpdated => "order_updated",
        OrderCaptured => "order_captured",
        OrderRefunded => "order_refunded",
        OrderExpired => "order_expired",
        // In the retrieve-webhook example of Tamara's OpenAPI file only; payload undocumented.
        OrderOnHold => "order_on_hold",
        DisputeAwaitingMerchantResponse => "OrderDisputeAwaitingMerchantResponse",
        DisputeClosedMerchantAcceptedClaim => "OrderDisputeClosedMerchantAcceptedClaim",
        DisputeClosedTamaraAcceptedClaim => "OrderDisputeClosedTamaraAcceptedClaim",
        DisputeClosedTamaraAcceptedAndMerchantRefundedClaim =>
            "OrderDisputeClosedTamaraAcceptedAndMerchantRefundedClaim",
        DisputeClosedClaimCancelled => "OrderDisputeClosedClaimCancelled",
        DisputeWasUpdated => "OrderDisputeWasUpdated",
    }
);

impl EventType {
    /// The eight documented order events, the usual subscription (`order_on_hold` is left out:
    /// Tamara documents neither its meaning nor its payload).
    pub const ORDER_EVENTS: [EventType; 8] = [
        EventType::OrderApproved,
        EventType::OrderDeclined,
        EventType::OrderAuthorised,
        EventType::OrderCanceled,
        EventType::OrderUpdated,
        EventType::OrderCaptured,
        EventType::OrderRefunded,
        EventType::OrderExpired,
    ];

    /// The six dispute events (`type: "dispute"`, reference §6.5); payloads undocumented.
    pub const DISPUTE_EVENTS: [EventType; 6] = [
        EventType::DisputeAwaitingMerchantResponse,
        EventType::DisputeClosedMerchantAcceptedClaim,
        EventType::DisputeClosedTamaraAcceptedClaim,
        EventType::DisputeClosedTamaraAcceptedAndMerchantRefundedClaim,
        EventType::DisputeClosedClaimCancelled,
        EventType::DisputeWasUpdated,
    ];

    /// True for the six dispute events and for any unknown name of their family
    /// (`OrderDispute…`), which a later Tamara may add.
    pub fn is_dispute(&self) -> bool {
        Self::DISPUTE_EVENTS.contains(self) || self.as_str().starts_with("OrderDispute")
    }
}

open_enum!(
    /// Webhook type: `order` or `dispute`.
    WebhookType {
        Order => "order",
        Dispute => "dispute",
    }
);

/// `POST /webhooks` and `PUT /webhooks/{id}` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookRequest {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<WebhookType>,
    pub url: String,
    pub events: Vec<EventType>,
    /// Always sent, `{}` when empty: whether an update without `headers` keeps the old ones
    /// is unknown (reference §16.19), so the request states the full wanted set.
    #[serde(default, deserialize_with = "headers_map")]
    pub headers: BTreeMap<String, String>,
}

/// A registration as Tamara returns it. Only `webhook_id` is certain to be present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub webhook_id: String,
    #[serde(default)]
    pub merchant_id: Option<String>,
    #[serde(rename = "type", default)]
    pub kind: Option<WebhookType>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub events: Vec<EventType>,
    /// Tamara answers `[]` (PHP's empty array) when there are none (reference §6.2).
    #[serde(default, deserialize_with = "headers_map")]
    pub headers: BTreeMap<String, String>,
}

/// Custom headers as Tamara and its PHP SDK write them: an object of name → value, or `[]`
/// (PHP's empty array) or `null` for none. A non-empty array is an error: it names no header.
fn headers_map<'de, D>(deserializer: D) -> Result<BTreeMap<String, String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Headers;

    impl<'de> serde::de::Visitor<'de> for Headers {
        type Value = BTreeMap<String, String>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object of header names to values, `[]` or null")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some((k, v)) = map.next_entry::<String, String>()? {
                out.insert(k, v);
            }
            Ok(out)
        }

        fn visit_seq<A: serde::de::SeqAccess<'de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            match seq.next_element::<serde::de::IgnoredAny>()? {
                None => Ok(BTreeMap::new()),
                Some(_) => Err(serde::de::Error::invalid_value(
                    serde::de::Unexpected::Seq,
                    &"an empty array (PHP's empty object)",
                )),
            }
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(BTreeMap::new())
        }
    }

    deserializer.deserialize_any(Headers)
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookUrlInvalid {
    #[error("webhook URL is not a valid URL: {0}")]
    NotAUrl(String),
    #[error("webhook URL must use https (Tamara refuses {0})")]
    NotHttps(String),
    #[error("webhook URL is {0} characters; Tamara allows at most 255")]
    TooLong(usize),
    #[error("at least one event is required")]
    NoEvents,
}

/// Validates a registration as Tamara does (HTTPS, ≤ 255 characters, at least one event). A
/// custom `authorization` header is allowed: it is Tamara's own example (reference §6.1).
pub fn validate_webhook_request(req: &WebhookRequest) -> Result<(), WebhookUrlInvalid> {
    validate_webhook_url(&req.url)?;
    if req.events.is_empty() {
        return Err(WebhookUrlInvalid::NoEvents);
    }
    Ok(())
}

pub fn validate_webhook_url(url: &str) -> Result<(), WebhookUrlInvalid> {
    let len = url.chars().count();
    if len > 255 {
        return Err(WebhookUrlInvalid::TooLong(len));
    }
    let parsed = url::Url::parse(url).map_err(|e| WebhookUrlInvalid::NotAUrl(e.to_string()))?;
    if parsed.scheme() != "https" {
        return Err(WebhookUrlInvalid::NotHttps(format!(
            "{}://",
            parsed.scheme()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod headers_tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn parse(headers: &str) -> Result<Webhook, serde_json::Error> {
        serde_json::from_str(&format!(
            r#"{{"webhook_id":"w-1","url":"https://shop.example/hook","events":["order_approved"]{headers}}}"#
        ))
    }

    #[test]
    fn empty_headers_read_as_none_whether_array_null_or_omitted() {
        for headers in [
            r#","headers":[]"#,
            r#","headers":null"#,
            r#","headers":{}"#,
            "",
        ] {
            let w = parse(headers).unwrap();
            assert!(w.headers.is_empty(), "{headers}");
        }
    }

    #[test]
    fn header_objects_are_read_and_a_non_empty_array_is_refused() {
        let w = parse(r#","headers":{"authorization":"1234","x-shop":"a"}"#).unwrap();
        assert_eq!(
            w.headers.get("authorization").map(String::as_str),
            Some("1234")
        );
        assert_eq!(w.headers.len(), 2);
        assert!(parse(r#","headers":["x"]"#).is_err());
        assert!(parse(r#","headers":"x""#).is_err());
    }

    #[test]
    fn a_request_always_states_its_headers_as_an_object() {
        let r = WebhookRequest {
            kind: None,
            url: "https://shop.example/hook".into(),
            events: vec![EventType::OrderApproved],
            headers: BTreeMap::new(),
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["headers"], serde_json::json!({}), "{v}");
    }

    #[test]
    fn a_request_body_from_the_php_sdk_reads_with_empty_headers() {
        let r: WebhookRequest = serde_json::from_str(
            r#"{"url":"https://shop.example/hook","events":["order_approved"],"headers":[]}"#,
        )
        .unwrap();
        assert!(r.headers.is_empty());
    }
}
