//! `mizan-app`: the desktop console. Everything lives in the library (`mizan_app::run`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    mizan_app::run()
}
