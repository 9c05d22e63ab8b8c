//! The statement's layout (reference §11.1, observed in real files): a header block of labels
//! (Statement ID, Statement Date, Statement Period, Tamara Merchant ID), a summary by payment
//! type, then the detail table, one row per event. Both file formats write these rows.
//!
//! Dates are DD/MM/YYYY in the statement time zone; amounts carry the currency's precision;
//! the variable fee percentage is in percent points (`6.99`).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::book::{Issued, Line, LineEvent, Totals};

/// The detail table's columns, in the observed order.
pub const COLUMNS: [&str; 18] = [
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

/// The summary's columns. Deliberately none of the detail table's names, so a reader looking
/// for the table by its header never stops at the summary.
const SUMMARY: [&str; 7] = [
    "Summary by Payment Type",
    "Currency",
    "Sales",
    "Refunds",
    "Fees",
    "VAT on Fees",
    "Net Settlement",
];

/// One cell, typed so each format writes it its own way.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// An amount with the places to show (the currency's precision).
    Amount(Decimal, u32),
    /// A plain number (percent points, instalments).
    Number(Decimal),
    Date(NaiveDate),
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn dmy(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Every row of the file for `statement` showing `lines` (the statement's own, or faulty ones).
pub fn rows(statement: &Issued, lines: &[Line], time_zone: &str) -> Vec<Vec<Cell>> {
    let period = format!(
        "{} - {}",
        dmy(statement.period_start),
        dmy(statement.period_end)
    );
    let mut rows = vec![
        vec![text("Statement ID"), text(&statement.id)],
        vec![text("Statement Date"), text(&dmy(statement.statement_date))],
        vec![text("Statement Period"), text(&period)],
        vec![text("Tamara Merchant ID"), text(&statement.merchant_id)],
        vec![text("Time Zone"), text(time_zone)],
        Vec::new(),
        SUMMARY.iter().map(|s| text(s)).collect(),
    ];
    rows.extend(summary(lines));
    rows.push(Vec::new());
    rows.push(COLUMNS.iter().map(|s| text(s)).collect());
    rows.extend(lines.iter().map(detail));
    rows
}

/// One summary row per payment type and currency, in order of first appearance.
fn summary(lines: &[Line]) -> Vec<Vec<Cell>> {
    let mut groups: Vec<(String, Vec<Line>)> = Vec::new();
    for l in lines {
        match groups.iter_mut().find(|(t, g)| {
            *t == l.payment_type && g.first().is_some_and(|f| f.currency == l.currency)
        }) {
            Some((_, g)) => g.push(l.clone()),
            None => groups.push((l.payment_type.clone(), vec![l.clone()])),
        }
    }
    groups
        .iter()
        .flat_map(|(kind, g)| {
            Totals::of(g).into_iter().map(move |t| {
                let p = t.currency.precision();
                vec![
                    text(kind),
                    text(t.currency.code()),
                    Cell::Amount(t.sales, p),
                    Cell::Amount(t.refunds, p),
                    Cell::Amount(t.fees, p),
                    Cell::Amount(t.vat, p),
                    Cell::Amount(t.payable, p),
                ]
            })
        })
        .collect()
}

fn detail(l: &Line) -> Vec<Cell> {
    let p = l.currency.precision();
    let f = &l.fees;
    vec![
        Cell::Date(l.transaction_date),
        text(&l.tamara_order_id),
        text(&l.merchant_order_id),
        match l.event {
            LineEvent::Refunded if !l.refund_reason.is_empty() => text(&l.refund_reason),
            _ => Cell::Empty,
        },
        text(&l.payment_type),
        text(&l.order_status),
        text(l.currency.code()),
        Cell::Amount(l.order_amount, p),
        text(l.event.label()),
        Cell::Amount(l.amount, p),
        Cell::Date(l.event_date),
        Cell::Amount(f.fixed, p),
        Cell::Number(f.variable_percent.normalize()),
        Cell::Amount(f.variable, p),
        Cell::Amount(f.total, p),
        Cell::Amount(f.vat, p),
        Cell::Amount(f.payable, p),
        l.instalments
            .map_or(Cell::Empty, |n| Cell::Number(Decimal::from(n))),
    ]
}
