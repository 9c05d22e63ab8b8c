//! `mizan checkout check` and the check `mizan checkout create` runs first: real payloads pass,
//! the issue's bad requests (from flags and from files) are refused with exit 2 naming the
//! field, and the real simulator over loopback shows that none of them reached it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Env, stderr, stdout};
use serde_json::{Value, json};
use tamara_sandbox::SandboxConfig;

async fn env() -> (Env, tamara_sandbox::SandboxHandle) {
    Env::with_sandbox(SandboxConfig {
        api_tokens: vec!["cli-test-token-000000".into()],
        seed: Some(7),
        ..SandboxConfig::default()
    })
    .await
}

fn fixture(rel: &str) -> Value {
    let path = format!("{}/../../tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn write(env: &Env, name: &str, v: &Value) -> String {
    let path = env.data_dir.path().join(name);
    std::fs::write(&path, serde_json::to_string(v).unwrap()).unwrap();
    path.to_str().unwrap().to_owned()
}

/// The orders the simulator holds: any checkout that reached it is one.
async fn orders_at_the_simulator(env: &Env) -> usize {
    let v: Value = reqwest::get(format!("{}/_sandbox/orders", env.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v.as_array().unwrap().len()
}

#[tokio::test(flavor = "multi_thread")]
async fn check_passes_tamaras_example_and_the_sdks_body_and_prints_exact_json() {
    let (env, sb) = env().await;
    let oas = fixture("openapi/tamara-openapi.json");
    let example =
        &oas["paths"]["/checkout"]["post"]["requestBody"]["content"]["application/json"]["example"];
    let sdk = fixture("php-sdk/createCheckoutSession.json")["body"].clone();
    for (name, body, convention) in [
        ("oas.json", example.clone(), "unit_prices_order_voucher"),
        ("sdk.json", sdk, "items_inclusive"),
    ] {
        let file = write(&env, name, &body);
        let out = env.mizan(&["--json", "checkout", "check", &file]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(v["ok"], true);
        assert_eq!(v["errors"], 0);
        assert_eq!(v["convention"], convention);
        let first = &v["findings"][0];
        assert!(
            first["path"].is_string() && first["code"].is_string() && first["message"].is_string()
        );
        let out = env.mizan(&["checkout", "check", &file]);
        assert!(
            stdout(&out).contains(&format!("adds up as {convention}")),
            "{}",
            stdout(&out)
        );
    }
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn check_exits_1_on_errors_and_keeps_the_terminal_safe() {
    let (env, sb) = env().await;
    let mut body = fixture("php-sdk/createCheckoutSession.json")["body"].clone();
    body["items"][0]["quantity"] = json!(0);
    body["evil\u{1b}]0;pwned\u{7}"] = json!(1);
    let file = write(&env, "bad.json", &body);
    let out = env.mizan(&["checkout", "check", &file]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("items[0].quantity") && text.contains("quantity_below_one"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}') && text.contains("\\x1b"), "{text}");
    let out = env.mizan(&["--json", "checkout", "check", &file]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["ok"], false);
    let err: Value = serde_json::from_str(stderr(&out).trim()).unwrap();
    assert_eq!(err["error"]["code"], "invalid_input");
    let out = env.mizan(&["checkout", "check", "/nonexistent.json"]);
    assert_eq!(out.status.code(), Some(2));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_refuses_the_issues_bad_requests_before_any_request() {
    let (env, sb) = env().await;
    let flags = |extra: &[&str]| {
        let mut a = vec![
            "checkout",
            "create",
            "--reference",
            "BAD",
            "--amount",
            "100",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()
    };
    let flag_cases: Vec<(Vec<String>, &str)> = vec![
        (flags(&["--shipping", "500"]), "--shipping"),
        (flags(&["--shipping=-5"]), "--shipping"),
        (flags(&["--tax=-1"]), "--tax"),
        (flags(&["--instalments", "0"]), "--instalments"),
        (flags(&["--instalments", "13"]), "--instalments"),
        (flags(&["--phone", "call me"]), "--phone"),
        (flags(&["--success-url", "/ok"]), "--success-url"),
        (
            flags(&["--currency", "KWD", "--country", "SA"]),
            "--country",
        ),
    ];
    for (args, needle) in &flag_cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = env.mizan(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    }

    let sar = |a: Value| json!({"amount": a, "currency": "SAR"});
    let sdk = fixture("php-sdk/createCheckoutSession.json")["body"].clone();
    let with = |f: &dyn Fn(&mut Value)| {
        let mut v = sdk.clone();
        f(&mut v);
        v
    };
    let file_cases: Vec<(Value, &str)> = vec![
        (
            with(&|v| {
                v["items"][0]["total_amount"] = sar(json!(40));
                v["items"][0]["tax_amount"] = sar(json!(0));
                v["tax_amount"] = sar(json!(0));
                v["shipping_amount"] = sar(json!(0));
                v["total_amount"] = sar(json!(100));
            }),
            "40.00 SAR",
        ),
        (
            with(&|v| v["items"][0]["quantity"] = json!(0)),
            "items[0].quantity",
        ),
        (
            with(&|v| v["discount"]["amount"] = sar(json!(300))),
            "discount.amount.amount",
        ),
        (
            with(&|v| v["shipping_amount"] = sar(json!(-19.5))),
            "shipping_amount.amount",
        ),
        (
            with(&|v| v["tax_amount"] = sar(json!(-30))),
            "tax_amount.amount",
        ),
        (
            with(&|v| v["items"][0]["total_amount"] = sar(json!(-230))),
            "items[0].total_amount.amount",
        ),
        (with(&|v| v["instalments"] = json!(0)), "instalments"),
    ];
    for (i, (body, needle)) in file_cases.iter().enumerate() {
        let file = write(&env, &format!("bad-{i}.json"), body);
        let out = env.mizan(&["checkout", "create", "--file", &file]);
        assert_eq!(out.status.code(), Some(2), "case {i}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(needle) && err.contains("nothing was sent"),
            "case {i}: {err}"
        );
    }
    assert_eq!(
        orders_at_the_simulator(&env).await,
        0,
        "no request reached the simulator"
    );

    // The same simulator takes good requests: the SDK's body (its `[]` and `null` habits read
    // as absent; a description and instalments, which the client's own guard wants), and flags
    // whose shipping and tax fit inside the amount.
    let good = with(&|v| {
        v["description"] = json!("Desk lamp");
        v["instalments"] = json!(3);
    });
    let file = write(&env, "good.json", &good);
    let out = env.mizan(&["checkout", "create", "--file", &file]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env.mizan(&[
        "--json",
        "checkout",
        "create",
        "--reference",
        "OK-2",
        "--amount",
        "100",
        "--shipping",
        "10",
        "--tax",
        "13.04",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(orders_at_the_simulator(&env).await, 2);
    sb.shutdown().await;
}
