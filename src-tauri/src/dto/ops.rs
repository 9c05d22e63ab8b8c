//! Exports, the go-live checklist, the dashboard, settings, credentials and the demo.

use serde::{Deserialize, Serialize};

use super::app::EnvironmentName;

/// Which CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    Settlement,
    Audit,
    Orders,
}

/// A finished export.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ExportResult {
    pub export_id: String,
    pub rows: u32,
    pub path: String,
    /// Other files written next to it (the settlement totals).
    pub extra_paths: Vec<String>,
}

/// How a checklist item is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ChecklistKind {
    Automatic,
    Manual,
}

/// One go-live checklist item.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct ChecklistItem {
    pub id: String,
    pub section: String,
    pub title: String,
    pub kind: ChecklistKind,
    pub optional: bool,
    pub done: bool,
    /// Evidence sentences (order ids, delivery ids, times), when done.
    pub evidence: Vec<String>,
    /// What is still missing (automatic) or the operator's note (manual).
    pub note: Option<String>,
}

/// One step of the sandbox rehearsal.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct RehearsalStep {
    pub step: String,
    pub ok: bool,
    pub detail: String,
}

/// The whole rehearsal.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct RehearsalReport {
    pub ok: bool,
    pub steps: Vec<RehearsalStep>,
}

/// The checklist report's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    Md,
    Html,
}

/// Captured and refunded money of one day in one currency.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct VolumeDay {
    /// `2025-01-31` (UTC).
    pub day: String,
    pub currency: String,
    pub captured: String,
    pub refunded: String,
}

/// Webhook deliveries over the dashboard's window.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct WebhookHealth {
    pub received: u32,
    pub rejected: u32,
    /// Verified deliveries whose processing failed.
    pub failed: u32,
}

/// The dashboard.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct Dashboard {
    pub volume: Vec<VolumeDay>,
    pub webhooks: WebhookHealth,
    /// `closed`, `open` or `half_open`.
    pub breaker: String,
    /// Verified deliveries waiting for the processor.
    pub backlog: u32,
    pub reconciler_last_run: Option<String>,
    /// The reconciler missed two of its intervals.
    pub reconciler_late: bool,
}

/// A secret as the UI may see it.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct Masked {
    pub set: bool,
    /// The last 4 characters, for recognising which token it is.
    pub last4: Option<String>,
    /// `keychain`, `environment variable`, `built-in demo` or `unset`.
    pub source: String,
}

/// The credentials of one environment.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct CredentialStatus {
    pub environment: EnvironmentName,
    pub api_token: Masked,
    pub notification_token: Masked,
    pub public_key: Masked,
    /// Why the keychain could not be read, if it could not.
    pub keychain_error: Option<String>,
}

/// Which credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKindName {
    ApiToken,
    NotificationToken,
    PublicKey,
}

/// The live check of an API token.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct CredentialTest {
    pub ok: bool,
    pub detail: String,
}

/// The demo traffic generator.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct DemoState {
    /// False outside demo mode.
    pub available: bool,
    pub running: bool,
    pub orders_created: u32,
}
