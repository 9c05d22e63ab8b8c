//! The simulator's statements (`/_sandbox/statements…`) read by the console's reader: a capture
//! and a refund, closed, downloaded as CSV and XLSX and read line for line with the fees the
//! simulator's rules give.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::{StatementEvent, read_statement};

const TOKEN: &str = "sandbox-api-token";

async fn call(http: &reqwest::Client, base: &str, path: &str, body: Value) -> Value {
    let resp = http
        .post(format!("{base}{path}"))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap()
}

fn sar(amount: &str) -> Value {
    json!({ "amount": amount, "currency": "SAR" })
}

#[tokio::test]
async fn a_simulator_statement_reads_line_for_line_as_csv_and_xlsx() {
    let config = tamara_sandbox::SandboxConfig {
        seed: Some(11),
        ..Default::default()
    };
    let sim = tamara_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = sim.base_url();
    let http = reqwest::Client::new();

    let mut checkout: Value = serde_json::from_str(include_str!(
        "../../../../tests/fixtures/reference/checkout_request.json"
    ))
    .unwrap();
    checkout["total_amount"] = sar("460.00");
    for k in ["shipping_amount", "tax_amount"] {
        checkout[k] = sar("0");
    }
    checkout["discount"]["amount"] = sar("0");
    let item = &mut checkout["items"][0];
    for k in ["unit_price", "tax_amount", "discount_amount"] {
        item[k] = sar("0");
    }
    item["total_amount"] = sar("460.00");
    checkout["merchant_url"]
        .as_object_mut()
        .unwrap()
        .remove("notification");
    let order = call(&http, &base, "/checkout", checkout).await;
    let id = order["order_id"].as_str().unwrap().to_owned();
    call(
        &http,
        &base,
        &format!("/_sandbox/orders/{id}/approve"),
        json!({}),
    )
    .await;
    call(&http, &base, &format!("/orders/{id}/authorise"), json!({})).await;
    let capture = json!({"order_id": id, "total_amount": sar("200.00"),
                         "shipping_info": {"shipped_at": "2026-12-01T10:00:00Z", "shipping_company": "SMSA"}});
    call(&http, &base, "/payments/capture", capture).await;
    let refund = json!({"total_amount": sar("50.00"), "comment": "damaged"});
    call(
        &http,
        &base,
        &format!("/payments/simplified-refund/{id}"),
        refund,
    )
    .await;
    let closed = call(&http, &base, "/_sandbox/statements/close", json!({})).await;
    let statement_id = closed["statement_id"].as_str().unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut read = Vec::new();
    for ext in ["csv", "xlsx"] {
        let url = format!("{base}/_sandbox/statements/{statement_id}.{ext}");
        let bytes = http.get(url).send().await.unwrap().bytes().await.unwrap();
        let path = dir.path().join(format!("{statement_id}.{ext}"));
        std::fs::write(&path, &bytes).unwrap();
        read.push(read_statement(&path).unwrap());
    }

    let d = |s: &str| s.parse::<Decimal>().unwrap();
    let csv = &read[0];
    assert_eq!(csv.statement_id.as_deref(), Some(statement_id));
    assert_eq!(
        csv.merchant_id.as_deref(),
        Some("6d9f752e-0bbc-47eb-bcf7-be13adf6f04d")
    );
    let [captured, refunded] = csv.lines.as_slice() else {
        panic!("{:?}", csv.lines)
    };
    assert_eq!(captured.tamara_order_id, id);
    assert_eq!(captured.merchant_order_id.as_deref(), Some("WEB-100234"));
    assert_eq!(captured.event, StatementEvent::Captured);
    // 200.00 × 6.99 % = 13.98, + 1.00 fixed = 14.98, VAT 15 % = 2.247 → 2.25, payable 182.77.
    let fees = |l: &super::StatementLine| {
        [
            l.amount.amount(),
            l.fixed_fees.amount(),
            l.variable_fees.amount(),
            l.total_fees.amount(),
            l.vat.amount(),
            l.payable.amount(),
        ]
    };
    assert_eq!(
        fees(captured),
        ["200", "1", "13.98", "14.98", "2.25", "182.77"].map(d)
    );
    assert_eq!(captured.variable_fee_percent, Some(d("6.99")));
    assert_eq!(captured.instalments, Some(4));
    assert_eq!(refunded.event, StatementEvent::Refunded);
    assert_eq!(fees(refunded), ["-50", "0", "0", "0", "0", "-50"].map(d));

    // The workbook says the same, cell for cell (only the rows and the bytes differ).
    let xlsx = &read[1];
    assert_eq!(
        (&xlsx.statement_id, &xlsx.period, &xlsx.merchant_id),
        (&csv.statement_id, &csv.period, &csv.merchant_id)
    );
    let same_rows = |lines: &[super::StatementLine]| {
        lines
            .iter()
            .map(|l| super::StatementLine {
                row: 0,
                ..l.clone()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(same_rows(&xlsx.lines), same_rows(&csv.lines));
    sim.shutdown().await;
}
