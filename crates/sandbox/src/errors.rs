//! The one error type of the API surface and its wire form.
//!
//! Every refusal answers the five-key body of Tamara's OpenAPI error examples (reference §10.1):
//! `{"message": "...", "errors": [{"error_code": "...", "data": {...}}], "data": {}, "title":
//! null, "screen_type": null}`. `errors[0].data` is present only when there is something to say
//! (state conflicts carry `order_id` / `old_state` / `new_state`).
//!
//! Error codes: the two the OpenAPI file documents (`transition_not_allowed` for every state
//! conflict, `not_supported_country_currency`), plugin-known ones where they fit
//! (`total_amount_invalid_currency`, `currency_unsupported`, `total_amount_invalid_limit`), and
//! simulator inventions otherwise (`amount_exceeds_remaining` per §10.3 [SIM], `invalid_json`,
//! `missing_required_field`, `invalid_field`, `amount_invalid_precision`, `invalid_webhook_url`,
//! `invalid_event`, `not_found`, `unauthorized`, `method_not_allowed`, `service_unavailable`,
//! `too_many_requests`).
//!
//! Every error response carries its [`ErrorCode`] as a response extension, so the API's
//! answer-shaping layer (`routes/mod.rs`) can apply the configured answers to the unknowns of
//! §16.8 (the status of amount errors, bare 401/404 bodies) in one place.

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

    /// 409 `transition_not_allowed`, Tamara's documented state conflict (OAS cancel example,
    /// message template included). `old_state` is the current status, `new_state` the status
    /// the operation would have produced (equal values mean "already done", which some official
    /// plugins treat as success).
    pub fn status_conflict(order_id: uuid::Uuid, old_state: &str, new_state: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            format!(
                "The order {order_id} cannot be moved to the status {new_state} from {old_state}"
            ),
            "transition_not_allowed",
        )
        .with_data(json!({ "order_id": order_id, "old_state": old_state, "new_state": new_state }))
    }

    /// 400 `not_supported_country_currency`, with the OAS example's message: a country the
    /// merchant cannot sell in, or a currency that is not that country's.
    pub fn unsupported_pair() -> Self {
        Self::bad_request(
            "Unsupported country-currency combination. Please reach out to your account manager \
             for support",
            "not_supported_country_currency",
        )
    }

    /// 400: amount larger than what the order still allows.
    pub fn exceeds(op: &str, remaining: Value) -> Self {
        Self::bad_request(
            format!("The {op} amount exceeds the remaining amount"),
            AMOUNT_EXCEEDS_REMAINING,
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

    /// The wire body. The top-level `data`, `title` and `screen_type` carry nothing the
    /// simulator knows of, but every error example of the OpenAPI file has them.
    pub fn body(&self) -> Value {
        let mut entry = json!({ "error_code": self.code });
        if let (Some(data), Some(obj)) = (&self.data, entry.as_object_mut()) {
            obj.insert("data".to_owned(), data.clone());
        }
        json!({ "message": self.message, "errors": [entry], "data": {}, "title": null,
            "screen_type": null })
    }
}

/// The `error_code` of an error response (a response extension, never sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorCode(pub String);

/// The code `ApiError::exceeds` answers with.
pub const AMOUNT_EXCEEDS_REMAINING: &str = "amount_exceeds_remaining";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body())).into_response();
        resp.extensions_mut().insert(ErrorCode(self.code));
        resp
    }
}

/// Result alias of handlers.
pub type ApiResult<T> = Result<T, ApiError>;
