//! The app type: its frame (top bar, scenario panel, tabs, status line, windows) and the one
//! place where commands change state. [`analysis_tabs`] keeps the Thresholds and Sensitivity
//! tabs' analyses running; [`exports`] writes CSV, PNG, figures and the report.

mod analysis_tabs;
mod exports;

use exports::{PngPending, PngRequest};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

use egui::{ColorImage, Rect, RichText, Ui, ViewportCommand};

use crate::export::data::write_atomic;
use crate::export::figures::Format;
use crate::model::ScenarioDraft;
use crate::model::scenario::{BUILT_IN_TOML, PRESETS};
use crate::model::{Issue, Scenario};

use super::analyses::Analyses;
use super::command::AppCommand;
use super::computed::Computed;
use super::files::{self, DialogAnswer, FileErrors, PathPrompt, PathPurpose};
use super::panel::{self, PanelState, jurisdictions, policies};
use super::publish::{Publication, Publishing};
use super::state::{Document, Persisted, Tab, Unsaved};
use super::theme;
use super::top_bar::{self, TopBarInfo};
use super::views::{self, AnalysisViews, ViewCx, ViewOut, ViewState};
use super::worker::{APP_MAX_RUNS, Worker, WorkerMsg};

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
}

impl Default for AppOptions {
    fn default() -> Self {
        AppOptions { max_runs: None, native_dialogs: true, debounce: Duration::from_millis(150) }
    }
}

impl AppOptions {
    /// Options for tests: few runs, no native dialogs.
    pub fn for_tests(max_runs: u64) -> AppOptions {
        AppOptions { max_runs: Some(max_runs), native_dialogs: false, ..AppOptions::default() }
    }
}

/// An action that would lose unsaved edits, waiting for the user's answer.
#[derive(Clone, Debug, PartialEq)]
enum Pending {
    Preset(usize),
    OpenPath(PathBuf),
    Close,
}

impl Pending {
    fn what(&self) -> &'static str {
        match self {
            Pending::Preset(_) => "starting from a preset",
            Pending::OpenPath(_) => "opening another file",
            Pending::Close => "closing Tierlab",
        }
    }
}

/// The Tierlab desktop app.
pub struct TierlabApp {
    persisted: Persisted,
    doc: Document,
    options: AppOptions,
    ctx: egui::Context,
    worker: Option<Worker>,
    /// The Thresholds and Sensitivity tabs' analyses, and what the tab on screen asks of them.
    analyses: Analyses,
    analysis_views: AnalysisViews,
    /// Scenario of the most recent job.
    last_run: Option<Arc<Scenario>>,
    /// Result on screen (the newest stage of the newest job).
    current: Option<Arc<Computed>>,
    pinned: Option<Arc<Computed>>,
    run_due: Option<Instant>,
    panel: PanelState,
    views: ViewState,
    presets: Vec<String>,
    prompt: Option<PathPrompt>,
    file_errors: Option<FileErrors>,
    confirm: Option<Pending>,
    /// What to do once a "save first" completes.
    after_save: Option<Pending>,
    allow_close: bool,
    /// Said before the next result's status line (it would otherwise replace it at once).
    status_note: Option<String>,
    status: String,
    title: String,
    plot_titles: Vec<String>,
    plot_rects: Vec<(String, Rect)>,
    png_request: Option<PngRequest>,
    png_pending: Option<PngPending>,
    screenshot_tx: Sender<Arc<ColorImage>>,
    screenshot_rx: Receiver<Arc<ColorImage>>,
    /// The figure or report export in progress.
    publishing: Option<Publishing>,
}

impl TierlabApp {
    /// Creates the app on `file`, or else the last file opened, or else the embedded
    /// baseline, and starts running it. A file that fails its checks shows its errors and
    /// leaves the baseline.
    pub fn new(
        ctx: &egui::Context,
        storage: Option<&dyn eframe::Storage>,
        file: Option<PathBuf>,
        options: AppOptions,
    ) -> TierlabApp {
        let persisted: Persisted = storage.and_then(|s| eframe::get_value(s, eframe::APP_KEY)).unwrap_or_default();
        theme::apply(ctx, persisted.dark);
        let repaint_ctx = ctx.clone();
        let analyses_ctx = ctx.clone();
        let analyses = Analyses::new(move || analyses_ctx.request_repaint());
        let (worker, status) = match Worker::spawn(move || repaint_ctx.request_repaint()) {
            Ok(w) => (Some(w), String::new()),
            Err(e) => (None, format!("Cannot start the simulation thread: {e}")),
        };
        let (screenshot_tx, screenshot_rx) = channel();
        let mut app = TierlabApp {
            doc: Document::builtin(Scenario::built_in(), "baseline.toml", BUILT_IN_TOML),
            persisted,
            options,
            ctx: ctx.clone(),
            worker,
            analyses,
            analysis_views: AnalysisViews::default(),
            last_run: None,
            current: None,
            pinned: None,
            run_due: None,
            panel: PanelState::default(),
            views: ViewState::default(),
            presets: top_bar::preset_names(),
            prompt: None,
            file_errors: None,
            confirm: None,
            after_save: None,
            allow_close: false,
            status_note: None,
            status,
            title: String::new(),
            plot_titles: Vec::new(),
            plot_rects: Vec::new(),
            png_request: None,
            png_pending: None,
            screenshot_tx,
            screenshot_rx,
            publishing: None,
        };
        let from_storage = app.persisted.last_file.clone().filter(|p| p.exists());
        match (file, app.persisted.unsaved.take()) {
            (Some(path), unsaved) => {
                app.perform(Pending::OpenPath(path));
                if unsaved.is_some() {
                    app.status.push_str(
                        " (The unsaved edits of the last session were not restored: a file was named on the command line.)",
                    );
                }
            }
            (None, Some(unsaved)) => app.restore(unsaved),
            (None, None) => match from_storage {
                Some(path) => app.perform(Pending::OpenPath(path)),
                None => app.start_run(),
            },
        }
        if app.last_run.is_none() {
            app.start_run();
        }
        app
    }

    /// Opens the file the unsaved edits were made to (or the baseline) with those edits on
    /// top, unsaved, as they were left.
    fn restore(&mut self, unsaved: Unsaved) {
        let edited = match Scenario::parse(&unsaved.text, "the unsaved edits of the last session") {
            Ok(s) => s,
            Err(e) => {
                self.status = format!("Could not restore the unsaved edits of the last session: {e}");
                return;
            }
        };
        let base = unsaved.path.as_ref().and_then(|path| files::load(path).ok().map(|(s, text)| (path, s, text)));
        let mut doc = match base {
            Some((path, s, text)) => Document::new(s, Some(path.clone()), Some(text)),
            None => Document::builtin(Scenario::built_in(), "baseline.toml", BUILT_IN_TOML),
        };
        doc.edit = edited.to_draft();
        doc.valid = edited;
        self.replace_document(doc);
        let note = "Restored the unsaved edits of the last session (File > Save keeps them).";
        self.status = note.into();
        self.status_note = Some(note.into());
    }

    // ---- Read access (tests, benchmarks) ----

    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The views' choices (a tab's settings), as the user would set them through its controls.
    pub fn view_state_mut(&mut self) -> &mut ViewState {
        &mut self.views
    }

    /// The scenario being edited. After changing it, apply [`AppCommand::Edited`].
    pub fn scenario_mut(&mut self) -> &mut ScenarioDraft {
        &mut self.doc.edit
    }

    pub fn persisted(&self) -> &Persisted {
        &self.persisted
    }

    /// The result on screen.
    pub fn result(&self) -> Option<&Computed> {
        self.current.as_deref()
    }

    pub fn pinned(&self) -> Option<&Computed> {
        self.pinned.as_deref()
    }

    pub fn file_errors(&self) -> Option<&FileErrors> {
        self.file_errors.as_ref()
    }

    pub fn status(&self) -> &str {
        &self.status
    }

    pub fn title(&self) -> String {
        self.doc.title()
    }

    pub fn is_running(&self) -> bool {
        self.run_due.is_some() || self.worker.as_ref().is_some_and(|w| w.running().is_some())
    }

    /// Id of the most recent simulation job.
    pub fn last_job(&self) -> u64 {
        self.worker.as_ref().map_or(0, Worker::last_job)
    }

    /// Starts a debounced run now and blocks until the current job has delivered its last
    /// result (or `timeout` passes). For tests and benchmarks only: the app never blocks.
    pub fn wait_until_idle(&mut self, timeout: Duration) -> bool {
        if self.run_due.is_some() {
            self.start_run();
        }
        let deadline = Instant::now() + timeout;
        loop {
            let Some(w) = self.worker.as_mut() else { return false };
            let idle = w.running().is_none();
            let msg = if idle {
                w.poll()
            } else {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return false;
                }
                w.wait(left)
            };
            match msg {
                Some(msg) => self.on_worker_msg(msg),
                None if idle => return true,
                None => {}
            }
        }
    }

    // ---- The frame ----

    /// Everything that is not drawing: results from the worker, debounced runs, screenshots,
    /// close requests, the window title.
    pub fn frame_logic(&mut self, ctx: &egui::Context) {
        while let Some(msg) = self.worker.as_mut().and_then(Worker::poll) {
            self.on_worker_msg(msg);
        }
        self.update_analyses();
        self.poll_publishing();
        if let Some(due) = self.run_due {
            let now = Instant::now();
            if now >= due {
                self.start_run();
            } else {
                ctx.request_repaint_after(due - now);
            }
        }
        while let Ok(image) = self.screenshot_rx.try_recv() {
            self.on_screenshot(&image);
        }
        if ctx.input(|i| i.viewport().close_requested()) && !self.allow_close && self.doc.is_dirty() {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
            self.confirm = Some(Pending::Close);
        }
        let title = self.doc.title();
        if title != self.title {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.title = title;
        }
        if self.worker.as_ref().is_some_and(|w| w.running().is_some()) {
            // Keep the progress bar moving (10 times a second is plenty, and leaves the cores
            // to the simulation); results wake the UI themselves.
            ctx.request_repaint_after(Duration::from_millis(100));
        }
    }

    /// Draws the frame, then applies the commands the widgets returned.
    pub fn frame_ui(&mut self, ui: &mut Ui) {
        let mut cmds: Vec<AppCommand> = shortcuts(ui.ctx());
        let mut out = ViewOut { tab: self.persisted.tab, ..ViewOut::default() };
        let dark = self.persisted.dark;
        let info = TopBarInfo {
            progress: self.worker.as_ref().and_then(Worker::progress),
            shown: self.current.as_ref().map(|c| (c.runs, c.is_final())),
            pinned: self.pinned.is_some(),
            can_save: self.doc.issues.is_empty(),
            has_path: self.doc.path.is_some(),
            plots: &self.plot_titles,
            stale: self.is_stale(),
            runs_cap: (self.doc.edit.run.runs > self.runs_cap()).then(|| self.runs_cap()),
            publishing: self.publishing.is_some(),
        };
        egui::Panel::top("top_bar").show(ui, |ui| {
            top_bar::ui(ui, &mut self.doc.edit, &mut self.persisted, &self.presets, &info, &mut cmds);
        });
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_ui(ui, &mut cmds));
        if self.persisted.show_panel {
            egui::Panel::left("scenario_panel").resizable(true).default_size(460.0).min_size(320.0).show(ui, |ui| {
                panel::ui(ui, &mut self.doc.edit, &self.doc.issues, &mut self.panel, dark, &mut cmds);
            });
        }
        egui::CentralPanel::default().show(ui, |ui| self.centre_ui(ui, &mut out, &mut cmds));

        let ctx = ui.ctx().clone();
        if let Some(e) = &self.file_errors {
            files::errors_ui(&ctx, e, dark, &mut cmds);
        }
        if let Some(p) = &mut self.prompt {
            files::prompt_ui(&ctx, p, &mut cmds);
        }
        if let Some(p) = &self.confirm {
            files::confirm_ui(&ctx, p.what(), self.doc.issues.is_empty(), &mut cmds);
        }

        self.plot_titles = out.plots.iter().map(|(t, _)| t.clone()).collect();
        self.plot_rects = out.plots;
        cmds.extend(out.commands);
        for cmd in merge_edits(cmds) {
            self.apply(cmd);
        }
        // The analysis tabs' settings may have changed while drawing.
        self.update_analyses();
        self.after_frame();
    }

    fn centre_ui(&mut self, ui: &mut Ui, out: &mut ViewOut, cmds: &mut Vec<AppCommand>) {
        // Wrapped, so that every tab stays reachable in a narrow window.
        ui.horizontal_wrapped(|ui| {
            for t in Tab::ALL {
                if ui.selectable_label(self.persisted.tab == t, RichText::new(t.label()).size(15.0)).clicked() {
                    cmds.push(AppCommand::SetTab(t));
                }
            }
            if let Some(c) = &self.current
                && !c.is_final()
            {
                ui.label(
                    RichText::new(format!("preview of {} runs, refining…", top_bar::thousands(c.runs as u64)))
                        .italics()
                        .color(theme::warning(self.persisted.dark)),
                );
            }
            if self.pinned.is_some() {
                ui.label(RichText::new("pinned result shown dashed").weak());
            }
        });
        ui.separator();
        let Some(current) = self.current.clone() else {
            ui.add_space(40.0);
            ui.vertical_centered(|ui| {
                if !self.doc.issues.is_empty() {
                    ui.label("The scenario has problems (see the left panel): fix them to run it.");
                } else if self.is_running() {
                    ui.spinner();
                    ui.label("Simulating…");
                } else {
                    ui.label("No results yet: press Run.");
                }
            });
            return;
        };
        let tab = self.persisted.tab;
        let mut cx = ViewCx {
            scenario: &self.doc.valid,
            analyses: &self.analysis_views,
            current: &current,
            pinned: self.pinned.as_deref(),
            persisted: &mut self.persisted,
            state: &mut self.views,
            out,
        };
        views::ui(ui, tab, &mut cx);
    }

    fn status_ui(&self, ui: &mut Ui, cmds: &mut Vec<AppCommand>) {
        ui.horizontal(|ui| {
            if let Some(p) = &self.publishing {
                let (phrase, fraction) = p.progress();
                ui.add(egui::ProgressBar::new(fraction).desired_width(160.0).show_percentage());
                ui.label(phrase);
                if ui.small_button("Stop").on_hover_text("Stop the export; nothing more is written").clicked() {
                    cmds.push(AppCommand::CancelPublish);
                }
            } else {
                ui.label(&self.status);
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if let Some(c) = &self.current {
                    let p = &c.provenance;
                    ui.label(
                        RichText::new(format!(
                            "{} runs · {:.0} ms · seed {} · scenario {} · Tierlab {}",
                            top_bar::thousands(c.runs as u64),
                            c.elapsed.as_secs_f64() * 1000.0,
                            p.seed,
                            p.short_hash(),
                            p.version
                        ))
                        .weak(),
                    );
                }
            });
        });
    }

    fn is_stale(&self) -> bool {
        !self.doc.issues.is_empty() || self.last_run.as_deref().is_some_and(|s| *s != self.doc.valid)
    }

    // ---- Commands ----

    /// Applies one command.
    pub fn apply(&mut self, cmd: AppCommand) {
        match cmd {
            AppCommand::Edited { immediate } => self.on_edit(immediate),
            AppCommand::Run => {
                if self.doc.revalidate() {
                    self.start_run();
                } else {
                    self.status = "The scenario has problems: fix them to run it.".into();
                }
            }
            AppCommand::Cancel => {
                self.run_due = None;
                if let Some(w) = &mut self.worker {
                    w.cancel();
                }
                self.status = "Cancelled.".into();
            }
            AppCommand::Pin => {
                self.pinned = self.current.clone();
                self.status = "Pinned: these results stay on screen, dashed, until you unpin them.".into();
            }
            AppCommand::Unpin => self.pinned = None,
            AppCommand::StopAnalysis(slot) => {
                self.analyses.stop(slot);
                self.status = format!("Stopped the {}.", slot.label());
            }
            AppCommand::ResumeAnalysis(slot) => self.analyses.resume(slot),
            AppCommand::SetSweptValue { policy, param, value, immediate } => {
                if let Some(p) = self.doc.edit.policies.get_mut(policy) {
                    param.apply(p, value);
                    self.on_edit(immediate);
                }
            }
            AppCommand::AddPolicy => {
                let p = policies::new_policy(&self.doc.edit);
                self.doc.edit.policies.push(p);
                self.on_edit(true);
            }
            AppCommand::DuplicatePolicy(i) => {
                policies::duplicate(&mut self.doc.edit, i);
                self.on_edit(true);
            }
            AppCommand::RemovePolicy(i) => {
                policies::remove(&mut self.doc.edit, i);
                self.on_edit(true);
            }
            AppCommand::SetBaselinePolicy(i) => {
                if i < self.doc.edit.policies.len() {
                    self.doc.edit.run.reference = i;
                    self.on_edit(true);
                }
            }
            AppCommand::AddJurisdiction => {
                let j = jurisdictions::new_jurisdiction(&self.doc.edit);
                self.doc.edit.jurisdictions.push(j);
                self.on_edit(true);
            }
            AppCommand::RemoveJurisdiction(j) => {
                if self.doc.edit.jurisdictions.len() > 1 {
                    jurisdictions::remove(&mut self.doc.edit, j);
                    self.on_edit(true);
                }
            }
            AppCommand::Renormalise => {
                jurisdictions::renormalise(&mut self.doc.edit);
                self.on_edit(true);
            }
            AppCommand::NewFromPreset(i) => self.guard(Pending::Preset(i)),
            AppCommand::Open => self.ask_path(PathPurpose::Open),
            AppCommand::OpenPath(path) => {
                self.prompt = None;
                self.guard(Pending::OpenPath(path));
            }
            AppCommand::Save => match self.doc.path.clone() {
                Some(path) => {
                    self.save_to(&path);
                }
                None => self.ask_path(PathPurpose::SaveAs),
            },
            AppCommand::SaveAs => self.ask_path(PathPurpose::SaveAs),
            AppCommand::SaveTo(path) => {
                self.prompt = None;
                if self.save_to(&path)
                    && let Some(next) = self.after_save.take()
                {
                    self.perform(next);
                }
            }
            AppCommand::ExportCsv => self.ask_path(PathPurpose::ExportCsv),
            AppCommand::ExportCsvTo(path) => {
                self.prompt = None;
                self.export_csv(&path);
            }
            AppCommand::ExportPng { plot } => self.ask_path(PathPurpose::ExportPng { plot }),
            AppCommand::ExportPngTo { plot, path } => {
                self.prompt = None;
                self.png_request = Some(PngRequest { plot, path, frames_left: 2 });
                self.ctx.request_repaint();
            }
            AppCommand::ExportFigure { tab } => {
                if self.current.is_none() {
                    self.status = "No results to draw yet.".into();
                } else {
                    self.ask_path(PathPurpose::ExportFigures { tab });
                }
            }
            AppCommand::ExportFigureTo { tab, dir } => {
                self.prompt = None;
                let on_screen = self.on_screen();
                self.publish(Publication::Figures { tab, dir, on_screen });
            }
            AppCommand::ExportReport => self.ask_path(PathPurpose::ExportReport),
            AppCommand::ExportReportTo(dir) => {
                self.prompt = None;
                let plan = self.report_plan();
                self.publish(Publication::Report { dir, plan, formats: vec![Format::Svg, Format::Png] });
            }
            AppCommand::CancelPublish => {
                if let Some(p) = &self.publishing {
                    p.cancel();
                }
            }
            AppCommand::SetTab(t) => self.persisted.tab = t,
            AppCommand::SetDark(dark) => {
                self.persisted.dark = dark;
                theme::apply(&self.ctx, dark);
            }
            AppCommand::DismissErrors => self.file_errors = None,
            AppCommand::ConfirmSave => {
                if let Some(next) = self.confirm.take() {
                    match self.doc.path.clone() {
                        Some(path) => {
                            if self.save_to(&path) {
                                self.perform(next);
                            }
                        }
                        None => {
                            self.after_save = Some(next);
                            self.ask_path(PathPurpose::SaveAs);
                        }
                    }
                }
            }
            AppCommand::ConfirmDiscard => {
                if let Some(next) = self.confirm.take() {
                    self.perform(next);
                }
            }
            AppCommand::CancelPending => self.confirm = None,
            AppCommand::CancelPrompt => {
                self.prompt = None;
                self.after_save = None;
            }
            AppCommand::Quit => self.guard(Pending::Close),
        }
    }

    /// Reacts to an edit: checks it, and (re)starts the run, debounced unless `immediate`.
    fn on_edit(&mut self, immediate: bool) {
        let valid = self.doc.revalidate();
        if !valid {
            self.run_due = None;
            self.cancel_run();
            let n = self.doc.issues.len();
            self.status = format!(
                "The edit has {n} problem{} (listed at the top of the scenario panel); the results shown are \
                 of the last valid scenario.",
                if n == 1 { "" } else { "s" }
            );
            return;
        }
        if self.up_to_date() {
            self.run_due = None;
            return;
        }
        self.cancel_run();
        if !self.persisted.auto_run {
            self.run_due = None;
        } else if immediate {
            self.start_run();
        } else {
            self.run_due = Some(Instant::now() + self.options.debounce);
            self.ctx.request_repaint_after(self.options.debounce);
        }
    }

    /// Whether the most recent job is for the current scenario and still useful (running,
    /// or its final result on screen).
    fn up_to_date(&self) -> bool {
        let same = self.last_run.as_deref() == Some(&self.doc.valid);
        let running = self.worker.as_ref().is_some_and(|w| w.running().is_some());
        let finished = self.current.as_ref().is_some_and(|c| c.job == self.last_job() && c.is_final());
        same && (running || finished)
    }

    fn cancel_run(&mut self) {
        if let Some(w) = &mut self.worker {
            w.cancel();
        }
    }

    /// The most runs the app simulates (a test's cap, or [`APP_MAX_RUNS`]).
    fn runs_cap(&self) -> u64 {
        self.options.max_runs.unwrap_or(APP_MAX_RUNS).min(APP_MAX_RUNS)
    }

    fn start_run(&mut self) {
        self.run_due = None;
        if !self.doc.issues.is_empty() {
            return;
        }
        let cap = self.runs_cap();
        let Some(w) = self.worker.as_mut() else {
            self.status = "The simulation thread is not running.".into();
            return;
        };
        let scenario = Arc::new(self.doc.valid.clone());
        let runs = scenario.run().runs.min(cap);
        w.start(Arc::clone(&scenario), Arc::new(self.doc.source()), runs);
        self.last_run = Some(scenario);
    }

    fn on_worker_msg(&mut self, msg: WorkerMsg) {
        match msg {
            WorkerMsg::Result(c) => {
                if c.is_final() {
                    self.status = format!(
                        "{}Simulated {} runs of {} policies in {:.0} ms.",
                        self.status_note.take().map(|n| n + " ").unwrap_or_default(),
                        top_bar::thousands(c.runs as u64),
                        c.n_policies(),
                        c.elapsed.as_secs_f64() * 1000.0
                    );
                }
                self.current = Some(c);
            }
            WorkerMsg::Cancelled { .. } => {}
            WorkerMsg::Failed { message, .. } => self.status = message,
        }
    }

    /// Runs `p` now, or asks first when there are unsaved edits.
    fn guard(&mut self, p: Pending) {
        if self.doc.is_dirty() {
            self.confirm = Some(p);
        } else {
            self.perform(p);
        }
    }

    fn perform(&mut self, p: Pending) {
        match p {
            Pending::Preset(i) => {
                let Some((file, text)) = PRESETS.get(i) else { return };
                match Scenario::parse(text, file) {
                    Ok(s) => self.replace_document(Document::builtin(s, file, text)),
                    Err(e) => {
                        self.file_errors = Some(FileErrors {
                            title: "The preset was not loaded".into(),
                            origin: (*file).to_string(),
                            issues: super::state::issues_of(&e),
                        });
                    }
                }
            }
            Pending::OpenPath(path) => match files::load(&path) {
                Ok((s, text)) => {
                    self.replace_document(Document::new(s, Some(path.clone()), Some(text)));
                    self.persisted.last_file = Some(path);
                }
                Err(e) => self.file_errors = Some(e),
            },
            Pending::Close => {
                self.allow_close = true;
                self.ctx.send_viewport_cmd(ViewportCommand::Close);
            }
        }
    }

    fn replace_document(&mut self, doc: Document) {
        self.status = format!("Opened {}.", doc.display_name());
        self.doc = doc;
        self.views = ViewState::default();
        self.file_errors = None;
        self.start_run();
    }

    /// Asks for a path: the platform's dialog, or the typed-path window where there is none.
    fn ask_path(&mut self, purpose: PathPurpose) {
        let suggested = self.suggested_path(&purpose);
        if self.options.native_dialogs {
            match files::ask(&purpose, &suggested) {
                DialogAnswer::Chosen(path) => {
                    let cmd = purpose.command(path);
                    self.apply(cmd);
                    return;
                }
                DialogAnswer::Cancelled => {
                    self.after_save = None;
                    return;
                }
                DialogAnswer::Unavailable => self.options.native_dialogs = false,
            }
        }
        let text = if purpose == PathPurpose::Open {
            self.doc.path.as_ref().map_or_else(|| dir_text(&suggested), |p| p.display().to_string())
        } else {
            suggested.display().to_string()
        };
        self.prompt = Some(PathPrompt { purpose, text });
    }

    fn suggested_path(&self, purpose: &PathPurpose) -> PathBuf {
        let dir = self
            .doc
            .path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .or_else(|| std::env::current_dir().ok())
            .unwrap_or_default();
        let stem = slug(&self.doc.edit.name);
        let name = match purpose {
            PathPurpose::Open | PathPurpose::SaveAs => {
                return self.doc.path.clone().unwrap_or_else(|| dir.join(format!("{stem}.toml")));
            }
            PathPurpose::ExportCsv => format!("{stem}_{}.csv", self.persisted.tab.slug()),
            PathPurpose::ExportPng { plot } => format!("{stem}_{}.png", slug(plot)),
            PathPurpose::ExportFigures { tab } => format!("{stem}_{}_figures", tab.slug()),
            PathPurpose::ExportReport => format!("{stem}_report"),
        };
        dir.join(name)
    }

    /// Saves the scenario (only text that passes the checks); reports errors in a window.
    fn save_to(&mut self, path: &Path) -> bool {
        let errors = |issues: Vec<Issue>| FileErrors {
            title: "The scenario was not saved".into(),
            origin: path.display().to_string(),
            issues,
        };
        match self.doc.text_to_save() {
            Err(issues) => {
                self.file_errors = Some(errors(issues));
                false
            }
            Ok((text, how)) => match write_atomic(path, text.as_bytes()) {
                Ok(()) => {
                    self.doc.mark_saved(path, text);
                    self.persisted.last_file = Some(path.to_path_buf());
                    self.status = match how {
                        crate::model::edit::Saved::Kept => format!("Saved {}.", path.display()),
                        crate::model::edit::Saved::Rewritten => format!(
                            "Saved {}, written out in Tierlab's own layout: the file's layout could not be followed, \
                             so its comments were not kept.",
                            path.display()
                        ),
                    };
                    true
                }
                Err(e) => {
                    self.file_errors = Some(errors(vec![Issue {
                        path: "(file)".into(),
                        line: None,
                        message: format!("cannot write the file: {e}"),
                    }]));
                    false
                }
            },
        }
    }
}

/// Keyboard shortcuts: Ctrl+O open, Ctrl+S save, Ctrl+Shift+S save as, Ctrl+Q quit,
/// Ctrl+R run (Cmd on macOS).
fn shortcuts(ctx: &egui::Context) -> Vec<AppCommand> {
    use egui::{Key, KeyboardShortcut, Modifiers};
    let table = [
        (KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::S), AppCommand::SaveAs),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::S), AppCommand::Save),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::O), AppCommand::Open),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::Q), AppCommand::Quit),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::R), AppCommand::Run),
    ];
    ctx.input_mut(|i| table.into_iter().filter(|(k, _)| i.consume_shortcut(k)).map(|(_, c)| c).collect())
}

/// Keeps one `Edited` per frame (the last, immediate if any was).
fn merge_edits(cmds: Vec<AppCommand>) -> Vec<AppCommand> {
    let immediate = cmds.iter().any(|c| matches!(c, AppCommand::Edited { immediate: true }));
    let last = cmds.iter().rposition(|c| matches!(c, AppCommand::Edited { .. }));
    cmds.into_iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            AppCommand::Edited { .. } if Some(i) != last => None,
            AppCommand::Edited { .. } => Some(AppCommand::Edited { immediate }),
            other => Some(other),
        })
        .collect()
}

/// A file-name-friendly version of a name: "Baseline 2026" -> "baseline_2026".
pub fn slug(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    let s = s.split('_').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("_");
    if s.is_empty() { "scenario".into() } else { s }
}

fn dir_text(p: &Path) -> String {
    p.parent().map(|d| format!("{}/", d.display())).unwrap_or_default()
}

impl eframe::App for TierlabApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.frame_logic(ctx);
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        // Closing after "discard" (allow_close with edits left) keeps nothing.
        self.persisted.unsaved = (self.doc.is_dirty() && !self.allow_close)
            .then(|| Unsaved { text: self.doc.valid.to_toml(), path: self.doc.path.clone() });
        eframe::set_value(storage, eframe::APP_KEY, &self.persisted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_merge_into_one() {
        let cmds = vec![
            AppCommand::Edited { immediate: false },
            AppCommand::AddPolicy,
            AppCommand::Edited { immediate: true },
            AppCommand::Edited { immediate: false },
        ];
        assert_eq!(merge_edits(cmds), vec![AppCommand::AddPolicy, AppCommand::Edited { immediate: true }]);
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Baseline 2026"), "baseline_2026");
        assert_eq!(slug("Harm tail: how often harm exceeds x"), "harm_tail_how_often_harm_exceeds_x");
        assert_eq!(slug("?!"), "scenario");
    }
}
