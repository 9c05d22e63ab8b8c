//! The real `mizan` binary in the store, against the real simulator: a session texted to the
//! customer, voided while unpaid (and refused once paid), the customer's ID status, and input
//! problems refused before any request.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::moves_support::{Cli, Sim};

#[tokio::test(flavor = "multi_thread")]
async fn a_session_is_texted_cached_and_voided_while_unpaid() {
    let sim = Sim::start(401).await;
    let cli = Cli::new(&sim);
    let s = cli.ok(&[
        "checkout",
        "in-store",
        "--phone",
        "966500000001",
        "--amount",
        "250.00",
        "--ref",
        "TILL-1",
    ]);
    let (order, checkout) = (
        s["order_id"].as_str().unwrap().to_owned(),
        s["checkout_id"].as_str().unwrap().to_owned(),
    );
    assert!(
        s["checkout_deeplink"]
            .as_str()
            .is_some_and(|l| !l.is_empty()),
        "{s}"
    );
    assert_eq!(
        sim.order(&order).await["total_amount"]["amount"].to_string(),
        "250.00"
    );
    let shown = cli.ok(&["orders", "show", &order]);
    assert_eq!(
        shown["order_reference_id"], "TILL-1",
        "cached on creation: {shown}"
    );

    let v = cli.ok(&["checkout", "void", &checkout, "--order", &order]);
    assert_eq!(v["order_was_voided"], true, "{v}");
    let again = cli.ok(&["checkout", "void", &checkout, "--order", &order]);
    assert_eq!(again["order_was_voided"], false, "{again}");

    let id = cli.ok(&[
        "checkout",
        "id-status",
        "--phone",
        "966500000001",
        "--country",
        "SA",
    ]);
    assert!(id["is_id_verified"].is_boolean(), "{id}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_before_any_request() {
    let sim = Sim::start(402).await;
    let cli = Cli::new(&sim);
    for args in [
        &[
            "checkout", "in-store", "--phone", "call me", "--amount", "10", "--ref", "R",
        ][..],
        &[
            "checkout",
            "in-store",
            "--phone",
            "966500000001",
            "--amount",
            "-1",
            "--ref",
            "R",
        ],
        &[
            "checkout",
            "in-store",
            "--phone",
            "966500000001",
            "--amount",
            "1.005",
            "--ref",
            "R",
        ],
        &[
            "checkout",
            "id-status",
            "--phone",
            "966500000001",
            "--country",
            "KW",
        ],
    ] {
        let out = cli.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let orders = sim
        .call(reqwest::Method::GET, "/_sandbox/orders", None)
        .await;
    assert_eq!(
        orders.as_array().map_or(0, Vec::len),
        0,
        "nothing reached Tamara: {orders}"
    );
}
