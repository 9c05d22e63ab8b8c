//! The checker's rules layer: what Tamara's API refuses or a merchant gets wrong that a schema
//! cannot say — amounts (parseable, not negative, at the currency's precision, one currency),
//! country/currency pairs, quantities, discounts, phone numbers, redirect URLs, payment type
//! and instalment counts. Phones and URLs are in [`super::contact`], the totals' arithmetic in
//! [`super::totals`].
//!
//! Invariants: amounts are read from each JSON number's exact text into a `Decimal` (never
//! `f64`); a value of the wrong JSON type is left to the schema layer and not reported twice;
//! every rule here is listed in `docs/DOMAIN.md` ("Checkout requests").

use rust_decimal::Decimal;
use serde_json::Value;

use super::contact::{phones, urls};
use super::{CheckCode, Finding, Severity, index, join};
use crate::environment::Environment;
use crate::money::{Currency, parse_decimal};

/// Countries Tamara serves and the currency each settles in. QA/QAR is known from one official
/// plugin only and is absent from the OpenAPI file's enums.
pub const COUNTRY_CURRENCY: [(&str, Currency); 6] = [
    ("SA", Currency::Sar),
    ("AE", Currency::Aed),
    ("KW", Currency::Kwd),
    ("BH", Currency::Bhd),
    ("QA", Currency::Qar),
    ("OM", Currency::Omr),
];

/// Instalment counts plugins offer (reference §3.4); a merchant's own come from payment types.
pub const INSTALMENTS: std::ops::RangeInclusive<u64> = 2..=12;

/// The lowest `total_amount` the OpenAPI file allows.
const MIN_TOTAL: Decimal = Decimal::from_parts(1, 0, 0, false, 1);

/// An amount's decimal from a JSON number or numeric string; `None` for anything else.
pub(crate) fn decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Number(n) => parse_decimal(&n.to_string()).ok(),
        Value::String(s) => parse_decimal(s.trim()).ok(),
        _ => None,
    }
}

/// The money objects of a checkout body, by path.
pub(crate) fn money_paths(payload: &Value) -> Vec<String> {
    let mut paths: Vec<String> = ["total_amount", "shipping_amount", "tax_amount"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    paths.push("discount.amount".into());
    let items = payload.get("items").and_then(Value::as_array);
    for i in 0..items.map_or(0, Vec::len) {
        for k in [
            "unit_price",
            "tax_amount",
            "discount_amount",
            "total_amount",
        ] {
            paths.push(join(&index("items", i), k));
        }
    }
    paths
}

/// The value at a dotted path made of keys and `[i]` indexes.
pub(crate) fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for part in path.split('.') {
        let (key, idx) = match part.split_once('[') {
            Some((k, rest)) => (k, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (part, None),
        };
        cur = cur.get(key)?;
        if let Some(i) = idx {
            cur = cur.get(i)?;
        }
    }
    Some(cur)
}

/// The order's currency: `total_amount.currency` when it is one Mizan knows.
pub(crate) fn order_currency(payload: &Value) -> Option<Currency> {
    at(payload, "total_amount.currency")?.as_str()?.parse().ok()
}

/// Every rule of this layer.
pub fn check(payload: &Value, env: Environment) -> Vec<Finding> {
    let mut out = Vec::new();
    amounts(payload, &mut out);
    country(payload, &mut out);
    items(payload, &mut out);
    phones(payload, &mut out);
    urls(payload, env, &mut out);
    payment(payload, &mut out);
    out
}

fn push(out: &mut Vec<Finding>, path: &str, sev: Severity, code: CheckCode, msg: String) {
    out.push(Finding::new(path, sev, code, msg));
}

fn amounts(payload: &Value, out: &mut Vec<Finding>) {
    use Severity::{Error, Info, Warning};
    let order = order_currency(payload);
    for path in money_paths(payload) {
        let Some(m) = at(payload, &path).filter(|m| m.is_object()) else {
            continue;
        };
        let code = m.get("currency").and_then(Value::as_str);
        let currency = code.and_then(|c| c.parse::<Currency>().ok());
        let cpath = join(&path, "currency");
        match (code, currency) {
            (Some(c), None) => push(
                out,
                &cpath,
                Error,
                CheckCode::NotAllowedValue,
                format!("{c:?} is not a currency Tamara settles in (SAR, AED, KWD, BHD, OMR)"),
            ),
            (Some(_), Some(Currency::Qar)) if path == "total_amount" => push(
                out,
                &cpath,
                Warning,
                CheckCode::NotInOpenapi,
                "QAR is not in Tamara's OpenAPI file (one official plugin offers Qatar)".into(),
            ),
            (Some(_), Some(c)) if order.is_some_and(|o| o != c) => push(
                out,
                &cpath,
                Error,
                CheckCode::CurrencyMismatch,
                format!(
                    "{c} here but the order is in {}",
                    order.map_or("?", Currency::code)
                ),
            ),
            _ => {}
        }
        let apath = join(&path, "amount");
        let Some(raw) = m.get("amount").filter(|a| a.is_number() || a.is_string()) else {
            continue;
        };
        let Some(amount) = decimal(raw) else {
            push(
                out,
                &apath,
                Error,
                CheckCode::AmountNotANumber,
                format!("{raw} is not a decimal amount"),
            );
            continue;
        };
        if raw.is_string() {
            push(
                out,
                &apath,
                Info,
                CheckCode::AmountAsString,
                "a numeric string; Tamara's examples and SDK send a JSON number".into(),
            );
        }
        if amount.is_sign_negative() && !amount.is_zero() {
            push(
                out,
                &apath,
                Error,
                CheckCode::AmountNegative,
                format!("{amount} is negative"),
            );
        }
        if let Some(c) = currency.or(order)
            && amount.normalize().scale() > c.precision()
        {
            push(
                out,
                &apath,
                Error,
                CheckCode::AmountPrecision,
                format!(
                    "{amount} has more decimal places than {c} allows ({})",
                    c.precision()
                ),
            );
        }
        if path == "total_amount" && amount < MIN_TOTAL && !amount.is_sign_negative() {
            push(
                out,
                &apath,
                Error,
                CheckCode::TotalTooSmall,
                format!("the total must be at least 0.1, got {amount}"),
            );
        }
    }
    let total = at(payload, "total_amount.amount").and_then(decimal);
    let discount = at(payload, "discount.amount.amount").and_then(decimal);
    if let (Some(t), Some(d)) = (total, discount)
        && d > t
    {
        push(
            out,
            "discount.amount.amount",
            Error,
            CheckCode::DiscountExceedsTotal,
            format!("the discount {d} is more than the order's total {t}"),
        );
    }
}

fn country(payload: &Value, out: &mut Vec<Finding>) {
    let Some(cc) = payload.get("country_code").and_then(Value::as_str) else {
        return;
    };
    let Some((_, currency)) = COUNTRY_CURRENCY.iter().find(|(c, _)| *c == cc) else {
        push(
            out,
            "country_code",
            Severity::Error,
            CheckCode::NotAllowedValue,
            format!("{cc:?} is not a country Tamara serves (SA, AE, KW, BH, OM)"),
        );
        return;
    };
    if cc == "QA" {
        push(
            out,
            "country_code",
            Severity::Warning,
            CheckCode::NotInOpenapi,
            "QA is not in Tamara's OpenAPI file (one official plugin offers Qatar)".into(),
        );
    }
    if let Some(order) = order_currency(payload).filter(|o| o != currency) {
        push(
            out,
            "country_code",
            Severity::Error,
            CheckCode::CountryCurrencyMismatch,
            format!(
                "{cc} pays in {currency}, but the order is in {order} (Tamara answers \
             not_supported_country_currency)"
            ),
        );
    }
    for a in ["shipping_address", "billing_address"] {
        let p = join(a, "country_code");
        if let Some(other) = at(payload, &p)
            .and_then(Value::as_str)
            .filter(|o| !o.is_empty() && *o != cc)
        {
            push(
                out,
                &p,
                Severity::Warning,
                CheckCode::AddressCountryDiffers,
                format!(
                    "{other} differs from the order's country {cc} (Tamara may refuse with \
                     not_supported_delivery_country)"
                ),
            );
        }
    }
}

fn items(payload: &Value, out: &mut Vec<Finding>) {
    let Some(items) = payload.get("items").and_then(Value::as_array) else {
        return;
    };
    if items.is_empty() {
        push(
            out,
            "items",
            Severity::Error,
            CheckCode::ItemsEmpty,
            "an order needs at least one item".into(),
        );
    }
    for (i, item) in items.iter().enumerate() {
        let base = index("items", i);
        let qpath = join(&base, "quantity");
        let Some(q) = item
            .get("quantity")
            .and_then(decimal)
            .filter(|_| item["quantity"].is_number())
        else {
            continue;
        };
        if q < Decimal::ONE {
            push(
                out,
                &qpath,
                Severity::Error,
                CheckCode::QuantityBelowOne,
                format!("the quantity must be at least 1, got {q}"),
            );
        } else if !q.fract().is_zero() {
            push(
                out,
                &qpath,
                Severity::Warning,
                CheckCode::QuantityNotInteger,
                format!("{q} is not a whole number (the SDK and plugins send integers)"),
            );
        }
        let unit = at(item, "unit_price.amount").and_then(decimal);
        let disc = at(item, "discount_amount.amount").and_then(decimal);
        let gross = unit.and_then(|u| u.checked_mul(q));
        if let (Some(gross), Some(d)) = (gross, disc)
            && d > gross
            && !d.is_zero()
        {
            push(
                out,
                &join(&base, "discount_amount.amount"),
                Severity::Error,
                CheckCode::ItemDiscountExceedsPrice,
                format!("the discount {d} is more than unit_price × quantity = {gross}"),
            );
        }
    }
}

fn payment(payload: &Value, out: &mut Vec<Finding>) {
    use Severity::{Error, Warning};
    let pt = payload.get("payment_type").and_then(Value::as_str);
    let inst = payload.get("instalments").filter(|v| !v.is_null());
    let by_instalments = match pt {
        None => {
            push(
                out,
                "payment_type",
                Warning,
                CheckCode::PaymentTypeMissing,
                "absent: Tamara's OpenAPI file lists it as required (the simulator takes \
                 PAY_BY_INSTALMENTS)"
                    .into(),
            );
            inst.is_some()
        }
        Some("PAY_BY_INSTALMENTS") => true,
        Some("PAY_NOW") => false,
        Some(p @ ("PAY_BY_LATER" | "PAY_NEXT_MONTH")) => {
            push(
                out,
                "payment_type",
                Warning,
                CheckCode::PaymentTypeLegacy,
                format!(
                    "{p} is an older product; Tamara's OpenAPI file knows PAY_BY_INSTALMENTS and PAY_NOW"
                ),
            );
            return;
        }
        Some(p) => {
            push(
                out,
                "payment_type",
                Error,
                CheckCode::PaymentTypeUnknown,
                format!("{p:?} is not one of PAY_BY_INSTALMENTS, PAY_NOW"),
            );
            return;
        }
    };
    match (by_instalments, inst) {
        (true, None) => push(
            out,
            "instalments",
            Warning,
            CheckCode::InstalmentsMissing,
            "absent with PAY_BY_INSTALMENTS: the OpenAPI file requires it (the simulator takes 3)"
                .into(),
        ),
        (true, Some(v)) => {
            let n = v.as_u64().filter(|n| INSTALMENTS.contains(n));
            if n.is_none() {
                push(
                    out,
                    "instalments",
                    Error,
                    CheckCode::InstalmentsOutOfRange,
                    format!(
                        "{v} instalments: PAY_BY_INSTALMENTS takes a whole number from {} to {}",
                        INSTALMENTS.start(),
                        INSTALMENTS.end()
                    ),
                );
            }
        }
        (false, Some(v)) => push(
            out,
            "instalments",
            Warning,
            CheckCode::InstalmentsIgnored,
            format!("{v} instalments with PAY_NOW: the SDK leaves instalments out"),
        ),
        (false, None) => {}
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
