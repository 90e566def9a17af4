//! Per-policy summaries of a simulation (MODEL.md, "Outputs"; SCENARIO.md, summary.json).

use rayon::prelude::*;
use serde::Serialize;

use std::collections::BTreeMap;

use crate::sim::Results;
use crate::sim::sinks::{Clamps, JurisdictionStore};

use super::stats::{cvar95_select, mean_se, quantile_select, wilson};

/// Mean with its Monte Carlo standard error, and three percentiles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Moments {
    pub mean: f64,
    pub se: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

impl Moments {
    /// The moments of `xs`, which is reordered. The percentiles are selected, not sorted
    /// for (the same values; a full sort of a million runs was most of a summary's time).
    pub fn of(xs: &mut [f64]) -> Moments {
        let (mean, se) = mean_se(xs);
        Moments {
            mean,
            se,
            p5: quantile_select(xs, 0.05),
            p50: quantile_select(xs, 0.5),
            p95: quantile_select(xs, 0.95),
        }
    }
}

/// Mean benefit, harm and final share of one jurisdiction under one policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct JurisdictionSummary {
    pub benefit_mean: f64,
    pub benefit_se: f64,
    pub harm_mean: f64,
    pub harm_se: f64,
    pub share_end_mean: f64,
}

/// Everything the summary table and summary.json say about one policy.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PolicySummary {
    pub name: String,
    pub benefit: Moments,
    pub harm: Moments,
    pub net: Moments,
    /// Mean discounted spending on the policy's levers, $B (net = benefit - harm - spending);
    /// absent for a policy that spends nothing, so files without spending stay as they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spending_mean: Option<f64>,
    /// The continuation value's part of benefit and harm (model v2, `continuation_years`),
    /// already inside `benefit` and `harm`; absent when no run has one, so files of
    /// version-1 scenarios stay as they were.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub continuation: Option<ContinuationSummary>,
    /// Mean of the worst ceil(5%) harms.
    pub cvar95_harm: f64,
    /// Share of runs with at least one catastrophe, and its 95% Wilson interval.
    pub p_catastrophe: f64,
    pub p_catastrophe_lo: f64,
    pub p_catastrophe_hi: f64,
    /// Share of runs whose net is strictly greater than the reference policy's in the same run.
    #[serde(rename = "p_better_than_baseline")]
    pub p_better_than_reference: f64,
    /// Mean and SE of the paired difference net - baseline net.
    pub net_diff_mean: f64,
    pub net_diff_se: f64,
    pub events_mean: f64,
    pub catastrophes_mean: f64,
    pub max_event_p95: f64,
    pub open_pool_end_mean: f64,
    /// Share of runs in which the open pool reached the hazard threshold.
    pub p_hazard_crossed: f64,
    /// Median year of crossing over all runs, counting "never" as later than any year;
    /// `None` when fewer than half the runs cross.
    pub hazard_year_median: Option<f64>,
    /// Per jurisdiction, over every run, when the simulation kept them
    /// ([`jurisdiction_summaries`]).
    pub jurisdictions: Vec<JurisdictionSummary>,
}

/// Mean and standard error of the continuation's part of benefit and harm, $B discounted.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ContinuationSummary {
    pub benefit_mean: f64,
    pub benefit_se: f64,
    pub harm_mean: f64,
    pub harm_se: f64,
}

impl ContinuationSummary {
    /// The continuation's parts of one policy's runs; `None` when every part is zero.
    pub fn of(results: &Results, policy: usize) -> Option<ContinuationSummary> {
        let benefit = results.column(policy, |o| o.continuation_benefit);
        let harm = results.column(policy, |o| o.continuation_harm);
        if benefit.iter().chain(&harm).all(|&x| x == 0.0) {
            return None;
        }
        let (benefit_mean, benefit_se) = mean_se(&benefit);
        let (harm_mean, harm_se) = mean_se(&harm);
        Some(ContinuationSummary { benefit_mean, benefit_se, harm_mean, harm_se })
    }
}

/// Summaries of all policies of one simulation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub runs: usize,
    /// The reference policy (files call it the baseline).
    #[serde(rename = "baseline")]
    pub reference: usize,
    pub policies: Vec<PolicySummary>,
    /// Runs whose draw of a capped parameter (`params::DRAW_CAPS`) was clamped, by
    /// `world.KEY`; only parameters with at least one clamp, and only when the draws were
    /// recorded.
    pub clamped_draws: BTreeMap<String, u64>,
}

/// A policy's outcomes as columns in run order, read in one pass: a million runs' outcomes
/// are a few hundred megabytes, and a pass per column made the summary memory-bound.
struct OutcomeColumns {
    benefit: Vec<f64>,
    harm: Vec<f64>,
    net: Vec<f64>,
    spending: Vec<f64>,
    cats: Vec<f64>,
    /// The hazard-crossing year, +inf where the pool never crossed.
    hazard: Vec<f64>,
    events: Vec<f64>,
    max_event: Vec<f64>,
    open_pool_end: Vec<f64>,
}

impl OutcomeColumns {
    fn of(results: &Results, policy: usize) -> OutcomeColumns {
        let n = results.n_runs();
        let column = || Vec::with_capacity(n);
        let mut c = OutcomeColumns {
            benefit: column(),
            harm: column(),
            net: column(),
            spending: column(),
            cats: column(),
            hazard: column(),
            events: column(),
            max_event: column(),
            open_pool_end: column(),
        };
        // (`max(1)`: a default, empty result has no policies and no rows.)
        for row in results.outcomes.chunks_exact(results.n_policies.max(1)) {
            let o = &row[policy];
            c.benefit.push(o.benefit);
            c.harm.push(o.harm);
            c.net.push(o.net());
            c.spending.push(o.spending);
            c.cats.push(f64::from(o.catastrophes));
            c.hazard.push(if o.hazard_year.is_nan() { f64::INFINITY } else { o.hazard_year });
            c.events.push(f64::from(o.events));
            c.max_event.push(o.max_event);
            c.open_pool_end.push(o.open_pool_end);
        }
        c
    }
}

/// Summarises one policy; `baseline_net` is the baseline policy's net per run.
pub fn summarise_policy(results: &Results, policy: usize, name: &str, baseline_net: &[f64]) -> PolicySummary {
    let n = results.n_runs();
    let OutcomeColumns {
        mut benefit,
        mut harm,
        mut net,
        spending,
        cats,
        mut hazard,
        events,
        mut max_event,
        open_pool_end,
    } = OutcomeColumns::of(results, policy);
    let spending_mean = spending.iter().any(|&x| x != 0.0).then(|| mean_se(&spending).0);
    let k_cat = cats.iter().filter(|&&c| c > 0.0).count() as u64;
    let (lo, hi) = wilson(k_cat, n as u64);
    let diff: Vec<f64> = net.iter().zip(baseline_net).map(|(a, b)| a - b).collect();
    let (diff_mean, diff_se) = mean_se(&diff);
    let better = net.iter().zip(baseline_net).filter(|(a, b)| a > b).count();
    let crossed = hazard.iter().filter(|y| y.is_finite()).count();
    let hazard_median = quantile_select(&mut hazard, 0.5);
    // Everything that needs the columns in run order is done; now they may be reordered.
    let net_m = Moments::of(&mut net);
    let benefit_m = Moments::of(&mut benefit);
    let harm_m = Moments::of(&mut harm);
    let cvar95_harm = cvar95_select(&mut harm);
    PolicySummary {
        name: name.to_string(),
        benefit: benefit_m,
        harm: harm_m,
        net: net_m,
        spending_mean,
        continuation: ContinuationSummary::of(results, policy),
        cvar95_harm,
        p_catastrophe: k_cat as f64 / n as f64,
        p_catastrophe_lo: lo,
        p_catastrophe_hi: hi,
        p_better_than_reference: better as f64 / n as f64,
        net_diff_mean: diff_mean,
        net_diff_se: diff_se,
        events_mean: events.iter().sum::<f64>() / n as f64,
        catastrophes_mean: cats.iter().sum::<f64>() / n as f64,
        max_event_p95: quantile_select(&mut max_event, 0.95),
        open_pool_end_mean: open_pool_end.iter().sum::<f64>() / n as f64,
        p_hazard_crossed: crossed as f64 / n as f64,
        hazard_year_median: hazard_median.is_finite().then_some(hazard_median),
        jurisdictions: Vec::new(),
    }
}

/// Summarises every policy, paired against `baseline`.
pub fn summarise(results: &Results, names: &[String], baseline: usize) -> Summary {
    let baseline_net = results.column(baseline, |o| o.net());
    let policies = (0..results.n_policies)
        .into_par_iter()
        .map(|p| summarise_policy(results, p, &names[p], &baseline_net))
        .collect();
    Summary { runs: results.n_runs(), reference: baseline, policies, clamped_draws: Clamps::of(results) }
}

/// Per policy and jurisdiction, the mean benefit and harm with their standard errors and the
/// mean final share, over every run of `store`, each a cell read whole in run order.
///
/// # Errors
/// The store's file cannot be read.
pub fn jurisdiction_summaries(store: &JurisdictionStore) -> std::io::Result<Vec<Vec<JurisdictionSummary>>> {
    (0..store.n_policies)
        .into_par_iter()
        .map_init(Vec::new, |buf, p| {
            (0..store.n_jurisdictions)
                .map(|j| {
                    let mut stat = |k: usize| -> std::io::Result<(f64, f64)> {
                        store.cell(p, j, k, buf)?;
                        Ok(mean_se(buf))
                    };
                    let (benefit_mean, benefit_se) = stat(0)?;
                    let (harm_mean, harm_se) = stat(1)?;
                    let (share_end_mean, _) = stat(2)?;
                    Ok(JurisdictionSummary { benefit_mean, benefit_se, harm_mean, harm_se, share_end_mean })
                })
                .collect()
        })
        .collect()
}
