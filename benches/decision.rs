//! Latency of the decision analyses the issue sets budgets for, on the baseline scenario at
//! 10,000 paired worlds (simulated once, outside the timing): PRIM (peeling, then pasting the
//! default box) for "Global tiered 1e27" netting less than "Status quo" (target: under
//! 300 ms), and EVPI with the EVPPI of every uncertain parameter (target: under 500 ms).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tierlab::analysis::discovery::{DiscoverySpec, OutcomeEvent, PrimOptions, discover};
use tierlab::analysis::robustness::robustness;
use tierlab::analysis::voi::{VoiOptions, value_of_information};
use tierlab::model::Scenario;
use tierlab::sim::Control;
use tierlab::study::analyses::worlds;

fn decision(c: &mut Criterion) {
    let scenario = Scenario::built_in().with_runs(10_000).expect("a valid run count");
    let worlds = worlds(&scenario, &Control::new()).expect("the baseline runs");
    let policy = scenario.policy_index("Global tiered 1e27").expect("the baseline has this policy");
    let against = scenario.policy_index("Status quo").expect("the baseline has this policy");
    let spec = DiscoverySpec {
        policy,
        event: OutcomeEvent::NetBelowPolicy { against },
        chosen: None,
        prim: PrimOptions::default(),
    };
    c.bench_function("PRIM net-below, 10k worlds (baseline)", |b| {
        b.iter(|| black_box(discover(black_box(&worlds), &spec).expect("PRIM runs").trajectory.len()));
    });
    let opts = VoiOptions::new(worlds.n_worlds(), scenario.run().seed);
    c.bench_function("EVPI + EVPPI of every parameter, 10k worlds (baseline)", |b| {
        b.iter(|| black_box(value_of_information(black_box(&worlds), &opts).params.len()));
    });
    c.bench_function("regret of every policy, 10k worlds (baseline)", |b| {
        b.iter(|| black_box(robustness(&worlds.policies, black_box(&worlds.net), Some(0.0)).minimax_regret));
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = decision
}
criterion_main!(benches);
