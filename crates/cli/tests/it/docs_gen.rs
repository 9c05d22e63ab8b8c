//! The packaging docs: `mizan-gen-docs` writes a man page that names the real subcommands and
//! bash, zsh and fish completions that know them; `mizan --version` names version and commit.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn gen_docs_writes_man_page_and_completions() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mizan-gen-docs"))
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let man = std::fs::read_to_string(dir.path().join("mizan.1")).unwrap();
    assert!(
        man.starts_with(".ie") || man.contains(".TH mizan"),
        "not a man page: {man:.200}"
    );
    // roff escapes the hyphen in `mizan-serve(1)`.
    for sub in [
        "serve",
        "orders",
        "checkout",
        "webhooks",
        "audit",
        "settlement",
    ] {
        assert!(
            man.contains(&format!("mizan\\-{sub}")),
            "man page lacks {sub}"
        );
    }
    for file in [
        "completions/mizan.bash",
        "completions/_mizan",
        "completions/mizan.fish",
    ] {
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(!text.trim().is_empty(), "{file} is empty");
        assert!(text.contains("serve"), "{file} lacks serve");
        assert!(text.contains("listen"), "{file} lacks serve's --listen");
    }
}

#[test]
fn gen_docs_without_a_directory_is_a_usage_error() {
    let out = Command::new(env!("CARGO_BIN_EXE_mizan-gen-docs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn version_names_the_commit() {
    let out = Command::new(env!("CARGO_BIN_EXE_mizan"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let line = String::from_utf8(out.stdout).unwrap();
    let expected = format!("mizan {} (", env!("CARGO_PKG_VERSION"));
    assert!(line.starts_with(&expected), "{line}");
    assert!(line.trim_end().ends_with(')'), "{line}");
}
