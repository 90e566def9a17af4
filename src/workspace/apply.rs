//! Commands applied: the one place where they change the workspace, one handler per concern
//! (the scenario's edits, its runs, its file, exports, the tabs).

use super::command::Command;
use super::edits;
use super::files::{PathPurpose, Pending};
use super::{Effect, Workspace};

impl Workspace {
    /// Applies one command; what the front end must do to finish it, if anything.
    #[must_use = "an effect is the front end's to do: the command is not finished without it"]
    pub fn apply(&mut self, cmd: Command) -> Option<Effect> {
        use Command::*;
        match cmd {
            Edited { .. }
            | SetSweptValue { .. }
            | AddPolicy
            | DuplicatePolicy(_)
            | RemovePolicy(_)
            | SetReferencePolicy(_)
            | AddJurisdiction
            | RemoveJurisdiction(_)
            | Renormalise => {
                self.apply_edit(cmd);
                None
            }
            Undo | Redo => {
                self.apply_history(&cmd);
                None
            }
            Run | Cancel | Pin | Unpin | StopAnalysis(_) | ResumeAnalysis(_) => {
                self.apply_run(cmd);
                None
            }
            NewFromPreset(_) | Open | OpenPath(_) | Save | SaveAs | SaveTo(_) | ConfirmSave | ConfirmDiscard
            | CancelPending | CancelPrompt | DismissErrors | Quit => self.apply_file(cmd),
            ExportCsv
            | ExportCsvTo(_)
            | ExportPng { .. }
            | ExportPngTo { .. }
            | ExportFigure { .. }
            | ExportFigureTo { .. }
            | ExportReport
            | ExportReportTo(_)
            | CancelPublish => self.apply_export(cmd),
            CopyLink => Some(self.copy_link()),
            SetTab(tab) => {
                self.persisted.tab = tab;
                None
            }
            SetDark(dark) => {
                self.persisted.dark = dark;
                None
            }
        }
    }

    /// Edits of the scenario: each is checked, and run if it passes.
    fn apply_edit(&mut self, cmd: Command) {
        let s = &mut self.doc.edit;
        let policy_name = |i: usize| s.policies.get(i).map_or_else(String::new, |p| p.name.clone());
        let label = match &cmd {
            Command::AddPolicy => Some("add a policy".to_string()),
            Command::DuplicatePolicy(i) => Some(format!("duplicate policy “{}”", policy_name(*i))),
            Command::RemovePolicy(i) => Some(format!("remove policy “{}”", policy_name(*i))),
            Command::SetReferencePolicy(i) => Some(format!("make “{}” the reference policy", policy_name(*i))),
            Command::AddJurisdiction => Some("add a jurisdiction".to_string()),
            Command::RemoveJurisdiction(j) => {
                Some(format!("remove jurisdiction “{}”", s.jurisdictions.get(*j).map_or("", |j| j.name.as_str())))
            }
            Command::Renormalise => Some("renormalise the jurisdictions' shares".to_string()),
            // Read from the change itself.
            _ => None,
        };
        let immediate = match cmd {
            Command::Edited { immediate } => immediate,
            Command::SetSweptValue { policy, param, value, immediate } => {
                let Some(p) = s.policies.get_mut(policy) else { return };
                // One value, one text: the control's resolution, no float noise in the file.
                param.apply(p, edits::snap(value, edits::swept_step(param)));
                edits::clean_thresholds(p);
                immediate
            }
            Command::AddPolicy => {
                let p = edits::new_policy(s);
                s.policies.push(p);
                true
            }
            Command::DuplicatePolicy(i) => {
                edits::duplicate_policy(s, i);
                true
            }
            Command::RemovePolicy(i) => {
                edits::remove_policy(s, i);
                true
            }
            Command::SetReferencePolicy(i) => {
                if i >= s.policies.len() {
                    return;
                }
                s.run.reference = i;
                true
            }
            Command::AddJurisdiction => {
                let j = edits::new_jurisdiction(s);
                s.jurisdictions.push(j);
                true
            }
            Command::RemoveJurisdiction(j) => {
                // A scenario has at least one jurisdiction.
                if s.jurisdictions.len() <= 1 {
                    return;
                }
                edits::remove_jurisdiction(s, j);
                true
            }
            Command::Renormalise => {
                edits::renormalise(s);
                true
            }
            // Not an edit.
            _ => return,
        };
        // A drag (not yet released) may go on: the edits until it ends are one undo step.
        self.record_edit(label.as_deref(), !immediate);
        self.on_edit(immediate);
    }

    /// Undo and redo: the draft of the step is put back and run at once.
    fn apply_history(&mut self, cmd: &Command) {
        let now = self.options.clock.now();
        let undo = *cmd == Command::Undo;
        let back = if undo { self.history.undo(&self.doc.edit, now) } else { self.history.redo(&self.doc.edit, now) };
        let Some(draft) = back else {
            self.status = if undo { "Nothing to undo." } else { "Nothing to redo." }.into();
            return;
        };
        self.doc.edit = draft;
        self.schedule_store();
        self.on_edit(true);
        // After on_edit, which may say the edit has problems.
        let label = if undo { self.history.redo_label() } else { self.history.undo_label() };
        let done = format!("{}: {}.", if undo { "Undone" } else { "Redone" }, label.unwrap_or("an edit"));
        if self.doc.issues.is_empty() {
            self.status = done;
        } else {
            self.status = format!("{done} {}", self.status);
        }
    }

    /// Running, pinning, and the analyses' stop and resume.
    fn apply_run(&mut self, cmd: Command) {
        match cmd {
            Command::Run => self.run(),
            Command::Cancel => self.cancel_run(),
            Command::Pin => {
                self.pinned = self.current.clone();
                self.status = "Pinned: these results stay on screen, dashed, until you unpin them.".into();
            }
            Command::Unpin => self.pinned = None,
            Command::StopAnalysis(slot) => {
                self.analyses.stop(slot);
                self.status = format!("Stopped the {}.", slot.label());
            }
            Command::ResumeAnalysis(slot) => self.analyses.resume(slot),
            // Not about runs.
            _ => {}
        }
    }

    /// The scenario's file, and the question before losing unsaved edits.
    fn apply_file(&mut self, cmd: Command) -> Option<Effect> {
        match cmd {
            Command::NewFromPreset(i) => self.guard(Pending::Preset(i)),
            Command::Open => Some(self.ask_path(PathPurpose::Open)),
            Command::OpenPath(path) => self.guard(Pending::OpenPath(path)),
            Command::Save => self.save(),
            Command::SaveAs => Some(self.ask_path(PathPurpose::SaveAs)),
            Command::SaveTo(path) => self.save_then_continue(&path),
            Command::ConfirmSave => self.confirm_save(),
            Command::ConfirmDiscard => self.confirm.take().and_then(|next| self.perform(next)),
            Command::CancelPending => {
                self.confirm = None;
                None
            }
            Command::CancelPrompt => {
                self.after_save = None;
                None
            }
            Command::DismissErrors => {
                self.file_errors = None;
                None
            }
            Command::Quit => self.guard(Pending::Close),
            // Not about the file.
            _ => None,
        }
    }

    /// Exports: the questions for their paths, and the exports to a path.
    fn apply_export(&mut self, cmd: Command) -> Option<Effect> {
        match cmd {
            Command::ExportCsv => Some(self.ask_path(PathPurpose::ExportCsv)),
            Command::ExportCsvTo(path) => {
                self.export_csv(&path);
                None
            }
            Command::ExportPng { plot } => Some(self.ask_path(PathPurpose::ExportPng { plot })),
            Command::ExportPngTo { plot, path } => Some(Effect::CapturePlot { plot, path }),
            Command::ExportFigure { tab, only } => {
                if self.current.is_none() {
                    self.status = "No results to draw yet.".into();
                    return None;
                }
                Some(self.ask_path(PathPurpose::ExportFigures { tab, only }))
            }
            Command::ExportFigureTo { tab, only, dir } => {
                self.export_figures(tab, only, dir);
                None
            }
            Command::ExportReport => Some(self.ask_path(PathPurpose::ExportReport)),
            Command::ExportReportTo(dir) => {
                self.export_report(dir);
                None
            }
            Command::CancelPublish => {
                if let Some(p) = self.publishing.as_mut() {
                    p.cancel();
                }
                None
            }
            // Not an export.
            _ => None,
        }
    }
}
