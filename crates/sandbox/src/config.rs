//! Simulator configuration: tokens, seed, switches and the webhook retry schedule.
//!
//! Every knob that the reference tags [SIM] (a simulator decision, not a documented Tamara fact)
//! lives here so tests can pin it down instead of relying on guesses baked into the code. Each
//! open question of the reference's §16 whose answer is Tamara's behaviour has a switch here,
//! defaulting to the reference's [SIM] choice (`docs/SIMULATOR.md` maps them).

use std::time::Duration;

use crate::disputes::DisputePayload;
use crate::statements::StatementConfig;
use crate::unknowns::{
    FullyRefundedWhen, OrderExpiryTime, ReferenceLookup, SilentEvent, UpdatedPayload,
};

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
    /// Lifetime (`exp` − `iat`) of the `tamaraToken` on deliveries. Tamara's samples show 900 s
    /// (its docs, 2023) and 1,800 s (its .NET README); the current value is unknown (§8.2,
    /// §16.5). Default 900, the newer sample.
    pub token_lifetime_secs: i64,
    /// Notifications a Tamara might not send where the reference says "unknown" or "assumed"
    /// (§9.2, §16.6). Empty (default): every one is sent.
    pub silent_events: Vec<SilentEvent>,
    /// The merchant's auto-authorisation feature (§5.3, current docs only): an approved order
    /// moves on to `fully_captured` at once, with no authorise call; `order_approved` then
    /// `order_captured` are sent, and a later authorise gets 409 (§5.3 [SIM]).
    pub auto_authorisation: bool,
    /// Days after authorisation at which an uncaptured order is captured whole (§5.4: 21).
    /// `None`: no auto-capture, so such orders expire after `authorised_expiry_days` instead
    /// (§9.2 [SIM]: how the two rules interact is unknown, §16.18).
    pub auto_capture_after_days: Option<u32>,
    /// Days after authorisation at which an order neither captured nor canceled expires (§9.1:
    /// 90). Reached only when auto-capture is off or later.
    pub authorised_expiry_days: u32,
    /// What the authorise answer's `order_expiry_time` is (§5.3, §16.17).
    pub order_expiry_time: OrderExpiryTime,
    /// `POST /_sandbox/orders/{id}/hold` sends `order_on_hold` but leaves the status alone.
    /// Default off: the order is `on_hold` (every money move refused) until released. The
    /// meaning of `on_hold` is undocumented (§9.1, §16.7).
    pub on_hold_keeps_status: bool,
    /// The `data` of `order_updated` (undocumented, §7, §16.7).
    pub order_updated_payload: UpdatedPayload,
    /// HTTP status of a duplicate webhook registration (`webhook_already_registered`; only the
    /// code is known, §6.1, §16.8). Default 409.
    pub duplicate_webhook_status: u16,
    /// HTTP status of an amount above what the order still allows
    /// (`amount_exceeds_remaining`; unknown, §10.3, §16.8). Default 400.
    pub amount_error_status: u16,
    /// Answer 401 and 404 with an empty body instead of the five-key error body (their bodies
    /// are undocumented, §10.2, §16.8).
    pub bare_401_404: bool,
    /// A `partially_captured` order may cancel its uncaptured remainder (→ `fully_captured` when
    /// all of it, else stays `partially_captured`). Default off: cancel is documented for
    /// `authorised` orders only (§9.2 [SIM], §16.10).
    pub cancel_after_partial_capture: bool,
    /// Refuse (409) a capture on a `partially_refunded` order. Default off: the uncaptured
    /// remainder may still be captured (§9.3 [SIM], §16.10).
    pub refuse_capture_after_partial_refund: bool,
    /// When an order becomes `fully_refunded` (§16.10).
    pub fully_refunded_when: FullyRefundedWhen,
    /// Which order a reused merchant reference reads (§5.8b, §16.12).
    pub reference_lookup: ReferenceLookup,
    /// `PUT /webhooks/{id}` without `headers` keeps the stored ones. Default off: full
    /// replacement, omitted means none (§6.3 [SIM], §16.19).
    pub webhook_update_keeps_headers: bool,
    /// Honour `expires_in_minutes` (5–1440) on `POST /checkout`. Default off: it needs Tamara
    /// support to enable, so the session lasts 30 minutes (§5.2, §16.20).
    pub honour_expires_in_minutes: bool,
    /// Accept Qatar (`QA`/`QAR`), seen in one plugin only. Default off: 400
    /// `not_supported_country_currency` like any unsupported pair (§3.2, §16.20).
    pub qatar_supported: bool,
    /// At most this many Tamara API calls per second, then 429 (rate limits are unknown,
    /// §12, §16.20). `None` (default): no limit.
    pub rate_limit_per_second: Option<u32>,
    /// Every Tamara API call answers only after this long: a slow gateway, for measuring how
    /// a client copes with latency (the flash-sale benchmark). Default zero. Changed at run
    /// time by `POST /_sandbox/faults/api {latency_ms}`; clearing the faults restores this.
    pub api_latency: Duration,
    /// Failure and cancel redirects carry no `paymentStatus` (only `approved` is confirmed,
    /// §5.2, §16.14). Default off: `declined` / `canceled`.
    pub omit_failure_payment_status: bool,
    /// Serve the dispute list and update paths of the third-party profile
    /// (`/external/merchants/orders/disputes/`, §5.11 [T]). Default off, as the reference says
    /// (no Tamara source has them, §16.16): the paths then answer 404. Disputes are opened,
    /// moved and notified either way (`/_sandbox/orders/{id}/disputes`).
    pub dispute_api_enabled: bool,
    /// The body of dispute notifications (undocumented, §16.7).
    pub dispute_payload: DisputePayload,
    /// Fees, VAT, cycle and time zone of the settlement statements (reference §11.1 [SIM]:
    /// weekly, fixed + variable % + 15 % VAT on fees, rounded per line).
    pub statements: StatementConfig,
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
            token_lifetime_secs: 900,
            silent_events: Vec::new(),
            auto_authorisation: false,
            auto_capture_after_days: Some(21),
            authorised_expiry_days: 90,
            order_expiry_time: OrderExpiryTime::default(),
            on_hold_keeps_status: false,
            order_updated_payload: UpdatedPayload::default(),
            duplicate_webhook_status: 409,
            amount_error_status: 400,
            bare_401_404: false,
            cancel_after_partial_capture: false,
            refuse_capture_after_partial_refund: false,
            fully_refunded_when: FullyRefundedWhen::default(),
            reference_lookup: ReferenceLookup::default(),
            webhook_update_keeps_headers: false,
            honour_expires_in_minutes: false,
            qatar_supported: false,
            rate_limit_per_second: None,
            api_latency: Duration::ZERO,
            omit_failure_payment_status: false,
            dispute_api_enabled: false,
            dispute_payload: DisputePayload::default(),
            statements: StatementConfig::default(),
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
