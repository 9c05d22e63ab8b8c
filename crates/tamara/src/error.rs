//! Errors of a call to Tamara's API.
//!
//! Invariants: no variant ever contains the API token (reqwest errors carry the URL, which
//! holds no secret); an HTML or other non-JSON answer is reported as exactly that, because a
//! firewall or maintenance page is not Tamara speaking; [`ApiError::is_ambiguous`] tells a
//! caller whether a money move may have happened anyway.

use std::time::Duration;

use crate::model::ErrorBody;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("invalid Tamara base URL {0:?}")]
    InvalidBaseUrl(String),
    #[error("Tamara answered HTTP {status}: {}{}", message.as_deref().unwrap_or("no message"), codes_suffix(body))]
    Http {
        status: u16,
        message: Option<String>,
        error_codes: Vec<String>,
        body: serde_json::Value,
    },
    /// HTTP 429: Tamara (or what stands in front of it) is limiting the rate of calls. The
    /// request was refused, not handled. `retry_after` is the `Retry-After` header in seconds,
    /// when one was sent (Tamara documents no rate limit, so it may not be).
    #[error("Tamara is limiting the rate of calls (HTTP 429){}", retry_after_suffix(*retry_after))]
    RateLimited {
        retry_after: Option<Duration>,
        body: serde_json::Value,
    },
    #[error(
        "HTTP {status} with a non-JSON body ({content_type}) — probably a firewall, proxy or \
         maintenance page, not Tamara: {snippet}"
    )]
    NotJson {
        status: u16,
        content_type: String,
        snippet: String,
    },
    #[error("Tamara's answer (HTTP {status}) does not have the expected shape: {reason}")]
    Decode {
        status: u16,
        reason: String,
        body: serde_json::Value,
    },
    #[error("no answer within {after:?} ({phase} timeout)")]
    Timeout {
        after: Duration,
        phase: TimeoutPhase,
    },
    #[error("could not connect to {host}: {reason}")]
    Connect { host: String, reason: String },
    #[error("the request failed in transit: {0}")]
    Transport(String),
    #[error("could not encode the request: {0}")]
    Encode(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutPhase {
    Connect,
    Total,
}

impl std::fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Connect => "connect",
            TimeoutPhase::Total => "total",
        })
    }
}

/// ` [code (key: value, …), …]`: each code with the data Tamara gave for it (e.g. a refused
/// cancel's `old_state` and `new_state`), so the person reading the error learns why.
fn codes_suffix(body: &serde_json::Value) -> String {
    let parsed = crate::model::ErrorBody::from_json(body);
    let entries: Vec<String> = parsed
        .errors
        .iter()
        .filter_map(|e| {
            let code = e.error_code.as_deref()?;
            let details: Vec<String> = e
                .data
                .as_ref()
                .and_then(serde_json::Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, v)| match v {
                    serde_json::Value::String(s) => format!("{k}: {}", clip(s)),
                    other => format!("{k}: {}", clip(&other.to_string())),
                })
                .collect();
            Some(if details.is_empty() {
                code.to_owned()
            } else {
                format!("{code} ({})", details.join(", "))
            })
        })
        .collect();
    if entries.is_empty() {
        String::new()
    } else {
        format!(" [{}]", entries.join(", "))
    }
}

fn retry_after_suffix(after: Option<Duration>) -> String {
    after.map_or_else(String::new, |d| {
        format!("; try again in {} s", d.as_secs().max(1))
    })
}

/// A data value as shown in a message: at most 80 characters.
fn clip(s: &str) -> String {
    if s.chars().count() <= 80 {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(79).collect::<String>())
    }
}

impl ApiError {
    /// The error for a non-2xx JSON answer: message and codes read from Tamara's error body
    /// (leniently, see [`ErrorBody::from_json`]), the body itself kept whole.
    pub fn http(status: u16, body: serde_json::Value) -> ApiError {
        let parsed = ErrorBody::from_json(&body);
        ApiError::Http {
            status,
            error_codes: parsed.codes(),
            message: parsed.message,
            body,
        }
    }

    /// Tamara's error body with each code's `data`, for a caller that shows more than the codes.
    pub fn error_body(&self) -> Option<ErrorBody> {
        match self {
            ApiError::Http { body, .. } => Some(ErrorBody::from_json(body)),
            _ => None,
        }
    }

    /// Stable code for storage, the CLI's `--json` output and the UI.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::InvalidBaseUrl(_) => "gateway_invalid_base_url",
            ApiError::Http { status: 401, .. } => "gateway_unauthorized",
            ApiError::Http { status: 404, .. } => "gateway_not_found",
            ApiError::Http { status: 409, .. } => "gateway_conflict",
            ApiError::Http { status, .. } if *status >= 500 => "gateway_unavailable",
            ApiError::Http { .. } => "gateway_rejected",
            ApiError::RateLimited { .. } => "gateway_rate_limited",
            ApiError::NotJson { .. } => "gateway_not_json",
            ApiError::Decode { .. } => "gateway_unexpected_shape",
            ApiError::Timeout { .. } => "gateway_timeout",
            ApiError::Connect { .. } => "gateway_unreachable",
            ApiError::Transport(_) => "gateway_transport",
            ApiError::Encode(_) => "gateway_encode",
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. }
            | ApiError::NotJson { status, .. }
            | ApiError::Decode { status, .. } => Some(*status),
            ApiError::RateLimited { .. } => Some(429),
            _ => None,
        }
    }

    /// Tamara's `error_code`s, if it sent any.
    pub fn error_codes(&self) -> &[String] {
        match self {
            ApiError::Http { error_codes, .. } => error_codes,
            _ => &[],
        }
    }

    /// True when the request may have reached Tamara and taken effect although we got no
    /// clear answer: a total timeout, a broken connection after sending, a 5xx, or a non-JSON
    /// page in front of Tamara. A money move that fails this way must be resolved by re-reading
    /// the order, never by blindly sending it again.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            ApiError::Timeout { phase, .. } => *phase == TimeoutPhase::Total,
            ApiError::Transport(_) => true,
            ApiError::Http { status, .. } | ApiError::NotJson { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// True when retrying a read is reasonable (idempotent GETs only).
    pub fn is_retryable_read(&self) -> bool {
        matches!(
            self,
            ApiError::Timeout { .. } | ApiError::Connect { .. } | ApiError::Transport(_)
        ) || matches!(self.status(), Some(s) if s >= 500 || s == 429)
    }
}
