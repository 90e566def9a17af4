//! Engine throughput on the baseline scenario (4 policies x 40 steps x 5 jurisdictions),
//! reported in run-steps (one run of one policy for one step).
//!
//! - `baseline_1m_*`: 1,000,000 runs at 2 threads and at 1 thread, through the pipeline's main
//!   simulation as `tierlab run` makes it without `--out` (per-run outcomes kept, clamped
//!   draws counted, summaries at the end left out), so the figure is the engine's and the
//!   pipeline's.
//! - `baseline_10k_*`: 10,000 runs, as the scenario file has it, with and without the
//!   summary that follows; `baseline_300_preview_all_records`: the app's preview.

use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use tierlab::analysis::{summarise, summarise_series};
use tierlab::model::Scenario;
use tierlab::sim::{Control, Record, SimOptions, simulate};
use tierlab::study::{Input, Keeps, MainSimulation, Runs};

fn baseline(runs: u64) -> Scenario {
    Scenario::built_in().with_runs(runs).expect("a valid run count")
}

fn run_steps(s: &Scenario) -> u64 {
    s.run().runs * s.policies().len() as u64 * s.run().steps() as u64
}

/// Every run of `s` through the pipeline on `pool`, keeping only what `tierlab run` keeps
/// without `--out`; returns a checksum so nothing is optimised away.
fn simulate_chunked(input: &Input, pool: &rayon::ThreadPool) -> f64 {
    pool.install(|| {
        let mut runs = Runs::All;
        let mut main = MainSimulation::new(input, &Keeps::outcomes_only(), &mut runs, None).expect("main simulation");
        main.run(&mut runs, &Control::new()).expect("simulate");
        main.results().expect("runs").outcomes.iter().map(|o| o.net()).sum::<f64>()
    })
}

fn engine_1m(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    // One sample is a whole million-run simulation (seconds): few samples, one iteration each.
    g.sample_size(10);
    g.sampling_mode(SamplingMode::Flat);
    g.measurement_time(Duration::from_secs(100));
    g.warm_up_time(Duration::from_secs(3));
    let input = Input::built_in().with_overrides(Some(1_000_000), None).expect("a valid run count");
    g.throughput(Throughput::Elements(run_steps(&input.scenario)));
    for threads in [2, 1] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool");
        g.bench_function(format!("baseline_1m_{threads}_thread"), |b| b.iter(|| simulate_chunked(&input, &pool)));
    }
    g.finish();
}

fn engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    let s = baseline(10_000);
    g.throughput(Throughput::Elements(run_steps(&s)));
    g.bench_function("baseline_10k_simulate", |b| {
        b.iter(|| simulate(&s, &SimOptions::default(), &Control::new()).expect("simulate"))
    });
    let names: Vec<String> = s.policies().iter().map(|p| p.name.clone()).collect();
    g.bench_function("baseline_10k_simulate_and_summarise", |b| {
        b.iter(|| {
            let r = simulate(&s, &SimOptions::default(), &Control::new()).expect("simulate");
            summarise(&r, &names, s.run().reference)
        })
    });
    let one = SimOptions { threads: Some(1), ..SimOptions::default() };
    g.bench_function("baseline_10k_simulate_1_thread", |b| {
        b.iter(|| simulate(&s, &one, &Control::new()).expect("simulate"))
    });
    // The policy levers preset: every lever on (evaluation error, spending, triggers,
    // coordination), against the baseline's cost per run-step.
    let levers = Scenario::parse(include_str!("../scenarios/levers.toml"), "levers.toml")
        .expect("preset")
        .with_runs(10_000)
        .expect("a valid run count");
    g.throughput(Throughput::Elements(run_steps(&levers)));
    g.bench_function("levers_10k_simulate", |b| {
        b.iter(|| simulate(&levers, &SimOptions::default(), &Control::new()).expect("simulate"))
    });
    let preview = baseline(300);
    g.throughput(Throughput::Elements(run_steps(&preview)));
    g.bench_function("baseline_300_preview_all_records", |b| {
        let opts = SimOptions {
            record: Record { jurisdictions: true, series_runs: 300, params: true },
            ..SimOptions::default()
        };
        let js: Vec<String> = preview.jurisdictions().iter().map(|j| j.name.clone()).collect();
        b.iter(|| {
            let r = simulate(&preview, &opts, &Control::new()).expect("simulate");
            (summarise(&r, &names, preview.run().reference), summarise_series(&r, &js))
        })
    });
    g.finish();
}

criterion_group!(benches, engine_1m, engine);
criterion_main!(benches);
