//! The scheduled reconciler and the API budget against the real simulator: a tick reads only
//! the due orders, the most urgent first, spending no more calls than the reconciler's share
//! (counted by the simulator); and a storm of 429s — with and without `Retry-After` — slows
//! the processor and the reconciler down without any order authorised twice or left behind.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use mizan_core::Console;
use mizan_core::clock::ManualClock;
use mizan_core::gateway::{BudgetConfig, ResilienceConfig};
use mizan_core::reconcile::Reconciler;
use mizan_core::store::watch;
use serde_json::{Value, json};

use crate::processor_concurrency::{
    approved_at_once, authorised, authorised_once, demo_world, drain, start,
};

async fn post(url: String, body: Value) {
    let r = reqwest::Client::new()
        .post(url)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}

/// API calls the simulator has answered (429s not counted).
async fn calls(api: &str) -> u64 {
    let v: Value = reqwest::get(format!("{api}/_sandbox/calls"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    v["total"].as_u64().unwrap()
}

async fn set_last_read(console: &Console, ids: &[String], ago: chrono::Duration) {
    for id in ids {
        let at = console.now() - ago;
        watch::backdate(console.store(), console.environment(), id, at, None)
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tick_reads_the_due_orders_most_urgent_first_within_the_reconcilers_share() {
    let (_sim, api, _dir, console) = demo_world().await;
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    let budget = BudgetConfig {
        per_minute: 600,
        reconciler_per_minute: 10,
    };
    let console = console
        .with_clock(clock.clone())
        .with_resilience(ResilienceConfig {
            budget,
            ..ResilienceConfig::default()
        });
    // 20 checkouts, read when created; no webhook is registered, so only the reconciler can
    // see what happens to them at Tamara.
    let ids = approved_at_once(&console, &api, 5, 20, json!({})).await;
    // `approved_at_once` approved them all; the reconciler must find and authorise them.
    let reconciler = Reconciler::new(console.clone());
    let (due, fresh) = ids.split_at(3);
    set_last_read(&console, due, chrono::Duration::hours(1)).await;

    let before = calls(&api).await;
    let r = reconciler.tick().await.unwrap();
    let spent = calls(&api).await - before;
    assert_eq!((r.due, r.checked, r.deferred), (3, 3, 0), "{r:?}");
    // Each was found approved: a read, the authorisation, a re-read.
    assert_eq!(spent, 9, "{r:?}");
    assert_eq!(authorised(&console, due).await, 3);
    assert_eq!(authorised(&console, fresh).await, 0, "not due yet");

    // Now all 17 left are due: a checkout may turn out approved (3 calls), so the share (10
    // calls a tick) reads 3 and leaves the rest for the next ticks, never spending more.
    set_last_read(&console, fresh, chrono::Duration::hours(1)).await;
    let mut ticks = 0;
    while authorised(&console, fresh).await < fresh.len() {
        clock.advance(Duration::from_secs(60));
        let before = calls(&api).await;
        let r = reconciler.tick().await.unwrap();
        let spent = calls(&api).await - before;
        assert!(spent <= 10, "tick {ticks} spent {spent} calls: {r:?}");
        assert!(r.checked >= 1, "{r:?}");
        ticks += 1;
        assert!(ticks <= 10, "the backlog did not drain: {r:?}");
    }
    assert_eq!(ticks, 6, "17 orders at 3 a tick");
    authorised_once(&console, &ids).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_storm_slows_the_processor_and_reconciler_but_every_order_is_authorised_once() {
    for retry_after in [None, Some(1u64)] {
        let (_sim, api, _dir, console) = demo_world().await;
        let service = start(&console).await;
        // Tamara answers at most 8 calls a second, with or without saying when to retry; the
        // processor and a sweep together want about 40 at once.
        let storm = json!({"rate_limit_per_second": 8, "retry_after_secs": retry_after});
        let ids = approved_at_once(&console, &api, 11, 6, storm).await;
        // A sweep meets the processor on the same orders in the middle of the storm.
        let sweep = Reconciler::new(console.clone()).with_concurrency(4);
        let swept = sweep.sweep().await.unwrap();
        let started = Instant::now();
        while authorised(&console, &ids).await < ids.len()
            && started.elapsed() < Duration::from_secs(90)
        {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let budget = console.api_budget();
        assert!(
            budget.rate_limited() > 0,
            "the storm was felt ({retry_after:?})"
        );
        assert_eq!(
            authorised(&console, &ids).await,
            ids.len(),
            "every approved order authorised through the storm ({retry_after:?}); {swept:?}"
        );
        post(
            format!("{api}/_sandbox/faults/api"),
            json!({"rate_limit_per_second": 0}),
        )
        .await;
        drain(&console).await;
        service.stop().await.unwrap();
        authorised_once(&console, &ids).await;
    }
}
