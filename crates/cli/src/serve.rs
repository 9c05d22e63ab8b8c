//! `mizan serve`: the headless service — webhook receiver, inbox processor and the checkout
//! redirect pages on one listener.
//!
//! Invariants: binds loopback unless `--allow-remote` is given; on SIGTERM or Ctrl-C it stops
//! accepting, lets in-flight requests finish (every acknowledged delivery is already on disk),
//! stops the processor after the row in hand, closes the store and exits 0. A delivery that was
//! acknowledged but not processed when the process died is picked up at the next start.

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Args;
use mizan_core::Console;
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
    .spawn(stopped)
    .map_err(failed("serve_processor"))?;
    // HOOK(reconciler): the resilience work starts the reconciler here, stopped by `stop`.
    let app = router(ReceiverState::new(console.clone(), wake, system_clock()));
    println!(
        "mizan: serving {} on http://{addr} (webhooks at {WEBHOOK_PATH})",
        console.environment()
    );
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    let _ = stop.send(true);
    let joined = tokio::task::spawn_blocking(move || processor.join()).await;
    console.store().close().await;
    served.map_err(failed("serve_failed"))?;
    if !matches!(joined, Ok(Ok(()))) {
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
