//! Settling moves whose outcome is open, and reporting moves already recorded.
//!
//! After an ambiguous failure the order is re-read a few times ([`reread_until_settled`]);
//! before a new move, every earlier open move of the order is settled from the fresh read
//! ([`settle_earlier`]); a request that matches a recorded move is answered with that move
//! ([`adopt`]), waiting while another process is still sending it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tamara::model::WithRaw;
use tamara::model::order::OrderDetails;
use tamara::{ApiError, OrderPath};

use super::execute::{id_name, outcome};
use super::plan::PlannedMove;
use super::reference::same_intent;
use super::resolve::{Evidence, judge, known_ids};
use super::{Disposition, MoveOutcome, MoveRefusal, MoveRequest, in_flight_window};
use crate::context::Context;
use crate::error::Result;
use crate::gateway::{Gateway, GatewayError};
use crate::store::StoreError;
use crate::store::ledger::{self, LedgerEntry, LedgerSource, LedgerState};

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

/// True when Tamara itself answered a complete 5xx: it has finished with the request, so a
/// move still absent after a confirming re-read did not happen. Timeouts, broken connections
/// and proxy answers (502, 504, non-JSON pages) leave the request possibly still in flight.
fn complete_failure(e: &GatewayError) -> bool {
    matches!(e.api(), Some(ApiError::Http { status, .. }) if *status >= 500 && *status != 502 && *status != 504)
}

pub(super) async fn reread_until_settled(
    console: &Context,
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
        order = crate::orders::cache::cache(console, &details).await.ok();
        let known = known_ids(store, env, &entry).await?;
        match judge(&entry, &details.value, &known) {
            Evidence::Happened { gateway_id, how } => {
                let settled =
                    ledger::mark_succeeded(store, entry.id, &gateway_id, console.now()).await?;
                let message = format!(
                    "Tamara's answer was lost ({err}), but re-reading the order shows the {what} \
                     happened: {how}."
                );
                return Ok((settled, order, message));
            }
            Evidence::NotHappened { why } => {
                let message = format!("{err}; re-reading the order: {why}. No money moved.");
                let settled = ledger::mark_failed(store, entry.id, &message, console.now()).await?;
                return Ok((settled, order, message));
            }
            Evidence::Absent { why } => absent = Some(why),
            Evidence::Ambiguous { why } => {
                let message = needs_a_person(&what, &err.to_string(), &why);
                let settled =
                    ledger::mark_unknown(store, entry.id, &message, console.now()).await?;
                return Ok((settled, order, message));
            }
        }
    }
    if complete && let Some(why) = absent {
        let message = format!(
            "Tamara answered {err}, and re-reading the order confirms the {what} did not \
             happen ({why}). No money moved; you may try again."
        );
        let settled = ledger::mark_failed(store, entry.id, &message, console.now()).await?;
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
    let settled = ledger::mark_unknown(store, entry.id, &message, console.now()).await?;
    Ok((settled, order, message))
}

/// The message of an entry only a person can settle: something on the order may be our move,
/// but nothing proves it is ours, so it is neither reported as done nor as failed.
fn needs_a_person(what: &str, err: &str, why: &str) -> String {
    format!(
        "OUTCOME UNKNOWN, NEEDS A PERSON: {err}; {why}. The {what} is not counted as done or \
         failed, and this order's money moves wait until a person settles it \
         (`mizan resolve ENTRY --applied ID | --not-applied --note …`) after checking with \
         Tamara."
    )
}

/// Every move of the order still pending or unknown when the command started, settled from
/// `details` where the evidence allows. Pending entries younger than the in-flight window are
/// being sent by someone else right now and are left alone.
pub(super) async fn settle_earlier(
    console: &Context,
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
        let old = age(&e, console.now()) > window;
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
    console: &Context,
    entry: &LedgerEntry,
    details: &OrderDetails,
    final_absence: bool,
) -> Result<LedgerEntry> {
    let store = console.store();
    let known = known_ids(store, console.environment(), entry).await?;
    let what = format!("{} of {}", entry.kind, entry.amount);
    let r = match judge(entry, details, &known) {
        Evidence::Happened { gateway_id, .. } => {
            ledger::mark_succeeded(store, entry.id, &gateway_id, console.now()).await
        }
        Evidence::NotHappened { why } => {
            ledger::mark_failed(
                store,
                entry.id,
                &format!("{why}; no money moved"),
                console.now(),
            )
            .await
        }
        Evidence::Absent { why } if final_absence => {
            let msg = format!("the {what} never appeared at Tamara ({why}); no money moved");
            ledger::mark_failed(store, entry.id, &msg, console.now()).await
        }
        Evidence::Absent { why } if entry.state == LedgerState::Pending => {
            ledger::mark_unknown(store, entry.id, &why, console.now()).await
        }
        Evidence::Absent { .. } => return Ok(entry.clone()),
        Evidence::Ambiguous { why } if entry.state == LedgerState::Pending => {
            let msg = needs_a_person(&what, "the answer was lost", &why);
            ledger::mark_unknown(store, entry.id, &msg, console.now()).await
        }
        Evidence::Ambiguous { .. } => return Ok(entry.clone()),
    };
    match r {
        Ok(e) => Ok(e),
        // Someone else settled it meanwhile: take theirs.
        Err(StoreError::Conflict(_)) => current(console, entry.id).await,
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn adopt_or_refuse(
    console: &Context,
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
pub(super) async fn adopt(
    console: &Context,
    gateway: &Gateway,
    planned: PlannedMove,
    existing: LedgerEntry,
) -> Result<MoveOutcome> {
    let window = in_flight_window(console.config().active().total_timeout);
    let mut entry = existing;
    while entry.state == LedgerState::Pending && age(&entry, console.now()) <= window {
        tokio::time::sleep(JOIN_POLL).await;
        entry = current(console, entry.id).await?;
    }
    if is_open(&entry) {
        let details = gateway.order(&entry.order_id, OrderPath::Orders).await?;
        crate::orders::cache::cache(console, &details).await?;
        entry = settle_entry(
            console,
            &entry,
            &details.value,
            age(&entry, console.now()) > window,
        )
        .await?;
    }
    let order = crate::orders::cache::cached(console, &entry.order_id)
        .await
        .ok();
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
pub(super) async fn recent_twin(
    console: &Context,
    planned: &PlannedMove,
) -> Result<Option<LedgerEntry>> {
    let env = console.environment();
    let now = console.now();
    Ok(
        ledger::list_for_order(console.store(), env, &planned.order_id)
            .await?
            .into_iter()
            .rfind(|e| {
                e.source == LedgerSource::Api
                    && e.state == LedgerState::Succeeded
                    && age(e, now) <= DUPLICATE_WINDOW
                    && same_intent(env, e, planned)
            }),
    )
}

pub(super) fn is_open(e: &LedgerEntry) -> bool {
    e.source == LedgerSource::Api && matches!(e.state, LedgerState::Pending | LedgerState::Unknown)
}

fn age(e: &LedgerEntry, now: DateTime<Utc>) -> Duration {
    (now - e.recorded_at).to_std().unwrap_or_default()
}

async fn current(console: &Context, id: i64) -> Result<LedgerEntry> {
    ledger::get(console.store(), id).await?.ok_or_else(|| {
        StoreError::NotFound {
            entity: "ledger entry",
            key: id.to_string(),
        }
        .into()
    })
}
