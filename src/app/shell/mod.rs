//! The app type: the workspace, and its frame (top bar, scenario panel, tabs, status line,
//! windows) drawn from it. [`commands`] applies the commands the widgets return (and what the
//! workspace leaves to the app: dialogs, screenshots, closing); `centre.rs` draws the tabs
//! and the status line; [`exports`] cuts a plot's PNG from a screenshot.

mod centre;
mod commands;
mod exports;

use exports::{PngPending, PngRequest};

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use egui::{ColorImage, Ui, ViewportCommand};

use crate::workspace::{self, Persisted, Workspace};

use super::AppCommand;
use super::files::{self, PathPrompt};
use super::panel::{self, PanelState};
use super::theme;
use super::top_bar::{self, TopBarInfo};
use super::views::PlotEntry;
use super::views::ViewOut;

/// Window width (points) below which the scenario panel starts as a strip.
const NARROW_WINDOW: f32 = 1100.0;

/// How the app is run: normally, or in tests and benchmarks.
#[derive(Clone, Debug)]
pub struct AppOptions {
    /// Caps the runs of every simulation (tests keep debug builds fast). The scenario keeps
    /// its own run count.
    pub max_runs: Option<u64>,
    /// Try the platform's file dialogs first; without, always the typed-path window.
    pub native_dialogs: bool,
    /// Pause after the last edit before a run starts (slider releases run at once).
    pub debounce: Duration,
    /// Where the unsaved edits and their undo history are kept, within a second of every edit
    /// ([`workspace::Options::unsaved_file`]); `None` keeps them in eframe's storage only.
    pub unsaved_file: Option<PathBuf>,
    /// A share link to open at the start instead of the last session's scenario
    /// (`tierlab --link`, or the web page's address); a bad one shows why, over the built-in
    /// scenario.
    pub link: Option<String>,
    /// What "Copy link" puts before the link's `#…` fragment: the web page's own address in
    /// the browser; for the desktop app, the published web app's address if the build was
    /// given one (`TIERLAB_WEB_URL`), else nothing: the fragment alone, which
    /// `tierlab --link` opens and which opens the web app when appended to its address.
    pub link_base: String,
    /// Where the work runs: threads (the desktop), or slices the front end steps between
    /// frames ([`TierlabApp::step`], the browser).
    pub executor: workspace::Executor,
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions {
            max_runs: None,
            native_dialogs: true,
            debounce: workspace::Options::default().debounce,
            unsaved_file: None,
            link: None,
            link_base: option_env!("TIERLAB_WEB_URL").unwrap_or_default().to_string(),
            executor: workspace::Executor::Threads,
        }
    }
}

impl AppOptions {
    /// Options for tests: few runs, no native dialogs.
    pub fn for_tests(max_runs: u64) -> AppOptions {
        AppOptions { max_runs: Some(max_runs), native_dialogs: false, ..AppOptions::default() }
    }
}

/// The Tierlab desktop app.
pub struct TierlabApp {
    workspace: Workspace,
    native_dialogs: bool,
    ctx: egui::Context,
    panel: PanelState,
    /// The scenario panel was opened from its strip in a narrow window (which otherwise
    /// shows the strip only), for this session.
    panel_opened_narrow: bool,
    presets: Vec<String>,
    prompt: Option<PathPrompt>,
    title: String,
    /// The plots drawn last frame (for their export).
    plots: Vec<PlotEntry>,
    png_request: Option<PngRequest>,
    png_pending: Option<PngPending>,
    screenshot_tx: Sender<Arc<ColorImage>>,
    screenshot_rx: Receiver<Arc<ColorImage>>,
    link_base: String,
}

impl TierlabApp {
    /// Creates the app on `file`, or else the last file opened, or else the built-in
    /// scenario, and starts running it. A file that fails its checks shows its errors and
    /// leaves the built-in scenario.
    pub fn new(
        ctx: &egui::Context,
        storage: Option<&dyn eframe::Storage>,
        file: Option<PathBuf>,
        options: AppOptions,
    ) -> TierlabApp {
        let persisted: Persisted = storage.and_then(|s| eframe::get_value(s, eframe::APP_KEY)).unwrap_or_default();
        theme::apply(ctx, persisted.dark);
        let wake = ctx.clone();
        let ws_options = workspace::Options {
            max_runs: options.max_runs,
            debounce: options.debounce,
            executor: options.executor,
            unsaved_file: options.unsaved_file,
            clock: workspace::Clock::System,
        };
        let mut workspace = Workspace::open(persisted, file, ws_options, move || wake.request_repaint());
        if let Some(link) = &options.link {
            // A refused link leaves its errors in the workspace for the errors window.
            let _ = workspace.open_link(link);
        }
        let (screenshot_tx, screenshot_rx) = channel();
        TierlabApp {
            workspace,
            native_dialogs: options.native_dialogs,
            ctx: ctx.clone(),
            panel: PanelState::default(),
            panel_opened_narrow: false,
            presets: top_bar::preset_names(),
            prompt: None,
            title: String::new(),
            plots: Vec::new(),
            png_request: None,
            png_pending: None,
            screenshot_tx,
            screenshot_rx,
            link_base: options.link_base,
        }
    }

    /// The workspace: the document, its results and analyses, the status line.
    pub fn workspace(&self) -> &Workspace {
        &self.workspace
    }

    /// The workspace, to change as a test or a benchmark would through the widgets (then
    /// apply the command the widget would have sent).
    pub fn workspace_mut(&mut self) -> &mut Workspace {
        &mut self.workspace
    }

    /// A stepped app's work: a slice of about `budget`, its results taken. The front end
    /// calls it between frames (the browser: from a timer, so the simulation goes on while
    /// frames are drawn) and asks for a repaint when something is to be shown. Returns
    /// whether work is left. Does nothing on threads.
    pub fn step(&mut self, budget: Duration) -> bool {
        if self.workspace.executor() != workspace::Executor::Stepped {
            return false;
        }
        self.workspace.advance(workspace::Budget::Time(budget));
        self.workspace.poll();
        self.workspace.has_work()
    }

    // ---- The frame ----

    /// Everything that is not drawing: the workspace's finished work, screenshots, close
    /// requests, the window title.
    pub fn frame_logic(&mut self, ctx: &egui::Context) {
        self.workspace.poll();
        while let Ok(image) = self.screenshot_rx.try_recv() {
            self.on_screenshot(&image);
        }
        if ctx.input(|i| i.viewport().close_requested())
            && !self.workspace.allows_close()
            && self.workspace.document().is_dirty()
        {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
            self.apply(AppCommand::Quit);
        }
        let title = self.workspace.title();
        if title != self.title {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        self.schedule_wake(ctx);
    }

    /// Keeps progress bars moving (10 times a second is plenty, and leaves the cores to the
    /// simulation) and starts a debounced run on time; finished work wakes the UI itself.
    fn schedule_wake(&self, ctx: &egui::Context) {
        // A stepped front end steps the work itself and draws progress as often as its frames
        // allow (in a browser a frame takes the thread the work needs); it is woken here only
        // for what is due with no work in flight (a debounced run, storing the edits).
        let stepping = self.workspace.executor() == workspace::Executor::Stepped && self.workspace.has_work();
        if let Some(after) = self.workspace.wake_after()
            && !stepping
        {
            ctx.request_repaint_after(after);
        }
    }

    /// Draws the frame, then applies the commands the widgets returned.
    pub fn frame_ui(&mut self, ui: &mut Ui) {
        let mut cmds: Vec<AppCommand> = commands::shortcuts(ui.ctx());
        let ws = &self.workspace;
        let (undo, redo) = (ws.undo_label().map(String::from), ws.redo_label().map(String::from));
        let mut out = ViewOut { tab: ws.persisted().tab, ..ViewOut::default() };
        let dark = ws.persisted().dark;
        let edit_runs = ws.document().edit.run.runs;
        let info = TopBarInfo {
            progress: ws.progress(),
            shown: ws.result().map(|c| (c.runs, c.is_final())),
            pinned: ws.pinned().is_some(),
            can_save: ws.document().issues.is_empty(),
            has_path: ws.document().path.is_some(),
            plots: &self.plots,
            stale: ws.is_stale(),
            runs_cap: (edit_runs > ws.runs_cap()).then(|| ws.runs_cap()),
            publishing: ws.is_publishing(),
            undo: undo.as_deref(),
            redo: redo.as_deref(),
        };
        let presets = &self.presets;
        let parts = self.workspace.parts();
        egui::Panel::top("top_bar").show(ui, |ui| {
            top_bar::ui(ui, parts.edit, parts.persisted, presets, &info, &mut cmds);
        });
        egui::Panel::bottom("status_bar").show(ui, |ui| centre::status_ui(ui, &self.workspace, &mut cmds));
        // Below NARROW_WINDOW points the plots need the width: the panel starts as a strip
        // with a button that opens it (and the View menu's checkbox); a wider window shows it.
        let width = ui.available_width();
        let narrow = width < NARROW_WINDOW;
        let show = self.workspace.persisted().show_panel && (!narrow || self.panel_opened_narrow);
        if show {
            let parts = self.workspace.parts();
            let panel_state = &mut self.panel;
            let mut hide = false;
            egui::Panel::left("scenario_panel")
                .resizable(true)
                .default_size((width * 0.36).clamp(300.0, 460.0))
                .min_size(260.0)
                .show(ui, |ui| {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Min), |ui| {
                        hide = ui
                            .small_button("«")
                            .on_hover_text("Hide the scenario panel (View > Scenario panel brings it back)")
                            .clicked();
                    });
                    panel::ui(ui, parts.edit, parts.issues, panel_state, dark, &mut cmds);
                });
            if hide {
                self.workspace.parts().persisted.show_panel = false;
                self.panel_opened_narrow = false;
            }
        } else {
            let mut open = false;
            egui::Panel::left("scenario_strip").resizable(false).exact_size(30.0).show(ui, |ui| {
                open = ui
                    .button("»")
                    .on_hover_text("Show the scenario panel: policies, thresholds, jurisdictions and world parameters")
                    .clicked();
            });
            if open {
                self.workspace.parts().persisted.show_panel = true;
                self.panel_opened_narrow = narrow;
            }
        }
        egui::CentralPanel::default().show(ui, |ui| centre::centre_ui(ui, &mut self.workspace, &mut out, &mut cmds));

        let ctx = ui.ctx().clone();
        if let Some(e) = self.workspace.file_errors() {
            files::errors_ui(&ctx, e, dark, &mut cmds);
        }
        if let Some(p) = &mut self.prompt {
            files::prompt_ui(&ctx, p, &mut cmds);
        }
        if let Some(p) = self.workspace.confirming() {
            files::confirm_ui(&ctx, p.what(), self.workspace.document().issues.is_empty(), &mut cmds);
        }

        self.plots = out.plots;
        cmds.extend(out.commands);
        for cmd in workspace::command::merge_edits(cmds) {
            self.apply(cmd);
        }
        // The analysis tabs' settings may have changed while drawing.
        self.workspace.poll();
        self.schedule_wake(&ctx);
        self.after_frame();
    }
}

impl eframe::App for TierlabApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.frame_logic(ctx);
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, self.workspace.to_store());
    }
}
