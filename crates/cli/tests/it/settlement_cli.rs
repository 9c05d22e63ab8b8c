//! `mizan settlement read`: a statement file read by the real binary — its header and sums
//! exactly, in text and `--json` — and a file that is not one refused with the row and column.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;

use crate::common::mizan_offline as mizan;

const STATEMENT: &str = "Statement ID,ST-49\nTamara Merchant ID,m-42\n\n\
Transaction Date,Tamara Order ID,Merchant Order ID,Currency,Event,Event Amount,\
Tamara Fixed Fees,Tamara Variable Fees,Total Fees,VAT Collected by Tamara,Total Payable to Merchant\n\
01/12/2026,o-1,REF-1,SAR,Captured,460.00,1.50,29.90,31.40,4.71,423.89\n\
02/12/2026,o-2,REF-2,SAR,Captured,100.10,1.50,6.51,8.01,1.20,90.89\n\
03/12/2026,o-1,REF-1,SAR,Refunded,-60.25,0,0,0,0,-60.25\n";

#[test]
fn a_statement_is_read_with_exact_sums_and_a_bad_one_names_its_cell() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("statement.csv");
    std::fs::write(&file, STATEMENT).unwrap();
    let out = mizan(
        dir.path(),
        &["--json", "settlement", "read", file.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["statement_id"], "ST-49");
    assert_eq!(v["lines"], 3);
    let captured = v["sums"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["event"] == "captured")
        .unwrap();
    assert_eq!(
        (
            &captured["amount"],
            &captured["fees"],
            &captured["vat"],
            &captured["payable"]
        ),
        (
            &Value::from("560.10"),
            &Value::from("39.41"),
            &Value::from("5.91"),
            &Value::from("514.78")
        )
    );
    let out = mizan(dir.path(), &["settlement", "read", file.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("ST-49") && text.contains("-60.25 SAR"),
        "{text}"
    );

    std::fs::write(&file, STATEMENT.replace("100.10", "100.105")).unwrap();
    let out = mizan(
        dir.path(),
        &["--json", "settlement", "read", file.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "statement_invalid");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.contains("row 6, column Event Amount"), "{message}");
    assert!(
        std::fs::read_dir(dir.path())
            .unwrap()
            .all(|e| { e.unwrap().file_name() == "statement.csv" }),
        "nothing is stored: no database was created"
    );
}

#[test]
fn a_statement_is_imported_once_shown_with_outcome_codes_and_exported_without_overwriting() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let file = dir.path().join("statement.csv");
    std::fs::write(&file, STATEMENT).unwrap();
    let path = file.to_str().unwrap();
    let json = |args: &[&str]| -> Value {
        let out = mizan(&data, &[&["--json"], args].concat());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let first = json(&["settlement", "import", path]);
    assert_eq!(first["kind"], "imported");
    let id = first["statement"]["id"].as_i64().unwrap().to_string();
    assert_eq!(json(&["settlement", "import", path])["kind"], "unchanged");

    // An empty cache: every line is a movement Mizan does not know.
    let shown = json(&["settlement", "show", &id, "--only-differences"]);
    let codes: Vec<&str> = shown["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["not_in_mizan"; 3]);
    assert_eq!(shown["balanced"], false);
    let listed = json(&["settlement", "list"]);
    assert_eq!(listed[0]["differences"], 3);

    let report = dir.path().join("report.csv");
    let report_path = report.to_str().unwrap();
    assert_eq!(
        json(&["settlement", "export", &id, "-o", report_path])["rows"],
        3
    );
    let again = mizan(
        &data,
        &["--json", "settlement", "export", &id, "-o", report_path],
    );
    assert_eq!(again.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&again.stderr).unwrap();
    assert_eq!(err["error"]["code"], "export_file_exists");
    assert_eq!(
        json(&["settlement", "export", &id, "-o", report_path, "--force"])["rows"],
        3
    );

    let other = dir.path().join("other.csv");
    std::fs::write(
        &other,
        STATEMENT.replace("m-42", "m-43").replace("ST-49", "ST-50"),
    )
    .unwrap();
    let refused = mizan(
        &data,
        &["--json", "settlement", "import", other.to_str().unwrap()],
    );
    let err: Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert_eq!(err["error"]["code"], "statement_other_merchant");
    let text =
        String::from_utf8_lossy(&mizan(&data, &["settlement", "show", &id]).stdout).into_owned();
    assert!(
        text.contains("not_in_mizan") && text.contains("o-1"),
        "{text}"
    );
}
