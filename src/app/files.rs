//! The questions about files, drawn: native dialogs with a typed-path fallback, the window
//! listing a file's problems, and the "unsaved changes" question. What they ask for and what
//! the answers do are the workspace's.

use std::path::{Path, PathBuf};
use std::time::Duration;
#[cfg(not(target_arch = "wasm32"))]
use web_time::Instant;

use egui::{RichText, Ui};

use crate::workspace::files::{FileErrors, PathPurpose, issue_line};

use super::AppCommand;

/// A native dialog that answers "no file" faster than this was never shown (no portal, no
/// desktop): the typed-path window is offered instead.
pub const NO_DIALOG_WITHIN: Duration = Duration::from_millis(250);

/// The typed-path window's state.
#[derive(Clone, Debug, PartialEq)]
pub struct PathPrompt {
    pub purpose: PathPurpose,
    pub text: String,
}

/// A native dialog's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum DialogAnswer {
    Chosen(PathBuf),
    Cancelled,
    /// No dialog could be shown: offer the typed path.
    Unavailable,
}

/// Asks for a path with the platform's dialog. The browser has none (nor a file system):
/// there, always [`DialogAnswer::Unavailable`].
#[cfg(target_arch = "wasm32")]
pub fn ask(_purpose: &PathPurpose, _suggested: &Path) -> DialogAnswer {
    DialogAnswer::Unavailable
}

/// Asks for a path with the platform's dialog.
#[cfg(not(target_arch = "wasm32"))]
pub fn ask(purpose: &PathPurpose, suggested: &Path) -> DialogAnswer {
    let started = Instant::now();
    let mut d = rfd::FileDialog::new();
    if let Some(dir) = suggested.parent().filter(|d| !d.as_os_str().is_empty() && d.exists()) {
        d = d.set_directory(dir);
    }
    if purpose.is_folder() {
        // A folder dialog picks an existing folder; the suggested one may not exist yet.
        d = d.set_title(purpose.title());
        let chosen = d.pick_folder();
        return match chosen {
            Some(p) => DialogAnswer::Chosen(p),
            None if started.elapsed() < NO_DIALOG_WITHIN => DialogAnswer::Unavailable,
            None => DialogAnswer::Cancelled,
        };
    }
    if let Some(name) = suggested.file_name() {
        d = d.set_file_name(name.to_string_lossy());
    }
    let ext = purpose.extension();
    let d = d.add_filter(ext.to_uppercase(), &[ext]);
    let chosen = match purpose {
        PathPurpose::Open => d.pick_file(),
        _ => d.save_file(),
    };
    match chosen {
        Some(p) => DialogAnswer::Chosen(p),
        None if started.elapsed() < NO_DIALOG_WITHIN => DialogAnswer::Unavailable,
        None => DialogAnswer::Cancelled,
    }
}

/// The typed-path window.
pub fn prompt_ui(ctx: &egui::Context, prompt: &mut PathPrompt, cmds: &mut Vec<AppCommand>) {
    egui::Window::new(prompt.purpose.title())
        .id(egui::Id::unique("path_prompt"))
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            if prompt.purpose.is_folder() {
                ui.label("No file dialog is available here: type the folder's path (it is created if missing).");
            } else {
                ui.label("No file dialog is available here: type the file's path.");
            }
            let label = ui.label(if prompt.purpose.is_folder() { "Folder path" } else { "File path" });
            let r = ui
                .add(egui::TextEdit::singleline(&mut prompt.text).desired_width(460.0).hint_text(
                    if prompt.purpose.is_folder() {
                        "/path/to/folder/".to_string()
                    } else {
                        format!("/path/to/file.{}", prompt.purpose.extension())
                    },
                ))
                .labelled_by(label.id);
            if ui.memory(|m| m.focused().is_none()) {
                r.request_focus();
            }
            let enter = r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.horizontal(|ui| {
                let ok = !prompt.text.trim().is_empty();
                if (ui.add_enabled(ok, egui::Button::new(prompt.purpose.button())).clicked() || (enter && ok))
                    && let Some(path) = expand(prompt.text.trim())
                {
                    // The shell closes the prompt when it acts on the path.
                    cmds.push(prompt.purpose.command(path));
                }
                if ui.button("Cancel").clicked() {
                    cmds.push(AppCommand::CancelPrompt);
                }
            });
        });
}

/// A typed path with a leading `~/` expanded.
fn expand(text: &str) -> Option<PathBuf> {
    if text.is_empty() {
        return None;
    }
    match text.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(rest)),
        None => Some(PathBuf::from(text)),
    }
}

/// The window listing a file's problems.
pub fn errors_ui(ctx: &egui::Context, e: &FileErrors, dark: bool, cmds: &mut Vec<AppCommand>) {
    egui::Window::new(e.title.as_str())
        .id(egui::Id::unique("file_errors"))
        .collapsible(false)
        .default_width(620.0)
        .anchor(egui::Align2::CENTER_CENTER, [0.0, 0.0])
        .show(ctx, |ui| {
            ui.label(RichText::new(&e.origin).monospace());
            ui.label(format!(
                "{} problem{} found; nothing was changed.",
                e.issues.len(),
                if e.issues.len() == 1 { "" } else { "s" }
            ));
            ui.separator();
            egui::ScrollArea::vertical().max_height(360.0).show(ui, |ui| {
                for i in &e.issues {
                    ui.label(RichText::new(issue_line(i)).color(super::theme::error(dark)));
                }
            });
            ui.separator();
            if ui.button("Close").clicked() {
                cmds.push(AppCommand::DismissErrors);
            }
        });
}

/// The "unsaved changes" question before `what` (e.g. "opening another file").
pub fn confirm_ui(ctx: &egui::Context, what: &str, can_save: bool, cmds: &mut Vec<AppCommand>) {
    let modal = egui::Modal::new(egui::Id::unique("unsaved_changes")).show(ctx, |ui: &mut Ui| {
        ui.set_max_width(420.0);
        ui.heading("Unsaved changes");
        ui.label(format!("The scenario has changes that are not saved. Save them before {what}?"));
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if ui
                .add_enabled(can_save, egui::Button::new("Save"))
                .on_disabled_hover_text("The scenario has problems")
                .clicked()
            {
                cmds.push(AppCommand::ConfirmSave);
            }
            if ui.button("Discard changes").clicked() {
                cmds.push(AppCommand::ConfirmDiscard);
            }
            if ui.button("Cancel").clicked() {
                cmds.push(AppCommand::CancelPending);
            }
        });
    });
    if modal.should_close() {
        cmds.push(AppCommand::CancelPending);
    }
}
