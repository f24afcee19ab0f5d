//! Builds and runs the C and C++ programs of `ctests/`, checks that every header compiles on
//! its own and when included twice, builds the `ctests/` programs that use only Boost's API
//! against Boost too, and runs the seed examples of `examples/`, comparing their output with
//! what Boost.Interprocess prints.
//!
//! Compilers: `gcc`/`g++` always, `clang`/`clang++` when installed. C++ is built as C++17
//! and C++20, everything with `-Wall -Wextra -Werror`. Programs link the freshly built
//! `libinterproc.so`. `INTERPROC_SANITIZE=address,undefined` (or `thread`) adds
//! `-fsanitize=...` to every build.

mod common;

use common::{lib_dir, link_dir};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUN_LIMIT: Duration = Duration::from_secs(120);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn out_dir(sub: &str) -> PathBuf {
    let d = lib_dir().join("ctests").join(sub);
    std::fs::create_dir_all(&d).expect("creating the build directory");
    d
}

fn installed(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// (C compiler, C++ compiler) pairs present on this machine.
fn toolchains() -> Vec<(&'static str, &'static str)> {
    let mut v = vec![("gcc", "g++")];
    if installed("clang") && installed("clang++") {
        v.push(("clang", "clang++"));
    } else {
        eprintln!("note: clang/clang++ not installed; building with gcc/g++ only");
    }
    v
}

fn sanitize_flags() -> Vec<String> {
    match std::env::var("INTERPROC_SANITIZE") {
        Ok(s) if !s.is_empty() => vec![
            format!("-fsanitize={s}"),
            "-fno-omit-frame-pointer".into(),
            "-g".into(),
        ],
        _ => Vec::new(),
    }
}

fn sources(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .expect("listing sources")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}

/// Under `INTERPROC_SANITIZE=thread`, the ThreadSanitizer runtime of the Rust toolchain
/// (`INTERPROC_TSAN_RUNTIME`, or found through `rustc --print sysroot`). The library is
/// instrumented by the Rust toolchain's LLVM, which calls runtime entry points that the C
/// compilers' older runtimes lack, and those runtimes do not intercept
/// `pthread_mutex_clocklock`, so they miss every timed lock. The programs are therefore
/// instrumented by their compiler but linked with this one runtime (see scripts/tsan.sh).
fn tsan_runtime() -> Option<PathBuf> {
    let sanitize = std::env::var("INTERPROC_SANITIZE").ok()?;
    if !sanitize.split(',').any(|s| s == "thread") {
        return None;
    }
    if let Some(rt) = std::env::var_os("INTERPROC_TSAN_RUNTIME") {
        return Some(rt.into());
    }
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .expect("running rustc --print sysroot");
    let sysroot = String::from_utf8(out.stdout).expect("a sysroot path");
    let rt = Path::new(sysroot.trim())
        .join("lib/rustlib/x86_64-unknown-linux-gnu/lib/librustc-stable_rt.tsan.a");
    assert!(
        rt.exists(),
        "no ThreadSanitizer runtime at {}",
        rt.display()
    );
    Some(rt)
}

fn finish(
    compiler: &str,
    std: &str,
    src: &Path,
    out: std::io::Result<std::process::Output>,
) -> Result<(), String> {
    let out = out.map_err(|e| format!("cannot run {compiler}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{compiler} -std={std} {}:\n{}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Compiles `src` into `exe` with `compiler` and `std`; returns the compiler's complaint.
fn compile(
    compiler: &str,
    std: &str,
    src: &Path,
    exe: &Path,
    extra: &[String],
) -> Result<(), String> {
    let lib = link_dir();
    let mut cc = Command::new(compiler);
    cc.arg(format!("-std={std}"))
        .args(["-Wall", "-Wextra", "-Werror", "-O1"])
        .args(sanitize_flags())
        .arg("-I")
        .arg(root().join("include"))
        .arg("-I")
        .arg(root().join("ctests"))
        .arg(src)
        .args(extra);
    let Some(rt) = tsan_runtime() else {
        let out = cc
            .arg("-o")
            .arg(exe)
            .arg(format!("-L{}", lib.display()))
            .arg("-linterproc")
            .arg(format!("-Wl,-rpath,{}", lib.display()))
            .output();
        return finish(compiler, std, src, out);
    };
    // Instrument, then link the Rust toolchain's runtime in place of the compiler's,
    // exporting it so that the library's calls resolve to it.
    let obj = exe.with_extension("o");
    finish(
        compiler,
        std,
        src,
        cc.arg("-c").arg("-o").arg(&obj).output(),
    )?;
    let out = Command::new(compiler)
        .arg(&obj)
        .arg("-o")
        .arg(exe)
        .arg("-Wl,--whole-archive")
        .arg(rt)
        .arg("-Wl,--no-whole-archive")
        .arg("-Wl,--export-dynamic")
        .arg(format!("-L{}", lib.display()))
        .arg("-linterproc")
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .args(["-lpthread", "-ldl", "-lm", "-lrt"])
        .output();
    finish(compiler, std, src, out)
}

/// Runs `exe` with a time limit; returns (success, stdout, stderr).
fn run(exe: &Path, cwd: &Path) -> (bool, String, String) {
    let mut child = Command::new(exe)
        // Leak checking is off: the multi-process tests kill children and let them exit
        // mid-way by design. AddressSanitizer's and UBSan's other checks stay on.
        .env("ASAN_OPTIONS", "detect_leaks=0")
        .env("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", exe.display()));
    let start = Instant::now();
    // Drain the pipes on threads so a chatty program cannot block on a full pipe.
    let mut so = child.stdout.take().unwrap();
    let mut se = child.stderr.take().unwrap();
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut so, &mut s);
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut se, &mut s);
        s
    });
    let status = loop {
        if let Some(st) = child.try_wait().expect("waiting for a test program") {
            break Some(st);
        }
        if start.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = t_out.join().unwrap_or_default();
    let mut stderr = t_err.join().unwrap_or_default();
    let ok = match status {
        Some(st) => st.success(),
        None => {
            stderr.push_str(&format!(
                "\n*** killed after {RUN_LIMIT:?}: deadlock or hang ***\n"
            ));
            false
        }
    };
    (ok, stdout, stderr)
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Builds every `ctests/*.{ext}` with each compiler and standard, and runs it.
fn build_and_run_all(ext: &str, stds: &[&str]) {
    let mut failures = Vec::new();
    let mut ran = 0;
    for (cc, cxx) in toolchains() {
        let compiler = if ext == "c" { cc } else { cxx };
        for std in stds {
            let dir = out_dir(&format!("{compiler}-{std}"));
            for src in sources("ctests", ext) {
                let exe = dir.join(stem(&src));
                if let Err(e) = compile(compiler, std, &src, &exe, &[]) {
                    failures.push(e);
                    continue;
                }
                let (ok, stdout, stderr) = run(&exe, &dir);
                ran += 1;
                if !ok {
                    failures.push(format!(
                        "{} ({compiler}, {std}) failed\n--- stdout\n{stdout}--- stderr\n{stderr}",
                        src.display()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(ran > 0, "no program was built");
    eprintln!("{ran} {ext} program builds ran and passed");
}

#[test]
fn c_programs() {
    build_and_run_all("c", &["c11", "c17"]);
}

#[test]
fn cpp_programs() {
    build_and_run_all("cpp", &["c++17", "c++20"]);
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

#[test]
fn every_header_compiles_alone_and_twice() {
    let dir = out_dir("headers");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (cc, cxx) in toolchains() {
        for h in headers() {
            let mut builds: Vec<(&str, &str, &str)> =
                vec![(cxx, "c++17", "cpp"), (cxx, "c++20", "cpp")];
            if h.ends_with(".h") {
                builds.push((cc, "c11", "c"));
            }
            for (compiler, std, ext) in builds {
                let tu = dir.join(format!("{}.{ext}", h.replace('/', "_")));
                // A public C++ header also gives what Boost's headers give the programs that
                // include them: assert, operator new, std::size_t, std::move.
                let body = if ext == "cpp"
                    && h.ends_with(".hpp")
                    && !h.split('/').any(|c| c == "detail")
                {
                    "int main() {\n   int x = 1;\n   assert(x);\n   void *p = ::operator new(1);\n   \
                     ::operator delete(p);\n   std::size_t n = std::move(x) - 1;\n   return static_cast<int>(n);\n}\n"
                } else {
                    "int main(void) { return 0; }\n"
                };
                std::fs::write(&tu, format!("#include <{h}>\n#include <{h}>\n{body}"))
                    .expect("writing a translation unit");
                let out = Command::new(compiler)
                    .arg(format!("-std={std}"))
                    .args(["-Wall", "-Wextra", "-Werror", "-fsyntax-only", "-I"])
                    .arg(root().join("include"))
                    .arg(&tu)
                    .output()
                    .expect("running the compiler");
                checked += 1;
                if !out.status.success() {
                    failures.push(format!(
                        "{h} ({compiler} {std}):\n{}",
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
            }
        }
    }
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

/// Builds the examples with `build` and runs them in file-name order (so a writer, `001a`,
/// runs before its reader, `001b`), comparing each output with the recorded Boost output.
fn run_examples(
    label: &str,
    build: impl Fn(&Path, &Path) -> Result<(), String>,
) -> (usize, Vec<String>) {
    let dir = out_dir("examples");
    let mut failures = Vec::new();
    let mut ran = 0;
    remove_seed_objects();
    for src in sources("examples", "cpp") {
        let name = stem(&src);
        let expected_path = root().join("examples/expected").join(format!("{name}.txt"));
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("missing {}", expected_path.display()));
        let needs_boost = std::fs::read_to_string(&src)
            .unwrap()
            .contains("#include <boost/");
        if needs_boost && !boost_installed() {
            eprintln!("note: {name} includes Boost.DateTime, which is not installed; skipped");
            continue;
        }
        let exe = dir.join(format!("{name}_{label}"));
        if let Err(e) = build(&src, &exe) {
            failures.push(format!("{name} ({label}): {e}"));
            continue;
        }
        let (ok, out, err) = run(&exe, &dir);
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

/// The line by which a `ctests/*.cpp` program says it uses only Boost's API.
const PORTED_MARK: &str =
    "// Porting rule: this program also builds against Boost and prints the same.";

/// The C++ programs of `ctests/` that carry `PORTED_MARK`: built again against Boost from
/// the source the porting rule undoes (they still link libinterproc for `check.h`), they
/// must print exactly what their interproc builds print.
#[test]
fn ported_ctests_print_what_boost_prints() {
    if !boost_installed() {
        eprintln!(
            "note: Boost headers not installed; the ported programs were not built against Boost"
        );
        return;
    }
    let dir = out_dir("ported");
    let lib = link_dir();
    let mut failures = Vec::new();
    let mut compared = 0;
    for src in sources("ctests", "cpp") {
        let text = std::fs::read_to_string(&src).unwrap();
        if !text.lines().any(|l| l.trim() == PORTED_MARK) {
            continue;
        }
        let name = stem(&src);
        let exe = dir.join(format!("{name}_interproc"));
        if let Err(e) = compile("g++", "c++17", &src, &exe, &[]) {
            failures.push(e);
            continue;
        }
        let bexe = dir.join(format!("{name}_boost"));
        let bsrc = bexe.with_extension("cpp");
        std::fs::write(&bsrc, boost_source(&text)).unwrap();
        let out = Command::new("g++")
            .args(["-std=c++17", "-O1", "-w", "-I"])
            .arg(root().join("ctests"))
            .arg("-idirafter")
            .arg(root().join("include"))
            .arg(&bsrc)
            .arg("-o")
            .arg(&bexe)
            .arg(format!("-L{}", lib.display()))
            .arg("-linterproc")
            .arg(format!("-Wl,-rpath,{}", lib.display()))
            .args(["-lrt", "-lpthread"])
            .output()
            .expect("running g++");
        if !out.status.success() {
            failures.push(format!(
                "{name}: the Boost build does not compile:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let (ok, got, err) = run(&exe, &dir);
        let (bok, bgot, berr) = run(&bexe, &dir);
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
    if boost_installed() {
        // Build the originals (the porting rule undone) against Boost and hold them to the
        // same recorded output, so the record itself is checked.
        let (bran, bfail) = run_examples("boost", |src, exe| {
            let bsrc = exe.with_extension("cpp");
            std::fs::write(&bsrc, boost_source(&std::fs::read_to_string(src).unwrap())).unwrap();
            let out = Command::new("g++")
                .args(["-std=c++17", "-O1", "-w"])
                .arg(&bsrc)
                .arg("-o")
                .arg(exe)
                .args(["-lrt", "-lpthread"])
                .output()
                .map_err(|e| e.to_string())?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!(
                    "the Boost original does not build:\n{}",
                    String::from_utf8_lossy(&out.stderr)
                ))
            }
        });
        failures.extend(bfail);
        if bran != ran {
            failures.push(format!("{bran} Boost originals ran, {ran} ports"));
        }
    } else {
        eprintln!(
            "note: Boost headers not installed; compared with the recorded Boost output only"
        );
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
