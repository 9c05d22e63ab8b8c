//! In the store (reference §5.10): `mizan checkout in-store` starts a session whose payment
//! link Tamara texts to the customer, `mizan checkout void` cancels one not yet paid, and
//! `mizan checkout id-status` tells whether Tamara has verified a customer's national ID;
//! `payment-types` and `pre-check` ask what Tamara would offer before a checkout.
//!
//! Invariant: input problems (amount, currency, phone) are usage errors reported before any
//! request.

use clap::Args;
use mizan_core::Console;
use mizan_core::money::{Currency, Money};
use mizan_core::till::{LinkChannel, TillSale};
use serde_json::json;

use crate::CliError;
use crate::output::{Output, say};

#[derive(Debug, Args)]
pub struct InStoreArgs {
    /// The customer's phone (international digits, e.g. 966500000001); the link goes there.
    #[arg(long, required_unless_present = "qr", conflicts_with = "qr")]
    pub phone: Option<String>,
    /// Show the link as a QR code at the till instead of texting it.
    #[arg(long, requires = "device_id")]
    pub qr: bool,
    /// The till's id (sent as `X-Device-Id`), with --qr.
    #[arg(long)]
    pub device_id: Option<String>,
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
    let amount = money("--amount", &a.amount, &a.currency)?;
    let channel = match (a.qr, a.phone) {
        (true, _) => LinkChannel::Qr {
            device_id: a.device_id.unwrap_or_default(),
        },
        (false, phone) => LinkChannel::Sms {
            phone: phone.unwrap_or_default(),
            email: a.email,
        },
    };
    let sale = TillSale {
        channel,
        amount,
        reference: a.reference,
        item: a.item,
    };
    let r = console.start_in_store_sale(&sale).await?;
    if out.json {
        out.json_value(&json!({
            "order_id": r.order_id, "checkout_id": r.checkout_id,
            "checkout_deeplink": r.checkout_deeplink,
        }));
        return Ok(());
    }
    match &sale.channel {
        LinkChannel::Sms { phone, .. } => {
            say!("In-store session started: Tamara texts the link to {phone}");
        }
        LinkChannel::Qr { .. } => {
            say!("In-store session started: show the link as a QR code at the till");
        }
    }
    say!("Order id      {}", r.order_id);
    say!("Checkout id   {}", r.checkout_id);
    say!("Link          {}", r.checkout_deeplink);
    say!(
        "Not paid after all? `mizan checkout void {} --order {}`",
        r.checkout_id,
        r.order_id
    );
    Ok(())
}

fn money(flag: &str, amount: &str, currency: &str) -> Result<Money, CliError> {
    let currency: Currency = currency
        .trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|e| CliError::Usage(format!("--currency: {e}")))?;
    Money::parse(amount.trim(), currency).map_err(|e| CliError::Usage(format!("{flag}: {e}")))
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
    let verified = console.id_verification_status(&a.phone, &a.country).await?;
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

#[derive(Debug, Args)]
pub struct PaymentTypesArgs {
    #[arg(long, default_value = "SA")]
    pub country: String,
    /// Limits for this order value (with --currency).
    #[arg(long)]
    pub amount: Option<String>,
    #[arg(long, default_value = "SAR")]
    pub currency: String,
    /// Limits for this customer.
    #[arg(long)]
    pub phone: Option<String>,
}

pub async fn payment_types(
    console: &Console,
    out: &Output,
    a: PaymentTypesArgs,
) -> Result<(), CliError> {
    let value = a
        .amount
        .as_deref()
        .map(|v| money("--amount", v, &a.currency))
        .transpose()?;
    let types = console
        .payment_types(&a.country, value, a.phone.as_deref())
        .await?;
    if out.json {
        out.json_value(&serde_json::to_value(&types).unwrap_or_default());
        return Ok(());
    }
    if types.is_empty() {
        say!(
            "Tamara offers no payment type in {} for this.",
            a.country.trim()
        );
        return Ok(());
    }
    let limit = |m: &Option<Money>| m.map_or_else(|| "-".to_owned(), |m| m.to_string());
    let rows: Vec<Vec<String>> = types
        .iter()
        .map(|t| {
            let instalments: Vec<String> = t
                .supported_instalments
                .iter()
                .map(|i| i.instalments.to_string())
                .collect();
            vec![
                t.name.as_str().to_owned(),
                limit(&t.min_limit),
                limit(&t.max_limit),
                if instalments.is_empty() {
                    "-".into()
                } else {
                    instalments.join(", ")
                },
                t.description.clone().unwrap_or_default(),
            ]
        })
        .collect();
    say!(
        "{}",
        crate::output::table(&["TYPE", "MIN", "MAX", "INSTALMENTS", "DESCRIPTION"], &rows)
    );
    Ok(())
}

#[derive(Debug, Args)]
pub struct PreCheckArgs {
    #[arg(long)]
    pub phone: String,
    #[arg(long)]
    pub amount: String,
    #[arg(long, default_value = "SAR")]
    pub currency: String,
    #[arg(long, default_value = "SA")]
    pub country: String,
}

pub async fn pre_check(console: &Console, out: &Output, a: PreCheckArgs) -> Result<(), CliError> {
    let value = money("--amount", &a.amount, &a.currency)?;
    let r = console
        .payment_options_pre_check(&a.country, &a.phone, value)
        .await?;
    if out.json {
        out.json_value(&serde_json::to_value(&r).unwrap_or_default());
        return Ok(());
    }
    if !r.has_available_payment_options {
        say!("Tamara offers this customer nothing for {value}.");
        return Ok(());
    }
    say!("Tamara would offer this customer, for {value}:");
    for l in &r.available_payment_labels {
        let n = l.instalment.map(|n| format!(" ({n})")).unwrap_or_default();
        say!(
            "  {}{n}  {}",
            l.payment_type.as_str(),
            l.description_en.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
