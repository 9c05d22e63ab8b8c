//! After a move: the order projection and the audit chain.
//!
//! [`refresh`] re-reads the order and caches it, so the projection shows the move at once. If
//! that read fails right after a success, the cached row is advanced locally from what we
//! know was done (amounts and the status they imply, never backwards); the next read replaces
//! it with Tamara's own figures. [`audit`] appends one line per attempt; a failure to append
//! is logged, never allowed to hide the move's outcome.

use chrono::{DateTime, Utc};
use tamara::OrderPath;
use tamara::model::OrderStatus;

use super::input::MoveRequest;
use super::plan::PlannedMove;
use crate::audit::{self, AuditRecord};
use crate::context::Context;
use crate::gateway::Gateway;
use crate::orders::CachedOrder;
use crate::orders::status_rank;
use crate::store::ledger::LedgerKind;
use crate::store::orders::{self, OrderRecord};

/// Re-reads and caches the order after a move; `done` is Tamara's id when the move succeeded.
pub(super) async fn refresh(
    console: &Context,
    gateway: &Gateway,
    planned: &PlannedMove,
    done: Option<&str>,
) -> Option<CachedOrder> {
    let read = match gateway.order(&planned.order_id, OrderPath::Orders).await {
        Ok(details) => crate::orders::cache::cache(console, &details).await,
        Err(e) => Err(e.into()),
    };
    match read {
        Ok(c) => return Some(c),
        Err(e) => tracing::warn!(order_id = %planned.order_id, error = %e,
            "could not re-read the order after a money move"),
    }
    if done.is_some() {
        let env = console.environment();
        if let Ok(Some(cached)) = orders::get(console.store(), env, &planned.order_id).await {
            let advanced = advance(cached, planned, console.now());
            if let Err(e) = orders::upsert(console.store(), &advanced).await {
                tracing::warn!(error = %e, "could not update the cached order locally");
            }
        }
    }
    crate::orders::cache::cached(console, &planned.order_id)
        .await
        .ok()
}

/// The cached row with `planned` applied: the amount added to its column and the status it
/// implies (reference §9.2), kept if that would move backwards. Where Tamara's rule is unknown
/// (§16.10) the guess is the status both answers agree on, so that Tamara's own figures,
/// read later, can still replace it: refunds end an order `fully_refunded` only when nothing
/// is left to capture either, and a cancel after a capture never makes it `canceled`.
fn advance(mut o: OrderRecord, planned: &PlannedMove, now: DateTime<Utc>) -> OrderRecord {
    let add = |a: tamara::Money| a.checked_add(planned.amount).unwrap_or(a);
    let open_after = |o: &OrderRecord| {
        o.total
            .checked_sub(o.canceled)
            .and_then(|r| r.checked_sub(o.captured))
            .map(|r| !r.is_positive())
            .unwrap_or(false)
    };
    let status = match planned.kind {
        LedgerKind::Authorise => {
            o.authorised = o.total;
            OrderStatus::Authorised
        }
        LedgerKind::Capture => {
            o.captured = add(o.captured);
            if open_after(&o) {
                OrderStatus::FullyCaptured
            } else {
                OrderStatus::PartiallyCaptured
            }
        }
        LedgerKind::Cancel => {
            o.canceled = add(o.canceled);
            match (o.captured.is_positive(), open_after(&o)) {
                (false, true) => OrderStatus::Canceled,
                (false, false) => OrderStatus::Updated,
                (true, true) => OrderStatus::FullyCaptured,
                (true, false) => OrderStatus::PartiallyCaptured,
            }
        }
        LedgerKind::Refund => {
            o.refunded = add(o.refunded);
            if o.refunded >= o.captured && open_after(&o) {
                OrderStatus::FullyRefunded
            } else {
                OrderStatus::PartiallyRefunded
            }
        }
    };
    if status_rank(&status) > status_rank(&OrderStatus::parse(&o.status)) {
        o.status = status.as_str().to_owned();
    }
    o.updated_at = now;
    o
}

/// Appends one attempt of `req` to the audit chain: actor = the configured operator (the OS
/// user is added by the chain), action `move.<kind>`, subject the order id.
pub(super) async fn audit(
    console: &Context,
    req: &MoveRequest,
    request_summary: Option<String>,
    result: String,
) {
    // What the operator said travels with the move into the log (quoted, so it cannot pass
    // for another field of the summary).
    let request_summary = match (request_summary, req.said()) {
        (Some(s), Some(said)) => Some(format!("{s} said={said:?}")),
        (s, _) => s,
    };
    let rec = AuditRecord {
        env: console.environment(),
        actor: console.config().operator.clone(),
        action: format!("move.{}", req.action.kind()),
        subject: req.order_id.clone(),
        request_summary,
        result,
    };
    if let Err(e) = audit::record(console.store(), rec, console.now()).await {
        tracing::warn!(error = %e, order_id = %req.order_id, "could not append to the audit log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::environment::Environment;
    use crate::moves::plan::WireRequest;
    use tamara::{Currency, Money};

    fn sar(s: &str) -> Money {
        Money::parse(s, Currency::Sar).unwrap()
    }

    fn record(status: &str, captured: &str) -> OrderRecord {
        OrderRecord {
            environment: Environment::Sandbox,
            order_id: "o".into(),
            order_reference_id: "r".into(),
            order_number: None,
            status: status.into(),
            payment_type: None,
            instalments: None,
            total: sar("300"),
            authorised: sar("300"),
            captured: sar(captured),
            refunded: sar("0"),
            canceled: sar("0"),
            paid: sar("0"),
            customer_name: None,
            customer_phone: None,
            customer_email: None,
            country_code: None,
            settlement_status: None,
            settlement_date: None,
            description: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            last_synced_at: None,
            raw_json: None,
        }
    }

    fn planned(kind: LedgerKind, amount: &str) -> PlannedMove {
        PlannedMove {
            kind,
            order_id: "o".into(),
            order_reference_id: "r".into(),
            amount: sar(amount),
            comment: None,
            request: WireRequest::Authorise,
            intent: String::new(),
        }
    }

    #[test]
    fn a_local_advance_adds_the_amount_and_never_moves_backwards() {
        let o = advance(
            record("authorised", "0"),
            &planned(LedgerKind::Capture, "100"),
            Utc::now(),
        );
        assert_eq!(
            (o.status.as_str(), o.captured),
            ("partially_captured", sar("100"))
        );
        let o = advance(o, &planned(LedgerKind::Capture, "200"), Utc::now());
        assert_eq!(o.status, "fully_captured");
        let o = advance(o, &planned(LedgerKind::Refund, "300"), Utc::now());
        assert_eq!(o.status, "fully_refunded");
        let o = advance(
            record("authorised", "0"),
            &planned(LedgerKind::Cancel, "50"),
            Utc::now(),
        );
        assert_eq!(o.status, "updated");
        let o = advance(
            record("fully_captured", "300"),
            &planned(LedgerKind::Authorise, "300"),
            Utc::now(),
        );
        assert_eq!(o.status, "fully_captured", "never backwards");
    }

    /// §16.10: where Tamara's rule is unknown the local guess is what both answers agree on.
    #[test]
    fn a_local_advance_guesses_no_final_status_tamara_might_not_give() {
        let partly = || record("partially_captured", "100");
        let o = advance(partly(), &planned(LedgerKind::Refund, "100"), Utc::now());
        assert_eq!(o.status, "partially_refunded", "200 are still capturable");
        let o = advance(partly(), &planned(LedgerKind::Cancel, "200"), Utc::now());
        assert_eq!(
            o.status, "fully_captured",
            "the rest canceled: all that remains is captured"
        );
        let o = advance(partly(), &planned(LedgerKind::Cancel, "50"), Utc::now());
        assert_eq!(o.status, "partially_captured");
    }
}
