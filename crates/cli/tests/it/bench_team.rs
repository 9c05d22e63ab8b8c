//! The team server's order-list benchmark end to end, with tiny numbers, against the real
//! `mizan serve --database` (this package's binary) on a throwaway PostgreSQL cluster: every
//! console's every page request is answered. Speed is not asserted here;
//! `scripts/bench-team` measures it. Skipped without PostgreSQL unless
//! MIZAN_REQUIRE_POSTGRES=1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use mizan_bench_team::{BenchOptions, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_console_gets_every_page() {
    let mut opts = BenchOptions::new(PathBuf::from(env!("CARGO_BIN_EXE_mizan")));
    opts.orders = 500;
    opts.consoles = 2;
    opts.requests = 15; // five sessions: every query kind, each first, next and 21st page
    opts.limit = 10;
    opts.cheap_tokens = true; // a debug build hashes the default Argon2 cost slowly
    let report = match run(&opts).await {
        Err(e) if e.code() == "bench_no_postgres" && !mizan_pgtest::required() => {
            eprintln!("skipped: {e}");
            return;
        }
        other => other.unwrap(),
    };
    assert_eq!(
        (report.ok, report.errors),
        (30, 0),
        "{:?}",
        report.first_error
    );
    assert_eq!(
        report.by_kind.len(),
        15,
        "5 kinds x 3 pages: {:?}",
        report.by_kind
    );
    assert!(report.latency.p95_us >= report.latency.p50_us);
    assert!(report.requests_per_sec > 0.0);
    let text = report.render();
    assert!(text.contains("text search"), "{text}");
    assert!(text.contains("page p95 < 100 ms"), "{text}");
}
