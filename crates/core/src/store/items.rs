//! Order line items, as the gateway last reported them.
//!
//! Owns `order_items`. Items belong to a stored order (foreign key on
//! `(environment, order_id)`) and are replaced as a whole on each sync, because the gateway
//! reports the full list and gives items no stable id of their own; `position` keeps the
//! gateway's order.
//!
//! Invariant: every amount of an item is in the item's currency, checked on write.

use super::codec::{self, StoreRow};
use super::error::is_foreign_key_violation;
use super::{Db, Environment, StoreError, on_conn};
use crate::money::{Currency, Money};

const TABLE: &str = "order_items";

/// One line item of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    /// The merchant's reference for the line.
    pub reference_id: Option<String>,
    /// Stock-keeping unit.
    pub sku: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Tamara's item type (`Physical`, `Digital`, …), as sent.
    pub item_type: Option<String>,
    /// Units ordered.
    pub quantity: i64,
    /// Price of one unit, when reported.
    pub unit_price: Option<Money>,
    /// Tax on the line, when reported.
    pub tax_amount: Option<Money>,
    /// Discount on the line, when reported.
    pub discount_amount: Option<Money>,
    /// Line total; its currency is the item's currency.
    pub total_amount: Money,
    /// Product image link.
    pub image_url: Option<String>,
    /// Product page link.
    pub item_url: Option<String>,
}

/// Replaces the stored items of an order with `items`, atomically, keeping their order.
///
/// # Errors
/// [`StoreError::NotFound`] if the order is not stored in `env`; [`StoreError::Invalid`] if an
/// item mixes currencies; [`StoreError::Query`].
pub async fn replace_for_order<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_id: &str,
    items: &[OrderItem],
) -> Result<(), StoreError> {
    for item in items {
        let currency = item.total_amount.currency();
        for (what, value) in [
            ("item unit price", &item.unit_price),
            ("item tax amount", &item.tax_amount),
            ("item discount amount", &item.discount_amount),
        ] {
            if let Some(value) = value {
                codec::same_currency(what, value, currency)?;
            }
        }
    }
    let context = "replace order items";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    let mut tx = crate::store::begin_write_on(&mut conn)
        .await
        .map_err(StoreError::query(context))?;
    on_conn!(tx, c => sqlx::query("DELETE FROM order_items WHERE environment = $1 AND order_id = $2")
        .bind(env.as_str())
        .bind(order_id)
        .execute(c)
        .await
        .map(|_| ()))
    .map_err(StoreError::query(context))?;
    for (position, item) in items.iter().enumerate() {
        let position = i64::try_from(position).unwrap_or(i64::MAX);
        on_conn!(tx, c => sqlx::query(
            "INSERT INTO order_items (environment, order_id, position, reference_id, sku, name,
                item_type, quantity, currency, unit_price, tax_amount, discount_amount,
                total_amount, image_url, item_url)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(env.as_str())
        .bind(order_id)
        .bind(position)
        .bind(&item.reference_id)
        .bind(&item.sku)
        .bind(&item.name)
        .bind(&item.item_type)
        .bind(item.quantity)
        .bind(item.total_amount.currency().code())
        .bind(item.unit_price.map(|m| m.amount_text()))
        .bind(item.tax_amount.map(|m| m.amount_text()))
        .bind(item.discount_amount.map(|m| m.amount_text()))
        .bind(item.total_amount.amount_text())
        .bind(&item.image_url)
        .bind(&item.item_url)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(|e| {
            if is_foreign_key_violation(&e) {
                StoreError::NotFound {
                    entity: "order",
                    key: format!("{env}/{order_id}"),
                }
            } else {
                StoreError::query(context)(e)
            }
        })?;
    }
    tx.commit().await.map_err(StoreError::query(context))
}

/// The stored items of an order in the gateway's order; empty if none or no such order.
///
/// # Errors
/// [`StoreError::CorruptRow`]; [`StoreError::Query`].
pub async fn list_for_order<'c>(
    db: impl Db<'c>,
    env: Environment,
    order_id: &str,
) -> Result<Vec<OrderItem>, StoreError> {
    let context = "list order items";
    let mut conn = db.conn().await.map_err(StoreError::query(context))?;
    on_conn!(conn, c => sqlx::query(
        "SELECT * FROM order_items WHERE environment = $1 AND order_id = $2 ORDER BY position",
    )
    .bind(env.as_str())
    .bind(order_id)
    .fetch_all(c)
    .await
    .map_err(StoreError::query(context))?
    .iter()
    .map(from_row)
    .collect())
}

fn from_row(row: &impl StoreRow) -> Result<OrderItem, StoreError> {
    let currency: Currency = codec::currency(row, TABLE, "currency")?;
    Ok(OrderItem {
        reference_id: codec::get(row, TABLE, "reference_id")?,
        sku: codec::get(row, TABLE, "sku")?,
        name: codec::get(row, TABLE, "name")?,
        item_type: codec::get(row, TABLE, "item_type")?,
        quantity: codec::get(row, TABLE, "quantity")?,
        unit_price: codec::money_opt(row, TABLE, "unit_price", currency)?,
        tax_amount: codec::money_opt(row, TABLE, "tax_amount", currency)?,
        discount_amount: codec::money_opt(row, TABLE, "discount_amount", currency)?,
        total_amount: codec::money(row, TABLE, "total_amount", currency)?,
        image_url: codec::get(row, TABLE, "image_url")?,
        item_url: codec::get(row, TABLE, "item_url")?,
    })
}
