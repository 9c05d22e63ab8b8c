//! `ErrorCode`: the closed set of stable codes a user, a script or the UI can meet.
//!
//! Invariants: each variant serialises to exactly its text in the table below, and that text
//! never changes once released (the CLI's `--json`, stored results and the UI's translations key
//! on it). The wire crate (which cannot depend on core) names its API errors' codes itself
//! (`ApiError::code`), which are parsed here; its token errors are mapped here, variant by
//! variant.

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($( $(#[$meta:meta])* $variant:ident = $text:literal, )*) => {
        /// A stable error code. Serialises to its snake_case text.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $( $(#[$meta])* $variant, )*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code's stable text.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                }
            }
        }
    };
}

error_codes! {
    // The core's own failures (`crate::Error`).
    ConfigInvalid = "config_invalid",
    CredentialsMissing = "credentials_missing",
    DataDirUnavailable = "data_dir_unavailable",
    InvalidInput = "invalid_input",
    OrderNotCached = "order_not_cached",
    OrderUncacheable = "order_uncacheable",
    DeliveryNotFound = "delivery_not_found",
    DeliveryOtherEnvironment = "delivery_other_environment",
    DeliveryNotReplayable = "delivery_not_replayable",
    NotificationTokenMissing = "notification_token_missing",
    // The store.
    StoreOpen = "store_open",
    StoreMigrate = "store_migrate",
    StoreQuery = "store_query",
    StoreClosed = "store_closed",
    StoreCorruptRow = "store_corrupt_row",
    StoreConflict = "store_conflict",
    StoreNotFound = "store_not_found",
    StoreInvalid = "store_invalid",
    // The team server (`mizan serve` on PostgreSQL): people, roles, approvals.
    TeamUnauthenticated = "team_unauthenticated",
    TeamForbidden = "team_forbidden",
    TeamLoginThrottled = "team_login_throttled",
    ApprovalNotFound = "approval_not_found",
    ApprovalSelfDecision = "approval_self_decision",
    ApprovalExpired = "approval_expired",
    ApprovalAlreadyDecided = "approval_already_decided",
    // Credentials and the keychain.
    KeychainUnavailable = "keychain_unavailable",
    KeychainLocked = "keychain_locked",
    KeychainFailed = "keychain_failed",
    CredentialKindUnknown = "credential_kind_unknown",
    CredentialRefused = "credential_refused",
    CredentialWrongEnvironment = "credential_wrong_environment",
    CredentialEmpty = "credential_empty",
    CredentialTooShort = "credential_too_short",
    CredentialTooLong = "credential_too_long",
    CredentialNotPrintable = "credential_not_printable",
    CredentialNotJwt = "credential_not_jwt",
    CredentialReused = "credential_reused",
    // Calls to Tamara (the wire crate's `ApiError`, and the breaker).
    GatewayInvalidBaseUrl = "gateway_invalid_base_url",
    GatewayUnauthorized = "gateway_unauthorized",
    GatewayNotFound = "gateway_not_found",
    GatewayConflict = "gateway_conflict",
    GatewayUnavailable = "gateway_unavailable",
    GatewayRejected = "gateway_rejected",
    GatewayRateLimited = "gateway_rate_limited",
    GatewayNotJson = "gateway_not_json",
    GatewayUnexpectedShape = "gateway_unexpected_shape",
    GatewayTimeout = "gateway_timeout",
    GatewayUnreachable = "gateway_unreachable",
    GatewayTransport = "gateway_transport",
    GatewayEncode = "gateway_encode",
    GatewayCircuitOpen = "gateway_circuit_open",
    // Money moves: refused before sending, or their outcome.
    MoveRefusedStatus = "move_refused_status",
    MoveAmountRequired = "move_amount_required",
    AmountNotPositive = "amount_not_positive",
    AmountPrecision = "amount_precision",
    AmountCurrencyMismatch = "amount_currency_mismatch",
    AmountExceedsCapturable = "amount_exceeds_capturable",
    AmountExceedsRefundable = "amount_exceeds_refundable",
    AmountExceedsCancelable = "amount_exceeds_cancelable",
    NothingRemaining = "nothing_remaining",
    CommentRequired = "comment_required",
    ItemsInvalid = "items_invalid",
    ItemsExceedAmount = "items_exceed_amount",
    MoveInputInvalid = "move_input_invalid",
    ConfirmationRequired = "confirmation_required",
    ConfirmationMismatch = "confirmation_mismatch",
    MoveInProgress = "move_in_progress",
    MoveBlockedUnknown = "move_blocked_unknown",
    IdempotencyKeyReused = "idempotency_key_reused",
    MoveRejected = "move_rejected",
    MoveOutcomeUnknown = "move_outcome_unknown",
    // Exports and reports.
    ExportTimezoneUnknown = "export_timezone_unknown",
    ExportTimeInvalid = "export_time_invalid",
    ExportWindowReversed = "export_window_reversed",
    ExportWriteFailed = "export_write_failed",
    ExportFileExists = "export_file_exists",
    ReportWriteFailed = "report_write_failed",
    // A webhook's notification token (the wire crate's `TokenError`).
    TokenMissing = "token_missing",
    TokenMalformedHeader = "token_malformed_header",
    TokenMalformed = "token_malformed",
    TokenAlgorithmNotAllowed = "token_algorithm_not_allowed",
    TokenBadSignature = "token_bad_signature",
    TokenExpired = "token_expired",
    TokenIssuedInFuture = "token_issued_in_future",
    TokenNotYetValid = "token_not_yet_valid",
    TokenLifetimeTooLong = "token_lifetime_too_long",
    TokenMissingClaim = "token_missing_claim",
    TokenWrongIssuer = "token_wrong_issuer",
    TokenNoKeyConfigured = "token_no_key_configured",
    // The long-running service and the hosts' own commands.
    ServeBind = "serve_bind",
    ServeFailed = "serve_failed",
    ServeProcessor = "serve_processor",
    ServeReconciler = "serve_reconciler",
    SandboxFailed = "sandbox_failed",
    DemoUnavailable = "demo_unavailable",
    ReceiverUnavailable = "receiver_unavailable",
    AuditChainBroken = "audit_chain_broken",
    AuditKeyUnavailable = "audit_key_unavailable",
    AuditKeyExposed = "audit_key_exposed",
    AuditKeyInvalid = "audit_key_invalid",
    AuditKeyWrong = "audit_key_wrong",
    RehearsalFailed = "rehearsal_failed",
    WebhookUnconfirmed = "webhook_unconfirmed",
    WebhookRegistrationUnhealthy = "webhook_registration_unhealthy",
    WebhookSelftestFailed = "webhook_selftest_failed",
    // Disputes (their API is third-party-sourced, reference §5.11).
    DisputesApiUnavailable = "disputes_api_unavailable",
    DisputeNotFound = "dispute_not_found",
    DisputeClosed = "dispute_closed",
    DisputeCommentInvalid = "dispute_comment_invalid",
    // Settlement statements.
    StatementUnreadable = "statement_unreadable",
    StatementInvalid = "statement_invalid",
    StatementOtherMerchant = "statement_other_merchant",
    StatementNotFound = "statement_not_found",
    // Payouts (bank deposits).
    BankFileInvalid = "bank_file_invalid",
    PayoutConflict = "payout_conflict",
    // The command line was wrong (the CLI exits 2).
    Usage = "usage",
}

impl ErrorCode {
    /// The code whose text is `text`, if there is one.
    pub fn parse(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == text)
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// One mapping, the wire crate's: `ApiError::code` gives the text, parsed here. Every text it
/// returns is a code (tested per variant and against its source), so the fallback only covers
/// a text added there and not yet here.
impl From<&tamara::ApiError> for ErrorCode {
    fn from(e: &tamara::ApiError) -> Self {
        ErrorCode::parse(e.code()).unwrap_or(ErrorCode::GatewayTransport)
    }
}

/// Token refusals are stored as delivery reasons and explained by the UI, so each must be a
/// code here; matching every variant makes a new one fail to compile until it is added.
impl From<&tamara::notification::TokenError> for ErrorCode {
    fn from(e: &tamara::notification::TokenError) -> Self {
        use tamara::notification::TokenError;
        match e {
            TokenError::Missing => ErrorCode::TokenMissing,
            TokenError::MalformedHeader => ErrorCode::TokenMalformedHeader,
            TokenError::Malformed(_) => ErrorCode::TokenMalformed,
            TokenError::AlgorithmNotAllowed(_) => ErrorCode::TokenAlgorithmNotAllowed,
            TokenError::BadSignature => ErrorCode::TokenBadSignature,
            TokenError::Expired { .. } => ErrorCode::TokenExpired,
            TokenError::IssuedInFuture { .. } => ErrorCode::TokenIssuedInFuture,
            TokenError::NotYetValid { .. } => ErrorCode::TokenNotYetValid,
            TokenError::LifetimeTooLong { .. } => ErrorCode::TokenLifetimeTooLong,
            TokenError::MissingClaim(_) => ErrorCode::TokenMissingClaim,
            TokenError::WrongIssuer(_) => ErrorCode::TokenWrongIssuer,
            TokenError::NoKeyConfigured => ErrorCode::TokenNoKeyConfigured,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode as C;
    use super::*;

    /// Every code's released text. Changing a line here breaks scripts and translations.
    const TABLE: &[(ErrorCode, &str)] = &[
        (C::ConfigInvalid, "config_invalid"),
        (C::CredentialsMissing, "credentials_missing"),
        (C::DataDirUnavailable, "data_dir_unavailable"),
        (C::InvalidInput, "invalid_input"),
        (C::OrderNotCached, "order_not_cached"),
        (C::OrderUncacheable, "order_uncacheable"),
        (C::DeliveryNotFound, "delivery_not_found"),
        (C::DeliveryOtherEnvironment, "delivery_other_environment"),
        (C::DeliveryNotReplayable, "delivery_not_replayable"),
        (C::NotificationTokenMissing, "notification_token_missing"),
        (C::StoreOpen, "store_open"),
        (C::StoreMigrate, "store_migrate"),
        (C::StoreQuery, "store_query"),
        (C::StoreClosed, "store_closed"),
        (C::StoreCorruptRow, "store_corrupt_row"),
        (C::StoreConflict, "store_conflict"),
        (C::StoreNotFound, "store_not_found"),
        (C::StoreInvalid, "store_invalid"),
        (C::TeamUnauthenticated, "team_unauthenticated"),
        (C::TeamForbidden, "team_forbidden"),
        (C::TeamLoginThrottled, "team_login_throttled"),
        (C::ApprovalNotFound, "approval_not_found"),
        (C::ApprovalSelfDecision, "approval_self_decision"),
        (C::ApprovalExpired, "approval_expired"),
        (C::ApprovalAlreadyDecided, "approval_already_decided"),
        (C::KeychainUnavailable, "keychain_unavailable"),
        (C::KeychainLocked, "keychain_locked"),
        (C::KeychainFailed, "keychain_failed"),
        (C::CredentialKindUnknown, "credential_kind_unknown"),
        (C::CredentialRefused, "credential_refused"),
        (
            C::CredentialWrongEnvironment,
            "credential_wrong_environment",
        ),
        (C::CredentialEmpty, "credential_empty"),
        (C::CredentialTooShort, "credential_too_short"),
        (C::CredentialTooLong, "credential_too_long"),
        (C::CredentialNotPrintable, "credential_not_printable"),
        (C::CredentialNotJwt, "credential_not_jwt"),
        (C::CredentialReused, "credential_reused"),
        (C::GatewayInvalidBaseUrl, "gateway_invalid_base_url"),
        (C::GatewayUnauthorized, "gateway_unauthorized"),
        (C::GatewayNotFound, "gateway_not_found"),
        (C::GatewayConflict, "gateway_conflict"),
        (C::GatewayUnavailable, "gateway_unavailable"),
        (C::GatewayRejected, "gateway_rejected"),
        (C::GatewayRateLimited, "gateway_rate_limited"),
        (C::GatewayNotJson, "gateway_not_json"),
        (C::GatewayUnexpectedShape, "gateway_unexpected_shape"),
        (C::GatewayTimeout, "gateway_timeout"),
        (C::GatewayUnreachable, "gateway_unreachable"),
        (C::GatewayTransport, "gateway_transport"),
        (C::GatewayEncode, "gateway_encode"),
        (C::GatewayCircuitOpen, "gateway_circuit_open"),
        (C::MoveRefusedStatus, "move_refused_status"),
        (C::MoveAmountRequired, "move_amount_required"),
        (C::AmountNotPositive, "amount_not_positive"),
        (C::AmountPrecision, "amount_precision"),
        (C::AmountCurrencyMismatch, "amount_currency_mismatch"),
        (C::AmountExceedsCapturable, "amount_exceeds_capturable"),
        (C::AmountExceedsRefundable, "amount_exceeds_refundable"),
        (C::AmountExceedsCancelable, "amount_exceeds_cancelable"),
        (C::NothingRemaining, "nothing_remaining"),
        (C::CommentRequired, "comment_required"),
        (C::ItemsInvalid, "items_invalid"),
        (C::ItemsExceedAmount, "items_exceed_amount"),
        (C::MoveInputInvalid, "move_input_invalid"),
        (C::ConfirmationRequired, "confirmation_required"),
        (C::ConfirmationMismatch, "confirmation_mismatch"),
        (C::MoveInProgress, "move_in_progress"),
        (C::MoveBlockedUnknown, "move_blocked_unknown"),
        (C::IdempotencyKeyReused, "idempotency_key_reused"),
        (C::MoveRejected, "move_rejected"),
        (C::MoveOutcomeUnknown, "move_outcome_unknown"),
        (C::ExportTimezoneUnknown, "export_timezone_unknown"),
        (C::ExportTimeInvalid, "export_time_invalid"),
        (C::ExportWindowReversed, "export_window_reversed"),
        (C::ExportWriteFailed, "export_write_failed"),
        (C::ExportFileExists, "export_file_exists"),
        (C::ReportWriteFailed, "report_write_failed"),
        (C::TokenMissing, "token_missing"),
        (C::TokenMalformedHeader, "token_malformed_header"),
        (C::TokenMalformed, "token_malformed"),
        (C::TokenAlgorithmNotAllowed, "token_algorithm_not_allowed"),
        (C::TokenBadSignature, "token_bad_signature"),
        (C::TokenExpired, "token_expired"),
        (C::TokenIssuedInFuture, "token_issued_in_future"),
        (C::TokenNotYetValid, "token_not_yet_valid"),
        (C::TokenLifetimeTooLong, "token_lifetime_too_long"),
        (C::TokenMissingClaim, "token_missing_claim"),
        (C::TokenWrongIssuer, "token_wrong_issuer"),
        (C::TokenNoKeyConfigured, "token_no_key_configured"),
        (C::ServeBind, "serve_bind"),
        (C::ServeFailed, "serve_failed"),
        (C::ServeProcessor, "serve_processor"),
        (C::ServeReconciler, "serve_reconciler"),
        (C::SandboxFailed, "sandbox_failed"),
        (C::DemoUnavailable, "demo_unavailable"),
        (C::ReceiverUnavailable, "receiver_unavailable"),
        (C::AuditChainBroken, "audit_chain_broken"),
        (C::AuditKeyUnavailable, "audit_key_unavailable"),
        (C::AuditKeyExposed, "audit_key_exposed"),
        (C::AuditKeyInvalid, "audit_key_invalid"),
        (C::AuditKeyWrong, "audit_key_wrong"),
        (C::RehearsalFailed, "rehearsal_failed"),
        (C::WebhookUnconfirmed, "webhook_unconfirmed"),
        (
            C::WebhookRegistrationUnhealthy,
            "webhook_registration_unhealthy",
        ),
        (C::WebhookSelftestFailed, "webhook_selftest_failed"),
        (C::DisputesApiUnavailable, "disputes_api_unavailable"),
        (C::DisputeNotFound, "dispute_not_found"),
        (C::DisputeClosed, "dispute_closed"),
        (C::DisputeCommentInvalid, "dispute_comment_invalid"),
        (C::StatementUnreadable, "statement_unreadable"),
        (C::StatementInvalid, "statement_invalid"),
        (C::StatementOtherMerchant, "statement_other_merchant"),
        (C::StatementNotFound, "statement_not_found"),
        (C::BankFileInvalid, "bank_file_invalid"),
        (C::PayoutConflict, "payout_conflict"),
        (C::Usage, "usage"),
    ];

    #[test]
    fn every_code_keeps_its_released_text() {
        assert_eq!(
            TABLE.len(),
            ErrorCode::ALL.len(),
            "a code is missing from the table"
        );
        for (code, text) in TABLE {
            assert_eq!(code.as_str(), *text);
            assert_eq!(ErrorCode::parse(text), Some(*code));
        }
        let mut texts: Vec<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), ErrorCode::ALL.len(), "two codes share a text");
    }

    #[test]
    fn serde_and_as_str_agree() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_value(code).unwrap_or_default();
            assert_eq!(json, serde_json::Value::from(code.as_str()), "{code:?}");
            let back: Option<ErrorCode> = serde_json::from_value(json).ok();
            assert_eq!(back, Some(*code));
            assert_eq!(code.to_string(), code.as_str());
        }
    }

    #[test]
    fn the_wire_crates_codes_map_to_the_same_text() {
        use std::time::Duration;
        use tamara::notification::TokenError;
        use tamara::{ApiError, error::TimeoutPhase};
        let http = |status| ApiError::Http {
            status,
            message: None,
            error_codes: vec![],
            body: serde_json::Value::Null,
        };
        let api = [
            ApiError::InvalidBaseUrl("x".into()),
            http(401),
            http(404),
            http(409),
            http(503),
            http(400),
            ApiError::NotJson {
                status: 502,
                content_type: "text/html".into(),
                snippet: String::new(),
            },
            ApiError::Decode {
                status: 200,
                reason: String::new(),
                body: serde_json::Value::Null,
            },
            ApiError::Timeout {
                after: Duration::from_secs(1),
                phase: TimeoutPhase::Total,
            },
            ApiError::Connect {
                host: "h".into(),
                reason: String::new(),
            },
            ApiError::Transport(String::new()),
            ApiError::Encode(String::new()),
        ];
        for e in &api {
            assert_eq!(ErrorCode::from(e).as_str(), e.code(), "{e:?}");
        }
        let token = [
            TokenError::Missing,
            TokenError::MalformedHeader,
            TokenError::Malformed(String::new()),
            TokenError::AlgorithmNotAllowed(String::new()),
            TokenError::BadSignature,
            TokenError::Expired {
                exp: 0,
                now: 0,
                leeway: 0,
            },
            TokenError::IssuedInFuture { iat: 0, now: 0 },
            TokenError::NotYetValid { nbf: 0, now: 0 },
            TokenError::LifetimeTooLong {
                lifetime: 0,
                max: 0,
            },
            TokenError::MissingClaim("exp"),
            TokenError::WrongIssuer(None),
            TokenError::NoKeyConfigured,
        ];
        for e in &token {
            assert_eq!(ErrorCode::from(e).as_str(), e.code(), "{e:?}");
        }
    }

    /// A variant the list above misses still cannot fall back: every text the wire crate's
    /// `ApiError::code` can return, read from its source, is a code here.
    #[test]
    fn every_text_the_wire_crates_api_errors_return_is_a_code() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tamara/src/error.rs");
        let src = std::fs::read_to_string(path).unwrap();
        let start = src.find("pub fn code(&self) -> &'static str").unwrap();
        let body = &src[start..];
        let body = &body[..body.find("\n    }\n").unwrap()];
        let texts: Vec<&str> = body.split('"').skip(1).step_by(2).collect();
        assert!(texts.len() >= 12, "read the mapping: {texts:?}");
        for text in texts {
            assert!(
                ErrorCode::parse(text).is_some(),
                "{text} is not an ErrorCode"
            );
        }
    }
}
