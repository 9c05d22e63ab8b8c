//! The reconciliation screen: Tamara's statements as imported (each with whether it balances),
//! one statement reconciled line by line, the import's answer, the report export, and the
//! repair of a `not_in_mizan` line (the order read again from Tamara, then matched again).
//!
//! Invariants: the contract's (amounts as exact strings beside their currency, RFC 3339 times,
//! ISO days for the statement's own calendar, integers of 32 bits); everything is computed from
//! the store at each call (see [`crate::statements::reconcile`]), so a repaired cache shows at
//! once; outcome codes cross unchanged, the UI translates them.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{amount, count, time};
use crate::console::Console;
use crate::error::{Error, Result};
use crate::money::Money;
use crate::statements::import::LineChange;
use crate::statements::reconcile::StatementTotals;
use crate::statements::{
    ImportKind, ImportOptions, ImportReport, Outcome, ReconRow, Reconciliation, StatementSummary,
};
use crate::store::statements;

/// A stored statement (one revision) as the screen names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StatementHeader {
    /// The store's row id: what the other calls take.
    pub id: u32,
    /// Tamara's statement id (`ST-2026-49`).
    pub statement_id: String,
    pub revision: u32,
    pub merchant_id: Option<String>,
    /// First and last day of the period (ISO days in `time_zone`).
    pub period_start: String,
    pub period_end: String,
    pub time_zone: String,
    pub line_count: u32,
    pub file_name: String,
    pub imported_at: String,
    pub imported_by: String,
}

/// A statement in the list, with what reconciling it concludes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StatementListRow {
    pub statement: StatementHeader,
    pub balanced: bool,
    /// Rows someone has to look at (every outcome but matched and net_zero).
    pub differences: u32,
}

/// How many rows have one outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OutcomeCount {
    pub outcome: Outcome,
    pub count: u32,
    /// Someone has to look at rows with this outcome.
    pub difference: bool,
}

/// The statement's sums by its lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StatementTotalsView {
    pub currency: String,
    pub captured: String,
    /// As the statement gives it (negative).
    pub refunded: String,
    pub fees: String,
    pub vat: String,
    pub payable: String,
}

/// A figure of a line that does not follow from the others (`vat`: found 1.05, expected 1.35).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct FeeProblemView {
    /// `total_fees`, `vat` or `payable`.
    pub field: String,
    pub expected: String,
    pub found: String,
}

/// A statement line, or a movement the statement lacks, with its outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ReconRowView {
    pub outcome: Outcome,
    /// The statement's row (none for a movement the statement lacks).
    pub row: Option<u32>,
    pub transaction_date: Option<String>,
    pub order_id: String,
    pub order_reference_id: Option<String>,
    /// `captured` or `refunded`.
    pub event: String,
    pub currency: String,
    /// As the statement gives it (refunds negative).
    pub statement_amount: Option<String>,
    /// As the ledger keeps it (positive).
    pub ledger_amount: Option<String>,
    pub total_fees: Option<String>,
    pub vat: Option<String>,
    pub payable: Option<String>,
    pub fee_problems: Vec<FeeProblemView>,
    /// For `not_in_mizan`: the cache holds the order (only the movement is missing), so reading
    /// the order again is what may repair it.
    pub order_cached: bool,
    /// Tamara's capture or refund id, when a movement is matched.
    pub gateway_id: Option<String>,
    pub occurred_at: Option<String>,
}

/// One statement reconciled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StatementView {
    pub statement: StatementHeader,
    /// VAT on Tamara's fees, percent, as the fee checks used it.
    pub vat_percent: String,
    pub balanced: bool,
    /// Every outcome, in a fixed order, zeros included (the filter chips).
    pub counts: Vec<OutcomeCount>,
    /// None when the lines mix currencies or there are none.
    pub totals: Option<StatementTotalsView>,
    /// Figures of the statement's own summary its lines do not add up to.
    pub totals_differences: Vec<TotalsDifferenceView>,
    pub rows: Vec<ReconRowView>,
}

/// A stated total against the sum of the lines, as exact strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TotalsDifferenceView {
    /// `sales`, `refunds`, `fees`, `vat` or `net`.
    pub figure: String,
    pub currency: String,
    pub stated: String,
    pub lines: String,
}

/// A line added, removed or changed by a new revision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LineChangeView {
    pub order_id: String,
    pub event: String,
    /// `added`, `removed` or `changed`.
    pub change: String,
    pub fields: Vec<String>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub currency: Option<String>,
}

/// What importing a file did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ImportAnswer {
    /// `imported`, `unchanged` (the same file again: nothing changed) or `revision`.
    pub kind: ImportKind,
    pub statement: StatementHeader,
    pub previous_revision: Option<u32>,
    pub changes: Vec<LineChangeView>,
}

/// A statement line about an order, for the order's screen: which statement settled its capture
/// or refund, with Tamara's fees on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SettledLine {
    /// The statement's row id (what [`show`] takes).
    pub statement: u32,
    pub statement_id: String,
    /// The file's row.
    pub row: u32,
    pub transaction_date: String,
    /// `captured` or `refunded`.
    pub event: String,
    pub currency: String,
    /// As the statement gives it (refunds negative).
    pub amount: String,
    pub total_fees: String,
    pub vat: String,
    pub payable: String,
}

fn id32(id: i64) -> u32 {
    count(id)
}

fn money(m: Option<Money>) -> Option<String> {
    m.map(amount)
}

fn header(s: &StatementSummary) -> StatementHeader {
    StatementHeader {
        id: id32(s.id),
        statement_id: s.statement_id.clone(),
        revision: s.revision,
        merchant_id: s.merchant_id.clone(),
        period_start: s.period_start.to_string(),
        period_end: s.period_end.to_string(),
        time_zone: s.time_zone.clone(),
        line_count: s.line_count,
        file_name: s.file_name.clone(),
        imported_at: time(s.imported_at),
        imported_by: s.imported_by.clone(),
    }
}

fn row(r: &ReconRow) -> ReconRowView {
    let currency = r
        .statement_amount
        .or(r.ledger_amount)
        .map(|m| m.currency().code().to_owned())
        .unwrap_or_default();
    ReconRowView {
        outcome: r.outcome,
        row: r.row,
        transaction_date: r.transaction_date.map(|d| d.to_string()),
        order_id: r.tamara_order_id.clone(),
        order_reference_id: r.order_reference_id.clone(),
        event: r.event.clone(),
        currency,
        statement_amount: money(r.statement_amount),
        ledger_amount: money(r.ledger_amount),
        total_fees: money(r.total_fees),
        vat: money(r.vat),
        payable: money(r.payable),
        fee_problems: r
            .fee_problems
            .iter()
            .map(|p| FeeProblemView {
                field: p.field.to_owned(),
                expected: amount(p.expected),
                found: amount(p.found),
            })
            .collect(),
        order_cached: r.order_cached,
        gateway_id: r.gateway_id.clone(),
        occurred_at: r.occurred_at.map(time),
    }
}

fn totals(t: &StatementTotals) -> StatementTotalsView {
    StatementTotalsView {
        currency: t.captured.currency().code().to_owned(),
        captured: amount(t.captured),
        refunded: amount(t.refunded),
        fees: amount(t.fees),
        vat: amount(t.vat),
        payable: amount(t.payable),
    }
}

fn differences(r: &Reconciliation) -> u32 {
    count(r.difference_count())
}

/// The screen's model of a reconciliation.
pub fn view(r: &Reconciliation) -> StatementView {
    StatementView {
        statement: header(&r.statement),
        vat_percent: r.vat_percent.normalize().to_string(),
        balanced: r.balanced,
        counts: Outcome::ALL
            .iter()
            .map(|&o| OutcomeCount {
                outcome: o,
                count: r.counts.get(&o).copied().unwrap_or(0),
                difference: o.is_difference(),
            })
            .collect(),
        totals: r.totals.as_ref().map(totals),
        totals_differences: r
            .totals_differences
            .iter()
            .map(|d| TotalsDifferenceView {
                figure: d.figure.to_owned(),
                currency: d.stated.currency().code().to_owned(),
                stated: amount(d.stated),
                lines: amount(d.lines),
            })
            .collect(),
        rows: r.rows.iter().map(row).collect(),
    }
}

fn change(c: &LineChange) -> LineChangeView {
    LineChangeView {
        order_id: c.tamara_order_id.clone(),
        event: c.event.clone(),
        change: c.change.to_owned(),
        fields: c.fields.iter().map(|f| (*f).to_owned()).collect(),
        before: money(c.before),
        after: money(c.after),
        currency: c.after.or(c.before).map(|m| m.currency().code().to_owned()),
    }
}

/// The screen's model of an import.
pub fn answer(r: &ImportReport) -> ImportAnswer {
    ImportAnswer {
        kind: r.kind,
        statement: header(&r.statement),
        previous_revision: r.previous_revision,
        changes: r.changes.iter().map(change).collect(),
    }
}

/// Imports the statement file at `path` (CSV or XLSX) with the statement's default time zone
/// and VAT rate.
///
/// # Errors
/// The reader's `statement_unreadable` / `statement_invalid`; `statement_other_merchant`;
/// store errors (then nothing is stored).
pub async fn import(console: &Console, path: &str) -> Result<ImportAnswer> {
    let path = path.trim();
    if path.is_empty() {
        return Err(Error::Invalid("choose a statement file to import".into()));
    }
    let r = console
        .import_statement(Path::new(path), &ImportOptions::default())
        .await?;
    Ok(answer(&r))
}

/// Every imported statement (each revision), newest period first, each reconciled to say
/// whether it balances. Statements are weekly and a few hundred lines each, so reconciling
/// them all per look stays cheap, and nothing stale is ever shown.
///
/// # Errors
/// Store errors.
pub async fn list(console: &Console) -> Result<Vec<StatementListRow>> {
    let mut out = Vec::new();
    for s in console.statements().await? {
        let r = console.reconcile_statement(s.id).await?;
        out.push(StatementListRow {
            statement: header(&s),
            balanced: r.balanced,
            differences: differences(&r),
        });
    }
    Ok(out)
}

/// Statement `id` reconciled.
///
/// # Errors
/// `statement_not_found`; store errors.
pub async fn show(console: &Console, id: u32) -> Result<StatementView> {
    Ok(view(&console.reconcile_statement(i64::from(id)).await?))
}

/// Writes statement `id`'s reconciliation report (CSV) to `path`; the rows written.
///
/// # Errors
/// `invalid_input` for a path that is not absolute or whose folder is missing;
/// `export_file_exists` unless `overwrite`; `statement_not_found`; write errors.
pub async fn export(console: &Console, id: u32, path: &str, overwrite: bool) -> Result<u32> {
    let file = super::ops::output_path(path)?;
    let n = console
        .export_reconciliation(i64::from(id), &file, overwrite)
        .await?;
    Ok(count(n))
}

/// The lines about `order_id` in the newest revision of every imported statement, in
/// statement and row order.
///
/// # Errors
/// Store errors.
pub async fn settled_in(console: &Console, order_id: &str) -> Result<Vec<SettledLine>> {
    let lines =
        statements::lines_elsewhere(console.store(), console.environment(), &[order_id], None)
            .await?;
    Ok(lines
        .into_iter()
        .map(|e| SettledLine {
            statement: id32(e.statement),
            statement_id: e.statement_id,
            row: e.line.row,
            transaction_date: e.line.transaction_date.to_string(),
            event: e.line.event,
            currency: e.line.amount.currency().code().to_owned(),
            amount: amount(e.line.amount),
            total_fees: amount(e.line.total_fees),
            vat: amount(e.line.vat),
            payable: amount(e.line.payable),
        })
        .collect())
}

/// For a line the ledger lacks: reads `order_id` from Tamara again (which records the captures
/// and refunds it has), then reconciles statement `id` again.
///
/// # Errors
/// `invalid_input` when the statement has no line about `order_id` (the UI offers the repair
/// only on such lines); `statement_not_found`; gateway and store errors.
pub async fn repair_order(console: &Console, id: u32, order_id: &str) -> Result<StatementView> {
    let before = console.reconcile_statement(i64::from(id)).await?;
    if !before.rows.iter().any(|r| r.tamara_order_id == order_id) {
        return Err(Error::Invalid(format!(
            "statement {} has no line about order {order_id:?}",
            before.statement.statement_id
        )));
    }
    console.fetch_order(order_id).await?;
    show(console, id).await
}
