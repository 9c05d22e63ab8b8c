//! Demo disputes: now and then a customer of a captured demo order opens a dispute, and later
//! Tamara updates or closes it — through the simulator's `/_sandbox/` controls, so the dispute
//! events reach the receiver like Tamara's would and the Disputes screen has something to show.
//!
//! Invariants: only orders this run created and captured are disputed, each at most once;
//! only disputes this run opened are moved, and a closed one is never moved again (the
//! simulator would refuse it).

use serde_json::{Value, json};

use super::Traffic;
use crate::error::{Error, Result};

/// What Tamara may do next with an open dispute, and whether it closes it.
const MOVES: [(&str, bool); 5] = [
    ("OrderDisputeWasUpdated", false),
    ("OrderDisputeClosedMerchantAcceptedClaim", true),
    ("OrderDisputeClosedTamaraAcceptedClaim", true),
    (
        "OrderDisputeClosedTamaraAcceptedAndMerchantRefundedClaim",
        true,
    ),
    ("OrderDisputeClosedClaimCancelled", true),
];

impl Traffic {
    async fn control(&self, path: &str, body: Value) -> Result<Value> {
        let resp = self
            .http
            .post(format!("{}{path}", self.api))
            .json(&body)
            .send()
            .await
            .map_err(|e| Error::Invalid(format!("the simulator did not answer {path}: {e}")))?;
        if !resp.status().is_success() {
            return Err(Error::Invalid(format!(
                "the simulator refused {path}: HTTP {}",
                resp.status()
            )));
        }
        resp.json()
            .await
            .map_err(|e| Error::Invalid(format!("the simulator's answer to {path}: {e}")))
    }

    /// Opens a dispute on a captured demo order not disputed yet; its order id.
    pub(super) async fn dispute_one(&mut self) -> Result<Option<String>> {
        let mut candidate = None;
        for status in ["fully_captured", "partially_captured"] {
            candidate = self
                .demo_orders(status)
                .await?
                .into_iter()
                .find(|o| !self.disputed.contains(&o.order_id));
            if candidate.is_some() {
                break;
            }
        }
        let Some(order) = candidate else {
            return Ok(None);
        };
        let comment = *self.dice.pick(&[
            "Demo: the parcel never arrived",
            "Demo: the item is not as described",
            "Demo: charged twice",
        ]);
        let answer = self
            .control(
                &format!("/_sandbox/orders/{}/disputes", order.order_id),
                json!({ "comment": comment }),
            )
            .await?;
        self.disputed.insert(order.order_id.clone());
        if let Some(id) = answer["dispute_id"].as_i64() {
            self.open_disputes.push_back(id);
        }
        Ok(Some(order.order_id))
    }

    /// Moves the oldest open demo dispute one step; the event sent.
    pub(super) async fn move_dispute(&mut self) -> Result<Option<String>> {
        let Some(id) = self.open_disputes.pop_front() else {
            return Ok(None);
        };
        let (event, closes) = *self.dice.pick(&MOVES);
        self.control(
            &format!("/_sandbox/disputes/{id}/events"),
            json!({ "event": event }),
        )
        .await?;
        if !closes {
            self.open_disputes.push_back(id);
        }
        Ok(Some(format!("dispute {id} {event}")))
    }
}
