//! Idempotency references: how a retry or a double click of the same move finds the first one.
//!
//! A derived reference is `mz-<kind>-<intent>-<state>`: `intent` hashes what was asked
//! (environment, order, kind, amount, items, comment, shipment — see
//! [`super::PlannedMove::intent`]) and `state` hashes the order's money state it was asked
//! on (status, captured, refunded, canceled). Two identical requests on the same state get the
//! same reference, so the ledger's unique index lets only one of them be sent; an identical
//! request after the first one changed the state is a new move by construction. A reference
//! whose entry failed (nothing moved) is retried as `…-2`, `…-3`, so a definite refusal never
//! blocks a later, legitimate attempt.
//!
//! A caller-chosen key (`--idempotency-key`) is used verbatim instead, and must never be
//! reused for a different move.

use sha2::{Digest, Sha256};

use super::PlannedMove;
use crate::environment::Environment;
use crate::store::ledger::{self, LedgerEntry, LedgerState};
use crate::store::{Store, StoreError};

/// How many failed attempts of one derived reference are skipped before giving up.
pub(crate) const MAX_ATTEMPTS: u32 = 50;

fn hex16(text: &str, len: usize) -> String {
    let digest = Sha256::digest(text.as_bytes());
    hex::encode(digest).chars().take(len).collect()
}

/// The 16-hex-digit hash of what was asked, in `env` (the money state excluded).
pub fn intent_hash(env: Environment, planned: &PlannedMove) -> String {
    hex16(&format!("{env}|{}", planned.intent), 16)
}

/// The derived reference of `planned` on an order in `money_state` (first attempt).
pub fn derived(env: Environment, planned: &PlannedMove, money_state: &str) -> String {
    format!(
        "mz-{}-{}-{}",
        planned.kind,
        intent_hash(env, planned),
        hex16(money_state, 8)
    )
}

/// The `n`-th attempt (1-based) of a derived reference.
pub(crate) fn attempt(base: &str, n: u32) -> String {
    if n <= 1 {
        base.to_owned()
    } else {
        format!("{base}-{n}")
    }
}

/// The first attempt of `base` not held by a failed entry, with the entry holding it if any
/// (pending, succeeded or unknown: the same move, already under way or done).
///
/// # Errors
/// Store errors; [`StoreError::Conflict`] after [`MAX_ATTEMPTS`] failed attempts.
pub(crate) async fn first_open(
    store: &Store,
    env: Environment,
    base: &str,
) -> Result<(String, Option<LedgerEntry>), StoreError> {
    for n in 1..=MAX_ATTEMPTS {
        let candidate = attempt(base, n);
        match ledger::by_idempotency_ref(store, env, &candidate).await? {
            Some(e) if e.state == LedgerState::Failed => continue,
            found => return Ok((candidate, found)),
        }
    }
    Err(StoreError::Conflict(format!(
        "{MAX_ATTEMPTS} attempts of {base} failed; check the order before trying again"
    )))
}

/// The one-line request summary stored in the ledger and the audit log: endpoint, amount,
/// ids and the intent hash — never a token or a customer detail.
pub fn summary(env: Environment, planned: &PlannedMove, reference: &str) -> String {
    format!(
        "{} {} order_id={} amount={} ref={} intent={}",
        planned.method(),
        planned.path(),
        planned.order_id,
        planned.amount,
        reference,
        intent_hash(env, planned)
    )
}

/// True when `entry` records the same move as `planned` (same order, kind, amount and intent).
pub fn same_intent(env: Environment, entry: &LedgerEntry, planned: &PlannedMove) -> bool {
    entry.order_id == planned.order_id
        && entry.kind == planned.kind
        && entry.amount == planned.amount
        && entry.request_summary.as_deref().is_some_and(|s| {
            s.split_whitespace()
                .any(|w| w == format!("intent={}", intent_hash(env, planned)))
        })
}
