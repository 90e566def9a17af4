//! Writing results: CSV and JSON files (the interface docs/OUTPUTS.md fixes), the analyses'
//! tables, publication figures, the report, and a shard's partial result. Everything here
//! draws or writes what `study` computed. The files' columns and keys are spelled in `rows`
//! (one struct per CSV row) and `json` (one struct per JSON file and object), nowhere else.

pub mod data;
#[cfg(test)]
mod docs;
pub mod figures;
pub mod json;
pub mod partial;
pub mod report;
pub mod rows;
pub mod table;
pub mod tables;

pub use data::{OutputWriters, write_series_csv, write_summary_json};
