//! The settlement export: one row per money movement (capture, refund, cancel) in a window,
//! and a totals file per currency.
//!
//! Signs, from the merchant's side of the order: a capture is `+` (money Tamara will settle),
//! a refund `-` (deducted from a settlement), a cancel `-` (authorisation released). A cancel
//! never moves settled money, so `net_amount` is the amount for captures and refunds and `0`
//! for cancels: summing `net_amount` gives what settles, summing `amount` gives the movement
//! against the authorisation. Amounts are written at the currency's precision (KWD 3 places).
//!
//! Once statements are imported, a capture or refund also carries the statement line that
//! settled it (statement id, its fees, VAT and net payable) and the payout of that statement
//! (`statement_status` `pending` → `settled` → `paid`; see `SETTLEMENT_SQL` for the match).
//!
//! Included by default: succeeded moves only. With `include_unsettled`, pending and unknown
//! moves too, each with its `state`; failed moves and authorisations never (no money moved).
//! Totals are per (currency, state) so unsettled amounts never blur the settled figures. They
//! go to a separate file (`NAME.totals.csv` beside `NAME.csv`) rather than a trailer, so the
//! main file stays a clean table a spreadsheet or a script can load whole.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use rust_decimal::Decimal;

use super::sheet::Sheet;
use super::window::TimeCells;
use super::{Destination, Format, PROGRESS_EVERY, Progress, Recorded, Staged, Window, record};
use crate::environment::Environment;
use crate::money::{Currency, Money};
use crate::store::ledger::{self, LedgerKind, LedgerState, SettlementQuery};
use crate::store::{Store, StoreError};

const TABLE: &str = "ledger_entries";

/// The settlement file's columns, in order.
pub const SETTLEMENT_COLUMNS: &[&str] = &[
    "environment",
    "order_reference_id",
    "order_number",
    "tamara_order_id",
    "transaction_type",
    "transaction_id",
    "idempotency_reference",
    "time_utc",
    "time_local",
    "date_local",
    "currency",
    "amount",
    "net_amount",
    "state",
    "source",
    "payment_type",
    "instalments",
    "settlement_status",
    "settlement_date",
    "actor",
    "comment",
    // From imported statements and payouts (appended: the columns above are a contract).
    "statement_status",
    "statement_id",
    "statement_fees",
    "statement_vat",
    "statement_net_payable",
    "payout_reference",
    "payout_date",
];

/// The totals file's columns, in order.
pub const TOTALS_COLUMNS: &[&str] = &[
    "environment",
    "currency",
    "state",
    "transactions",
    "captured",
    "refunded",
    "canceled",
    "net",
];

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementExport {
    pub environment: Environment,
    /// Moves with `from <= occurred_at < to`; a missing bound is open.
    pub window: Window,
    /// Also pending and unknown moves.
    pub include_unsettled: bool,
    pub format: Format,
}

/// The sums of one (currency, state): amounts positive, `net = captured - refunded`.
#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    pub currency: Currency,
    pub state: LedgerState,
    pub transactions: u64,
    pub captured: Money,
    pub refunded: Money,
    pub canceled: Money,
    pub net: Money,
}

/// What was written.
#[derive(Debug, Clone, PartialEq)]
pub struct SettlementReport {
    pub rows: u64,
    /// Per (currency, state), in currency then state order.
    pub totals: Vec<Totals>,
    /// The files written (None for stdout).
    pub file: Option<PathBuf>,
    pub totals_file: Option<PathBuf>,
}

/// Where the totals of an export to `path` go: `NAME.totals.csv` beside `NAME.csv`.
pub fn totals_path(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}.totals.csv"))
}

/// Writes the settlement export of `req` to `dest`, records it in the audit log as `actor`,
/// and reports the totals (also written beside a file destination).
///
/// # Errors
/// [`crate::Error::Export`] when the destination cannot be written;
/// [`crate::Error::Store`] when the store fails or a row does not decode. No file is left then.
pub async fn settlement(
    store: &Store,
    req: &SettlementExport,
    dest: &Destination,
    actor: &str,
    now: DateTime<Utc>,
    progress: Progress<'_>,
) -> crate::Result<SettlementReport> {
    let summary = format!(
        "settlement {} unsettled={} bom={}",
        req.window.label, req.include_unsettled, req.format.bom
    );
    let outcome = run(store, req, dest, progress).await;
    let what = Recorded {
        env: req.environment,
        actor,
        action: "export.settlement",
        dest,
        summary,
    };
    record(store, what, now, outcome, |r| r.rows).await
}

async fn run(
    store: &Store,
    req: &SettlementExport,
    dest: &Destination,
    progress: Progress<'_>,
) -> crate::Result<SettlementReport> {
    match dest {
        Destination::Stdout => {
            let (_, sums) = write_lines(store, req, std::io::stdout(), progress).await?;
            Ok(SettlementReport {
                rows: sums.rows,
                totals: sums.into_totals()?,
                file: None,
                totals_file: None,
            })
        }
        Destination::File(path) => {
            let mut main = Staged::create(path)?;
            let (_, sums) = write_lines(store, req, main.file(), progress).await?;
            let rows = sums.rows;
            let totals = sums.into_totals()?;
            let totals_file = totals_path(path);
            let mut side = Staged::create(&totals_file)?;
            write_totals(req, &totals, side.file())?;
            // The main file last: if it exists, its totals do too.
            side.commit()?;
            main.commit()?;
            Ok(SettlementReport {
                rows,
                totals,
                file: Some(path.clone()),
                totals_file: Some(totals_file),
            })
        }
    }
}

/// The earliest and latest instants a stored time can name; open window bounds become these.
fn open_bounds(w: &Window) -> (DateTime<Utc>, DateTime<Utc>) {
    let far_past = DateTime::from_timestamp(-62_135_596_800, 0).unwrap_or_default(); // 0001-01-01
    let far_future = DateTime::from_timestamp(253_402_300_799, 0).unwrap_or_default(); // 9999-12-31
    (w.from.unwrap_or(far_past), w.to.unwrap_or(far_future))
}

async fn write_lines<W: Write + Send>(
    store: &Store,
    req: &SettlementExport,
    out: W,
    progress: Progress<'_>,
) -> crate::Result<(W, Sums)> {
    let (from, to) = open_bounds(&req.window);
    let query = SettlementQuery {
        environment: req.environment,
        from,
        to,
        include_unsettled: req.include_unsettled,
    };
    let reader = store.streaming_reader().await?;
    let mut sheet = Sheet::new(out, req.format.bom, SETTLEMENT_COLUMNS)?;
    let mut lines = std::pin::pin!(ledger::stream_settlement(&reader, &query));
    let mut cells = TimeCells::default();
    let mut amount = String::new();
    let mut net = String::new();
    let mut sums = Sums::default();
    let mut currency = CurrencyCache::default();
    while let Some(line) = lines.try_next().await? {
        let v = line.view()?;
        let cur = currency.get(v.currency)?;
        let moved = Money::parse(v.amount, cur)
            .map_err(|e| StoreError::corrupt(TABLE, "amount", e))?
            .amount();
        let kind: LedgerKind = v
            .kind
            .parse()
            .map_err(|e| StoreError::corrupt(TABLE, "kind", e))?;
        let state: LedgerState = v
            .state
            .parse()
            .map_err(|e| StoreError::corrupt(TABLE, "state", e))?;
        cells.set_stored(v.occurred_at, req.format.zone, TABLE, "occurred_at")?;
        let (signed, settles) = match kind {
            LedgerKind::Capture => (moved, moved),
            LedgerKind::Refund => (-moved, -moved),
            _ => (-moved, Decimal::new(0, cur.precision())),
        };
        sums.add(cur, state, kind, moved);
        write_amount(&mut amount, signed);
        write_amount(&mut net, settles);

        sheet.value(v.environment)?;
        sheet.text(v.order_reference_id)?;
        sheet.opt_text(v.order_number)?;
        sheet.text(v.order_id)?;
        sheet.value(kind.as_str())?;
        sheet.opt_text(v.gateway_id)?;
        sheet.opt_text(v.idempotency_ref)?;
        sheet.value(&cells.utc)?;
        sheet.value(&cells.local)?;
        sheet.value(&cells.local_date)?;
        sheet.value(cur.code())?;
        sheet.value(&amount)?;
        sheet.value(&net)?;
        sheet.value(state.as_str())?;
        sheet.value(v.source)?;
        sheet.opt_text(v.payment_type)?;
        sheet.opt_int(v.instalments)?;
        sheet.opt_text(v.settlement_status)?;
        sheet.opt_text(v.settlement_date)?;
        sheet.text(v.actor)?;
        sheet.opt_text(v.comment)?;
        sheet.value(statement_status(kind, &v))?;
        sheet.opt_text(v.statement_id)?;
        sheet.value(v.statement_fees.unwrap_or_default())?;
        sheet.value(v.statement_vat.unwrap_or_default())?;
        sheet.value(v.statement_payable.unwrap_or_default())?;
        match (v.payout_reference, v.payout_id) {
            (Some(r), _) => sheet.text(r)?,
            (None, Some(id)) => sheet.value(&format!("payout-{id}"))?,
            (None, None) => sheet.value("")?,
        }
        sheet.value(v.payout_date.unwrap_or_default())?;
        sheet.end_row()?;
        if sheet.rows() % PROGRESS_EVERY == 0 {
            progress(sheet.rows());
        }
    }
    sums.rows = sheet.rows();
    progress(sums.rows);
    reader.close().await;
    Ok((sheet.finish()?, sums))
}

/// Where a move stands with Tamara's statements: `pending` (in no imported statement yet),
/// `settled` (in one, no payout recorded for it), `paid` (its statement's payout recorded);
/// empty for a cancel, which settles nothing.
fn statement_status(kind: LedgerKind, v: &ledger::SettlementView<'_>) -> &'static str {
    match (kind, v.statement_id, v.payout_id) {
        (LedgerKind::Cancel, ..) => "",
        (_, None, _) => "pending",
        (_, Some(_), None) => "settled",
        (_, Some(_), Some(_)) => "paid",
    }
}

fn write_totals<W: Write>(req: &SettlementExport, totals: &[Totals], out: W) -> crate::Result<()> {
    let mut sheet = Sheet::new(out, req.format.bom, TOTALS_COLUMNS)?;
    let mut n = String::new();
    for t in totals {
        sheet.value(req.environment.as_str())?;
        sheet.value(t.currency.code())?;
        sheet.value(t.state.as_str())?;
        n.clear();
        n.push_str(&t.transactions.to_string());
        sheet.value(&n)?;
        for m in [&t.captured, &t.refunded, &t.canceled, &t.net] {
            write_amount(&mut n, m.amount());
            sheet.value(&n)?;
        }
        sheet.end_row()?;
    }
    sheet.finish()?;
    Ok(())
}

/// Writes an amount at its scale (already the currency's precision). `-0` never appears.
fn write_amount(buf: &mut String, amount: Decimal) {
    use std::fmt::Write as _;
    buf.clear();
    let amount = if amount.is_zero() {
        amount.abs()
    } else {
        amount
    };
    // Writing to a String cannot fail.
    let _ = write!(buf, "{amount}");
}

/// Parses the row's currency code, reusing the last answer (runs of one currency are common).
#[derive(Default)]
struct CurrencyCache {
    last: Option<Currency>,
}

impl CurrencyCache {
    fn get(&mut self, code: &str) -> Result<Currency, StoreError> {
        match self.last {
            Some(c) if c.code() == code => Ok(c),
            _ => {
                let c: Currency = code
                    .parse()
                    .map_err(|e| StoreError::corrupt(TABLE, "currency", e))?;
                self.last = Some(c);
                Ok(c)
            }
        }
    }
}

/// Running sums per (currency, state), in exact decimals.
#[derive(Default)]
struct Sums {
    rows: u64,
    by_key: Vec<(Currency, LedgerState, u64, [Decimal; 3])>,
}

impl Sums {
    fn add(&mut self, currency: Currency, state: LedgerState, kind: LedgerKind, amount: Decimal) {
        let slot = match kind {
            LedgerKind::Capture => 0,
            LedgerKind::Refund => 1,
            _ => 2,
        };
        let i = match self
            .by_key
            .iter()
            .position(|(c, s, ..)| *c == currency && *s == state)
        {
            Some(i) => i,
            None => {
                self.by_key.push((currency, state, 0, [Decimal::ZERO; 3]));
                self.by_key.len() - 1
            }
        };
        let entry = &mut self.by_key[i];
        entry.2 += 1;
        entry.3[slot] += amount;
    }

    fn into_totals(mut self) -> crate::Result<Vec<Totals>> {
        self.by_key.sort_by_key(|(c, s, ..)| (*c, s.as_str()));
        self.by_key
            .into_iter()
            .map(|(currency, state, transactions, [cap, refd, canc])| {
                let money = |d: Decimal| {
                    Money::new(d, currency).map_err(|e| StoreError::corrupt(TABLE, "amount", e))
                };
                Ok(Totals {
                    currency,
                    state,
                    transactions,
                    captured: money(cap)?,
                    refunded: money(refd)?,
                    canceled: money(canc)?,
                    net: money(cap - refd)?,
                })
            })
            .collect()
    }
}
