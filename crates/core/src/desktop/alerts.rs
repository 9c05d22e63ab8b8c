//! Alerts the desktop raises as notifications: a spike of refused deliveries, and orders that
//! need a person soon (a Tamara deadline within a day, an auto-authorisation that failed, a
//! money move whose outcome is unknown).
//!
//! Owns the shape the dashboard shows ([`RejectionSpike`]), the rising-edge rule of the spike
//! notification ([`notify_on_rejection_spikes`]: once when refused deliveries cross the
//! threshold, again only after they fell below and cross it anew), and the queue rule
//! ([`QueueWatch`]: once per order and cause while it stays in the attention queue; many at
//! once are one summary, so a morning's backlog does not bury the screen). The audit log's
//! alteration is worded here too ([`audit_altered`]), in the UI language like the rest.

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::{Breach, ChainBreak};
use crate::views::attention::{AttentionItem, AttentionReason};
use crate::webhooks::health::RecentRejections;

/// A deadline this close is worth a notification.
pub const DEADLINE_WARNING_HOURS: i64 = 24;

/// More news than this at once becomes one summary notification.
const MAX_SINGLE: usize = 3;

/// What the attention queue has already been told about.
#[derive(Debug, Default)]
pub struct QueueWatch {
    told: HashSet<(String, &'static str)>,
}

/// How often the desktop looks at the attention queue for news.
pub const QUEUE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

impl QueueWatch {
    /// Reads the attention queue and the UI language, and returns what is new
    /// ([`QueueWatch::news`]).
    ///
    /// # Errors
    /// Store errors.
    pub async fn look(&mut self, console: &crate::Console) -> crate::Result<Vec<(String, String)>> {
        let now = console.now();
        let items = crate::views::attention::attention_queue(console, now).await?;
        let locale = console.locale().await?;
        Ok(self.news(&items, now, locale.as_deref()))
    }

    /// Notifications (title, body) for what is new in `items` since the last call, in the
    /// UI language `locale` (`ar` or English).
    pub fn news(
        &mut self,
        items: &[AttentionItem],
        now: DateTime<Utc>,
        locale: Option<&str>,
    ) -> Vec<(String, String)> {
        let arabic = locale == Some("ar");
        let mut current = HashSet::new();
        let mut fresh = Vec::new();
        for item in items {
            let cause = match (item.reason, item.deadline) {
                (_, Some(d)) if d - now <= Duration::hours(DEADLINE_WARNING_HOURS) => "deadline",
                (AttentionReason::AutoAuthoriseFailed, _) => "auto_authorise_failed",
                (AttentionReason::Mismatch, _) => "mismatch",
                _ => continue,
            };
            let key = (item.order_id.clone(), cause);
            if !self.told.contains(&key) {
                fresh.push((item, cause));
            }
            current.insert(key);
        }
        self.told = current;
        if fresh.len() > MAX_SINGLE {
            let n = fresh.len();
            return vec![if arabic {
                (
                    "ميزان: طلبات تحتاج إلى متابعة".to_owned(),
                    format!("{n} طلبات تحتاج إلى شخص الآن. افتح قائمة المتابعة."),
                )
            } else {
                (
                    "Mizan: orders need attention".to_owned(),
                    format!("{n} orders need a person now. Open the attention queue."),
                )
            }];
        }
        fresh
            .into_iter()
            .map(|(item, cause)| {
                let order = if item.reference.is_empty() {
                    &item.order_id
                } else {
                    &item.reference
                };
                let hours = item.deadline.map_or(0, |d| (d - now).num_hours().max(0));
                match (cause, arabic) {
                    ("deadline", false) => (
                        format!("Mizan: order {order} — deadline in {hours} h"),
                        "Tamara acts on its own at the deadline. Open the order to act first."
                            .to_owned(),
                    ),
                    ("deadline", true) => (
                        format!("ميزان: الطلب {order} — المهلة خلال {hours} ساعة"),
                        "تتصرف تمارا من تلقاء نفسها عند انتهاء المهلة. افتح الطلب لتتصرف قبلها."
                            .to_owned(),
                    ),
                    ("auto_authorise_failed", false) => (
                        format!("Mizan: order {order} was not authorised"),
                        "Authorising it automatically failed; it is retried, or authorise it \
                         from the order."
                            .to_owned(),
                    ),
                    ("auto_authorise_failed", true) => (
                        format!("ميزان: لم يُفوَّض الطلب {order}"),
                        "فشل التفويض التلقائي؛ ستُعاد المحاولة، أو فوّضه من شاشة الطلب.".to_owned(),
                    ),
                    (_, false) => (
                        format!("Mizan: order {order} needs a person"),
                        "A money move's outcome is unknown or the order could not be read. \
                         Open the order."
                            .to_owned(),
                    ),
                    (_, true) => (
                        format!("ميزان: الطلب {order} يحتاج إلى شخص"),
                        "نتيجة عملية مالية غير معروفة أو تعذّرت قراءة الطلب. افتح الطلب.".to_owned(),
                    ),
                }
            })
            .collect()
    }
}

/// Refused deliveries of the last ten minutes at or above the alert threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RejectionSpike {
    pub refused: u32,
    /// Distinct sender addresses.
    pub senders: u32,
    /// The address that sent the most.
    pub top_sender: Option<String>,
    pub top_sender_refused: u32,
    /// The alert's threshold (refused deliveries per ten minutes).
    pub threshold: u32,
}

impl RejectionSpike {
    /// The spike `r` describes, if it is one.
    pub fn of(r: &RecentRejections) -> Option<RejectionSpike> {
        let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        r.spiking.then(|| RejectionSpike {
            refused: n(r.counts.refused),
            senders: n(r.counts.senders),
            top_sender: r.counts.top_sender.as_ref().map(|t| t.0.clone()),
            top_sender_refused: r.counts.top_sender.as_ref().map_or(0, |t| n(t.1)),
            threshold: r.threshold,
        })
    }

    /// The desktop notification's title and body, in the UI language `locale` (`ar`, else
    /// English).
    pub fn notification(&self, locale: Option<&str>) -> (String, String) {
        let (refused, senders) = (self.refused, self.senders);
        if locale == Some("ar") {
            let top = (self.top_sender.as_ref())
                .map(|s| format!("، منها {} من {s}", self.top_sender_refused))
                .unwrap_or_default();
            return (
                "ميزان: تزايد الإشعارات المرفوضة".to_owned(),
                format!(
                    "{refused} إشعاراً بلا رمز صالح خلال 10 دقائق من {senders} عنوان{top}. \
                     ربما يتحسس أحدهم المستقبِل، أو يُفسد وكيلٌ أو رمزُ إشعارات متغيّر إشعاراتِ تمارا."
                ),
            );
        }
        let top = (self.top_sender.as_ref())
            .map(|s| format!(", {} from {s}", self.top_sender_refused))
            .unwrap_or_default();
        (
            "Mizan: refused webhook deliveries are spiking".to_owned(),
            format!(
                "{refused} deliveries without a valid token in 10 minutes from {senders} \
                 address(es){top}. Someone may be probing the receiver, or a proxy or a changed \
                 notification token is breaking Tamara's."
            ),
        )
    }
}

/// Calls `show(title, body)` each time refused deliveries from `readings` start spiking,
/// until `stopped` turns true, in the UI language `console` has saved at that moment. The
/// desktop shell passes its notifier.
pub async fn notify_on_rejection_spikes(
    console: crate::Console,
    mut readings: tokio::sync::watch::Receiver<Option<RecentRejections>>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
    show: impl Fn(String, String) + Send,
) {
    let mut spiking = false;
    loop {
        tokio::select! {
            _ = stopped.wait_for(|s| *s) => break,
            changed = readings.changed() => {
                if changed.is_err() {
                    break;
                }
            }
        }
        let reading = readings.borrow_and_update().clone();
        let Some(r) = reading else { continue };
        match RejectionSpike::of(&r) {
            Some(spike) if !spiking => {
                // An unreadable setting falls back to English: the news matters more.
                let locale = console.locale().await.ok().flatten();
                let (title, body) = spike.notification(locale.as_deref());
                show(title, body);
                spiking = true;
            }
            Some(_) => {}
            None => spiking = false,
        }
    }
}

/// The notification that the audit log was altered (the receiver's verification found `b`),
/// in the UI language `locale` (`ar`, else English).
pub fn audit_altered(b: &ChainBreak, locale: Option<&str>) -> (String, String) {
    if locale != Some("ar") {
        return (
            "Mizan: the audit log was altered".to_owned(),
            format!("{} Run `mizan audit verify` for the report.", b.describe()),
        );
    }
    let seq = b.seq;
    let what = match &b.breach {
        Breach::Missing { next_present } if *next_present == seq + 1 => {
            format!("السجل {seq} مفقود (حُذف).")
        }
        Breach::Missing { next_present } => {
            format!("السجلات من {seq} إلى {} مفقودة (حُذفت).", next_present - 1)
        }
        Breach::Unlinked => format!(
            "السجل {seq} لا يرتبط بالسجل {0}: أُدرج صف قبله أو أُعيدت كتابة السجل {0}.",
            seq - 1
        ),
        Breach::Edited => format!("عُدِّل السجل {seq}: محتواه لا يطابق بصمته."),
        Breach::Truncated { verified_seq } => format!(
            "السجل {seq} مفقود: تنتهي السلسلة عند {} مع أن السجل {verified_seq} تُحقِّق منه \
             من قبل (حُذفت أحدث السجلات).",
            seq - 1
        ),
        Breach::Rewritten => {
            format!("للسجل {seq} بصمة غير التي كانت عند آخر تحقق: أُعيدت كتابة السلسلة.")
        }
        Breach::CheckpointForged { checkpoint_id } => format!(
            "نقطة التحقق {checkpoint_id} (للسجل {seq}) غير موقَّعة بمفتاح التدقيق: زُوِّرت أو عُدِّلت."
        ),
    };
    (
        "ميزان: عُدِّل سجل التدقيق".to_owned(),
        format!("{what} شغّل `mizan audit verify` للحصول على التقرير."),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::store::delivery_stats::RefusalCounts;

    fn reading(refused: u64) -> RecentRejections {
        RecentRejections {
            counts: RefusalCounts {
                refused,
                senders: 1,
                top_sender: Some(("203.0.113.9".into(), refused)),
            },
            threshold: 50,
            spiking: refused >= 50,
        }
    }

    fn item(order: &str, reason: AttentionReason, hours: Option<i64>) -> AttentionItem {
        AttentionItem {
            order_id: order.into(),
            reference: format!("REF-{order}"),
            reason,
            deadline: hours.map(|h| chrono::Utc::now() + chrono::Duration::hours(h)),
            amount: None,
            customer: None,
            detail: String::new(),
            phrase: crate::views::phrase::Phrase::new(
                crate::views::phrase::PhraseCode::Reason,
                &[],
            ),
        }
    }

    #[test]
    fn the_queue_tells_each_order_and_cause_once_while_it_stays() {
        use AttentionReason::*;
        let now = chrono::Utc::now();
        let mut w = QueueWatch::default();
        let first = w.news(
            &[
                item("a", ApprovedNotAuthorised, Some(5)),
                item("b", AuthorisedNotCaptured, Some(200)),
                item("c", AutoAuthoriseFailed, None),
            ],
            now,
            None,
        );
        let titles: Vec<&str> = first.iter().map(|n| n.0.as_str()).collect();
        assert_eq!(titles.len(), 2, "b's deadline is days away: {titles:?}");
        assert!(
            titles[0].contains("REF-a") && titles[0].contains("deadline in 5 h"),
            "{titles:?}"
        );
        let again = w.news(&[item("a", ApprovedNotAuthorised, Some(5))], now, None);
        assert!(again.is_empty(), "told already");
        assert!(w.news(&[], now, None).is_empty());
        let back = w.news(
            &[item("a", ApprovedNotAuthorised, Some(5))],
            now,
            Some("ar"),
        );
        assert!(
            back[0].0.contains("المهلة"),
            "gone and back: told again, in Arabic: {back:?}"
        );
        let many: Vec<_> = (0..5)
            .map(|i| item(&format!("m{i}"), Mismatch, None))
            .collect();
        let summary = w.news(&many, now, None);
        assert_eq!(summary.len(), 1);
        assert!(summary[0].1.starts_with("5 orders"), "{summary:?}");
    }

    #[test]
    fn a_spike_names_its_busiest_sender() {
        assert_eq!(RejectionSpike::of(&reading(49)), None);
        let spike = RejectionSpike::of(&reading(80)).unwrap();
        assert_eq!((spike.refused, spike.top_sender_refused), (80, 80));
        let (_, body) = spike.notification(None);
        assert!(
            body.contains("80 deliveries") && body.contains("203.0.113.9"),
            "{body}"
        );
    }

    #[tokio::test]
    async fn notifies_once_per_spike() {
        let (tx, rx) = tokio::sync::watch::channel(None);
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let shown = Arc::new(Mutex::new(Vec::new()));
        let sink = shown.clone();
        let dir = tempfile::tempdir().unwrap();
        let console = crate::desktop::test_console(dir.path()).await;
        console.save_locale("ar").await.unwrap();
        let task = tokio::spawn(notify_on_rejection_spikes(
            console,
            rx,
            stopped,
            move |title, body| {
                assert_eq!(title, "ميزان: تزايد الإشعارات المرفوضة");
                sink.lock().unwrap().push(body);
            },
        ));
        // Time enough per reading for the notifier to read the saved language.
        for n in [10, 60, 90, 70, 5, 55] {
            tx.send(Some(reading(n))).unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(60)).await;
        }
        stop.send(true).unwrap();
        task.await.unwrap();
        let shown = shown.lock().unwrap();
        assert_eq!(shown.len(), 2, "rose, stayed, fell, rose again: {shown:?}");
        assert!(
            shown[0].starts_with("60 إشعاراً بلا رمز صالح"),
            "{}",
            shown[0]
        );
    }

    #[test]
    fn the_audit_alteration_is_told_in_the_ui_language() {
        let b = ChainBreak {
            seq: 12,
            breach: Breach::Missing { next_present: 15 },
        };
        let (title, body) = audit_altered(&b, Some("ar"));
        assert_eq!(title, "ميزان: عُدِّل سجل التدقيق");
        assert!(body.starts_with("السجلات من 12 إلى 14 مفقودة"), "{body}");
        assert!(body.contains("`mizan audit verify`"), "{body}");
        let (title, body) = audit_altered(&b, None);
        assert_eq!(title, "Mizan: the audit log was altered");
        assert!(body.starts_with("entries 12 to 14 are missing"), "{body}");
        let edited = ChainBreak {
            seq: 3,
            breach: Breach::Edited,
        };
        assert!(
            audit_altered(&edited, Some("ar"))
                .1
                .starts_with("عُدِّل السجل 3")
        );
    }
}
