#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use super::*;

/// The role matrix, written out by hand: `A`dmin, `F`inance, `D`eveloper, a`U`ditor, `-` for
/// no. A change to [`grantees`] must change this table too, on purpose.
const MATRIX: &[(Action, &str)] = &[
    (Action::ReadOrders, "AFDU"),
    (Action::ReadMoves, "AFDU"),
    (Action::ReadDeliveries, "AFDU"),
    (Action::ReadDashboard, "AFDU"),
    (Action::ReadSettlements, "AFDU"),
    (Action::ReadDisputes, "AFDU"),
    (Action::ReadWebhooks, "AFDU"),
    (Action::ReadChecklist, "AFDU"),
    (Action::ReadAuditLog, "AFDU"),
    (Action::ReadSettings, "AFDU"),
    (Action::ReadTeam, "AFDU"),
    (Action::ReadApprovals, "AFDU"),
    (Action::CheckCheckout, "AFDU"),
    (Action::CreateCheckout, "-F--"),
    (Action::VoidCheckout, "-F--"),
    (Action::Authorise, "-F--"),
    (Action::Capture, "-F--"),
    (Action::Refund, "-F--"),
    (Action::Cancel, "-F--"),
    (Action::ResolveMove, "-F--"),
    (Action::SetOrderReference, "-F--"),
    (Action::Reconcile, "-F--"),
    (Action::ImportStatement, "-F--"),
    (Action::ReconcileStatement, "-F--"),
    (Action::RecordPayout, "-F--"),
    (Action::RespondToDispute, "-F--"),
    (Action::ExportSettlement, "-F-U"),
    (Action::ExportOrders, "-F-U"),
    (Action::ExportAuditLog, "-F-U"),
    (Action::ExportReconciliation, "-F-U"),
    (Action::VerifyAuditLog, "---U"),
    (Action::RegisterWebhook, "--D-"),
    (Action::UpdateWebhook, "--D-"),
    (Action::RemoveWebhook, "--D-"),
    (Action::ReplayDelivery, "--D-"),
    (Action::TestWebhooks, "--D-"),
    (Action::MarkChecklist, "--D-"),
    (Action::RehearseChecklist, "--D-"),
    (Action::ControlSimulator, "--D-"),
    (Action::ManageUsers, "A---"),
    (Action::ManageCredentials, "A---"),
    (Action::RotateAuditKey, "A---"),
    (Action::ChangeSettings, "A---"),
    (Action::DecideApproval, "-FD-"),
];

fn letter(role: Role) -> char {
    match role {
        Role::Admin => 'A',
        Role::Finance => 'F',
        Role::Developer => 'D',
        Role::Auditor => 'U',
    }
}

#[test]
fn the_matrix_is_exactly_the_table() {
    let listed: Vec<Action> = MATRIX.iter().map(|(a, _)| *a).collect();
    assert_eq!(
        listed,
        Action::all().collect::<Vec<_>>(),
        "the table lists every action once, in declaration order"
    );
    for (action, row) in MATRIX {
        let expected: Vec<char> = row.chars().collect();
        assert_eq!(expected.len(), Role::ALL.len(), "{action}");
        for (role, want) in Role::ALL.into_iter().zip(expected) {
            assert_eq!(
                permits(role, *action),
                want == letter(role),
                "{role} × {action}: the table says {row}"
            );
        }
    }
}

#[test]
fn every_role_may_read_and_only_reads_are_universal() {
    for action in Action::all() {
        let everyone = Role::ALL.into_iter().all(|r| permits(r, action));
        assert_eq!(
            everyone,
            action.as_str().starts_with("read_") || action == Action::CheckCheckout,
            "{action}"
        );
    }
}

#[test]
fn admin_moves_no_money_and_every_action_has_someone() {
    for money in [
        Action::Authorise,
        Action::Capture,
        Action::Refund,
        Action::Cancel,
        Action::CreateCheckout,
        Action::VoidCheckout,
        Action::RecordPayout,
    ] {
        assert!(!permits(Role::Admin, money), "{money}");
    }
    for action in Action::all() {
        assert!(!grantees(action).is_empty(), "{action} has no role");
    }
}

#[test]
fn a_request_is_decided_by_the_role_that_may_perform_it() {
    assert!(may_decide(Role::Finance, Action::Refund));
    assert!(may_decide(Role::Finance, Action::Cancel));
    assert!(may_decide(Role::Developer, Action::RegisterWebhook));
    assert!(!may_decide(Role::Developer, Action::Refund));
    assert!(!may_decide(Role::Finance, Action::RemoveWebhook));
    assert!(!may_decide(Role::Admin, Action::Refund));
    assert!(!may_decide(Role::Auditor, Action::Refund));
    // Reads need no approval; holding them does not make an auditor an approver.
    assert!(!may_decide(Role::Auditor, Action::ReadOrders));
}

#[test]
fn names_round_trip_and_are_unique() {
    for role in Role::ALL {
        assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        assert_eq!(role.to_string(), role.as_str());
    }
    assert_eq!(
        "Admin".parse::<Role>(),
        Err(UnknownRole("Admin".to_owned()))
    );
    assert!("".parse::<Role>().is_err());

    let mut names = BTreeSet::new();
    for action in Action::all() {
        assert_eq!(action.as_str().parse::<Action>().unwrap(), action);
        assert_eq!(action.to_string(), action.as_str());
        assert!(names.insert(action.as_str()), "{action} named twice");
        assert!(
            action
                .as_str()
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_'),
            "{action}"
        );
    }
    assert_eq!(
        "refund ".parse::<Action>(),
        Err(UnknownAction("refund ".to_owned()))
    );
}

#[test]
fn the_stored_names_do_not_drift() {
    // These texts are in databases and audit logs: renaming one is a migration, not a tidy.
    assert_eq!(Role::Auditor.as_str(), "auditor");
    assert_eq!(Action::Refund.as_str(), "refund");
    assert_eq!(Action::RegisterWebhook.as_str(), "register_webhook");
    assert_eq!(Action::DecideApproval.as_str(), "decide_approval");
    assert_eq!(Action::all().count(), 44);
}
