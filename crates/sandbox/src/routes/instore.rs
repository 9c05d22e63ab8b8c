//! In-store checkout (§5.10): `POST /checkout/in-store-session` (SMS payment link), `POST
//! /checkout/in-store` (QR code, needs `X-Device-Id`) and `POST /checkout/{checkout_id}/void`.
//!
//! In-store requests name no country: it is the currency's, and a currency without a served
//! country answers `not_supported_country_currency` (the OAS 400 example). The orders are
//! ordinary orders flagged `in_store`: approving one (the customer paid) captures it whole, and
//! unpaid sessions expire after 15 minutes (`orders.rs`). Void answers 200 whatever the state,
//! with `message` `success`, `checkout_already_completed` or `checkout_already_expired`; a
//! voided session becomes `expired` (the in-store status set has no `canceled`) [SIM].

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use serde_json::{Map, Value, json};

use super::checkout::{DEFAULT_INSTALMENTS, additional_data, checkout_url, insert, item};
use super::parse_id;
use crate::errors::{ApiError, ApiResult};
use crate::json::{as_object, get, opt_obj, opt_str, opt_u32, parse_body, req_str};
use crate::money::{Currency, Money, parse_money};
use crate::orders::{MerchantUrls, Order, Status};
use crate::state::AppState;

/// The money at `field`, whose currency must belong to a served country.
fn in_store_money(o: &Map<String, Value>, field: &str) -> ApiResult<(Money, &'static str)> {
    let raw = get(o, field);
    if let Some(code) = raw.get("currency").and_then(Value::as_str)
        && Currency::parse(code).and_then(Currency::country).is_none()
    {
        return Err(ApiError::unsupported_pair());
    }
    let m = parse_money(raw, field)?;
    let country = m
        .currency
        .country()
        .ok_or_else(ApiError::unsupported_pair)?;
    if m.amount < rust_decimal::Decimal::new(1, 1) {
        return Err(ApiError::bad_request(
            format!("{field} must be at least 0.1"),
            "total_amount_invalid_limit",
        ));
    }
    Ok((m, country))
}

/// `additional_data` of an in-store request: `store_code` is required when the object is sent.
fn store_code(o: &Map<String, Value>) -> ApiResult<(Option<&Map<String, Value>>, String)> {
    match opt_obj(o, "", "additional_data")? {
        Some(a) => Ok((Some(a), req_str(a, "additional_data", "store_code")?)),
        None => Ok((None, String::new())),
    }
}

/// What differs between the two in-store requests.
struct InStore<'a> {
    total: Money,
    country: &'static str,
    reference: String,
    order_number: Option<String>,
    locale: Option<String>,
    payment_type: String,
    instalments: Option<u32>,
    items: Vec<Value>,
    consumer: Value,
    platform: String,
    additional: (Option<&'a Map<String, Value>>, String),
    from_link: bool,
}

/// Builds the order (ids drawn last, so refused requests do not shift the seeded sequence),
/// stores it and answers `{checkout_id, order_id, checkout_deeplink}`.
fn create(state: &AppState, r: InStore<'_>) -> ApiResult<Json<Value>> {
    let (given, store_code) = r.additional;
    let order = Order {
        order_id: state.next_uuid(),
        checkout_id: state.next_uuid(),
        order_number: r.order_number.unwrap_or_else(|| r.reference.clone()),
        order_reference_id: r.reference,
        description: String::new(),
        country_code: r.country.to_owned(),
        locale: r
            .locale
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| "ar_SA".to_owned()),
        payment_type: r.payment_type,
        instalments: r.instalments,
        currency: r.total.currency,
        total: r.total.amount,
        shipping: rust_decimal::Decimal::ZERO,
        tax: rust_decimal::Decimal::ZERO,
        discount: None,
        items: r.items,
        consumer: r.consumer,
        shipping_address: Value::Null,
        billing_address: Value::Null,
        // The customer pays on Tamara's page or app: there is no merchant page to return to.
        merchant_url: MerchantUrls {
            success: String::new(),
            failure: String::new(),
            cancel: String::new(),
            notification: None,
        },
        platform: r.platform,
        is_mobile: false,
        additional_data: additional_data(given, r.from_link),
        in_store: true,
        store_code,
        status: Status::New,
        created_at: state.clock().now(),
        approved_at: None,
        authorised_at: None,
        captures: Vec::new(),
        refunds: Vec::new(),
        cancels: Vec::new(),
        rules: state.order_rules(),
        session_minutes: None,
        held_from: None,
    };
    let out = json!({
        "checkout_id": order.checkout_id,
        "order_id": order.order_id,
        "checkout_deeplink": checkout_url(state, &order)?,
    });
    insert(state, order);
    Ok(Json(out))
}

/// `POST /checkout/in-store-session`: the customer gets a payment link by SMS.
pub async fn session(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let o = as_object(&body, "body")?;
    let (total, country) = in_store_money(o, "total_amount")?;
    let phone = req_str(o, "", "phone_number")?;
    let email = opt_str(o, "", "email")?.unwrap_or_default();
    let reference = req_str(o, "", "order_reference_id")?;
    let items = match get(o, "items") {
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .enumerate()
            .map(|(i, v)| item(v, &format!("items[{i}]"), total.currency))
            .collect::<ApiResult<Vec<_>>>()?,
        Value::Array(_) | Value::Null => return Err(ApiError::missing("items")),
        _ => return Err(ApiError::invalid("items", "expected an array")),
    };
    let payment_type =
        opt_str(o, "", "payment_type")?.unwrap_or_else(|| "PAY_BY_INSTALMENTS".into());
    let instalments = match payment_type.as_str() {
        "PAY_BY_INSTALMENTS" => match opt_u32(o, "", "instalments")? {
            Some(n) if !(2..=12).contains(&n) => {
                return Err(ApiError::invalid("instalments", "must be between 2 and 12"));
            }
            n => Some(n.unwrap_or(DEFAULT_INSTALMENTS)),
        },
        "PAY_NOW" => None,
        _ => {
            return Err(ApiError::invalid(
                "payment_type",
                "expected PAY_BY_INSTALMENTS or PAY_NOW",
            ));
        }
    };
    // Honoured only once Tamara support enables it; the range is still the documented one.
    if let Some(n) = opt_u32(o, "", "expiry_time")?
        && !(5..=1440).contains(&n)
    {
        return Err(ApiError::invalid(
            "expiry_time",
            "must be between 5 and 1440 minutes",
        ));
    }
    let consumer = json!({ "first_name": "", "last_name": "", "email": email,
        "phone_number": phone, "national_id": "", "date_of_birth": null, "is_first_order": null });
    let r = InStore {
        total,
        country,
        reference,
        order_number: opt_str(o, "", "order_number")?,
        locale: opt_str(o, "", "locale")?,
        payment_type,
        instalments,
        items,
        consumer,
        platform: String::new(),
        additional: store_code(o)?,
        from_link: true,
    };
    create(&state, r)
}

/// `POST /checkout/in-store`: a QR code shown on the POS device named by `X-Device-Id`.
pub async fn qr(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let device = headers
        .get("x-device-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    if device.is_none() {
        return Err(ApiError::missing("X-Device-Id"));
    }
    let body = parse_body(&body)?;
    let o = as_object(&body, "body")?;
    let (total, country) = in_store_money(o, "amount")?;
    let platform = req_str(o, "", "platform")?;
    let consumer = json!({ "first_name": "", "last_name": "", "email": "", "phone_number": "",
        "national_id": "", "date_of_birth": null, "is_first_order": null });
    let r = InStore {
        total,
        country,
        reference: opt_str(o, "", "order_reference_id")?.unwrap_or_default(),
        order_number: opt_str(o, "", "order_number")?,
        locale: opt_str(o, "", "locale")?,
        payment_type: "PAY_BY_INSTALMENTS".to_owned(),
        instalments: Some(DEFAULT_INSTALMENTS),
        items: Vec::new(),
        consumer,
        platform,
        additional: store_code(o)?,
        from_link: false,
    };
    create(&state, r)
}

/// `POST /checkout/{checkout_id}/void?order_id=…[&store_code=…]`. The PHP SDK sends the two
/// fields as a JSON body instead; both are read, the query wins (§15).
pub async fn void(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> ApiResult<Json<Value>> {
    let checkout_id = parse_id(&raw, "Checkout")?;
    let body = parse_body(&body)?;
    let o = as_object(&body, "body")?;
    let pick = |key: &str| -> ApiResult<Option<String>> {
        match q.get(key).filter(|v| !v.is_empty()) {
            Some(v) => Ok(Some(v.clone())),
            None => Ok(opt_str(o, "", key)?.filter(|v| !v.is_empty())),
        }
    };
    let order_id = pick("order_id")?.ok_or_else(|| ApiError::missing("order_id"))?;
    let order_id = parse_id(&order_id, "Checkout")?;
    let store_code = pick("store_code")?;
    let known = state.with_store(|s, _| s.checkouts.get(&checkout_id) == Some(&order_id));
    if !known {
        return Err(ApiError::not_found("Checkout"));
    }
    state.apply(order_id, |o, _, _| {
        let (voided, message, events) = match o.status {
            Status::New => (true, "success", o.expire()?),
            Status::Expired | Status::Declined => (false, "checkout_already_expired", Vec::new()),
            _ => (false, "checkout_already_completed", Vec::new()),
        };
        let out = json!({
            "order_was_voided": voided,
            "captured_amount": o.money(o.captured()).to_json(),
            "message": message,
            "store_code": store_code.unwrap_or_else(|| o.store_code.clone()),
        });
        Ok((Json(out), events))
    })
}
