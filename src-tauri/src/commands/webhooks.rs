//! Webhook registrations, the delivery history, replay, the token tester and the self-test.

use std::collections::BTreeMap;

use mizan_core::desktop::webhooks::{
    self, DeliveriesFilter, DeliveryDetail, DeliveryRow, SelfTestReport, TokenCheck, WebhookRow,
};
use mizan_core::webhooks::registration;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

/// Webhooks as Tamara lists them, merged with the console's records.
#[tauri::command]
#[specta::specta]
pub async fn webhooks_list(state: State<'_, AppState>) -> IpcResult<Vec<WebhookRow>> {
    Ok(webhooks::list(&state.console().await).await?)
}

/// Registers a webhook (every order event when `events` is empty) and confirms it by listing.
#[tauri::command]
#[specta::specta]
pub async fn webhook_register(
    state: State<'_, AppState>,
    url: String,
    events: Vec<String>,
    headers: BTreeMap<String, String>,
) -> IpcResult<WebhookRow> {
    Ok(webhooks::register(&state.console().await, &url, &events, headers).await?)
}

/// Replaces a webhook's URL and events.
#[tauri::command]
#[specta::specta]
pub async fn webhook_update(
    state: State<'_, AppState>,
    id: String,
    url: String,
    events: Vec<String>,
) -> IpcResult<WebhookRow> {
    Ok(webhooks::update(&state.console().await, &id, &url, &events).await?)
}

/// Deletes a webhook at Tamara.
#[tauri::command]
#[specta::specta]
pub async fn webhook_delete(state: State<'_, AppState>, id: String) -> IpcResult<()> {
    Ok(registration::delete(state.console().await.context(), id.trim()).await?)
}

/// Deliveries of the active environment, newest first.
#[tauri::command]
#[specta::specta]
pub async fn deliveries_page(
    state: State<'_, AppState>,
    filter: DeliveriesFilter,
) -> IpcResult<Vec<DeliveryRow>> {
    Ok(webhooks::deliveries_page(&state.console().await, &filter).await?)
}

/// One delivery with its request (headers masked).
#[tauri::command]
#[specta::specta]
pub async fn delivery_detail(state: State<'_, AppState>, id: u32) -> IpcResult<DeliveryDetail> {
    Ok(webhooks::delivery_detail(&state.console().await, id).await?)
}

/// Processes a verified delivery again now (idempotent: a processed event is a duplicate).
#[tauri::command]
#[specta::specta]
pub async fn delivery_replay(state: State<'_, AppState>, id: u32) -> IpcResult<DeliveryDetail> {
    Ok(webhooks::delivery_replay(&state.console().await, id).await?)
}

/// Checks a pasted token (or notification URL, or Bearer header) as the receiver would.
#[tauri::command]
#[specta::specta]
pub async fn token_check(state: State<'_, AppState>, input: String) -> IpcResult<TokenCheck> {
    Ok(webhooks::check_token(&state.console().await, &input))
}

/// The order events a webhook can subscribe to, in Tamara's order.
#[tauri::command]
#[specta::specta]
pub fn webhook_events() -> Vec<String> {
    registration::order_event_names()
}

/// Sends a signed test delivery to `url` (else the saved public URL, else the in-app
/// receiver) and checks that it arrived verified.
#[tauri::command]
#[specta::specta]
pub async fn webhook_self_test(
    state: State<'_, AppState>,
    url: Option<String>,
) -> IpcResult<SelfTestReport> {
    let (console, local) = {
        let s = state.session.read().await;
        (s.console.clone(), s.receiver_base())
    };
    Ok(webhooks::self_test(&console, url.as_deref(), local.as_deref()).await?)
}
