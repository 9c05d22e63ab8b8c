//! The demo end to end against the real simulator over loopback HTTP: the shared service runner
//! (receiver, processor, reconciler) on a real port, the simulator's webhooks pointed at it,
//! and the traffic generator making orders that get approved (and authorised by the
//! processor), declined, captured and refunded — then the desktop's read models over the
//! result: the change feed, the order screen's timeline, the dashboard and the attention queue.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::{Duration, Instant};

use chrono::Utc;
use mizan_core::demo::{self, Traffic};
use mizan_core::service::{RunningService, ServiceConfig};
use mizan_core::statements::Outcome;
use mizan_core::store::ledger::{LedgerKind, LedgerState};
use mizan_core::store::order_list::{self, OrderListQuery, TextPlan};
use mizan_core::views::{changes, dashboard, detail};
use mizan_core::webhooks::{ProcessorConfig, WEBHOOK_PATH};
use mizan_core::{Console, Environment};

pub async fn demo_console(dir: &std::path::Path, api_url: &str) -> Console {
    let mut config = common::config(dir, &[]);
    // As the app does in demo mode: the built-in sandbox, moved to the simulator's real port.
    assert!(config.sandbox.built_in_sandbox);
    config.sandbox.api_url = api_url.to_owned();
    Console::open(config).await.unwrap()
}

pub fn fast() -> ServiceConfig {
    ServiceConfig {
        reconcile_every: Some(Duration::from_secs(1)),
        reconcile_concurrency: 2,
        processor: ProcessorConfig {
            idle_interval: Duration::from_millis(100),
            retry_base: Duration::from_millis(200),
            retry_max: Duration::from_secs(1),
            ..ProcessorConfig::default()
        },
        registration_check_every: Some(Duration::from_secs(1)),
        prune_every: None,
        ..ServiceConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_traffic_makes_money_flow_through_the_in_app_services() {
    let sim = tamara_sandbox::spawn(Default::default(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let console = demo_console(dir.path(), &sim.base_url()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let service = RunningService::start(console.clone(), listener, fast()).unwrap();
    let base = format!("http://{}", service.addr());
    let url = format!("{base}{WEBHOOK_PATH}");
    let mark = changes::now(&console).await.unwrap();
    let mut deliveries_moved = service.deliveries();

    let id = demo::point_webhooks_at(&console, &url).await.unwrap();
    assert_eq!(
        demo::point_webhooks_at(&console, &url).await.unwrap(),
        id,
        "pointing again keeps the one registration"
    );

    let mut traffic = Traffic::new(console.clone(), &base, 42).await.unwrap();
    let created = traffic.created();
    let started = Instant::now();
    let (mut approved, mut declined, mut captured, mut refunded) = (0, 0, 0, 0);
    let mut disputed = 0;
    while started.elapsed() < Duration::from_secs(60) {
        let r = traffic.tick().await;
        assert!(r.failures.is_empty(), "{:?}", r.failures);
        match r.created {
            Some((_, true)) => approved += 1,
            Some((_, false)) => declined += 1,
            None => panic!("every tick creates an order"),
        }
        captured += usize::from(r.captured.is_some());
        refunded += usize::from(r.refunded.is_some());
        disputed += usize::from(r.disputed.is_some());
        if approved >= 6 && captured >= 3 && refunded >= 1 && disputed >= 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert!(
        captured >= 3 && refunded >= 1 && disputed >= 1,
        "captured {captured}, refunded {refunded}, disputed {disputed}"
    );
    // The dispute's event reached the receiver on its own webhook and the disputes board.
    let mut board = None;
    for _ in 0..100 {
        let b = mizan_core::disputes::board(&console, false).await.unwrap();
        if !b.disputes.is_empty() {
            board = Some(b);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let board = board.expect("a demo dispute on the board");
    assert!(board.unmatched.is_empty(), "{board:?}");
    // What was settled so far becomes a statement with the demo's one deliberate difference,
    // imported and reconciled like a downloaded one.
    let imported = traffic.settle().await.unwrap().expect("captures to settle");
    let r = console
        .reconcile_statement(imported.statement.id)
        .await
        .unwrap();
    let differences: Vec<Outcome> = r.differences().map(|x| x.outcome).collect();
    assert_eq!(differences, [Outcome::AmountDiffers], "{:#?}", r.rows);
    assert!(
        traffic.settle().await.unwrap().is_none(),
        "nothing new to settle"
    );
    let made = created.load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(made, approved + declined);

    // The receiver told its observers; the processor authorised approved orders from webhooks.
    assert!(*deliveries_moved.borrow_and_update() > 0);
    // Its pace is what the backlog's time to drain is estimated from.
    let backlog = mizan_core::views::backlog::backlog(&console).await.unwrap();
    assert!(
        backlog.processed_per_minute.is_some_and(|p| p > 0),
        "{backlog:?}"
    );
    // The service checked the registration it serves: present as recorded, deliveries flowing.
    let mut health = service.registration_health();
    let checked = tokio::time::timeout(
        Duration::from_secs(10),
        health.wait_for(|h| h.as_ref().is_some_and(|h| !h.registrations.is_empty())),
    )
    .await
    .expect("a registration-health check within seconds")
    .unwrap()
    .clone()
    .unwrap();
    assert!(checked.is_healthy(), "{:?}", checked.problems());
    let q = OrderListQuery {
        limit: 1_000,
        ..OrderListQuery::default()
    };
    let all = order_list::records(console.store(), Environment::Sandbox, &q, &TextPlan::None)
        .await
        .unwrap();
    assert_eq!(all.len() as u64, made, "every created order is cached");
    assert!(
        all.iter()
            .all(|o| o.order_reference_id.starts_with(demo::REFERENCE_PREFIX))
    );
    let statuses: Vec<&str> = all.iter().map(|o| o.status.as_str()).collect();
    assert!(
        statuses
            .iter()
            .any(|s| s.contains("captured") || s.contains("refunded")),
        "{statuses:?}"
    );

    // The change feed reports the deliveries and the orders written since the start.
    let mut m = mark.clone();
    let c = changes::since(&console, &mut m).await.unwrap();
    assert!(!c.deliveries.is_empty() && !c.orders.is_empty());
    assert!(
        c.deliveries.iter().all(|d| d.verdict == "verified"),
        "{:?}",
        c.deliveries
    );
    assert!(m.delivery_id > mark.delivery_id);
    let again = changes::since(&console, &mut m).await.unwrap();
    assert!(
        again
            .deliveries
            .iter()
            .all(|d| d.id > c.deliveries.last().unwrap().id),
        "nothing is reported twice"
    );

    // The order screen of a refunded order: amounts, allowed moves and a merged timeline.
    let refunded_order = all
        .iter()
        .find(|o| o.refunded.is_positive())
        .expect("a refunded order");
    let view = detail::order_view(&console, &refunded_order.order_id)
        .await
        .unwrap();
    assert_eq!(view.amounts.refunded, refunded_order.refunded);
    assert_eq!(
        view.amounts.refundable,
        refunded_order
            .captured
            .checked_sub(refunded_order.refunded)
            .unwrap()
    );
    assert!(!view.allowed.authorise && !view.allowed.cancel);
    assert_eq!(view.allowed.refund, view.amounts.refundable.is_positive());
    let kinds: Vec<_> = view.timeline.iter().map(|e| e.kind).collect();
    for want in [
        detail::TimelineKind::Webhook,
        detail::TimelineKind::ApiCall,
        detail::TimelineKind::Status,
    ] {
        assert!(kinds.contains(&want), "{want:?} missing from {kinds:?}");
    }
    assert!(
        view.timeline.windows(2).all(|w| w[0].at <= w[1].at),
        "oldest first"
    );
    assert!(
        view.cached
            .ledger
            .iter()
            .any(|e| e.kind == LedgerKind::Refund && e.state == LedgerState::Succeeded)
    );
    // Every money move is filed under "Money move" (the demo's refunds are the console's own
    // API calls), and its audit entry under "Audit".
    let moves: Vec<_> = view
        .timeline
        .iter()
        .filter(|e| e.kind == detail::TimelineKind::Move)
        .collect();
    assert!(
        moves.iter().any(|e| e.title.starts_with("Refund")),
        "{moves:?}"
    );
    assert!(
        view.timeline
            .iter()
            .any(|e| e.kind == detail::TimelineKind::Audit && e.title == "move.refund"),
        "{:?}",
        view.timeline
    );
    let webhook = view
        .timeline
        .iter()
        .find(|e| e.kind == detail::TimelineKind::Webhook)
        .unwrap();
    let body: serde_json::Value =
        serde_json::from_str(webhook.payload.as_deref().unwrap()).unwrap();
    assert_eq!(
        body["order_id"].as_str(),
        Some(refunded_order.order_id.as_str())
    );

    // The dashboard sums today's captures and refunds exactly, per currency.
    let d = dashboard::dashboard(&console, 7, Some(Duration::from_secs(1)), Utc::now())
        .await
        .unwrap();
    assert!(!d.volume.is_empty());
    for v in &d.volume {
        let want_captured = all
            .iter()
            .filter(|o| o.currency() == v.captured.currency())
            .try_fold(tamara::Money::zero(v.captured.currency()), |s, o| {
                s.checked_add(o.captured)
            })
            .unwrap();
        assert_eq!(v.captured, want_captured, "{}", v.day);
    }
    assert!(d.deliveries.verified > 0);
    assert_eq!(d.breaker, "closed");

    service.stop().await.unwrap();
    let hb = mizan_core::webhooks::health::receiver_health(&console, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        hb.state,
        mizan_core::webhooks::health::ReceiverStatus::Stopped
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn demo_traffic_refuses_anything_but_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    // A port where nothing listens stands for "not the simulator".
    let console = demo_console(dir.path(), "http://127.0.0.1:9").await;
    let e = Traffic::new(console.clone(), "http://127.0.0.1:1", 1)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert!(e.to_string().contains("never runs against Tamara"), "{e}");

    let real = common::console(
        dir.path(),
        &[
            ("MIZAN_SANDBOX_API_URL", "https://api-sandbox.tamara.co"),
            ("MIZAN_SANDBOX_API_TOKEN", "x"),
        ],
    )
    .await;
    let e = demo::point_webhooks_at(&real, "http://127.0.0.1:1/webhooks/tamara")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("built-in simulator"), "{e}");

    assert_eq!(demo::interval_from(Some("20")), Duration::from_millis(50));
    assert_eq!(demo::interval_from(Some("250")), Duration::from_millis(250));
    assert_eq!(demo::interval_from(Some("fast")), demo::DEFAULT_INTERVAL);
    assert_eq!(demo::interval_from(None), demo::DEFAULT_INTERVAL);
}
