//! The browser's entry point: the desktop app's [`TierlabApp`] on a canvas, through eframe's
//! `WebRunner`, with the workspace stepped between frames on the page's one thread (no
//! thread pool exists there without cross-origin isolation). Built by scripts/web/build.sh
//! as a cdylib (`cargo rustc --lib --crate-type cdylib`), so the native package keeps its
//! plain rlib and builds no cdylib it does not need.
//!
//! At load, the page's address fragment is opened as a share link (a bad one: its errors,
//! over the built-in scenario); "Copy link" copies this page's address with the scenario's
//! fragment. For tests, `window.tierlab.summary()` gives the current result's summary.json
//! text as `tierlab run --out` writes it (empty until the final result is on screen) and
//! `window.tierlab.link()` the current share link; `window.tierlab.ready()` says whether the
//! final result of the scenario on screen has arrived.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::app::{AppOptions, TierlabApp};
use crate::export::data::summary_json;
use crate::workspace;

/// The most runs a simulation in the page makes: every run's series stays in memory there
/// (no file system to spill to), about 6 KB a run for the built-in scenario, and a wasm32
/// memory holds at most 4 GiB.
pub const MAX_RUNS: u64 = 200_000;

/// Work done per slice: between two slices the browser handles input and draws frames, so
/// the page answers within about this long while simulating.
const STEP_BUDGET: Duration = Duration::from_millis(12);

/// How often progress is drawn while simulating (a new result is drawn at once). Drawing a
/// frame costs the one thread what a slice would: WebGL in software (headless Chromium's
/// SwiftShader) takes about 150 ms for a frame of the whole window.
const PROGRESS_EVERY_MS: f64 = 250.0;

/// What the page exposes to scripts, refreshed every frame.
#[derive(Default)]
struct Exposed {
    summary: String,
    link: String,
    ready: bool,
    /// Nothing left to compute: the result and every analysis the tab on screen asked for.
    idle: bool,
    status: String,
    /// The errors window's title and problems (a refused link, a file), one a line.
    errors: String,
    /// When the first result was on screen, in ms since the page started loading.
    first_result_ms: Option<f64>,
    /// A seed set from a script ([`set_seed`]), applied at the next frame as the seed field
    /// applies an edit.
    set_seed: Option<u64>,
    /// The job whose summary is in `summary`, so it is serialised once per result.
    job: Option<(u64, usize)>,
}

thread_local! {
    static EXPOSED: Rc<RefCell<Exposed>> = Rc::new(RefCell::new(Exposed::default()));
    /// The app's context, to wake it when a script asks for something.
    static CONTEXT: RefCell<Option<egui::Context>> = const { RefCell::new(None) };
    /// The runner, for the stepping loop to reach the app.
    static RUNNER: RefCell<Option<eframe::WebRunner>> = const { RefCell::new(None) };
    /// Whether a slice is scheduled (the loop runs while the workspace has work).
    static STEPPING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs a slice of the workspace's work from a timer, not from a frame: frames cost what
/// they cost (see [`PROGRESS_EVERY_MS`]), and the simulation goes on between them. Schedules
/// the next slice while work is left; a frame that finds work and no loop starts it.
fn schedule_slice() {
    if STEPPING.with(|s| s.replace(true)) {
        return;
    }
    let tick = Closure::once_into_js(|| {
        STEPPING.with(|s| s.set(false));
        let runner = RUNNER.with(|r| r.borrow().clone());
        let more = runner.as_ref().and_then(|r| r.app_mut::<WebApp>()).is_some_and(|mut app| app.slice());
        if more {
            schedule_slice();
        }
    });
    let scheduled = web_sys::window()
        .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(tick.unchecked_ref(), 0).is_ok());
    if scheduled != Some(true) {
        STEPPING.with(|s| s.set(false));
    }
}

/// Milliseconds since the page started loading (the Performance API's clock).
fn page_ms() -> Option<f64> {
    web_sys::window().and_then(|w| w.performance()).map(|p| p.now())
}

/// The app and what it exposes.
struct WebApp {
    app: TierlabApp,
    exposed: Rc<RefCell<Exposed>>,
    /// The page's address without its fragment: what links start with.
    page: String,
    ctx: egui::Context,
    /// The result on screen when a frame was last asked for, and when.
    drawn: (Option<(u64, usize)>, f64),
}

impl WebApp {
    /// One slice of work between frames; asks for a frame when a new result is there, when
    /// the work is done, and every [`PROGRESS_EVERY_MS`] for the progress bar. Returns
    /// whether work is left.
    fn slice(&mut self) -> bool {
        self.take_requests();
        let more = self.app.step(STEP_BUDGET);
        let shown = self.app.workspace().result().map(|c| (c.job, c.runs));
        let now = page_ms().unwrap_or_default();
        if !more || shown != self.drawn.0 || now - self.drawn.1 >= PROGRESS_EVERY_MS {
            self.drawn = (shown, now);
            self.ctx.request_repaint();
        }
        more
    }

    /// Applies what scripts asked for since the last frame.
    fn take_requests(&mut self) {
        let seed = self.exposed.borrow_mut().set_seed.take();
        if let Some(seed) = seed {
            let ws = self.app.workspace_mut();
            ws.scenario_mut().run.seed = seed;
            let _ = ws.apply(crate::workspace::Command::Edited { immediate: true });
        }
    }

    fn expose(&mut self) {
        let ws = self.app.workspace();
        let mut e = self.exposed.borrow_mut();
        e.status.clear();
        e.status.push_str(ws.status());
        e.errors = ws.file_errors().map_or_else(String::new, |f| {
            let lines = f.issues.iter().map(crate::workspace::files::issue_line);
            std::iter::once(f.title.clone()).chain(lines).collect::<Vec<_>>().join("\n")
        });
        if e.first_result_ms.is_none() && ws.result().is_some() {
            e.first_result_ms = page_ms();
        }
        e.link = format!("{}{}", self.page, ws.share_link());
        let result = ws.result().filter(|c| c.is_final() && !ws.is_stale() && !ws.is_running());
        e.ready = result.is_some();
        e.idle = e.ready && !ws.has_work();
        let Some(c) = result else {
            e.summary.clear();
            e.job = None;
            return;
        };
        if e.job != Some((c.job, c.runs)) {
            // The same text `tierlab run --out` writes: the summary and its provenance.
            e.summary = summary_json(&c.summary, &c.provenance).unwrap_or_else(|err| format!("error: {err}"));
            e.job = Some((c.job, c.runs));
        }
    }
}

impl eframe::App for WebApp {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        self.take_requests();
        eframe::App::logic(&mut self.app, ctx, frame);
        self.expose();
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        eframe::App::ui(&mut self.app, ui, frame);
        // An edit, or the tab's analyses, may have given the workspace work.
        if self.app.workspace().has_work() {
            schedule_slice();
        }
    }

    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        Some(&mut *self)
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::App::save(&mut self.app, storage);
    }
}

/// The page's address and its fragment.
fn location() -> (String, String) {
    let Some(loc) = web_sys::window().map(|w| w.location()) else { return (String::new(), String::new()) };
    let page = format!(
        "{}{}{}",
        loc.origin().unwrap_or_default(),
        loc.pathname().unwrap_or_default(),
        loc.search().unwrap_or_default()
    );
    (page, loc.hash().unwrap_or_default())
}

/// Starts the app on the canvas with id `canvas_id`; called by index.html once the module is
/// loaded.
///
/// # Errors
/// No such canvas, or no WebGL.
#[wasm_bindgen]
pub async fn start(canvas_id: String) -> Result<(), JsValue> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let canvas = document
        .get_element_by_id(&canvas_id)
        .ok_or_else(|| format!("no element with id {canvas_id}"))?
        .dyn_into::<web_sys::HtmlCanvasElement>()?;
    let (page, fragment) = location();
    let exposed = EXPOSED.with(Rc::clone);
    let runner = eframe::WebRunner::new();
    RUNNER.with(|r| *r.borrow_mut() = Some(runner.clone()));
    runner
        .start(
            canvas,
            eframe::WebOptions::default(),
            Box::new(move |cc| {
                // A link names its scenario; without one, the page opens what the last
                // session left (eframe keeps it in the browser's local storage).
                let link = (!fragment.trim_start_matches('#').is_empty()).then_some(fragment);
                let options = AppOptions {
                    max_runs: Some(MAX_RUNS),
                    native_dialogs: false,
                    link,
                    link_base: page.clone(),
                    executor: workspace::Executor::Stepped,
                    ..AppOptions::default()
                };
                CONTEXT.with(|c| *c.borrow_mut() = Some(cc.egui_ctx.clone()));
                let app = TierlabApp::new(&cc.egui_ctx, cc.storage, None, options);
                Ok(Box::new(WebApp { app, exposed, page, ctx: cc.egui_ctx.clone(), drawn: (None, 0.0) }))
            }),
        )
        .await?;
    schedule_slice();
    Ok(())
}

/// The current result's summary.json text (empty until the final result of the scenario on
/// screen is there).
#[wasm_bindgen]
pub fn summary() -> String {
    EXPOSED.with(|e| e.borrow().summary.clone())
}

/// The current share link: this page's address and the scenario's fragment.
#[wasm_bindgen]
pub fn link() -> String {
    EXPOSED.with(|e| e.borrow().link.clone())
}

/// Whether the final result of the scenario on screen has arrived (nothing left to simulate
/// for it).
#[wasm_bindgen]
pub fn ready() -> bool {
    EXPOSED.with(|e| e.borrow().ready)
}

/// The status line's text (what was opened, why a link was refused).
#[wasm_bindgen]
pub fn status() -> String {
    EXPOSED.with(|e| e.borrow().status.clone())
}

/// When the first result was on screen, in ms since the page started loading (`undefined`
/// before it).
#[wasm_bindgen]
pub fn first_result_ms() -> Option<f64> {
    EXPOSED.with(|e| e.borrow().first_result_ms)
}

/// Sets the scenario's seed as the seed field does (an edit, run at once): for timing an
/// edit's result from a script.
#[wasm_bindgen]
pub fn set_seed(seed: f64) {
    // A JS number: whole and within the seed's range, else ignored (the field's own rule).
    if seed.fract() == 0.0 && (0.0..=crate::model::scenario::MAX_SEED as f64).contains(&seed) {
        EXPOSED.with(|e| e.borrow_mut().set_seed = Some(seed as u64));
        CONTEXT.with(|c| {
            if let Some(ctx) = c.borrow().as_ref() {
                ctx.request_repaint();
            }
        });
        schedule_slice();
    }
}

/// Whether nothing is left to compute: the final result and every analysis the tab on screen
/// asked for (a sweep, a sensitivity analysis) are there.
#[wasm_bindgen]
pub fn idle() -> bool {
    EXPOSED.with(|e| e.borrow().idle)
}

/// What the errors window shows, if it is open: its title, then each problem on a line
/// (a refused link says why here).
#[wasm_bindgen]
pub fn errors() -> String {
    EXPOSED.with(|e| e.borrow().errors.clone())
}
