//! The order list (its query, rows and saved views), the attention queue and the order screen.

use serde::{Deserialize, Serialize};

use super::{amount, parse_time, text, time};
use crate::console::Console;
use crate::error::{Error, Result};
use crate::money::{Currency, parse_decimal};
use crate::store::order_list::{OrderListQuery, OrderListRow, is_rehearsal};
use crate::views::attention::{self, AttentionReason};
use crate::views::phrase::Phrase;
use crate::views::{orders, saved};

/// Filters and paging of the order list. Empty strings count as "no filter".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrdersQuery {
    /// Any of these statuses; empty: every status.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub statuses: Vec<String>,
    /// `SAR`, `AED`, `QAR`, `KWD`, `BHD` or `OMR`.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub currency: Option<String>,
    /// Part of the merchant's order reference (case-insensitive).
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub reference: Option<String>,
    /// Free text: part of the reference, customer name, email or phone; or a whole order id.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub text: Option<String>,
    /// Created at or after (a date `2025-01-31` or an RFC 3339 time).
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub created_from: Option<String>,
    /// Created before (a date means the start of that day, so pass the day after).
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub created_to: Option<String>,
    /// Order total at least this (decimal text, in the order's currency).
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub amount_min: Option<String>,
    /// Order total at most this.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub amount_max: Option<String>,
    /// The go-live rehearsal's orders: absent every order, `false` none, `true` only them.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub rehearsal: Option<bool>,
    /// Only orders that arrived at or before this mark (a page's `arrival_mark`): a pinned list.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub arrived_upto: Option<u32>,
    /// Only orders that arrived after this mark: the ones a pinned list does not show yet.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub arrived_after: Option<u32>,
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(optional))]
    pub offset: u32,
    /// Rows per page, 1 to 1000.
    pub limit: u32,
}

/// One row of the order list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderRow {
    pub order_id: String,
    pub reference: String,
    pub status: String,
    pub currency: String,
    pub total: String,
    pub captured: String,
    pub refunded: String,
    pub created_at: String,
    pub customer: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Made by the go-live checklist's rehearsal, not by a customer.
    pub rehearsal: bool,
}

/// A page of the order list with the number of matching orders.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrdersPage {
    pub rows: Vec<OrderRow>,
    /// Matching orders; when `total_capped`, at least this many (counting stops there so a
    /// filter change stays fast at a million orders).
    pub total: u32,
    pub total_capped: bool,
    /// Where the cache stood when this page was read (see `OrdersQuery::arrived_upto`); past
    /// 32 bits it stays at the largest value, which pins nothing out.
    pub arrival_mark: u32,
}

/// A named, saved order-list query.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SavedView {
    pub name: String,
    pub query: OrdersQuery,
}

/// One entry of the "needs attention" queue.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AttentionItem {
    pub order_id: String,
    /// The merchant's reference; empty when the order is not cached.
    pub reference: String,
    pub reason: AttentionReason,
    /// When Tamara acts on its own (expires the approval, captures automatically).
    pub deadline: Option<String>,
    /// The money at stake (total awaiting authorisation, or left to capture), with
    /// `currency`.
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub customer: Option<String>,
    /// One sentence in English (the CLI's words): what happened and what to do. The app
    /// words the deadline reasons itself from `reason` and `deadline`.
    pub detail: String,
    /// The sentence as a code and parameters, which the UI translates.
    pub phrase: Phrase,
}

impl OrdersQuery {
    /// The core's query, each field checked with its name in the error.
    ///
    /// # Errors
    /// [`Error::Invalid`] naming the field.
    pub fn to_core(&self) -> Result<OrderListQuery> {
        let currency = text(&self.currency)
            .map(|c| {
                c.to_ascii_uppercase()
                    .parse::<Currency>()
                    .map_err(|e| Error::Invalid(format!("currency: {e}")))
            })
            .transpose()?;
        let decimal = |what: &str, t: Option<&str>| {
            t.map(|t| parse_decimal(t).map_err(|e| Error::Invalid(format!("{what}: {e}"))))
                .transpose()
        };
        let at = |what: &str, t: Option<&str>| t.map(|t| parse_time(what, t)).transpose();
        Ok(OrderListQuery {
            statuses: self.statuses.clone(),
            currency,
            reference: text(&self.reference).map(str::to_owned),
            text: text(&self.text).map(str::to_owned),
            created_from: at("created_from", text(&self.created_from))?,
            created_to: at("created_to", text(&self.created_to))?,
            amount_min: decimal("amount_min", text(&self.amount_min))?,
            amount_max: decimal("amount_max", text(&self.amount_max))?,
            rehearsal: self.rehearsal,
            arrived_upto: self.arrived_upto.map(i64::from),
            arrived_after: self.arrived_after.map(i64::from),
            after: None,
            offset: self.offset,
            limit: self.limit,
        })
    }
}

/// The one conversion into a screen row; a full record comes through its slim projection
/// ([`OrderListRow::from`]), so the list and the order screen show the same text.
impl From<&OrderListRow> for OrderRow {
    fn from(r: &OrderListRow) -> Self {
        OrderRow {
            order_id: r.order_id.clone(),
            reference: r.order_reference_id.clone(),
            status: r.status.clone(),
            currency: r.total.currency().code().to_owned(),
            total: amount(r.total),
            captured: amount(r.captured),
            refunded: amount(r.refunded),
            created_at: time(r.created_at),
            customer: r.customer_name.clone(),
            phone: r.customer_phone.clone(),
            email: r.customer_email.clone(),
            rehearsal: is_rehearsal(&r.order_reference_id),
        }
    }
}

/// One page of cached orders, newest first, with a capped total.
///
/// # Errors
/// [`Error::Invalid`] naming the field; store errors.
pub async fn page(console: &Console, query: &OrdersQuery) -> Result<OrdersPage> {
    let page = orders::orders_page(console, query.to_core()?).await?;
    Ok(OrdersPage {
        rows: page.rows.iter().map(OrderRow::from).collect(),
        total: page.total,
        total_capped: page.total_capped,
        arrival_mark: u32::try_from(page.arrival_mark).unwrap_or(u32::MAX),
    })
}

/// Orders that need a person, soonest deadline first.
///
/// # Errors
/// Store errors.
pub async fn attention_queue(console: &Console) -> Result<Vec<AttentionItem>> {
    let items = attention::attention_queue(console, console.now()).await?;
    Ok(items
        .into_iter()
        .map(|i| AttentionItem {
            order_id: i.order_id,
            reference: i.reference,
            reason: i.reason,
            deadline: i.deadline.map(time),
            currency: i.amount.map(|m| m.currency().code().to_owned()),
            amount: i.amount.map(amount),
            customer: i.customer,
            detail: i.detail,
            phrase: i.phrase,
        })
        .collect())
}

/// The active environment's saved views (a view whose query no longer reads is left out).
///
/// # Errors
/// Store errors.
pub async fn saved_views(console: &Console) -> Result<Vec<SavedView>> {
    let views = saved::list(console).await?;
    Ok(views
        .into_iter()
        .filter_map(|v| {
            serde_json::from_str(&v.query_json)
                .ok()
                .map(|query| SavedView {
                    name: v.name,
                    query,
                })
        })
        .collect())
}

/// Saves (or replaces) a view, after checking its query.
///
/// # Errors
/// [`Error::Invalid`] for a bad name or query; store errors.
pub async fn save_view(console: &Console, name: &str, query: OrdersQuery) -> Result<SavedView> {
    query.to_core()?;
    let json = serde_json::to_string(&query).map_err(|e| Error::Invalid(format!("query: {e}")))?;
    let v = saved::save(console, name, &json).await?;
    Ok(SavedView {
        name: v.name,
        query,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ui_query_maps_to_the_core_query_and_bad_fields_are_named() {
        let q = OrdersQuery {
            statuses: vec!["authorised".into()],
            currency: Some(" kwd ".into()),
            reference: Some("  ".into()),
            text: Some(" Sara ".into()),
            created_from: Some("2025-01-31".into()),
            created_to: None,
            amount_min: Some("10.5".into()),
            amount_max: Some(String::new()),
            rehearsal: Some(false),
            arrived_upto: None,
            arrived_after: None,
            offset: 200,
            limit: 100,
        };
        let c = q.to_core().unwrap();
        assert_eq!(c.currency, Some(Currency::Kwd));
        assert_eq!(c.reference, None, "blank is no filter");
        assert_eq!(c.text.as_deref(), Some("Sara"));
        assert_eq!(c.amount_min.unwrap().to_string(), "10.5");
        assert_eq!(c.amount_max, None);
        assert_eq!((c.offset, c.limit), (200, 100));
        assert_eq!(c.rehearsal, Some(false));
        for (bad, field) in [
            (
                OrdersQuery {
                    currency: Some("USD".into()),
                    ..q.clone()
                },
                "currency",
            ),
            (
                OrdersQuery {
                    amount_min: Some("ten".into()),
                    ..q.clone()
                },
                "amount_min",
            ),
            (
                OrdersQuery {
                    created_to: Some("yesterday".into()),
                    ..q.clone()
                },
                "created_to",
            ),
        ] {
            let e = bad.to_core().unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidInput);
            assert!(e.to_string().contains(field), "{e}");
        }
    }

    #[test]
    fn a_record_and_its_list_row_make_the_same_screen_row() {
        use crate::store::orders::OrderRecord;
        use chrono::{TimeZone, Utc};
        let kwd = |t| crate::money::Money::parse(t, Currency::Kwd).unwrap();
        let at = Utc.with_ymd_and_hms(2025, 1, 31, 9, 5, 0).unwrap();
        let record = OrderRecord {
            environment: crate::Environment::Sandbox,
            order_id: "o-1".into(),
            order_reference_id: "REF-1".into(),
            order_number: None,
            status: "partially_captured".into(),
            payment_type: None,
            instalments: None,
            total: kwd("10.5"),
            authorised: kwd("10.5"),
            captured: kwd("4"),
            refunded: kwd("0.001"),
            canceled: kwd("0"),
            paid: kwd("0"),
            customer_name: Some("Sara".into()),
            customer_phone: None,
            customer_email: None,
            country_code: None,
            settlement_status: None,
            settlement_date: None,
            description: None,
            created_at: at,
            updated_at: at,
            last_synced_at: None,
            raw_json: None,
        };
        let row = OrderRow::from(&OrderListRow::from(&record));
        assert_eq!(
            row,
            OrderRow {
                order_id: "o-1".into(),
                reference: "REF-1".into(),
                status: "partially_captured".into(),
                currency: "KWD".into(),
                total: "10.500".into(),
                captured: "4.000".into(),
                refunded: "0.001".into(),
                created_at: "2025-01-31T09:05:00.000Z".into(),
                customer: Some("Sara".into()),
                phone: record.customer_phone.clone(),
                email: record.customer_email.clone(),
                rehearsal: false,
            }
        );
    }
}
