//! A console's side of the team API (`mizan --server URL …`): signed-in calls to a team server,
//! its answers as JSON, its refusals as their stable codes.
//!
//! Invariants: the personal token travels only in the `Authorization` header, over HTTPS unless
//! the server is on loopback, and appears in no error or log; a server's refusal keeps the code
//! the server gave (`team_forbidden`, `approval_self_decision`, …), so scripts see the same
//! codes locally and remotely. The Tamara tokens never come this way: the server holds them.

use std::path::Path;

use serde_json::Value;

use crate::ErrorCode;
use crate::desktop::detail::MoveInput;
use crate::desktop::orders::OrdersQuery;
use tamara::Sensitive;

/// Why a call to the team server failed.
#[derive(Debug, thiserror::Error)]
pub enum TeamClientError {
    /// The address is not usable (not http(s), or plain HTTP to another machine).
    #[error("team server address {0}")]
    BadAddress(String),
    /// The CA file given for the server could not be used.
    #[error("team server CA file {path}: {reason}")]
    BadCa { path: String, reason: String },
    /// No answer (connection refused, TLS failed, timed out).
    #[error("the team server at {server} did not answer: {reason}")]
    Unreachable { server: String, reason: String },
    /// The server refused, with its code.
    #[error("{message}")]
    Refused { code: ErrorCode, message: String },
    /// An answer that is not the team API's JSON.
    #[error("the team server's answer was not understood: {0}")]
    NotUnderstood(String),
}

impl TeamClientError {
    /// The stable code (the server's own for a refusal).
    pub fn code(&self) -> ErrorCode {
        match self {
            TeamClientError::BadAddress(_) | TeamClientError::BadCa { .. } => {
                ErrorCode::ConfigInvalid
            }
            TeamClientError::Unreachable { .. } => ErrorCode::GatewayUnreachable,
            TeamClientError::Refused { code, .. } => *code,
            TeamClientError::NotUnderstood(_) => ErrorCode::GatewayUnexpectedShape,
        }
    }
}

/// A signed-in connection to one team server.
#[derive(Debug)]
pub struct TeamClient {
    base: String,
    token: Sensitive<String>,
    http: reqwest::Client,
}

impl TeamClient {
    /// A client for `server` (`https://host:port`, or `http://` on loopback) with `token`;
    /// `ca`: a PEM file to trust besides the system's roots (a self-signed deployment).
    ///
    /// # Errors
    /// [`TeamClientError::BadAddress`], [`TeamClientError::BadCa`].
    pub fn new(
        server: &str,
        token: Sensitive<String>,
        ca: Option<&Path>,
    ) -> Result<TeamClient, TeamClientError> {
        let server = server.trim().trim_end_matches('/');
        let url = url::Url::parse(server)
            .map_err(|e| TeamClientError::BadAddress(format!("{server}: {e}")))?;
        let loopback = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(d)) => d == "localhost",
            None => false,
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => {
                return Err(TeamClientError::BadAddress(format!(
                    "{server}: plain HTTP would send your token in the clear; use https://"
                )));
            }
            other => {
                return Err(TeamClientError::BadAddress(format!(
                    "{server}: {other} is not http(s)"
                )));
            }
        }
        let mut builder = reqwest::Client::builder().timeout(std::time::Duration::from_secs(60));
        if let Some(path) = ca {
            let bad = |reason: String| TeamClientError::BadCa {
                path: path.display().to_string(),
                reason,
            };
            let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
            let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| bad(e.to_string()))?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder
            .build()
            .map_err(|e| TeamClientError::BadAddress(e.to_string()))?;
        Ok(TeamClient {
            base: format!("{server}/api/v1"),
            token,
            http,
        })
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, TeamClientError> {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(self.token.expose());
        if let Some(b) = body {
            req = req.json(b);
        }
        let response = req.send().await.map_err(|e| TeamClientError::Unreachable {
            server: self.base.trim_end_matches("/api/v1").to_owned(),
            // reqwest's error names the URL, never the header.
            reason: e.to_string(),
        })?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| TeamClientError::NotUnderstood(e.to_string()))?;
        let json: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .map_err(|_| TeamClientError::NotUnderstood(format!("HTTP {status}")))?
        };
        if status.is_success() {
            return Ok(json);
        }
        let code = serde_json::from_value::<ErrorCode>(json["error"]["code"].clone())
            .map_err(|_| TeamClientError::NotUnderstood(format!("HTTP {status}")))?;
        let message = json["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        Err(TeamClientError::Refused { code, message })
    }

    /// Who the token belongs to, and what they may do.
    ///
    /// # Errors
    /// As every call: unreachable, refused (e.g. `team_unauthenticated`), not understood.
    pub async fn me(&self) -> Result<Value, TeamClientError> {
        self.call(reqwest::Method::GET, "/me", None).await
    }

    /// A page of the team's orders.
    ///
    /// # Errors
    /// As [`TeamClient::me`].
    pub async fn orders_page(&self, q: &OrdersQuery) -> Result<Value, TeamClientError> {
        let body =
            serde_json::to_value(q).map_err(|e| TeamClientError::NotUnderstood(e.to_string()))?;
        self.call(reqwest::Method::POST, "/orders/page", Some(&body))
            .await
    }

    /// One order with its amounts, items and timeline.
    ///
    /// # Errors
    /// As [`TeamClient::me`].
    pub async fn order(&self, id: &str) -> Result<Value, TeamClientError> {
        let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
        self.call(reqwest::Method::GET, &format!("/orders/{id}"), None)
            .await
    }

    /// A money move: done (`"status": "done"`) or queued for a second person
    /// (`"awaiting_approval"`).
    ///
    /// # Errors
    /// As [`TeamClient::me`].
    pub async fn move_money(
        &self,
        input: &MoveInput,
        confirm: Option<&str>,
    ) -> Result<Value, TeamClientError> {
        let body = serde_json::json!({ "input": input, "confirm": confirm });
        self.call(reqwest::Method::POST, "/moves", Some(&body))
            .await
    }

    /// The approval queue.
    ///
    /// # Errors
    /// As [`TeamClient::me`].
    pub async fn approvals(&self) -> Result<Value, TeamClientError> {
        self.call(reqwest::Method::GET, "/approvals", None).await
    }

    /// Approves (`yes`) or rejects request `id`.
    ///
    /// # Errors
    /// As [`TeamClient::me`].
    pub async fn decide(&self, id: i64, yes: bool) -> Result<Value, TeamClientError> {
        let verb = if yes { "approve" } else { "reject" };
        self.call(
            reqwest::Method::POST,
            &format!("/approvals/{id}/{verb}"),
            None,
        )
        .await
    }
}
