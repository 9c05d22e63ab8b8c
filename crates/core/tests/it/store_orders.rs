//! Orders, their items and processed-event claims on each backend (a temporary SQLite file and
//! a fresh PostgreSQL database).

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use crate::backends;
use chrono::{DateTime, Duration, TimeZone, Utc};
use futures::TryStreamExt as _;
use mizan_core::environment::Environment::{self, Production, Sandbox};
use mizan_core::money::{Currency, Money};
use mizan_core::store::StoreError;
use mizan_core::store::items::{self, OrderItem};
use mizan_core::store::order_list::{self, OrderListQuery, TextPlan};
use mizan_core::store::orders::{self, OrderRecord};

pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 31, 9, 12, 40).unwrap()
}

pub(crate) fn money(text: &str, currency: Currency) -> Money {
    Money::parse(text, currency).unwrap()
}

pub(crate) fn order(env: Environment, id: &str, total: Money) -> OrderRecord {
    let zero = Money::zero(total.currency());
    OrderRecord {
        environment: env,
        order_id: id.to_owned(),
        order_reference_id: format!("WEB-{id}"),
        order_number: Some(id.to_owned()),
        status: "approved".to_owned(),
        payment_type: Some("PAY_BY_INSTALMENTS".to_owned()),
        instalments: Some(4),
        total,
        authorised: zero,
        captured: zero,
        refunded: zero,
        canceled: zero,
        paid: zero,
        customer_name: Some("Sara Khalid".to_owned()),
        customer_phone: Some("966544337866".to_owned()),
        customer_email: Some("sara@example.test".to_owned()),
        country_code: Some("SA".to_owned()),
        settlement_status: None,
        settlement_date: None,
        description: None,
        created_at: t0(),
        updated_at: t0(),
        last_synced_at: Some(t0() + Duration::nanoseconds(123_456_789)),
        raw_json: Some(r#"{"order_id":"x"}"#.to_owned()),
    }
}

#[tokio::test]
async fn sandbox_and_production_orders_with_one_id_are_two_rows() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let sar = money("460.00", Currency::Sar);
        let mut prod = order(Production, "same-id", sar);
        prod.status = "authorised".to_owned();
        orders::upsert(&store, &order(Sandbox, "same-id", sar))
            .await
            .unwrap();
        orders::upsert(&store, &prod).await.unwrap();

        let s = orders::get(&store, Sandbox, "same-id")
            .await
            .unwrap()
            .unwrap();
        let p = orders::get(&store, Production, "same-id")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.status, "approved");
        assert_eq!(
            p.status, "authorised",
            "production row is not overwritten by sandbox"
        );
        for env in [Sandbox, Production] {
            let all = OrderListQuery::default();
            assert_eq!(
                order_list::count(&store, env, &all, &TextPlan::None, None)
                    .await
                    .unwrap(),
                (1, false)
            );
            let listed = order_list::records(&store, env, &all, &TextPlan::None)
                .await
                .unwrap();
            assert!(
                listed.iter().all(|o| o.environment == env),
                "lists never cross environments"
            );
        }
    }
}

#[tokio::test]
async fn records_round_trip_exactly_including_three_decimal_currencies() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let mut kwd = order(Sandbox, "kwd-1", money("10.005", Currency::Kwd));
        kwd.captured = money("3.335", Currency::Kwd);
        kwd.paid = money("0.001", Currency::Kwd);
        let mut sar = order(Sandbox, "sar-1", money("0.1", Currency::Sar));
        sar.refunded = money("0.03", Currency::Sar);
        for o in [&kwd, &sar] {
            orders::upsert(&store, o).await.unwrap();
            let back = orders::get(&store, Sandbox, &o.order_id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                &back, o,
                "every field, amounts and nanosecond times, round-trips"
            );
        }
        assert_eq!(
            b.scalar(
                "SELECT COUNT(*) FROM orders
             WHERE order_id = 'kwd-1' AND total_amount = '10.005' AND currency = 'KWD'"
            )
            .await,
            1,
            "stored as exact text"
        );
        assert_eq!(
            b.scalar(
                "SELECT COUNT(*) FROM orders WHERE order_id = 'sar-1' AND total_amount = '0.10'"
            )
            .await,
            1,
            "written at the currency's precision"
        );
    }
}

#[tokio::test]
async fn upsert_replaces_the_stored_state() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let mut o = order(Sandbox, "o-1", money("100", Currency::Aed));
        orders::upsert(&store, &o).await.unwrap();
        o.status = "partially_captured".to_owned();
        o.captured = money("40", Currency::Aed);
        o.raw_json = None;
        orders::upsert(&store, &o).await.unwrap();
        assert_eq!(
            orders::get(&store, Sandbox, "o-1").await.unwrap().unwrap(),
            o
        );
        let all = OrderListQuery::default();
        assert_eq!(
            order_list::count(&store, Sandbox, &all, &TextPlan::None, None)
                .await
                .unwrap(),
            (1, false)
        );
    }
}

#[tokio::test]
async fn an_amount_in_another_currency_is_refused() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let mut o = order(Sandbox, "o-1", money("100", Currency::Sar));
        o.captured = money("1", Currency::Kwd);
        let err = orders::upsert(&store, &o).await.unwrap_err();
        assert_eq!(err.code(), "store_invalid", "{err}");
        assert!(orders::get(&store, Sandbox, "o-1").await.unwrap().is_none());
    }
}

#[tokio::test]
async fn corrupt_stored_values_are_errors_naming_table_and_column() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        orders::upsert(&store, &order(Sandbox, "o-1", money("100", Currency::Sar)))
            .await
            .unwrap();
        for (sql, column) in [
            (
                "UPDATE orders SET captured_amount = 'abc'",
                "captured_amount",
            ),
            (
                "UPDATE orders SET captured_amount = '1.001'",
                "captured_amount",
            ),
            (
                "UPDATE orders SET captured_amount = '0', currency = 'USD'",
                "currency",
            ),
            (
                "UPDATE orders SET currency = 'SAR', created_at = 'yesterday'",
                "created_at",
            ),
        ] {
            b.execute(sql).await.unwrap();
            let err = orders::get(&store, Sandbox, "o-1").await.unwrap_err();
            match &err {
                StoreError::CorruptRow {
                    table, column: c, ..
                } => {
                    assert_eq!((*table, *c), ("orders", column), "{err}")
                }
                other => panic!("expected CorruptRow after {sql}, got {other:?}"),
            }
            assert_eq!(err.code(), "store_corrupt_row");
            let all = OrderListQuery::default();
            let listed = order_list::records(&store, Sandbox, &all, &TextPlan::None).await;
            assert!(listed.is_err(), "a list containing the row reports it too");
            let page = order_list::page(&store, Sandbox, &all, &TextPlan::None).await;
            assert!(page.is_err(), "and so does the slim page");
        }
    }
}

#[tokio::test]
async fn lookup_by_reference_stays_in_its_environment() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let mut old = order(Sandbox, "a", money("1", Currency::Sar));
        old.order_reference_id = "REF-1".into();
        let mut new = old.clone();
        new.order_id = "b".into();
        new.created_at = t0() + Duration::hours(1);
        orders::upsert(&store, &old).await.unwrap();
        orders::upsert(&store, &new).await.unwrap();
        let got = orders::get_by_reference(&store, Sandbox, "REF-1")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            got.order_id, "b",
            "the newest order with a repeated reference"
        );
        assert!(
            orders::get_by_reference(&store, Production, "REF-1")
                .await
                .unwrap()
                .is_none()
        );
    }
}

fn item(name: &str, total: Money) -> OrderItem {
    OrderItem {
        reference_id: Some(format!("ref-{name}")),
        sku: Some(format!("SKU-{name}")),
        name: Some(name.to_owned()),
        item_type: Some("Physical".to_owned()),
        quantity: 2,
        unit_price: Some(total),
        tax_amount: Some(Money::zero(total.currency())),
        discount_amount: None,
        total_amount: total,
        image_url: None,
        item_url: Some("https://shop.example/lamp".to_owned()),
    }
}

#[tokio::test]
async fn items_are_replaced_as_a_whole_and_keep_their_order() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let kwd = |t| money(t, Currency::Kwd);
        orders::upsert(&store, &order(Sandbox, "o-1", kwd("30")))
            .await
            .unwrap();
        orders::upsert(&store, &order(Production, "o-1", kwd("30")))
            .await
            .unwrap();
        let first = vec![
            item("lamp", kwd("1.005")),
            item("desk", kwd("2")),
            item("pen", kwd("3")),
        ];
        items::replace_for_order(&store, Sandbox, "o-1", &first)
            .await
            .unwrap();
        items::replace_for_order(&store, Production, "o-1", &first[..1])
            .await
            .unwrap();
        assert_eq!(
            items::list_for_order(&store, Sandbox, "o-1").await.unwrap(),
            first
        );

        let second = vec![item("zebra", kwd("9.999")), item("apple", kwd("0.001"))];
        items::replace_for_order(&store, Sandbox, "o-1", &second)
            .await
            .unwrap();
        assert_eq!(
            items::list_for_order(&store, Sandbox, "o-1").await.unwrap(),
            second,
            "old items are gone and the gateway's order is kept (not alphabetical)"
        );
        assert_eq!(
            items::list_for_order(&store, Production, "o-1")
                .await
                .unwrap(),
            first[..1],
            "the other environment's items are untouched"
        );
    }
}

#[tokio::test]
async fn items_need_a_stored_order() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let err = items::replace_for_order(
            &store,
            Sandbox,
            "missing",
            &[item("lamp", money("1", Currency::Sar))],
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "store_not_found", "{err:?}");
    }
}

#[tokio::test]
async fn the_export_stream_reads_a_window_or_a_selection_oldest_first() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let kwd = |t| money(t, Currency::Kwd);
        for (i, id) in ["s-1", "s-2", "s-3", "s-4"].into_iter().enumerate() {
            let mut o = order(Sandbox, id, kwd("1.250"));
            o.created_at = t0() + Duration::hours(i64::try_from(i).unwrap());
            o.instalments = (i != 1).then_some(3);
            orders::upsert(&store, &o).await.unwrap();
        }
        orders::upsert(&store, &order(Production, "s-1", kwd("9")))
            .await
            .unwrap();
        let read = |from, to, only: Option<Vec<String>>| {
            let store = store.clone();
            async move {
                let lines: Vec<_> =
                    orders::stream_created_between(&store, Sandbox, from, to, only.as_deref())
                        .try_collect()
                        .await
                        .unwrap();
                lines
                    .iter()
                    .map(|l| {
                        let v = l.view().unwrap();
                        assert_eq!(
                            (v.environment, v.total, v.currency),
                            ("sandbox", "1.250", "KWD")
                        );
                        (v.order_id.to_owned(), v.instalments)
                    })
                    .collect::<Vec<_>>()
            }
        };
        let ids =
            |v: Vec<(String, Option<i64>)>| v.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
        let all = read(None, None, None).await;
        assert_eq!(
            all,
            [
                ("s-1".to_owned(), Some(3)),
                ("s-2".to_owned(), None),
                ("s-3".to_owned(), Some(3)),
                ("s-4".to_owned(), Some(3))
            ]
        );
        assert_eq!(
            ids(read(
                Some(t0() + Duration::hours(1)),
                Some(t0() + Duration::hours(3)),
                None
            )
            .await),
            ["s-2", "s-3"],
            "from inclusive, to exclusive"
        );
        let pick = vec!["s-4".to_owned(), "s-1".to_owned(), "missing".to_owned()];
        assert_eq!(ids(read(None, None, Some(pick)).await), ["s-1", "s-4"]);
        assert!(
            read(None, None, Some(Vec::new())).await.is_empty(),
            "an empty selection"
        );
        let line = orders::stream_created_between(&store, Sandbox, None, None, None)
            .try_next()
            .await
            .unwrap()
            .unwrap();
        let v = line.view().unwrap();
        assert_eq!(
            (v.status, v.customer_phone, v.settlement_date, v.created_at),
            (
                "approved",
                Some("966544337866"),
                None,
                "2024-05-31T09:12:40.000000000Z"
            )
        );
    }
}

#[tokio::test]
async fn approved_orders_waiting_are_counted_with_the_oldest_change() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        assert_eq!(
            orders::approved_waiting(&store, Sandbox).await.unwrap(),
            (0, None)
        );
        let sar = money("5", Currency::Sar);
        for (i, status) in ["approved", "approved", "authorised"]
            .into_iter()
            .enumerate()
        {
            let mut o = order(Sandbox, &format!("w-{i}"), sar);
            o.status = status.to_owned();
            o.updated_at = t0() + Duration::minutes(10 - i64::try_from(i).unwrap());
            orders::upsert(&store, &o).await.unwrap();
        }
        orders::upsert(&store, &order(Production, "w-9", sar))
            .await
            .unwrap();
        assert_eq!(
            orders::approved_waiting(&store, Sandbox).await.unwrap(),
            (2, Some(t0() + Duration::minutes(9)))
        );
        assert_eq!(
            orders::approved_waiting(&store, Production).await.unwrap(),
            (1, Some(t0()))
        );
    }
}
