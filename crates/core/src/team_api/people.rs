//! People and personal tokens: the operations, for the team API's routes and for the server's
//! host (`mizan team`, which makes the first admin), and the routes over them.
//!
//! Invariants: a token is returned once, when issued, and never stored (only its prefix and
//! Argon2id hash); admins manage everyone's tokens, a person their own; every change is in the
//! audit log under who made it.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use super::routes::{ApiResult, record_as};
use super::{ApiError, Caller, TeamApi, TeamEvent};
use crate::Console;
use crate::store::StoreError;
use crate::store::team::{self, TeamUser};
use crate::team::{Action, Role, TokenHasher, UnknownRole};

/// A person as the API shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
}

impl From<&TeamUser> for UserView {
    fn from(u: &TeamUser) -> Self {
        UserView {
            id: u.id,
            name: u.name.clone(),
            role: u.role,
            disabled: u.disabled_at.is_some(),
        }
    }
}

/// A token, shown once.
#[derive(Debug, Serialize)]
pub struct IssuedToken {
    pub user: UserView,
    pub token_id: i64,
    pub token: String,
}

/// Adds `name` with `role` (its stored name) and issues their first token; `by` names who did
/// it in the audit log.
///
/// # Errors
/// [`ApiError::BadRequest`] for a bad name or role; `store_conflict` when the name is taken.
pub async fn add_user(
    console: &Console,
    name: &str,
    role: &str,
    by: &str,
    hasher: &TokenHasher,
) -> ApiResult<IssuedToken> {
    let role: Role = role
        .parse()
        .map_err(|e: UnknownRole| ApiError::BadRequest(e.to_string()))?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(ApiError::BadRequest(
            "a user name is 1 to 64 printable characters".into(),
        ));
    }
    let id = team::add_user(console.store(), name, role, by, console.now()).await?;
    record_as(console, by, "team.user_added", name, role.as_str()).await?;
    issue_token(console, id, "first", by, hasher).await
}

/// Issues a new token for `user_id`.
///
/// # Errors
/// `store_not_found` for no such user; token generation failures as [`ApiError::BadRequest`].
pub async fn issue_token(
    console: &Console,
    user_id: i64,
    label: &str,
    by: &str,
    hasher: &TokenHasher,
) -> ApiResult<IssuedToken> {
    let store = console.store();
    let user = team::user(store, user_id)
        .await?
        .ok_or_else(|| StoreError::NotFound {
            entity: "team user",
            key: user_id.to_string(),
        })?;
    let hasher = hasher.clone();
    // Argon2 is CPU-heavy by design: off the async workers.
    let (token, stored) = tokio::task::spawn_blocking(move || hasher.issue())
        .await
        .map_err(|e| ApiError::BadRequest(format!("token: {e}")))?
        .map_err(|e| ApiError::BadRequest(format!("token: {e}")))?;
    let token_id = team::add_token(
        store,
        user_id,
        &stored.prefix,
        &stored.hash,
        label,
        console.now(),
    )
    .await?;
    record_as(console, by, "team.token_issued", &user.name, label).await?;
    Ok(IssuedToken {
        user: UserView::from(&user),
        token_id,
        token: token.reveal().to_owned(),
    })
}

/// Revokes token `token_id` of `user_id`.
///
/// # Errors
/// `store_not_found` when no such live token exists.
pub async fn revoke_token(
    console: &Console,
    user_id: i64,
    token_id: i64,
    by: &str,
) -> ApiResult<()> {
    if !team::revoke_token(console.store(), user_id, token_id, console.now()).await? {
        return Err(StoreError::NotFound {
            entity: "live token",
            key: token_id.to_string(),
        }
        .into());
    }
    let subject = user_id.to_string();
    record_as(
        console,
        by,
        "team.token_revoked",
        &subject,
        &token_id.to_string(),
    )
    .await
}

/// Everyone on the team, by name.
///
/// # Errors
/// Store errors.
pub async fn users(console: &Console) -> ApiResult<Vec<UserView>> {
    let all = team::users(console.store()).await?;
    Ok(all.iter().map(UserView::from).collect())
}

pub(super) async fn users_route(caller: Caller) -> ApiResult<Json<Vec<UserView>>> {
    caller.require(Action::ReadTeam)?;
    Ok(Json(users(&caller.console).await?))
}

#[derive(Debug, Deserialize)]
pub struct NewUser {
    pub name: String,
    pub role: String,
}

pub(super) async fn add_user_route(
    State(api): State<Arc<TeamApi>>,
    caller: Caller,
    Json(new): Json<NewUser>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    caller.require(Action::ManageUsers)?;
    let by = caller.user.name.clone();
    let issued = add_user(&caller.console, &new.name, &new.role, &by, &api.hasher).await?;
    api.announce(TeamEvent::TeamChanged);
    Ok((StatusCode::CREATED, Json(issued)))
}

#[derive(Debug, Deserialize)]
pub struct TokenLabel {
    #[serde(default)]
    pub label: Option<String>,
}

/// Admins manage everyone's tokens; anyone manages their own.
fn may_manage_tokens_of(caller: &Caller, user_id: i64) -> ApiResult<()> {
    if caller.user.id == user_id {
        Ok(())
    } else {
        caller.require(Action::ManageUsers)
    }
}

pub(super) async fn issue_token_route(
    State(api): State<Arc<TeamApi>>,
    caller: Caller,
    Path(user_id): Path<i64>,
    Json(label): Json<TokenLabel>,
) -> ApiResult<(StatusCode, Json<IssuedToken>)> {
    may_manage_tokens_of(&caller, user_id)?;
    let label = label.label.as_deref().map_or("token", str::trim);
    let by = caller.user.name.clone();
    let issued = issue_token(&caller.console, user_id, label, &by, &api.hasher).await?;
    Ok((StatusCode::CREATED, Json(issued)))
}

pub(super) async fn revoke_token_route(
    State(api): State<Arc<TeamApi>>,
    caller: Caller,
    Path((user_id, token_id)): Path<(i64, i64)>,
) -> ApiResult<StatusCode> {
    may_manage_tokens_of(&caller, user_id)?;
    revoke_token(&caller.console, user_id, token_id, &caller.user.name).await?;
    api.announce(TeamEvent::TeamChanged);
    Ok(StatusCode::NO_CONTENT)
}
