//! Statements imported into a real SQLite file and reconciled against its ledger: idempotent
//! import, revisions with their differences, another merchant refused, every outcome code, the
//! Riyadh cut of the period, and the report written without overwriting.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use mizan_core::environment::Environment::Sandbox;
use mizan_core::error::Error;
use mizan_core::money::Currency::Sar;
use mizan_core::statements::{ImportKind, ImportOptions, Outcome, Reconciliation};
use mizan_core::store::ledger::LedgerKind::{Capture, Refund};
use mizan_core::{Console, ErrorCode};

use crate::common::console;
use crate::export_fixture::{money, observed, order};

const HEADER: &str = "Transaction Date,Tamara Order ID,Merchant Order ID,Refund Reason,Payment Type,\
Order Status,Currency,Order Amount,Event,Event Amount,Event Date,Tamara Fixed Fees,\
Tamara Variable Fees %,Tamara Variable Fees,Total Fees,VAT Collected by Tamara,\
Total Payable to Merchant,Installments";

/// A captured line with 1.00 fixed + 2 % variable fees and 15 % VAT on them, consistent.
pub(crate) fn captured(order: &str, amount: &str) -> String {
    let a: f64 = amount.parse().unwrap(); // test data only: every figure below is written as text
    let cents = (a * 100.0).round() as i64;
    let variable = (cents * 2 + 50) / 100;
    let total = 100 + variable;
    let vat = (total * 15 + 50) / 100;
    let payable = cents - total - vat;
    let m = |c: i64| format!("{}.{:02}", c / 100, c % 100);
    format!(
        "02/12/2026,{order},R-{order},,PAY_BY_INSTALMENTS,fully_captured,SAR,{amount},Captured,{amount},\
         02/12/2026,1.00,2%,{},{},{},{},3",
        m(variable),
        m(total),
        m(vat),
        m(payable)
    )
}

pub(crate) fn refunded(order: &str, amount: &str) -> String {
    format!(
        "03/12/2026,{order},R-{order},changed mind,PAY_BY_INSTALMENTS,fully_refunded,SAR,{amount},\
         Refunded,-{amount},03/12/2026,0,0,0,0,0,-{amount},3"
    )
}

pub(crate) fn write(dir: &Path, name: &str, merchant: &str, lines: &[String]) -> PathBuf {
    let path = dir.join(name);
    let body = format!(
        "Statement ID,ST-2026-49\nStatement Date,08/12/2026\nStatement Period,01/12/2026 - 07/12/2026\n\
         Tamara Merchant ID,{merchant}\n\n{HEADER}\n{}\n",
        lines.join("\n")
    );
    std::fs::write(&path, body).unwrap();
    path
}

/// Orders and settled moves: the Riyadh week 1–7 December 2026 is 30 Nov 21:00Z – 7 Dec 21:00Z.
pub(crate) async fn ledger(c: &Console) {
    let s = c.store();
    for id in ["o-1", "o-2", "o-3", "o-4", "o-5", "o-6", "o-7", "o-8"] {
        order(s, Sandbox, id, &format!("R-{id}"), Sar).await;
    }
    let moves = [
        ("o-1", Capture, "cap-1", "460.00", "2026-12-02T10:00:00Z"),
        ("o-2", Capture, "cap-2", "100.00", "2026-12-02T10:00:00Z"),
        ("o-2", Refund, "ref-2", "100.00", "2026-12-03T10:00:00Z"),
        ("o-3", Capture, "cap-3", "200.00", "2026-12-02T10:00:00Z"),
        // In the Riyadh week (1 Dec 01:30 Riyadh), though 30 Nov in UTC; in no statement.
        ("o-4", Capture, "cap-4", "50.00", "2026-11-30T22:30:00Z"),
        ("o-5", Capture, "cap-5", "300.00", "2026-12-02T10:00:00Z"),
        // 8 Dec 00:30 in Riyadh: next week's, not missing from this one.
        ("o-6", Capture, "cap-6", "70.00", "2026-12-07T21:30:00Z"),
        ("o-7", Capture, "cap-7", "30.00", "2026-12-02T10:00:00Z"),
    ];
    for (o, kind, gid, amount, at) in moves {
        observed(s, Sandbox, o, kind, gid, money(amount, Sar), at, None).await;
    }
}

pub(crate) fn lines() -> Vec<String> {
    let mut fees_wrong = captured("o-5", "300.00");
    fees_wrong = fees_wrong.replace(",7.00,", ",9.00,"); // total fees 9.00 ≠ 1.00 + 6.00
    vec![
        captured("o-1", "460.00"),
        captured("o-2", "100.00"),
        refunded("o-2", "100.00"),
        captured("o-3", "210.00"),
        fees_wrong,
        captured("o-7", "30.00"),
        captured("o-7", "30.00"),
        captured("o-9", "80.00"),
    ]
}

fn outcome_of(r: &Reconciliation, order: &str) -> Vec<Outcome> {
    r.rows
        .iter()
        .filter(|x| x.tamara_order_id == order)
        .map(|x| x.outcome)
        .collect()
}

#[tokio::test]
async fn a_statement_is_imported_once_reconciled_line_by_line_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let c = console(&dir.path().join("data"), &[]).await;
    ledger(&c).await;
    let file = write(dir.path(), "st.csv", "m-42", &lines());
    let opts = ImportOptions::default();

    let first = c.import_statement(&file, &opts).await.unwrap();
    assert_eq!(
        (first.kind, first.statement.revision),
        (ImportKind::Imported, 1)
    );
    assert_eq!(first.statement.statement_id, "ST-2026-49");
    assert_eq!(first.statement.line_count, 8);
    assert_eq!(first.statement.time_zone, "Asia/Riyadh");
    let again = c.import_statement(&file, &opts).await.unwrap();
    assert_eq!(
        again.kind,
        ImportKind::Unchanged,
        "the same file changes nothing"
    );
    assert_eq!(again.statement.id, first.statement.id);
    assert_eq!(c.statements().await.unwrap().len(), 1);

    let r = c.reconcile_statement(first.statement.id).await.unwrap();
    assert_eq!(outcome_of(&r, "o-1"), [Outcome::Matched]);
    assert_eq!(outcome_of(&r, "o-2"), [Outcome::NetZero, Outcome::NetZero]);
    assert_eq!(outcome_of(&r, "o-3"), [Outcome::AmountDiffers]);
    let o3 = r.rows.iter().find(|x| x.tamara_order_id == "o-3").unwrap();
    assert_eq!(
        (o3.statement_amount, o3.ledger_amount),
        (Some(money("210.00", Sar)), Some(money("200.00", Sar))),
        "both amounts are shown"
    );
    assert_eq!(
        outcome_of(&r, "o-4"),
        [Outcome::NotInStatement],
        "cut in Riyadh time"
    );
    assert_eq!(outcome_of(&r, "o-5"), [Outcome::FeesInconsistent]);
    assert!(
        outcome_of(&r, "o-6").is_empty(),
        "the next week's capture is not missing here"
    );
    assert_eq!(
        outcome_of(&r, "o-7"),
        [Outcome::Matched, Outcome::DuplicateLine]
    );
    assert_eq!(outcome_of(&r, "o-9"), [Outcome::NotInMizan]);
    assert!(
        !r.rows
            .iter()
            .find(|x| x.tamara_order_id == "o-9")
            .unwrap()
            .order_cached
    );
    assert!(!r.balanced);
    assert_eq!(r.differences().count(), 5);
    let totals = r.totals.as_ref().unwrap();
    assert_eq!(totals.refunded, money("-100.00", Sar));

    // The report: one row per line and missing movement, never over an existing file.
    let out = dir.path().join("report.csv");
    assert_eq!(
        c.export_reconciliation(first.statement.id, &out, false)
            .await
            .unwrap(),
        9
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("\u{feff}outcome,statement_id,statement_row"));
    assert!(text.contains(
        "amount_differs,ST-2026-49,10,2026-12-02,o-3,R-o-3,captured,SAR,210.00,200.00,10.00"
    ));
    let refused = c
        .export_reconciliation(first.statement.id, &out, false)
        .await
        .unwrap_err();
    assert_eq!(refused.code(), ErrorCode::ExportFileExists);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        text,
        "the first report is untouched"
    );
}

#[tokio::test]
async fn a_changed_file_is_a_revision_with_its_differences_and_another_merchant_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let c = console(&dir.path().join("data"), &[]).await;
    ledger(&c).await;
    let opts = ImportOptions::default();
    let first = c
        .import_statement(&write(dir.path(), "a.csv", "m-42", &lines()), &opts)
        .await
        .unwrap();
    let mut changed = lines();
    changed[3] = captured("o-3", "200.00");
    changed.pop();
    let second = c
        .import_statement(&write(dir.path(), "b.csv", "m-42", &changed), &opts)
        .await
        .unwrap();
    assert_eq!(
        (second.kind, second.statement.revision),
        (ImportKind::Revision, 2)
    );
    assert_eq!(second.previous_revision, Some(1));
    let summary: Vec<_> = second
        .changes
        .iter()
        .map(|ch| (ch.tamara_order_id.as_str(), ch.change))
        .collect();
    assert_eq!(summary, [("o-3", "changed"), ("o-9", "removed")]);
    assert!(second.changes[0].fields.contains(&"amount"));
    assert_ne!(
        first.statement.id, second.statement.id,
        "the first revision is kept"
    );
    let r = c.reconcile_statement(second.statement.id).await.unwrap();
    assert_eq!(outcome_of(&r, "o-3"), [Outcome::Matched]);

    let other = write(dir.path(), "c.csv", "m-43", &lines()[..1]);
    let err = c.import_statement(&other, &opts).await.unwrap_err();
    assert!(matches!(err, Error::StatementOtherMerchant { .. }), "{err}");
    assert_eq!(err.code(), ErrorCode::StatementOtherMerchant);
    assert_eq!(c.statements().await.unwrap().len(), 2, "nothing imported");
    let missing = c.reconcile_statement(999).await.unwrap_err();
    assert_eq!(missing.code(), ErrorCode::StatementNotFound);
}

#[tokio::test]
async fn the_statements_own_summary_is_checked_against_the_sum_of_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    let c = console(&dir.path().join("data"), &[]).await;
    ledger(&c).await;
    // o-1: 460.00 captured, fees 10.20, VAT 1.53, payable 448.27 (see `captured`).
    let summary = |sales: &str| {
        format!(
            "Summary by Payment Type,Currency,Sales,Refunds,Fees,VAT on Fees,Net Settlement\n\
             PAY_BY_INSTALMENTS,SAR,{sales},0.00,10.20,1.53,448.27\n\n"
        )
    };
    let file = |name: &str, sales: &str| {
        let path = dir.path().join(name);
        let body = format!(
            "Statement ID,{name}\nStatement Period,01/12/2026 - 07/12/2026\nTamara Merchant ID,m-42\n\n\
             {}{HEADER}\n{}\n",
            summary(sales),
            captured("o-1", "460.00")
        );
        std::fs::write(&path, body).unwrap();
        path
    };
    let opts = ImportOptions::default();
    let agrees = c
        .import_statement(&file("a.csv", "460.00"), &opts)
        .await
        .unwrap();
    let r = c.reconcile_statement(agrees.statement.id).await.unwrap();
    assert!(
        r.totals_differences.is_empty(),
        "{:?}",
        r.totals_differences
    );
    let differs = c
        .import_statement(&file("b.csv", "470.00"), &opts)
        .await
        .unwrap();
    let r = c.reconcile_statement(differs.statement.id).await.unwrap();
    let found: Vec<_> = r
        .totals_differences
        .iter()
        .map(|d| (d.figure, d.stated, d.lines))
        .collect();
    assert_eq!(
        found,
        [("sales", money("470.00", Sar), money("460.00", Sar))]
    );
    assert!(
        !r.balanced,
        "a summary that does not add up is a difference"
    );
}
