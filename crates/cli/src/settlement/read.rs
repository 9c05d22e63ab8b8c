//! `mizan settlement read FILE`: reads a Tamara statement (XLSX or CSV) and prints what it
//! holds — its header, its lines' count and sums per event and currency — or the row and column
//! of the first problem. Nothing is stored and nothing is sent.

use std::collections::BTreeMap;

use mizan_core::money::Money;
use mizan_core::settlement::{Statement, read_statement};
use serde_json::{Value, json};

use super::ReadArgs;
use crate::CliError;
use crate::output::{Output, say, table};

/// Sums of one (event, currency).
struct Sums {
    lines: u64,
    amount: Money,
    fees: Money,
    vat: Money,
    payable: Money,
}

pub fn run(out: &Output, a: &ReadArgs) -> Result<(), CliError> {
    let s = read_statement(&a.file).map_err(mizan_core::Error::from)?;
    let sums = sums(&s)?;
    if out.json {
        out.json_value(&json!({
            "statement_id": s.statement_id,
            "statement_date": s.statement_date,
            "period": s.period,
            "merchant_id": s.merchant_id,
            "digest": s.digest,
            "lines": s.lines.len(),
            "sums": sums.iter().map(|((event, currency), x)| json!({
                "event": event, "currency": currency, "lines": x.lines,
                "amount": x.amount.amount_text(), "fees": x.fees.amount_text(),
                "vat": x.vat.amount_text(), "payable": x.payable.amount_text(),
            })).collect::<Vec<Value>>(),
        }));
        return Ok(());
    }
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
    say!("Statement     {}", or_dash(&s.statement_id));
    say!("Date          {}", or_dash(&s.statement_date));
    say!("Period        {}", or_dash(&s.period));
    say!("Merchant      {}", or_dash(&s.merchant_id));
    say!("Lines         {}", s.lines.len());
    let rows: Vec<Vec<String>> = sums
        .iter()
        .map(|((event, _), x)| {
            vec![
                (*event).to_owned(),
                x.lines.to_string(),
                x.amount.to_string(),
                x.fees.to_string(),
                x.vat.to_string(),
                x.payable.to_string(),
            ]
        })
        .collect();
    say!(
        "{}",
        table(
            &["EVENT", "LINES", "AMOUNT", "FEES", "VAT", "PAYABLE"],
            &rows
        )
    );
    Ok(())
}

fn sums(s: &Statement) -> Result<BTreeMap<(&'static str, &'static str), Sums>, CliError> {
    let mut out: BTreeMap<(&'static str, &'static str), Sums> = BTreeMap::new();
    let overflow =
        |e: mizan_core::money::MoneyError| CliError::Usage(format!("the sums overflow: {e}"));
    for l in &s.lines {
        let cur = l.amount.currency();
        let x = out.entry((l.event.as_str(), cur.code())).or_insert(Sums {
            lines: 0,
            amount: Money::zero(cur),
            fees: Money::zero(cur),
            vat: Money::zero(cur),
            payable: Money::zero(cur),
        });
        x.lines += 1;
        x.amount = x.amount.checked_add(l.amount).map_err(overflow)?;
        x.fees = x.fees.checked_add(l.total_fees).map_err(overflow)?;
        x.vat = x.vat.checked_add(l.vat).map_err(overflow)?;
        x.payable = x.payable.checked_add(l.payable).map_err(overflow)?;
    }
    Ok(out)
}
