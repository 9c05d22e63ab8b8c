//! Drift test: the committed `ui/src/ipc/bindings.ts` must be exactly what the Rust commands,
//! events and DTOs generate, so the UI can never call a command the shell does not have (or
//! with the wrong shape). Regenerate with `cargo run -p mizan-app --bin export-bindings`, or run
//! this test with `MIZAN_UPDATE_BINDINGS=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

#[test]
fn committed_bindings_match_the_code() {
    let committed = Path::new(mizan_app::BINDINGS_PATH);
    if std::env::var("MIZAN_UPDATE_BINDINGS").is_ok_and(|v| v == "1") {
        mizan_app::generate_bindings(committed).unwrap();
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("bindings.ts");
    mizan_app::generate_bindings(&fresh).unwrap();
    let want = std::fs::read_to_string(&fresh).unwrap();
    let have = std::fs::read_to_string(committed).unwrap_or_default();
    if want != have {
        let line = want
            .lines()
            .zip(have.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| want.lines().count().min(have.lines().count()));
        panic!(
            "ui/src/ipc/bindings.ts is out of date (first difference at line {}): run \
             `cargo run -p mizan-app --bin export-bindings` and commit the result",
            line + 1
        );
    }
}

#[test]
fn every_contract_command_and_event_is_exported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bindings.ts");
    mizan_app::generate_bindings(&path).unwrap();
    let ts = std::fs::read_to_string(path).unwrap();
    for name in [
        "appInfo:",
        "switchEnvironment:",
        "ordersPage:",
        "attentionQueue:",
        "savedViews:",
        "saveView:",
        "deleteView:",
        "orderDetail:",
        "orderRefresh:",
        "movePreview:",
        "moveExecute:",
        "webhooksList:",
        "webhookRegister:",
        "webhookUpdate:",
        "webhookDelete:",
        "deliveriesPage:",
        "deliveryDetail:",
        "deliveryReplay:",
        "disputesList:",
        "disputesRefresh:",
        "disputeComment:",
        "tokenCheck:",
        "webhookSelfTest:",
        "exportRun:",
        "checklist:",
        "checklistMark:",
        "checklistRehearse:",
        "checklistReport:",
        "dashboard:",
        "settings:",
        "settingsSave:",
        "credentialsStatus:",
        "credentialsSet:",
        "credentialsTest:",
        "demoTraffic:",
        "payoutsList:",
        "payoutAdd:",
        "payoutImport:",
        "settlementMonth:",
        "deliveryReceived:",
        "orderChanged:",
        "healthChanged:",
        "exportProgress:",
        "rehearsalProgress:",
    ] {
        assert!(ts.contains(name), "{name} missing from the bindings");
    }
    // Money crosses as text, never as a JS number.
    let row = ts.split("export type OrderRow = {").nth(1).unwrap();
    let row = &row[..row.find("};").unwrap()];
    assert!(row.contains("total: string"), "{row}");
    let payout = ts.split("export type PayoutRow = {").nth(1).unwrap();
    let payout = &payout[..payout.find("};").unwrap()];
    assert!(payout.contains("difference: string"), "{payout}");
    assert!(
        !ts.contains("bigint"),
        "no 64-bit integers cross the boundary"
    );
}
