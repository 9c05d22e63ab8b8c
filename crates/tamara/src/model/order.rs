//! Order details (reference §5.8) and the reference-id update (§5.9).
//!
//! Every field is optional: young orders omit many, and a console must still show them.

use serde::{Deserialize, Serialize};

use super::{Address, Consumer, Discount, Item, OrderStatus, PaymentType};
use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct OrderDetails {
    pub order_id: String,
    #[serde(default)]
    pub order_reference_id: Option<String>,
    #[serde(default)]
    pub order_number: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub consumer: Option<Consumer>,
    #[serde(default)]
    pub status: Option<OrderStatus>,
    #[serde(default)]
    pub shipping_address: Option<Address>,
    #[serde(default)]
    pub billing_address: Option<Address>,
    #[serde(default)]
    pub items: Vec<Item>,
    #[serde(default)]
    pub payment_type: Option<PaymentType>,
    #[serde(default)]
    pub instalments: Option<u32>,
    #[serde(default)]
    pub total_amount: Option<Money>,
    #[serde(default)]
    pub shipping_amount: Option<Money>,
    #[serde(default)]
    pub tax_amount: Option<Money>,
    /// The `discount` sent at checkout comes back under this key.
    #[serde(default)]
    pub discount_amount: Option<Discount>,
    #[serde(default)]
    pub captured_amount: Option<Money>,
    #[serde(default)]
    pub refunded_amount: Option<Money>,
    #[serde(default)]
    pub canceled_amount: Option<Money>,
    /// What the customer has paid Tamara so far; not what Tamara owes the merchant.
    #[serde(default)]
    pub paid_amount: Option<Money>,
    #[serde(default)]
    pub wallet_prepaid_amount: Option<Money>,
    #[serde(default)]
    pub settlement_status: Option<String>,
    #[serde(default)]
    pub settlement_date: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub transactions: Option<Transactions>,
    #[serde(default)]
    pub processing: Option<bool>,
    #[serde(default)]
    pub store_code: Option<String>,
    #[serde(default)]
    pub country_code: Option<String>,
    #[serde(default)]
    pub platform: Option<String>,
    #[serde(default)]
    pub additional_data: Option<serde_json::Value>,
    /// Fields Tamara sent that could not be read and were left out (paths such as
    /// `consumer.first_name`); the raw answer keeps them. Filled by [`OrderDetails::from_json`].
    #[serde(skip)]
    pub unreadable: Vec<String>,
}

impl OrderDetails {
    /// Reads an order leniently: a field Mizan does not compute with that holds something
    /// unexpected (a number for a name, `[]` for an address) is left out and named in
    /// [`OrderDetails::unreadable`], so the order still shows; a field the money rules read
    /// (the id, status, amounts, transaction ids and amounts, items' quantities and amounts,
    /// a capture's shipping details) must read, or the order is refused as before.
    ///
    /// # Errors
    /// The first unreadable computed field, or a shape that is not an order at all.
    pub fn from_json(value: &serde_json::Value) -> Result<OrderDetails, serde_json::Error> {
        let mut v = value.clone();
        let mut dropped = Vec::new();
        loop {
            match serde_path_to_error::deserialize::<_, OrderDetails>(&v) {
                Ok(mut d) => {
                    d.unreadable = dropped;
                    return Ok(d);
                }
                Err(e) => {
                    let path = e.path().to_string();
                    // Each pass removes one field, so this ends; the cap is for safety.
                    if computed(&path) || dropped.len() >= 64 || !remove(&mut v, e.path()) {
                        return Err(e.into_inner());
                    }
                    dropped.push(path);
                }
            }
        }
    }
}

/// True when the money rules read the field at `path` (see [`OrderDetails::from_json`]).
fn computed(path: &str) -> bool {
    const TOP: [&str; 9] = [
        "order_id",
        "status",
        "total_amount",
        "captured_amount",
        "refunded_amount",
        "canceled_amount",
        "paid_amount",
        "transactions",
        "items",
    ];
    const ITEM: [&str; 5] = [
        "reference_id",
        "sku",
        "quantity",
        "total_amount",
        "unit_price",
    ];
    let mut parts = path.split('.');
    let top = parts.next().unwrap_or("");
    let top_name = top.split('[').next().unwrap_or("");
    if top_name == "items" {
        return parts
            .next()
            .is_none_or(|f| ITEM.contains(&f.split('[').next().unwrap_or("")));
    }
    if top_name == "transactions" {
        let field = parts.nth(1).map(|f| f.split('[').next().unwrap_or(""));
        return !matches!(
            field,
            Some("created_at" | "items" | "order_id" | "merchant_id")
        );
    }
    TOP.contains(&top_name) || path.is_empty() || path == "."
}

/// Removes the value at `path` from `v`; false when there is nothing to remove.
fn remove(v: &mut serde_json::Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((last, parents)) = segments.split_last() else {
        return false;
    };
    let mut at = v;
    for seg in parents {
        let next = match seg {
            Segment::Map { key } => at.get_mut(key.as_str()),
            Segment::Seq { index } => at.get_mut(*index),
            _ => None,
        };
        let Some(next) = next else { return false };
        at = next;
    }
    match (last, at) {
        (Segment::Map { key }, serde_json::Value::Object(o)) => o.remove(key.as_str()).is_some(),
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Transactions {
    #[serde(default)]
    pub cancels: Vec<CancelTransaction>,
    #[serde(default)]
    pub captures: Vec<CaptureTransaction>,
    #[serde(default)]
    pub refunds: Vec<RefundTransaction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptureTransaction {
    pub capture_id: String,
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(default)]
    pub merchant_id: Option<String>,
    #[serde(default)]
    pub total_amount: Option<Money>,
    #[serde(default)]
    pub refunded_amount: Option<Money>,
    #[serde(default)]
    pub shipping_amount: Option<Money>,
    #[serde(default)]
    pub tax_amount: Option<Money>,
    #[serde(default)]
    pub discount_amount: Option<Money>,
    #[serde(default)]
    pub shipping_info: Option<ShippingInfoRecord>,
    #[serde(default)]
    pub items: Vec<Item>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// Shipping info as read back: `tracking_number` has been seen as a number, so it stays JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ShippingInfoRecord {
    #[serde(default)]
    pub shipped_at: Option<String>,
    #[serde(default)]
    pub shipping_company: Option<String>,
    #[serde(default)]
    pub tracking_number: Option<serde_json::Value>,
    #[serde(default)]
    pub tracking_url: Option<String>,
}

/// A refund as order details list it. Tamara's example also splits the refund into shipping,
/// tax and discount, and says whether it went through (`refund_status`: `success`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundTransaction {
    pub refund_id: String,
    #[serde(default)]
    pub capture_id: Option<String>,
    #[serde(default)]
    pub total_amount: Option<Money>,
    #[serde(default)]
    pub shipping_amount: Option<Money>,
    #[serde(default)]
    pub tax_amount: Option<Money>,
    #[serde(default)]
    pub discount_amount: Option<Money>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub merchant_refund_id: Option<String>,
    #[serde(default)]
    pub refund_status: Option<String>,
    #[serde(default)]
    pub items: Vec<Item>,
    /// Undocumented; `[]` in the only example (PHP's empty map), so kept as JSON.
    #[serde(default)]
    pub ext_data: Option<serde_json::Value>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CancelTransaction {
    pub cancel_id: String,
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(default)]
    pub total_amount: Option<Money>,
    #[serde(default)]
    pub items: Vec<Item>,
    #[serde(default)]
    pub created_at: Option<String>,
}

/// `PUT /orders/{order_id}/reference-id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpdateReferenceRequest {
    pub order_reference_id: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MessageResponse {
    #[serde(default)]
    pub message: Option<String>,
}
