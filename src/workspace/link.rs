//! Share links: the scenario and the open tab in a URL's fragment, so a link opens the same
//! scenario on the same tab (in the browser, or with `tierlab --link`). The fragment never
//! reaches a server: a shared scenario stays between the people who share it.
//!
//! Two forms, both `key=value` pairs joined by `&` after the `#`:
//! - `#preset=levers&tab=thresholds`: an unchanged built-in scenario or preset, by its file
//!   stem (short, and readable);
//! - `#s=DATA&tab=overview`: any other scenario, `DATA` being its text (the file as loaded,
//!   with its comments, or the edited scenario written out: the text behind what runs, so the
//!   link's scenario has the same SHA-256 as the one it was made from), compressed with raw
//!   DEFLATE and written in base64url without padding.
//!
//! A link is input from anyone: [`decode`] refuses anything over [`MAX_LINK_DATA_CHARS`]
//! before decoding, inflates at most [`MAX_FILE_BYTES`] (a zip bomb stops there, after at most
//! a megabyte of output), then applies the scenario file's own parser and checks. Every
//! failure is a [`LinkError`] saying what is wrong; the caller keeps (or opens) the built-in
//! scenario.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use miniz_oxide::inflate::TINFLStatus;

use crate::model::error::MAX_FILE_BYTES;
use crate::model::scenario::PRESETS;
use crate::model::{Issue, Scenario};
use crate::study::ScenarioSource;

use super::files::FileErrors;
use super::state::{Document, Tab};
use super::{Effect, Workspace};

/// The longest `s=` value accepted, in characters. Deflate shrinks scenario text four- to
/// ten-fold, so a scenario at the file limit (1 MiB) fits well within this; a longer value is
/// refused before it is decoded.
pub const MAX_LINK_DATA_CHARS: usize = 512 * 1024;

/// How the scenario of a link is named in messages and in the provenance of its results.
pub const LINK_ORIGIN: &str = "(shared link)";

/// Why a link could not be opened.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinkError {
    #[error("the link has no scenario in it (expected `#s=…` or `#preset=…` after the address)")]
    NoScenario,
    #[error("the link names both a preset and a scenario; it can carry one")]
    Ambiguous,
    #[error("the link's part `{0}` is not of the form key=value")]
    Malformed(String),
    #[error("the link names no preset called `{0}`")]
    UnknownPreset(String),
    #[error("the link names no tab called `{0}`")]
    UnknownTab(String),
    #[error("the link's scenario is {0} characters long; at most {MAX_LINK_DATA_CHARS} are accepted")]
    TooLong(usize),
    #[error("the link's scenario is not valid base64url (it may have been cut short or altered): {0}")]
    Base64(String),
    #[error("the link's scenario does not decompress (it may have been cut short or altered): {0}")]
    Inflate(String),
    #[error("the link's scenario decompresses to more than {MAX_FILE_BYTES} bytes, the scenario file limit")]
    TooLarge,
    #[error("the link's scenario is not UTF-8 text")]
    NotText,
    #[error("the link's scenario does not pass the checks: {}", render(.0))]
    Invalid(Vec<Issue>),
}

fn render(issues: &[Issue]) -> String {
    issues.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl LinkError {
    /// The problems as the file-errors window lists them.
    pub fn issues(&self) -> Vec<Issue> {
        match self {
            LinkError::Invalid(issues) => issues.clone(),
            other => vec![Issue { path: "(link)".into(), line: None, message: other.to_string() }],
        }
    }
}

/// A link decoded and checked: the scenario, the text behind it, where it came from, and the
/// tab to open (none named: the front end's own).
#[derive(Debug, Clone, PartialEq)]
pub struct Shared {
    pub scenario: Scenario,
    /// The text the scenario was parsed from; its SHA-256 is the results' scenario hash.
    pub text: String,
    /// A preset's file name (`levers.toml`), or `None` for a scenario carried whole.
    pub preset: Option<&'static str>,
    pub tab: Option<Tab>,
}

impl Shared {
    /// The provenance source of the link's scenario: the preset's file, or the link.
    pub fn source(&self) -> ScenarioSource {
        ScenarioSource::new(self.preset.map_or(LINK_ORIGIN, |p| p), self.text.clone())
    }
}

/// A preset's name in links: its file name without `.toml`.
fn preset_stem(file: &str) -> &str {
    file.strip_suffix(".toml").unwrap_or(file)
}

/// The fragment (with its `#`) of a link to `source`'s scenario on `tab`: `#preset=…` when
/// the text is a built-in scenario's exactly, `#s=…` otherwise.
pub fn encode(source: &ScenarioSource, tab: Tab) -> String {
    let tab = tab.slug();
    if let Some((file, _)) = PRESETS.iter().find(|(_, text)| *text == source.text) {
        return format!("#preset={}&tab={tab}", preset_stem(file));
    }
    // Level 9: links are made once and read often; the text is small, so the time is nothing.
    let deflated = miniz_oxide::deflate::compress_to_vec(source.text.as_bytes(), 9);
    format!("#s={}&tab={tab}", URL_SAFE_NO_PAD.encode(deflated))
}

/// The fragment of `link`: what follows its first `#`; nothing for an address without one
/// (`http://…/`); all of it otherwise (a fragment given without its `#`).
fn fragment(link: &str) -> &str {
    match link.split_once('#') {
        Some((_, f)) => f,
        None if link.contains("://") => "",
        None => link,
    }
}

/// Decodes a whole link (`http://…/#s=…&tab=…`) or its fragment, and checks its scenario.
/// Unknown keys are ignored (a later version may add some); an empty fragment is
/// [`LinkError::NoScenario`].
///
/// # Errors
/// Everything that can be wrong with a link, each said plainly ([`LinkError`]).
pub fn decode(link: &str) -> Result<Shared, LinkError> {
    let mut data = None;
    let mut preset = None;
    let mut tab = None;
    for part in fragment(link.trim()).split('&').filter(|p| !p.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            return Err(LinkError::Malformed(clip(part)));
        };
        match key {
            "s" => data = Some(value),
            "preset" => preset = Some(value),
            "tab" => tab = Some(tab_of(value)?),
            _ => {}
        }
    }
    let (scenario, text, preset) = match (data, preset) {
        (Some(_), Some(_)) => return Err(LinkError::Ambiguous),
        (None, None) => return Err(LinkError::NoScenario),
        (None, Some(name)) => {
            let Some((file, text)) = PRESETS.iter().find(|(file, _)| preset_stem(file) == name) else {
                return Err(LinkError::UnknownPreset(clip(name)));
            };
            let scenario = Scenario::parse(text, file).map_err(|e| LinkError::Invalid(super::state::issues_of(&e)))?;
            (scenario, (*text).to_string(), Some(*file))
        }
        (Some(data), None) => {
            let text = inflate(data)?;
            let scenario =
                Scenario::parse(&text, LINK_ORIGIN).map_err(|e| LinkError::Invalid(super::state::issues_of(&e)))?;
            (scenario, text, None)
        }
    };
    Ok(Shared { scenario, text, preset, tab })
}

/// The scenario text of an `s=` value, within the limits.
fn inflate(data: &str) -> Result<String, LinkError> {
    if data.len() > MAX_LINK_DATA_CHARS {
        return Err(LinkError::TooLong(data.len()));
    }
    let bytes = URL_SAFE_NO_PAD.decode(data).map_err(|e| LinkError::Base64(e.to_string()))?;
    // The limit bounds the output (and so the time): a bomb stops at MAX_FILE_BYTES + 1.
    let limit = usize::try_from(MAX_FILE_BYTES).unwrap_or(usize::MAX);
    let text = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, limit).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => LinkError::TooLarge,
        TINFLStatus::FailedCannotMakeProgress => LinkError::Inflate("the data ends too soon".into()),
        _ => LinkError::Inflate("the data is not DEFLATE".into()),
    })?;
    String::from_utf8(text).map_err(|_| LinkError::NotText)
}

fn tab_of(slug: &str) -> Result<Tab, LinkError> {
    Tab::ALL.into_iter().find(|t| t.slug() == slug).ok_or_else(|| LinkError::UnknownTab(clip(slug)))
}

/// At most 40 characters of something from a link, for a message (a hostile link may be long).
fn clip(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

impl Workspace {
    /// The fragment of a link to the scenario that runs (the last edit that passed the
    /// checks) on the tab on screen.
    pub fn share_link(&self) -> String {
        encode(&self.doc.source(), self.persisted.tab)
    }

    /// [`Command::CopyLink`](super::Command::CopyLink): the link for the front end to copy.
    pub(super) fn copy_link(&mut self) -> Effect {
        let fragment = self.share_link();
        self.status = if fragment.starts_with("#preset=") {
            "Copied a link to this preset and tab.".into()
        } else {
            format!("Copied a link to this scenario and tab ({} characters).", fragment.len())
        };
        Effect::CopyLink { fragment }
    }

    /// Opens the scenario and tab of `link` (a whole link or its fragment). A link that is
    /// malformed, hostile or fails the checks changes nothing: its errors wait to be shown
    /// ([`Workspace::file_errors`]), the status line says so, and the scenario open stays
    /// (at start, the built-in one).
    ///
    /// # Errors
    /// What is wrong with the link (also kept to show).
    pub fn open_link(&mut self, link: &str) -> Result<(), LinkError> {
        match decode(link) {
            Ok(shared) => {
                let doc = match shared.preset {
                    Some(file) => Document::builtin(shared.scenario, file, &shared.text),
                    None => Document::unfiled(shared.scenario, LINK_ORIGIN, &shared.text),
                };
                self.replace_document(doc);
                if let Some(tab) = shared.tab {
                    self.persisted.tab = tab;
                }
                self.status = format!("Opened {} from a shared link.", self.doc.display_name());
                Ok(())
            }
            Err(e) => {
                self.file_errors = Some(FileErrors {
                    title: "The link was not opened".into(),
                    origin: "the shared link".into(),
                    issues: e.issues(),
                });
                self.status = format!("The link was not opened ({e}); showing {}.", self.doc.display_name());
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::scenario::BUILT_IN_TOML;
    use proptest::prelude::*;
    use std::time::{Duration, Instant};

    fn edited() -> Scenario {
        let s = Scenario::built_in();
        let seed = s.run().seed + 7;
        s.with_seed(seed).expect("a valid seed")
    }

    fn link_of_text(text: &[u8]) -> String {
        format!("#s={}", URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(text, 6)))
    }

    #[test]
    fn an_edited_scenario_round_trips_with_its_hash_and_tab() {
        let source = ScenarioSource::edited(&edited());
        let link = encode(&source, Tab::Thresholds);
        assert!(link.starts_with("#s=") && link.ends_with("&tab=thresholds"), "{link}");
        let shared = decode(&format!("http://localhost:8000/index.html{link}")).expect("decodes");
        assert_eq!(shared.scenario, edited());
        assert_eq!(shared.tab, Some(Tab::Thresholds));
        assert_eq!(shared.preset, None);
        assert_eq!(shared.source().sha256(), source.sha256(), "the same scenario hash");
        assert_eq!(shared.source().origin, LINK_ORIGIN);
    }

    #[test]
    fn a_file_with_comments_keeps_them_and_its_hash() {
        let text = format!("# Shared for the workshop.\n{BUILT_IN_TOML}\n# the end\n");
        let source = ScenarioSource::new("mine.toml", text.clone());
        let shared = decode(&encode(&source, Tab::Learn)).expect("decodes");
        assert_eq!(shared.text, text);
        assert_eq!(shared.source().sha256(), source.sha256());
        assert_eq!(shared.tab, Some(Tab::Learn));
        // Compressed: the link is much shorter than the text.
        assert!(encode(&source, Tab::Learn).len() < text.len() / 2);
    }

    #[test]
    fn an_unchanged_preset_gets_a_short_link() {
        for (file, text) in PRESETS {
            let source = ScenarioSource::new(format!("{file} (built in)"), *text);
            let link = encode(&source, Tab::OverTime);
            assert_eq!(link, format!("#preset={}&tab=over_time", preset_stem(file)));
            let shared = decode(&link).expect("decodes");
            assert_eq!(shared.preset, Some(*file));
            assert_eq!(shared.scenario, Scenario::parse(text, file).expect("presets parse"));
            assert_eq!(shared.source().sha256(), source.sha256());
        }
        assert_eq!(decode("#preset=baseline").expect("decodes").tab, None, "no tab named: the front end's own");
    }

    #[test]
    fn every_tab_has_a_name_in_links() {
        for tab in Tab::ALL {
            assert_eq!(tab_of(tab.slug()), Ok(tab));
        }
    }

    #[test]
    fn hostile_links_are_refused_with_a_clear_message() {
        let good = encode(&ScenarioSource::edited(&edited()), Tab::Overview);
        let data = good.trim_start_matches("#s=").trim_end_matches("&tab=overview");
        type Expect = fn(&LinkError) -> bool;
        let cases: Vec<(String, Expect)> = vec![
            (String::new(), |e| *e == LinkError::NoScenario),
            ("http://localhost:8000/".into(), |e| *e == LinkError::NoScenario),
            ("#tab=overview".into(), |e| *e == LinkError::NoScenario),
            ("#garbage".into(), |e| matches!(e, LinkError::Malformed(_))),
            ("#s=!!!!&tab=overview".into(), |e| matches!(e, LinkError::Base64(_))),
            ("#s=AAAA=".into(), |e| matches!(e, LinkError::Base64(_))),
            ("#s=bm90IGRlZmxhdGU".into(), |e| matches!(e, LinkError::Inflate(_))),
            (format!("#s={}", &data[..data.len() / 2]), |e| matches!(e, LinkError::Inflate(_) | LinkError::Base64(_))),
            (format!("#s={data}&tab=nowhere"), |e| matches!(e, LinkError::UnknownTab(_))),
            (format!("#s={data}&preset=baseline"), |e| *e == LinkError::Ambiguous),
            ("#preset=../../etc/passwd".into(), |e| matches!(e, LinkError::UnknownPreset(_))),
            (format!("#s={}", "A".repeat(MAX_LINK_DATA_CHARS + 1)), |e| matches!(e, LinkError::TooLong(_))),
            (link_of_text(&[0xff, 0xfe, 0x00]), |e| *e == LinkError::NotText),
            (link_of_text(b"name = [unclosed"), |e| matches!(e, LinkError::Invalid(_))),
            (link_of_text(b"name = \"x\"\n"), |e| matches!(e, LinkError::Invalid(_))),
            (
                link_of_text(BUILT_IN_TOML.replace("runs = ", "runs = -").as_bytes()),
                |e| matches!(e, LinkError::Invalid(i) if i.iter().any(|i| i.path.contains("runs"))),
            ),
        ];
        for (link, expected) in cases {
            match decode(&link) {
                Ok(_) => panic!("{link:.60} was accepted"),
                Err(e) => {
                    assert!(expected(&e), "{link:.60}: unexpected error {e:?}");
                    assert!(!e.to_string().is_empty() && !e.issues().is_empty());
                }
            }
        }
    }

    #[test]
    fn a_zip_bomb_is_refused_quickly() {
        // 64 MiB of zeros deflates to about 64 KiB; it must stop at the 1 MiB limit.
        let bomb = vec![b' '; 64 * 1024 * 1024];
        let link = link_of_text(&bomb);
        assert!(link.len() < MAX_LINK_DATA_CHARS, "the bomb passes the length check: {}", link.len());
        let t0 = Instant::now();
        assert_eq!(decode(&link), Err(LinkError::TooLarge));
        assert!(t0.elapsed() < Duration::from_secs(2), "took {:?}", t0.elapsed());
        // Just over the limit is refused too; at the limit, the parser's own checks apply.
        let over = vec![b' '; usize::try_from(MAX_FILE_BYTES).expect("fits") + 1];
        assert_eq!(decode(&link_of_text(&over)), Err(LinkError::TooLarge));
    }

    #[test]
    fn long_values_are_clipped_in_messages() {
        let e = decode(&format!("#preset={}", "x".repeat(10_000))).expect_err("no such preset");
        assert!(e.to_string().len() < 200, "{e}");
    }

    fn stepped() -> Workspace {
        let options = super::super::Options {
            max_runs: Some(300),
            executor: super::super::Executor::Stepped,
            ..super::super::Options::default()
        };
        Workspace::open(super::super::Persisted::default(), None, options, || {})
    }

    #[test]
    fn a_workspace_copies_and_opens_links_with_the_same_hash() {
        let mut ws = stepped();
        assert_eq!(ws.apply(crate::workspace::Command::SetTab(Tab::Sensitivity)), None);
        assert_eq!(ws.share_link(), "#preset=baseline&tab=sensitivity", "the built-in scenario, unchanged");
        ws.scenario_mut().run.seed += 1;
        let _ = ws.apply(crate::workspace::Command::Edited { immediate: true });
        let Some(Effect::CopyLink { fragment }) = ws.apply(crate::workspace::Command::CopyLink) else {
            panic!("copying a link is the front end's to finish")
        };
        assert!(fragment.starts_with("#s="), "{fragment}");
        assert!(ws.status().starts_with("Copied a link"), "{}", ws.status());
        let hash = ws.document().source().sha256();

        let mut other = stepped();
        other.open_link(&format!("http://127.0.0.1:8000/{fragment}")).expect("the link opens");
        assert_eq!(other.document().valid, ws.document().valid);
        assert_eq!(other.document().source().sha256(), hash, "the results carry the same scenario hash");
        assert_eq!(other.document().source().origin, LINK_ORIGIN);
        assert_eq!(other.persisted().tab, Tab::Sensitivity);
        assert!(!other.document().is_dirty(), "a link's scenario is as opened");
        assert_eq!(other.share_link(), fragment, "and links back to itself");
        assert!(other.wait_until_idle(Duration::from_secs(300)));
        let result = other.result().expect("a result");
        assert_eq!(result.provenance.scenario_sha256, hash);
    }

    #[test]
    fn a_bad_link_leaves_the_built_in_scenario_and_says_why() {
        let mut ws = stepped();
        let e = ws.open_link("#s=not-a-scenario&tab=thresholds").expect_err("refused");
        assert!(matches!(e, LinkError::Base64(_) | LinkError::Inflate(_)), "{e:?}");
        assert_eq!(ws.document().valid, Scenario::built_in());
        assert_eq!(ws.persisted().tab, Tab::Overview, "the tab of a refused link is not taken");
        let errors = ws.file_errors().expect("the errors wait to be shown");
        assert_eq!(errors.title, "The link was not opened");
        assert!(ws.status().starts_with("The link was not opened"), "{}", ws.status());
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Any string: an answer, never a panic.
        #[test]
        fn decoding_any_string_never_panics(link in ".{0,300}") {
            let _ = decode(&link);
        }

        /// Any bytes as a link's data (valid base64url of arbitrary DEFLATE-ish input), and
        /// any prefix of a good link: an error or a checked scenario, never a panic.
        #[test]
        fn decoding_any_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2000), cut in 0usize..4000) {
            let _ = decode(&format!("#s={}", URL_SAFE_NO_PAD.encode(&bytes)));
            let _ = decode(&link_of_text(&bytes));
            let good = encode(&ScenarioSource::edited(&Scenario::built_in().with_seed(3).expect("seed")), Tab::Learn);
            let _ = decode(&good[..cut.min(good.len())]);
        }

        /// Single-character damage to a good link is refused or decodes to a checked scenario.
        #[test]
        fn a_damaged_link_never_panics(at in 0usize..1000, c in any::<char>()) {
            let good = encode(&ScenarioSource::edited(&Scenario::built_in().with_seed(5).expect("seed")), Tab::Overview);
            let mut chars: Vec<char> = good.chars().collect();
            let i = at % chars.len();
            chars[i] = c;
            let damaged: String = chars.into_iter().collect();
            if let Ok(shared) = decode(&damaged) {
                prop_assert_eq!(Scenario::parse(&shared.text, "again").ok(), Some(shared.scenario));
            }
        }
    }
}
