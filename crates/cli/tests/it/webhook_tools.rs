//! `mizan webhooks test`, `mizan webhooks replay` and the receiver's health in `mizan status`,
//! against the real `mizan serve` process, the simulator and the SQLite file they share.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Env, free_port, stderr, stdout, terminate, wait_listening};
use serde_json::{Value, json};
use tamara::Sensitive;
use tamara_sandbox::SandboxConfig;

const API_TOKEN: &str = "tools-test-api-token-0001";
const NOTIFICATION_TOKEN: &str = "tools-test-notification-token-0001";
const NOTIF: (&str, &str) = ("MIZAN_SANDBOX_NOTIFICATION_TOKEN", NOTIFICATION_TOKEN);

async fn setup() -> (Env, tamara_sandbox::SandboxHandle) {
    Env::with_sandbox(SandboxConfig {
        api_tokens: vec![API_TOKEN.into()],
        notification_token: NOTIFICATION_TOKEN.into(),
        seed: Some(31),
        ..SandboxConfig::default()
    })
    .await
}

fn json_of(o: &std::process::Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} / {}", stdout(o), stderr(o)))
}

fn error_code(o: &std::process::Output) -> String {
    // The last line: production prints its banner first.
    let err = stderr(o);
    let line = err.lines().last().unwrap_or_default();
    let v: Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON error ({e}): {err}"));
    v["error"]["code"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_test_passes_through_a_running_receiver_and_says_why_when_not() {
    let (env, _sb) = setup().await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/webhooks/tamara");

    // Nothing listening yet: a transport finding, exit 1.
    let out = env.mizan_with(&["--json", "webhooks", "test", "--url", &url], &[NOTIF]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = json_of(&out);
    assert_eq!(r["passed"], false);
    assert!(r["http_status"].is_null());
    let finding = r["finding"].as_str().unwrap();
    assert!(finding.contains("Nothing accepts connections"), "{finding}");
    assert_eq!(error_code(&out), "webhook_selftest_failed");

    let mut serve = env.spawn_serve(port, &[NOTIF]);
    wait_listening(port).await;

    // The round trip works: verified, stored, skipped by the processor, and the URL warnings.
    let out = env.mizan_with(
        &["--json", "webhooks", "test", "--url", &url, "--save"],
        &[NOTIF],
    );
    assert!(out.status.success(), "{} {}", stdout(&out), stderr(&out));
    let r = json_of(&out);
    assert_eq!(r["passed"], true);
    assert_eq!(r["http_status"], 200);
    assert_eq!(r["delivery_verdict"], "verified");
    let hints = r["hints"].to_string();
    assert!(hints.contains("https"), "{hints}");
    assert!(hints.contains("Tamara cannot deliver there"), "{hints}");
    assert!(
        !stdout(&out).contains(NOTIFICATION_TOKEN),
        "the secret never shows"
    );
    let marker = r["marker_order_id"].as_str().unwrap().to_owned();

    // The saved URL is used when --url is omitted.
    let out = env.mizan_with(&["--json", "webhooks", "test"], &[NOTIF]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(json_of(&out)["url_source"], "setting");

    // The processor set the self-test delivery aside without calling the API.
    let mut state = String::new();
    for _ in 0..100 {
        let list = env.json(&["--json", "webhooks", "deliveries", "--order", &marker]);
        state = list[0]["processing_state"].as_str().unwrap().to_owned();
        if state != "pending" {
            assert!(
                list[0]["processing_result"]
                    .as_str()
                    .unwrap()
                    .contains("self-test"),
                "{list}"
            );
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(state, "skipped");

    // Wrong path: 404 and the finding names the receiver's path.
    let wrong = format!("http://127.0.0.1:{port}/hooks");
    let out = env.mizan_with(&["--json", "webhooks", "test", "--url", &wrong], &[NOTIF]);
    assert_eq!(out.status.code(), Some(1));
    let r = json_of(&out);
    assert_eq!(r["http_status"], 404);
    assert!(r["finding"].as_str().unwrap().contains("/webhooks/tamara"));

    // This console signs with another token than the receiver verifies with.
    let other = (
        "MIZAN_SANDBOX_NOTIFICATION_TOKEN",
        "another-notification-token-9999",
    );
    let out = env.mizan_with(&["--json", "webhooks", "test", "--url", &url], &[other]);
    assert_eq!(out.status.code(), Some(1));
    let r = json_of(&out);
    assert_eq!(r["http_status"], 401);
    assert_eq!(r["delivery_verdict"], "rejected");
    assert!(
        r["finding"].as_str().unwrap().contains("refused the token"),
        "{r}"
    );

    // Status sees the running receiver and the day's verdicts.
    let s = env.json(&["--json", "status"]);
    assert_eq!(s["receiver"]["state"], "running", "{s}");
    assert_eq!(
        s["receiver"]["heartbeat"]["listen"],
        format!("127.0.0.1:{port}")
    );
    assert_eq!(s["receiver"]["last_24h"]["verified"], 2);
    assert_eq!(s["receiver"]["last_24h"]["rejected"], 1);

    assert!(terminate(&mut serve).success());
    let s = env.json(&["--json", "status"]);
    assert_eq!(s["receiver"]["state"], "stopped", "{s}");
    let human = stdout(&env.mizan(&["status"]));
    assert!(human.contains("Receiver      stopped at"), "{human}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_test_without_a_url_or_token_is_refused_clearly() {
    let (env, _sb) = setup().await;
    let out = env.mizan_with(&["webhooks", "test"], &[NOTIF]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no public URL to test"),
        "{}",
        stderr(&out)
    );
    let out = env.mizan(&[
        "--json",
        "webhooks",
        "test",
        "--url",
        "http://127.0.0.1:9/x",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(error_code(&out), "notification_token_missing");
}

async fn approved_order(env: &Env) -> String {
    let created = env.json(&[
        "--json",
        "checkout",
        "create",
        "--reference",
        "REPLAY-1",
        "--amount",
        "300.00",
    ]);
    let id = created["order_id"].as_str().unwrap().to_owned();
    let r = reqwest::Client::new()
        .post(format!("{}/_sandbox/orders/{id}/approve", env.base_url))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    id
}

async fn notify(port: u16, body: &Value, token_key: &str) -> u16 {
    let token = tamara::notification::sign_token(
        &Sensitive::new(token_key.to_owned()),
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    reqwest::Client::new()
        .post(format!(
            "http://127.0.0.1:{port}/webhooks/tamara?tamaraToken={token}"
        ))
        .bearer_auth(&token)
        .json(body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn wait_settled(env: &Env, order: &str, n: usize) -> Value {
    for _ in 0..200 {
        let list = env.json(&["--json", "webhooks", "deliveries", "--order", order]);
        let rows = list.as_array().unwrap();
        if rows.len() >= n && rows.iter().all(|d| d["processing_state"] != "pending") {
            return list;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("deliveries of {order} never settled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_reprocesses_a_verified_delivery_and_refuses_the_rest() {
    let (env, _sb) = setup().await;
    let id = approved_order(&env).await;
    let port = free_port();
    // Auto-authorise off, so the replay has something visible to do once it is turned on.
    let out = env.mizan(&["--json", "orders", "fetch", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    set_auto_authorise(&env, "off").await;
    let mut serve = env.spawn_serve(port, &[NOTIF]);
    wait_listening(port).await;

    let body = json!({"order_id": id, "order_reference_id": "REPLAY-1",
        "event_type": "order_approved", "data": []});
    assert_eq!(notify(port, &body, NOTIFICATION_TOKEN).await, 200);
    assert_eq!(notify(port, &body, "forged-key-000000000000").await, 401);
    let list = wait_settled(&env, &id, 2).await;
    let verified = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["verdict"] == "verified")
        .unwrap();
    let rejected = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["verdict"] == "rejected")
        .unwrap();
    assert_eq!(verified["processing_state"], "processed", "{verified}");
    let shown = env.json(&["--json", "orders", "show", &id]);
    assert_eq!(shown["status"], "approved", "auto-authorise was off");
    assert!(terminate(&mut serve).success());

    // Turn auto-authorise on and replay the stored delivery: the order gets authorised.
    set_auto_authorise(&env, "on").await;
    let vid = verified["id"].as_i64().unwrap().to_string();
    let out = env.mizan_with(&["--json", "webhooks", "replay", &vid], &[NOTIF]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = json_of(&out);
    assert_eq!(r["before"]["processing_state"], "processed");
    assert_eq!(r["after"]["processing_state"], "processed", "{r}");
    assert!(
        r["after"]["processing_result"]
            .as_str()
            .unwrap()
            .contains("auto-authorised"),
        "{r}"
    );
    let shown = env.json(&["--json", "orders", "show", &id]);
    assert_eq!(shown["status"], "authorised");

    // Replaying again changes nothing at Tamara (already authorised) and still succeeds.
    let out = env.mizan_with(&["--json", "webhooks", "replay", &vid], &[NOTIF]);
    assert!(out.status.success(), "{}", stderr(&out));
    let shown = env.json(&["--json", "orders", "show", &id]);
    assert_eq!(shown["status"], "authorised");

    // A rejected delivery is evidence, not an instruction.
    let rid = rejected["id"].as_i64().unwrap().to_string();
    let out = env.mizan(&["--json", "webhooks", "replay", &rid]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(error_code(&out), "delivery_not_replayable");
    assert!(stderr(&out).contains(&format!("mizan orders fetch {id}")));

    // Unknown id; and a sandbox delivery asked for in production.
    let out = env.mizan(&["--json", "webhooks", "replay", "999999"]);
    assert_eq!(error_code(&out), "delivery_not_found");
    let out = env.mizan(&["--json", "--env", "production", "webhooks", "replay", &vid]);
    assert_eq!(error_code(&out), "delivery_other_environment");
    assert!(stderr(&out).contains("--env sandbox"));

    // Each replay is in the audit chain, by the operator.
    let store = mizan_core::store::Store::open(&env.data_dir.path().join("mizan.db"))
        .await
        .unwrap();
    let chain = mizan_core::store::audit::list_chain(&store, 1000, 0)
        .await
        .unwrap();
    let replays = chain
        .iter()
        .filter(|e| e.action == "webhook.replay")
        .count();
    assert_eq!(replays, 2);
    store.close().await;
}

async fn set_auto_authorise(env: &Env, value: &str) {
    use mizan_core::store::settings::{self, SettingScope};
    let store = mizan_core::store::Store::open(&env.data_dir.path().join("mizan.db"))
        .await
        .unwrap();
    settings::set(
        &store,
        SettingScope::Global,
        mizan_core::webhooks::processor::AUTO_AUTHORISE_SETTING,
        value,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_runs_the_reconciler_which_repairs_a_missed_webhook() {
    let (env, _sb) = setup().await;
    // Approved at Tamara, but no webhook is registered: only the reconciler can notice.
    let id = approved_order(&env).await;
    let port = free_port();
    let mut serve = env.spawn_serve_with(port, &["--reconcile-every", "1"], &[NOTIF]);
    wait_listening(port).await;
    let mut status = Value::Null;
    for _ in 0..100 {
        status = env.json(&["--json", "orders", "show", &id])["status"].clone();
        if status == "authorised" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        status, "authorised",
        "the reconciler authorised the approved order"
    );
    let s = env.json(&["--json", "status"]);
    assert_eq!(s["reconciler"]["late"], false, "{s}");
    assert!(
        s["reconciler"]["last_sweep"]["checked"].as_u64().unwrap() >= 1,
        "{s}"
    );
    assert!(terminate(&mut serve).success());
}
