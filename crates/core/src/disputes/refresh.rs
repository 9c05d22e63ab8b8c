//! The dispute list and update calls — **third-party-sourced** (reference §5.11) — and what
//! they change locally.
//!
//! Invariants: nothing is called unless `MIZAN_<ENV>_DISPUTES_PATH` names a path, and a path
//! that answers 404 or 405 is reported as "no dispute API" rather than as a failure of
//! Tamara; the list is read page by page (at most [`MAX_PAGES`]) and each page lands in one
//! transaction; a listed dispute replaces what the notifications said of it, except that the
//! time it began waiting for the merchant is kept; a comment is checked (non-empty, ≤ 255
//! characters, an open dispute with a numeric id) before anything is sent, sent once, and
//! audited.

use chrono::{DateTime, Utc};
use tamara::ApiError;
use tamara::model::WithRaw;
use tamara::model::dispute::{Dispute, DisputeFilter, DisputeList, DisputeStatus};

use super::DisputeError;
use crate::audit::{self, AuditRecord};
use crate::context::Context;
use crate::environment::Environment;
use crate::error::{Error, Result};
use crate::gateway::GatewayError;
use crate::store::StoreError;
use crate::store::disputes::{self as stored, DisputeRecord};

/// Most pages one refresh reads.
pub const MAX_PAGES: u32 = 50;
/// Disputes asked for per page.
pub const PAGE_SIZE: u32 = 100;

/// What a refresh did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefreshReport {
    /// Disputes read.
    pub listed: usize,
    /// The list's `total`, when it gave one.
    pub total: Option<i64>,
}

fn path(ctx: &Context) -> Result<String> {
    ctx.config().active().disputes_path.clone().ok_or_else(|| {
        DisputeError::ApiUnavailable {
            env: ctx.environment(),
            answered: None,
        }
        .into()
    })
}

/// A 404/405 from the configured path means the path is not there.
fn unavailable(env: Environment, e: GatewayError) -> Error {
    match e.api() {
        Some(ApiError::Http { status, .. }) if matches!(status, 404 | 405) => {
            DisputeError::ApiUnavailable {
                env,
                answered: Some(format!("the configured path answered HTTP {status}")),
            }
            .into()
        }
        _ => e.into(),
    }
}

/// Reads the dispute list (all pages of `filter`) into the local table, and audits it.
///
/// # Errors
/// [`DisputeError::ApiUnavailable`]; gateway and store errors.
pub async fn refresh(ctx: &Context, filter: &DisputeFilter) -> Result<RefreshReport> {
    let path = path(ctx)?;
    let report = read(ctx, &path, filter).await?;
    audit::record(
        ctx.store(),
        AuditRecord {
            env: ctx.environment(),
            actor: ctx.config().operator.clone(),
            action: "disputes.refresh".into(),
            subject: "-".into(),
            request_summary: Some(format!("GET {path}")),
            result: format!("{} dispute(s) read", report.listed),
        },
        ctx.now(),
    )
    .await?;
    Ok(report)
}

/// After a dispute event: re-reads that one dispute from the list, where a path is configured
/// (the event's body is not signed; the list is the better word). Not audited apart — the
/// event's own audit entry covers it. Ok(false) when no path is configured.
///
/// # Errors
/// Gateway and store errors (the caller logs them: the event is already recorded).
pub async fn reread(ctx: &Context, dispute_id: i64) -> Result<bool> {
    let Some(path) = ctx.config().active().disputes_path.clone() else {
        return Ok(false);
    };
    let one = DisputeFilter {
        dispute_id: Some(dispute_id),
        ..DisputeFilter::default()
    };
    read(ctx, &path, &one).await?;
    Ok(true)
}

async fn read(ctx: &Context, path: &str, filter: &DisputeFilter) -> Result<RefreshReport> {
    let env = ctx.environment();
    let gateway = ctx.gateway()?;
    let mut report = RefreshReport {
        listed: 0,
        total: None,
    };
    for page in 1..=MAX_PAGES {
        let filter = DisputeFilter {
            page: Some(page),
            limit: Some(filter.limit.unwrap_or(PAGE_SIZE)),
            ..filter.clone()
        };
        let WithRaw { value, raw } = gateway
            .disputes(path, &filter)
            .await
            .map_err(|e| unavailable(env, e))?;
        let n = store_page(ctx, &value, &raw).await?;
        report.listed += n;
        report.total = value.total;
        let done = value.total.is_none_or(|t| report.listed as i64 >= t);
        if n == 0 || done || filter.dispute_id.is_some() {
            break;
        }
    }
    Ok(report)
}

async fn store_page(ctx: &Context, list: &DisputeList, raw: &serde_json::Value) -> Result<usize> {
    let env = ctx.environment();
    let now = ctx.now();
    let mut tx = ctx.store().begin().await?;
    for (key, d) in &list.data.disputes {
        let raw = raw
            .pointer(&format!("/data/disputes/{key}"))
            .map(ToString::to_string);
        let id = d.dispute_id.to_string();
        let before = stored::get(&mut tx, env, &id).await?;
        stored::upsert(&mut tx, &listed(before, env, d, raw, now)).await?;
    }
    tx.commit()
        .await
        .map_err(StoreError::query("commit dispute list"))?;
    Ok(list.data.disputes.len())
}

fn time(text: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text?.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The local record of a listed dispute.
fn listed(
    before: Option<DisputeRecord>,
    env: Environment,
    d: &Dispute,
    raw: Option<String>,
    now: DateTime<Utc>,
) -> DisputeRecord {
    let status = d
        .dispute_status
        .clone()
        .or_else(|| before.as_ref().map(|b| DisputeStatus::parse(&b.status)))
        .unwrap_or(DisputeStatus::Open);
    let opened_at = time(d.opened_at.as_deref()).or(before.as_ref().and_then(|b| b.opened_at));
    let awaiting = status == DisputeStatus::AwaitingMerchantResponse;
    let was_awaiting = before
        .as_ref()
        .is_some_and(|b| b.status == DisputeStatus::AwaitingMerchantResponse.as_str());
    // Keep the moment it began waiting; else the last activity's time, else its opening.
    let awaiting_since = match &before {
        Some(b) if was_awaiting && b.awaiting_since.is_some() => b.awaiting_since,
        _ if awaiting => d
            .activities
            .iter()
            .rev()
            .find_map(|a| time(a.created_at.as_deref()))
            .or(opened_at)
            .or(Some(now)),
        _ => before.as_ref().and_then(|b| b.awaiting_since),
    };
    let closed_at = time(d.closed_at.as_deref())
        .or(before.as_ref().and_then(|b| b.closed_at))
        .or(status.is_closed().then_some(now));
    DisputeRecord {
        environment: env,
        dispute_id: d.dispute_id.to_string(),
        order_id: d
            .order_id
            .clone()
            .or(before.as_ref().and_then(|b| b.order_id.clone())),
        order_reference_id: d
            .merchant_order_reference_id
            .clone()
            .or(before.as_ref().and_then(|b| b.order_reference_id.clone())),
        status: status.to_string(),
        amount: d.amount.or(before.as_ref().and_then(|b| b.amount)),
        opened_at,
        closed_at,
        awaiting_since,
        last_event: before.as_ref().and_then(|b| b.last_event.clone()),
        source: "list".into(),
        raw_json: raw,
        updated_at: now,
    }
}

/// Sends the merchant's comment on a dispute, then re-reads that dispute (best effort).
///
/// # Errors
/// [`DisputeError`] for what is refused before sending; gateway and store errors.
pub async fn comment(ctx: &Context, dispute_id: &str, text: &str) -> Result<()> {
    let env = ctx.environment();
    let d = stored::get(ctx.store(), env, dispute_id.trim())
        .await?
        .ok_or_else(|| DisputeError::NotFound {
            env,
            dispute_id: dispute_id.to_owned(),
        })?;
    if !super::is_open(&d) {
        return Err(DisputeError::Closed(d.dispute_id).into());
    }
    let id: i64 = d
        .dispute_id
        .parse()
        .map_err(|_| DisputeError::NotAddressable(d.dispute_id.clone()))?;
    tamara::client::comment_form(text).map_err(|e| {
        DisputeError::CommentInvalid(e.to_string().replace("could not encode the request: ", ""))
    })?;
    let path = path(ctx)?;
    let sent = ctx
        .gateway()?
        .comment_dispute(&path, id, text)
        .await
        .map_err(|e| unavailable(env, e));
    let rec = AuditRecord {
        env,
        actor: ctx.config().operator.clone(),
        action: "dispute.comment".into(),
        subject: d.order_id.clone().unwrap_or_else(|| "-".into()),
        request_summary: Some(format!(
            "POST {path}{id} ({} characters)",
            text.trim().chars().count()
        )),
        result: match &sent {
            Ok(answer) => format!(
                "dispute {id}: {}",
                answer.value.message.as_deref().unwrap_or("accepted")
            ),
            Err(e) => format!("dispute {id}: {}: {e}", e.code()),
        },
    };
    audit::record(ctx.store(), rec, ctx.now()).await?;
    sent?;
    if let Err(e) = reread(ctx, id).await {
        tracing::warn!(error = %e, dispute_id = id, "comment sent; the dispute was not re-read");
    }
    Ok(())
}
