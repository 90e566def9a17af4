//! `tierlab --bench-ui`: the app's latency and frame time, measured headless on the real app
//! type (an egui context without a window, frames driven the way eframe drives them: a new
//! frame as soon as the worker asks for one).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use egui::{Event, Pos2, RawInput, Rect, Vec2};

use super::AppCommand;
use super::shell::{AppOptions, TierlabApp};
use crate::workspace::Tab;
use crate::workspace::analyses::Slot;

/// Window size the frames are laid out for.
pub const SCREEN: Vec2 = Vec2::new(1440.0, 900.0);
/// Edits measured.
pub const EDITS: usize = 12;
/// Frames measured per tab.
pub const FRAMES: usize = 100;
/// Edits measured on each analysis tab.
pub const ANALYSIS_EDITS: usize = 5;
/// Targets (this 2-core machine, release build).
pub const TARGET_PREVIEW_MS: f64 = 30.0;
pub const TARGET_FULL_MS: f64 = 150.0;
pub const TARGET_FRAME_MS: f64 = 16.0;

struct Driver {
    ctx: egui::Context,
    wake: Receiver<()>,
    started: Instant,
    pointer: Pos2,
    /// Move the pointer every frame (frame-time phase) or leave it still (latency phase: a
    /// still pointer lets the app idle between results, as it does for a user).
    wiggle: bool,
    frames: u64,
    /// When the last frame asked for the next one.
    repaint_delay: Duration,
}

/// Time of one frame: the egui pass (`App::logic` + `App::ui`) and tessellation.
struct FrameTime {
    ui: Duration,
    total: Duration,
    /// Shapes drawn and vertices tessellated: what the frame actually holds.
    shapes: usize,
    vertices: usize,
}

impl Driver {
    fn new() -> Driver {
        let ctx = egui::Context::default();
        let (tx, rx) = channel();
        ctx.set_request_repaint_callback(move |info| {
            if info.delay.is_zero() {
                let _ = tx.send(());
            }
        });
        Driver {
            ctx,
            wake: rx,
            started: Instant::now(),
            pointer: Pos2::new(SCREEN.x * 0.62, SCREEN.y * 0.55),
            wiggle: false,
            frames: 0,
            repaint_delay: Duration::ZERO,
        }
    }

    fn frame(&mut self, app: &mut TierlabApp) -> FrameTime {
        let mut events = Vec::new();
        if self.wiggle {
            // Over the plots, so hover readouts are part of the cost.
            self.pointer.x += if self.pointer.x > SCREEN.x * 0.65 { -30.0 } else { 3.0 };
            events.push(Event::PointerMoved(self.pointer));
        }
        self.frames += 1;
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, SCREEN)),
            time: Some(self.started.elapsed().as_secs_f64()),
            events,
            ..RawInput::default()
        };
        let t0 = Instant::now();
        let mut output = self.ctx.run_ui(input, |ui| {
            app.frame_logic(ui.ctx());
            app.frame_ui(ui);
        });
        let ui = t0.elapsed();
        // No renderer here: font atlas updates have nowhere to go.
        output.textures_delta.clear();
        self.repaint_delay =
            output.viewport_output.get(&egui::ViewportId::ROOT).map_or(Duration::MAX, |v| v.repaint_delay);
        let shapes = output.shapes.len();
        let primitives = self.ctx.tessellate(output.shapes, output.pixels_per_point);
        let total = t0.elapsed();
        let vertices = primitives
            .iter()
            .map(|p| match &p.primitive {
                egui::epaint::Primitive::Mesh(m) => m.vertices.len(),
                egui::epaint::Primitive::Callback(_) => 0,
            })
            .sum();
        FrameTime { ui, total, shapes, vertices }
    }

    /// Waits the way eframe does: until the worker asks for a repaint, or until the delay the
    /// last frame asked for (at most `max`).
    fn idle(&self, max: Duration) {
        let _ = self.wake.recv_timeout(self.repaint_delay.min(max));
        while self.wake.try_recv().is_ok() {}
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn stats(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    (percentile(&v, 0.5), percentile(&v, 0.95), v.last().copied().unwrap_or(f64::NAN))
}

fn verdict(x: f64, target: f64) -> &'static str {
    if x <= target { "ok" } else { "OVER TARGET" }
}

/// Frames until the newest job's final result is on screen; returns when the first and the
/// final result of that job were first drawn, measured from `t0`.
fn until_final(
    d: &mut Driver,
    app: &mut TierlabApp,
    t0: Instant,
    timeout: Duration,
) -> Option<(Duration, usize, Duration)> {
    let job = app.workspace().last_job();
    let mut first: Option<(Duration, usize)> = None;
    while t0.elapsed() < timeout {
        d.frame(app);
        if let Some(c) = app.workspace().result().filter(|c| c.job == job) {
            if std::env::var_os("TIERLAB_BENCH_VERBOSE").is_some() {
                eprintln!("  job {job}: {} runs on screen at {:?} (worker {:?})", c.runs, t0.elapsed(), c.elapsed);
            }
            if first.is_none() {
                first = Some((t0.elapsed(), c.runs));
            }
            if c.is_final() {
                let (f, runs) = first.unwrap_or((t0.elapsed(), c.runs));
                return Some((f, runs, t0.elapsed()));
            }
        }
        d.idle(Duration::from_secs(1));
    }
    None
}

/// Runs the benchmark and prints the figures.
///
/// # Errors
/// The simulation does not finish in time.
pub fn run(file: Option<PathBuf>) -> anyhow::Result<ExitCode> {
    let mut d = Driver::new();
    let options = AppOptions { native_dialogs: false, ..AppOptions::default() };
    let mut app = TierlabApp::new(&d.ctx, None, file, options);
    let timeout = Duration::from_secs(120);
    until_final(&mut d, &mut app, Instant::now(), timeout)
        .ok_or_else(|| anyhow::anyhow!("the first simulation did not finish within {} s", timeout.as_secs()))?;
    if let Some(e) = app.workspace().file_errors() {
        anyhow::bail!("the scenario did not load: {} problems", e.issues.len());
    }
    let s = app.workspace().document().valid.clone();
    let policy = s.policies().iter().position(crate::model::Policy::has_tiered);
    println!("Tierlab --bench-ui: the desktop app measured headless (egui context, no window)");
    println!(
        "scenario \"{}\": {} runs x {} policies x {} steps; {} worker threads; {} build",
        s.name(),
        s.run().runs,
        s.policies().len(),
        s.run().steps(),
        rayon::current_num_threads(),
        if cfg!(debug_assertions) { "DEBUG (figures not representative)" } else { "release" }
    );
    println!();

    // 1. Edit -> preview on screen -> full result on screen.
    let mut previews = Vec::new();
    let mut fulls = Vec::new();
    let frames_before = d.frames;
    let mut preview_runs = 0;
    for k in 0..EDITS {
        let delta = if k % 2 == 0 { 0.1 } else { -0.1 };
        match policy {
            Some(p) => app.workspace_mut().scenario_mut().policies[p].map_tiered(|open, gated, _| {
                *open += delta;
                *gated += delta;
            }),
            None => app.workspace_mut().scenario_mut().run.seed += 1,
        }
        let t0 = Instant::now();
        // A slider released: the edit runs at once.
        app.apply(AppCommand::Edited { immediate: true });
        let (first, runs, full) = until_final(&mut d, &mut app, t0, timeout)
            .ok_or_else(|| anyhow::anyhow!("an edit's simulation did not finish within {} s", timeout.as_secs()))?;
        previews.push(ms(first));
        fulls.push(ms(full));
        preview_runs = runs;
    }
    let frames_per_edit = (d.frames - frames_before) as f64 / EDITS as f64;
    let what = match policy {
        Some(p) => format!("moving the thresholds of \"{}\" by ±0.1 OOM", s.policies()[p].name),
        None => "changing the seed".into(),
    };
    println!("Edit latency ({what}; {EDITS} edits, slider released = run at once):");
    let (p50, p95, max) = stats(previews);
    println!(
        "  edit -> preview on screen ({preview_runs} runs):  median {p50:6.1} ms  p95 {p95:6.1} ms  max {max:6.1} ms   \
         target <= {TARGET_PREVIEW_MS:.0} ms: {}",
        verdict(p50, TARGET_PREVIEW_MS)
    );
    let (f50, f95, fmax) = stats(fulls);
    println!(
        "  edit -> full result on screen ({} runs): median {f50:6.1} ms  p95 {f95:6.1} ms  max {fmax:6.1} ms   \
         target <= {TARGET_FULL_MS:.0} ms: {}",
        s.run().runs,
        verdict(f50, TARGET_FULL_MS)
    );
    println!("  frames drawn per edit: {frames_per_edit:.1} (the app idles between results)");
    println!(
        "  (while a slider is dragged, runs start {} ms after the last move)",
        AppOptions::default().debounce.as_millis()
    );
    println!();

    // 2. Frame time with results loaded (and pinned, so ghosts are drawn too).
    d.wiggle = true;
    app.apply(AppCommand::Pin);
    println!(
        "Frame time with results loaded and pinned ({FRAMES} frames per tab, {}x{} points, pointer over the plots):",
        SCREEN.x, SCREEN.y
    );
    println!("  {:<14} {:>22} {:>30}", "tab", "App::ui median/p95/max", "ui + tessellate median/p95/max");
    let mut worst: f64 = 0.0;
    for tab in Tab::ALL {
        app.apply(AppCommand::SetTab(tab));
        for _ in 0..5 {
            d.frame(&mut app);
        }
        if tab.is_analysis() && !app.workspace_mut().wait_for_analyses(timeout) {
            anyhow::bail!("the {} tab's analyses did not finish within {} s", tab.label(), timeout.as_secs());
        }
        let mut ui_times = Vec::with_capacity(FRAMES);
        let mut totals = Vec::with_capacity(FRAMES);
        let mut size = (0, 0);
        for _ in 0..FRAMES {
            let t = d.frame(&mut app);
            ui_times.push(ms(t.ui));
            totals.push(ms(t.total));
            size = (t.shapes, t.vertices);
        }
        let (u50, u95, umax) = stats(ui_times);
        let (t50, t95, tmax) = stats(totals);
        worst = worst.max(t95);
        println!(
            "  {:<14} {u50:6.2} {u95:6.2} {umax:6.2} ms   {t50:9.2} {t95:6.2} {tmax:6.2} ms   ({} shapes, {} vertices)",
            tab.label(),
            size.0,
            size.1
        );
    }
    println!(
        "  worst p95 (ui + tessellate): {worst:.2} ms   target <= {TARGET_FRAME_MS:.0} ms: {}",
        verdict(worst, TARGET_FRAME_MS)
    );
    println!();
    analyses(&mut d, &mut app, policy, timeout)?;
    Ok(ExitCode::SUCCESS)
}

/// Whether the analysis in `slot` shows the result of what the tab asks for now.
fn analysis_ready(app: &TierlabApp, slot: Slot) -> bool {
    let v = app.workspace().analysis(slot);
    v.outcome.is_some() && !v.pending && !v.stopped && v.progress.is_none()
}

/// Part 3, the analysis tabs: from an edit to each analysis on screen, and the frame time
/// while the analyses run (the pointer moving all the while, frames back to back: a user waiting).
fn analyses(d: &mut Driver, app: &mut TierlabApp, policy: Option<usize>, timeout: Duration) -> anyhow::Result<()> {
    let Some(p) = policy else {
        println!("Analyses: skipped (no tiered policy to sweep)");
        return Ok(());
    };
    let cases: [(Tab, &[Slot]); 2] =
        [(Tab::Thresholds, &[Slot::Sweep, Slot::Heatmap]), (Tab::Sensitivity, &[Slot::Sensitivity])];
    println!(
        "Analyses ({ANALYSIS_EDITS} edits per tab, each moving the thresholds by ±0.1 OOM; pointer moving, frames back to back):"
    );
    for (tab, slots) in cases {
        app.apply(AppCommand::SetTab(tab));
        if !app.workspace_mut().wait_for_analyses(timeout) {
            anyhow::bail!("the {} tab's analyses did not finish within {} s", tab.label(), timeout.as_secs());
        }
        let mut ready: Vec<Vec<f64>> = vec![Vec::new(); slots.len()];
        let mut frames = Vec::new();
        for k in 0..ANALYSIS_EDITS {
            let delta = if k % 2 == 0 { 0.1 } else { -0.1 };
            app.workspace_mut().scenario_mut().policies[p].map_tiered(|open, gated, _| {
                *open += delta;
                *gated += delta;
            });
            let t0 = Instant::now();
            app.apply(AppCommand::Edited { immediate: true });
            let mut done: Vec<Option<f64>> = vec![None; slots.len()];
            // Let the edit reach the analyses before asking whether they are ready.
            d.frame(app);
            while done.iter().any(Option::is_none) {
                if t0.elapsed() > timeout {
                    anyhow::bail!("the {} tab's analyses did not finish within {} s", tab.label(), timeout.as_secs());
                }
                frames.push(ms(d.frame(app).total));
                for (i, &slot) in slots.iter().enumerate() {
                    if done[i].is_none() && analysis_ready(app, slot) {
                        done[i] = Some(ms(t0.elapsed()));
                    }
                }
            }
            for (i, t) in done.into_iter().enumerate() {
                ready[i].push(t.unwrap_or(f64::NAN));
            }
        }
        for (i, slot) in slots.iter().enumerate() {
            let (m, p95, max) = stats(ready[i].clone());
            println!(
                "  {:<12} edit -> {:<20} on screen: median {m:7.0} ms  p95 {p95:7.0} ms  max {max:7.0} ms",
                tab.label(),
                slot.label()
            );
        }
        let (f50, f95, fmax) = stats(frames.clone());
        println!(
            "  {:<12} frame time while they run ({} frames): median {f50:.2} ms  p95 {f95:.2} ms  max {fmax:.2} ms   \
             target <= {TARGET_FRAME_MS:.0} ms: {}",
            tab.label(),
            frames.len(),
            verdict(f95, TARGET_FRAME_MS)
        );
    }
    Ok(())
}
