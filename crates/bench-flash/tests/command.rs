//! `bench-flash` end to end at tiny sizes and no latency: all three parts run, every order is
//! authorised, and the tables carry the figures (correctness only, never speed).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn a_tiny_run_authorises_every_order_and_prints_every_table() {
    let out = Command::new(env!("CARGO_BIN_EXE_bench-flash"))
        .args(["--orders", "3", "--open-orders", "6", "--latency-ms", "0"])
        .args(["--approved-percent", "50", "--timeout-secs", "60"])
        .args(["--ticks", "1"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("| authorised in the store | 3 of 3 |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("acknowledgement → authorised, p99"),
        "{stdout}"
    );
    // The reconciler's first tick finds the three approved checkouts and authorises them.
    assert!(
        stdout.contains("| approved orders authorised by the reconciler | 3 of 3 |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| tick 1 (3 changed, 0 failed;"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| deadlines in the run, missed | 4, 0 (PASS) |"),
        "{stdout}"
    );
}
