//! `mizan checkout create`: a checkout session from flags or from a JSON request file.
//!
//! Invariant: every input problem (bad amount, unknown currency, unreadable file, invalid
//! request) is a usage error that names the flag or field, reported before any request.

use mizan_core::money::{Currency, Money};
use mizan_core::{Console, Environment};
use tamara::model::checkout::CheckoutRequest;
use tamara::model::{Address, Consumer, Item, MerchantUrl, PaymentType};

use crate::CliError;
use crate::args::{CheckoutCommand, CheckoutCreateArgs};
use crate::checkout_check::refuse_if_invalid;
use crate::output::say;
use crate::output::{Output, order_json};

pub async fn run(console: &Console, out: &Output, cmd: CheckoutCommand) -> Result<(), CliError> {
    let args = match cmd {
        CheckoutCommand::Create(args) => args,
        CheckoutCommand::InStore(a) => return crate::in_store::start(console, out, a).await,
        CheckoutCommand::Void(a) => return crate::in_store::void(console, out, a).await,
        CheckoutCommand::IdStatus(a) => return crate::in_store::id_status(console, out, a).await,
        CheckoutCommand::PaymentTypes(a) => {
            return crate::in_store::payment_types(console, out, a).await;
        }
        CheckoutCommand::PreCheck(a) => return crate::in_store::pre_check(console, out, a).await,
        CheckoutCommand::Check(a) => {
            return crate::checkout_check::run(console.environment(), out, &a);
        }
    };
    let env = console.environment();
    let req = match &args.file {
        Some(path) => read_request(path, env)?,
        None => {
            let req = request_from_flags(&args)?;
            let payload = serde_json::to_value(&req)
                .map_err(|e| CliError::Usage(format!("cannot encode the request: {e}")))?;
            refuse_if_invalid(&payload, env, true, "the request from these flags")?;
            req
        }
    };
    let created = console.create_checkout(&req).await?;
    let r = &created.response.value;
    if out.json {
        let mut v = serde_json::json!({
            "order_id": r.order_id, "checkout_id": r.checkout_id,
            "checkout_url": r.checkout_url,
            "status": r.status.as_ref().map(|s| s.as_str()),
        });
        if let Some(c) = &created.cached {
            v["order"] = order_json(&c.order);
        }
        out.json_value(&v);
    } else {
        say!("Checkout created in {}", console.environment());
        say!("Order id      {}", r.order_id);
        say!("Checkout id   {}", r.checkout_id);
        say!(
            "Status        {}",
            r.status.as_ref().map(|s| s.as_str()).unwrap_or("-")
        );
        say!("Send the customer to:\n  {}", r.checkout_url);
        if created.cached.is_none() {
            say!("(not cached yet: run `mizan orders fetch {}`)", r.order_id);
        }
    }
    Ok(())
}

/// The request in `path`, refused before any request when the checker finds an error in it.
fn read_request(path: &std::path::Path, env: Environment) -> Result<CheckoutRequest, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
    let payload: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        CliError::Usage(format!(
            "{} is not a valid checkout request: {e}",
            path.display()
        ))
    })?;
    refuse_if_invalid(&payload, env, false, &path.display().to_string())?;
    let payload = mizan_core::checkout::schema::without_sdk_habits(&payload);
    serde_json::from_value(payload).map_err(|e| {
        CliError::Usage(format!(
            "{} is not a valid checkout request: {e}",
            path.display()
        ))
    })
}

pub(crate) fn request_from_flags(a: &CheckoutCreateArgs) -> Result<CheckoutRequest, CliError> {
    let currency: Currency = a
        .currency
        .trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|e| CliError::Usage(format!("--currency: {e}")))?;
    let money = |flag: &str, text: &str| {
        Money::parse(text.trim(), currency).map_err(|e| CliError::Usage(format!("{flag}: {e}")))
    };
    let amount_text = a.amount.as_deref().unwrap_or_default();
    let total = money("--amount", amount_text)?;
    if !total.is_positive() {
        return Err(CliError::Usage(format!(
            "--amount must be positive, got {amount_text}"
        )));
    }
    let reference = a.reference.clone().unwrap_or_default();
    let country = a
        .country
        .clone()
        .unwrap_or_else(|| country_of(currency).to_owned());
    let payment_type = PaymentType::parse(&a.payment_type.to_ascii_uppercase());
    if let PaymentType::Other(p) = &payment_type {
        return Err(CliError::Usage(format!(
            "--payment-type {p:?} is not one of PAY_BY_INSTALMENTS, PAY_NOW"
        )));
    }
    let instalments = (payment_type == PaymentType::PayByInstalments).then_some(a.instalments);
    // The one item is what is left of the total after shipping and tax, so the request adds
    // up (DOMAIN.md, convention `tax_added`).
    let shipping = money("--shipping", &a.shipping)?;
    let tax = money("--tax", &a.tax)?;
    // A negative shipping or tax is the checker's to refuse, by name; here it counts as 0.
    let not_negative = |m: Money| {
        if m.is_negative() {
            Money::zero(currency)
        } else {
            m
        }
    };
    let item = total
        .checked_sub(not_negative(shipping))
        .and_then(|t| t.checked_sub(not_negative(tax)))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    if !item.is_positive() {
        return Err(CliError::Usage(format!(
            "--shipping {} and --tax {} leave nothing of --amount {} for the item",
            shipping.amount_text(),
            tax.amount_text(),
            total.amount_text()
        )));
    }
    Ok(CheckoutRequest {
        order_reference_id: reference.clone(),
        order_number: None,
        total_amount: total,
        shipping_amount: shipping,
        tax_amount: tax,
        discount: None,
        description: a.description.clone(),
        country_code: country.clone(),
        payment_type,
        instalments,
        locale: Some(a.locale.clone()),
        items: vec![Item {
            reference_id: format!("{reference}-1"),
            kind: "Physical".into(),
            name: a.description.clone(),
            sku: "ITEM-1".into(),
            quantity: 1,
            total_amount: item,
            unit_price: Some(item),
            discount_amount: None,
            tax_amount: None,
            image_url: None,
            item_url: None,
        }],
        consumer: Consumer {
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            phone_number: a.phone.clone(),
            email: a.email.clone(),
            ..Consumer::default()
        },
        shipping_address: Address {
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            line1: a.line1.clone(),
            city: a.city.clone(),
            country_code: country,
            phone_number: Some(a.phone.clone()),
            ..Address::default()
        },
        billing_address: None,
        merchant_url: MerchantUrl {
            success: a.success_url.clone(),
            failure: a.failure_url.clone(),
            cancel: a.cancel_url.clone(),
            notification: None,
        },
        platform: Some("Mizan".into()),
        is_mobile: Some(false),
        risk_assessment: None,
        additional_data: None,
        expires_in_minutes: None,
    })
}

fn country_of(currency: Currency) -> &'static str {
    match currency {
        Currency::Sar => "SA",
        Currency::Aed => "AE",
        Currency::Qar => "QA",
        Currency::Kwd => "KW",
        Currency::Bhd => "BH",
        Currency::Omr => "OM",
    }
}
