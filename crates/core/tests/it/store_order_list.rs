//! The one order-list query on each backend (a SQLite file, a PostgreSQL database) whose orders tie on `created_at`: every
//! filter keeps exactly the orders a plain Rust filter keeps, newest first, in both projections
//! (slim rows and full records) and on every text plan; offset and keyset pages cover every row
//! once; the exact count agrees and the capped count stops at its cap.

#![allow(clippy::unwrap_used)]

use chrono::Duration;
use mizan_core::environment::Environment::{Production, Sandbox};
use mizan_core::money::Currency;
use mizan_core::store::Store;
use mizan_core::store::order_list::{self, OrderCursor, OrderListQuery, OrderListRow, TextPlan};
use mizan_core::store::orders::{self, OrderRecord};

use crate::backends;
use crate::store_orders::{money, order, t0};

async fn seed_list(store: &Store) -> Vec<OrderRecord> {
    let mut all = Vec::new();
    for i in 0..25 {
        let currency = if i % 5 == 0 {
            Currency::Kwd
        } else {
            Currency::Sar
        };
        let mut o = order(Sandbox, &format!("ord-{i:02}"), money("10", currency));
        // Pairs share a created_at so paging must break ties by order_id.
        o.created_at = t0() + Duration::minutes(i / 2);
        o.status = ["approved", "authorised", "fully_captured"][(i % 3) as usize].to_owned();
        o.order_reference_id = if i == 7 {
            "SPECIAL_50%".to_owned()
        } else {
            format!("WEB-{i}")
        };
        orders::upsert(store, &o).await.unwrap();
        all.push(o);
    }
    orders::upsert(
        store,
        &order(Production, "prod-only", money("1", Currency::Sar)),
    )
    .await
    .unwrap();
    all.sort_by(|a, b| (b.created_at, &b.order_id).cmp(&(a.created_at, &a.order_id)));
    all
}

type Keep = Box<dyn Fn(&OrderRecord) -> bool>;

fn ids(v: &[OrderRecord]) -> Vec<String> {
    v.iter().map(|o| o.order_id.clone()).collect()
}

fn row_ids(v: &[OrderListRow]) -> Vec<String> {
    v.iter().map(|r| r.order_id.clone()).collect()
}

/// The plan the store chooses, and the broad plan too when the query has text: both must
/// give the same orders.
async fn plans(store: &Store, q: &OrderListQuery) -> Vec<TextPlan> {
    let chosen = order_list::text_plan(store, Sandbox, q).await.unwrap();
    if chosen.is_none() {
        vec![chosen]
    } else {
        vec![chosen, TextPlan::Broad]
    }
}

#[tokio::test]
async fn every_filter_keeps_what_it_says_in_both_projections_and_counts_agree() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let all = seed_list(&store).await;
        let everything = OrderListQuery {
            limit: 1_000,
            ..OrderListQuery::default()
        };
        let listed = order_list::records(&store, Sandbox, &everything, &TextPlan::None)
            .await
            .unwrap();
        assert_eq!(ids(&listed), ids(&all), "created_at desc, order_id desc");

        let cases: Vec<(OrderListQuery, Keep)> = vec![
            (
                OrderListQuery {
                    statuses: vec!["approved".into(), "fully_captured".into()],
                    ..Default::default()
                },
                Box::new(|o| o.status == "approved" || o.status == "fully_captured"),
            ),
            (
                // No status chosen is no status filter (the screen's chips, the CLI's flag).
                OrderListQuery {
                    statuses: vec![],
                    ..Default::default()
                },
                Box::new(|_| true),
            ),
            (
                OrderListQuery {
                    currency: Some(Currency::Kwd),
                    ..Default::default()
                },
                Box::new(|o| o.currency() == Currency::Kwd),
            ),
            (
                // Lower case finds upper case: through the trigram index (narrow plan) ...
                OrderListQuery {
                    reference: Some("web-1".into()),
                    ..Default::default()
                },
                Box::new(|o| o.order_reference_id.to_lowercase().contains("web-1")),
            ),
            (
                // ... and through LIKE (a text too short for trigrams takes the broad plan).
                OrderListQuery {
                    reference: Some("eB".into()),
                    ..Default::default()
                },
                Box::new(|o| o.order_reference_id.to_lowercase().contains("eb")),
            ),
            (
                // `%` and `_` are literal, not wildcards.
                OrderListQuery {
                    reference: Some("_50%".into()),
                    ..Default::default()
                },
                Box::new(|o| o.order_reference_id.contains("_50%")),
            ),
            (
                OrderListQuery {
                    text: Some("KHALID".into()),
                    statuses: vec!["authorised".into()],
                    ..Default::default()
                },
                Box::new(|o| o.status == "authorised"),
            ),
            (
                OrderListQuery {
                    created_from: Some(t0() + Duration::minutes(3)),
                    created_to: Some(t0() + Duration::minutes(6)),
                    ..Default::default()
                },
                Box::new(|o| {
                    o.created_at >= t0() + Duration::minutes(3)
                        && o.created_at < t0() + Duration::minutes(6)
                }),
            ),
        ];
        for (mut q, keep) in cases {
            let expected: Vec<String> = all
                .iter()
                .filter(|o| keep(o))
                .map(|o| o.order_id.clone())
                .collect();
            assert!(!expected.is_empty(), "{q:?} keeps something");
            q.limit = 1_000;
            for plan in plans(&store, &q).await {
                let got = order_list::records(&store, Sandbox, &q, &plan)
                    .await
                    .unwrap();
                assert_eq!(ids(&got), expected, "{q:?} on {plan:?}");
                let slim = order_list::page(&store, Sandbox, &q, &plan).await.unwrap();
                assert_eq!(row_ids(&slim), expected, "{q:?} on {plan:?}");
                let n = order_list::count(&store, Sandbox, &q, &plan, None)
                    .await
                    .unwrap();
                assert_eq!(n, (expected.len() as u64, false), "{q:?} on {plan:?}");
            }
        }
    }
}

#[tokio::test]
async fn the_capped_count_stops_at_its_cap_and_says_so() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        seed_list(&store).await;
        let q = OrderListQuery::default();
        let count = |cap| order_list::count(&store, Sandbox, &q, &TextPlan::None, cap);
        assert_eq!(count(Some(10)).await.unwrap(), (10, true));
        assert_eq!(count(Some(25)).await.unwrap(), (25, false));
        assert_eq!(count(None).await.unwrap(), (25, false));
        let prod = order_list::count(&store, Production, &q, &TextPlan::None, None)
            .await
            .unwrap();
        assert_eq!(prod, (1, false), "counts never cross environments");
    }
}

#[tokio::test]
async fn keyset_and_offset_pages_cover_every_row_once() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let all = seed_list(&store).await;
        let cases: Vec<(OrderListQuery, Keep)> = vec![
            (OrderListQuery::default(), Box::new(|_| true)),
            (
                // As the reconciler sweeps: a status list, paged by cursor.
                OrderListQuery {
                    statuses: vec!["approved".into(), "authorised".into()],
                    ..Default::default()
                },
                Box::new(|o| o.status != "fully_captured"),
            ),
            (
                OrderListQuery {
                    reference: Some("web".into()),
                    ..Default::default()
                },
                Box::new(|o| o.order_reference_id.starts_with("WEB")),
            ),
        ];
        for (q, keep) in cases {
            let expected: Vec<String> = all
                .iter()
                .filter(|o| keep(o))
                .map(|o| o.order_id.clone())
                .collect();
            for plan in plans(&store, &q).await {
                let mut q = OrderListQuery {
                    limit: 4,
                    ..q.clone()
                };
                let mut seen = Vec::new();
                let mut seen_slim = Vec::new();
                loop {
                    let page = order_list::records(&store, Sandbox, &q, &plan)
                        .await
                        .unwrap();
                    let slim = order_list::page(&store, Sandbox, &q, &plan).await.unwrap();
                    if page.is_empty() {
                        assert!(slim.is_empty());
                        break;
                    }
                    assert!(page.len() <= 4);
                    q.after = page.last().map(OrderCursor::from);
                    assert_eq!(q.after, slim.last().map(OrderCursor::from));
                    seen.extend(page.into_iter().map(|o| o.order_id));
                    seen_slim.extend(slim.into_iter().map(|r| r.order_id));
                }
                assert_eq!(
                    seen, expected,
                    "keyset paging neither skips nor repeats tied rows ({plan:?})"
                );
                assert_eq!(seen_slim, expected, "the slim rows page alike ({plan:?})");
            }
        }

        let expected = ids(&all);
        let page3 = OrderListQuery {
            limit: 5,
            offset: 10,
            ..OrderListQuery::default()
        };
        let page3 = order_list::records(&store, Sandbox, &page3, &TextPlan::None)
            .await
            .unwrap();
        assert_eq!(ids(&page3), expected[10..15]);
    }
}

#[tokio::test]
async fn the_default_page_is_a_hundred_and_no_page_exceeds_the_maximum() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let all = seed_list(&store).await;
        assert_eq!(OrderListQuery::default().limit, order_list::DEFAULT_PAGE);
        for (limit, want) in [(0, 1), (3, 3), (u32::MAX, all.len())] {
            let q = OrderListQuery {
                limit,
                ..OrderListQuery::default()
            };
            let got = order_list::records(&store, Sandbox, &q, &TextPlan::None)
                .await
                .unwrap();
            assert_eq!(got.len(), want, "limit {limit}");
        }
    }
}

#[tokio::test]
async fn amounts_rehearsals_phones_and_order_ids_filter_alike() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let uuid = "0f8fad5b-d9cb-469f-a165-70867728950e";
        let rows = [
            ("a-1", "10.005", Currency::Kwd, "WEB-1", "966544337866"),
            ("a-2", "10.5", Currency::Sar, "REHEARSE-2", "0500000002"),
            ("a-3", "9.999", Currency::Kwd, "web-3", "0500000003"),
            ("a-4", "100", Currency::Aed, "WEB-4", "0500000004"),
            (uuid, "1", Currency::Sar, "WEB-5", "0500000005"),
        ];
        for (i, (id, total, currency, reference, phone)) in rows.into_iter().enumerate() {
            let mut o = order(Sandbox, id, money(total, currency));
            o.order_reference_id = reference.to_owned();
            o.customer_phone = Some(phone.to_owned());
            o.created_at = t0() + Duration::minutes(i64::try_from(i).unwrap());
            if i == 3 {
                o.customer_name = Some("Omar Haddad".to_owned());
            }
            orders::upsert(&store, &o).await.unwrap();
        }
        let decimal = |t: &str| t.parse::<rust_decimal::Decimal>().unwrap();
        let cases: Vec<(OrderListQuery, Vec<&str>)> = vec![
            (
                // Bounds are inclusive and compare as numbers, not text ("9.999" < "10").
                OrderListQuery {
                    amount_min: Some(decimal("10.005")),
                    amount_max: Some(decimal("10.5")),
                    ..Default::default()
                },
                vec!["a-2", "a-1"],
            ),
            (
                OrderListQuery {
                    amount_max: Some(decimal("10")),
                    ..Default::default()
                },
                vec![uuid, "a-3"],
            ),
            (
                OrderListQuery {
                    rehearsal: Some(true),
                    ..Default::default()
                },
                vec!["a-2"],
            ),
            (
                OrderListQuery {
                    rehearsal: Some(false),
                    ..Default::default()
                },
                vec![uuid, "a-4", "a-3", "a-1"],
            ),
            (
                // A phone in another usual form finds the order by its national number.
                OrderListQuery {
                    text: Some("+966 54 433 7866".into()),
                    ..Default::default()
                },
                vec!["a-1"],
            ),
            (
                // A whole order id, which no searched column holds.
                OrderListQuery {
                    text: Some(uuid.into()),
                    ..Default::default()
                },
                vec![uuid],
            ),
            (
                // Free text in any case, over the name.
                OrderListQuery {
                    text: Some("oMAR hAD".into()),
                    ..Default::default()
                },
                vec!["a-4"],
            ),
            (
                OrderListQuery {
                    reference: Some("WEB".into()),
                    currency: Some(Currency::Kwd),
                    ..Default::default()
                },
                vec!["a-3", "a-1"],
            ),
        ];
        for (q, want) in cases {
            let plan = order_list::text_plan(&store, Sandbox, &q).await.unwrap();
            let got = order_list::page(&store, Sandbox, &q, &plan).await.unwrap();
            assert_eq!(row_ids(&got), want, "{q:?} on {plan:?} ({})", b.name);
            let n = order_list::count(&store, Sandbox, &q, &plan, Some(100))
                .await
                .unwrap();
            assert_eq!(n, (want.len() as u64, false), "{q:?} ({})", b.name);
            let none = order_list::page(&store, Production, &q, &plan)
                .await
                .unwrap();
            assert!(none.is_empty(), "{q:?} stays in its environment");
        }
    }
}

#[tokio::test]
async fn a_list_pinned_at_its_arrival_mark_keeps_its_rows() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        seed_list(&store).await;
        let mark = order_list::arrival_mark(&store).await.unwrap();
        assert_eq!(mark, 26, "25 sandbox orders and one in production");
        let mut late = order(Sandbox, "late", money("1", Currency::Sar));
        late.created_at = t0() - Duration::days(1);
        orders::upsert(&store, &late).await.unwrap();
        // Re-reading an old order keeps its arrival.
        let mut again = order(Sandbox, "ord-03", money("10", Currency::Sar));
        again.status = "fully_captured".to_owned();
        orders::upsert(&store, &again).await.unwrap();
        assert_eq!(order_list::arrival_mark(&store).await.unwrap(), mark + 1);
        let pinned = OrderListQuery {
            arrived_upto: Some(mark),
            limit: 1_000,
            ..Default::default()
        };
        let rows = order_list::page(&store, Sandbox, &pinned, &TextPlan::None)
            .await
            .unwrap();
        assert_eq!(rows.len(), 25);
        assert!(rows.iter().all(|r| r.order_id != "late"));
        let since = OrderListQuery {
            arrived_after: Some(mark),
            ..Default::default()
        };
        let n = order_list::count(&store, Sandbox, &since, &TextPlan::None, None)
            .await
            .unwrap();
        assert_eq!(n, (1, false), "only the order that came since");
    }
}
