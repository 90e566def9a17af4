//! Engine throughput: the baseline scenario at 10,000 runs (4 policies x 40 steps x 5
//! jurisdictions), as `tierlab run` does it without `--out`, plus the summary that follows.
//! Throughput is reported in run-steps (one run of one policy for one step).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tierlab::analysis::{summarise, summarise_series};
use tierlab::model::Scenario;
use tierlab::sim::{Control, Record, SimOptions, simulate};

fn baseline(runs: u64) -> Scenario {
    let mut s = Scenario::baseline();
    s.run.runs = runs;
    s
}

fn run_steps(s: &Scenario) -> u64 {
    s.run.runs * s.policies.len() as u64 * s.run.steps() as u64
}

fn engine(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    let s = baseline(10_000);
    g.throughput(Throughput::Elements(run_steps(&s)));
    g.bench_function("baseline_10k_simulate", |b| {
        b.iter(|| simulate(&s, &SimOptions::default(), &Control::new()).expect("simulate"))
    });
    let names: Vec<String> = s.policies.iter().map(|p| p.name.clone()).collect();
    g.bench_function("baseline_10k_simulate_and_summarise", |b| {
        b.iter(|| {
            let r = simulate(&s, &SimOptions::default(), &Control::new()).expect("simulate");
            summarise(&r, &names, s.run.baseline)
        })
    });
    let one = SimOptions { threads: Some(1), ..SimOptions::default() };
    g.bench_function("baseline_10k_simulate_1_thread", |b| {
        b.iter(|| simulate(&s, &one, &Control::new()).expect("simulate"))
    });
    let preview = baseline(300);
    g.throughput(Throughput::Elements(run_steps(&preview)));
    g.bench_function("baseline_300_preview_all_records", |b| {
        let opts = SimOptions {
            record: Record { jurisdictions: true, series_runs: 300, params: true },
            ..SimOptions::default()
        };
        let js: Vec<String> = preview.jurisdictions.iter().map(|j| j.name.clone()).collect();
        b.iter(|| {
            let r = simulate(&preview, &opts, &Control::new()).expect("simulate");
            (summarise(&r, &names, preview.run.baseline), summarise_series(&r, &js))
        })
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
