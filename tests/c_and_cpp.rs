//! Builds and runs the C and C++ programs of `ctests/`, checks that every header compiles on
//! its own and when included twice, runs the seed examples of `examples/` and compares their
//! output with what Boost.Interprocess prints, and (under `INTERPROC_FULL=1`) builds the
//! `ctests/` programs that use only Boost's API and the seed examples against Boost too.
//!
//! By default every program is built once, with gcc/g++ as C17 and C++17, in parallel, with
//! object files reused while their sources are unchanged. `INTERPROC_FULL=1` (which
//! `.ci/run` sets) builds everything under gcc/g++ and clang/clang++, C11 and C17, C++17 and
//! C++20, checks the headers under both, and adds the Boost builds: see `c_and_cpp/build.rs`.
//! Everything is built with `-Wall -Wextra -Werror` and links the freshly built
//! `libinterproc.so`. `INTERPROC_SANITIZE=address,undefined` (or `thread`) adds
//! `-fsanitize=...` to every build.

#[path = "c_and_cpp/build.rs"]
mod build;
mod common;

use build::{
    compile, cpp_standards, full, link_dir, out_dir, parallel_map, root, run, sources, stem,
    toolchains,
};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds every `ctests/*.{ext}` with each compiler and standard of the matrix (in
/// parallel), then runs each build in turn.
fn build_and_run_all(ext: &str, stds: &[&str]) {
    let mut builds = Vec::new();
    for (cc, cxx) in toolchains() {
        let compiler = if ext == "c" { cc } else { cxx };
        for std in stds {
            let dir = out_dir(&format!("{compiler}-{std}"));
            for src in sources("ctests", ext) {
                let exe = dir.join(stem(&src));
                builds.push((compiler, *std, src, exe, dir.clone()));
            }
        }
    }
    let built = parallel_map(&builds, |(compiler, std, src, exe, _)| {
        compile(compiler, std, src, exe, &[])
    });
    let mut failures = Vec::new();
    let mut ran = 0;
    for ((compiler, std, src, exe, dir), built) in builds.iter().zip(built) {
        if let Err(e) = built {
            failures.push(e);
            continue;
        }
        let (ok, stdout, stderr) = run(exe, dir);
        ran += 1;
        if !ok {
            failures.push(format!(
                "{} ({compiler}, {std}) failed\n--- stdout\n{stdout}--- stderr\n{stderr}",
                src.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(ran > 0, "no program was built");
    eprintln!("{ran} {ext} program builds ran and passed");
}

#[test]
fn c_programs() {
    build_and_run_all("c", build::c_standards());
}

#[test]
fn cpp_programs() {
    build_and_run_all("cpp", cpp_standards());
}

fn headers() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).expect("listing headers") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "h" || x == "hpp") {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let base = root().join("include");
    let mut v = Vec::new();
    walk(&base, &base, &mut v);
    v.sort();
    v
}

/// The body of a translation unit that includes a header twice. A public C++ header also
/// gives what Boost's headers give the programs that include them: assert, operator new,
/// std::size_t, std::move.
fn header_check_body(h: &str, ext: &str) -> &'static str {
    if ext == "cpp" && h.ends_with(".hpp") && !h.split('/').any(|c| c == "detail") {
        "int main() {\n   int x = 1;\n   assert(x);\n   void *p = ::operator new(1);\n   \
         ::operator delete(p);\n   std::size_t n = std::move(x) - 1;\n   return static_cast<int>(n);\n}\n"
    } else {
        "int main(void) { return 0; }\n"
    }
}

#[test]
fn every_header_compiles_alone_and_twice() {
    let dir = out_dir("headers");
    let mut checks = Vec::new();
    for (cc, cxx) in toolchains() {
        for h in headers() {
            for std in cpp_standards() {
                checks.push((cxx, *std, "cpp", h.clone()));
            }
            if h.ends_with(".h") {
                checks.push((cc, "c11", "c", h.clone()));
            }
        }
    }
    let results = parallel_map(&checks, |(compiler, std, ext, h)| {
        let tu = dir.join(format!("{}-{compiler}-{std}.{ext}", h.replace('/', "_")));
        let body = format!(
            "#include <{h}>\n#include <{h}>\n{}",
            header_check_body(h, ext)
        );
        write_if_changed(&tu, &body);
        let args = [
            format!("-std={std}"),
            "-Wall".into(),
            "-Wextra".into(),
            "-Werror".into(),
            "-fsyntax-only".into(),
            "-I".into(),
            root().join("include").display().to_string(),
            tu.display().to_string(),
        ]
        .map(Into::into);
        build::cached_compile(compiler, &args, &tu.with_extension("ok"), true)
            .map_err(|e| format!("{h} ({compiler} {std}): {e}"))
    });
    let checked = results.len();
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 10, "only {checked} header builds");
    eprintln!("{checked} header builds passed");
}

/// The names the seed programs use; removed before and after each one.
const SEED_OBJECTS: &[&str] = &[
    "MySharedMemory",
    "my_shared_memory",
    "Boost",
    "my_queue",
    "MyShm",
    "my_mutex",
    "my_sem",
    // Boost's named_semaphore is a POSIX semaphore: /dev/shm/sem.<name>.
    "sem.my_sem",
];

fn remove_seed_objects() {
    for n in SEED_OBJECTS {
        interproc::SharedMemoryObject::remove(n);
    }
}

/// Whether an expected line matches an actual one: `<address>` in the expected text stands
/// for a pointer printed by the program (`0x` and hex digits).
fn line_matches(expected: &str, actual: &str) -> bool {
    match expected.split_once("<address>") {
        None => expected == actual,
        Some((pre, post)) => {
            let Some(rest) = actual.strip_prefix(pre) else {
                return false;
            };
            let Some(hex) = rest.strip_prefix("0x") else {
                return false;
            };
            let digits = hex.chars().take_while(char::is_ascii_hexdigit).count();
            digits > 0 && line_matches(post, &hex[digits..])
        }
    }
}

fn outputs_match(expected: &str, actual: &str) -> bool {
    let e: Vec<&str> = expected.lines().collect();
    let a: Vec<&str> = actual.lines().collect();
    e.len() == a.len() && e.iter().zip(&a).all(|(e, a)| line_matches(e, a))
}

/// The inverse of the porting rule: the program as it was written for Boost.
fn boost_source(ported: &str) -> String {
    ported
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("#include") {
                l.replace("<interproc/", "<boost/interprocess/")
            } else {
                replace_word(l, "interproc", "boost::interprocess")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The `.hpp` headers a program includes with quotes: the ones of `ctests/` written in
/// interproc's C++ names, which a Boost build needs undone too.
fn local_cpp_includes(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("#include \""))
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.ends_with(".hpp"))
        .map(str::to_string)
        .collect()
}

/// Replaces `word` where it is a whole identifier (so `interprocess_mutex` stays).
fn replace_word(line: &str, word: &str, with: &str) -> String {
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find(word) {
        let before = rest[..i].chars().next_back().is_some_and(ident)
            || (i == 0 && out.chars().next_back().is_some_and(ident));
        let after = rest[i + word.len()..].chars().next().is_some_and(ident);
        out.push_str(&rest[..i]);
        out.push_str(if before || after { word } else { with });
        rest = &rest[i + word.len()..];
    }
    out.push_str(rest);
    out
}

#[test]
fn only_quoted_cpp_headers_are_undone_for_boost() {
    let src = "#include \"check.h\"\n  #include \"every_allocator.hpp\" // seven\n#include <interproc/x.hpp>\n";
    assert_eq!(
        local_cpp_includes(src),
        vec!["every_allocator.hpp".to_string()]
    );
}

#[test]
fn line_matching_handles_addresses() {
    assert!(line_matches("<address>", "0x7f12ab"));
    assert!(line_matches("at <address> ok", "at 0x1 ok"));
    assert!(!line_matches("<address>", "0x"));
    assert!(!line_matches("<address>", "1024"));
    assert!(!line_matches("Boost", "boost"));
    assert!(outputs_match("a\n<address>\n", "a\n0xff\n"));
    assert!(!outputs_match("a\n", "a\nb\n"));
    assert_eq!(
        replace_word(
            "interproc::interprocess_mutex m;",
            "interproc",
            "boost::interprocess"
        ),
        "boost::interprocess::interprocess_mutex m;"
    );
}

fn boost_installed() -> bool {
    Path::new("/usr/include/boost/interprocess/shared_memory_object.hpp").exists()
}

/// Builds the examples with `build` (in parallel) and runs them in file-name order (so a
/// writer, `001a`, runs before its reader, `001b`), comparing each output with the recorded
/// Boost output.
fn run_examples(
    label: &str,
    build: impl Fn(&Path, &Path) -> Result<(), String> + Sync,
) -> (usize, Vec<String>) {
    let dir = out_dir("examples");
    let mut examples = Vec::new();
    for src in sources("examples", "cpp") {
        let name = stem(&src);
        let needs_boost = std::fs::read_to_string(&src)
            .unwrap()
            .contains("#include <boost/");
        if needs_boost && !boost_installed() {
            eprintln!("note: {name} includes Boost.DateTime, which is not installed; skipped");
            continue;
        }
        let exe = dir.join(format!("{name}_{label}"));
        examples.push((name, src, exe));
    }
    let built = parallel_map(&examples, |(_, src, exe)| build(src, exe));
    let mut failures = Vec::new();
    let mut ran = 0;
    remove_seed_objects();
    for ((name, _, exe), built) in examples.iter().zip(built) {
        let expected_path = root().join("examples/expected").join(format!("{name}.txt"));
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("missing {}", expected_path.display()));
        if let Err(e) = built {
            failures.push(format!("{name} ({label}): {e}"));
            continue;
        }
        let (ok, out, err) = run(exe, &dir);
        ran += 1;
        if !ok || !outputs_match(&expected, &out) {
            failures.push(format!(
                "{name} ({label}): exit ok={ok}\n--- expected (Boost's output)\n{expected}--- got\n{out}--- stderr\n{err}"
            ));
        }
    }
    remove_seed_objects();
    (ran, failures)
}

/// Builds `bsrc`, a program as written for Boost, against Boost with g++ (C++17) into
/// `bexe`, with more include directories (`includes`) and libraries (`libs`).
fn build_against_boost(
    bsrc: &Path,
    bexe: &Path,
    includes: &[String],
    libs: &[String],
) -> Result<(), String> {
    let mut args: Vec<std::ffi::OsString> = ["-std=c++17", "-O1", "-w"].map(Into::into).into();
    args.extend(includes.iter().map(Into::into));
    args.extend(["-c".into(), bsrc.into()]);
    let obj = bexe.with_extension("o");
    build::cached_compile("g++", &args, &obj, false)
        .map_err(|e| format!("the Boost build does not compile: {e}"))?;
    let mut link = Command::new("g++");
    link.arg(&obj)
        .arg("-o")
        .arg(bexe)
        .args(libs)
        .args(["-lrt", "-lpthread"]);
    let out = build::run_compiler(&mut link).map_err(|e| format!("cannot run g++: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "the Boost build does not link:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Writes `text` to `path` unless it already holds it, so that an unchanged generated
/// source keeps its time and its object file is reused.
fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).expect("writing a generated source");
    }
}

/// The line by which a `ctests/*.cpp` program says it uses only Boost's API.
const PORTED_MARK: &str =
    "// Porting rule: this program also builds against Boost and prints the same.";

/// The C++ programs of `ctests/` that carry `PORTED_MARK`: built again against Boost from
/// the source the porting rule undoes (they still link libinterproc for `check.h`), they
/// must print exactly what their interproc builds print. Part of `INTERPROC_FULL`.
#[test]
fn ported_ctests_print_what_boost_prints() {
    if !full() {
        eprintln!(
            "note: INTERPROC_FULL is not set; the ported programs were not built against Boost"
        );
        return;
    }
    if !boost_installed() {
        eprintln!(
            "note: Boost headers not installed; the ported programs were not built against Boost"
        );
        return;
    }
    let dir = out_dir("ported");
    let lib = link_dir();
    let mut ported: Vec<(String, PathBuf, PathBuf, PathBuf)> = Vec::new();
    for src in sources("ctests", "cpp") {
        let text = std::fs::read_to_string(&src).unwrap();
        if !text.lines().any(|l| l.trim() == PORTED_MARK) {
            continue;
        }
        let name = stem(&src);
        let bexe = dir.join(format!("{name}_boost"));
        write_if_changed(&bexe.with_extension("cpp"), &boost_source(&text));
        // A C++ header of `ctests/` that the program includes is undone beside the Boost
        // build's source, where its quoted include finds it before the original.
        for header in local_cpp_includes(&text) {
            let original = std::fs::read_to_string(root().join("ctests").join(&header)).unwrap();
            write_if_changed(&dir.join(&header), &boost_source(&original));
        }
        ported.push((
            name.clone(),
            src,
            dir.join(format!("{name}_interproc")),
            bexe,
        ));
    }
    let includes = [
        "-I".to_string(),
        root().join("ctests").display().to_string(),
        "-idirafter".into(),
        root().join("include").display().to_string(),
    ];
    let libs = [
        format!("-L{}", lib.display()),
        "-linterproc".into(),
        format!("-Wl,-rpath,{}", lib.display()),
    ];
    let built = parallel_map(&ported, |(_, src, exe, bexe)| {
        compile("g++", "c++17", src, exe, &[])?;
        build_against_boost(&bexe.with_extension("cpp"), bexe, &includes, &libs)
    });
    let mut failures = Vec::new();
    let mut compared = 0;
    for ((name, _, exe, bexe), built) in ported.iter().zip(built) {
        if let Err(e) = built {
            failures.push(format!("{name}: {e}"));
            continue;
        }
        let (ok, got, err) = run(exe, &dir);
        let (bok, bgot, berr) = run(bexe, &dir);
        compared += 1;
        if !ok || !bok || got != bgot {
            failures.push(format!(
                "{name}: interproc ok={ok}, Boost ok={bok}\n--- interproc\n{got}{err}--- Boost\n{bgot}{berr}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared > 0, "no program carries the porting mark");
    eprintln!("{compared} ported programs print what their Boost builds print");
}

#[test]
fn seed_examples_print_what_boost_prints() {
    // The seed programs keep variables they never read; that warning is theirs, not ours.
    let seed_flags = ["-Wno-unused-variable".to_string()];
    let (ran, mut failures) = run_examples("interproc", |src, exe| {
        compile("g++", "c++17", src, exe, &seed_flags)
    });
    if full() && boost_installed() {
        // Build the originals (the porting rule undone) against Boost and hold them to the
        // same recorded output, so the record itself is checked.
        let (bran, bfail) = run_examples("boost", |src, exe| {
            let bsrc = exe.with_extension("cpp");
            write_if_changed(&bsrc, &boost_source(&std::fs::read_to_string(src).unwrap()));
            build_against_boost(&bsrc, exe, &[], &[])
        });
        failures.extend(bfail);
        if bran != ran {
            failures.push(format!("{bran} Boost originals ran, {ran} ports"));
        }
    } else if full() {
        eprintln!(
            "note: Boost headers not installed; compared with the recorded Boost output only"
        );
    } else {
        eprintln!("note: INTERPROC_FULL is not set; compared with the recorded Boost output only");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(ran > 0, "no example ran");
    eprintln!("{ran} seed examples printed Boost's output");
}

/// A segment whose index policy is `null_index` keeps no names: naming an object on it does
/// not compile (as in Boost, whose null_index has no insert or find), and the compiler says
/// why.
#[test]
fn null_index_refuses_names_at_compile_time() {
    let dir = out_dir("null_index");
    let cases = [
        ("named", "seg.construct<int>(\"x\")(1);"),
        ("unique", "seg.find<int>(interproc::unique_instance);"),
        ("destroy", "seg.destroy<int>(\"x\");"),
    ];
    for (tag, call) in cases {
        let src = dir.join(format!("{tag}.cpp"));
        std::fs::write(
            &src,
            format!(
                "#include <interproc/managed_heap_memory.hpp>\n#include <interproc/indexes/null_index.hpp>\n\
                 #include <interproc/mem_algo/simple_seq_fit.hpp>\n\
                 int main() {{\n   interproc::basic_managed_heap_memory<char, \
                 interproc::simple_seq_fit<interproc::null_mutex_family>, interproc::null_index> seg(4096);\n   \
                 {call}\n   return 0;\n}}\n"
            ),
        )
        .unwrap();
        let out = Command::new("g++")
            .args(["-std=c++17", "-fsyntax-only", "-I"])
            .arg(root().join("include"))
            .arg(&src)
            .output()
            .expect("running g++");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !out.status.success(),
            "{tag}: naming an object on a null_index segment compiled"
        );
        assert!(
            stderr.contains("this segment's index is null_index"),
            "{tag}: the compiler does not say why:\n{stderr}"
        );
    }
}
