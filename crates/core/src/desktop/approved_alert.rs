//! The desktop's alert for approved orders left waiting for their authorisation: during a
//! flash sale a backlog shows here long before Tamara's 72-hour deadline.
//!
//! Owns the rising-edge rule: one notification when the oldest approved order passes the
//! alert age ([`crate::views::backlog::APPROVED_ALERT_VAR`], 30 minutes by default), again
//! only after the queue came back under it and passed it anew; worded in the UI language.

use crate::views::backlog::{ApprovedWaiting, approved_waiting};

/// Whether the last look was already alerting.
#[derive(Debug, Default)]
pub struct ApprovedWatch {
    alerting: bool,
}

impl ApprovedWatch {
    /// Reads the approved orders and the UI language; the notification, if one is due.
    ///
    /// # Errors
    /// Store errors.
    pub async fn look(
        &mut self,
        console: &crate::Console,
    ) -> crate::Result<Option<(String, String)>> {
        let waiting = approved_waiting(console).await?;
        let locale = console.locale().await?;
        Ok(self.news(&waiting, locale.as_deref()))
    }

    /// The notification (title, body) when `w` starts alerting, in `locale` (`ar` or English).
    pub fn news(&mut self, w: &ApprovedWaiting, locale: Option<&str>) -> Option<(String, String)> {
        let rising = w.alerting && !self.alerting;
        self.alerting = w.alerting;
        if !rising {
            return None;
        }
        let minutes = w.oldest_age_secs.unwrap_or(0) / 60;
        let limit = w.alert_after_secs / 60;
        let n = w.count;
        Some(if locale == Some("ar") {
            (
                "ميزان: طلبات موافَق عليها تنتظر التفويض".to_owned(),
                format!(
                    "{n} طلبات موافَق عليها لم تُفوَّض بعد؛ أقدمها منذ {minutes} دقيقة (التنبيه بعد \
                     {limit} دقيقة). تُلغي تمارا الطلب الموافَق عليه بعد 72 ساعة. راجع تراكم \
                     الإشعارات وحالة المعالج."
                ),
            )
        } else {
            (
                "Mizan: approved orders are waiting for authorisation".to_owned(),
                format!(
                    "{n} approved order(s) not authorised yet; the oldest for {minutes} min (alert \
                     after {limit} min). Tamara expires an approved order 72 h after approval. \
                     Check the webhook backlog and the processor."
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(age_min: u64, alerting: bool) -> ApprovedWaiting {
        ApprovedWaiting {
            count: 40,
            oldest_age_secs: Some(age_min * 60),
            alert_after_secs: 30 * 60,
            alerting,
        }
    }

    #[test]
    fn it_tells_once_when_the_oldest_passes_the_age_and_again_only_after_recovering() {
        let mut w = ApprovedWatch::default();
        assert_eq!(w.news(&waiting(10, false), None), None);
        let (title, body) = w.news(&waiting(31, true), None).unwrap_or_default();
        assert!(title.contains("waiting for authorisation"), "{title}");
        assert!(
            body.starts_with("40 approved") && body.contains("31 min"),
            "{body}"
        );
        assert_eq!(
            w.news(&waiting(45, true), None),
            None,
            "still the same backlog"
        );
        assert_eq!(w.news(&waiting(1, false), None), None);
        let (title, body) = w.news(&waiting(33, true), Some("ar")).unwrap_or_default();
        assert!(
            title.starts_with("ميزان") && body.contains("33"),
            "{title} {body}"
        );
    }
}
