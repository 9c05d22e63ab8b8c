//! The order list, saved views, the attention queue and the order screen.

use mizan_core::desktop::detail::{self, OrderDetail};
use mizan_core::desktop::orders::{self, AttentionItem, OrdersPage, OrdersQuery, SavedView};
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// One page of cached orders, newest first, with a capped total.
#[tauri::command]
#[specta::specta]
pub async fn orders_page(state: State<'_, AppState>, query: OrdersQuery) -> IpcResult<OrdersPage> {
    Ok(orders::page(&state.console().await, &query).await?)
}

/// Orders that need a person, soonest deadline first.
#[tauri::command]
#[specta::specta]
pub async fn attention_queue(state: State<'_, AppState>) -> IpcResult<Vec<AttentionItem>> {
    Ok(orders::attention_queue(&state.console().await).await?)
}

/// The active environment's saved views.
#[tauri::command]
#[specta::specta]
pub async fn saved_views(state: State<'_, AppState>) -> IpcResult<Vec<SavedView>> {
    Ok(orders::saved_views(&state.console().await).await?)
}

/// Saves (or replaces) a view.
#[tauri::command]
#[specta::specta]
pub async fn save_view(
    state: State<'_, AppState>,
    name: String,
    query: OrdersQuery,
) -> IpcResult<SavedView> {
    Ok(orders::save_view(&state.console().await, &name, query).await?)
}

/// Deletes a saved view.
#[tauri::command]
#[specta::specta]
pub async fn delete_view(state: State<'_, AppState>, name: String) -> IpcResult<()> {
    Ok(mizan_core::views::saved::delete(&state.console().await, &name).await?)
}

/// One order from the cache with its amounts, items, timeline and allowed moves.
#[tauri::command]
#[specta::specta]
pub async fn order_detail(state: State<'_, AppState>, order_id: String) -> IpcResult<OrderDetail> {
    Ok(detail::order_detail(&state.console().await, &order_id).await?)
}

/// Re-reads the order from Tamara (settling unfinished moves), then shows it.
#[tauri::command]
#[specta::specta]
pub async fn order_refresh(state: State<'_, AppState>, order_id: String) -> IpcResult<OrderDetail> {
    Ok(detail::order_refresh(&state.console().await, &order_id).await?)
}

/// The order's statement (or one move's receipt) as a printable page.
#[tauri::command]
#[specta::specta]
pub async fn order_statement(
    state: State<'_, AppState>,
    order_id: String,
    entry: Option<u32>,
) -> IpcResult<String> {
    let console = state.console().await;
    Ok(mizan_core::desktop::statement::order_statement(&console, &order_id, entry).await?)
}
