//! The disputes screen: every dispute with its status and days left to respond, the dispute
//! events whose shape named no dispute, and the refresh from Tamara's (third-party-sourced)
//! dispute list and the merchant's comment where one is configured.
//!
//! Invariants: the contract's (amounts as strings beside their currency, RFC 3339 times,
//! integers of 32 bits); outside text crosses as data and the UI renders it as text.

use serde::{Deserialize, Serialize};

use super::{amount, count, time};
use crate::console::Console;
use crate::disputes::{self, DisputeEventRecord, DisputeRow};
use crate::error::Result;

/// One dispute as the list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DisputeListRow {
    pub dispute_id: String,
    pub order_id: Option<String>,
    pub order_reference_id: Option<String>,
    /// Tamara's `dispute_status` (an open string).
    pub status: String,
    /// Not closed.
    pub open: bool,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub opened_at: Option<String>,
    pub closed_at: Option<String>,
    /// When the merchant must have responded, while it waits for them.
    pub respond_by: Option<String>,
    /// Whole days left to respond (negative once overdue), while it waits for the merchant.
    pub days_left: Option<i32>,
    pub last_event: Option<String>,
    /// `notification` or `list`: what last updated it.
    pub source: String,
}

/// A dispute event as received (its body verbatim).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DisputeEventRow {
    pub delivery_id: Option<u32>,
    pub event_type: String,
    pub order_id: Option<String>,
    pub dispute_id: Option<String>,
    pub status: Option<String>,
    /// The body named an order and a dispute.
    pub recognised: bool,
    pub received_at: String,
    pub body: String,
}

/// The disputes screen's model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DisputesView {
    pub disputes: Vec<DisputeListRow>,
    /// Dispute events whose body named no dispute (kept as sent).
    pub unmatched: Vec<DisputeEventRow>,
    /// Days a merchant has to respond (a setting; Tamara documents none).
    pub response_days: u32,
    /// A dispute list path is configured, so a refresh can be asked for.
    pub api_configured: bool,
}

fn row(r: DisputeRow) -> DisputeListRow {
    let d = r.dispute;
    DisputeListRow {
        open: disputes::is_open(&d),
        dispute_id: d.dispute_id,
        order_id: d.order_id,
        order_reference_id: d.order_reference_id,
        status: d.status,
        amount: d.amount.map(amount),
        currency: d.amount.map(|m| m.currency().code().to_owned()),
        opened_at: d.opened_at.map(time),
        closed_at: d.closed_at.map(time),
        respond_by: r.respond_by.map(time),
        days_left: r
            .days_left
            .map(|n| i32::try_from(n).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX })),
        last_event: d.last_event,
        source: d.source,
    }
}

fn event(e: DisputeEventRecord) -> DisputeEventRow {
    DisputeEventRow {
        delivery_id: e.delivery_id.map(count),
        event_type: e.event_type,
        order_id: e.order_id,
        dispute_id: e.dispute_id,
        status: e.status,
        recognised: e.recognised,
        received_at: time(e.received_at),
        body: e.body,
    }
}

/// The disputes of the active environment (only open ones with `open_only`).
///
/// # Errors
/// Store errors.
pub async fn list(console: &Console, open_only: bool) -> Result<DisputesView> {
    let b = disputes::board(console, open_only).await?;
    Ok(DisputesView {
        disputes: b.disputes.into_iter().map(row).collect(),
        unmatched: b.unmatched.into_iter().map(event).collect(),
        response_days: b.response_days,
        api_configured: b.api_configured,
    })
}

/// Reads the dispute list from Tamara; how many disputes it read.
///
/// # Errors
/// [`crate::disputes::DisputeError::ApiUnavailable`]; gateway and store errors.
pub async fn refresh(console: &Console) -> Result<u32> {
    let r = disputes::refresh::refresh(console, &Default::default()).await?;
    Ok(count(r.listed))
}

/// Sends the merchant's comment on dispute `dispute_id` (1 to 255 characters), then re-reads
/// it.
///
/// # Errors
/// [`crate::disputes::DisputeError`] for what is refused before sending; gateway and store
/// errors.
pub async fn comment(console: &Console, dispute_id: &str, text: &str) -> Result<()> {
    disputes::refresh::comment(console, dispute_id, text).await
}
