//! Deciding, from a fresh read of the order, whether a move whose answer was lost happened.
//!
//! Tamara has no idempotency key and no "look up my request" call, so the order's details are
//! the only witness. [`judge`] is pure: it compares a ledger entry with the order's
//! transactions, ignoring every transaction the ledger already knew before the entry was
//! written or that another of our own moves owns.
//! - authorise happened once the order is authorised or beyond; it cannot happen any more once
//!   the order expired or was declined;
//! - a refund happened when a refund carries our reference as `merchant_refund_id` (exact),
//!   else when a new refund of exactly our amount appears;
//! - a capture or cancel happened when a new transaction of exactly our amount appears (the
//!   oldest, if several: the ledger keeps every transaction either way, only the attribution
//!   would differ);
//! - otherwise the evidence is absence, which proves nothing while the request may still be in
//!   flight at Tamara; the caller decides when absence is final (a complete 5xx answer, or an
//!   entry older than any request can live). A terminal order with no trace is final.

use std::collections::BTreeSet;

use tamara::model::OrderStatus;
use tamara::model::order::OrderDetails;

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
    };
    let Some(t) = details.transactions.as_ref() else {
        return absent(entry, &status);
    };
    let rows: Vec<Trace<'a>> = match entry.kind {
        LedgerKind::Capture => t
            .captures
            .iter()
            .map(|c| trace(&c.capture_id, c.total_amount, &c.created_at, None))
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
    let mut candidates: Vec<_> = rows
        .iter()
        .filter(|r| {
            r.amount == Some(entry.amount) && r.reference.is_none() && !known.contains(r.id)
        })
        .collect();
    candidates.sort_by_key(|r| r.at.and_then(parse_time));
    if let Some(first) = candidates.first() {
        return Evidence::Happened {
            gateway_id: first.id.to_owned(),
            how: format!(
                "the order shows a new {} {} of exactly {}",
                entry.kind, first.id, entry.amount
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

    #[test]
    fn a_capture_is_a_new_transaction_of_exactly_its_amount() {
        let e = entry(LedgerKind::Capture, "100");
        let tx = json!({"captures": [
            {"capture_id": "old", "total_amount": m("100"), "created_at": "2026-01-01T00:00:00Z"},
            {"capture_id": "other", "total_amount": m("50"), "created_at": "2026-01-02T00:00:00Z"},
            {"capture_id": "late", "total_amount": m("100"), "created_at": "2026-01-04T00:00:00Z"},
            {"capture_id": "new", "total_amount": m("100.00"), "created_at": "2026-01-03T00:00:00Z"}
        ]});
        let d = details("partially_captured", tx);
        match judge(&e, &d, &known(&["old"])) {
            Evidence::Happened { gateway_id, .. } => {
                assert_eq!(gateway_id, "new", "oldest new one")
            }
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(
                judge(&e, &d, &known(&["old", "new", "late"])),
                Evidence::Absent { .. }
            ),
            "every matching capture is already known"
        );
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
            matches!(judge(&e, &d, &known(&[])), Evidence::Happened { .. }),
            "without references, a new refund of the amount"
        );
    }

    #[test]
    fn a_cancel_matches_by_amount() {
        let e = entry(LedgerKind::Cancel, "300");
        let d = details(
            "canceled",
            json!({"cancels": [
                {"cancel_id": "c1", "total_amount": m("300")}
            ]}),
        );
        assert!(matches!(
            judge(&e, &d, &known(&[])),
            Evidence::Happened { .. }
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
