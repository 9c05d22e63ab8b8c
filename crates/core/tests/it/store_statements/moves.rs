//! The ledger's settled captures and refunds and the order cache as statement reconciliation
//! reads them, on each backend; orders and ledger rows are set up with raw SQL.

use mizan_core::environment::Environment::{Production, Sandbox};
use mizan_core::money::Currency::Kwd;
use mizan_core::store::statements;

use super::{at, money};
use crate::backends;

/// Orders o-1 and o-2 in sandbox, o-1 in production; their ledger: settled and
/// unsettled moves of every kind.
const ORDERS: &str = "
INSERT INTO orders (environment, order_id, order_reference_id, status, currency, total_amount,
    authorised_amount, captured_amount, refunded_amount, canceled_amount, paid_amount,
    created_at, updated_at) VALUES
 ('sandbox', 'o-1', 'R-1', 'fully_captured', 'SAR', '150.50', '150.50', '150.50', '40.00', '0.00', '150.50',
  '2026-12-01T08:00:00.000000000Z', '2026-12-03T08:00:00.000000000Z'),
 ('sandbox', 'o-2', 'R-2', 'fully_captured', 'KWD', '10.005', '10.005', '10.005', '0.000', '0.000', '10.005',
  '2026-12-01T08:00:00.000000000Z', '2026-12-03T08:00:00.000000000Z'),
 ('production', 'o-1', 'R-P1', 'fully_captured', 'SAR', '5.00', '5.00', '5.00', '0.00', '0.00', '5.00',
  '2026-12-01T08:00:00.000000000Z', '2026-12-03T08:00:00.000000000Z')";
const LEDGER: &str = "
INSERT INTO ledger_entries (environment, order_id, kind, gateway_id, currency, amount, state,
    source, actor, occurred_at, recorded_at, updated_at) VALUES
 ('sandbox', 'o-1', 'authorise', 'a-1', 'SAR', '150.50', 'succeeded', 'api', 'sara',
  '2026-12-01T09:00:00.000000000Z', '2026-12-01T09:00:00.000000000Z', '2026-12-01T09:00:00.000000000Z'),
 ('sandbox', 'o-1', 'capture', 'c-1', 'SAR', '150.50', 'succeeded', 'api', 'sara',
  '2026-12-02T00:00:00.000000000Z', '2026-12-02T00:00:00.000000000Z', '2026-12-02T00:00:00.000000000Z'),
 ('sandbox', 'o-1', 'refund', 'r-1', 'SAR', '40.00', 'succeeded', 'webhook', 'webhook',
  '2026-12-03T10:00:00.000000000Z', '2026-12-03T10:00:00.000000000Z', '2026-12-03T10:00:00.000000000Z'),
 ('sandbox', 'o-1', 'refund', 'r-2', 'SAR', '1.00', 'failed', 'api', 'sara',
  '2026-12-03T11:00:00.000000000Z', '2026-12-03T11:00:00.000000000Z', '2026-12-03T11:00:00.000000000Z'),
 ('sandbox', 'o-2', 'capture', 'c-2', 'KWD', '10.005', 'succeeded', 'poll', 'reconciler',
  '2026-12-05T00:00:00.000000000Z', '2026-12-05T00:00:00.000000000Z', '2026-12-05T00:00:00.000000000Z'),
 ('production', 'o-1', 'capture', 'c-p', 'SAR', '5.00', 'succeeded', 'api', 'sara',
  '2026-12-02T12:00:00.000000000Z', '2026-12-02T12:00:00.000000000Z', '2026-12-02T12:00:00.000000000Z')";

#[tokio::test]
async fn settled_moves_and_cached_orders_read_the_ledger() {
    for b in backends::each().await {
        eprintln!("on {}", b.name);
        let store = b.store.clone();
        assert_eq!(b.execute(ORDERS).await.unwrap(), 3);
        assert_eq!(b.execute(LEDGER).await.unwrap(), 6);
        let between = statements::moves_between(&store, Sandbox, at(2, 0), at(5, 0))
            .await
            .unwrap();
        let seen: Vec<(&str, &str, Option<&str>, String)> = between
            .iter()
            .map(|m| {
                (
                    m.kind.as_str(),
                    m.order_id.as_str(),
                    m.gateway_id.as_deref(),
                    m.amount.to_string(),
                )
            })
            .collect();
        // From is inclusive, to exclusive; failed moves and authorisations are not settled.
        assert_eq!(
            seen,
            [
                ("capture", "o-1", Some("c-1"), "150.50 SAR".to_owned()),
                ("refund", "o-1", Some("r-1"), "40.00 SAR".to_owned())
            ]
        );
        assert_eq!(between[0].order_reference_id.as_deref(), Some("R-1"));
        assert_eq!(between[0].occurred_at, at(2, 0));
        assert_eq!(between[1].occurred_at, at(3, 10));
        assert!(between[0].ledger_id < between[1].ledger_id);

        let of_orders = statements::moves_of_orders(&store, Sandbox, &["o-2", "o-1", "o-9"])
            .await
            .unwrap();
        let ids: Vec<Option<&str>> = of_orders.iter().map(|m| m.gateway_id.as_deref()).collect();
        assert_eq!(ids, [Some("c-1"), Some("r-1"), Some("c-2")]);
        assert_eq!(of_orders[2].amount, money("10.005", Kwd));
        assert_eq!(of_orders[2].amount.amount_text(), "10.005");
        assert!(
            statements::moves_of_orders(&store, Sandbox, &[])
                .await
                .unwrap()
                .is_empty()
        );
        let prod = statements::moves_of_orders(&store, Production, &["o-1"])
            .await
            .unwrap();
        assert_eq!(
            prod.iter()
                .map(|m| m.order_reference_id.as_deref())
                .collect::<Vec<_>>(),
            [Some("R-P1")]
        );

        let cached = statements::cached_orders(&store, Sandbox, &["o-1", "o-2", "o-9"])
            .await
            .unwrap();
        let mut cached: Vec<String> = cached.into_iter().collect();
        cached.sort();
        assert_eq!(cached, ["o-1", "o-2"]);
        let cached = statements::cached_orders(&store, Production, &["o-2", "o-1"])
            .await
            .unwrap();
        assert_eq!(cached.into_iter().collect::<Vec<_>>(), ["o-1"]);
    }
}
