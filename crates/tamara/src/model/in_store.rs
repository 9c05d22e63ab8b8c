//! In-store checkout (Tamara's OpenAPI file, "In-Store"): a session whose payment link reaches the
//! customer by SMS, a link shown as a QR code at the till, and voiding either before it is paid.
//!
//! Invariants: amounts are exact [`Money`]; both session kinds answer the same
//! [`InStoreCheckoutResponse`]; the void answer says whether the session was voided and, when it
//! was not, why (`message`), which is a normal answer, not an error.

use serde::{Deserialize, Serialize};

use super::{Item, PaymentType};
use crate::money::Money;

/// Where an in-store order was taken; Tamara requires `store_code` when the object is sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreData {
    pub store_code: String,
}

/// `POST /checkout/in-store-session`: Tamara texts the customer a payment link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InStoreSessionRequest {
    pub total_amount: Money,
    /// Receives the payment link by SMS.
    pub phone_number: String,
    /// A fallback for the link when the phone has no coverage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub order_reference_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    pub items: Vec<Item>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<PaymentType>,
    /// Not in the file's schema, but in its own request example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instalments: Option<u32>,
    /// Minutes, 5 to 1440; Tamara ignores it unless enabled for the merchant (default 15).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry_time: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<StoreData>,
}

/// `POST /checkout/in-store` (header `X-Device-Id`): a link the till shows as a QR code, paid with
/// "Scan to Pay" in Tamara's app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InStoreQrRequest {
    /// The amount to pay; named `amount`, not `total_amount`, in this call.
    pub amount: Money,
    /// A partner-specific tag such as `PARTNERNAME_POS_QR`.
    pub platform: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_reference_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<StoreData>,
}

/// The answer to both in-store calls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InStoreCheckoutResponse {
    pub checkout_id: String,
    pub order_id: String,
    /// The payment link (texted, or shown as a QR code).
    pub checkout_deeplink: String,
}

/// `POST /checkout/{checkout_id}/void?order_id=..[&store_code=..]`.
///
/// The file's schema calls `captured_amount` an array; every example, and this model, has one
/// amount.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoidCheckoutResponse {
    pub order_was_voided: bool,
    #[serde(default)]
    pub captured_amount: Option<Money>,
    /// `success`, or why nothing was voided: `checkout_already_completed`,
    /// `checkout_already_expired`.
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub store_code: Option<String>,
}
