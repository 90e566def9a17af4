//! The app's state: what persists between launches ([`Persisted`]) and the document being
//! edited ([`Document`]), kept apart so that nothing of a run is ever saved by accident.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::edit::Saved;
use crate::model::{Issue, Scenario, ScenarioDraft, ScenarioError};
use crate::study::ScenarioSource;

/// The tabs of the centre panel.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Tab {
    #[default]
    Overview,
    Distributions,
    OverTime,
    Jurisdictions,
    Thresholds,
    Sensitivity,
    /// Decision support: scenario discovery, regret and the value of information (the
    /// command line's `tierlab decide`). State stored by older versions names it Robustness.
    #[serde(alias = "Robustness")]
    Decision,
    Learn,
}

impl Tab {
    pub const ALL: [Tab; 8] = [
        Tab::Overview,
        Tab::Distributions,
        Tab::OverTime,
        Tab::Jurisdictions,
        Tab::Thresholds,
        Tab::Sensitivity,
        Tab::Decision,
        Tab::Learn,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Distributions => "Distributions",
            Tab::OverTime => "Over time",
            Tab::Jurisdictions => "Jurisdictions",
            Tab::Thresholds => "Thresholds",
            Tab::Sensitivity => "Sensitivity",
            Tab::Decision => "Decision support",
            Tab::Learn => "Learn",
        }
    }

    /// Whether the tab shows an analysis of its own (a sweep, a sensitivity analysis, decision
    /// support) rather than the simulation's result.
    pub fn is_analysis(self) -> bool {
        matches!(self, Tab::Thresholds | Tab::Sensitivity | Tab::Decision)
    }

    /// File-name stem for exports of this view.
    pub fn slug(self) -> &'static str {
        match self {
            Tab::Overview => "overview",
            Tab::Distributions => "distributions",
            Tab::OverTime => "over_time",
            Tab::Jurisdictions => "jurisdictions",
            Tab::Thresholds => "thresholds",
            Tab::Sensitivity => "sensitivity",
            Tab::Decision => "decision",
            Tab::Learn => "learn",
        }
    }
}

/// The outcome shown in the Distributions view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metric {
    Benefit,
    Harm,
    #[default]
    Net,
}

impl Metric {
    pub const ALL: [Metric; 3] = [Metric::Benefit, Metric::Harm, Metric::Net];

    pub fn label(self) -> &'static str {
        match self {
            Metric::Benefit => "Benefit",
            Metric::Harm => "Harm",
            Metric::Net => "Net welfare",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Metric::Benefit => "benefit",
            Metric::Harm => "harm",
            Metric::Net => "net",
        }
    }
}

/// Density curve or histogram outline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Shape {
    #[default]
    Density,
    Histogram,
}

/// Saved between launches by eframe (window geometry is saved by eframe itself).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    pub last_file: Option<PathBuf>,
    /// Edits not yet saved to a file when the state was last stored, restored at the next
    /// start. The app keeps them in a file of their own within a second of every edit
    /// ([`Options::unsaved_file`](super::Options::unsaved_file), with their undo history) and
    /// leaves this empty; it is read for state stored by older versions, and used by a front
    /// end without that file.
    pub unsaved: Option<Unsaved>,
    /// Whether the scenario panel is shown (hidden, the plots get the whole width).
    pub show_panel: bool,
    pub tab: Tab,
    pub dark: bool,
    pub auto_run: bool,
    pub metric: Metric,
    pub shape: Shape,
}

impl Default for Persisted {
    fn default() -> Self {
        Persisted {
            last_file: None,
            unsaved: None,
            show_panel: true,
            tab: Tab::Overview,
            dark: false,
            auto_run: true,
            metric: Metric::Net,
            shape: Shape::Density,
        }
    }
}

/// A scenario's unsaved edits, kept for the next start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unsaved {
    /// The last edit that passed the checks, written out as a scenario file.
    pub text: String,
    /// The file the edits were made to, if any.
    pub path: Option<PathBuf>,
}

/// The scenario being edited, the last version of it that passed the checks, and the version
/// on disk.
#[derive(Clone, Debug)]
pub struct Document {
    /// What the scenario panel edits in place; may be invalid.
    pub edit: ScenarioDraft,
    /// The last edit that passed the checks: what runs.
    pub valid: Scenario,
    /// As loaded or last saved: unsaved changes are `edit != saved`.
    pub saved: Scenario,
    /// The file, if the scenario came from or went to one.
    pub path: Option<PathBuf>,
    /// The file's text as loaded or saved (with its comments), reused when saving an
    /// unchanged scenario.
    pub saved_text: Option<String>,
    /// Why `edit` is invalid; empty when it is valid.
    pub issues: Vec<Issue>,
    /// Where `saved_text` came from when there is no path: a built-in file's name, or a
    /// shared link.
    builtin: Option<String>,
}

impl Document {
    pub fn new(scenario: Scenario, path: Option<PathBuf>, text: Option<String>) -> Document {
        Document {
            edit: scenario.to_draft(),
            valid: scenario.clone(),
            saved: scenario,
            path,
            saved_text: text,
            issues: Vec::new(),
            builtin: None,
        }
    }

    /// A document of a file built into Tierlab (`file` as named in `scenarios/`).
    pub fn builtin(scenario: Scenario, file: &str, text: &str) -> Document {
        Document { builtin: Some(format!("{file} (built in)")), ..Document::new(scenario, None, Some(text.into())) }
    }

    /// A document of a scenario that came as text without a file (a shared link), named
    /// `origin` in the provenance; its results carry the hash of `text` until it is edited.
    pub fn unfiled(scenario: Scenario, origin: &str, text: &str) -> Document {
        Document { builtin: Some(origin.into()), ..Document::new(scenario, None, Some(text.into())) }
    }

    /// The text behind what runs, for the provenance: the file as loaded or saved while the
    /// scenario is unchanged (so its hash is the one `tierlab run` stamps for that file),
    /// otherwise the scenario written out.
    pub fn source(&self) -> ScenarioSource {
        self.source_for(&self.valid)
    }

    /// The source of `scenario`: [`Document::source`]'s rule when it is the scenario that runs,
    /// perhaps at another run count (as an analysis runs it), else `scenario` written out.
    pub fn source_for(&self, scenario: &Scenario) -> ScenarioSource {
        let at_our_runs = scenario.clone().with_runs(self.valid.run().runs);
        if at_our_runs.ok().as_ref() != Some(&self.valid) {
            return ScenarioSource::edited(scenario);
        }
        let origin = match (&self.path, &self.builtin) {
            (Some(path), _) => path.display().to_string(),
            (None, Some(name)) => name.clone(),
            (None, None) => String::new(),
        };
        match &self.saved_text {
            Some(text) if self.valid == self.saved && !origin.is_empty() => ScenarioSource::new(origin, text.clone()),
            _ => ScenarioSource::edited(&self.valid),
        }
    }

    pub fn is_dirty(&self) -> bool {
        self.edit != self.saved
    }

    /// The file name, or the scenario's name for an unsaved one.
    pub fn display_name(&self) -> String {
        match &self.path {
            Some(p) => p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().to_string()),
            None => self.edit.name.clone(),
        }
    }

    /// The window title: "Tierlab — name *" with a star while there are unsaved changes.
    pub fn title(&self) -> String {
        let star = if self.is_dirty() { " *" } else { "" };
        format!("{} — {}{star}", super::APP_NAME, self.display_name())
    }

    /// Checks `edit`; returns whether it is valid (then `valid` is updated).
    pub fn revalidate(&mut self) -> bool {
        match check_edit(&self.edit) {
            Ok(s) => {
                self.valid = s;
                self.issues.clear();
                true
            }
            Err(issues) => {
                self.issues = issues;
                false
            }
        }
    }

    /// The text to write on save: the file as loaded when nothing changed, the edit written
    /// into it otherwise (comments and layout kept), and how. Always text that passes the
    /// checks.
    ///
    /// # Errors
    /// The scenario being edited is invalid.
    pub fn text_to_save(&self) -> Result<(String, Saved), Vec<Issue>> {
        if !self.issues.is_empty() {
            return Err(self.issues.clone());
        }
        if let Some(text) = &self.saved_text
            && self.edit == self.saved
        {
            return Ok((text.clone(), Saved::Kept));
        }
        // Into the file as loaded, so its comments (the sources) and layout survive the save.
        let (text, how) = match &self.saved_text {
            Some(original) => crate::model::edit::update_text(original, &self.saved, &self.valid),
            // No file text to keep: nothing is lost.
            None => (self.valid.to_toml(), Saved::Kept),
        };
        match Scenario::parse(&text, "scenario to save") {
            Ok(_) => Ok((text, how)),
            Err(e) => Err(issues_of(&e)),
        }
    }

    /// Records a successful save to `path`.
    pub fn mark_saved(&mut self, path: &Path, text: String) {
        self.saved = self.valid.clone();
        self.saved_text = Some(text);
        self.path = Some(path.to_path_buf());
        self.builtin = None;
    }
}

/// The issues of a scenario error; I/O and size errors become one issue.
pub fn issues_of(e: &ScenarioError) -> Vec<Issue> {
    match e {
        ScenarioError::Invalid { issues, .. } => issues.clone(),
        other => vec![Issue { path: "(file)".into(), line: None, message: other.to_string() }],
    }
}

/// Checks an edited scenario ([`ScenarioDraft::check`]); the issues carry no lines.
///
/// # Errors
/// Every problem the checks find.
pub fn check_edit(s: &ScenarioDraft) -> Result<Scenario, Vec<Issue>> {
    s.check().map_err(|e| issues_of(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_scenario_round_trips_through_the_checker() {
        let s = Scenario::built_in();
        assert_eq!(check_edit(&s.to_draft()).unwrap(), s);
    }

    #[test]
    fn invalid_edits_are_reported_without_lines() {
        let mut s = Scenario::built_in().to_draft();
        s.jurisdictions[0].share0 = 0.9;
        let issues = check_edit(&s).unwrap_err();
        assert!(issues.iter().any(|i| i.message.contains("sum")), "{issues:?}");
        assert!(issues.iter().all(|i| i.line.is_none()));
        s.policies.clear();
        assert_eq!(check_edit(&s).unwrap_err().len(), 1);
    }

    #[test]
    fn the_source_is_the_file_as_loaded_until_it_is_edited() {
        use crate::model::scenario::{BUILT_IN_TOML, sha256_hex};
        let mut d = Document::builtin(Scenario::built_in(), "baseline.toml", BUILT_IN_TOML);
        let src = d.source();
        assert_eq!((src.origin.as_str(), src.text.as_str()), ("baseline.toml (built in)", BUILT_IN_TOML));
        d.valid = d.valid.clone().with_seed(d.valid.run().seed + 1).unwrap();
        let edited = d.source();
        assert_eq!(edited.origin, "(edited in the app)");
        assert_ne!(sha256_hex(&edited.text), sha256_hex(BUILT_IN_TOML));
        assert_eq!(Scenario::parse(&edited.text, "edited").expect("parses"), d.valid, "the text is what runs");
        d.valid = d.valid.clone().with_seed(d.valid.run().seed - 1).unwrap();
        assert_eq!(d.source(), src, "undoing the edit gives the file back");
        let untitled = Document::new(Scenario::built_in(), None, None).source();
        assert_eq!(untitled.origin, "(edited in the app)");
    }

    #[test]
    fn dirty_and_title() {
        let mut d = Document::new(Scenario::built_in(), None, None);
        assert!(!d.is_dirty());
        assert_eq!(d.title(), "Tierlab — Baseline 2026");
        d.edit.run.seed += 1;
        assert!(d.is_dirty());
        assert!(d.title().ends_with(" *"));
    }

    #[test]
    fn state_stored_before_the_decision_tab_was_renamed_still_loads() {
        let old = r#"{"tab":"Robustness","dark":true}"#;
        let p: Persisted = serde_json::from_str(old).unwrap();
        assert_eq!((p.tab, p.dark), (Tab::Decision, true));
        let now = serde_json::to_string(&Persisted { tab: Tab::Decision, ..Persisted::default() }).unwrap();
        assert!(now.contains(r#""tab":"Decision""#), "{now}");
        assert_eq!(Tab::Decision.label(), "Decision support");
    }
}
