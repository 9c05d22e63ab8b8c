//! The in-store calls of [`TamaraClient`]: SMS payment-link sessions, QR-code sessions, and
//! voiding a session before it is paid.
//!
//! Invariants: the void sends `order_id` and `store_code` in the query, as Tamara's OpenAPI file
//! says (the PHP SDK sends them as a JSON body); a device id that cannot be a header value is
//! refused before anything is sent, so it can never look like an ambiguous transport failure.

use reqwest::Method;
use reqwest::header::HeaderValue;

use super::TamaraClient;
use crate::error::ApiError;
use crate::model::WithRaw;
use crate::model::in_store::{
    InStoreCheckoutResponse, InStoreQrRequest, InStoreSessionRequest, VoidCheckoutResponse,
};

impl TamaraClient {
    /// `POST /checkout/in-store-session`: Tamara texts the customer a payment link.
    pub async fn in_store_session(
        &self,
        req: &InStoreSessionRequest,
    ) -> Result<WithRaw<InStoreCheckoutResponse>, ApiError> {
        self.call(
            Method::POST,
            &["checkout", "in-store-session"],
            &[],
            Some(req),
        )
        .await
    }

    /// `POST /checkout/in-store` with `X-Device-Id` (the till's id): a link to show as a QR code.
    pub async fn in_store_qr(
        &self,
        device_id: &str,
        req: &InStoreQrRequest,
    ) -> Result<WithRaw<InStoreCheckoutResponse>, ApiError> {
        let device = HeaderValue::from_str(device_id)
            .map_err(|_| ApiError::Encode(format!("{device_id:?} is not a valid X-Device-Id")))?;
        let headers = [("X-Device-Id", device)];
        self.call_with_headers(
            Method::POST,
            &["checkout", "in-store"],
            &[],
            &headers,
            Some(req),
        )
        .await
    }

    /// `POST /checkout/{checkout_id}/void?order_id=..[&store_code=..]`. A session already paid or
    /// expired is a 200 with `order_was_voided: false`, not an error.
    pub async fn void_checkout(
        &self,
        checkout_id: &str,
        order_id: &str,
        store_code: Option<&str>,
    ) -> Result<WithRaw<VoidCheckoutResponse>, ApiError> {
        let mut q = vec![("order_id", order_id.to_owned())];
        if let Some(code) = store_code {
            q.push(("store_code", code.to_owned()));
        }
        self.call::<(), _>(Method::POST, &["checkout", checkout_id, "void"], &q, None)
            .await
    }
}
