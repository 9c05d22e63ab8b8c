//! Money moves on an order: capture, cancel, simplified and legacy refund (reference §5.4–5.7).
//!
//! Same invariants as the parent module (statuses never go back; `captured ≤ total − canceled`,
//! `refunded ≤ captured`). Check order of every move: status (409) → currency (400) →
//! amount (400); a refused move changes nothing. Where the rule is unknown (§16.10) the order's
//! [`super::OrderRules`] decide: cancelling a partially captured order's remainder, capturing
//! after a partial refund, when refunds make an order `fully_refunded`.

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
use crate::unknowns::{FullyRefundedWhen, UpdatedPayload};

impl Order {
    /// `POST /payments/capture`. From `partially_refunded` a capture of the uncaptured
    /// remainder is allowed (§9.3 [SIM], unless `capture_after_partial_refund` is off) and the
    /// status stays `partially_refunded`, because statuses never go backwards.
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
        let refunded_with_rest = self.status == Status::PartiallyRefunded
            && remaining > Decimal::ZERO
            && self.rules.capture_after_partial_refund;
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

    /// `POST /orders/{id}/cancel`: before any capture (`authorised`/`updated`, §9.2 [SIM]):
    /// cancelling everything still open → `canceled` (`order_canceled`); less → `updated`
    /// (`order_updated`). With `cancel_after_partial_capture`, also the uncaptured remainder of
    /// a `partially_captured` order: all of it → `fully_captured` (everything not canceled is
    /// captured), less → stays `partially_captured`; both send `order_updated` (the order is
    /// reduced, not canceled).
    pub fn cancel(
        &mut self,
        amount: Money,
        cancel_id: Uuid,
        items: Vec<Value>,
        now: DateTime<Utc>,
    ) -> ApiResult<Vec<Emitted>> {
        let open = self.capturable();
        let all = amount.amount >= open;
        let after_capture = self.status == Status::PartiallyCaptured;
        let target = match (after_capture, all) {
            (false, true) => Status::Canceled,
            (false, false) => Status::Updated,
            (true, true) => Status::FullyCaptured,
            (true, false) => Status::PartiallyCaptured,
        };
        let allowed: &[Status] = if self.rules.cancel_after_partial_capture {
            &[
                Status::Authorised,
                Status::Updated,
                Status::PartiallyCaptured,
            ]
        } else {
            &[Status::Authorised, Status::Updated]
        };
        self.require(allowed, target)?;
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
        if target == Status::Canceled {
            return Ok(vec![self.emit("order_canceled", data)]);
        }
        let data = match self.rules.updated_payload {
            UpdatedPayload::LikeCancel => data,
            UpdatedPayload::Empty => json!([]),
            UpdatedPayload::Unrecognised => json!({ "update_type": "partial_cancel",
                "new_total_amount": self.money(self.total - self.canceled()).to_json() }),
        };
        Ok(vec![self.emit("order_updated", data)])
    }

    fn require_refundable(&self, target: Status) -> ApiResult<()> {
        let allowed = [
            Status::PartiallyCaptured,
            Status::FullyCaptured,
            Status::PartiallyRefunded,
        ];
        self.require(&allowed, target)
    }

    /// `fully_refunded` once everything captured is refunded — or, with
    /// [`FullyRefundedWhen::WholeOrder`], only once nothing is left to capture either.
    fn after_refund_status(&self) -> Status {
        let all_captured_refunded = self.refunded() >= self.captured();
        let whole = match self.rules.fully_refunded_when {
            FullyRefundedWhen::AllCaptured => true,
            FullyRefundedWhen::WholeOrder => self.capturable() <= Decimal::ZERO,
        };
        if all_captured_refunded && whole {
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
