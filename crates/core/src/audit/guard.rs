//! The running service's guard of the audit log: one full verification when it starts
//! (adopting a chain that has no checkpoint yet, naming a break), then a signed checkpoint of
//! the head whenever [`super::checkpoint::EVERY`] entries have come since the last one, checked
//! every [`SIGN_EVERY`].
//!
//! Invariants: the guard only reads and adds checkpoints — it never repairs or hides a break;
//! a failure is logged and retried at the next round, never a reason to stop the service.

use std::time::Duration;

use tokio::sync::watch;

use super::checkpoint::{checkpoint_if_due, verify_signed};
use super::key::AuditKeys;
use super::verify::ChainBreak;
use crate::context::Context;

/// How often the guard looks whether a checkpoint is due.
pub const SIGN_EVERY: Duration = Duration::from_secs(10 * 60);

/// Guards the log until `stopped` turns true; a break found at start goes to `found`.
pub async fn run(
    console: Context,
    keys: AuditKeys,
    every: Duration,
    mut stopped: watch::Receiver<bool>,
    found: watch::Sender<Option<ChainBreak>>,
) {
    match verify_signed(console.store(), &keys, false, console.now()).await {
        Ok(r) => match r.broken {
            Some(b) => {
                tracing::error!(
                    seq = b.seq,
                    kind = b.kind(),
                    "audit chain broken: {}",
                    b.describe()
                );
                let _ = found.send(Some(b));
            }
            None => tracing::info!(entries = r.verified, key = %r.key_id, "audit chain verified"),
        },
        Err(e) => tracing::warn!(code = %e.code(), "audit chain not verified: {e}"),
    }
    loop {
        tokio::select! {
            _ = stopped.wait_for(|s| *s) => break,
            () = tokio::time::sleep(every) => {}
        }
        match checkpoint_if_due(console.store(), &keys, console.now()).await {
            Ok(Some(c)) => tracing::info!(seq = c.seq, "audit checkpoint signed"),
            Ok(None) => {}
            Err(e) => tracing::warn!(code = %e.code(), "audit checkpoint not written: {e}"),
        }
    }
}
