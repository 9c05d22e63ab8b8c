//! The I/O of a money move: read, settle earlier moves, plan, confirm, write pending, send
//! once, settle, re-read, audit. The order of these steps is the safety argument (see the
//! module doc of [`super`]); keep it.

use std::time::Duration;

use chrono::Utc;
use tamara::model::WithRaw;
use tamara::model::order::OrderDetails;
use tamara::{ApiError, OrderPath};

use super::local::{audit, refresh};
use super::plan::{OrderState, PlannedMove, WireRequest, plan};
use super::reference::{self, same_intent};
use super::resolve::{Evidence, judge, known_ids};
use super::{Disposition, MoveOutcome, MovePreview, MoveRefusal, MoveRequest, in_flight_window};
use crate::console::Console;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::gateway::{Gateway, GatewayError};
use crate::store::StoreError;
use crate::store::ledger::{self, LedgerEntry, LedgerSource, LedgerState, PendingMove};

/// Re-reads after an ambiguous failure: right away, then after these pauses (the request may
/// still be in flight at Tamara, so absence early on proves nothing).
const REREAD_PAUSES_MS: [u64; 4] = [0, 500, 1000, 2000];
/// After a complete 5xx answer Tamara has finished with the request: one confirming re-read.
const REREAD_PAUSES_COMPLETE_MS: [u64; 2] = [0, 500];
/// An identical move (same order, kind, amount, items, comment, shipment) that succeeded this
/// recently is taken for a retry or a double click and reported instead of sent again.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(10 * 60);
/// How often a joined move's entry is polled while another process sends it.
const JOIN_POLL: Duration = Duration::from_millis(100);

/// Performs `req` on the console's active environment (see the module doc of [`super`]).
/// A move that was sent but failed or whose outcome stays unknown is `Ok` with that state:
/// the ledger records it either way.
///
/// # Errors
/// [`Error::Move`] for a refusal (nothing sent); [`Error::Invalid`] for malformed input;
/// gateway errors when the order cannot be read; store errors.
pub async fn execute(console: &Console, req: MoveRequest) -> Result<MoveOutcome> {
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
pub async fn preview(console: &Console, req: MoveRequest) -> Result<MovePreview> {
    req.validate()?;
    let env = console.environment();
    let gateway = console.gateway()?;
    let details = gateway.order(&req.order_id, OrderPath::Orders).await?;
    let state = OrderState::from_details(&details.value)?;
    let mut planned = plan(&state, &req.action)?;
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
    })
}

/// Re-reads `order_id` and settles every one of its moves still pending (and abandoned) or
/// unknown; returns them as they stand now. The reconciler and [`execute`] call it.
///
/// # Errors
/// Gateway errors reading the order; store errors.
pub async fn settle_open_moves(console: &Console, order_id: &str) -> Result<Vec<LedgerEntry>> {
    let details = console
        .gateway()?
        .order(order_id, OrderPath::Orders)
        .await?;
    console.cache(&details).await?;
    settle_earlier(console, &details).await
}

async fn run(console: &Console, req: &MoveRequest) -> Result<MoveOutcome> {
    let env = console.environment();
    let store = console.store();
    let gateway = console.gateway()?;
    let details = gateway.order(&req.order_id, OrderPath::Orders).await?;
    console.cache(&details).await?;
    let earlier = settle_earlier(console, &details).await?;
    let state = OrderState::from_details(&details.value)?;
    let mut planned = plan(&state, &req.action)?;
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
        occurred_at: Utc::now(),
        request_summary: Some(reference::summary(env, &planned, &reference)),
    };
    let entry = match ledger::record_pending(store, &pending).await {
        Ok(e) => e,
        Err(StoreError::DuplicateIdempotencyRef { existing }) => {
            // Another click or process wrote the same reference a moment ago.
            return adopt_or_refuse(console, &gateway, planned, *existing, req).await;
        }
        Err(e) => return Err(e.into()),
    };
    let answer = send(&gateway, &planned).await;
    let what = format!("{} of {}", planned.kind, planned.amount);
    match answer {
        Ok(gateway_id) => {
            let entry = ledger::mark_succeeded(store, entry.id, &gateway_id).await?;
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
            let message = format!(
                "Tamara refused the {what}: {e} ({}). No money moved.",
                e.code()
            );
            let entry = ledger::mark_failed(store, entry.id, &message).await?;
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

/// Sends the planned request once and returns Tamara's id for the transaction.
async fn send(gateway: &Gateway, planned: &PlannedMove) -> Result<String, GatewayError> {
    let id = &planned.order_id;
    Ok(match &planned.request {
        WireRequest::Authorise => {
            gateway.authorise(id).await?;
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

/// True when Tamara itself answered a complete 5xx: it has finished with the request, so a
/// move still absent after a confirming re-read did not happen. Timeouts, broken connections
/// and proxy answers (502, 504, non-JSON pages) leave the request possibly still in flight.
fn complete_failure(e: &GatewayError) -> bool {
    matches!(e.api(), Some(ApiError::Http { status, .. }) if *status >= 500 && *status != 502 && *status != 504)
}

async fn reread_until_settled(
    console: &Console,
    gateway: &Gateway,
    entry: LedgerEntry,
    err: &GatewayError,
) -> Result<(LedgerEntry, Option<crate::CachedOrder>, String)> {
    let store = console.store();
    let env = console.environment();
    let complete = complete_failure(err);
    let pauses: &[u64] = if complete {
        &REREAD_PAUSES_COMPLETE_MS
    } else {
        &REREAD_PAUSES_MS
    };
    let what = format!("{} of {}", entry.kind, entry.amount);
    let mut absent = None;
    let mut order = None;
    let mut read_error = None;
    for pause in pauses {
        tokio::time::sleep(Duration::from_millis(*pause)).await;
        let details = match gateway.order(&entry.order_id, OrderPath::Orders).await {
            Ok(d) => d,
            Err(e) => {
                read_error = Some(e);
                continue;
            }
        };
        order = console.cache(&details).await.ok();
        let known = known_ids(store, env, &entry).await?;
        match judge(&entry, &details.value, &known) {
            Evidence::Happened { gateway_id, how } => {
                let settled = ledger::mark_succeeded(store, entry.id, &gateway_id).await?;
                let message = format!(
                    "Tamara's answer was lost ({err}), but re-reading the order shows the {what} \
                     happened: {how}."
                );
                return Ok((settled, order, message));
            }
            Evidence::NotHappened { why } => {
                let message = format!("{err}; re-reading the order: {why}. No money moved.");
                let settled = ledger::mark_failed(store, entry.id, &message).await?;
                return Ok((settled, order, message));
            }
            Evidence::Absent { why } => absent = Some(why),
        }
    }
    if complete && let Some(why) = absent {
        let message = format!(
            "Tamara answered {err}, and re-reading the order confirms the {what} did not \
             happen ({why}). No money moved; you may try again."
        );
        let settled = ledger::mark_failed(store, entry.id, &message).await?;
        return Ok((settled, order, message));
    }
    let seen = match (absent, read_error) {
        (Some(why), _) => why,
        (None, Some(e)) => format!("the order could not be re-read: {e}"),
        (None, None) => "the order could not be re-read".to_owned(),
    };
    let message = format!(
        "OUTCOME UNKNOWN: {err}; {seen}. The {what} may still be applied by Tamara. Do not \
         repeat it elsewhere: run the same command again in a minute (it re-reads the order and \
         settles this entry first, never sending twice), or `mizan reconcile`."
    );
    let settled = ledger::mark_unknown(store, entry.id, &message).await?;
    Ok((settled, order, message))
}

/// Every move of the order still pending or unknown when the command started, settled from
/// `details` where the evidence allows. Pending entries younger than the in-flight window are
/// being sent by someone else right now and are left alone.
async fn settle_earlier(
    console: &Console,
    details: &WithRaw<OrderDetails>,
) -> Result<Vec<LedgerEntry>> {
    let env = console.environment();
    let store = console.store();
    let window = in_flight_window(console.config().active().total_timeout);
    let mut out = Vec::new();
    for e in ledger::list_for_order(store, env, &details.value.order_id).await? {
        if !is_open(&e) {
            continue;
        }
        let old = age(&e) > window;
        if e.state == LedgerState::Pending && !old {
            out.push(e);
            continue;
        }
        let settled = settle_entry(console, &e, &details.value, old).await?;
        if settled.state != e.state {
            tracing::warn!(entry = e.id, order_id = %e.order_id, from = %e.state,
                to = %settled.state, "settled an earlier money move by re-reading the order");
        }
        out.push(settled);
    }
    Ok(out)
}

/// Settles one open entry from `details`; `final_absence`: no trace now means it never
/// happened (the request cannot still be in flight).
async fn settle_entry(
    console: &Console,
    entry: &LedgerEntry,
    details: &OrderDetails,
    final_absence: bool,
) -> Result<LedgerEntry> {
    let store = console.store();
    let known = known_ids(store, console.environment(), entry).await?;
    let what = format!("{} of {}", entry.kind, entry.amount);
    let r = match judge(entry, details, &known) {
        Evidence::Happened { gateway_id, .. } => {
            ledger::mark_succeeded(store, entry.id, &gateway_id).await
        }
        Evidence::NotHappened { why } => {
            ledger::mark_failed(store, entry.id, &format!("{why}; no money moved")).await
        }
        Evidence::Absent { why } if final_absence => {
            let msg = format!("the {what} never appeared at Tamara ({why}); no money moved");
            ledger::mark_failed(store, entry.id, &msg).await
        }
        Evidence::Absent { why } if entry.state == LedgerState::Pending => {
            ledger::mark_unknown(store, entry.id, &why).await
        }
        Evidence::Absent { .. } => return Ok(entry.clone()),
    };
    match r {
        Ok(e) => Ok(e),
        // Someone else settled it meanwhile: take theirs.
        Err(StoreError::Conflict(_)) => current(console, entry.id).await,
        Err(e) => Err(e.into()),
    }
}

async fn adopt_or_refuse(
    console: &Console,
    gateway: &Gateway,
    planned: PlannedMove,
    existing: LedgerEntry,
    req: &MoveRequest,
) -> Result<MoveOutcome> {
    if !same_intent(console.environment(), &existing, &planned) {
        let key = existing.idempotency_ref.clone().unwrap_or_default();
        return Err(MoveRefusal::KeyReused {
            key: req.idempotency_key.clone().unwrap_or(key),
            entry_id: existing.id,
            kind: existing.kind,
            amount: existing.amount,
            order_id: existing.order_id,
        }
        .into());
    }
    adopt(console, gateway, planned, existing).await
}

/// Reports an already recorded move instead of sending: waits while another process is still
/// sending it, settles it by re-reading if it is open, then describes it.
async fn adopt(
    console: &Console,
    gateway: &Gateway,
    planned: PlannedMove,
    existing: LedgerEntry,
) -> Result<MoveOutcome> {
    let window = in_flight_window(console.config().active().total_timeout);
    let mut entry = existing;
    while entry.state == LedgerState::Pending && age(&entry) <= window {
        tokio::time::sleep(JOIN_POLL).await;
        entry = current(console, entry.id).await?;
    }
    if is_open(&entry) {
        let details = gateway.order(&entry.order_id, OrderPath::Orders).await?;
        console.cache(&details).await?;
        entry = settle_entry(console, &entry, &details.value, age(&entry) > window).await?;
    }
    let order = console.cached_order(&entry.order_id).await.ok();
    let detail = match (&entry.state, &entry.error) {
        (LedgerState::Succeeded, _) => format!(
            "it succeeded ({}={})",
            id_name(entry.kind),
            entry.gateway_id.as_deref().unwrap_or("")
        ),
        (state, Some(err)) => format!("it is {state}: {err}"),
        (state, None) => format!("it is {state}"),
    };
    let message = format!(
        "Not sent again: the same {} of {} was already recorded as ledger entry {} (a retry or \
         double click); {detail}.",
        entry.kind, entry.amount, entry.id
    );
    let reference = entry.idempotency_ref.clone().unwrap_or_default();
    let env = console.environment();
    Ok(outcome(
        env,
        planned,
        reference,
        entry,
        Disposition::AlreadyRecorded,
        message,
        order,
    ))
}

/// The latest of our own moves identical to `planned` that succeeded on this order within
/// [`DUPLICATE_WINDOW`], if any.
async fn recent_twin(console: &Console, planned: &PlannedMove) -> Result<Option<LedgerEntry>> {
    let env = console.environment();
    Ok(
        ledger::list_for_order(console.store(), env, &planned.order_id)
            .await?
            .into_iter()
            .rfind(|e| {
                e.source == LedgerSource::Api
                    && e.state == LedgerState::Succeeded
                    && age(e) <= DUPLICATE_WINDOW
                    && same_intent(env, e, planned)
            }),
    )
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

fn is_open(e: &LedgerEntry) -> bool {
    e.source == LedgerSource::Api && matches!(e.state, LedgerState::Pending | LedgerState::Unknown)
}

fn age(e: &LedgerEntry) -> Duration {
    (Utc::now() - e.recorded_at).to_std().unwrap_or_default()
}

async fn current(console: &Console, id: i64) -> Result<LedgerEntry> {
    ledger::get(console.store(), id).await?.ok_or_else(|| {
        StoreError::NotFound {
            entity: "ledger entry",
            key: id.to_string(),
        }
        .into()
    })
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

fn outcome(
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
