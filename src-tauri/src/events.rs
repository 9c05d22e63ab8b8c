//! Typed events pushed to the webview (tauri-specta): the UI listens, it never polls.
//!
//! Who emits what: the in-app service watcher ([`crate::services`]) emits
//! [`DeliveryReceived`], [`OrderChanged`] and [`HealthChanged`] as the receiver, processor and
//! reconciler change the store; money-move commands emit [`OrderChanged`] for their order;
//! `export_run` emits [`ExportProgress`]; `checklist_rehearse` emits [`RehearsalProgress`].

use serde::{Deserialize, Serialize};

/// Pushes `event` to the webview; one that cannot be delivered is logged, not an error.
pub fn emit<E>(app: &tauri::AppHandle, event: E)
where
    E: tauri_specta::Event + Serialize + Clone,
{
    if let Err(e) = event.emit(app) {
        tracing::warn!("event not emitted: {e}");
    }
}

/// A webhook delivery was stored by the in-app receiver.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct DeliveryReceived {
    pub delivery_id: u32,
    pub order_id: Option<String>,
    pub event_type: Option<String>,
    /// `verified`, `rejected` or `invalid_body`.
    pub verdict: String,
}

/// An order's cached state changed (webhook processing, reconciler, a money move).
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct OrderChanged {
    pub order_id: String,
    pub status: String,
}

/// The in-app services' health changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct HealthChanged {
    /// `running`, `stopped` or `failed`.
    pub receiver: String,
    /// `closed`, `open` or `half_open`.
    pub breaker: String,
    pub backlog: u32,
    /// Seconds the oldest waiting delivery has waited.
    pub backlog_oldest_secs: Option<u32>,
    /// Seconds until the backlog drains at the recent pace; None without a pace.
    pub backlog_drain_secs: Option<u32>,
    pub reconciler_last_run: Option<String>,
    pub reconciler_late: bool,
}

/// Rows written so far by a running export.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct ExportProgress {
    pub export_id: String,
    pub rows: u32,
    pub done: bool,
}

/// One finished step of the sandbox rehearsal.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct RehearsalProgress {
    pub step: String,
    pub ok: bool,
    pub detail: String,
}
