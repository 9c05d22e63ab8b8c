//! Settlement statements over real HTTP: captures and refunds of the simulator's orders, closed
//! on demand or by the clock, downloaded as CSV and XLSX and read back, each fault seen as
//! exactly one difference.
// Test helpers outside #[test] fns panic on purpose: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Asia::Riyadh;
use serde_json::{Value, json};
use tamara_sandbox::SandboxConfig;
use tamara_sandbox::statements::{RefundFees, StatementConfig};

use crate::common::*;

/// The detail table's header, as §11.1 observed it.
const COLUMNS: [&str; 18] = [
    "Transaction Date",
    "Tamara Order ID",
    "Merchant Order ID",
    "Refund Reason",
    "Payment Type",
    "Order Status",
    "Currency",
    "Order Amount",
    "Event",
    "Event Amount",
    "Event Date",
    "Tamara Fixed Fees",
    "Tamara Variable Fees %",
    "Tamara Variable Fees",
    "Total Fees",
    "VAT Collected by Tamara",
    "Total Payable to Merchant",
    "Installments",
];

/// A file as text rows: its header block (label → value) and its detail lines by column name.
#[derive(Debug, PartialEq)]
struct File {
    header: HashMap<String, String>,
    columns: Vec<String>,
    lines: Vec<HashMap<String, String>>,
}

fn file_of(rows: Vec<Vec<String>>) -> File {
    let at = rows
        .iter()
        .position(|r| r.first().is_some_and(|c| c == "Transaction Date"))
        .expect("no detail table");
    let header = rows[..at]
        .iter()
        .filter(|r| r.len() >= 2)
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let columns = rows[at].clone();
    let lines = rows[at + 1..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .map(|r| columns.iter().cloned().zip(r.iter().cloned()).collect())
        .collect();
    File {
        header,
        columns,
        lines,
    }
}

fn csv_file(bytes: &[u8]) -> File {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").expect("a BOM first");
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    file_of(
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect(),
    )
}

/// Cells as a reader of the workbook sees them: numbers by their shortest text, dates DD/MM/YYYY.
fn xlsx_file(bytes: Vec<u8>) -> File {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["Statement"]);
    let range = book.worksheet_range_at(0).unwrap().unwrap();
    file_of(
        range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::Empty => String::new(),
                        Data::String(s) => s.clone(),
                        Data::Float(f) => f.to_string(),
                        Data::Int(i) => i.to_string(),
                        Data::DateTime(d) => {
                            d.as_datetime().unwrap().format("%d/%m/%Y").to_string()
                        }
                        other => panic!("unexpected cell {other:?}"),
                    })
                    .collect()
            })
            .collect(),
    )
}

async fn bytes(sb: &Sb, path: &str) -> (u16, String, Vec<u8>) {
    let resp = sb
        .http
        .get(format!("{}{path}", sb.base))
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let kind = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, kind, resp.bytes().await.unwrap().to_vec())
}

async fn csv_of(sb: &Sb, id: &str) -> File {
    let (s, kind, body) = bytes(sb, &format!("/_sandbox/statements/{id}.csv")).await;
    assert_eq!((s, kind.as_str()), (200, "text/csv; charset=utf-8"));
    csv_file(&body)
}

async fn close(sb: &Sb) -> Value {
    let (s, v) = sb.post("/_sandbox/statements/close", json!({})).await;
    assert_eq!(s, 200, "{v}");
    v
}

/// The Riyadh date of an ISO instant, DD/MM/YYYY.
fn riyadh_day(at: &str) -> String {
    let t: DateTime<Utc> = at.parse().unwrap();
    t.with_timezone(&Riyadh).format("%d/%m/%Y").to_string()
}

/// Two orders: 460 captured; 150 captured then 50 refunded (comment "test refund").
async fn two_orders(sb: &Sb) -> (String, String) {
    let a = sb.authorised("460.00").await;
    assert_eq!(sb.capture(&a, "460.00").await.0, 200);
    let b = sb.authorised("150.00").await;
    assert_eq!(sb.capture(&b, "150.00").await.0, 200);
    assert_eq!(sb.refund(&b, "50").await.0, 200);
    (a, b)
}

fn pick<'a>(line: &'a HashMap<String, String>, names: &[&str]) -> Vec<&'a str> {
    names.iter().map(|n| line[*n].as_str()).collect()
}

const FEES: [&str; 7] = [
    "Event",
    "Event Amount",
    "Tamara Fixed Fees",
    "Tamara Variable Fees",
    "Total Fees",
    "VAT Collected by Tamara",
    "Total Payable to Merchant",
];

/// Moves the simulator's clock past Riyadh midnight when it is a few minutes away, so a test
/// that creates orders and then closes the day's (or week's) statement never straddles two.
async fn clear_of_midnight(sb: &Sb) {
    let (_, clock) = sb.get("/_sandbox/clock").await;
    let now: DateTime<Utc> = clock["now"].as_str().unwrap().parse().unwrap();
    let local = now.with_timezone(&Riyadh);
    let left = 86_400 - i64::from(local.num_seconds_from_midnight());
    if left < 180 {
        sb.advance(json!({"seconds": left + 5})).await;
    }
}

#[tokio::test]
async fn a_closed_statement_has_a_line_per_capture_and_refund_with_fees_rounded_per_line() {
    let sb = start().await;
    clear_of_midnight(&sb).await;
    let (a, b) = two_orders(&sb).await;
    let v = close(&sb).await;
    let id = v["statement_id"].as_str().unwrap().to_owned();
    assert_eq!(v["closed"], "on_demand");
    assert_eq!(v["line_count"], 3);
    // 460: 32.154 → 32.15 + 1.00, VAT 4.9725 → 4.97; 150: 10.485 → 10.49 (half-up) + 1.00,
    // VAT 1.7235 → 1.72; the refund carries no fees.
    assert_eq!(
        v["totals"],
        json!([{"currency": "SAR", "sales": num("610.00"), "refunds": num("-50.00"),
                "fees": num("44.64"), "vat": num("6.69"), "payable": num("508.67")}])
    );
    let (_, listed) = sb.get("/_sandbox/statements").await;
    assert_eq!(listed, json!([v]));

    // The id names the merchant and the Riyadh week of the close.
    let (_, clock) = sb.get("/_sandbox/clock").await;
    let now: DateTime<Utc> = clock["now"].as_str().unwrap().parse().unwrap();
    let week = now.with_timezone(&Riyadh).date_naive().iso_week();
    assert!(
        id.starts_with(&format!("ST-6D9F752E-{}-{:02}", week.year(), week.week())),
        "{id}"
    );

    let f = csv_of(&sb, &id).await;
    assert_eq!(f.columns, COLUMNS);
    assert_eq!(f.header["Statement ID"], id);
    assert_eq!(
        f.header["Tamara Merchant ID"],
        "6d9f752e-0bbc-47eb-bcf7-be13adf6f04d"
    );
    let (_, json_view) = sb.get(&format!("/_sandbox/statements/{id}")).await;
    let day = riyadh_day(json_view["lines"][0]["event_at"].as_str().unwrap());
    // A statement closed on demand runs from its week's Monday (Riyadh) to the day it closed.
    let today = now.with_timezone(&Riyadh).date_naive();
    let monday = today - chrono::Duration::days(i64::from(today.weekday().num_days_from_monday()));
    assert_eq!(
        day,
        today.format("%d/%m/%Y").to_string(),
        "the captures happened today"
    );
    assert_eq!(
        f.header["Statement Period"],
        format!("{} - {day}", monday.format("%d/%m/%Y"))
    );
    assert_eq!(f.header["Time Zone"], "Asia/Riyadh");
    let ids: Vec<&str> = f
        .lines
        .iter()
        .map(|l| l["Tamara Order ID"].as_str())
        .collect();
    assert_eq!(ids, [a.as_str(), b.as_str(), b.as_str()]);
    assert_eq!(
        pick(&f.lines[0], &FEES),
        [
            "Captured", "460.00", "1.00", "32.15", "33.15", "4.97", "421.88"
        ]
    );
    assert_eq!(
        pick(&f.lines[1], &FEES),
        [
            "Captured", "150.00", "1.00", "10.49", "11.49", "1.72", "136.79"
        ]
    );
    assert_eq!(
        pick(&f.lines[2], &FEES),
        [
            "Refunded", "-50.00", "0.00", "0.00", "0.00", "0.00", "-50.00"
        ]
    );
    let l = &f.lines[2];
    assert_eq!(
        pick(
            l,
            &[
                "Refund Reason",
                "Order Status",
                "Payment Type",
                "Order Amount",
                "Installments"
            ]
        ),
        [
            "test refund",
            "partially_refunded",
            "PAY_BY_INSTALMENTS",
            "150.00",
            "4"
        ]
    );
    assert_eq!(f.lines[0]["Tamara Variable Fees %"], "6.99");
    assert_eq!(
        (l["Event Date"].as_str(), l["Transaction Date"].as_str()),
        (day.as_str(), day.as_str())
    );

    // The XLSX shows the same rows, numbers and dates as real cells.
    let (s, kind, body) = bytes(&sb, &format!("/_sandbox/statements/{id}.xlsx")).await;
    assert_eq!(
        (s, kind.as_str()),
        (
            200,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    );
    let x = xlsx_file(body);
    assert_eq!((&x.columns, &x.header["Statement ID"]), (&f.columns, &id));
    // A number cell loses trailing zeros ("460" for 460.00); the values are the same.
    let value = |s: &str| {
        s.parse::<rust_decimal::Decimal>()
            .map_or(s.to_owned(), |d| d.normalize().to_string())
    };
    for (xl, cl) in x.lines.iter().zip(&f.lines) {
        for c in COLUMNS {
            assert_eq!(value(&xl[c]), value(&cl[c]), "{c}");
        }
    }
    assert_eq!(x.lines.len(), 3);
    let (_, _, again) = bytes(&sb, &format!("/_sandbox/statements/{id}?format=xlsx")).await;
    assert_eq!(xlsx_file(again), x);

    // Nothing new: nothing to close.
    let (s, v) = sb.post("/_sandbox/statements/close", json!({})).await;
    assert_eq!(
        (s, v["errors"][0]["error_code"].as_str()),
        (409, Some("nothing_to_settle")),
        "{v}"
    );
}

#[tokio::test]
async fn a_past_week_closes_by_the_clock_and_an_order_refunded_in_it_nets_to_zero() {
    let sb = start().await;
    clear_of_midnight(&sb).await;
    let id = sb.authorised("100.00").await;
    sb.capture(&id, "100.00").await;
    sb.refund(&id, "100.00").await;
    let (_, none) = sb.get("/_sandbox/statements").await;
    assert_eq!(none, json!([]), "the week is still running");
    sb.advance(json!({"days": 8})).await;
    let later = sb.authorised("70.00").await;
    sb.capture(&later, "70.00").await;

    let (_, list) = sb.get("/_sandbox/statements").await;
    let [s] = list.as_array().unwrap().as_slice() else {
        panic!("{list}")
    };
    assert_eq!(
        (s["closed"].as_str(), s["line_count"].as_u64()),
        (Some("by_time"), Some(2))
    );
    let t = &s["totals"][0];
    assert_eq!(
        (t["sales"].to_string(), t["refunds"].to_string()),
        ("100.00".into(), "-100.00".into())
    );
    // A whole Monday-to-Sunday week, dated the Monday after.
    let day = |k: &str| NaiveDate::parse_from_str(s[k].as_str().unwrap(), "%Y-%m-%d").unwrap();
    assert_eq!(day("period_start").weekday(), chrono::Weekday::Mon);
    assert_eq!((day("period_end") - day("period_start")).num_days(), 6);
    assert_eq!((day("statement_date") - day("period_end")).num_days(), 1);

    let f = csv_of(&sb, s["statement_id"].as_str().unwrap()).await;
    let events: Vec<Vec<&str>> = f
        .lines
        .iter()
        .map(|l| pick(l, &["Event", "Event Amount", "Tamara Order ID"]))
        .collect();
    assert_eq!(
        events,
        [
            vec!["Captured", "100.00", id.as_str()],
            vec!["Refunded", "-100.00", id.as_str()]
        ]
    );

    // The capture of this week goes on the next statement, closed on demand.
    let v = close(&sb).await;
    assert_eq!(v["line_count"], 1);
    assert_ne!(v["statement_id"], s["statement_id"]);
}

/// The lines of the clean file, then of the file with `faults`.
async fn faulty(sb: &Sb, id: &str, faults: Value) -> (File, File) {
    let clean = csv_of(sb, id).await;
    let (s, v) = sb.post("/_sandbox/statements/faults", faults.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v, {
        let mut all = json!({"missing_line": false, "changed_amount": false,
                             "unknown_order": false, "duplicate_line": false});
        for (k, x) in faults.as_object().unwrap() {
            all[k] = x.clone();
        }
        all
    });
    let bad = csv_of(sb, id).await;
    // One file only: the next one is clean again.
    assert_eq!(csv_of(sb, id).await, clean);
    (clean, bad)
}

#[tokio::test]
async fn each_fault_is_exactly_one_difference_in_the_next_file() {
    let sb = start().await;
    clear_of_midnight(&sb).await;
    two_orders(&sb).await;
    let id = close(&sb).await["statement_id"]
        .as_str()
        .unwrap()
        .to_owned();

    let (clean, bad) = faulty(&sb, &id, json!({"missing_line": true})).await;
    assert_eq!(bad.lines, clean.lines[1..]);

    let (clean, bad) = faulty(&sb, &id, json!({"duplicate_line": true})).await;
    assert_eq!(bad.lines.len(), 4);
    assert_eq!(
        (&bad.lines[0], &bad.lines[1]),
        (&clean.lines[0], &clean.lines[0])
    );
    assert_eq!(bad.lines[2..], clean.lines[1..]);

    let (clean, bad) = faulty(&sb, &id, json!({"changed_amount": true})).await;
    assert_eq!(bad.lines[1..], clean.lines[1..]);
    // 461.00: 32.2239 → 32.22, fees 33.22, VAT 4.983 → 4.98, payable 422.80.
    assert_eq!(
        pick(&bad.lines[0], &FEES),
        [
            "Captured", "461.00", "1.00", "32.22", "33.22", "4.98", "422.80"
        ]
    );

    let (clean, bad) = faulty(&sb, &id, json!({"unknown_order": true})).await;
    assert_eq!(bad.lines[..3], clean.lines[..]);
    let extra = &bad.lines[3];
    let (_, orders) = sb.get("/_sandbox/orders").await;
    assert!(
        !orders
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["order_id"] == extra["Tamara Order ID"].as_str()),
        "{extra:?}"
    );
    assert!(extra["Merchant Order ID"].starts_with("UNKNOWN-"));
    assert_eq!(
        pick(extra, &["Event", "Event Amount", "Currency"]),
        ["Captured", "100.00", "SAR"]
    );

    // Faults in the query are for that file only, and reach the XLSX the same way.
    let (_, _, x) = bytes(
        &sb,
        &format!("/_sandbox/statements/{id}.xlsx?faults=missing_line,duplicate_line"),
    )
    .await;
    assert_eq!(xlsx_file(x).lines.len(), 3);
    let (s, v) = sb
        .get(&format!("/_sandbox/statements/{id}.csv?faults=lost_line"))
        .await;
    assert_eq!(
        (s, v["errors"][0]["error_code"].as_str()),
        (400, Some("invalid_field")),
        "{v}"
    );
    let (s, _) = sb
        .post("/_sandbox/statements/faults", json!({"lost_line": true}))
        .await;
    assert_eq!(s, 400);
    let (s, _) = sb.get("/_sandbox/statements/ST-NOPE-2026-01.csv").await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn fee_rules_cycle_and_refund_fees_are_configurable_and_kwd_has_three_places() {
    let sb = start_with(SandboxConfig {
        statements: StatementConfig {
            fixed_fee: "0.5".parse().unwrap(),
            variable_percent: "2.5".parse().unwrap(),
            vat_percent: "5".parse().unwrap(),
            cycle_days: 1,
            refund_fees: RefundFees::VariableReturned,
            ..StatementConfig::default()
        },
        ..config()
    })
    .await;
    clear_of_midnight(&sb).await;
    let id = sb.new_order_in("12.345", "KWD", "KW").await;
    sb.post(&format!("/_sandbox/orders/{id}/approve"), json!({}))
        .await;
    sb.post(&format!("/orders/{id}/authorise"), json!({})).await;
    let (s, v) = sb
        .post("/payments/capture", capture_body(&id, "12.345", "KWD"))
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = sb
        .post(
            &format!("/payments/simplified-refund/{id}"),
            json!({"total_amount": money("2.345", "KWD"), "comment": "تالف"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let v = close(&sb).await;
    let sid = v["statement_id"].as_str().unwrap();
    // A one-day cycle is named by its day.
    let (_, clock) = sb.get("/_sandbox/clock").await;
    let today = clock["now"]
        .as_str()
        .unwrap()
        .parse::<DateTime<Utc>>()
        .unwrap()
        .with_timezone(&Riyadh);
    assert!(
        sid.starts_with(&format!("ST-6D9F752E-{}", today.format("%Y%m%d"))),
        "{sid}"
    );
    let f = csv_of(&sb, sid).await;
    // 12.345 × 2.5 % = 0.308625 → 0.309; fees 0.809; VAT 5 % 0.04045 → 0.040; payable 11.496.
    assert_eq!(
        pick(&f.lines[0], &FEES),
        [
            "Captured", "12.345", "0.500", "0.309", "0.809", "0.040", "11.496"
        ]
    );
    // The refund gets its variable fee back: −2.345 × 2.5 % = −0.058625 → −0.059, VAT −0.003.
    assert_eq!(
        pick(&f.lines[1], &FEES),
        [
            "Refunded", "-2.345", "0.000", "-0.059", "-0.059", "-0.003", "-2.283"
        ]
    );
    assert_eq!(f.lines[1]["Refund Reason"], "تالف");
    assert_eq!(f.lines[0]["Tamara Variable Fees %"], "2.5");
}
