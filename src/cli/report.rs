//! `tierlab report` (figures, report.html and report.md) and `tierlab figures` (single
//! figures), and the simulation they share: every run with per-jurisdiction results, and
//! per-step series for the first runs.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use super::run::{CHUNK_RUNS, SERIES_RUNS_CAP};
use super::{CommonRunArgs, FiguresArgs, InvalidInput, Loaded, ReportArgs, jurisdiction_names, load};
use crate::analysis::summary::JurisdictionSummary;
use crate::analysis::{SeriesSummary, Summary, summarise, summarise_series};
use crate::export::data::Provenance;
use crate::export::figures::{FigureError, FigureInput, FigureKind, FigureOptions, Format, prepare};
use crate::export::report::write_report;
use crate::sim::{Control, CorrelatedDraws, Engine, Record, Results, SimOptions, simulate_range};

/// Everything the figures are drawn from.
pub struct Simulated {
    pub results: Results,
    pub summary: Summary,
    pub series: Option<SeriesSummary>,
    pub provenance: Provenance,
}

impl Simulated {
    pub fn input<'a>(&'a self, scenario: &'a crate::model::Scenario) -> FigureInput<'a> {
        FigureInput::new(scenario, &self.results, &self.summary, &self.provenance).with_series(self.series.as_ref())
    }
}

/// Parses `--format svg,png`.
///
/// # Errors
/// An unknown format ([`InvalidInput`]).
pub fn parse_formats(names: &[String]) -> anyhow::Result<Vec<Format>> {
    let mut formats = Vec::new();
    for name in names.iter().filter(|n| !n.trim().is_empty()) {
        let f = Format::from_name(name)
            .ok_or_else(|| InvalidInput(format!("unknown figure format \"{name}\"; valid formats: svg, png")))?;
        if !formats.contains(&f) {
            formats.push(f);
        }
    }
    if formats.is_empty() {
        return Err(InvalidInput("no figure format given; valid formats: svg, png".into()).into());
    }
    Ok(formats)
}

/// Parses `--only NAME...` (all figures when empty).
///
/// # Errors
/// An unknown figure name ([`InvalidInput`], listing the valid names).
pub fn parse_figures(names: &[String]) -> anyhow::Result<Vec<FigureKind>> {
    if names.is_empty() {
        return Ok(FigureKind::all().to_vec());
    }
    let mut kinds = Vec::new();
    for name in names.iter().flat_map(|n| n.split(',')).map(str::trim).filter(|n| !n.is_empty()) {
        let kind = FigureKind::parse(name).map_err(|e| InvalidInput(e.to_string()))?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

fn bar(len: u64, template: &str, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        b.set_style(style);
    }
    Some(b)
}

/// Running mean and M2 of one per-jurisdiction quantity (Chan et al.'s pairwise update).
#[derive(Clone, Copy, Default)]
struct Moments2 {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Moments2 {
    fn add_chunk(&mut self, xs: impl Iterator<Item = f64> + Clone) {
        let n_b = xs.clone().count() as f64;
        if n_b == 0.0 {
            return;
        }
        let mean_b = xs.clone().sum::<f64>() / n_b;
        let m2_b: f64 = xs.map(|x| (x - mean_b) * (x - mean_b)).sum();
        let n = self.n + n_b;
        let delta = mean_b - self.mean;
        self.mean += delta * n_b / n;
        self.m2 += m2_b + delta * delta * self.n * n_b / n;
        self.n = n;
    }
    fn se(&self) -> f64 {
        if self.n < 2.0 { 0.0 } else { (self.m2 / (self.n - 1.0)).sqrt() / self.n.sqrt() }
    }
}

/// Simulates every run of a loaded scenario for figures: outcomes of all runs, series of the
/// first `min(runs, 20,000)`, and per-jurisdiction means and standard errors over all runs
/// (streamed in chunks, so memory stays bounded at any run count).
///
/// # Errors
/// A thread pool that cannot start, or a cancelled simulation.
pub fn simulate_for_figures(loaded: &Loaded, common: &CommonRunArgs, started: Instant) -> anyhow::Result<Simulated> {
    let s = &loaded.scenario;
    let runs = s.run.runs;
    let np = s.policies.len();
    let nj = s.jurisdictions.len();
    let engine = Engine::new(s);
    let correlated = CorrelatedDraws::new(s, &engine, runs);
    let control = Control::new();
    let series_runs = runs.min(SERIES_RUNS_CAP);
    let pool = match common.threads {
        Some(t) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(t as usize)
                .thread_name(|i| format!("tierlab-sim-{i}"))
                .build()
                .with_context(|| format!("cannot start {t} worker threads"))?,
        ),
        None => None,
    };
    let progress =
        bar(runs, "{spinner} simulating [{elapsed_precise}] {bar:40} {pos}/{len} runs ({eta} left)", common.quiet);
    let done = AtomicBool::new(false);
    let body = || -> anyhow::Result<(Results, Option<SeriesSummary>, Vec<[Moments2; 3]>)> {
        let mut combined: Option<Results> = None;
        let mut series = None;
        // [(policy * J + j)] -> benefit, harm, share_end
        let mut jur = vec![[Moments2::default(); 3]; np * nj];
        let mut start = 0;
        while start < runs {
            let end = (start + CHUNK_RUNS).min(runs);
            let opts = SimOptions {
                threads: None,
                record: Record {
                    jurisdictions: true,
                    series_runs: if start == 0 { series_runs } else { 0 },
                    params: false,
                },
                param_overrides: Vec::new(),
            };
            let mut chunk = simulate_range(&engine, correlated.as_ref(), start..end, &opts, &control)?;
            if start == 0 && series_runs > 0 {
                series = Some(summarise_series(&chunk, &jurisdiction_names(s)));
                chunk.series = Vec::new();
            }
            if runs > CHUNK_RUNS {
                let n = chunk.n_runs();
                for p in 0..np {
                    for j in 0..nj {
                        let cell = |r: usize| &chunk.jurisdictions[(r * np + p) * nj + j];
                        let m = &mut jur[p * nj + j];
                        m[0].add_chunk((0..n).map(|r| cell(r).benefit));
                        m[1].add_chunk((0..n).map(|r| cell(r).harm));
                        m[2].add_chunk((0..n).map(|r| cell(r).share_end));
                    }
                }
                chunk.jurisdictions = Vec::new();
            }
            combined = Some(match combined {
                None => chunk,
                Some(mut c) => {
                    c.outcomes.extend_from_slice(&chunk.outcomes);
                    c.runs.end = chunk.runs.end;
                    c
                }
            });
            start = end;
        }
        let combined = combined.ok_or_else(|| anyhow::anyhow!("no runs"))?;
        Ok((combined, series, jur))
    };
    let (results, series, jur) = std::thread::scope(|scope| {
        if let Some(b) = &progress {
            scope.spawn(|| {
                while !done.load(Ordering::Relaxed) {
                    b.set_position(control.runs_done());
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
        }
        let out = match &pool {
            Some(p) => p.install(body),
            None => body(),
        };
        done.store(true, Ordering::Relaxed);
        out
    })?;
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    let names: Vec<String> = s.policies.iter().map(|p| p.name.clone()).collect();
    let mut summary = match &pool {
        Some(p) => p.install(|| summarise(&results, &names, s.run.baseline)),
        None => summarise(&results, &names, s.run.baseline),
    };
    if runs > CHUNK_RUNS {
        for (p, ps) in summary.policies.iter_mut().enumerate() {
            ps.jurisdictions = (0..nj)
                .map(|j| {
                    let [b, h, sh] = jur[p * nj + j];
                    JurisdictionSummary {
                        benefit_mean: b.mean,
                        benefit_se: b.se(),
                        harm_mean: h.mean,
                        harm_se: h.se(),
                        share_end_mean: sh.mean,
                    }
                })
                .collect();
        }
    }
    let mut provenance = Provenance::new(s, &loaded.origin, &loaded.text);
    provenance.threads = pool.as_ref().map_or_else(rayon::current_num_threads, rayon::ThreadPool::current_num_threads);
    provenance.series_runs = series.as_ref().map_or(0, |x| x.runs);
    provenance.wall_time_s = started.elapsed().as_secs_f64();
    Ok(Simulated { results, summary, series, provenance })
}

fn load_with(file: &Path, common: &CommonRunArgs) -> anyhow::Result<Loaded> {
    let mut loaded = load(file)?;
    if let Some(r) = common.runs {
        loaded.scenario.run.runs = r;
    }
    if let Some(s) = common.seed {
        loaded.scenario.run.seed = s;
    }
    Ok(loaded)
}

/// `tierlab report FILE --out DIR`.
///
/// # Errors
/// Invalid input, or a figure or file that cannot be written.
pub fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let formats = parse_formats(&args.format)?;
    let loaded = load_with(&args.file, &args.common)?;
    let sim = simulate_for_figures(&loaded, &args.common, started)?;
    let input = sim.input(&loaded.scenario);
    let progress =
        bar(FigureKind::all().len() as u64, "{spinner} drawing {bar:40} {pos}/{len} figures {msg}", args.common.quiet);
    let files = write_report(&args.out, &input, &formats, &FigureOptions::default(), |kind| {
        if let Some(b) = &progress {
            b.set_message(kind.name());
            b.inc(1);
        }
    })
    .with_context(|| format!("cannot write the report to {}", args.out.display()))?;
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    for (kind, why) in &files.skipped {
        eprintln!("note: {} not drawn: {why}", kind.name());
    }
    eprintln!(
        "wrote {} figures to {}, {} and {} ({:.1} s)",
        files.figures.len(),
        args.out.join(crate::export::report::FIGURES_DIR).display(),
        files.html.display(),
        files.markdown.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// `tierlab figures FILE --out DIR [--only NAME...]`.
///
/// # Errors
/// Invalid input (an unknown figure or format), or a figure that cannot be written.
pub fn figures(args: FiguresArgs) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let kinds = parse_figures(&args.only)?;
    let formats = parse_formats(&args.format)?;
    let loaded = load_with(&args.file, &args.common)?;
    let sim = simulate_for_figures(&loaded, &args.common, started)?;
    let input = sim.input(&loaded.scenario);
    std::fs::create_dir_all(&args.out).with_context(|| format!("cannot create {}", args.out.display()))?;
    let opts = FigureOptions::default();
    let explicit = !args.only.is_empty();
    let progress = bar(kinds.len() as u64, "{spinner} drawing {bar:40} {pos}/{len} figures {msg}", args.common.quiet);
    let mut written = 0;
    for kind in kinds {
        if let Some(b) = &progress {
            b.set_message(kind.name());
        }
        if !explicit && !kind.available(&input) {
            eprintln!("note: {} not drawn: the results lack the data it needs", kind.name());
            continue;
        }
        let figure = match prepare(kind, &input) {
            Ok(f) => f,
            // Asked by name for a figure this scenario cannot have (e.g. a paired
            // difference with one policy): invalid input.
            Err(e @ FigureError::MissingData { .. }) => return Err(InvalidInput(e.to_string()).into()),
            Err(e) => return Err(e.into()),
        };
        for &format in &formats {
            let path = args.out.join(format!("{}.{}", kind.name(), format.extension()));
            figure.write(format, &path, &opts)?;
        }
        written += 1;
        if let Some(b) = &progress {
            b.inc(1);
        }
    }
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    eprintln!("wrote {written} figures (with JSON sidecars) to {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
