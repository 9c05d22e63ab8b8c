//! The checker's totals: does `total_amount` add up from the items, shipping, tax and
//! discount? Merchants' code does not agree on what an item's `total_amount` holds or whether
//! the order's `tax_amount` and `discount` are added, subtracted or merely reported, and
//! Tamara documents no formula. So the checker knows the conventions real payloads use
//! ([`CONVENTIONS`]) and refuses only a payload that adds up under none of them.
//!
//! Invariants: sums are exact decimals compared at the currency's precision; a payload whose
//! amounts cannot be read (wrong type, unknown currency) gets no totals finding here — the
//! other layers already report why; the item-level check is a warning only, because Tamara's
//! own OpenAPI example has an item whose numbers agree with nothing.

use rust_decimal::Decimal;
use serde_json::Value;

use super::rules::{at, decimal, order_currency};
use super::{CheckCode, Finding, Severity, index, join};
use crate::money::{Currency, Money};

/// Where the items' part of the total comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// Σ items' `total_amount`.
    ItemTotals,
    /// Σ `unit_price` × `quantity` (only when every item has a unit price).
    UnitPrices,
}

/// Which tax is added on top of the lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tax {
    /// None: the lines include it; the order's `tax_amount` only reports it.
    InLines,
    /// The order's `tax_amount`.
    Order,
    /// Σ items' `tax_amount`.
    Items,
    /// The order's tax beyond its items' (tax on shipping), when there is any.
    BeyondItems,
}

/// Which discount is taken off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    /// None: the lines are already net of it; `discount` only reports it.
    InLines,
    /// The order's `discount.amount`.
    Order,
    /// Σ items' `discount_amount`.
    Items,
    /// Both the items' and the order's.
    Both,
}

/// One way of adding up a checkout: `lines + shipping + tax − discount`.
#[derive(Debug, Clone, Copy)]
pub struct Convention {
    pub id: &'static str,
    pub lines: Lines,
    pub tax: Tax,
    pub discount: Discount,
    /// Who adds up this way, in words.
    pub seen_in: &'static str,
}

const fn c(
    id: &'static str,
    lines: Lines,
    tax: Tax,
    discount: Discount,
    seen_in: &'static str,
) -> Convention {
    Convention {
        id,
        lines,
        tax,
        discount,
        seen_in,
    }
}

/// The known conventions, most common first. `docs/DOMAIN.md` has the same table.
pub const CONVENTIONS: &[Convention] = &[
    c(
        "items_inclusive",
        Lines::ItemTotals,
        Tax::InLines,
        Discount::InLines,
        "item totals include their tax and discount (the PHP SDK, the WooCommerce and Magento plugins)",
    ),
    c(
        "items_inclusive_shipping_tax",
        Lines::ItemTotals,
        Tax::BeyondItems,
        Discount::InLines,
        "item totals include their tax; the order's extra tax is tax on shipping (WooCommerce)",
    ),
    c(
        "tax_added",
        Lines::ItemTotals,
        Tax::Order,
        Discount::InLines,
        "item totals are net of discount, before tax; the order's tax is added (the reference example)",
    ),
    c(
        "item_tax_added",
        Lines::ItemTotals,
        Tax::Items,
        Discount::InLines,
        "item totals are before tax; each item's tax is added",
    ),
    c(
        "order_voucher",
        Lines::ItemTotals,
        Tax::InLines,
        Discount::Order,
        "item totals include tax; the order's voucher is taken off",
    ),
    c(
        "order_voucher_tax_added",
        Lines::ItemTotals,
        Tax::Order,
        Discount::Order,
        "item totals are before tax and voucher; both applied to the order",
    ),
    c(
        "unit_prices_order_voucher",
        Lines::UnitPrices,
        Tax::Items,
        Discount::Order,
        "unit prices × quantities, plus the items' tax, less the order's voucher (Tamara's OpenAPI example)",
    ),
    c(
        "unit_prices_order_voucher_order_tax",
        Lines::UnitPrices,
        Tax::Order,
        Discount::Order,
        "unit prices × quantities, plus the order's tax, less the order's voucher",
    ),
    c(
        "unit_prices_item_discounts",
        Lines::UnitPrices,
        Tax::Order,
        Discount::Items,
        "unit prices × quantities, less the items' discounts, plus the order's tax",
    ),
    c(
        "unit_prices_item_discounts_item_tax",
        Lines::UnitPrices,
        Tax::Items,
        Discount::Items,
        "unit prices × quantities, less the items' discounts, plus the items' tax",
    ),
    c(
        "unit_prices_all_discounts",
        Lines::UnitPrices,
        Tax::Order,
        Discount::Both,
        "unit prices × quantities, less the items' discounts and the order's voucher, plus the order's tax",
    ),
];

/// The numbers a convention needs, read from the payload.
struct Figures {
    currency: Currency,
    total: Decimal,
    shipping: Decimal,
    order_tax: Decimal,
    order_discount: Decimal,
    item_totals: Decimal,
    unit_prices: Option<Decimal>,
    item_tax: Decimal,
    item_discounts: Decimal,
}

/// An optional amount: absent is zero, unreadable stops the totals check.
fn amount(v: &Value, path: &str) -> Option<Decimal> {
    match at(v, path) {
        None | Some(Value::Null) => Some(Decimal::ZERO),
        Some(x) => decimal(x),
    }
}

fn figures(p: &Value) -> Option<Figures> {
    let currency = order_currency(p)?;
    let total = at(p, "total_amount.amount").and_then(decimal)?;
    let mut f = Figures {
        currency,
        total,
        shipping: amount(p, "shipping_amount.amount")?,
        order_tax: amount(p, "tax_amount.amount")?,
        order_discount: amount(p, "discount.amount.amount")?,
        item_totals: Decimal::ZERO,
        unit_prices: Some(Decimal::ZERO),
        item_tax: Decimal::ZERO,
        item_discounts: Decimal::ZERO,
    };
    let items = p.get("items")?.as_array().filter(|a| !a.is_empty())?;
    for item in items {
        let q = item
            .get("quantity")
            .filter(|q| q.is_number())
            .and_then(decimal)?;
        let total = at(item, "total_amount.amount").and_then(decimal)?;
        f.item_totals = f.item_totals.checked_add(total)?;
        f.item_tax = f.item_tax.checked_add(amount(item, "tax_amount.amount")?)?;
        f.item_discounts = f
            .item_discounts
            .checked_add(amount(item, "discount_amount.amount")?)?;
        let unit = at(item, "unit_price.amount")
            .filter(|u| !u.is_null())
            .and_then(decimal);
        f.unit_prices = match (f.unit_prices, unit) {
            (Some(sum), Some(u)) => u.checked_mul(q).and_then(|line| sum.checked_add(line)),
            _ => None,
        };
    }
    Some(f)
}

impl Figures {
    /// What `total_amount` should be under `c`; `None` when `c` does not apply.
    fn expected(&self, c: &Convention) -> Option<Decimal> {
        let lines = match c.lines {
            Lines::ItemTotals => self.item_totals,
            Lines::UnitPrices => self.unit_prices?,
        };
        let tax = match c.tax {
            Tax::InLines => Decimal::ZERO,
            Tax::Order => self.order_tax,
            Tax::Items => self.item_tax,
            Tax::BeyondItems if self.order_tax > self.item_tax => {
                self.order_tax.checked_sub(self.item_tax)?
            }
            Tax::BeyondItems => return None,
        };
        let discount = match c.discount {
            Discount::InLines => Decimal::ZERO,
            Discount::Order => self.order_discount,
            Discount::Items => self.item_discounts,
            Discount::Both => self.item_discounts.checked_add(self.order_discount)?,
        };
        lines
            .checked_add(self.shipping)?
            .checked_add(tax)?
            .checked_sub(discount)
    }

    fn money(&self, d: Decimal) -> String {
        let rounded = d.round_dp(self.currency.precision());
        Money::new(rounded, self.currency).map_or_else(|_| d.to_string(), |m| m.to_string())
    }
}

/// The totals findings, and the id of the convention the payload adds up under.
pub fn check(payload: &Value) -> (Vec<Finding>, Option<String>) {
    let mut out = item_lines(payload);
    let Some(f) = figures(payload) else {
        return (out, None);
    };
    let dp = f.currency.precision();
    let actual = f.total.round_dp(dp);
    let candidates: Vec<(&Convention, Decimal)> = CONVENTIONS
        .iter()
        .filter_map(|c| Some((c, f.expected(c)?.round_dp(dp))))
        .collect();
    if let Some((c, _)) = candidates.iter().find(|(_, e)| *e == actual) {
        out.push(Finding::new(
            "total_amount.amount",
            Severity::Info,
            CheckCode::TotalsMatch,
            format!("{} adds up as {}: {}", f.money(actual), c.id, c.seen_in),
        ));
        return (out, Some(c.id.to_owned()));
    }
    let distance = |e: &Decimal| e.checked_sub(actual).map_or(Decimal::MAX, |d| d.abs());
    let closest = candidates.iter().min_by_key(|(_, e)| distance(e));
    if let Some((c, expected)) = closest {
        out.push(Finding::new(
            "total_amount.amount",
            Severity::Error,
            CheckCode::TotalsMismatch,
            format!(
                "total_amount is {} but the items, shipping, tax and discount add up to it \
                 under no known convention; the closest, {} ({}), expects {}",
                f.money(actual),
                c.id,
                c.seen_in,
                f.money(*expected)
            ),
        ));
    }
    (out, None)
}

/// Each item's `total_amount` against its unit price, quantity, tax and discount: a warning
/// when it matches none of gross, net, net + tax, gross + tax.
fn item_lines(payload: &Value) -> Vec<Finding> {
    let mut out = Vec::new();
    let items = payload.get("items").and_then(Value::as_array);
    for (i, item) in items.into_iter().flatten().enumerate() {
        let q = item
            .get("quantity")
            .filter(|q| q.is_number())
            .and_then(decimal);
        let u = at(item, "unit_price.amount").and_then(decimal);
        let total = at(item, "total_amount.amount").and_then(decimal);
        let (Some(q), Some(u), Some(total)) = (q, u, total) else {
            continue;
        };
        let (Some(tax), Some(disc)) = (
            amount(item, "tax_amount.amount"),
            amount(item, "discount_amount.amount"),
        ) else {
            continue;
        };
        // Overflow (absurd amounts) is left to the precision and totals findings.
        let Some([gross, net, net_tax, gross_tax]) = (|| {
            let gross = u.checked_mul(q)?;
            let net = gross.checked_sub(disc)?;
            Some([gross, net, net.checked_add(tax)?, gross.checked_add(tax)?])
        })() else {
            continue;
        };
        if ![gross, net, net_tax, gross_tax].contains(&total) {
            out.push(Finding::new(
                &join(&index("items", i), "total_amount.amount"),
                Severity::Warning,
                CheckCode::ItemTotalMismatch,
                format!(
                    "{total} is none of unit_price × quantity ({gross}), less its discount \
                     ({net}), plus its tax ({gross_tax}), or both ({net_tax})"
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(total: &str, shipping: &str, tax: &str, discount: &str, items: Value) -> Value {
        let m = |a: &str| json!({"amount": serde_json::from_str::<Value>(a).unwrap(), "currency": "SAR"});
        json!({"total_amount": m(total), "shipping_amount": m(shipping), "tax_amount": m(tax),
               "discount": {"name": "v", "amount": m(discount)}, "items": items})
    }

    fn item(q: u32, unit: Option<&str>, tax: &str, disc: &str, total: &str) -> Value {
        let m = |a: &str| json!({"amount": serde_json::from_str::<Value>(a).unwrap(), "currency": "SAR"});
        let mut i = json!({"quantity": q, "tax_amount": m(tax), "discount_amount": m(disc),
                           "total_amount": m(total)});
        if let Some(u) = unit {
            i["unit_price"] = m(u);
        }
        i
    }

    fn convention(v: &Value) -> (Option<String>, Vec<Finding>) {
        let (f, c) = check(v);
        (c, f)
    }

    #[test]
    fn the_php_sdk_recording_adds_up_with_items_inclusive() {
        let v = body(
            "249.5",
            "19.5",
            "30",
            "0",
            json!([item(2, None, "30", "0", "230")]),
        );
        assert_eq!(convention(&v).0.as_deref(), Some("items_inclusive"));
    }

    #[test]
    fn the_reference_example_adds_up_with_tax_added() {
        let v = body(
            "460",
            "25",
            "60",
            "15",
            json!([item(2, Some("195"), "58.5", "15", "375")]),
        );
        assert_eq!(convention(&v).0.as_deref(), Some("tax_added"));
    }

    #[test]
    fn tamaras_openapi_example_adds_up_with_unit_prices_and_the_order_voucher() {
        let v = body(
            "300",
            "0",
            "0",
            "200",
            json!([item(1, Some("490"), "10", "100", "100")]),
        );
        let (c, f) = convention(&v);
        assert_eq!(c.as_deref(), Some("unit_prices_order_voucher"));
        assert_eq!(
            f[0].code,
            CheckCode::ItemTotalMismatch,
            "its item agrees with nothing"
        );
        assert_eq!(f[0].severity, Severity::Warning);
    }

    #[test]
    fn woocommerce_shipping_tax_adds_up() {
        // Item 100 + 15 tax, shipping 20 + 3 tax: order tax 18, total 138.
        let v = body(
            "138",
            "20",
            "18",
            "0",
            json!([item(1, Some("100"), "15", "0", "115")]),
        );
        assert_eq!(
            convention(&v).0.as_deref(),
            Some("items_inclusive_shipping_tax")
        );
    }

    #[test]
    fn what_adds_up_under_nothing_is_an_error_naming_expected_and_actual() {
        let v = body(
            "100",
            "500",
            "0",
            "0",
            json!([item(1, Some("100"), "0", "0", "100")]),
        );
        let (c, f) = convention(&v);
        assert!(c.is_none());
        let e = f
            .iter()
            .find(|x| x.code == CheckCode::TotalsMismatch)
            .unwrap();
        assert!(
            e.message.contains("100.00 SAR") && e.message.contains("600.00 SAR"),
            "{}",
            e.message
        );
        let v = body(
            "100",
            "0",
            "0",
            "0",
            json!([item(2, Some("20"), "0", "0", "40")]),
        );
        let (c, f) = convention(&v);
        assert!(
            c.is_none() && f.iter().any(|x| x.message.contains("40.00 SAR")),
            "{f:?}"
        );
    }

    #[test]
    fn precision_decides_equality() {
        let k = |a: &str| json!({"amount": serde_json::from_str::<Value>(a).unwrap(), "currency": "KWD"});
        let v = json!({"total_amount": k("10.005"), "shipping_amount": k("0"),
                       "tax_amount": k("0"),
                       "items": [{"quantity": 1, "total_amount": k("10.005")}]});
        assert_eq!(convention(&v).0.as_deref(), Some("items_inclusive"));
        let v2 = json!({"total_amount": k("10.006"), "shipping_amount": k("0"),
                        "tax_amount": k("0"),
                        "items": [{"quantity": 1, "total_amount": k("10.005")}]});
        assert!(convention(&v2).0.is_none());
    }

    #[test]
    fn absurd_amounts_never_overflow() {
        let huge = "79228162514264337593543950335";
        let v = body(
            huge,
            huge,
            huge,
            "0",
            json!([item(4_000_000_000, Some(huge), huge, "0", huge)]),
        );
        let (f, c) = check(&v);
        assert!(c.is_none(), "{f:?}");
    }

    #[test]
    fn unreadable_amounts_leave_the_totals_to_the_other_layers() {
        let v = body(
            "100",
            "0",
            "0",
            "0",
            json!([{"quantity": "x", "total_amount": 5}]),
        );
        assert_eq!(check(&v), (vec![], None));
    }
}
