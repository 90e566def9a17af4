//! The desktop app: a scenario editor on the left, live results in tabs in the centre, the
//! simulation on a background thread.
//!
//! Code map:
//! - [`shell`]: the app type ([`TierlabApp`]), its frame layout and the commands it applies;
//! - [`state`]: what persists between launches and the document being edited;
//! - [`worker`] and [`computed`]: the background simulation and the plot data it prepares;
//! - [`analyses`]: the Thresholds and Sensitivity tabs' sweeps and sensitivity analysis,
//!   off the UI thread;
//! - [`panel`]: the scenario editor; [`top_bar`]: menus, run settings and progress;
//! - [`views`]: one file per tab; [`theme`]: every colour; [`files`] and [`export`]: disk;
//! - [`publish`]: publication figures and the report, on a background thread;
//! - [`bench`]: `tierlab --bench-ui`.
//!
//! Invariants: drawing never simulates and never bins per-run data (the worker does, once per
//! result); widgets return [`AppCommand`]s that the shell applies once per frame, after drawing.

use std::path::PathBuf;
use std::process::ExitCode;

pub mod analyses;
pub mod bench;
pub mod command;
pub mod computed;
pub mod export;
pub mod files;
pub mod panel;
pub mod publish;
pub mod shell;
pub mod state;
pub mod theme;
pub mod top_bar;
pub mod views;
pub mod worker;

pub use command::AppCommand;
pub use shell::{AppOptions, TierlabApp};
pub use state::Tab;

/// The window title's application name.
pub const APP_NAME: &str = "Tierlab";

/// Opens the app on `file` (or the last file, or the embedded baseline); with `bench_ui`,
/// prints the app's timing instead and exits.
///
/// # Errors
/// The window cannot be created (no display, no graphics driver).
pub fn run(file: Option<PathBuf>, bench_ui: bool) -> anyhow::Result<ExitCode> {
    if bench_ui {
        return bench::run(file);
    }
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title(APP_NAME)
            .with_app_id("tierlab")
            .with_inner_size([1440.0, 900.0])
            .with_min_inner_size([900.0, 600.0]),
        persist_window: true,
        ..Default::default()
    };
    eframe::run_native(
        APP_NAME,
        options,
        Box::new(move |cc| Ok(Box::new(TierlabApp::new(&cc.egui_ctx, cc.storage, file, AppOptions::default())))),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
