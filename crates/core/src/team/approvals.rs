//! Four-eyes: which requests wait for a second person, and the life of one waiting request.
//!
//! Invariants: the requester never decides their own request, neither approving nor rejecting
//! it; a request is decided at most once, so the money moves at most once, and only after
//! `approve` returned `Ok`; a request not decided by its expiry can no longer be; only a role
//! that may perform the action (see [`may_decide`]) decides it. Time is always an argument: the
//! server passes its clock's reading, and tests pass boundaries.
//!
//! The policy applies in both environments (the sandbox rehearses the production flow), except
//! for webhooks: only a production webhook change can break real order updates.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;

use super::roles::{Action, Role, may_decide, permits};
use crate::environment::Environment;
use crate::money::{Currency, Money};

/// A team member's identity: the server's row id for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(pub i64);

/// Who is acting, and in which role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member {
    pub id: UserId,
    pub role: Role,
}

/// A webhook change, as the approval queue names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebhookChange {
    Register,
    Update,
    Remove,
}

/// An action that may have to wait for approval, with what decides whether it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApprovalRequest {
    Refund {
        amount: Money,
    },
    Cancel {
        amount: Money,
    },
    Webhook {
        change: WebhookChange,
        environment: Environment,
    },
}

impl ApprovalRequest {
    /// The gated action this request would perform.
    pub fn action(&self) -> Action {
        match self {
            ApprovalRequest::Refund { .. } => Action::Refund,
            ApprovalRequest::Cancel { .. } => Action::Cancel,
            ApprovalRequest::Webhook { change, .. } => match change {
                WebhookChange::Register => Action::RegisterWebhook,
                WebhookChange::Update => Action::UpdateWebhook,
                WebhookChange::Remove => Action::RemoveWebhook,
            },
        }
    }
}

/// When refunds and cancels need a second person, and how long a request may wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalPolicy {
    /// Per currency, the smallest amount that needs approval. A currency missing here needs
    /// approval for every amount: an unconfigured currency fails closed.
    thresholds: BTreeMap<Currency, Money>,
    /// How long a request waits before it expires.
    pub ttl: TimeDelta,
}

impl ApprovalPolicy {
    /// A policy with these thresholds (one per currency; a later one replaces an earlier one of
    /// the same currency).
    pub fn new(thresholds: impl IntoIterator<Item = Money>, ttl: TimeDelta) -> Self {
        ApprovalPolicy {
            thresholds: thresholds.into_iter().map(|m| (m.currency(), m)).collect(),
            ttl,
        }
    }

    /// The threshold of `currency`, if one is set.
    pub fn threshold(&self, currency: Currency) -> Option<Money> {
        self.thresholds.get(&currency).copied()
    }
}

impl Default for ApprovalPolicy {
    /// 5,000.00 in SAR, AED and QAR; 500.000 in KWD, BHD and OMR (the three-decimal currencies
    /// are worth about ten times as much, so the bar is about the same, ~1,300 USD); requests
    /// expire after 24 hours, long enough for a colleague in another shift.
    fn default() -> Self {
        let threshold = |c: Currency| {
            let major = if c.precision() == 3 { 500 } else { 5_000 };
            // Whole amounts always fit a currency's precision; were one refused, the currency
            // would be missing and so fail closed rather than panic.
            Money::new(Decimal::from(major), c).ok()
        };
        ApprovalPolicy::new(
            Currency::ALL.into_iter().filter_map(threshold),
            TimeDelta::hours(24),
        )
    }
}

/// Whether `request` must wait for a second person: a refund or cancel at or above its
/// currency's threshold (or in a currency without one), and any production webhook change.
pub fn needs_approval(policy: &ApprovalPolicy, request: &ApprovalRequest) -> bool {
    match request {
        ApprovalRequest::Refund { amount } | ApprovalRequest::Cancel { amount } => {
            match policy.threshold(amount.currency()) {
                Some(threshold) => amount.amount() >= threshold.amount(),
                None => true,
            }
        }
        ApprovalRequest::Webhook { environment, .. } => *environment == Environment::Production,
    }
}

/// Why a request could not be made, approved or rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApprovalError {
    #[error("the requester cannot decide their own request; a second person must")]
    SelfApproval,
    #[error("the request expired at {expired_at}; ask again")]
    Expired { expired_at: DateTime<Utc> },
    #[error("the request was already decided")]
    AlreadyDecided,
    #[error("the {role} role may not {action}")]
    NotPermitted { role: Role, action: Action },
}

/// Where a request stands. Decided states are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalState {
    Pending,
    Approved {
        by: UserId,
        at: DateTime<Utc>,
    },
    Rejected {
        by: UserId,
        at: DateTime<Utc>,
    },
    /// Nobody decided before `expires_at`; recorded by [`PendingApproval::expire`].
    Expired,
}

/// One request waiting for a second person (a row of the approval queue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingApproval {
    request: ApprovalRequest,
    requester: Member,
    requested_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    state: ApprovalState,
}

impl PendingApproval {
    /// Queues `request` for `requester` at `at`, expiring `policy.ttl` later.
    ///
    /// # Errors
    /// [`ApprovalError::NotPermitted`] when the requester's role may not perform the action
    /// itself: asking is not a way around the role matrix.
    pub fn request(
        request: ApprovalRequest,
        requester: Member,
        at: DateTime<Utc>,
        policy: &ApprovalPolicy,
    ) -> Result<Self, ApprovalError> {
        let action = request.action();
        if !permits(requester.role, action) {
            return Err(ApprovalError::NotPermitted {
                role: requester.role,
                action,
            });
        }
        Ok(PendingApproval {
            request,
            requester,
            requested_at: at,
            // A TTL so large it overflows the calendar never expires; not a reason to fail.
            expires_at: at
                .checked_add_signed(policy.ttl)
                .unwrap_or(DateTime::<Utc>::MAX_UTC),
            state: ApprovalState::Pending,
        })
    }

    pub fn request_details(&self) -> &ApprovalRequest {
        &self.request
    }

    pub fn requester(&self) -> Member {
        self.requester
    }

    pub fn requested_at(&self) -> DateTime<Utc> {
        self.requested_at
    }

    /// The first instant at which the request can no longer be decided.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.expires_at
    }

    /// The stored state; a `Pending` past its expiry is expired all the same (see
    /// [`PendingApproval::state_at`]).
    pub fn state(&self) -> ApprovalState {
        self.state
    }

    /// The state as of `now`: a pending request at or past its expiry reads as expired even
    /// before [`PendingApproval::expire`] records it, so the queue never shows it as decidable.
    pub fn state_at(&self, now: DateTime<Utc>) -> ApprovalState {
        match self.state {
            ApprovalState::Pending if now >= self.expires_at => ApprovalState::Expired,
            state => state,
        }
    }

    /// Approves the request. On `Ok` — and only then, and only once — the caller performs the
    /// action, in the requester's name and with this approver recorded.
    ///
    /// # Errors
    /// See [`PendingApproval::decide`].
    pub fn approve(&mut self, approver: Member, now: DateTime<Utc>) -> Result<(), ApprovalError> {
        self.decide(approver, now)?;
        self.state = ApprovalState::Approved {
            by: approver.id,
            at: now,
        };
        Ok(())
    }

    /// Rejects the request: nothing is performed, and it can never be approved afterwards.
    ///
    /// # Errors
    /// See [`PendingApproval::decide`].
    pub fn reject(&mut self, approver: Member, now: DateTime<Utc>) -> Result<(), ApprovalError> {
        self.decide(approver, now)?;
        self.state = ApprovalState::Rejected {
            by: approver.id,
            at: now,
        };
        Ok(())
    }

    /// Records the expiry of a request still pending at or after `expires_at`; says whether it
    /// did. For the server's sweep of the queue.
    pub fn expire(&mut self, now: DateTime<Utc>) -> bool {
        let due = self.state == ApprovalState::Pending && now >= self.expires_at;
        if due {
            self.state = ApprovalState::Expired;
        }
        due
    }

    /// The checks shared by approving and rejecting, in the order that tells the decider the
    /// most useful thing first: a decided or expired request is over whoever asks.
    ///
    /// # Errors
    /// [`ApprovalError::AlreadyDecided`] once approved or rejected;
    /// [`ApprovalError::Expired`] at or after `expires_at` (recorded or not); [`ApprovalError::SelfApproval`]
    /// when `approver` is the requester, whatever their role; [`ApprovalError::NotPermitted`]
    /// when the approver's role may not perform the action.
    fn decide(&self, approver: Member, now: DateTime<Utc>) -> Result<(), ApprovalError> {
        match self.state {
            ApprovalState::Pending => {}
            ApprovalState::Expired => {
                return Err(ApprovalError::Expired {
                    expired_at: self.expires_at,
                });
            }
            ApprovalState::Approved { .. } | ApprovalState::Rejected { .. } => {
                return Err(ApprovalError::AlreadyDecided);
            }
        }
        if now >= self.expires_at {
            return Err(ApprovalError::Expired {
                expired_at: self.expires_at,
            });
        }
        // By identity, not by role: the same person with another role is still the requester.
        if approver.id == self.requester.id {
            return Err(ApprovalError::SelfApproval);
        }
        let action = self.request.action();
        if !may_decide(approver.role, action) {
            return Err(ApprovalError::NotPermitted {
                role: approver.role,
                action,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "approvals_tests.rs"]
mod tests;
