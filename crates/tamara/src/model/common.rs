//! Shapes shared by several endpoints: consumer, address, item, merchant URLs, discount,
//! payment type and order status.

use serde::{Deserialize, Serialize};

use super::open_enum;
use crate::money::Money;

open_enum!(
    /// Order status (reference §9.1). `on_hold` is named by Tamara's own OpenAPI file (the
    /// `order_on_hold` event) but its place in the lifecycle is undocumented.
    OrderStatus {
        New => "new",
        Declined => "declined",
        Expired => "expired",
        Approved => "approved",
        Authorised => "authorised",
        Canceled => "canceled",
        Updated => "updated",
        PartiallyCaptured => "partially_captured",
        FullyCaptured => "fully_captured",
        PartiallyRefunded => "partially_refunded",
        FullyRefunded => "fully_refunded",
        OnHold => "on_hold",
    }
);

impl OrderStatus {
    /// Statuses after which nothing can happen to the order any more.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            OrderStatus::Declined
                | OrderStatus::Expired
                | OrderStatus::Canceled
                | OrderStatus::FullyRefunded
        )
    }
}

open_enum!(
    /// Payment type (reference §3.4); the last two are legacy products.
    PaymentType {
        PayByInstalments => "PAY_BY_INSTALMENTS",
        PayNow => "PAY_NOW",
        PayByLater => "PAY_BY_LATER",
        PayNextMonth => "PAY_NEXT_MONTH",
    }
);

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Consumer {
    pub first_name: String,
    pub last_name: String,
    pub phone_number: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub national_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_first_order: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Address {
    pub first_name: String,
    pub last_name: String,
    pub line1: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    pub city: String,
    pub country_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// An order line (reference §5.2). In captures `quantity` is the number of units shipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub reference_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub sku: String,
    pub quantity: u32,
    pub total_amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_amount: Option<Money>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MerchantUrl {
    pub success: String,
    pub failure: String,
    pub cancel: String,
    /// Legacy per-order notification callback (reference §8.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<String>,
}

/// A named, customer-specific discount (`discount` in checkout, `discount_amount` in details).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discount {
    pub name: String,
    pub amount: Money,
}

/// Tamara's error body, as its OpenAPI file documents it:
/// `{ "message", "errors": [ { "error_code", "data" } ], "data", "title", "screen_type" }`.
/// Each entry's `data` says what the code is about (`transition_not_allowed` carries
/// `{order_id, old_state, new_state}`); it is kept as JSON because its shape depends on the code.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub errors: Vec<ErrorEntry>,
    /// Top-level details (`{}` in every documented example).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_type: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorEntry {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl ErrorBody {
    /// Reads whatever an error answer holds, field by field, and never fails: one field of an
    /// unexpected type (`"errors": null`) must not cost the message and codes beside it.
    pub fn from_json(body: &serde_json::Value) -> ErrorBody {
        let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
        let present = |v: Option<&serde_json::Value>| v.filter(|v| !v.is_null()).cloned();
        let errors = body
            .get("errors")
            .and_then(|e| e.as_array())
            .map(|entries| {
                entries
                    .iter()
                    .map(|e| ErrorEntry {
                        error_code: text(e.get("error_code")),
                        data: present(e.get("data")),
                    })
                    .collect()
            })
            .unwrap_or_default();
        ErrorBody {
            message: text(body.get("message")),
            errors,
            data: present(body.get("data")),
            title: text(body.get("title")),
            screen_type: text(body.get("screen_type")),
        }
    }

    /// The `error_code`s, in order.
    pub fn codes(&self) -> Vec<String> {
        self.errors
            .iter()
            .filter_map(|e| e.error_code.clone())
            .collect()
    }
}
