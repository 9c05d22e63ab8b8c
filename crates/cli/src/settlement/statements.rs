//! `mizan settlement import | list | show | export`: statements stored and reconciled, each
//! line with its outcome code (`--json` prints them as the core names them).

use mizan_core::Console;
use mizan_core::money::{Money, parse_decimal};
use mizan_core::statements::{
    ImportKind, ImportOptions, ImportReport, Outcome, ReconRow, Reconciliation,
};
use serde_json::json;

use super::{ExportArgs, ImportArgs, SettlementCommand, ShowArgs};
use crate::CliError;
use crate::output::{Output, say, table};

pub async fn run(console: &Console, out: &Output, cmd: SettlementCommand) -> Result<(), CliError> {
    match cmd {
        SettlementCommand::Read(a) => super::read(out, &a),
        SettlementCommand::Import(a) => import(console, out, a).await,
        SettlementCommand::List => list(console, out).await,
        SettlementCommand::Show(a) => show(console, out, a).await,
        SettlementCommand::Export(a) => export(console, out, a).await,
        SettlementCommand::Payout(c) => super::payouts::payout(console, out, c).await,
        SettlementCommand::Payouts => super::payouts::list(console, out).await,
        SettlementCommand::Month(a) => super::payouts::month(console, out, &a.month).await,
    }
}

async fn import(console: &Console, out: &Output, a: ImportArgs) -> Result<(), CliError> {
    let vat_percent = a
        .vat_percent
        .as_deref()
        .map(|v| parse_decimal(v).map_err(|e| CliError::Usage(format!("--vat-percent {v:?}: {e}"))))
        .transpose()?;
    let options = ImportOptions {
        time_zone: Some(a.time_zone),
        vat_percent,
    };
    let r = console.import_statement(&a.file, &options).await?;
    if out.json {
        out.json_value(&json!(r));
        return Ok(());
    }
    print_import(&r);
    Ok(())
}

fn print_import(r: &ImportReport) {
    let s = &r.statement;
    match r.kind {
        ImportKind::Imported => say!(
            "Imported statement {} as {} ({} lines, {} – {}, {})",
            s.statement_id,
            s.id,
            s.line_count,
            s.period_start,
            s.period_end,
            s.time_zone
        ),
        ImportKind::Unchanged => say!(
            "Already imported: statement {} revision {} is this very file ({}); nothing changed",
            s.statement_id,
            s.revision,
            s.id
        ),
        ImportKind::Revision => {
            say!(
                "Statement {} revision {} stored as {} (after revision {}); {} lines differ:",
                s.statement_id,
                s.revision,
                s.id,
                r.previous_revision.unwrap_or_default(),
                r.changes.len()
            );
            let rows: Vec<Vec<String>> = r
                .changes
                .iter()
                .map(|c| {
                    vec![
                        c.change.to_owned(),
                        c.tamara_order_id.clone(),
                        c.event.clone(),
                        shown(c.before),
                        shown(c.after),
                        c.fields.join(", "),
                    ]
                })
                .collect();
            say!(
                "{}",
                table(
                    &["CHANGE", "ORDER", "EVENT", "BEFORE", "AFTER", "FIGURES"],
                    &rows
                )
            );
        }
    }
    say!("Next: mizan settlement show {}", s.id);
}

async fn list(console: &Console, out: &Output) -> Result<(), CliError> {
    let all = console.statements().await?;
    let mut rows = Vec::with_capacity(all.len());
    let mut json_rows = Vec::with_capacity(all.len());
    for s in &all {
        let r = console.reconcile_statement(s.id).await?;
        let differences = r.difference_count();
        json_rows
            .push(json!({ "statement": s, "balanced": r.balanced, "differences": differences }));
        rows.push(vec![
            s.id.to_string(),
            s.statement_id.clone(),
            s.revision.to_string(),
            format!("{} – {}", s.period_start, s.period_end),
            s.line_count.to_string(),
            if r.balanced {
                "balanced".to_owned()
            } else {
                format!("{differences} differences")
            },
        ]);
    }
    if out.json {
        out.json_value(&json!(json_rows));
    } else if rows.is_empty() {
        say!("No statements imported yet: mizan settlement import FILE");
    } else {
        say!(
            "{}",
            table(
                &["ID", "STATEMENT", "REV", "PERIOD", "LINES", "STATE"],
                &rows
            )
        );
    }
    Ok(())
}

async fn show(console: &Console, out: &Output, a: ShowArgs) -> Result<(), CliError> {
    let r = console.reconcile_statement(a.id).await?;
    let rows: Vec<&ReconRow> = r
        .rows
        .iter()
        .filter(|x| !a.only_differences || x.outcome.is_difference())
        .collect();
    if out.json {
        out.json_value(&json!({
            "statement": r.statement, "balanced": r.balanced, "counts": r.counts,
            "totals": r.totals, "vat_percent": r.vat_percent,
            "totals_differences": r.totals_differences, "lines": rows,
        }));
        return Ok(());
    }
    print_header(&r);
    let cells: Vec<Vec<String>> = rows.iter().map(|x| row_cells(x)).collect();
    say!(
        "{}",
        table(
            &[
                "OUTCOME",
                "ROW",
                "ORDER",
                "REFERENCE",
                "EVENT",
                "STATEMENT",
                "LEDGER",
                "PAYABLE",
                "DETAIL"
            ],
            &cells
        )
    );
    Ok(())
}

fn print_header(r: &Reconciliation) {
    let s = &r.statement;
    say!(
        "Statement   {} (revision {}, imported as {})",
        s.statement_id,
        s.revision,
        s.id
    );
    say!(
        "Period      {} – {} ({})",
        s.period_start,
        s.period_end,
        s.time_zone
    );
    say!("Merchant    {}", s.merchant_id.as_deref().unwrap_or("-"));
    if let Some(t) = &r.totals {
        say!(
            "Totals      captured {}, refunded {}, fees {}, VAT {}, payable {}",
            t.captured,
            t.refunded,
            t.fees,
            t.vat,
            t.payable
        );
    }
    for d in &r.totals_differences {
        say!(
            "Summary     {} stated {}, the lines add up to {}",
            d.figure,
            d.stated,
            d.lines
        );
    }
    let counts: Vec<String> = r
        .counts
        .iter()
        .map(|(o, n)| format!("{n} {}", o.as_str()))
        .collect();
    say!("Outcomes    {}", counts.join(", "));
    say!(
        "State       {}",
        if r.balanced {
            "balanced"
        } else {
            "differences to look at"
        }
    );
}

fn row_cells(x: &ReconRow) -> Vec<String> {
    let detail = if x.outcome == Outcome::NotInMizan && x.order_cached {
        "the order is cached; its movement is not: mizan orders fetch ORDER".to_owned()
    } else if x.outcome == Outcome::NotInMizan {
        "order not in the cache: mizan orders fetch ORDER".to_owned()
    } else {
        x.fee_problems
            .iter()
            .map(|p| {
                format!(
                    "{} {} (expected {})",
                    p.field,
                    p.found.amount_text(),
                    p.expected.amount_text()
                )
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    vec![
        x.outcome.as_str().to_owned(),
        x.row.map(|r| r.to_string()).unwrap_or_else(|| "-".into()),
        x.tamara_order_id.clone(),
        x.order_reference_id.clone().unwrap_or_else(|| "-".into()),
        x.event.clone(),
        shown(x.statement_amount),
        shown(x.ledger_amount),
        shown(x.payable),
        detail,
    ]
}

fn shown(m: Option<Money>) -> String {
    m.map_or_else(|| "-".to_owned(), |m| m.to_string())
}

async fn export(console: &Console, out: &Output, a: ExportArgs) -> Result<(), CliError> {
    let rows = console
        .export_reconciliation(a.id, &a.output, a.force)
        .await?;
    if out.json {
        out.json_value(&json!({ "file": a.output, "rows": rows }));
    } else {
        say!("Wrote {rows} rows to {}", a.output.display());
    }
    Ok(())
}
