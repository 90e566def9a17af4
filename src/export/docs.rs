//! The documented columns and keys of the output files, read from docs/OUTPUTS.md and
//! docs/ANALYSES.md for the tests that hold the files to them.

pub const OUTPUTS: &str = include_str!("../../docs/OUTPUTS.md");
pub const ANALYSES: &str = include_str!("../../docs/ANALYSES.md");

/// The text of `doc` after `marker`, up to the next `end`.
pub fn between<'a>(doc: &'a str, marker: &str, end: &str) -> &'a str {
    let start = doc.find(marker).unwrap_or_else(|| panic!("the documentation no longer has {marker:?}")) + marker.len();
    let rest = &doc[start..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

/// The names in the `code` spans of `text`: `a`, `b,c` and `d` give a, b, c, d.
pub fn code_names(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|code| code.split(',').map(|n| n.split_whitespace().collect::<String>()).collect::<Vec<_>>())
        .filter(|n| !n.is_empty())
        .collect()
}

/// The names in the first cells of the first Markdown table after `heading`.
pub fn table_columns(doc: &str, heading: &str) -> Vec<String> {
    let start = doc.find(heading).unwrap_or_else(|| panic!("the documentation no longer has {heading:?}"));
    doc[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .flat_map(|l| code_names(l.split('|').nth(1).unwrap_or("")))
        .collect()
}
