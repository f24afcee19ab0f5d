//! The layers of `src/`, checked on the source text (README, "Layout"):
//!
//! - only `src/os` calls `libc` functions; the rest may name libc constants and types;
//! - `src/os` imports nothing from the core above it;
//! - `crate::ffi` (the C ABI) is used only inside `src/ffi`;
//! - no non-test source file passes 800 lines.
//!
//! Comments are skipped, so a doc link to a higher layer is not an import.

use std::path::{Path, PathBuf};

const MAX_LINES: usize = 800;

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
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
