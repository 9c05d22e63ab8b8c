//! Importing a statement file into the store: atomic, idempotent, revision-aware, and only for
//! this console's merchant.
//!
//! Invariants: the same file again changes nothing and says so; another file with a known
//! statement id is stored as its next revision, with the differences listed, never merged into
//! the earlier one; a statement naming another merchant than the first one imported (or the
//! one set) is refused; a file is stored whole in one transaction or not at all.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::audit::{self, AuditRecord};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::settlement::{Statement, StatementLine, read_statement};
use crate::store::settings::{self as stored, SettingScope};
use crate::store::statements::{self, LineRecord, StatedTotals, StatementRecord};

/// The merchant id statements must carry (per environment): set by the first import that
/// names one, or by hand.
pub const MERCHANT_SETTING: &str = "settlement.merchant_id";
/// Tamara's statements are cut in Saudi time (reference §11.1).
pub const DEFAULT_TIME_ZONE: &str = "Asia/Riyadh";

/// How a file is imported.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The statement's time zone (IANA name); [`DEFAULT_TIME_ZONE`] when `None`.
    pub time_zone: Option<String>,
    /// VAT on Tamara's fees, percent; the currency's country rate when `None`.
    pub vat_percent: Option<Decimal>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// A statement seen for the first time.
    Imported,
    /// The very same file was imported before: nothing changed.
    Unchanged,
    /// A new revision of a statement imported before.
    Revision,
}

/// A line added, removed or changed between two revisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineChange {
    pub tamara_order_id: String,
    pub event: String,
    /// `added`, `removed` or `changed`.
    pub change: &'static str,
    /// The figures that changed (`amount`, `total_fees`, `vat`, `payable`).
    pub fields: Vec<&'static str>,
    pub before: Option<Money>,
    pub after: Option<Money>,
}

/// The answer to an import.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    pub kind: ImportKind,
    /// The statement as stored (the earlier import when unchanged).
    pub statement: StatementSummary,
    /// For a revision: the revision it follows and what differs.
    pub previous_revision: Option<u32>,
    pub changes: Vec<LineChange>,
}

/// A stored statement as hosts show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementSummary {
    pub id: i64,
    pub statement_id: String,
    pub revision: u32,
    pub merchant_id: Option<String>,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub time_zone: String,
    pub line_count: u32,
    pub file_name: String,
    pub imported_at: chrono::DateTime<chrono::Utc>,
    pub imported_by: String,
}

impl From<&StatementRecord> for StatementSummary {
    fn from(r: &StatementRecord) -> Self {
        StatementSummary {
            id: r.id,
            statement_id: r.statement_id.clone(),
            revision: r.revision,
            merchant_id: r.merchant_id.clone(),
            period_start: r.period_start,
            period_end: r.period_end,
            time_zone: r.time_zone.clone(),
            line_count: r.line_count,
            file_name: r.file_name.clone(),
            imported_at: r.imported_at,
            imported_by: r.imported_by.clone(),
        }
    }
}

/// VAT on Tamara's fees where the currency is used: KSA 15 %, UAE 5 %, Bahrain 10 %, Oman 5 %,
/// Kuwait and Qatar none.
pub fn default_vat_percent(currency: Currency) -> Decimal {
    match currency.code() {
        "SAR" => Decimal::new(15, 0),
        "BHD" => Decimal::new(10, 0),
        "AED" | "OMR" => Decimal::new(5, 0),
        _ => Decimal::ZERO,
    }
}

/// Parses an IANA time zone name.
///
/// # Errors
/// [`Error::Invalid`] naming it.
pub fn time_zone(name: &str) -> Result<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        Error::Invalid(format!(
            "unknown time zone {name:?}: an IANA name like Asia/Riyadh"
        ))
    })
}

/// Reads `path` and stores it (see the module's invariants); `actor` is who imported it.
///
/// # Errors
/// The reader's [`Error::Statement`]; [`Error::StatementOtherMerchant`]; [`Error::Invalid`] for
/// a bad time zone or VAT rate; store errors (then nothing is stored).
pub async fn import(
    ctx: &Context,
    path: &Path,
    options: &ImportOptions,
    actor: &str,
) -> Result<ImportReport> {
    let zone = options.time_zone.as_deref().unwrap_or(DEFAULT_TIME_ZONE);
    let tz = time_zone(zone)?;
    let read = read_statement(path)?;
    let env = ctx.environment();
    let mut tx = ctx.store().begin().await?;
    if let Some(earlier) = statements::by_digest(&mut tx, env, &read.digest).await? {
        return Ok(ImportReport {
            kind: ImportKind::Unchanged,
            statement: (&earlier).into(),
            previous_revision: None,
            changes: Vec::new(),
        });
    }
    check_merchant(&mut tx, ctx, &read).await?;
    let statement_id = read
        .statement_id
        .clone()
        .unwrap_or_else(|| format!("file-{}", &read.digest[..12]));
    let previous = statements::latest(&mut tx, env, &statement_id).await?;
    let lines: Vec<LineRecord> = read.lines.iter().map(record_of).collect();
    let currency = lines.first().map_or(Currency::Sar, |l| l.amount.currency());
    let vat_percent = options
        .vat_percent
        .unwrap_or_else(|| default_vat_percent(currency));
    if vat_percent.is_sign_negative() || vat_percent > Decimal::ONE_HUNDRED {
        return Err(Error::Invalid(format!(
            "VAT rate {vat_percent} % is not between 0 and 100"
        )));
    }
    let (period_start, period_end) = period(&read);
    let record = StatementRecord {
        id: 0,
        environment: env,
        statement_id,
        revision: previous.as_ref().map_or(1, |p| p.revision + 1),
        digest: read.digest.clone(),
        merchant_id: read.merchant_id.clone(),
        statement_date: read.statement_date.clone(),
        period_start,
        period_end,
        time_zone: tz.name().to_owned(),
        vat_percent,
        file_name: path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ),
        line_count: u32::try_from(lines.len()).unwrap_or(u32::MAX),
        imported_at: ctx.now(),
        imported_by: actor.to_owned(),
        stated_totals: stated_totals(&read)?,
    };
    let changes = match &previous {
        Some(p) => differences(&statements::lines(&mut tx, p.id).await?, &lines),
        None => Vec::new(),
    };
    let id = statements::insert(&mut tx, &record, &lines).await?;
    tx.commit()
        .await
        .map_err(crate::store::StoreError::query("commit statement"))?;
    let stored = StatementRecord { id, ..record };
    audited(ctx, &stored, actor, previous.as_ref().map(|p| p.revision)).await;
    Ok(ImportReport {
        kind: if previous.is_some() {
            ImportKind::Revision
        } else {
            ImportKind::Imported
        },
        statement: (&stored).into(),
        previous_revision: previous.map(|p| p.revision),
        changes,
    })
}

/// An import is an audit entry: what an accountant's figures rest on changed.
async fn audited(ctx: &Context, s: &StatementRecord, actor: &str, previous: Option<u32>) {
    let rec = AuditRecord {
        env: ctx.environment(),
        actor: actor.to_owned(),
        action: "settlement.import".to_owned(),
        subject: s.statement_id.clone(),
        request_summary: Some(format!(
            "{} ({} lines, sha256 {})",
            s.file_name,
            s.line_count,
            &s.digest[..16]
        )),
        result: match previous {
            Some(p) => format!("ok: revision {} after {p}", s.revision),
            None => format!("ok: revision {}", s.revision),
        },
    };
    if let Err(e) = audit::record(ctx.store(), rec, ctx.now()).await {
        tracing::warn!(error = %e, "could not append the statement import to the audit log");
    }
}

/// Refuses a statement of another merchant; the first one that names a merchant sets it.
async fn check_merchant(
    tx: &mut crate::store::StoreTx,
    ctx: &Context,
    read: &Statement,
) -> Result<()> {
    let Some(found) = read.merchant_id.as_deref() else {
        return Ok(());
    };
    let scope = SettingScope::Env(ctx.environment());
    match stored::get(&mut *tx, scope, MERCHANT_SETTING).await? {
        Some(expected) if expected != found => Err(Error::StatementOtherMerchant {
            expected,
            found: found.to_owned(),
        }),
        Some(_) => Ok(()),
        None => Ok(stored::set(&mut *tx, scope, MERCHANT_SETTING, found, ctx.now()).await?),
    }
}

/// The summary's rows summed per currency (one row per payment type and currency).
fn stated_totals(read: &Statement) -> Result<Vec<StatedTotals>> {
    let mut out: Vec<StatedTotals> = Vec::new();
    let add = |a: Money, b: Money| {
        a.checked_add(b)
            .map_err(|e| Error::Invalid(format!("the statement's summary does not add up: {e}")))
    };
    for t in &read.summary {
        match out
            .iter_mut()
            .find(|o| o.net.currency() == t.net.currency())
        {
            Some(o) => {
                o.sales = add(o.sales, t.sales)?;
                o.refunds = add(o.refunds, t.refunds)?;
                o.fees = add(o.fees, t.fees)?;
                o.vat = add(o.vat, t.vat)?;
                o.net = add(o.net, t.net)?;
            }
            None => out.push(StatedTotals {
                sales: t.sales,
                refunds: t.refunds,
                fees: t.fees,
                vat: t.vat,
                net: t.net,
            }),
        }
    }
    Ok(out)
}

fn record_of(l: &StatementLine) -> LineRecord {
    LineRecord {
        row: l.row,
        transaction_date: l.transaction_date,
        tamara_order_id: l.tamara_order_id.clone(),
        merchant_order_id: l.merchant_order_id.clone(),
        event: l.event.as_str().to_owned(),
        amount: l.amount,
        fixed_fees: l.fixed_fees,
        variable_fee_percent: l.variable_fee_percent,
        variable_fees: l.variable_fees,
        total_fees: l.total_fees,
        vat: l.vat,
        payable: l.payable,
        instalments: l.instalments,
    }
}

/// The period the header states (two dates, DD/MM/YYYY or ISO, in that order), else the first
/// and last transaction dates.
fn period(s: &Statement) -> (NaiveDate, NaiveDate) {
    let stated = s.period.as_deref().map(stated_days).unwrap_or_default();
    if let [start, end] = stated[..]
        && start <= end
    {
        return (start, end);
    }
    let dates = s.lines.iter().map(|l| l.transaction_date);
    let start = dates.clone().min().unwrap_or_default();
    (start, dates.max().unwrap_or(start))
}

fn stated_days(text: &str) -> Vec<NaiveDate> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '–' | '—' | ',' | '(' | ')'))
        .flat_map(|t| {
            // "01/12/2026-07/12/2026": a dash between day-first dates separates them.
            if t.contains('/') {
                t.split('-').collect::<Vec<_>>()
            } else {
                vec![t]
            }
        })
        .filter_map(day)
        .collect()
}

fn day(token: &str) -> Option<NaiveDate> {
    let t = token.trim();
    NaiveDate::parse_from_str(t, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        .ok()
}

/// Lines keyed by (order, event, n-th occurrence): what a revision added, removed or changed.
fn differences(before: &[LineRecord], after: &[LineRecord]) -> Vec<LineChange> {
    fn keyed(lines: &[LineRecord]) -> Vec<((&str, &str, usize), &LineRecord)> {
        let mut n: HashMap<(&str, &str), usize> = HashMap::new();
        lines
            .iter()
            .map(|l| {
                let k = (l.tamara_order_id.as_str(), l.event.as_str());
                let i = n.entry(k).or_default();
                *i += 1;
                ((k.0, k.1, *i), l)
            })
            .collect()
    }
    let old: HashMap<_, _> = keyed(before).into_iter().collect();
    let new = keyed(after);
    let mut changes = Vec::new();
    for (k, l) in &new {
        match old.get(k) {
            None => changes.push(change(l, "added", Vec::new(), None, Some(l.amount))),
            Some(o) => {
                let fields: Vec<&'static str> = [
                    ("amount", o.amount != l.amount),
                    ("total_fees", o.total_fees != l.total_fees),
                    ("vat", o.vat != l.vat),
                    ("payable", o.payable != l.payable),
                ]
                .into_iter()
                .filter_map(|(f, differs)| differs.then_some(f))
                .collect();
                if !fields.is_empty() {
                    changes.push(change(l, "changed", fields, Some(o.amount), Some(l.amount)));
                }
            }
        }
    }
    let kept: std::collections::HashSet<_> = new.iter().map(|(k, _)| *k).collect();
    for (k, l) in keyed(before) {
        if !kept.contains(&k) {
            changes.push(change(l, "removed", Vec::new(), Some(l.amount), None));
        }
    }
    changes
}

fn change(
    l: &LineRecord,
    change: &'static str,
    fields: Vec<&'static str>,
    before: Option<Money>,
    after: Option<Money>,
) -> LineChange {
    LineChange {
        tamara_order_id: l.tamara_order_id.clone(),
        event: l.event.clone(),
        change,
        fields,
        before,
        after,
    }
}
