//! The registration-health check as the desktop shows it: on the dashboard, and as a desktop
//! notification when it turns bad.
//!
//! Invariant: structured for translation — states and counts, no English sentences; a
//! notification is raised once per change to a worse state, never on every check.

use serde::{Deserialize, Serialize};

use super::{count, time};
use crate::webhooks::registration_health::{RegistrationHealth, RegistrationState};

/// One registration that is not as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegistrationProblem {
    pub webhook_id: String,
    pub url: String,
    /// `missing`, `differs` or `unknown`.
    pub state: String,
    /// What differs, or why it could not be checked.
    pub detail: Option<String>,
}

/// The last check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RegistrationStatus {
    /// None: not checked yet.
    pub checked_at: Option<String>,
    pub registered: u32,
    pub problems: Vec<RegistrationProblem>,
    /// Orders changed with no verified delivery since `silent_since` (None: never one).
    pub silent: bool,
    pub silent_since: Option<String>,
    pub orders_changed: u32,
}

impl From<Option<&RegistrationHealth>> for RegistrationStatus {
    fn from(h: Option<&RegistrationHealth>) -> Self {
        let Some(h) = h else {
            return RegistrationStatus {
                checked_at: None,
                registered: 0,
                problems: Vec::new(),
                silent: false,
                silent_since: None,
                orders_changed: 0,
            };
        };
        RegistrationStatus {
            checked_at: Some(time(h.checked_at)),
            registered: count(h.registrations.len()),
            problems: h
                .registrations
                .iter()
                .filter_map(|r| {
                    let (state, detail) = match &r.state {
                        RegistrationState::Present => return None,
                        RegistrationState::Missing => ("missing", None),
                        RegistrationState::Differs { what } => ("differs", Some(what.join("; "))),
                        RegistrationState::Unknown { reason } => ("unknown", Some(reason.clone())),
                    };
                    Some(RegistrationProblem {
                        webhook_id: r.webhook_id.clone(),
                        url: r.url.clone(),
                        state: state.to_owned(),
                        detail,
                    })
                })
                .collect(),
            silent: h.silence.is_some(),
            silent_since: h
                .silence
                .as_ref()
                .and_then(|s| s.last_verified_at)
                .map(time),
            orders_changed: h.silence.as_ref().map_or(0, |s| s.orders_changed),
        }
    }
}

/// What got worse between two checks: registrations newly missing or changed (their URLs), or
/// silence that was not there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Worse {
    pub newly: Vec<String>,
}

impl Worse {
    /// The notification's title and body in the UI language `locale` (`ar`, else English).
    pub fn words(&self, locale: Option<&str>) -> (String, String) {
        let arabic = locale == Some("ar");
        let urls = self.newly.join(", ");
        let body = match (self.newly.is_empty(), arabic) {
            (true, false) => "Orders are changing but no verified webhook delivery has arrived. \
                              Check the receiver and the registration."
                .to_owned(),
            (true, true) => {
                "الطلبات تتغير ولم يصل أي إشعار ويب هوك موثَّق. افحص المستقبِل والتسجيل.".to_owned()
            }
            (false, false) => format!(
                "Tamara no longer has the webhook as registered: {urls}. Deliveries may have \
                 stopped."
            ),
            (false, true) => {
                format!("لم يعد الويب هوك لدى تمارا كما سُجِّل: {urls}. ربما توقفت الإشعارات.")
            }
        };
        let title = if arabic {
            "ميزان: الويب هوك يحتاج إلى متابعة"
        } else {
            "Mizan: webhooks need attention"
        };
        (title.to_owned(), body)
    }
}

/// What got worse since the check before: a registration newly missing or changed, or silence
/// that was not there. None when nothing got worse (an unknown state — Tamara not answering —
/// is the breaker's news, not this one's).
pub fn worse(before: Option<&RegistrationHealth>, now: &RegistrationHealth) -> Option<Worse> {
    let was_bad = |id: &str| {
        before.is_some_and(|b| {
            b.registrations.iter().any(|r| {
                r.webhook_id == id
                    && matches!(
                        r.state,
                        RegistrationState::Missing | RegistrationState::Differs { .. }
                    )
            })
        })
    };
    let newly: Vec<String> = now
        .registrations
        .iter()
        .filter(|r| {
            matches!(
                r.state,
                RegistrationState::Missing | RegistrationState::Differs { .. }
            ) && !was_bad(&r.webhook_id)
        })
        .map(|r| r.url.clone())
        .collect();
    let newly_silent = now.silence.is_some() && before.is_none_or(|b| b.silence.is_none());
    if newly.is_empty() && !newly_silent {
        return None;
    }
    Some(Worse { newly })
}

/// The notification to raise when a check got worse than the one before ([`worse`]), in the
/// UI language `locale`.
pub fn notification(
    before: Option<&RegistrationHealth>,
    now: &RegistrationHealth,
    locale: Option<&str>,
) -> Option<(String, String)> {
    worse(before, now).map(|w| w.words(locale))
}

/// Calls `show(title, body)` each time a check from `checks` is worse than the one before (see
/// [`worse`]), until `stopped` turns true, in the UI language the console has saved when it
/// speaks (so a switch of language applies to the next one). The desktop shell passes its
/// notifier.
pub async fn notify_when_worse(
    console: crate::Console,
    mut checks: tokio::sync::watch::Receiver<Option<RegistrationHealth>>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
    show: impl Fn(String, String) + Send,
) {
    let mut before: Option<RegistrationHealth> = None;
    loop {
        tokio::select! {
            _ = stopped.wait_for(|s| *s) => break,
            changed = checks.changed() => {
                if changed.is_err() {
                    break;
                }
            }
        }
        let now = checks.borrow_and_update().clone();
        if let Some(now) = now {
            if let Some(w) = worse(before.as_ref(), &now) {
                // An unreadable setting falls back to English: the news matters more.
                let locale = console.locale().await.ok().flatten();
                let (title, body) = w.words(locale.as_deref());
                show(title, body);
            }
            before = Some(now);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::webhooks::registration_health::{RegistrationCheck, Silence};

    fn health(states: &[RegistrationState], silent: bool) -> RegistrationHealth {
        RegistrationHealth {
            checked_at: chrono::Utc::now(),
            registrations: states
                .iter()
                .enumerate()
                .map(|(i, s)| RegistrationCheck {
                    webhook_id: format!("w{i}"),
                    url: format!("https://shop.example/{i}"),
                    state: s.clone(),
                })
                .collect(),
            silence: silent.then_some(Silence {
                last_verified_at: None,
                orders_changed: 3,
            }),
        }
    }

    #[test]
    fn a_notification_comes_once_per_change_for_the_worse() {
        use RegistrationState::{Missing, Present, Unknown};
        let ok = health(&[Present, Present], false);
        let gone = health(&[Present, Missing], false);
        assert!(notification(Some(&ok), &ok, None).is_none());
        assert!(notification(None, &ok, None).is_none());
        let (_, body) = notification(Some(&ok), &gone, None).unwrap();
        assert!(body.contains("https://shop.example/1"), "{body}");
        assert!(
            notification(Some(&gone), &gone, None).is_none(),
            "not again"
        );
        let unknown = health(
            &[
                Unknown {
                    reason: "503".into(),
                },
                Present,
            ],
            false,
        );
        assert!(
            notification(Some(&ok), &unknown, None).is_none(),
            "the breaker's news"
        );
        let silent = health(&[Present, Present], true);
        let (_, body) = notification(Some(&ok), &silent, None).unwrap();
        assert!(body.contains("no verified webhook delivery"), "{body}");
        assert!(notification(Some(&silent), &silent, None).is_none());
    }

    #[tokio::test]
    async fn the_watcher_notifies_on_each_change_for_the_worse_in_the_ui_language_and_stops() {
        use RegistrationState::{Missing, Present};
        let dir = tempfile::tempdir().unwrap();
        let console = crate::desktop::test_console(dir.path()).await;
        let (tx, rx) = tokio::sync::watch::channel(None);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let shown = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = shown.clone();
        let task = tokio::spawn(notify_when_worse(
            console.clone(),
            rx,
            stopped,
            move |title, body| {
                sink.lock().unwrap().push((title, body));
            },
        ));
        let send = async |h: RegistrationHealth| {
            tx.send(Some(h)).unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(60)).await;
        };
        send(health(&[Present], false)).await;
        send(health(&[Missing], false)).await;
        send(health(&[Missing], false)).await;
        send(health(&[Present], false)).await;
        // The operator switches the UI to Arabic: the next notification follows.
        console.save_locale("ar").await.unwrap();
        send(health(&[Missing], false)).await;
        stop.send(true).unwrap();
        task.await.unwrap();
        let shown = shown.lock().unwrap();
        assert_eq!(shown.len(), 2, "gone, back, gone again");
        assert_eq!(shown[0].0, "Mizan: webhooks need attention");
        assert_eq!(shown[1].0, "ميزان: الويب هوك يحتاج إلى متابعة");
        assert!(
            shown[1]
                .1
                .contains("لم يعد الويب هوك لدى تمارا كما سُجِّل: https://shop.example/0"),
            "{}",
            shown[1].1
        );
    }

    #[test]
    fn silence_is_told_in_arabic_too() {
        use RegistrationState::Present;
        let ok = health(&[Present], false);
        let silent = health(&[Present], true);
        let (title, body) = notification(Some(&ok), &silent, Some("ar")).unwrap();
        assert!(title.starts_with("ميزان"), "{title}");
        assert!(body.contains("لم يصل أي إشعار ويب هوك موثَّق"), "{body}");
        assert!(!body.is_ascii());
    }

    #[test]
    fn the_dashboard_gets_states_not_sentences() {
        use RegistrationState::{Differs, Missing, Present};
        let h = health(
            &[
                Present,
                Missing,
                Differs {
                    what: vec!["URL".into()],
                },
            ],
            true,
        );
        let s = RegistrationStatus::from(Some(&h));
        assert_eq!(s.registered, 3);
        let states: Vec<&str> = s.problems.iter().map(|p| p.state.as_str()).collect();
        assert_eq!(states, ["missing", "differs"]);
        assert!(s.silent);
        assert_eq!(s.orders_changed, 3);
        assert_eq!(RegistrationStatus::from(None).checked_at, None);
    }
}
