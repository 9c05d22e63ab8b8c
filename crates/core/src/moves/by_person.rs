//! A person settles a money move that evidence could not: after checking with Tamara (the
//! partner portal, support), they say it was applied — naming Tamara's transaction — or that it
//! was not.
//!
//! Invariants: only our own entries still unknown can be settled this way; "applied" must name
//! a transaction of the entry's kind and exact amount that the order shows today and no other
//! ledger entry owns (the order is re-read first); a note saying why is required; the decision
//! and its note go to the audit chain under the person's name.

use tamara::OrderPath;

use super::resolve::known_ids;
use crate::audit::{self, AuditRecord};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::store::ledger::{self, LedgerEntry, LedgerKind, LedgerSource, LedgerState};

/// What the person found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Tamara applied it as this transaction (capture, refund or cancel id; the order id for
    /// an authorisation).
    Applied { gateway_id: String },
    /// Tamara did not apply it.
    NotApplied,
}

/// Settles unknown ledger entry `entry_id` as `finding`, with `note` saying why.
///
/// # Errors
/// [`Error::Invalid`] for an entry that is not ours or not unknown, an empty note, or a
/// transaction the order does not show as this move; gateway and store errors.
pub async fn settle(
    console: &Context,
    entry_id: i64,
    finding: Finding,
    note: &str,
) -> Result<LedgerEntry> {
    let note = note.trim();
    if note.is_empty() {
        return Err(Error::Invalid(
            "say why (--note): what Tamara showed, who confirmed it".into(),
        ));
    }
    let store = console.store();
    let entry = ledger::get(store, entry_id)
        .await?
        .filter(|e| e.environment == console.environment())
        .ok_or_else(|| Error::Invalid(format!("no ledger entry {entry_id} here")))?;
    if entry.source != LedgerSource::Api || entry.state != LedgerState::Unknown {
        return Err(Error::Invalid(format!(
            "ledger entry {entry_id} is {} ({}); only our own moves whose outcome is unknown \
             are settled by a person",
            entry.state, entry.source
        )));
    }
    let who = console.config().operator.clone();
    let settled = match &finding {
        Finding::NotApplied => {
            let why = format!("settled by {who}: not applied at Tamara — {note}");
            ledger::mark_failed(store, entry.id, &why, console.now()).await?
        }
        Finding::Applied { gateway_id } => {
            check_applied(console, &entry, gateway_id).await?;
            ledger::mark_succeeded(store, entry.id, gateway_id, console.now()).await?
        }
    };
    let rec = AuditRecord {
        env: console.environment(),
        actor: who,
        action: "move.settled_by_person".into(),
        subject: entry.order_id.clone(),
        request_summary: Some(format!(
            "ledger entry {entry_id}: {finding:?}; note: {note}"
        )),
        result: settled.state.to_string(),
    };
    audit::record(store, rec, console.now()).await?;
    Ok(settled)
}

/// The order, read fresh, shows `gateway_id` as this move and no other entry owns it.
async fn check_applied(console: &Context, entry: &LedgerEntry, gateway_id: &str) -> Result<()> {
    let details = console
        .gateway()?
        .order(&entry.order_id, OrderPath::Orders)
        .await?;
    crate::orders::cache::cache(console, &details).await?;
    let d = &details.value;
    let shown = if entry.kind == LedgerKind::Authorise {
        gateway_id == entry.order_id
    } else {
        let t = d.transactions.as_ref();
        let amounts: Vec<(&str, Option<tamara::Money>)> = match entry.kind {
            LedgerKind::Capture => t
                .map(|t| {
                    t.captures
                        .iter()
                        .map(|c| (c.capture_id.as_str(), c.total_amount))
                        .collect()
                })
                .unwrap_or_default(),
            LedgerKind::Refund => t
                .map(|t| {
                    t.refunds
                        .iter()
                        .map(|r| (r.refund_id.as_str(), r.total_amount))
                        .collect()
                })
                .unwrap_or_default(),
            LedgerKind::Cancel => t
                .map(|t| {
                    t.cancels
                        .iter()
                        .map(|c| (c.cancel_id.as_str(), c.total_amount))
                        .collect()
                })
                .unwrap_or_default(),
            LedgerKind::Authorise => Vec::new(),
        };
        amounts
            .iter()
            .any(|(id, amount)| *id == gateway_id && *amount == Some(entry.amount))
    };
    if !shown {
        return Err(Error::Invalid(format!(
            "the order does not show {} {gateway_id} of {}",
            entry.kind, entry.amount
        )));
    }
    // Another of our moves owns it, or (captures, refunds, cancels) it was on the order before
    // this move was written; `known_ids` says both. An authorisation's id is the order's own,
    // so only another of our authorisations can own it.
    let store = console.store();
    let taken = if entry.kind == LedgerKind::Authorise {
        ledger::list_for_order(store, entry.environment, &entry.order_id)
            .await?
            .into_iter()
            .any(|e| {
                e.id != entry.id
                    && e.source == LedgerSource::Api
                    && e.kind == entry.kind
                    && e.gateway_id.as_deref() == Some(gateway_id)
            })
    } else {
        known_ids(store, entry.environment, entry)
            .await?
            .contains(gateway_id)
    };
    if taken {
        return Err(Error::Invalid(format!(
            "{} {gateway_id} existed before this move or belongs to another of our moves",
            entry.kind
        )));
    }
    Ok(())
}
