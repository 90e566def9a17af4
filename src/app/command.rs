//! What the UI asks the app to do. Widgets push commands while drawing; the shell applies
//! them once per frame, after drawing, so no widget changes state under another's feet.

use std::path::PathBuf;

use crate::analysis::sweep::SweepParam;

use super::analyses::Slot;
use super::state::Tab;

/// A command from the UI (or a test) to the app.
#[derive(Clone, Debug, PartialEq)]
pub enum AppCommand {
    /// The scenario being edited changed in place. `immediate`: run now (a slider was released,
    /// a choice was made); otherwise run after a short pause (a slider is being dragged).
    Edited {
        immediate: bool,
    },
    /// Set a swept regime parameter (every tiered regime of the policy) from the Thresholds
    /// tab's curves; `immediate` as for `Edited`.
    SetSweptValue {
        policy: usize,
        param: SweepParam,
        value: f64,
        immediate: bool,
    },
    /// Stop an analysis in flight (its last result stays), or let it run again.
    StopAnalysis(Slot),
    ResumeAnalysis(Slot),
    /// Start a simulation of the current scenario now.
    Run,
    /// Stop the simulation in flight.
    Cancel,
    /// Freeze the current results as a ghosted reference in every view.
    Pin,
    Unpin,

    AddPolicy,
    DuplicatePolicy(usize),
    RemovePolicy(usize),
    /// Make this policy the one others are paired against.
    SetBaselinePolicy(usize),
    AddJurisdiction,
    RemoveJurisdiction(usize),
    /// Rescale share0, host, weight and exposure so that each sums to 1.
    Renormalise,

    /// Replace the scenario by an embedded preset (asks first if there are unsaved edits).
    NewFromPreset(usize),
    /// Ask for a file to open (native dialog, or a typed path where there is none).
    Open,
    /// Open this file (asks first if there are unsaved edits).
    OpenPath(PathBuf),
    Save,
    SaveAs,
    SaveTo(PathBuf),
    /// Write the current view's data as tidy CSV (asks for a path).
    ExportCsv,
    ExportCsvTo(PathBuf),
    /// Save a PNG of the plot with this title in the current view (asks for a path).
    ExportPng {
        plot: String,
    },
    ExportPngTo {
        plot: String,
        path: PathBuf,
    },
    /// The publication figures of a view (asks for a folder), written on a background thread.
    ExportFigure {
        tab: Tab,
    },
    ExportFigureTo {
        tab: Tab,
        dir: PathBuf,
    },
    /// The report bundle (asks for a folder), written on a background thread.
    ExportReport,
    ExportReportTo(PathBuf),
    /// Stop the figure or report export in progress.
    CancelPublish,

    SetTab(Tab),
    SetDark(bool),
    /// Close the file error window.
    DismissErrors,
    /// Answers to "unsaved changes": save first, throw the edits away, or stay.
    ConfirmSave,
    ConfirmDiscard,
    CancelPending,
    /// Close the typed-path window.
    CancelPrompt,
    /// Close the window (asks first if there are unsaved edits).
    Quit,
}
