//! The webhook receiver benchmark end to end, with tiny numbers, against the real `mizan serve`
//! (this package's binary): every request is acknowledged and no acknowledged delivery is
//! missing from the store. Speed is not asserted here; `scripts/bench-webhooks` measures it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use mizan_bench_webhooks::report::Verdict;
use mizan_bench_webhooks::{Baseline, BenchOptions, run};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_is_acknowledged_and_none_is_lost() {
    let mut opts = BenchOptions::new(
        PathBuf::from(env!("CARGO_BIN_EXE_mizan")),
        Baseline::InProcess,
    );
    opts.requests = 200;
    opts.concurrency = 8;
    opts.rate = 100;
    opts.paced_secs = 1;
    opts.warmup = 10;
    opts.orders = 5;
    opts.rounds = 2;
    let report = run(&opts).await.unwrap();

    for (name, target) in [("serve", &report.serve), ("bare", &report.bare)] {
        assert_eq!((target.closed.ok, target.closed.errors), (200, 0), "{name}");
        assert_eq!((target.paced.ok, target.paced.errors), (100, 0), "{name}");
        assert!(target.closed.throughput_rps > 0.0, "{name}");
        assert!(target.closed.latency.p99_us >= target.closed.latency.p50_us);
    }
    assert_eq!(report.rounds.len(), 2);
    assert!(
        report
            .rounds
            .iter()
            .all(|r| r.serve_rps > 0.0 && r.bare_rps > 0.0)
    );
    let inbox = &report.inbox;
    // Round 1: warm-up + paced + closed; round 2 (no paced phase): warm-up + closed; each on
    // its own serve data directory, all of it checked.
    assert_eq!(inbox.acknowledged, 310 + 210, "{inbox:?}");
    assert_eq!(inbox.stored_verified, 520, "{inbox:?}");
    assert_eq!(inbox.stored_other, 0, "every token verified: {inbox:?}");
    assert_eq!(inbox.lost, 0);
    assert_eq!(
        inbox.processed + inbox.pending + inbox.failed + inbox.skipped,
        520
    );
    assert_eq!(inbox.skipped, 0, "distinct event identities: {inbox:?}");
    assert_eq!(report.targets[1].verdict, Verdict::Pass);
    let text = report.render();
    assert!(text.contains("lost = 0"), "{text}");
    assert!(
        text.contains("throughput serve/bare (informational)"),
        "{text}"
    );
    assert!(text.contains("round 2: bare"), "{text}");
}

/// The same tiny run with `mizan serve --database` on a throwaway PostgreSQL cluster: the loss
/// check reads the PostgreSQL inbox. Skipped without PostgreSQL unless MIZAN_REQUIRE_POSTGRES=1.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_postgres_every_request_is_acknowledged_and_none_is_lost() {
    let mut opts = BenchOptions::new(
        PathBuf::from(env!("CARGO_BIN_EXE_mizan")),
        Baseline::InProcess,
    );
    opts.backend = mizan_bench_webhooks::Backend::Postgres;
    opts.requests = 100;
    opts.concurrency = 8;
    opts.rate = 50;
    opts.paced_secs = 1;
    opts.warmup = 10;
    opts.orders = 5;
    opts.rounds = 1;
    let report = match run(&opts).await {
        Err(e) if e.code() == "bench_no_postgres" && !mizan_pgtest::required() => {
            eprintln!("skipped: {e}");
            return;
        }
        other => other.unwrap(),
    };
    assert_eq!(
        (report.serve.closed.ok, report.serve.closed.errors),
        (100, 0)
    );
    assert_eq!((report.serve.paced.ok, report.serve.paced.errors), (50, 0));
    let inbox = &report.inbox;
    assert_eq!(inbox.acknowledged, 160, "{inbox:?}");
    assert_eq!(inbox.stored_verified, 160, "{inbox:?}");
    assert_eq!(inbox.stored_other, 0, "{inbox:?}");
    assert_eq!(inbox.lost, 0);
    assert_eq!(report.targets[1].verdict, Verdict::Pass);
    let text = report.render();
    assert!(text.contains("on PostgreSQL"), "{text}");
    assert!(text.contains("lost = 0"), "{text}");
}
