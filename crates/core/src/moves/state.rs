//! The order as a money move sees it: status, total and the cumulative captured, refunded and
//! canceled amounts (all in the order's currency), its items and the units already captured.
//!
//! Invariant: built only from a fresh read of Tamara's details; an order without a total or
//! with amounts in another currency is refused, never guessed.

use std::collections::BTreeMap;

use tamara::model::order::OrderDetails;
use tamara::model::{Item, OrderStatus};
use tamara::money::{Currency, Money};

use crate::error::Error;

/// What the plan needs to know of an order, taken from a fresh read of its details.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderState {
    pub order_id: String,
    pub order_reference_id: String,
    pub status: OrderStatus,
    pub total: Money,
    pub captured: Money,
    pub refunded: Money,
    pub canceled: Money,
    pub items: Vec<Item>,
    /// Units already captured per item `reference_id` (from earlier captures that named items).
    pub captured_units: BTreeMap<String, u64>,
}

impl OrderState {
    /// # Errors
    /// [`Error::UncacheableOrder`] when the details have no total or mix currencies.
    pub fn from_details(d: &OrderDetails) -> Result<OrderState, Error> {
        let bad = |reason: &str| Error::UncacheableOrder {
            order_id: d.order_id.clone(),
            reason: reason.to_owned(),
        };
        let total = d
            .total_amount
            .ok_or_else(|| bad("it has no total_amount"))?;
        let currency = total.currency();
        let amount = |m: Option<Money>, what: &str| match m {
            None => Ok(Money::zero(currency)),
            Some(m) if m.currency() == currency => Ok(m),
            Some(_) => Err(bad(&format!(
                "{what} is not in the order's currency {currency}"
            ))),
        };
        let mut captured_units = BTreeMap::new();
        for c in d.transactions.iter().flat_map(|t| &t.captures) {
            for i in &c.items {
                *captured_units.entry(i.reference_id.clone()).or_insert(0) += u64::from(i.quantity);
            }
        }
        Ok(OrderState {
            order_id: d.order_id.clone(),
            order_reference_id: d.order_reference_id.clone().unwrap_or_default(),
            status: d.status.clone().unwrap_or(OrderStatus::New),
            total,
            captured: amount(d.captured_amount, "captured_amount")?,
            refunded: amount(d.refunded_amount, "refunded_amount")?,
            canceled: amount(d.canceled_amount, "canceled_amount")?,
            items: d.items.clone(),
            captured_units,
        })
    }

    pub fn currency(&self) -> Currency {
        self.total.currency()
    }

    /// `total − canceled − captured`, never below zero: what may still be captured or canceled.
    pub fn uncaptured(&self) -> Money {
        sub_floor(sub_floor(self.total, self.canceled), self.captured)
    }

    /// `captured − refunded`, never below zero.
    pub fn refundable(&self) -> Money {
        sub_floor(self.captured, self.refunded)
    }

    /// The money state an idempotency reference is tied to.
    pub fn money_state(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.status,
            self.captured.amount_text(),
            self.refunded.amount_text(),
            self.canceled.amount_text()
        )
    }
}

fn sub_floor(a: Money, b: Money) -> Money {
    match a.checked_sub(b) {
        Ok(m) if !m.is_negative() => m,
        _ => Money::zero(a.currency()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sar(s: &str) -> Money {
        Money::parse(s, Currency::Sar).unwrap()
    }

    #[test]
    fn order_state_comes_from_details() {
        let d: tamara::model::order::OrderDetails = serde_json::from_value(json!({
            "order_id": "o", "order_reference_id": "R", "status": "partially_captured",
            "total_amount": {"amount": 300, "currency": "SAR"},
            "captured_amount": {"amount": "100.00", "currency": "SAR"},
            "transactions": {"captures": [{"capture_id": "c", "items": [
                {"reference_id": "a", "type": "Physical", "name": "A", "sku": "A", "quantity": 1,
                 "total_amount": {"amount": 100, "currency": "SAR"}}]}]}
        }))
        .unwrap();
        let s = OrderState::from_details(&d).unwrap();
        assert_eq!(s.captured, sar("100"));
        assert_eq!(s.refunded, sar("0"));
        assert_eq!(s.captured_units.get("a"), Some(&1));
        assert_eq!(s.uncaptured(), sar("200"));
        let d: tamara::model::order::OrderDetails =
            serde_json::from_value(json!({"order_id": "o"})).unwrap();
        assert!(
            OrderState::from_details(&d).is_err(),
            "no total, no currency"
        );
        let d: tamara::model::order::OrderDetails = serde_json::from_value(json!({
            "order_id": "o", "total_amount": {"amount": 300, "currency": "SAR"},
            "captured_amount": {"amount": 1, "currency": "AED"}
        }))
        .unwrap();
        assert!(OrderState::from_details(&d).is_err(), "mixed currencies");
    }
}
