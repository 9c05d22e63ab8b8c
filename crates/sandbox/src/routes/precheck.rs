//! Pre-checkout helpers (§5.1): `GET /checkout/payment-types`, `POST
//! /checkout/payment-options-pre-check` and `GET /merchants/customer/id-verification-status`.
//!
//! One instalment plan per currency backs all of them, with the limits and texts of Tamara's
//! OpenAPI examples (1–2,500 SAR; 3-decimal currencies a tenth of that, since their units are
//! worth about ten times more). The pre-check offers instalments only, like all three of its
//! OAS examples. A phone counts as ID-verified once a checkout with it was approved in that
//! country: Tamara verifies identity at a new number's first checkout (§13.1) [SIM].

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::json::{as_object, get, opt_bool, parse_body, req_str};
use crate::money::{Currency, Money, parse_decimal, parse_money};
use crate::state::AppState;

/// Instalment counts offered when single checkout is off.
const PLAN_INSTALMENTS: u32 = 3;
/// With single checkout the customer may split in up to this many payments or pay in full.
const SINGLE_CHECKOUT_INSTALMENTS: u32 = 4;

/// `(min, max)` of a whole amount in SAR, scaled to `cur`.
fn limits(cur: Currency, min: i64, max: i64) -> (Money, Money) {
    let scale = if cur.precision() == 3 {
        Decimal::TEN
    } else {
        Decimal::ONE
    };
    let m = |n: i64| Money::new(Decimal::from(n) / scale, cur);
    (m(min), m(max))
}

fn instalment_limits(cur: Currency) -> (Money, Money) {
    limits(cur, 1, 2500)
}

/// `GET /checkout/payment-types?country=SA[&currency=SAR][&order_value=250][&phone=…]`.
pub async fn payment_types(Query(q): Query<HashMap<String, String>>) -> ApiResult<Json<Value>> {
    let country = q
        .get("country")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::missing("country"))?;
    let Some(cur) = Currency::for_country(country) else {
        return Ok(Json(json!([])));
    };
    if q.get("currency").is_some_and(|c| c != cur.code()) {
        return Ok(Json(json!([])));
    }
    let value = match q.get("order_value") {
        Some(v) => Some(parse_decimal(&Value::String(v.clone()), "order_value")?),
        None => None,
    };
    let (i_min, i_max) = instalment_limits(cur);
    let (n_min, n_max) = limits(cur, 1, 20000);
    let plans: Vec<Value> = [PLAN_INSTALMENTS, SINGLE_CHECKOUT_INSTALMENTS]
        .iter()
        .map(|n| json!({ "instalments": n, "min_limit": i_min.to_json(), "max_limit": i_max.to_json() }))
        .collect();
    let types = [
        (
            "PAY_BY_INSTALMENTS",
            "Split into multiple payments. No fees",
            "قسمها على دفعات بدون رسوم",
            i_min,
            i_max,
            plans,
        ),
        (
            "PAY_NOW",
            "Pay in full",
            "ادفع كامل المبلغ",
            n_min,
            n_max,
            Vec::new(),
        ),
    ];
    let out: Vec<Value> = types
        .into_iter()
        .filter(|(_, _, _, min, max, _)| value.is_none_or(|v| v >= min.amount && v <= max.amount))
        .map(|(name, en, ar, min, max, plans)| {
            json!({ "name": name, "description": en, "description_ar": ar,
                "min_limit": min.to_json(), "max_limit": max.to_json(),
                "supported_instalments": plans })
        })
        .collect();
    Ok(Json(Value::Array(out)))
}

/// `POST /checkout/payment-options-pre-check` `{country, order_value, phone_number, is_vip}`.
/// A country Tamara does not serve in that currency has no options (the one documented "no"),
/// rather than an error the OAS does not list for this path.
pub async fn payment_options(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let o = as_object(&body, "body")?;
    let country = req_str(o, "", "country")?;
    let value = parse_money(get(o, "order_value"), "order_value")?;
    req_str(o, "", "phone_number")?;
    opt_bool(o, "", "is_vip")?;
    let (min, max) = instalment_limits(value.currency);
    let available = Currency::for_country(&country) == Some(value.currency)
        && value.amount >= min.amount
        && value.amount <= max.amount;
    let single = state.config().single_checkout;
    let label = if single {
        json!({ "payment_type": "PAY_BY_INSTALMENTS", "instalment": SINGLE_CHECKOUT_INSTALMENTS,
            "description_en": "Split in up to 4 payments or Pay in full securely with Tamara",
            "description_ar": "قسم فاتورتك حتى 4 دفعات أو ادفعها كاملة بكل سهولة وأمان مع تمارا" })
    } else {
        json!({ "payment_type": "PAY_BY_INSTALMENTS", "instalment": PLAN_INSTALMENTS,
            "description_en": "Split in 3 payments without interest or hidden fees",
            "description_ar": "قسم فاتورتك على 3 دفعات بدون فوائد ورسوم خفية" })
    };
    let labels = if available { vec![label] } else { Vec::new() };
    Ok(Json(json!({
        "has_available_payment_options": available,
        "single_checkout_enabled": single,
        "available_payment_labels": labels,
    })))
}

/// The national part of a phone number: digits only, without `00`/`+`, a Gulf country calling
/// code or a trunk `0`, so `966544337766`, `+966 54 433 7766` and `0544337766` are one phone.
fn national(phone: &str) -> String {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.strip_prefix("00").unwrap_or(&digits);
    let digits = ["966", "971", "965", "973", "968"]
        .iter()
        .find_map(|cc| digits.strip_prefix(cc).filter(|rest| rest.len() >= 8))
        .unwrap_or(digits);
    digits.trim_start_matches('0').to_owned()
}

/// `GET /merchants/customer/id-verification-status?phone_number=…&country_code=SA|AE`.
pub async fn id_verification(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let phone = q
        .get("phone_number")
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| ApiError::missing("phone_number"))?;
    let country = q
        .get("country_code")
        .filter(|c| !c.is_empty())
        .ok_or_else(|| ApiError::missing("country_code"))?;
    // Only KSA (Nafath) and UAE (Uqudo) have ID verification (§5.1e).
    if !["SA", "AE"].contains(&country.as_str()) {
        return Err(ApiError::invalid("country_code", "expected SA or AE"));
    }
    let wanted = national(phone);
    let verified = state.with_store(|store, _| {
        store.orders.values().any(|o| {
            let theirs = o.consumer["phone_number"].as_str().map(national);
            o.approved_at.is_some() && o.country_code == *country && theirs == Some(wanted.clone())
        })
    });
    Ok(Json(json!({ "is_id_verified": verified })))
}

#[cfg(test)]
mod tests {
    use super::national;

    #[test]
    fn one_phone_in_its_written_forms() {
        for p in [
            "966544337766",
            "+966 54 433 7766",
            "00966544337766",
            "0544337766",
        ] {
            assert_eq!(national(p), "544337766", "{p}");
        }
        assert_eq!(national("971501234567"), "501234567");
    }
}
