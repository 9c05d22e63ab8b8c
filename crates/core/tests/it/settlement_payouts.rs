//! Payouts against a real SQLite file: one entered by hand and matched automatically within a
//! payout fee, one imported from a bank CSV (the same file again adds nothing), conflicts
//! refused, the monthly view over newest revisions with its difference explained, and the
//! settlement export carrying each move's statement, fees, VAT, net payable and payout.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use mizan_core::environment::Environment::Sandbox;
use mizan_core::export::{self, Destination, SettlementExport, Window};
use mizan_core::money::Currency::Sar;
use mizan_core::settlement::BankOptions;
use mizan_core::statements::{Explanation, ImportOptions, NewPayout};
use mizan_core::store::ledger::LedgerKind::{Capture, Refund};
use mizan_core::{Console, ErrorCode};
use rust_decimal::Decimal;

use crate::common::console;
use crate::export_fixture::{find, money, observed, order, read};

const HEADER: &str = "Transaction Date,Tamara Order ID,Merchant Order ID,Currency,Event,\
Event Amount,Tamara Fixed Fees,Tamara Variable Fees,Total Fees,VAT Collected by Tamara,\
Total Payable to Merchant";

fn statement(dir: &Path, name: &str, id: &str, period: &str, lines: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let body = format!(
        "Statement ID,{id}\nStatement Period,{period}\nTamara Merchant ID,m-42\n\n{HEADER}\n{}\n",
        lines.join("\n")
    );
    std::fs::write(&path, body).unwrap();
    path
}

async fn ledger(c: &Console) {
    let s = c.store();
    for id in ["o-1", "o-2", "o-3"] {
        order(s, Sandbox, id, &format!("R-{id}"), Sar).await;
    }
    let moves = [
        ("o-1", Capture, "cap-1", "460.00", "2026-12-02T10:00:00Z"),
        // Two equal captures of one order: each must take its own statement line.
        ("o-2", Capture, "cap-2a", "100.00", "2026-12-02T10:00:00Z"),
        ("o-2", Refund, "ref-2", "100.00", "2026-12-03T10:00:00Z"),
        ("o-2", Capture, "cap-2b", "100.00", "2026-12-09T10:00:00Z"),
        // In no statement.
        ("o-3", Capture, "cap-3", "200.00", "2026-12-10T10:00:00Z"),
    ];
    for (o, kind, gid, amount, at) in moves {
        observed(s, Sandbox, o, kind, gid, money(amount, Sar), at, None).await;
    }
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

async fn export_rows(c: &Console, path: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let zone = export::Zone::parse("Asia/Riyadh").unwrap();
    let req = SettlementExport {
        environment: Sandbox,
        window: Window::parse(Some("2026-12-01"), Some("2026-12-31"), zone).unwrap(),
        include_unsettled: false,
        format: export::Format { bom: false, zone },
    };
    let dest = Destination::File(path.to_owned());
    export::settlement(c.store(), &req, &dest, "t", chrono::Utc::now(), &mut |_| {})
        .await
        .unwrap();
    read(path)
}

#[tokio::test]
async fn payouts_settle_statements_the_month_ties_and_the_export_names_the_payout() {
    let dir = tempfile::tempdir().unwrap();
    let c = console(&dir.path().join("data"), &[]).await;
    ledger(&c).await;
    let opts = ImportOptions::default();
    // Net 448.27 + 96.55 - 100.00 = 444.82; fees 13.20, VAT 1.98.
    let st49 = statement(
        dir.path(),
        "st49.csv",
        "ST-49",
        "01/12/2026 - 07/12/2026",
        &[
            "02/12/2026,o-1,R-o-1,SAR,Captured,460.00,1.00,9.20,10.20,1.53,448.27",
            "02/12/2026,o-2,R-o-2,SAR,Captured,100.00,1.00,2.00,3.00,0.45,96.55",
            "03/12/2026,o-2,R-o-2,SAR,Refunded,-100.00,0,0,0,0,-100.00",
        ],
    );
    let st49_id = c.import_statement(&st49, &opts).await.unwrap().statement.id;
    let line50 = "09/12/2026,o-2,R-o-2,SAR,Captured,100.00,1.00,2.00,3.00,0.45,96.55";
    let st50 = statement(
        dir.path(),
        "st50.csv",
        "ST-50",
        "08/12/2026 - 14/12/2026",
        &[line50],
    );
    c.import_statement(&st50, &opts).await.unwrap();
    // Revision 2 of ST-50 lowers the fee: only it counts from now on (net 97.70).
    let revised = line50.replace("1.00,2.00,3.00,0.45,96.55", "1.00,1.00,2.00,0.30,97.70");
    let st50b = statement(
        dir.path(),
        "st50b.csv",
        "ST-50",
        "08/12/2026 - 14/12/2026",
        &[&revised],
    );
    assert_eq!(
        c.import_statement(&st50b, &opts)
            .await
            .unwrap()
            .statement
            .revision,
        2
    );

    let rows = export_rows(&c, &dir.path().join("before.csv")).await;
    let cap1 = find(&rows, "cap-1");
    assert_eq!(
        (
            cap1["statement_status"].as_str(),
            cap1["statement_id"].as_str(),
            cap1["statement_fees"].as_str(),
            cap1["statement_vat"].as_str(),
            cap1["statement_net_payable"].as_str(),
            cap1["payout_reference"].as_str()
        ),
        ("settled", "ST-49", "10.20", "1.53", "448.27", "")
    );
    assert_eq!(find(&rows, "cap-2a")["statement_id"], "ST-49");
    assert_eq!(
        (
            find(&rows, "cap-2b")["statement_id"].as_str(),
            find(&rows, "cap-2b")["statement_net_payable"].as_str()
        ),
        ("ST-50", "97.70"),
        "the second equal capture takes the other statement's line, newest revision"
    );
    assert_eq!(find(&rows, "ref-2")["statement_net_payable"], "-100.00");
    assert_eq!(find(&rows, "cap-3")["statement_status"], "pending");
    assert_eq!(find(&rows, "cap-3")["statement_id"], "");

    // By hand: 2.00 short of ST-49's net, within a 5.00 payout fee. ST-50's period ends after
    // the value date, so it is not a candidate.
    let hand = NewPayout {
        paid_on: day("2026-12-10"),
        amount: money("442.82", Sar),
        reference: Some("BANK-1".into()),
        note: None,
        statements: Vec::new(),
        max_fee: Some(Decimal::new(5, 0)),
    };
    let p1 = c.add_payout(&hand).await.unwrap();
    assert_eq!(
        p1.statements
            .iter()
            .map(|s| s.statement_id.as_str())
            .collect::<Vec<_>>(),
        ["ST-49"]
    );
    assert_eq!(
        (p1.difference, p1.explanation),
        (money("2.00", Sar), Explanation::PayoutFee)
    );
    let again = c.add_payout(&hand).await.unwrap_err();
    assert_eq!(again.code(), ErrorCode::PayoutConflict, "{again}");
    let twice = c
        .add_payout(&NewPayout {
            reference: Some("BANK-X".into()),
            statements: vec![st49_id],
            ..hand.clone()
        })
        .await
        .unwrap_err();
    assert_eq!(twice.code(), ErrorCode::PayoutConflict, "{twice}");
    let open = c.payouts().await.unwrap().open_items;
    assert_eq!(
        open.iter()
            .map(|s| (s.statement_id.as_str(), s.revision, s.net_payable))
            .collect::<Vec<_>>(),
        [("ST-50", 2, money("97.70", Sar))]
    );

    // From the bank: only Tamara's credit, matched exactly to ST-50's newest revision.
    let bank = dir.path().join("bank.csv");
    std::fs::write(
        &bank,
        "Value Date;Description;Reference;Debit;Credit\n\
         20/12/2026;TAMARA PAYOUT ST-50;BANK-2;;97,70\n\
         21/12/2026;Rent;BANK-3;1.000,00;\n\
         22/12/2026;Customer transfer;BANK-4;;55,00\n",
    )
    .unwrap();
    let options = BankOptions {
        currency: Sar,
        all_credits: false,
    };
    let imported = c.import_bank_file(&bank, options, None).await.unwrap();
    assert_eq!((imported.imported.len(), imported.skipped_rows), (1, 2));
    let p2 = &imported.imported[0];
    assert_eq!(
        (
            p2.statements[0].statement_id.as_str(),
            p2.explanation,
            p2.bank_row
        ),
        ("ST-50", Explanation::None, Some(2))
    );
    let repeat = c.import_bank_file(&bank, options, None).await.unwrap();
    assert_eq!(
        (repeat.imported.len(), repeat.already_recorded),
        (0, 1),
        "the same file again adds nothing"
    );
    assert_eq!(c.payouts().await.unwrap().payouts.len(), 2);
    assert!(c.payouts().await.unwrap().open_items.is_empty());

    // A deposit nothing explains, in January.
    let stray = c
        .add_payout(&NewPayout {
            paid_on: day("2027-01-05"),
            amount: money("1000.00", Sar),
            reference: Some("BANK-9".into()),
            note: Some("ask Tamara".into()),
            statements: Vec::new(),
            max_fee: None,
        })
        .await
        .unwrap();
    assert!(stray.statements.is_empty());
    assert_eq!(stray.explanation, Explanation::Unexplained);

    let dec = c.settlement_month("2026-12").await.unwrap();
    assert_eq!(dec.currencies.len(), 1);
    let m = &dec.currencies[0];
    let figures = [
        m.captured,
        m.refunded,
        m.fees,
        m.vat,
        m.fees_and_vat,
        m.net_payable,
        m.paid,
        m.difference,
        m.payout_fees,
        m.open_items,
        m.paid_for_other_months,
        m.unexplained,
    ]
    .map(|x| x.amount_text());
    assert_eq!(
        figures,
        [
            "660.00", "-100.00", "15.20", "2.28", "17.48", "542.52", "540.52", "2.00", "2.00",
            "0.00", "0.00", "0.00"
        ],
        "newest revisions only; the difference is the payout fee"
    );
    let jan = c.settlement_month("2027-01").await.unwrap();
    let j = &jan.currencies[0];
    assert_eq!(
        (j.paid.amount_text(), j.unexplained.amount_text()),
        ("1000.00".to_owned(), "-1000.00".to_owned())
    );
    assert_eq!(
        c.settlement_month("2026-13").await.unwrap_err().code(),
        ErrorCode::InvalidInput
    );

    let rows = export_rows(&c, &dir.path().join("after.csv")).await;
    let cap1 = find(&rows, "cap-1");
    assert_eq!(
        (
            cap1["statement_status"].as_str(),
            cap1["payout_reference"].as_str(),
            cap1["payout_date"].as_str()
        ),
        ("paid", "BANK-1", "2026-12-10")
    );
    assert_eq!(find(&rows, "cap-2b")["payout_reference"], "BANK-2");
    assert_eq!(find(&rows, "cap-3")["statement_status"], "pending");
}

#[tokio::test]
async fn a_bad_bank_file_names_row_and_column_and_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let c = console(&dir.path().join("data"), &[]).await;
    let bank = dir.path().join("bank.csv");
    std::fs::write(
        &bank,
        "Date,Description,Credit\n10/12/2026,Tamara,100.00\n11/12/2026,Tamara,1O0.00\n",
    )
    .unwrap();
    let options = BankOptions {
        currency: Sar,
        all_credits: false,
    };
    let e = c.import_bank_file(&bank, options, None).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::BankFileInvalid);
    assert!(e.to_string().contains("row 3, column Credit"), "{e}");
    assert!(c.payouts().await.unwrap().payouts.is_empty());
}

#[tokio::test]
async fn a_statement_paid_next_month_is_an_open_item_then_paid_for_another_month() {
    let dir = tempfile::tempdir().unwrap();
    let c = console(&dir.path().join("data"), &[]).await;
    let st = statement(
        dir.path(),
        "st52.csv",
        "ST-52",
        "22/12/2026 - 28/12/2026",
        &[
            "27/12/2026,o-8,R-o-8,SAR,Captured,200.00,1.00,4.00,5.00,0.75,194.25",
            "28/12/2026,o-9,R-o-9,SAR,Captured,100.00,1.00,2.00,3.00,0.45,96.55",
        ],
    );
    c.import_statement(&st, &ImportOptions::default())
        .await
        .unwrap();
    let p = c
        .add_payout(&NewPayout {
            paid_on: day("2027-01-04"),
            amount: money("290.80", Sar),
            reference: None,
            note: None,
            statements: Vec::new(),
            max_fee: None,
        })
        .await
        .unwrap();
    assert_eq!(p.explanation, Explanation::None);
    let dec = c.settlement_month("2026-12").await.unwrap();
    let d = &dec.currencies[0];
    assert_eq!(
        [
            d.net_payable,
            d.paid,
            d.difference,
            d.open_items,
            d.unexplained
        ]
        .map(|m| m.amount_text()),
        ["290.80", "0.00", "290.80", "290.80", "0.00"],
        "December's lines are open: their payout came in January"
    );
    let jan = c.settlement_month("2027-01").await.unwrap();
    let j = &jan.currencies[0];
    assert_eq!(
        [
            j.net_payable,
            j.paid,
            j.difference,
            j.paid_for_other_months,
            j.unexplained
        ]
        .map(|m| m.amount_text()),
        ["0.00", "290.80", "-290.80", "290.80", "0.00"],
        "January's payout paid December's lines"
    );
}
