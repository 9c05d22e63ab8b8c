//! `mizan webhooks test`: the answer to "the webhook never reaches my server".
//!
//! Owns the end-to-end self-test: a synthetic notification for a marker order id is signed
//! with the environment's notification token exactly as Tamara signs (token in the query and
//! the `Authorization` header), POSTed to the public URL, and then looked up in this console's
//! inbox. The report says whether it came back through the receiver, and if not, the most
//! likely reason, from what the HTTP exchange and the inbox show.
//!
//! Invariants: the marker order id starts with [`SELF_TEST_ORDER_PREFIX`], which the processor
//! skips (no API call, no money, no cache change); redirects are not followed (Tamara's
//! deliveries do not follow them either, so a redirect is a finding); the token never appears
//! in the report.

use std::time::Duration;

use serde::Serialize;
use serde_json::json;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::store::deliveries::{self, DeliveryFilter, DeliveryVerdict, WebhookDelivery};
use crate::store::registrations;
use crate::store::settings::{self, SettingScope};

/// Order ids of self-test notifications start with this; the processor skips them.
pub const SELF_TEST_ORDER_PREFIX: &str = "mizan-selftest-";

/// Setting (per environment): the public URL Tamara should reach, for the self-test.
pub const PUBLIC_URL_SETTING: &str = "receiver.public_url";

/// How long the self-test waits for an answer.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// What the self-test found.
#[derive(Debug, Clone, Serialize)]
pub struct SelfTestReport {
    pub url: String,
    /// Where the URL came from: `--url`, `setting` or `registration`.
    pub url_source: String,
    pub marker_order_id: String,
    pub http_status: Option<u16>,
    pub transport_error: Option<String>,
    /// The delivery as this console's receiver stored it, if it came back.
    pub delivery_id: Option<i64>,
    pub delivery_verdict: Option<String>,
    pub delivery_reason: Option<String>,
    /// True only when the receiver stored it as verified and answered 200.
    pub passed: bool,
    /// Whether Tamara could deliver to the URL at all: https and not a local address. A test
    /// may pass on this machine while this is false.
    pub reachable_by_tamara: bool,
    /// One sentence: what happened.
    pub finding: String,
    /// What to check or do next (also warnings for a URL Tamara cannot use).
    pub hints: Vec<String>,
}

/// The URL to test: `explicit`, else the saved public URL, else the newest live registration.
///
/// # Errors
/// [`Error::Invalid`] when there is none; store errors.
pub async fn resolve_url(console: &Context, explicit: Option<&str>) -> Result<(String, String)> {
    if let Some(u) = explicit.map(str::trim).filter(|u| !u.is_empty()) {
        return Ok((u.to_owned(), "--url".into()));
    }
    let env = console.environment();
    let store = console.store();
    if let Some(u) = settings::get(store, SettingScope::Env(env), PUBLIC_URL_SETTING).await? {
        return Ok((u, "setting".into()));
    }
    let regs = registrations::list(store, env, false).await?;
    match regs.last() {
        Some(r) => Ok((r.url.clone(), "registration".into())),
        None => Err(Error::Invalid(format!(
            "no public URL to test in {env}: pass --url URL (add --save to remember it), \
             or register a webhook first"
        ))),
    }
}

/// As [`resolve_url`], falling back to the in-app receiver at `local_base`
/// (`http://127.0.0.1:PORT`) when nothing else names a URL.
///
/// # Errors
/// As [`resolve_url`] when there is no local receiver either.
pub async fn resolve_url_or_local(
    console: &Context,
    explicit: Option<&str>,
    local_base: Option<&str>,
) -> Result<(String, String)> {
    match (resolve_url(console, explicit).await, local_base) {
        (Err(Error::Invalid(_)), Some(base)) => Ok((
            format!("{base}{}", super::WEBHOOK_PATH),
            "in-app receiver".to_owned(),
        )),
        (found, _) => found,
    }
}

/// One line of the self-test's checklist: a step of the round trip and whether it held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Finding {
    /// `reachable`, `accepted`, `stored` or `verified`.
    pub code: &'static str,
    pub ok: bool,
    pub detail: String,
}

impl SelfTestReport {
    /// The round trip step by step: reached, answered 200, stored, verified.
    pub fn findings(&self) -> Vec<Finding> {
        let url = &self.url;
        let status = self.http_status.map(|s| s.to_string());
        vec![
            Finding {
                code: "reachable",
                ok: self.http_status.is_some(),
                detail: match (&status, &self.transport_error) {
                    (Some(s), _) => format!("{url} answered HTTP {s}"),
                    (None, Some(e)) => format!("{url} could not be reached: {e}"),
                    (None, None) => format!("{url} did not answer"),
                },
            },
            Finding {
                code: "accepted",
                ok: self.http_status == Some(200),
                detail: status.map_or_else(
                    || "no answer".to_owned(),
                    |s| format!("answered {s} (200 expected)"),
                ),
            },
            Finding {
                code: "stored",
                ok: self.delivery_id.is_some(),
                detail: self.delivery_id.map_or_else(
                    || "the test delivery is not in this console's inbox".to_owned(),
                    |id| format!("stored as delivery {id}"),
                ),
            },
            Finding {
                code: "verified",
                ok: self.delivery_verdict.as_deref() == Some("verified"),
                detail: match (&self.delivery_verdict, &self.delivery_reason) {
                    (Some(v), Some(why)) => format!("{v}: {why}"),
                    (Some(v), None) => v.clone(),
                    _ => "no verdict".to_owned(),
                },
            },
        ]
    }
}

/// Signs and sends a synthetic notification to `url`, then looks for it in the inbox.
///
/// # Errors
/// [`Error::NoNotificationToken`]; [`Error::Invalid`] for a URL that does not parse; store
/// errors. Network failures are findings in the report, not errors.
pub async fn run(console: &Context, url: &str, url_source: &str) -> Result<SelfTestReport> {
    let env = console.environment();
    let token = console
        .config()
        .active()
        .notification_token
        .clone()
        .ok_or(Error::NoNotificationToken { env })?;
    let parsed =
        reqwest::Url::parse(url).map_err(|e| Error::Invalid(format!("{url} is not a URL: {e}")))?;
    let marker = format!("{SELF_TEST_ORDER_PREFIX}{}", uuid::Uuid::new_v4());
    let jwt = tamara::notification::sign_token(&token, console.now().timestamp())
        .map_err(|e| Error::Invalid(format!("cannot sign a test token: {e}")))?;
    let body = json!({
        "order_id": marker,
        "order_reference_id": "mizan-selftest",
        "order_number": "mizan-selftest",
        "event_type": "order_approved",
        "data": [],
    });
    let mut target = parsed.clone();
    target.query_pairs_mut().append_pair("tamaraToken", &jwt);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(SEND_TIMEOUT)
        .user_agent("mizan-webhook-selftest")
        .build()
        .map_err(|e| Error::Invalid(format!("cannot build an HTTP client: {e}")))?;
    let sent = client
        .post(target)
        .bearer_auth(&jwt)
        .json(&body)
        .send()
        .await;
    let mut report = SelfTestReport {
        url: url.to_owned(),
        url_source: url_source.to_owned(),
        marker_order_id: marker.clone(),
        http_status: None,
        transport_error: None,
        delivery_id: None,
        delivery_verdict: None,
        delivery_reason: None,
        passed: false,
        reachable_by_tamara: parsed.scheme() == "https" && !is_local(&parsed),
        finding: String::new(),
        hints: url_hints(&parsed),
    };
    let (status, location, html) = match sent {
        Ok(resp) => {
            let status = resp.status().as_u16();
            let location = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let html = resp
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("html"));
            (Some(status), location, html)
        }
        Err(e) => {
            let text = error_chain(&e).replace(&jwt, "****");
            report.transport_error = Some(text.clone());
            report.finding = transport_finding(&e, &text, &parsed);
            (None, None, false)
        }
    };
    report.http_status = status;
    let stored = find_marker(console, &marker).await?;
    if let Some(d) = &stored {
        report.delivery_id = Some(d.id);
        report.delivery_verdict = Some(d.verdict.to_string());
        report.delivery_reason = d.reason.clone();
    }
    if let Some(status) = status {
        report.finding = http_finding(status, stored.as_ref(), location.as_deref(), html);
        report.passed = status == 200
            && stored
                .as_ref()
                .is_some_and(|d| d.verdict == DeliveryVerdict::Verified);
    }
    if !report.passed && stored.is_none() && status.is_some() {
        report.hints.push(format!(
            "this console keeps its inbox in {}; `mizan serve` must use the same data \
             directory and environment ({env}) for the test to see the delivery",
            console.config().data_dir.display()
        ));
    }
    if !registered(console, url).await? {
        report.hints.push(
            "no live webhook registered at Tamara points at this URL: run \
             `mizan webhooks register --url URL`"
                .into(),
        );
    }
    Ok(report)
}

async fn find_marker(console: &Context, marker: &str) -> Result<Option<WebhookDelivery>> {
    let filter = DeliveryFilter {
        environment: Some(console.environment()),
        order_id: Some(marker.to_owned()),
        ..DeliveryFilter::default()
    };
    // The receiver stores before it answers, so one look normally suffices; a second covers a
    // proxy that answered before its upstream finished.
    for attempt in 0..2 {
        if let Some(d) = deliveries::list(console.store(), &filter).await?.pop() {
            return Ok(Some(d));
        }
        if attempt == 0 {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
    Ok(None)
}

async fn registered(console: &Context, url: &str) -> Result<bool> {
    let regs = registrations::list(console.store(), console.environment(), false).await?;
    Ok(regs.iter().any(|r| r.url == url))
}

/// A host only this machine or its network can reach.
fn is_local(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_private(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".local"),
        None => false,
    }
}

fn url_hints(url: &reqwest::Url) -> Vec<String> {
    let mut hints = Vec::new();
    if url.scheme() != "https" {
        hints
            .push("Tamara delivers only to https:// URLs; http works for a local test only".into());
    }
    if url.as_str().len() > 255 {
        hints.push("Tamara accepts webhook URLs of at most 255 characters".into());
    }
    if is_local(url) {
        hints.push(
            "this host is reachable only from this machine or network: Tamara cannot deliver \
             there; expose the receiver (reverse proxy with TLS, or a tunnel) and test that URL"
                .into(),
        );
    }
    hints
}

fn http_finding(
    status: u16,
    stored: Option<&WebhookDelivery>,
    location: Option<&str>,
    html: bool,
) -> String {
    let proxy = if html {
        " The answer was an HTML page, which points at a proxy, firewall or hosting page."
    } else {
        ""
    };
    match (status, stored) {
        (200, Some(d)) if d.verdict == DeliveryVerdict::Verified => format!(
            "OK: the notification came back through this console's receiver as delivery {} \
             (verified, answered 200).",
            d.id
        ),
        (_, Some(d)) if d.verdict == DeliveryVerdict::Rejected => format!(
            "The receiver got it but refused the token ({}). `mizan serve` verifies with another \
             notification token or environment than this command signs with.",
            d.reason.as_deref().unwrap_or("no reason")
        ),
        (_, Some(d)) => format!(
            "The receiver stored it as delivery {} ({}) and answered {status}.",
            d.id, d.verdict
        ),
        (200..=299, None) => format!(
            "Something answered {status}, but it is not this console's receiver: no delivery was \
             stored here. The URL points at another server, or `mizan serve` runs with another \
             data directory or environment.{proxy}"
        ),
        (300..=399, None) => format!(
            "The URL redirects ({status}) to {}. Webhook deliveries do not follow redirects: \
             register the final https URL.",
            location.unwrap_or("an unnamed location")
        ),
        (401 | 403, None) => format!(
            "Refused ({status}) before reaching the receiver: a proxy, firewall or login in \
             front of it. Tamara sends no credentials except its token.{proxy}"
        ),
        (404, None) => format!(
            "Not found (404): the receiver listens on the path /webhooks/tamara; check the \
             URL's path and the proxy's routing.{proxy}"
        ),
        (405, None) => format!(
            "Method not allowed (405): that URL does not take POST; the path is probably \
             wrong (the receiver is at /webhooks/tamara).{proxy}"
        ),
        (502..=504, None) => format!(
            "A proxy answered {status}: it could not reach the receiver behind it. Is `mizan \
             serve` running, on the address the proxy forwards to?{proxy}"
        ),
        (_, None) => format!(
            "The server answered {status} and nothing was stored by this console's \
             receiver.{proxy}"
        ),
    }
}

fn transport_finding(e: &reqwest::Error, text: &str, url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    let port = url.port_or_known_default().unwrap_or(0);
    let lower = text.to_ascii_lowercase();
    if lower.contains("dns") || lower.contains("resolve") || lower.contains("lookup") {
        format!(
            "The host name {host} does not resolve (DNS). Check the spelling and the DNS record."
        )
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake")
    {
        format!(
            "The TLS handshake with {host} failed: a valid, publicly trusted certificate is \
             needed (not self-signed, matching the host name)."
        )
    } else if e.is_timeout() {
        format!(
            "No answer from {host}:{port} within {} s: a firewall is dropping packets, or the \
             server hangs.",
            SEND_TIMEOUT.as_secs()
        )
    } else if e.is_connect() {
        format!(
            "Nothing accepts connections at {host}:{port} (refused or unreachable). Is `mizan \
             serve` running there, and is the port open and forwarded?"
        )
    } else {
        format!("The request to {host}:{port} failed: {text}")
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

#[cfg(test)]
mod finding_tests {
    use super::*;

    fn report() -> SelfTestReport {
        SelfTestReport {
            url: "https://hooks.example.sa/w".into(),
            url_source: "setting".into(),
            marker_order_id: format!("{SELF_TEST_ORDER_PREFIX}1"),
            http_status: None,
            transport_error: Some("connection refused".into()),
            delivery_id: None,
            delivery_verdict: None,
            delivery_reason: None,
            passed: false,
            reachable_by_tamara: true,
            finding: String::new(),
            hints: vec![],
        }
    }

    #[test]
    fn findings_follow_the_round_trip() {
        let f = report().findings();
        let codes: Vec<_> = f.iter().map(|f| f.code).collect();
        assert_eq!(codes, ["reachable", "accepted", "stored", "verified"]);
        assert!(f.iter().all(|f| !f.ok));
        assert!(
            f[0].detail.contains("connection refused"),
            "{}",
            f[0].detail
        );
        let passed = SelfTestReport {
            http_status: Some(200),
            transport_error: None,
            delivery_id: Some(7),
            delivery_verdict: Some("verified".into()),
            passed: true,
            ..report()
        }
        .findings();
        assert!(passed.iter().all(|f| f.ok), "{passed:?}");
        assert_eq!(passed[2].detail, "stored as delivery 7");
    }
}
