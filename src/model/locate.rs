//! Turning a TOML parse or shape error into a key path and a line.

use toml::de::{DeTable, DeValue};

use super::error::Issue;
use super::scenario::line_of;

/// The issue for an error from the TOML parser or serde: its line, and the deepest key
/// path whose key or value holds the error's position.
pub fn issue_from_toml(text: &str, err: &toml::de::Error) -> Issue {
    let offset = err.span().map(|s| s.start);
    let path = offset.map(|o| path_at(text, o)).unwrap_or_default();
    Issue {
        path: if path.is_empty() { "(file)".into() } else { path },
        line: offset.map(|o| line_of(text, o)),
        message: err.message().trim().to_string(),
    }
}

fn path_at(text: &str, offset: usize) -> String {
    let (doc, _) = DeTable::parse_recoverable(text);
    let mut segs: Vec<String> = Vec::new();
    walk_table(doc.get_ref(), offset, &mut segs);
    render(&segs)
}

fn walk_table(table: &DeTable<'_>, offset: usize, segs: &mut Vec<String>) {
    for (key, value) in table {
        let in_key = key.span().contains(&offset);
        let in_value = value.span().contains(&offset) || inside(value.get_ref(), offset);
        if in_key || in_value {
            segs.push(key.get_ref().to_string());
            if !in_key {
                walk_value(value.get_ref(), offset, segs);
            }
            return;
        }
    }
}

fn inside(value: &DeValue<'_>, offset: usize) -> bool {
    match value {
        DeValue::Table(t) => t
            .iter()
            .any(|(k, v)| k.span().contains(&offset) || v.span().contains(&offset) || inside(v.get_ref(), offset)),
        DeValue::Array(a) => a.iter().any(|v| v.span().contains(&offset) || inside(v.get_ref(), offset)),
        _ => false,
    }
}

fn walk_value(value: &DeValue<'_>, offset: usize, segs: &mut Vec<String>) {
    match value {
        DeValue::Table(t) => walk_table(t, offset, segs),
        DeValue::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                if v.span().contains(&offset) || inside(v.get_ref(), offset) {
                    let name = v
                        .get_ref()
                        .as_table()
                        .and_then(|t| t.get("name"))
                        .and_then(|n| n.get_ref().as_str().map(str::to_string));
                    segs.push(match name {
                        Some(n) => format!("#{n:?}"),
                        None => format!("[{i}]"),
                    });
                    walk_value(v.get_ref(), offset, segs);
                    return;
                }
            }
        }
        _ => {}
    }
}

/// `["jurisdiction", "#\"EU\"", "share0"]` -> `jurisdiction "EU": share0`.
fn render(segs: &[String]) -> String {
    let mut out = String::new();
    for (i, s) in segs.iter().enumerate() {
        if let Some(name) = s.strip_prefix('#') {
            out.push(' ');
            out.push_str(name);
            if i + 1 < segs.len() {
                out.push(':');
                out.push(' ');
            }
        } else if s.starts_with('[') {
            out.push_str(s);
            if i + 1 < segs.len() {
                out.push('.');
            }
        } else {
            out.push_str(s);
            if i + 1 < segs.len() && !segs[i + 1].starts_with('#') && !segs[i + 1].starts_with('[') {
                out.push('.');
            }
        }
    }
    out
}
