//! What a front end asks the workspace to do. Widgets push commands while drawing; the front
//! end applies them once per frame, after drawing, so no widget changes state under another's
//! feet. A command the workspace cannot finish alone (it needs a path, a screenshot, the
//! window closed) returns an [`Effect`](super::Effect) for the front end.

use std::path::PathBuf;

use crate::analysis::sweep::SweepParam;

use super::analyses::Slot;
use super::state::Tab;
use crate::export::figures::FigureKind;

/// A command from a front end (or a test) to the workspace.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
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
    /// Undo the last edit of the scenario (a drag of a slider is one edit), or redo the last
    /// one undone.
    Undo,
    Redo,
    /// Stop an analysis in flight (its last result stays), or let it run again.
    StopAnalysis(Slot),
    ResumeAnalysis(Slot),
    /// Start a simulation of the current scenario now.
    Run,
    /// Stop the simulation in flight.
    Cancel,
    /// Freeze the current result, shown dashed beside every new result in every view.
    Pin,
    Unpin,

    AddPolicy,
    DuplicatePolicy(usize),
    RemovePolicy(usize),
    /// Make this policy the reference policy: the one the others are paired against.
    SetReferencePolicy(usize),
    AddJurisdiction,
    RemoveJurisdiction(usize),
    /// Rescale share0, host, weight and exposure so that each sums to 1.
    Renormalise,

    /// Replace the scenario by an embedded preset (asks first if there are unsaved edits).
    NewFromPreset(usize),
    /// Ask for a file to open (the front end asks for the path).
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
    /// The publication figures of a view, or only the one figure `only` (asks for a folder),
    /// written on a background thread.
    ExportFigure {
        tab: Tab,
        only: Option<FigureKind>,
    },
    ExportFigureTo {
        tab: Tab,
        only: Option<FigureKind>,
        dir: PathBuf,
    },
    /// The report bundle (asks for a folder), written on a background thread.
    ExportReport,
    ExportReportTo(PathBuf),
    /// Stop the figure or report export in progress.
    CancelPublish,

    /// Put a link to the scenario and the tab on screen on the clipboard (see
    /// [`link`](super::link)); the front end copies it ([`Effect::CopyLink`](super::Effect)).
    CopyLink,
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

/// Keeps one `Edited` per frame (the last, immediate if any was): a frame's edits are one
/// edit, and one run.
pub fn merge_edits(cmds: Vec<Command>) -> Vec<Command> {
    let immediate = cmds.iter().any(|c| matches!(c, Command::Edited { immediate: true }));
    let last = cmds.iter().rposition(|c| matches!(c, Command::Edited { .. }));
    cmds.into_iter()
        .enumerate()
        .filter_map(|(i, c)| match c {
            Command::Edited { .. } if Some(i) != last => None,
            Command::Edited { .. } => Some(Command::Edited { immediate }),
            other => Some(other),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_merge_into_one() {
        let cmds = vec![
            Command::Edited { immediate: false },
            Command::AddPolicy,
            Command::Edited { immediate: true },
            Command::Edited { immediate: false },
        ];
        assert_eq!(merge_edits(cmds), vec![Command::AddPolicy, Command::Edited { immediate: true }]);
    }
}
