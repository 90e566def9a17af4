//! A register of runs' scratch state, sized once per thread for the engine's policies and
//! jurisdictions, so the step allocates nothing.

use super::*;

impl Engine {
    pub fn lane_scratch(&self, record_series: bool) -> LaneScratch {
        let (np, nj) = (self.n_policies, self.n_jurisdictions);
        let pj = np * nj;
        let zero = V::ZERO;
        let series_len = if record_series { np * self.steps * self.series_metrics() } else { 0 };
        LaneScratch {
            params: std::array::from_fn(|_| vec![0.0; self.n_params]),
            places: LanePlaces {
                base_burden: vec![zero; nj],
                api_access: vec![zero; nj],
                inv_api_access: vec![zero; nj],
                adoption0: vec![zero; nj],
                preparedness0: vec![zero; nj],
            },
            k: vec![zero; np],
            k_before: vec![zero; np],
            o: vec![zero; np],
            hazard_year: vec![zero; np],
            theta: vec![zero; np],
            h_open: vec![zero; np],
            h_open_pool: vec![zero; np],
            h_api: vec![zero; np],
            s: vec![zero; pj],
            a: vec![zero; pj],
            r: vec![zero; pj],
            b: vec![zero; pj],
            h: vec![zero; pj],
            events: vec![zero; np],
            catastrophes: vec![zero; np],
            max_event: vec![zero; np],
            n_events: vec![zero; np],
            uplift_open_pool: vec![zero; np],
            uplift_open: vec![zero; np],
            event_mean: vec![zero; np],
            poisson: PoissonWork::new(np),
            kj: vec![zero; nj],
            new_burden: vec![zero; nj],
            burden: vec![zero; pj],
            flow: vec![zero; pj * nj],
            weight_out: vec![zero; pj],
            flow_live: vec![u64::MAX; np],
            from: vec![zero; nj],
            benefit_weight: vec![zero; nj],
            u_gated: vec![zero; nj],
            u_closed: vec![zero; nj],
            p_leak_gated: vec![zero; nj],
            p_leak_closed: vec![zero; nj],
            events_drawn: Vec::with_capacity(64),
            strip: vec![zero; np],
            spend_rate: vec![zero; np],
            spent: vec![zero; np],
            damage: vec![zero; np],
            defense: vec![zero; pj],
            lv: LaneLevers {
                joined: vec![[true; LANES]; pj],
                open_below: vec![zero; pj],
                gated_below: vec![zero; pj],
                drift: vec![zero; pj],
                eval_error: vec![zero; pj],
                stage_delay: vec![zero; pj],
                progress: [0.0; LANES],
                trigger_seen: self
                    .levers
                    .iter()
                    .map(|l| vec![[f64::NAN; LANES]; l.as_ref().map_or(0, |l| l.triggers.len())])
                    .collect(),
                trigger_fired: self
                    .levers
                    .iter()
                    .map(|l| vec![[false; LANES]; l.as_ref().map_or(0, |l| l.triggers.len())])
                    .collect(),
            },
            lever_draws: self.lever_draws(),
            lever_places: vec![
                LeverPlace {
                    joined: true,
                    eval_error: 0.0,
                    ceilings: crate::model::Regime::Open.ceilings(),
                    defense_rate: 0.0
                };
                nj
            ],
            m: vec![zero; np],
            remaining: vec![zero; np],
            api: vec![zero; np],
            scrutiny: vec![zero; np],
            cont_a: vec![0.0; nj],
            cont_r: vec![0.0; nj],
            cont_b: vec![0.0; nj],
            cont_h: vec![0.0; nj],
            cont_flows: vec![0.0; nj],
            cont_api: vec![0.0; nj],
            cont_parts: vec![(0.0, 0.0); np * LANES],
            series: std::array::from_fn(|_| vec![0.0; series_len]),
            outcomes: std::array::from_fn(|_| vec![Outcome::default(); np]),
            jurisdictions: std::array::from_fn(|_| vec![JurisdictionOutcome::default(); pj]),
        }
    }
}
