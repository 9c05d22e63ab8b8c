//! Guarded money moves: authorise, capture, refund and cancel, each sent at most once.
//!
//! Owns the path from an operator's request to a settled ledger entry:
//! 1. read the order fresh from Tamara and cache it;
//! 2. settle earlier moves of this order whose outcome is still open (re-reading decides);
//! 3. [`plan`]: the pure check against the status rules (§9.3) and the remaining amounts, in
//!    exact decimals at the currency's precision, producing the exact request or a
//!    [`MoveRefusal`];
//! 4. in production, require `confirm` = the order's `order_reference_id`;
//! 5. write the `pending` ledger entry with its idempotency reference ([`reference`]) — before
//!    anything is sent;
//! 6. send once, never retried;
//! 7. settle: success → `succeeded` with Tamara's id; a definite refusal (4xx, nothing sent)
//!    → `failed`; an ambiguous failure (timeout, 5xx, lost answer) → re-read the order and
//!    decide ([`resolve`]) → `succeeded`, `failed` or `unknown`; then re-read and cache the
//!    order so the projection shows the result at once;
//! 8. append the attempt and its outcome to the audit chain (actor = the configured operator).
//!
//! Invariants: nothing is sent without a pending entry written first; a request whose
//! reference is already in the ledger is never sent again — the recorded move is reported
//! (joined while another process is still sending it); a new move on an order with an
//! unsettled one settles it first, or refuses; refusals write nothing but an audit line; a
//! dry run ([`preview`]) reads the order and writes nothing at all.

pub mod auto_capture;
pub mod by_person;
mod execute;
pub mod input;
mod local;
pub mod plan;
pub mod reference;
pub mod resolve;
mod settle;
mod state;
pub mod witness;

use std::time::Duration;

pub use crate::error::refusal::MoveRefusal;
pub use execute::{execute, preview, settle_open_moves};
pub use input::{AmountInput, ItemSelection, MoveAction, MoveRequest, parse_items};
pub use plan::{OrderState, PlannedMove, WireRequest, plan};

pub use crate::store::ledger::{LedgerEntry, LedgerKind, LedgerState};

use crate::environment::Environment;
use crate::orders::CachedOrder;

/// How the reported outcome came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    /// Sent now, and Tamara answered.
    Sent,
    /// Sent now; the answer was lost or a failure, and re-reading the order settled it.
    ResolvedByReread,
    /// Not sent: the same move was already recorded (double click, retry); its outcome.
    AlreadyRecorded,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Sent => "sent",
            Disposition::ResolvedByReread => "resolved_by_reread",
            Disposition::AlreadyRecorded => "already_recorded",
        }
    }
}

/// The result of [`execute`].
#[derive(Debug, Clone)]
pub struct MoveOutcome {
    pub environment: Environment,
    pub planned: PlannedMove,
    /// The idempotency reference of the entry below.
    pub reference: String,
    /// The ledger entry as settled: `succeeded`, `failed` or `unknown`.
    pub entry: LedgerEntry,
    pub disposition: Disposition,
    /// What happened, and what to do next when it matters.
    pub message: String,
    /// The order as cached afterwards (None if it could not be re-read or cached).
    pub order: Option<CachedOrder>,
}

impl MoveOutcome {
    pub fn state(&self) -> LedgerState {
        self.entry.state
    }

    /// None when money moved as asked; else the stable code of why not.
    pub fn failure_code(&self) -> Option<crate::ErrorCode> {
        match self.entry.state {
            LedgerState::Succeeded => None,
            LedgerState::Failed => Some(crate::ErrorCode::MoveRejected),
            LedgerState::Unknown | LedgerState::Pending => {
                Some(crate::ErrorCode::MoveOutcomeUnknown)
            }
        }
    }
}

/// The result of [`preview`] (a dry run): the exact request, not sent.
#[derive(Debug, Clone)]
pub struct MovePreview {
    pub environment: Environment,
    /// Full URL the request would go to.
    pub url: String,
    pub planned: PlannedMove,
    /// The idempotency reference the move would be recorded under.
    pub reference: String,
    /// Production: the real move needs `--confirm <order_reference_id>`.
    pub requires_confirmation: bool,
    /// Earlier moves of this order still pending or unknown (the real move settles them
    /// first, or refuses).
    pub unsettled: Vec<LedgerEntry>,
    /// The same move already succeeded moments ago: the real command would report that entry
    /// and send nothing.
    pub duplicate_of: Option<LedgerEntry>,
}

/// How long a request can possibly stay in flight: twice the client's total timeout plus a
/// minute. Past it, a pending entry's owner is gone and an absent move will not appear.
pub fn in_flight_window(total_timeout: Duration) -> Duration {
    total_timeout * 2 + Duration::from_secs(60)
}

/// Compile-time check: the desktop shell runs moves on a multi-threaded runtime (Tauri
/// commands, `tokio::spawn`), so their futures must stay `Send`.
#[cfg(test)]
#[allow(dead_code)]
fn move_futures_are_send(console: &crate::Console, req: MoveRequest) {
    fn send<T: Send>(_: T) {}
    send(console.move_money(req.clone()));
    send(console.preview_move(req));
    send(console.settle_moves("order"));
}
