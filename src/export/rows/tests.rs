//! Every CSV file's header is the one the documentation gives: read from the row structs
//! and from docs/OUTPUTS.md and docs/ANALYSES.md, and spelled out here once more, so that a
//! renamed field or a stale document fails a test.

use super::*;
use crate::export::docs::{ANALYSES, OUTPUTS, between, code_names, table_columns};
use crate::export::table::header;

fn assert_columns<R: serde::Serialize + Default>(documented: Vec<String>, literal: &str) {
    let header = header::<R>().unwrap();
    assert_eq!(header.join(","), literal, "{}", std::any::type_name::<R>());
    assert_eq!(documented, header, "the documentation of {}", std::any::type_name::<R>());
}

#[test]
fn run_files_have_the_documented_columns() {
    assert_columns::<RunRow<'_>>(
        table_columns(OUTPUTS, "### `runs.csv`"),
        "run,policy,benefit,harm,net,events,catastrophes,max_event,open_pool_end,hazard_year",
    );
    assert_columns::<JurisdictionRow<'_>>(
        table_columns(OUTPUTS, "### `jurisdictions.csv`"),
        "run,policy,jurisdiction,benefit,harm,share_end",
    );
    assert_columns::<ParamRow<'_>>(table_columns(OUTPUTS, "### `params.csv`"), "run,param,value");
    assert_columns::<SeriesRow<'_>>(
        table_columns(OUTPUTS, "### `series.csv`"),
        "policy,year,metric,p5,p25,p50,p75,p95,mean",
    );
}

#[test]
fn sweep_tables_have_the_documented_columns() {
    assert_columns::<SweepRow>(
        table_columns(ANALYSES, "**Columns of `DIR/sweep.csv`**"),
        "value,benefit_mean,benefit_se,harm_mean,harm_se,net_mean,net_se,p_catastrophe,p_catastrophe_lo,\
         p_catastrophe_hi,cvar95_harm,hazard_year_median,open_share_end,p_better_than_current,net_diff_mean,\
         net_diff_se,p_better_than_baseline,clamped",
    );
    assert_columns::<Sweep2dRow>(
        code_names(between(ANALYSES, "`DIR/sweep2d.csv` has one row per cell: ", ". ")),
        "value,value2,net_diff_mean,net_diff_se,p_better_than_baseline,net_mean,net_se,p_catastrophe,\
         p_catastrophe_lo,p_catastrophe_hi,cvar95_harm,benefit_mean,benefit_se,harm_mean,harm_se,\
         hazard_year_median,open_share_end,p_better_than_current,clamped",
    );
    assert_columns::<SensitivityRow<'_>>(
        code_names(between(ANALYSES, "`DIR/sensitivity.csv` has the columns ", " (")),
        "param,spearman,prcc,low,high,swing,p10,p90",
    );
}

#[test]
fn decision_tables_have_the_documented_columns() {
    assert_columns::<DiscoveryRow>(
        code_names(between(ANALYSES, "`discovery.csv` (the trajectory: ", ")")),
        "box,coverage,density,mass,worlds,events,restrictions,chosen,rules",
    );
    assert_columns::<DiscoveryBoxRow<'_>>(
        code_names(between(ANALYSES, "`discovery_box.csv` (the chosen box after pasting: ", ")")),
        "param,lower,upper,p_value",
    );
    assert_columns::<RobustnessRow<'_>>(
        code_names(between(ANALYSES, "`robustness.csv` (", ")")),
        "policy,net_mean,net_se,regret_mean,regret_se,regret_p95,regret_max,best_share,satisficing_share",
    );
    assert_columns::<VoiRow<'_>>(
        code_names(between(ANALYSES, "`value_of_information.csv` (", ")")),
        "param,evppi,evppi_se,evppi_raw,share_of_evpi",
    );
}

#[test]
fn run_rows_keep_ryu_text_for_non_finite_numbers_and_leave_a_missing_year_empty() {
    let o = Outcome {
        benefit: f64::NAN,
        harm: f64::INFINITY,
        max_event: 0.1,
        open_pool_end: 27.5,
        hazard_year: f64::NAN,
        events: 3,
        catastrophes: 1,
        spending: 0.0,
        continuation_benefit: 0.0,
        continuation_harm: 0.0,
    };
    let text = crate::export::table::to_csv([
        RunRow::new(7, "A", &o),
        RunRow::new(8, "B", &Outcome { hazard_year: 2.25, ..o }),
    ])
    .unwrap();
    assert_eq!(
        String::from_utf8(text).unwrap(),
        "run,policy,benefit,harm,net,events,catastrophes,max_event,open_pool_end,hazard_year\n\
         7,A,NaN,inf,NaN,3,1,0.1,27.5,\n8,B,NaN,inf,NaN,3,1,0.1,27.5,2.25\n"
    );
}

#[test]
fn analysis_rows_leave_non_finite_numbers_empty() {
    let p = SweepPoint {
        value: 27.0,
        net_mean: f64::NAN,
        hazard_year_median: Some(f64::INFINITY),
        ..SweepPoint::default()
    };
    let text = String::from_utf8(crate::export::table::to_csv([SweepRow::from(&p)]).unwrap()).unwrap();
    assert_eq!(text.lines().nth(1), Some("27.0,0.0,0.0,0.0,0.0,,0.0,0.0,0.0,0.0,0.0,,0.0,0.0,0.0,0.0,0.0,false"));
}
