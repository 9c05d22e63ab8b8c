//! `mizan disputes` and the disputes part of `mizan orders show`, against the real `mizan
//! serve` receiving the simulator's signed dispute events, and the SQLite file they share.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use crate::common;

use common::{Env, free_port, stderr, stdout, terminate, wait_listening};
use serde_json::{Value, json};
use tamara::Sensitive;
use tamara_sandbox::SandboxConfig;
use tamara_sandbox::disputes::DISPUTE_EVENTS;

const API_TOKEN: &str = "disputes-test-api-token-0001";
const NOTIFICATION_TOKEN: &str = "disputes-test-notification-token-0001";
const NOTIF: (&str, &str) = ("MIZAN_SANDBOX_NOTIFICATION_TOKEN", NOTIFICATION_TOKEN);
const PATH: (&str, &str) = (
    "MIZAN_SANDBOX_DISPUTES_PATH",
    "/external/merchants/orders/disputes/",
);

fn json_of(o: &std::process::Output) -> Value {
    assert!(o.status.success(), "{} / {}", stdout(o), stderr(o));
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} / {}", stdout(o), stderr(o)))
}

async fn post(url: String, body: Value) -> reqwest::Response {
    let r = reqwest::Client::new()
        .post(url)
        .bearer_auth(API_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r
}

async fn get_json(url: String) -> (u16, Value) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Polls `mizan --json disputes list` until `ok` holds (10 s at most).
async fn wait_list(env: &Env, ok: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let v = json_of(&env.mizan_with(&["--json", "disputes", "list"], &[PATH]));
        if ok(&v) {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "never reached: {}",
        stdout(&env.mizan_with(&["--json", "disputes", "list"], &[PATH]))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disputes_arrive_through_serve_and_are_listed_shown_refreshed_and_commented() {
    let (env, sb) = Env::with_sandbox(SandboxConfig {
        api_tokens: vec![API_TOKEN.into()],
        notification_token: NOTIFICATION_TOKEN.into(),
        seed: Some(77),
        dispute_api_enabled: true,
        ..SandboxConfig::default()
    })
    .await;
    let port = free_port();
    let mut serve = env.spawn_serve(port, &[NOTIF, PATH]);
    wait_listening(port).await;
    let hook = format!("http://127.0.0.1:{port}/webhooks/tamara");
    // `--type dispute` alone subscribes to the six dispute events, as a webhook of its own type.
    let reg = json_of(&env.mizan(&[
        "--json",
        "webhooks",
        "register",
        "--type",
        "dispute",
        "--url",
        &hook,
        "--allow-http-loopback",
    ]));
    let (_, hooks) = get_json(format!("{}/_sandbox/webhooks", env.base_url)).await;
    let events: Vec<&str> = hooks[0]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(events, DISPUTE_EVENTS, "{reg}");
    let created = json_of(&env.mizan(&[
        "--json",
        "checkout",
        "create",
        "--reference",
        "DSP-CLI-1",
        "--amount",
        "250",
    ]));
    let order = created["order_id"].as_str().unwrap().to_owned();
    post(
        format!("{}/_sandbox/orders/{order}/approve", env.base_url),
        json!({}),
    )
    .await;
    assert!(env.mizan(&["orders", "fetch", &order]).status.success());
    post(
        format!("{}/_sandbox/orders/{order}/disputes", env.base_url),
        json!({"amount": {"amount": 100, "currency": "SAR"}}),
    )
    .await;

    let v = wait_list(&env, |v| {
        v["disputes"].as_array().is_some_and(|d| !d.is_empty())
    })
    .await;
    let d = &v["disputes"][0];
    assert_eq!(d["dispute_id"], "1");
    assert_eq!(d["order_id"], order.as_str());
    assert_eq!(d["status"], "awaiting_merchant_response");
    assert_eq!(
        (d["amount"].as_str(), d["currency"].as_str()),
        (Some("100.00"), Some("SAR"))
    );
    assert_eq!(d["days_left"], 7);
    assert_eq!(v["response_days"], 7);
    assert_eq!(v["api_configured"], true);

    let out = env.mizan(&["disputes", "list", "--open"]);
    let text = stdout(&out);
    assert!(
        text.contains("DAYS LEFT") && text.contains("awaiting_merchant_response"),
        "{text}"
    );
    assert!(
        text.contains("DSP-CLI-1") && text.contains("100.00 SAR"),
        "{text}"
    );

    let shown = json_of(&env.mizan(&["--json", "orders", "show", &order]));
    assert_eq!(
        shown["disputes"]["events"][0]["event_type"],
        "OrderDisputeAwaitingMerchantResponse"
    );
    let text = stdout(&env.mizan(&["orders", "show", &order]));
    assert!(
        text.contains("Dispute events") && text.contains("OrderDisputeAwaiting"),
        "{text}"
    );

    let r = json_of(&env.mizan_with(&["--json", "disputes", "refresh"], &[PATH]));
    assert_eq!(r, json!({"listed": 1, "total": 1}));
    let out = env.mizan_with(
        &["disputes", "comment", "1", "Shipped with tracking 42"],
        &[PATH],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json_of(&env.mizan_with(&["--json", "disputes", "list"], &[PATH]));
    assert_eq!(v["disputes"][0]["status"], "under_review");
    assert_eq!(v["disputes"][0]["days_left"], Value::Null);

    // Days to respond is a setting; out of range is a usage error.
    assert_eq!(
        json_of(&env.mizan(&["--json", "disputes", "response-days", "14"])),
        json!({"response_days": 14})
    );
    let out = env.mizan(&["disputes", "response-days", "0"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    // Without a configured path, refresh says why, with its code.
    let out = env.mizan(&["--json", "disputes", "refresh"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("disputes_api_unavailable"),
        "{}",
        stderr(&out)
    );
    let out = env.mizan_with(&["disputes", "comment", "1", &"x".repeat(256)], &[PATH]);
    assert!(stderr(&out).contains("255"), "{}", stderr(&out));

    // Outside data reaches the terminal sanitised: a signed event whose reference holds an
    // escape sequence, and an event of unknown shape.
    let token = tamara::notification::sign_token(
        &Sensitive::new(NOTIFICATION_TOKEN.to_owned()),
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    for body in [
        json!({"order_id": "o-x", "order_reference_id": "\u{1b}]0;pwned\u{7}", "dispute_id": 77,
            "event_type": "OrderDisputeAwaitingMerchantResponse", "data": {}}),
        json!({"event_type": "OrderDisputeWasEscalated", "note": "\u{1b}[2J"}),
    ] {
        let r = reqwest::Client::new()
            .post(format!("{hook}?tamaraToken={token}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
    }
    let v = wait_list(&env, |v| {
        v["unmatched_events"]
            .as_array()
            .is_some_and(|e| !e.is_empty())
            && v["disputes"].as_array().is_some_and(|d| d.len() == 2)
    })
    .await;
    assert_eq!(
        v["unmatched_events"][0]["event_type"],
        "OrderDisputeWasEscalated"
    );
    let out = env.mizan(&["disputes", "list"]);
    let text = stdout(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("\\x1b]0;pwned\\x07"), "{text}");
    assert!(text.contains("named no dispute"), "{text}");
    terminate(&mut serve);
    sb.shutdown().await;
}
