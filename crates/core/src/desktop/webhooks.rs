//! Webhook registrations, the delivery history, the token tester and the self-test.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{count, text, time};
use crate::console::Console;
use crate::error::{Error, Result};
use crate::store::deliveries::{self, DeliveryFilter, DeliveryVerdict, WebhookDelivery};
use crate::views::token_check;
use crate::webhooks::registration::{self, ListedWebhook};
use crate::webhooks::selftest::{self, Finding};

/// A webhook registration, as Tamara lists it merged with what the console recorded.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DeliveriesFilter {
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub order_id: Option<String>,
    /// `verified`, `rejected` or `invalid_body`.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub verdict: Option<String>,
    /// Keyset paging: only deliveries older than this id.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub before_id: Option<u32>,
    /// 1 to 500; default 100.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub limit: Option<u32>,
}

/// One received webhook delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CheckLine {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// What the token tester found.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TokenCheck {
    pub ok: bool,
    pub checks: Vec<CheckLine>,
}

/// The end-to-end self-test: a signed test delivery sent to the receiver's URL.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SelfTestReport {
    pub ok: bool,
    /// Whether Tamara could deliver to the URL (https, not a local address): the headline says
    /// "works end to end" only when both this and `ok` hold.
    pub reachable_by_tamara: bool,
    pub url: String,
    pub findings: Vec<Finding>,
    pub hints: Vec<String>,
}

impl From<&ListedWebhook> for WebhookRow {
    fn from(w: &ListedWebhook) -> Self {
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
            (Some(r), _) if !r.headers.is_empty() => {
                r.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect()
            }
            // Both are masked already: Tamara's copy by `registration::list`, ours when stored.
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
}

/// Webhooks as Tamara lists them, merged with the console's records.
///
/// # Errors
/// Gateway and store errors.
pub async fn list(console: &Console) -> Result<Vec<WebhookRow>> {
    let listed = registration::list(console).await?;
    Ok(listed.iter().map(WebhookRow::from).collect())
}

/// Registers an order webhook (every order event when `events` is empty) and confirms it.
/// Plain `http://` to loopback is accepted only against the built-in simulator.
///
/// # Errors
/// [`Error::Invalid`] for a request Tamara would refuse; gateway and store errors.
pub async fn register(
    console: &Console,
    url: &str,
    events: &[String],
    headers: BTreeMap<String, String>,
) -> Result<WebhookRow> {
    let loopback_ok = console.config().active().built_in_sandbox;
    let req = registration::order_request(url, events, headers)?;
    let r = registration::register(console, &req, loopback_ok).await?;
    let known = r.confirmed_by.is_some();
    let row = WebhookRow::from(&ListedWebhook {
        webhook_id: r.registration.webhook_id.clone(),
        remote: None,
        local: Some(r.registration),
    });
    Ok(WebhookRow {
        known_to_tamara: known,
        ..row
    })
}

/// Replaces a webhook's URL and events.
///
/// # Errors
/// As [`register`].
pub async fn update(
    console: &Console,
    id: &str,
    url: &str,
    events: &[String],
) -> Result<WebhookRow> {
    let loopback_ok = console.config().active().built_in_sandbox;
    let req = registration::order_request(url, events, BTreeMap::new())?;
    let reg = registration::update(console, id.trim(), &req, loopback_ok).await?;
    Ok(WebhookRow::from(&ListedWebhook {
        webhook_id: reg.webhook_id.clone(),
        remote: None,
        local: Some(reg),
    }))
}

impl From<&WebhookDelivery> for DeliveryRow {
    fn from(d: &WebhookDelivery) -> Self {
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
}

impl DeliveriesFilter {
    /// The store's filter for `console`'s environment, each field checked.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field.
    pub fn to_core(&self, console: &Console) -> Result<DeliveryFilter> {
        let verdict = text(&self.verdict)
            .map(|v| {
                v.parse::<DeliveryVerdict>().map_err(|_| {
                    Error::Invalid(format!(
                        "verdict {v:?} is not verified, rejected or invalid_body"
                    ))
                })
            })
            .transpose()?;
        let limit = self.limit.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            return Err(Error::Invalid(format!(
                "limit must be 1 to 500, not {limit}"
            )));
        }
        Ok(DeliveryFilter {
            environment: Some(console.environment()),
            order_id: self.order_id.clone().filter(|o| !o.trim().is_empty()),
            verdict,
            processing_state: None,
            before_id: self.before_id.map(i64::from),
            limit: Some(limit),
        })
    }
}

/// Deliveries of the active environment, newest first.
///
/// # Errors
/// [`Error::Invalid`] naming the field; store errors.
pub async fn deliveries_page(
    console: &Console,
    filter: &DeliveriesFilter,
) -> Result<Vec<DeliveryRow>> {
    let rows = crate::webhooks::deliveries(console, &filter.to_core(console)?).await?;
    Ok(rows.iter().map(DeliveryRow::from).collect())
}

/// One delivery of the active environment with its request (headers masked).
///
/// # Errors
/// [`Error::DeliveryNotFound`]; store errors.
pub async fn delivery_detail(console: &Console, id: u32) -> Result<DeliveryDetail> {
    let env = console.environment();
    let d = deliveries::get(console.store(), i64::from(id))
        .await?
        .filter(|d| d.environment == env)
        .ok_or(Error::DeliveryNotFound {
            id: i64::from(id),
            env,
        })?;
    Ok(DeliveryDetail {
        delivery: DeliveryRow::from(&d),
        method: d.method.clone(),
        path: d.path.clone(),
        query: d.query.clone(),
        headers: d.headers_json.clone(),
        body: d.body.clone(),
    })
}

/// Processes a verified delivery again now (idempotent: a processed event is a duplicate).
///
/// # Errors
/// As [`crate::webhooks::replay::replay`].
pub async fn delivery_replay(console: &Console, id: u32) -> Result<DeliveryDetail> {
    crate::webhooks::replay::replay(console, i64::from(id)).await?;
    delivery_detail(console, id).await
}

/// Checks a pasted token (or notification URL, or Bearer header) as the receiver would.
pub fn check_token(console: &Console, input: &str) -> TokenCheck {
    let now = console.now().timestamp();
    let (ok, checks) = token_check::check_token(console, input, now);
    TokenCheck {
        ok,
        checks: checks
            .into_iter()
            .map(|c| CheckLine {
                name: c.name.to_owned(),
                ok: c.ok,
                detail: c.detail,
            })
            .collect(),
    }
}

/// Sends a signed test delivery to `url` (else the saved public URL, else the in-app
/// receiver at `local_base`) and checks that it arrived verified.
///
/// # Errors
/// As [`selftest::run`]; [`Error::Invalid`] when there is no URL to test.
pub async fn self_test(
    console: &Console,
    url: Option<&str>,
    local_base: Option<&str>,
) -> Result<SelfTestReport> {
    let (url, source) = selftest::resolve_url_or_local(console, url, local_base).await?;
    let r = selftest::run(console, &url, &source).await?;
    Ok(SelfTestReport {
        ok: r.passed,
        reachable_by_tamara: r.reachable_by_tamara,
        findings: r.findings(),
        url: r.url,
        hints: std::iter::once(r.finding).chain(r.hints).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::registrations::WebhookRegistration;

    #[test]
    fn a_locally_recorded_webhook_shows_its_stored_masked_headers() {
        let local = WebhookRegistration {
            webhook_id: "wh_1".into(),
            environment: crate::Environment::Sandbox,
            url: "https://x.example/w".into(),
            events_json: r#"["order_approved"]"#.into(),
            headers_json: r#"{"x-key":"****abcd"}"#.into(),
            webhook_type: "order".into(),
            created_at: chrono::Utc::now(),
            deleted_at: None,
            confirmed_by: None,
            confirmed_at: None,
        };
        let row = WebhookRow::from(&ListedWebhook {
            webhook_id: "wh_1".into(),
            remote: None,
            local: Some(local),
        });
        assert_eq!(row.events, ["order_approved"]);
        assert_eq!(row.headers, ["x-key: ****abcd"]);
        assert!(row.registered_here && !row.known_to_tamara);
    }
}
