//! The settlement export from a real SQLite file, read back with a CSV parser: rows, signs,
//! precision, totals, zones, unsettled moves and formula neutralisation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::export_fixture;

use export_fixture::{find, read, seeded, settle};
use mizan_core::export;
use mizan_core::money::Currency;

#[tokio::test]
async fn settlement_rows_signs_precision_and_totals() {
    let (dir, store) = seeded().await;
    let path = dir.path().join("may.csv");
    let report = settle(
        &store,
        &path,
        "2024-05-01",
        "2024-05-31",
        "UTC",
        false,
        false,
    )
    .await;
    let rows = read(&path);
    assert_eq!(
        rows.iter()
            .map(|r| r["transaction_id"].as_str())
            .collect::<Vec<_>>(),
        ["can-1", "cap-2", "ref-2", "can-2", "cap-1", "ref-1"],
        "succeeded captures/refunds/cancels of sandbox only, in time order"
    );
    assert_eq!(report.rows, 6);
    assert_eq!(export::SETTLEMENT_COLUMNS.len(), rows[0].len());

    let cap = find(&rows, "cap-1");
    assert_eq!(cap["environment"], "sandbox");
    assert_eq!(cap["tamara_order_id"], "o-sar");
    assert_eq!(cap["order_number"], "N-o-sar");
    assert_eq!(cap["transaction_type"], "capture");
    assert_eq!(
        cap["idempotency_reference"],
        "idem-o-sar-capture-2024-05-31T20:59:59Z"
    );
    assert_eq!(cap["time_utc"], "2024-05-31T20:59:59Z");
    assert_eq!(cap["time_local"], "2024-05-31T20:59:59Z");
    assert_eq!(
        (cap["currency"].as_str(), cap["amount"].as_str()),
        ("SAR", "100.50")
    );
    assert_eq!(cap["net_amount"], "100.50");
    assert_eq!(cap["state"], "succeeded");
    assert_eq!(cap["source"], "api");
    assert_eq!(cap["payment_type"], "PAY_BY_INSTALMENTS");
    assert_eq!(cap["instalments"], "3");
    assert_eq!(
        (
            cap["settlement_status"].as_str(),
            cap["settlement_date"].as_str()
        ),
        ("pending", "2024-06-15")
    );
    assert_eq!(cap["actor"], "نورة");
    // No statement imported: the appended columns are empty and the move is pending.
    assert_eq!(
        export::SETTLEMENT_COLUMNS[export::SETTLEMENT_COLUMNS.len() - 7..],
        [
            "statement_status",
            "statement_id",
            "statement_fees",
            "statement_vat",
            "statement_net_payable",
            "payout_reference",
            "payout_date"
        ]
    );
    assert_eq!(cap["statement_status"], "pending");
    for c in [
        "statement_id",
        "statement_fees",
        "statement_vat",
        "payout_reference",
    ] {
        assert_eq!(cap[c], "", "{c}");
    }

    let refund = find(&rows, "ref-1");
    assert_eq!(
        (refund["amount"].as_str(), refund["net_amount"].as_str()),
        ("-20.25", "-20.25")
    );
    assert_eq!(refund["actor"], "webhook");
    assert_eq!(refund["idempotency_reference"], "");
    let cancel = find(&rows, "can-1");
    assert_eq!(
        (cancel["amount"].as_str(), cancel["net_amount"].as_str()),
        ("-5.00", "0.00")
    );
    assert_eq!(cancel["statement_status"], "", "a cancel settles nothing");
    let kwd = find(&rows, "cap-2");
    assert_eq!(
        (kwd["currency"].as_str(), kwd["amount"].as_str()),
        ("KWD", "10.005")
    );
    assert_eq!(
        find(&rows, "ref-2")["amount"],
        "-1.250",
        "KWD keeps three places"
    );
    assert_eq!(find(&rows, "can-2")["net_amount"], "0.000");

    let totals = read(&dir.path().join("may.totals.csv"));
    assert_eq!(
        report.totals_file.as_deref(),
        Some(dir.path().join("may.totals.csv").as_path())
    );
    let line = |c: &str| totals.iter().find(|t| t["currency"] == c).unwrap().clone();
    let sar = line("SAR");
    assert_eq!(
        [
            &sar["state"],
            &sar["transactions"],
            &sar["captured"],
            &sar["refunded"],
            &sar["canceled"],
            &sar["net"]
        ],
        ["succeeded", "3", "100.50", "20.25", "5.00", "80.25"]
    );
    let kwd = line("KWD");
    assert_eq!(
        [
            &kwd["transactions"],
            &kwd["captured"],
            &kwd["refunded"],
            &kwd["canceled"],
            &kwd["net"]
        ],
        ["3", "10.005", "1.250", "2.000", "8.755"]
    );
    assert_eq!(totals.len(), 2);
}

#[tokio::test]
async fn the_zone_decides_the_day_a_move_falls_in() {
    let (dir, store) = seeded().await;
    let path = dir.path().join("riyadh.csv");
    settle(
        &store,
        &path,
        "2024-05-01",
        "2024-05-31",
        "Asia/Riyadh",
        false,
        false,
    )
    .await;
    let rows = read(&path);
    let cap = find(&rows, "cap-1");
    assert_eq!(cap["time_utc"], "2024-05-31T20:59:59Z");
    assert_eq!(cap["time_local"], "2024-05-31T23:59:59+03:00");
    assert_eq!(cap["date_local"], "2024-05-31");
    assert!(
        rows.iter().all(|r| r["transaction_id"] != "ref-1"),
        "21:00 UTC on May 31 is June 1 in Riyadh"
    );
    settle(
        &store,
        &path,
        "2024-06-01",
        "2024-06-01",
        "Asia/Riyadh",
        false,
        false,
    )
    .await;
    let june = read(&path);
    assert_eq!(june.len(), 1);
    assert_eq!(june[0]["transaction_id"], "ref-1");
    assert_eq!(june[0]["time_local"], "2024-06-01T00:00:00+03:00");
    assert_eq!(june[0]["date_local"], "2024-06-01");
}

#[tokio::test]
async fn unsettled_moves_only_when_asked_and_totalled_apart() {
    let (dir, store) = seeded().await;
    let path = dir.path().join("all.csv");
    let report = settle(
        &store,
        &path,
        "2024-05-01",
        "2024-05-31",
        "UTC",
        true,
        false,
    )
    .await;
    let rows = read(&path);
    let pending: Vec<_> = rows.iter().filter(|r| r["state"] == "pending").collect();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0]["amount"], "3.500");
    assert_eq!(pending[0]["transaction_id"], "", "no gateway id yet");
    assert!(rows.iter().all(|r| r["state"] != "failed"));
    let kwd_pending = report
        .totals
        .iter()
        .find(|t| t.currency == Currency::Kwd && t.state.as_str() == "pending")
        .unwrap();
    assert_eq!(kwd_pending.captured.amount_text(), "3.500");
    let kwd_done = report
        .totals
        .iter()
        .find(|t| t.currency == Currency::Kwd && t.state.as_str() == "succeeded")
        .unwrap();
    assert_eq!(
        kwd_done.captured.amount_text(),
        "10.005",
        "pending never blurs settled sums"
    );
}

#[tokio::test]
async fn text_cells_are_neutralised_and_amounts_stay_numbers() {
    let (dir, store) = seeded().await;
    let path = dir.path().join("x.csv");
    settle(
        &store,
        &path,
        "2024-05-01",
        "2024-05-31",
        "UTC",
        false,
        false,
    )
    .await;
    let rows = read(&path);
    let cap = find(&rows, "cap-1");
    assert_eq!(cap["order_reference_id"], "'=HYPERLINK(\"http://x\")");
    assert_eq!(cap["comment"], "'@ops please check");
    let refund = find(&rows, "ref-1");
    assert_eq!(refund["comment"], "'-20 بسبب التلف");
    assert_eq!(
        refund["amount"], "-20.25",
        "a value column is never prefixed"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !text.contains(",=") && !text.contains(",\"="),
        "no raw formula cell: {text}"
    );
}
