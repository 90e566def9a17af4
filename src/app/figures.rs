//! "Export figure…": the current view's publication figures, drawn by the same headless
//! renderer as `tierlab report` (not a screenshot). The scenario is simulated again with its
//! seed, which reproduces the results on screen exactly.

use std::path::PathBuf;

use crate::export::figures::{FigureKind, FigureOptions, Format, render};
use crate::export::study::{StudyPlan, run_study};
use crate::model::Scenario;
use crate::sim::Control;

use super::computed::Computed;
use super::state::Tab;

/// The figures that show what a tab shows.
pub fn figures_of(tab: Tab) -> &'static [FigureKind] {
    use FigureKind::*;
    match tab {
        Tab::Overview => &[NetDistribution, HarmExceedance],
        Tab::Distributions => &[NetDistribution, BenefitDistribution, HarmDistribution, Ecdf, PairedDifference],
        Tab::OverTime => &[FanBenefit, FanHarm, FrontierOpenPool],
        Tab::Jurisdictions => &[SharesOverTime, JurisdictionBars],
        Tab::Thresholds => &[ThresholdCurves, Frontier, Heatmap],
        Tab::Sensitivity => &[Tornado],
        Tab::Learn => &[HarmExceedance, NetDistribution],
    }
}

fn slug(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    s.trim_matches('_').to_string()
}

/// Writes the tab's figures (SVG and PNG, each with its JSON sidecar) under
/// `./tierlab-figures/<scenario>/` and says where.
///
/// # Errors
/// A message for the status line when simulating or writing fails.
pub fn export_tab_figures(tab: Tab, computed: &Computed, scenario: &Scenario) -> Result<String, String> {
    let mut scenario = scenario.clone();
    scenario.run.runs = computed.total_runs.max(1);
    let text = scenario.to_toml();
    let origin = format!("{} (edited in the app)", computed.scenario_name);
    let study = run_study(&scenario, &text, &origin, &StudyPlan::simulation_only(), None, &Control::new())
        .map_err(|e| format!("Could not simulate: {e}"))?;
    let dir = PathBuf::from("tierlab-figures").join(slug(&scenario.name));
    std::fs::create_dir_all(&dir).map_err(|e| format!("Could not create {}: {e}", dir.display()))?;
    let input = study.input(&scenario);
    let opts = FigureOptions::default();
    let mut written = 0;
    for &kind in figures_of(tab) {
        if !kind.available(&input) {
            continue;
        }
        for (format, ext) in [(Format::Svg, "svg"), (Format::Png, "png")] {
            let path = dir.join(format!("{}.{ext}", kind.name()));
            render(kind, &input, format, &path, &opts)
                .map_err(|e| format!("Could not write {}: {e}", path.display()))?;
            written += 1;
        }
    }
    Ok(format!(
        "Wrote {written} figure files (SVG, PNG, JSON sidecars) of the {} view to {}.",
        tab.label(),
        dir.display()
    ))
}
