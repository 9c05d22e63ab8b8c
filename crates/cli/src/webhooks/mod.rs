//! `mizan webhooks register | list | show | update | delete | deliveries | replay | test`.
//!
//! Registration is validated as Tamara would (HTTPS, ≤ 255 characters) before any request,
//! then confirmed by listing (or by id when listing is not offered) and recorded locally.
//! `deliveries` reads the local inbox only. Header values are never printed, only masked.

mod tools;

use std::collections::BTreeMap;

use clap::{Args, Subcommand, ValueEnum};
use mizan_core::Console;
use mizan_core::webhooks::registration::WebhookRegistration;
use mizan_core::webhooks::registration::{self, ListedWebhook};
use mizan_core::webhooks::{DeliveryFilter, DeliveryVerdict, WebhookDelivery};
use serde_json::{Value, json};
use tamara::model::webhooks::{EventType, Webhook, WebhookRequest, WebhookType};

use crate::CliError;
use crate::output::{Output, say, table};

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Register a webhook at Tamara, confirm it and keep its id.
    Register(WebhookArgs),
    /// Webhooks at Tamara, merged with the ones this console registered.
    List,
    /// One webhook as Tamara knows it.
    Show { webhook_id: String },
    /// Replace the URL, events and headers of a webhook.
    Update {
        webhook_id: String,
        #[command(flatten)]
        args: WebhookArgs,
    },
    /// Delete a webhook at Tamara (the local record is kept, stamped deleted).
    Delete { webhook_id: String },
    /// Deliveries received by the receiver, newest first (local inbox, no network).
    Deliveries(DeliveriesArgs),
    /// Reprocess a stored, verified delivery now (re-reads its order; never moves money twice).
    Replay { delivery_id: i64 },
    /// Send a signed test notification to the public URL and report whether it came back
    /// through this console's receiver, and if not, why.
    Test(tools::TestArgs),
    /// Check now that Tamara still has every registered webhook as recorded and that
    /// deliveries keep coming while orders change (exits non-zero when not).
    Check,
}

#[derive(Debug, Args)]
pub struct WebhookArgs {
    /// HTTPS endpoint Tamara posts to (at most 255 characters).
    #[arg(long)]
    pub url: String,
    /// Event names, comma-separated (default: the eight order events).
    #[arg(long, value_delimiter = ',')]
    pub events: Vec<String>,
    /// Extra header Tamara sends, as K=V (repeatable); `authorization` is allowed (Tamara's own
    /// example).
    #[arg(long = "header", value_name = "K=V")]
    pub headers: Vec<String>,
    /// `order` (default) or `dispute`.
    #[arg(long = "type")]
    pub kind: Option<String>,
    /// Accept http:// for 127.0.0.1 / localhost — for a local receiver (tests, the
    /// simulator) only; Tamara itself requires HTTPS.
    #[arg(long)]
    pub allow_http_loopback: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum VerdictArg {
    Verified,
    Rejected,
    InvalidBody,
}

#[derive(Debug, Args)]
pub struct DeliveriesArgs {
    /// Only deliveries about this order.
    #[arg(long)]
    pub order: Option<String>,
    #[arg(long, value_enum)]
    pub verdict: Option<VerdictArg>,
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

pub async fn run(console: &Console, out: &Output, cmd: WebhooksCommand) -> Result<(), CliError> {
    match cmd {
        WebhooksCommand::Register(a) => {
            let req = request(&a)?;
            let r = registration::register(console, &req, a.allow_http_loopback).await?;
            if out.json {
                let mut v = registration_json(&r.registration);
                v["adopted"] = Value::Bool(r.adopted);
                out.json_value(&v);
            } else if r.adopted {
                say!(
                    "Tamara already had this URL as webhook {}; recorded it here",
                    r.registration.webhook_id
                );
            } else {
                say!("Registered webhook {}", r.registration.webhook_id);
            }
            match r.confirmed_by {
                Some(by) if !out.json => say!("Confirmed by {by}"),
                Some(_) => {}
                None => {
                    return Err(CliError::Failed {
                        code: mizan_core::ErrorCode::WebhookUnconfirmed,
                        message: format!(
                            "registered webhook {} but Tamara did not show it back; \
                             check with `mizan webhooks show {}`",
                            r.registration.webhook_id, r.registration.webhook_id
                        ),
                    });
                }
            }
        }
        WebhooksCommand::List => {
            let all = registration::list(console).await?;
            if out.json {
                out.json_value(&Value::Array(all.iter().map(listed_json).collect()));
            } else if all.is_empty() {
                say!("No webhooks.");
            } else {
                let rows: Vec<Vec<String>> = all.iter().map(listed_row).collect();
                say!(
                    "{}",
                    table(
                        &["WEBHOOK ID", "URL", "EVENTS", "AT TAMARA", "LOCAL"],
                        &rows
                    )
                );
            }
        }
        WebhooksCommand::Show { webhook_id } => {
            let w = registration::show(console, &webhook_id).await?;
            if out.json {
                out.json_value(&listed_json(&w));
            } else {
                let row = listed_row(&w);
                say!("Webhook    {}", row[0]);
                say!("URL        {}", row[1]);
                say!("Events     {}", row[2]);
                if let Some(r) = &w.remote {
                    say!("Headers    {}", masked_headers(r).join(", "));
                }
                say!("Local      {}", row[4]);
            }
        }
        WebhooksCommand::Update { webhook_id, args } => {
            let req = request(&args)?;
            let reg =
                registration::update(console, &webhook_id, &req, args.allow_http_loopback).await?;
            if out.json {
                out.json_value(&registration_json(&reg));
            } else {
                say!("Updated webhook {webhook_id}");
            }
        }
        WebhooksCommand::Delete { webhook_id } => {
            registration::delete(console, &webhook_id).await?;
            if out.json {
                out.json_value(&json!({ "deleted": webhook_id }));
            } else {
                say!("Deleted webhook {webhook_id}");
            }
        }
        WebhooksCommand::Deliveries(a) => deliveries_cmd(console, out, a).await?,
        WebhooksCommand::Replay { delivery_id } => tools::replay(console, out, delivery_id).await?,
        WebhooksCommand::Test(a) => tools::test(console, out, a).await?,
        WebhooksCommand::Check => tools::check(console, out).await?,
    }
    Ok(())
}

fn request(a: &WebhookArgs) -> Result<WebhookRequest, CliError> {
    let named = registration::parse_events(&a.events)
        .map_err(|e| CliError::Usage(format!("--events: unknown event {:?}", e.0)))?;
    // Dispute events are a webhook of their own type (reference §6.1): named alone, they
    // imply it; `--type dispute` alone subscribes to all six.
    let disputes_only = !named.is_empty() && named.iter().all(EventType::is_dispute);
    let dispute_type = a.kind.as_deref().map(str::trim) == Some("dispute");
    let events: Vec<EventType> = match (named.is_empty(), dispute_type) {
        (true, true) => EventType::DISPUTE_EVENTS.to_vec(),
        (true, false) => EventType::ORDER_EVENTS.to_vec(),
        (false, _) => named,
    };
    let mut headers = BTreeMap::new();
    for h in &a.headers {
        let (k, v) = h
            .split_once('=')
            .filter(|(k, _)| !k.trim().is_empty())
            .ok_or_else(|| CliError::Usage(format!("--header must be K=V, got {h:?}")))?;
        headers.insert(k.trim().to_owned(), v.to_owned());
    }
    let kind = match a.kind.as_deref().map(str::trim) {
        None if disputes_only => Some(WebhookType::Dispute),
        None | Some("order") => Some(WebhookType::Order),
        Some("dispute") => Some(WebhookType::Dispute),
        Some(other) => {
            return Err(CliError::Usage(format!(
                "--type must be order or dispute, got {other:?}"
            )));
        }
    };
    Ok(WebhookRequest {
        kind,
        url: a.url.trim().to_owned(),
        events,
        headers,
    })
}

/// Tamara's custom headers as `name=value` (already masked by the core, which hands hosts
/// only masked copies of Tamara's records).
fn masked_headers(w: &Webhook) -> Vec<String> {
    w.headers.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

fn registration_json(r: &WebhookRegistration) -> Value {
    json!({
        "environment": r.environment.as_str(),
        "webhook_id": r.webhook_id,
        "url": r.url,
        "type": r.webhook_type,
        "events": serde_json::from_str::<Value>(&r.events_json).unwrap_or(Value::Null),
        "headers": serde_json::from_str::<Value>(&r.headers_json).unwrap_or(Value::Null),
        "created_at": r.created_at.to_rfc3339(),
        "confirmed_at": r.confirmed_at.map(|t| t.to_rfc3339()),
        "confirmed_by": r.confirmed_by.map(|b| b.as_str()),
        "deleted_at": r.deleted_at.map(|t| t.to_rfc3339()),
    })
}

fn listed_json(w: &ListedWebhook) -> Value {
    json!({
        "webhook_id": w.webhook_id,
        "remote": w.remote.as_ref().map(|r| json!({
            "url": r.url,
            "type": r.kind.as_ref().map(|k| k.as_str().to_owned()),
            "events": r.events.iter().map(|e| e.as_str().to_owned()).collect::<Vec<_>>(),
            "headers": r.headers.iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect::<serde_json::Map<_, _>>(),
        })),
        "local": w.local.as_ref().map(registration_json),
    })
}

fn listed_row(w: &ListedWebhook) -> Vec<String> {
    let url = w
        .remote
        .as_ref()
        .and_then(|r| r.url.clone())
        .or_else(|| w.local.as_ref().map(|l| l.url.clone()))
        .unwrap_or_default();
    let events = match (&w.remote, &w.local) {
        (Some(r), _) => r
            .events
            .iter()
            .map(|e| e.as_str().to_owned())
            .collect::<Vec<_>>()
            .join(","),
        (None, Some(l)) => serde_json::from_str::<Vec<String>>(&l.events_json)
            .unwrap_or_default()
            .join(","),
        (None, None) => String::new(),
    };
    let local = match &w.local {
        None => "not registered here".to_owned(),
        Some(l) => match (l.confirmed_by, l.confirmed_at) {
            (Some(by), Some(at)) => format!("confirmed by {by} {}", at.to_rfc3339()),
            _ => "unconfirmed".to_owned(),
        },
    };
    vec![
        w.webhook_id.clone(),
        url,
        events,
        if w.remote.is_some() { "yes" } else { "no" }.to_owned(),
        local,
    ]
}

pub(crate) fn delivery_json(d: &WebhookDelivery) -> Value {
    json!({
        "id": d.id,
        "environment": d.environment.as_str(),
        "received_at": d.received_at.to_rfc3339(),
        "verdict": d.verdict.as_str(),
        "reason": d.reason,
        "http_status": d.http_status,
        "event_type": d.event_type,
        "order_id": d.order_id,
        "processing_state": d.processing_state.as_str(),
        "processing_result": d.processing_result,
        "attempts": d.attempts,
        "processed_at": d.processed_at.map(|t| t.to_rfc3339()),
    })
}

async fn deliveries_cmd(
    console: &Console,
    out: &Output,
    a: DeliveriesArgs,
) -> Result<(), CliError> {
    if a.limit == 0 || a.limit > 10_000 {
        return Err(CliError::Usage(format!(
            "--limit must be 1 to 10000, got {}",
            a.limit
        )));
    }
    let filter = DeliveryFilter {
        environment: Some(console.environment()),
        order_id: a.order.clone(),
        verdict: a.verdict.map(|v| match v {
            VerdictArg::Verified => DeliveryVerdict::Verified,
            VerdictArg::Rejected => DeliveryVerdict::Rejected,
            VerdictArg::InvalidBody => DeliveryVerdict::InvalidBody,
        }),
        limit: Some(a.limit),
        ..DeliveryFilter::default()
    };
    let list = mizan_core::webhooks::deliveries(console, &filter).await?;
    if out.json {
        out.json_value(&Value::Array(list.iter().map(delivery_json).collect()));
        return Ok(());
    }
    if list.is_empty() {
        say!("No deliveries.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|d| {
            vec![
                d.id.to_string(),
                d.received_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                d.verdict.to_string(),
                d.reason.clone().unwrap_or_default(),
                d.http_status.to_string(),
                d.event_type.clone().unwrap_or_default(),
                d.order_id.clone().unwrap_or_default(),
                d.processing_state.to_string(),
                d.processing_result.clone().unwrap_or_default(),
            ]
        })
        .collect();
    say!(
        "{}",
        table(
            &[
                "ID",
                "TIME (UTC)",
                "VERDICT",
                "REASON",
                "HTTP",
                "EVENT",
                "ORDER",
                "PROCESSING",
                "RESULT"
            ],
            &rows
        )
    );
    Ok(())
}
