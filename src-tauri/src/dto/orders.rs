//! The order list: its query (filters and paging), its rows, saved views and the attention
//! queue.

use serde::{Deserialize, Serialize};

/// Filters and paging of the order list. Empty strings count as "no filter".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct OrdersQuery {
    /// Any of these statuses; empty: every status.
    #[serde(default)]
    #[specta(optional)]
    pub statuses: Vec<String>,
    /// `SAR`, `AED`, `QAR`, `KWD`, `BHD` or `OMR`.
    #[serde(default)]
    #[specta(optional)]
    pub currency: Option<String>,
    /// Part of the merchant's order reference (case-insensitive).
    #[serde(default)]
    #[specta(optional)]
    pub reference: Option<String>,
    /// Free text: part of the reference, customer name, email or phone; or a whole order id.
    #[serde(default)]
    #[specta(optional)]
    pub text: Option<String>,
    /// Created at or after (a date `2025-01-31` or an RFC 3339 time).
    #[serde(default)]
    #[specta(optional)]
    pub created_from: Option<String>,
    /// Created before (a date means the start of that day, so pass the day after).
    #[serde(default)]
    #[specta(optional)]
    pub created_to: Option<String>,
    /// Order total at least this (decimal text, in the order's currency).
    #[serde(default)]
    #[specta(optional)]
    pub amount_min: Option<String>,
    /// Order total at most this.
    #[serde(default)]
    #[specta(optional)]
    pub amount_max: Option<String>,
    #[serde(default)]
    #[specta(optional)]
    pub offset: u32,
    /// Rows per page, 1 to 1000.
    pub limit: u32,
}

/// One row of the order list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct OrderRow {
    pub order_id: String,
    pub reference: String,
    pub status: String,
    pub currency: String,
    pub total: String,
    pub captured: String,
    pub refunded: String,
    pub created_at: String,
    pub customer: Option<String>,
}

/// A page of the order list with the number of matching orders.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct OrdersPage {
    pub rows: Vec<OrderRow>,
    /// Matching orders; when `total_capped`, at least this many (counting stops there so a
    /// filter change stays fast at a million orders).
    pub total: u32,
    pub total_capped: bool,
}

/// A named, saved order-list query.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct SavedView {
    pub name: String,
    pub query: OrdersQuery,
}

/// Why an order needs a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum AttentionReason {
    ApprovedNotAuthorised,
    AuthorisedNotCaptured,
    AutoAuthoriseFailed,
    Mismatch,
}

/// One entry of the "needs attention" queue.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct AttentionItem {
    pub order_id: String,
    /// The merchant's reference; empty when the order is not cached.
    pub reference: String,
    pub reason: AttentionReason,
    /// When Tamara acts on its own (expires the approval, captures automatically).
    pub deadline: Option<String>,
    /// One sentence: what happened and what to do.
    pub detail: String,
}
