//! The team API's handlers: each checks the caller's role first, then calls the console (as
//! the caller) or the team's storage, announces the change, and answers JSON.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::Stream;
use serde::{Deserialize, Serialize};

use super::people::UserView;
use super::{ApiError, Caller, TeamApi, TeamEvent};
use crate::audit::{self, AuditRecord};
use crate::desktop::detail::{self, MoveInput, MoveKind, MoveResult, OrderDetail};
use crate::desktop::orders::{self, OrdersPage, OrdersQuery};
use crate::money::Money;
use crate::store::approvals::{self as queue, ApprovalRow, ApprovalRowState, NewApproval};
use crate::store::team;
use crate::team::{
    Action, ApprovalError, ApprovalRequest, PendingApproval, may_decide, needs_approval, permits,
};

pub(super) type ApiResult<T> = Result<T, ApiError>;

/// `GET /api/v1/me`: who the token belongs to and what they may do (the UI hides the rest).
#[derive(Debug, Serialize)]
pub struct Me {
    #[serde(flatten)]
    pub user: UserView,
    pub environment: &'static str,
    pub permissions: Vec<&'static str>,
}

pub(super) async fn me(caller: Caller) -> Json<Me> {
    Json(Me {
        user: UserView::from(&caller.user),
        environment: caller.console.environment().as_str(),
        permissions: Action::all()
            .filter(|a| permits(caller.user.role, *a))
            .map(Action::as_str)
            .collect(),
    })
}

pub(super) async fn orders_page(
    caller: Caller,
    Json(query): Json<OrdersQuery>,
) -> ApiResult<Json<OrdersPage>> {
    caller.require(Action::ReadOrders)?;
    Ok(Json(orders::page(&caller.console, &query).await?))
}

pub(super) async fn order(caller: Caller, Path(id): Path<String>) -> ApiResult<Json<OrderDetail>> {
    caller.require(Action::ReadOrders)?;
    Ok(Json(detail::order_detail(&caller.console, &id).await?))
}

/// `POST /api/v1/moves`: a money move as the desktop dialog collects it.
#[derive(Debug, Deserialize, Serialize)]
pub struct MoveBody {
    pub input: MoveInput,
    /// Production: the order's reference, typed by the person.
    #[serde(default)]
    pub confirm: Option<String>,
}

/// What a move request did: ran it, or queued it for a second person.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)] // built once per request and serialised at once
pub enum MoveAnswer {
    Done { result: MoveResult },
    AwaitingApproval { approval: ApprovalView },
}

fn move_action(kind: MoveKind) -> Action {
    match kind {
        MoveKind::Authorise => Action::Authorise,
        MoveKind::Capture => Action::Capture,
        MoveKind::Refund => Action::Refund,
        MoveKind::Cancel => Action::Cancel,
    }
}

pub(super) async fn move_money(
    State(api): State<Arc<TeamApi>>,
    caller: Caller,
    Json(body): Json<MoveBody>,
) -> ApiResult<(StatusCode, Json<MoveAnswer>)> {
    let action = move_action(body.input.kind);
    caller.require(action)?;
    if let Some(request) = approval_request(&caller, &body.input).await?
        && needs_approval(&api.policy, &request)
    {
        let amount = match &request {
            ApprovalRequest::Refund { amount } | ApprovalRequest::Cancel { amount } => {
                Some(*amount)
            }
            ApprovalRequest::Webhook { .. } => None,
        };
        let stored =
            serde_json::to_string(&body).map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let subject = body.input.order_id.trim().to_owned();
        let approval =
            queue_request(&api, &caller, request, action, &subject, stored, amount).await?;
        return Ok((
            StatusCode::ACCEPTED,
            Json(MoveAnswer::AwaitingApproval { approval }),
        ));
    }
    let result = detail::move_execute(&caller.console, &body.input, body.confirm.clone()).await?;
    api.announce(TeamEvent::OrderChanged {
        order_id: body.input.order_id.trim().to_owned(),
    });
    Ok((StatusCode::OK, Json(MoveAnswer::Done { result })))
}

/// Queues `request` (to perform `action` on `subject`; `stored` is what runs when approved)
/// for a second person, as the caller; the queued request as the queue shows it.
pub(super) async fn queue_request(
    api: &TeamApi,
    caller: &Caller,
    request: ApprovalRequest,
    action: Action,
    subject: &str,
    stored: String,
    amount: Option<crate::money::Money>,
) -> ApiResult<ApprovalView> {
    let now = caller.console.now();
    let pending = PendingApproval::request(request, caller.member(), now, &api.policy)?;
    let new = NewApproval {
        environment: caller.console.environment(),
        action: action.as_str().to_owned(),
        subject: subject.to_owned(),
        request: stored,
        amount: amount.map(|m| m.amount_text()),
        currency: amount.map(|m| m.currency().to_string()),
        requested_by: caller.user.id,
        requested_at: now,
        expires_at: pending.expires_at(),
    };
    let id = queue::request(caller.console.store(), &new).await?;
    record(
        caller,
        "approval.requested",
        subject,
        &format!("#{id} {action}"),
    )
    .await?;
    api.announce(TeamEvent::ApprovalChanged {
        id,
        state: "pending".into(),
    });
    let row = queue::get(caller.console.store(), id)
        .await?
        .ok_or(ApiError::ApprovalNotFound(id))?;
    ApprovalView::of(&row, &caller.console).await
}

/// Runs an approved request as the approver; what it gave, in words, and whether it worked.
async fn execute_approved(caller: &Caller, row: &ApprovalRow) -> (ApprovalRowState, String) {
    let id = row.id;
    let ran = match row.new.action.as_str() {
        "register_webhook" | "remove_webhook" => {
            match serde_json::from_str::<super::webhooks::WebhookRequest>(&row.new.request) {
                Ok(change) => change
                    .run(&caller.console)
                    .await
                    .map(|_| format!("{}: done", row.new.action)),
                Err(e) => {
                    return (
                        ApprovalRowState::Failed,
                        format!("stored request #{id} not understood: {e}"),
                    );
                }
            }
        }
        _ => match serde_json::from_str::<MoveBody>(&row.new.request) {
            Ok(body) => detail::move_execute(&caller.console, &body.input, body.confirm.clone())
                .await
                .map(|r| format!("{}: {}", r.outcome, r.detail)),
            Err(e) => {
                return (
                    ApprovalRowState::Failed,
                    format!("stored request #{id} not understood: {e}"),
                );
            }
        },
    };
    match ran {
        Ok(outcome) => (ApprovalRowState::Executed, outcome),
        Err(e) => (
            ApprovalRowState::Failed,
            format!("{}: {e}", e.code().as_str()),
        ),
    }
}

/// The amount a refund or cancel would move, for the four-eyes rule; None for other moves and
/// for a refund without an amount (the move itself then refuses it).
async fn approval_request(
    caller: &Caller,
    input: &MoveInput,
) -> ApiResult<Option<ApprovalRequest>> {
    if !matches!(input.kind, MoveKind::Refund | MoveKind::Cancel) {
        return Ok(None);
    }
    // The cached order alone: the threshold needs its currency and what is cancelable, not
    // the order screen's timeline and statement lines.
    let cached = caller.console.cached_order(input.order_id.trim()).await?;
    let currency = cached.order.total.currency();
    let amount = match (&input.amount, input.kind) {
        (Some(text), _) => Money::parse(text.trim(), currency)
            .map_err(|e| ApiError::BadRequest(format!("amount {text:?}: {e}")))?,
        (None, MoveKind::Cancel) => crate::views::detail::amounts(&cached.order).cancelable,
        (None, _) => return Ok(None),
    };
    Ok(Some(match input.kind {
        MoveKind::Refund => ApprovalRequest::Refund { amount },
        _ => ApprovalRequest::Cancel { amount },
    }))
}

/// A queued request as the approval queue shows it.
#[derive(Debug, Serialize)]
pub struct ApprovalView {
    pub id: i64,
    pub action: String,
    pub subject: String,
    pub amount: Option<String>,
    pub currency: Option<String>,
    pub requested_by: String,
    pub requested_at: String,
    pub expires_at: String,
    pub state: String,
    pub decided_by: Option<String>,
    pub outcome: Option<String>,
}

impl ApprovalView {
    async fn of(row: &ApprovalRow, console: &crate::Console) -> ApiResult<ApprovalView> {
        let name = |id: i64| async move {
            team::user(console.store(), id)
                .await
                .map(|u| u.map_or_else(|| format!("user {id}"), |u| u.name))
        };
        let decided_by = match row.decided_by {
            Some(id) => Some(name(id).await?),
            None => None,
        };
        Ok(ApprovalView {
            id: row.id,
            action: row.new.action.clone(),
            subject: row.new.subject.clone(),
            amount: row.new.amount.clone(),
            currency: row.new.currency.clone(),
            requested_by: name(row.new.requested_by).await?,
            requested_at: crate::desktop::time(row.new.requested_at),
            expires_at: crate::desktop::time(row.new.expires_at),
            state: row.state.as_str().to_owned(),
            decided_by,
            outcome: row.outcome.clone(),
        })
    }
}

pub(super) async fn approvals(caller: Caller) -> ApiResult<Json<Vec<ApprovalView>>> {
    caller.require(Action::ReadApprovals)?;
    let console = &caller.console;
    let rows = queue::pending(console.store(), console.environment(), console.now()).await?;
    let mut views = Vec::with_capacity(rows.len());
    for row in &rows {
        views.push(ApprovalView::of(row, console).await?);
    }
    Ok(Json(views))
}

/// Why a decision on `row` by `caller` at `now` cannot be taken, by the approval rules.
fn refusal(
    caller: &Caller,
    row: &ApprovalRow,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<()> {
    let action: Action = row
        .new
        .action
        .parse()
        .map_err(|_| ApiError::BadRequest(format!("unknown action {}", row.new.action)))?;
    if !may_decide(caller.user.role, action) {
        return Err(ApiError::Forbidden {
            role: caller.user.role,
            action: Action::DecideApproval,
        });
    }
    if row.new.requested_by == caller.user.id {
        return Err(ApprovalError::SelfApproval.into());
    }
    if row.state != ApprovalRowState::Pending {
        return Err(ApprovalError::AlreadyDecided.into());
    }
    if now >= row.new.expires_at {
        return Err(ApprovalError::Expired {
            expired_at: row.new.expires_at,
        }
        .into());
    }
    Ok(())
}

/// Request `id` if the caller may decide it now, with the time of that judgement.
async fn decidable(
    caller: &Caller,
    id: i64,
) -> ApiResult<(ApprovalRow, chrono::DateTime<chrono::Utc>)> {
    caller.require(Action::DecideApproval)?;
    let row = pending_row(caller, id).await?;
    let now = caller.console.now();
    refusal(caller, &row, now)?;
    Ok((row, now))
}

async fn pending_row(caller: &Caller, id: i64) -> ApiResult<ApprovalRow> {
    queue::get(caller.console.store(), id)
        .await?
        .filter(|r| r.new.environment == caller.console.environment())
        .ok_or(ApiError::ApprovalNotFound(id))
}

/// `POST /api/v1/approvals/{id}/approve`: the second person's yes; the move then runs, once,
/// as the approver (the audit log names both).
pub(super) async fn approve(
    State(api): State<Arc<TeamApi>>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ApprovalView>> {
    let (row, now) = decidable(&caller, id).await?;
    if !queue::approve(caller.console.store(), id, caller.user.id, now).await? {
        // Lost a race with another decision (or the clock passed the expiry meanwhile).
        let row = pending_row(&caller, id).await?;
        refusal(&caller, &row, caller.console.now())?;
        return Err(ApprovalError::AlreadyDecided.into());
    }
    record(
        &caller,
        "approval.approved",
        &row.new.subject,
        &format!("#{id}"),
    )
    .await?;
    let (state, outcome) = execute_approved(&caller, &row).await;
    queue::finish(caller.console.store(), id, state, &outcome).await?;
    api.announce(TeamEvent::ApprovalChanged {
        id,
        state: state.as_str().to_owned(),
    });
    api.announce(if row.new.action.ends_with("_webhook") {
        TeamEvent::TeamChanged
    } else {
        TeamEvent::OrderChanged {
            order_id: row.new.subject.clone(),
        }
    });
    let row = pending_row(&caller, id).await?;
    Ok(Json(ApprovalView::of(&row, &caller.console).await?))
}

/// `POST /api/v1/approvals/{id}/reject`.
pub(super) async fn reject(
    State(api): State<Arc<TeamApi>>,
    caller: Caller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ApprovalView>> {
    let (row, now) = decidable(&caller, id).await?;
    if !queue::reject(caller.console.store(), id, caller.user.id, now).await? {
        return Err(ApprovalError::AlreadyDecided.into());
    }
    record(
        &caller,
        "approval.rejected",
        &row.new.subject,
        &format!("#{id}"),
    )
    .await?;
    api.announce(TeamEvent::ApprovalChanged {
        id,
        state: "rejected".into(),
    });
    let row = pending_row(&caller, id).await?;
    Ok(Json(ApprovalView::of(&row, &caller.console).await?))
}

/// `GET /api/v1/events`: server-sent events, one JSON [`TeamEvent`] each; a subscriber that
/// fell behind gets `{"kind":"lagged"}` and re-reads what it shows.
pub(super) async fn events(
    State(api): State<Arc<TeamApi>>,
    caller: Caller,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    caller.require(Action::ReadOrders)?;
    let receiver = api.subscribe();
    let stream = futures::stream::unfold(receiver, |mut rx| async move {
        let data = match rx.recv().await {
            Ok(event) => serde_json::to_string(&event).unwrap_or_default(),
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                r#"{"kind":"lagged"}"#.to_owned()
            }
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok(Event::default().data(data)), rx))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

/// Writes a team action to the audit log under the caller's name.
pub(super) async fn record(
    caller: &Caller,
    action: &str,
    subject: &str,
    summary: &str,
) -> ApiResult<()> {
    record_as(&caller.console, &caller.user.name, action, subject, summary).await
}

/// Writes a team action to the audit log under `actor`.
pub(super) async fn record_as(
    console: &crate::Console,
    actor: &str,
    action: &str,
    subject: &str,
    summary: &str,
) -> ApiResult<()> {
    audit::record(
        console.store(),
        AuditRecord {
            env: console.environment(),
            actor: actor.to_owned(),
            action: action.to_owned(),
            subject: subject.to_owned(),
            request_summary: Some(summary.to_owned()),
            result: "succeeded".to_owned(),
        },
        console.now(),
    )
    .await?;
    Ok(())
}
