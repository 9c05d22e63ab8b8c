//! Processing a verified dispute delivery: the event is stored, the dispute it names updated,
//! the delivery settled and audited — in one transaction.
//!
//! Invariants: each delivery is recorded once (a repeat is settled as a duplicate); a body
//! whose shape is not understood is stored and the delivery settled `processed` with a note,
//! never failed or refused (Tamara would retry it for ever); a dispute already closed keeps its
//! closing status when a late event arrives; no call to Tamara happens inside the transaction.
//! After it commits, where a dispute list path is configured, the dispute the event names is
//! re-read from the list ([`super::refresh::reread`]): the body is not signed, the list is
//! the better word. A failed re-read is logged, never a failure of the event.

use chrono::{DateTime, Utc};
use tamara::model::dispute::DisputeStatus;

use super::notice::DisputeNotice;
use crate::audit::{self, AuditRecord};
use crate::context::Context;
use crate::environment::Environment;
use crate::error::Result;
use crate::store::StoreError;
use crate::store::deliveries::{self, WebhookDelivery};
use crate::store::disputes::{self as stored, DisputeEventRecord, DisputeRecord};

/// Records the dispute event of a verified delivery and settles the row.
///
/// # Errors
/// Store errors only.
pub async fn process(ctx: &Context, row: &WebhookDelivery, notice: &DisputeNotice) -> Result<()> {
    let now = ctx.now();
    let mut tx = ctx.store().begin().await?;
    let result = record(&mut tx, row.environment, row, notice, now).await?;
    let rec = AuditRecord {
        env: row.environment,
        actor: "webhook".into(),
        action: "dispute.event".into(),
        subject: notice.order_id.clone().unwrap_or_else(|| "-".into()),
        request_summary: Some(format!(
            "delivery {} {} (attempt {})",
            row.id,
            notice.event,
            row.attempts + 1
        )),
        result: result.clone(),
    };
    audit::append_in(&mut tx.as_db(), &rec, now).await?;
    deliveries::mark_processed(&mut tx, row.id, &result, now).await?;
    tx.commit()
        .await
        .map_err(StoreError::query("commit dispute event"))?;
    if let Some(id) = notice
        .dispute_id
        .as_deref()
        .and_then(|d| d.parse::<i64>().ok())
        && let Err(e) = super::refresh::reread(ctx, id).await
    {
        tracing::warn!(error = %e, code = %e.code(), dispute_id = id,
            "dispute event recorded; the dispute was not re-read from the list");
    }
    Ok(())
}

/// Forgets that delivery `delivery_id` was recorded, so a replay records it again.
///
/// # Errors
/// Store errors.
pub async fn release(
    tx: &mut crate::store::StoreTx,
    env: Environment,
    delivery_id: i64,
) -> Result<()> {
    Ok(stored::release_event(&mut *tx, env, delivery_id).await?)
}

async fn record(
    tx: &mut crate::store::StoreTx,
    env: Environment,
    row: &WebhookDelivery,
    n: &DisputeNotice,
    now: DateTime<Utc>,
) -> Result<String> {
    let status = n.status();
    let event = DisputeEventRecord {
        id: 0,
        environment: env,
        delivery_id: Some(row.id),
        event_type: n.event.to_string(),
        order_id: n.order_id.clone(),
        dispute_id: n.dispute_id.clone(),
        status: status.as_ref().map(|s| s.to_string()),
        recognised: n.recognised(),
        received_at: row.received_at,
        body: row.body.clone(),
    };
    if !stored::insert_event(&mut *tx, &event).await? {
        return Ok(format!("{}: already recorded", n.event));
    }
    let Some(dispute_id) = &n.dispute_id else {
        return Ok(format!(
            "{}: kept, not applied: the body names no dispute (shape not recognised)",
            n.event
        ));
    };
    let before = stored::get(&mut *tx, env, dispute_id).await?;
    let (after, note) = merge(before.as_ref(), env, dispute_id, n, row.received_at, now);
    stored::upsert(&mut *tx, &after).await?;
    let mut result = format!("{}: dispute {dispute_id} {}", n.event, after.status);
    if let Some(note) = note {
        result.push_str(&format!("; {note}"));
    }
    if !n.recognised() {
        result.push_str("; the body names no order");
    }
    Ok(result)
}

/// The dispute after notice `n` (received at `at`), and a note when part of it was not
/// applied.
fn merge(
    before: Option<&DisputeRecord>,
    env: Environment,
    dispute_id: &str,
    n: &DisputeNotice,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (DisputeRecord, Option<String>) {
    let mut d = before.cloned().unwrap_or_else(|| DisputeRecord {
        environment: env,
        dispute_id: dispute_id.to_owned(),
        order_id: None,
        order_reference_id: None,
        status: DisputeStatus::Open.to_string(),
        amount: None,
        opened_at: Some(at),
        closed_at: None,
        awaiting_since: None,
        last_event: None,
        source: "notification".into(),
        raw_json: None,
        updated_at: now,
    });
    d.order_id = d.order_id.or_else(|| n.order_id.clone());
    d.order_reference_id = n.order_reference_id.clone().or(d.order_reference_id.take());
    d.amount = n.amount.or(d.amount);
    d.last_event = Some(n.event.to_string());
    d.updated_at = now;
    let mut note = None;
    if let Some(status) = n.status() {
        if !super::is_open(&d) && !status.is_closed() {
            note = Some(format!(
                "late event: the dispute is already {}; recorded, not applied",
                d.status
            ));
        } else {
            let was_awaiting = d.status == DisputeStatus::AwaitingMerchantResponse.as_str();
            if status == DisputeStatus::AwaitingMerchantResponse && !was_awaiting {
                d.awaiting_since = Some(at);
            }
            if status.is_closed() && d.closed_at.is_none() {
                d.closed_at = Some(at);
            }
            d.status = status.to_string();
            d.source = "notification".into();
        }
    }
    (d, note)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use tamara::model::webhooks::EventType;

    fn notice(event: EventType) -> DisputeNotice {
        DisputeNotice {
            event,
            order_id: Some("o-1".into()),
            order_reference_id: None,
            dispute_id: Some("5".into()),
            status: None,
            amount: None,
            comment: None,
        }
    }

    #[test]
    fn a_late_event_never_reopens_a_closed_dispute() {
        let t = DateTime::UNIX_EPOCH;
        let env = Environment::Sandbox;
        let (open, _) = merge(
            None,
            env,
            "5",
            &notice(EventType::DisputeAwaitingMerchantResponse),
            t,
            t,
        );
        assert_eq!(open.status, "awaiting_merchant_response");
        assert_eq!(open.awaiting_since, Some(t));
        let (closed, _) = merge(
            Some(&open),
            env,
            "5",
            &notice(EventType::DisputeClosedClaimCancelled),
            t,
            t,
        );
        assert_eq!(closed.status, "cancelled");
        assert_eq!(closed.closed_at, Some(t));
        let (late, note) = merge(
            Some(&closed),
            env,
            "5",
            &notice(EventType::DisputeAwaitingMerchantResponse),
            t,
            t,
        );
        assert_eq!(late.status, "cancelled");
        assert!(note.unwrap().starts_with("late event"));
        let (updated, note) = merge(
            Some(&open),
            env,
            "5",
            &notice(EventType::DisputeWasUpdated),
            t,
            t,
        );
        assert_eq!(updated.status, "awaiting_merchant_response");
        assert_eq!(
            updated.last_event.as_deref(),
            Some("OrderDisputeWasUpdated")
        );
        assert!(note.is_none());
    }
}
