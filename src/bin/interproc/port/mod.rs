//! `interproc port [--check] [-I DIR]... PATH...`: ports C and C++ sources from
//! Boost.Interprocess to interproc in place, and reports what it cannot port.
//!
//! Code only is rewritten: comments and string literals are left as they are (a message
//! or a comment that mentions Boost keeps saying what it said). A second run changes
//! nothing.

mod cmake;
mod includes;
mod lex;
mod namespaces;
mod search;
mod source;
mod unportable;

use source::{Edit, Finding, Source};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub const USAGE: &str = "usage: interproc port [--check] [-I DIR]... PATH...

Rewrites the C and C++ sources under each PATH (.c .cc .cpp .cxx .c++ .h .hh .hpp .hxx
.ipp .inl) from Boost.Interprocess to interproc, in place, and prints each change.
Reports what it cannot port and the CMake lines that look for Boost.
  --check          change nothing; exit 1 if something would change
  -I, --include-dir DIR
                   also look for Boost headers in DIR before adding an include";

const EXTENSIONS: &[&str] = &[
    "c", "cc", "cpp", "cxx", "c++", "h", "hh", "hpp", "hxx", "ipp", "inl",
];

/// A changed line: its number, its text before and after (before is empty for a line
/// added before line `line`).
pub struct Change {
    pub line: usize,
    pub old: String,
    pub new: String,
}

/// The result of porting one file.
pub struct Ported {
    pub text: Vec<u8>,
    pub changes: Vec<Change>,
    pub findings: Vec<Finding>,
}

/// Ports one source file's bytes; `installed` says whether a header can be included.
pub fn port_source(src: &[u8], installed: &mut dyn FnMut(&str) -> bool) -> Ported {
    let s = Source::new(src);
    let mut edits = Vec::new();
    let mut findings = Vec::new();
    includes::rewrite(&s, &mut edits, &mut findings);
    namespaces::rewrite(&s, &mut edits);
    unportable::report(&s, &mut findings);
    includes::add_provided(&s, installed, &mut edits, &mut findings);
    // Added lines end as the file's first line does.
    let first_break = src.iter().position(|&b| b == b'\n');
    if first_break.is_some_and(|i| i > 0 && src[i - 1] == b'\r') {
        for e in &mut edits {
            e.text = e.text.replace('\n', "\r\n");
        }
    }
    // Stable: insertions at one place keep the order in which they were made.
    edits.sort_by_key(|e| (e.start, e.end));
    edits.dedup();
    let changes = describe(&s, &edits);
    let mut text = Vec::with_capacity(src.len());
    let mut at = 0;
    for e in &edits {
        if e.start < at {
            continue; // Overlaps an earlier edit: never happens for well-formed input.
        }
        text.extend_from_slice(&src[at..e.start]);
        text.extend_from_slice(e.text.as_bytes());
        at = e.end;
    }
    text.extend_from_slice(&src[at..]);
    findings.sort_by_key(|f| f.line);
    findings.dedup();
    Ported {
        text,
        changes,
        findings,
    }
}

/// One line per changed line of the original: its text before and after the edits that
/// start on it.
fn describe(s: &Source<'_>, edits: &[Edit]) -> Vec<Change> {
    let mut out: Vec<Change> = Vec::new();
    let mut k = 0;
    while k < edits.len() {
        let e = &edits[k];
        let at_line_start = e.start == 0 || s.src[e.start - 1] == b'\n';
        if e.start == e.end && at_line_start && e.text.ends_with('\n') {
            // Whole lines added before a line.
            let line = 1 + s.src[..e.start].iter().filter(|&&b| b == b'\n').count();
            out.extend(e.text.lines().map(|l| Change {
                line,
                old: String::new(),
                new: l.to_owned(),
            }));
            k += 1;
            continue;
        }
        let (ls, le) = s.line_of(edits[k].start.min(s.src.len().saturating_sub(1)));
        let ls = if edits[k].start > le {
            edits[k].start
        } else {
            ls
        };
        let mut group = Vec::new();
        while k < edits.len() && edits[k].start >= ls && edits[k].start <= le.max(ls) {
            group.push(&edits[k]);
            k += 1;
        }
        let end = group.iter().map(|e| e.end).max().unwrap_or(le).max(le);
        let old = &s.src[ls..end];
        let mut new = Vec::new();
        let mut at = ls;
        for e in group {
            new.extend_from_slice(&s.src[at..e.start.max(at)]);
            new.extend_from_slice(e.text.as_bytes());
            at = e.end.max(at);
        }
        new.extend_from_slice(&s.src[at..end]);
        let show = |b: &[u8]| {
            let t = String::from_utf8_lossy(b);
            let lines: Vec<&str> = t.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
            if lines.is_empty() {
                "(removed)".to_owned()
            } else {
                lines.join(" ⏎ ")
            }
        };
        let line = 1 + s.src[..ls].iter().filter(|&&b| b == b'\n').count();
        out.push(Change {
            line,
            old: show(old),
            new: show(&new),
        });
    }
    out
}

fn is_source(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.contains(&e))
}

/// Every source and CMake file under `path`, sorted; symbolic links to directories are
/// not followed (they could loop).
fn collect(path: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(path)?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            let name = e.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') {
                continue;
            }
            collect(&e, out)?;
        }
    } else if std::fs::metadata(path)?.is_file() && (is_source(path) || cmake::is_cmake(path)) {
        out.push(path.to_owned());
    }
    Ok(())
}

/// Replaces the contents of `path` (of the file a symbolic link points to) with `bytes`
/// by writing a new file beside it and renaming it over the old one: an interrupted run
/// leaves the old file or the new one, never a part of either. The permissions carry over.
fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let real = std::fs::canonicalize(path)?;
    let name = real.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let fresh = real.with_file_name(format!(".{name}.interproc-port.{}", std::process::id()));
    let written = std::fs::write(&fresh, bytes)
        .and_then(|()| std::fs::set_permissions(&fresh, std::fs::metadata(&real)?.permissions()))
        .and_then(|()| std::fs::rename(&fresh, &real));
    if written.is_err() {
        let _ = std::fs::remove_file(&fresh);
    }
    written
}

struct Options {
    check: bool,
    include_dirs: Vec<PathBuf>,
    paths: Vec<PathBuf>,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut o = Options {
        check: false,
        include_dirs: Vec::new(),
        paths: Vec::new(),
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--check" => o.check = true,
            "-I" | "--include-dir" => {
                let dir = it.next().ok_or(format!("{a} needs a directory"))?;
                o.include_dirs.push(dir.into());
            }
            _ if a.starts_with("--include-dir=") => {
                o.include_dirs.push(a["--include-dir=".len()..].into())
            }
            _ if a.starts_with("-I") => o.include_dirs.push(a[2..].into()),
            _ if a.starts_with('-') && a != "-" => return Err(format!("unknown option {a}")),
            _ => o.paths.push(a.into()),
        }
    }
    if o.paths.is_empty() {
        return Err("no PATH given".into());
    }
    Ok(o)
}

/// Runs `interproc port` with the arguments after `port`.
pub fn main(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let opts = match parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("interproc port: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut files = Vec::new();
    for p in &opts.paths {
        if let Err(e) = collect(p, &mut files) {
            eprintln!("interproc port: {}: {e}", p.display());
            return ExitCode::from(2);
        }
    }
    let mut headers = search::Headers::new(opts.include_dirs.clone());
    let (mut changed_files, mut changed_lines, mut reports) = (0, 0, 0);
    for file in &files {
        let shown = file.display();
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("interproc port: {shown}: {e}");
                return ExitCode::from(2);
            }
        };
        let findings = if cmake::is_cmake(file) {
            cmake::report(&String::from_utf8_lossy(&bytes))
        } else {
            let ported = port_source(&bytes, &mut |h| headers.installed(h));
            for c in &ported.changes {
                if c.old.is_empty() {
                    println!("{shown}:{}: + {}", c.line, c.new);
                } else {
                    println!("{shown}:{}: {} → {}", c.line, c.old, c.new);
                }
            }
            if ported.text != bytes {
                changed_files += 1;
                changed_lines += ported.changes.len();
                if !opts.check {
                    if let Err(e) = replace_file(file, &ported.text) {
                        eprintln!("interproc port: writing {shown}: {e}");
                        return ExitCode::from(2);
                    }
                }
            }
            ported.findings
        };
        for f in &findings {
            println!("{shown}:{}: note: {}", f.line, f.message);
        }
        reports += findings.len();
    }
    let verb = if opts.check {
        "would change"
    } else {
        "changed"
    };
    println!(
        "{} files scanned; {verb} {changed_lines} lines in {changed_files} files; {reports} notes",
        files.len()
    );
    if opts.check && changed_files > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests;
