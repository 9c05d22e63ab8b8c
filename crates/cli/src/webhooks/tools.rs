//! `mizan webhooks replay` and `mizan webhooks test`: the operator's tools when a delivery
//! went wrong or never arrived. The logic lives in `mizan_core::webhooks::{replay, selftest}`;
//! this module only parses and prints.
//!
//! Exit status: `test` exits 1 with code `webhook_selftest_failed` when the notification did
//! not come back verified, so scripts and CI can gate on it.

use clap::Args;
use mizan_core::Console;
use mizan_core::webhooks::replay;
use mizan_core::webhooks::selftest;
use serde_json::json;

use super::delivery_json;
use crate::CliError;
use crate::output::{Output, say};

#[derive(Debug, Args)]
pub struct TestArgs {
    /// The public URL Tamara posts to (default: the saved one, else the newest registration).
    #[arg(long)]
    pub url: Option<String>,
    /// Remember --url as this environment's public URL.
    #[arg(long, requires = "url")]
    pub save: bool,
}

pub async fn replay(console: &Console, out: &Output, id: i64) -> Result<(), CliError> {
    let r = replay::replay(console, id).await?;
    if out.json {
        out.json_value(&json!({
            "before": delivery_json(&r.before),
            "after": delivery_json(&r.after),
        }));
        return Ok(());
    }
    say!(
        "Delivery {id} ({}, order {}) was {}; replayed: {}{}",
        r.after.event_type.as_deref().unwrap_or("?"),
        r.after.order_id.as_deref().unwrap_or("?"),
        r.before.processing_state,
        r.after.processing_state,
        r.after
            .processing_result
            .as_deref()
            .map(|x| format!(" — {x}"))
            .unwrap_or_default()
    );
    Ok(())
}

pub async fn test(console: &Console, out: &Output, a: TestArgs) -> Result<(), CliError> {
    let (url, source) = selftest::resolve_url(console, a.url.as_deref()).await?;
    if a.save {
        mizan_core::settings::save_public_url(console, &url).await?;
    }
    let report = selftest::run(console, &url, &source).await?;
    if out.json {
        out.json_value(&serde_json::to_value(&report).unwrap_or_default());
    } else {
        say!("Sent a signed test notification to {url} ({source})");
        match (report.http_status, &report.transport_error) {
            (Some(s), _) => say!("Answer     HTTP {s}"),
            (None, Some(e)) => say!("Answer     none: {e}"),
            (None, None) => say!("Answer     none"),
        }
        match (report.delivery_id, &report.delivery_verdict) {
            (Some(id), Some(v)) => say!("Inbox      delivery {id}, {v}"),
            _ => say!("Inbox      not received by this console's receiver"),
        }
        say!("{}", report.finding);
        for h in &report.hints {
            say!("  - {h}");
        }
    }
    if report.passed {
        Ok(())
    } else {
        Err(CliError::Failed {
            code: mizan_core::ErrorCode::WebhookSelftestFailed,
            message: format!(
                "the test notification did not come back: {}",
                report.finding
            ),
        })
    }
}

pub async fn check(console: &Console, out: &Output) -> Result<(), CliError> {
    let h = mizan_core::webhooks::registration_health::check(console).await?;
    if out.json {
        out.json_value(&serde_json::json!({
            "healthy": h.is_healthy(), "problems": h.problems(), "check": h,
        }));
    } else if h.registrations.is_empty() {
        say!("No webhook registered from this console (`mizan webhooks register`).");
    } else if h.is_healthy() {
        say!(
            "{} webhook(s) present at Tamara as recorded; deliveries flowing",
            h.registrations.len()
        );
    }
    if h.is_healthy() {
        return Ok(());
    }
    Err(CliError::Failed {
        code: mizan_core::ErrorCode::WebhookRegistrationUnhealthy,
        message: h.problems().join("\n"),
    })
}
