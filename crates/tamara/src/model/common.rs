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

/// Tamara's error body: `{ "message": ..., "errors": [ { "error_code": ..., "data": ... } ] }`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub errors: Vec<ErrorEntry>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ErrorEntry {
    #[serde(default)]
    pub error_code: Option<String>,
    #[serde(default)]
    pub data: Option<serde_json::Value>,
}
