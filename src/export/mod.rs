//! Writing results: CSV and JSON files (the interface SCENARIO.md fixes), the analyses'
//! tables, publication figures, the report, and the study (simulation plus analyses) that
//! figures and the report are drawn from.

pub mod data;
pub mod figures;
pub mod partial;
pub mod report;
pub mod study;
pub mod tables;

pub use data::{OutputWriters, Provenance, write_series_csv, write_summary_json};
