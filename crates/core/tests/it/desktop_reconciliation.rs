//! The reconciliation screen's calls on a real SQLite file: the list says which statement
//! balances, one statement's view carries every outcome with both amounts as exact strings and
//! the fee problems, the import answer tells imported / unchanged / revision, the report is
//! never written over a file unless asked, and the repair is refused for an order the
//! statement does not name (before anything is sent to Tamara); the order's screen lists the
//! statement lines that settled it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mizan_core::ErrorCode;
use mizan_core::desktop::reconciliation::{self as recon, StatementView};
use mizan_core::statements::{ImportKind, Outcome};

use crate::common::console;
use crate::settlement_reconcile::{captured, ledger, lines, write};

fn rows_of<'a>(v: &'a StatementView, order: &str) -> Vec<&'a recon::ReconRowView> {
    v.rows.iter().filter(|r| r.order_id == order).collect()
}

#[tokio::test]
async fn the_screen_lists_shows_imports_exports_and_guards_the_repair() {
    let dir = tempfile::tempdir().unwrap();
    let c = console(&dir.path().join("data"), &[]).await;
    ledger(&c).await;
    let file = write(dir.path(), "st.csv", "m-42", &lines());
    let path = file.to_str().unwrap();

    let first = recon::import(&c, path).await.unwrap();
    assert_eq!(first.kind, ImportKind::Imported);
    assert_eq!(
        (
            first.statement.statement_id.as_str(),
            first.statement.revision
        ),
        ("ST-2026-49", 1)
    );
    assert_eq!(
        (
            first.statement.period_start.as_str(),
            first.statement.period_end.as_str()
        ),
        ("2026-12-01", "2026-12-07")
    );
    assert!(first.statement.imported_at.ends_with('Z'));
    let again = recon::import(&c, &format!("  {path} ")).await.unwrap();
    assert_eq!(again.kind, ImportKind::Unchanged);
    assert!(again.changes.is_empty());
    let blank = recon::import(&c, " ").await.unwrap_err();
    assert_eq!(blank.code(), ErrorCode::InvalidInput);

    let list = recon::list(&c).await.unwrap();
    assert_eq!(list.len(), 1);
    assert!(!list[0].balanced);
    assert_eq!(list[0].differences, 5);

    let id = first.statement.id;
    let v = recon::show(&c, id).await.unwrap();
    assert!(!v.balanced);
    assert_eq!(v.vat_percent, "15");
    let count = |o: Outcome| v.counts.iter().find(|c| c.outcome == o).unwrap().count;
    assert_eq!(v.counts.len(), Outcome::ALL.len(), "zeros included");
    assert_eq!(count(Outcome::Matched), 2);
    assert_eq!(count(Outcome::NetZero), 2);
    assert_eq!(count(Outcome::NotInMizan), 1);
    assert!(
        !v.counts
            .iter()
            .find(|c| c.outcome == Outcome::Matched)
            .unwrap()
            .difference
    );
    let totals = v.totals.as_ref().unwrap();
    assert_eq!(
        (totals.currency.as_str(), totals.refunded.as_str()),
        ("SAR", "-100.00")
    );

    let o3 = rows_of(&v, "o-3");
    assert_eq!(o3[0].outcome, Outcome::AmountDiffers);
    assert_eq!(
        (
            o3[0].statement_amount.as_deref(),
            o3[0].ledger_amount.as_deref(),
            o3[0].currency.as_str()
        ),
        (Some("210.00"), Some("200.00"), "SAR")
    );
    assert_eq!(o3[0].order_reference_id.as_deref(), Some("R-o-3"));
    let o5 = rows_of(&v, "o-5");
    assert_eq!(o5[0].outcome, Outcome::FeesInconsistent);
    let p = &o5[0].fee_problems[0];
    assert_eq!(
        (p.field.as_str(), p.found.as_str(), p.expected.as_str()),
        ("total_fees", "9.00", "7.00")
    );
    let o4 = rows_of(&v, "o-4");
    assert_eq!(o4[0].outcome, Outcome::NotInStatement);
    assert_eq!((o4[0].row, o4[0].statement_amount.as_deref()), (None, None));
    assert_eq!(o4[0].ledger_amount.as_deref(), Some("50.00"));
    let o9 = rows_of(&v, "o-9");
    assert_eq!(o9[0].outcome, Outcome::NotInMizan);
    assert!(!o9[0].order_cached);
    assert_eq!(o9[0].row, Some(14), "the file's own row number");

    // The report: written once, refused over the same file, replaced when asked.
    let out = dir.path().join("report.csv");
    let out = out.to_str().unwrap();
    assert_eq!(recon::export(&c, id, out, false).await.unwrap(), 9);
    let refused = recon::export(&c, id, out, false).await.unwrap_err();
    assert_eq!(refused.code(), ErrorCode::ExportFileExists);
    assert_eq!(recon::export(&c, id, out, true).await.unwrap(), 9);
    let relative = recon::export(&c, id, "report.csv", false)
        .await
        .unwrap_err();
    assert_eq!(relative.code(), ErrorCode::InvalidInput);

    // The repair only for an order the statement names; an unknown statement is named so.
    let stranger = recon::repair_order(&c, id, "o-unknown").await.unwrap_err();
    assert_eq!(stranger.code(), ErrorCode::InvalidInput);
    assert!(stranger.to_string().contains("o-unknown"), "{stranger}");
    let missing = recon::show(&c, 999).await.unwrap_err();
    assert_eq!(missing.code(), ErrorCode::StatementNotFound);

    // A corrected file is a revision whose changes the answer lists; it balances better.
    let mut fixed = lines();
    fixed[3] = captured("o-3", "200.00");
    let second = recon::import(
        &c,
        write(dir.path(), "st2.csv", "m-42", &fixed)
            .to_str()
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(second.kind, ImportKind::Revision);
    assert_eq!(second.previous_revision, Some(1));
    assert_eq!(second.changes.len(), 1);
    let ch = &second.changes[0];
    assert_eq!(
        (
            ch.order_id.as_str(),
            ch.change.as_str(),
            ch.before.as_deref(),
            ch.after.as_deref(),
            ch.currency.as_deref()
        ),
        (
            "o-3",
            "changed",
            Some("210.00"),
            Some("200.00"),
            Some("SAR")
        )
    );
    let list = recon::list(&c).await.unwrap();
    assert_eq!(list.len(), 2);
    let newest = list.iter().find(|r| r.statement.revision == 2).unwrap();
    assert_eq!(newest.differences, 4);

    // The order's screen names the statement that settled each capture and refund: the newest
    // revision's line only.
    let d = mizan_core::desktop::detail::order_detail(&c, "o-3")
        .await
        .unwrap();
    let settled: Vec<_> = d
        .settlements
        .iter()
        .map(|l| {
            (
                l.statement_id.as_str(),
                l.statement,
                l.row,
                l.amount.as_str(),
            )
        })
        .collect();
    assert_eq!(settled, [("ST-2026-49", second.statement.id, 10, "200.00")]);
    let o2 = mizan_core::desktop::detail::order_detail(&c, "o-2")
        .await
        .unwrap();
    let events: Vec<_> = o2.settlements.iter().map(|l| l.event.as_str()).collect();
    assert_eq!(events, ["captured", "refunded"]);
    assert_eq!(
        (
            o2.settlements[1].amount.as_str(),
            o2.settlements[1].payable.as_str()
        ),
        ("-100.00", "-100.00")
    );
    let o1 = &mizan_core::desktop::detail::order_detail(&c, "o-1")
        .await
        .unwrap()
        .settlements[0];
    assert_eq!(
        (
            o1.total_fees.as_str(),
            o1.vat.as_str(),
            o1.payable.as_str(),
            o1.currency.as_str()
        ),
        ("10.20", "1.53", "448.27", "SAR")
    );
}
