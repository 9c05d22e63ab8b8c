//! The desktop's exports never replace a file by surprise: on real files, a second export to
//! the same path is refused with `export_file_exists` naming the file and its `.totals.csv`,
//! leaves both byte for byte, and replaces both only when asked to.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use mizan_core::ErrorCode;
use mizan_core::desktop::ops::{self, ExportKind};

async fn run(
    console: &mizan_core::Console,
    kind: ExportKind,
    file: &std::path::Path,
    overwrite: bool,
) -> mizan_core::Result<(u64, Vec<String>)> {
    let window = ops::export_window(None, None, "Asia/Riyadh").unwrap();
    ops::export_csv(console, (kind, file, overwrite), window, None, &mut |_| {}).await
}

#[tokio::test]
async fn a_second_export_is_refused_then_replaces_both_files_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[]).await;
    let out = dir.path().join("settlement.csv");
    let totals = dir.path().join("settlement.totals.csv");

    run(&console, ExportKind::Settlement, &out, false)
        .await
        .unwrap();
    assert!(out.exists() && totals.exists());
    assert_eq!(
        ops::export_existing(ExportKind::Settlement, &out),
        vec![out.display().to_string(), totals.display().to_string()]
    );

    // Yesterday's files, recognisable byte for byte.
    std::fs::write(&out, b"yesterday's settlement\r\n").unwrap();
    std::fs::write(&totals, b"yesterday's totals\r\n").unwrap();
    let e = run(&console, ExportKind::Settlement, &out, false)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ExportFileExists);
    let message = e.to_string();
    assert!(message.contains("settlement.csv"), "{message}");
    assert!(message.contains("settlement.totals.csv"), "{message}");
    assert_eq!(std::fs::read(&out).unwrap(), b"yesterday's settlement\r\n");
    assert_eq!(std::fs::read(&totals).unwrap(), b"yesterday's totals\r\n");

    // Asked explicitly: both are replaced.
    run(&console, ExportKind::Settlement, &out, true)
        .await
        .unwrap();
    assert!(std::fs::read(&out).unwrap().starts_with(b"environment,"));
    assert!(std::fs::read(&totals).unwrap().starts_with(b"environment,"));
}

#[tokio::test]
async fn a_leftover_totals_file_alone_is_refused_too() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[]).await;
    let out = dir.path().join("day.csv");
    let totals = dir.path().join("day.totals.csv");
    std::fs::write(&totals, b"old totals").unwrap();

    let e = run(&console, ExportKind::Settlement, &out, false)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ExportFileExists);
    assert!(!out.exists(), "nothing was written");
    assert_eq!(std::fs::read(&totals).unwrap(), b"old totals");
    // An orders export writes no totals: only its own file counts.
    assert!(ops::export_existing(ExportKind::Orders, &out).is_empty());
    run(&console, ExportKind::Orders, &out, false)
        .await
        .unwrap();
    let e = run(&console, ExportKind::Orders, &out, false)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ExportFileExists);
}

#[tokio::test]
async fn a_selection_is_refused_when_empty_or_on_another_kind_of_export() {
    let dir = tempfile::tempdir().unwrap();
    let console = common::console(dir.path(), &[]).await;
    let out = dir.path().join("selection.csv");
    let window = || ops::export_window(None, None, "UTC").unwrap();
    let (orders, settlement) = (
        (ExportKind::Orders, out.as_path(), false),
        (ExportKind::Settlement, out.as_path(), false),
    );
    let e = ops::export_csv(&console, orders, window(), Some(vec![]), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let ids = Some(vec!["o-1".to_owned()]);
    let e = ops::export_csv(&console, settlement, window(), ids.clone(), &mut |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(!out.exists(), "nothing was written");
    let (rows, _) = ops::export_csv(&console, orders, window(), ids, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(rows, 0, "an id that is not cached is simply not there");
    assert!(std::fs::read(&out).unwrap().starts_with(b"environment,"));
}
