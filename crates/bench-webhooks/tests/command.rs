//! The `bench-webhooks` executable: its usage errors, and its hidden `bare` baseline server as
//! the bench runs it (a child process that announces its address, answers 200 `{}`, and exits
//! cleanly on SIGTERM). The whole run against `mizan serve` is tested in
//! `crates/cli/tests/it/bench_webhooks.rs`, where the `mizan` executable is at hand.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use mizan_bench_webhooks::servers::ServerProcess;

const BENCH: &str = env!("CARGO_BIN_EXE_bench-webhooks");

#[test]
fn a_missing_mizan_executable_is_a_usage_error_naming_the_path() {
    let out = Command::new(BENCH)
        .args(["--mizan", "/nonexistent/mizan", "--requests", "10"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("/nonexistent/mizan"), "{stderr}");
    assert!(stderr.contains("bench_options"), "{stderr}");
    assert!(out.stdout.is_empty(), "no report without a run");
}

#[test]
fn zero_requests_or_concurrency_is_refused_by_the_parser() {
    for args in [["--requests", "0"], ["--concurrency", "0"], ["--rate", "0"]] {
        let out = Command::new(BENCH).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
}

#[tokio::test]
async fn the_bare_baseline_answers_200_and_stops_on_sigterm() {
    let scratch = tempfile::tempdir().unwrap();
    let bare = ServerProcess::bare(BENCH.as_ref(), scratch.path()).unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let r = http
        .post(format!("{}/webhooks/tamara?tamaraToken=x", bare.base_url()))
        .body(r#"{"order_id":"o"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().await.unwrap(), "{}");
    let r = http
        .get(format!("{}/webhooks/tamara", bare.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        405,
        "only POST, like the real receiver"
    );
    bare.stop().unwrap();
}
