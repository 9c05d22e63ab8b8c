//! Tauri's build step: embeds tauri.conf.json and the capability files into the binary; and the
//! commit the settings panel shows next to the version (`MIZAN_COMMIT`, the CLI's stamp).

include!("../crates/cli/commit_stamp.rs");

fn main() {
    stamp_commit();
    tauri_build::build();
}
