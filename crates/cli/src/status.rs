//! `mizan status`, `mizan reconcile` and `mizan orders stuck`.
//!
//! `status` reads only the local store and configuration: the circuit breaker (this process's,
//! plus the last transition any process recorded), the inbox backlog, the receiver (its
//! heartbeat, last delivery and the last 24 hours' verdicts) and the last reconciler sweep. Tokens are shown as set/unset only, never a value.

use chrono::{DateTime, Utc};
use mizan_core::Console;
use mizan_core::reconcile::{self, Reconciler, StuckOrder, StuckReason, SweepReport};
use mizan_core::webhooks::health::{self, ReceiverHealth, ReceiverStatus};
use mizan_core::webhooks::registration_health;
use serde_json::{Value, json};

use crate::CliError;
use crate::output::{Output, say, table};

pub async fn status(console: &Console, out: &Output) -> Result<(), CliError> {
    let env = console.environment();
    let store = console.store();
    let cfg = console.config().active();
    let breaker = console.breaker_state();
    let recorded =
        mizan_core::gateway::recorded_breaker(console.store(), console.environment()).await?;
    let backlog = mizan_core::views::backlog::backlog(console).await?;
    let approved = mizan_core::views::backlog::approved_waiting(console).await?;
    let failed = reconcile::failed_deliveries(store, env).await?.len();
    let now = console.now();
    let receiver = health::receiver_health(console, now).await?;
    let sweep = reconcile::last_sweep(console).await?;
    let registrations = registration_health::last(console).await?;
    let set = |b: bool| if b { "set" } else { "unset" };
    if out.json {
        out.json_value(&json!({
            "environment": env.as_str(),
            "api_url": cfg.api_url,
            "built_in_sandbox": cfg.built_in_sandbox,
            "api_token": set(cfg.api_token.is_some()),
            "notification_token": set(cfg.notification_token.is_some()),
            "breaker": {
                "state": breaker.state.as_str(),
                "consecutive_failures": breaker.consecutive_failures,
                "failure_threshold": breaker.config.failure_threshold,
                "cooldown_secs": breaker.config.cooldown.as_secs(),
                "last_recorded_transition": recorded,
            },
            "approved_waiting": approved,
            "inbox": { "backlog": backlog.pending, "backlog_detail": backlog, "failed": failed,
                "last_delivery_at": receiver.last_delivery_at.map(|t| t.to_rfc3339()) },
            "receiver": serde_json::to_value(&receiver).unwrap_or(Value::Null),
            "reconciler": { "last_sweep": sweep.as_ref().map(sweep_json),
                "late": reconciler_late(&receiver, sweep.as_ref(), now) },
            "registration_health": registrations.as_ref().map(|h| json!({
                "healthy": h.is_healthy(),
                "problems": h.problems(),
                "check": h,
            })),
        }));
        return Ok(());
    }
    say!("Environment   {env}");
    say!(
        "API           {}{}",
        cfg.api_url,
        if cfg.built_in_sandbox {
            "  (built-in simulator)"
        } else {
            ""
        }
    );
    say!("API token     {}", set(cfg.api_token.is_some()));
    say!("Notif. token  {}", set(cfg.notification_token.is_some()));
    say!(
        "Breaker       {} (this process; opens after {} failures, {} s cooldown)",
        breaker.state,
        breaker.config.failure_threshold,
        breaker.config.cooldown.as_secs()
    );
    if let Some(r) = &recorded {
        say!(
            "              last transition: {} at {}",
            r["state"].as_str().unwrap_or("?"),
            r["at"].as_str().unwrap_or("?")
        );
    }
    say!("Inbox         {}, {failed} failed", backlog_line(&backlog));
    if approved.count > 0 {
        let age = approved.oldest_age_secs.unwrap_or(0);
        say!(
            "Approved      {} waiting for authorisation, oldest {} min{}",
            approved.count,
            age / 60,
            if approved.alerting {
                format!("  ALERT: over {} min", approved.alert_after_secs / 60)
            } else {
                String::new()
            }
        );
    }
    say!("Receiver      {}", receiver_line(&receiver, now));
    let c = &receiver.last_24h;
    say!(
        "              last 24 h: {} verified, {} rejected, {} unreadable, {} failed processing{}",
        c.verified,
        c.rejected,
        c.invalid_body,
        c.failed,
        receiver
            .last_delivery_at
            .map(|t| format!("; last delivery {}", t.to_rfc3339()))
            .unwrap_or_else(|| "; no delivery received yet".into())
    );
    let r = &receiver.rejections;
    if r.spiking {
        let (top, n) = r.counts.top_sender.clone().unwrap_or_default();
        say!(
            "              REFUSED SPIKE: {} refused in the last 10 min from {} address(es), \
             {n} from {top} (alert at {}; check the notification token and any proxy)",
            r.counts.refused,
            r.counts.senders,
            r.threshold
        );
    } else {
        say!(
            "              last 10 min: {} refused (alert at {})",
            r.counts.refused,
            r.threshold
        );
    }
    match &sweep {
        None => say!("Reconciler    never ran (run `mizan reconcile` or `mizan serve`)"),
        Some(s) => say!(
            "Reconciler    last sweep {} ({} s ago): {} checked, {} repaired, {} failed",
            s.finished_at.to_rfc3339(),
            (now - s.finished_at).num_seconds().max(0),
            s.checked,
            s.repaired,
            s.failed
        ),
    }
    if let Some(s) = sweep.as_ref().filter(|s| s.deferred > 0) {
        say!(
            "              {} of {} due orders wait for the next tick (the reconciler's share of \
             the API budget, MIZAN_RECONCILE_BUDGET_PER_MINUTE, ran out)",
            s.deferred,
            s.due
        );
    }
    if reconciler_late(&receiver, sweep.as_ref(), now) {
        say!("              LATE: the running service has not swept for over two intervals");
    }
    match &registrations {
        None => say!(
            "Webhooks      not checked yet (`mizan serve` checks every {} min; \
             `mizan webhooks check` checks now)",
            registration_health::CHECK_EVERY.as_secs() / 60
        ),
        Some(h) => {
            let ago = (now - h.checked_at).num_seconds().max(0);
            if h.is_healthy() {
                say!(
                    "Webhooks      {} registration(s) present at Tamara as recorded; \
                     deliveries flowing (checked {ago} s ago)",
                    h.registrations.len()
                );
            } else {
                say!("Webhooks      ATTENTION (checked {ago} s ago):");
                for p in h.problems() {
                    say!("              {p}");
                }
            }
        }
    }
    Ok(())
}

fn receiver_line(r: &ReceiverHealth, now: DateTime<Utc>) -> String {
    let ago = |t: DateTime<Utc>| (now - t).num_seconds().max(0);
    match (&r.state, &r.heartbeat) {
        (ReceiverStatus::Running, Some(h)) => format!(
            "running on http://{} (pid {}, heartbeat {} s ago)",
            h.listen,
            h.pid,
            ago(h.at)
        ),
        (ReceiverStatus::Stopped, Some(h)) => format!(
            "stopped at {} (was on http://{})",
            h.stopped_at.unwrap_or(h.at).to_rfc3339(),
            h.listen
        ),
        (ReceiverStatus::NotResponding, Some(h)) => format!(
            "NOT RESPONDING: pid {} on http://{} last beat {} s ago without stopping              (killed or crashed? start `mizan serve`)",
            h.pid,
            h.listen,
            ago(h.at)
        ),
        _ => "never started here (run `mizan serve`)".into(),
    }
}

/// True when a running service runs the reconciler and it is late ([`reconcile::is_late`]).
fn reconciler_late(r: &ReceiverHealth, sweep: Option<&SweepReport>, now: DateTime<Utc>) -> bool {
    let Some(hb) = r.heartbeat.as_ref() else {
        return false;
    };
    let Some(every) = hb.reconcile_every_secs else {
        return false;
    };
    r.state == ReceiverStatus::Running
        && reconcile::is_late(
            std::time::Duration::from_secs(every),
            sweep.map(|s| s.finished_at),
            Some(hb.started_at),
            now,
        )
}

fn sweep_json(s: &SweepReport) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

pub async fn reconcile(console: &Console, out: &Output) -> Result<(), CliError> {
    let report = Reconciler::new(console.clone()).sweep().await?;
    if out.json {
        out.json_value(&sweep_json(&report));
        return Ok(());
    }
    say!(
        "{} checked, {} repaired, {} unchanged, {} failed",
        report.checked,
        report.repaired,
        report.unchanged,
        report.failed
    );
    for r in &report.repairs {
        say!(
            "repaired  {}  {} -> {}",
            r.order_id,
            r.from.as_deref().unwrap_or("(not cached)"),
            r.to
        );
    }
    for f in &report.failures {
        say!("failed    {}  {}: {}", f.order_id, f.code, f.message);
    }
    Ok(())
}

/// "12 waiting (oldest 3 min 20 s), about 2 min to drain at 120 a minute".
fn backlog_line(b: &mizan_core::views::backlog::Backlog) -> String {
    let span = |secs: u64| match secs {
        0..=59 => format!("{secs} s"),
        60..=3599 => format!("{} min {} s", secs / 60, secs % 60),
        _ => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
    };
    let mut line = format!("{} waiting", b.pending);
    if let Some(age) = b.oldest_age_secs {
        line.push_str(&format!(" (oldest {})", span(age)));
    }
    match (b.pending, b.drain_secs, b.processed_per_minute) {
        (0, _, _) => {}
        (_, Some(d), Some(pace)) => {
            line.push_str(&format!(", about {} to drain at {pace} a minute", span(d)))
        }
        _ => line.push_str(", nothing processed lately: is a processor running?"),
    }
    line
}

fn human(d: chrono::Duration) -> String {
    let (sign, d) = if d < chrono::Duration::zero() {
        ("overdue by ", -d)
    } else {
        ("", d)
    };
    let h = d.num_hours();
    format!("{sign}{}d {}h {}m", h / 24, h % 24, d.num_minutes() % 60)
}

fn stuck_json(s: &StuckOrder) -> Value {
    json!({
        "order_id": s.order_id,
        "order_reference_id": s.order.as_ref().map(|o| o.order_reference_id.clone()),
        "status": s.order.as_ref().map(|o| o.status.clone()),
        "reason": s.reason.code(),
        "detail": serde_json::to_value(&s.reason).unwrap_or(Value::Null),
        "time_left_secs": s.time_left.map(|t| t.num_seconds()),
        "overdue": s.time_left.is_some_and(|t| t < chrono::Duration::zero()),
    })
}

pub async fn stuck(console: &Console, out: &Output) -> Result<(), CliError> {
    let list = reconcile::stuck_orders(console, console.now()).await?;
    if out.json {
        out.json_value(&Value::Array(list.iter().map(stuck_json).collect()));
        return Ok(());
    }
    if list.is_empty() {
        say!("Nothing needs a person.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|s| {
            let (what, deadline) = match &s.reason {
                StuckReason::ApprovedNotAuthorised { expires_at } => (
                    "authorise before it expires".to_owned(),
                    expires_at.to_rfc3339(),
                ),
                StuckReason::AuthorisedNotCaptured { auto_capture_at } => (
                    "capture or cancel before auto-capture".to_owned(),
                    auto_capture_at.to_rfc3339(),
                ),
                StuckReason::ProcessingFailed {
                    delivery_id,
                    reason,
                } => (
                    format!(
                        "delivery {delivery_id} failed: {}",
                        reason.as_deref().unwrap_or("-")
                    ),
                    String::new(),
                ),
            };
            vec![
                s.order_id.clone(),
                s.order
                    .as_ref()
                    .map(|o| o.status.clone())
                    .unwrap_or_default(),
                what,
                deadline,
                s.time_left.map(human).unwrap_or_default(),
            ]
        })
        .collect();
    say!(
        "{}",
        table(
            &["ORDER", "STATUS", "NEEDS", "DEADLINE", "TIME LEFT"],
            &rows
        )
    );
    Ok(())
}
