//! In the store (reference §5.10): `mizan checkout in-store` starts a session whose payment
//! link Tamara texts to the customer, `mizan checkout void` cancels one not yet paid, and
//! `mizan checkout id-status` tells whether Tamara has verified a customer's national ID.
//!
//! Invariant: input problems (amount, currency, phone) are usage errors reported before any
//! request.

use clap::Args;
use mizan_core::Console;
use mizan_core::money::{Currency, Money};
use serde_json::json;
use tamara::model::Item;
use tamara::model::in_store::InStoreSessionRequest;

use crate::CliError;
use crate::output::{Output, say};

#[derive(Debug, Args)]
pub struct InStoreArgs {
    /// The customer's phone (international digits, e.g. 966500000001); the link goes there.
    #[arg(long)]
    pub phone: String,
    /// The amount to pay, e.g. 250.00.
    #[arg(long)]
    pub amount: String,
    #[arg(long, default_value = "SAR")]
    pub currency: String,
    /// The store's reference for this sale.
    #[arg(long = "ref")]
    pub reference: String,
    /// What is sold (one line on the customer's receipt).
    #[arg(long, default_value = "In-store purchase")]
    pub item: String,
    /// Where a link goes when the phone has no coverage.
    #[arg(long)]
    pub email: Option<String>,
}

#[derive(Debug, Args)]
pub struct VoidArgs {
    pub checkout_id: String,
    /// The session's order id.
    #[arg(long = "order")]
    pub order_id: String,
    #[arg(long)]
    pub store_code: Option<String>,
}

#[derive(Debug, Args)]
pub struct IdStatusArgs {
    #[arg(long)]
    pub phone: String,
    /// SA or AE.
    #[arg(long, default_value = "SA")]
    pub country: String,
}

pub async fn start(console: &Console, out: &Output, a: InStoreArgs) -> Result<(), CliError> {
    let currency: Currency = a
        .currency
        .parse()
        .map_err(|e| CliError::Usage(format!("--currency: {e}")))?;
    let total =
        Money::parse(&a.amount, currency).map_err(|e| CliError::Usage(format!("--amount: {e}")))?;
    if !total.is_positive() {
        return Err(CliError::Usage("--amount must be more than zero".into()));
    }
    if !a
        .phone
        .trim()
        .chars()
        .all(|c| c.is_ascii_digit() || c == '+')
        || a.phone.trim().len() < 8
    {
        return Err(CliError::Usage(format!(
            "--phone {:?} is not a phone number",
            a.phone
        )));
    }
    let req = InStoreSessionRequest {
        total_amount: total,
        phone_number: a.phone.trim().trim_start_matches('+').to_owned(),
        email: a.email,
        order_reference_id: a.reference.clone(),
        order_number: None,
        items: vec![Item {
            reference_id: a.reference.clone(),
            kind: "Physical".into(),
            name: a.item,
            sku: a.reference,
            quantity: 1,
            total_amount: total,
            unit_price: Some(total),
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
    };
    let r = console.start_in_store_session(&req).await?;
    if out.json {
        out.json_value(&json!({
            "order_id": r.order_id, "checkout_id": r.checkout_id,
            "checkout_deeplink": r.checkout_deeplink,
        }));
    } else {
        say!(
            "In-store session started: Tamara texts the link to {}",
            req.phone_number
        );
        say!("Order id      {}", r.order_id);
        say!("Checkout id   {}", r.checkout_id);
        say!("Link          {}", r.checkout_deeplink);
        say!(
            "Not paid after all? `mizan checkout void {} --order {}`",
            r.checkout_id,
            r.order_id
        );
    }
    Ok(())
}

pub async fn void(console: &Console, out: &Output, a: VoidArgs) -> Result<(), CliError> {
    let r = console
        .void_checkout(&a.checkout_id, &a.order_id, a.store_code.as_deref())
        .await?;
    let message = r.message.clone().unwrap_or_default();
    if out.json {
        out.json_value(&json!({ "order_was_voided": r.order_was_voided, "message": message }));
    } else if r.order_was_voided {
        say!(
            "Voided: the customer can no longer pay session {}",
            a.checkout_id
        );
    } else {
        say!("Not voided: {message}");
    }
    Ok(())
}

pub async fn id_status(console: &Console, out: &Output, a: IdStatusArgs) -> Result<(), CliError> {
    let country = a.country.trim().to_ascii_uppercase();
    if !matches!(country.as_str(), "SA" | "AE") {
        return Err(CliError::Usage(format!(
            "--country {country}: Tamara answers this for SA and AE only"
        )));
    }
    let verified = console
        .id_verification_status(a.phone.trim(), &country)
        .await?;
    if out.json {
        out.json_value(&json!({ "is_id_verified": verified }));
    } else {
        say!(
            "{}: national ID {}verified by Tamara",
            a.phone.trim(),
            if verified { "" } else { "not " }
        );
    }
    Ok(())
}
