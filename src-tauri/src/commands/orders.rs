//! The order list, saved views, the attention queue and the order screen.

use chrono::Utc;
use mizan_core::money::{Currency, parse_decimal};
use mizan_core::store::order_list::{OrderListQuery, OrderListRow};
use mizan_core::store::orders::OrderRecord;
use mizan_core::views::{attention, detail, orders, saved};
use tauri::State;

use crate::dto::detail::{Allowed, Amounts, ItemRow, OrderDetail, TimelineEntry, TimelineKind};
use crate::dto::orders::{
    AttentionItem, AttentionReason, OrderRow, OrdersPage, OrdersQuery, SavedView,
};
use crate::dto::{amount, count, parse_time, time};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// The UI's query as the core's, each field checked with its name in the error.
pub fn to_core_query(q: &OrdersQuery) -> IpcResult<OrderListQuery> {
    fn text(t: &Option<String>) -> Option<&str> {
        t.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }
    let currency = text(&q.currency)
        .map(|c| {
            c.to_ascii_uppercase()
                .parse::<Currency>()
                .map_err(|e| IpcError::invalid(format!("currency: {e}")))
        })
        .transpose()?;
    let decimal = |what: &str, t: Option<&str>| {
        t.map(|t| parse_decimal(t).map_err(|e| IpcError::invalid(format!("{what}: {e}"))))
            .transpose()
    };
    Ok(OrderListQuery {
        statuses: q.statuses.clone(),
        currency,
        reference: text(&q.reference).map(str::to_owned),
        text: text(&q.text).map(str::to_owned),
        created_from: text(&q.created_from)
            .map(|t| parse_time("created_from", t))
            .transpose()?,
        created_to: text(&q.created_to)
            .map(|t| parse_time("created_to", t))
            .transpose()?,
        amount_min: decimal("amount_min", text(&q.amount_min))?,
        amount_max: decimal("amount_max", text(&q.amount_max))?,
        offset: q.offset,
        limit: q.limit,
    })
}

pub fn row(r: &OrderListRow) -> OrderRow {
    OrderRow {
        order_id: r.order_id.clone(),
        reference: r.order_reference_id.clone(),
        status: r.status.clone(),
        currency: r.total.currency().code().to_owned(),
        total: amount(r.total),
        captured: amount(r.captured),
        refunded: amount(r.refunded),
        created_at: time(r.created_at),
        customer: r.customer_name.clone(),
    }
}

pub fn record_row(o: &OrderRecord) -> OrderRow {
    OrderRow {
        order_id: o.order_id.clone(),
        reference: o.order_reference_id.clone(),
        status: o.status.clone(),
        currency: o.currency().code().to_owned(),
        total: amount(o.total),
        captured: amount(o.captured),
        refunded: amount(o.refunded),
        created_at: time(o.created_at),
        customer: o.customer_name.clone(),
    }
}

/// The order screen's DTO from the core's view.
pub fn detail_dto(v: detail::OrderView) -> OrderDetail {
    let a = v.amounts;
    let o = &v.cached.order;
    OrderDetail {
        order: record_row(o),
        amounts: Amounts {
            authorised: amount(a.authorised),
            captured: amount(a.captured),
            refunded: amount(a.refunded),
            canceled: amount(a.canceled),
            capturable: amount(a.capturable),
            refundable: amount(a.refundable),
            cancelable: amount(a.cancelable),
        },
        items: v
            .cached
            .items
            .iter()
            .map(|i| ItemRow {
                reference_id: i.reference_id.clone(),
                sku: i.sku.clone(),
                name: i.name.clone(),
                quantity: count(i.quantity),
                unit_price: i.unit_price.map(amount),
                total: amount(i.total_amount),
            })
            .collect(),
        timeline: v
            .timeline
            .into_iter()
            .map(|e| TimelineEntry {
                at: time(e.at),
                kind: match e.kind {
                    detail::TimelineKind::ApiCall => TimelineKind::ApiCall,
                    detail::TimelineKind::Webhook => TimelineKind::Webhook,
                    detail::TimelineKind::Status => TimelineKind::Status,
                    detail::TimelineKind::Move => TimelineKind::Move,
                    detail::TimelineKind::Audit => TimelineKind::Audit,
                },
                title: e.title,
                detail: e.detail,
                payload: e.payload,
            })
            .collect(),
        raw_order: o.raw_json.clone(),
        allowed: Allowed {
            authorise: v.allowed.authorise,
            capture: v.allowed.capture,
            refund: v.allowed.refund,
            cancel: v.allowed.cancel,
        },
        last_synced_at: o.last_synced_at.map(time),
    }
}

/// One page of cached orders, newest first, with a capped total.
#[tauri::command]
#[specta::specta]
pub async fn orders_page(state: State<'_, AppState>, query: OrdersQuery) -> IpcResult<OrdersPage> {
    let q = to_core_query(&query)?;
    let page = orders::orders_page(&state.console().await, q).await?;
    Ok(OrdersPage {
        rows: page.rows.iter().map(row).collect(),
        total: page.total,
        total_capped: page.total_capped,
    })
}

/// Orders that need a person, soonest deadline first.
#[tauri::command]
#[specta::specta]
pub async fn attention_queue(state: State<'_, AppState>) -> IpcResult<Vec<AttentionItem>> {
    let items = attention::attention_queue(&state.console().await, Utc::now()).await?;
    Ok(items
        .into_iter()
        .map(|i| AttentionItem {
            order_id: i.order_id,
            reference: i.reference,
            reason: match i.reason {
                attention::AttentionReason::ApprovedNotAuthorised => {
                    AttentionReason::ApprovedNotAuthorised
                }
                attention::AttentionReason::AuthorisedNotCaptured => {
                    AttentionReason::AuthorisedNotCaptured
                }
                attention::AttentionReason::AutoAuthoriseFailed => {
                    AttentionReason::AutoAuthoriseFailed
                }
                attention::AttentionReason::Mismatch => AttentionReason::Mismatch,
            },
            deadline: i.deadline.map(time),
            detail: i.detail,
        })
        .collect())
}

/// The active environment's saved views.
#[tauri::command]
#[specta::specta]
pub async fn saved_views(state: State<'_, AppState>) -> IpcResult<Vec<SavedView>> {
    let views = saved::list(&state.console().await).await?;
    Ok(views
        .into_iter()
        .filter_map(|v| {
            serde_json::from_str(&v.query_json)
                .ok()
                .map(|query| SavedView {
                    name: v.name,
                    query,
                })
        })
        .collect())
}

/// Saves (or replaces) a view.
#[tauri::command]
#[specta::specta]
pub async fn save_view(
    state: State<'_, AppState>,
    name: String,
    query: OrdersQuery,
) -> IpcResult<SavedView> {
    to_core_query(&query)?;
    let json =
        serde_json::to_string(&query).map_err(|e| IpcError::invalid(format!("query: {e}")))?;
    let v = saved::save(&state.console().await, &name, &json).await?;
    Ok(SavedView {
        name: v.name,
        query,
    })
}

/// Deletes a saved view.
#[tauri::command]
#[specta::specta]
pub async fn delete_view(state: State<'_, AppState>, name: String) -> IpcResult<()> {
    Ok(saved::delete(&state.console().await, &name).await?)
}

/// One order from the cache with its amounts, items, timeline and allowed moves.
#[tauri::command]
#[specta::specta]
pub async fn order_detail(state: State<'_, AppState>, order_id: String) -> IpcResult<OrderDetail> {
    Ok(detail_dto(
        detail::order_view(&state.console().await, &order_id).await?,
    ))
}

/// Re-reads the order from Tamara (settling unfinished moves), then shows it.
#[tauri::command]
#[specta::specta]
pub async fn order_refresh(state: State<'_, AppState>, order_id: String) -> IpcResult<OrderDetail> {
    let console = state.console().await;
    let id = console
        .cached_order(&order_id)
        .await
        .map_or_else(|_| order_id.trim().to_owned(), |c| c.order.order_id);
    console.fetch_order(&id).await?;
    console.settle_moves(&id).await?;
    Ok(detail_dto(detail::order_view(&console, &id).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ui_query_maps_to_the_core_query_and_bad_fields_are_named() {
        let q = OrdersQuery {
            statuses: vec!["authorised".into()],
            currency: Some(" kwd ".into()),
            reference: Some("  ".into()),
            text: Some(" Sara ".into()),
            created_from: Some("2025-01-31".into()),
            created_to: None,
            amount_min: Some("10.5".into()),
            amount_max: Some(String::new()),
            offset: 200,
            limit: 100,
        };
        let c = to_core_query(&q).unwrap();
        assert_eq!(c.currency, Some(Currency::Kwd));
        assert_eq!(c.reference, None, "blank is no filter");
        assert_eq!(c.text.as_deref(), Some("Sara"));
        assert_eq!(c.amount_min.unwrap().to_string(), "10.5");
        assert_eq!(c.amount_max, None);
        assert_eq!((c.offset, c.limit), (200, 100));
        for (bad, field) in [
            (
                OrdersQuery {
                    currency: Some("USD".into()),
                    ..q.clone()
                },
                "currency",
            ),
            (
                OrdersQuery {
                    amount_min: Some("ten".into()),
                    ..q.clone()
                },
                "amount_min",
            ),
            (
                OrdersQuery {
                    created_to: Some("yesterday".into()),
                    ..q.clone()
                },
                "created_to",
            ),
        ] {
            let e = to_core_query(&bad).unwrap_err();
            assert_eq!(e.code, "invalid_input");
            assert!(e.message.contains(field), "{}", e.message);
        }
    }
}
