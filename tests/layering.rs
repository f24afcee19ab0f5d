//! The layers of `src/`, checked on the source text (README, "Layout"):
//!
//! - only `src/os` calls `libc` functions; the rest may name libc constants and types;
//! - `src/os` imports nothing from the core above it;
//! - `crate::ffi` (the C ABI) is used only inside `src/ffi`;
//! - no non-test source file passes 800 lines, nor any hand-written header under `include/`;
//! - no source file imports itself through others: the imports (module-level `use`s and
//!   `crate::`/`super::` paths written in code, resolved to the file that defines the item,
//!   through `pub use`s) form no cycle, but for the few listed in [`ALLOWED_CYCLE_EDGES`].
//!
//! Comments are skipped, so a doc link to a higher layer is not an import.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 800;

/// Imports allowed to close a cycle between source files, `(from, to, why)`: each is a
/// known fault waiting to be fixed, never a design. An entry whose import is gone fails the
/// test, so the list only shrinks.
const ALLOWED_CYCLE_EDGES: &[(&str, &str, &str)] = &[];

/// The longest hand-written header under `include/`.
const MAX_HEADER_LINES: usize = 800;
/// Headers under `include/` that are not hand-written.
const GENERATED_HEADERS: &[&str] = &["interproc.h"];
/// Hand-written headers allowed over [`MAX_HEADER_LINES`], `(path, why)`; an entry no
/// longer over fails the test.
const ALLOWED_LONG_HEADERS: &[(&str, &str)] = &[];

/// The files under `dir` whose extension is one of `exts`, in path order.
fn files_under(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, exts, out);
        } else if path
            .extension()
            .is_some_and(|x| exts.iter().any(|e| x == *e))
        {
            out.push(path);
        }
    }
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    files_under(dir, &["rs"], out);
}

/// `src/`-relative path with `/` separators, e.g. `os/robust/mod.rs`.
fn rel(path: &Path, src: &Path) -> String {
    path.strip_prefix(src)
        .expect("under src")
        .to_string_lossy()
        .replace('\\', "/")
}

/// The file's lines that are code: comment lines dropped, and a trailing `// ...` cut.
fn code_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let t = line.trim_start();
            if t.starts_with("//") {
                return None;
            }
            let code = match t.find(" // ") {
                Some(at) => &t[..at],
                None => t,
            };
            Some((i + 1, code.to_string()))
        })
        .collect()
}

/// Each `libc::name(` call in `line`: a lower-case item followed by an opening parenthesis.
fn libc_calls(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("libc::") {
        let tail = &rest[at + "libc::".len()..];
        let name: String = tail
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let after = tail[name.len()..].trim_start();
        if name.starts_with(|c: char| c.is_ascii_lowercase()) && after.starts_with('(') {
            found.push(name.clone());
        }
        rest = &tail[name.len()..];
    }
    found
}

/// Each `crate::X` path in `line` whose first segment is not `os`.
fn core_imports(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let tail = &rest[at + "crate::".len()..];
        if let Some(group) = tail.strip_prefix('{') {
            // `crate::{a::x, b}`: the first segment of each item at the top of the group.
            let mut depth = 0;
            let mut item_start = true;
            let mut word = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_ascii_alphanumeric() || c == '_') => word.push(c),
                    _ if item_start && !word.is_empty() => {
                        if word != "os" {
                            found.push(std::mem::take(&mut word));
                        }
                        word.clear();
                        item_start = false;
                    }
                    _ => {}
                }
            }
            if item_start && !word.is_empty() && word != "os" {
                found.push(word);
            }
            rest = group;
            continue;
        }
        let name: String = tail
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name != "os" {
            found.push(name.clone());
        }
        rest = &tail[name.len()..];
    }
    found
}

fn is_test_file(rel: &str) -> bool {
    rel.ends_with("/tests.rs") || rel == "tests.rs" || rel.contains("/tests/")
}

#[test]
fn layers_hold() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 20, "found only {} sources", files.len());
    let mut faults = Vec::new();
    for path in &files {
        let rel = rel(path, &src);
        let text = std::fs::read_to_string(path).expect("source is UTF-8");
        let in_os = rel.starts_with("os/");
        let in_ffi = rel.starts_with("ffi/");
        for (n, line) in code_lines(&text) {
            if !in_os {
                for call in libc_calls(&line) {
                    faults.push(format!("{rel}:{n}: calls libc::{call} outside src/os"));
                }
            } else {
                for item in core_imports(&line) {
                    faults.push(format!("{rel}:{n}: src/os reaches up to crate::{item}"));
                }
            }
            if !in_ffi && (line.contains("crate::ffi") || line.contains("super::ffi")) {
                faults.push(format!("{rel}:{n}: uses the C ABI module outside src/ffi"));
            }
        }
        let lines = text.lines().count();
        if !is_test_file(&rel) && lines > MAX_LINES {
            faults.push(format!(
                "{rel}: {lines} lines (a source file holds one idea, at most {MAX_LINES} lines)"
            ));
        }
    }
    assert!(faults.is_empty(), "layering broken:\n{}", faults.join("\n"));
}

#[test]
fn the_scanner_sees_what_it_must() {
    assert_eq!(
        libc_calls("let r = unsafe { libc::open(p, libc::O_RDONLY) };"),
        ["open"]
    );
    assert!(libc_calls("Err(Errno(libc::EEXIST)) => {}").is_empty());
    assert!(libc_calls("fn f(x: libc::c_int) -> libc::pid_t {").is_empty());
    assert_eq!(
        core_imports("use crate::{os::futex, segment::Heap};"),
        ["segment"]
    );
    assert!(core_imports("use crate::{os::futex, os::mem};").is_empty());
    assert_eq!(core_imports("use crate::segment::Heap;"), ["segment"]);
    assert!(core_imports("crate::os::futex::wake(w)").is_empty());
    assert!(
        code_lines("/// see [`crate::Error`]\n// crate::ffi\nlet x = 1; // crate::ffi").len() == 1
    );
    assert!(is_test_file("mq/tests.rs") && !is_test_file("mq/mod.rs"));
}

// ---- Import cycles between source files ----

/// A file's crate (`""` for the library, `bin/NAME` for a binary) and module path.
fn module_of(rel: &str) -> (String, Vec<String>) {
    let (krate, inner) = match rel.strip_prefix("bin/") {
        Some(rest) => {
            let (name, inner) = rest.split_once('/').unwrap_or(("", rest));
            (format!("bin/{name}"), inner)
        }
        None => (String::new(), rel),
    };
    let stem = inner.strip_suffix(".rs").unwrap_or(inner);
    let mut path: Vec<String> = stem.split('/').map(str::to_string).collect();
    if matches!(
        path.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        path.pop();
    }
    (krate, path)
}

/// The module-level `use` statements of a file (not those inside an inline module or after
/// `#[cfg(test)]`), each with whether it is `pub`.
fn use_statements(text: &str) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines().peekable();
    let mut after_test_attr = false;
    while let Some(line) = lines.next() {
        if line.starts_with("#[cfg(test)]") {
            after_test_attr = true;
            continue;
        }
        let skip = std::mem::take(&mut after_test_attr);
        let (public, rest) = if let Some(r) = line.strip_prefix("use ") {
            (false, r)
        } else if let Some(r) = line.strip_prefix("pub use ") {
            (true, r)
        } else if let Some(r) = line
            .strip_prefix("pub(crate) use ")
            .or_else(|| line.strip_prefix("pub(super) use "))
        {
            (true, r)
        } else {
            continue;
        };
        let mut stmt = rest.to_string();
        while !stmt.contains(';') {
            match lines.next() {
                Some(l) => stmt.push_str(l.trim()),
                None => break,
            }
        }
        if !skip {
            let end = stmt.find(';').unwrap_or(stmt.len());
            out.push((public, stmt[..end].to_string()));
        }
    }
    out
}

/// The paths a use tree names, each as its segments with the name it binds last:
/// `a::{b, c::d as e, f::*}` gives `a::b` (b), `a::c::d` (e), `a::f::*` (*).
fn use_paths(tree: &str) -> Vec<(Vec<String>, String)> {
    let mut tokens = Vec::new();
    let mut word = String::new();
    for c in tree.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            tokens.push(std::mem::take(&mut word));
        }
        if matches!(c, '{' | '}' | ',' | '*') {
            tokens.push(c.to_string());
        }
    }
    if !word.is_empty() {
        tokens.push(word);
    }
    let mut out = Vec::new();
    let mut at = 0;
    expand(&tokens, &mut at, &[], &mut out);
    out
}

/// Expands one use tree from `tokens[*at..]` under `prefix`, up to its end (`,`, `}` or the
/// end of the tokens).
fn expand(
    tokens: &[String],
    at: &mut usize,
    prefix: &[String],
    out: &mut Vec<(Vec<String>, String)>,
) {
    let mut path = prefix.to_vec();
    while *at < tokens.len() {
        let t = tokens[*at].as_str();
        match t {
            "{" => {
                *at += 1;
                while *at < tokens.len() && tokens[*at] != "}" {
                    expand(tokens, at, &path, out);
                    if *at < tokens.len() && tokens[*at] == "," {
                        *at += 1;
                    }
                }
                *at += 1;
                return;
            }
            "}" | "," => break,
            "*" => {
                *at += 1;
                out.push((path, "*".to_string()));
                return;
            }
            "as" => {
                let alias = tokens.get(*at + 1).cloned().unwrap_or_default();
                *at += 2;
                out.push((path, alias));
                return;
            }
            _ => {
                path.push(t.to_string());
                *at += 1;
            }
        }
    }
    if path.len() > prefix.len() || !path.is_empty() {
        let name = path.last().cloned().unwrap_or_default();
        out.push((path, name));
    }
}

/// The `crate::a::b`/`super::a` paths written out in a line of code, each as its segments.
fn written_paths(line: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(at) = line[from..].find(start).map(|i| i + from) {
            from = at + start.len();
            let before = line[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut path = Vec::new();
            let mut rest = &line[at..];
            loop {
                let word: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if word.is_empty() {
                    break;
                }
                rest = &rest[word.len()..];
                path.push(word);
                match rest.strip_prefix("::") {
                    Some(r) => rest = r,
                    None => break,
                }
            }
            // `crate::{...}` and `super::*` name what follows, read by `use_paths`.
            if path.len() > 1 && !rest.starts_with(['{', '*']) {
                found.push(path);
            }
        }
    }
    found
}

/// The source files as modules, with their module-level imports.
struct Tree {
    /// (crate, module path) → file.
    files: HashMap<(String, Vec<String>), String>,
    /// file → its text.
    texts: HashMap<String, String>,
}

impl Tree {
    /// The absolute module path of `path` written in `file`, or `None` for another crate's.
    fn absolute(&self, file: &str, path: &[String]) -> Option<(String, Vec<String>)> {
        let (krate, mut module) = module_of(file);
        let first = path.first()?.as_str();
        let rest = match first {
            "crate" => {
                module.clear();
                &path[1..]
            }
            "self" => &path[1..],
            "super" => {
                let mut rest = path;
                while rest.first().is_some_and(|s| s == "super") {
                    module.pop()?;
                    rest = &rest[1..];
                }
                rest
            }
            _ => {
                // A bare path starts at a child module of this file, or names another crate.
                let mut child = module.clone();
                child.push(first.to_string());
                if !self.files.contains_key(&(krate.clone(), child)) {
                    return None;
                }
                path
            }
        };
        module.extend(rest.iter().filter(|s| *s != "self").cloned());
        Some((krate, module))
    }

    /// The file that defines what the absolute `path` names, following `pub use`s.
    fn target(&self, krate: &str, path: &[String], depth: usize) -> Option<String> {
        let mut module = Vec::new();
        let mut at = 0;
        while at < path.len() {
            let mut next = module.clone();
            next.push(path[at].clone());
            if !self.files.contains_key(&(krate.to_string(), next.clone())) {
                break;
            }
            module = next;
            at += 1;
        }
        let file = self.files.get(&(krate.to_string(), module))?.clone();
        let Some(item) = path.get(at).filter(|i| *i != "*") else {
            return Some(file);
        };
        if depth < 8 {
            for (public, stmt) in use_statements(&self.texts[&file]) {
                if !public {
                    continue;
                }
                for (used, name) in use_paths(&stmt) {
                    if &name == item {
                        if let Some((k, abs)) = self.absolute(&file, &used) {
                            if let Some(t) = self.target(&k, &abs, depth + 1) {
                                return Some(t);
                            }
                        }
                    }
                }
            }
        }
        Some(file)
    }

    /// The files `file` imports (itself excluded): by its module-level `use`s and by the
    /// `crate::`/`super::` paths its code writes out, up to its tests. A `pub use` is no
    /// import of the file's own: whoever names the item through it imports its source.
    fn imports(&self, file: &str) -> BTreeSet<String> {
        let text = &self.texts[file];
        let mut paths: Vec<Vec<String>> = use_statements(text)
            .into_iter()
            .filter(|(public, _)| !public)
            .flat_map(|(_, stmt)| use_paths(&stmt).into_iter().map(|(p, _)| p))
            .collect();
        let before_tests = text
            .find("#[cfg(test)]\nmod ")
            .map_or(text.as_str(), |at| &text[..at]);
        for (_, line) in code_lines(before_tests) {
            if !line.contains(" use ") && !line.starts_with("use ") {
                paths.extend(written_paths(&line));
            }
        }
        paths
            .iter()
            .filter_map(|used| self.absolute(file, used))
            .filter_map(|(krate, abs)| self.target(&krate, &abs, 0))
            .filter(|t| t != file)
            .collect()
    }
}

/// The strongly connected groups of more than one file in `edges` (Tarjan's algorithm).
fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: HashMap<&'a str, usize>,
        low: HashMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.edges.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut group = Vec::new();
            loop {
                let w = s.stack.pop().expect("on the stack");
                s.on_stack.remove(w);
                group.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                s.found.push(group);
            }
        }
    }
    let mut s = State {
        edges,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found
}

#[test]
fn no_source_file_imports_itself_through_others() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    sources(&src, &mut paths);
    let mut tree = Tree {
        files: HashMap::new(),
        texts: HashMap::new(),
    };
    for path in &paths {
        let rel = rel(path, &src);
        if is_test_file(&rel) {
            continue;
        }
        tree.files.insert(module_of(&rel), rel.clone());
        let text = std::fs::read_to_string(path).expect("source is UTF-8");
        tree.texts.insert(rel, text);
    }
    let mut edges = BTreeMap::new();
    for file in tree.texts.keys() {
        let mut to = tree.imports(file);
        for (from, allowed, _) in ALLOWED_CYCLE_EDGES {
            if from == file {
                to.remove(*allowed);
            }
        }
        edges.insert(file.clone(), to);
    }
    let mut faults: Vec<String> = ALLOWED_CYCLE_EDGES
        .iter()
        .filter(|(from, to, _)| {
            !tree.texts.contains_key(*from) || !tree.imports(from).contains(*to)
        })
        .map(|(from, to, _)| {
            format!("{from} no longer imports {to}: remove it from ALLOWED_CYCLE_EDGES")
        })
        .collect();
    let found = cycles(&edges);
    let text: Vec<String> = found
        .iter()
        .map(|group| {
            let arrows: Vec<String> = group
                .iter()
                .flat_map(|f| {
                    edges[f]
                        .iter()
                        .filter(|t| group.contains(t))
                        .map(move |t| format!("{f} -> {t}"))
                })
                .collect();
            arrows.join(", ")
        })
        .collect();
    faults.extend(text.into_iter().map(|t| format!("import cycle: {t}")));
    assert!(
        faults.is_empty(),
        "import cycles between source files:\n{}",
        faults.join("\n")
    );
}

#[test]
fn no_hand_written_header_passes_800_lines() {
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
    let mut paths = Vec::new();
    files_under(&include, &["h", "hpp"], &mut paths);
    assert!(paths.len() > 20, "found only {} headers", paths.len());
    let mut faults = Vec::new();
    for path in &paths {
        let rel = rel(path, &include);
        if GENERATED_HEADERS.contains(&rel.as_str()) {
            continue;
        }
        let lines = std::fs::read_to_string(path)
            .expect("header is UTF-8")
            .lines()
            .count();
        let allowed = ALLOWED_LONG_HEADERS.iter().any(|(p, _)| *p == rel);
        if lines > MAX_HEADER_LINES && !allowed {
            faults.push(format!(
                "include/{rel}: {lines} lines (at most {MAX_HEADER_LINES})"
            ));
        }
        if lines <= MAX_HEADER_LINES && allowed {
            faults.push(format!(
                "include/{rel}: {lines} lines: remove it from ALLOWED_LONG_HEADERS"
            ));
        }
    }
    for (p, _) in ALLOWED_LONG_HEADERS {
        if !include.join(p).exists() {
            faults.push(format!(
                "include/{p} is gone: remove it from ALLOWED_LONG_HEADERS"
            ));
        }
    }
    assert!(
        faults.is_empty(),
        "headers too long:\n{}",
        faults.join("\n")
    );
}

#[test]
fn the_import_scanner_sees_what_it_must() {
    assert_eq!(module_of("lib.rs"), (String::new(), vec![]));
    assert_eq!(module_of("os/robust/mod.rs").1, ["os", "robust"]);
    assert_eq!(module_of("ffi/wide.rs").1, ["ffi", "wide"]);
    assert_eq!(
        module_of("bin/interproc/port/lex.rs"),
        ("bin/interproc".into(), vec!["port".into(), "lex".into()])
    );
    let paths = use_paths("super::{a::B, c::{self, D as E}, f::*}");
    let flat: Vec<(String, String)> = paths.into_iter().map(|(p, n)| (p.join("::"), n)).collect();
    let want = [
        ("super::a::B", "B"),
        ("super::c::self", "self"),
        ("super::c::D", "E"),
        ("super::f", "*"),
    ];
    assert_eq!(flat, want.map(|(p, n)| (p.to_string(), n.to_string())));
    let text = "use crate::a::B;\npub use c::D;\n#[cfg(test)]\nuse crate::t::T;\n    use crate::inner::I;\nuse crate::{\n    e::F,\n};\n";
    let uses = use_statements(text);
    assert_eq!(
        uses,
        [
            (false, "crate::a::B".to_string()),
            (true, "c::D".to_string()),
            (false, "crate::{e::F,}".to_string())
        ]
    );
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    edges.entry("a".into()).or_default().insert("b".into());
    edges.entry("b".into()).or_default().insert("c".into());
    edges.entry("c".into()).or_default().insert("a".into());
    edges.entry("d".into()).or_default().insert("a".into());
    assert_eq!(cycles(&edges), [["a", "b", "c"]]);
}
