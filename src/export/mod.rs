//! Writing results: CSV and JSON files (the interface SCENARIO.md fixes).

pub mod data;
pub mod figures;
pub mod report;
pub mod study;

pub use data::{OutputWriters, Provenance, write_series_csv, write_summary_json};
