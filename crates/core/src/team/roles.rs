//! Who may do what: the four team roles, the closed list of actions the team server gates, and
//! the one table ([`grantees`]) that joins them.
//!
//! Invariants: every role may perform every read action; each other action is granted by the
//! single `match` in [`grantees`] and nowhere else, so the server's gate, the UI's hiding and the
//! role-matrix test all read the same answer. The text forms (`finance`, `refund`) are stable:
//! they are stored in the database and written to the audit log.
//!
//! Duties stay separate. Admin manages people, credentials and settings but moves no money and
//! changes no webhook: an admin account alone (stolen or rogue) cannot pay money out, and every
//! user it creates to do so is itself an audited admin act. Likewise finance does not touch
//! webhooks, and developers, who work on the integration, never move money.

use std::fmt;
use std::str::FromStr;

/// A team member's role. One role per user: a person who needs two duties gets two accounts,
/// so the audit log always says in which capacity something was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Users, credentials, settings.
    Admin,
    /// Checkouts and money moves, exports, settlements, disputes.
    Finance,
    /// Webhooks, the go-live checklist, the simulator.
    Developer,
    /// Reads everything, exports, verifies the audit log.
    Auditor,
}

/// A text that names no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?} (expected admin, finance, developer or auditor)")]
pub struct UnknownRole(pub String);

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Finance, Role::Developer, Role::Auditor];

    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Finance => "finance",
            Role::Developer => "developer",
            Role::Auditor => "auditor",
        }
    }
}

/// Serialised as its stored name (`finance`), as the team API shows it.
impl serde::Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownRole;

    /// Exactly the stored names; no case folding, as for [`crate::Environment`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// Generates [`Action`] with its stable names and [`Action::all`] from one list, so a new
/// action cannot be added without a name or be left out of the matrix test.
macro_rules! actions {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)+) => {
        /// Every operation the team server gates, read off the `Console` facade and the modules
        /// it calls. Closed on purpose: a route with no action here cannot be gated, so it
        /// cannot be served.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($(#[$doc])* $variant,)+
        }

        impl Action {
            const ALL: &'static [Action] = &[$(Action::$variant,)+];

            /// The stored name, as the audit log writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)+
                }
            }
        }
    };
}

actions! {
    // Reads: every role.
    /// Cached orders, one order, its statement; re-reading an order from Tamara.
    ReadOrders => "read_orders",
    /// The money-move ledger.
    ReadMoves => "read_moves",
    /// Webhook deliveries received, and their processing.
    ReadDeliveries => "read_deliveries",
    /// Status, attention list, stuck orders, alerts.
    ReadDashboard => "read_dashboard",
    /// Imported statements, reconciliations, payouts, the monthly view.
    ReadSettlements => "read_settlements",
    /// Disputes and their deadlines.
    ReadDisputes => "read_disputes",
    /// Webhook registrations at Tamara.
    ReadWebhooks => "read_webhooks",
    /// The go-live checklist and its sign-off report.
    ReadChecklist => "read_checklist",
    /// Recent audit log entries and checkpoints.
    ReadAuditLog => "read_audit_log",
    /// Settings, and whether credentials are set (never their values).
    ReadSettings => "read_settings",
    /// The team's members and roles.
    ReadTeam => "read_team",
    /// The queue of requests waiting for a second person.
    ReadApprovals => "read_approvals",
    /// Checks a checkout request against Tamara's schema; nothing is sent.
    CheckCheckout => "check_checkout",

    // Money and orders: finance.
    /// Creates a checkout session, online or in store.
    CreateCheckout => "create_checkout",
    /// Voids an in-store session the customer has not paid.
    VoidCheckout => "void_checkout",
    Authorise => "authorise",
    Capture => "capture",
    Refund => "refund",
    Cancel => "cancel",
    /// Settles a money move whose outcome stayed unknown.
    ResolveMove => "resolve_move",
    /// Corrects an order's reference at Tamara.
    SetOrderReference => "set_order_reference",
    /// Re-reads open orders and settles their pending moves (a reconciler sweep).
    Reconcile => "reconcile",
    /// Imports a Tamara settlement statement.
    ImportStatement => "import_statement",
    /// Reconciles a statement against the ledger.
    ReconcileStatement => "reconcile_statement",
    /// Records payouts: by hand or from the bank file.
    RecordPayout => "record_payout",
    /// Refreshes disputes from Tamara and comments on them.
    RespondToDispute => "respond_to_dispute",

    // Exports: finance and auditor.
    ExportSettlement => "export_settlement",
    ExportOrders => "export_orders",
    ExportAuditLog => "export_audit_log",
    /// A statement's reconciliation report for the accountant.
    ExportReconciliation => "export_reconciliation",

    // The audit log's integrity: auditor.
    /// Verifies the chain against its signed checkpoints (and signs an intact head).
    VerifyAuditLog => "verify_audit_log",

    // Integration: developer.
    RegisterWebhook => "register_webhook",
    UpdateWebhook => "update_webhook",
    RemoveWebhook => "remove_webhook",
    /// Reprocesses a stored delivery (never moves money twice).
    ReplayDelivery => "replay_delivery",
    /// Webhook self-test and registration health check.
    TestWebhooks => "test_webhooks",
    /// Marks a checklist item done or not, with a note.
    MarkChecklist => "mark_checklist",
    /// The go-live rehearsal against the simulator.
    RehearseChecklist => "rehearse_checklist",
    /// The simulator's controls and the demo traffic (sandbox only).
    ControlSimulator => "control_simulator",

    // Administration: admin.
    /// Adds, disables and re-roles users; revokes their tokens.
    ManageUsers => "manage_users",
    /// Sets, tests and deletes Tamara credentials.
    ManageCredentials => "manage_credentials",
    /// Rotates the audit log's signing key.
    RotateAuditKey => "rotate_audit_key",
    /// Settings, including dispute response days and the approval policy.
    ChangeSettings => "change_settings",

    // Four-eyes.
    /// Approves or rejects a pending request. The route gate only: whether this user may
    /// decide a given request is [`may_decide`].
    DecideApproval => "decide_approval",
}

impl Action {
    /// Every action, in declaration order (for the role matrix and the UI's capability list).
    pub fn all() -> impl Iterator<Item = Action> {
        Action::ALL.iter().copied()
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that names no action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown action {0:?}")]
pub struct UnknownAction(pub String);

impl FromStr for Action {
    type Err = UnknownAction;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Action::all()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| UnknownAction(s.to_owned()))
    }
}

use Role::{Admin, Auditor, Developer, Finance};

const EVERYONE: &[Role] = &[Admin, Finance, Developer, Auditor];
const FINANCE: &[Role] = &[Finance];
const EXPORTERS: &[Role] = &[Finance, Auditor];
const AUDITOR: &[Role] = &[Auditor];
const DEVELOPER: &[Role] = &[Developer];
const ADMIN: &[Role] = &[Admin];
/// The roles that perform an action some request may need approval for (money moves, webhook
/// changes): only they may reach the approval route.
const APPROVERS: &[Role] = &[Finance, Developer];

/// The one table: the roles that may perform `action`.
pub fn grantees(action: Action) -> &'static [Role] {
    use Action::*;
    match action {
        ReadOrders | ReadMoves | ReadDeliveries | ReadDashboard | ReadSettlements
        | ReadDisputes | ReadWebhooks | ReadChecklist | ReadAuditLog | ReadSettings | ReadTeam
        | ReadApprovals | CheckCheckout => EVERYONE,
        CreateCheckout | VoidCheckout | Authorise | Capture | Refund | Cancel | ResolveMove
        | SetOrderReference | Reconcile | ImportStatement | ReconcileStatement | RecordPayout
        | RespondToDispute => FINANCE,
        ExportSettlement | ExportOrders | ExportAuditLog | ExportReconciliation => EXPORTERS,
        VerifyAuditLog => AUDITOR,
        RegisterWebhook | UpdateWebhook | RemoveWebhook | ReplayDelivery | TestWebhooks
        | MarkChecklist | RehearseChecklist | ControlSimulator => DEVELOPER,
        ManageUsers | ManageCredentials | RotateAuditKey | ChangeSettings => ADMIN,
        DecideApproval => APPROVERS,
    }
}

/// Whether `role` may perform `action`.
pub fn permits(role: Role, action: Action) -> bool {
    grantees(action).contains(&role)
}

/// Whether `role` may approve or reject a request to perform `requested`: the roles that may
/// perform an action are the ones trusted to judge it (a developer approves a developer's
/// production webhook change, finance a refund).
pub fn may_decide(role: Role, requested: Action) -> bool {
    permits(role, Action::DecideApproval) && permits(role, requested)
}

#[cfg(test)]
#[path = "roles_tests.rs"]
mod tests;
