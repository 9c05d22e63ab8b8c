//! `mizan disputes list | refresh | comment | response-days`, and the disputes part of
//! `mizan orders show`.
//!
//! `list` reads the local store only (disputes arrive by their notifications through `mizan
//! serve`); `refresh` and `comment` call the dispute API, which is third-party-sourced and
//! used only where `MIZAN_<ENV>_DISPUTES_PATH` names its path. Everything Tamara sent is
//! printed through the terminal sanitiser (`say!`).

use clap::Subcommand;
use mizan_core::Console;
use mizan_core::disputes::{self, DisputeBoard, DisputeEventRecord, DisputeRecord, DisputeRow};
use serde_json::{Value, json};
use tamara::model::dispute::DisputeFilter;

use crate::CliError;
use crate::output::{Output, say, table};

#[derive(Debug, Subcommand)]
pub enum DisputesCommand {
    /// Disputes known to this console, with their status and the days left to respond.
    List {
        /// Only disputes that are not closed.
        #[arg(long)]
        open: bool,
    },
    /// Read the dispute list from Tamara (needs MIZAN_<ENV>_DISPUTES_PATH).
    Refresh,
    /// Send a comment on a dispute (at most 255 characters), then re-read it.
    Comment {
        /// The dispute id.
        dispute_id: String,
        /// The comment.
        text: String,
    },
    /// Show, or set, the days a merchant has to respond (Tamara documents none; default 7).
    ResponseDays {
        /// New value, 1 to 90 (this environment).
        days: Option<i64>,
    },
}

pub async fn run(console: &Console, out: &Output, cmd: DisputesCommand) -> Result<(), CliError> {
    match cmd {
        DisputesCommand::List { open } => {
            let board = disputes::board(console, open).await?;
            if out.json {
                out.json_value(&board_json(&board));
            } else {
                print_board(&board);
            }
        }
        DisputesCommand::Refresh => {
            let r = disputes::refresh::refresh(console, &DisputeFilter::default()).await?;
            if out.json {
                out.json_value(&json!({"listed": r.listed, "total": r.total}));
            } else {
                say!(
                    "Read {} dispute(s){}",
                    r.listed,
                    r.total.map(|t| format!(" of {t}")).unwrap_or_default()
                );
            }
        }
        DisputesCommand::Comment { dispute_id, text } => {
            disputes::refresh::comment(console, &dispute_id, &text).await?;
            if out.json {
                out.json_value(&json!({"dispute_id": dispute_id, "sent": true}));
            } else {
                say!("Comment sent on dispute {dispute_id}");
            }
        }
        DisputesCommand::ResponseDays { days } => {
            if let Some(d) = days {
                disputes::set_response_days(console, d).await?;
            }
            let d = disputes::response_days(console).await?;
            if out.json {
                out.json_value(&json!({"response_days": d}));
            } else {
                say!("Days to respond to a dispute: {d}");
            }
        }
    }
    Ok(())
}

fn time(t: Option<chrono::DateTime<chrono::Utc>>) -> Value {
    t.map_or(Value::Null, |t| Value::String(t.to_rfc3339()))
}

fn dispute_json(d: &DisputeRecord) -> Value {
    json!({
        "dispute_id": d.dispute_id,
        "order_id": d.order_id,
        "order_reference_id": d.order_reference_id,
        "status": d.status,
        "open": disputes::is_open(d),
        "amount": d.amount.map(|m| m.amount_text()),
        "currency": d.amount.map(|m| m.currency().code()),
        "opened_at": time(d.opened_at),
        "closed_at": time(d.closed_at),
        "last_event": d.last_event,
        "source": d.source,
    })
}

fn row_json(r: &DisputeRow) -> Value {
    let mut v = dispute_json(&r.dispute);
    v["respond_by"] = time(r.respond_by);
    v["days_left"] = json!(r.days_left);
    v
}

fn event_json(e: &DisputeEventRecord) -> Value {
    json!({
        "delivery_id": e.delivery_id,
        "event_type": e.event_type,
        "order_id": e.order_id,
        "dispute_id": e.dispute_id,
        "status": e.status,
        "recognised": e.recognised,
        "received_at": e.received_at.to_rfc3339(),
        "body": e.body,
    })
}

fn board_json(b: &DisputeBoard) -> Value {
    json!({
        "response_days": b.response_days,
        "api_configured": b.api_configured,
        "disputes": b.disputes.iter().map(row_json).collect::<Vec<_>>(),
        "unmatched_events": b.unmatched.iter().map(event_json).collect::<Vec<_>>(),
    })
}

fn days_cell(r: &DisputeRow) -> String {
    match r.days_left {
        None => "-".into(),
        Some(d) if d < 0 => format!("overdue {}", -d),
        Some(d) => d.to_string(),
    }
}

fn print_board(b: &DisputeBoard) {
    if b.disputes.is_empty() {
        say!("No disputes");
    } else {
        let rows: Vec<Vec<String>> = b
            .disputes
            .iter()
            .map(|r| {
                let d = &r.dispute;
                vec![
                    d.dispute_id.clone(),
                    d.order_reference_id
                        .clone()
                        .or_else(|| d.order_id.clone())
                        .unwrap_or_else(|| "-".into()),
                    d.status.clone(),
                    d.amount.map_or_else(|| "-".into(), |m| m.to_string()),
                    days_cell(r),
                    d.opened_at.map_or_else(|| "-".into(), |t| t.to_rfc3339()),
                ]
            })
            .collect();
        say!(
            "{}",
            table(
                &[
                    "DISPUTE",
                    "ORDER",
                    "STATUS",
                    "AMOUNT",
                    "DAYS LEFT",
                    "OPENED"
                ],
                &rows
            )
        );
    }
    say!(
        "\nDays to respond: {} (a setting: mizan disputes response-days N)",
        b.response_days
    );
    if !b.unmatched.is_empty() {
        say!(
            "\n{} dispute event(s) named no dispute (shape not recognised, kept as sent):",
            b.unmatched.len()
        );
        for e in &b.unmatched {
            say!(
                "  {}  {}  delivery {}  {}",
                e.received_at.to_rfc3339(),
                e.event_type,
                e.delivery_id.map_or_else(|| "-".into(), |d| d.to_string()),
                e.body
            );
        }
    }
}

/// The disputes of one order (for `mizan orders show`): JSON, or printed lines.
pub async fn for_order(console: &Console, order_id: &str) -> Result<Value, CliError> {
    let (list, events) = disputes::for_order(console, order_id).await?;
    Ok(json!({
        "disputes": list.iter().map(dispute_json).collect::<Vec<_>>(),
        "events": events.iter().map(event_json).collect::<Vec<_>>(),
    }))
}

/// Prints what [`for_order`] returned, when there is anything.
pub fn print_for_order(v: &Value) {
    let events = v["events"].as_array().cloned().unwrap_or_default();
    if events.is_empty() {
        return;
    }
    say!("\nDispute events");
    let rows: Vec<Vec<String>> = events
        .iter()
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or("-").to_owned();
            vec![
                text("received_at"),
                text("dispute_id"),
                text("event_type"),
                match (e["status"].as_str(), e["recognised"].as_bool()) {
                    (Some(s), Some(true)) => s.to_owned(),
                    (Some(s), _) => format!("{s} (shape not recognised)"),
                    (None, _) => "(shape not recognised)".to_owned(),
                },
            ]
        })
        .collect();
    say!(
        "{}",
        table(&["RECEIVED", "DISPUTE", "EVENT", "STATUS"], &rows)
    );
}
