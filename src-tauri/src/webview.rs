//! The window's WebKit view (Linux): the environment its web process starts with, and the
//! view's settings.
//!
//! Owns: whether the view composites on the GPU (the machine's render node, unless the operator
//! says), the JavaScript engine's memory mode, heap sizing and tiers, and the console-to-stdout
//! switch used to diagnose a hung page. Invariants: [`prepare_environment`] runs first thing in
//! `main`, while the process has one thread; a variable the operator already set is left as it
//! is.

use std::ffi::OsString;
use std::path::Path;

/// Where the machine's DRM devices are listed.
const DRI: &str = "/dev/dri";

/// The RAM size, in bytes, JavaScriptCore sizes its heap for (see [`web_process_environment`]).
const JS_RAM_SIZE: &str = "1073741824";

/// What the web process reads from the environment at its start, and what the app sets.
///
/// - `JSC_forceMiniVMMode=true`: JavaScriptCore's mode for memory-constrained devices. Its
///   heap grows by about a quarter of what survived the last collection instead of doubling, so
///   collections come sooner and the heap stays near what is live, at no cost in list speed.
/// - `JSC_forceRAMSize` = [`JS_RAM_SIZE`] (1 GiB): JavaScriptCore sizes its heap from the
///   machine's RAM (the first collection's threshold, how large the young generation may
///   grow, when memory counts as critical). On a desktop with 16-32 GiB that lets a page the
///   size of ours keep tens of MiB of garbage; sized as for a 1 GiB device, it collects
///   sooner, and any size from 128 MiB to 4 GiB does as well. It is a sizing hint, not a
///   limit: a heap that needs more still gets it.
/// - `JSC_useDFGJIT=false`: JavaScriptCore runs the page's code in its interpreter and its
///   baseline JIT only, without the optimising DFG and FTL tiers. Without them the web process
///   holds less memory, and the console's code is not the long-running number crunching they
///   pay off on: the list is as fast or faster. (The interpreter alone, `JSC_useJIT=false`,
///   costs the list and the filter their time targets.)
/// - `WEBKIT_DISABLE_COMPOSITING_MODE=1` where the view does not composite on the GPU: the
///   per-view [`HardwareAccelerationPolicy::Never`](webkit2gtk::HardwareAccelerationPolicy)
///   set in [`configure`] still left the web process holding compositing buffers it never
///   used; with the variable it does not create them.
/// - `WEBKIT_DISABLE_DMABUF_RENDERER=1`, likewise only without GPU compositing: the DMA-BUF
///   renderer shares GPU buffers between the web process and the window; painting without
///   compositing there is nothing to share, and the app process set it up all the same.
///
/// What each setting saves and costs: docs/benchmarks.md (the desktop app).
pub fn web_process_environment(
    get: impl Fn(&str) -> Option<OsString>,
    dri: &Path,
) -> Vec<(&'static str, &'static str)> {
    let gpu = gpu_from(&get, dri);
    let mut wanted = vec![
        ("JSC_forceMiniVMMode", "true"),
        ("JSC_forceRAMSize", JS_RAM_SIZE),
        ("JSC_useDFGJIT", "false"),
    ];
    if !gpu {
        wanted.push(("WEBKIT_DISABLE_COMPOSITING_MODE", "1"));
        wanted.push(("WEBKIT_DISABLE_DMABUF_RENDERER", "1"));
    }
    wanted.retain(|(name, _)| get(name).is_none());
    wanted
}

/// Sets [`web_process_environment`] in this process's environment, which WebKit's web process
/// inherits when it is spawned.
///
/// # Safety
/// Only while this process has a single thread (first thing in `main`): changing the
/// environment races with any other thread reading it.
#[allow(unsafe_code)]
pub unsafe fn prepare_environment() {
    for (name, value) in web_process_environment(|n| std::env::var_os(n), Path::new(DRI)) {
        // SAFETY: the caller guarantees no other thread exists yet (see above).
        unsafe { std::env::set_var(name, value) };
    }
}

/// Settings of the window's WebKit view, applied once at start.
///
/// - GPU compositing is used only where a GPU reaches the app: by default it is on when the
///   machine has a DRM render node (`/dev/dri/renderD*`) and off otherwise, and
///   `MIZAN_WEBVIEW_COMPOSITING=on|off` overrides. Without a render node (virtual machines,
///   remote desktops, Xvfb) WebKit's compositing runs on Mesa's software GL, which costs the
///   orders list most of its speed and the web process much memory (docs/benchmarks.md).
///   Known limit of the direct mode: WebKit's own snapshots (WebDriver's screenshot command)
///   hang once the page has changed, so the end-to-end tests take their screenshots from the
///   X display instead.
/// - With `MIZAN_WEBVIEW_CONSOLE=1` the page's console messages go to the app's stdout. The
///   web process writes them itself, as they happen, so they still come out while the page's
///   JavaScript is stuck in a loop and no WebDriver command answers: how a hang is diagnosed.
pub fn configure(app: &tauri::App) {
    let flag = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    let console = flag("MIZAN_WEBVIEW_CONSOLE");
    let gpu = gpu_from(&|n| std::env::var_os(n), Path::new(DRI));
    #[cfg(target_os = "linux")]
    if let Some(window) = tauri::Manager::get_webview_window(app, "main") {
        let outcome = window.with_webview(move |webview| {
            use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt as _, WebViewExt as _};
            if let Some(settings) = webview.inner().settings() {
                if !gpu {
                    settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
                }
                if console {
                    settings.set_enable_write_console_messages_to_stdout(true);
                }
            }
        });
        if let Err(e) = outcome {
            tracing::warn!("cannot configure the webview: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (app, gpu, console);
}

/// [`gpu_compositing`] with the operator's `MIZAN_WEBVIEW_COMPOSITING` as `get` returns it: the
/// one decision both the web process's environment and the view's settings follow.
fn gpu_from(get: &impl Fn(&str) -> Option<OsString>, dri: &Path) -> bool {
    let setting = get("MIZAN_WEBVIEW_COMPOSITING").and_then(|v| v.into_string().ok());
    gpu_compositing(setting.as_deref(), dri)
}

/// Whether the webview composites on the GPU: the operator's `on`/`off`, else whether `dri`
/// (`/dev/dri`) holds a DRM render node (a GPU the web process can render on).
fn gpu_compositing(setting: Option<&str>, dri: &Path) -> bool {
    match setting.map(str::trim) {
        Some("on") => true,
        Some("off") => false,
        other => {
            if let Some(v) = other.filter(|v| !v.is_empty()) {
                tracing::warn!("MIZAN_WEBVIEW_COMPOSITING={v:?} is neither on nor off; ignored");
            }
            std::fs::read_dir(dri).is_ok_and(|entries| {
                entries
                    .flatten()
                    .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{JS_RAM_SIZE, gpu_compositing, web_process_environment};
    use std::ffi::OsString;

    #[test]
    fn compositing_follows_the_render_node_unless_the_operator_says() {
        let gpu = tempfile::tempdir().unwrap();
        std::fs::write(gpu.path().join("card0"), "").unwrap();
        std::fs::write(gpu.path().join("renderD128"), "").unwrap();
        let display_only = tempfile::tempdir().unwrap();
        std::fs::write(display_only.path().join("card0"), "").unwrap();
        let missing = gpu.path().join("no-such-dir");

        assert!(gpu_compositing(None, gpu.path()));
        assert!(!gpu_compositing(None, display_only.path()));
        assert!(!gpu_compositing(None, &missing));
        // The operator's choice wins either way; an unknown value is ignored, not read as on.
        assert!(gpu_compositing(Some(" on "), &missing));
        assert!(!gpu_compositing(Some("off"), gpu.path()));
        assert!(!gpu_compositing(Some("yes"), &missing));
        assert!(gpu_compositing(Some(""), gpu.path()));
    }

    #[test]
    fn the_web_process_gets_the_small_heap_no_dfg_and_no_compositing_without_a_gpu() {
        let display_only = tempfile::tempdir().unwrap();
        let gpu = tempfile::tempdir().unwrap();
        std::fs::write(gpu.path().join("renderD128"), "").unwrap();
        let unset = |_: &str| None;

        assert_eq!(
            web_process_environment(unset, display_only.path()),
            [
                ("JSC_forceMiniVMMode", "true"),
                ("JSC_forceRAMSize", JS_RAM_SIZE),
                ("JSC_useDFGJIT", "false"),
                ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
                ("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            ]
        );
        assert_eq!(
            web_process_environment(unset, gpu.path()),
            [
                ("JSC_forceMiniVMMode", "true"),
                ("JSC_forceRAMSize", JS_RAM_SIZE),
                ("JSC_useDFGJIT", "false")
            ]
        );
        // The operator's `on` keeps compositing where there is no render node.
        let on = |n: &str| (n == "MIZAN_WEBVIEW_COMPOSITING").then(|| OsString::from("on"));
        assert_eq!(
            web_process_environment(on, display_only.path()).len(),
            3,
            "no compositing or DMA-BUF switch when the operator turned compositing on"
        );
        // A variable already set, whatever its value, is the operator's and stays.
        let own = |n: &str| {
            matches!(
                n,
                "JSC_forceMiniVMMode"
                    | "JSC_forceRAMSize"
                    | "JSC_useDFGJIT"
                    | "WEBKIT_DISABLE_COMPOSITING_MODE"
                    | "WEBKIT_DISABLE_DMABUF_RENDERER"
            )
            .then(|| OsString::from("0"))
        };
        assert!(web_process_environment(own, display_only.path()).is_empty());
    }
}
