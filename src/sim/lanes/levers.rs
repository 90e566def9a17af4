//! The levers' state at the start of a register's runs, and the triggers observed each step
//! (docs/MODEL.md, section 3.5).

use super::*;

impl Engine {
    /// The levers' state of every policy at the start of the lanes' runs (policies without
    /// levers get the values the step used before levers existed).
    pub(super) fn start_levers(&self, runs: &[u64; LANES], sc: &mut LaneScratch, a_open: V) {
        let (np, nj) = (self.n_policies, self.n_jurisdictions);
        for p in 0..np {
            sc.strip[p] = a_open;
            sc.spend_rate[p] = V::ZERO;
            sc.spent[p] = V::ZERO;
            sc.damage[p] = V::ZERO;
            for j in 0..nj {
                sc.defense[p * nj + j] = lanes(|l| sc.params[l][jurisdiction_param(j, attr::DEFENSE_RATE)]);
            }
        }
        if !self.has_levers() {
            return;
        }
        for (l, &run) in runs.iter().enumerate() {
            sc.lv.progress[l] = sc.params[l][P::algorithmic_progress as usize];
            self.draw_levers(run, &mut sc.lever_draws);
            for (p, plan) in self.levers.iter().enumerate() {
                let Some(plan) = plan else { continue };
                let places = &mut sc.lever_places[..nj];
                let lr = plan.start(&sc.params[l], &sc.lever_draws, places);
                sc.strip[p].as_mut_array()[l] = lr.strip;
                sc.spend_rate[p].as_mut_array()[l] = lr.spend_rate;
                for (j, place) in places.iter().enumerate() {
                    let i = p * nj + j;
                    sc.defense[i].as_mut_array()[l] = place.defense_rate;
                    sc.lv.joined[i][l] = place.joined;
                    sc.lv.open_below[i].as_mut_array()[l] = place.ceilings.open_below;
                    sc.lv.gated_below[i].as_mut_array()[l] = place.ceilings.gated_below;
                    sc.lv.drift[i].as_mut_array()[l] = place.ceilings.drift;
                    sc.lv.eval_error[i].as_mut_array()[l] = place.eval_error;
                    sc.lv.stage_delay[i].as_mut_array()[l] = place.ceilings.stage_delay;
                }
                for (seen, fired) in sc.lv.trigger_seen[p].iter_mut().zip(&mut sc.lv.trigger_fired[p]) {
                    seen[l] = f64::NAN;
                    fired[l] = false;
                }
            }
        }
    }
}

impl LaneLevers {
    /// Step 0 of policy `p` (with levers): signposts seen by the end of the last step, and
    /// the switches they trigger once their delay has passed, lane by lane.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn step_triggers(
        &mut self,
        plan: &LeverPlan,
        p: usize,
        nj: usize,
        tau: f64,
        pool: V,
        catastrophes: V,
        damage: V,
    ) {
        let (pool, catastrophes, damage) = (pool.to_array(), catastrophes.to_array(), damage.to_array());
        for (tk, tr) in plan.triggers.iter().enumerate() {
            for l in 0..LANES {
                if self.trigger_fired[p][tk][l] {
                    continue;
                }
                let seen = &mut self.trigger_seen[p][tk][l];
                if seen.is_nan() && tr.observed(tau, catastrophes[l] as u32, damage[l], pool[l]) {
                    *seen = tau;
                }
                if tau >= *seen + tr.delay {
                    self.trigger_fired[p][tk][l] = true;
                    // Training-FLOP thresholds drift by the lane's algorithmic progress too.
                    let c = tr.ceilings.with_progress(self.progress[l]);
                    for j in (0..nj).filter(|&j| tr.applies[j] && self.joined[p * nj + j][l]) {
                        let i = p * nj + j;
                        self.open_below[i].as_mut_array()[l] = c.open_below;
                        self.gated_below[i].as_mut_array()[l] = c.gated_below;
                        self.drift[i].as_mut_array()[l] = c.drift;
                        self.stage_delay[i].as_mut_array()[l] = c.stage_delay;
                    }
                }
            }
        }
    }
}
