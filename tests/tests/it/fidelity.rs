//! `docs/FIDELITY.md` stays true: it is what the table renders, the table covers every
//! operation of Tamara's OpenAPI file, and every client function and simulator route it names
//! exists.

#![allow(clippy::unwrap_used)] // a broken fixture fails the test

use std::path::PathBuf;

use mizan_scenarios::fidelity::{self, ROWS};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn oas() -> Value {
    serde_json::from_str(&std::fs::read_to_string(root().join(fidelity::OPENAPI)).unwrap()).unwrap()
}

#[test]
fn the_document_is_what_the_table_renders() {
    let on_disk = std::fs::read_to_string(root().join(fidelity::DOCUMENT)).unwrap();
    assert!(
        on_disk == fidelity::render(&oas()),
        "docs/FIDELITY.md drifted: run `cargo run -p mizan-scenarios --bin fidelity`"
    );
}

#[test]
fn every_operation_of_the_file_has_one_row_and_every_row_one_operation() {
    let ops: Vec<String> = fidelity::operations(&oas())
        .into_iter()
        .map(|o| o.2)
        .collect();
    assert_eq!(ops.len(), 19, "Tamara Public APIs v1.0 has 19 operations");
    for op in &ops {
        let n = ROWS.iter().filter(|r| r.operation == *op).count();
        assert_eq!(n, 1, "{op}: {n} rows");
    }
    for r in ROWS.iter().filter(|r| r.outside_oas.is_none()) {
        assert!(
            ops.contains(&r.operation.to_owned()),
            "{} is not in the file",
            r.operation
        );
    }
}

#[test]
fn the_named_contract_suites_exist() {
    for suite in [fidelity::CLIENT_SUITE, fidelity::SIMULATOR_SUITE] {
        assert!(root().join(suite).is_file(), "{suite} is named but missing");
    }
}

#[test]
fn every_named_client_function_exists() {
    // The client's methods live in client.rs and the files of its submodules (client/).
    let src = root().join("crates/tamara/src");
    let mut files = vec![src.join("client.rs")];
    for entry in std::fs::read_dir(src.join("client")).into_iter().flatten() {
        files.push(entry.unwrap().path());
    }
    let client: String = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    for name in ROWS.iter().filter_map(|r| r.client) {
        assert!(
            client.contains(&format!("pub async fn {name}(")),
            "TamaraClient::{name} is named in the table but not defined"
        );
    }
}

/// A route the simulator serves answers 401 without a token (its auth layer runs only for
/// matched routes); one it does not serve answers its 404/405 fallback.
#[tokio::test]
async fn every_named_simulator_route_is_served() {
    let sb = mizan_scenarios::sandbox_with(
        71,
        tamara_sandbox::SandboxConfig {
            webhook_listing_enabled: true,
            ..tamara_sandbox::SandboxConfig::default()
        },
    )
    .await;
    let http = reqwest::Client::new();
    let id = "00000000-0000-4000-8000-000000000001";
    for (method, path) in ROWS.iter().filter_map(|r| r.simulator) {
        let concrete: String = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { id } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let url = format!("{}{concrete}", sb.base_url());
        let r = http
            .request(method.parse().unwrap(), &url)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{method} {path} is not served");
    }
    let r = http
        .get(format!("{}/no/such/path", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404, "the check can fail");
    sb.shutdown().await;
}
