//! The flash sale: `n` orders approved at once, authorised by the webhook processor one
//! notification at a time (today), each at the simulator's latency.
//!
//! Timing, per order: from the receiver's acknowledgement of its `order_approved` delivery
//! (the simulator's delivery log records when the receiver answered 200) to the moment its
//! ledger's authorise row turned `succeeded` (the row's own `updated_at`, written by the
//! processor). Both are wall-clock times on this machine, at millisecond resolution. The
//! polling below only notices that an order is done; it does not time it, so its interval
//! does not blur the figures. The wall time runs from the first approve call to the last
//! order's authorise; it excludes the processor's re-read after that last authorise.

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use mizan_core::Environment;
use mizan_core::service::{RunningService, ServiceConfig};
use mizan_core::store::ledger::{self, LedgerKind, LedgerState};
use mizan_core::store::orders;
use mizan_core::webhooks::WEBHOOK_PATH;

use crate::rig::{Calls, Rig};
use crate::stats::Spread;

/// How often the bench looks for finished orders (detection only, see the module doc).
const POLL: Duration = Duration::from_millis(100);

/// What one flash sale measured.
#[derive(Debug)]
pub struct Flash {
    pub orders: usize,
    pub latency: Duration,
    /// First approve call to the last authorise.
    pub wall: Duration,
    /// Acknowledgement of the approval delivery to the authorise, per order.
    pub ack_to_authorised: Spread,
    /// API calls the processor spent (the approvals are control calls, not counted).
    pub calls: Calls,
    /// Orders whose status in the store is `authorised` at the end.
    pub authorised_in_store: usize,
}

impl Flash {
    pub fn orders_per_second(&self) -> f64 {
        self.orders as f64 / self.wall.as_secs_f64().max(f64::EPSILON)
    }
}

/// Runs one flash sale of `n` orders at `latency`, giving up after `timeout`.
pub async fn run(n: u64, latency: Duration, timeout: Duration) -> Result<Flash> {
    let rig = Rig::start().await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    // The production service with its default processor; only the periodic jobs that would
    // also call the API (the reconciler authorises approved orders too, the registration
    // check reads webhooks) are off, so every call counted is the processor's.
    let config = ServiceConfig {
        reconcile_every: None,
        registration_check_every: None,
        prune_every: None,
        ..ServiceConfig::default()
    };
    let service = RunningService::start(rig.console.clone(), listener, config)?;
    let url = format!("http://{}{WEBHOOK_PATH}", service.addr());
    mizan_core::demo::point_webhooks_at(&rig.console, &url).await?;

    let ids = rig.create_orders(1, n).await?;
    rig.set_latency(latency).await?;
    let before = rig.calls();

    let started = Instant::now();
    let first_approve = Utc::now();
    let approvals = ids.iter().map(|id| rig.approve(id));
    for r in futures::future::join_all(approvals).await {
        r?;
    }
    let done = wait_authorised(&rig, &ids, started, timeout).await?;
    let calls = rig.calls().since(&before);
    let acks = acknowledgements(&rig)?;

    let mut waits = Vec::with_capacity(ids.len());
    for id in &ids {
        let ack = acks
            .get(id)
            .with_context(|| format!("no acknowledged order_approved delivery for {id}"))?;
        let authorised = done[id];
        waits.push((authorised - *ack).to_std().unwrap_or_default());
    }
    let last = done.values().max().copied().unwrap_or(first_approve);
    let mut authorised_in_store = 0;
    for id in &ids {
        let o = orders::get(rig.console.store(), Environment::Sandbox, id).await?;
        authorised_in_store += usize::from(o.is_some_and(|o| o.status == "authorised"));
    }
    service.stop().await?;
    rig.sim.shutdown().await;
    Ok(Flash {
        orders: ids.len(),
        latency,
        wall: (last - first_approve).to_std().unwrap_or_default(),
        ack_to_authorised: Spread::of(waits),
        calls,
        authorised_in_store,
    })
}

/// Waits until every order's authorise row has succeeded; answers when each did.
async fn wait_authorised(
    rig: &Rig,
    ids: &[String],
    started: Instant,
    timeout: Duration,
) -> Result<HashMap<String, DateTime<Utc>>> {
    let mut pending: BTreeSet<&String> = ids.iter().collect();
    let mut done = HashMap::new();
    while !pending.is_empty() {
        if started.elapsed() > timeout {
            bail!(
                "{} of {} orders not authorised after {:?} (raise --timeout-secs)",
                pending.len(),
                ids.len(),
                timeout
            );
        }
        tokio::time::sleep(POLL).await;
        let mut finished = Vec::new();
        for id in &pending {
            let entries =
                ledger::list_for_order(rig.console.store(), Environment::Sandbox, id).await?;
            if let Some(e) = entries
                .iter()
                .find(|e| e.kind == LedgerKind::Authorise && e.state == LedgerState::Succeeded)
            {
                done.insert((*id).clone(), e.updated_at);
                finished.push(*id);
            }
        }
        for id in finished {
            pending.remove(id);
        }
    }
    Ok(done)
}

/// When the receiver acknowledged (answered 2xx to) each order's first `order_approved`
/// delivery, from the simulator's delivery log.
fn acknowledgements(rig: &Rig) -> Result<HashMap<String, DateTime<Utc>>> {
    let mut acks = HashMap::new();
    for a in rig.sim.state().deliverer().log() {
        if a.event != "order_approved" || !a.status.is_some_and(|s| (200..300).contains(&s)) {
            continue;
        }
        let at = DateTime::parse_from_rfc3339(&a.at)
            .with_context(|| format!("delivery log time {}", a.at))?
            .with_timezone(&Utc);
        acks.entry(a.order_id.to_string()).or_insert(at);
    }
    Ok(acks)
}
