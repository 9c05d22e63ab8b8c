//! The I/O of a money move: read, settle earlier moves, plan, confirm, write pending, send
//! once, settle, re-read, audit. The order of these steps is the safety argument (see the
//! module doc of [`super`]); keep it.

use tamara::{ApiError, OrderPath};

use super::local::{audit, refresh};
use super::plan::{OrderState, PlannedMove, WireRequest, plan};
use super::reference::{self, same_intent};
use super::settle::{
    adopt, adopt_or_refuse, is_open, recent_twin, reread_until_settled, settle_earlier,
};
use super::{Disposition, MoveOutcome, MovePreview, MoveRefusal, MoveRequest};
use crate::context::Context;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::gateway::{Gateway, GatewayError};
use crate::store::StoreError;
use crate::store::ledger::{self, LedgerEntry, LedgerState, PendingMove};

/// Performs `req` on the console's active environment (see the module doc of [`super`]).
/// A move that was sent but failed or whose outcome stays unknown is `Ok` with that state:
/// the ledger records it either way.
///
/// # Errors
/// [`Error::Move`] for a refusal (nothing sent); [`Error::Invalid`] for malformed input;
/// gateway errors when the order cannot be read; store errors.
pub async fn execute(console: &Context, req: MoveRequest) -> Result<MoveOutcome> {
    req.validate()?;
    let result = run(console, &req).await;
    match &result {
        Ok(outcome) => {
            let result = match outcome.failure_code() {
                None => format!(
                    "succeeded {}={} ({})",
                    id_name(outcome.planned.kind),
                    outcome.entry.gateway_id.as_deref().unwrap_or(""),
                    outcome.disposition.as_str()
                ),
                Some(code) => format!("{code}: {}", outcome.message),
            };
            let summary = outcome.entry.request_summary.clone();
            audit(console, &req, summary, result).await;
        }
        Err(Error::Invalid(_)) => {}
        Err(e) => {
            let summary = format!(
                "{} order_id={} amount={}",
                req.action.kind(),
                req.order_id,
                req.action.amount_text()
            );
            let verdict = if matches!(e, Error::Move(_)) {
                "refused"
            } else {
                "error"
            };
            audit(
                console,
                &req,
                Some(summary),
                format!("{verdict} {}: {e}", e.code()),
            )
            .await;
        }
    }
    result
}

/// A dry run: reads the order (without caching it) and returns the exact request `req` would
/// send, its reference and whether production confirmation is needed. Writes nothing.
///
/// # Errors
/// As [`execute`], except that a missing production confirmation is not an error here.
pub async fn preview(console: &Context, req: MoveRequest) -> Result<MovePreview> {
    req.validate()?;
    let env = console.environment();
    let gateway = console.gateway()?;
    let details = gateway.order(&req.order_id, OrderPath::Orders).await?;
    let state = OrderState::from_details(&details.value)?;
    let mut planned = plan(&state, &req.action)?;
    planned.comment = planned.comment.take().or_else(|| req.note_text());
    if req.confirm.is_some() {
        check_confirmation(env, &req, &planned)?;
    }
    let reference = match &req.idempotency_key {
        Some(k) => k.clone(),
        None => {
            let base = reference::derived(env, &planned, &state.money_state());
            reference::first_open(console.store(), env, &base).await?.0
        }
    };
    planned.bind_reference(&reference);
    let duplicate_of = match &req.idempotency_key {
        None => recent_twin(console, &planned).await?,
        Some(_) => None,
    };
    let unsettled = ledger::list_for_order(console.store(), env, &req.order_id)
        .await?
        .into_iter()
        .filter(is_open)
        .collect();
    Ok(MovePreview {
        environment: env,
        url: format!(
            "{}{}",
            gateway.base_url().trim_end_matches('/'),
            planned.path()
        ),
        planned,
        reference,
        requires_confirmation: env == Environment::Production,
        unsettled,
        duplicate_of,
    })
}

/// Re-reads `order_id` and settles every one of its moves still pending (and abandoned) or
/// unknown; returns them as they stand now. The reconciler and [`execute`] call it.
///
/// # Errors
/// Gateway errors reading the order; store errors.
pub async fn settle_open_moves(console: &Context, order_id: &str) -> Result<Vec<LedgerEntry>> {
    let details = console
        .gateway()?
        .order(order_id, OrderPath::Orders)
        .await?;
    crate::orders::cache::cache(console, &details).await?;
    settle_earlier(console, &details).await
}

async fn run(console: &Context, req: &MoveRequest) -> Result<MoveOutcome> {
    let env = console.environment();
    let store = console.store();
    let gateway = console.gateway()?;
    let details = gateway.order(&req.order_id, OrderPath::Orders).await?;
    crate::orders::cache::cache(console, &details).await?;
    let earlier = settle_earlier(console, &details).await?;
    let state = OrderState::from_details(&details.value)?;
    let mut planned = plan(&state, &req.action)?;
    planned.comment = planned.comment.take().or_else(|| req.note_text());
    for e in &earlier {
        let mine = match &req.idempotency_key {
            Some(k) => e.idempotency_ref.as_deref() == Some(k.as_str()),
            None => same_intent(env, e, &planned),
        };
        if mine && e.state != LedgerState::Failed {
            // A retry of a move whose outcome was open: report that move, never send twice.
            return adopt_or_refuse(console, &gateway, planned, e.clone(), req).await;
        }
        match e.state {
            LedgerState::Pending => {
                return Err(MoveRefusal::InProgress {
                    entry_id: e.id,
                    kind: e.kind,
                    amount: e.amount,
                }
                .into());
            }
            LedgerState::Unknown => {
                return Err(MoveRefusal::BlockedByUnknown {
                    entry_id: e.id,
                    kind: e.kind,
                    amount: e.amount,
                }
                .into());
            }
            LedgerState::Succeeded | LedgerState::Failed => {}
        }
    }
    if req.idempotency_key.is_none()
        && let Some(done) = recent_twin(console, &planned).await?
    {
        // The same move succeeded moments ago (a late retry, a second click after the first
        // finished, or an unknown outcome settled meanwhile): report it, do not repeat it.
        let mut o = adopt(console, &gateway, planned, done).await?;
        o.message
            .push_str(" To make the same move again on purpose, give it a new --idempotency-key.");
        return Ok(o);
    }
    check_confirmation(env, req, &planned)?;
    let (reference, existing) = match &req.idempotency_key {
        Some(k) => (k.clone(), ledger::by_idempotency_ref(store, env, k).await?),
        None => {
            let base = reference::derived(env, &planned, &state.money_state());
            reference::first_open(store, env, &base).await?
        }
    };
    if let Some(existing) = existing {
        return adopt_or_refuse(console, &gateway, planned, existing, req).await;
    }
    planned.bind_reference(&reference);
    let pending = PendingMove {
        environment: env,
        order_id: planned.order_id.clone(),
        kind: planned.kind,
        amount: planned.amount,
        idempotency_ref: reference.clone(),
        actor: console.config().operator.clone(),
        comment: planned.comment.clone(),
        occurred_at: console.now(),
        request_summary: Some(reference::summary(env, &planned, &reference)),
        witness: super::witness::for_planned(&planned),
    };
    let entry = match ledger::record_pending(store, &pending, console.now()).await {
        Ok(e) => e,
        Err(StoreError::DuplicateIdempotencyRef { existing }) => {
            // Another click or process wrote the same reference a moment ago.
            return adopt_or_refuse(console, &gateway, planned, *existing, req).await;
        }
        Err(e) => return Err(e.into()),
    };
    let answer = send(console, &gateway, &planned).await;
    let what = format!("{} of {}", planned.kind, planned.amount);
    match answer {
        Ok(gateway_id) => {
            let entry = ledger::mark_succeeded(store, entry.id, &gateway_id, console.now()).await?;
            let order = refresh(console, &gateway, &planned, Some(&gateway_id)).await;
            let message = format!(
                "{} done: {}={gateway_id}",
                capitalised(&what),
                id_name(planned.kind)
            );
            Ok(outcome(
                env,
                planned,
                reference,
                entry,
                Disposition::Sent,
                message,
                order,
            ))
        }
        Err(e) if ambiguous(&e) => {
            let (entry, order, message) =
                reread_until_settled(console, &gateway, entry, &e).await?;
            let disposition = Disposition::ResolvedByReread;
            Ok(outcome(
                env,
                planned,
                reference,
                entry,
                disposition,
                message,
                order,
            ))
        }
        Err(e) => {
            // An HTTP status means Tamara (or its front) answered; otherwise nothing left us.
            let message = if e.api().and_then(ApiError::status).is_some() {
                format!(
                    "Tamara refused the {what}: {e} ({}). No money moved.",
                    e.code()
                )
            } else {
                format!(
                    "The {what} was not sent: {e} ({}). No money moved.",
                    e.code()
                )
            };
            let entry = ledger::mark_failed(store, entry.id, &message, console.now()).await?;
            let order = refresh(console, &gateway, &planned, None).await;
            Ok(outcome(
                env,
                planned,
                reference,
                entry,
                Disposition::Sent,
                message,
                order,
            ))
        }
    }
}

/// Sends the planned request once and returns Tamara's id for the transaction (recording the
/// capture an auto-capturing merchant's authorisation made).
async fn send(
    console: &Context,
    gateway: &Gateway,
    planned: &PlannedMove,
) -> Result<String, GatewayError> {
    let id = &planned.order_id;
    Ok(match &planned.request {
        WireRequest::Authorise => {
            let answer = gateway.authorise(id).await?;
            if let Err(e) = super::auto_capture::record(console, &answer.value).await {
                tracing::warn!(order_id = %id, error = %e,
                    "could not record the auto-capture; the re-read will");
            }
            id.clone()
        }
        WireRequest::Capture(r) => gateway.capture(r).await?.value.capture_id,
        WireRequest::Cancel(r) => gateway.cancel(id, r).await?.value.cancel_id,
        WireRequest::Refund(r) => gateway.simplified_refund(id, r).await?.value.refund_id,
    })
}

/// True when the request may have taken effect although no clear success came back: the
/// gateway's ambiguous failures, plus a 2xx answer we could not read.
fn ambiguous(e: &GatewayError) -> bool {
    e.is_ambiguous()
        || matches!(e.api(), Some(ApiError::Decode { status, .. } | ApiError::NotJson { status, .. }) if *status < 400)
}

fn check_confirmation(
    env: Environment,
    req: &MoveRequest,
    planned: &PlannedMove,
) -> Result<(), MoveRefusal> {
    let expected = if planned.order_reference_id.is_empty() {
        planned.order_id.clone()
    } else {
        planned.order_reference_id.clone()
    };
    match req.confirm.as_deref().map(str::trim) {
        None if env == Environment::Production => Err(MoveRefusal::ConfirmationRequired {
            reference: expected,
        }),
        None => Ok(()),
        Some(given) if given == expected => Ok(()),
        Some(given) => Err(MoveRefusal::ConfirmationMismatch {
            given: given.to_owned(),
            expected,
            order_id: planned.order_id.clone(),
        }),
    }
}

pub(super) fn id_name(kind: ledger::LedgerKind) -> &'static str {
    match kind {
        ledger::LedgerKind::Authorise => "order_id",
        ledger::LedgerKind::Capture => "capture_id",
        ledger::LedgerKind::Refund => "refund_id",
        ledger::LedgerKind::Cancel => "cancel_id",
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub(super) fn outcome(
    environment: Environment,
    planned: PlannedMove,
    reference: String,
    entry: LedgerEntry,
    disposition: Disposition,
    message: String,
    order: Option<crate::CachedOrder>,
) -> MoveOutcome {
    MoveOutcome {
        environment,
        planned,
        reference,
        entry,
        disposition,
        message,
        order,
    }
}
