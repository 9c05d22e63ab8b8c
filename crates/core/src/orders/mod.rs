//! The order projection: how Tamara's order details become the rows of the local cache.
//!
//! Owns the mapping from [`OrderDetails`] to the `orders`, `order_items` and ledger rows, the
//! status order used to refuse moving backwards, and the order types hosts see
//! ([`CachedOrder`], [`OrderRecord`], [`OrderItem`], and the list's [`OrderListQuery`] with
//! its [`OrderCursor`] and page bounds).
//!
//! Invariants: an order without a total (so without a currency) cannot be cached and says so;
//! amounts Tamara omits are zero in the order's currency; every capture, refund and cancel in
//! `transactions` becomes one observed ledger row (deduplicated by the store on its gateway id).

pub mod cache;
pub mod statement;

use chrono::{DateTime, Utc};
use tamara::Money;
use tamara::model::OrderStatus;
use tamara::model::order::OrderDetails;

use crate::environment::Environment;
use crate::error::Error;
use crate::store::ledger::{LedgerKind, LedgerSource, ObservedMove};

pub use crate::store::items::OrderItem;
pub use crate::store::ledger::LedgerEntry;
pub use crate::store::order_list::{DEFAULT_PAGE, MAX_PAGE, OrderCursor, OrderListQuery};
pub use crate::store::orders::OrderRecord;

/// An order as the cache knows it: the projection, its items and its ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct CachedOrder {
    pub order: OrderRecord,
    pub items: Vec<OrderItem>,
    pub ledger: Vec<LedgerEntry>,
}

impl CachedOrder {
    /// Fields of Tamara's last answer that could not be read and were left out (see
    /// `tamara::model::order::OrderDetails::from_json`): shown beside the order, never fatal.
    pub fn unreadable_fields(&self) -> Vec<String> {
        self.order
            .raw_json
            .as_deref()
            .and_then(|raw| serde_json::from_str::<serde_json::Value>(raw).ok())
            .and_then(|v| tamara::model::order::OrderDetails::from_json(&v).ok())
            .map(|d| d.unreadable)
            .unwrap_or_default()
    }
}

/// What one read of order details writes to the cache.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderSnapshot {
    pub order: OrderRecord,
    pub items: Vec<OrderItem>,
    pub moves: Vec<ObservedMove>,
}

/// Rank of a status along the lifecycle; statuses never move backwards (§9.1), so a lower rank
/// arriving after a higher one is stale. Terminal side branches share the rank of where they
/// leave the main line. Unknown statuses rank lowest: they are shown, never used to overwrite.
pub fn status_rank(status: &OrderStatus) -> u8 {
    match status {
        OrderStatus::New => 1,
        OrderStatus::Approved | OrderStatus::Declined => 2,
        OrderStatus::Expired => 3,
        OrderStatus::Authorised => 4,
        OrderStatus::Updated => 5,
        OrderStatus::Canceled => 6,
        OrderStatus::PartiallyCaptured => 7,
        OrderStatus::FullyCaptured => 8,
        OrderStatus::PartiallyRefunded => 9,
        OrderStatus::FullyRefunded => 10,
        // Named by Tamara but placed nowhere in its lifecycle: ranked like an unknown status.
        OrderStatus::OnHold | OrderStatus::Other(_) => 0,
    }
}

/// Whether a status is final: nothing follows it (§9.1: declined, expired, canceled, fully
/// refunded).
pub fn is_final(status: &OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::Declined
            | OrderStatus::Expired
            | OrderStatus::Canceled
            | OrderStatus::FullyRefunded
    )
}

/// Whether a read (or an event) showing `fetched` is behind the `cached` status, so must not
/// replace it: its rank is lower — unless it is final and the cached one is not. A final
/// status is never stale: nothing comes after it, so it can only have been read after
/// whatever open status is cached. Ranks alone would keep an order that expired while
/// authorised (90 days without capture, §9.1) `authorised` forever, since expiries rank where
/// they usually happen, before authorisation.
pub fn is_behind(fetched: &OrderStatus, cached: &OrderStatus) -> bool {
    if is_final(fetched) && !is_final(cached) {
        return false;
    }
    status_rank(fetched) < status_rank(cached)
}

/// True once the merchant has authorised the order (whatever happened after).
fn was_authorised(status: &OrderStatus) -> bool {
    status_rank(status) >= status_rank(&OrderStatus::Authorised)
}

/// Projects one read of order details (with its raw JSON) for `env`, as of `now`.
pub fn project(
    env: Environment,
    details: &OrderDetails,
    raw: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<OrderSnapshot, Error> {
    let uncacheable = |reason: &str| Error::UncacheableOrder {
        order_id: details.order_id.clone(),
        reason: reason.to_owned(),
    };
    let total = details
        .total_amount
        .ok_or_else(|| uncacheable("it has no total_amount"))?;
    let currency = total.currency();
    let zero = Money::zero(currency);
    let status = details.status.clone().unwrap_or(OrderStatus::New);
    let created_at = details
        .created_at
        .as_deref()
        .and_then(parse_time)
        .unwrap_or(now);
    let consumer = details.consumer.as_ref();
    let customer_name = consumer
        .map(|c| {
            format!("{} {}", c.first_name, c.last_name)
                .trim()
                .to_owned()
        })
        .filter(|n| !n.is_empty());
    let order = OrderRecord {
        environment: env,
        order_id: details.order_id.clone(),
        order_reference_id: details.order_reference_id.clone().unwrap_or_default(),
        order_number: details.order_number.clone(),
        status: status.as_str().to_owned(),
        payment_type: details.payment_type.as_ref().map(|p| p.as_str().to_owned()),
        instalments: details.instalments.map(i64::from),
        total,
        authorised: if was_authorised(&status) { total } else { zero },
        captured: details.captured_amount.unwrap_or(zero),
        refunded: details.refunded_amount.unwrap_or(zero),
        canceled: details.canceled_amount.unwrap_or(zero),
        paid: details.paid_amount.unwrap_or(zero),
        customer_name,
        customer_phone: consumer
            .map(|c| c.phone_number.clone())
            .filter(|p| !p.is_empty()),
        customer_email: consumer
            .and_then(|c| c.email.clone())
            .filter(|e| !e.is_empty()),
        country_code: details.country_code.clone().or_else(|| {
            details
                .shipping_address
                .as_ref()
                .map(|a| a.country_code.clone())
        }),
        settlement_status: details.settlement_status.clone().filter(|s| !s.is_empty()),
        settlement_date: details.settlement_date.clone(),
        description: details.description.clone(),
        created_at,
        updated_at: now,
        last_synced_at: Some(now),
        raw_json: Some(raw.to_string()),
    };
    let items = details
        .items
        .iter()
        .map(|i| OrderItem {
            reference_id: Some(i.reference_id.clone()),
            sku: Some(i.sku.clone()),
            name: Some(i.name.clone()),
            item_type: Some(i.kind.clone()),
            quantity: i64::from(i.quantity),
            unit_price: i.unit_price,
            tax_amount: i.tax_amount,
            discount_amount: i.discount_amount,
            total_amount: i.total_amount,
            image_url: i.image_url.clone().filter(|u| !u.is_empty()),
            item_url: i.item_url.clone().filter(|u| !u.is_empty()),
        })
        .collect();
    Ok(OrderSnapshot {
        moves: observed_moves(env, details, &order, now),
        order,
        items,
    })
}

fn observed_moves(
    env: Environment,
    details: &OrderDetails,
    order: &OrderRecord,
    now: DateTime<Utc>,
) -> Vec<ObservedMove> {
    let observed = |kind, gateway_id: &str, amount: Option<Money>, at: Option<&str>, comment| {
        amount.map(|amount| ObservedMove {
            environment: env,
            order_id: details.order_id.clone(),
            kind,
            gateway_id: gateway_id.to_owned(),
            amount,
            source: LedgerSource::Poll,
            actor: "poll".to_owned(),
            comment,
            occurred_at: at.and_then(parse_time).unwrap_or(now),
        })
    };
    let mut moves = Vec::new();
    if order.authorised.is_positive() {
        // Authorise has no id of its own; the store keys it on the order id.
        moves.extend(observed(
            LedgerKind::Authorise,
            &order.order_id,
            Some(order.total),
            None,
            None,
        ));
    }
    if let Some(t) = &details.transactions {
        for c in &t.captures {
            let at = c.created_at.as_deref();
            moves.extend(observed(
                LedgerKind::Capture,
                &c.capture_id,
                c.total_amount,
                at,
                None,
            ));
        }
        for r in &t.refunds {
            let at = r.created_at.as_deref();
            let comment = r.comment.clone();
            moves.extend(observed(
                LedgerKind::Refund,
                &r.refund_id,
                r.total_amount,
                at,
                comment,
            ));
        }
        for c in &t.cancels {
            let at = c.created_at.as_deref();
            moves.extend(observed(
                LedgerKind::Cancel,
                &c.cancel_id,
                c.total_amount,
                at,
                None,
            ));
        }
    }
    moves
}

/// Tamara writes both `2023-07-10T08:05:59.000Z` and `2023-06-04T15:07:47+00:00`.
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> serde_json::Value {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/fixtures/reference/order_details.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn an_order_with_an_odd_field_is_cached_and_the_field_named() {
        let mut raw = fixture();
        raw["settlement_date"] = serde_json::json!(5);
        raw["shipping_address"] = serde_json::json!([]);
        let d = OrderDetails::from_json(&raw).unwrap();
        let s = project(Environment::Sandbox, &d, &raw, Utc::now()).unwrap();
        assert_eq!(
            s.order.captured.amount_text(),
            "230.00",
            "the money is read"
        );
        let cached = CachedOrder {
            order: s.order,
            items: s.items,
            ledger: Vec::new(),
        };
        let mut odd = cached.unreadable_fields();
        odd.sort();
        assert_eq!(odd, ["settlement_date", "shipping_address"]);
    }

    #[test]
    fn projects_the_documented_order() {
        let raw = fixture();
        let d: OrderDetails = serde_json::from_value(raw.clone()).unwrap();
        let s = project(Environment::Sandbox, &d, &raw, Utc::now()).unwrap();
        assert_eq!(s.order.status, "partially_captured");
        assert_eq!(s.order.captured.amount_text(), "230.00");
        assert_eq!(s.order.authorised, s.order.total);
        assert_eq!(s.order.customer_name.as_deref(), Some("Sara Khalid"));
        assert_eq!(
            s.order.settlement_status, None,
            "empty text means not settled"
        );
        assert_eq!(s.order.created_at.to_rfc3339(), "2024-05-31T09:12:40+00:00");
        assert_eq!(s.items.len(), 1);
        let kinds: Vec<_> = s.moves.iter().map(|m| m.kind).collect();
        assert_eq!(kinds, [LedgerKind::Authorise, LedgerKind::Capture]);
    }

    #[test]
    fn an_order_without_total_is_refused_with_a_reason() {
        let raw = serde_json::json!({"order_id": "o1", "status": "new"});
        let d: OrderDetails = serde_json::from_value(raw.clone()).unwrap();
        let e = project(Environment::Sandbox, &d, &raw, Utc::now()).unwrap_err();
        assert!(e.to_string().contains("total_amount"), "{e}");
    }

    #[test]
    fn statuses_rank_forward() {
        assert!(status_rank(&OrderStatus::FullyCaptured) > status_rank(&OrderStatus::Approved));
        assert!(status_rank(&OrderStatus::Other("x".into())) < status_rank(&OrderStatus::New));
    }

    #[test]
    fn a_final_status_is_never_behind_an_open_one() {
        use OrderStatus as S;
        assert!(is_behind(&S::Approved, &S::Authorised), "a stale read");
        assert!(!is_behind(&S::Expired, &S::Authorised), "the 90-day expiry");
        assert!(!is_behind(&S::Expired, &S::Updated));
        assert!(!is_behind(&S::Canceled, &S::PartiallyCaptured));
        assert!(
            is_behind(&S::OnHold, &S::Authorised),
            "unplaced: shown, never applied"
        );
        assert!(
            is_behind(&S::Expired, &S::FullyRefunded),
            "both final: rank decides"
        );
        assert!(!is_behind(&S::Authorised, &S::OnHold));
    }
}
