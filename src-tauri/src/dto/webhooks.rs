//! Webhook registrations, the delivery history, the token tester and the self-test.

use serde::{Deserialize, Serialize};

/// A webhook registration, as Tamara lists it merged with what the console recorded.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct WebhookRow {
    pub webhook_id: String,
    pub url: String,
    pub events: Vec<String>,
    /// Header names with masked values (never the secret itself).
    pub headers: Vec<String>,
    /// Tamara still lists it.
    pub known_to_tamara: bool,
    /// Registered from this console.
    pub registered_here: bool,
    pub created_at: Option<String>,
}

/// Which deliveries to list, newest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize, specta::Type)]
pub struct DeliveriesFilter {
    #[serde(default)]
    #[specta(optional)]
    pub order_id: Option<String>,
    /// `verified`, `rejected` or `invalid_body`.
    #[serde(default)]
    #[specta(optional)]
    pub verdict: Option<String>,
    /// Keyset paging: only deliveries older than this id.
    #[serde(default)]
    #[specta(optional)]
    pub before_id: Option<u32>,
    /// 1 to 500; default 100.
    #[serde(default)]
    #[specta(optional)]
    pub limit: Option<u32>,
}

/// One received webhook delivery.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct DeliveryRow {
    pub id: u32,
    pub received_at: String,
    /// `verified`, `rejected` or `invalid_body`.
    pub verdict: String,
    /// Why the verdict (which token check failed).
    pub reason: Option<String>,
    pub http_status: u16,
    pub order_id: Option<String>,
    pub event_type: Option<String>,
    /// `pending`, `processed`, `failed` or `skipped`.
    pub processing_state: String,
    pub processing_result: Option<String>,
    pub attempts: u32,
}

/// A delivery with its request, for the JSON viewer.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct DeliveryDetail {
    pub delivery: DeliveryRow,
    pub method: String,
    pub path: String,
    /// The query string with `tamaraToken` masked.
    pub query: Option<String>,
    /// Headers as a JSON object (secrets masked).
    pub headers: String,
    /// The body, verbatim.
    pub body: String,
}

/// One check of the token tester.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct CheckLine {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// What the token tester found.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct TokenCheck {
    pub ok: bool,
    pub checks: Vec<CheckLine>,
}

/// One finding of the end-to-end self-test.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct Finding {
    pub code: String,
    pub ok: bool,
    pub detail: String,
}

/// The end-to-end self-test: a signed test delivery sent to the receiver's URL.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
pub struct SelfTestReport {
    pub ok: bool,
    pub url: String,
    pub findings: Vec<Finding>,
    pub hints: Vec<String>,
}
