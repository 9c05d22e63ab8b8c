//! `mizan settlement payout add | import`, `payouts` and `month`: Tamara's bank deposits
//! matched to the statements they settle, and the monthly view (`--json` prints them as the
//! core names them).

use chrono::NaiveDate;
use mizan_core::Console;
use mizan_core::money::{Currency, Money, parse_decimal};
use mizan_core::settlement::BankOptions;
use mizan_core::statements::{MonthFigures, NewPayout, PayoutView};
use serde_json::json;

use super::{PayoutAddArgs, PayoutCommand, PayoutImportArgs};
use crate::CliError;
use crate::output::{Output, say, table};

pub async fn payout(console: &Console, out: &Output, cmd: PayoutCommand) -> Result<(), CliError> {
    match cmd {
        PayoutCommand::Add(a) => add(console, out, a).await,
        PayoutCommand::Import(a) => import(console, out, a).await,
    }
}

fn currency(text: &str) -> Result<Currency, CliError> {
    text.trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|e| CliError::Usage(format!("--currency {text:?}: {e}")))
}

/// `--max-fee`, parsed (a macro: the CLI does not name the decimal type).
macro_rules! max_fee {
    ($text:expr) => {
        $text
            .map(|t: &str| {
                parse_decimal(t).map_err(|e| CliError::Usage(format!("--max-fee {t:?}: {e}")))
            })
            .transpose()?
    };
}

async fn add(console: &Console, out: &Output, a: PayoutAddArgs) -> Result<(), CliError> {
    let cur = currency(&a.currency)?;
    let amount = Money::parse(&a.amount, cur)
        .map_err(|e| CliError::Usage(format!("--amount {:?}: {e}", a.amount)))?;
    let paid_on = NaiveDate::parse_from_str(a.date.trim(), "%Y-%m-%d")
        .map_err(|_| CliError::Usage(format!("--date {:?}: YYYY-MM-DD expected", a.date)))?;
    let p = NewPayout {
        paid_on,
        amount,
        reference: a.reference,
        note: a.note,
        statements: a.statements,
        max_fee: max_fee!(a.max_fee.as_deref()),
    };
    let v = console.add_payout(&p).await?;
    if out.json {
        out.json_value(&json!(v));
        return Ok(());
    }
    say!("Recorded payout {}: {} on {}", v.id, v.amount, v.paid_on);
    print_payouts(std::slice::from_ref(&v));
    Ok(())
}

async fn import(console: &Console, out: &Output, a: PayoutImportArgs) -> Result<(), CliError> {
    let options = BankOptions {
        currency: currency(&a.currency)?,
        all_credits: a.all_credits,
    };
    let r = console
        .import_bank_file(&a.file, options, max_fee!(a.max_fee.as_deref()))
        .await?;
    if out.json {
        out.json_value(&json!(r));
        return Ok(());
    }
    say!(
        "Imported {} payouts ({} recorded before, {} rows not Tamara's deposits)",
        r.imported.len(),
        r.already_recorded,
        r.skipped_rows
    );
    if !r.imported.is_empty() {
        print_payouts(&r.imported);
    }
    Ok(())
}

pub async fn list(console: &Console, out: &Output) -> Result<(), CliError> {
    let l = console.payouts().await?;
    if out.json {
        out.json_value(&json!(l));
        return Ok(());
    }
    if l.payouts.is_empty() {
        say!("No payouts recorded yet: mizan settlement payout add | import");
    } else {
        print_payouts(&l.payouts);
    }
    if !l.open_items.is_empty() {
        say!("Open items (statements no payout settles yet):");
        let rows: Vec<Vec<String>> = l
            .open_items
            .iter()
            .map(|s| {
                vec![
                    s.id.to_string(),
                    s.statement_id.clone(),
                    format!("{} – {}", s.period_start, s.period_end),
                    s.net_payable.to_string(),
                ]
            })
            .collect();
        say!(
            "{}",
            table(&["ID", "STATEMENT", "PERIOD", "NET PAYABLE"], &rows)
        );
    }
    Ok(())
}

fn print_payouts(all: &[PayoutView]) {
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|p| {
            let settles: Vec<&str> = p
                .statements
                .iter()
                .map(|s| s.statement_id.as_str())
                .collect();
            vec![
                p.id.to_string(),
                p.paid_on.to_string(),
                p.amount.to_string(),
                p.bank_reference.clone().unwrap_or_else(|| "-".into()),
                if settles.is_empty() {
                    "-".to_owned()
                } else {
                    settles.join(", ")
                },
                p.statements_net.to_string(),
                p.difference.amount_text(),
                serde_json::to_value(p.explanation)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    say!(
        "{}",
        table(
            &[
                "ID",
                "PAID ON",
                "AMOUNT",
                "REFERENCE",
                "SETTLES",
                "NET PAYABLE",
                "DIFFERENCE",
                "EXPLAINED"
            ],
            &rows
        )
    );
}

pub async fn month(console: &Console, out: &Output, month: &str) -> Result<(), CliError> {
    let v = console.settlement_month(month).await?;
    if out.json {
        out.json_value(&json!(v));
        return Ok(());
    }
    say!("Month {} ({} – {})", v.month, v.first_day, v.last_day);
    if v.currencies.is_empty() {
        say!("No statement lines or payouts in this month.");
    }
    for f in &v.currencies {
        print_month(f);
    }
    Ok(())
}

fn print_month(f: &MonthFigures) {
    let rows: Vec<Vec<String>> = [
        ("captured", f.captured),
        ("refunded", f.refunded),
        ("fees", f.fees),
        ("VAT on fees", f.vat),
        ("fees + VAT (tax invoice)", f.fees_and_vat),
        ("net payable", f.net_payable),
        ("paid", f.paid),
        ("difference", f.difference),
        ("  open items", f.open_items),
        // Subtracted from the difference, so shown negative (never "-0.00").
        (
            "  paid for other months",
            if f.paid_for_other_months.is_zero() {
                f.paid_for_other_months
            } else {
                f.paid_for_other_months.negated()
            },
        ),
        ("  payout fees", f.payout_fees),
        ("  unexplained", f.unexplained),
    ]
    .into_iter()
    .map(|(k, m)| vec![k.to_owned(), m.amount_text()])
    .collect();
    say!("{}", table(&[f.currency.code(), "AMOUNT"], &rows));
}
