//! One order in full (amounts, items, timeline, allowed actions) and the money-move dialog.

use serde::{Deserialize, Serialize};

use super::orders::OrderRow;

/// The order's money, all in its currency (`order.currency`).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct Amounts {
    pub authorised: String,
    pub captured: String,
    pub refunded: String,
    pub canceled: String,
    /// Still capturable: total − canceled − captured.
    pub capturable: String,
    /// Still refundable: captured − refunded.
    pub refundable: String,
    /// Still cancelable: what is not captured (only while nothing is captured).
    pub cancelable: String,
}

/// A line item as Tamara last reported it.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ItemRow {
    pub reference_id: Option<String>,
    pub sku: Option<String>,
    pub name: Option<String>,
    pub quantity: u32,
    pub unit_price: Option<String>,
    pub total: String,
}

/// What the timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    ApiCall,
    Webhook,
    Status,
    Move,
    Audit,
}

/// One event in the order's history, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct TimelineEntry {
    pub at: String,
    pub kind: TimelineKind,
    pub title: String,
    pub detail: String,
    /// The raw payload as JSON text (a webhook body, a request), for the JSON viewer.
    pub payload: Option<String>,
}

/// Which money moves the order's state allows now.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct Allowed {
    pub authorise: bool,
    pub capture: bool,
    pub refund: bool,
    pub cancel: bool,
}

/// Everything the order screen shows.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct OrderDetail {
    pub order: OrderRow,
    pub amounts: Amounts,
    pub items: Vec<ItemRow>,
    pub timeline: Vec<TimelineEntry>,
    /// Tamara's last order-details JSON, verbatim.
    pub raw_order: Option<String>,
    pub allowed: Allowed,
    /// When the order was last read from the API.
    pub last_synced_at: Option<String>,
}

/// The kind of money move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    Authorise,
    Capture,
    Refund,
    Cancel,
}

/// Units of one item to capture.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct MoveItem {
    pub reference_id: String,
    pub quantity: u32,
}

/// A money move as the dialog collects it.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct MoveInput {
    pub kind: MoveKind,
    pub order_id: String,
    /// Decimal text in the order's currency; none: everything remaining (capture, cancel) or
    /// the items' sum. A refund needs one.
    #[serde(default)]
    #[specta(optional)]
    pub amount: Option<String>,
    /// Capture by items.
    #[serde(default)]
    #[specta(optional)]
    pub items: Option<Vec<MoveItem>>,
    /// A refund's reason (required for refunds).
    #[serde(default)]
    #[specta(optional)]
    pub comment: Option<String>,
    /// A capture's carrier (Tamara requires one; default "Merchant delivery").
    #[serde(default)]
    #[specta(optional)]
    pub shipping_company: Option<String>,
    #[serde(default)]
    #[specta(optional)]
    pub tracking_number: Option<String>,
}

/// The exact request a move would send, shown before sending.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct MovePreview {
    pub method: String,
    pub url: String,
    /// The request body, pretty JSON.
    pub body: String,
    pub environment: super::app::EnvironmentName,
    /// Production: the operator must type the order reference (`confirm_hint`) to send.
    pub needs_confirmation: bool,
    pub confirm_hint: String,
    /// Earlier moves on this order still unsettled, or a recent identical one, in words.
    pub warnings: Vec<String>,
}

/// What sending a move did.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct MoveResult {
    /// `succeeded`, `failed` (Tamara refused; nothing moved) or `unknown` (re-read later).
    pub outcome: String,
    pub detail: String,
    pub order: OrderDetail,
}
