//! The team server as an operator runs it: `mizan team add-user` on the server's database makes
//! the first admin and prints a token; `mizan serve --database postgres://…` serves the team
//! API over HTTPS; the admin adds a colleague through it; SIGTERM stops it with status 0. On a
//! real PostgreSQL cluster.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use mizan_pgtest::TempCluster;
use serde_json::{Value, json};

use crate::common::{free_port, terminate, wait_listening};

/// The test-only certificate for 127.0.0.1 (`tests/fixtures/tls/README.md`).
const TLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/tls");

fn mizan(dir: &std::path::Path, url: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_mizan"));
    c.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("MIZAN_DATA_DIR", dir)
        .env("MIZAN_DATABASE_URL", url)
        .env("MIZAN_OPERATOR", "ops")
        .env("MIZAN_SANDBOX_API_TOKEN", "team-test-api-token-0001")
        .env(
            "MIZAN_SANDBOX_NOTIFICATION_TOKEN",
            "team-test-notification-token-0001",
        );
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_made_on_the_host_adds_a_colleague_through_the_served_team_api() {
    let Some(cluster) = TempCluster::shared().unwrap() else {
        eprintln!("PostgreSQL is not installed: skipped");
        return;
    };
    let url = cluster.create_database("team_cli").unwrap();
    let dir = tempfile::tempdir().unwrap();

    let bad = mizan(
        dir.path(),
        &url,
        &["team", "add-user", "root", "--role", "owner"],
    )
    .output()
    .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown role"));
    let made = mizan(
        dir.path(),
        &url,
        &["--json", "team", "add-user", "root", "--role", "admin"],
    )
    .output()
    .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let made: Value = serde_json::from_slice(&made.stdout).unwrap();
    let token = made["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("mzn_"));

    let port = free_port();
    let mut serve = mizan(
        dir.path(),
        &url,
        &[
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--no-reconcile",
            "--tls-cert",
            &format!("{TLS}/cert.pem"),
            "--tls-key",
            &format!("{TLS}/key.pem"),
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let stdout = serve.stdout.take().unwrap();
    // Keep reading to the end: a closed pipe would fail the server's next line.
    let (said_tx, said) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("team API on") {
                let _ = said_tx.send(());
            }
        }
    });
    wait_listening(port).await;
    assert!(
        said.recv_timeout(Duration::from_secs(10)).is_ok(),
        "serve announces the team API"
    );

    // HTTPS only: the same port refuses plain HTTP.
    let plain = reqwest::Client::new()
        .get(format!("http://127.0.0.1:{port}/api/v1/me"))
        .bearer_auth(&token)
        .send()
        .await;
    match plain {
        Err(_) => {}
        Ok(r) => panic!("plain HTTP answered {}: {:?}", r.status(), r.text().await),
    }
    let cert =
        reqwest::Certificate::from_pem(&std::fs::read(format!("{TLS}/ca.pem")).unwrap()).unwrap();
    let http = reqwest::Client::builder()
        .add_root_certificate(cert)
        .build()
        .unwrap();
    let api = format!("https://127.0.0.1:{port}/api/v1");
    let me: Value = http
        .get(format!("{api}/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (me["name"].as_str(), me["role"].as_str()),
        (Some("root"), Some("admin"))
    );
    let r = http
        .post(format!("{api}/users"))
        .bearer_auth(&token)
        .json(&json!({"name": "sara", "role": "finance"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let sara: Value = r.json().await.unwrap();
    let sara_token = sara["token"].as_str().unwrap().to_owned();
    let sara_token = sara_token.as_str();
    let r = http
        .post(format!("{api}/users"))
        .bearer_auth(sara_token)
        .json(&json!({"name": "eve", "role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "finance may not add people");

    // The command line as a console of the server: the token from the environment, the test
    // CA trusted; the server's refusals keep their codes.
    let server = format!("https://127.0.0.1:{port}");
    let remote = |token: &str, args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mizan"));
        c.args(["--json", "--server", &server])
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MIZAN_SERVER_TOKEN", token)
            .env("MIZAN_SERVER_CA", format!("{TLS}/ca.pem"));
        c.output().unwrap()
    };
    let listed = remote(sara_token, &["orders", "list", "--status", "approved"]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let page: Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(page["rows"], json!([]));
    let queue = remote(sara_token, &["approvals"]);
    assert!(queue.status.success());
    assert_eq!(
        serde_json::from_slice::<Value>(&queue.stdout).unwrap(),
        json!([])
    );
    let refused = remote(
        &token,
        &["refund", "no-such-order", "--amount", "1", "--comment", "x"],
    );
    assert_eq!(refused.status.code(), Some(1));
    let err: Value = serde_json::from_slice(&refused.stderr).unwrap();
    assert_eq!(
        err["error"]["code"], "team_forbidden",
        "an admin moves no money"
    );
    let unknown = remote(
        sara_token,
        &["refund", "no-such-order", "--amount", "1", "--comment", "x"],
    );
    let err: Value = serde_json::from_slice(&unknown.stderr).unwrap();
    assert_eq!(err["error"]["code"], "order_not_cached", "{err}");
    let forged = remote("mzn_forged", &["orders", "list"]);
    let err: Value = serde_json::from_slice(&forged.stderr).unwrap();
    assert_eq!(err["error"]["code"], "team_unauthenticated");
    assert!(!String::from_utf8_lossy(&forged.stderr).contains("mzn_forged"));
    // `login` keeps the token in the OS keychain; later commands find it there.
    if let Some(bus) = crate::credentials_cli::session_bus("team login") {
        let keyed = |args: &[&str], stdin: Option<&str>| {
            let mut c = Command::new(env!("CARGO_BIN_EXE_mizan"));
            c.args(["--json", "--server", &server])
                .args(args)
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("DBUS_SESSION_BUS_ADDRESS", &bus)
                .env("MIZAN_KEYCHAIN_SERVICE", "mizan-cli-tests-team-login")
                .env("MIZAN_SERVER_CA", format!("{TLS}/ca.pem"))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = c.spawn().unwrap();
            let mut input = child.stdin.take().unwrap();
            if let Some(text) = stdin {
                std::io::Write::write_all(&mut input, text.as_bytes()).unwrap();
            }
            drop(input);
            child.wait_with_output().unwrap()
        };
        let bad = keyed(&["login"], Some("mzn_not_a_token\n"));
        assert_eq!(bad.status.code(), Some(1), "a refused token is not saved");
        let login = keyed(&["login"], Some(&format!("{sara_token}\n")));
        assert!(
            login.status.success(),
            "{}",
            String::from_utf8_lossy(&login.stderr)
        );
        let listed = keyed(&["approvals"], None);
        assert!(
            listed.status.success(),
            "{}",
            String::from_utf8_lossy(&listed.stderr)
        );
    }
    let local_only = remote(sara_token, &["export", "orders", "-o", "x.csv"]);
    assert_eq!(
        local_only.status.code(),
        Some(2),
        "not offered remotely: a usage error"
    );

    let status = terminate(&mut serve);
    assert!(status.success(), "{status:?}");
    let listed = mizan(dir.path(), &url, &["team", "users"])
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains("root") && listed.contains("sara") && !listed.contains("eve"),
        "{listed}"
    );
}

#[test]
fn a_team_server_is_reached_safely_or_not_at_all() {
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_mizan"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MIZAN_SERVER_TOKEN", "mzn_whatever")
            .output()
            .unwrap()
    };
    let plain = run(&["--server", "http://192.0.2.1:8766", "orders", "list"]);
    assert_eq!(plain.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&plain.stderr).contains("in the clear"));
    let local = run(&["approvals"]);
    assert_eq!(local.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&local.stderr).contains("--server"));
}
