//! The real `mizan` binary against the real simulator: exit statuses, one-line errors, JSON
//! output, and the offline cache.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Env, stderr, stdout};

use tamara_sandbox::SandboxConfig;

async fn env() -> (Env, tamara_sandbox::SandboxHandle) {
    Env::with_sandbox(SandboxConfig {
        api_tokens: vec!["cli-test-token-000000".into()],
        seed: Some(5),
        ..SandboxConfig::default()
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn create_approve_fetch_list_show() {
    let (env, sb) = env().await;
    let out = env.mizan(&[
        "--json",
        "checkout",
        "create",
        "--reference",
        "CLI-1",
        "--amount",
        "99.5",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let created: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let id = created["order_id"].as_str().unwrap().to_owned();
    assert_eq!(created["order"]["total"], "99.50");

    let resp = reqwest::Client::new()
        .post(format!("{}/_sandbox/orders/{id}/approve", env.base_url))
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());

    let out = env.mizan(&["orders", "fetch", "--ref", "CLI-1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("approved"), "{}", stdout(&out));

    sb.shutdown().await; // everything below is offline
    let out = env.mizan(&["orders", "list", "--status", "approved"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains("CLI-1") && stdout(&out).contains("99.50 SAR"));
    let out = env.mizan(&["--json", "orders", "show", &id]);
    let shown: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(shown["status"], "approved");
    assert_eq!(
        shown["raw"]["order_reference_id"], "CLI-1",
        "raw gateway JSON is kept"
    );
    let out = env.mizan(&["orders", "list", "--status", "captured"]);
    assert!(stdout(&out).contains("No cached orders"));
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2_with_one_line() {
    let (env, sb) = env().await;
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "checkout",
                "create",
                "--reference",
                "X",
                "--amount",
                "10.005",
            ],
            "more decimal places than SAR",
        ),
        (
            &["checkout", "create", "--reference", "X", "--amount", "ten"],
            "--amount",
        ),
        (
            &["checkout", "create", "--reference", "X", "--amount", "-5"],
            "positive",
        ),
        (
            &[
                "checkout",
                "create",
                "--reference",
                "X",
                "--amount",
                "5",
                "--currency",
                "USD",
            ],
            "USD",
        ),
        (
            &[
                "checkout",
                "create",
                "--reference",
                "X",
                "--amount",
                "5",
                "--payment-type",
                "CRYPTO",
            ],
            "CRYPTO",
        ),
        (
            &["checkout", "create", "--file", "/nonexistent.json"],
            "cannot read",
        ),
        (&["orders", "list", "--limit", "0"], "--limit"),
        (&["orders", "frobnicate"], "unrecognized"),
        (&["--env", "staging", "orders", "list"], "staging"),
    ];
    for (args, needle) in cases {
        let out = env.mizan(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(needle), "{args:?}: {}", stderr(&out));
    }
    // KWD has three decimals, so the same amount is fine there.
    let out = env.mizan(&[
        "checkout",
        "create",
        "--reference",
        "K",
        "--amount",
        "10.005",
        "--currency",
        "KWD",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn other_errors_exit_1_with_one_line() {
    let (env, sb) = env().await;
    let out = env.mizan(&["orders", "show", "NOPE"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("not in the local cache"));
    let out = env.mizan(&["orders", "fetch", "00000000-0000-0000-0000-000000000000"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("404"), "{}", stderr(&out));
    let out = env.mizan(&[
        "--json",
        "orders",
        "fetch",
        "00000000-0000-0000-0000-000000000000",
    ]);
    let err: serde_json::Value = serde_json::from_str(stderr(&out).trim()).unwrap();
    assert_eq!(err["error"]["code"], "gateway_not_found");
    // Production: banner first, and no token means a specific error, never a request.
    let out = env.mizan(&["--env", "production", "orders", "fetch", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("PRODUCTION") && stderr(&out).contains("MIZAN_PRODUCTION_API_TOKEN")
    );
    sb.shutdown().await;
    let out = env.mizan(&["orders", "fetch", "x"]);
    assert!(
        stderr(&out).contains("could not connect"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn checkout_from_a_json_file() {
    let (env, sb) = env().await;
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/reference/checkout_request.json"
    );
    let out = env.mizan(&["--json", "checkout", "create", "--file", fixture]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["order"]["order_reference_id"], "WEB-100234");
    let bad = env.data_dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"order_reference_id": 5}"#).unwrap();
    let out = env.mizan(&["checkout", "create", "--file", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a valid checkout request"));
    sb.shutdown().await;
}
