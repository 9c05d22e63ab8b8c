//! Alerts the desktop raises about the receiver's intake: a spike of refused deliveries.
//!
//! Owns the shape the dashboard shows ([`RejectionSpike`]) and the rising-edge rule of the
//! desktop notification ([`notify_on_rejection_spikes`]): one notification when refused
//! deliveries cross the threshold, none while they stay above it, one again after they fell
//! below and cross it anew.

use serde::{Deserialize, Serialize};

use crate::webhooks::health::RecentRejections;

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

    /// The desktop notification's title and body.
    pub fn notification(&self) -> (String, String) {
        let top = self
            .top_sender
            .as_ref()
            .map(|s| format!(", {} from {s}", self.top_sender_refused))
            .unwrap_or_default();
        (
            "Mizan: refused webhook deliveries are spiking".to_owned(),
            format!(
                "{} deliveries without a valid token in 10 minutes from {} address(es){top}. \
                 Someone may be probing the receiver, or a proxy or a changed notification \
                 token is breaking Tamara's.",
                self.refused, self.senders
            ),
        )
    }
}

/// Calls `show(title, body)` each time refused deliveries from `readings` start spiking,
/// until `stopped` turns true. The desktop shell passes its notifier.
pub async fn notify_on_rejection_spikes(
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
                let (title, body) = spike.notification();
                show(title, body);
                spiking = true;
            }
            Some(_) => {}
            None => spiking = false,
        }
    }
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

    #[test]
    fn a_spike_names_its_busiest_sender() {
        assert_eq!(RejectionSpike::of(&reading(49)), None);
        let spike = RejectionSpike::of(&reading(80)).unwrap();
        assert_eq!((spike.refused, spike.top_sender_refused), (80, 80));
        let (_, body) = spike.notification();
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
        let task = tokio::spawn(notify_on_rejection_spikes(rx, stopped, move |_, body| {
            sink.lock().unwrap().push(body);
        }));
        for n in [10, 60, 90, 70, 5, 55] {
            tx.send(Some(reading(n))).unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        stop.send(true).unwrap();
        task.await.unwrap();
        let shown = shown.lock().unwrap();
        assert_eq!(shown.len(), 2, "rose, stayed, fell, rose again: {shown:?}");
    }
}
