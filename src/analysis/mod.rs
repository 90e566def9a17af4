//! Turning per-run results into what people read: summaries, percentile series, and the
//! data behind every plot. Depends on `model` and `sim`, never on the app.

pub mod decision;
pub mod discovery;
pub mod horizon;
pub mod levers;
pub mod plotdata;
pub mod robustness;
pub mod sensitivity;
pub mod series;
pub mod stats;
pub mod summary;
pub mod sweep;
pub mod voi;
pub mod worlds;

pub use series::{Band, SeriesSummary, summarise_series};
pub use summary::{Moments, PolicySummary, Summary, summarise};
