//! Latency of the threshold sweep the issue sets a budget for: 25 values of open_below for
//! "Global tiered 1e27" on the baseline scenario, 10,000 runs (target: under 2 s).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tierlab::analysis::sweep::{Constraint, SweepParam, SweepSpec, best_threshold, grid};
use tierlab::model::Scenario;
use tierlab::sim::Control;
use tierlab::study::analyses::sweep;
use tierlab::study::bootstrap_options;

fn baseline_sweep(c: &mut Criterion) {
    let scenario = Scenario::built_in().with_runs(10_000).expect("a valid run count");
    let policy = scenario.policy_index("Global tiered 1e27").expect("the baseline has this policy");
    let spec = SweepSpec { policy, param: SweepParam::OpenBelow, values: grid(24.0, 30.0, 25) };
    c.bench_function("sweep open_below 25 points x 10k runs (baseline)", |b| {
        b.iter(|| {
            let result = sweep(black_box(&scenario), &spec, &Control::new()).expect("the sweep runs");
            let best = best_threshold(&result, &Constraint::default(), &bootstrap_options(&scenario));
            black_box((result.points.len(), best.feasible_points))
        });
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = baseline_sweep
}
criterion_main!(benches);
