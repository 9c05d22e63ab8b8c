//! The adversarial suite: the real `mizan serve` (its open-file limit at 256) against what a
//! stranger on the internet can send — forged and malformed tokens, hostile bodies and headers,
//! a flood, idle and slow connections past the file limit — and then SIGTERM with them still
//! attached. What must hold: every hostile request gets a clear 4xx (never a 5xx or a hang),
//! what is stored of it is bounded, nothing in it reaches a terminal raw, the spike is reported,
//! a correctly signed delivery still gets in, and the process stops within its grace.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use jsonwebtoken::{Algorithm, EncodingKey};
use mizan_core::store::Store;
use mizan_core::store::deliveries::{self, DeliveryFilter, DeliveryVerdict};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;

use crate::common::{free_port, wait_listening};

const KEY: &str = "adversarial-notification-token-0001";
const URL_PATH: &str = "/webhooks/tamara";

struct Served {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

/// A failing assertion must not leave `mizan serve` running behind the test.
impl Drop for Served {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Served {
    fn start() -> Served {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let child = Command::new("sh")
            .args(["-c", r#"ulimit -n 256 && exec "$0" "$@""#])
            .arg(env!("CARGO_BIN_EXE_mizan"))
            .args([
                "serve",
                "--no-reconcile",
                "--listen",
                &format!("127.0.0.1:{port}"),
            ])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MIZAN_DATA_DIR", dir.path())
            .env(
                "MIZAN_SANDBOX_API_URL",
                format!("http://127.0.0.1:{}", free_port()),
            )
            .env("MIZAN_SANDBOX_API_TOKEN", "adversarial-api-token-0001")
            .env("MIZAN_SANDBOX_NOTIFICATION_TOKEN", KEY)
            .env("MIZAN_REJECTION_ALERT_PER_10_MIN", "15")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        Served { child, port, dir }
    }

    fn url(&self, query: &str) -> String {
        format!("http://127.0.0.1:{}{URL_PATH}{query}", self.port)
    }

    fn mizan(&self, args: &[&str]) -> std::process::Output {
        Command::new(env!("CARGO_BIN_EXE_mizan"))
            .args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MIZAN_DATA_DIR", self.dir.path())
            .env("MIZAN_REJECTION_ALERT_PER_10_MIN", "15")
            .output()
            .unwrap()
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A JWT with this header and these claims, signed by `key` under `alg` (HS256 unless told).
fn jwt(header: &Value, claims: &Value, key: &str, alg: Algorithm) -> String {
    let head = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let sig = jsonwebtoken::crypto::sign(
        head.as_bytes(),
        &EncodingKey::from_secret(key.as_bytes()),
        alg,
    )
    .unwrap();
    format!("{head}.{sig}")
}

fn hs256(claims: &Value) -> String {
    jwt(
        &json!({"alg": "HS256", "typ": "JWT"}),
        claims,
        KEY,
        Algorithm::HS256,
    )
}

/// Tokens a stranger might try, each of which must be refused.
fn hostile_tokens() -> Vec<(&'static str, String)> {
    let t = now();
    let fine = json!({"iat": t, "exp": t + 900});
    let unsigned = format!(
        "{}.{}.",
        B64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        B64.encode(fine.to_string())
    );
    vec![
        ("alg none", unsigned),
        (
            "wrong key",
            jwt(
                &json!({"alg": "HS256"}),
                &fine,
                "not-the-key-at-all-0000",
                Algorithm::HS256,
            ),
        ),
        (
            "HS512",
            jwt(&json!({"alg": "HS512"}), &fine, KEY, Algorithm::HS512),
        ),
        ("RS256 header, HMAC signature", {
            let head = format!(
                "{}.{}",
                B64.encode(r#"{"alg":"RS256"}"#),
                B64.encode(fine.to_string())
            );
            let sig = jsonwebtoken::crypto::sign(
                head.as_bytes(),
                &EncodingKey::from_secret(KEY.as_bytes()),
                Algorithm::HS256,
            )
            .unwrap();
            format!("{head}.{sig}")
        }),
        ("expired", hs256(&json!({"iat": t - 4000, "exp": t - 2000}))),
        (
            "not yet valid",
            hs256(&json!({"iat": t, "nbf": t + 3600, "exp": t + 4000})),
        ),
        (
            "issued in the future",
            hs256(&json!({"iat": t + 3600, "exp": t + 4000})),
        ),
        (
            "lives until 2262",
            hs256(&json!({"iat": t, "exp": 9_200_000_000_i64})),
        ),
        (
            "another issuer",
            hs256(&json!({"iss": "Evil", "iat": t, "exp": t + 900})),
        ),
        ("empty", String::new()),
        ("two segments", "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjF9".into()),
        ("not base64", "@@@.###.$$$".into()),
        ("10 KB of dots", ".".repeat(10_000)),
        (
            "claims not JSON",
            format!(
                "{}.{}.x",
                B64.encode(r#"{"alg":"HS256"}"#),
                B64.encode("[[[")
            ),
        ),
    ]
}

fn body(order: &str) -> Value {
    json!({"order_id": order, "order_reference_id": "R-1", "event_type": "order_approved", "data": []})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_cannot_exhaust_hijack_or_stall_the_receiver() {
    let started = Instant::now();
    let mut s = Served::start();
    wait_listening(s.port).await;
    let http = reqwest::Client::new();

    // 1. Hostile tokens, in the header and in the query: 401, never 5xx.
    for (what, token) in hostile_tokens() {
        let r = http
            .post(s.url(&format!("?tamaraToken={token}")))
            .header("authorization", format!("Bearer {token}"))
            .json(&body("o-hostile"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{what}");
    }

    // 2. Hostile bodies and headers. A body past the limit: 413 and nothing stored. Escape
    //    sequences with a valid token: stored as sent, never printed raw. A 60 KB header and
    //    a body nested past any parser's depth: clear 4xx.
    let good = hs256(&json!({"iat": now(), "exp": now() + 900}));
    let r = http
        .post(s.url(""))
        .bearer_auth(&good)
        .body(vec![b'x'; 300 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 413);
    let hijack = "\u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}[31mRED";
    let r = http
        .post(s.url(""))
        .bearer_auth(&good)
        .json(&json!({"order_id": hijack, "order_reference_id": hijack, "event_type": "order_approved", "data": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = http
        .post(s.url(""))
        .header("x-padding", "p".repeat(60 * 1024))
        .body(format!("{hijack}{}", "[".repeat(100_000)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        401,
        "unsigned: refused before any parsing"
    );
    let r = http
        .post(s.url(""))
        .bearer_auth(&good)
        .body("[".repeat(100_000))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status().as_u16(),
        400,
        "signed but unreadable: 400, not a crash"
    );

    // 3. A flood from one address: the first ones are refused and recorded, then 429 and
    //    nothing stored.
    let mut limited = 0;
    for _ in 0..150 {
        let r = http.post(s.url("")).body("{}").send().await.unwrap();
        limited += usize::from(r.status().as_u16() == 429);
    }
    assert!(limited >= 100, "only {limited} of 150 were rate limited");

    // 4. Idle and slow connections past the file limit (256): the cap keeps descriptors for
    //    the store, so a correctly signed delivery still gets in once the header timeout
    //    frees slots — never "too many open files".
    let mut idle = Vec::new();
    for i in 0..300 {
        let mut c = tokio::net::TcpStream::connect(("127.0.0.1", s.port))
            .await
            .unwrap();
        if i % 3 == 0 {
            // A slow loris: a request line and then nothing.
            c.write_all(b"POST /webhooks/tamara HTTP/1.1\r\nHost: x\r\n")
                .await
                .unwrap();
        }
        idle.push(c);
    }
    let sent = Instant::now();
    let signed = hs256(&json!({"iat": now(), "exp": now() + 900}));
    let r = reqwest::Client::builder()
        .timeout(Duration::from_secs(40))
        .build()
        .unwrap()
        .post(s.url(""))
        .bearer_auth(&signed)
        .json(&body("o-after-the-flood"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "after {:?}", sent.elapsed());

    // 5. What was stored is bounded, and the spike is reported.
    let store = Store::open(&s.dir.path().join("mizan.db")).await.unwrap();
    let rows = deliveries::list(
        &store,
        &DeliveryFilter {
            limit: Some(1000),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let refused: Vec<_> = rows
        .iter()
        .filter(|d| d.verdict == DeliveryVerdict::Rejected)
        .collect();
    assert!(
        refused.len() >= hostile_tokens().len() && refused.len() < 80,
        "{}",
        refused.len()
    );
    for d in &refused {
        assert!(
            d.body.len() <= 2_048 && d.headers_json.len() <= 2_048,
            "row {} kept too much",
            d.id
        );
        assert!(
            !d.query
                .as_deref()
                .unwrap_or_default()
                .contains(&good[good.len() - 12..])
        );
    }
    let verified: Vec<_> = rows
        .iter()
        .filter(|d| d.verdict == DeliveryVerdict::Verified)
        .collect();
    assert_eq!(
        verified.len(),
        2,
        "the hijack attempt and the delivery after the flood"
    );
    store.close().await;
    let out = s.mizan(&["webhooks", "deliveries", "--limit", "200"]);
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(
        !printed.contains('\u{1b}') && !printed.contains('\u{7}'),
        "raw escapes printed"
    );
    let out = s.mizan(&["status"]);
    let status = String::from_utf8_lossy(&out.stdout);
    assert!(
        status.contains("REFUSED SPIKE") && status.contains("127.0.0.1"),
        "{status}"
    );

    // 6. SIGTERM with slow clients still attached: a clean exit within the grace.
    let asked = Instant::now();
    let exit = crate::common::terminate(&mut s.child);
    assert!(exit.success(), "{exit:?}");
    assert!(
        asked.elapsed() < Duration::from_secs(12),
        "stopped after {:?}",
        asked.elapsed()
    );
    drop(idle);
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "suite took {:?}",
        started.elapsed()
    );
}
