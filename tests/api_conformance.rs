//! The C++ wrapper against Boost.Interprocess's public API, from the installed Boost headers:
//! every public header path of Boost's has an `interproc/` counterpart, and (with clang++)
//! every public declaration of Boost's is matched by interproc's or listed, with a reason,
//! in `tests/api_allowlist.txt` (see docs/conformance.md). Skipped, with a message, where
//! Boost or clang++ is not installed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BOOST_DIR: &str = "/usr/include/boost/interprocess";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn boost_installed() -> bool {
    Path::new(BOOST_DIR).join("interprocess_fwd.hpp").exists()
}

/// Boost header paths that interproc does not carry, each with why.
const HEADERS_LEFT_OUT: &[(&str, &str)] = &[
    ("detail/", "Boost's internals"),
    ("windows_shared_memory.hpp", "Windows only"),
    ("managed_windows_shared_memory.hpp", "Windows only"),
    ("sync/windows/", "Windows only"),
    (
        "sync/posix/",
        "the POSIX implementation of the public sync classes: only ipcdetail classes",
    ),
    (
        "sync/spin/",
        "the spin-lock implementation of the public sync classes: only ipcdetail classes",
    ),
    (
        "sync/shm/named_",
        "the shared-memory implementation of the named sync classes: only ipcdetail classes",
    ),
];

fn left_out(path: &str) -> Option<&'static str> {
    // Boost 1.74 defines the public named_upgradable_mutex under sync/shm/: that one is kept.
    if path == "sync/shm/named_upgradable_mutex.hpp" {
        return None;
    }
    HEADERS_LEFT_OUT
        .iter()
        .find(|(prefix, _)| {
            path.starts_with(prefix)
                || (prefix.ends_with('/') && path.contains(&format!("/{prefix}")))
        })
        .map(|(_, why)| *why)
}

fn headers_under(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).expect("listing headers") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "hpp") {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

#[test]
fn left_out_headers_are_only_internal_or_windows() {
    assert_eq!(
        left_out("detail/config_begin.hpp"),
        Some("Boost's internals")
    );
    assert_eq!(
        left_out("sync/detail/common_algorithms.hpp"),
        Some("Boost's internals")
    );
    assert_eq!(left_out("sync/windows/mutex.hpp"), Some("Windows only"));
    assert!(left_out("sync/posix/mutex.hpp").is_some());
    assert!(left_out("sync/shm/named_mutex.hpp").is_some());
    assert_eq!(left_out("sync/shm/named_upgradable_mutex.hpp"), None);
    assert_eq!(left_out("containers/pair.hpp"), None);
    assert_eq!(left_out("managed_shared_memory.hpp"), None);
}

/// Every public header of the installed Boost.Interprocess has a counterpart under
/// `include/interproc/`, so the porting rule never leaves an include dangling.
#[test]
fn every_public_boost_header_has_a_counterpart() {
    if !boost_installed() {
        eprintln!("note: Boost.Interprocess is not installed; header paths not compared");
        return;
    }
    let ours = root().join("include/interproc");
    let mut missing = Vec::new();
    let mut checked = 0;
    for h in headers_under(Path::new(BOOST_DIR)) {
        if left_out(&h).is_some() {
            continue;
        }
        checked += 1;
        if !ours.join(&h).exists() {
            missing.push(h);
        }
    }
    assert!(
        missing.is_empty(),
        "public Boost.Interprocess headers with no interproc/ counterpart:\n{}",
        missing.join("\n")
    );
    assert!(checked > 50, "only {checked} Boost headers found");
    eprintln!("{checked} public Boost.Interprocess headers all have an interproc/ counterpart");
}

fn installed(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Every public declaration of Boost.Interprocess (classes, constructors with `explicit`
/// and `noexcept`, member functions and operators, nested types, free functions, enums)
/// is matched by interproc's, or listed with a reason in tests/api_allowlist.txt; and every
/// line of the list still matches a difference.
#[test]
fn every_boost_declaration_is_matched_or_listed() {
    if !boost_installed() || !installed("clang++") || !installed("python3") {
        eprintln!(
            "note: Boost.Interprocess, clang++ or python3 is not installed; API not compared"
        );
        return;
    }
    let out = Command::new("python3")
        .arg(root().join("scripts/api_dump.py"))
        .output()
        .expect("running scripts/api_dump.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "API differences from Boost that tests/api_allowlist.txt does not list (or stale lines):\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let figure = stdout.lines().next().unwrap_or_default();
    assert!(
        figure.contains("declarations matched of"),
        "unexpected output:\n{stdout}"
    );
    eprintln!("{figure}");
}

/// Where Boost.Move is installed, an interproc header makes `boost::move` available (as
/// Boost.Interprocess's headers do); `INTERPROC_NO_BOOST_MOVE` leaves it out.
#[test]
fn boost_move_comes_with_the_headers_unless_opted_out() {
    if !Path::new("/usr/include/boost/move/utility_core.hpp").exists() {
        eprintln!("note: Boost.Move is not installed; nothing to check");
        return;
    }
    let dir = std::env::temp_dir().join(format!("interproc_boost_move_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("creating a scratch directory");
    let src = dir.join("uses_boost_move.cpp");
    std::fs::write(
        &src,
        "#include <interproc/sync/file_lock.hpp>\n\
         int main() {\n   interproc::file_lock a;\n   interproc::file_lock b(boost::move(a));\n   \
         b.swap(a);\n   return 0;\n}\n",
    )
    .expect("writing the program");
    let compiles = |extra: &[&str]| {
        Command::new("g++")
            .args(["-std=c++17", "-fsyntax-only", "-I"])
            .arg(root().join("include"))
            .args(extra)
            .arg(&src)
            .stderr(Stdio::null())
            .status()
            .expect("running g++")
            .success()
    };
    let with = compiles(&[]);
    let without = compiles(&["-DINTERPROC_NO_BOOST_MOVE"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        with,
        "boost::move is not available after an interproc header"
    );
    assert!(
        !without,
        "INTERPROC_NO_BOOST_MOVE did not leave Boost.Move out"
    );
}
