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

#[tokio::test(flavor = "multi_thread")]
async fn a_qr_session_is_audited_and_its_order_cached() {
    let sim = Sim::start(403).await;
    let cli = Cli::new(&sim);
    let s = cli.ok(&[
        "checkout",
        "in-store",
        "--qr",
        "--device-id",
        "TILL-07",
        "--amount",
        "99.50",
        "--ref",
        "QR-1",
    ]);
    let order = s["order_id"].as_str().unwrap().to_owned();
    assert_eq!(
        sim.order(&order).await["total_amount"]["amount"].to_string(),
        "99.50"
    );
    let shown = cli.ok(&["orders", "show", &order]);
    assert_eq!(shown["order_reference_id"], "QR-1", "{shown}");
    let audit = cli.audit().await;
    let started = audit.iter().find(|e| e.action == "in_store.start").unwrap();
    assert_eq!(started.subject, "QR-1");
    assert!(
        started
            .request_summary
            .as_deref()
            .is_some_and(|s| s.contains("qr device TILL-07")),
        "{started:?}"
    );
    assert!(started.result.starts_with("ok: order"), "{started:?}");
    // --qr without a till id, or with a phone, is refused before any request.
    for args in [
        &[
            "checkout", "in-store", "--qr", "--amount", "1", "--ref", "R",
        ][..],
        &[
            "checkout",
            "in-store",
            "--qr",
            "--device-id",
            "T",
            "--phone",
            "966500000001",
            "--amount",
            "1",
            "--ref",
            "R",
        ],
    ] {
        assert_eq!(cli.run(args).status.code(), Some(2), "{args:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn payment_types_and_the_pre_check_say_what_tamara_would_offer() {
    let sim = Sim::start(404).await;
    let cli = Cli::new(&sim);
    let types = cli.ok(&[
        "checkout",
        "payment-types",
        "--country",
        "SA",
        "--amount",
        "500",
    ]);
    let names: Vec<&str> = types
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"PAY_BY_INSTALMENTS"), "{types}");
    let pre = cli.ok(&[
        "checkout",
        "pre-check",
        "--phone",
        "966500000001",
        "--amount",
        "500",
    ]);
    assert!(pre["has_available_payment_options"].is_boolean(), "{pre}");
    let out = cli.run(&["checkout", "payment-types", "--country", "Saudi"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_order_reference_is_corrected_audited_and_re_read() {
    let sim = Sim::start(405).await;
    let cli = Cli::new(&sim);
    let id = sim.new_order("TYPO-1").await;
    let v = cli.ok(&["orders", "set-ref", &id, "FIXED-1"]);
    assert_eq!(v["order_reference_id"], "FIXED-1", "{v}");
    assert_eq!(sim.order(&id).await["order_reference_id"], "FIXED-1");
    let audit = cli.audit().await;
    let set = audit
        .iter()
        .find(|e| e.action == "order.set_reference")
        .unwrap();
    assert_eq!(
        (set.subject.as_str(), set.result.as_str()),
        (id.as_str(), "ok")
    );
    let out = cli.run(&["orders", "set-ref", &id, "  "]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(sim.order(&id).await["order_reference_id"], "FIXED-1");
}
