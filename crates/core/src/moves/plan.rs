//! The pure step of a money move: an order snapshot and a request become the exact gateway
//! request, or a typed refusal. No I/O, so every rule is unit-tested exhaustively.
//!
//! Rules (reference §9.3, with the simulator's [SIM] choices where Tamara is silent):
//! - authorise: only `approved`; the amount is the order total;
//! - capture: `authorised`, `updated`, `partially_captured`, and `partially_refunded` while part
//!   of the order is uncaptured; `0 < amount ≤ total − canceled − captured`;
//! - refund: `partially_captured`, `fully_captured`, `partially_refunded`;
//!   `0 < amount ≤ captured − refunded`; a comment is required;
//! - cancel: `authorised`, `updated`, and `partially_captured` while part of the order is
//!   uncaptured (undocumented, §16.10: sent, and Tamara's refusal reported, because refusing
//!   here would leave the unshipped rest to the 21-day auto-capture); captured money is
//!   refunded, never canceled; `0 < amount ≤ total − canceled − captured`;
//! - every amount is exact at the order currency's precision (`10.005 SAR` is refused) and in
//!   that currency; a missing amount means "all that remains" where that is allowed.

use rust_decimal::Decimal;
use serde_json::Value;
use tamara::model::payments::{
    CancelRequest, CaptureRequest, ShippingInfo, SimplifiedRefundRequest,
};
use tamara::model::{Item, OrderStatus};
use tamara::money::{Currency, Money, MoneyError};

use super::MoveRefusal;
use super::input::{AmountInput, ItemSelection, MoveAction};
pub use super::state::OrderState;
use crate::store::ledger::LedgerKind;

/// The request a plan sends, typed as the gateway takes it.
#[derive(Debug, Clone, PartialEq)]
pub enum WireRequest {
    Authorise,
    Capture(CaptureRequest),
    Cancel(CancelRequest),
    Refund(SimplifiedRefundRequest),
}

/// A checked move: exactly what will be sent, and what the ledger will record.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedMove {
    pub kind: LedgerKind,
    pub order_id: String,
    pub order_reference_id: String,
    /// The amount moved (the order total for authorise).
    pub amount: Money,
    /// A refund's comment.
    pub comment: Option<String>,
    pub request: WireRequest,
    /// Canonical text of what was asked (kind, order, amount, items, comment, shipment) —
    /// hashed into the idempotency reference; the order's money state is not part of it.
    pub intent: String,
}

impl PlannedMove {
    /// Always POST: every money move is a non-idempotent POST, sent once.
    pub fn method(&self) -> &'static str {
        "POST"
    }

    /// The path after the API base URL.
    pub fn path(&self) -> String {
        match self.kind {
            LedgerKind::Authorise => format!("/orders/{}/authorise", self.order_id),
            LedgerKind::Capture => "/payments/capture".to_owned(),
            LedgerKind::Cancel => format!("/orders/{}/cancel", self.order_id),
            LedgerKind::Refund => format!("/payments/simplified-refund/{}", self.order_id),
        }
    }

    /// The JSON body exactly as the client serialises it.
    pub fn body(&self) -> Value {
        let v = match &self.request {
            WireRequest::Authorise => Ok(tamara::client::authorise_body(&self.order_id)),
            WireRequest::Capture(r) => serde_json::to_value(r),
            WireRequest::Cancel(r) => serde_json::to_value(r),
            WireRequest::Refund(r) => serde_json::to_value(r),
        };
        v.unwrap_or(Value::Null)
    }

    /// Ties the request to its idempotency reference where Tamara stores one: a refund's
    /// `merchant_refund_id`, which order details echo, so a lost answer can be settled exactly.
    pub fn bind_reference(&mut self, reference: &str) {
        if let WireRequest::Refund(r) = &mut self.request {
            r.merchant_refund_id = Some(reference.to_owned());
        }
    }
}

/// Checks `action` against `state` and builds the request, or says why not.
///
/// # Errors
/// A [`MoveRefusal`] naming the first rule the request breaks.
pub fn plan(state: &OrderState, action: &MoveAction) -> Result<PlannedMove, MoveRefusal> {
    let kind = action.kind();
    check_status(state, kind)?;
    let cur = state.currency();
    let base = |amount: Money, comment: Option<String>, request, extra: String| PlannedMove {
        kind,
        order_id: state.order_id.clone(),
        order_reference_id: state.order_reference_id.clone(),
        amount,
        comment,
        request,
        intent: format!(
            "v1|{kind}|{}|{}|{}|{extra}",
            state.order_id,
            amount.amount_text(),
            amount.currency()
        ),
    };
    match action {
        MoveAction::Authorise => Ok(base(
            state.total,
            None,
            WireRequest::Authorise,
            String::new(),
        )),
        MoveAction::Cancel { amount } => {
            let remaining = state.uncaptured();
            let amount = chosen_amount(state, kind, amount.as_ref(), remaining)?;
            if amount > remaining {
                return Err(MoveRefusal::ExceedsCancelable { amount, remaining });
            }
            let req = CancelRequest {
                total_amount: amount,
                shipping_amount: None,
                tax_amount: None,
                discount_amount: None,
                items: Vec::new(),
            };
            Ok(base(amount, None, WireRequest::Cancel(req), String::new()))
        }
        MoveAction::Refund { amount, comment } => {
            let comment = comment.trim().to_owned();
            if comment.is_empty() {
                return Err(MoveRefusal::CommentRequired);
            }
            if comment.chars().count() > 1000 {
                return Err(MoveRefusal::Input {
                    field: "comment",
                    reason: "at most 1000 characters".into(),
                });
            }
            let amount = positive(to_money(amount, cur, "the amount")?)?;
            let remaining = state.refundable();
            if amount > remaining {
                return Err(MoveRefusal::ExceedsRefundable { amount, remaining });
            }
            let req = SimplifiedRefundRequest {
                total_amount: amount,
                comment: comment.clone(),
                merchant_refund_id: None,
            };
            let extra = format!("comment={comment}");
            Ok(base(amount, Some(comment), WireRequest::Refund(req), extra))
        }
        MoveAction::Capture {
            amount,
            items,
            shipping,
        } => {
            let remaining = state.uncaptured();
            let given = amount
                .as_ref()
                .map(|a| to_money(a, cur, "the amount").and_then(positive))
                .transpose()?;
            let lines = capture_items(state, items)?;
            let items_sum = lines.iter().try_fold(Money::zero(cur), |sum, i| {
                sum.checked_add(i.total_amount)
                    .map_err(|e| MoveRefusal::Items(e.to_string()))
            })?;
            let amount = match given {
                Some(a) => a,
                None if !lines.is_empty() => positive(items_sum)?,
                None => chosen_amount(state, kind, None, remaining)?,
            };
            if amount > remaining {
                return Err(MoveRefusal::ExceedsCapturable { amount, remaining });
            }
            if items_sum > amount {
                return Err(MoveRefusal::ItemsExceedAmount {
                    items: items_sum,
                    amount,
                });
            }
            check_shipping(shipping)?;
            let extra = format!(
                "items={}|ship={}/{}",
                lines
                    .iter()
                    .map(|i| format!("{}:{}:{}", i.reference_id, i.quantity, i.total_amount))
                    .collect::<Vec<_>>()
                    .join(";"),
                shipping.shipping_company.trim(),
                shipping.tracking_number.as_deref().unwrap_or("")
            );
            let req = CaptureRequest {
                order_id: state.order_id.clone(),
                total_amount: amount,
                shipping_info: shipping.clone(),
                items: lines,
                shipping_amount: None,
                tax_amount: None,
                discount_amount: None,
            };
            Ok(base(amount, None, WireRequest::Capture(req), extra))
        }
    }
}

fn check_status(state: &OrderState, kind: LedgerKind) -> Result<(), MoveRefusal> {
    use OrderStatus as S;
    let s = &state.status;
    let (ok, allowed) = match kind {
        LedgerKind::Authorise => (matches!(s, S::Approved), "the order is approved"),
        LedgerKind::Capture => (
            matches!(s, S::Authorised | S::Updated | S::PartiallyCaptured)
                || (matches!(s, S::PartiallyRefunded) && state.uncaptured().is_positive()),
            "the order is authorised, updated or partially_captured (or partially_refunded \
             with an uncaptured remainder)",
        ),
        LedgerKind::Refund => (
            matches!(
                s,
                S::PartiallyCaptured | S::FullyCaptured | S::PartiallyRefunded
            ),
            "money was captured: partially_captured, fully_captured or partially_refunded",
        ),
        LedgerKind::Cancel => (
            matches!(s, S::Authorised | S::Updated)
                || (matches!(s, S::PartiallyCaptured) && state.uncaptured().is_positive()),
            "the order is authorised or updated, or partially_captured with an uncaptured \
             remainder (refund captured money instead)",
        ),
    };
    if ok {
        Ok(())
    } else {
        Err(MoveRefusal::Status {
            kind,
            order_id: state.order_id.clone(),
            status: s.to_string(),
            allowed,
        })
    }
}

/// The typed amount in the order's currency, or everything `remaining` when none was typed.
fn chosen_amount(
    state: &OrderState,
    kind: LedgerKind,
    amount: Option<&AmountInput>,
    remaining: Money,
) -> Result<Money, MoveRefusal> {
    match amount {
        Some(a) => positive(to_money(a, state.currency(), "the amount")?),
        None if remaining.is_positive() => Ok(remaining),
        None => Err(MoveRefusal::NothingRemaining {
            kind,
            order_id: state.order_id.clone(),
        }),
    }
}

/// An input amount as money of `currency`, refusing another currency or too many decimals.
fn to_money(a: &AmountInput, currency: Currency, what: &str) -> Result<Money, MoveRefusal> {
    if let Some(given) = a.currency
        && given != currency
    {
        return Err(MoveRefusal::Currency {
            what: what.to_owned(),
            given,
            order: currency,
        });
    }
    Money::new(a.value, currency).map_err(|e| match e {
        MoneyError::TooPrecise {
            amount,
            currency,
            precision,
        } => MoveRefusal::Precision {
            amount,
            currency,
            precision,
        },
        other => MoveRefusal::Input {
            field: "amount",
            reason: other.to_string(),
        },
    })
}

fn positive(m: Money) -> Result<Money, MoveRefusal> {
    if m.is_positive() {
        Ok(m)
    } else {
        Err(MoveRefusal::NotPositive(m.to_string()))
    }
}

/// Each selected line matched to an order item, bounded by the units not yet captured, priced
/// as given or pro rata of the order line (which must come out exact).
fn capture_items(state: &OrderState, items: &[ItemSelection]) -> Result<Vec<Item>, MoveRefusal> {
    let cur = state.currency();
    let mut seen = Vec::new();
    let mut out = Vec::with_capacity(items.len());
    for sel in items {
        let found = state.items.iter().position(|i| match &sel.reference_id {
            Some(r) => &i.reference_id == r,
            None => sel.sku.as_deref() == Some(i.sku.as_str()),
        });
        let Some(index) = found else {
            return Err(MoveRefusal::Items(format!(
                "the order has no item with {}",
                sel.label()
            )));
        };
        if seen.contains(&index) {
            return Err(MoveRefusal::Items(format!(
                "{} is named twice; give one line per item",
                sel.label()
            )));
        }
        seen.push(index);
        let item = &state.items[index];
        let done = state
            .captured_units
            .get(&item.reference_id)
            .copied()
            .unwrap_or(0);
        let open = u64::from(item.quantity).saturating_sub(done);
        if u64::from(sel.quantity) > open {
            return Err(MoveRefusal::Items(format!(
                "{}: {} units asked, but only {open} of {} are not yet captured",
                sel.label(),
                sel.quantity,
                item.quantity
            )));
        }
        let total = match &sel.total_amount {
            Some(a) => to_money(a, cur, &format!("the total_amount of {}", sel.label()))?,
            None => pro_rata(item, sel.quantity).ok_or_else(|| {
                MoveRefusal::Items(format!(
                    "{}: {} × {}/{} is not exact in {cur}; give its total_amount",
                    sel.label(),
                    item.total_amount,
                    sel.quantity,
                    item.quantity
                ))
            })?,
        };
        if total.is_negative() {
            return Err(MoveRefusal::Items(format!(
                "{}: total_amount must not be negative",
                sel.label()
            )));
        }
        if total.currency() != cur || item.total_amount.currency() != cur {
            return Err(MoveRefusal::Items(format!(
                "{}: the order line is not in {cur}",
                sel.label()
            )));
        }
        let whole = sel.quantity == item.quantity;
        out.push(Item {
            quantity: sel.quantity,
            total_amount: total,
            // Tax and discount describe the whole line; a part of it carries neither.
            tax_amount: if whole { item.tax_amount } else { None },
            discount_amount: if whole { item.discount_amount } else { None },
            ..item.clone()
        });
    }
    Ok(out)
}

fn pro_rata(item: &Item, quantity: u32) -> Option<Money> {
    if quantity == item.quantity {
        return Some(item.total_amount);
    }
    let whole = item.total_amount.amount();
    let part = whole
        .checked_mul(Decimal::from(quantity))?
        .checked_div(Decimal::from(item.quantity))?;
    Money::new(part, item.total_amount.currency()).ok()
}

fn check_shipping(s: &ShippingInfo) -> Result<(), MoveRefusal> {
    let bad = |field, reason: &str| {
        Err(MoveRefusal::Input {
            field,
            reason: reason.to_owned(),
        })
    };
    if chrono::DateTime::parse_from_rfc3339(&s.shipped_at).is_err() {
        return bad(
            "shipped_at",
            "expected an ISO-8601 date-time like 2026-05-01T10:00:00Z",
        );
    }
    let company = s.shipping_company.trim();
    if company.is_empty() || company.chars().count() > 100 {
        return bad("shipping_company", "1 to 100 characters");
    }
    if s.tracking_number
        .as_ref()
        .is_some_and(|t| t.chars().count() > 100)
    {
        return bad("tracking_number", "at most 100 characters");
    }
    if let Some(u) = &s.tracking_url
        && (u.chars().count() > 1024 || url::Url::parse(u).is_err())
    {
        return bad("tracking_url", "a URL of at most 1024 characters");
    }
    Ok(())
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
