//! Webhook registrations at Tamara (reference §6): register, confirm, list, show, update,
//! delete — keeping the local record in `webhook_registrations` in step.
//!
//! A registration is confirmed by reading its id back (`GET /webhooks/{id}`, the documented
//! way). No source documents a listing path (reference §6.6): one is used only where it is
//! configured (`MIZAN_<ENV>_WEBHOOK_LIST_PATH`) and answers.
//!
//! Invariants: a request is validated as Tamara would (HTTPS, ≤ 255 characters, at least one
//! event) before anything is sent; plain `http://` is accepted only for loopback hosts and only
//! when the caller asks (local receivers); the id Tamara returned is recorded before anything
//! else can fail, so a failed confirmation never loses a webhook, and a URL Tamara already has
//! (`webhook_already_registered`) is adopted, never registered twice; header values are stored
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

/// An event name Tamara does not send, as [`parse_events`] refuses it (trimmed). Each caller
/// words its own refusal (a usage error in the CLI, `invalid_input` elsewhere).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown webhook event {0:?}")]
pub struct UnknownEvent(pub String);

/// The order events named in `events` (blanks skipped, surrounding spaces ignored).
///
/// # Errors
/// [`UnknownEvent`] naming the first name Tamara does not send.
pub fn parse_events(events: &[String]) -> std::result::Result<Vec<EventType>, UnknownEvent> {
    let mut parsed = Vec::with_capacity(events.len());
    for name in events.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        match EventType::parse(name) {
            EventType::Other(unknown) => return Err(UnknownEvent(unknown)),
            known => parsed.push(known),
        }
    }
    Ok(parsed)
}

/// An order webhook for `url` on `events` (every order event when none is named), or a
/// dispute webhook when every named event is a dispute event (reference §6.1: the two types
/// are registered apart).
///
/// # Errors
/// [`Error::Invalid`] naming an event Tamara does not send, or mixing the two types.
pub fn order_request(
    url: &str,
    events: &[String],
    headers: BTreeMap<String, String>,
) -> Result<WebhookRequest> {
    let named = parse_events(events).map_err(|e| Error::Invalid(e.to_string()))?;
    let disputes = named.iter().filter(|e| e.is_dispute()).count();
    if disputes > 0 && disputes < named.len() {
        return Err(Error::Invalid(
            "order and dispute events are registered as two webhooks (type order, type dispute)"
                .into(),
        ));
    }
    Ok(WebhookRequest {
        kind: Some(if disputes > 0 {
            WebhookType::Dispute
        } else {
            WebhookType::Order
        }),
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
    /// Tamara already had this URL (`webhook_already_registered`): its existing webhook was
    /// recorded instead of a new one.
    pub adopted: bool,
}

/// A webhook as Tamara lists it, merged with what the console recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct ListedWebhook {
    pub webhook_id: String,
    /// Tamara's view; None when Tamara no longer knows it (or could not be asked).
    pub remote: Option<Webhook>,
    pub local: Option<WebhookRegistration>,
}

/// The local record of `webhook_id` as `req` asked for it (Tamara's answers echo no `type`).
fn record(
    env: crate::Environment,
    webhook_id: &str,
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
        webhook_id: webhook_id.to_owned(),
        // A secret in the URL (a shop's own check) stays at Tamara, not in our database.
        url: tamara::sensitive::mask_url(&req.url),
        events_json: serde_json::to_string(&events).unwrap_or_else(|_| "[]".into()),
        headers_json: serde_json::to_string(&headers).unwrap_or_else(|_| "{}".into()),
        webhook_type: req
            .kind
            .as_ref()
            .map_or_else(|| "order".into(), |k| k.as_str().to_owned()),
        created_at: now,
        confirmed_at: None,
        confirmed_by: None,
        deleted_at: None,
    }
}

/// Asks Tamara to show `webhook_id` back: by id; when that read fails (other than "not
/// found") and a listing path is configured, by listing. `Ok(None)` when Tamara does not know
/// it.
pub async fn confirm(
    gateway: &Gateway,
    list_path: Option<&str>,
    webhook_id: &str,
) -> Result<Option<ConfirmedBy>> {
    let by_id = match gateway.get_webhook(webhook_id).await {
        Ok(w) => return Ok((w.value.webhook_id == webhook_id).then_some(ConfirmedBy::Get)),
        Err(e) if is_status(&e, 404) => return Ok(None),
        Err(e) => e,
    };
    let Some(path) = list_path else {
        return Err(by_id.into());
    };
    match gateway.list_webhooks(path).await {
        Ok(all) => Ok(all
            .value
            .iter()
            .any(|w| w.webhook_id == webhook_id)
            .then_some(ConfirmedBy::Listing)),
        Err(_) => Err(by_id.into()),
    }
}

fn is_status(e: &GatewayError, status: u16) -> bool {
    e.api().and_then(ApiError::status) == Some(status)
}

/// The id of the webhook Tamara already has for this URL, when it refused a registration as
/// `webhook_already_registered` (the official WooCommerce plugin reads it the same way).
fn already_registered(e: &GatewayError) -> Option<String> {
    let Some(ApiError::Http { body, .. }) = e.api() else {
        return None;
    };
    body.get("errors")?
        .as_array()?
        .iter()
        .filter(|err| err.get("error_code").and_then(|c| c.as_str()) == Some(ALREADY_REGISTERED))
        .find_map(|err| err.pointer("/data/webhook_id")?.as_str().map(str::to_owned))
}

const ALREADY_REGISTERED: &str = "webhook_already_registered";

/// The id in an answer whose shape the client could not read: Tamara created the webhook,
/// so its id must be kept even if the rest of the answer is not understood.
fn id_in_unreadable_answer(e: &GatewayError) -> Option<String> {
    let Some(ApiError::Decode { body, .. }) = e.api() else {
        return None;
    };
    body.get("webhook_id")?.as_str().map(str::to_owned)
}

/// Validates, registers (or adopts the webhook Tamara already has for the URL), records, then
/// confirms a webhook.
pub async fn register(
    console: &Context,
    req: &WebhookRequest,
    allow_http_loopback: bool,
) -> Result<Registered> {
    validate(req, allow_http_loopback)?;
    let gateway = console.gateway()?;
    let (webhook_id, adopted) = match gateway.register_webhook(req).await {
        Ok(created) => (created.value.webhook_id, false),
        Err(e) => match (already_registered(&e), id_in_unreadable_answer(&e)) {
            (Some(id), _) => (id, true),
            (None, Some(id)) => {
                tracing::warn!(webhook_id = %id, error = %e,
                    "Tamara's answer to a registration was not understood; keeping its id");
                (id, false)
            }
            (None, None) => return Err(e.into()),
        },
    };
    let env = console.environment();
    let mut reg = record(env, &webhook_id, req, console.now());
    if adopted && let Some(old) = registrations::get(console.store(), env, &webhook_id).await? {
        reg.created_at = old.created_at;
    }
    registrations::upsert(console.store(), &reg).await?;
    let list_path = console.config().active().webhook_list_path.as_deref();
    let confirmed_by = match confirm(&gateway, list_path, &webhook_id).await {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(webhook_id = %webhook_id, error = %e, "registered, not confirmed");
            None
        }
    };
    if let Some(by) = confirmed_by {
        let at = console.now();
        registrations::mark_confirmed(console.store(), env, &webhook_id, by, at).await?;
        reg.confirmed_at = Some(at);
        reg.confirmed_by = Some(by);
    }
    Ok(Registered {
        registration: reg,
        confirmed_by,
        adopted,
    })
}

/// Tamara's webhooks merged with the local records: from the configured listing when one
/// answers, else each locally recorded (not deleted) registration read by id.
pub async fn list(console: &Context) -> Result<Vec<ListedWebhook>> {
    let env = console.environment();
    let gateway = console.gateway()?;
    let local = registrations::list(console.store(), env, false).await?;
    let listed = match console.config().active().webhook_list_path.as_deref() {
        None => None,
        Some(path) => match gateway.list_webhooks(path).await {
            Ok(all) => Some(all.value),
            Err(e) if is_status(&e, 404) || is_status(&e, 405) => None,
            Err(e) => return Err(e.into()),
        },
    };
    let mut out: Vec<ListedWebhook> = Vec::new();
    let Some(all) = listed else {
        for r in local {
            let remote = match gateway.get_webhook(&r.webhook_id).await {
                Ok(w) => Some(masked(w.value)),
                Err(e) if is_status(&e, 404) => None,
                Err(e) => return Err(e.into()),
            };
            out.push(ListedWebhook {
                webhook_id: r.webhook_id.clone(),
                remote,
                local: Some(r),
            });
        }
        return Ok(out);
    };
    for w in all {
        let l = local.iter().find(|r| r.webhook_id == w.webhook_id).cloned();
        out.push(ListedWebhook {
            webhook_id: w.webhook_id.clone(),
            remote: Some(masked(w)),
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
    Ok(out)
}

/// Tamara's record as hosts may show it: secrets in its URL and custom headers masked, as the
/// local record stores them.
fn masked(mut w: Webhook) -> Webhook {
    if let Some(url) = &w.url {
        w.url = Some(tamara::sensitive::mask_url(url));
    }
    for value in w.headers.values_mut() {
        *value = mask_secret(value);
    }
    w
}

/// One webhook from Tamara, with the local record if any.
pub async fn show(console: &Context, webhook_id: &str) -> Result<ListedWebhook> {
    let gateway = console.gateway()?;
    let remote = masked(gateway.get_webhook(webhook_id).await?.value);
    let local = registrations::get(console.store(), console.environment(), webhook_id).await?;
    Ok(ListedWebhook {
        webhook_id: webhook_id.to_owned(),
        remote: Some(remote),
        local,
    })
}

/// Replaces url, events and headers of a webhook at Tamara, and the local record — with the
/// headers Tamara answers it holds, when it names them: the request always states the full
/// set (`{}` when none), but whether Tamara applies an empty set is unknown (reference §6.3,
/// §16.19), so its answer is what is recorded.
pub async fn update(
    console: &Context,
    webhook_id: &str,
    req: &WebhookRequest,
    allow_http_loopback: bool,
) -> Result<WebhookRegistration> {
    validate(req, allow_http_loopback)?;
    let env = console.environment();
    let answer = console.gateway()?.update_webhook(webhook_id, req).await?;
    let mut reg = record(env, webhook_id, req, console.now());
    if answer.raw.get("headers").is_some() && answer.value.headers != req.headers {
        tracing::warn!(
            webhook_id,
            "Tamara holds other custom headers than the update sent"
        );
        let held = WebhookRequest {
            headers: answer.value.headers.clone(),
            ..req.clone()
        };
        reg.headers_json = record(env, webhook_id, &held, console.now()).headers_json;
    }
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
        r.headers
            .insert("authorization".into(), "12344-1231-abcd".into());
        assert!(validate(&r, false).is_ok(), "Tamara's own example header");
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
            bad.map_err(|e| (e.code(), e.to_string())).err(),
            Some((
                crate::ErrorCode::InvalidInput,
                r#"invalid input: unknown webhook event "order_eaten""#.to_owned()
            ))
        );
    }

    #[test]
    fn dispute_events_make_a_dispute_webhook_and_never_share_one_with_order_events() {
        let names: Vec<String> = ["OrderDisputeWasUpdated", "OrderDisputeClosedClaimCancelled"]
            .map(String::from)
            .to_vec();
        let r = order_request("https://x.example/w", &names, BTreeMap::new());
        assert_eq!(r.ok().and_then(|r| r.kind), Some(WebhookType::Dispute));
        let mixed = ["order_captured".into(), "OrderDisputeWasUpdated".into()];
        let e = order_request("https://x.example/w", &mixed, BTreeMap::new()).err();
        assert_eq!(e.map(|e| e.code()), Some(crate::ErrorCode::InvalidInput));
    }

    #[test]
    fn an_unknown_event_is_named_trimmed() {
        let names = ["order_approved".into(), " order_eaten ".into()];
        let e = parse_events(&names).err();
        assert_eq!(e, Some(UnknownEvent("order_eaten".into())));
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some(r#"unknown webhook event "order_eaten""#)
        );
        let known = parse_events(&["order_declined".into(), "".into()]);
        assert_eq!(known, Ok(vec![EventType::OrderDeclined]));
    }
}
