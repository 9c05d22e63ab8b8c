//! Who is calling: a personal token (`Authorization: Bearer mzn_…`) checked against the stored
//! Argon2id hashes, with failed attempts throttled per (token prefix, client address).
//!
//! Invariants: a request without a live token of an enabled user never reaches a handler; the
//! token is never logged or echoed; a token verified once is remembered by its SHA-256 digest
//! (not the token) so later requests skip Argon2 but still find its row live on every request —
//! a revoked token or a disabled user stops working at once, on every server instance.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

use super::{ApiError, TeamApi};
use crate::Console;
use crate::store::team::{self, TeamUser};
use crate::team::{Action, Member, ThrottleKey, UserId, lookup_prefix, permits, verify};

/// The signed-in person of one request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: TeamUser,
    /// The token they presented (its row id).
    pub token_id: i64,
    /// The console acting as them.
    pub console: Console,
}

impl Caller {
    /// The caller as the approval rules see them.
    pub fn member(&self) -> Member {
        Member {
            id: UserId(self.user.id),
            role: self.user.role,
        }
    }

    /// Refuses unless the caller's role may perform `action`.
    ///
    /// # Errors
    /// [`ApiError::Forbidden`].
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if permits(self.user.role, action) {
            Ok(())
        } else {
            Err(ApiError::Forbidden {
                role: self.user.role,
                action,
            })
        }
    }
}

impl FromRequestParts<Arc<TeamApi>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        api: &Arc<TeamApi>,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ApiError::Unauthenticated)?;
        let client = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(std::net::IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        api.authenticate(token, client).await
    }
}

impl TeamApi {
    async fn authenticate(
        &self,
        token: &str,
        client: std::net::IpAddr,
    ) -> Result<Caller, ApiError> {
        let now = self.console.now();
        let prefix = lookup_prefix(token).unwrap_or("malformed").to_owned();
        let key = ThrottleKey::new(prefix.clone(), client);
        if let Err(locked) = self.lock_throttle().check(&key, now) {
            return Err(ApiError::Throttled {
                retry_after_secs: locked.retry_after_secs(now),
            });
        }
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let remembered = self.lock_verified().get(&digest).copied();
        let candidates = team::live_tokens_with_prefix(self.console.store(), &prefix).await?;
        let mut found = remembered.and_then(|id| candidates.iter().find(|(t, _)| t.id == id));
        if found.is_none() {
            for candidate in &candidates {
                let (token, hash) = (token.to_owned(), candidate.0.hash.clone());
                // Argon2 is CPU-heavy by design: off the async workers.
                let matches = tokio::task::spawn_blocking(move || verify(&token, &hash))
                    .await
                    .unwrap_or(false);
                if matches {
                    found = Some(candidate);
                    break;
                }
            }
        }
        let Some((row, user)) = found else {
            let locked = self.lock_throttle().record_failure(key, now);
            return Err(match locked {
                Some(l) => ApiError::Throttled {
                    retry_after_secs: l.retry_after_secs(now),
                },
                None => ApiError::Unauthenticated,
            });
        };
        self.lock_throttle().record_success(&key);
        self.remember(digest, row.id);
        // Last use to the minute is enough, and spares a write per request.
        if row
            .last_used_at
            .is_none_or(|at| now - at > chrono::TimeDelta::minutes(1))
        {
            team::touch_token(self.console.store(), row.id, now).await?;
        }
        Ok(Caller {
            console: self.console.acting_as(&user.name),
            user: user.clone(),
            token_id: row.id,
        })
    }

    fn remember(&self, digest: [u8; 32], token_id: i64) {
        let mut verified = self.lock_verified();
        // Bounded: a flood of distinct valid tokens only costs re-verification.
        if verified.len() >= super::VERIFIED_CAPACITY {
            verified.clear();
        }
        verified.insert(digest, token_id);
    }
}
