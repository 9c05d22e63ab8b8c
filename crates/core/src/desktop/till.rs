//! The In store screen: a sale at the till (a link texted to the customer, or a QR code the
//! till shows), voiding it while unpaid, the customer's ID check, and what Tamara would offer
//! (payment types with limits, the payment-options pre-check). The work is
//! [`crate::till`]'s; this turns the screen's text fields into its types and its answers into
//! shapes for the webview.

use serde::{Deserialize, Serialize};

use super::{amount, text};
use crate::console::Console;
use crate::error::{Error, Result};
use crate::money::{Currency, Money};
use crate::till::{LinkChannel, TillSale};

/// How the customer gets the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TillChannel {
    Sms,
    Qr,
}

/// The sale form.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TillSaleInput {
    pub channel: TillChannel,
    /// For a texted link.
    pub phone: Option<String>,
    /// Where a texted link also goes when the phone has no coverage.
    pub email: Option<String>,
    /// For a QR code: the till's id.
    pub device_id: Option<String>,
    /// `250.00`, at the currency's precision.
    pub amount: String,
    pub currency: String,
    pub reference: String,
    pub item: Option<String>,
}

/// A started sale.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TillSession {
    pub order_id: String,
    pub checkout_id: String,
    /// The payment link (texted, or to show as a QR code).
    pub link: String,
}

/// The answer to a void.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TillVoid {
    pub voided: bool,
    /// `success`, or why not: `checkout_already_completed`, `checkout_already_expired`.
    pub message: Option<String>,
}

/// One payment type Tamara offers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PaymentTypeRow {
    pub name: String,
    pub description: Option<String>,
    pub description_ar: Option<String>,
    pub currency: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub instalments: Vec<u32>,
}

/// The pre-check's answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreCheckResult {
    pub available: bool,
    pub options: Vec<PreCheckOption>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PreCheckOption {
    pub payment_type: String,
    pub instalments: Option<u32>,
    pub description_en: Option<String>,
    pub description_ar: Option<String>,
}

fn money(what: &str, value: &str, currency: &str) -> Result<Money> {
    let c: Currency = currency
        .trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|e| Error::Invalid(format!("currency: {e}")))?;
    Money::parse(value.trim(), c).map_err(|e| Error::Invalid(format!("{what}: {e}")))
}

/// Starts the sale.
///
/// # Errors
/// [`Error::Invalid`] naming the field; gateway errors.
pub async fn start(console: &Console, input: &TillSaleInput) -> Result<TillSession> {
    let channel = match input.channel {
        TillChannel::Sms => LinkChannel::Sms {
            phone: text(&input.phone).unwrap_or_default().to_owned(),
            email: text(&input.email).map(str::to_owned),
        },
        TillChannel::Qr => LinkChannel::Qr {
            device_id: text(&input.device_id).unwrap_or_default().to_owned(),
        },
    };
    let sale = TillSale {
        channel,
        amount: money("amount", &input.amount, &input.currency)?,
        reference: input.reference.trim().to_owned(),
        item: text(&input.item).unwrap_or("In-store purchase").to_owned(),
    };
    let r = console.start_in_store_sale(&sale).await?;
    Ok(TillSession {
        order_id: r.order_id,
        checkout_id: r.checkout_id,
        link: r.checkout_deeplink,
    })
}

/// Voids a sale while unpaid.
///
/// # Errors
/// As [`crate::till::void`].
pub async fn void(console: &Console, checkout_id: &str, order_id: &str) -> Result<TillVoid> {
    let r = console.void_checkout(checkout_id, order_id, None).await?;
    Ok(TillVoid {
        voided: r.order_was_voided,
        message: r.message,
    })
}

/// What Tamara offers in `country`, for `value` in `currency` when given.
///
/// # Errors
/// [`Error::Invalid`] naming the field; gateway errors.
pub async fn payment_types(
    console: &Console,
    country: &str,
    value: Option<String>,
    currency: &str,
) -> Result<Vec<PaymentTypeRow>> {
    let value = text(&value)
        .map(|v| money("amount", v, currency))
        .transpose()?;
    let types = console.payment_types(country, value, None).await?;
    Ok(types
        .into_iter()
        .map(|t| PaymentTypeRow {
            name: t.name.as_str().to_owned(),
            description: t.description,
            description_ar: t.description_ar,
            currency: t
                .min_limit
                .or(t.max_limit)
                .map(|m| m.currency().code().to_owned()),
            min: t.min_limit.map(amount),
            max: t.max_limit.map(amount),
            instalments: t
                .supported_instalments
                .iter()
                .map(|i| i.instalments)
                .collect(),
        })
        .collect())
}

/// The payment-options pre-check.
///
/// # Errors
/// [`Error::Invalid`] naming the field; gateway errors.
pub async fn pre_check(
    console: &Console,
    country: &str,
    phone: &str,
    value: &str,
    currency: &str,
) -> Result<PreCheckResult> {
    let value = money("amount", value, currency)?;
    let r = console
        .payment_options_pre_check(country, phone, value)
        .await?;
    Ok(PreCheckResult {
        available: r.has_available_payment_options,
        options: r
            .available_payment_labels
            .into_iter()
            .map(|l| PreCheckOption {
                payment_type: l.payment_type.as_str().to_owned(),
                instalments: l.instalment,
                description_en: l.description_en,
                description_ar: l.description_ar,
            })
            .collect(),
    })
}
