//! The lists a finance person must be able to trust, on a real SQLite file: a phone typed in
//! any usual form finds its order (the one rule of `mizan_core::phone`, on both sides: stored
//! and typed, and for rows cached before migration 0009), rehearsal orders are marked and kept
//! behind a filter, and the attention queue holds every authorised order with money left to
//! capture — with its amount and customer — and no rehearsal order (as `mizan orders stuck`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, TimeZone, Utc};
use mizan_core::desktop::orders::{self as desktop_orders, OrdersQuery};
use mizan_core::environment::Environment::Sandbox;
use mizan_core::money::{Currency, Money};
use mizan_core::store::Store;
use mizan_core::store::order_list::OrderListQuery;
use mizan_core::store::orders::{self, OrderRecord};
use mizan_core::views::attention::{self, AttentionReason};
use mizan_core::views::orders::orders_page;

use crate::common;
use crate::store_orders::order;

fn sar(text: &str) -> Money {
    Money::parse(text, Currency::Sar).unwrap()
}

fn with(id: &str, f: impl FnOnce(&mut OrderRecord)) -> OrderRecord {
    let mut o = order(Sandbox, id, sar("2500.00"));
    f(&mut o);
    o
}

async fn texts(console: &mizan_core::Console, text: &str) -> Vec<String> {
    let q = OrderListQuery {
        text: Some(text.to_owned()),
        ..OrderListQuery::default()
    };
    let page = orders_page(console, q).await.unwrap();
    assert_eq!(page.total as usize, page.rows.len(), "{text}");
    page.rows.into_iter().map(|r| r.order_id).collect()
}

#[tokio::test]
async fn a_phone_is_found_however_it_is_typed_and_however_it_was_stored() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[]).await;
    for (id, stored) in [
        ("plain", "515961287"),
        ("intl", "+966 51 596 1287"),
        ("trunk", "0515961287"),
        ("other", "544337866"),
    ] {
        let o = with(id, |o| o.customer_phone = Some(stored.to_owned()));
        orders::upsert(console.store(), &o).await.unwrap();
    }
    let want = vec!["trunk".to_owned(), "plain".to_owned(), "intl".to_owned()];
    for typed in [
        "515961287",
        "0515961287",
        "+966 51 596 1287",
        "+966515961287",
        "00966-51-596-1287",
    ] {
        let mut got = texts(&console, typed).await;
        got.sort_by_key(|id| want.iter().position(|w| w == id));
        assert_eq!(got, want, "typed {typed:?}");
    }
    // Part of a number still matches as stored ("contains"), and nothing else.
    assert_eq!(texts(&console, "4433").await, vec!["other".to_owned()]);
}

#[tokio::test]
async fn orders_cached_before_the_phone_key_are_filled_when_the_store_opens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mizan.db");
    {
        let store = Store::open(&path).await.unwrap();
        let o = with("old", |o| {
            o.customer_phone = Some("+966 (51) 596-1287".to_owned())
        });
        orders::upsert(&store, &o).await.unwrap();
        // As a row written before migration 0009 looks.
        sqlx::query("UPDATE orders SET customer_phone_key = NULL")
            .execute(store.sqlite_pool().unwrap())
            .await
            .unwrap();
    }
    let store = Store::open(&path).await.unwrap();
    let key: Option<String> = sqlx::query_scalar("SELECT customer_phone_key FROM orders")
        .fetch_one(store.sqlite_pool().unwrap())
        .await
        .unwrap();
    assert_eq!(key.as_deref(), Some("515961287"));
}

#[tokio::test]
async fn rehearsal_orders_are_marked_and_kept_behind_a_filter() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[]).await;
    let real = with("real", |_| {});
    let rehearsal = with("rehearsal", |o| {
        o.order_reference_id = "REHEARSE-20261207120000-1".to_owned();
    });
    for o in [&real, &rehearsal] {
        orders::upsert(console.store(), o).await.unwrap();
    }
    let ids = |q: OrdersQuery| {
        let console = &console;
        async move {
            let page = desktop_orders::page(console, &q).await.unwrap();
            page.rows
                .into_iter()
                .map(|r| (r.order_id, r.rehearsal))
                .collect::<Vec<_>>()
        }
    };
    let base = OrdersQuery {
        limit: 10,
        ..OrdersQuery::default()
    };
    assert_eq!(
        ids(OrdersQuery {
            rehearsal: Some(false),
            ..base.clone()
        })
        .await,
        vec![("real".to_owned(), false)]
    );
    assert_eq!(
        ids(OrdersQuery {
            rehearsal: Some(true),
            ..base.clone()
        })
        .await,
        vec![("rehearsal".to_owned(), true)]
    );
    assert_eq!(ids(base).await.len(), 2, "no filter: every order");
}

#[tokio::test]
async fn every_authorised_order_with_money_left_to_capture_is_in_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[]).await;
    let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
    let authorised = |id: &str, status: &str| {
        with(id, |o| {
            o.status = status.to_owned();
            o.authorised = o.total;
            o.created_at = t0;
            o.updated_at = t0;
        })
    };
    let partly = {
        let mut o = authorised("partly", "partially_captured");
        o.captured = sar("600.00");
        o
    };
    let refunded_part = {
        let mut o = authorised("refunded-part", "partially_refunded");
        o.captured = sar("500.00");
        o.refunded = sar("100.00");
        o
    };
    let all_captured = {
        let mut o = authorised("all", "partially_refunded");
        o.captured = sar("2500.00");
        o.refunded = sar("100.00");
        o
    };
    let canceled_rest = {
        let mut o = authorised("canceled-rest", "partially_captured");
        o.captured = sar("0.30");
        o.canceled = sar("2499.70");
        o
    };
    let rehearsal = {
        let mut o = authorised("rehearsal", "authorised");
        o.order_reference_id = "REHEARSE-20261201090000-2".to_owned();
        o
    };
    let plain = authorised("plain", "authorised");
    for o in [
        &partly,
        &refunded_part,
        &all_captured,
        &canceled_rest,
        &rehearsal,
        &plain,
    ] {
        orders::upsert(console.store(), o).await.unwrap();
    }
    let now = t0 + Duration::days(1);
    let q = attention::attention_queue(&console, now).await.unwrap();
    let mut got: Vec<_> = q
        .iter()
        .filter(|i| i.reason == AttentionReason::AuthorisedNotCaptured)
        .map(|i| {
            (
                i.order_id.as_str(),
                i.amount.map(|m| m.to_string()),
                i.customer.as_deref(),
            )
        })
        .collect();
    got.sort();
    let name = Some("Sara Khalid");
    assert_eq!(
        got,
        vec![
            ("partly", Some(sar("1900.00").to_string()), name),
            ("plain", Some(sar("2500.00").to_string()), name),
            ("refunded-part", Some(sar("2000.00").to_string()), name),
        ],
        "{q:#?}"
    );
    assert!(q.iter().all(|i| i.order_id != "rehearsal"));
    // `mizan orders stuck` keeps the same rule.
    let mut stuck: Vec<_> = mizan_core::reconcile::stuck_orders(&console, now)
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.order_id)
        .collect();
    stuck.sort();
    assert_eq!(stuck, ["partly", "plain", "refunded-part"]);
    let partly = q.iter().find(|i| i.order_id == "partly").unwrap();
    assert_eq!(partly.deadline, Some(t0 + Duration::days(21)));

    // The desktop's row carries the amount as an exact string with its currency.
    let rows = desktop_orders::attention_queue(&console).await.unwrap();
    let row = rows.iter().find(|i| i.order_id == "partly").unwrap();
    assert_eq!(
        (row.amount.as_deref(), row.currency.as_deref()),
        (Some("1900.00"), Some("SAR"))
    );
    assert_eq!(row.customer.as_deref(), Some("Sara Khalid"));
}

#[tokio::test]
async fn a_list_pinned_at_its_arrival_mark_keeps_its_rows_while_orders_arrive() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[]).await;
    let t0 = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
    let at = |id: &str, secs: i64| {
        with(id, |o| {
            o.created_at = t0 + Duration::seconds(secs);
        })
    };
    for o in [at("a", 10), at("b", 20), at("c", 30)] {
        orders::upsert(console.store(), &o).await.unwrap();
    }
    let first = orders_page(&console, OrderListQuery::default())
        .await
        .unwrap();
    let ids = |p: &mizan_core::views::orders::OrdersPage| {
        p.rows
            .iter()
            .map(|r| r.order_id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ["c", "b", "a"]);
    // Arrivals: one newer, and one created earlier that reaches the cache late (a webhook
    // after a retry) — which a pin by creation time would slip into the middle of the list.
    for o in [at("d", 40), at("late", 15)] {
        orders::upsert(console.store(), &o).await.unwrap();
    }
    // An order already shown changes: it stays where it was.
    orders::upsert(console.store(), &at("b", 20)).await.unwrap();
    let pinned = orders_page(
        &console,
        OrderListQuery {
            arrived_upto: Some(first.arrival_mark),
            ..OrderListQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(&pinned), ["c", "b", "a"]);
    assert_eq!((pinned.total, pinned.arrival_mark), (3, first.arrival_mark));
    let waiting = orders_page(
        &console,
        OrderListQuery {
            arrived_after: Some(first.arrival_mark),
            ..OrderListQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(&waiting), ["d", "late"]);
    assert!(waiting.arrival_mark > first.arrival_mark);
    let shown = orders_page(
        &console,
        OrderListQuery {
            arrived_upto: Some(waiting.arrival_mark),
            ..OrderListQuery::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(ids(&shown), ["d", "c", "b", "late", "a"]);
}
