//! `mizan webhooks replay`: an operator reprocesses one stored delivery.
//!
//! Owns the replay of a verified delivery: its event claim is released and the row reopened in
//! one transaction with an audit entry naming the operator, then the processor handles it as if
//! it had just arrived (re-reading the order, never trusting the body).
//!
//! Invariants: only verified deliveries of the console's environment replay — a rejected one is
//! evidence, not an instruction (its token did not verify). Replaying never moves money twice:
//! the processor's effects are idempotent (cache never backwards, ledger rows deduplicated by
//! gateway id, a second authorise answers 409 and counts as done).

use std::sync::Arc;

use tokio::sync::Notify;

use super::{Processor, ProcessorConfig};
use crate::audit::{self, AuditRecord};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::store::StoreError;
use crate::store::deliveries::{self, DeliveryVerdict, WebhookDelivery};
use crate::store::events::{self, EventKey};

/// A replayed delivery as it was before and as it is after processing.
#[derive(Debug, Clone)]
pub struct Replayed {
    pub before: WebhookDelivery,
    pub after: WebhookDelivery,
}

/// Reprocesses delivery `id` now, in this process.
///
/// # Errors
/// [`Error::DeliveryNotFound`], [`Error::DeliveryInOtherEnvironment`],
/// [`Error::DeliveryNotReplayable`] (not verified, or its body no longer parses); store errors.
pub async fn replay(console: &Context, id: i64) -> Result<Replayed> {
    let env = console.environment();
    let store = console.store();
    let before = deliveries::get(store, id)
        .await?
        .ok_or(Error::DeliveryNotFound { id, env })?;
    if before.environment != env {
        return Err(Error::DeliveryInOtherEnvironment {
            id,
            env: before.environment,
        });
    }
    if before.verdict != DeliveryVerdict::Verified {
        let order_hint = before
            .order_id
            .as_deref()
            .map(|o| format!("; run `mizan orders fetch {o}` to re-read its order"))
            .unwrap_or_default();
        return Err(Error::DeliveryNotReplayable {
            id,
            reason: format!(
                "it was {} ({}): its token did not verify, so it is kept as evidence, \
                 never acted on{order_hint}",
                before.verdict,
                before.reason.as_deref().unwrap_or("no reason recorded")
            ),
        });
    }
    let dispute = before
        .event_type
        .as_deref()
        .filter(|e| crate::disputes::is_dispute_event(e))
        .and_then(|_| crate::disputes::notice::read(before.body.as_bytes()));
    // The identity the processor claimed it under (a dispute event: its delivery).
    let (order_id, event, key) = match &dispute {
        Some(d) => (
            d.order_id.clone().unwrap_or_else(|| "-".into()),
            d.event.to_string(),
            None,
        ),
        None => {
            let n = super::body::parse(before.body.as_bytes()).map_err(|e| {
                Error::DeliveryNotReplayable {
                    id,
                    reason: format!("its body does not parse as a notification: {e}"),
                }
            })?;
            let (order_id, event, sub_id) = super::body::event_key(&n, id);
            let key = EventKey::new(env, &order_id, &event, Some(&sub_id));
            (order_id, event, Some(key))
        }
    };
    let mut tx = store.begin().await?;
    match &key {
        Some(key) => {
            events::release(&mut tx, key).await?;
        }
        None => crate::disputes::receive::release(&mut tx, env, id).await?,
    }
    deliveries::reopen_for_replay(&mut tx, id).await?;
    let rec = AuditRecord {
        env,
        actor: console.config().operator.clone(),
        action: "webhook.replay".into(),
        subject: order_id.clone(),
        request_summary: Some(format!(
            "delivery {id} {event} (was {})",
            before.processing_state
        )),
        result: "reopened for processing".into(),
    };
    audit::append_in(&mut tx.as_db(), &rec, console.now()).await?;
    tx.commit()
        .await
        .map_err(StoreError::query("commit replay"))?;
    let reopened = deliveries::get(store, id)
        .await?
        .ok_or(Error::DeliveryNotFound { id, env })?;
    let processor = Processor::new(
        console.clone(),
        Arc::new(Notify::new()),
        ProcessorConfig::default(),
    );
    match processor.process(&reopened).await {
        // A running `mizan serve` took the reopened row first: its result stands.
        Ok(()) | Err(Error::Store(StoreError::Conflict(_))) => {}
        Err(e) => return Err(e),
    }
    let after = deliveries::get(store, id)
        .await?
        .ok_or(Error::DeliveryNotFound { id, env })?;
    Ok(Replayed { before, after })
}
