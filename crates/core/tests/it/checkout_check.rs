//! The checkout payload checker against the payloads real sources send: Tamara's own OpenAPI
//! example, every request the official PHP SDK was recorded sending, and the reference's
//! example must pass without an error; the issue's bad cases must each be an error at the
//! right path. Also: the vendored schema is exactly the OpenAPI file's.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mizan_core::Environment;
use mizan_core::checkout::{self, CheckCode, CheckReport, Severity, schema};
use serde_json::{Value, json};

fn fixture(rel: &str) -> Value {
    let path = format!("{}/../../tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn openapi_checkout() -> Value {
    fixture("openapi/tamara-openapi.json")["paths"]["/checkout"]["post"]["requestBody"]["content"]
        ["application/json"]
        .clone()
}

fn check(v: &Value) -> CheckReport {
    checkout::check(v, Environment::Sandbox)
}

fn assert_no_errors(name: &str, r: &CheckReport) {
    let errors: Vec<_> = r.errors().collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
}

#[test]
fn the_vendored_schema_is_the_openapi_files() {
    let vendored: Value = serde_json::from_str(schema::OPENAPI_SCHEMA).unwrap();
    assert_eq!(vendored, openapi_checkout()["schema"]);
}

#[test]
fn tamaras_openapi_example_passes_and_says_how_it_adds_up() {
    let r = check(&openapi_checkout()["example"]);
    assert_no_errors("OpenAPI example", &r);
    assert_eq!(r.convention.as_deref(), Some("unit_prices_order_voucher"));
    let codes: Vec<_> = r
        .findings
        .iter()
        .map(|f| (f.path.as_str(), f.code))
        .collect();
    // What the example really does wrong, as warnings: no payment type, http:// redirects,
    // an item whose total agrees with none of its own numbers, an undeclared risk key.
    for expected in [
        ("payment_type", CheckCode::PaymentTypeMissing),
        ("merchant_url.success", CheckCode::UrlNotHttps),
        ("items[0].total_amount.amount", CheckCode::ItemTotalMismatch),
        (
            "risk_assessment.phone_verified",
            CheckCode::FieldNotInSchema,
        ),
    ] {
        assert!(codes.contains(&expected), "{expected:?} in {codes:#?}");
    }
}

#[test]
fn every_recorded_php_sdk_checkout_passes() {
    let sdk = fixture("php-sdk/createCheckoutSession.json");
    let mut bodies = vec![("body".to_owned(), sdk["body"].clone())];
    for v in sdk["variants"].as_array().unwrap() {
        bodies.push((v["name"].as_str().unwrap().to_owned(), v["body"].clone()));
    }
    assert!(bodies.len() >= 6);
    for (name, body) in &bodies {
        let r = check(body);
        assert_no_errors(name, &r);
        assert_eq!(r.convention.as_deref(), Some("items_inclusive"), "{name}");
        // The SDK's `[]`, `null` and `""` habits are never findings of their own.
        for f in &r.findings {
            assert!(
                !f.path.starts_with("risk_assessment") && f.path != "billing_address",
                "{name}: {f:?}"
            );
        }
    }
    let legacy = &bodies
        .iter()
        .find(|(n, _)| n == "pay_by_later_with_instalments_set")
        .unwrap()
        .1;
    let r = check(legacy);
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == CheckCode::PaymentTypeLegacy)
    );
}

#[test]
fn the_reference_example_passes_with_tax_added() {
    let r = check(&fixture("reference/checkout_request.json"));
    assert_no_errors("reference", &r);
    assert_eq!(r.convention.as_deref(), Some("tax_added"));
    assert_eq!(r.count(Severity::Warning), 0, "{:#?}", r.findings);
}

/// The PHP SDK's body with one change.
fn sdk_with(change: impl FnOnce(&mut Value)) -> Value {
    let mut v = fixture("php-sdk/createCheckoutSession.json")["body"].clone();
    change(&mut v);
    v
}

fn errors_at(r: &CheckReport) -> Vec<(String, CheckCode)> {
    r.errors().map(|f| (f.path.clone(), f.code)).collect()
}

#[test]
fn the_issues_bad_cases_are_errors_at_their_field() {
    let sar = |a: Value| json!({"amount": a, "currency": "SAR"});
    let cases: Vec<(&str, Value, (&str, CheckCode))> = vec![
        (
            "shipping 500 on a total of 100",
            sdk_with(|v| {
                v["total_amount"] = sar(json!(100));
                v["items"][0]["total_amount"] = sar(json!(100));
                v["items"][0]["tax_amount"] = sar(json!(0));
                v["tax_amount"] = sar(json!(0));
                v["shipping_amount"] = sar(json!(500));
            }),
            ("total_amount.amount", CheckCode::TotalsMismatch),
        ),
        (
            "items adding to 40 against 100",
            sdk_with(|v| {
                v["total_amount"] = sar(json!(100));
                v["shipping_amount"] = sar(json!(0));
                v["tax_amount"] = sar(json!(0));
                v["items"][0]["tax_amount"] = sar(json!(0));
                v["items"][0]["total_amount"] = sar(json!(40));
            }),
            ("total_amount.amount", CheckCode::TotalsMismatch),
        ),
        (
            "quantity 0",
            sdk_with(|v| v["items"][0]["quantity"] = json!(0)),
            ("items[0].quantity", CheckCode::QuantityBelowOne),
        ),
        (
            "a discount larger than the total",
            sdk_with(|v| v["discount"]["amount"] = sar(json!(300))),
            ("discount.amount.amount", CheckCode::DiscountExceedsTotal),
        ),
        (
            "negative shipping",
            sdk_with(|v| v["shipping_amount"] = sar(json!(-19.5))),
            ("shipping_amount.amount", CheckCode::AmountNegative),
        ),
        (
            "negative tax",
            sdk_with(|v| v["tax_amount"] = sar(json!(-30))),
            ("tax_amount.amount", CheckCode::AmountNegative),
        ),
        (
            "a negative item",
            sdk_with(|v| v["items"][0]["total_amount"] = sar(json!(-230))),
            ("items[0].total_amount.amount", CheckCode::AmountNegative),
        ),
        (
            "instalments 0",
            sdk_with(|v| v["instalments"] = json!(0)),
            ("instalments", CheckCode::InstalmentsOutOfRange),
        ),
    ];
    for (name, body, expected) in cases {
        let r = check(&body);
        let errors = errors_at(&r);
        assert!(
            errors.contains(&(expected.0.to_owned(), expected.1)),
            "{name}: expected {expected:?} in {errors:#?}"
        );
    }
}

#[test]
fn schema_and_rules_together_on_a_broken_body() {
    let r = checkout::check_text(
        r#"{"total_amount": {"amount": "1O", "currency": "SAR"}, "items": [{"quantity": "2"}]}"#,
        Environment::Sandbox,
    );
    let errors = errors_at(&r);
    for expected in [
        ("consumer", CheckCode::MissingField),
        ("items[0].quantity", CheckCode::WrongType),
        ("items[0].sku", CheckCode::MissingField),
        ("total_amount.amount", CheckCode::AmountNotANumber),
    ] {
        assert!(
            errors.contains(&(expected.0.to_owned(), expected.1)),
            "{expected:?} in {errors:#?}"
        );
    }
    assert_eq!(r.findings[0].severity, Severity::Error, "errors come first");
}

#[tokio::test]
async fn the_desktop_checks_under_the_active_environments_rules() {
    let dir = tempfile::tempdir().unwrap();
    let body = fixture("reference/checkout_request.json").to_string();
    let insecure = body.replace("https://", "http://");
    let sandbox = crate::common::console(dir.path(), &[]).await;
    let r = mizan_core::desktop::checkout::check(&sandbox, &insecure);
    assert_no_errors("sandbox", &r);
    assert!(r.findings.iter().any(|f| f.code == CheckCode::UrlNotHttps));
    sandbox.store().close().await;
    let production = crate::common::console(dir.path(), &[("MIZAN_ENV", "production")]).await;
    let r = mizan_core::desktop::checkout::check(&production, &insecure);
    let errors = errors_at(&r);
    assert!(
        errors.contains(&("merchant_url.success".to_owned(), CheckCode::UrlNotHttps)),
        "{errors:?}"
    );
    assert_no_errors(
        "production, https",
        &mizan_core::desktop::checkout::check(&production, &body),
    );
}
