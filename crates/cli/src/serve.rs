//! `mizan serve`: the headless service — webhook receiver, inbox processor, reconciler and the
//! checkout redirect pages on one listener.
//!
//! Invariants: binds loopback unless `--allow-remote` is given; on SIGTERM or Ctrl-C it stops
//! accepting, lets in-flight requests finish (every acknowledged delivery is already on disk),
//! stops the processor after the row in hand and the reconciler, closes the store and exits 0. A delivery that was
//! acknowledged but not processed when the process died is picked up at the next start.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use mizan_core::Console;
use mizan_core::reconcile::Reconciler;
use mizan_core::webhooks::health::{self, Heartbeat};
use mizan_core::webhooks::{
    Processor, ProcessorConfig, ReceiverState, WEBHOOK_PATH, router, system_clock,
};
use tokio::sync::{Notify, watch};

use crate::CliError;

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
    /// Order reads a sweep runs at once.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=32))]
    pub reconcile_concurrency: u64,
    /// Do not run the reconciler (receiver and processor only).
    #[arg(long)]
    pub no_reconcile: bool,
}

fn failed(code: &'static str) -> impl FnOnce(std::io::Error) -> CliError {
    move |e| CliError::Failed {
        code,
        message: e.to_string(),
    }
}

pub async fn run(console: Console, args: ServeArgs) -> Result<(), CliError> {
    if !args.listen.ip().is_loopback() && !args.allow_remote {
        return Err(CliError::Usage(format!(
            "{} is not a loopback address; pass --allow-remote to listen on it",
            args.listen
        )));
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(failed("serve_bind"))?;
    let addr = listener.local_addr().map_err(failed("serve_bind"))?;
    let wake = Arc::new(Notify::new());
    let (stop, stopped) = watch::channel(false);
    let processor = Processor::new(
        console.clone(),
        wake.clone(),
        system_clock(),
        ProcessorConfig::default(),
    )
    .spawn(stopped.clone());
    let reconciler = (!args.no_reconcile).then(|| {
        let mut stopped = stopped;
        let reconciler = Reconciler::new(console.clone())
            .with_interval(Duration::from_secs(args.reconcile_every))
            .with_concurrency(usize::try_from(args.reconcile_concurrency).unwrap_or(4));
        tokio::spawn(reconciler.run(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        }))
    });
    let started_at = chrono::Utc::now();
    let heartbeat = Heartbeat {
        listen: addr.to_string(),
        pid: std::process::id(),
        started_at,
        at: started_at,
        reconcile_every_secs: (!args.no_reconcile).then_some(args.reconcile_every),
        stopped_at: None,
    };
    let beating = {
        let console = console.clone();
        let mut stopped = stop.subscribe();
        let mut hb = heartbeat.clone();
        tokio::spawn(async move {
            loop {
                hb.at = chrono::Utc::now();
                if let Err(e) = health::beat(&console, &hb).await {
                    tracing::warn!(error = %e, "receiver heartbeat not written");
                }
                tokio::select! {
                    _ = stopped.wait_for(|stop| *stop) => break,
                    () = tokio::time::sleep(health::HEARTBEAT_EVERY) => {}
                }
            }
        })
    };
    let app = router(ReceiverState::new(console.clone(), wake, system_clock()));
    println!(
        "mizan: serving {} on http://{addr} (webhooks at {WEBHOOK_PATH})",
        console.environment()
    );
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    let _ = stop.send(true);
    let processor_ok = processor.await.is_ok();
    let _ = beating.await;
    let stopped_at = chrono::Utc::now();
    let last = Heartbeat {
        at: stopped_at,
        stopped_at: Some(stopped_at),
        ..heartbeat
    };
    if let Err(e) = health::beat(&console, &last).await {
        tracing::warn!(error = %e, "receiver stop not recorded");
    }
    let reconciler_ok = match reconciler {
        Some(task) => task.await.is_ok(),
        None => true,
    };
    console.store().close().await;
    served.map_err(failed("serve_failed"))?;
    if !reconciler_ok {
        return Err(CliError::Failed {
            code: "serve_reconciler",
            message: "the reconciler stopped abnormally".into(),
        });
    }
    if !processor_ok {
        return Err(CliError::Failed {
            code: "serve_processor",
            message: "the webhook processor stopped abnormally".into(),
        });
    }
    eprintln!("mizan: stopped");
    Ok(())
}

/// Completes on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
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
