//! People and permissions for the coming team server (`mizan serve` on PostgreSQL, issue 25):
//! roles and what each may do ([`roles`]), personal tokens hashed at rest ([`tokens`]),
//! four-eyes approvals ([`approvals`]) and the failed-login throttle ([`login_throttle`]).
//!
//! Pure: no database, no HTTP, no clock — every instant is an argument, every rule a function
//! unit-tested here. The server's storage and routes come next and call these rules; they hold
//! no rules of their own, so the server's gate and the UI's hiding cannot disagree.
//!
//! Depends only on low-level modules (money, environment), so anything above may use it.

pub mod approvals;
pub mod login_throttle;
pub mod roles;
pub mod tokens;

pub use approvals::{
    ApprovalError, ApprovalPolicy, ApprovalRequest, ApprovalState, Member, PendingApproval, UserId,
    WebhookChange, needs_approval,
};
pub use login_throttle::{LockedOut, LoginThrottle, ThrottleKey, ThrottlePolicy};
pub use roles::{Action, Role, UnknownAction, UnknownRole, grantees, may_decide, permits};
pub use tokens::{PersonalToken, StoredToken, TokenError, TokenHasher, lookup_prefix, verify};
