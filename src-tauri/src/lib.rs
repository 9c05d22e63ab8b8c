//! Mizan's desktop shell (Tauri 2): thin commands over [`mizan_core::Console`], typed events,
//! and the in-app services (webhook receiver, processor, reconciler) that run while the app is
//! open.
//!
//! Owns: the command list and the event list ([`specta_builder`], also the source of
//! `ui/src/ipc/bindings.ts`), the app's start-up (configuration, keychain, demo mode) and
//! shut-down. Invariants: every command returns `Result<T, IpcError>`; the webview reaches only
//! these commands, event listening and the save dialog (capabilities/default.json); nothing
//! here holds business logic — that lives in the core.

pub mod commands;
pub mod error;
pub mod events;
pub mod services;
pub mod state;
pub mod webview;

use std::process::ExitCode;

use mizan_core::config::ConsoleConfig;
use tauri::{AppHandle, Manager as _, RunEvent};
use tokio::sync::{Mutex, RwLock};

use crate::state::AppState;

/// Where the generated bindings live, relative to this crate.
pub const BINDINGS_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../ui/src/ipc/bindings.ts");

/// The first lines of the generated bindings.
const BINDINGS_HEADER: &str = "// Generated from src-tauri by tauri-specta: \
`cargo run -p mizan-app --bin export-bindings`.\n// Do not edit; a test fails when this file \
differs from what the Rust code generates.\n";

/// Every command and event the webview can use.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    use commands::{
        app, checkout, disputes, moves, ops, orders, payouts, settings, statements, till, webhooks,
    };
    tauri_specta::Builder::<tauri::Wry>::new()
        // One shape per type (amounts are strings, options are `T | null`): the UI gets the
        // same type whichever way a value travels.
        .disable_serde_phases()
        .commands(tauri_specta::collect_commands![
            app::app_info,
            app::switch_environment,
            app::locale_save,
            orders::orders_page,
            orders::attention_queue,
            orders::saved_views,
            orders::save_view,
            orders::delete_view,
            orders::order_detail,
            orders::order_refresh,
            orders::order_statement,
            moves::move_preview,
            moves::move_execute,
            webhooks::webhooks_list,
            webhooks::webhook_register,
            webhooks::webhook_update,
            webhooks::webhook_delete,
            webhooks::deliveries_page,
            webhooks::delivery_detail,
            webhooks::delivery_replay,
            webhooks::token_check,
            webhooks::webhook_self_test,
            webhooks::webhook_events,
            checkout::checkout_check,
            till::till_start,
            till::till_void,
            till::till_id_status,
            till::till_payment_types,
            till::till_pre_check,
            ops::export_existing,
            ops::export_run,
            ops::checklist,
            ops::checklist_mark,
            ops::checklist_rehearse,
            ops::checklist_report,
            ops::dashboard,
            settings::settings,
            settings::settings_save,
            settings::credentials_status,
            settings::credentials_set,
            settings::credentials_test,
            settings::demo_traffic,
            disputes::disputes_list,
            disputes::disputes_refresh,
            disputes::dispute_comment,
            statements::statement_import,
            statements::statements_list,
            statements::statement_show,
            statements::statement_export,
            statements::statement_repair_order,
            payouts::payouts_list,
            payouts::payout_add,
            payouts::payout_import,
            payouts::settlement_month,
        ])
        .events(tauri_specta::collect_events![
            events::DeliveryReceived,
            events::OrderChanged,
            events::HealthChanged,
            events::ExportProgress,
            events::RehearsalProgress,
        ])
}

/// The TypeScript bindings as the code generates them now.
///
/// # Errors
/// The exporter's error (a type it cannot express).
pub fn generate_bindings(path: &std::path::Path) -> Result<(), specta_typescript::Error> {
    specta_builder().export(
        specta_typescript::Typescript::default().header(BINDINGS_HEADER),
        path,
    )
}

type StartError = Box<dyn std::error::Error>;

/// Reads the configuration, decides demo mode, opens the session and starts its services.
async fn startup(app: AppHandle) -> Result<AppState, StartError> {
    let mut config = ConsoleConfig::from_env()?;
    mizan_core::credentials::fill_config_from_keychain(&mut config).await;
    let mut demo = if mizan_core::demo::wanted(&config) {
        Some(state::start_demo(&mut config).await?)
    } else {
        None
    };
    let session = state::open_session(&app, config.clone(), demo.is_some()).await?;
    let env = session.console.environment();
    if let (Some(d), Some(base)) = (demo.as_mut(), session.receiver_base())
        && let Err(e) = d.traffic.start(&session.console, &base).await
    {
        tracing::warn!("demo traffic not started: {e}");
    }
    state::set_title(&app, env, demo.is_some());
    Ok(AppState {
        session: RwLock::new(session),
        demo: Mutex::new(demo),
        base: RwLock::new(config),
        app,
    })
}

/// Stops the traffic, the services (every acknowledged delivery is stored) and the simulator.
async fn shutdown(app: &AppHandle) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let demo = state.demo.lock().await.take();
    if let Some(mut d) = demo {
        d.traffic.stop().await;
        state.session.write().await.stop().await;
        d.sandbox.shutdown().await;
    } else {
        state.session.write().await.stop().await;
    }
    state.session.read().await.console.store().close().await;
}

/// SIGTERM or Ctrl-C exits like closing the window: the services stop in order.
fn exit_on_terminate(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        mizan_core::shutdown::requested().await;
        app.exit(0);
    });
}

/// Runs the app until its window closes.
pub fn run() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MIZAN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let builder = specta_builder();
    let handler = builder.invoke_handler();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(handler)
        .setup(move |app| {
            builder.mount_events(app);
            let state = tauri::async_runtime::block_on(startup(app.handle().clone()))?;
            app.manage(state);
            exit_on_terminate(app.handle().clone());
            webview::configure(app);
            Ok(())
        })
        .build(tauri::generate_context!());
    match app {
        Ok(app) => {
            app.run(|handle, event| {
                if let RunEvent::Exit = event {
                    tauri::async_runtime::block_on(shutdown(handle));
                }
            });
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mizan-app: cannot start: {e}");
            ExitCode::FAILURE
        }
    }
}
