//! Webhook registrations at Tamara (reference §6): register, confirm, list, show, update,
//! delete — keeping the local record in `webhook_registrations` in step.
//!
//! A registration is confirmed by listing all webhooks (`GET /webhooks`) and finding its id;
//! when the gateway does not offer listing (404/405) it is confirmed by `GET /webhooks/{id}`.
//!
//! Invariants: a request is validated as Tamara would (HTTPS, ≤ 255 characters, at least one
//! event, no `authorization` header) before anything is sent; plain `http://` is accepted only
//! for loopback hosts and only when the caller asks (local receivers); header values are stored
//! masked, never verbatim.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use tamara::ApiError;
use tamara::model::webhooks::{
    EventType, Webhook, WebhookRequest, WebhookType, validate_webhook_request,
};

use crate::context::Context;
use crate::error::{Error, Result};
use crate::gateway::{Gateway, GatewayError};
use crate::store::mask_secret;
use crate::store::registrations::{self, ConfirmedBy};

pub use crate::store::registrations::WebhookRegistration;

/// The order events a webhook can subscribe to, in Tamara's order (what the UI offers).
pub fn order_event_names() -> Vec<String> {
    EventType::ORDER_EVENTS
        .iter()
        .map(|e| e.as_str().to_owned())
        .collect()
}

/// The order events named in `events` (blanks skipped, surrounding spaces ignored).
///
/// # Errors
/// The first name Tamara does not send.
pub fn parse_events(events: &[String]) -> std::result::Result<Vec<EventType>, String> {
    let mut parsed = Vec::with_capacity(events.len());
    for name in events.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        match EventType::parse(name) {
            EventType::Other(unknown) => return Err(unknown),
            known => parsed.push(known),
        }
    }
    Ok(parsed)
}

/// An order webhook for `url` on `events` (every order event when none is named).
///
/// # Errors
/// [`Error::Invalid`] naming an event Tamara does not send.
pub fn order_request(
    url: &str,
    events: &[String],
    headers: BTreeMap<String, String>,
) -> Result<WebhookRequest> {
    let named =
        parse_events(events).map_err(|e| Error::Invalid(format!("unknown webhook event {e:?}")))?;
    Ok(WebhookRequest {
        kind: Some(WebhookType::Order),
        url: url.trim().to_owned(),
        events: if named.is_empty() {
            EventType::ORDER_EVENTS.to_vec()
        } else {
            named
        },
        headers,
    })
}

/// Validates `req` as Tamara would. With `allow_http_loopback`, `http://` is accepted for
/// 127.0.0.1, localhost and [::1] (for a receiver on this machine; Tamara itself refuses it).
pub fn validate(req: &WebhookRequest, allow_http_loopback: bool) -> Result<()> {
    let invalid = |e: &dyn std::fmt::Display| Error::Invalid(e.to_string());
    let len = req.url.chars().count();
    if len > 255 {
        return Err(Error::Invalid(format!(
            "webhook URL is {len} characters; Tamara allows at most 255"
        )));
    }
    if allow_http_loopback && is_http_loopback(&req.url) {
        let mut as_https = req.clone();
        as_https.url = format!("https{}", &req.url[4..]);
        return validate_webhook_request(&as_https).map_err(|e| invalid(&e));
    }
    validate_webhook_request(req).map_err(|e| invalid(&e))
}

fn is_http_loopback(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    if authority == "[::1]" || authority.starts_with("[::1]:") {
        return true;
    }
    matches!(
        authority.split(':').next(),
        Some("127.0.0.1") | Some("localhost")
    )
}

/// Result of [`register`].
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub registration: WebhookRegistration,
    /// How Tamara showed it back; None if it did not (the id is kept anyway).
    pub confirmed_by: Option<ConfirmedBy>,
}

/// A webhook as Tamara lists it, merged with what the console recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedWebhook {
    pub webhook_id: String,
    /// Tamara's view; None when Tamara no longer knows it (or could not be asked).
    pub remote: Option<Webhook>,
    pub local: Option<WebhookRegistration>,
}

fn is_not_offered(e: &GatewayError) -> bool {
    matches!(e.api().and_then(ApiError::status), Some(404 | 405))
}

fn record(
    env: crate::Environment,
    w: &Webhook,
    req: &WebhookRequest,
    now: DateTime<Utc>,
) -> WebhookRegistration {
    let events: Vec<&str> = req.events.iter().map(|e| e.as_str()).collect();
    let headers: BTreeMap<&str, String> = req
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), mask_secret(v)))
        .collect();
    WebhookRegistration {
        environment: env,
        webhook_id: w.webhook_id.clone(),
        url: req.url.clone(),
        events_json: serde_json::to_string(&events).unwrap_or_else(|_| "[]".into()),
        headers_json: serde_json::to_string(&headers).unwrap_or_else(|_| "{}".into()),
        webhook_type: req
            .kind
            .as_ref()
            .or(w.kind.as_ref())
            .map(|k| k.as_str().to_owned())
            .unwrap_or_else(|| "order".into()),
        created_at: now,
        confirmed_at: None,
        confirmed_by: None,
        deleted_at: None,
    }
}

/// Asks Tamara to show `webhook_id` back: by listing, else (listing not offered, or the id
/// missing from it) by id. `Ok(None)` when Tamara does not know it.
pub async fn confirm(gateway: &Gateway, webhook_id: &str) -> Result<Option<ConfirmedBy>> {
    match gateway.list_webhooks().await {
        Ok(all) if all.value.iter().any(|w| w.webhook_id == webhook_id) => {
            return Ok(Some(ConfirmedBy::Listing));
        }
        Ok(_) => {}
        Err(e) if is_not_offered(&e) => {}
        Err(e) => return Err(e.into()),
    }
    match gateway.get_webhook(webhook_id).await {
        Ok(w) if w.value.webhook_id == webhook_id => Ok(Some(ConfirmedBy::Get)),
        Ok(_) => Ok(None),
        Err(e) if matches!(e.api().and_then(ApiError::status), Some(404)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Validates, registers, confirms and records a webhook.
pub async fn register(
    console: &Context,
    req: &WebhookRequest,
    allow_http_loopback: bool,
) -> Result<Registered> {
    validate(req, allow_http_loopback)?;
    let gateway = console.gateway()?;
    let created = gateway.register_webhook(req).await?;
    let env = console.environment();
    let mut reg = record(env, &created.value, req, console.now());
    registrations::upsert(console.store(), &reg).await?;
    let confirmed_by = match confirm(&gateway, &reg.webhook_id).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(webhook_id = %reg.webhook_id, error = %e, "registered, not confirmed");
            None
        }
    };
    if let Some(by) = confirmed_by {
        let at = console.now();
        registrations::mark_confirmed(console.store(), env, &reg.webhook_id, by, at).await?;
        reg.confirmed_at = Some(at);
        reg.confirmed_by = Some(by);
    }
    Ok(Registered {
        registration: reg,
        confirmed_by,
    })
}

/// Tamara's webhooks merged with the local records. Without listing, each locally recorded
/// (not deleted) registration is read by id.
pub async fn list(console: &Context) -> Result<Vec<ListedWebhook>> {
    let env = console.environment();
    let gateway = console.gateway()?;
    let local = registrations::list(console.store(), env, false).await?;
    let mut out: Vec<ListedWebhook> = Vec::new();
    match gateway.list_webhooks().await {
        Ok(all) => {
            for w in all.value {
                let l = local.iter().find(|r| r.webhook_id == w.webhook_id).cloned();
                out.push(ListedWebhook {
                    webhook_id: w.webhook_id.clone(),
                    remote: Some(w),
                    local: l,
                });
            }
            for r in local {
                if !out.iter().any(|o| o.webhook_id == r.webhook_id) {
                    out.push(ListedWebhook {
                        webhook_id: r.webhook_id.clone(),
                        remote: None,
                        local: Some(r),
                    });
                }
            }
        }
        Err(e) if is_not_offered(&e) => {
            for r in local {
                let remote = match gateway.get_webhook(&r.webhook_id).await {
                    Ok(w) => Some(w.value),
                    Err(e) if matches!(e.api().and_then(ApiError::status), Some(404)) => None,
                    Err(e) => return Err(e.into()),
                };
                out.push(ListedWebhook {
                    webhook_id: r.webhook_id.clone(),
                    remote,
                    local: Some(r),
                });
            }
        }
        Err(e) => return Err(e.into()),
    }
    Ok(out)
}

/// One webhook from Tamara, with the local record if any.
pub async fn show(console: &Context, webhook_id: &str) -> Result<ListedWebhook> {
    let gateway = console.gateway()?;
    let remote = gateway.get_webhook(webhook_id).await?.value;
    let local = registrations::get(console.store(), console.environment(), webhook_id).await?;
    Ok(ListedWebhook {
        webhook_id: webhook_id.to_owned(),
        remote: Some(remote),
        local,
    })
}

/// Replaces url, events and headers of a webhook at Tamara, and the local record.
pub async fn update(
    console: &Context,
    webhook_id: &str,
    req: &WebhookRequest,
    allow_http_loopback: bool,
) -> Result<WebhookRegistration> {
    validate(req, allow_http_loopback)?;
    let env = console.environment();
    let updated = console.gateway()?.update_webhook(webhook_id, req).await?;
    let mut reg = record(env, &updated.value, req, console.now());
    reg.webhook_id = webhook_id.to_owned();
    if let Some(old) = registrations::get(console.store(), env, webhook_id).await? {
        reg.created_at = old.created_at;
        reg.confirmed_at = old.confirmed_at;
        reg.confirmed_by = old.confirmed_by;
    }
    registrations::upsert(console.store(), &reg).await?;
    Ok(reg)
}

/// Deletes a webhook at Tamara and stamps the local record deleted (if there is one).
pub async fn delete(console: &Context, webhook_id: &str) -> Result<()> {
    let env = console.environment();
    console.gateway()?.delete_webhook(webhook_id).await?;
    if registrations::get(console.store(), env, webhook_id)
        .await?
        .is_some()
    {
        registrations::mark_deleted(console.store(), env, webhook_id, console.now()).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamara::model::webhooks::EventType;

    fn req(url: &str) -> WebhookRequest {
        WebhookRequest {
            kind: None,
            url: url.into(),
            events: vec![EventType::OrderApproved],
            headers: BTreeMap::new(),
        }
    }

    #[test]
    fn validation_follows_tamara_with_an_opt_in_for_loopback_http() {
        assert!(validate(&req("https://a.example/h"), false).is_ok());
        assert!(validate(&req("http://a.example/h"), false).is_err());
        assert!(validate(&req("http://127.0.0.1:8766/h"), false).is_err());
        assert!(validate(&req("http://127.0.0.1:8766/h"), true).is_ok());
        assert!(validate(&req("http://localhost/h"), true).is_ok());
        assert!(validate(&req("http://a.example/h"), true).is_err());
        let long = format!("https://a.example/{}", "x".repeat(240));
        assert!(validate(&req(&long), false).is_err());
        let mut r = req("https://a.example/h");
        r.events.clear();
        assert!(validate(&r, false).is_err());
        let mut r = req("https://a.example/h");
        r.headers.insert("Authorization".into(), "x".into());
        assert!(validate(&r, true).is_err());
    }
}

#[cfg(test)]
mod request_tests {
    use super::*;

    #[test]
    fn no_event_named_means_every_order_event() {
        let all = order_request(" https://x.example/w ", &[" ".into()], BTreeMap::new());
        let all = all.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.url, "https://x.example/w");
        assert_eq!(all.events, EventType::ORDER_EVENTS.to_vec());
        assert_eq!(order_event_names().len(), EventType::ORDER_EVENTS.len());
        assert_eq!(order_event_names()[0], "order_approved");
        let one = order_request(
            "https://x.example/w",
            &["order_captured".into()],
            BTreeMap::new(),
        );
        assert_eq!(
            one.ok().map(|r| r.events),
            Some(vec![EventType::OrderCaptured])
        );
        let bad = order_request(
            "https://x.example/w",
            &["order_eaten".into()],
            BTreeMap::new(),
        );
        assert_eq!(
            bad.map_err(|e| e.code()).err(),
            Some(crate::ErrorCode::InvalidInput)
        );
    }
}
