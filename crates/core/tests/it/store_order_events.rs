//! Processed-event claims and the phone-key backfill on each backend (a temporary SQLite file
//! and a fresh PostgreSQL database).

// Test helpers outside #[test] fns panic on setup failure by design.
#![allow(clippy::unwrap_used)]

use crate::backends;
use crate::store_orders::{money, order, t0};
use chrono::Duration;
use mizan_core::environment::Environment::{Production, Sandbox};
use mizan_core::money::Currency;
use mizan_core::store::events::{self, EventKey};
use mizan_core::store::orders;

#[tokio::test]
async fn an_event_is_claimed_once_until_released() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let key = EventKey::new(Sandbox, "o-1", "order_captured", Some("cap-1"));
        let at = t0();
        assert!(events::claimed(&store, &key).await.unwrap().is_none());
        assert!(events::claim(&store, &key, None, at).await.unwrap());
        assert!(
            !events::claim(&store, &key, None, at + Duration::seconds(1))
                .await
                .unwrap(),
            "a repeat delivery is not let through"
        );
        assert_eq!(
            events::claimed(&store, &key).await.unwrap(),
            Some((None, at)),
            "the first claim's time is kept"
        );
        let prod = EventKey::new(Production, "o-1", "order_captured", Some("cap-1"));
        let no_sub = EventKey::new(Sandbox, "o-1", "order_captured", None);
        assert!(events::claim(&store, &prod, None, at).await.unwrap());
        assert!(events::claim(&store, &no_sub, None, at).await.unwrap());
        assert!(!events::claim(&store, &no_sub, None, at).await.unwrap());

        // Inside a transaction: a rollback releases the claim.
        let other = EventKey::new(Sandbox, "o-2", "order_refunded", Some("r-1"));
        let mut tx = store.begin().await.unwrap();
        assert!(events::claim(&mut tx, &other, None, at).await.unwrap());
        drop(tx);
        assert!(events::claimed(&store, &other).await.unwrap().is_none());

        assert!(events::release(&store, &key).await.unwrap());
        assert!(
            !events::release(&store, &key).await.unwrap(),
            "already released"
        );
        assert!(events::claim(&store, &key, None, at).await.unwrap());
        assert_eq!(b.scalar("SELECT COUNT(*) FROM processed_events").await, 3);
    }
}

#[tokio::test]
async fn phone_keys_missing_from_old_rows_are_filled() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        let sar = money("5", Currency::Sar);
        for id in ["p-1", "p-2"] {
            orders::upsert(&store, &order(Sandbox, id, sar))
                .await
                .unwrap();
        }
        let mut none = order(Production, "p-3", sar);
        none.customer_phone = None;
        orders::upsert(&store, &none).await.unwrap();
        assert_eq!(
            b.scalar("SELECT COUNT(*) FROM orders WHERE customer_phone_key = '544337866'")
                .await,
            2,
            "upsert writes the key"
        );
        assert_eq!(
            mizan_core::phone::key("966544337866").as_deref(),
            Some("544337866")
        );
        // As a row cached before migration 0009 looks.
        b.execute("UPDATE orders SET customer_phone_key = NULL")
            .await
            .unwrap();
        assert_eq!(orders::backfill_phone_keys(&store).await.unwrap(), 2);
        assert_eq!(
            b.scalar("SELECT COUNT(*) FROM orders WHERE customer_phone_key = '544337866'")
                .await,
            2
        );
        assert_eq!(
            b.scalar("SELECT COUNT(*) FROM orders WHERE customer_phone_key IS NULL")
                .await,
            1,
            "no phone, no key"
        );
        assert_eq!(
            orders::backfill_phone_keys(&store).await.unwrap(),
            0,
            "done once"
        );
    }
}
