//! The centre panel's tabs, one file each. A view draws a [`Computed`] result (and the pinned
//! one, ghosted) and reports commands and the rectangles of its plots.

use egui::{Rect, Ui};

use super::command::AppCommand;
use super::computed::Computed;
use super::state::{Persisted, Tab};

pub mod distributions;
pub mod jurisdictions;
pub mod learn;
pub mod over_time;
pub mod overview;
pub mod plots;

/// View choices that are not saved between launches.
#[derive(Clone, Debug, Default)]
pub struct ViewState {
    /// Over time: the policy whose fans are shown; `None` compares all policies' medians.
    pub over_time_policy: Option<usize>,
    /// Learn: the policy the explanation is about (default: the baseline policy).
    pub learn_policy: Option<usize>,
}

/// What a view reports back: commands, and where its plots are (for PNG export).
#[derive(Default)]
pub struct ViewOut {
    pub commands: Vec<AppCommand>,
    /// (title, rectangle including the title) of every plot drawn this frame.
    pub plots: Vec<(String, Rect)>,
}

/// Everything a view reads and the choices it may change.
pub struct ViewCx<'a> {
    pub current: &'a Computed,
    pub pinned: Option<&'a Computed>,
    pub persisted: &'a mut Persisted,
    pub state: &'a mut ViewState,
    pub out: &'a mut ViewOut,
}

impl ViewCx<'_> {
    pub fn dark(&self) -> bool {
        self.persisted.dark
    }
}

/// Draws the tab `tab`.
pub fn ui(ui: &mut Ui, tab: Tab, cx: &mut ViewCx<'_>) {
    match tab {
        Tab::Overview => overview::ui(ui, cx),
        Tab::Distributions => distributions::ui(ui, cx),
        Tab::OverTime => over_time::ui(ui, cx),
        Tab::Jurisdictions => jurisdictions::ui(ui, cx),
        Tab::Learn => learn::ui(ui, cx),
    }
}
