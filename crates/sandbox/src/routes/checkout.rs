//! `POST /checkout` (§5.2) and `GET /checkout/payment-types` (§5.1a).
//!
//! Checkout validation follows the documented required fields, except `payment_type` and
//! `instalments`: Tamara's own request example omits both, so by default a missing
//! `payment_type` is `PAY_BY_INSTALMENTS` and missing instalments are 3 (`strict_instalments`
//! enforces the OAS `required` list instead, §5.2 [SIM]). The total's currency must be the
//! country's (`not_supported_country_currency`, the OAS 400 example); every other money object
//! must share it (`total_amount_invalid_currency`). Merchant min/max limits are published by
//! payment-types but NOT enforced at checkout (only the schema minimum 0.1 is), so tests can
//! use any amount. Optional objects may be absent, `null` or PHP's `[]` (the PHP SDK's forms).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use crate::errors::{ApiError, ApiResult};
use crate::json::{
    as_object, get, max_len, opt_bool, opt_obj, opt_str, opt_u32, parse_body, req_obj, req_str,
    req_str_or_empty,
};
use crate::money::{Currency, Money, parse_money};
use crate::orders::{MerchantUrls, Order, Status};
use crate::state::AppState;

/// Instalments of a `PAY_BY_INSTALMENTS` checkout that names none (§5.2 [SIM]).
pub(crate) const DEFAULT_INSTALMENTS: u32 = 3;

const PAYMENT_TYPES: [&str; 4] = [
    "PAY_BY_INSTALMENTS",
    "PAY_NOW",
    "PAY_BY_LATER",
    "PAY_NEXT_MONTH",
];

/// Money at `field` of `obj`, required, in `currency`.
fn money_in(obj: &Map<String, Value>, field: &str, path: &str, cur: Currency) -> ApiResult<Money> {
    let m = parse_money(get(obj, field), path)?;
    if m.currency != cur {
        return Err(ApiError::currency_mismatch(path));
    }
    if m.amount < Decimal::ZERO {
        return Err(ApiError::invalid(
            &format!("{path}.amount"),
            "must not be negative",
        ));
    }
    Ok(m)
}

fn opt_money_in(
    obj: &Map<String, Value>,
    field: &str,
    path: &str,
    cur: Currency,
) -> ApiResult<Option<Money>> {
    match get(obj, field) {
        Value::Null => Ok(None),
        _ => money_in(obj, field, path, cur).map(Some),
    }
}

/// 400 `not_supported_country_currency` unless `money.currency` is `country`'s currency
/// (Qatar only when `qatar` is on, §3.2). A missing or non-string currency passes here:
/// `parse_money` names that field precisely.
pub(crate) fn check_pair(country: &str, money: &Value, qatar: bool) -> ApiResult<()> {
    let Some(code) = money.get("currency").and_then(Value::as_str) else {
        return Ok(());
    };
    let currency = match country {
        "QA" if qatar => Some(Currency::Qar),
        _ => Currency::for_country(country),
    };
    match currency {
        Some(c) if c.code() == code => Ok(()),
        _ => Err(ApiError::unsupported_pair()),
    }
}

/// `additional_data` as order details show it: what the merchant sent, plus Tamara's own
/// flags (the OAS detail examples always carry both; the merchant cannot set them).
pub(crate) fn additional_data(given: Option<&Map<String, Value>>, from_link: bool) -> Value {
    let mut out = given.cloned().unwrap_or_default();
    out.insert("single_checkout".to_owned(), Value::Bool(false));
    out.insert(
        "from_in_store_payment_link".to_owned(),
        Value::Bool(from_link),
    );
    Value::Object(out)
}

fn check_url(raw: &str, field: &str) -> ApiResult<()> {
    url::Url::parse(raw)
        .map(|_| ())
        .map_err(|_| ApiError::invalid(field, "not a valid URL"))
}

/// Validates one item and returns its wire form (amounts normalised, optional keys filled).
pub(crate) fn item(v: &Value, path: &str, cur: Currency) -> ApiResult<Value> {
    let o = as_object(v, path)?;
    let name = req_str(o, path, "name")?;
    max_len(&name, &format!("{path}.name"), 255)?;
    let sku = req_str(o, path, "sku")?;
    max_len(&sku, &format!("{path}.sku"), 128)?;
    let quantity = opt_u32(o, path, "quantity")?
        .ok_or_else(|| ApiError::missing(&format!("{path}.quantity")))?;
    let total = money_in(o, "total_amount", &format!("{path}.total_amount"), cur)?;
    let mut out = json!({
        "reference_id": req_str(o, path, "reference_id")?,
        "type": req_str_or_empty(o, path, "type")?,
        "name": name,
        "sku": sku,
        "quantity": quantity,
    });
    for key in ["unit_price", "tax_amount", "discount_amount"] {
        let m = opt_money_in(o, key, &format!("{path}.{key}"), cur)?;
        out[key] = m.unwrap_or(Money::zero(cur)).to_json();
    }
    out["total_amount"] = total.to_json();
    for key in ["image_url", "item_url"] {
        let s = opt_str(o, path, key)?.unwrap_or_default();
        max_len(&s, &format!("{path}.{key}"), 1024)?;
        out[key] = Value::String(s);
    }
    Ok(out)
}

/// Echoes an object, filling absent keys with neutral defaults (order details show them).
fn with_defaults(o: &Map<String, Value>, defaults: &[(&str, Value)]) -> Value {
    let mut out = o.clone();
    for (k, v) in defaults {
        out.entry(k.to_string()).or_insert_with(|| v.clone());
    }
    Value::Object(out)
}

fn address(o: &Map<String, Value>, path: &str) -> ApiResult<Value> {
    for key in ["first_name", "last_name", "line1", "city", "country_code"] {
        req_str(o, path, key)?;
    }
    let empty = || Value::String(String::new());
    Ok(with_defaults(
        o,
        &[
            ("line2", empty()),
            ("region", empty()),
            ("postal_code", empty()),
            ("phone_number", empty()),
        ],
    ))
}

/// Parses and validates a checkout body into a new order.
fn parse_checkout(body: &Value, state: &AppState) -> ApiResult<Order> {
    let o = as_object(body, "body")?;
    let reference = req_str(o, "", "order_reference_id")?;
    let description = req_str_or_empty(o, "", "description")?;
    max_len(&description, "description", 256)?;
    let country = req_str(o, "", "country_code")?;
    check_pair(
        &country,
        get(o, "total_amount"),
        state.config().qatar_supported,
    )?;
    let total = parse_money(get(o, "total_amount"), "total_amount")?;
    let cur = total.currency;
    if total.amount < Decimal::new(1, 1) {
        return Err(ApiError::bad_request(
            "total_amount must be at least 0.1",
            "total_amount_invalid_limit",
        ));
    }
    let shipping = money_in(o, "shipping_amount", "shipping_amount", cur)?;
    let tax = money_in(o, "tax_amount", "tax_amount", cur)?;
    let discount = match opt_obj(o, "", "discount")? {
        None => None,
        Some(d) => {
            // The PHP SDK always sends a discount, `{"name": "", "amount": 0}` when there is none.
            let name = req_str_or_empty(d, "discount", "name")?;
            Some((name, money_in(d, "amount", "discount.amount", cur)?.amount))
        }
    };
    let strict = state.config().strict_instalments;
    let payment_type = match opt_str(o, "", "payment_type")?.filter(|t| !t.is_empty()) {
        Some(t) => t,
        None if strict => return Err(ApiError::missing("payment_type")),
        None => "PAY_BY_INSTALMENTS".to_owned(),
    };
    if !PAYMENT_TYPES.contains(&payment_type.as_str()) {
        return Err(ApiError::invalid("payment_type", "unknown payment type"));
    }
    let mut instalments = opt_u32(o, "", "instalments")?;
    if payment_type == "PAY_BY_INSTALMENTS" {
        match instalments {
            None if strict => return Err(ApiError::missing("instalments")),
            None => instalments = Some(DEFAULT_INSTALMENTS),
            Some(n) if !(2..=12).contains(&n) => {
                return Err(ApiError::invalid("instalments", "must be between 2 and 12"));
            }
            Some(_) => {}
        }
    }
    let items = match get(o, "items") {
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .enumerate()
            .map(|(i, v)| item(v, &format!("items[{i}]"), cur))
            .collect::<ApiResult<Vec<_>>>()?,
        Value::Array(_) | Value::Null => return Err(ApiError::missing("items")),
        _ => return Err(ApiError::invalid("items", "expected an array")),
    };
    let consumer = req_obj(o, "", "consumer")?;
    for key in ["first_name", "last_name", "phone_number"] {
        req_str(consumer, "consumer", key)?;
    }
    let consumer = with_defaults(
        consumer,
        &[
            ("email", Value::String(String::new())),
            ("national_id", Value::String(String::new())),
            ("date_of_birth", Value::Null),
            ("is_first_order", Value::Null),
        ],
    );
    let shipping_address = address(req_obj(o, "", "shipping_address")?, "shipping_address")?;
    let billing_address = match opt_obj(o, "", "billing_address")? {
        Some(b) => address(b, "billing_address")?,
        None => Value::Null,
    };
    let mu = req_obj(o, "", "merchant_url")?;
    let mut urls = Vec::new();
    for key in ["success", "failure", "cancel"] {
        let u = req_str(mu, "merchant_url", key)?;
        check_url(&u, &format!("merchant_url.{key}"))?;
        urls.push(u);
    }
    let notification = opt_str(mu, "merchant_url", "notification")?.filter(|s| !s.is_empty());
    if let Some(n) = &notification {
        check_url(n, "merchant_url.notification")?;
    }
    let [success, failure, cancel] =
        <[String; 3]>::try_from(urls).map_err(|_| ApiError::missing("merchant_url"))?;
    let additional_data = additional_data(opt_obj(o, "", "additional_data")?, false);
    opt_obj(o, "", "risk_assessment")?;
    let order_number = opt_str(o, "", "order_number")?.unwrap_or_else(|| reference.clone());
    // The PHP SDK sends `""` when the merchant set none: Tamara's default then.
    let locale = opt_str(o, "", "locale")?
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| "ar_SA".to_owned());
    let platform = opt_str(o, "", "platform")?.unwrap_or_default();
    let is_mobile = opt_bool(o, "", "is_mobile")?.unwrap_or(false);
    // Ignored unless honoured: Tamara support must enable it (§5.2).
    let session_minutes = match opt_u32(o, "", "expires_in_minutes")? {
        Some(m) if state.config().honour_expires_in_minutes => {
            if !(5..=1440).contains(&m) {
                return Err(ApiError::invalid(
                    "expires_in_minutes",
                    "must be between 5 and 1440",
                ));
            }
            Some(m)
        }
        _ => None,
    };
    // Ids are drawn only after every check passed, so refused requests do not shift the
    // seeded id sequence.
    Ok(Order {
        order_id: state.next_uuid(),
        checkout_id: state.next_uuid(),
        order_number,
        order_reference_id: reference,
        description,
        country_code: country,
        locale,
        payment_type,
        instalments,
        currency: cur,
        total: total.amount,
        shipping: shipping.amount,
        tax: tax.amount,
        discount,
        items,
        consumer,
        shipping_address,
        billing_address,
        merchant_url: MerchantUrls {
            success,
            failure,
            cancel,
            notification,
        },
        platform,
        is_mobile,
        additional_data,
        in_store: false,
        store_code: String::new(),
        status: Status::New,
        created_at: state.clock().now(),
        approved_at: None,
        authorised_at: None,
        captures: Vec::new(),
        refunds: Vec::new(),
        cancels: Vec::new(),
        rules: state.order_rules(),
        session_minutes,
        held_from: None,
    })
}

/// The hosted page of an order's checkout: `checkout_url` online, `checkout_deeplink` in store.
pub(crate) fn checkout_url(state: &AppState, order: &Order) -> ApiResult<String> {
    let mut url = url::Url::parse(&format!(
        "{}/checkout/{}",
        state.base_url(),
        order.checkout_id
    ))
    .map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            e.to_string(),
            "internal_error",
        )
    })?;
    url.query_pairs_mut()
        .append_pair("locale", &order.locale)
        .append_pair("orderId", &order.order_id.to_string());
    Ok(url.into())
}

/// Stores a new order and its checkout session.
pub(crate) fn insert(state: &AppState, order: Order) {
    state.with_store(|store, _| {
        store.checkouts.insert(order.checkout_id, order.order_id);
        store.order_seq.push(order.order_id);
        store.orders.insert(order.order_id, order);
    });
}

/// `POST /checkout`.
pub async fn create(State(state): State<AppState>, body: Bytes) -> ApiResult<Json<Value>> {
    let body = parse_body(&body)?;
    let order = parse_checkout(&body, &state)?;
    let out = json!({
        "order_id": order.order_id,
        "checkout_id": order.checkout_id,
        "checkout_url": checkout_url(&state, &order)?,
        "status": order.status.as_str(),
    });
    insert(&state, order);
    Ok(Json(out))
}
