//! The desktop app: a scenario editor on the left, live results in tabs in the centre. It
//! draws a [`Workspace`](crate::workspace::Workspace), which holds everything computed (the
//! document, the runs on background threads, the analyses, exports), and turns the widgets'
//! actions into its commands.
//!
//! Code map:
//! - [`shell`]: the app type ([`TierlabApp`]), its frame layout, and what the workspace
//!   leaves to the app (dialogs, screenshots, closing the window);
//! - [`panel`]: the scenario editor; [`top_bar`]: menus, run settings and progress;
//! - [`views`]: the table of tabs and one file per tab; [`theme`]: every colour;
//! - [`files`]: file dialogs, the typed-path window, the file errors and unsaved-changes
//!   windows; [`png`]: a plot cut from a screenshot;
//! - [`bench`]: `tierlab --bench-ui`.
//!
//! Invariants: drawing never simulates and never bins per-run data (the workspace does, once
//! per result); widgets return [`AppCommand`]s that the shell applies once per frame, after
//! drawing.

#[cfg(not(target_arch = "wasm32"))]
use std::path::PathBuf;
#[cfg(not(target_arch = "wasm32"))]
use std::process::ExitCode;

#[cfg(not(target_arch = "wasm32"))]
pub mod bench;
pub mod files;
pub mod panel;
pub mod png;
pub mod shell;
pub mod theme;
pub mod top_bar;
pub mod views;

pub use crate::workspace::APP_NAME;
pub use crate::workspace::Command as AppCommand;
pub use crate::workspace::Tab;
pub use shell::{AppOptions, TierlabApp};

/// The desktop app (the browser's entry point is [`crate::web`]).
///
/// Opens the app on `file` or a share `link` (or the last file, or the built-in scenario);
/// with `bench_ui`, prints the app's timing instead and exits.
///
/// # Errors
/// The window cannot be created (no display, no graphics driver).
#[cfg(not(target_arch = "wasm32"))]
pub fn run(file: Option<PathBuf>, link: Option<String>, bench_ui: bool) -> anyhow::Result<ExitCode> {
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
        Box::new(move |cc| {
            // Beside eframe's own state: the unsaved edits and their history, kept within a
            // second of every edit (eframe stores its state only every 30 seconds).
            let unsaved_file = eframe::storage_dir("tierlab").map(|d| d.join("unsaved.json"));
            let options = AppOptions { unsaved_file, link, ..AppOptions::default() };
            Ok(Box::new(TierlabApp::new(&cc.egui_ctx, cc.storage, file, options)))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))?;
    Ok(ExitCode::SUCCESS)
}
