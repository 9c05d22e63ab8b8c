//! The inbox's counts (`delivery_stats`) and the desktop's read models (`store::desktop`) on
//! each backend, over orders, ledger rows and deliveries set up by hand.

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, TimeZone, Utc};
use mizan_core::environment::Environment::{self, Production, Sandbox};
use mizan_core::money::{Currency, Money};
use mizan_core::store::Store;
use mizan_core::store::deliveries::{self, DeliveryVerdict, NewDelivery};
use mizan_core::store::delivery_stats::{self, BacklogReading, DeliveryCounts};
use mizan_core::store::desktop::{self, Waiting};

use crate::backends;

fn at(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, h, m, 0).unwrap()
}

fn delivery(
    env: Environment,
    verdict: DeliveryVerdict,
    received_at: DateTime<Utc>,
    sender: Option<&str>,
) -> NewDelivery {
    NewDelivery {
        environment: env,
        received_at,
        method: "POST".into(),
        path: "/webhooks/tamara".into(),
        query: None,
        headers_json: "{}".into(),
        body: "{}".into(),
        verdict,
        reason: None,
        http_status: if verdict == DeliveryVerdict::Rejected {
            401
        } else {
            200
        },
        order_id: Some(format!("o-{}", received_at.timestamp())),
        event_type: Some("order_approved".into()),
        sender: sender.map(str::to_owned),
        sizes: None,
    }
}

async fn insert(store: &Store, d: NewDelivery) -> i64 {
    deliveries::insert(store, &d).await.unwrap()
}

/// Orders and ledger rows by plain SQL, the same on both backends (the orders module has
/// tests of its own).
async fn orders_and_ledger(b: &backends::Backend) {
    b.execute(
        "INSERT INTO orders (environment, order_id, order_reference_id, status, currency,
            total_amount, authorised_amount, captured_amount, refunded_amount, canceled_amount,
            paid_amount, customer_name, created_at, updated_at) VALUES
         ('sandbox', 'o-approved', 'R-1', 'approved', 'SAR', '100.00', '0.00', '0.00', '0.00',
          '0.00', '0.00', 'Sara', '2026-03-01T10:00:00.000000000Z', '2026-03-05T00:00:01.000000000Z'),
         ('sandbox', 'o-Zeta', 'R-2', 'approved', 'SAR', '50.00', '0.00', '0.00', '0.00',
          '0.00', '0.00', NULL, '2026-03-01T10:00:00.000000000Z', '2026-03-05T00:00:02.000000000Z'),
         ('sandbox', 'o-early', 'R-3', 'approved', 'SAR', '5.00', '0.00', '0.00', '0.00',
          '0.00', '0.00', NULL, '2026-03-01T09:00:00.000000000Z', '2026-03-05T00:00:03.000000000Z'),
         ('sandbox', 'o-rehearse', 'REHEARSE-1', 'approved', 'SAR', '5.00', '0.00', '0.00',
          '0.00', '0.00', '0.00', NULL, '2026-03-01T08:00:00.000000000Z',
          '2026-03-05T00:00:04.000000000Z'),
         ('sandbox', 'o-auth', 'R-4', 'authorised', 'KWD', '10.005', '10.005', '0.000', '0.000',
          '0.000', '0.000', 'Omar', '2026-03-01T11:00:00.000000000Z',
          '2026-03-05T00:00:05.000000000Z'),
         ('sandbox', 'o-float', 'R-5', 'partially_captured', 'SAR', '0.30', '0.30', '0.20',
          '0.00', '0.10', '0.00', NULL, '2026-03-01T12:00:00.000000000Z',
          '2026-03-05T00:00:06.000000000Z'),
         ('sandbox', 'o-part', 'R-6', 'partially_refunded', 'SAR', '100.00', '100.00', '40.00',
          '5.00', '0.00', '0.00', NULL, '2026-03-01T13:00:00.000000000Z',
          '2026-03-05T00:00:07.000000000Z'),
         ('sandbox', 'o-canceled', 'R-7', 'authorised', 'SAR', '20.00', '20.00', '0.00', '0.00',
          '20.00', '0.00', NULL, '2026-03-01T14:00:00.000000000Z',
          '2026-03-05T00:00:08.000000000Z'),
         ('production', 'p-approved', 'R-P', 'approved', 'SAR', '9.00', '0.00', '0.00', '0.00',
          '0.00', '0.00', NULL, '2026-03-01T07:00:00.000000000Z',
          '2026-03-06T00:00:00.000000000Z')",
    )
    .await
    .unwrap();
    b.execute(
        "INSERT INTO ledger_entries (environment, order_id, kind, currency, amount, state, source,
            actor, occurred_at, recorded_at, updated_at) VALUES
         ('sandbox', 'o-auth', 'authorise', 'KWD', '10.005', 'failed', 'api', 'Sara',
          '2026-03-01T11:01:00.000000000Z', '2026-03-01T11:01:00.000000000Z',
          '2026-03-01T11:01:00.000000000Z'),
         ('sandbox', 'o-auth', 'authorise', 'KWD', '10.005', 'succeeded', 'api', 'Sara',
          '2026-03-01T11:10:00.000000000Z', '2026-03-01T11:10:00.000000000Z',
          '2026-03-01T11:10:00.000000000Z'),
         ('sandbox', 'o-auth', 'authorise', 'KWD', '10.005', 'succeeded', 'webhook', 'webhook',
          '2026-03-01T11:05:00.000000000Z', '2026-03-01T11:05:00.000000000Z',
          '2026-03-01T11:05:00.000000000Z'),
         ('sandbox', 'o-part', 'capture', 'SAR', '40.00', 'succeeded', 'api', 'Sara',
          '2026-03-02T12:00:00.000000000Z', '2026-03-02T12:00:00.000000000Z',
          '2026-03-02T12:00:00.000000000Z'),
         ('sandbox', 'o-part', 'capture', 'SAR', '0.10', 'succeeded', 'api', 'Sara',
          '2026-03-02T12:30:00.000000000Z', '2026-03-02T12:30:00.000000000Z',
          '2026-03-02T12:30:00.000000000Z'),
         ('sandbox', 'o-part', 'refund', 'SAR', '5.00', 'succeeded', 'api', 'Sara',
          '2026-03-02T13:00:00.000000000Z', '2026-03-02T13:00:00.000000000Z',
          '2026-03-02T13:00:00.000000000Z'),
         ('sandbox', 'o-part', 'capture', 'SAR', '7.00', 'failed', 'api', 'Sara',
          '2026-03-02T14:00:00.000000000Z', '2026-03-02T14:00:00.000000000Z',
          '2026-03-02T14:00:00.000000000Z'),
         ('sandbox', 'o-part', 'capture', 'SAR', '3.00', 'succeeded', 'api', 'Sara',
          '2026-03-01T23:59:59.999999999Z', '2026-03-01T23:59:59.999999999Z',
          '2026-03-01T23:59:59.999999999Z'),
         ('sandbox', 'o-auth', 'capture', 'KWD', '1.250', 'succeeded', 'api', 'Sara',
          '2026-03-03T09:00:00.000000000Z', '2026-03-03T09:00:00.000000000Z',
          '2026-03-03T09:00:00.000000000Z'),
         ('production', 'p-approved', 'capture', 'SAR', '9.00', 'succeeded', 'api', 'Sara',
          '2026-03-02T09:00:00.000000000Z', '2026-03-02T09:00:00.000000000Z',
          '2026-03-02T09:00:00.000000000Z')",
    )
    .await
    .unwrap();
}

fn money(text: &str, currency: Currency) -> Money {
    Money::parse(text, currency).unwrap()
}

#[tokio::test]
async fn the_desktop_reads_waiting_orders_volume_and_the_change_feed() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        assert_eq!(
            desktop::last_order_change(&store, Sandbox).await.unwrap(),
            ""
        );
        assert_eq!(desktop::last_delivery_id(&store, Sandbox).await.unwrap(), 0);
        orders_and_ledger(&b).await;

        let ids = |orders: &[desktop::WaitingOrder]| {
            orders
                .iter()
                .map(|o| o.order_id.clone())
                .collect::<Vec<_>>()
        };
        let approval = desktop::waiting_orders(&store, Sandbox, Waiting::Approval, 10)
            .await
            .unwrap();
        assert_eq!(
            ids(&approval),
            ["o-early", "o-Zeta", "o-approved"],
            "oldest first, ties by the id's bytes, rehearsals and production left out"
        );
        assert_eq!(approval[2].customer_name.as_deref(), Some("Sara"));
        assert_eq!(approval[2].total, money("100.00", Currency::Sar));
        assert_eq!(approval[2].created_at, at(1, 10, 0));
        assert_eq!(approval[2].authorised_at, None);
        let first = desktop::waiting_orders(&store, Sandbox, Waiting::Approval, 1)
            .await
            .unwrap();
        assert_eq!(ids(&first), ["o-early"]);

        let capture = desktop::waiting_orders(&store, Sandbox, Waiting::Capture, 10)
            .await
            .unwrap();
        assert_eq!(
            ids(&capture),
            ["o-auth", "o-part"],
            "0.30 − 0.10 − 0.20 leaves nothing; a canceled order neither"
        );
        assert_eq!(
            capture[0].authorised_at,
            Some(at(1, 11, 5)),
            "the first successful authorise"
        );
        assert_eq!(capture[0].total, money("10.005", Currency::Kwd));
        assert_eq!(
            capture[1].left_to_capture(),
            Some(money("60.00", Currency::Sar))
        );
        assert!(
            desktop::waiting_orders(&store, Production, Waiting::Capture, 10)
                .await
                .unwrap()
                .is_empty()
        );

        let volume = desktop::volume_since(&store, Sandbox, at(2, 0, 0))
            .await
            .unwrap();
        let days: Vec<_> = volume
            .iter()
            .map(|v| (v.day.as_str(), v.captured, v.refunded))
            .collect();
        assert_eq!(
            days,
            [
                (
                    "2026-03-02",
                    money("40.10", Currency::Sar),
                    money("5.00", Currency::Sar)
                ),
                (
                    "2026-03-03",
                    money("1.250", Currency::Kwd),
                    Money::zero(Currency::Kwd)
                ),
            ]
        );

        let changed = desktop::orders_changed_after(&store, Sandbox, "", 100)
            .await
            .unwrap();
        assert_eq!(changed.len(), 8, "every sandbox order from the start");
        let changed =
            desktop::orders_changed_after(&store, Sandbox, "2026-03-05T00:00:06.000000000Z", 10)
                .await
                .unwrap();
        let feed: Vec<_> = changed
            .iter()
            .map(|c| (c.order_id.as_str(), c.status.as_str(), c.captured.as_str()))
            .collect();
        assert_eq!(
            feed,
            [
                ("o-part", "partially_refunded", "40.00"),
                ("o-canceled", "authorised", "0.00")
            ]
        );
        assert_eq!(changed[0].refunded, "5.00");
        assert_eq!(changed[1].updated_at, "2026-03-05T00:00:08.000000000Z");
        assert_eq!(
            desktop::last_order_change(&store, Sandbox).await.unwrap(),
            "2026-03-05T00:00:08.000000000Z"
        );
        assert_eq!(
            desktop::last_order_change(&store, Production)
                .await
                .unwrap(),
            "2026-03-06T00:00:00.000000000Z"
        );

        let mut sandbox = Vec::new();
        for (i, verdict) in [
            DeliveryVerdict::Verified,
            DeliveryVerdict::Rejected,
            DeliveryVerdict::InvalidBody,
            DeliveryVerdict::Verified,
        ]
        .into_iter()
        .enumerate()
        {
            let minute = u32::try_from(i).unwrap();
            sandbox.push(insert(&store, delivery(Sandbox, verdict, at(2, 8, minute), None)).await);
        }
        let production = insert(
            &store,
            delivery(Production, DeliveryVerdict::Verified, at(2, 9, 0), None),
        )
        .await;
        let feed = desktop::deliveries_after(&store, Sandbox, sandbox[0], 2)
            .await
            .unwrap();
        let briefs: Vec<_> = feed
            .iter()
            .map(|d| (d.id, d.verdict.as_str(), d.event_type.as_deref()))
            .collect();
        assert_eq!(
            briefs,
            [
                (sandbox[1], "rejected", Some("order_approved")),
                (sandbox[2], "invalid_body", Some("order_approved"))
            ]
        );
        assert_eq!(
            feed[0].order_id,
            Some(format!("o-{}", at(2, 8, 1).timestamp()))
        );
        assert_eq!(
            desktop::last_delivery_id(&store, Sandbox).await.unwrap(),
            sandbox[3]
        );
        assert_eq!(
            desktop::last_delivery_id(&store, Production).await.unwrap(),
            production
        );
    }
}

#[tokio::test]
async fn the_inbox_counts_refusals_backlog_and_changed_orders() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let since = at(2, 0, 0);
        assert_eq!(
            delivery_stats::last_verified_at(&store, Sandbox)
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            delivery_stats::refusals_since(&store, Sandbox, since)
                .await
                .unwrap(),
            delivery_stats::RefusalCounts::default()
        );
        use DeliveryVerdict::{InvalidBody, Rejected, Verified};
        // Before the window: counted nowhere but in the backlog's recent processing.
        let before = insert(&store, delivery(Sandbox, Verified, at(1, 8, 0), None)).await;
        deliveries::mark_processed(&store, before, "ok", at(1, 8, 1))
            .await
            .unwrap();
        let processed = insert(
            &store,
            delivery(Sandbox, Verified, at(2, 8, 0), Some("10.0.0.1:5000")),
        )
        .await;
        deliveries::mark_processed(&store, processed, "ok", at(2, 8, 1))
            .await
            .unwrap();
        for (minute, sender) in [
            (5, Some("10.0.0.1:5001")),
            (6, Some("[2001:db8::1]:443")),
            (7, Some("10.0.0.1:6000")),
            (8, None),
            (9, Some("unix-socket")),
        ] {
            insert(
                &store,
                delivery(Sandbox, Rejected, at(2, 8, minute), sender),
            )
            .await;
        }
        insert(&store, delivery(Sandbox, InvalidBody, at(2, 8, 10), None)).await;
        let failed = insert(&store, delivery(Sandbox, Verified, at(2, 8, 11), None)).await;
        deliveries::mark_failed(&store, failed, "gateway 503", at(2, 8, 12))
            .await
            .unwrap();
        insert(&store, delivery(Sandbox, Verified, at(2, 8, 13), None)).await;
        insert(&store, delivery(Sandbox, Verified, at(2, 8, 14), None)).await;
        insert(
            &store,
            delivery(Production, Rejected, at(2, 8, 20), Some("10.9.9.9:1")),
        )
        .await;
        insert(&store, delivery(Production, Verified, at(2, 8, 30), None)).await;

        assert_eq!(
            delivery_stats::counts_since(&store, Sandbox, since)
                .await
                .unwrap(),
            DeliveryCounts {
                verified: 4,
                rejected: 5,
                invalid_body: 1,
                failed: 1,
                pending: 2,
            }
        );
        assert_eq!(
            delivery_stats::counts_since(&store, Sandbox, at(1, 0, 0))
                .await
                .unwrap()
                .verified,
            5
        );
        assert_eq!(
            delivery_stats::last_verified_at(&store, Sandbox)
                .await
                .unwrap(),
            Some(at(2, 8, 14))
        );
        assert_eq!(
            delivery_stats::last_verified_at(&store, Production)
                .await
                .unwrap(),
            Some(at(2, 8, 30))
        );

        let refusals = delivery_stats::refusals_since(&store, Sandbox, since)
            .await
            .unwrap();
        assert_eq!(refusals.refused, 5);
        assert_eq!(
            refusals.senders, 4,
            "10.0.0.1 (two ports), 2001:db8::1, unix-socket and the unknown"
        );
        assert_eq!(refusals.top_sender, Some(("10.0.0.1".to_owned(), 2)));
        let later = delivery_stats::refusals_since(&store, Sandbox, at(2, 8, 6))
            .await
            .unwrap();
        assert_eq!(
            later.top_sender,
            Some(("10.0.0.1".to_owned(), 1)),
            "equal counts go by the address's bytes: '1' before '2', '?' and 'u'"
        );
        assert_eq!((later.refused, later.senders), (4, 4));

        assert_eq!(
            delivery_stats::backlog(&store, Sandbox, 5).await.unwrap(),
            BacklogReading {
                pending: 2,
                oldest_pending_at: Some(at(2, 8, 13)),
                recently_processed: vec![at(2, 8, 1), at(1, 8, 1)],
            }
        );
        assert_eq!(
            delivery_stats::backlog(&store, Sandbox, 1)
                .await
                .unwrap()
                .recently_processed,
            [at(2, 8, 1)]
        );
        let quiet = delivery_stats::backlog(&store, Production, 5)
            .await
            .unwrap();
        assert_eq!((quiet.pending, quiet.recently_processed.len()), (1, 0));

        orders_and_ledger(&b).await;
        let after = Utc.with_ymd_and_hms(2026, 3, 5, 0, 0, 2).unwrap();
        let until = Utc.with_ymd_and_hms(2026, 3, 5, 0, 0, 6).unwrap();
        assert_eq!(
            delivery_stats::orders_changed(&store, Sandbox, after, until, 10)
                .await
                .unwrap(),
            4,
            "(after, until]: the 3rd to the 6th change"
        );
        assert_eq!(
            delivery_stats::orders_changed(&store, Sandbox, after, until, 3)
                .await
                .unwrap(),
            3,
            "capped"
        );
        assert_eq!(
            delivery_stats::orders_changed(&store, Production, after, until, 10)
                .await
                .unwrap(),
            0
        );
    }
}
