//! `bench-flash` end to end at tiny sizes and no latency: both parts run, every order is
//! authorised, and the table carries the figures (correctness only, never speed).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn a_tiny_run_authorises_every_order_and_prints_both_tables() {
    let out = Command::new(env!("CARGO_BIN_EXE_bench-flash"))
        .args(["--orders", "3", "--open-orders", "6", "--latency-ms", "0"])
        .args(["--approved-percent", "50", "--timeout-secs", "60"])
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
    assert!(
        stdout.contains("| open orders: approved, webhook missed / checkout open | 3 / 3 |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| changed (approved → authorised) / failed | 3 / 0 |"),
        "{stdout}"
    );
    assert!(stdout.contains("linear estimate for 10,000"), "{stdout}");
}
