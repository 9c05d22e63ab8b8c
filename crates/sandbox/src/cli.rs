//! Command-line front end shared by the `tamara-sandbox` binary and any CLI that embeds it.
//!
//! Refuses non-loopback addresses unless `--allow-remote`: the simulator accepts well-known
//! tokens and has unauthenticated control endpoints, so it must not be reachable from a
//! network by accident.

use std::net::SocketAddr;
use std::time::Duration;

use crate::config::{SandboxConfig, default_retry_schedule};
use crate::disputes::DisputePayload;
use crate::statements::{RefundFees, StatementConfig};
use crate::unknowns::{
    FullyRefundedWhen, OrderExpiryTime, ReferenceLookup, SilentEvent, UpdatedPayload,
};

/// Options of the simulator.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8765")]
    pub listen: SocketAddr,
    /// Accepted API token (repeat for several).
    #[arg(
        long = "api-token",
        env = "TAMARA_SANDBOX_API_TOKEN",
        default_value = "sandbox-api-token"
    )]
    pub api_tokens: Vec<String>,
    /// Notification token used to sign webhook deliveries.
    #[arg(
        long,
        env = "TAMARA_SANDBOX_NOTIFICATION_TOKEN",
        default_value = "sandbox-notification-token"
    )]
    pub notification_token: String,
    /// Seed for reproducible ids (random when absent).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Serve `GET /webhooks/list` (no Tamara source documents a list endpoint; off by default).
    #[arg(long)]
    pub webhook_listing: bool,
    /// Let a registered custom `authorization` header replace Tamara's `Bearer` token on
    /// deliveries (Tamara's behaviour is unknown; default: the Bearer token wins).
    #[arg(long)]
    pub custom_authorization_replaces_bearer: bool,
    /// Refuse plain-http webhook URLs even on loopback.
    #[arg(long)]
    pub https_only_webhooks: bool,
    /// Retry delays in milliseconds, comma separated (default 1s,5s,30s,2min,10min).
    #[arg(long, value_delimiter = ',')]
    pub retry_ms: Option<Vec<u64>>,
    /// Never retry a failed delivery (Tamara's retry policy is unknown).
    #[arg(long, conflicts_with = "retry_ms")]
    pub no_retries: bool,
    /// Merchant id reported by the sandbox.
    #[arg(long)]
    pub merchant_id: Option<uuid::Uuid>,
    /// Public base URL for `checkout_url` (behind a proxy or tunnel).
    #[arg(long)]
    pub public_base_url: Option<String>,
    /// Allow listening on a non-loopback address.
    #[arg(long)]
    pub allow_remote: bool,
    /// Merchant setting: authorise captures the whole order at once.
    #[arg(long)]
    pub auto_capture: bool,
    /// Refuse a checkout without `payment_type` or (for instalments) `instalments`.
    #[arg(long)]
    pub strict_instalments: bool,
    /// Merchant setting: single checkout (the pre-check offers up to 4 payments or pay in full).
    #[arg(long)]
    pub single_checkout: bool,
    // The answers to the reference's open questions (§16; `docs/SIMULATOR.md`).
    /// Lifetime of the `tamaraToken` on deliveries, in seconds (Tamara's samples: 900, 1800).
    #[arg(long, default_value_t = 900)]
    pub token_lifetime_secs: i64,
    /// A notification Tamara might not send (repeat for several).
    #[arg(long = "silent-event", value_enum)]
    pub silent_events: Vec<SilentEvent>,
    /// Merchant setting: approved orders are captured whole without an authorise call.
    #[arg(long)]
    pub auto_authorisation: bool,
    /// Days after authorisation of the automatic capture (0: never; authorised orders then
    /// expire after --authorised-expiry-days).
    #[arg(long, default_value_t = 21)]
    pub auto_capture_after_days: u32,
    /// Days after authorisation at which an uncaptured, uncanceled order expires.
    #[arg(long, default_value_t = 90)]
    pub authorised_expiry_days: u32,
    /// What the authorise answer's `order_expiry_time` is.
    #[arg(long, value_enum, default_value_t = OrderExpiryTime::AuthorisedExpiry)]
    pub order_expiry_time: OrderExpiryTime,
    /// `order_on_hold` leaves the status alone (default: the order is `on_hold` until released).
    #[arg(long)]
    pub on_hold_keeps_status: bool,
    /// The `data` of `order_updated`.
    #[arg(long, value_enum, default_value_t = UpdatedPayload::LikeCancel)]
    pub order_updated_payload: UpdatedPayload,
    /// HTTP status of a duplicate webhook registration.
    #[arg(long, default_value_t = 409)]
    pub duplicate_webhook_status: u16,
    /// HTTP status of an amount above what the order still allows.
    #[arg(long, default_value_t = 400)]
    pub amount_error_status: u16,
    /// Answer 401 and 404 with an empty body.
    #[arg(long)]
    pub bare_401_404: bool,
    /// Let a partially captured order cancel its uncaptured remainder.
    #[arg(long)]
    pub cancel_after_partial_capture: bool,
    /// Refuse a capture on a partially refunded order.
    #[arg(long)]
    pub refuse_capture_after_partial_refund: bool,
    /// When refunds make an order fully refunded.
    #[arg(long, value_enum, default_value_t = FullyRefundedWhen::AllCaptured)]
    pub fully_refunded_when: FullyRefundedWhen,
    /// Which order a reused merchant reference reads.
    #[arg(long, value_enum, default_value_t = ReferenceLookup::Newest)]
    pub reference_lookup: ReferenceLookup,
    /// `PUT /webhooks/{id}` without `headers` keeps the stored headers.
    #[arg(long)]
    pub webhook_update_keeps_headers: bool,
    /// Honour `expires_in_minutes` on checkout.
    #[arg(long)]
    pub honour_expires_in_minutes: bool,
    /// Accept Qatar (QA / QAR).
    #[arg(long)]
    pub qatar_supported: bool,
    /// At most this many API calls per second, then 429.
    #[arg(long)]
    pub rate_limit_per_second: Option<u32>,
    /// Every API call answers after this many milliseconds (a slow gateway).
    #[arg(long, default_value_t = 0)]
    pub api_latency_ms: u64,
    /// Failure and cancel redirects carry no `paymentStatus`.
    #[arg(long)]
    pub omit_failure_payment_status: bool,
    /// Serve the third-party dispute list and update paths.
    #[arg(long)]
    pub dispute_api: bool,
    /// The body of dispute notifications.
    #[arg(long, value_enum, default_value_t = DisputePayload::LikeOrder)]
    pub dispute_payload: DisputePayload,
    // Settlement statements (reference §11.1; `docs/SIMULATOR.md`).
    /// Fixed fee per captured line, in the order's currency.
    #[arg(long, default_value = "1.00")]
    pub statement_fixed_fee: rust_decimal::Decimal,
    /// Variable fee in percent of the captured amount.
    #[arg(long, default_value = "6.99")]
    pub statement_variable_percent: rust_decimal::Decimal,
    /// VAT in percent on Tamara's fees.
    #[arg(long, default_value = "15")]
    pub statement_vat_percent: rust_decimal::Decimal,
    /// Days in a statement cycle (7: weekly, Monday to Sunday).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=366))]
    pub statement_cycle_days: u32,
    /// Time zone whose calendar dates the statements (IANA name).
    #[arg(long, default_value = "Asia/Riyadh")]
    pub statement_time_zone: chrono_tz::Tz,
    /// What a refund line costs.
    #[arg(long, value_enum, default_value_t = RefundFees::None)]
    pub statement_refund_fees: RefundFees,
}

impl Args {
    /// The library configuration these options describe.
    pub fn config(&self) -> SandboxConfig {
        let defaults = SandboxConfig::default();
        SandboxConfig {
            api_tokens: self.api_tokens.clone(),
            notification_token: self.notification_token.clone(),
            seed: self.seed,
            allow_http_loopback: !self.https_only_webhooks,
            webhook_listing_enabled: self.webhook_listing,
            custom_authorization_replaces_bearer: self.custom_authorization_replaces_bearer,
            retry_schedule: match &self.retry_ms {
                _ if self.no_retries => Vec::new(),
                Some(ms) => ms.iter().map(|m| Duration::from_millis(*m)).collect(),
                None => default_retry_schedule(),
            },
            merchant_id: self.merchant_id.unwrap_or(defaults.merchant_id),
            public_base_url: self.public_base_url.clone(),
            auto_capture: self.auto_capture,
            strict_instalments: self.strict_instalments,
            single_checkout: self.single_checkout,
            token_lifetime_secs: self.token_lifetime_secs,
            silent_events: self.silent_events.clone(),
            auto_authorisation: self.auto_authorisation,
            auto_capture_after_days: Some(self.auto_capture_after_days).filter(|d| *d > 0),
            authorised_expiry_days: self.authorised_expiry_days,
            order_expiry_time: self.order_expiry_time,
            on_hold_keeps_status: self.on_hold_keeps_status,
            order_updated_payload: self.order_updated_payload,
            duplicate_webhook_status: self.duplicate_webhook_status,
            amount_error_status: self.amount_error_status,
            bare_401_404: self.bare_401_404,
            cancel_after_partial_capture: self.cancel_after_partial_capture,
            refuse_capture_after_partial_refund: self.refuse_capture_after_partial_refund,
            fully_refunded_when: self.fully_refunded_when,
            reference_lookup: self.reference_lookup,
            webhook_update_keeps_headers: self.webhook_update_keeps_headers,
            honour_expires_in_minutes: self.honour_expires_in_minutes,
            qatar_supported: self.qatar_supported,
            rate_limit_per_second: self.rate_limit_per_second.filter(|n| *n > 0),
            api_latency: std::time::Duration::from_millis(self.api_latency_ms),
            omit_failure_payment_status: self.omit_failure_payment_status,
            dispute_api_enabled: self.dispute_api,
            dispute_payload: self.dispute_payload,
            statements: StatementConfig {
                fixed_fee: self.statement_fixed_fee,
                variable_percent: self.statement_variable_percent,
                vat_percent: self.statement_vat_percent,
                cycle_days: self.statement_cycle_days,
                time_zone: self.statement_time_zone,
                refund_fees: self.statement_refund_fees,
            },
        }
    }
}

/// Serves until Ctrl-C / SIGTERM.
pub async fn run(args: Args) -> anyhow::Result<()> {
    if !args.listen.ip().is_loopback() && !args.allow_remote {
        anyhow::bail!(
            "refusing to listen on non-loopback address {} without --allow-remote",
            args.listen
        );
    }
    let handle = crate::spawn(args.config(), args.listen).await?;
    println!("Tamara sandbox listening on {}", handle.base_url());
    println!(
        "API token: {} | notification token: {} | control endpoints under {}/_sandbox/",
        args.api_tokens.join(", "),
        args.notification_token,
        handle.base_url()
    );
    shutdown_signal().await;
    println!("shutting down");
    handle.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
