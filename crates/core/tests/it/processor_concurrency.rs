//! The processor with several orders in flight, against the real simulator answering every API
//! call late: a dozen orders approved at once are each authorised exactly once, each order's
//! deliveries are settled in arrival order, nothing fails — and a restart in the middle of the
//! backlog does nothing twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use mizan_core::Console;
use mizan_core::demo::{self, customers};
use mizan_core::service::RunningService;
use mizan_core::store::deliveries::{self, DeliveryFilter, ProcessingState};
use mizan_core::store::ledger::{self, LedgerKind};
use mizan_core::store::orders;
use mizan_core::webhooks::WEBHOOK_PATH;
use serde_json::json;

use crate::demo_traffic::{demo_console, fast};

const ORDERS: u64 = 12;

pub async fn start(console: &Console) -> RunningService {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut config = fast();
    config.processor.concurrency = 6;
    config.reconcile_every = None;
    let service = RunningService::start(console.clone(), listener, config).unwrap();
    let url = format!("http://{}{WEBHOOK_PATH}", service.addr());
    demo::point_webhooks_at(console, &url).await.unwrap();
    service
}

pub async fn authorised(console: &Console, ids: &[String]) -> usize {
    let mut n = 0;
    for id in ids {
        let o = orders::get(console.store(), console.environment(), id)
            .await
            .unwrap();
        n += usize::from(o.is_some_and(|o| o.status == "authorised"));
    }
    n
}

/// `n` checkouts created at no latency, then the simulator's API `fault` set (e.g. every call
/// late), then all approved at once; their order ids.
pub async fn approved_at_once(
    console: &Console,
    api: &str,
    seed: u64,
    n: u64,
    fault: serde_json::Value,
) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut dice = customers::Dice::new(seed);
    let mut ids = Vec::new();
    for k in 1..=n {
        let req = customers::checkout(&mut dice, k, "http://127.0.0.1:9").unwrap();
        ids.push(
            console
                .create_checkout(&req)
                .await
                .unwrap()
                .response
                .value
                .order_id,
        );
    }
    let r = http
        .post(format!("{api}/_sandbox/faults/api"))
        .json(&fault)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    for id in &ids {
        let r = http
            .post(format!("{api}/_sandbox/orders/{id}/approve"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }
    ids
}

/// Waits (up to 30 s) until no delivery is pending.
pub async fn drain(console: &Console) {
    let started = Instant::now();
    while deliveries::backlog_count(console.store(), None)
        .await
        .unwrap()
        > 0
        && started.elapsed() < Duration::from_secs(30)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A fresh simulator and a demo console on a new data directory pointed at it (keep the
/// handle and the directory alive for the test).
pub async fn demo_world() -> (
    tamara_sandbox::SandboxHandle,
    String,
    tempfile::TempDir,
    Console,
) {
    let sim = tamara_sandbox::spawn(Default::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let api = sim.base_url();
    let dir = tempfile::tempdir().unwrap();
    let console = demo_console(dir.path(), &api).await;
    (sim, api, dir, console)
}

/// Every API call `ms` late.
fn stall(ms: u64) -> serde_json::Value {
    json!({"stall_ms": ms, "stall_count": 10_000})
}

/// Each of `ids` has exactly one succeeded authorisation in the ledger.
pub async fn authorised_once(console: &Console, ids: &[String]) {
    for id in ids {
        let entries = ledger::list_for_order(console.store(), console.environment(), id)
            .await
            .unwrap();
        let succeeded = entries
            .iter()
            .filter(|e| {
                e.kind == LedgerKind::Authorise && e.state == ledger::LedgerState::Succeeded
            })
            .count();
        assert_eq!(succeeded, 1, "order {id} authorised once: {entries:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_approved_at_once_are_each_authorised_once_in_order_across_a_restart() {
    let (_sim, api, _dir, console) = demo_world().await;
    let service = start(&console).await;
    // Every API call answers late, as Tamara's do over a real network.
    let ids = approved_at_once(&console, &api, 3, ORDERS, stall(150)).await;

    // Stop in the middle of the backlog, once a few are done; start again on the same inbox.
    let started = Instant::now();
    while authorised(&console, &ids).await < 3 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    service.stop().await.unwrap();
    let service = start(&console).await;
    while authorised(&console, &ids).await < ids.len()
        && started.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        authorised(&console, &ids).await,
        ids.len(),
        "every approved order authorised"
    );
    // The `order_authorised` notifications of the last authorisations may still be in flight.
    drain(&console).await;
    service.stop().await.unwrap();

    for id in &ids {
        let entries = ledger::list_for_order(console.store(), console.environment(), id)
            .await
            .unwrap();
        let authorisations = entries
            .iter()
            .filter(|e| e.kind == LedgerKind::Authorise)
            .count();
        assert_eq!(
            authorisations, 1,
            "order {id} authorised once: {entries:#?}"
        );
    }
    let all = deliveries::list(console.store(), &DeliveryFilter::default())
        .await
        .unwrap();
    assert!(
        all.iter()
            .all(|d| d.processing_state != ProcessingState::Failed),
        "{all:#?}"
    );
    let mut by_order: HashMap<&str, Vec<_>> = HashMap::new();
    for d in &all {
        if let Some(o) = d.order_id.as_deref() {
            by_order.entry(o).or_default().push(d);
        }
    }
    for (order, mut rows) in by_order {
        rows.sort_by_key(|d| d.id);
        let settled: Vec<_> = rows.iter().map(|d| d.processed_at).collect();
        assert!(
            settled.windows(2).all(|w| w[0] <= w[1]),
            "order {order}'s deliveries settled in arrival order: {settled:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_and_a_reconcile_sweep_meeting_on_an_order_authorise_it_once() {
    let (_sim, api, _dir, console) = demo_world().await;
    let service = start(&console).await;
    let ids = approved_at_once(&console, &api, 9, 8, stall(100)).await;
    // While the processor works through the approvals, a sweep reads the same orders and
    // authorises those it finds approved.
    let sweeps = mizan_core::reconcile::Reconciler::new(console.clone()).with_concurrency(4);
    sweeps.sweep().await.unwrap();
    let started = Instant::now();
    while authorised(&console, &ids).await < ids.len()
        && started.elapsed() < Duration::from_secs(60)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sweeps.sweep().await.unwrap();
    service.stop().await.unwrap();
    assert_eq!(authorised(&console, &ids).await, ids.len());
    authorised_once(&console, &ids).await;
}
