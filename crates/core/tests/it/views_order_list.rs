//! The desktop's order list over a real SQLite file with seeded orders: every filter agrees
//! with a brute-force count, both text-search plans return the same rows, counts stop at their
//! cap, pages never skip or repeat, bad input is refused by name — and the migration's trigram
//! index follows inserts and updates.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::{TimeZone, Utc};
use mizan_core::store::order_list::{self, OrderListQuery, TextPlan};
use mizan_core::store::seed;
use mizan_core::views::orders::{self, orders_page};
use mizan_core::{Console, Environment};
use rust_decimal::Decimal;

const N: u64 = 3_000;

async fn seeded() -> (tempfile::TempDir, Console) {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[]).await;
    seed::seed_orders(console.store(), Environment::Sandbox, 0, N)
        .await
        .unwrap();
    // A few production orders that must never show in the sandbox list.
    seed::seed_orders(console.store(), Environment::Production, N, N + 50)
        .await
        .unwrap();
    (dir, console)
}

fn query(limit: u32) -> OrderListQuery {
    OrderListQuery {
        limit,
        ..OrderListQuery::default()
    }
}

async fn brute_count(console: &Console, where_sql: &str) -> u32 {
    let sql = format!("SELECT COUNT(*) FROM orders WHERE environment = 'sandbox' AND {where_sql}");
    let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(console.store().sqlite_pool().unwrap())
        .await
        .unwrap();
    u32::try_from(n).unwrap()
}

#[tokio::test]
async fn filters_agree_with_a_brute_force_count() {
    let (_dir, console) = seeded().await;
    let all = orders_page(&console, query(50)).await.unwrap();
    assert_eq!((all.total, all.total_capped), (3_000, false));
    assert_eq!(all.rows.len(), 50);
    assert!(
        all.rows
            .windows(2)
            .all(|w| w[0].created_at >= w[1].created_at),
        "newest first"
    );

    let mut q = query(100);
    q.statuses = vec!["authorised".into(), "approved".into()];
    let page = orders_page(&console, q).await.unwrap();
    let want = brute_count(&console, "status IN ('authorised', 'approved')").await;
    assert_eq!(page.total, want);
    assert!(
        page.rows
            .iter()
            .all(|r| ["authorised", "approved"].contains(&r.status.as_str()))
    );

    let mut q = query(100);
    q.currency = Some(tamara::Currency::Kwd);
    q.amount_min = Some(Decimal::new(1_000, 0));
    q.amount_max = Some(Decimal::new(2_000, 0));
    let page = orders_page(&console, q).await.unwrap();
    let want = brute_count(
        &console,
        "currency = 'KWD' AND CAST(total_amount AS REAL) BETWEEN 1000 AND 2000",
    )
    .await;
    assert!(want > 0, "the seed has KWD orders in that range");
    assert_eq!(page.total, want);
    for r in &page.rows {
        assert_eq!(r.total.currency(), tamara::Currency::Kwd);
        assert!(r.total.amount() >= Decimal::new(1_000, 0));
        assert!(r.total.amount() <= Decimal::new(2_000, 0));
        assert_eq!(
            r.total.amount_text().split('.').nth(1).unwrap().len(),
            3,
            "KWD has 3 dp"
        );
    }

    // Seeded orders are one every 31 s back from 2026-01-01.
    let mut q = query(100);
    q.created_from = Some(Utc.with_ymd_and_hms(2025, 12, 31, 23, 0, 0).unwrap());
    q.created_to = Some(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap());
    let page = orders_page(&console, q).await.unwrap();
    assert_eq!(
        page.total,
        3_600 / 31,
        "orders 1..=116 fall in the last hour"
    );
}

#[tokio::test]
async fn both_text_plans_find_the_same_orders_as_like() {
    let (_dir, console) = seeded().await;
    // Narrow: a reference fragment.
    let mut q = query(100);
    q.reference = Some("seed-00004".into());
    let narrow = order_list::text_plan(console.store(), Environment::Sandbox, &q)
        .await
        .unwrap();
    assert!(
        matches!(&narrow, TextPlan::Narrow(ids) if ids.len() == 100),
        "{narrow:?}"
    );
    let page = orders_page(&console, q.clone()).await.unwrap();
    let want = brute_count(&console, "order_reference_id LIKE '%seed-00004%'").await;
    assert_eq!((page.total, page.rows.len() as u32), (want, want));
    assert_eq!(want, 100, "SEED-0000400 ..= SEED-0000499");
    // The same query through the broad plan (as for a common text) gives the same rows.
    let broad = order_list::page(console.store(), Environment::Sandbox, &q, &TextPlan::Broad)
        .await
        .unwrap();
    let ids = |rows: &[order_list::OrderListRow]| {
        rows.iter().map(|r| r.order_id.clone()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&broad), ids(&page.rows));

    // Free text over the customer's name, email and phone; Arabic too.
    for (text, like) in [
        (
            "omar",
            "customer_name LIKE '%omar%' OR customer_email LIKE '%omar%'",
        ),
        ("سارة", "customer_name LIKE '%سارة%'"),
        ("haddad", "customer_name LIKE '%haddad%'"),
    ] {
        let mut q = query(1_000);
        q.text = Some(text.into());
        let page = orders_page(&console, q).await.unwrap();
        let want = brute_count(&console, &format!("({like})")).await;
        assert!(want > 0, "{text}");
        assert_eq!(page.total, want, "{text}");
    }

    // A whole order id finds that order even though ids are not in the text index.
    let one = orders_page(&console, query(1))
        .await
        .unwrap()
        .rows
        .remove(0);
    let mut q = query(10);
    q.text = Some(one.order_id.clone());
    let page = orders_page(&console, q).await.unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].order_id, one.order_id);

    // Under three characters the trigram index cannot help: the broad plan answers.
    let mut q = query(20);
    q.text = Some("Om".into());
    assert_eq!(
        order_list::text_plan(console.store(), Environment::Sandbox, &q)
            .await
            .unwrap(),
        TextPlan::Broad
    );
    let page = orders_page(&console, q).await.unwrap();
    assert_eq!(page.rows.len(), 20);

    // Nothing the user types is search syntax.
    for odd in ["\"", "a\"b OR c", "NEAR(", "%", "_", "\\"] {
        let mut q = query(10);
        q.text = Some(odd.into());
        let page = orders_page(&console, q).await.unwrap();
        assert_eq!(page.total, 0, "{odd:?}");
    }
}

#[tokio::test]
async fn counts_stop_at_the_cap_and_pages_tile() {
    let (_dir, console) = seeded().await;
    let q = query(100);
    let (n, capped) = order_list::count(
        console.store(),
        Environment::Sandbox,
        &q,
        &TextPlan::None,
        Some(1_000),
    )
    .await
    .unwrap();
    assert_eq!((n, capped), (1_000, true));
    let (n, capped) = order_list::count(
        console.store(),
        Environment::Sandbox,
        &q,
        &TextPlan::None,
        Some(5_000),
    )
    .await
    .unwrap();
    assert_eq!((n, capped), (3_000, false));

    let mut seen = std::collections::HashSet::new();
    for offset in (0..N as u32).step_by(700) {
        let mut q = query(700);
        q.offset = offset;
        for r in orders_page(&console, q).await.unwrap().rows {
            assert!(seen.insert(r.order_id), "no order on two pages");
        }
    }
    assert_eq!(seen.len(), N as usize, "every order on some page");

    // The last page's total needs no count.
    let mut q = query(100);
    q.offset = 2_950;
    let page = orders_page(&console, q).await.unwrap();
    assert_eq!((page.rows.len(), page.total), (50, 3_000));
}

#[tokio::test]
async fn bad_queries_are_refused_by_name_and_blank_filters_ignored() {
    let (_dir, console) = seeded().await;
    let cases: Vec<(OrderListQuery, &str)> = vec![
        (query(0), "limit"),
        (query(1_001), "limit"),
        (
            OrderListQuery {
                amount_min: Some(Decimal::new(10, 0)),
                amount_max: Some(Decimal::new(5, 0)),
                ..query(10)
            },
            "amount_min",
        ),
        (
            OrderListQuery {
                created_from: Some(Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0).unwrap()),
                created_to: Some(Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()),
                ..query(10)
            },
            "created_from",
        ),
        (
            OrderListQuery {
                text: Some("x".repeat(201)),
                ..query(10)
            },
            "text",
        ),
    ];
    for (q, needle) in cases {
        let e = orders_page(&console, q).await.unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(e.to_string().contains(needle), "{e}");
    }
    let q = OrderListQuery {
        statuses: vec![" ".into()],
        reference: Some("  ".into()),
        text: Some(String::new()),
        ..query(10)
    };
    let page = orders_page(&console, q).await.unwrap();
    assert_eq!(page.total, 3_000, "blank filters are no filters");
    assert_eq!(orders::COUNT_CAP, 100_000);
}

#[tokio::test]
async fn the_search_index_follows_upserts() {
    let (_dir, console) = seeded().await;
    let mut q = query(10);
    q.text = Some("zubaida".into());
    assert_eq!(orders_page(&console, q.clone()).await.unwrap().total, 0);
    let id = orders_page(&console, query(1)).await.unwrap().rows[0]
        .order_id
        .clone();
    let mut rec = mizan_core::store::orders::get(console.store(), Environment::Sandbox, &id)
        .await
        .unwrap()
        .unwrap();
    rec.customer_name = Some("Zubaida Al-Farsi".into());
    mizan_core::store::orders::upsert(console.store(), &rec)
        .await
        .unwrap();
    let page = orders_page(&console, q.clone()).await.unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].order_id, id);
    rec.customer_name = Some("Someone Else".into());
    mizan_core::store::orders::upsert(console.store(), &rec)
        .await
        .unwrap();
    assert_eq!(
        orders_page(&console, q).await.unwrap().total,
        0,
        "old text is gone"
    );
}

/// The CLI's listing (full records, `Console::list_orders`) and the screen's page (slim rows,
/// `orders_page`) are two projections of one query: same orders, same order, same fields.
#[tokio::test]
async fn the_cli_listing_and_the_screen_page_show_the_same_orders_in_the_same_order() {
    let (_dir, console) = seeded().await;
    let day = |d| Utc.with_ymd_and_hms(2025, 12, d, 0, 0, 0).unwrap();
    let cases: Vec<OrderListQuery> = vec![
        query(100),
        OrderListQuery {
            offset: 1_234,
            ..query(250)
        },
        OrderListQuery {
            statuses: vec!["authorised".into(), "approved".into()],
            ..query(300)
        },
        OrderListQuery {
            currency: Some(tamara::Currency::Kwd),
            amount_min: Some(Decimal::new(500, 0)),
            ..query(100)
        },
        OrderListQuery {
            created_from: Some(day(31)),
            created_to: Some(day(31) + chrono::Duration::hours(12)),
            ..query(1_000)
        },
        // Narrow text plan, then broad ones (common text; text too short for trigrams).
        OrderListQuery {
            reference: Some("SEED-0001".into()),
            ..query(1_000)
        },
        OrderListQuery {
            text: Some("omar".into()),
            ..query(200)
        },
        OrderListQuery {
            text: Some("Om".into()),
            statuses: vec!["authorised".into()],
            ..query(50)
        },
    ];
    let mut firsts = std::collections::HashSet::new();
    for q in cases {
        let screen = orders_page(&console, q.clone()).await.unwrap();
        let cli = console.list_orders(&q).await.unwrap();
        assert!(!screen.rows.is_empty(), "{q:?} shows something");
        let cli_rows: Vec<order_list::OrderListRow> =
            cli.iter().map(order_list::OrderListRow::from).collect();
        let n = cli_rows.len().max(screen.rows.len());
        if let Some(i) = (0..n).find(|&i| cli_rows.get(i) != screen.rows.get(i)) {
            panic!(
                "{q:?}: row {i} differs (CLI {} rows, screen {}):\nCLI    {:?}\nscreen {:?}",
                cli_rows.len(),
                screen.rows.len(),
                cli_rows.get(i),
                screen.rows.get(i)
            );
        }
        firsts.insert(screen.rows[0].order_id.clone());

        let total = console.count_orders(&q).await.unwrap();
        if screen.total_capped {
            assert!(total >= u64::from(screen.total), "{q:?}");
        } else {
            assert_eq!(total, u64::from(screen.total), "{q:?}");
        }
    }
    assert!(firsts.len() > 4, "the cases are different lists");
}
