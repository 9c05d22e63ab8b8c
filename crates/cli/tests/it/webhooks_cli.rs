//! The real `mizan` binary managing webhooks against the real simulator: register (confirmed
//! by id; by a listing only where one is configured and answers), adopt what Tamara already
//! has, list, show, update, delete; validation before any request; the delivery history from
//! the local inbox; `status` and `orders stuck`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Env, stderr, stdout};

use mizan_core::Environment;
use mizan_core::store::Store;
use mizan_core::store::deliveries::{self, DeliveryVerdict, NewDelivery};
use serde_json::Value;
use tamara_sandbox::SandboxConfig;

const TOKEN: &str = "cli-webhooks-token-0000";

async fn env(listing: bool) -> (Env, tamara_sandbox::SandboxHandle) {
    Env::with_sandbox(SandboxConfig {
        api_tokens: vec![TOKEN.into()],
        seed: Some(61),
        webhook_listing_enabled: listing,
        ..SandboxConfig::default()
    })
    .await
}

const HOOK: &str = "http://127.0.0.1:9/webhooks/tamara";

#[tokio::test(flavor = "multi_thread")]
async fn register_list_show_update_delete() {
    let (env, sb) = env(false).await;
    let out = env.mizan(&[
        "--json",
        "webhooks",
        "register",
        "--url",
        HOOK,
        "--events",
        "order_approved,order_captured",
        "--header",
        "x-console-key=k-secret-value-7f3a",
        "--allow-http-loopback",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("k-secret-value-7f3a"),
        "header values are masked"
    );
    let reg: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(reg["confirmed_by"], "get");
    assert_eq!(reg["adopted"], false);
    let id = reg["webhook_id"].as_str().unwrap().to_owned();

    let list = env.json(&["--json", "webhooks", "list"]);
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["webhook_id"] == id.as_str())
        .unwrap();
    assert_eq!(row["remote"]["url"], HOOK, "read back by id");
    assert_eq!(row["local"]["confirmed_by"], "get");
    assert!(!list.to_string().contains("k-secret-value-7f3a"));

    let shown = env.json(&["--json", "webhooks", "show", &id]);
    assert_eq!(shown["remote"]["events"][1], "order_captured");
    let human = env.mizan(&["webhooks", "show", &id]);
    assert!(human.status.success());
    assert!(String::from_utf8_lossy(&human.stdout).contains(HOOK));

    let new_url = "http://127.0.0.1:9/v2/tamara";
    let updated = env.json(&[
        "--json",
        "webhooks",
        "update",
        &id,
        "--url",
        new_url,
        "--events",
        "order_approved",
        "--allow-http-loopback",
    ]);
    assert_eq!(updated["url"], new_url);
    assert_eq!(updated["confirmed_by"], "get", "confirmation kept");
    let shown = env.json(&["--json", "webhooks", "show", &id]);
    assert_eq!(shown["remote"]["url"], new_url);

    let out = env.mizan(&["webhooks", "delete", &id]);
    assert!(out.status.success(), "{}", stderr(&out));
    let list = env.json(&["--json", "webhooks", "list"]);
    assert!(
        !list.to_string().contains(&id),
        "gone at Tamara and stamped deleted here"
    );
    sb.shutdown().await;
}

/// What the simulator holds, through its control prefix (Tamara documents no listing).
async fn held(env: &Env) -> Vec<Value> {
    let v: Value = reqwest::get(format!("{}/_sandbox/webhooks", env.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v.as_array().unwrap().clone()
}

async fn api_faults(env: &Env, body: Value) {
    let r = reqwest::Client::new()
        .post(format!("{}/_sandbox/faults/api", env.base_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_configured_listing_is_used_where_it_answers() {
    let (env, sb) = env(true).await;
    let list_path = [("MIZAN_SANDBOX_WEBHOOK_LIST_PATH", "/webhooks/list")];
    let out = env.mizan_with(
        &[
            "--json",
            "webhooks",
            "register",
            "--url",
            HOOK,
            "--allow-http-loopback",
        ],
        &list_path,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let reg: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        reg["confirmed_by"], "get",
        "by id first, the documented way"
    );
    // A webhook this console never recorded shows only through the listing.
    let other = tamara_sandbox_register(&env, "https://elsewhere.example/hook").await;
    let out = env.mizan_with(&["--json", "webhooks", "list"], &list_path);
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["webhook_id"] == other.as_str())
        .expect("listed");
    assert!(row["local"].is_null());
    let without = env.json(&["--json", "webhooks", "list"]);
    assert!(!without.to_string().contains(&other), "no path, no listing");
    sb.shutdown().await;
}

/// Registers `url` straight at the simulator, as another tool would.
async fn tamara_sandbox_register(env: &Env, url: &str) -> String {
    let v: Value = reqwest::Client::new()
        .post(format!("{}/webhooks", env.base_url))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({ "url": url, "events": ["order_approved"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["webhook_id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_url_tamara_already_has_is_adopted_never_registered_twice() {
    let (env, sb) = env(false).await;
    let args = [
        "--json",
        "webhooks",
        "register",
        "--url",
        HOOK,
        "--allow-http-loopback",
    ];
    let first = env.json(&args);
    let again = env.json(&args);
    assert_eq!(again["adopted"], true);
    assert_eq!(again["webhook_id"], first["webhook_id"]);
    assert_eq!(again["confirmed_by"], "get");
    let human = env.mizan(&args[1..]);
    assert!(
        stdout(&human).contains("already had this URL"),
        "{}",
        stdout(&human)
    );
    assert_eq!(held(&env).await.len(), 1);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lost_answer_or_a_failed_confirmation_neither_loses_nor_duplicates() {
    let (env, sb) = env(false).await;
    let args = [
        "--json",
        "webhooks",
        "register",
        "--url",
        HOOK,
        "--allow-http-loopback",
    ];
    // Tamara creates the webhook, then the answer is lost.
    api_faults(
        &env,
        serde_json::json!({"status": 503, "count": 1, "after_apply": true, "method": "POST"}),
    )
    .await;
    let out = env.mizan(&args);
    assert!(!out.status.success(), "the answer was lost");
    assert_eq!(held(&env).await.len(), 1, "Tamara has it");
    // Trying again adopts it rather than making a second one.
    let adopted = env.json(&args);
    assert_eq!(adopted["adopted"], true);
    let id = adopted["webhook_id"].as_str().unwrap().to_owned();
    assert_eq!(held(&env).await[0]["webhook_id"], id.as_str());

    // A registration whose read-back fails is kept, unconfirmed, under the id Tamara gave.
    let second = "http://127.0.0.1:9/second";
    api_faults(
        &env,
        serde_json::json!({"status": 503, "count": 20, "method": "GET"}),
    )
    .await;
    let out = env.mizan(&[
        "--json",
        "webhooks",
        "register",
        "--url",
        second,
        "--allow-http-loopback",
    ]);
    assert!(!out.status.success(), "not confirmed");
    assert!(
        stderr(&out).contains("webhook_unconfirmed"),
        "{}",
        stderr(&out)
    );
    reqwest::Client::new()
        .delete(format!("{}/_sandbox/faults", env.base_url))
        .send()
        .await
        .unwrap();
    let at_tamara = held(&env).await;
    assert_eq!(at_tamara.len(), 2);
    let second_id = at_tamara.iter().find(|w| w["url"] == second).unwrap()["webhook_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = env.json(&["--json", "webhooks", "list"]);
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["webhook_id"] == second_id.as_str())
        .expect("kept locally under Tamara's id");
    assert!(row["local"]["confirmed_by"].is_null());
    assert_eq!(row["remote"]["url"], second);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn refuses_what_tamara_would_refuse_before_any_request() {
    let (env, sb) = env(true).await;
    let out = env.mizan(&["webhooks", "register", "--url", HOOK]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("https"), "{}", stderr(&out));
    let out = env.mizan(&[
        "webhooks",
        "register",
        "--url",
        "http://hooks.example.com/x",
        "--allow-http-loopback",
    ]);
    assert_eq!(out.status.code(), Some(2), "only loopback may use http");
    let long = format!("https://hooks.example.com/{}", "a".repeat(240));
    let out = env.mizan(&["webhooks", "register", "--url", &long]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("255"), "{}", stderr(&out));
    let out = env.mizan(&[
        "webhooks",
        "register",
        "--url",
        "https://hooks.example.com/x",
        "--events",
        "order_teleported",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let named = r#"--events: unknown event "order_teleported""#;
    assert!(stderr(&out).contains(named), "{}", stderr(&out));
    let list = env.json(&["--json", "webhooks", "list"]);
    assert_eq!(list, Value::Array(vec![]), "nothing reached the gateway");
    sb.shutdown().await;
}

fn delivery(verdict: DeliveryVerdict, order: &str, reason: Option<&str>) -> NewDelivery {
    NewDelivery {
        environment: Environment::Sandbox,
        received_at: chrono::Utc::now(),
        method: "POST".into(),
        path: "/webhooks/tamara".into(),
        query: None,
        headers_json: "{}".into(),
        body: "{}".into(),
        verdict,
        reason: reason.map(str::to_owned),
        http_status: if verdict == DeliveryVerdict::Verified {
            200
        } else {
            401
        },
        order_id: Some(order.into()),
        event_type: Some("order_approved".into()),
        sender: None,
        sizes: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn deliveries_status_and_stuck_read_the_local_store() {
    let (env, sb) = env(true).await;
    {
        let store = Store::open(&env.data_dir.path().join("mizan.db"))
            .await
            .unwrap();
        let ok = deliveries::insert(&store, &delivery(DeliveryVerdict::Verified, "o-1", None))
            .await
            .unwrap();
        deliveries::mark_failed(&store, ok, "gateway_timeout", chrono::Utc::now())
            .await
            .unwrap();
        deliveries::insert(
            &store,
            &delivery(DeliveryVerdict::Rejected, "o-2", Some("token expired")),
        )
        .await
        .unwrap();
        deliveries::insert(&store, &delivery(DeliveryVerdict::Verified, "o-2", None))
            .await
            .unwrap();
        store.close().await;
    }
    let all = env.json(&["--json", "webhooks", "deliveries"]);
    assert_eq!(all.as_array().unwrap().len(), 3);
    let rejected = env.json(&["--json", "webhooks", "deliveries", "--verdict", "rejected"]);
    assert_eq!(rejected.as_array().unwrap().len(), 1);
    assert_eq!(rejected[0]["reason"], "token expired");
    assert_eq!(rejected[0]["http_status"], 401);
    let o1 = env.json(&["--json", "webhooks", "deliveries", "--order", "o-1"]);
    assert_eq!(o1[0]["processing_state"], "failed");
    assert_eq!(o1[0]["processing_result"], "gateway_timeout");
    let human = env.mizan(&["webhooks", "deliveries"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("VERDICT") && text.contains("token expired"),
        "{text}"
    );

    let status = env.json(&["--json", "status"]);
    assert_eq!(status["breaker"]["state"], "closed");
    assert_eq!(status["inbox"]["backlog"], 1);
    let detail = &status["inbox"]["backlog_detail"];
    assert_eq!(detail["pending"], 1);
    assert!(detail["oldest_pending_at"].is_string(), "{detail}");
    assert!(detail["oldest_age_secs"].is_u64(), "{detail}");
    let text = String::from_utf8_lossy(&env.mizan(&["status"]).stdout).into_owned();
    assert!(text.contains("1 waiting (oldest "), "{text}");
    assert_eq!(status["inbox"]["failed"], 1);
    assert_eq!(status["api_token"], "set");
    assert!(!status.to_string().contains(TOKEN), "never a token value");
    assert_eq!(status["reconciler"]["last_sweep"], Value::Null);

    let stuck = env.json(&["--json", "orders", "stuck"]);
    assert_eq!(stuck[0]["reason"], "processing_failed");
    assert_eq!(stuck[0]["order_id"], "o-1");

    // One sweep: the failed delivery's order does not exist at the gateway → a failure.
    let report = env.json(&["--json", "reconcile"]);
    assert_eq!(report["checked"], 1);
    assert_eq!(report["failed"], 1);
    let status = env.json(&["--json", "status"]);
    assert_eq!(status["reconciler"]["last_sweep"]["failed"], 1);
    sb.shutdown().await;
}

/// What strangers send is printed, never obeyed: a rejected delivery whose reason and order id
/// carry terminal escape sequences (retitle the window, clear the screen, colour) shows them as
/// visible escapes in the human listing; `--json` carries the text as it was stored.
#[tokio::test(flavor = "multi_thread")]
async fn escape_sequences_in_deliveries_are_shown_not_obeyed() {
    let (env, sb) = env(true).await;
    let hostile = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mred";
    {
        let store = Store::open(&env.data_dir.path().join("mizan.db"))
            .await
            .unwrap();
        let order = format!("o-{hostile}");
        deliveries::insert(
            &store,
            &delivery(DeliveryVerdict::Rejected, &order, Some(hostile)),
        )
        .await
        .unwrap();
        store.close().await;
    }
    let human = env.mizan(&["webhooks", "deliveries"]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("\\x1b]0;pwned\\x07"), "{text}");
    let json = env.json(&["--json", "webhooks", "deliveries"]);
    assert_eq!(json[0]["reason"], hostile);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn check_tells_when_tamara_lost_a_registration_and_status_shows_it() {
    let (env, sb) = env(false).await;
    let status = env.mizan(&["status"]);
    assert!(
        stdout(&status).contains("not checked yet"),
        "{}",
        stdout(&status)
    );
    let reg = env.json(&[
        "--json",
        "webhooks",
        "register",
        "--url",
        HOOK,
        "--allow-http-loopback",
    ]);
    let id = reg["webhook_id"].as_str().unwrap().to_owned();
    let ok = env.mizan(&["webhooks", "check"]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(
        stdout(&ok).contains("present at Tamara as recorded"),
        "{}",
        stdout(&ok)
    );

    // Someone deletes it in the partner portal.
    reqwest::Client::new()
        .delete(format!("{}/webhooks/{id}", env.base_url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let bad = env.mizan(&["webhooks", "check"]);
    assert!(!bad.status.success());
    let bad_json = env.mizan(&["--json", "webhooks", "check"]);
    assert!(
        stderr(&bad_json).contains("webhook_registration_unhealthy"),
        "{}",
        stderr(&bad_json)
    );
    assert!(stderr(&bad).contains("gone at Tamara"), "{}", stderr(&bad));
    let status = env.mizan(&["status"]);
    assert!(stdout(&status).contains("ATTENTION"), "{}", stdout(&status));
    let json = env.json(&["--json", "status"]);
    assert_eq!(json["registration_health"]["healthy"], false);
    sb.shutdown().await;
}
