//! Invariants over random valid scenarios: the validator accepts them, they round-trip through
//! their TOML, and every run of every policy keeps the model's bounds.

use std::fmt::Write as _;

use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use tierlab::model::params::{ParamInfo, Range};
use tierlab::model::{P, PARAMS, Scenario};
use tierlab::sim::rng::SimRng;
use tierlab::sim::{Record, Results};

use crate::support::{Jur, Spec, num, param_value, sim};

/// Draws a random scenario from a seed (so a failing case is reproducible from its seed).
struct Gen(SimRng);

impl Gen {
    fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn int(&mut self, lo: u32, hi: u32) -> u32 {
        self.0.random_range(lo..=hi)
    }

    /// Weights summing to one (some may be zero, never all).
    fn shares(&mut self, n: usize, allow_zero: bool) -> Vec<f64> {
        let lo = u32::from(!allow_zero);
        let mut w: Vec<f64> = (0..n).map(|_| f64::from(self.int(lo, 10))).collect();
        if w.iter().all(|&x| x == 0.0) {
            w[0] = 1.0;
        }
        let total: f64 = w.iter().sum();
        w.iter().map(|x| x / total).collect()
    }

    /// A value or distribution for a world parameter, inside its slider span (which lies inside
    /// its range), sometimes at an end of the span.
    fn param(&mut self, info: &ParamInfo) -> String {
        let (lo, hi) = info.slider;
        let k = self.unit();
        if k < 0.1 {
            return num(if self.chance(0.5) { lo } else { hi });
        }
        if k < 0.5 {
            return num(self.range(lo, hi));
        }
        let a = self.range(lo, hi);
        let b = self.range(lo, hi);
        let (min, max) = (a.min(b), a.max(b));
        if max - min < 1e-6 * (hi - lo) {
            return num(min);
        }
        let mode = self.range(min, max);
        // A lognormal reaches down to 0, below any severity_min: not for severity_cap.
        let unbounded_above = matches!(info.range, Range::NonNegative | Range::Positive) && info.key != "severity_cap";
        match self.int(0, 5) {
            0 => format!("{{ dist = \"uniform\", min = {}, max = {} }}", num(min), num(max)),
            1 => format!("{{ dist = \"triangular\", min = {}, mode = {}, max = {} }}", num(min), num(mode), num(max)),
            2 => format!("{{ dist = \"pert\", min = {}, mode = {}, max = {} }}", num(min), num(mode), num(max)),
            3 => format!(
                "{{ dist = \"normal\", mean = {}, sd = {}, min = {}, max = {} }}",
                num(mode),
                num((max - min) / 3.0),
                num(min),
                num(max)
            ),
            4 if unbounded_above && max > 0.0 => {
                let median = max.max(1e-3);
                format!(
                    "{{ dist = \"lognormal\", median = {}, p95 = {} }}",
                    num(median),
                    num(median * self.range(1.1, 3.0))
                )
            }
            5 if info.range == Range::Probability => {
                let mean = self.range(0.05, 0.95);
                let sd = self.range(0.01, 0.9) * (mean * (1.0 - mean)).sqrt();
                format!("{{ dist = \"beta\", mean = {}, sd = {} }}", num(mean), num(sd))
            }
            _ => format!("{{ dist = \"pert\", min = {}, mode = {}, max = {} }}", num(min), num(mode), num(max)),
        }
    }

    fn regime(&mut self) -> String {
        match self.int(0, 3) {
            0 => "\"open\"".into(),
            1 => "\"closed\"".into(),
            _ => {
                let open_below = self.range(24.0, 30.0);
                let gated_below = open_below + if self.chance(0.2) { 0.0 } else { self.range(0.0, 2.0) };
                let drift = if self.chance(0.5) { 0.0 } else { self.range(-0.5, 0.5) };
                format!(
                    "{{ tiered = {{ open_below = {}, gated_below = {}, drift = {} }} }}",
                    num(open_below),
                    num(gated_below),
                    num(drift)
                )
            }
        }
    }

    fn scenario(&mut self) -> Spec {
        let mut spec = Spec::new();
        spec.seed = self.0.random::<u64>() >> 2;
        spec.runs = u64::from(self.int(1, 12));
        spec.steps_per_year = [1, 2, 4, 12, 52][self.int(0, 4) as usize];
        spec.years = if spec.steps_per_year == 52 { self.int(1, 2) } else { self.int(1, 5) };
        // The parameters the spec writes (model v2's are left out: the invariants below are
        // model v1's, and tests/integration/v2.rs checks the v2 mechanisms).
        for (key, value) in &mut spec.world {
            let info = PARAMS.iter().find(|p| p.key == key.as_str()).expect("a world parameter");
            *value = self.param(info);
        }
        let nj = self.int(1, 6) as usize;
        let (share0, host, weight, exposure) =
            (self.shares(nj, true), self.shares(nj, true), self.shares(nj, true), self.shares(nj, true));
        spec.jurisdictions = (0..nj)
            .map(|j| Jur {
                name: format!("J{j}"),
                values: [
                    share0[j],
                    host[j],
                    self.range(0.0, 1.0),
                    weight[j],
                    exposure[j],
                    self.range(0.0, 1.0),
                    self.range(0.0, 1.0),
                    self.range(0.0, 1.0),
                    if self.chance(0.1) { self.range(0.0, 20.0) } else { self.range(0.0, 0.5) },
                    self.range(0.0, 2.0),
                ],
            })
            .collect();
        spec.policies.clear();
        for p in 0..self.int(1, 4) {
            let default = self.regime();
            let mut overrides = Vec::new();
            for j in 0..nj {
                if self.chance(0.3) {
                    overrides.push((format!("J{j}"), self.regime()));
                }
            }
            spec.policies.push((format!("Policy {p}"), default, overrides));
        }
        // Sometimes a rank correlation between two uncertain parameters.
        let uncertain: Vec<&str> =
            spec.world.iter().filter(|(_, v)| v.starts_with('{')).map(|(k, _)| k.as_str()).collect();
        if uncertain.len() >= 2 && self.chance(0.3) {
            let rho = self.range(-0.9, 0.9);
            let _ = write!(
                spec.tail,
                "\n[[correlation]]\na = \"world.{}\"\nb = \"world.{}\"\nrho = {}\n",
                uncertain[0],
                uncertain[uncertain.len() - 1],
                num(rho)
            );
        }
        spec
    }
}

/// Every per-run invariant of one simulated scenario; the first violation as an error.
fn check_invariants(s: &Scenario, r: &Results) -> Result<(), String> {
    let (np, nj) = (r.n_policies, r.n_jurisdictions);
    let steps = r.steps;
    let dt = r.dt;
    let years = f64::from(s.run().years);
    let m = r.series_metrics;
    let mut cell = Vec::new();
    for i in 0..r.n_runs() {
        let pv = |p: P| param_value(s, r, i, p);
        for (c, &id) in r.param_ids.iter().enumerate() {
            let x = r.params[i * r.param_ids.len() + c];
            let (lo, hi) = s.world()[id].support();
            if !(x >= lo && x <= hi) {
                return Err(format!("run {i}: {} = {x} outside its support [{lo}, {hi}]", PARAMS[id].key));
            }
        }
        let (o0, h, cap, w, k_base, k0, delta) = (
            pv(P::o0),
            pv(P::hazard_threshold),
            pv(P::severity_cap),
            pv(P::value_per_oom),
            pv(P::k_base),
            pv(P::k0),
            pv(P::discount_rate),
        );
        for p in 0..np {
            let o = r.outcome(i, p);
            let at = format!("run {i}, policy {p}: {o:?}");
            if !(o.benefit.is_finite() && o.benefit >= 0.0 && o.harm.is_finite() && o.harm >= 0.0) {
                return Err(format!("{at}: benefit and harm must be finite and >= 0"));
            }
            if !(o.max_event.is_finite() && o.max_event >= 0.0 && o.max_event <= cap) {
                return Err(format!("{at}: max_event must lie in [0, severity_cap = {cap}]"));
            }
            if o.catastrophes > o.events || (o.events == 0 && (o.harm != 0.0 || o.max_event != 0.0)) {
                return Err(format!("{at}: events, catastrophes and harm disagree"));
            }
            if o.harm > f64::from(o.events) * cap * (1.0 + 1e-12) {
                return Err(format!("{at}: harm above events x severity_cap"));
            }
            if o.open_pool_end.is_nan() || o.open_pool_end < o0 {
                return Err(format!("{at}: the open pool ended below o0 = {o0}"));
            }
            if o.hazard_year.is_nan() {
                if o.open_pool_end >= h {
                    return Err(format!("{at}: the pool reached H = {h} but no hazard year"));
                }
            } else {
                let t = o.hazard_year / dt;
                if !(o.hazard_year >= 0.0 && o.hazard_year < years && (t - t.round()).abs() < 1e-9) {
                    return Err(format!("{at}: hazard_year must be t*dt in [0, years)"));
                }
                if o.open_pool_end < h || (o0 >= h && o.hazard_year != 0.0) {
                    return Err(format!("{at}: hazard year inconsistent with o0 = {o0}, H = {h}"));
                }
            }
            // Jurisdictions: final shares, and benefits bounded by adoption in [0, 1].
            let js = &r.jurisdictions[(i * np + p) * nj..(i * np + p + 1) * nj];
            let share_sum: f64 = js.iter().map(|j| j.share_end).sum();
            if js.iter().any(|j| j.share_end.is_nan() || j.share_end < 0.0) || (share_sum - 1.0).abs() > 1e-9 {
                return Err(format!("{at}: final shares {js:?} must be >= 0 and sum to 1"));
            }
            let (b_sum, h_sum): (f64, f64) = js.iter().fold((0.0, 0.0), |(b, h), j| (b + j.benefit, h + j.harm));
            if (b_sum - o.benefit).abs() > 1e-9 * o.benefit.max(1.0) || (h_sum - o.harm).abs() > 1e-9 * o.harm.max(1.0)
            {
                return Err(format!("{at}: jurisdiction benefits/harms do not add up"));
            }
            let mut k_max = k0;
            for t in 0..steps.saturating_sub(1) {
                r.series_cell(p, t, 0, &mut cell);
                k_max = k_max.max(f64::from(cell[i]) + 1e-3);
            }
            let discount_sum: f64 = (0..steps).map(|t| (-delta * t as f64 * dt).exp()).sum();
            for (jj, (jo, jur)) in js.iter().zip(s.jurisdictions()).enumerate() {
                let v_max = (o.open_pool_end - k_base).max(jur.api_access * (k_max - k_base)).max(0.0);
                let upper = w * jur.weight * v_max * years * (1.0 + 1e-9) + 1e-9;
                let lower = w * jur.weight * jur.adoption0 * (o0 - k_base).max(0.0) * dt * discount_sum * (1.0 - 1e-9);
                if !(jo.benefit <= upper && jo.benefit >= lower - 1e-9) {
                    return Err(format!(
                        "{at}: jurisdiction {jj} benefit {} outside [{lower}, {upper}] (adoption must stay in [adoption0, 1])",
                        jo.benefit
                    ));
                }
                if !(jo.harm.is_finite() && jo.harm >= 0.0) {
                    return Err(format!("{at}: jurisdiction {jj} harm {}", jo.harm));
                }
            }
            // Series (stored as f32).
            let mut prev_pool = f32::NEG_INFINITY;
            let mut prev_b = 0.0f32;
            let mut prev_h = 0.0f32;
            for t in 0..steps {
                let mut row = Vec::with_capacity(m);
                for metric in 0..m {
                    r.series_cell(p, t, metric, &mut cell);
                    row.push(cell[i]);
                }
                let here = format!("{at}, step {t}: series {row:?}");
                if !row.iter().all(|x| x.is_finite()) {
                    return Err(format!("{here}: not finite"));
                }
                if row[1] < prev_pool || row[1] < o0 as f32 {
                    return Err(format!("{here}: the open pool decreased or fell below o0"));
                }
                if row[2] < prev_b || row[3] < prev_h || row[2] < 0.0 || row[3] < 0.0 {
                    return Err(format!("{here}: cumulative benefit/harm decreased"));
                }
                let shares: f64 = row[4..].iter().map(|&x| f64::from(x)).sum();
                if row[4..].iter().any(|&x| x < 0.0) || (shares - 1.0).abs() > 1e-5 {
                    return Err(format!("{here}: shares must be >= 0 and sum to 1"));
                }
                (prev_pool, prev_b, prev_h) = (row[1], row[2], row[3]);
                if t + 1 == steps
                    && (row[1] != o.open_pool_end as f32 || row[2] != o.benefit as f32 || row[3] != o.harm as f32)
                {
                    return Err(format!("{here}: the last step disagrees with the outcome"));
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_valid_scenarios_keep_every_invariant(seed in any::<u64>()) {
        let spec = Gen(SimRng::seed_from_u64(seed)).scenario();
        let text = spec.to_toml();
        let s = match Scenario::parse(&text, "random.toml") {
            Ok(s) => s,
            Err(e) => return Err(TestCaseError::fail(format!("a valid scenario was refused:\n{e}\n{text}"))),
        };
        let back = Scenario::parse(&s.to_toml(), "written.toml");
        prop_assert!(back.as_ref().is_ok_and(|b| *b == s), "round trip through to_toml failed: {back:?}\n{text}");
        let r = sim(&s, Record { jurisdictions: true, series_runs: s.run().runs, params: true });
        if let Err(e) = check_invariants(&s, &r) {
            return Err(TestCaseError::fail(format!("{e}\n--- scenario ---\n{text}")));
        }
    }
}

#[test]
fn the_generator_covers_the_interesting_shapes() {
    // A guard on the generator itself: over many seeds it must produce every distribution kind,
    // every regime kind, several jurisdictions and correlations.
    let mut text = String::new();
    for seed in 0..200 {
        text.push_str(&Gen(SimRng::seed_from_u64(seed)).scenario().to_toml());
    }
    for needle in [
        "\"uniform\"",
        "\"triangular\"",
        "\"pert\"",
        "\"normal\"",
        "\"lognormal\"",
        "\"beta\"",
        "\"open\"",
        "\"closed\"",
        "tiered",
        "name = \"J5\"",
        "[[correlation]]",
        "steps_per_year = 52",
        "[policy.overrides]",
    ] {
        assert!(text.contains(needle), "the generator never writes {needle}");
    }
}
