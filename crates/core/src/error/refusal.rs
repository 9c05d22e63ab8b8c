//! Why a money move is refused before any request leaves: one variant per rule, each with a
//! stable code (the CLI's `--json`, the audit log and the desktop key on it).
//!
//! Invariant: a refusal is decided from the order as just read plus the local ledger; when one
//! is returned nothing was sent and no ledger entry was written.

use tamara::Money;
use tamara::money::Currency;

use crate::store::ledger::LedgerKind;

/// A money move that will not be sent, and why.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MoveRefusal {
    /// The order's status does not allow this move (reference §9.3).
    #[error(
        "cannot {kind} order {order_id}: it is {status}; {kind} is allowed only when {allowed}"
    )]
    Status {
        kind: LedgerKind,
        order_id: String,
        status: String,
        allowed: &'static str,
    },
    /// Zero or negative.
    #[error("the amount must be greater than zero, got {0}")]
    NotPositive(String),
    /// More decimal places than the order's currency has (`10.005 SAR`).
    #[error("{amount} has more decimal places than {currency} allows ({precision})")]
    Precision {
        amount: String,
        currency: Currency,
        precision: u32,
    },
    /// An amount in another currency than the order's.
    #[error("{what} is in {given}, but the order is in {order}")]
    Currency {
        what: String,
        given: Currency,
        order: Currency,
    },
    /// More than `total − canceled − captured`.
    #[error("cannot capture {amount}: only {remaining} is still capturable")]
    ExceedsCapturable { amount: Money, remaining: Money },
    /// More than `captured − refunded`.
    #[error("cannot refund {amount}: only {remaining} is refundable (captured minus refunded)")]
    ExceedsRefundable { amount: Money, remaining: Money },
    /// More than what is still uncaptured.
    #[error("cannot cancel {amount}: only {remaining} is still uncaptured and cancelable")]
    ExceedsCancelable { amount: Money, remaining: Money },
    /// A full-remainder move with nothing remaining.
    #[error("nothing left to {kind} on order {order_id}")]
    NothingRemaining { kind: LedgerKind, order_id: String },
    /// A refund needs a comment (Tamara stores it in the order's history).
    #[error("a refund needs a comment (--comment TEXT)")]
    CommentRequired,
    /// A capture's items do not match the order's items.
    #[error("items: {0}")]
    Items(String),
    /// The items add up to more than the capture amount.
    #[error("the items add up to {items}, more than the capture amount {amount}")]
    ItemsExceedAmount { items: Money, amount: Money },
    /// A field of the request is malformed (shipping info, comment length).
    #[error("{field}: {reason}")]
    Input { field: &'static str, reason: String },
    /// Production moves need `--confirm <order_reference_id>`.
    #[error(
        "production money move: confirm it by repeating the order's reference: \
         --confirm {reference}"
    )]
    ConfirmationRequired { reference: String },
    /// `--confirm` was given but is not the order's reference.
    #[error(
        "--confirm {given:?} does not match order {order_id}'s reference {expected:?}; nothing sent"
    )]
    ConfirmationMismatch {
        given: String,
        expected: String,
        order_id: String,
    },
    /// Another move on this order is being sent right now (another window or process).
    #[error(
        "another {kind} of {amount} on this order is being sent right now (ledger entry \
         {entry_id}); wait for it to finish, then check the order"
    )]
    InProgress {
        entry_id: i64,
        kind: LedgerKind,
        amount: Money,
    },
    /// An earlier move on this order still has an unknown outcome, even after re-reading.
    #[error(
        "an earlier {kind} of {amount} on this order (ledger entry {entry_id}) still has an \
         unknown outcome; Tamara's order does not show it yet. Nothing was sent. Try again in \
         a minute: the next command re-reads the order and settles it first"
    )]
    BlockedByUnknown {
        entry_id: i64,
        kind: LedgerKind,
        amount: Money,
    },
    /// A refund was asked for without an amount (Tamara refunds only a stated amount).
    #[error("a refund needs an amount")]
    AmountRequired,
    /// `--idempotency-key` already names a different move.
    #[error(
        "idempotency key {key:?} already belongs to ledger entry {entry_id} ({kind} of \
         {amount} on order {order_id}); use a new key for a different move"
    )]
    KeyReused {
        key: String,
        entry_id: i64,
        kind: LedgerKind,
        amount: Money,
        order_id: String,
    },
}

impl MoveRefusal {
    /// Stable machine code.
    pub fn code(&self) -> crate::ErrorCode {
        match self {
            MoveRefusal::Status { .. } => crate::ErrorCode::MoveRefusedStatus,
            MoveRefusal::NotPositive(_) => crate::ErrorCode::AmountNotPositive,
            MoveRefusal::Precision { .. } => crate::ErrorCode::AmountPrecision,
            MoveRefusal::Currency { .. } => crate::ErrorCode::AmountCurrencyMismatch,
            MoveRefusal::ExceedsCapturable { .. } => crate::ErrorCode::AmountExceedsCapturable,
            MoveRefusal::ExceedsRefundable { .. } => crate::ErrorCode::AmountExceedsRefundable,
            MoveRefusal::ExceedsCancelable { .. } => crate::ErrorCode::AmountExceedsCancelable,
            MoveRefusal::NothingRemaining { .. } => crate::ErrorCode::NothingRemaining,
            MoveRefusal::CommentRequired => crate::ErrorCode::CommentRequired,
            MoveRefusal::Items(_) => crate::ErrorCode::ItemsInvalid,
            MoveRefusal::ItemsExceedAmount { .. } => crate::ErrorCode::ItemsExceedAmount,
            MoveRefusal::Input { .. } => crate::ErrorCode::MoveInputInvalid,
            MoveRefusal::ConfirmationRequired { .. } => crate::ErrorCode::ConfirmationRequired,
            MoveRefusal::ConfirmationMismatch { .. } => crate::ErrorCode::ConfirmationMismatch,
            MoveRefusal::InProgress { .. } => crate::ErrorCode::MoveInProgress,
            MoveRefusal::BlockedByUnknown { .. } => crate::ErrorCode::MoveBlockedUnknown,
            MoveRefusal::KeyReused { .. } => crate::ErrorCode::IdempotencyKeyReused,
            MoveRefusal::AmountRequired => crate::ErrorCode::MoveAmountRequired,
        }
    }
}
