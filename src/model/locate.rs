//! Turning a TOML parse or shape error into a key path and a line.

use toml::de::{DeTable, DeValue};

use super::error::Issue;

/// The issue for an error from the TOML parser or serde: its line, and the deepest key
/// path whose key or value holds the error's position.
pub fn issue_from_toml(text: &str, err: &toml::de::Error) -> Issue {
    let offset = err.span().map(|s| s.start);
    let path = offset.map(|o| path_at(text, o)).unwrap_or_default();
    let message = explain(&path, err.message().trim());
    Issue {
        path: if path.is_empty() { "(file)".into() } else { path },
        line: offset.map(|o| line_of(text, o)),
        message,
    }
}

/// The parser's and serde's wording, said in the file's terms with what is allowed; `path` is
/// where it happened (`run`, `world.k0`, `policy "X": overrides`).
fn explain(path: &str, message: &str) -> String {
    const MAX_INT: &str = "9223372036854775807";
    // The key as written: the last segment, without an array index.
    let key = path.rsplit(['.', ' ']).next().unwrap_or(path).split('[').next().unwrap_or("").trim_matches('"');
    let key = if key.is_empty() { "name" } else { key };
    if message.starts_with("duplicate key") {
        return format!("{message}: each key (and each [table]) may appear only once in its table");
    }
    if message.contains("number overflowed") {
        return "the number is too large to be finite: must be a finite number (at most about 1.8e308)".into();
    }
    if message.contains("value was too large") || message.contains("number too large to fit") {
        return format!("the integer is too large: must be a whole number up to {MAX_INT} (the largest TOML integer)");
    }
    if message.starts_with("invalid length") && message.contains("expected struct") {
        return format!("must be a single table ([{key}] once, not [[{key}]]), got an array of tables");
    }
    if let Some((got, expected)) = message.strip_prefix("invalid type: ").and_then(|r| r.split_once(", expected ")) {
        if expected == "a map" || expected.starts_with("struct ") {
            return format!("must be a table ([{key}] or {key} = {{ ... }}), got {}", serde_got(got));
        }
        if expected == "a sequence" {
            return format!("must be an array of tables ([[{key}]]), got {}", serde_got(got));
        }
    }
    if message.contains("recursion") {
        return "the value is nested too deeply (arrays or tables inside each other); no key here takes nested values"
            .into();
    }
    message.to_string()
}

/// serde's name for a value ("string \"x\"", "integer `5`", "sequence") in the file's terms.
fn serde_got(got: &str) -> String {
    let plain = got.replace('`', "");
    match plain.split_once(' ') {
        Some(("string", s)) => format!("the string {s}"),
        Some(("integer" | "floating", _)) => format!("the number {}", plain.rsplit(' ').next().unwrap_or("")),
        Some(("boolean", b)) => format!("the boolean {b}"),
        _ if plain == "sequence" => "an array".into(),
        _ if plain == "map" => "a table".into(),
        _ => plain,
    }
}

/// The issue for a TOML syntax error. The recovered document is unreliable near the error
/// (an unclosed header swallows what follows), so the path comes from the text itself: the
/// table header on that line, or the key on that line under the last header above it.
pub fn issue_from_syntax(text: &str, err: &toml::de::Error) -> Issue {
    let offset = err.span().map_or(0, |s| s.start).min(text.len());
    let line_no = line_of(text, offset);
    let lines: Vec<&str> = text.lines().collect();
    let header_name = |l: &str| -> Option<String> {
        let t = l.trim();
        t.starts_with('[').then(|| t.trim_start_matches('[').split([']', '#']).next().unwrap_or("").trim().to_string())
    };
    let here = lines.get(line_no.saturating_sub(1)).copied().unwrap_or("");
    let path = if let Some(h) = header_name(here) {
        h
    } else {
        let table = lines[..line_no.saturating_sub(1).min(lines.len())].iter().rev().find_map(|l| header_name(l));
        let key = here.split('=').next().map(str::trim).filter(|k| !k.is_empty() && here.contains('='));
        match (table, key) {
            (Some(t), Some(k)) => format!("{t}.{k}"),
            (None, Some(k)) => k.to_string(),
            (Some(t), None) => t,
            (None, None) => "(file)".to_string(),
        }
    };
    let message = explain(&path, err.message().trim());
    Issue { path: if path.is_empty() { "(file)".into() } else { path }, line: Some(line_no), message }
}

/// `text` with the line holding `offset` turned into a comment of the same length, or
/// `None` if that line does not look like a single `key = value` line.
pub fn blank_key_line(text: &str, offset: usize) -> Option<String> {
    let start = text[..offset.min(text.len())].rfind('\n').map_or(0, |i| i + 1);
    let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[start..end];
    if !line.contains('=') || line.trim_start().starts_with('[') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..start]);
    out.push('#');
    out.extend(std::iter::repeat_n(' ', line.len().saturating_sub(1)));
    out.push_str(&text[end..]);
    // Multi-byte characters make the comment shorter in chars but not in bytes; pad bytes.
    while out.len() < text.len() {
        out.insert(start + 1, ' ');
    }
    Some(out)
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

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}
