//! Writes `ui/src/ipc/bindings.ts` from the shell's commands and events (tauri-specta).
//! Run after changing a command, an event or a DTO; the drift test then passes again.

fn main() -> std::process::ExitCode {
    let path = std::path::Path::new(mizan_app::BINDINGS_PATH);
    match mizan_app::generate_bindings(path) {
        Ok(()) => {
            println!("wrote {}", path.display());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("export-bindings: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
