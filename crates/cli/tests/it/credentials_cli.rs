//! `mizan credentials` through the real binary: against the real Secret Service (set, show,
//! test, delete, whitespace stripping, refused shapes, variables over the keychain), with no
//! keychain at all (the error names the variables), and against two simulators standing in for
//! sandbox and production (a token sent to the wrong environment is named as such).
//!
//! The Secret Service tests need a D-Bus session with an unlocked keyring: `scripts/test` runs
//! the suite inside one (and sets MIZAN_REQUIRE_KEYCHAIN). Outside CI, without a session bus,
//! they skip loudly; in CI they fail instead. Every test uses its own keychain service name, so
//! no real entry is ever read or written.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::{stderr, stdout};
use serde_json::Value;
use tamara_sandbox::{SandboxConfig, SandboxHandle};

/// JWT-shaped tokens (header `{"alg":"RS256","typ":"JWT"}`), as Tamara's API tokens are.
const HEADER: &str = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9";
fn jwt(tag: &str) -> String {
    format!("{HEADER}.eyJhY2NvdW50SWQiOiJ{tag}In0.c2lnbmF0dXJl{tag}LXNpZ25hdHVyZQ")
}
const NOTIFICATION: &str = "notif-0f3c2a9e-4b1d-4c55-a7a1-2f9e6c1d8b70";
const PUBLIC_KEY: &str = "pk-5e7c1b3a-9d2f-4e8a-b6c4-0a1f2e3d4c5b";

/// The session bus to pass to the binary, or `None` to skip (never in CI).
pub(crate) fn session_bus(test: &str) -> Option<String> {
    match std::env::var("DBUS_SESSION_BUS_ADDRESS") {
        Ok(a) if !a.trim().is_empty() => Some(a),
        _ if std::env::var_os("CI").is_some()
            || std::env::var_os("MIZAN_REQUIRE_KEYCHAIN").is_some() =>
        {
            panic!(
                "{test}: no D-Bus session bus, but CI/MIZAN_REQUIRE_KEYCHAIN requires the real \
                 Secret Service; run `bash scripts/test`, which starts one with gnome-keyring"
            )
        }
        _ => {
            // Written to the real stderr: the test harness captures eprintln! of passing tests.
            let _ = writeln!(
                std::io::stderr(),
                "\n!!! SKIPPED {test}: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS unset), so \
                 no Secret Service to test against. `bash scripts/test` runs it. !!!\n"
            );
            None
        }
    }
}

/// One test's view of the binary: its own data directory, keychain service and variables.
pub(crate) struct Mizan {
    data_dir: tempfile::TempDir,
    service: String,
    bus: String,
    vars: Vec<(String, String)>,
}

impl Mizan {
    pub(crate) fn new(test: &str, bus: &str) -> Mizan {
        Mizan {
            data_dir: tempfile::tempdir().unwrap(),
            service: format!("mizan-test-{}-{test}", std::process::id()),
            bus: bus.to_owned(),
            vars: Vec::new(),
        }
    }

    fn var(mut self, k: &str, v: &str) -> Mizan {
        self.vars.push((k.to_owned(), v.to_owned()));
        self
    }

    fn run_with(&self, args: &[&str], stdin: &str, extra: &[(&str, &str)]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mizan"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("MIZAN_DATA_DIR", self.data_dir.path())
            .env("MIZAN_KEYCHAIN_SERVICE", &self.service)
            .env("DBUS_SESSION_BUS_ADDRESS", &self.bus)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in self
            .vars
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(extra.iter().copied())
        {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        self.run_with(args, stdin, &[])
    }

    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args, "");
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// The stable code of a failed `--json` run.
    pub(crate) fn error_code(&self, args: &[&str], stdin: &str) -> (String, String) {
        let out = self.run(args, stdin);
        assert!(
            !out.status.success(),
            "{args:?} should fail: {}",
            stdout(&out)
        );
        let err = stderr(&out);
        let line = err
            .lines()
            .find(|l| l.starts_with('{'))
            .unwrap_or_else(|| panic!("{err}"));
        let v: Value = serde_json::from_str(line).unwrap();
        (
            v["error"]["code"].as_str().unwrap().to_owned(),
            v["error"]["message"].as_str().unwrap().to_owned(),
        )
    }
}

fn assert_no_secret(out: &Output, secrets: &[&str]) {
    let all = format!("{}{}", stdout(out), stderr(out));
    for s in secrets {
        assert!(!all.contains(s), "a whole secret was printed:\n{all}");
    }
}

async fn simulator(token: &str) -> SandboxHandle {
    tamara_sandbox::spawn(
        SandboxConfig {
            api_tokens: vec![token.to_owned()],
            seed: Some(71),
            ..SandboxConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

fn credential<'a>(show: &'a Value, env: &str, kind: &str) -> &'a Value {
    let e = show["environments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["environment"] == env)
        .unwrap();
    e["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn set_show_test_use_and_delete_through_the_secret_service() {
    let Some(bus) = session_bus("set_show_test_use_and_delete") else {
        return;
    };
    let token = jwt("round");
    let sb = simulator(&token).await;
    let m = Mizan::new("round", &bus).var("MIZAN_SANDBOX_API_URL", &sb.base_url());

    // Pasted the way people paste: spaces, CRLF, a token wrapped over three lines.
    let pasted = format!(
        "api_token = {}\r\n  {}\n{}  \r\nnotification_token:  {NOTIFICATION} \npublic_key={PUBLIC_KEY}\n",
        &token[..30],
        &token[30..70],
        &token[70..]
    );
    let out = m.run(&["credentials", "set", "--env", "sandbox"], &pasted);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&token[token.len() - 4..]));
    assert_no_secret(&out, &[&token, NOTIFICATION, PUBLIC_KEY]);

    let out = m.run(&["credentials", "show"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_no_secret(&out, &[&token, NOTIFICATION, PUBLIC_KEY]);
    let show = m.json(&["--json", "credentials", "show"]);
    assert_eq!(show["keychain"]["reachable"], true);
    let api = credential(&show, "sandbox", "api_token");
    assert_eq!(api["source"], "keychain");
    assert_eq!(api["masked"], format!("••••{}", &token[token.len() - 4..]));
    assert_eq!(
        credential(&show, "sandbox", "public_key")["masked"],
        format!("••••{}", &PUBLIC_KEY[PUBLIC_KEY.len() - 4..])
    );
    assert_eq!(
        credential(&show, "production", "api_token")["state"],
        "unset"
    );

    // The whitespace really was stripped: the simulator, which accepts only the exact token,
    // accepts the stored one.
    let out = m.run(&["--json", "credentials", "test", "--env", "sandbox"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_no_secret(&out, &[&token]);
    let tested: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tested["status"], 404);
    assert_eq!(tested["api_token"]["source"], "keychain");
    assert_eq!(tested["notification_token"]["source"], "keychain");

    // Every other command now finds its token in the keychain.
    let created = m.json(&[
        "--json",
        "checkout",
        "create",
        "--reference",
        "KC-1",
        "--amount",
        "10",
    ]);
    assert!(created["order_id"].is_string());

    let out = m.run(&["credentials", "delete", "--env", "sandbox"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    let show = m.json(&["--json", "credentials", "show", "--env", "sandbox"]);
    for kind in ["api_token", "notification_token", "public_key"] {
        assert_eq!(credential(&show, "sandbox", kind)["in_keychain"], false);
    }
    let (code, _) = m.error_code(
        &[
            "--json",
            "checkout",
            "create",
            "--reference",
            "KC-2",
            "--amount",
            "10",
        ],
        "",
    );
    assert_eq!(code, "credentials_missing");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_shapes_are_refused_specifically_and_nothing_is_stored() {
    let Some(bus) = session_bus("bad_shapes") else {
        return;
    };
    let m = Mizan::new("shapes", &bus);
    let good = jwt("shape");
    let cases = [
        (
            format!("not-a-jwt-{NOTIFICATION}\n{NOTIFICATION}\n"),
            "credential_not_jwt",
        ),
        (format!("{good}\nshort\n"), "credential_too_short"),
        (
            format!("{good}\n{NOTIFICATION}\u{7}x\n"),
            "credential_not_printable",
        ),
        (format!("{good}\n{good}\n"), "credential_reused"),
        ("\n\n".to_owned(), "usage"),
        (
            format!("{good}\n{NOTIFICATION}\n{PUBLIC_KEY}\nextra-line\n"),
            "usage",
        ),
    ];
    for (stdin, want) in &cases {
        let (code, message) =
            m.error_code(&["--json", "credentials", "set", "--env", "sandbox"], stdin);
        assert_eq!(&code, want, "{message}");
        assert!(
            !message.contains(&good) && !message.contains(NOTIFICATION),
            "{message}"
        );
        if want.starts_with("credential_") {
            assert!(message.contains("nothing was stored"), "{message}");
        }
    }
    let (code, message) = m.error_code(
        &[
            "--json",
            "credentials",
            "set",
            "--env",
            "production",
            "--only",
            "api-token",
        ],
        "eyJhbGciOiJSUzI1NiJ9.e30\n",
    );
    assert_eq!(code, "credential_too_short", "{message}");
    let show = m.json(&["--json", "credentials", "show"]);
    for env in ["sandbox", "production"] {
        for kind in ["api_token", "notification_token", "public_key"] {
            assert_eq!(
                credential(&show, env, kind)["in_keychain"],
                false,
                "{env} {kind}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_environment_variable_overrides_the_keychain() {
    let Some(bus) = session_bus("env_overrides") else {
        return;
    };
    let from_env = jwt("fromenv");
    let sb = simulator(&from_env).await;
    let stored = jwt("stored");
    let m = Mizan::new("override", &bus).var("MIZAN_SANDBOX_API_URL", &sb.base_url());
    let out = m.run(
        &[
            "credentials",
            "set",
            "--env",
            "sandbox",
            "--only",
            "api-token",
        ],
        &format!("{stored}\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));

    // The keychain's token alone is refused by this simulator ...
    let (code, message) = m.error_code(&["--json", "credentials", "test", "--env", "sandbox"], "");
    assert_eq!(code, "credential_refused", "{message}");
    // ... and the variable wins over it.
    let with_var = [("MIZAN_SANDBOX_API_TOKEN", from_env.as_str())];
    let out = m.run_with(
        &["--json", "credentials", "test", "--env", "sandbox"],
        "",
        &with_var,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let tested: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(tested["api_token"]["source"], "environment variable");
    let out = m.run_with(
        &["--json", "credentials", "show", "--env", "sandbox"],
        "",
        &with_var,
    );
    let show: Value = serde_json::from_slice(&out.stdout).unwrap();
    let api = credential(&show, "sandbox", "api_token");
    assert_eq!(
        api["source"],
        "MIZAN_SANDBOX_API_TOKEN (overrides the keychain)"
    );
    assert_eq!(api["in_keychain"], true);
    assert_no_secret(&out, &[&from_env, &stored]);
    m.run(&["credentials", "delete", "--env", "sandbox"], "");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_keychain_says_so_and_names_the_variables() {
    let m = Mizan::new("nobus", "unix:path=/nonexistent/mizan-test-bus");
    let (code, message) = m.error_code(
        &["--json", "credentials", "set", "--env", "production"],
        &format!("{}\n{NOTIFICATION}\n", jwt("nobus")),
    );
    assert_eq!(code, "keychain_unavailable");
    assert!(
        message.contains("not reachable")
            && message.contains("MIZAN_PRODUCTION_API_TOKEN")
            && message.contains("MIZAN_PRODUCTION_NOTIFICATION_TOKEN"),
        "{message}"
    );
    // A command that needs the token explains the missing keychain, not just "no token".
    let (code, message) = m.error_code(
        &["--json", "--env", "production", "orders", "fetch", "x"],
        "",
    );
    assert_eq!(code, "keychain_unavailable", "{message}");
    // Commands that only read the cache never notice.
    let out = m.run(&["--env", "production", "orders", "list"], "");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("keychain"), "{}", stderr(&out));
    // show still shows what the variables supply, and warns.
    let out = m.run_with(
        &["--json", "credentials", "show", "--env", "production"],
        "",
        &[("MIZAN_PRODUCTION_API_TOKEN", "env-token-0123456789")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("MIZAN_PRODUCTION_NOTIFICATION_TOKEN"));
    let show: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(show["keychain"]["reachable"], false);
    assert_eq!(
        credential(&show, "production", "api_token")["masked"],
        "••••6789"
    );
    assert_eq!(
        credential(&show, "production", "notification_token")["state"],
        "unknown"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sandbox_token_sent_to_production_is_named_as_such() {
    let (sandbox_token, production_token) = (jwt("sbx"), jwt("prd"));
    let sandbox = simulator(&sandbox_token).await;
    let production = simulator(&production_token).await;
    let m = Mizan::new("wrongenv", "unix:path=/nonexistent/mizan-test-bus")
        .var("MIZAN_SANDBOX_API_URL", &sandbox.base_url())
        .var("MIZAN_PRODUCTION_API_URL", &production.base_url())
        .var("MIZAN_PRODUCTION_NOTIFICATION_TOKEN", NOTIFICATION);
    let test = ["--json", "--env", "production", "credentials", "test"];

    // The right token passes.
    let ok = [("MIZAN_PRODUCTION_API_TOKEN", production_token.as_str())];
    let out = m.run_with(&test, "", &ok);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("PRODUCTION"),
        "the production banner is shown"
    );

    // The sandbox token configured for production too: named from the configuration alone.
    let same = [
        ("MIZAN_PRODUCTION_API_TOKEN", sandbox_token.as_str()),
        ("MIZAN_SANDBOX_API_TOKEN", sandbox_token.as_str()),
    ];
    let out = m.run_with(&test, "", &same);
    let err = stderr(&out);
    assert!(err.contains("credential_wrong_environment"), "{err}");
    assert!(
        err.contains("this looks like a sandbox token sent to production"),
        "{err}"
    );
    assert_no_secret(&out, &[&sandbox_token]);

    // Without that evidence: refused, with the likely cause; --probe-other finds it out.
    let alone = [("MIZAN_PRODUCTION_API_TOKEN", sandbox_token.as_str())];
    let out = m.run_with(&test, "", &alone);
    let err = stderr(&out);
    assert!(
        err.contains("credential_refused") && err.contains("--probe-other"),
        "{err}"
    );
    let mut probe = test.to_vec();
    probe.push("--probe-other");
    let out = m.run_with(&probe, "", &alone);
    let err = stderr(&out);
    assert!(err.contains("credential_wrong_environment"), "{err}");
    assert!(err.contains("sandbox accepted the same token"), "{err}");

    // A token neither accepts stays simply refused.
    let neither = [("MIZAN_PRODUCTION_API_TOKEN", "eyJ.bogus.token-0000")];
    let out = m.run_with(&probe, "", &neither);
    assert!(
        stderr(&out).contains("credential_refused"),
        "{}",
        stderr(&out)
    );
    sandbox.shutdown().await;
    production.shutdown().await;
}

#[test]
fn secrets_are_never_taken_from_arguments_and_writes_name_their_environment() {
    let m = Mizan::new("argv", "unix:path=/nonexistent/mizan-test-bus");
    let out = m.run(
        &["credentials", "set", "--env", "sandbox", &jwt("argv")],
        "",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unexpected argument"),
        "{}",
        stderr(&out)
    );
    let out = m.run(&["credentials", "set"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--env sandbox"), "{}", stderr(&out));
    let out = m.run(&["credentials", "delete"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_terminal_prompt_hides_what_is_typed() {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::Read;
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    let Some(bus) = session_bus("terminal_prompt") else {
        return;
    };
    let m = Mizan::new("tty", &bus);
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 200,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_mizan"));
    cmd.args(["credentials", "set", "--env", "sandbox"]);
    cmd.env_clear();
    cmd.env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd.env("MIZAN_DATA_DIR", m.data_dir.path());
    cmd.env("MIZAN_KEYCHAIN_SERVICE", &m.service);
    cmd.env("DBUS_SESSION_BUS_ADDRESS", &m.bus);
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);
    let screen = Arc::new(Mutex::new(String::new()));
    let mut reader = pty.master.try_clone_reader().unwrap();
    let sink = screen.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 512];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let wait_for = |what: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !screen.lock().unwrap().contains(what) {
            assert!(
                Instant::now() < deadline,
                "no {what:?} on the terminal: {}",
                screen.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let token = jwt("tty");
    let mut keys = pty.master.take_writer().unwrap();
    wait_for("API token (input hidden)");
    // Typed with a stray space in the middle, as a paste from a wrapped line would be.
    keys.write_all(format!("{} {}\n", &token[..40], &token[40..]).as_bytes())
        .unwrap();
    wait_for("notification token (input hidden)");
    keys.write_all(format!("{NOTIFICATION}\n").as_bytes())
        .unwrap();
    wait_for("Enter skips");
    keys.write_all(b"\n").unwrap();
    assert!(
        child.wait().unwrap().success(),
        "{}",
        screen.lock().unwrap()
    );
    wait_for("Next:");
    let shown = screen.lock().unwrap().clone();
    assert!(shown.contains("Stored the sandbox API token"), "{shown}");
    for secret in [&token[..40], &token[40..], NOTIFICATION] {
        assert!(!shown.contains(secret), "typed secret echoed:\n{shown}");
    }
    let show = m.json(&["--json", "credentials", "show", "--env", "sandbox"]);
    assert_eq!(
        credential(&show, "sandbox", "api_token")["in_keychain"],
        true
    );
    assert_eq!(
        credential(&show, "sandbox", "public_key")["in_keychain"],
        false
    );
    m.run(&["credentials", "delete", "--env", "sandbox"], "");
}
