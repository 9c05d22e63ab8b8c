//! `mizan settlement payout add | import`, `payouts` and `month` run by the real binary: a
//! deposit matched to the statement it pays within a payout fee, a bank file imported once,
//! a second deposit for a settled statement refused, and the month's figures in `--json`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;

use crate::common::mizan_offline as mizan;

const HEADER: &str = "Transaction Date,Tamara Order ID,Merchant Order ID,Currency,Event,\
Event Amount,Tamara Fixed Fees,Tamara Variable Fees,Total Fees,VAT Collected by Tamara,\
Total Payable to Merchant";

fn statement(id: &str, period: &str, line: &str) -> String {
    format!(
        "Statement ID,{id}\nStatement Period,{period}\nTamara Merchant ID,m-42\n\n{HEADER}\n{line}\n"
    )
}

#[test]
fn payouts_are_recorded_imported_listed_and_the_month_ties() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let json = |args: &[&str]| -> Value {
        let out = mizan(&data, &[&["--json"], args].concat());
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let files = [
        (
            "st49.csv",
            statement(
                "ST-49",
                "01/12/2026 - 07/12/2026",
                "02/12/2026,o-1,R-1,SAR,Captured,460.00,1.00,9.20,10.20,1.53,448.27",
            ),
        ),
        (
            "st50.csv",
            statement(
                "ST-50",
                "08/12/2026 - 14/12/2026",
                "09/12/2026,o-2,R-2,SAR,Captured,100.00,1.00,2.00,3.00,0.45,96.55",
            ),
        ),
    ];
    let mut ids = Vec::new();
    for (name, body) in &files {
        let path = dir.path().join(name);
        std::fs::write(&path, body).unwrap();
        let r = json(&["settlement", "import", path.to_str().unwrap()]);
        ids.push(r["statement"]["id"].as_i64().unwrap().to_string());
    }

    let added = json(&[
        "settlement",
        "payout",
        "add",
        "--amount",
        "446.27",
        "--currency",
        "SAR",
        "--date",
        "2026-12-10",
        "--reference",
        "BANK-1",
        "--statement",
        &ids[0],
        "--max-fee",
        "2",
    ]);
    assert_eq!(added["statements"][0]["statement_id"], "ST-49");
    assert_eq!(added["explanation"], "payout_fee");
    assert_eq!(added["difference"]["amount"].to_string(), "2.00");

    let refused = mizan(
        &data,
        &[
            "--json",
            "settlement",
            "payout",
            "add",
            "--amount",
            "448.27",
            "--date",
            "2026-12-11",
            "--reference",
            "BANK-X",
            "--statement",
            &ids[0],
        ],
    );
    assert_eq!(refused.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert_eq!(err["error"]["code"], "payout_conflict");

    let bank = dir.path().join("bank.csv");
    std::fs::write(
        &bank,
        "\u{feff}Date;Description;Credit\n20/12/2026;Transfer from TAMARA;96,55\n21/12/2026;Other;10,00\n",
    )
    .unwrap();
    let bank = bank.to_str().unwrap();
    let imported = json(&["settlement", "payout", "import", bank]);
    assert_eq!(
        imported["imported"][0]["statements"][0]["statement_id"],
        "ST-50"
    );
    assert_eq!(imported["skipped_rows"], 1);
    let again = json(&["settlement", "payout", "import", bank]);
    assert_eq!(
        (
            again["imported"].as_array().unwrap().len(),
            &again["already_recorded"]
        ),
        (0, &Value::from(1))
    );

    let listed = json(&["settlement", "payouts"]);
    assert_eq!(listed["payouts"].as_array().unwrap().len(), 2);
    assert!(listed["open_items"].as_array().unwrap().is_empty());

    let month = json(&["settlement", "month", "2026-12"]);
    let sar = &month["currencies"][0];
    let amount = |k: &str| sar[k]["amount"].to_string();
    assert_eq!(
        [
            "fees_and_vat",
            "net_payable",
            "paid",
            "difference",
            "payout_fees",
            "unexplained"
        ]
        .map(amount),
        ["15.18", "544.82", "542.82", "2.00", "2.00", "0.00"].map(str::to_owned)
    );
    let text = String::from_utf8_lossy(&mizan(&data, &["settlement", "month", "2026-12"]).stdout)
        .into_owned();
    assert!(
        text.contains("fees + VAT (tax invoice)") && text.contains("15.18"),
        "{text}"
    );
    let bad = mizan(&data, &["--json", "settlement", "month", "12-2026"]);
    let err: Value = serde_json::from_slice(&bad.stderr).unwrap();
    assert_eq!(
        err["error"]["code"], "usage",
        "the CLI reports invalid input as usage"
    );
}
