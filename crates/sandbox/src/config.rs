//! Simulator configuration: tokens, seed, switches and the webhook retry schedule.
//!
//! Every knob that the reference tags [SIM] (a simulator decision, not a documented Tamara fact)
//! lives here so tests can pin it down instead of relying on guesses baked into the code.

use std::time::Duration;

/// Configuration of one simulator instance.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Bearer tokens accepted on the Tamara API paths (any of them authenticates).
    pub api_tokens: Vec<String>,
    /// Shared secret used to sign outgoing notifications (HS256 `tamaraToken`).
    pub notification_token: String,
    /// Seed of the id generator; `None` picks a random seed. Same seed + same calls = same ids.
    pub seed: Option<u64>,
    /// Accept `http://` webhook URLs on loopback (127.0.0.1, localhost, [::1]).
    ///
    /// Default `true`: Tamara requires HTTPS, but local receivers (the console's own receiver in
    /// tests and demo mode) listen on plain http on loopback, and TLS there would only add
    /// certificate plumbing without testing anything about Tamara. Non-loopback http is always
    /// refused, so the HTTPS rule is still exercised.
    pub allow_http_loopback: bool,
    /// Serve a list of every webhook at `GET /webhooks/list`. No source documents a listing
    /// path (reference §6.6), so it is off by default and the path answers 404 like any
    /// unknown one; switch it on to test a client's optional listing.
    pub webhook_listing_enabled: bool,
    /// What a delivery's `Authorization` header carries when the webhook registered a custom
    /// `authorization` header (Tamara's own example name): off (default), Tamara's
    /// `Bearer <tamaraToken>` wins; on, the custom value replaces it and the token travels only
    /// in the query. Tamara's behaviour is unknown (reference §8.2, §16), so receivers are
    /// tested against both.
    pub custom_authorization_replaces_bearer: bool,
    /// Delays between delivery attempts after a failure. Its length is the number of retries
    /// (attempts = 1 + len). Reference §8.4 [SIM]: 1 s, 5 s, 30 s, 2 min, 10 min.
    pub retry_schedule: Vec<Duration>,
    /// The merchant this sandbox pretends to be (echoed in webhooks and captures).
    pub merchant_id: uuid::Uuid,
    /// Base URL used in `checkout_url` when the simulator is reached through another address
    /// (a proxy or tunnel). `None` = the bound address, `http://127.0.0.1:PORT`.
    pub public_base_url: Option<String>,
    /// The merchant's auto-capture setting: authorise captures the whole order at once and
    /// answers like the OAS example "Success - Auto Capture Enabled" (`auto_captured: true`,
    /// `status: fully_captured`, a real `capture_id`). Off (default): `capture_id` is `""`.
    pub auto_capture: bool,
    /// Enforce the OAS `required` list of `POST /checkout` literally: 400 when `payment_type`
    /// or (for `PAY_BY_INSTALMENTS`) `instalments` is missing. Default off: Tamara's own
    /// request example omits both and the PHP SDK omits `instalments` for `PAY_NOW` (§5.2), so
    /// a missing type is `PAY_BY_INSTALMENTS` and missing instalments are 3.
    pub strict_instalments: bool,
    /// The merchant's single-checkout setting, as the payment-options pre-check reports it
    /// (OAS example "Available Options - Single Checkout": up to 4 payments or pay in full).
    pub single_checkout: bool,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            api_tokens: vec!["sandbox-api-token".to_owned()],
            notification_token: "sandbox-notification-token".to_owned(),
            seed: None,
            allow_http_loopback: true,
            webhook_listing_enabled: false,
            custom_authorization_replaces_bearer: false,
            retry_schedule: default_retry_schedule(),
            // A fixed, recognisable merchant id: it is not secret and fixed values keep demo
            // output stable.
            merchant_id: uuid::Uuid::from_u128(0x6d9f752e_0bbc_47eb_bcf7_be13adf6f04d),
            public_base_url: None,
            auto_capture: false,
            strict_instalments: false,
            single_checkout: false,
        }
    }
}

/// Reference §8.4 [SIM] schedule: 1 s, 5 s, 30 s, 2 min, 10 min.
pub fn default_retry_schedule() -> Vec<Duration> {
    [1, 5, 30, 120, 600]
        .into_iter()
        .map(Duration::from_secs)
        .collect()
}
