//! Registration health: does Tamara still have the webhooks this console registered, pointing
//! where and for what they should, and are deliveries still arriving while orders change?
//!
//! A registration can vanish or change at Tamara (someone edits it in the partner portal, a
//! proxy in front of the receiver breaks) and nothing tells the merchant: deliveries just stop.
//! [`check`] reads each live registration back by id and compares its URL and events with the
//! local record, and looks for silence — orders changing in the cache (found by the reconciler
//! or by people) with no verified delivery since. The result is kept in the settings table, so
//! `mizan status`, the dashboard and the desktop's notification read the last check without
//! calling Tamara; `mizan serve` and the desktop run a check every [`CHECK_EVERY`].
//!
//! Invariants: a check never changes a registration; a read that fails is reported as
//! `unknown`, never as `missing`; silence is only claimed after [`SILENCE_GRACE`] with changes,
//! so a delivery in flight or a quiet hour is not an alarm.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tamara::ApiError;

use crate::context::Context;
use crate::error::Result;
use crate::store::delivery_stats;
use crate::store::registrations;
use crate::store::settings::{self, SettingScope};

/// Settings key (per environment) of the last check, as JSON.
pub const HEALTH_SETTING: &str = "webhooks.registration_health";

/// How often a running service checks.
pub const CHECK_EVERY: Duration = Duration::from_secs(10 * 60);

/// Changes younger than this may still have their delivery on the way; changes this long after
/// the last verified delivery with none since are silence.
pub const SILENCE_GRACE: Duration = Duration::from_secs(15 * 60);

/// Counting changed orders stops here: the alarm needs one, the message a rough size.
const CHANGED_CAP: u32 = 1_000;

/// What Tamara said about one registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RegistrationState {
    /// Present with the recorded URL and events.
    Present,
    /// Tamara does not know the id (404): deliveries for it have stopped.
    Missing,
    /// Present, but its URL or events are not what this console recorded.
    Differs { what: Vec<String> },
    /// Tamara could not be asked (not answering, breaker open, no credentials).
    Unknown { reason: String },
}

/// One registration's check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationCheck {
    pub webhook_id: String,
    pub url: String,
    #[serde(flatten)]
    pub state: RegistrationState,
}

/// Verified deliveries stopped while orders kept changing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Silence {
    /// The newest verified delivery; None: none since the registration.
    pub last_verified_at: Option<DateTime<Utc>>,
    /// Orders changed in the cache since then (counted up to 1,000).
    pub orders_changed: u32,
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationHealth {
    pub checked_at: DateTime<Utc>,
    pub registrations: Vec<RegistrationCheck>,
    pub silence: Option<Silence>,
}

impl RegistrationHealth {
    /// Nothing to tell anyone: every registration present as recorded and no silence.
    pub fn is_healthy(&self) -> bool {
        self.silence.is_none()
            && self
                .registrations
                .iter()
                .all(|r| r.state == RegistrationState::Present)
    }

    /// One line per problem, for `mizan status` and the desktop notification.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .registrations
            .iter()
            .filter_map(|r| match &r.state {
                RegistrationState::Present => None,
                RegistrationState::Missing => Some(format!(
                    "webhook {} ({}) is gone at Tamara: no deliveries will come for it",
                    r.webhook_id, r.url
                )),
                RegistrationState::Differs { what } => Some(format!(
                    "webhook {} differs at Tamara: {}",
                    r.webhook_id,
                    what.join("; ")
                )),
                RegistrationState::Unknown { reason } => Some(format!(
                    "webhook {} could not be checked: {reason}",
                    r.webhook_id
                )),
            })
            .collect();
        if let Some(s) = &self.silence {
            out.push(match s.last_verified_at {
                Some(at) => format!(
                    "no verified delivery since {} while {} order(s) changed",
                    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    s.orders_changed
                ),
                None => format!(
                    "no verified delivery yet while {} order(s) changed",
                    s.orders_changed
                ),
            });
        }
        out
    }
}

/// Checks every live registration of the console's environment and looks for silence; keeps
/// the result (see the module doc).
///
/// # Errors
/// Store errors. Tamara's failures are part of the result, not errors.
pub async fn check(console: &Context) -> Result<RegistrationHealth> {
    let env = console.environment();
    let now = console.now();
    let live = registrations::list(console.store(), env, false).await?;
    let gateway = console.gateway();
    let mut checks = Vec::with_capacity(live.len());
    for r in &live {
        let state = match &gateway {
            Err(e) => RegistrationState::Unknown {
                reason: format!("{}: {e}", e.code()),
            },
            Ok(g) => match g.get_webhook(&r.webhook_id).await {
                Ok(w) => compare(r, &w.value),
                Err(e) if e.api().and_then(ApiError::status) == Some(404) => {
                    RegistrationState::Missing
                }
                Err(e) => RegistrationState::Unknown {
                    reason: format!("{}: {e}", e.code()),
                },
            },
        };
        checks.push(RegistrationCheck {
            webhook_id: r.webhook_id.clone(),
            url: r.url.clone(),
            state,
        });
    }
    let since_registered = live.iter().map(|r| r.created_at).min();
    let silence = match since_registered {
        None => None,
        Some(registered) => silence(console, registered, now).await?,
    };
    let health = RegistrationHealth {
        checked_at: now,
        registrations: checks,
        silence,
    };
    let json = serde_json::to_string(&health).unwrap_or_default();
    let scope = SettingScope::Env(env);
    settings::set(console.store(), scope, HEALTH_SETTING, &json, now).await?;
    Ok(health)
}

/// The last check of the console's environment, if any.
///
/// # Errors
/// Store errors.
pub async fn last(console: &Context) -> Result<Option<RegistrationHealth>> {
    let scope = SettingScope::Env(console.environment());
    let raw = settings::get(console.store(), scope, HEALTH_SETTING).await?;
    Ok(raw.and_then(|r| serde_json::from_str(&r).ok()))
}

fn compare(
    local: &registrations::WebhookRegistration,
    remote: &tamara::model::webhooks::Webhook,
) -> RegistrationState {
    let mut what = Vec::new();
    // The local URL is stored masked, so Tamara's is compared (and shown) masked the same way.
    if let Some(url) = remote.url.as_deref().map(tamara::sensitive::mask_url)
        && url != local.url
    {
        what.push(format!("URL is {url}, not {}", local.url));
    }
    let wanted: BTreeSet<String> = serde_json::from_str(&local.events_json).unwrap_or_default();
    let have: BTreeSet<String> = remote
        .events
        .iter()
        .map(|e| e.as_str().to_owned())
        .collect();
    let missing: Vec<&str> = wanted.difference(&have).map(String::as_str).collect();
    if !missing.is_empty() {
        what.push(format!("events missing: {}", missing.join(", ")));
    }
    if what.is_empty() {
        RegistrationState::Present
    } else {
        RegistrationState::Differs { what }
    }
}

/// Silence: orders changed more than [`SILENCE_GRACE`] after the last verified delivery (or
/// the registration, when none came) and at least that long ago, with no verified delivery
/// since.
async fn silence(
    console: &Context,
    registered: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Option<Silence>> {
    let env = console.environment();
    let last = delivery_stats::last_verified_at(console.store(), env).await?;
    let grace = chrono::Duration::from_std(SILENCE_GRACE).unwrap_or(chrono::Duration::MAX);
    let base = last.map_or(registered, |l| l.max(registered));
    let (after, until) = (base + grace, now - grace);
    if after >= until {
        return Ok(None);
    }
    let changed =
        delivery_stats::orders_changed(console.store(), env, after, until, CHANGED_CAP).await?;
    Ok((changed > 0).then_some(Silence {
        last_verified_at: last,
        orders_changed: changed,
    }))
}
