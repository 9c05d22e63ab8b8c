//! What identifies our own capture among an order's captures when Tamara's answer to it was
//! lost: the shipping details we sent, which Tamara keeps on the capture and echoes in the
//! order's details (reference §5.4, §5.8). Tamara has no idempotency key for captures, so this
//! is the only evidence that tells our capture from someone else's of the same amount (the
//! partner portal, a plugin).
//!
//! Invariant: a capture counts as ours only when every detail we sent is there and equal;
//! a detail that differs makes it someone else's; a detail missing from the echo means the
//! evidence cannot tell — never a guess either way.

use serde::{Deserialize, Serialize};
use tamara::model::order::CaptureTransaction;

use super::plan::{PlannedMove, WireRequest};

/// Our capture's details as sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureWitness {
    pub shipped_at: String,
    pub shipping_company: String,
    pub tracking_number: Option<String>,
}

/// How a capture of the order compares with our witness.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Likeness {
    Ours,
    NotOurs,
    CannotTell,
}

/// The witness to store with `planned` (captures only), as JSON.
pub fn for_planned(planned: &PlannedMove) -> Option<String> {
    let WireRequest::Capture(r) = &planned.request else {
        return None;
    };
    let w = CaptureWitness {
        shipped_at: r.shipping_info.shipped_at.clone(),
        shipping_company: r.shipping_info.shipping_company.clone(),
        tracking_number: r.shipping_info.tracking_number.clone(),
    };
    serde_json::to_string(&w).ok()
}

/// Compares a capture of the order with the stored witness (`None`: no witness was stored,
/// so nothing can tell).
pub fn compare(witness: Option<&str>, capture: &CaptureTransaction) -> Likeness {
    let Some(ours) = witness.and_then(|w| serde_json::from_str::<CaptureWitness>(w).ok()) else {
        return Likeness::CannotTell;
    };
    let Some(theirs) = capture.shipping_info.as_ref() else {
        return Likeness::CannotTell;
    };
    let Some(shipped_at) = theirs.shipped_at.as_deref() else {
        return Likeness::CannotTell;
    };
    if !same_instant(&ours.shipped_at, shipped_at) {
        return Likeness::NotOurs;
    }
    match theirs.shipping_company.as_deref() {
        None => return Likeness::CannotTell,
        Some(c) if !c.trim().eq_ignore_ascii_case(ours.shipping_company.trim()) => {
            return Likeness::NotOurs;
        }
        Some(_) => {}
    }
    let tracking = theirs.tracking_number.as_ref().and_then(|t| match t {
        serde_json::Value::String(s) => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let tracking = tracking.filter(|t| !t.is_empty());
    let ours_tracking = ours
        .tracking_number
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    match (ours_tracking, tracking) {
        (None, None) => Likeness::Ours,
        (Some(a), Some(b)) if a == b => Likeness::Ours,
        (Some(_), None) => Likeness::CannotTell,
        _ => Likeness::NotOurs,
    }
}

/// Equal to the second, whatever format each side writes (Tamara echoes
/// `2023-06-22T00:00:00.000Z` for what was sent as `2023-06-22T00:00:00Z`); texts that do
/// not parse compare as texts.
fn same_instant(a: &str, b: &str) -> bool {
    match (
        crate::orders::parse_time(a.trim()),
        crate::orders::parse_time(b.trim()),
    ) {
        (Some(x), Some(y)) => x.timestamp() == y.timestamp(),
        _ => a.trim() == b.trim(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    fn capture(shipping: serde_json::Value) -> CaptureTransaction {
        serde_json::from_value(json!({"capture_id": "c", "shipping_info": shipping})).unwrap()
    }

    fn witness(tracking: Option<&str>) -> String {
        serde_json::to_string(&CaptureWitness {
            shipped_at: "2026-12-07T10:15:30Z".into(),
            shipping_company: "Aramex".into(),
            tracking_number: tracking.map(str::to_owned),
        })
        .unwrap()
    }

    #[test]
    fn ours_only_when_every_detail_we_sent_is_echoed_equal() {
        let w = witness(Some("TRK1"));
        let echoed = json!({"shipped_at": "2026-12-07T10:15:30.000Z",
            "shipping_company": "aramex ", "tracking_number": "TRK1"});
        assert_eq!(compare(Some(&w), &capture(echoed)), Likeness::Ours);
        let numeric = witness(Some("12345"));
        let as_number = json!({"shipped_at": "2026-12-07T10:15:30Z",
            "shipping_company": "Aramex", "tracking_number": 12345});
        assert_eq!(compare(Some(&numeric), &capture(as_number)), Likeness::Ours);
        let other_time = json!({"shipped_at": "2026-12-07T00:00:00.000Z",
            "shipping_company": "Aramex", "tracking_number": "TRK1"});
        assert_eq!(compare(Some(&w), &capture(other_time)), Likeness::NotOurs);
        let other_carrier = json!({"shipped_at": "2026-12-07T10:15:30Z",
            "shipping_company": "SMSA", "tracking_number": "TRK1"});
        assert_eq!(
            compare(Some(&w), &capture(other_carrier)),
            Likeness::NotOurs
        );
        let tracking_dropped = json!({"shipped_at": "2026-12-07T10:15:30Z",
            "shipping_company": "Aramex", "tracking_number": null});
        assert_eq!(
            compare(Some(&w), &capture(tracking_dropped)),
            Likeness::CannotTell
        );
        assert_eq!(
            compare(Some(&w), &capture(json!(null))),
            Likeness::CannotTell
        );
        assert_eq!(compare(None, &capture(json!({}))), Likeness::CannotTell);
        let none = witness(None);
        let no_tracking = json!({"shipped_at": "2026-12-07T10:15:30Z",
            "shipping_company": "Aramex"});
        assert_eq!(compare(Some(&none), &capture(no_tracking)), Likeness::Ours);
    }
}
