//! The paired worlds the decision analyses read: every policy's outcome in each simulated
//! world (common random numbers), beside the world's draws of every uncertain parameter.
//! Scenario discovery, robustness and the value of information all start from here, so one
//! simulation serves all three.

use serde::Serialize;

use crate::sim::Results;

/// Per-world outcomes of every policy and the world's parameter draws.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Worlds {
    /// Policy names, in the scenario's order.
    pub policies: Vec<String>,
    /// The scenario's baseline policy.
    /// The reference policy (files call it the baseline).
    #[serde(rename = "baseline")]
    pub reference: usize,
    pub runs: u64,
    pub seed: u64,
    /// Indices of the uncertain per-run parameters, as drawn (`params::param_count`).
    pub param_ids: Vec<usize>,
    /// Their keys, `world.KEY` or `jurisdiction.NAME.ATTR`, in the order of `param_ids`.
    #[serde(skip)]
    pub param_keys: Vec<String>,
    /// `[param][world]`, in the order of `param_ids`.
    #[serde(skip)]
    pub params: Vec<Vec<f64>>,
    /// Net welfare, $B discounted, `[policy][world]`.
    #[serde(skip)]
    pub net: Vec<Vec<f64>>,
    /// Harm, $B discounted, `[policy][world]`.
    #[serde(skip)]
    pub harm: Vec<Vec<f64>>,
    /// Whether the world had at least one catastrophe, `[policy][world]`.
    #[serde(skip)]
    pub catastrophe: Vec<Vec<bool>>,
}

impl Worlds {
    /// The worlds of results simulated with `Record { params: true }`; `seed` is the seed of
    /// the random numbers the analyses of these worlds draw themselves (EVPPI's partitions).
    /// `jurisdictions` names the scenario's jurisdictions (for the keys of their attributes).
    pub fn from_results(
        results: &Results,
        policies: Vec<String>,
        jurisdictions: &[String],
        baseline: usize,
        seed: u64,
    ) -> Worlds {
        let k = results.param_ids.len();
        let n = results.n_runs();
        let params = (0..k).map(|i| results.params.iter().skip(i).step_by(k).copied().collect()).collect();
        let np = results.n_policies;
        Worlds {
            policies,
            reference: baseline,
            runs: n as u64,
            seed,
            param_ids: results.param_ids.clone(),
            param_keys: results
                .param_ids
                .iter()
                .map(|&id| crate::model::params::param_key(id, jurisdictions))
                .collect(),
            params,
            net: (0..np).map(|p| results.column(p, |o| o.net())).collect(),
            harm: (0..np).map(|p| results.column(p, |o| o.harm)).collect(),
            catastrophe: (0..np).map(|p| (0..n).map(|r| results.outcome(r, p).catastrophes > 0).collect()).collect(),
        }
    }

    pub fn n_worlds(&self) -> usize {
        self.net.first().map_or(0, Vec::len)
    }

    /// The key of the `i`-th recorded parameter: `world.KEY` or `jurisdiction.NAME.ATTR`.
    pub fn param_name(&self, i: usize) -> String {
        self.param_keys[i].clone()
    }

    /// The keys of every recorded parameter.
    pub fn param_names(&self) -> Vec<String> {
        self.param_keys.clone()
    }
}
