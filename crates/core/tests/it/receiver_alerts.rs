//! The rejection alert and the inbox's saved settings over a real SQLite file: refused
//! deliveries of the last ten minutes counted per sender address (any port), a spike against
//! the configured or saved threshold, and retention saved on the settings form winning over
//! the configuration.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use mizan_core::store::deliveries::DeliveryVerdict;
use mizan_core::webhooks::health;
use mizan_core::{Console, Error};

use crate::common;

async fn refused(console: &Console, at: DateTime<Utc>, sender: Option<&str>) {
    common::stored_delivery(console, at, DeliveryVerdict::Rejected, sender, None).await;
}

#[tokio::test]
async fn refused_deliveries_spike_per_address_against_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[("MIZAN_REJECTION_ALERT_PER_10_MIN", "60")]).await;
    let now = Utc::now();
    for i in 0..58 {
        refused(
            &console,
            now - Duration::minutes(1),
            Some(&format!("203.0.113.9:{}", 40_000 + i)),
        )
        .await;
    }
    refused(
        &console,
        now - Duration::minutes(2),
        Some("[2001:db8::1]:5000"),
    )
    .await;
    refused(
        &console,
        now - Duration::minutes(2),
        Some("[2001:db8::1]:5001"),
    )
    .await;
    refused(&console, now - Duration::minutes(3), None).await;
    // Outside the window: counted nowhere.
    for _ in 0..30 {
        refused(
            &console,
            now - Duration::minutes(20),
            Some("198.51.100.7:1"),
        )
        .await;
    }

    let r = health::recent_rejections(&console, now).await.unwrap();
    assert_eq!(r.counts.refused, 61);
    assert_eq!(r.counts.senders, 3, "{r:?}");
    assert_eq!(r.counts.top_sender, Some(("203.0.113.9".to_owned(), 58)));
    assert_eq!(r.threshold, 60, "from the configuration");
    assert!(r.spiking);

    let mut s = console.settings().await.unwrap();
    assert_eq!(s.rejection_alert_per_10_min, 60);
    s.rejection_alert_per_10_min = 100;
    console.save_settings(&s).await.unwrap();
    let r = health::recent_rejections(&console, now).await.unwrap();
    assert_eq!(
        (r.threshold, r.spiking),
        (100, false),
        "the saved threshold wins"
    );

    let h = health::receiver_health(&console, now).await.unwrap();
    assert_eq!(h.rejections, r, "status reads the same");
}

#[tokio::test]
async fn retention_saved_on_the_form_wins_over_the_configuration_and_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[("MIZAN_RETENTION_REJECTED_DAYS", "14")]).await;
    let r = mizan_core::settings::retention(&console).await.unwrap();
    assert_eq!((r.rejected_days, r.processed_days), (14, 90));

    let mut s = console.settings().await.unwrap();
    assert_eq!(
        (s.retention_rejected_days, s.retention_processed_days),
        (14, 90)
    );
    s.retention_rejected_days = 3;
    s.retention_processed_days = 30;
    console.save_settings(&s).await.unwrap();
    let r = mizan_core::settings::retention(&console).await.unwrap();
    assert_eq!((r.rejected_days, r.processed_days), (3, 30));

    for bad in [0, 3_651] {
        let mut s = console.settings().await.unwrap();
        s.retention_processed_days = bad;
        let e = console.save_settings(&s).await.unwrap_err();
        assert!(
            matches!(&e, Error::Invalid(m) if m.contains("processed deliveries")),
            "{e:?}"
        );
    }
    let r = mizan_core::settings::retention(&console).await.unwrap();
    assert_eq!(r.processed_days, 30, "a refused save changes nothing");
}
