//! Regret across options: in sweep.json (the grid points) and decision.json (the policies).

use serde::Serialize;

use crate::analysis::robustness::{OptionRegret, Robustness};

/// One option's regret and net across the worlds ($B, discounted).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OptionRegretJson {
    pub name: String,
    pub net_mean: f64,
    pub net_se: f64,
    pub regret_mean: f64,
    pub regret_se: f64,
    pub regret_p95: f64,
    pub regret_max: f64,
    pub best_share: f64,
    pub satisficing_share: Option<f64>,
}

impl From<&OptionRegret> for OptionRegretJson {
    fn from(o: &OptionRegret) -> OptionRegretJson {
        OptionRegretJson {
            name: o.name.clone(),
            net_mean: o.net_mean,
            net_se: o.net_se,
            regret_mean: o.regret_mean,
            regret_se: o.regret_se,
            regret_p95: o.regret_p95,
            regret_max: o.regret_max,
            best_share: o.best_share,
            satisficing_share: o.satisficing_share,
        }
    }
}

/// Regret of every option and the choice of each criterion (indices into `options`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RobustnessJson {
    pub worlds: usize,
    pub floor: Option<f64>,
    pub options: Vec<OptionRegretJson>,
    pub minimax_regret: usize,
    pub min_p95_regret: usize,
    pub best_expected: usize,
    pub most_satisficing: Option<usize>,
}

impl From<&Robustness> for RobustnessJson {
    fn from(r: &Robustness) -> RobustnessJson {
        RobustnessJson {
            worlds: r.worlds,
            floor: r.floor,
            options: r.options.iter().map(OptionRegretJson::from).collect(),
            minimax_regret: r.minimax_regret,
            min_p95_regret: r.min_p95_regret,
            best_expected: r.best_expected,
            most_satisficing: r.most_satisficing,
        }
    }
}
