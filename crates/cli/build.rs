//! Stamps the commit `mizan --version` shows into the build (`commit_stamp.rs`, shared with
//! the desktop app's build script).

include!("commit_stamp.rs");

fn main() {
    stamp_commit();
}
