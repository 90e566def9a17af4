//! Tidiness checks on the source tree itself, in the manner of rust-analyzer's `xtask tidy`:
//! the architecture map names every source file, every document the code or the docs cite
//! exists, no file uses a layer above its own, and no two files import each other (directly
//! or round a longer circle).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, as paths relative to `base`, sorted.
fn rust_files(dir: &Path, base: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("a readable directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path.strip_prefix(base).expect("under base").to_path_buf());
            }
        }
    }
    out.sort();
    out
}

fn text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_architecture_map_names_every_source_file() {
    let map = text(&root().join("docs/ARCHITECTURE.md"));
    let missing: Vec<String> = rust_files(&root().join("src"), &root().join("src"))
        .into_iter()
        .map(|p| p.display().to_string())
        .filter(|p| !map.contains(&format!("`{p}`")))
        .collect();
    assert!(missing.is_empty(), "docs/ARCHITECTURE.md's map does not name (as `path` under src/): {missing:?}");
}

/// The documents a text cites: an uppercase name ending in `.md`, alone or under `docs/` (the
/// project's own documents; a lowercase `report.md` is an output file).
fn cited_docs(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(at) = text[i..].find(".md") {
        let end = i + at;
        let mut start = end;
        while start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || matches!(bytes[start - 1], b'_' | b'/' | b'.'))
        {
            start -= 1;
        }
        let name = text[start..end].trim_start_matches("./").trim_start_matches("../");
        let stem = name.rsplit('/').next().unwrap_or(name);
        let after = bytes.get(end + 3).copied().unwrap_or(b' ');
        if !stem.is_empty()
            && stem.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
            && !after.is_ascii_alphanumeric()
        {
            out.insert(format!("{name}.md"));
        }
        i = end + 3;
    }
    out
}

#[test]
fn every_cited_document_exists() {
    let mut sources: Vec<PathBuf> = rust_files(&root().join("src"), &root());
    sources.extend(rust_files(&root().join("tests"), &root()));
    for dir in ["docs", "scenarios", "."] {
        for entry in std::fs::read_dir(root().join(dir)).expect("dir") {
            let p = entry.expect("entry").path();
            if p.extension().is_some_and(|e| e == "md" || e == "toml") {
                sources.push(p.strip_prefix(root()).expect("under root").to_path_buf());
            }
        }
    }
    let mut missing = BTreeMap::new();
    for file in &sources {
        for doc in cited_docs(&text(&root().join(file))) {
            let found = root().join(&doc).exists() || root().join("docs").join(&doc).exists();
            if !found {
                missing.entry(doc).or_insert_with(Vec::new).push(file.display().to_string());
            }
        }
    }
    assert!(missing.is_empty(), "documents cited but not in the repository (or docs/): {missing:?}");
}

/// Each top-level module's layer: a module may use its own layer and those below.
fn layer(module: &str) -> Option<u8> {
    Some(match module {
        "fmt" | "theme" | "math" | "model" => 0,
        "sim" => 1,
        "analysis" => 2,
        "study" => 3,
        "export" => 4,
        "cli" | "workspace" => 5,
        "app" => 6,
        _ => return None,
    })
}

/// The source files a file uses: `crate::a::b` and `super::x` paths resolved to the file that
/// defines the item, following `pub use` re-exports of a module's `mod.rs`.
struct Tree {
    /// Module path ("sim::pipeline") to its file, relative to src.
    files: BTreeMap<String, PathBuf>,
    /// Per `mod.rs` module path, the names it re-exports from a child module (name -> child).
    reexports: BTreeMap<String, BTreeMap<String, String>>,
}

fn module_of(file: &Path) -> String {
    let s = file.with_extension("").display().to_string().replace('/', "::");
    let s = s.strip_suffix("::mod").unwrap_or(&s).to_string();
    if s == "lib" || s == "main" { String::new() } else { s }
}

impl Tree {
    fn new() -> Tree {
        let src = root().join("src");
        let mut files = BTreeMap::new();
        let mut reexports = BTreeMap::new();
        for f in rust_files(&src, &src) {
            let module = module_of(&f);
            if f.file_name().is_some_and(|n| n == "mod.rs" || n == "lib.rs") {
                let mut names = BTreeMap::new();
                let body = text(&src.join(&f));
                for stmt in body.split(';') {
                    let stmt = stmt.trim();
                    let Some(rest) = stmt.strip_prefix("pub use ") else { continue };
                    let Some((child, items)) = rest.split_once("::") else { continue };
                    let items = items.trim().trim_start_matches('{').trim_end_matches('}');
                    for item in items.split(',') {
                        let item = item.trim();
                        let name = item.rsplit("::").next().unwrap_or(item).split(" as ").last().unwrap_or(item).trim();
                        let via = item.split("::").next().unwrap_or("");
                        let child = if item.contains("::") { format!("{child}::{via}") } else { child.to_string() };
                        if !name.is_empty() {
                            names.insert(name.to_string(), child);
                        }
                    }
                }
                reexports.insert(module.clone(), names);
            }
            files.insert(module, f);
        }
        Tree { files, reexports }
    }

    /// The file defining `path` (segments after `crate`).
    fn resolve(&self, segments: &[&str]) -> Option<PathBuf> {
        let mut module = String::new();
        let mut best = self.files.get("").cloned();
        for (i, seg) in segments.iter().enumerate() {
            let next = if module.is_empty() { (*seg).to_string() } else { format!("{module}::{seg}") };
            if self.files.contains_key(&next) {
                module = next;
                best = self.files.get(&module).cloned();
                continue;
            }
            // An item of `module`: maybe re-exported from a child.
            if let Some(child) = self.reexports.get(&module).and_then(|r| r.get(*seg)) {
                let mut target: Vec<&str> = if module.is_empty() { vec![] } else { module.split("::").collect() };
                target.extend(child.split("::"));
                target.extend_from_slice(&segments[i..]);
                if let Some(f) = self.resolve(&target) {
                    return Some(f);
                }
            }
            break;
        }
        best
    }

    /// Every file `file` uses, with the path it was named by.
    fn uses(&self, file: &Path) -> BTreeSet<PathBuf> {
        let body = text(&root().join("src").join(file));
        let own: Vec<String> = module_of(file).split("::").filter(|s| !s.is_empty()).map(str::to_string).collect();
        let mut out = BTreeSet::new();
        let code: String = body.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
        for (prefix, base) in [("crate::", Vec::new()), ("super::", parent(&own))] {
            let mut i = 0;
            while let Some(at) = code[i..].find(prefix) {
                let start = i + at;
                i = start + prefix.len();
                if start > 0 && code.as_bytes()[start - 1].is_ascii_alphanumeric() {
                    continue;
                }
                let mut base = base.clone();
                let mut rest = &code[i..];
                // super::super::...
                while let Some(r) = rest.strip_prefix("super::") {
                    base.pop();
                    rest = r;
                }
                let path: Vec<&str> = rest
                    .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .next()
                    .unwrap_or("")
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .collect();
                let mut segments: Vec<&str> = base.iter().map(String::as_str).collect();
                segments.extend(path);
                if let Some(f) = self.resolve(&segments)
                    && f != file
                {
                    out.insert(f);
                }
            }
        }
        out
    }
}

/// The module `super` names from a file of module `own` (`a::b` in `a/b.rs` or in
/// `a/b/mod.rs`: `a` either way).
fn parent(own: &[String]) -> Vec<String> {
    own[..own.len().saturating_sub(1)].to_vec()
}

#[test]
fn no_file_uses_a_layer_above_its_own() {
    let tree = Tree::new();
    let mut wrong = Vec::new();
    for (module, file) in &tree.files {
        let Some(own) = layer(module.split("::").next().unwrap_or("")) else { continue };
        for used in tree.uses(file) {
            let top = module_of(&used);
            let top = top.split("::").next().unwrap_or("");
            let Some(theirs) = layer(top) else { continue };
            let sideways = own == 5 && theirs == 5 && top != module.split("::").next().unwrap_or("");
            if theirs > own || sideways {
                wrong.push(format!("{} uses {}", file.display(), used.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "files using a layer above their own (or cli and workspace each other): {wrong:#?}");
}

#[test]
fn no_circle_of_files_imports_each_other() {
    let tree = Tree::new();
    let graph: BTreeMap<PathBuf, BTreeSet<PathBuf>> = tree.files.values().map(|f| (f.clone(), tree.uses(f))).collect();
    // Tarjan's strongly connected components: a component of two or more files is a circle.
    struct State<'a> {
        graph: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>,
        index: BTreeMap<&'a PathBuf, usize>,
        low: BTreeMap<&'a PathBuf, usize>,
        stack: Vec<&'a PathBuf>,
        on_stack: BTreeSet<&'a PathBuf>,
        next: usize,
        circles: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a PathBuf) {
        s.index.insert(v, s.next);
        s.low.insert(v, s.next);
        s.next += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let Some((w, _)) = s.graph.get_key_value(w) else { continue };
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low[v];
                s.low.insert(v, lv.min(lw));
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low[v];
                s.low.insert(v, lv.min(iw));
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                component.push(w.display().to_string());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.circles.push(component);
            }
        }
    }
    let mut s = State {
        graph: &graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        circles: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    assert!(s.circles.is_empty(), "files that import each other (directly or round a circle): {:#?}", s.circles);
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    // The tidy checks read the tree: make sure they would see a problem if there were one.
    assert_eq!(
        cited_docs("see docs/MODEL.md and README.md, not report.md"),
        BTreeSet::from(["docs/MODEL.md".to_string(), "README.md".to_string()])
    );
    let tree = Tree::new();
    let pipeline = tree.uses(Path::new("sim/pipeline.rs"));
    assert!(pipeline.contains(Path::new("sim/driver.rs")), "{pipeline:?}");
    let study = tree.uses(Path::new("study/job.rs"));
    assert!(study.contains(Path::new("study/analyses.rs")), "{study:?}");
    assert!(tree.resolve(&["sim", "Results"]) == Some(PathBuf::from("sim/results.rs")), "a re-export is followed");
    assert_eq!(layer("app"), Some(6));
}
