//! `mizan serve`: the headless service — webhook receiver, inbox processor, reconciler and the
//! checkout redirect pages on one listener; with `MIZAN_AUDIT_KEY_FILE`, the audit log's guard
//! (verified at start, its head signed as entries come).
//!
//! Invariants: binds loopback unless `--allow-remote` is given; on SIGTERM or Ctrl-C it stops
//! accepting, lets in-flight requests finish (every acknowledged delivery is already on disk),
//! stops the processor after the row in hand and the reconciler, closes the store and exits 0.
//! A delivery that was acknowledged but not processed when the process died is picked up at
//! the next start.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use mizan_core::Console;
use mizan_core::service::{RunningService, ServiceConfig};
use mizan_core::team::{ApprovalPolicy, TokenHasher};
use mizan_core::team_api::{self, TeamApi};
use mizan_core::webhooks::WEBHOOK_PATH;

use crate::CliError;
use crate::audit::load_keys;
use mizan_core::audit::KeySource;
use mizan_core::audit::key::KEY_FILE_VAR;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8766")]
    pub listen: SocketAddr,
    /// Allow a non-loopback address (put TLS and a reverse proxy in front).
    #[arg(long)]
    pub allow_remote: bool,
    /// Seconds between reconciler sweeps (re-reads of open orders and failed deliveries).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub reconcile_every: u64,
    /// Order reads the reconciler runs at once.
    #[arg(long, env = "MIZAN_RECONCILE_CONCURRENCY", default_value_t = 4,
        value_parser = clap::value_parser!(u64).range(1..=32))]
    pub reconcile_concurrency: u64,
    /// Do not run the reconciler (receiver and processor only).
    #[arg(long)]
    pub no_reconcile: bool,
    /// Run as the team server on this PostgreSQL database (`postgres://…`; the password is
    /// better kept in MIZAN_DATABASE_URL, out of the process list): the team API is served
    /// under /api/v1.
    #[arg(long)]
    pub database: Option<String>,
    /// Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key. Without it,
    /// serve plain HTTP on loopback behind a reverse proxy that terminates TLS.
    #[arg(long, env = "MIZAN_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The certificate's private key (PEM); a file only its owner can read.
    #[arg(long, env = "MIZAN_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
}

fn failed(code: mizan_core::ErrorCode) -> impl FnOnce(std::io::Error) -> CliError {
    move |e| CliError::Failed {
        code,
        message: e.to_string(),
    }
}

pub async fn run(console: Console, args: ServeArgs) -> Result<(), CliError> {
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(
            mizan_core::webhooks::tls::server_config(cert, key)
                .map_err(|e| CliError::Usage(e.to_string()))?,
        ),
        _ => None,
    };
    // Plain HTTP only on loopback unless asked; HTTPS may face the network.
    if !args.listen.ip().is_loopback() && !args.allow_remote && tls.is_none() {
        return Err(CliError::Usage(format!(
            "{} is not a loopback address; serve it with --tls-cert/--tls-key, or pass \
             --allow-remote behind a TLS-terminating proxy",
            args.listen
        )));
    }
    let scheme = if tls.is_some() { "https" } else { "http" };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(failed(mizan_core::ErrorCode::ServeBind))?;
    // A server's audit key is its key file; with one, the service guards the audit log.
    let audit_keys = match std::env::var(KEY_FILE_VAR) {
        Ok(p) if !p.trim().is_empty() => Some(load_keys(KeySource::from_env()).await?.0),
        _ => None,
    };
    let guarded = audit_keys.is_some();
    // On PostgreSQL this is the team server: the team API beside the receiver.
    let team = console.store().is_postgres().then(|| {
        team_api::router(TeamApi::new(
            console.clone(),
            ApprovalPolicy::default(),
            TokenHasher::default(),
        ))
    });
    let serving_team = team.is_some();
    let config = ServiceConfig {
        reconcile_every: (!args.no_reconcile).then(|| Duration::from_secs(args.reconcile_every)),
        reconcile_concurrency: usize::try_from(args.reconcile_concurrency).unwrap_or(4),
        audit_keys,
        extra_routes: team,
        tls,
        ..ServiceConfig::default()
    };
    // The same runner as the desktop app: receiver, processor, reconciler and heartbeat.
    let service = RunningService::start(console.clone(), listener, config)
        .map_err(failed(mizan_core::ErrorCode::ServeBind))?;
    println!(
        "mizan: serving {} on {scheme}://{} (webhooks at {WEBHOOK_PATH})",
        console.environment(),
        service.addr()
    );
    if serving_team {
        println!(
            "mizan: team API on {scheme}://{}/api/v1 (people: `mizan team add-user`)",
            service.addr()
        );
    }
    if !guarded {
        println!("mizan: no {KEY_FILE_VAR}; audit checkpoints are left to `mizan audit verify`");
    }
    mizan_core::shutdown::requested().await;
    let stopped = service.stop().await;
    console.store().close().await;
    stopped.map_err(|e| CliError::Failed {
        code: e.code(),
        message: e.to_string(),
    })?;
    eprintln!("mizan: stopped");
    Ok(())
}
