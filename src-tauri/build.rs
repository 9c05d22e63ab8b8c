//! Tauri's build step: embeds tauri.conf.json and the capability files into the binary.
fn main() {
    tauri_build::build();
}
