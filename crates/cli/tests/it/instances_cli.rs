//! More than one instance (issue 25 §3): two real `mizan serve` processes on one PostgreSQL
//! database, no balancer — the test alternates its signed deliveries between them, SIGKILLs one
//! mid-burst and sends the rest (and whatever the dead one never acknowledged) to the survivor.
//! Every acknowledged delivery is then stored once and settled once, each order's event takes
//! effect once (one claim, one authorisation in the ledger), and nothing stays pending.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, HashMap};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mizan_core::Environment;
use mizan_core::store::ledger::{self, LedgerKind, LedgerState};
use mizan_core::store::{Store, orders};
use mizan_pgtest::TempCluster;
use serde_json::{Value, json};
use sqlx::PgPool;
use tamara::Sensitive;
use tamara_sandbox::SandboxConfig;

use crate::common::{free_port, sim_checkout, terminate, wait_listening};

const API_TOKEN: &str = "instances-test-api-token-0001";
const NOTIFICATION_TOKEN: &str = "instances-test-notification-token-0001";
const ORDERS: usize = 40;
/// Each order's `order_approved` is delivered this many times (Tamara retries), once to each
/// instance in turn.
const COPIES: usize = 2;
/// Rows an instance works on at once (`MIZAN_PROCESSOR_CONCURRENCY`): what a kill can leave
/// half done.
const IN_FLIGHT: usize = 4;

fn serve(api: &str, url: &str, dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_mizan"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--no-reconcile")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MIZAN_DATA_DIR", dir)
        .env("MIZAN_DATABASE_URL", url)
        .env("MIZAN_SANDBOX_API_URL", api)
        .env("MIZAN_SANDBOX_API_TOKEN", API_TOKEN)
        .env("MIZAN_SANDBOX_NOTIFICATION_TOKEN", NOTIFICATION_TOKEN)
        .env("MIZAN_PROCESSOR_CONCURRENCY", IN_FLIGHT.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// `n` approved orders at the simulator (none cached anywhere yet), with no notification URL
/// of their own: the test is the only sender.
async fn approved_orders(http: &reqwest::Client, api: &str, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    for k in 0..n {
        let id = sim_checkout(http, api, API_TOKEN, &format!("INSTANCES-{k}")).await;
        let r = http
            .post(format!("{api}/_sandbox/orders/{id}/approve"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        ids.push(id);
    }
    ids
}

/// Sends one signed `order_approved` for `order`, tagged `x-burst-attempt: attempt`, to
/// `port`; whether it was acknowledged with a 2xx.
async fn deliver(http: &reqwest::Client, port: u16, order: &str, attempt: usize) -> bool {
    let token = tamara::notification::sign_token(
        &Sensitive::new(NOTIFICATION_TOKEN.to_owned()),
        chrono::Utc::now().timestamp(),
    )
    .unwrap();
    let body = json!({"order_id": order, "event_type": "order_approved", "data": []});
    http.post(format!(
        "http://127.0.0.1:{port}/webhooks/tamara?tamaraToken={token}"
    ))
    .bearer_auth(&token)
    .header("x-burst-attempt", attempt.to_string())
    .json(&body)
    .timeout(Duration::from_secs(10))
    .send()
    .await
    .is_ok_and(|r| r.status().is_success())
}

async fn post(http: &reqwest::Client, url: String, body: Value) {
    let r = http.post(url).json(&body).send().await.unwrap();
    assert!(r.status().is_success());
}

/// The simulator's count of API calls: reads (GET) and authorisations (POST, the only calls
/// the processor makes besides reads).
struct Calls(reqwest::Client, String);

impl Calls {
    async fn reset(&self) {
        let r = self
            .0
            .delete(format!("{}/_sandbox/calls", self.1))
            .send()
            .await;
        assert!(r.unwrap().status().is_success());
    }

    async fn get(&self) -> (u64, u64) {
        let v: Value = self
            .0
            .get(format!("{}/_sandbox/calls", self.1))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let n = |m: &str| v["by_method"][m].as_u64().unwrap_or(0);
        (n("GET"), n("POST"))
    }
}

/// Each of `orders`' copies, alternating between the instances, a few in flight at once; a
/// send that is not acknowledged (refused, or cut off by the kill) is sent again to the second
/// instance as a new attempt. With `kill`, the first instance is SIGKILLed once half the copies
/// are acknowledged. The acknowledged attempts (numbered from `first`) and how many were made.
async fn burst(
    http: &reqwest::Client,
    ports: [u16; 2],
    orders: &[String],
    first: usize,
    kill: Option<&mut Child>,
) -> (HashMap<usize, String>, usize) {
    let plan: Vec<(usize, usize)> = (0..COPIES)
        .flat_map(|c| (0..orders.len()).map(move |k| (k, c)))
        .collect();
    let total = plan.len();
    let next_attempt = Arc::new(AtomicUsize::new(first));
    let sent = Arc::new(AtomicUsize::new(0));
    let gate = Arc::new(tokio::sync::Semaphore::new(6));
    let mut tasks = tokio::task::JoinSet::new();
    for (k, c) in plan {
        let (http, order, next_attempt, sent, gate) = (
            http.clone(),
            orders[k].clone(),
            next_attempt.clone(),
            sent.clone(),
            gate.clone(),
        );
        tasks.spawn(async move {
            let _slot = gate.acquire_owned().await.unwrap();
            let mut port = ports[(k + c) % 2];
            loop {
                let attempt = next_attempt.fetch_add(1, Ordering::SeqCst);
                if deliver(&http, port, &order, attempt).await {
                    sent.fetch_add(1, Ordering::SeqCst);
                    return (attempt, order);
                }
                port = ports[1];
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
    }
    if let Some(child) = kill {
        while sent.load(Ordering::SeqCst) < total / 2 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
    }
    let acked: HashMap<usize, String> = tasks.join_all().await.into_iter().collect();
    assert_eq!(acked.len(), total);
    (acked, next_attempt.load(Ordering::SeqCst) - first)
}

/// Waits until no delivery is pending (at most a minute).
async fn drained(pool: &PgPool) {
    let started = Instant::now();
    loop {
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM webhook_deliveries WHERE processing_state = 'pending'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if pending == 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{pending} deliveries still pending after a minute"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_one_killed_mid_burst_store_and_settle_every_acknowledged_delivery_once() {
    let Some(cluster) = TempCluster::shared().unwrap() else {
        eprintln!("PostgreSQL is not installed: skipped");
        return;
    };
    let url = cluster.create_database("instances_cli").unwrap();
    let config = SandboxConfig {
        api_tokens: vec![API_TOKEN.into()],
        notification_token: NOTIFICATION_TOKEN.into(),
        seed: Some(25),
        ..SandboxConfig::default()
    };
    let sb = tamara_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let api = sb.base_url();
    let http = reqwest::Client::new();
    let ids = approved_orders(&http, &api, ORDERS).await;

    let ports = [free_port(), free_port()];
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut doomed = serve(&api, &url, dirs[0].path(), ports[0]);
    let mut survivor = serve(&api, &url, dirs[1].path(), ports[1]);
    wait_listening(ports[0]).await;
    wait_listening(ports[1]).await;

    // Every API call answers late (the call still happens, like Tamara acting before a slow
    // answer), so the killed instance dies with rows in the middle of processing.
    post(
        &http,
        format!("{api}/_sandbox/faults/api"),
        json!({"stall_ms": 150, "stall_count": 100_000}),
    )
    .await;

    let pool = PgPool::connect(&url).await.unwrap();
    let (early, late) = ids.split_at(ORDERS / 2);
    let mut acked = HashMap::new();
    let mut attempts = 0;

    // Both alive: each delivery is worked by one instance only — one read, one authorisation
    // and one re-read per order at Tamara, a duplicate costing no call at all.
    let calls = Calls(http.clone(), api.clone());
    calls.reset().await;
    let (got, n) = burst(&http, ports, early, 0, None).await;
    acked.extend(got);
    attempts += n;
    drained(&pool).await;
    assert_eq!(
        calls.get().await,
        (2 * early.len() as u64, early.len() as u64)
    );

    // One dies mid-burst: what it did not acknowledge goes to the survivor, which also takes
    // over whatever the dead one had acknowledged but not settled.
    calls.reset().await;
    let (got, n) = burst(&http, ports, late, attempts, Some(&mut doomed)).await;
    acked.extend(got);
    attempts += n;
    drained(&pool).await;
    let (reads, authorisations) = calls.get().await;
    eprintln!(
        "{attempts} attempts for {} copies; after the kill {reads} reads and \
         {authorisations} authorisations for {} orders",
        ORDERS * COPIES,
        late.len()
    );
    // The killed instance's rows in hand are redone by the survivor: at most their calls again.
    let in_flight = IN_FLIGHT as u64;
    assert!(
        authorisations <= late.len() as u64 + in_flight,
        "{authorisations}"
    );
    assert!(reads <= 2 * (late.len() as u64 + in_flight), "{reads}");
    assert_eq!(acked.len(), ORDERS * COPIES, "every copy acknowledged once");
    check_store(&pool, &url, &ids, &acked).await;
    let status = terminate(&mut survivor);
    assert!(status.success(), "{status:?}");
}

/// A delivery row: id, the attempt that carried it, order, state, attempts, result.
type Row = (i64, Option<String>, String, String, i64, Option<String>);

/// What the database must say once the survivor has drained the inbox.
async fn check_store(pool: &PgPool, url: &str, ids: &[String], acked: &HashMap<usize, String>) {
    // Every row: the attempt that carried it, its order, state, attempts and what was done.
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, headers_json::jsonb ->> 'x-burst-attempt', order_id, processing_state,
                attempts, processing_result
         FROM webhook_deliveries ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut by_attempt: BTreeMap<usize, Vec<i64>> = BTreeMap::new();
    for (id, attempt, _, state, attempts, result) in &rows {
        let attempt: usize = attempt.as_deref().unwrap().parse().unwrap();
        by_attempt.entry(attempt).or_default().push(*id);
        assert!(
            state == "processed" || state == "skipped",
            "delivery {id} is {state}: {result:?}"
        );
        assert_eq!(*attempts, 1, "delivery {id} settled once: {result:?}");
    }
    for attempt in acked.keys() {
        assert_eq!(
            by_attempt.get(attempt).map(Vec::len),
            Some(1),
            "acknowledged attempt {attempt} stored exactly once"
        );
    }
    // One claim per order, naming a processed delivery of that order; every other delivery of
    // the order was skipped as a duplicate.
    let claims: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT order_id, event_type, delivery_id FROM processed_events ORDER BY order_id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(claims.len(), ids.len(), "{claims:?}");
    let store = Store::connect_postgres(url).await.unwrap();
    for id in ids {
        let mine: Vec<_> = rows.iter().filter(|r| &r.2 == id).collect();
        let processed: Vec<i64> = mine
            .iter()
            .filter(|r| r.3 == "processed")
            .map(|r| r.0)
            .collect();
        assert_eq!(processed.len(), 1, "order {id}: {mine:?}");
        let claim: Vec<_> = claims.iter().filter(|c| &c.0 == id).collect();
        assert_eq!(claim.len(), 1, "order {id}: {claim:?}");
        assert_eq!(
            (claim[0].1.as_str(), claim[0].2),
            ("order_approved", Some(processed[0]))
        );
        for r in mine.iter().filter(|r| r.3 == "skipped") {
            assert!(
                r.5.as_deref().is_some_and(|s| s.contains("duplicate")),
                "{r:?}"
            );
        }
        let order = orders::get(&store, Environment::Sandbox, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(order.status, "authorised", "order {id}");
        let entries = ledger::list_for_order(&store, Environment::Sandbox, id)
            .await
            .unwrap();
        let authorised = entries
            .iter()
            .filter(|e| e.kind == LedgerKind::Authorise && e.state == LedgerState::Succeeded)
            .count();
        assert_eq!(authorised, 1, "order {id} authorised once: {entries:#?}");
    }
    // Each delivery's settlement was audited once: no second processor's work committed.
    let audited: Vec<(String, i64)> = sqlx::query_as(
        "SELECT split_part(request_summary, ' ', 2), COUNT(*) FROM audit_log
         WHERE action IN ('webhook.processed', 'webhook.skipped', 'webhook.failed')
         GROUP BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(audited.len(), rows.len(), "{audited:?}");
    assert!(audited.iter().all(|(_, n)| *n == 1), "{audited:?}");
    store.close().await;
}
