//! Model v2's per-register state: its start (both pools, the remaining output, ceilings that
//! drift with algorithmic progress) and the continuation value after the last step.

use super::*;

impl Engine {
    /// Model v2's state at the start of the lanes' runs: both pools at `o0`, all output
    /// remaining, `a_api` as drawn; and per-lane ceilings for a policy without levers whose
    /// training-FLOP thresholds drift with each run's algorithmic progress.
    pub(super) fn start_v2(&self, sc: &mut LaneScratch, mech: Mechanisms, run_v2: &[RunV2; LANES], a_api: V, o0: V) {
        let (np, nj) = (self.n_policies, self.n_jurisdictions);
        for p in 0..np {
            sc.m[p] = o0;
            sc.remaining[p] = V::ONE;
            sc.api[p] = a_api;
            sc.scrutiny[p] = V::ZERO;
            if !(mech.training_flop && self.training_flop[p]) || self.levers[p].is_some() {
                continue;
            }
            for j in 0..nj {
                let i = p * nj + j;
                for (l, run) in run_v2.iter().enumerate() {
                    let c = self.ceilings[i].with_progress(run.progress);
                    sc.lv.open_below[i].as_mut_array()[l] = c.open_below;
                    sc.lv.gated_below[i].as_mut_array()[l] = c.gated_below;
                    sc.lv.drift[i].as_mut_array()[l] = c.drift;
                    sc.lv.stage_delay[i].as_mut_array()[l] = c.stage_delay;
                }
                sc.lv.eval_error[i] = V::ZERO;
            }
        }
    }

    /// Model v2's continuation value of every lane's run and policy (continuation.rs, the
    /// same code the per-run reference calls), into each place's benefit and harm and
    /// `sc.cont_parts`. Once per run, in scalar code; allocates nothing.
    pub(super) fn add_continuations(&self, sc: &mut LaneScratch, run_v2: &[RunV2; LANES]) {
        let (np, nj) = (self.n_policies, self.n_jurisdictions);
        for (l, run) in run_v2.iter().enumerate() {
            let c = ContinuationParams::new(&sc.params[l], self.years, run.output);
            for (j, phi) in sc.cont_api.iter_mut().enumerate() {
                *phi = sc.params[l][jurisdiction_param(j, attr::API_ACCESS)];
            }
            let places = Places { weight: &self.weight, api_access: &sc.cont_api, exposure: &self.exposure };
            for p in 0..np {
                let base = p * nj;
                if c.weight == 0.0 {
                    sc.cont_parts[p * LANES + l] = (0.0, 0.0);
                    continue;
                }
                let lane = |x: &V| x.as_array()[l];
                for j in 0..nj {
                    sc.cont_a[j] = lane(&sc.a[base + j]);
                    sc.cont_r[j] = lane(&sc.r[base + j]);
                    sc.cont_b[j] = lane(&sc.b[base + j]);
                    sc.cont_h[j] = lane(&sc.h[base + j]);
                }
                let end = EndState {
                    frontier: lane(&sc.k[p]),
                    open_pool: lane(&sc.o[p]),
                    misuse_pool: lane(&sc.m[p]),
                    remaining: lane(&sc.remaining[p]),
                    strip: lane(&sc.strip[p]),
                    api_misuse: lane(&sc.api[p]),
                    adoption: &sc.cont_a,
                    preparedness: &sc.cont_r,
                };
                sc.cont_parts[p * LANES + l] =
                    add_continuation(&c, places, end, &mut sc.cont_b, &mut sc.cont_h, &mut sc.cont_flows);
                for j in 0..nj {
                    sc.b[base + j].as_mut_array()[l] = sc.cont_b[j];
                    sc.h[base + j].as_mut_array()[l] = sc.cont_h[j];
                }
            }
        }
    }
}
