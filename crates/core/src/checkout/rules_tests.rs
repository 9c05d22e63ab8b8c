//! One test or more per rule of the checker's rules layer.

use serde_json::{Value, json};

use super::*;
use crate::checkout::contact::{phone_problem, url_problem};

/// A body every rule is happy with; tests break one thing at a time.
fn good() -> Value {
    let sar = |a: i64| json!({"amount": a, "currency": "SAR"});
    json!({
        "total_amount": sar(100), "shipping_amount": sar(0), "tax_amount": sar(0),
        "country_code": "SA", "payment_type": "PAY_BY_INSTALMENTS", "instalments": 3,
        "items": [{"quantity": 1, "unit_price": sar(100), "total_amount": sar(100)}],
        "consumer": {"phone_number": "544337866"},
        "shipping_address": {"country_code": "SA", "phone_number": "966544337866"},
        "merchant_url": {"success": "https://shop.example/ok", "failure": "https://shop.example/f",
                         "cancel": "https://shop.example/c"}
    })
}

fn codes(v: &Value) -> Vec<(String, Severity, CheckCode)> {
    check(v, Environment::Sandbox)
        .into_iter()
        .map(|f| (f.path, f.severity, f.code))
        .collect()
}

fn with(path: &[&str], value: Value) -> Value {
    let mut v = good();
    let mut cur = &mut v;
    for p in &path[..path.len() - 1] {
        cur = match p.parse::<usize>() {
            Ok(i) => &mut cur[i],
            Err(_) => &mut cur[*p],
        };
    }
    cur[path[path.len() - 1]] = value;
    v
}

fn one(v: &Value) -> (String, Severity, CheckCode) {
    let c = codes(v);
    assert_eq!(c.len(), 1, "{c:?}");
    c.into_iter().next().unwrap()
}

#[test]
fn the_good_body_has_nothing_to_say() {
    assert_eq!(codes(&good()), vec![]);
}

#[test]
fn negative_amounts_are_errors() {
    for p in [
        &["shipping_amount", "amount"][..],
        &["tax_amount", "amount"],
        &["items", "0", "unit_price", "amount"],
    ] {
        let (path, sev, code) = one(&with(p, json!(-5)));
        assert_eq!(
            (sev, code),
            (Severity::Error, CheckCode::AmountNegative),
            "{path}"
        );
    }
}

#[test]
fn precision_follows_the_currency() {
    let (path, _, code) = one(&with(&["shipping_amount", "amount"], json!(1.005)));
    assert_eq!(
        (path.as_str(), code),
        ("shipping_amount.amount", CheckCode::AmountPrecision)
    );
    let kwd = |a: f64| json!({"amount": a, "currency": "KWD"});
    let mut v = good();
    v["country_code"] = json!("KW");
    for k in ["total_amount", "shipping_amount", "tax_amount"] {
        v[k] = kwd(0.0);
    }
    v["total_amount"] = json!({"amount": 1.005, "currency": "KWD"});
    v["items"][0]["unit_price"] = json!({"amount": 1.005, "currency": "KWD"});
    v["items"][0]["total_amount"] = json!({"amount": 1.005, "currency": "KWD"});
    v["shipping_address"]["country_code"] = json!("KW");
    assert_eq!(codes(&v), vec![]);
}

#[test]
fn strings_are_read_but_noted_and_garbage_is_an_error() {
    let (_, sev, code) = one(&with(&["tax_amount", "amount"], json!("0.00")));
    assert_eq!((sev, code), (Severity::Info, CheckCode::AmountAsString));
    let (_, sev, code) = one(&with(&["tax_amount", "amount"], json!("ten")));
    assert_eq!((sev, code), (Severity::Error, CheckCode::AmountNotANumber));
}

#[test]
fn one_currency_per_order_and_the_countrys() {
    let (path, _, code) = one(&with(&["tax_amount", "currency"], json!("AED")));
    assert_eq!(
        (path.as_str(), code),
        ("tax_amount.currency", CheckCode::CurrencyMismatch)
    );
    let (_, _, code) = one(&with(&["tax_amount", "currency"], json!("USD")));
    assert_eq!(code, CheckCode::NotAllowedValue);
    let mut v = with(&["country_code"], json!("AE"));
    v["shipping_address"]["country_code"] = json!("AE");
    v["consumer"]["phone_number"] = json!("501234567");
    v["shipping_address"]["phone_number"] = json!("971501234567");
    let (path, sev, code) = one(&v);
    assert_eq!(
        (path.as_str(), sev, code),
        (
            "country_code",
            Severity::Error,
            CheckCode::CountryCurrencyMismatch
        )
    );
    let (_, sev, code) = one(&with(&["country_code"], json!("US")));
    assert_eq!((sev, code), (Severity::Error, CheckCode::NotAllowedValue));
}

#[test]
fn an_address_in_another_country_is_a_warning() {
    let mut v = with(&["shipping_address", "country_code"], json!("AE"));
    v["shipping_address"]["phone_number"] = json!("");
    let (_, sev, code) = one(&v);
    assert_eq!(
        (sev, code),
        (Severity::Warning, CheckCode::AddressCountryDiffers)
    );
}

#[test]
fn quantities_and_discounts() {
    let (path, _, code) = one(&with(&["items", "0", "quantity"], json!(0)));
    assert_eq!(
        (path.as_str(), code),
        ("items[0].quantity", CheckCode::QuantityBelowOne)
    );
    let (_, sev, code) = one(&with(&["items", "0", "quantity"], json!(1.5)));
    assert_eq!(
        (sev, code),
        (Severity::Warning, CheckCode::QuantityNotInteger)
    );
    let (_, _, code) = one(&with(
        &["discount"],
        json!({"name": "x", "amount": {"amount": 150, "currency": "SAR"}}),
    ));
    assert_eq!(code, CheckCode::DiscountExceedsTotal);
    let (_, _, code) = one(&with(
        &["items", "0", "discount_amount"],
        json!({"amount": 101, "currency": "SAR"}),
    ));
    assert_eq!(code, CheckCode::ItemDiscountExceedsPrice);
    let (_, _, code) = one(&with(&["items"], json!([])));
    assert_eq!(code, CheckCode::ItemsEmpty);
    let (_, _, code) = one(&with(&["total_amount", "amount"], json!(0.05)));
    assert_eq!(code, CheckCode::TotalTooSmall);
}

#[test]
fn phone_formats() {
    let ok = ["544337866", "966544337866", "+966544337866"];
    for p in ok {
        assert_eq!(phone_problem(p, "SA", true), None, "{p}");
    }
    assert_eq!(phone_problem("36001234", "BH", true), None);
    assert_eq!(
        phone_problem("96550001234", "KW", true),
        None,
        "no Tamara rule for KW: length only"
    );
    let warn = |p: &str, c: &str| phone_problem(p, c, true).map(|x| x.1);
    assert_eq!(
        warn("0544337866", "SA"),
        Some(CheckCode::PhoneUnexpectedFormat)
    );
    assert_eq!(
        warn("966 54 433 7866", "SA"),
        Some(CheckCode::PhoneUnexpectedFormat)
    );
    assert_eq!(
        warn("644337866", "AE"),
        Some(CheckCode::PhoneUnexpectedFormat)
    );
    assert_eq!(warn("call me", "SA"), Some(CheckCode::PhoneInvalid));
    assert_eq!(warn("12345", "SA"), Some(CheckCode::PhoneInvalid));
    assert_eq!(warn("", "SA"), Some(CheckCode::PhoneInvalid));
    assert_eq!(
        phone_problem("", "SA", false),
        None,
        "an address may leave it empty"
    );
    let (path, _, _) = one(&with(&["consumer", "phone_number"], json!("abc")));
    assert_eq!(path, "consumer.phone_number");
}

#[test]
fn redirect_urls() {
    let sb = Environment::Sandbox;
    assert_eq!(url_problem("https://shop.example/ok", sb), None);
    let code = |u: &str, e| url_problem(u, e).map(|x| (x.0, x.1));
    assert_eq!(
        code("http://shop.example/ok", sb),
        Some((Severity::Warning, CheckCode::UrlNotHttps))
    );
    assert_eq!(
        code("http://shop.example/ok", Environment::Production),
        Some((Severity::Error, CheckCode::UrlNotHttps))
    );
    assert_eq!(
        code("http://127.0.0.1:8766/checkout/success", sb),
        Some((Severity::Info, CheckCode::UrlLoopback))
    );
    assert_eq!(
        code("http://localhost/x", sb),
        Some((Severity::Info, CheckCode::UrlLoopback))
    );
    assert_eq!(
        code("/relative", sb),
        Some((Severity::Error, CheckCode::UrlInvalid))
    );
    assert_eq!(
        code("ftp://shop.example/", sb),
        Some((Severity::Error, CheckCode::UrlInvalid))
    );
    let (path, _, _) = one(&with(&["merchant_url", "notification"], json!("nope")));
    assert_eq!(path, "merchant_url.notification");
}

#[test]
fn payment_types_and_instalments() {
    for bad in [json!(0), json!(1), json!(13), json!(2.5), json!("3")] {
        let (path, sev, code) = one(&with(&["instalments"], bad.clone()));
        assert_eq!(
            (path.as_str(), sev, code),
            (
                "instalments",
                Severity::Error,
                CheckCode::InstalmentsOutOfRange
            ),
            "{bad}"
        );
    }
    for fine in [2, 12] {
        assert_eq!(codes(&with(&["instalments"], json!(fine))), vec![]);
    }
    let mut v = with(&["payment_type"], json!("PAY_NOW"));
    assert_eq!(one(&v).2, CheckCode::InstalmentsIgnored);
    v.as_object_mut().unwrap().remove("instalments");
    assert_eq!(codes(&v), vec![]);
    assert_eq!(
        one(&with(&["instalments"], Value::Null)).2,
        CheckCode::InstalmentsMissing
    );
    assert_eq!(
        one(&with(&["payment_type"], json!("CRYPTO"))).2,
        CheckCode::PaymentTypeUnknown
    );
    assert_eq!(
        one(&with(&["payment_type"], json!("PAY_BY_LATER"))).1,
        Severity::Warning
    );
    let mut v = good();
    v.as_object_mut().unwrap().remove("payment_type");
    assert_eq!(one(&v).2, CheckCode::PaymentTypeMissing);
}
