//! Measurement, not a timed test: the desktop's order list at a million cached orders.
//!
//! Seeds `MIZAN_SCALE_ORDERS` orders (default 1,000,000) into a fresh store (in
//! `MIZAN_SCALE_DIR`, kept, or a temporary directory) through the real schema and triggers,
//! then times each screen query as the app runs it (`views::orders::orders_page`: the page and
//! its capped count): the first run and the median of five. Run with
//! `cargo test -p mizan-core --test it order_list_scale -- --ignored --nocapture`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use mizan_core::Environment;
use mizan_core::store::order_list::OrderListQuery;
use mizan_core::store::seed;
use mizan_core::views::orders::orders_page;
use rust_decimal::Decimal;

fn q(f: impl FnOnce(&mut OrderListQuery)) -> OrderListQuery {
    let mut q = OrderListQuery {
        limit: 100,
        ..OrderListQuery::default()
    };
    f(&mut q);
    q
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement: seeds a million orders (about a minute); run with --ignored"]
async fn order_list_at_a_million_orders() {
    let n: u64 = std::env::var("MIZAN_SCALE_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let tmp = tempfile::tempdir().unwrap();
    let dir = std::env::var("MIZAN_SCALE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| tmp.path().to_path_buf());
    let console = common::console(&dir, &[]).await;
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(console.store().sqlite_pool().unwrap())
        .await
        .unwrap();
    let have = u64::try_from(have).unwrap();
    if have < n {
        let started = Instant::now();
        seed::seed_orders(console.store(), Environment::Sandbox, have, n)
            .await
            .unwrap();
        println!(
            "seeded {} orders in {:.1} s",
            n - have,
            started.elapsed().as_secs_f64()
        );
    }
    let size = std::fs::metadata(dir.join("mizan.db"))
        .map(|m| m.len())
        .unwrap_or(0)
        + std::fs::metadata(dir.join("mizan.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!("store: {n} orders, {:.0} MB", size as f64 / 1e6);

    let last_week = Utc.with_ymd_and_hms(2025, 12, 25, 0, 0, 0).unwrap();
    let cases: Vec<(&str, OrderListQuery)> = vec![
        ("first page, no filter", q(|_| {})),
        (
            "status = authorised",
            q(|q| q.statuses = vec!["authorised".into()]),
        ),
        (
            "status in (approved, authorised)",
            q(|q| q.statuses = vec!["approved".into(), "authorised".into()]),
        ),
        (
            "currency = KWD",
            q(|q| q.currency = Some(tamara::Currency::Kwd)),
        ),
        (
            "created in the last week",
            q(|q| q.created_from = Some(last_week)),
        ),
        (
            "amount 1000.00..1010.00",
            q(|q| {
                q.amount_min = Some(Decimal::new(100_000, 2));
                q.amount_max = Some(Decimal::new(101_000, 2));
            }),
        ),
        (
            "reference contains SEED-00123",
            q(|q| q.reference = Some("SEED-00123".into())),
        ),
        (
            "reference contains 77777 (rare)",
            q(|q| q.reference = Some("77777".into())),
        ),
        ("text omar (common)", q(|q| q.text = Some("omar".into()))),
        (
            "text haddad (common)",
            q(|q| q.text = Some("haddad".into())),
        ),
        (
            "text sara.120000@ (one)",
            q(|q| q.text = Some("sara.120000@".into())),
        ),
        ("text zzqx (none)", q(|q| q.text = Some("zzqx".into()))),
        ("text Om (2 chars)", q(|q| q.text = Some("Om".into()))),
        (
            "status authorised + text omar",
            q(|q| {
                q.statuses = vec!["authorised".into()];
                q.text = Some("omar".into());
            }),
        ),
        ("page at offset 10,000", q(|q| q.offset = 10_000)),
        ("page at offset 500,000", q(|q| q.offset = 500_000)),
    ];
    println!(
        "{:<36} {:>9} {:>10} {:>9}",
        "query", "first ms", "median ms", "total"
    );
    let mut worst = Duration::ZERO;
    for (name, query) in cases {
        let mut times = Vec::new();
        let mut total = String::new();
        for _ in 0..5 {
            let started = Instant::now();
            let page = orders_page(&console, query.clone()).await.unwrap();
            times.push(started.elapsed());
            total = format!("{}{}", page.total, if page.total_capped { "+" } else { "" });
        }
        let first = times[0];
        let mut sorted = times.clone();
        sorted.sort();
        let median = sorted[2];
        if !name.starts_with("page at offset 500") {
            worst = worst.max(median);
        }
        println!(
            "{name:<36} {:>9.1} {:>10.1} {total:>9}",
            first.as_secs_f64() * 1e3,
            median.as_secs_f64() * 1e3
        );
    }
    println!(
        "worst median (screen queries): {:.1} ms",
        worst.as_secs_f64() * 1e3
    );
}
