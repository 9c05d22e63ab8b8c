//! How a long-running host (`mizan serve`, the desktop app) learns it should stop: SIGTERM (a
//! service manager, a test harness) or Ctrl-C, both handled the same way so the services stop
//! in order instead of being cut off.

/// Completes on SIGTERM or Ctrl-C (only Ctrl-C where there is no SIGTERM, or when its handler
/// cannot be installed).
pub async fn requested() {
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
            Err(e) => {
                tracing::warn!("SIGTERM not handled: {e}");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
