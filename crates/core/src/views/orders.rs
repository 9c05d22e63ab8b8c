//! The order list page: validated query, one page of slim rows and a capped count.
//!
//! Invariant: counting stops at [`COUNT_CAP`] (sooner for a broad text search), so a filter
//! change never counts a million rows; the page says when its total is capped.

use crate::console::Console;
use crate::error::{Error, Result};
use crate::store::order_list;

pub use crate::store::order_list::{OrderListQuery, OrderListRow};

/// Largest page the screen asks for: a page is rendered whole, so it stays small.
pub const MAX_LIMIT: u32 = 1_000;

/// Counting stops here: the UI shows "100,000+". (A broad text search stops at
/// [`order_list::BROAD_COUNT_CAP`].)
pub const COUNT_CAP: u32 = 100_000;

/// One page and how many orders match.
#[derive(Debug, Clone, PartialEq)]
pub struct OrdersPage {
    pub rows: Vec<OrderListRow>,
    /// Matching orders; when `total_capped`, at least this many.
    pub total: u32,
    pub total_capped: bool,
    /// The arrival mark the page was read at: pass it as `arrived_upto` to keep exactly these
    /// orders, or as `arrived_after` to count the ones that came since.
    pub arrival_mark: i64,
}

/// Trims the query's texts (blank means no filter) and refuses contradictions.
///
/// # Errors
/// [`Error::Invalid`] naming the field.
pub fn normalise(mut q: OrderListQuery) -> Result<OrderListQuery> {
    if q.limit == 0 || q.limit > MAX_LIMIT {
        return Err(Error::Invalid(format!(
            "limit must be 1 to {MAX_LIMIT}, not {}",
            q.limit
        )));
    }
    let blank = |t: Option<String>| t.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    q.reference = blank(q.reference);
    q.text = blank(q.text);
    q.statuses = q
        .statuses
        .into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    for (what, t) in [("reference", &q.reference), ("text", &q.text)] {
        if t.as_ref().is_some_and(|t| t.chars().count() > 200) {
            return Err(Error::Invalid(format!(
                "{what} is longer than 200 characters"
            )));
        }
    }
    if let (Some(min), Some(max)) = (q.amount_min, q.amount_max)
        && min > max
    {
        return Err(Error::Invalid(format!(
            "amount_min {min} is above amount_max {max}"
        )));
    }
    if let (Some(from), Some(to)) = (q.created_from, q.created_to)
        && from >= to
    {
        return Err(Error::Invalid(format!(
            "created_from {from} is not before created_to {to}"
        )));
    }
    Ok(q)
}

/// One page of the active environment's cached orders matching `q`, newest first.
///
/// # Errors
/// [`Error::Invalid`] (see [`normalise`]); store errors.
pub async fn orders_page(console: &Console, q: OrderListQuery) -> Result<OrdersPage> {
    let mut q = normalise(q)?;
    let store = console.store();
    let env = console.environment();
    // Read first, so every row of the page and its count arrived at or before the mark.
    let arrival_mark = match q.arrived_upto {
        Some(mark) => mark,
        None => order_list::arrival_mark(store).await?,
    };
    q.arrived_upto = Some(arrival_mark);
    let plan = order_list::text_plan(store, env, &q).await?;
    let rows = order_list::page(store, env, &q, &plan).await?;
    let short_page = u32::try_from(rows.len()).unwrap_or(u32::MAX) < q.limit;
    // A cursor skips rows the offset does not know of, so only offset pages add up.
    let last_page = short_page && q.after.is_none() && (q.offset == 0 || !rows.is_empty());
    let (total, total_capped) = if last_page {
        // Everything before it plus what it holds.
        (
            q.offset
                .saturating_add(u32::try_from(rows.len()).unwrap_or(u32::MAX)),
            false,
        )
    } else {
        let (n, capped) = order_list::count(store, env, &q, &plan, Some(COUNT_CAP)).await?;
        (u32::try_from(n).unwrap_or(u32::MAX), capped)
    };
    Ok(OrdersPage {
        rows,
        total,
        total_capped,
        arrival_mark,
    })
}
