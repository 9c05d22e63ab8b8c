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
//! Check order of a money move: status (409) → currency (400) → amount (400). The moves
//! themselves live in `orders/moves.rs`.
//!
//! In-store orders (§5.10) share this model: they skip authorise and capture — the customer's
//! first payment captures them whole — and their session lasts 15 minutes.
//!
//! Where Tamara's rules are unknown (§16) the order follows its [`OrderRules`], fixed from the
//! configuration at creation; each notification whose sending is unknown carries the
//! [`SilentEvent`] that can suppress it.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::errors::{ApiError, ApiResult};
use crate::ids::IdGen;
use crate::money::{Currency, Money};
use crate::unknowns::{OrderRules, SilentEvent};

mod hold;
mod moves;

/// Checkout session lifetime (§5.2 `expires_in_minutes` default; the override needs Tamara
/// support to enable it, so it is honoured only with `honour_expires_in_minutes`).
pub const SESSION_LIFETIME: Duration = Duration::minutes(30);
/// In-store session lifetime (§5.10; `expiry_time` needs Tamara support to enable, so it is
/// ignored like `expires_in_minutes`).
pub const IN_STORE_SESSION_LIFETIME: Duration = Duration::minutes(15);
/// Approved orders not authorised within this window expire (§9.2).
pub const AUTHORISE_WINDOW: Duration = Duration::hours(72);
/// Authorised orders not captured within this window are captured automatically (§5.4);
/// the default of [`OrderRules::auto_capture_after`].
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
    /// Named only by the `order_on_hold` event (§9.1); entered and left through the control
    /// endpoints, never by Tamara's API.
    OnHold,
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
            Self::OnHold => "on_hold",
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
    pub extras: RefundExtras,
    pub created_at: DateTime<Utc>,
}

/// Shipping, tax and discount named by a legacy refund entry (zero for simplified refunds),
/// shown per refund in order details.
#[derive(Debug, Clone, Copy, Default)]
pub struct RefundExtras {
    pub shipping: Decimal,
    pub tax: Decimal,
    pub discount: Decimal,
}

/// One entry of a legacy refund request (`refunds[]`), already parsed.
#[derive(Debug, Clone)]
pub struct LegacyRefund {
    pub capture_id: Uuid,
    pub amount: Money,
    pub items: Vec<Value>,
    pub extras: RefundExtras,
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
    /// The switch that suppresses it, when whether Tamara sends it is unknown.
    pub silence: Option<SilentEvent>,
}

impl Emitted {
    /// The same notification, suppressed when `silence` is configured.
    pub fn silenced_by(mut self, silence: SilentEvent) -> Emitted {
        self.silence = Some(silence);
        self
    }
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
    /// Created by an in-store endpoint (`POST /checkout/in-store-session` or `/in-store`).
    pub in_store: bool,
    /// `additional_data.store_code` of in-store orders, `""` otherwise (order details).
    pub store_code: String,
    pub status: Status,
    pub created_at: DateTime<Utc>,
    pub approved_at: Option<DateTime<Utc>>,
    pub authorised_at: Option<DateTime<Utc>>,
    pub captures: Vec<Capture>,
    pub refunds: Vec<Refund>,
    pub cancels: Vec<Cancel>,
    /// Tamara's unknown rules, as configured when the order was created.
    pub rules: OrderRules,
    /// An honoured `expires_in_minutes` (5–1440); `None`: the default session.
    pub session_minutes: Option<u32>,
    /// The status an `on_hold` order returns to when released.
    pub held_from: Option<Status>,
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
            silence: None,
        }
    }

    /// Customer finished the first payment (`new → approved`). An in-store order is then
    /// captured whole at once (`→ fully_captured`, §5.10): it never waits for authorise; so is
    /// an order of a merchant with auto-authorisation (§5.3), whose two notifications are
    /// each of unknown sending.
    pub fn approve(&mut self, now: DateTime<Utc>, ids: &mut IdGen) -> ApiResult<Vec<Emitted>> {
        self.require(&[Status::New], Status::Approved)?;
        self.status = Status::Approved;
        self.approved_at = Some(now);
        let auto = self.rules.auto_authorisation && !self.in_store;
        let mut approved = self.emit("order_approved", json!([]));
        if auto {
            approved = approved.silenced_by(SilentEvent::AutoAuthorisationApproved);
        }
        let mut events = vec![approved];
        if self.in_store || auto {
            // Captures need `authorised`; an in-store payment is that and the capture at once.
            self.status = Status::Authorised;
            self.authorised_at = Some(now);
            let captured = self.capture_rest(ids.next_uuid(), now)?;
            events.extend(captured.into_iter().map(|e| match auto {
                true => e.silenced_by(SilentEvent::AutoAuthorisationCaptured),
                false => e,
            }));
        }
        Ok(events)
    }

    /// Tamara declined the customer (`new → declined`).
    pub fn decline(&mut self, data: Value) -> ApiResult<Vec<Emitted>> {
        self.require(&[Status::New], Status::Declined)?;
        self.status = Status::Declined;
        Ok(vec![self.emit("order_declined", data)])
    }

    /// Session lapsed / customer cancelled / not authorised in time (`new|approved → expired`).
    /// Authorised orders expire only by the time rule ([`Order::tick`]).
    pub fn expire(&mut self) -> ApiResult<Vec<Emitted>> {
        self.require(&[Status::New, Status::Approved], Status::Expired)?;
        self.status = Status::Expired;
        Ok(vec![self.emit("order_expired", json!([]))])
    }

    /// `POST /orders/{id}/authorise` (`approved → authorised`).
    pub fn authorise(&mut self, now: DateTime<Utc>) -> ApiResult<Vec<Emitted>> {
        self.require(&[Status::Approved], Status::Authorised)?;
        self.status = Status::Authorised;
        self.authorised_at = Some(now);
        Ok(vec![self.emit("order_authorised", json!([]))])
    }

    /// Captures everything still capturable as one capture (auto-capture after authorise, the
    /// 21-day auto-capture, in-store payments). No shipping info: nothing was shipped by a call.
    pub fn capture_rest(&mut self, capture_id: Uuid, at: DateTime<Utc>) -> ApiResult<Vec<Emitted>> {
        let rest = self.money(self.capturable());
        let extras = CaptureExtras {
            shipping_info: Value::Null,
            ..Default::default()
        };
        self.capture(rest, capture_id, extras, at)
    }

    /// 409 `transition_not_allowed` unless the order is in one of `allowed`; `target` is the
    /// status the refused operation would have produced.
    fn require(&self, allowed: &[Status], target: Status) -> ApiResult<()> {
        if allowed.contains(&self.status) {
            Ok(())
        } else {
            Err(ApiError::status_conflict(
                self.order_id,
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

    /// How long the checkout session stays open before an unpaid order expires.
    pub fn session_lifetime(&self) -> Duration {
        match (self.in_store, self.session_minutes) {
            (true, _) => IN_STORE_SESSION_LIFETIME,
            (false, Some(m)) => Duration::minutes(i64::from(m)),
            (false, None) => SESSION_LIFETIME,
        }
    }

    /// When the authorised order stops waiting: auto-captured, or (auto-capture off or later)
    /// expired. `None` before authorisation.
    pub fn authorised_deadline(&self) -> Option<(DateTime<Utc>, bool)> {
        let at = self.authorised_at?;
        let expiry = at + self.rules.authorised_expiry;
        Some(match self.rules.auto_capture_after.map(|d| at + d) {
            Some(capture) if capture <= expiry => (capture, true),
            _ => (expiry, false),
        })
    }

    /// Time rules, applied whenever the clock is read for a request or advanced:
    /// `new` past the session lifetime → `expired`; `approved` 72 h without authorise →
    /// `expired`; `authorised`/`updated` past the auto-capture period (21 days) → auto-capture
    /// of the rest, or, with auto-capture off or later than the expiry period (90 days), →
    /// `expired` (§9.2 [SIM]). `on_hold` orders wait.
    pub fn tick(&mut self, now: DateTime<Utc>, ids: &mut IdGen) -> Vec<Emitted> {
        match self.status {
            Status::New if now - self.created_at >= self.session_lifetime() => {
                self.expire().unwrap_or_default()
            }
            Status::Approved
                if self
                    .approved_at
                    .is_some_and(|t| now - t >= AUTHORISE_WINDOW) =>
            {
                self.expire().unwrap_or_default()
            }
            Status::Authorised | Status::Updated => match self.authorised_deadline() {
                Some((at, true)) if now >= at => self
                    .capture_rest(ids.next_uuid(), at)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|e| e.silenced_by(SilentEvent::TimedAutoCapture))
                    .collect(),
                Some((at, false)) if now >= at => {
                    self.status = Status::Expired;
                    let expired = self.emit("order_expired", json!([]));
                    vec![expired.silenced_by(SilentEvent::AuthorisedExpiry)]
                }
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }
}
