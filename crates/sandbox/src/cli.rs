//! Command-line front end shared by the `tamara-sandbox` binary and any CLI that embeds it.
//!
//! Refuses non-loopback addresses unless `--allow-remote`: the simulator accepts well-known
//! tokens and has unauthenticated control endpoints, so it must not be reachable from a
//! network by accident.

use std::net::SocketAddr;
use std::time::Duration;

use crate::config::{SandboxConfig, default_retry_schedule};

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
                Some(ms) => ms.iter().map(|m| Duration::from_millis(*m)).collect(),
                None => default_retry_schedule(),
            },
            merchant_id: self.merchant_id.unwrap_or(defaults.merchant_id),
            public_base_url: self.public_base_url.clone(),
            auto_capture: self.auto_capture,
            strict_instalments: self.strict_instalments,
            single_checkout: self.single_checkout,
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
