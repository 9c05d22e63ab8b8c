//! The orders export: one row per cached order of an environment, oldest first, with every
//! amount at its currency's precision. The raw gateway JSON is left out (it is for support,
//! not for spreadsheets).

use chrono::{DateTime, Utc};
use futures::TryStreamExt;

use super::sheet::Sheet;
use super::window::TimeCells;
use super::{Destination, Format, PROGRESS_EVERY, Progress, Recorded, Window, record, write_to};
use crate::environment::Environment;
use crate::money::{Currency, Money};
use crate::store::orders as order_store;
use crate::store::{Store, StoreError};

const TABLE: &str = "orders";

/// The orders file's columns, in order.
pub const ORDER_COLUMNS: &[&str] = &[
    "environment",
    "tamara_order_id",
    "order_reference_id",
    "order_number",
    "status",
    "payment_type",
    "instalments",
    "currency",
    "total",
    "authorised",
    "captured",
    "refunded",
    "canceled",
    "paid",
    "customer_name",
    "customer_phone",
    "customer_email",
    "country_code",
    "settlement_status",
    "settlement_date",
    "description",
    "created_utc",
    "created_local",
    "updated_utc",
    "last_synced_utc",
];

/// What to export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrdersExport {
    pub environment: Environment,
    /// Orders created with `from <= created_at < to`; a missing bound is open.
    pub window: Window,
    pub format: Format,
    /// Only these Tamara order ids (the orders ticked in the list); `None`: every order of the
    /// window. The same rows and columns either way: one writer for both.
    pub order_ids: Option<Vec<String>>,
}

/// Writes the orders export of `req` to `dest` and records it (as `actor`) in the audit log.
/// Returns the rows written.
///
/// # Errors
/// [`crate::Error::Export`]; [`crate::Error::Store`]. No file is left on failure.
pub async fn orders(
    store: &Store,
    req: &OrdersExport,
    dest: &Destination,
    actor: &str,
    now: DateTime<Utc>,
    progress: Progress<'_>,
) -> crate::Result<u64> {
    let selection = (req.order_ids.as_ref())
        .map_or_else(String::new, |ids| format!(" selection={}", ids.len()));
    let summary = format!(
        "orders {} bom={}{selection}",
        req.window.label, req.format.bom
    );
    let outcome = write_to(dest, async |out| {
        write_rows(store, req, out, progress).await
    })
    .await;
    let what = Recorded {
        env: req.environment,
        actor,
        action: "export.orders",
        dest,
        summary,
    };
    record(store, what, now, outcome, |n| *n).await
}

async fn write_rows<W: std::io::Write + Send>(
    store: &Store,
    req: &OrdersExport,
    out: W,
    progress: Progress<'_>,
) -> crate::Result<u64> {
    let reader = store.streaming_reader().await?;
    let mut sheet = Sheet::new(out, req.format.bom, ORDER_COLUMNS)?;
    let mut lines = std::pin::pin!(order_store::stream_created_between(
        &reader,
        req.environment,
        req.window.from,
        req.window.to,
        req.order_ids.as_deref()
    ));
    let mut created = TimeCells::default();
    let mut other = TimeCells::default();
    let mut amount = String::new();
    while let Some(line) = lines.try_next().await? {
        let v = line.view()?;
        let cur: Currency = v
            .currency
            .parse()
            .map_err(|e| StoreError::corrupt(TABLE, "currency", e))?;
        created.set_stored(v.created_at, req.format.zone, TABLE, "created_at")?;
        sheet.value(v.environment)?;
        sheet.text(v.order_id)?;
        sheet.text(v.order_reference_id)?;
        sheet.opt_text(v.order_number)?;
        sheet.text(v.status)?;
        sheet.opt_text(v.payment_type)?;
        sheet.opt_int(v.instalments)?;
        sheet.value(cur.code())?;
        for (column, text) in [
            ("total_amount", v.total),
            ("authorised_amount", v.authorised),
            ("captured_amount", v.captured),
            ("refunded_amount", v.refunded),
            ("canceled_amount", v.canceled),
            ("paid_amount", v.paid),
        ] {
            let m = Money::parse(text, cur).map_err(|e| StoreError::corrupt(TABLE, column, e))?;
            amount.clear();
            amount.push_str(&m.amount_text());
            sheet.value(&amount)?;
        }
        sheet.opt_text(v.customer_name)?;
        sheet.opt_text(v.customer_phone)?;
        sheet.opt_text(v.customer_email)?;
        sheet.opt_text(v.country_code)?;
        sheet.opt_text(v.settlement_status)?;
        sheet.opt_text(v.settlement_date)?;
        sheet.opt_text(v.description)?;
        sheet.value(&created.utc)?;
        sheet.value(&created.local)?;
        other.set_stored(v.updated_at, req.format.zone, TABLE, "updated_at")?;
        sheet.value(&other.utc)?;
        match v.last_synced_at {
            Some(t) => {
                other.set_stored(t, req.format.zone, TABLE, "last_synced_at")?;
                sheet.value(&other.utc)?;
            }
            None => sheet.value("")?,
        }
        sheet.end_row()?;
        if sheet.rows() % PROGRESS_EVERY == 0 {
            progress(sheet.rows());
        }
    }
    let n = sheet.rows();
    progress(n);
    reader.close().await;
    sheet.finish()?;
    Ok(n)
}
