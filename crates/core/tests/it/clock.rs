//! Core reads the time from the console's one clock: a test that sets it sees every stamp
//! follow, and no module reads the system time on its own.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use mizan_core::clock::ManualClock;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn stamps_follow_the_consoles_clock() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::new(at("2031-03-04T05:06:07Z")));
    let console = super::common::console(dir.path(), &[])
        .await
        .with_clock(clock.clone());

    let list = mizan_core::checklist::evaluate(&console).await.unwrap();
    assert_eq!(list.generated_at, at("2031-03-04T05:06:07Z"));

    clock.advance(Duration::from_secs(3600));
    mizan_core::checklist::mark(&console, "shipping_updates", true, Some("done"))
        .await
        .unwrap();
    let trail = mizan_core::audit::recent(console.store(), None, None, 10)
        .await
        .unwrap();
    let last = trail.first().unwrap();
    assert_eq!(last.at, at("2031-03-04T06:06:07Z"), "{last:?}");
}

/// Outside `clock.rs` and test code, no core source calls `Utc::now()` or `SystemTime::now()`.
#[test]
fn no_module_reads_the_system_time_itself() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            // `x_tests.rs` files are test modules (`#[cfg(test)] #[path = …] mod tests;`).
            if path.file_name().is_some_and(|n| n == "clock.rs")
                || path.extension().is_none_or(|e| e != "rs")
                || path
                    .file_stem()
                    .is_some_and(|s| s.to_string_lossy().ends_with("_tests"))
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                let line = line.split("//").next().unwrap_or_default();
                if line.contains("Utc::now()") || line.contains("SystemTime::now()") {
                    offenders.push(format!("{}:{}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "read the time from the context's clock: {offenders:#?}"
    );
}
