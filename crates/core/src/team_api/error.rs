//! The team API's errors: a stable code and a message as JSON (`{"error": {"code", "message"}}`),
//! with the HTTP status the code implies. Messages name what failed, never a token.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::ErrorCode;
use crate::team::{Action, ApprovalError, Role};

/// Why a team API request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No token, a malformed one, or one that matches no live token of an enabled user.
    #[error("no valid personal token was presented")]
    Unauthenticated,
    /// Too many failed sign-ins from this address with this token prefix.
    #[error("too many failed sign-ins; try again in {retry_after_secs} s")]
    Throttled { retry_after_secs: i64 },
    /// The caller's role may not perform the action.
    #[error("the {role} role may not {action}")]
    Forbidden { role: Role, action: Action },
    /// No approval request has this id.
    #[error("no approval request {0}")]
    ApprovalNotFound(i64),
    /// The approval rules refused the decision.
    #[error(transparent)]
    Approval(#[from] ApprovalError),
    /// The request body or path was not understood.
    #[error("{0}")]
    BadRequest(String),
    /// What the console said.
    #[error(transparent)]
    Core(#[from] crate::Error),
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::Core(e.into())
    }
}

impl ApiError {
    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Unauthenticated => ErrorCode::TeamUnauthenticated,
            ApiError::Throttled { .. } => ErrorCode::TeamLoginThrottled,
            ApiError::Forbidden { .. } | ApiError::Approval(ApprovalError::NotPermitted { .. }) => {
                ErrorCode::TeamForbidden
            }
            ApiError::ApprovalNotFound(_) => ErrorCode::ApprovalNotFound,
            ApiError::Approval(ApprovalError::SelfApproval) => ErrorCode::ApprovalSelfDecision,
            ApiError::Approval(ApprovalError::Expired { .. }) => ErrorCode::ApprovalExpired,
            ApiError::Approval(ApprovalError::AlreadyDecided) => ErrorCode::ApprovalAlreadyDecided,
            ApiError::BadRequest(_) => ErrorCode::InvalidInput,
            ApiError::Core(e) => e.code(),
        }
    }

    fn status(&self) -> StatusCode {
        match self.code() {
            ErrorCode::TeamUnauthenticated => StatusCode::UNAUTHORIZED,
            ErrorCode::TeamLoginThrottled | ErrorCode::GatewayRateLimited => {
                StatusCode::TOO_MANY_REQUESTS
            }
            ErrorCode::TeamForbidden | ErrorCode::ApprovalSelfDecision => StatusCode::FORBIDDEN,
            ErrorCode::ApprovalNotFound | ErrorCode::OrderNotCached | ErrorCode::StoreNotFound => {
                StatusCode::NOT_FOUND
            }
            ErrorCode::ApprovalExpired
            | ErrorCode::ApprovalAlreadyDecided
            | ErrorCode::StoreConflict => StatusCode::CONFLICT,
            ErrorCode::InvalidInput | ErrorCode::StoreInvalid => StatusCode::BAD_REQUEST,
            // A refused move and the gateway's own answers are the request's outcome.
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "code": self.code(), "message": self.to_string() }
        });
        let mut response = (self.status(), axum::Json(body)).into_response();
        if let ApiError::Throttled { retry_after_secs } = self
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.max(1).to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}
