//! Evidence for the automatic checklist items, read from the local cache only (no network).
//!
//! Invariants: only facts this console recorded count — succeeded ledger moves, verified
//! deliveries (never the self-test's), registrations confirmed by Tamara, orders read from the
//! details API, redirect landings. Each piece of evidence names ids and times a reviewer can
//! look up with `mizan orders show` / `mizan webhooks deliveries`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::console::Console;
use crate::error::Result;
use crate::store::deliveries::{self, DeliveryFilter, DeliveryVerdict, ProcessingState};
use crate::store::evidence::succeeded_moves;
use crate::store::ledger::{LedgerEntry, LedgerKind};
use crate::store::order_list::{self, OrderListQuery, TextPlan};
use crate::store::orders::{self, OrderRecord};
use crate::store::registrations;
use crate::store::settings::{self, SettingScope};
use crate::webhooks::redirects::REDIRECT_SETTING_PREFIX;
use crate::webhooks::selftest::SELF_TEST_ORDER_PREFIX;

/// How many recent rows each check looks at.
const SCAN: u32 = 1_000;

/// One fact supporting an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// A sentence a reviewer can check.
    pub summary: String,
    pub order_id: Option<String>,
    pub delivery_id: Option<i64>,
    pub ledger_id: Option<i64>,
    pub webhook_id: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

impl Evidence {
    fn new(summary: String) -> Self {
        Evidence {
            summary,
            order_id: None,
            delivery_id: None,
            ledger_id: None,
            webhook_id: None,
            at: None,
        }
    }
}

/// What a check found: evidence when it passed, else what is still missing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Passed(Vec<Evidence>),
    Missing(String),
}

/// Runs the automatic check `id`. None for an id that is not automatic.
///
/// # Errors
/// Store errors.
pub async fn check(console: &Console, id: &str) -> Result<Option<Finding>> {
    Ok(Some(match id {
        "webhook_registered" => webhook_registered(console).await?,
        "notification_verified" => notification_verified(console).await?,
        "auto_authorised" => auto_authorised(console).await?,
        "status_pulled" => status_pulled(console).await?,
        "capture_full" => moves(console, LedgerKind::Capture, Whole::Full).await?,
        "capture_partial" => moves(console, LedgerKind::Capture, Whole::Partial).await?,
        "refund_full" => moves(console, LedgerKind::Refund, Whole::Full).await?,
        "refund_partial" => moves(console, LedgerKind::Refund, Whole::Partial).await?,
        "cancel_full" => moves(console, LedgerKind::Cancel, Whole::Full).await?,
        "cancel_partial" => moves(console, LedgerKind::Cancel, Whole::Partial).await?,
        "decline" => status(console, "declined").await?,
        "expiry" => status(console, "expired").await?,
        "redirects" => redirects(console).await?,
        _ => return Ok(None),
    }))
}

async fn webhook_registered(console: &Console) -> Result<Finding> {
    // Deleted registrations still prove the flow worked (the rehearsal removes its own), but a
    // live one is preferred, then the latest confirmed.
    let regs = registrations::list(console.store(), console.environment(), true).await?;
    let best = regs
        .iter()
        .filter(|r| r.confirmed_at.is_some())
        .max_by_key(|r| (r.deleted_at.is_none(), r.confirmed_at));
    Ok(match best {
        Some(r) => Finding::Passed(vec![Evidence {
            webhook_id: Some(r.webhook_id.clone()),
            at: r.confirmed_at,
            ..Evidence::new(format!(
                "webhook {} for {} confirmed by {}{}",
                r.webhook_id,
                r.url,
                r.confirmed_by.map_or("?", |b| b.as_str()),
                if r.deleted_at.is_some() {
                    " (since deleted)"
                } else {
                    ""
                }
            ))
        }]),
        None if regs.is_empty() => {
            Finding::Missing("no webhook registered (`mizan webhooks register`)".into())
        }
        None => Finding::Missing("registered, but Tamara never showed it back".into()),
    })
}

fn real(order_id: Option<&str>) -> bool {
    order_id.is_some_and(|o| !o.starts_with(SELF_TEST_ORDER_PREFIX))
}

async fn notification_verified(console: &Console) -> Result<Finding> {
    let filter = DeliveryFilter {
        environment: Some(console.environment()),
        verdict: Some(DeliveryVerdict::Verified),
        limit: Some(SCAN),
        ..DeliveryFilter::default()
    };
    let rows = deliveries::list(console.store(), &filter).await?;
    Ok(match rows.iter().find(|d| real(d.order_id.as_deref())) {
        Some(d) => Finding::Passed(vec![Evidence {
            order_id: d.order_id.clone(),
            delivery_id: Some(d.id),
            at: Some(d.received_at),
            ..Evidence::new(format!(
                "delivery {} ({}) verified",
                d.id,
                d.event_type.as_deref().unwrap_or("?")
            ))
        }]),
        None => Finding::Missing("no verified notification from Tamara yet".into()),
    })
}

async fn auto_authorised(console: &Console) -> Result<Finding> {
    let filter = DeliveryFilter {
        environment: Some(console.environment()),
        verdict: Some(DeliveryVerdict::Verified),
        processing_state: Some(ProcessingState::Processed),
        limit: Some(SCAN),
        ..DeliveryFilter::default()
    };
    let rows = deliveries::list(console.store(), &filter).await?;
    let hit = rows.iter().find(|d| {
        d.processing_result
            .as_deref()
            .is_some_and(|r| r.contains("auto-authorised"))
    });
    Ok(match hit {
        Some(d) => Finding::Passed(vec![Evidence {
            order_id: d.order_id.clone(),
            delivery_id: Some(d.id),
            at: d.processed_at,
            ..Evidence::new(format!(
                "order {} authorised by the processor on delivery {} ({})",
                d.order_id.as_deref().unwrap_or("?"),
                d.id,
                d.event_type.as_deref().unwrap_or("?")
            ))
        }]),
        None => Finding::Missing("no order authorised automatically after approval yet".into()),
    })
}

async fn status_pulled(console: &Console) -> Result<Finding> {
    let q = OrderListQuery {
        limit: SCAN,
        ..OrderListQuery::default()
    };
    let list =
        order_list::records(console.store(), console.environment(), &q, &TextPlan::None).await?;
    Ok(
        match list
            .iter()
            .filter(|o| o.last_synced_at.is_some())
            .max_by_key(|o| o.last_synced_at)
        {
            Some(o) => Finding::Passed(vec![Evidence {
                order_id: Some(o.order_id.clone()),
                at: o.last_synced_at,
                ..Evidence::new(format!(
                    "order {} ({}) read from the details API: {}",
                    o.order_id, o.order_reference_id, o.status
                ))
            }]),
            None => Finding::Missing("no order read with the details API yet".into()),
        },
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Whole {
    Full,
    Partial,
}

/// A move is "full" when it covers the whole base in one call: the order total for captures and
/// cancels, the captured amount for refunds.
async fn moves(console: &Console, kind: LedgerKind, whole: Whole) -> Result<Finding> {
    let env = console.environment();
    let entries = succeeded_moves(console.store(), env, kind, SCAN).await?;
    let mut orders_seen: HashMap<String, Option<OrderRecord>> = HashMap::new();
    for e in &entries {
        if !orders_seen.contains_key(&e.order_id) {
            let o = orders::get(console.store(), env, &e.order_id).await?;
            orders_seen.insert(e.order_id.clone(), o);
        }
        let Some(Some(order)) = orders_seen.get(&e.order_id) else {
            continue;
        };
        if classify(kind, e, order) == Some(whole) {
            let label = if whole == Whole::Full {
                "full"
            } else {
                "partial"
            };
            return Ok(Finding::Passed(vec![Evidence {
                order_id: Some(e.order_id.clone()),
                ledger_id: Some(e.id),
                at: Some(e.occurred_at),
                ..Evidence::new(format!(
                    "{label} {kind} of {} on order {} ({}), transaction {}",
                    e.amount,
                    e.order_id,
                    order.order_reference_id,
                    e.gateway_id.as_deref().unwrap_or("?")
                ))
            }]));
        }
    }
    let label = if whole == Whole::Full {
        "full"
    } else {
        "partial"
    };
    Ok(Finding::Missing(format!("no {label} {kind} recorded yet")))
}

fn classify(kind: LedgerKind, e: &LedgerEntry, order: &OrderRecord) -> Option<Whole> {
    let base = match kind {
        LedgerKind::Capture | LedgerKind::Cancel => &order.total,
        LedgerKind::Refund => &order.captured,
        LedgerKind::Authorise => return None,
    };
    if e.amount.currency() != base.currency() {
        return None;
    }
    let (amount, base) = (e.amount.amount(), base.amount());
    if amount == base {
        Some(Whole::Full)
    } else if amount < base && amount > rust_decimal::Decimal::ZERO {
        Some(Whole::Partial)
    } else {
        None
    }
}

async fn status(console: &Console, status: &str) -> Result<Finding> {
    let q = OrderListQuery {
        statuses: vec![status.to_owned()],
        limit: 1,
        ..OrderListQuery::default()
    };
    let list =
        order_list::records(console.store(), console.environment(), &q, &TextPlan::None).await?;
    Ok(match list.first() {
        Some(o) => Finding::Passed(vec![Evidence {
            order_id: Some(o.order_id.clone()),
            at: Some(o.updated_at),
            ..Evidence::new(format!(
                "order {} ({}) is {status}",
                o.order_id, o.order_reference_id
            ))
        }]),
        None => Finding::Missing(format!("no {status} order in the cache yet")),
    })
}

#[derive(serde::Deserialize)]
struct Landing {
    order_id: String,
    status: String,
    at: DateTime<Utc>,
}

async fn redirects(console: &Console) -> Result<Finding> {
    let scope = SettingScope::Env(console.environment());
    let mut evidence = Vec::new();
    let mut missing = Vec::new();
    for landing in ["success", "failure", "cancel"] {
        let key = format!("{REDIRECT_SETTING_PREFIX}{landing}");
        let seen: Option<Landing> = settings::get(console.store(), scope, &key)
            .await?
            .and_then(|v| serde_json::from_str(&v).ok());
        match seen {
            Some(l) => evidence.push(Evidence {
                order_id: Some(l.order_id.clone()),
                at: Some(l.at),
                ..Evidence::new(format!(
                    "/checkout/{landing} showed order {} as {}",
                    l.order_id, l.status
                ))
            }),
            None => missing.push(landing),
        }
    }
    Ok(if missing.is_empty() {
        Finding::Passed(evidence)
    } else {
        Finding::Missing(format!(
            "no customer has landed on /checkout/{} yet",
            missing.join(", /checkout/")
        ))
    })
}
