//! A policy as the sidecars record it: its place in the scenario, name and colour.

use serde::Serialize;

use crate::model::Scenario;

use super::style;

/// Policy identity as the sidecars record it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct PolicyRef {
    pub index: usize,
    pub name: String,
    pub color: String,
}

pub(crate) fn policy_refs(scenario: &Scenario) -> Vec<PolicyRef> {
    scenario
        .policies()
        .iter()
        .enumerate()
        .map(|(i, p)| PolicyRef { index: i, name: p.name.clone(), color: style::hex(crate::theme::policy_color(i)) })
        .collect()
}
