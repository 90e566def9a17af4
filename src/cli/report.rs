//! `tierlab report` (figures, report.html and report.md) and `tierlab figures` (single
//! figures): a study of the scenario (the simulation and the analyses) drawn and written.

use anyhow::Context as _;

use super::config::{CommandConfig, RunConfig};
use super::error::InvalidInput;
use super::progress;
use crate::export::figures::{FigureError, FigureInput, FigureKind, FigureOptions, prepare};
use crate::export::report::{FIGURES_DIR, best_threshold_sentence, is_analysis, missing_reason, write_report};
use crate::study::Study;

/// What `tierlab report` and `tierlab figures` write once the study is made (also after a
/// merge).
///
/// # Errors
/// A figure or file that cannot be written; a figure named with `--only` that the scenario
/// cannot have.
pub fn output(config: &RunConfig, study: &Study) -> anyhow::Result<()> {
    let CommandConfig::Report { formats, only, named, no_analyses, .. } = &config.command else {
        anyhow::bail!("not a report");
    };
    let out = config.out.as_deref().context("a report needs --out DIR")?;
    let input = FigureInput::of_study(study, &config.input.scenario).context("the report made no simulation")?;
    let quiet = config.quiet;
    let Some(kinds) = only else {
        let progress = progress::bar(
            FigureKind::all().len() as u64,
            "{spinner} drawing {bar:40} {pos}/{len} figures {msg}",
            quiet,
        );
        let files = write_report(out, &input, formats, &FigureOptions::default(), |kind| {
            if let Some(b) = &progress {
                b.set_message(kind.name());
                b.inc(1);
            }
        })
        .with_context(|| format!("cannot write the report to {}", out.display()))?;
        if let Some(b) = progress {
            b.finish_and_clear();
        }
        // Figures left out because the analyses were skipped on request need no note.
        for (kind, why) in files.skipped.iter().filter(|(k, _)| !(*no_analyses && is_analysis(*k))) {
            eprintln!("note: {} not drawn: {why}", kind.name());
        }
        if let (Some(sweep), Some(best)) = (&study.sweep, &study.best_threshold) {
            eprintln!("{}", best_threshold_sentence(sweep, best));
        }
        eprintln!(
            "wrote {} figures to {}, {} and {} ({:.1} s)",
            files.figures.len(),
            out.join(FIGURES_DIR).display(),
            files.html.display(),
            files.markdown.display(),
            study.provenance.wall_time_s
        );
        return Ok(());
    };
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let opts = FigureOptions::default();
    let progress = progress::bar(kinds.len() as u64, "{spinner} drawing {bar:40} {pos}/{len} figures {msg}", quiet);
    let mut written = 0;
    for &kind in kinds {
        if let Some(b) = &progress {
            b.set_message(kind.name());
        }
        let figure = match prepare(kind, &input) {
            Ok(f) => f,
            Err(e @ FigureError::MissingData { .. }) if !named => {
                if !(*no_analyses && is_analysis(kind)) {
                    eprintln!("note: {} not drawn: {}", kind.name(), missing_reason(kind, &input, &e));
                }
                continue;
            }
            // Asked by name for a figure this scenario cannot have (e.g. a paired
            // difference with one policy): invalid input.
            Err(e @ FigureError::MissingData { .. }) => {
                return Err(InvalidInput(missing_reason(kind, &input, &e)).into());
            }
            Err(e) => return Err(e.into()),
        };
        for &format in formats {
            let path = out.join(format!("{}.{}", kind.name(), format.extension()));
            figure.write(format, &path, &opts)?;
        }
        written += 1;
        if let Some(b) = &progress {
            b.inc(1);
        }
    }
    if let Some(b) = progress {
        b.finish_and_clear();
    }
    eprintln!("wrote {written} figures (with JSON sidecars) to {}", out.display());
    Ok(())
}
