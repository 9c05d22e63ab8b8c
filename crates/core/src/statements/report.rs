//! The reconciliation report an accountant files: one CSV row per statement line and per
//! missing movement, with its outcome code, both amounts, the difference and the fees.
//!
//! Invariants: written like every export — staged and renamed only when complete, never over
//! an existing file unless asked, cells neutralised against formulas, recorded in the audit
//! log; amounts exact, as text.

use std::path::Path;

use super::reconcile::{ReconRow, Reconciliation};
use crate::audit::{self, AuditRecord};
use crate::context::Context;
use crate::error::Result;
use crate::export::Staged;
use crate::export::guard;
use crate::export::sheet::Sheet;
use crate::money::Money;

const HEADER: [&str; 17] = [
    "outcome",
    "statement_id",
    "statement_row",
    "transaction_date",
    "tamara_order_id",
    "order_reference_id",
    "event",
    "currency",
    "statement_amount",
    "ledger_amount",
    "difference",
    "total_fees",
    "vat",
    "payable",
    "ledger_id",
    "gateway_id",
    "detail",
];

/// Writes `r` to `path` (refusing an existing file unless `overwrite`); returns the rows.
///
/// # Errors
/// [`crate::export::ExportError`]s: the file exists, or cannot be written.
pub async fn export(
    ctx: &Context,
    r: &Reconciliation,
    path: &Path,
    overwrite: bool,
) -> Result<u64> {
    let written = write(r, path, overwrite);
    let rec = AuditRecord {
        env: ctx.environment(),
        actor: ctx.config().operator.clone(),
        action: "export.reconciliation".to_owned(),
        subject: path.display().to_string(),
        request_summary: Some(format!(
            "statement {} revision {}",
            r.statement.statement_id, r.statement.revision
        )),
        result: match &written {
            Ok(n) => format!("ok: {n} rows"),
            Err(e) => format!("failed: {}", e.code()),
        },
    };
    let recorded = audit::record(ctx.store(), rec, ctx.now()).await;
    let rows = written?;
    recorded?;
    Ok(rows)
}

fn write(r: &Reconciliation, path: &Path, overwrite: bool) -> Result<u64> {
    guard::refuse_existing(&guard::targets(path, false), overwrite)?;
    let mut staged = Staged::create(path)?;
    let mut sheet = Sheet::new(staged.file(), true, &HEADER)?;
    for row in &r.rows {
        cells(&mut sheet, &r.statement.statement_id, row)?;
    }
    let rows = sheet.rows();
    sheet.finish()?;
    staged.commit()?;
    Ok(rows)
}

fn cells<W: std::io::Write>(s: &mut Sheet<W>, statement_id: &str, r: &ReconRow) -> Result<()> {
    let amount = |m: Option<Money>| m.map(|m| m.amount_text()).unwrap_or_default();
    let currency = r
        .statement_amount
        .or(r.ledger_amount)
        .map(|m| m.currency().code())
        .unwrap_or_default();
    let difference = match (r.statement_amount, r.ledger_amount) {
        (Some(s), Some(l)) => Money::new(s.amount().abs() - l.amount(), l.currency()).ok(),
        _ => None,
    };
    let detail: Vec<String> = r
        .fee_problems
        .iter()
        .map(|p| {
            format!(
                "{} {} expected {}",
                p.field,
                p.found.amount_text(),
                p.expected.amount_text()
            )
        })
        .collect();
    s.value(r.outcome.as_str())?;
    s.text(statement_id)?;
    s.value(&r.row.map(|n| n.to_string()).unwrap_or_default())?;
    s.value(
        &r.transaction_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
    )?;
    s.text(&r.tamara_order_id)?;
    s.opt_text(r.order_reference_id.as_deref())?;
    s.value(&r.event)?;
    s.value(currency)?;
    s.value(&amount(r.statement_amount))?;
    s.value(&amount(r.ledger_amount))?;
    s.value(&amount(difference))?;
    s.value(&amount(r.total_fees))?;
    s.value(&amount(r.vat))?;
    s.value(&amount(r.payable))?;
    s.value(&r.ledger_id.map(|n| n.to_string()).unwrap_or_default())?;
    s.opt_text(r.gateway_id.as_deref())?;
    s.text(&detail.join("; "))?;
    s.end_row()?;
    Ok(())
}
