//! Seeded orders and the reconciler's watch list on each backend: both seed the very same
//! rows, and both read the same open orders.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use crate::backends;
use crate::store_orders::{money, order, t0};
use chrono::{Duration, TimeZone, Utc};
use futures::TryStreamExt as _;
use mizan_core::environment::Environment::{Production, Sandbox};
use mizan_core::money::Currency;
use mizan_core::store::order_list::REHEARSAL_PREFIX;
use mizan_core::store::{Store, orders, seed, watch};

/// Every column of every sandbox order but the raw JSON, one line each, in stream order.
async fn dump(store: &Store) -> Vec<String> {
    let lines: Vec<_> = orders::stream_created_between(store, Sandbox, None, None, None)
        .try_collect()
        .await
        .unwrap();
    lines
        .iter()
        .map(|l| format!("{:?}", l.view().unwrap()))
        .collect()
}

#[tokio::test]
async fn both_backends_seed_the_same_rows() {
    let mut dumps = Vec::new();
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        assert_eq!(seed::count_seeded(&store, Sandbox).await.unwrap(), 0);
        // Every status, currency and name (j % 20, j % 10, j % 12, (j / 12) % 9), and numbers
        // wider than the reference's seven digits.
        assert_eq!(
            seed::seed_orders(&store, Sandbox, 0, 1200).await.unwrap(),
            1200
        );
        assert_eq!(
            seed::seed_orders(&store, Sandbox, 9_999_990, 10_000_010)
                .await
                .unwrap(),
            20
        );
        seed::seed_orders(&store, Production, 1200, 1210)
            .await
            .unwrap();
        assert_eq!(seed::count_seeded(&store, Sandbox).await.unwrap(), 1220);
        assert_eq!(seed::count_seeded(&store, Production).await.unwrap(), 10);

        let o = orders::get_by_reference(&store, Sandbox, "SEED-0000001")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(o.order_id, "00000001-0000-4000-8000-5eed00000001");
        assert_eq!(
            (o.status.as_str(), o.created_at),
            (
                "declined",
                Utc.with_ymd_and_hms(2025, 12, 31, 23, 59, 29).unwrap()
            )
        );
        assert_eq!(o.customer_phone.as_deref(), Some("500104729"));
        assert_eq!(o.customer_email.as_deref(), Some("omar.1@example.test"));
        // j = 7: partially refunded SAR 564.33, a quarter (141.0825) rounds to 141.08.
        let o = orders::get_by_reference(&store, Sandbox, "SEED-0000007")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                o.total.amount_text(),
                o.captured.amount_text(),
                o.refunded.amount_text(),
                o.paid.amount_text()
            ),
            (
                "564.33".to_owned(),
                "564.33".to_owned(),
                "141.08".to_owned(),
                "564.33".to_owned()
            )
        );
        // j = 10: KWD at three decimals, fully captured.
        let o = orders::get_by_reference(&store, Sandbox, "SEED-0000010")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(o.total, money("801.900", Currency::Kwd));
        assert_eq!(o.captured, o.total);
        // j = 11: the Arabic name, mailed as "sara".
        let o = orders::get_by_reference(&store, Sandbox, "SEED-0000011")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(o.customer_name.as_deref(), Some("سارة Al-Harbi"));
        assert_eq!(o.customer_email.as_deref(), Some("sara.11@example.test"));
        let wide = orders::get_by_reference(&store, Sandbox, "SEED-10000000")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(wide.order_id, "00989680-0000-4000-8000-5eed00989680");
        assert_eq!(
            b.scalar("SELECT COUNT(*) FROM orders WHERE customer_phone_key = customer_phone")
                .await,
            1230,
            "every seeded phone is its own key"
        );
        dumps.push((b.name, dump(&store).await));
    }
    let (first, rest) = dumps.split_first().unwrap();
    assert_eq!(first.1.len(), 1220);
    for (name, rows) in rest {
        assert_eq!(rows.len(), first.1.len(), "{name}");
        for (a, b) in first.1.iter().zip(rows) {
            assert_eq!(a, b, "{name} seeded a different row than {}", first.0);
        }
    }
}

#[tokio::test]
async fn the_watch_list_holds_open_orders_oldest_first_with_their_authorisation() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let sar = money("10", Currency::Sar);
        for (i, (id, status)) in [
            ("w-new", "authorised"),
            ("w-old", "approved"),
            ("w-done", "fully_captured"),
            ("w-rehearsal", "approved"),
        ]
        .into_iter()
        .enumerate()
        {
            let mut o = order(Sandbox, id, sar);
            o.status = status.to_owned();
            o.created_at = t0() - Duration::hours(i64::try_from(i).unwrap());
            if id == "w-rehearsal" {
                o.order_reference_id = format!("{REHEARSAL_PREFIX}1");
            }
            orders::upsert(&store, &o).await.unwrap();
        }
        orders::upsert(&store, &order(Production, "w-prod", sar))
            .await
            .unwrap();
        // Two authorisations of w-new (the first succeeded one counts), one failed.
        b.execute(
            "INSERT INTO ledger_entries (environment, order_id, kind, gateway_id, currency,
                amount, state, source, actor, occurred_at, recorded_at, updated_at)
             VALUES
             ('sandbox', 'w-new', 'authorise', 'a-1', 'SAR', '10.00', 'succeeded', 'webhook',
              'x', '2024-05-31T10:00:00.000000000Z', '2024-05-31T10:00:00.000000000Z',
              '2024-05-31T10:00:00.000000000Z'),
             ('sandbox', 'w-new', 'authorise', 'a-2', 'SAR', '10.00', 'succeeded', 'webhook',
              'x', '2024-05-31T09:30:00.000000000Z', '2024-05-31T10:00:00.000000000Z',
              '2024-05-31T10:00:00.000000000Z'),
             ('sandbox', 'w-old', 'authorise', 'a-3', 'SAR', '10.00', 'failed', 'api',
              'x', '2024-05-31T09:00:00.000000000Z', '2024-05-31T10:00:00.000000000Z',
              '2024-05-31T10:00:00.000000000Z')",
        )
        .await
        .unwrap();

        let open = ["approved", "authorised"];
        let watched = watch::open_orders(&store, Sandbox, &open).await.unwrap();
        let ids: Vec<_> = watched.iter().map(|w| w.order_id.as_str()).collect();
        assert_eq!(
            ids,
            ["w-old", "w-new"],
            "oldest first, no rehearsal, no closed"
        );
        assert_eq!(watched[0].authorised_at, None, "a failed authorise is none");
        assert_eq!(
            watched[1].authorised_at,
            Some(Utc.with_ymd_and_hms(2024, 5, 31, 9, 30, 0).unwrap())
        );
        assert_eq!(watched[1].status, "authorised");
        assert_eq!(watched[1].created_at, t0());
        assert_eq!(watched[1].updated_at, t0());
        assert!(
            watch::open_orders(&store, Sandbox, &[])
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            watch::open_orders(&store, Production, &open)
                .await
                .unwrap()
                .len(),
            1
        );

        let read = t0() - Duration::days(2);
        let changed = t0() - Duration::days(3);
        watch::backdate(&store, Sandbox, "w-new", read, Some(changed))
            .await
            .unwrap();
        watch::backdate(&store, Sandbox, "w-old", read, None)
            .await
            .unwrap();
        let watched = watch::open_orders(&store, Sandbox, &open).await.unwrap();
        assert_eq!(
            (watched[1].last_read_at, watched[1].updated_at),
            (Some(read), changed)
        );
        assert_eq!(
            (watched[0].last_read_at, watched[0].updated_at),
            (Some(read), t0()),
            "no change time given: the last change stays"
        );
    }
}
