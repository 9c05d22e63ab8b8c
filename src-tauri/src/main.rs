//! `mizan-app`: the desktop console. Everything lives in the library (`mizan_app::run`).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[allow(unsafe_code)]
fn main() -> std::process::ExitCode {
    // SAFETY: the first statement of `main`; no thread has started yet.
    unsafe { mizan_app::webview::prepare_environment() };
    mizan_app::run()
}
