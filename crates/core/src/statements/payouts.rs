//! Payouts: Tamara's bank deposits, entered by hand or imported from a bank statement CSV
//! ([`crate::settlement::bank`]), each matched to the statements it settles, with the difference
//! explained.
//!
//! Matching: the statements named explicitly, else automatically the shortest run of unpaid
//! statements — newest revisions, currency of the payout, period ended on or before the value
//! date, oldest period first — whose net payable sums to the deposit exactly or exceeds it by
//! at most the allowed payout fee (bank/transfer fee; option, else setting
//! [`PAYOUT_FEE_SETTING`], else zero). No run found: the payout is stored unmatched and its
//! whole amount is `unexplained`.
//!
//! Invariants: a statement is settled by at most one payout; a bank reference or a bank file
//! row is recorded once (a file imported twice adds nothing); an import is stored whole in one
//! transaction or not at all.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::audit::{self, AuditRecord};
use crate::context::Context;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::settlement::{BankOptions, read_bank_file};
use crate::store::StoreTx;
use crate::store::payouts::{self, PayoutLink, PayoutRecord, StatementNet};
use crate::store::settings::{self as stored, SettingScope};
use crate::store::statements;

/// The largest payout fee (statements' net minus the deposit) a match allows, per environment,
/// as a decimal in the payout's currency.
pub const PAYOUT_FEE_SETTING: &str = "settlement.payout_fee_max";

/// A payout entered by hand.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPayout {
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub reference: Option<String>,
    pub note: Option<String>,
    /// Statement row ids (as `mizan settlement list` shows them); empty: match automatically.
    pub statements: Vec<i64>,
    /// The payout fee allowed; [`PAYOUT_FEE_SETTING`] or zero when `None`.
    pub max_fee: Option<Decimal>,
}

/// How a payout's difference (statements' net payable minus the deposit) is explained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Explanation {
    /// The deposit is exactly the statements' net payable.
    None,
    /// Short by no more than the allowed bank/transfer fee.
    PayoutFee,
    /// Statements of the period are not yet paid (the monthly view's term; a payout's own
    /// difference is never this).
    OpenItems,
    /// Nothing explains it (or no statement matched).
    Unexplained,
}

/// A statement a payout settles (or one still open), newest revision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatementDue {
    pub id: i64,
    pub statement_id: String,
    pub revision: u32,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub net_payable: Money,
}

impl From<&StatementNet> for StatementDue {
    fn from(s: &StatementNet) -> Self {
        StatementDue {
            id: s.id,
            statement_id: s.statement_id.clone(),
            revision: s.revision,
            period_start: s.period_start,
            period_end: s.period_end,
            net_payable: s.net_payable,
        }
    }
}

/// A payout with what it settles and its difference explained.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayoutView {
    pub id: i64,
    pub paid_on: NaiveDate,
    pub amount: Money,
    pub bank_reference: Option<String>,
    pub description: Option<String>,
    /// `manual` or `bank_csv`.
    pub source: String,
    pub bank_row: Option<u32>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub fee_allowance: Money,
    pub statements: Vec<StatementDue>,
    pub statements_net: Money,
    /// Statements' net payable minus the deposit.
    pub difference: Money,
    pub explanation: Explanation,
}

/// Every payout, and the statements no payout settles yet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PayoutList {
    pub payouts: Vec<PayoutView>,
    pub open_items: Vec<StatementDue>,
}

/// What a bank file import did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BankImport {
    pub digest: String,
    pub imported: Vec<PayoutView>,
    /// Tamara's deposits recorded before (same file row or bank reference).
    pub already_recorded: u32,
    /// Rows that are debits, empty, or not Tamara's.
    pub skipped_rows: u32,
}

/// Records a payout entered by hand and matches it; `actor` is who entered it.
///
/// # Errors
/// [`Error::Invalid`] for a non-positive amount or a bad fee; [`Error::PayoutConflict`] for a
/// known bank reference or a statement settled already or in another currency;
/// [`Error::StatementNotFound`]; store errors (then nothing is stored).
pub async fn add(ctx: &Context, p: &NewPayout, actor: &str) -> Result<PayoutView> {
    if !p.amount.is_positive() {
        return Err(Error::Invalid(format!(
            "a payout is a deposit: {} is not positive",
            p.amount
        )));
    }
    let reference = p
        .reference
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let env = ctx.environment();
    let mut tx = ctx.store().begin().await?;
    if let Some(r) = reference
        && let Some(known) = payouts::existing(&mut tx, env, Some(r), None).await?
    {
        return Err(Error::PayoutConflict(format!(
            "bank reference {r:?} is payout {} already",
            known.id
        )));
    }
    let fee = allowance(&mut tx, env, p.max_fee, p.amount.currency()).await?;
    let draft = PayoutRecord {
        id: 0,
        environment: env,
        paid_on: p.paid_on,
        amount: p.amount,
        bank_reference: reference.map(str::to_owned),
        description: None,
        source: "manual".into(),
        bank_digest: None,
        bank_row: None,
        fee_allowance: fee,
        note: p.note.clone().filter(|n| !n.trim().is_empty()),
        created_at: ctx.now(),
        created_by: actor.to_owned(),
    };
    let id = store_matched(&mut tx, &draft, &p.statements).await?;
    tx.commit()
        .await
        .map_err(crate::store::StoreError::query("commit payout"))?;
    audited(ctx, actor, "settlement.payout", &draft, 1).await;
    let list = list(ctx).await?;
    list.payouts
        .into_iter()
        .find(|v| v.id == id)
        .ok_or_else(|| Error::Invalid(format!("payout {id} vanished")))
}

/// Imports Tamara's deposits from the bank statement CSV at `path`, each matched
/// automatically; the same file again adds nothing.
///
/// # Errors
/// [`Error::BankFile`] naming the row and column; [`Error::Invalid`] for a bad fee; store
/// errors (then nothing is stored).
pub async fn import(
    ctx: &Context,
    path: &Path,
    options: BankOptions,
    max_fee: Option<Decimal>,
    actor: &str,
) -> Result<BankImport> {
    let file = read_bank_file(path, options)?;
    let env = ctx.environment();
    let mut tx = ctx.store().begin().await?;
    let mut ids = Vec::new();
    let mut already = 0;
    let mut fees: HashMap<Currency, Money> = HashMap::new();
    for c in &file.credits {
        let reference = c.reference.as_deref();
        if payouts::existing(&mut tx, env, reference, Some((&file.digest, c.row)))
            .await?
            .is_some()
        {
            already += 1;
            continue;
        }
        let currency = c.amount.currency();
        let fee = match fees.get(&currency) {
            Some(f) => *f,
            None => {
                let f = allowance(&mut tx, env, max_fee, currency).await?;
                *fees.entry(currency).or_insert(f)
            }
        };
        let draft = PayoutRecord {
            id: 0,
            environment: env,
            paid_on: c.paid_on,
            amount: c.amount,
            bank_reference: c.reference.clone(),
            description: c.description.clone(),
            source: "bank_csv".into(),
            bank_digest: Some(file.digest.clone()),
            bank_row: Some(c.row),
            fee_allowance: fee,
            note: None,
            created_at: ctx.now(),
            created_by: actor.to_owned(),
        };
        ids.push(store_matched(&mut tx, &draft, &[]).await?);
    }
    tx.commit()
        .await
        .map_err(crate::store::StoreError::query("commit bank import"))?;
    if !ids.is_empty() {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let rec = AuditRecord {
            env,
            actor: actor.to_owned(),
            action: "settlement.payout_import".into(),
            subject: name,
            request_summary: Some(format!("sha256 {}", &file.digest[..16])),
            result: format!("ok: {} payouts", ids.len()),
        };
        if let Err(e) = audit::record(ctx.store(), rec, ctx.now()).await {
            tracing::warn!(error = %e, "could not append the payout import to the audit log");
        }
    }
    let all = list(ctx).await?;
    Ok(BankImport {
        digest: file.digest,
        imported: all
            .payouts
            .into_iter()
            .filter(|v| ids.contains(&v.id))
            .collect(),
        already_recorded: already,
        skipped_rows: file.skipped,
    })
}

/// Every payout of the active environment (oldest value date first) with what it settles, and
/// the statements still open.
///
/// # Errors
/// Store errors.
pub async fn list(ctx: &Context) -> Result<PayoutList> {
    let env = ctx.environment();
    let store = ctx.store();
    let records = payouts::list(store, env).await?;
    let links = payouts::links(store, env).await?;
    let mut nets: HashMap<Currency, Vec<StatementNet>> = HashMap::new();
    for c in payouts::currencies(store, env).await? {
        nets.insert(c, payouts::statement_nets(store, env, c).await?);
    }
    let linked: HashSet<&str> = links.iter().map(|l| l.statement_id.as_str()).collect();
    let mut open_items: Vec<StatementDue> = nets
        .values()
        .flatten()
        .filter(|s| !linked.contains(s.statement_id.as_str()))
        .map(Into::into)
        .collect();
    open_items.sort_by_key(|s| (s.period_end, s.id));
    let payouts = records
        .iter()
        .map(|p| view(p, &links, nets.get(&p.amount.currency()).map_or(&[], |v| v)))
        .collect::<Result<_>>()?;
    Ok(PayoutList {
        payouts,
        open_items,
    })
}

/// A payout with its statements (newest revisions) and its difference explained.
pub(crate) fn view(
    p: &PayoutRecord,
    links: &[PayoutLink],
    nets: &[StatementNet],
) -> Result<PayoutView> {
    let statements: Vec<StatementDue> = links
        .iter()
        .filter(|l| l.payout == p.id)
        .filter_map(|l| nets.iter().find(|n| n.statement_id == l.statement_id))
        .map(Into::into)
        .collect();
    let currency = p.amount.currency();
    let mut net = Money::zero(currency);
    for s in &statements {
        net = net.checked_add(s.net_payable).map_err(money_error)?;
    }
    let difference = net.checked_sub(p.amount).map_err(money_error)?;
    let explanation = if statements.is_empty() {
        Explanation::Unexplained
    } else if difference.is_zero() {
        Explanation::None
    } else if difference.is_positive() && difference <= p.fee_allowance {
        Explanation::PayoutFee
    } else {
        Explanation::Unexplained
    };
    Ok(PayoutView {
        id: p.id,
        paid_on: p.paid_on,
        amount: p.amount,
        bank_reference: p.bank_reference.clone(),
        description: p.description.clone(),
        source: p.source.clone(),
        bank_row: p.bank_row,
        note: p.note.clone(),
        created_at: p.created_at,
        created_by: p.created_by.clone(),
        fee_allowance: p.fee_allowance,
        statements,
        statements_net: net,
        difference,
        explanation,
    })
}

fn money_error(e: crate::money::MoneyError) -> Error {
    Error::Invalid(format!("payout arithmetic: {e}"))
}

/// The payout fee a match allows: the option, else the setting, else zero.
async fn allowance(
    tx: &mut StoreTx,
    env: Environment,
    option: Option<Decimal>,
    currency: Currency,
) -> Result<Money> {
    let value = match option {
        Some(v) => v,
        None => match stored::get(&mut *tx, SettingScope::Env(env), PAYOUT_FEE_SETTING).await? {
            Some(text) => crate::money::parse_decimal(text.trim()).map_err(|e| {
                Error::Invalid(format!("setting {PAYOUT_FEE_SETTING} = {text:?}: {e}"))
            })?,
            None => Decimal::ZERO,
        },
    };
    if value.is_sign_negative() {
        return Err(Error::Invalid(format!(
            "the payout fee allowed ({value}) cannot be negative"
        )));
    }
    Money::new(value, currency)
        .map_err(|e| Error::Invalid(format!("the payout fee allowed ({value}): {e}")))
}

/// Stores `draft` and links it to `explicit` statements (row ids), or to those the automatic
/// match finds; returns the payout's id.
async fn store_matched(tx: &mut StoreTx, draft: &PayoutRecord, explicit: &[i64]) -> Result<i64> {
    let env = draft.environment;
    let currency = draft.amount.currency();
    let linked: HashSet<String> = payouts::links(&mut *tx, env)
        .await?
        .into_iter()
        .map(|l| l.statement_id)
        .collect();
    let nets = payouts::statement_nets(&mut *tx, env, currency).await?;
    let chosen: Vec<&StatementNet> = if explicit.is_empty() {
        auto_match(draft, &nets, &linked)
    } else {
        let mut chosen = Vec::new();
        for &id in explicit {
            let s = statements::get(&mut *tx, env, id)
                .await?
                .ok_or(Error::StatementNotFound { id, env })?;
            let Some(n) = nets.iter().find(|n| n.statement_id == s.statement_id) else {
                return Err(Error::PayoutConflict(format!(
                    "statement {} is not in {currency}: a payout settles statements of its \
                     own currency",
                    s.statement_id
                )));
            };
            if linked.contains(&n.statement_id) {
                return Err(Error::PayoutConflict(format!(
                    "statement {} is settled by another payout already",
                    n.statement_id
                )));
            }
            if !chosen.iter().any(|c: &&StatementNet| c.id == n.id) {
                chosen.push(n);
            }
        }
        chosen
    };
    let id = payouts::insert(&mut *tx, draft).await?;
    for s in chosen {
        payouts::link(&mut *tx, env, id, &s.statement_id, s.id).await?;
    }
    Ok(id)
}

/// The shortest run of unpaid statements, oldest first, whose net is the deposit plus at most
/// the allowed fee; none when no run is.
pub(crate) fn auto_match<'a>(
    p: &PayoutRecord,
    nets: &'a [StatementNet],
    linked: &HashSet<String>,
) -> Vec<&'a StatementNet> {
    let mut run = Vec::new();
    let mut sum = Money::zero(p.amount.currency());
    for s in nets
        .iter()
        .filter(|s| s.period_end <= p.paid_on && !linked.contains(&s.statement_id))
    {
        let Ok(next) = sum.checked_add(s.net_payable) else {
            return Vec::new();
        };
        sum = next;
        run.push(s);
        if let Ok(d) = sum.checked_sub(p.amount)
            && !d.is_negative()
            && d <= p.fee_allowance
        {
            return run;
        }
    }
    Vec::new()
}

async fn audited(ctx: &Context, actor: &str, action: &str, p: &PayoutRecord, n: usize) {
    let rec = AuditRecord {
        env: ctx.environment(),
        actor: actor.to_owned(),
        action: action.to_owned(),
        subject: p
            .bank_reference
            .clone()
            .unwrap_or_else(|| format!("payout of {}", p.paid_on)),
        request_summary: Some(format!("{} on {}", p.amount, p.paid_on)),
        result: format!("ok: {n} payout"),
    };
    if let Err(e) = audit::record(ctx.store(), rec, ctx.now()).await {
        tracing::warn!(error = %e, "could not append the payout to the audit log");
    }
}
