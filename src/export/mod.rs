//! Writing results: CSV and JSON files (the interface SCENARIO.md fixes).

pub mod data;

pub use data::{Provenance, write_series_csv, write_summary_json, OutputWriters};
