//! Deciding, from a fresh read of the order, whether a move whose answer was lost happened.
//!
//! Tamara has no idempotency key and no "look up my request" call, so the order's details are
//! the only witness. [`judge`] is pure: it compares a ledger entry with the order's
//! transactions, ignoring every transaction the ledger already knew before the entry was
//! written or that another of our own moves owns. Only evidence that identifies *our* request
//! settles it; a transaction that merely looks like ours (same amount, someone else's portal
//! capture) is never taken for it:
//! - authorise happened once the order is authorised or beyond; it cannot happen any more once
//!   the order expired or was declined;
//! - a refund happened when a refund carries our reference as `merchant_refund_id`;
//! - a capture happened when exactly one new capture of our amount carries the shipping
//!   details we sent ([`super::witness`]);
//! - a new transaction of our amount that cannot be told apart (a refund without any
//!   reference, a capture whose details are not echoed, any cancel, two matches) is
//!   [`Evidence::Ambiguous`]: the entry stays unknown, needs a person and blocks the order;
//! - otherwise the evidence is absence, which proves nothing while the request may still be in
//!   flight at Tamara; the caller decides when absence is final (a complete 5xx answer, or an
//!   entry older than any request can live). A terminal order with no trace is final.

use std::collections::BTreeSet;

use tamara::model::OrderStatus;
use tamara::model::order::OrderDetails;

use super::witness::{self, Likeness};
use crate::environment::Environment;
use crate::orders::{parse_time, status_rank};
use crate::store::ledger::{self, LedgerEntry, LedgerKind, LedgerSource};
use crate::store::{Store, StoreError};

/// One transaction of the order, as the judge sees it.
struct Trace<'a> {
    id: &'a str,
    amount: Option<tamara::Money>,
    at: Option<&'a str>,
    /// The merchant's own reference (a refund's `merchant_refund_id`).
    reference: Option<&'a str>,
    /// For captures: how its shipping details compare with what we sent.
    likeness: Likeness,
}

/// What the order says about one move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// It happened: the gateway's id of the transaction.
    Happened { gateway_id: String, how: String },
    /// It did not happen and cannot happen any more.
    NotHappened { why: String },
    /// No trace of it (yet).
    Absent { why: String },
    /// Something that may be it, but nothing tells it is ours: a person decides.
    Ambiguous { why: String },
}

/// Reads `details` for traces of `entry`; `known` holds the gateway ids (of the entry's kind)
/// that cannot be it (see [`known_ids`]).
pub fn judge<'a>(
    entry: &LedgerEntry,
    details: &'a OrderDetails,
    known: &BTreeSet<String>,
) -> Evidence {
    let status = details.status.clone().unwrap_or(OrderStatus::New);
    if entry.kind == LedgerKind::Authorise {
        return if status_rank(&status) >= status_rank(&OrderStatus::Authorised) {
            Evidence::Happened {
                gateway_id: entry.order_id.clone(),
                how: format!("the order is now {status}"),
            }
        } else if matches!(status, OrderStatus::Expired | OrderStatus::Declined) {
            Evidence::NotHappened {
                why: format!("the order is {status} and was never authorised"),
            }
        } else {
            Evidence::Absent {
                why: format!("the order is still {status}"),
            }
        };
    }
    let trace = |id: &'a str, amount, at: &'a Option<String>, reference: Option<&'a str>| Trace {
        id,
        amount,
        at: at.as_deref(),
        reference: reference.filter(|m| !m.is_empty()),
        likeness: Likeness::CannotTell,
    };
    let Some(t) = details.transactions.as_ref() else {
        return absent(entry, &status);
    };
    let rows: Vec<Trace<'a>> = match entry.kind {
        LedgerKind::Capture => t
            .captures
            .iter()
            .map(|c| Trace {
                likeness: witness::compare(entry.witness.as_deref(), c),
                ..trace(&c.capture_id, c.total_amount, &c.created_at, None)
            })
            .collect(),
        LedgerKind::Cancel => t
            .cancels
            .iter()
            .map(|c| trace(&c.cancel_id, c.total_amount, &c.created_at, None))
            .collect(),
        LedgerKind::Refund => t
            .refunds
            .iter()
            .map(|r| {
                let reference = r.merchant_refund_id.as_deref();
                trace(&r.refund_id, r.total_amount, &r.created_at, reference)
            })
            .collect(),
        LedgerKind::Authorise => Vec::new(),
    };
    if let Some(reference) = entry.idempotency_ref.as_deref()
        && let Some(row) = rows.iter().find(|r| r.reference == Some(reference))
    {
        return Evidence::Happened {
            gateway_id: row.id.to_owned(),
            how: format!(
                "the order shows {} {} with our reference",
                entry.kind, row.id
            ),
        };
    }
    // Transactions of our amount that appeared since the entry was written; a refund that
    // carries someone else's reference is theirs.
    let mut new: Vec<&Trace<'a>> = rows
        .iter()
        .filter(|r| {
            r.amount == Some(entry.amount) && r.reference.is_none() && !known.contains(r.id)
        })
        .collect();
    new.sort_by_key(|r| r.at.and_then(parse_time));
    if entry.kind == LedgerKind::Capture {
        new.retain(|r| r.likeness != Likeness::NotOurs);
        if let [only] = new.as_slice()
            && only.likeness == Likeness::Ours
        {
            return Evidence::Happened {
                gateway_id: only.id.to_owned(),
                how: format!(
                    "the order shows capture {} of {} with the shipping details we sent",
                    only.id, entry.amount
                ),
            };
        }
    }
    if !new.is_empty() {
        let ids: Vec<&str> = new.iter().map(|r| r.id).collect();
        return Evidence::Ambiguous {
            why: format!(
                "the order shows new {} {} of exactly {}, and nothing tells whether it is ours \
                 or someone else's (the partner portal, a plugin)",
                entry.kind,
                ids.join(", "),
                entry.amount
            ),
        };
    }
    absent(entry, &status)
}

/// No trace of `entry`: final once the order is terminal, else only "not yet".
fn absent(entry: &LedgerEntry, status: &OrderStatus) -> Evidence {
    if status.is_terminal() {
        return Evidence::NotHappened {
            why: format!(
                "the order is {status} and shows no {} of {}",
                entry.kind, entry.amount
            ),
        };
    }
    Evidence::Absent {
        why: format!(
            "the order ({status}) shows no new {} of {}",
            entry.kind, entry.amount
        ),
    }
}

/// Gateway ids of `entry`'s kind on its order that cannot be its transaction: those owned by
/// another of our own moves, and those the ledger recorded before `entry` was written (they
/// existed before the request was sent).
///
/// # Errors
/// Store errors.
pub async fn known_ids(
    store: &Store,
    env: Environment,
    entry: &LedgerEntry,
) -> Result<BTreeSet<String>, StoreError> {
    Ok(ledger::list_for_order(store, env, &entry.order_id)
        .await?
        .into_iter()
        .filter(|e| e.kind == entry.kind && e.id != entry.id)
        .filter(|e| e.source == LedgerSource::Api || e.recorded_at < entry.recorded_at)
        .filter_map(|e| e.gateway_id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ledger::LedgerState;
    use chrono::Utc;
    use serde_json::json;
    use tamara::{Currency, Money};

    fn entry(kind: LedgerKind, amount: &str) -> LedgerEntry {
        LedgerEntry {
            id: 7,
            environment: Environment::Sandbox,
            order_id: "o1".into(),
            kind,
            gateway_id: None,
            amount: Money::parse(amount, Currency::Sar).unwrap(),
            state: LedgerState::Unknown,
            source: LedgerSource::Api,
            idempotency_ref: Some("mz-ref".into()),
            actor: "op".into(),
            comment: None,
            occurred_at: Utc::now(),
            recorded_at: Utc::now(),
            updated_at: Utc::now(),
            request_summary: None,
            error: None,
            witness: None,
        }
    }

    fn details(status: &str, tx: serde_json::Value) -> OrderDetails {
        serde_json::from_value(json!({
            "order_id": "o1", "status": status,
            "total_amount": {"amount": 300, "currency": "SAR"},
            "transactions": tx,
        }))
        .unwrap()
    }

    fn m(a: &str) -> serde_json::Value {
        json!({"amount": a, "currency": "SAR"})
    }

    fn known(ids: &[&str]) -> BTreeSet<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn authorise_is_read_from_the_status() {
        let e = entry(LedgerKind::Authorise, "300");
        let none = known(&[]);
        let j = |s| judge(&e, &details(s, json!({})), &none);
        assert!(
            matches!(j("authorised"), Evidence::Happened { gateway_id, .. } if gateway_id == "o1")
        );
        assert!(matches!(j("fully_captured"), Evidence::Happened { .. }));
        assert!(
            matches!(j("canceled"), Evidence::Happened { .. }),
            "canceled implies authorised"
        );
        assert!(matches!(j("approved"), Evidence::Absent { .. }));
        assert!(matches!(j("expired"), Evidence::NotHappened { .. }));
        assert!(matches!(j("declined"), Evidence::NotHappened { .. }));
    }

    fn shipped(at: &str, company: &str) -> serde_json::Value {
        json!({"shipped_at": at, "shipping_company": company})
    }

    #[test]
    fn a_capture_is_ours_only_when_it_carries_our_shipping_details() {
        let mut e = entry(LedgerKind::Capture, "100");
        e.witness = Some(
            json!({"shipped_at": "2026-01-03T10:00:00Z", "shipping_company": "Aramex",
                   "tracking_number": null})
            .to_string(),
        );
        let ours = shipped("2026-01-03T10:00:00.000Z", "Aramex");
        let portal = shipped("2026-01-03T00:00:00.000Z", "N/A");
        let tx = json!({"captures": [
            {"capture_id": "old", "total_amount": m("100"), "shipping_info": ours},
            {"capture_id": "other", "total_amount": m("50"), "shipping_info": ours},
            {"capture_id": "portal", "total_amount": m("100"), "shipping_info": portal},
            {"capture_id": "new", "total_amount": m("100.00"), "shipping_info": ours}
        ]});
        let d = details("partially_captured", tx);
        match judge(&e, &d, &known(&["old"])) {
            Evidence::Happened { gateway_id, .. } => assert_eq!(gateway_id, "new"),
            other => panic!("{other:?}"),
        }
        // Our capture never applied; someone else's of the same amount did: not ours.
        let only_portal = details(
            "partially_captured",
            json!({"captures": [{"capture_id": "portal", "total_amount": m("100"),
                                 "shipping_info": portal}]}),
        );
        assert!(matches!(
            judge(&e, &only_portal, &known(&[])),
            Evidence::Absent { .. }
        ));
        // Details not echoed, or two matches: cannot tell, a person decides.
        let bare = details(
            "partially_captured",
            json!({"captures": [{"capture_id": "x", "total_amount": m("100")}]}),
        );
        assert!(matches!(
            judge(&e, &bare, &known(&[])),
            Evidence::Ambiguous { .. }
        ));
        let twice = details(
            "fully_captured",
            json!({"captures": [
                {"capture_id": "a", "total_amount": m("100"), "shipping_info": ours},
                {"capture_id": "b", "total_amount": m("100"), "shipping_info": ours}]}),
        );
        assert!(matches!(
            judge(&e, &twice, &known(&[])),
            Evidence::Ambiguous { .. }
        ));
        // An entry written without a witness can never claim a capture.
        let mut blind = e.clone();
        blind.witness = None;
        assert!(matches!(
            judge(&blind, &d, &known(&["old"])),
            Evidence::Ambiguous { .. }
        ));
        let none = details("authorised", json!({"captures": []}));
        assert!(matches!(
            judge(&e, &none, &known(&[])),
            Evidence::Absent { .. }
        ));
        let gone = details("canceled", json!({}));
        assert!(matches!(
            judge(&e, &gone, &known(&[])),
            Evidence::NotHappened { .. }
        ));
    }

    #[test]
    fn a_refund_is_found_by_our_reference_first() {
        let e = entry(LedgerKind::Refund, "40");
        let d = details(
            "partially_refunded",
            json!({"refunds": [
                {"refund_id": "theirs", "total_amount": m("40"), "merchant_refund_id": "someone-else"},
                {"refund_id": "ours", "total_amount": m("40"), "merchant_refund_id": "mz-ref"}
            ]}),
        );
        assert!(matches!(judge(&e, &d, &known(&[])),
            Evidence::Happened { gateway_id, .. } if gateway_id == "ours"));
        let d = details(
            "partially_refunded",
            json!({"refunds": [
                {"refund_id": "theirs", "total_amount": m("40"), "merchant_refund_id": "someone-else"}
            ]}),
        );
        assert!(
            matches!(judge(&e, &d, &known(&[])), Evidence::Absent { .. }),
            "a refund carrying another reference is not ours"
        );
        let d = details(
            "partially_refunded",
            json!({"refunds": [
                {"refund_id": "plain", "total_amount": m("40")}
            ]}),
        );
        assert!(
            matches!(judge(&e, &d, &known(&[])), Evidence::Ambiguous { .. }),
            "a new refund of our amount without any reference may be ours or not"
        );
    }

    #[test]
    fn a_cancel_of_our_amount_cannot_be_told_apart() {
        let e = entry(LedgerKind::Cancel, "300");
        let d = details(
            "canceled",
            json!({"cancels": [
                {"cancel_id": "c1", "total_amount": m("300")}
            ]}),
        );
        assert!(matches!(
            judge(&e, &d, &known(&[])),
            Evidence::Ambiguous { .. }
        ));
        let d = details(
            "updated",
            json!({"cancels": [
                {"cancel_id": "c1", "total_amount": m("30")}
            ]}),
        );
        assert!(matches!(
            judge(&e, &d, &known(&[])),
            Evidence::Absent { .. }
        ));
    }
}
