//! Money moves on the wire: authorise (§5.3), capture (§5.4), cancel (§5.5), simplified
//! refund (§5.6) and legacy per-capture refund (§5.7).

use serde::{Deserialize, Serialize};

use super::{Item, OrderStatus, PaymentType};
use crate::money::Money;

/// `POST /orders/{order_id}/authorise` answer. With merchant auto-capture on, `status` is
/// `fully_captured` and `capture_id` is real; otherwise `capture_id` is an empty string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthoriseResponse {
    pub order_id: String,
    #[serde(default)]
    pub status: Option<OrderStatus>,
    #[serde(default)]
    pub order_expiry_time: Option<String>,
    #[serde(default)]
    pub payment_type: Option<PaymentType>,
    #[serde(default)]
    pub auto_captured: Option<bool>,
    #[serde(default)]
    pub authorized_amount: Option<Money>,
    #[serde(default)]
    pub capture_id: Option<String>,
}

/// Shipping info sent with a capture: `shipped_at` and `shipping_company` are required.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShippingInfo {
    pub shipped_at: String,
    pub shipping_company: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_url: Option<String>,
}

/// `POST /payments/capture`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureRequest {
    pub order_id: String,
    pub total_amount: Money,
    pub shipping_info: ShippingInfo,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureResponse {
    pub capture_id: String,
    pub order_id: String,
    #[serde(default)]
    pub status: Option<OrderStatus>,
    /// This call's amount in Tamara's sample; the cumulative figure is in order details.
    #[serde(default)]
    pub captured_amount: Option<Money>,
}

/// `POST /orders/{order_id}/cancel`. The PHP SDK always sends `items`, so an empty list is
/// sent rather than omitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CancelRequest {
    pub total_amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
    #[serde(default)]
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CancelResponse {
    pub order_id: String,
    pub cancel_id: String,
    #[serde(default)]
    pub status: Option<OrderStatus>,
    #[serde(default)]
    pub canceled_amount: Option<Money>,
}

/// `POST /payments/simplified-refund/{order_id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimplifiedRefundRequest {
    pub total_amount: Money,
    pub comment: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_refund_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimplifiedRefundResponse {
    pub order_id: String,
    pub refund_id: String,
    #[serde(default)]
    pub capture_id: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub status: Option<OrderStatus>,
    #[serde(default)]
    pub refunded_amount: Option<Money>,
}

/// `POST /payments/refund` (legacy, per capture).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyRefundRequest {
    pub order_id: String,
    pub refunds: Vec<LegacyRefund>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyRefund {
    pub capture_id: String,
    pub total_amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
    #[serde(default)]
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyRefundResponse {
    pub order_id: String,
    #[serde(default)]
    pub refunds: Vec<LegacyRefundResult>,
    #[serde(default)]
    pub status: Option<OrderStatus>,
    #[serde(default)]
    pub refunded_amount: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegacyRefundResult {
    pub refund_id: String,
    #[serde(default)]
    pub capture_id: Option<String>,
}
