// The commit stamp shared by the build scripts of the `mizan` CLI (crates/cli/build.rs) and the
// desktop app (src-tauri/build.rs), which `include!` this file: it sets the `MIZAN_COMMIT`
// rustc variable to `git rev-parse --short HEAD`, else the `MIZAN_COMMIT` environment variable
// (builds from a source tarball), else "unknown". The build never fails for want of git.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Sets `MIZAN_COMMIT` for the crate being built and tells cargo when to run again.
pub fn stamp_commit() {
    println!("cargo:rerun-if-env-changed=MIZAN_COMMIT");
    let dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from("."), PathBuf::from);
    let commit = git(&dir, &["rev-parse", "--short", "HEAD"])
        .or_else(|| {
            std::env::var("MIZAN_COMMIT")
                .ok()
                .filter(|c| !c.trim().is_empty())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    watch_head(&dir);
    println!("cargo:rustc-env=MIZAN_COMMIT={}", commit.trim());
}

/// One line of git's output, or None when git is missing or this is not a checkout.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}

/// Reruns the script when HEAD moves. Asks git where its files are rather than reading `.git`,
/// which in a worktree is a file pointing elsewhere; a branch's commit lives in the shared
/// directory (its ref file, or packed-refs). Only existing files are named: cargo treats a
/// missing one as always changed.
fn watch_head(dir: &Path) {
    let resolve = |p: String| {
        let p = PathBuf::from(p);
        if p.is_absolute() { p } else { dir.join(p) }
    };
    let Some(git_dir) = git(dir, &["rev-parse", "--git-dir"]).map(resolve) else {
        return;
    };
    let common =
        git(dir, &["rev-parse", "--git-common-dir"]).map_or_else(|| git_dir.clone(), resolve);
    let head = git_dir.join("HEAD");
    let mut watched = vec![head.clone(), common.join("packed-refs")];
    if let Some(branch) = std::fs::read_to_string(&head)
        .ok()
        .and_then(|h| h.trim().strip_prefix("ref: ").map(str::to_owned))
    {
        watched.push(common.join(branch));
    }
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
