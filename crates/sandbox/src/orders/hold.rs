//! Holding an order (`order_on_hold`, §9.1): named by Tamara's own OpenAPI example, described
//! by no source, so only a scenario puts an order on hold (`/_sandbox/orders/{id}/hold`).
//!
//! Two answers (§16.7, [`super::OrderRules::on_hold_keeps_status`]): by default the order is
//! `on_hold` — every money move refused with 409, timers paused — until released back to the
//! status it left; with `on_hold_keeps_status` only the notification is sent. Releasing sends
//! nothing: no source names an event for it, so a receiver learns of it by reading the order.

use serde_json::json;

use super::{Emitted, Order, Status};
use crate::errors::ApiResult;

impl Order {
    /// Puts a live order (approved up to partially refunded) on hold; sends `order_on_hold`
    /// with `data: []` (§7 [SIM]).
    pub fn hold(&mut self) -> ApiResult<Vec<Emitted>> {
        let live = [
            Status::Approved,
            Status::Authorised,
            Status::Updated,
            Status::PartiallyCaptured,
            Status::FullyCaptured,
            Status::PartiallyRefunded,
        ];
        self.require(&live, Status::OnHold)?;
        let event = if self.rules.on_hold_keeps_status {
            Emitted {
                event_type: "order_on_hold",
                status: Status::OnHold,
                data: json!([]),
                silence: None,
            }
        } else {
            self.held_from = Some(self.status);
            self.status = Status::OnHold;
            self.emit("order_on_hold", json!([]))
        };
        Ok(vec![event])
    }

    /// Returns an `on_hold` order to the status it was held from (409 otherwise).
    pub fn release(&mut self) -> ApiResult<Vec<Emitted>> {
        let back = self.held_from.unwrap_or(Status::Authorised);
        self.require(&[Status::OnHold], back)?;
        self.status = back;
        self.held_from = None;
        Ok(Vec::new())
    }
}
