//! Figures of the analyses: threshold curves and the benefit/tail-risk frontier of a 1-D
//! sweep, the heat map of a 2-D sweep, and the tornado of a sensitivity analysis.
//!
//! `common.rs` holds what they share; `placer.rs` places the frontier's value labels.

mod common;
mod curves;
mod frontier;
mod heatmap;
mod placer;
mod tornado;

pub(crate) use curves::Curves;
pub(crate) use frontier::Frontier;
pub(crate) use heatmap::Heatmap;
pub(crate) use tornado::Tornado;
