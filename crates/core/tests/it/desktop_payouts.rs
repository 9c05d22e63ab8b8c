//! The reconciliation screen's payouts and month views on a real SQLite file: a payout entered
//! through the form's fields settles a statement within a payout fee and says so, a bank file
//! import answers what it took and skipped, a deposit nothing explains is `unexplained`, the
//! open items list what no payout settles, and the month carries every figure as an exact
//! string with fees + VAT beside them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use mizan_core::ErrorCode;
use mizan_core::desktop::payouts::{self as pv, NewPayoutInput, PayoutExplanation};
use mizan_core::desktop::reconciliation as recon;

use crate::common::console;

const HEADER: &str = "Transaction Date,Tamara Order ID,Merchant Order ID,Currency,Event,\
Event Amount,Tamara Fixed Fees,Tamara Variable Fees,Total Fees,VAT Collected by Tamara,\
Total Payable to Merchant";

fn statement(dir: &std::path::Path, name: &str, id: &str, period: &str, line: &str) -> String {
    let path = dir.join(name);
    let body = format!(
        "Statement ID,{id}\nStatement Period,{period}\nTamara Merchant ID,m-42\n\n{HEADER}\n{line}\n"
    );
    std::fs::write(&path, body).unwrap();
    path.display().to_string()
}

fn input(amount: &str, day: &str, reference: &str) -> NewPayoutInput {
    NewPayoutInput {
        amount: amount.into(),
        currency: "SAR".into(),
        paid_on: day.into(),
        reference: Some(reference.into()),
        statements: Vec::new(),
        max_fee: None,
        note: None,
    }
}

#[tokio::test]
async fn payouts_and_the_month_cross_as_the_screen_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let c = console(&dir.path().join("data"), &[]).await;
    let st49 = statement(
        dir.path(),
        "st49.csv",
        "ST-49",
        "01/12/2026 - 07/12/2026",
        "02/12/2026,o-1,R-o-1,SAR,Captured,460.00,1.00,9.20,10.20,1.53,448.27",
    );
    let st50 = statement(
        dir.path(),
        "st50.csv",
        "ST-50",
        "08/12/2026 - 14/12/2026",
        "09/12/2026,o-2,R-o-2,SAR,Captured,100.00,1.00,2.00,3.00,0.45,96.55",
    );
    let id49 = recon::import(&c, &st49).await.unwrap().statement.id;
    recon::import(&c, &st50).await.unwrap();

    let open = pv::list(&c).await.unwrap();
    assert!(open.payouts.is_empty());
    assert_eq!(
        open.open_items
            .iter()
            .map(|s| (s.statement_id.as_str(), s.net_payable.as_str()))
            .collect::<Vec<_>>(),
        [("ST-49", "448.27"), ("ST-50", "96.55")]
    );

    // Named explicitly, 2.00 short, within the 5.00 fee the form allows.
    let p = pv::add(
        &c,
        &NewPayoutInput {
            statements: vec![id49],
            max_fee: Some("5".into()),
            note: Some("  first week ".into()),
            ..input("446.27", "2026-12-10", "BANK-1")
        },
    )
    .await
    .unwrap();
    assert_eq!(
        (
            p.amount.as_str(),
            p.currency.as_str(),
            p.paid_on.as_str(),
            p.source.as_str(),
            p.note.as_deref()
        ),
        ("446.27", "SAR", "2026-12-10", "manual", Some("first week"))
    );
    assert_eq!(p.statements.len(), 1);
    assert_eq!(
        (p.statements[0].id, p.statements[0].statement_id.as_str()),
        (id49, "ST-49")
    );
    assert_eq!(
        (
            p.difference.as_str(),
            p.fee_allowance.as_str(),
            p.explanation
        ),
        ("2.00", "5.00", PayoutExplanation::PayoutFee)
    );
    assert!(p.created_at.ends_with('Z'));
    let again = pv::add(&c, &input("446.27", "2026-12-10", "BANK-1"))
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::PayoutConflict);
    let bad = pv::add(&c, &input("446.27", "10/12/2026", "BANK-X"))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidInput);
    assert!(bad.to_string().contains("paid_on"), "{bad}");

    // The bank file: Tamara's credit matched to ST-50 exactly; a customer's transfer is
    // skipped unless every credit is taken.
    let bank = dir.path().join("bank.csv");
    std::fs::write(
        &bank,
        "Value Date;Description;Reference;Debit;Credit\n\
         20/12/2026;TAMARA PAYOUT;BANK-2;;96,55\n\
         22/12/2026;Customer transfer;BANK-4;;55,00\n",
    )
    .unwrap();
    let bank = bank.display().to_string();
    let a = pv::import(&c, &bank, "SAR", false).await.unwrap();
    assert_eq!(
        (a.imported.len(), a.skipped_rows, a.already_recorded),
        (1, 1, 0)
    );
    let b = &a.imported[0];
    assert_eq!(
        (
            b.source.as_str(),
            b.bank_row,
            b.explanation,
            b.statements[0].statement_id.as_str()
        ),
        ("bank_csv", Some(2), PayoutExplanation::None, "ST-50")
    );
    let all = pv::import(&c, &bank, "SAR", true).await.unwrap();
    assert_eq!((all.imported.len(), all.already_recorded), (1, 1));
    assert_eq!(all.imported[0].explanation, PayoutExplanation::Unexplained);
    assert!(all.imported[0].statements.is_empty());
    let blank = pv::import(&c, " ", "SAR", false).await.unwrap_err();
    assert_eq!(blank.code(), ErrorCode::InvalidInput);
    let garbled = dir.path().join("garbled.csv");
    std::fs::write(
        &garbled,
        "Date,Description,Credit\n10/12/2026,Tamara,1O0.00\n",
    )
    .unwrap();
    let e = pv::import(&c, garbled.to_str().unwrap(), "SAR", false)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::BankFileInvalid);

    let l = pv::list(&c).await.unwrap();
    assert_eq!(l.payouts.len(), 3);
    assert!(l.open_items.is_empty());

    let m = pv::month(&c, "2026-12").await.unwrap();
    assert_eq!(
        (m.month.as_str(), m.first_day.as_str(), m.last_day.as_str()),
        ("2026-12", "2026-12-01", "2026-12-31")
    );
    assert_eq!(m.currencies.len(), 1);
    let f = &m.currencies[0];
    assert_eq!(
        [
            &f.currency,
            &f.captured,
            &f.refunded,
            &f.fees,
            &f.vat,
            &f.fees_and_vat,
            &f.net_payable,
            &f.paid,
            &f.difference,
            &f.open_items,
            &f.paid_for_other_months,
            &f.payout_fees,
            &f.unexplained,
        ]
        .map(String::as_str),
        [
            "SAR", "560.00", "0.00", "13.20", "1.98", "15.18", "544.82", "597.82", "-53.00",
            "0.00", "0.00", "2.00", "-55.00"
        ]
    );
    assert_eq!(f.statements, ["ST-49", "ST-50"]);
    assert_eq!(f.payouts.len(), 3);
    let e = pv::month(&c, "2026-13").await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
}
