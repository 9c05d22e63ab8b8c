//! Merchants with auto-capture on get an authorisation that is also a capture: Tamara's answer
//! says `auto_captured: true` with the order `fully_captured` and a real `capture_id`
//! (reference §5.3). That capture is recorded in the ledger from the answer itself, so it is
//! there even when the re-read that follows fails.
//!
//! Invariant: recorded once, under Tamara's `capture_id` (a later re-read or webhook of the
//! same capture changes nothing); an answer without a real capture id records nothing.

use tamara::model::payments::AuthoriseResponse;

use crate::context::Context;
use crate::error::Result;
use crate::store::ledger::{self, LedgerKind, LedgerSource, ObservedMove};

/// Records the capture an authorise answer reports, if it reports one. Returns whether it did.
///
/// # Errors
/// Store errors (an order not cached yet is not one: nothing is recorded then).
pub async fn record(console: &Context, answer: &AuthoriseResponse) -> Result<bool> {
    let capture_id = answer.capture_id.as_deref().map(str::trim).unwrap_or("");
    let (Some(true), false, Some(amount)) = (
        answer.auto_captured,
        capture_id.is_empty(),
        answer.authorized_amount,
    ) else {
        return Ok(false);
    };
    let observed = ObservedMove {
        environment: console.environment(),
        order_id: answer.order_id.clone(),
        kind: LedgerKind::Capture,
        gateway_id: capture_id.to_owned(),
        amount,
        source: LedgerSource::Poll,
        actor: "tamara".to_owned(),
        comment: Some("auto-captured on authorisation".to_owned()),
        occurred_at: console.now(),
    };
    match ledger::upsert_observed(console.store(), &observed, console.now()).await {
        Ok(_) => Ok(true),
        Err(crate::store::StoreError::NotFound { .. }) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
