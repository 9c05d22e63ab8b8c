//! The order model and its state machine (reference §9.2 transitions, §9.3 allowed operations).
//!
//! Invariants kept by every operation here (and nowhere else):
//! - statuses never move backwards; terminal statuses (`declined`, `expired`, `canceled`,
//!   `fully_refunded`) accept nothing but reads and reference updates;
//! - `captured ≤ total − canceled`, `refunded ≤ captured`, every moved amount is > 0 and in the
//!   order's currency;
//! - each successful transition returns the notifications it causes, in order, so the caller
//!   can queue them while still holding the store lock (global delivery order = change order).
//!
//! Check order of a money move: status (409) → currency (400) → amount (400).

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::errors::{ApiError, ApiResult};
use crate::ids::IdGen;
use crate::money::{Currency, Money};

/// Checkout session lifetime (§5.2 `expires_in_minutes` default; the override needs Tamara
/// support to enable it, so the simulator ignores it).
pub const SESSION_LIFETIME: Duration = Duration::minutes(30);
/// Approved orders not authorised within this window expire (§9.2).
pub const AUTHORISE_WINDOW: Duration = Duration::hours(72);
/// Authorised orders not captured within this window are captured automatically (§5.4).
pub const AUTO_CAPTURE_AFTER: Duration = Duration::days(21);

/// Online order statuses (§9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    New,
    Declined,
    Expired,
    Approved,
    Authorised,
    Canceled,
    Updated,
    PartiallyCaptured,
    FullyCaptured,
    PartiallyRefunded,
    FullyRefunded,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Declined => "declined",
            Self::Expired => "expired",
            Self::Approved => "approved",
            Self::Authorised => "authorised",
            Self::Canceled => "canceled",
            Self::Updated => "updated",
            Self::PartiallyCaptured => "partially_captured",
            Self::FullyCaptured => "fully_captured",
            Self::PartiallyRefunded => "partially_refunded",
            Self::FullyRefunded => "fully_refunded",
        }
    }
}

/// Redirect and notification URLs given at checkout.
#[derive(Debug, Clone)]
pub struct MerchantUrls {
    pub success: String,
    pub failure: String,
    pub cancel: String,
    pub notification: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Capture {
    pub capture_id: Uuid,
    pub amount: Decimal,
    pub refunded: Decimal,
    pub shipping: Decimal,
    pub tax: Decimal,
    pub discount: Decimal,
    pub shipping_info: Value,
    pub items: Vec<Value>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Refund {
    pub refund_id: Uuid,
    pub capture_id: Uuid,
    pub amount: Decimal,
    pub comment: String,
    pub merchant_refund_id: Option<String>,
    pub items: Vec<Value>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Cancel {
    pub cancel_id: Uuid,
    pub amount: Decimal,
    pub items: Vec<Value>,
    pub created_at: DateTime<Utc>,
}

/// Optional parts of a capture request, kept for order details.
#[derive(Debug, Clone, Default)]
pub struct CaptureExtras {
    pub shipping: Decimal,
    pub tax: Decimal,
    pub discount: Decimal,
    pub shipping_info: Value,
    pub items: Vec<Value>,
}

/// `(refund_id, capture_id)` pairs created by a legacy refund.
pub type RefundPairs = Vec<(Uuid, Uuid)>;

/// A notification caused by a transition (`data` already in wire form).
#[derive(Debug, Clone)]
pub struct Emitted {
    pub event_type: &'static str,
    pub status: Status,
    pub data: Value,
}

/// One Tamara order with its transaction history.
#[derive(Debug, Clone)]
pub struct Order {
    pub order_id: Uuid,
    pub checkout_id: Uuid,
    pub order_reference_id: String,
    pub order_number: String,
    pub description: String,
    pub country_code: String,
    pub locale: String,
    pub payment_type: String,
    pub instalments: Option<u32>,
    pub currency: Currency,
    pub total: Decimal,
    pub shipping: Decimal,
    pub tax: Decimal,
    pub discount: Option<(String, Decimal)>,
    /// Items in wire form (amounts already normalised).
    pub items: Vec<Value>,
    pub consumer: Value,
    pub shipping_address: Value,
    pub billing_address: Value,
    pub merchant_url: MerchantUrls,
    pub platform: String,
    pub is_mobile: bool,
    pub additional_data: Value,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub authorised_at: Option<DateTime<Utc>>,
    pub captures: Vec<Capture>,
    pub refunds: Vec<Refund>,
    pub cancels: Vec<Cancel>,
}

impl Order {
    pub fn money(&self, amount: Decimal) -> Money {
        Money::new(amount, self.currency)
    }

    pub fn captured(&self) -> Decimal {
        self.captures.iter().map(|c| c.amount).sum()
    }

    pub fn refunded(&self) -> Decimal {
        self.refunds.iter().map(|r| r.amount).sum()
    }

    pub fn canceled(&self) -> Decimal {
        self.cancels.iter().map(|c| c.amount).sum()
    }

    /// Still capturable: `total − canceled − captured`.
    pub fn capturable(&self) -> Decimal {
        self.total - self.canceled() - self.captured()
    }

    /// What the customer has paid so far: nothing before approval, then the first instalment
    /// (or everything for PAY_NOW). The simulator does not model later instalments.
    pub fn paid(&self) -> Decimal {
        match (self.approved_at, self.instalments) {
            (None, _) => Decimal::ZERO,
            (Some(_), Some(n)) if n > 1 && self.payment_type == "PAY_BY_INSTALMENTS" => {
                (self.total / Decimal::from(n)).round_dp(self.currency.precision())
            }
            (Some(_), _) => self.total,
        }
    }

    fn emit(&self, event_type: &'static str, data: Value) -> Emitted {
        Emitted {
            event_type,
            status: self.status,
            data,
        }
    }

    /// Customer finished the first payment (`new → approved`).
    pub fn approve(&mut self, now: DateTime<Utc>) -> ApiResult<Vec<Emitted>> {
        self.require(&[Status::New], "approve", Status::Approved)?;
        self.status = Status::Approved;
        self.approved_at = Some(now);
        Ok(vec![self.emit("order_approved", json!([]))])
    }

    /// Tamara declined the customer (`new → declined`).
    pub fn decline(&mut self, data: Value) -> ApiResult<Vec<Emitted>> {
        self.require(&[Status::New], "decline", Status::Declined)?;
        self.status = Status::Declined;
        Ok(vec![self.emit("order_declined", data)])
    }

    /// Session lapsed / customer cancelled / not authorised in time (`new|approved → expired`).
    pub fn expire(&mut self) -> ApiResult<Vec<Emitted>> {
        self.require(&[Status::New, Status::Approved], "expire", Status::Expired)?;
        self.status = Status::Expired;
        Ok(vec![self.emit("order_expired", json!([]))])
    }

    /// `POST /orders/{id}/authorise` (`approved → authorised`).
    pub fn authorise(&mut self, now: DateTime<Utc>) -> ApiResult<Vec<Emitted>> {
        self.require(&[Status::Approved], "authorise", Status::Authorised)?;
        self.status = Status::Authorised;
        self.authorised_at = Some(now);
        Ok(vec![self.emit("order_authorised", json!([]))])
    }

    fn require(&self, allowed: &[Status], op: &str, target: Status) -> ApiResult<()> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(ApiError::status_conflict(
                op,
                self.status.as_str(),
                target.as_str(),
            ))
        }
    }

    fn check_amount(&self, m: Money, field: &str) -> ApiResult<()> {
        if m.currency != self.currency {
            return Err(ApiError::currency_mismatch(field));
        }
        if m.amount <= Decimal::ZERO {
            return Err(ApiError::invalid(
                &format!("{field}.amount"),
                "must be greater than 0",
            ));
        }
        Ok(())
    }

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
            self.require(&allowed, "capture", target)?;
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
        self.require(&[Status::Authorised, Status::Updated], "cancel", target)?;
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
        self.require(&allowed, "refund", target)
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
        entries: &[(Uuid, Money, Vec<Value>)],
        ids: &mut IdGen,
        now: DateTime<Utc>,
    ) -> ApiResult<(Vec<Emitted>, RefundPairs)> {
        let total: Decimal = entries.iter().map(|e| e.1.amount).sum();
        let refundable = self.captured() - self.refunded();
        let target = if total >= refundable {
            Status::FullyRefunded
        } else {
            Status::PartiallyRefunded
        };
        self.require_refundable(target)?;
        for (i, (capture_id, amount, _)) in entries.iter().enumerate() {
            let field = format!("refunds[{i}].total_amount");
            self.check_amount(*amount, &field)?;
            let asked: Decimal = entries
                .iter()
                .filter(|e| e.0 == *capture_id)
                .map(|e| e.1.amount)
                .sum();
            let capture = self.captures.iter().find(|c| c.capture_id == *capture_id);
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
        for (capture_id, amount, items) in entries {
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
                items: items.clone(),
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

    /// Time rules, applied whenever the clock is read for a request or advanced:
    /// `new` past the session lifetime → `expired`; `approved` 72 h without authorise →
    /// `expired`; `authorised`/`updated` 21 days without capture → auto-capture of the rest.
    pub fn tick(&mut self, now: DateTime<Utc>, ids: &mut IdGen) -> Vec<Emitted> {
        match self.status {
            Status::New if now - self.created_at >= SESSION_LIFETIME => {
                self.expire().unwrap_or_default()
            }
            Status::Approved
                if self
                    .approved_at
                    .is_some_and(|t| now - t >= AUTHORISE_WINDOW) =>
            {
                self.expire().unwrap_or_default()
            }
            Status::Authorised | Status::Updated
                if self
                    .authorised_at
                    .is_some_and(|t| now - t >= AUTO_CAPTURE_AFTER) =>
            {
                let rest = self.money(self.capturable());
                let at = self.authorised_at.map_or(now, |t| t + AUTO_CAPTURE_AFTER);
                let extras = CaptureExtras {
                    shipping_info: Value::Null,
                    ..Default::default()
                };
                self.capture(rest, ids.next_uuid(), extras, at)
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }
}
