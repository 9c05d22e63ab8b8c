//! The HTTP client for Tamara's merchant API.
//!
//! Owns: base URL per environment (overridable), bearer authentication, connect and total
//! timeouts, and turning every answer into a typed value plus its raw JSON, or an [`ApiError`].
//! Invariants: never retries (retry policy belongs to the caller, which knows whether a call is
//! idempotent); never logs or returns the API token; path segments are percent-encoded.

use std::time::Duration;

use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{ApiError, TimeoutPhase};
use crate::model::WithRaw;
use crate::model::checkout::{
    CheckoutRequest, CheckoutResponse, IdVerificationStatus, PaymentOptionsPreCheckRequest,
    PaymentOptionsPreCheckResponse, PaymentTypeOption,
};
use crate::model::order::{MessageResponse, OrderDetails, UpdateReferenceRequest};
use crate::model::payments::*;
use crate::model::webhooks::{Webhook, WebhookRequest};
use crate::money::Money;
use crate::sensitive::Sensitive;

mod disputes;
mod in_store;

pub use disputes::comment_form;

pub const SANDBOX_BASE_URL: &str = "https://api-sandbox.tamara.co";
pub const PRODUCTION_BASE_URL: &str = "https://api.tamara.co";

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub api_token: Sensitive<String>,
    pub connect_timeout: Duration,
    pub total_timeout: Duration,
}

impl ClientConfig {
    /// Defaults: 5 s to connect, 30 s in total (the Magento plugin and the docs' SDK use 30 s).
    pub fn new(base_url: impl Into<String>, api_token: Sensitive<String>) -> Self {
        ClientConfig {
            base_url: base_url.into(),
            api_token,
            connect_timeout: Duration::from_secs(5),
            total_timeout: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TamaraClient {
    http: reqwest::Client,
    base: Url,
    token: Sensitive<String>,
    config: ClientConfig,
}

/// Which of the two live order-detail paths to read (§5.8a; both are used publicly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderPath {
    /// `GET /orders/{id}` (the current API reference).
    Orders,
    /// `GET /merchants/orders/{id}` (the official PHP SDK).
    MerchantsOrders,
}

impl TamaraClient {
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        let mut base = Url::parse(&config.base_url)
            .map_err(|_| ApiError::InvalidBaseUrl(config.base_url.clone()))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(ApiError::InvalidBaseUrl(config.base_url.clone()));
        }
        // A base with a path prefix (a proxy) keeps it: join segments after it.
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.total_timeout)
            .user_agent(concat!("mizan/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        Ok(TamaraClient {
            http,
            base,
            token: config.api_token.clone(),
            config,
        })
    }

    pub fn base_url(&self) -> &str {
        self.base.as_str()
    }

    pub async fn create_checkout(
        &self,
        req: &CheckoutRequest,
    ) -> Result<WithRaw<CheckoutResponse>, ApiError> {
        self.call(Method::POST, &["checkout"], &[], Some(req)).await
    }

    /// `GET /checkout/payment-types?country=..[&currency=..][&order_value=..][&phone=..]`.
    pub async fn payment_types(
        &self,
        country: &str,
        order_value: Option<&Money>,
        phone: Option<&str>,
    ) -> Result<WithRaw<Vec<PaymentTypeOption>>, ApiError> {
        let mut q = vec![("country", country.to_owned())];
        if let Some(v) = order_value {
            q.push(("currency", v.currency().code().to_owned()));
            q.push(("order_value", v.amount_text()));
        }
        if let Some(p) = phone {
            q.push(("phone", p.to_owned()));
        }
        self.call::<(), _>(Method::GET, &["checkout", "payment-types"], &q, None)
            .await
    }

    /// `POST /checkout/payment-options-pre-check`: whether Tamara would offer this customer
    /// anything for this amount, before a checkout is created.
    pub async fn payment_options_pre_check(
        &self,
        req: &PaymentOptionsPreCheckRequest,
    ) -> Result<WithRaw<PaymentOptionsPreCheckResponse>, ApiError> {
        let segments = ["checkout", "payment-options-pre-check"];
        self.call(Method::POST, &segments, &[], Some(req)).await
    }

    /// `GET /merchants/customer/id-verification-status?phone_number=..&country_code=..`.
    pub async fn id_verification_status(
        &self,
        phone_number: &str,
        country_code: &str,
    ) -> Result<WithRaw<IdVerificationStatus>, ApiError> {
        let segments = ["merchants", "customer", "id-verification-status"];
        let q = [
            ("phone_number", phone_number.to_owned()),
            ("country_code", country_code.to_owned()),
        ];
        self.call::<(), _>(Method::GET, &segments, &q, None).await
    }

    pub async fn authorise(&self, order_id: &str) -> Result<WithRaw<AuthoriseResponse>, ApiError> {
        let body = authorise_body(order_id);
        self.call(
            Method::POST,
            &["orders", order_id, "authorise"],
            &[],
            Some(&body),
        )
        .await
    }

    pub async fn capture(
        &self,
        req: &CaptureRequest,
    ) -> Result<WithRaw<CaptureResponse>, ApiError> {
        self.call(Method::POST, &["payments", "capture"], &[], Some(req))
            .await
    }

    pub async fn cancel(
        &self,
        order_id: &str,
        req: &CancelRequest,
    ) -> Result<WithRaw<CancelResponse>, ApiError> {
        self.call(
            Method::POST,
            &["orders", order_id, "cancel"],
            &[],
            Some(req),
        )
        .await
    }

    pub async fn simplified_refund(
        &self,
        order_id: &str,
        req: &SimplifiedRefundRequest,
    ) -> Result<WithRaw<SimplifiedRefundResponse>, ApiError> {
        self.call(
            Method::POST,
            &["payments", "simplified-refund", order_id],
            &[],
            Some(req),
        )
        .await
    }

    pub async fn legacy_refund(
        &self,
        req: &LegacyRefundRequest,
    ) -> Result<WithRaw<LegacyRefundResponse>, ApiError> {
        self.call(Method::POST, &["payments", "refund"], &[], Some(req))
            .await
    }

    pub async fn order(
        &self,
        order_id: &str,
        path: OrderPath,
    ) -> Result<WithRaw<OrderDetails>, ApiError> {
        let segments: &[&str] = match path {
            OrderPath::Orders => &["orders", order_id],
            OrderPath::MerchantsOrders => &["merchants", "orders", order_id],
        };
        order_from(self.call::<(), _>(Method::GET, segments, &[], None).await?)
    }

    pub async fn order_by_reference(
        &self,
        order_reference_id: &str,
    ) -> Result<WithRaw<OrderDetails>, ApiError> {
        let segments = ["merchants", "orders", "reference-id", order_reference_id];
        order_from(
            self.call::<(), _>(Method::GET, &segments, &[], None)
                .await?,
        )
    }

    pub async fn update_reference(
        &self,
        order_id: &str,
        req: &UpdateReferenceRequest,
    ) -> Result<WithRaw<MessageResponse>, ApiError> {
        self.call(
            Method::PUT,
            &["orders", order_id, "reference-id"],
            &[],
            Some(req),
        )
        .await
    }

    pub async fn register_webhook(
        &self,
        req: &WebhookRequest,
    ) -> Result<WithRaw<Webhook>, ApiError> {
        self.call(Method::POST, &["webhooks"], &[], Some(req)).await
    }

    /// `GET {path}`: a list of every webhook. No Tamara source documents a listing path
    /// (reference §6.6), so callers use one only where configured and fall back to
    /// [`TamaraClient::get_webhook`] when it answers 404 or 405.
    pub async fn list_webhooks(&self, path: &str) -> Result<WithRaw<Vec<Webhook>>, ApiError> {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.call::<(), _>(Method::GET, &segments, &[], None).await
    }

    pub async fn get_webhook(&self, webhook_id: &str) -> Result<WithRaw<Webhook>, ApiError> {
        self.call::<(), _>(Method::GET, &["webhooks", webhook_id], &[], None)
            .await
    }

    pub async fn update_webhook(
        &self,
        webhook_id: &str,
        req: &WebhookRequest,
    ) -> Result<WithRaw<Webhook>, ApiError> {
        self.call(Method::PUT, &["webhooks", webhook_id], &[], Some(req))
            .await
    }

    /// Success is any 2xx; the body (if any) is not meaningful.
    pub async fn delete_webhook(&self, webhook_id: &str) -> Result<serde_json::Value, ApiError> {
        let (status, raw) = self
            .send::<()>(Method::DELETE, &["webhooks", webhook_id], &[], &[], None)
            .await?;
        self.interpret::<serde_json::Value>(status, raw)
            .map(|r| r.raw)
    }

    fn url(&self, segments: &[&str], query: &[(&str, String)]) -> Result<Url, ApiError> {
        let mut url = self.base.clone();
        {
            let mut path = url
                .path_segments_mut()
                .map_err(|_| ApiError::InvalidBaseUrl(self.config.base_url.clone()))?;
            path.pop_if_empty();
            for s in segments {
                path.push(s);
            }
        }
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&B>,
    ) -> Result<WithRaw<T>, ApiError> {
        self.call_with_headers(method, segments, query, &[], body)
            .await
    }

    /// [`Self::call`] with headers of the operation's own (`X-Device-Id`).
    async fn call_with_headers<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        headers: &[(&'static str, HeaderValue)],
        body: Option<&B>,
    ) -> Result<WithRaw<T>, ApiError> {
        let (status, raw) = self.send(method, segments, query, headers, body).await?;
        self.interpret(status, raw)
    }

    async fn send<B: Serialize>(
        &self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        headers: &[(&'static str, HeaderValue)],
        body: Option<&B>,
    ) -> Result<(StatusCode, RawAnswer), ApiError> {
        let url = self.url(segments, query)?;
        let host = url.host_str().unwrap_or("").to_owned();
        // Official clients send Content-Type: application/json on every call, GET included.
        let mut req = self
            .http
            .request(method, url)
            .bearer_auth(self.token.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        for (name, value) in headers {
            req = req.header(*name, value.clone());
        }
        if let Some(b) = body {
            let bytes = serde_json::to_vec(b).map_err(|e| ApiError::Encode(e.to_string()))?;
            req = req.body(bytes);
        }
        self.answer(req, &host).await
    }

    /// Sends `req` and reads its status, content type and whole body.
    async fn answer(
        &self,
        req: reqwest::RequestBuilder,
        host: &str,
    ) -> Result<(StatusCode, RawAnswer), ApiError> {
        let resp = req
            .send()
            .await
            .map_err(|e| self.transport_error(&e, host))?;
        let status = resp.status();
        let content_type = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("none")
            .to_owned();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| self.transport_error(&e, host))?;
        Ok((
            status,
            RawAnswer {
                content_type,
                retry_after,
                bytes: bytes.to_vec(),
            },
        ))
    }

    fn transport_error(&self, e: &reqwest::Error, host: &str) -> ApiError {
        if e.is_timeout() {
            let phase = if e.is_connect() {
                TimeoutPhase::Connect
            } else {
                TimeoutPhase::Total
            };
            let after = match phase {
                TimeoutPhase::Connect => self.config.connect_timeout,
                TimeoutPhase::Total => self.config.total_timeout,
            };
            ApiError::Timeout { after, phase }
        } else if e.is_connect() {
            ApiError::Connect {
                host: host.to_owned(),
                reason: root_cause(e),
            }
        } else {
            ApiError::Transport(root_cause(e))
        }
    }

    fn interpret<T: DeserializeOwned>(
        &self,
        status: StatusCode,
        raw: RawAnswer,
    ) -> Result<WithRaw<T>, ApiError> {
        let code = status.as_u16();
        // A 429 is the same refusal whatever page carries it (a proxy's HTML included).
        if code == 429 {
            return Err(ApiError::RateLimited {
                retry_after: raw.retry_after,
                body: serde_json::from_slice(&raw.bytes).unwrap_or(serde_json::Value::Null),
            });
        }
        let value: serde_json::Value = if raw.bytes.iter().all(u8::is_ascii_whitespace) {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(&raw.bytes).map_err(|_| ApiError::NotJson {
                status: code,
                content_type: raw.content_type.clone(),
                snippet: snippet(&raw.bytes),
            })?
        };
        if !status.is_success() {
            return Err(ApiError::http(code, value));
        }
        let typed = serde_json::from_value::<T>(value.clone()).map_err(|e| ApiError::Decode {
            status: code,
            reason: e.to_string(),
            body: value.clone(),
        })?;
        Ok(WithRaw {
            value: typed,
            raw: value,
        })
    }
}

/// Order details read leniently ([`OrderDetails::from_json`]): an odd value in a field Mizan
/// does not compute with is flagged, not fatal.
fn order_from(raw: WithRaw<serde_json::Value>) -> Result<WithRaw<OrderDetails>, ApiError> {
    match OrderDetails::from_json(&raw.raw) {
        Ok(value) => Ok(WithRaw {
            value,
            raw: raw.raw,
        }),
        Err(e) => Err(ApiError::Decode {
            status: 200,
            reason: e.to_string(),
            body: raw.raw,
        }),
    }
}

/// The body [`TamaraClient::authorise`] sends (a dry run shows it). The PHP SDK sends the id in
/// the body too; harmless and most faithful.
pub fn authorise_body(order_id: &str) -> serde_json::Value {
    serde_json::json!({ "order_id": order_id })
}

struct RawAnswer {
    content_type: String,
    /// `Retry-After` in seconds (the HTTP-date form is not read: a 429 without a usable
    /// value falls back to the caller's own back-off).
    retry_after: Option<Duration>,
    bytes: Vec<u8>,
}

/// The innermost cause, which is the readable part ("connection refused").
fn root_cause(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

/// A short, single-line view of a non-JSON body: its HTML `<title>` if any, else its start.
fn snippet(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let lower = text.to_ascii_lowercase();
    if let (Some(a), Some(b)) = (lower.find("<title>"), lower.find("</title>"))
        && b > a + 7
    {
        return format!("title {:?}", text[a + 7..b].trim());
    }
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    flat.chars().take(160).collect()
}
