//! The team's webhook registrations: listed by anyone, changed by developers — and in
//! production only after a second developer approves (four-eyes), because a wrong URL there
//! silently loses every notification.
//!
//! Invariants: a change request stores only the URL and the events (the team API takes no
//! custom headers, which may hold a receiver's secret and would then sit in the approval
//! queue); the change runs once, when approved, as the approver.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::routes::{ApiResult, ApprovalView, queue_request, record};
use super::{Caller, TeamApi, TeamEvent};
use crate::Console;
use crate::desktop::webhooks::{self as desk, WebhookRow};
use crate::environment::Environment;
use crate::team::{Action, ApprovalRequest, WebhookChange, needs_approval};

/// A webhook change as requested, and as kept in the approval queue.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum WebhookRequest {
    Register {
        url: String,
        #[serde(default)]
        events: Vec<String>,
    },
    Remove {
        webhook_id: String,
    },
}

impl WebhookRequest {
    fn action(&self) -> Action {
        match self {
            WebhookRequest::Register { .. } => Action::RegisterWebhook,
            WebhookRequest::Remove { .. } => Action::RemoveWebhook,
        }
    }

    fn subject(&self) -> String {
        match self {
            WebhookRequest::Register { url, .. } => url.clone(),
            WebhookRequest::Remove { webhook_id } => webhook_id.clone(),
        }
    }

    /// Runs the change on `console`; the registration as it now stands, for a registration.
    pub(super) async fn run(&self, console: &Console) -> crate::Result<Option<WebhookRow>> {
        match self {
            WebhookRequest::Register { url, events } => Ok(Some(
                desk::register(console, url, events, Default::default()).await?,
            )),
            WebhookRequest::Remove { webhook_id } => {
                crate::webhooks::registration::delete(console, webhook_id).await?;
                Ok(None)
            }
        }
    }
}

/// What a change request did: ran it, or queued it for a second person.
#[derive(Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum WebhookAnswer {
    Done { webhook: Option<WebhookRow> },
    AwaitingApproval { approval: ApprovalView },
}

pub(super) async fn list(caller: Caller) -> ApiResult<Json<Vec<WebhookRow>>> {
    caller.require(Action::ReadWebhooks)?;
    Ok(Json(desk::list(&caller.console).await?))
}

#[derive(Debug, Deserialize)]
pub struct NewWebhook {
    pub url: String,
    #[serde(default)]
    pub events: Vec<String>,
}

pub(super) async fn register(
    State(api): State<Arc<TeamApi>>,
    caller: Caller,
    Json(new): Json<NewWebhook>,
) -> ApiResult<(StatusCode, Json<WebhookAnswer>)> {
    let request = WebhookRequest::Register {
        url: new.url.trim().to_owned(),
        events: new.events,
    };
    change(&api, &caller, request, WebhookChange::Register).await
}

pub(super) async fn remove(
    State(api): State<Arc<TeamApi>>,
    caller: Caller,
    Path(webhook_id): Path<String>,
) -> ApiResult<(StatusCode, Json<WebhookAnswer>)> {
    let request = WebhookRequest::Remove { webhook_id };
    change(&api, &caller, request, WebhookChange::Remove).await
}

async fn change(
    api: &TeamApi,
    caller: &Caller,
    request: WebhookRequest,
    kind: WebhookChange,
) -> ApiResult<(StatusCode, Json<WebhookAnswer>)> {
    let action = request.action();
    caller.require(action)?;
    let environment: Environment = caller.console.environment();
    let gate = ApprovalRequest::Webhook {
        change: kind,
        environment,
    };
    if needs_approval(&api.policy, &gate) {
        let stored = serde_json::to_string(&request)
            .map_err(|e| super::ApiError::BadRequest(e.to_string()))?;
        let approval =
            queue_request(api, caller, gate, action, &request.subject(), stored, None).await?;
        return Ok((
            StatusCode::ACCEPTED,
            Json(WebhookAnswer::AwaitingApproval { approval }),
        ));
    }
    let webhook = request.run(&caller.console).await?;
    record(caller, action.as_str(), &request.subject(), "done").await?;
    api.announce(TeamEvent::TeamChanged);
    Ok((StatusCode::OK, Json(WebhookAnswer::Done { webhook })))
}
