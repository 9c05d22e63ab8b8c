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
    /// The eight order events, the usual subscription.
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
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
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
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
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
    #[error(
        "a custom header named `authorization` would collide with Tamara's own \
         `Authorization: Bearer <tamaraToken>`"
    )]
    AuthorizationHeader,
}

/// Validates a registration as Tamara does (HTTPS, ≤ 255 characters) and refuses the one header
/// name whose behaviour Tamara leaves undefined (§8.2).
pub fn validate_webhook_request(req: &WebhookRequest) -> Result<(), WebhookUrlInvalid> {
    validate_webhook_url(&req.url)?;
    if req.events.is_empty() {
        return Err(WebhookUrlInvalid::NoEvents);
    }
    if req
        .headers
        .keys()
        .any(|k| k.eq_ignore_ascii_case("authorization"))
    {
        return Err(WebhookUrlInvalid::AuthorizationHeader);
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
