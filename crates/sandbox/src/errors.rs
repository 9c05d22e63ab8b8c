//! The one error type of the API surface and its wire form.
//!
//! Every refusal answers Tamara's error body `{"message": "...", "errors": [{"error_code":
//! "...", "data": {...}}]}` (reference §10.1). `data` is present only when there is something to
//! say (state conflicts carry `old_state` / `new_state`).
//!
//! Error codes: Tamara's documented ones where they fit (`total_amount_invalid_currency`,
//! `currency_unsupported`, `total_amount_invalid_limit`); simulator inventions otherwise
//! (`order_status_not_allowed`, `amount_exceeds_remaining` per §10.3 [SIM],
//! `invalid_json`, `missing_required_field`, `invalid_field`, `amount_invalid_precision`,
//! `country_unsupported`, `invalid_webhook_url`, `invalid_event`, `not_found`, `unauthorized`,
//! `method_not_allowed`, `service_unavailable`).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An API refusal: HTTP status + message + one error code (+ optional data).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{status} {code}: {message}")]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub code: String,
    pub data: Option<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, message: impl Into<String>, code: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            code: code.into(),
            data: None,
        }
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// 400 with an explicit code.
    pub fn bad_request(message: impl Into<String>, code: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message, code)
    }

    /// 400 for a missing field; `data.field` names it so a client can show which one.
    pub fn missing(field: &str) -> Self {
        Self::bad_request(format!("{field} is required"), "missing_required_field")
            .with_data(json!({ "field": field }))
    }

    /// 400 for a present field of the wrong type or format.
    pub fn invalid(field: &str, why: &str) -> Self {
        Self::bad_request(format!("{field} is invalid: {why}"), "invalid_field")
            .with_data(json!({ "field": field }))
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("{what} not found"),
            "not_found",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", "unauthorized")
    }

    /// 409: the order's status does not allow the operation. `old_state` is the current status,
    /// `new_state` the status the operation would have produced (equal values mean "already
    /// done", which some official plugins treat as success).
    pub fn status_conflict(op: &str, old_state: &str, new_state: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            format!("Cannot {op} an order in {old_state} state"),
            "order_status_not_allowed",
        )
        .with_data(json!({ "old_state": old_state, "new_state": new_state }))
    }

    /// 400: amount larger than what the order still allows.
    pub fn exceeds(op: &str, remaining: Value) -> Self {
        Self::bad_request(
            format!("The {op} amount exceeds the remaining amount"),
            "amount_exceeds_remaining",
        )
        .with_data(json!({ "remaining_amount": remaining }))
    }

    pub fn currency_mismatch(field: &str) -> Self {
        Self::bad_request(
            format!("{field} currency does not match the order currency"),
            "total_amount_invalid_currency",
        )
        .with_data(json!({ "field": field }))
    }

    /// The wire body.
    pub fn body(&self) -> Value {
        let mut entry = json!({ "error_code": self.code });
        if let (Some(data), Some(obj)) = (&self.data, entry.as_object_mut()) {
            obj.insert("data".to_owned(), data.clone());
        }
        json!({ "message": self.message, "errors": [entry] })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

/// Result alias of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
