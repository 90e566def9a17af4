//! Writing results: CSV and JSON files (the interface docs/OUTPUTS.md fixes), the analyses'
//! tables, publication figures, the report, and a shard's partial result. Everything here
//! draws or writes what `study` computed.

pub mod data;
pub mod figures;
pub mod partial;
pub mod report;
pub mod tables;

pub use data::{OutputWriters, write_series_csv, write_summary_json};
