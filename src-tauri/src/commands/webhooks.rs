//! Webhook registrations, the delivery history, replay, the token tester and the self-test.

use std::collections::BTreeMap;

use mizan_core::gateway::registration::{self, ListedWebhook};
use mizan_core::store::deliveries::{self, DeliveryFilter, DeliveryVerdict, WebhookDelivery};
use mizan_core::views::token_check;
use mizan_core::webhooks::{replay, selftest};
use tauri::State;

use crate::dto::webhooks::{
    CheckLine, DeliveriesFilter, DeliveryDetail, DeliveryRow, Finding, SelfTestReport, TokenCheck,
    WebhookRow,
};
use crate::dto::{count, time};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

fn listed_row(w: &ListedWebhook) -> WebhookRow {
    let remote = w.remote.as_ref();
    let local = w.local.as_ref();
    let events = match (remote, local) {
        (Some(r), _) if !r.events.is_empty() => {
            r.events.iter().map(|e| e.as_str().to_owned()).collect()
        }
        (_, Some(l)) => serde_json::from_str(&l.events_json).unwrap_or_default(),
        _ => Vec::new(),
    };
    let headers = match (remote, local) {
        (Some(r), _) if !r.headers.is_empty() => r
            .headers
            .iter()
            .map(|(k, v)| format!("{k}: {}", mizan_core::store::mask_secret(v)))
            .collect(),
        (_, Some(l)) => serde_json::from_str::<BTreeMap<String, String>>(&l.headers_json)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect(),
        _ => Vec::new(),
    };
    WebhookRow {
        webhook_id: w.webhook_id.clone(),
        url: remote
            .and_then(|r| r.url.clone())
            .or_else(|| local.map(|l| l.url.clone()))
            .unwrap_or_default(),
        events,
        headers,
        known_to_tamara: remote.is_some(),
        registered_here: local.is_some(),
        created_at: local.map(|l| time(l.created_at)),
    }
}

/// Webhooks as Tamara lists them, merged with the console's records.
#[tauri::command]
#[specta::specta]
pub async fn webhooks_list(state: State<'_, AppState>) -> IpcResult<Vec<WebhookRow>> {
    let listed = registration::list(&state.console().await).await?;
    Ok(listed.iter().map(listed_row).collect())
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
    let console = state.console().await;
    let loopback_ok = console.config().active().built_in_sandbox;
    let r = registration::register(
        &console,
        &registration::order_request(&url, &events, headers)?,
        loopback_ok,
    )
    .await?;
    let listed = ListedWebhook {
        webhook_id: r.registration.webhook_id.clone(),
        remote: None,
        local: Some(r.registration),
    };
    Ok(WebhookRow {
        known_to_tamara: r.confirmed_by.is_some(),
        ..listed_row(&listed)
    })
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
    let console = state.console().await;
    let loopback_ok = console.config().active().built_in_sandbox;
    let reg = registration::update(
        &console,
        id.trim(),
        &registration::order_request(&url, &events, BTreeMap::new())?,
        loopback_ok,
    )
    .await?;
    Ok(listed_row(&ListedWebhook {
        webhook_id: reg.webhook_id.clone(),
        remote: None,
        local: Some(reg),
    }))
}

/// Deletes a webhook at Tamara.
#[tauri::command]
#[specta::specta]
pub async fn webhook_delete(state: State<'_, AppState>, id: String) -> IpcResult<()> {
    Ok(registration::delete(&state.console().await, id.trim()).await?)
}

fn delivery_row(d: &WebhookDelivery) -> DeliveryRow {
    DeliveryRow {
        id: count(d.id),
        received_at: time(d.received_at),
        verdict: d.verdict.as_str().to_owned(),
        reason: d.reason.clone(),
        http_status: d.http_status,
        order_id: d.order_id.clone(),
        event_type: d.event_type.clone(),
        processing_state: d.processing_state.as_str().to_owned(),
        processing_result: d.processing_result.clone(),
        attempts: count(d.attempts),
    }
}

/// Deliveries of the active environment, newest first.
#[tauri::command]
#[specta::specta]
pub async fn deliveries_page(
    state: State<'_, AppState>,
    filter: DeliveriesFilter,
) -> IpcResult<Vec<DeliveryRow>> {
    let console = state.console().await;
    let verdict = filter
        .verdict
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<DeliveryVerdict>().map_err(|_| {
                IpcError::invalid(format!(
                    "verdict {v:?} is not verified, rejected or invalid_body"
                ))
            })
        })
        .transpose()?;
    let limit = filter.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(IpcError::invalid(format!(
            "limit must be 1 to 500, not {limit}"
        )));
    }
    let f = DeliveryFilter {
        environment: Some(console.environment()),
        order_id: filter.order_id.filter(|o| !o.trim().is_empty()),
        verdict,
        processing_state: None,
        before_id: filter.before_id.map(i64::from),
        limit: Some(limit),
    };
    let rows = deliveries::list(console.store(), &f).await?;
    Ok(rows.iter().map(delivery_row).collect())
}

async fn detail_of(console: &mizan_core::Console, id: u32) -> IpcResult<DeliveryDetail> {
    let env = console.environment();
    let d = deliveries::get(console.store(), i64::from(id))
        .await?
        .filter(|d| d.environment == env)
        .ok_or(mizan_core::Error::DeliveryNotFound {
            id: i64::from(id),
            env,
        })?;
    Ok(DeliveryDetail {
        delivery: delivery_row(&d),
        method: d.method.clone(),
        path: d.path.clone(),
        query: d.query.clone(),
        headers: d.headers_json.clone(),
        body: d.body.clone(),
    })
}

/// One delivery with its request (headers masked).
#[tauri::command]
#[specta::specta]
pub async fn delivery_detail(state: State<'_, AppState>, id: u32) -> IpcResult<DeliveryDetail> {
    detail_of(&state.console().await, id).await
}

/// Processes a verified delivery again now (idempotent: a processed event is a duplicate).
#[tauri::command]
#[specta::specta]
pub async fn delivery_replay(state: State<'_, AppState>, id: u32) -> IpcResult<DeliveryDetail> {
    let console = state.console().await;
    replay::replay(&console, i64::from(id)).await?;
    detail_of(&console, id).await
}

/// Checks a pasted token (or notification URL, or Bearer header) as the receiver would.
#[tauri::command]
#[specta::specta]
pub async fn token_check(state: State<'_, AppState>, input: String) -> IpcResult<TokenCheck> {
    let console = state.console().await;
    let (ok, checks) = token_check::check_token(&console, &input, chrono::Utc::now().timestamp());
    Ok(TokenCheck {
        ok,
        checks: checks
            .into_iter()
            .map(|c| CheckLine {
                name: c.name.to_owned(),
                ok: c.ok,
                detail: c.detail,
            })
            .collect(),
    })
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
    let (url, source) =
        selftest::resolve_url_or_local(&console, url.as_deref(), local.as_deref()).await?;
    let r = selftest::run(&console, &url, &source).await?;
    let findings = r
        .findings()
        .into_iter()
        .map(|f| Finding {
            code: f.code.to_owned(),
            ok: f.ok,
            detail: f.detail,
        })
        .collect();
    Ok(SelfTestReport {
        ok: r.passed,
        url: r.url,
        findings,
        hints: std::iter::once(r.finding).chain(r.hints).collect(),
    })
}
