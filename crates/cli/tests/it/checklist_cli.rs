//! `mizan checklist`: the rehearsal against the real simulator fills every automatic item with
//! evidence; manual marks; the sign-off report; and the rehearsal's refusals.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Env, stderr, stdout};
use serde_json::Value;
use tamara_sandbox::SandboxConfig;

const API_TOKEN: &str = "checklist-api-token-0001";
const NOTIFICATION_TOKEN: &str = "checklist-notification-token-0001";
const NOTIF: (&str, &str) = ("MIZAN_SANDBOX_NOTIFICATION_TOKEN", NOTIFICATION_TOKEN);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rehearsal_fills_the_evidence_and_the_report_shows_it() {
    let (env, _sb) = Env::with_sandbox(SandboxConfig {
        api_tokens: vec![API_TOKEN.into()],
        notification_token: NOTIFICATION_TOKEN.into(),
        seed: Some(77),
        ..SandboxConfig::default()
    })
    .await;
    let before = env.json(&["--json", "checklist"]);
    let pending = before["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["state"] == "pending")
        .count();
    assert_eq!(pending, 13, "every automatic item starts without evidence");

    let out = env.mizan_with(&["checklist", "rehearse"], &[NOTIF]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("13 of 13 automatic"),
        "{}",
        stdout(&out)
    );

    let after = env.json(&["--json", "checklist"]);
    for item in after["items"].as_array().unwrap() {
        if item["kind"] == "automatic" {
            assert_eq!(item["state"], "passed", "{item}");
            assert!(!item["evidence"].as_array().unwrap().is_empty(), "{item}");
        }
    }
    let capture: &Value = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "capture_partial")
        .unwrap();
    assert!(
        capture["evidence"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("100.00 SAR")
    );

    let out = env.mizan(&[
        "checklist",
        "mark",
        "status_page",
        "--note",
        "finance subscribed",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = env.mizan(&["checklist", "mark", "capture_full"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "automatic items are not marked by hand"
    );

    let report = env.data_dir.path().join("signoff.html");
    let out = env.mizan(&["checklist", "report", "-o", report.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.matches("PASSED").count() >= 13, "{html}");
    assert!(html.contains("finance subscribed"));
    assert!(!html.contains(API_TOKEN) && !html.contains(NOTIFICATION_TOKEN));
    let md = env.data_dir.path().join("signoff.md");
    let out = env.mizan(&["checklist", "report", "-o", md.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(&md)
            .unwrap()
            .starts_with("# Tamara go-live checklist")
    );

    // A report into a directory that does not exist fails and leaves nothing behind.
    let missing = env.data_dir.path().join("no/such/dir/r.md");
    let out = env.mizan(&["checklist", "report", "-o", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rehearsal_refuses_production_and_anything_but_the_simulator() {
    let (env, _sb) = Env::with_sandbox(SandboxConfig {
        api_tokens: vec![API_TOKEN.into()],
        notification_token: NOTIFICATION_TOKEN.into(),
        seed: Some(78),
        ..SandboxConfig::default()
    })
    .await;
    let out = env.mizan_with(
        &["--env", "production", "checklist", "rehearse"],
        &[("MIZAN_PRODUCTION_API_TOKEN", API_TOKEN)],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("only in the sandbox"),
        "{}",
        stderr(&out)
    );

    // A sandbox URL that is not the simulator (nothing listens there).
    let out = env.mizan_with(
        &["checklist", "rehearse"],
        &[NOTIF, ("MIZAN_SANDBOX_API_URL", "http://127.0.0.1:9")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("not the built-in simulator"),
        "{}",
        stderr(&out)
    );
}
