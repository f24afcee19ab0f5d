//! `interproc port` over a corpus of C++ sources written for Boost.Interprocess in the
//! shapes real code uses (`tests/port_corpus/original`): the tool turns it into exactly
//! `tests/port_corpus/expected`, printing `tests/port_corpus/port_output.txt`; a second run
//! changes nothing; `--check` says whether work is left; and the ported program, built
//! against interproc, prints what the original prints when built against Boost.

mod common;

use common::{lib_dir, link_dir, unique};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/port_corpus")
}

/// Runs `interproc port ARGS` in `dir`: exit code and standard output.
fn port(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_interproc"))
        .arg("port")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("running interproc port");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8 output"),
    )
}

/// Every file under `dir`, by path relative to it.
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(dir).expect("reading the corpus") {
        let path = entry.unwrap().path();
        let rel = PathBuf::from(path.file_name().unwrap());
        if path.is_dir() {
            out.extend(tree(&path).into_iter().map(|(p, b)| (rel.join(p), b)));
        } else {
            out.insert(rel, std::fs::read(&path).unwrap());
        }
    }
    out
}

/// A fresh copy of corpus directory `which` ("original" or "expected") to work on.
fn copy_of(which: &str, tag: &str) -> PathBuf {
    let dir = lib_dir().join("port").join(unique(tag, which));
    let _ = std::fs::remove_dir_all(&dir);
    for (rel, bytes) in tree(&corpus().join(which)) {
        let to = dir.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, bytes).unwrap();
    }
    dir
}

fn assert_same_tree(got: &Path, want: &Path) {
    let (got, want) = (tree(got), tree(want));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &want {
        assert!(
            got[path] == *bytes,
            "{}:\n--- got\n{}\n--- expected\n{}",
            path.display(),
            String::from_utf8_lossy(&got[path]),
            String::from_utf8_lossy(bytes)
        );
    }
}

/// The summary line a run prints last.
fn summary(out: &str) -> &str {
    out.lines().last().unwrap_or("")
}

#[test]
fn ports_the_corpus_to_the_expected_files_and_a_second_run_changes_nothing() {
    let dir = copy_of("original", "once");
    let (code, out) = port(&dir, &["."]);
    assert_eq!(code, 0, "{out}");
    let want = std::fs::read_to_string(corpus().join("port_output.txt")).unwrap();
    assert_eq!(out, want);
    assert_same_tree(&dir, &corpus().join("expected"));

    let (code, again) = port(&dir, &["."]);
    assert_eq!(code, 0, "{again}");
    assert_eq!(
        summary(&again),
        "6 files scanned; changed 0 lines in 0 files; 6 notes"
    );
    // Only the notes are printed again: what the tool cannot port, and CMake.
    assert!(
        again
            .lines()
            .all(|l| l.contains(": note: ") || l == summary(&again)),
        "{again}"
    );
    assert_same_tree(&dir, &corpus().join("expected"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn check_changes_nothing_and_fails_only_while_work_is_left() {
    let dir = copy_of("original", "check");
    let (code, out) = port(&dir, &["--check", "."]);
    assert_eq!(code, 1, "{out}");
    // The same report as a real run, in the conditional.
    let want = std::fs::read_to_string(corpus().join("port_output.txt")).unwrap();
    assert_eq!(out, want.replace("; changed ", "; would change "));
    assert_same_tree(&dir, &corpus().join("original"));
    std::fs::remove_dir_all(&dir).unwrap();

    let dir = copy_of("expected", "check");
    let (code, out) = port(&dir, &["--check", "main.cpp", "store.cpp", "ipc_fwd.hpp"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        summary(&out),
        "3 files scanned; would change 0 lines in 0 files; 0 notes"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_arguments_are_refused_and_change_nothing() {
    let dir = copy_of("original", "bad");
    for args in [
        &["no_such_dir"][..],
        &[][..],
        &["--frobnicate", "."][..],
        &["-I"][..],
    ] {
        let (code, out) = port(&dir, args);
        assert_eq!(code, 2, "{args:?}: {out}");
    }
    assert_same_tree(&dir, &corpus().join("original"));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Boost.Interprocess's own installed headers are the largest body of code in its every
/// shape: porting a copy must not fail, and a second run must find nothing to change.
#[test]
fn porting_boosts_own_headers_is_idempotent() {
    let boost = Path::new("/usr/include/boost/interprocess");
    if !boost.is_dir() {
        eprintln!("skipped: Boost.Interprocess is not installed in /usr/include");
        return;
    }
    let dir = lib_dir().join("port").join(unique("boost", "headers"));
    let _ = std::fs::remove_dir_all(&dir);
    for (rel, bytes) in tree(boost) {
        let to = dir.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::write(to, bytes).unwrap();
    }
    let (code, out) = port(&dir, &["."]);
    assert_eq!(code, 0, "{}", summary(&out));
    assert!(
        !summary(&out).contains("changed 0 lines"),
        "{}",
        summary(&out)
    );
    let (code, out) = port(&dir, &["--check", "."]);
    assert_eq!(code, 0, "second run: {out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A file reached through a symbolic link is rewritten where it is, the link stays a link,
/// and the file keeps its permissions.
#[test]
fn a_linked_file_is_rewritten_in_place_with_its_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = lib_dir().join("port").join(unique("link", "perm"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("real")).unwrap();
    let real = dir.join("real/a.hpp");
    std::fs::write(&real, "boost::interprocess::mapped_region* r;\n").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink(&real, dir.join("a.hpp")).unwrap();
    let (code, out) = port(&dir, &["a.hpp"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        std::fs::read_to_string(&real).unwrap(),
        "interproc::mapped_region* r;\n"
    );
    assert!(
        dir.join("a.hpp")
            .symlink_metadata()
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(real.metadata().unwrap().permissions().mode() & 0o777, 0o640);
    assert_eq!(
        std::fs::read_dir(dir.join("real")).unwrap().count(),
        1,
        "no file left over"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn installed(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Builds `main.cpp` and `store.cpp` of `dir` into `dir/counter` with g++ and `flags`.
fn build(dir: &Path, flags: &[String]) {
    let out = Command::new("g++")
        .current_dir(dir)
        .args([
            "-std=c++17",
            "-O1",
            "main.cpp",
            "store.cpp",
            "-o",
            "counter",
        ])
        .args(flags)
        .output()
        .expect("running g++");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run(dir: &Path, name: &str) -> String {
    let out = Command::new(dir.join("counter"))
        .arg(name)
        // This build's library, ahead of the target directory's copy in cargo's path.
        .env("LD_LIBRARY_PATH", link_dir())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The ported corpus builds against interproc (warnings as errors) and prints what the
/// original prints when built against the installed Boost.
#[test]
fn the_ported_corpus_behaves_as_the_original_does_against_boost() {
    if !installed("g++") || !Path::new("/usr/include/boost/interprocess").is_dir() {
        eprintln!("skipped: needs g++ and Boost.Interprocess in /usr/include");
        return;
    }
    let original = copy_of("original", "boost");
    build(&original, &["-lrt".into(), "-pthread".into()]);
    let ported = copy_of("expected", "interproc");
    let lib = link_dir();
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
    build(
        &ported,
        &[
            "-Wall".into(),
            "-Wextra".into(),
            "-Werror".into(),
            format!("-I{}", include.display()),
            format!("-L{}", lib.display()),
            "-linterproc".into(),
            format!("-Wl,-rpath,{}", lib.display()),
        ],
    );
    let name = unique("ipt_port", "corpus");
    let boost = run(&original, &name);
    assert!(boost.contains("counter: 5"), "{boost}");
    assert_eq!(run(&ported, &name), boost);
    std::fs::remove_dir_all(&original).unwrap();
    std::fs::remove_dir_all(&ported).unwrap();
}
