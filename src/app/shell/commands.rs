//! Commands from the widgets (and tests), applied to the workspace; then what the workspace
//! leaves to the app: asking for a path (the platform's dialog, or the typed-path window), a
//! plot's screenshot, closing the window, the theme.

use std::path::Path;

use egui::ViewportCommand;

use crate::workspace::{Effect, PathPurpose};

use super::super::AppCommand;
use super::super::files::{self, DialogAnswer, PathPrompt};
use super::super::theme;
use super::TierlabApp;
use super::exports::PngRequest;

impl TierlabApp {
    /// Applies one command.
    pub fn apply(&mut self, cmd: AppCommand) {
        // A path chosen, or the question left: the typed-path window has done its part.
        if answers_prompt(&cmd) {
            self.prompt = None;
        }
        let dark = match cmd {
            AppCommand::SetDark(dark) => Some(dark),
            _ => None,
        };
        match self.workspace.apply(cmd) {
            Some(Effect::AskPath { purpose, suggested }) => self.ask_path(purpose, &suggested),
            Some(Effect::CapturePlot { plot, path }) => {
                self.png_request = Some(PngRequest { plot, path, frames_left: 2 });
                self.ctx.request_repaint();
            }
            Some(Effect::Close) => self.ctx.send_viewport_cmd(ViewportCommand::Close),
            Some(Effect::CopyLink { fragment }) => self.ctx.copy_text(format!("{}{fragment}", self.link_base)),
            None => {}
        }
        if let Some(dark) = dark {
            theme::apply(&self.ctx, dark);
        }
        if self.workspace.is_publishing() {
            // Show the export's progress at once.
            self.ctx.request_repaint();
        }
    }

    /// Asks for a path: the platform's dialog, or the typed-path window where there is none.
    fn ask_path(&mut self, purpose: PathPurpose, suggested: &Path) {
        if self.native_dialogs {
            match files::ask(&purpose, suggested) {
                DialogAnswer::Chosen(path) => {
                    let cmd = purpose.command(path);
                    self.apply(cmd);
                    return;
                }
                DialogAnswer::Cancelled => {
                    self.apply(AppCommand::CancelPrompt);
                    return;
                }
                DialogAnswer::Unavailable => self.native_dialogs = false,
            }
        }
        let text = if purpose == PathPurpose::Open {
            self.workspace.document().path.as_ref().map_or_else(|| dir_text(suggested), |p| p.display().to_string())
        } else {
            suggested.display().to_string()
        };
        self.prompt = Some(PathPrompt { purpose, text });
    }
}

/// Whether `cmd` answers the typed-path window (a path, or "Cancel").
fn answers_prompt(cmd: &AppCommand) -> bool {
    matches!(
        cmd,
        AppCommand::OpenPath(_)
            | AppCommand::SaveTo(_)
            | AppCommand::ExportCsvTo(_)
            | AppCommand::ExportPngTo { .. }
            | AppCommand::ExportFigureTo { .. }
            | AppCommand::ExportReportTo(_)
            | AppCommand::CancelPrompt
    )
}

/// Keyboard shortcuts: Ctrl+O open, Ctrl+S save, Ctrl+Shift+S save as, Ctrl+Q quit,
/// Ctrl+R run, Ctrl+Z undo, Ctrl+Shift+Z and Ctrl+Y redo (Cmd on macOS).
pub(super) fn shortcuts(ctx: &egui::Context) -> Vec<AppCommand> {
    use egui::{Key, KeyboardShortcut, Modifiers};
    let table = [
        (KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::S), AppCommand::SaveAs),
        // Before Ctrl+Z: a shortcut with Shift is matched first.
        (KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z), AppCommand::Redo),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::Z), AppCommand::Undo),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::Y), AppCommand::Redo),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::S), AppCommand::Save),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::O), AppCommand::Open),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::Q), AppCommand::Quit),
        (KeyboardShortcut::new(Modifiers::COMMAND, Key::R), AppCommand::Run),
    ];
    ctx.input_mut(|i| table.into_iter().filter(|(k, _)| i.consume_shortcut(k)).map(|(_, c)| c).collect())
}

/// The folder of `p`, as a typed path to go on from.
fn dir_text(p: &Path) -> String {
    p.parent().map(|d| format!("{}/", d.display())).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_path_starts_in_the_folder() {
        assert_eq!(dir_text(Path::new("/a/b/c.toml")), "/a/b/");
        assert!(answers_prompt(&AppCommand::CancelPrompt));
        assert!(!answers_prompt(&AppCommand::Save));
    }
}
