//! `mizan authorise | capture | refund | cancel`: the money moves, over `Console::move_money`.
//!
//! Everything is checked by the core before any request (status rules, remaining amounts,
//! exact decimals at the currency's precision); production needs `--confirm
//! <order_reference_id>`; `--dry-run` prints the exact request and writes nothing. A move that
//! was sent but refused exits 1 with `move_rejected`, one whose outcome stays unknown exits 1
//! with `move_outcome_unknown` — with `--json`, the outcome is still printed on stdout.

use std::path::PathBuf;

use chrono::SecondsFormat;
use clap::Args;
use mizan_core::Console;
use mizan_core::moves::{
    AmountInput, MoveAction, MoveOutcome, MovePreview, MoveRequest, parse_items,
};
use serde_json::{Value, json};
use tamara::model::payments::ShippingInfo;

use crate::CliError;
use crate::output::{Output, order_json, say};

/// Flags every money move takes.
#[derive(Debug, Args)]
pub struct MoveFlags {
    /// Production only: the order's reference (order_reference_id), typed to confirm the move.
    #[arg(long, value_name = "ORDER_REFERENCE_ID")]
    pub confirm: Option<String>,
    /// Print the exact request (method, URL, body, environment); send nothing, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Your own idempotency reference (scripts): a key is sent at most once, ever.
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// A note kept with the move (ledger, timeline, settlement export, audit log); never sent
    /// to Tamara. A refund's reason is its --comment.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct AuthoriseArgs {
    /// Tamara order id (or the merchant reference of a cached order).
    pub order: String,
    #[command(flatten)]
    pub flags: MoveFlags,
}

#[derive(Debug, Args)]
pub struct CaptureArgs {
    /// Tamara order id (or the merchant reference of a cached order).
    pub order: String,
    /// Amount to capture, e.g. 100.00 (default: the items' sum, else all still capturable).
    #[arg(long, allow_negative_numbers = true)]
    pub amount: Option<String>,
    /// JSON array of shipped items: [{"reference_id": "...", "quantity": 1}, ...].
    #[arg(long, value_name = "FILE")]
    pub items: Option<PathBuf>,
    /// Carrier (Tamara requires one; at most 100 characters).
    #[arg(long, default_value = "Merchant delivery")]
    pub shipping_company: String,
    #[arg(long)]
    pub tracking_number: Option<String>,
    #[arg(long)]
    pub tracking_url: Option<String>,
    /// When it shipped, ISO-8601 (default: now).
    #[arg(long)]
    pub shipped_at: Option<String>,
    #[command(flatten)]
    pub flags: MoveFlags,
}

#[derive(Debug, Args)]
pub struct RefundArgs {
    /// Tamara order id (or the merchant reference of a cached order).
    pub order: String,
    /// Amount to refund, at most captured minus refunded.
    #[arg(long, allow_negative_numbers = true)]
    pub amount: String,
    /// Why (stored in the order's history at Tamara).
    #[arg(long)]
    pub comment: String,
    #[command(flatten)]
    pub flags: MoveFlags,
}

#[derive(Debug, Args)]
pub struct CancelArgs {
    /// Tamara order id (or the merchant reference of a cached order).
    pub order: String,
    /// Amount to cancel (default: everything not captured).
    #[arg(long, allow_negative_numbers = true)]
    pub amount: Option<String>,
    #[command(flatten)]
    pub flags: MoveFlags,
}

pub async fn authorise(console: &Console, out: &Output, a: AuthoriseArgs) -> Result<(), CliError> {
    run(console, out, &a.order, MoveAction::Authorise, a.flags).await
}

pub async fn capture(console: &Console, out: &Output, a: CaptureArgs) -> Result<(), CliError> {
    let items = match &a.items {
        None => Vec::new(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| CliError::Usage(format!("--items {}: {e}", path.display())))?;
            let json: Value = serde_json::from_str(&text).map_err(|e| {
                CliError::Usage(format!("--items {}: not JSON: {e}", path.display()))
            })?;
            parse_items(&json)?
        }
    };
    let now = console.now();
    let action = MoveAction::Capture {
        amount: a.amount.as_deref().map(AmountInput::parse).transpose()?,
        items,
        shipping: ShippingInfo {
            shipped_at: a
                .shipped_at
                .unwrap_or_else(|| now.to_rfc3339_opts(SecondsFormat::Secs, true)),
            shipping_company: a.shipping_company,
            tracking_number: a.tracking_number,
            tracking_url: a.tracking_url,
        },
    };
    run(console, out, &a.order, action, a.flags).await
}

pub async fn refund(console: &Console, out: &Output, a: RefundArgs) -> Result<(), CliError> {
    let action = MoveAction::Refund {
        amount: AmountInput::parse(&a.amount)?,
        comment: a.comment,
    };
    run(console, out, &a.order, action, a.flags).await
}

pub async fn cancel(console: &Console, out: &Output, a: CancelArgs) -> Result<(), CliError> {
    let action = MoveAction::Cancel {
        amount: a.amount.as_deref().map(AmountInput::parse).transpose()?,
    };
    run(console, out, &a.order, action, a.flags).await
}

async fn run(
    console: &Console,
    out: &Output,
    order: &str,
    action: MoveAction,
    flags: MoveFlags,
) -> Result<(), CliError> {
    // A cached order may be named by its merchant reference; Tamara wants its id.
    let order_id = match console.cached_order(order).await {
        Ok(c) => c.order.order_id,
        Err(_) => order.trim().to_owned(),
    };
    let req = MoveRequest {
        order_id,
        action,
        confirm: flags.confirm,
        idempotency_key: flags.idempotency_key,
        note: flags.note,
    };
    if flags.dry_run {
        let preview = console.preview_move(req).await?;
        print_preview(out, &preview);
        return Ok(());
    }
    let outcome = console.move_money(req).await?;
    print_outcome(out, &outcome);
    match outcome.failure_code() {
        None => Ok(()),
        Some(code) => Err(CliError::Failed {
            code,
            message: outcome.message.clone(),
        }),
    }
}

fn print_preview(out: &Output, p: &MovePreview) {
    let body = p.planned.body();
    let confirm = p
        .requires_confirmation
        .then(|| p.planned.order_reference_id.clone());
    if out.json {
        out.json_value(&json!({
            "dry_run": true,
            "sent": false,
            "ledger_written": false,
            "environment": p.environment.as_str(),
            "kind": p.planned.kind.as_str(),
            "method": p.planned.method(),
            "url": p.url,
            "path": p.planned.path(),
            "body": body,
            "amount": p.planned.amount.amount_text(),
            "currency": p.planned.amount.currency().code(),
            "idempotency_ref": p.reference,
            "requires_confirmation": p.requires_confirmation,
            "confirm_with": confirm,
            "unsettled_entries": p.unsettled.iter().map(|e| e.id).collect::<Vec<_>>(),
            "duplicate_of_entry": p.duplicate_of.as_ref().map(|e| e.id),
        }));
        return;
    }
    say!("DRY RUN: nothing sent, nothing written (no ledger entry, no audit line).");
    say!("environment   {}", p.environment);
    say!("request       {} {}", p.planned.method(), p.url);
    say!("body          {body}");
    say!("moves         {} {}", p.planned.kind, p.planned.amount);
    say!("reference     {}", p.reference);
    if let Some(r) = confirm {
        say!("confirmation  required: add --confirm {r}");
    }
    if let Some(e) = &p.duplicate_of {
        say!(
            "duplicate     the same move succeeded as ledger entry {} at {}: the real command \
             reports it and sends nothing (a new --idempotency-key repeats it on purpose)",
            e.id,
            e.recorded_at.format("%H:%M:%S UTC")
        );
    }
    for e in &p.unsettled {
        say!(
            "unsettled     ledger entry {}: {} of {} is {} (the real move settles it first)",
            e.id,
            e.kind,
            e.amount,
            e.state
        );
    }
}

fn print_outcome(out: &Output, o: &MoveOutcome) {
    let e = &o.entry;
    if out.json {
        out.json_value(&json!({
            "environment": o.environment.as_str(),
            "kind": e.kind.as_str(),
            "order_id": e.order_id,
            "order_reference_id": o.planned.order_reference_id,
            "amount": e.amount.amount_text(),
            "currency": e.amount.currency().code(),
            "state": e.state.as_str(),
            "disposition": o.disposition.as_str(),
            "gateway_id": e.gateway_id,
            "ledger_entry_id": e.id,
            "idempotency_ref": o.reference,
            "actor": e.actor,
            "message": o.message,
            "request": {"method": o.planned.method(), "path": o.planned.path()},
            "order": o.order.as_ref().map(|c| order_json(&c.order)),
        }));
        return;
    }
    say!(
        "{} of {}: {}  ({})",
        e.kind,
        e.amount,
        e.state.as_str().to_uppercase(),
        o.environment
    );
    say!(
        "order         {}  (ref {})",
        e.order_id,
        o.planned.order_reference_id
    );
    if let Some(id) = &e.gateway_id {
        say!("gateway id    {id}");
    }
    say!("ledger entry  {}  reference {}", e.id, o.reference);
    if let Some(c) = &o.order {
        let r = &c.order;
        say!(
            "order now     {}: captured {}, refunded {}, canceled {} of {}",
            r.status,
            r.captured,
            r.refunded,
            r.canceled,
            r.total
        );
    }
    say!("{}", o.message);
}
