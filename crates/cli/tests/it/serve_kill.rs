//! The real `mizan serve` process: a delivery acknowledged with 200 survives a SIGKILL before it
//! is processed, and SIGTERM stops the service cleanly with exit status 0.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::io::Read as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mizan_core::Environment;
use mizan_core::store::deliveries::{self, DeliveryFilter, ProcessingState};
use mizan_core::store::{Store, orders};
use serde_json::json;
use tamara::Sensitive;
use tamara_sandbox::SandboxConfig;

use common::{free_port, wait_listening};

const API_TOKEN: &str = "serve-test-api-token-0001";
const NOTIFICATION_TOKEN: &str = "serve-test-notification-token-0001";

fn start(base_url: &str, data_dir: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MIZAN_DATA_DIR", data_dir)
        .env("MIZAN_SANDBOX_API_URL", base_url)
        .env("MIZAN_SANDBOX_API_TOKEN", API_TOKEN)
        .env("MIZAN_SANDBOX_NOTIFICATION_TOKEN", NOTIFICATION_TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_exit(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    panic!("mizan serve did not exit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_after_acknowledging_loses_nothing_and_sigterm_exits_cleanly() {
    let config = SandboxConfig {
        api_tokens: vec![API_TOKEN.into()],
        notification_token: NOTIFICATION_TOKEN.into(),
        seed: Some(77),
        ..SandboxConfig::default()
    };
    let sb = tamara_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = sb.base_url();
    let http = reqwest::Client::new();
    let id = common::sim_checkout(&http, &base, API_TOKEN, "SERVE-KILL-1").await;
    let r = http
        .post(format!("{base}/_sandbox/orders/{id}/approve"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());

    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = start(&base, dir.path(), port);
    wait_listening(port).await;

    // The processor's re-read of the order will hang, so the delivery is acknowledged but
    // not processed when the process dies.
    let r = http
        .post(format!("{base}/_sandbox/faults/api"))
        .json(&json!({"stall_ms": 4000, "stall_count": 1}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let token = tamara::notification::sign_token(
        &Sensitive::new(NOTIFICATION_TOKEN.to_owned()),
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    let body = json!({"order_id": id, "order_reference_id": "SERVE-KILL-1",
        "event_type": "order_approved", "data": []});
    let r = http
        .post(format!(
            "http://127.0.0.1:{port}/webhooks/tamara?tamaraToken={token}"
        ))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let db = dir.path().join("mizan.db");
    {
        let store = Store::open(&db).await.unwrap();
        let rows = deliveries::list(&store, &DeliveryFilter::default())
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "the acknowledged delivery is on disk");
        assert_eq!(
            rows[0].processing_state,
            ProcessingState::Pending,
            "{:?}",
            rows[0]
        );
        assert!(
            orders::get(&store, Environment::Sandbox, &id)
                .await
                .unwrap()
                .is_none()
        );
        store.close().await;
    }

    // Restart: the pending delivery is processed (re-read, auto-authorised, cached).
    let mut child = start(&base, dir.path(), port);
    wait_listening(port).await;
    let store = Store::open(&db).await.unwrap();
    let mut status = None;
    for _ in 0..300 {
        status = orders::get(&store, Environment::Sandbox, &id)
            .await
            .unwrap()
            .map(|o| o.status);
        if status.as_deref() == Some("authorised") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status.as_deref(), Some("authorised"));
    let rows = deliveries::list(&store, &DeliveryFilter::default())
        .await
        .unwrap();
    assert_eq!(
        rows[0].processing_state,
        ProcessingState::Processed,
        "{:?}",
        rows[0]
    );
    store.close().await;

    // SIGTERM: clean exit, status 0.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = wait_exit(&mut child);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(exit.success(), "{exit:?}: {stderr}");
    assert!(stderr.contains("stopped"), "{stderr}");
}
