//! Money moves on an order: capture, cancel, simplified and legacy refund (reference §5.4–5.7).
//!
//! Same invariants as the parent module (statuses never go back; `captured ≤ total − canceled`,
//! `refunded ≤ captured`). Check order of every move: status (409) → currency (400) →
//! amount (400); a refused move changes nothing.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    Cancel, Capture, CaptureExtras, Emitted, LegacyRefund, Order, Refund, RefundExtras,
    RefundPairs, Status,
};
use crate::errors::{ApiError, ApiResult};
use crate::ids::IdGen;
use crate::money::Money;

impl Order {
    /// `POST /payments/capture`. From `partially_refunded` a capture of the uncaptured
    /// remainder is allowed (§9.3 [SIM]) and the status stays `partially_refunded`, because
    /// statuses never go backwards.
    pub fn capture(
        &mut self,
        amount: Money,
        capture_id: Uuid,
        extras: CaptureExtras,
        now: DateTime<Utc>,
    ) -> ApiResult<Vec<Emitted>> {
        let remaining = self.capturable();
        let target = if amount.amount >= remaining {
            Status::FullyCaptured
        } else {
            Status::PartiallyCaptured
        };
        let allowed = [
            Status::Authorised,
            Status::Updated,
            Status::PartiallyCaptured,
        ];
        let refunded_with_rest =
            self.status == Status::PartiallyRefunded && remaining > Decimal::ZERO;
        if !refunded_with_rest {
            self.require(&allowed, target)?;
        }
        self.check_amount(amount, "total_amount")?;
        if amount.amount > remaining {
            return Err(ApiError::exceeds(
                "capture",
                self.money(remaining).to_json(),
            ));
        }
        self.captures.push(Capture {
            capture_id,
            amount: amount.amount,
            refunded: Decimal::ZERO,
            shipping: extras.shipping,
            tax: extras.tax,
            discount: extras.discount,
            shipping_info: extras.shipping_info,
            items: extras.items,
            created_at: now,
        });
        if self.status != Status::PartiallyRefunded {
            self.status = target;
        }
        let data = json!({ "capture_id": capture_id, "captured_amount": amount.to_json() });
        Ok(vec![self.emit("order_captured", data)])
    }

    /// `POST /orders/{id}/cancel`: only before any capture (`authorised`/`updated`, §9.2 [SIM]).
    /// Cancelling everything still open → `canceled`; less → `updated`.
    pub fn cancel(
        &mut self,
        amount: Money,
        cancel_id: Uuid,
        items: Vec<Value>,
        now: DateTime<Utc>,
    ) -> ApiResult<Vec<Emitted>> {
        let open = self.capturable();
        let target = if amount.amount >= open {
            Status::Canceled
        } else {
            Status::Updated
        };
        self.require(&[Status::Authorised, Status::Updated], target)?;
        self.check_amount(amount, "total_amount")?;
        if amount.amount > open {
            return Err(ApiError::exceeds("cancel", self.money(open).to_json()));
        }
        self.cancels.push(Cancel {
            cancel_id,
            amount: amount.amount,
            items,
            created_at: now,
        });
        self.status = target;
        let data = json!({ "cancel_id": cancel_id, "canceled_amount": amount.to_json() });
        let event = if target == Status::Canceled {
            "order_canceled"
        } else {
            "order_updated"
        };
        Ok(vec![self.emit(event, data)])
    }

    fn require_refundable(&self, target: Status) -> ApiResult<()> {
        let allowed = [
            Status::PartiallyCaptured,
            Status::FullyCaptured,
            Status::PartiallyRefunded,
        ];
        self.require(&allowed, target)
    }

    fn after_refund_status(&self) -> Status {
        if self.refunded() >= self.captured() {
            Status::FullyRefunded
        } else {
            Status::PartiallyRefunded
        }
    }

    /// `POST /payments/simplified-refund/{id}`: the amount is spread over captures oldest
    /// first; the reported `capture_id` is the first capture it touched. Refunding everything
    /// captured → `fully_refunded` (terminal, even if part of the order was never captured).
    pub fn refund(
        &mut self,
        amount: Money,
        refund_id: Uuid,
        comment: String,
        merchant_refund_id: Option<String>,
        now: DateTime<Utc>,
    ) -> ApiResult<(Vec<Emitted>, Uuid)> {
        let refundable = self.captured() - self.refunded();
        let target = if amount.amount >= refundable {
            Status::FullyRefunded
        } else {
            Status::PartiallyRefunded
        };
        self.require_refundable(target)?;
        self.check_amount(amount, "total_amount")?;
        if amount.amount > refundable {
            return Err(ApiError::exceeds(
                "refund",
                self.money(refundable).to_json(),
            ));
        }
        let mut left = amount.amount;
        let mut first = None;
        for c in self.captures.iter_mut() {
            let room = c.amount - c.refunded;
            if left <= Decimal::ZERO || room <= Decimal::ZERO {
                continue;
            }
            let take = room.min(left);
            c.refunded += take;
            left -= take;
            first.get_or_insert(c.capture_id);
        }
        let capture_id = first.unwrap_or_default();
        self.refunds.push(Refund {
            refund_id,
            capture_id,
            amount: amount.amount,
            comment: comment.clone(),
            merchant_refund_id,
            items: Vec::new(),
            extras: RefundExtras::default(),
            created_at: now,
        });
        self.status = self.after_refund_status();
        let data = json!({ "refund_id": refund_id, "capture_id": capture_id,
            "refunded_amount": amount.to_json(), "comment": comment });
        Ok((vec![self.emit("order_refunded", data)], capture_id))
    }

    /// `POST /payments/refund` (legacy, per capture). All entries are checked before any is
    /// applied, so a refused request changes nothing.
    pub fn legacy_refund(
        &mut self,
        entries: &[LegacyRefund],
        ids: &mut IdGen,
        now: DateTime<Utc>,
    ) -> ApiResult<(Vec<Emitted>, RefundPairs)> {
        let total: Decimal = entries.iter().map(|e| e.amount.amount).sum();
        let refundable = self.captured() - self.refunded();
        let target = if total >= refundable {
            Status::FullyRefunded
        } else {
            Status::PartiallyRefunded
        };
        self.require_refundable(target)?;
        for (i, entry) in entries.iter().enumerate() {
            let field = format!("refunds[{i}].total_amount");
            self.check_amount(entry.amount, &field)?;
            let asked: Decimal = entries
                .iter()
                .filter(|e| e.capture_id == entry.capture_id)
                .map(|e| e.amount.amount)
                .sum();
            let capture = self
                .captures
                .iter()
                .find(|c| c.capture_id == entry.capture_id);
            let Some(capture) = capture else {
                return Err(ApiError::not_found("Capture"));
            };
            if asked > capture.amount - capture.refunded {
                let room = self.money(capture.amount - capture.refunded).to_json();
                return Err(ApiError::exceeds("refund", room));
            }
        }
        let mut events = Vec::new();
        let mut pairs = Vec::new();
        for entry in entries {
            let (capture_id, amount) = (&entry.capture_id, entry.amount);
            let refund_id = ids.next_uuid();
            if let Some(c) = self
                .captures
                .iter_mut()
                .find(|c| c.capture_id == *capture_id)
            {
                c.refunded += amount.amount;
            }
            self.refunds.push(Refund {
                refund_id,
                capture_id: *capture_id,
                amount: amount.amount,
                comment: String::new(),
                merchant_refund_id: None,
                items: entry.items.clone(),
                extras: entry.extras,
                created_at: now,
            });
            self.status = self.after_refund_status();
            let data = json!({ "refund_id": refund_id, "capture_id": capture_id,
                "refunded_amount": amount.to_json(), "comment": "" });
            events.push(self.emit("order_refunded", data));
            pairs.push((refund_id, *capture_id));
        }
        Ok((events, pairs))
    }
}
