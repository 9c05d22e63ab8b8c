//! The till and the shop's pre-checks (reference §5.10, §5.3, §5.4): an in-store session whose
//! link Tamara texts to the customer or the till shows as a QR code, voiding one not yet paid,
//! whether Tamara verified a customer's national ID, the payment types on offer with their
//! limits, and the payment-options pre-check — plus correcting an order's reference.
//!
//! Invariants: every input is checked before any request and refused as `invalid_input`
//! naming the field; a started session's order is read into the cache when it can be; each
//! call that changes something at Tamara (a session, a void, a reference) is one audit entry,
//! whatever its outcome.

use tamara::model::Item;
use tamara::model::checkout::{
    PaymentOptionsPreCheckRequest, PaymentOptionsPreCheckResponse, PaymentTypeOption,
};
use tamara::model::in_store::{
    InStoreCheckoutResponse, InStoreQrRequest, InStoreSessionRequest, VoidCheckoutResponse,
};
use tamara::model::order::UpdateReferenceRequest;

use crate::audit::{self, AuditRecord};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::money::Money;
use crate::orders::cache;

/// How the customer gets the payment link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkChannel {
    /// Tamara texts it (with an e-mail fallback when given).
    Sms {
        phone: String,
        email: Option<String>,
    },
    /// The till shows it as a QR code; the till's id goes in `X-Device-Id`.
    Qr { device_id: String },
}

/// One sale at the till.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TillSale {
    pub channel: LinkChannel,
    pub amount: Money,
    /// The store's reference for the sale.
    pub reference: String,
    /// What is sold, one line.
    pub item: String,
}

/// The platform tag of QR sessions (Tamara's example names `PARTNERNAME_POS_QR`).
pub const QR_PLATFORM: &str = "MIZAN_POS_QR";

/// International digits, optionally after `+`, at least 8: what Tamara texts to.
///
/// # Errors
/// [`Error::Invalid`] naming the phone.
pub fn phone_digits(phone: &str) -> Result<String> {
    let digits = phone.trim().trim_start_matches('+');
    if digits.len() < 8 || digits.len() > 15 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::Invalid(format!(
            "phone {:?} is not an international number (digits only, e.g. 966500000001)",
            phone.trim()
        )));
    }
    Ok(digits.to_owned())
}

/// Starts an in-store session for `sale`.
///
/// # Errors
/// [`Error::Invalid`] for a bad amount, phone, device id or empty reference; gateway errors.
pub async fn start(ctx: &Context, sale: &TillSale) -> Result<InStoreCheckoutResponse> {
    if !sale.amount.is_positive() {
        return Err(Error::Invalid("the amount must be more than zero".into()));
    }
    cache::non_empty("order reference", &sale.reference)?;
    let gateway = ctx.gateway()?;
    let (answer, to) = match &sale.channel {
        LinkChannel::Sms { phone, email } => {
            let phone = phone_digits(phone)?;
            let req = session_request(sale, &phone, email.clone());
            (gateway.in_store_session(&req).await, format!("sms {phone}"))
        }
        LinkChannel::Qr { device_id } => {
            cache::non_empty("device id", device_id)?;
            let req = InStoreQrRequest {
                amount: sale.amount,
                platform: QR_PLATFORM.into(),
                order_reference_id: Some(sale.reference.clone()),
                order_number: None,
                locale: None,
                additional_data: None,
            };
            let answer = gateway.in_store_qr(device_id.trim(), &req).await;
            (answer, format!("qr device {}", device_id.trim()))
        }
    };
    let summary = format!("{} {} via {to}", sale.amount, sale.reference);
    let result = match &answer {
        Ok(r) => format!(
            "ok: order {} checkout {}",
            r.value.order_id, r.value.checkout_id
        ),
        Err(e) => format!("failed: {}", e.code()),
    };
    record(ctx, "in_store.start", &sale.reference, summary, result).await;
    let created = answer?.value;
    if let Err(e) = cache::fetch(ctx, &created.order_id).await {
        tracing::warn!(order_id = %created.order_id, error = %e, "in-store order not cached yet");
    }
    Ok(created)
}

fn session_request(sale: &TillSale, phone: &str, email: Option<String>) -> InStoreSessionRequest {
    InStoreSessionRequest {
        total_amount: sale.amount,
        phone_number: phone.to_owned(),
        email: email.filter(|e| !e.trim().is_empty()),
        order_reference_id: sale.reference.clone(),
        order_number: None,
        items: vec![Item {
            reference_id: sale.reference.clone(),
            kind: "Physical".into(),
            name: sale.item.clone(),
            sku: sale.reference.clone(),
            quantity: 1,
            total_amount: sale.amount,
            unit_price: Some(sale.amount),
            discount_amount: None,
            tax_amount: None,
            image_url: None,
            item_url: None,
        }],
        locale: None,
        payment_type: None,
        instalments: None,
        expiry_time: None,
        additional_data: None,
    }
}

/// Voids a session the customer has not paid, or says why not (`checkout_already_completed`,
/// `checkout_already_expired` — normal answers, not errors).
///
/// # Errors
/// [`Error::Invalid`] for an empty id; gateway errors.
pub async fn void(
    ctx: &Context,
    checkout_id: &str,
    order_id: &str,
    store_code: Option<&str>,
) -> Result<VoidCheckoutResponse> {
    cache::non_empty("checkout id", checkout_id)?;
    cache::non_empty("order id", order_id)?;
    let answer = ctx
        .gateway()?
        .void_checkout(checkout_id.trim(), order_id.trim(), store_code)
        .await;
    let result = match &answer {
        Ok(r) if r.value.order_was_voided => "ok: voided".to_owned(),
        Ok(r) => format!("not voided: {}", r.value.message.as_deref().unwrap_or("-")),
        Err(e) => format!("failed: {}", e.code()),
    };
    let summary = format!("checkout {}", checkout_id.trim());
    record(ctx, "in_store.void", order_id.trim(), summary, result).await;
    let voided = answer?.value;
    if voided.order_was_voided
        && let Err(e) = cache::fetch(ctx, order_id.trim()).await
    {
        tracing::warn!(order_id, error = %e, "voided order not re-read");
    }
    Ok(voided)
}

/// Whether Tamara verified the customer's national ID (Saudi Arabia and the UAE only).
///
/// # Errors
/// [`Error::Invalid`] for another country or a bad phone; gateway errors.
pub async fn id_verified(ctx: &Context, phone: &str, country: &str) -> Result<bool> {
    let country = country.trim().to_ascii_uppercase();
    if !matches!(country.as_str(), "SA" | "AE") {
        return Err(Error::Invalid(format!(
            "country {country}: Tamara answers the ID check for SA and AE only"
        )));
    }
    let phone = phone_digits(phone)?;
    let s = ctx
        .gateway()?
        .id_verification_status(&phone, &country)
        .await?;
    Ok(s.value.is_id_verified)
}

/// The payment types Tamara offers in `country`, with their limits (for `order_value` and
/// `phone` when given).
///
/// # Errors
/// [`Error::Invalid`] for a country that is not two letters; gateway errors.
pub async fn payment_types(
    ctx: &Context,
    country: &str,
    order_value: Option<Money>,
    phone: Option<&str>,
) -> Result<Vec<PaymentTypeOption>> {
    let country = two_letters(country)?;
    let phone = phone.map(phone_digits).transpose()?;
    let gateway = ctx.gateway()?;
    let answer = gateway
        .payment_types(&country, order_value.as_ref(), phone.as_deref())
        .await?;
    Ok(answer.value)
}

/// Whether Tamara would offer this customer anything for this amount, before a checkout.
///
/// # Errors
/// [`Error::Invalid`] for a bad country, phone or amount; gateway errors.
pub async fn pre_check(
    ctx: &Context,
    country: &str,
    phone: &str,
    order_value: Money,
) -> Result<PaymentOptionsPreCheckResponse> {
    if !order_value.is_positive() {
        return Err(Error::Invalid("the amount must be more than zero".into()));
    }
    let req = PaymentOptionsPreCheckRequest {
        country: two_letters(country)?,
        phone_number: phone_digits(phone)?,
        order_value,
        is_vip: None,
    };
    Ok(ctx.gateway()?.payment_options_pre_check(&req).await?.value)
}

/// Replaces an order's `order_reference_id` at Tamara (a shop's typo, a re-numbered order),
/// then re-reads the order into the cache.
///
/// # Errors
/// [`Error::Invalid`] for an empty or unchanged reference; gateway errors.
pub async fn set_reference(ctx: &Context, order_id: &str, reference: &str) -> Result<()> {
    cache::non_empty("order id", order_id)?;
    cache::non_empty("order reference", reference)?;
    let (order_id, reference) = (order_id.trim(), reference.trim());
    if reference.len() > 255 || reference.chars().any(char::is_control) {
        return Err(Error::Invalid(
            "the order reference must be at most 255 characters, without control characters".into(),
        ));
    }
    let req = UpdateReferenceRequest {
        order_reference_id: reference.to_owned(),
    };
    let answer = ctx.gateway()?.update_reference(order_id, &req).await;
    let result = match &answer {
        Ok(_) => "ok".to_owned(),
        Err(e) => format!("failed: {}", e.code()),
    };
    record(
        ctx,
        "order.set_reference",
        order_id,
        format!("to {reference}"),
        result,
    )
    .await;
    answer?;
    cache::fetch(ctx, order_id).await?;
    Ok(())
}

fn two_letters(country: &str) -> Result<String> {
    let c = country.trim().to_ascii_uppercase();
    if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err(Error::Invalid(format!(
            "country {:?} is not a two-letter code",
            country.trim()
        )))
    }
}

async fn record(ctx: &Context, action: &str, subject: &str, summary: String, result: String) {
    let rec = AuditRecord {
        env: ctx.environment(),
        actor: ctx.config().operator.clone(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        request_summary: Some(summary),
        result,
    };
    if let Err(e) = audit::record(ctx.store(), rec, ctx.now()).await {
        tracing::warn!(error = %e, action, "could not append to the audit log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_international_digits() {
        assert_eq!(
            phone_digits(" +966500000001 ").ok().as_deref(),
            Some("966500000001")
        );
        for bad in [
            "0500",
            "96650000000123456",
            "+966 50 000 0001",
            "9665OOOOOO01",
            "",
        ] {
            assert!(matches!(phone_digits(bad), Err(Error::Invalid(_))), "{bad}");
        }
    }

    #[test]
    fn countries_are_two_letters() {
        assert_eq!(two_letters(" sa ").ok().as_deref(), Some("SA"));
        for bad in ["SAU", "S", "1A", ""] {
            assert!(two_letters(bad).is_err(), "{bad}");
        }
    }
}
