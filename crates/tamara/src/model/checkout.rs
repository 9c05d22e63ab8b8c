//! Checkout sessions (reference §5.2) and payment types (§5.1a).

use serde::{Deserialize, Serialize};

use super::{Address, Consumer, Discount, Item, MerchantUrl, OrderStatus, PaymentType};
use crate::money::Money;

/// `POST /checkout`. Required fields are plain; optional ones are skipped when absent so the
/// request carries exactly what the merchant set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckoutRequest {
    pub order_reference_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    pub total_amount: Money,
    pub shipping_amount: Money,
    pub tax_amount: Money,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    pub description: String,
    pub country_code: String,
    pub payment_type: PaymentType,
    /// Sent for `PAY_BY_INSTALMENTS`; the reference is unsure whether other types need it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instalments: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    pub items: Vec<Item>,
    pub consumer: Consumer,
    pub shipping_address: Address,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    pub merchant_url: MerchantUrl,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_mobile: Option<bool>,
    /// Free-form merchant risk signals (reference §5.2 lists the documented keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_assessment: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in_minutes: Option<u32>,
}

/// Why a checkout request is refused before it is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckoutInvalid {
    #[error("{field} is required and must not be empty")]
    Missing { field: &'static str },
    #[error("{field} is in {found}, but the order is in {expected}")]
    CurrencyMismatch {
        field: String,
        found: String,
        expected: String,
    },
    #[error("total_amount must be at least 0.1, got {0}")]
    TotalTooSmall(String),
    #[error("description is {0} characters; Tamara allows 256")]
    DescriptionTooLong(usize),
    #[error("at least one item is required")]
    NoItems,
    #[error("{field} must not be negative, got {amount}")]
    Negative { field: String, amount: String },
    #[error("items[{0}].quantity must be at least 1")]
    ZeroQuantity(usize),
    #[error("instalments must be at least 1, got {0}")]
    ZeroInstalments(u32),
    #[error("the discount {discount} is larger than the order's total {total}")]
    DiscountExceedsTotal { discount: String, total: String },
}

impl CheckoutRequest {
    /// Checks what Tamara would refuse with a 400, so the user hears it before a round trip.
    pub fn validate(&self) -> Result<(), CheckoutInvalid> {
        let required = [
            ("order_reference_id", &self.order_reference_id),
            ("country_code", &self.country_code),
            ("consumer.first_name", &self.consumer.first_name),
            ("consumer.last_name", &self.consumer.last_name),
            ("consumer.phone_number", &self.consumer.phone_number),
            ("merchant_url.success", &self.merchant_url.success),
            ("merchant_url.failure", &self.merchant_url.failure),
            ("merchant_url.cancel", &self.merchant_url.cancel),
        ];
        if let Some((field, _)) = required.iter().find(|(_, v)| v.trim().is_empty()) {
            return Err(CheckoutInvalid::Missing { field });
        }
        if self.description.chars().count() > 256 {
            return Err(CheckoutInvalid::DescriptionTooLong(
                self.description.chars().count(),
            ));
        }
        if self.items.is_empty() {
            return Err(CheckoutInvalid::NoItems);
        }
        if self.instalments == Some(0) {
            return Err(CheckoutInvalid::ZeroInstalments(0));
        }
        if let Some(i) = self.items.iter().position(|item| item.quantity == 0) {
            return Err(CheckoutInvalid::ZeroQuantity(i));
        }
        let currency = self.total_amount.currency();
        let min = Money::parse("0.1", currency).map_err(|_| CheckoutInvalid::Missing {
            field: "total_amount",
        })?;
        if self.total_amount < min {
            return Err(CheckoutInvalid::TotalTooSmall(
                self.total_amount.to_string(),
            ));
        }
        let mut amounts: Vec<(String, &Money)> = vec![
            ("shipping_amount".into(), &self.shipping_amount),
            ("tax_amount".into(), &self.tax_amount),
        ];
        if let Some(d) = &self.discount {
            amounts.push(("discount.amount".into(), &d.amount));
        }
        for (i, item) in self.items.iter().enumerate() {
            amounts.push((format!("items[{i}].total_amount"), &item.total_amount));
            let optional = [
                ("unit_price", &item.unit_price),
                ("discount_amount", &item.discount_amount),
                ("tax_amount", &item.tax_amount),
            ];
            for (name, m) in optional {
                if let Some(m) = m {
                    amounts.push((format!("items[{i}].{name}"), m));
                }
            }
        }
        for (field, m) in amounts {
            if m.currency() != currency {
                return Err(CheckoutInvalid::CurrencyMismatch {
                    field,
                    found: m.currency().to_string(),
                    expected: currency.to_string(),
                });
            }
            if m.is_negative() {
                return Err(CheckoutInvalid::Negative {
                    field,
                    amount: m.to_string(),
                });
            }
        }
        if let Some(d) = &self.discount
            && d.amount > self.total_amount
        {
            return Err(CheckoutInvalid::DiscountExceedsTotal {
                discount: d.amount.to_string(),
                total: self.total_amount.to_string(),
            });
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckoutResponse {
    pub order_id: String,
    pub checkout_id: String,
    pub checkout_url: String,
    #[serde(default)]
    pub status: Option<OrderStatus>,
}

/// One element of `GET /checkout/payment-types`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentTypeOption {
    pub name: PaymentType,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub description_ar: Option<String>,
    #[serde(default)]
    pub min_limit: Option<Money>,
    #[serde(default)]
    pub max_limit: Option<Money>,
    #[serde(default)]
    pub supported_instalments: Vec<InstalmentOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstalmentOption {
    pub instalments: u32,
    #[serde(default)]
    pub min_limit: Option<Money>,
    #[serde(default)]
    pub max_limit: Option<Money>,
}

/// `POST /checkout/payment-options-pre-check`: can this customer pay this amount with Tamara?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentOptionsPreCheckRequest {
    /// ISO country of the merchant (`SA`, `AE`, `BH`, `KW`, `OM`).
    pub country: String,
    pub phone_number: String,
    pub order_value: Money,
    /// Whether the merchant considers the customer a VIP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_vip: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentOptionsPreCheckResponse {
    pub has_available_payment_options: bool,
    #[serde(default)]
    pub single_checkout_enabled: Option<bool>,
    /// Empty when nothing is available.
    #[serde(default)]
    pub available_payment_labels: Vec<PaymentLabel>,
}

/// One option of the pre-check, with the wording Tamara suggests showing the customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentLabel {
    pub payment_type: PaymentType,
    /// Number of instalments (singular on the wire).
    #[serde(default)]
    pub instalment: Option<u32>,
    #[serde(default)]
    pub description_en: Option<String>,
    #[serde(default)]
    pub description_ar: Option<String>,
}

/// `GET /merchants/customer/id-verification-status`: has Tamara verified this customer's ID?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdVerificationStatus {
    pub is_id_verified: bool,
}
