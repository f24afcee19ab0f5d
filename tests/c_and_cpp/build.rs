//! How `tests/c_and_cpp.rs` builds and runs C and C++ programs: which compilers and
//! standards (the matrix), a pool that keeps at most one compiler per CPU busy across the
//! whole test binary, object files reused while their sources and headers are unchanged,
//! and running a program with a time limit.
//!
//! By default one compiler (gcc/g++) and one standard (C17, C++17) build every program once.
//! `INTERPROC_FULL=1` (set by `.ci/run`) builds them under gcc/g++ and clang/clang++ (when
//! installed), C11 and C17, C++17 and C++20, checks every header under both compilers and
//! both standards, and builds the Boost originals beside their ports.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

const RUN_LIMIT: Duration = Duration::from_secs(120);

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `INTERPROC_FULL` asks for the whole matrix (any value but empty or `0`).
pub fn full() -> bool {
    std::env::var_os("INTERPROC_FULL").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The C standards to build with.
pub fn c_standards() -> &'static [&'static str] {
    if full() { &["c11", "c17"] } else { &["c17"] }
}

/// The C++ standards to build with.
pub fn cpp_standards() -> &'static [&'static str] {
    if full() {
        &["c++17", "c++20"]
    } else {
        &["c++17"]
    }
}

fn installed(cmd: &str) -> bool {
    Command::new(cmd)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// (C compiler, C++ compiler) pairs to build with: gcc/g++, and under `INTERPROC_FULL`
/// clang/clang++ too when installed.
pub fn toolchains() -> Vec<(&'static str, &'static str)> {
    let mut v = vec![("gcc", "g++")];
    if !full() {
        return v;
    }
    if installed("clang") && installed("clang++") {
        v.push(("clang", "clang++"));
    } else {
        eprintln!("note: clang/clang++ not installed; building with gcc/g++ only");
    }
    v
}

use crate::common::lib_dir;
pub use crate::common::link_dir;

/// A build directory; sanitized builds keep their own, so switching between them and plain
/// builds reuses both sets of objects.
pub fn out_dir(sub: &str) -> PathBuf {
    let flavour = match std::env::var("INTERPROC_SANITIZE") {
        Ok(s) if !s.is_empty() => format!("sanitize-{}", s.replace(',', "-")),
        _ => "plain".to_string(),
    };
    let d = lib_dir().join("ctests").join(flavour).join(sub);
    std::fs::create_dir_all(&d).expect("creating the build directory");
    d
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

/// The files of `dir` (relative to the repository) ending in `.ext`, sorted.
pub fn sources(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .expect("listing sources")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    v.sort();
    v
}

pub fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
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

/// Compiler slots shared by every test function of this binary (cargo runs them on
/// parallel threads): at most one compiler per available CPU at a time.
struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

fn slots() -> &'static Slots {
    static SLOTS: OnceLock<Slots> = OnceLock::new();
    SLOTS.get_or_init(|| Slots {
        free: Mutex::new(jobs()),
        freed: Condvar::new(),
    })
}

/// How many compilers run at once.
fn jobs() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// Runs `cmd` once a compiler slot is free.
pub fn run_compiler(cmd: &mut Command) -> std::io::Result<Output> {
    let s = slots();
    {
        let mut free = s.free.lock().unwrap();
        while *free == 0 {
            free = s.freed.wait(free).unwrap();
        }
        *free -= 1;
    }
    let out = cmd.output();
    *s.free.lock().unwrap() += 1;
    s.freed.notify_one();
    out
}

/// `f` over every item, on up to one worker per CPU; results in the items' order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs().min(items.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.expect("every item was processed"))
        .collect()
}

/// The files a depfile written by `-MMD -MF` lists (the target before the colon aside).
fn depfile_inputs(text: &str) -> Vec<PathBuf> {
    let joined = text.replace("\\\n", " ");
    let Some((_, deps)) = joined.split_once(": ") else {
        return Vec::new();
    };
    deps.split_whitespace().map(PathBuf::from).collect()
}

/// Whether `product` was made by `command` from inputs none of which changed since: the
/// command line is recorded beside it (`.cmd`), its inputs in its depfile (`.d`).
fn up_to_date(product: &Path, command: &str) -> bool {
    let (Ok(made), Ok(cmd), Ok(deps)) = (
        std::fs::metadata(product).and_then(|m| m.modified()),
        std::fs::read_to_string(product.with_extension("cmd")),
        std::fs::read_to_string(product.with_extension("d")),
    ) else {
        return false;
    };
    let inputs = depfile_inputs(&deps);
    cmd == command
        && !inputs.is_empty()
        && inputs.iter().all(|p| {
            std::fs::metadata(p)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t <= made)
        })
}

/// Runs the compiler `compiler` with `args`, which make `product` (an object file, or a
/// stamp for a syntax check when `stamp` is set), unless `product` is up to date; the
/// compiler also writes the depfile that says so next time. Returns the compiler's
/// complaint.
pub fn cached_compile(
    compiler: &str,
    args: &[OsString],
    product: &Path,
    stamp: bool,
) -> Result<(), String> {
    let depfile = product.with_extension("d");
    let mut cmd = Command::new(compiler);
    cmd.args(args).arg("-MMD").arg("-MF").arg(&depfile);
    if !stamp {
        cmd.arg("-o").arg(product);
    }
    let line = format!("{cmd:?}");
    if up_to_date(product, &line) {
        return Ok(());
    }
    let _ = std::fs::remove_file(product.with_extension("cmd"));
    let out = run_compiler(&mut cmd).map_err(|e| format!("cannot run {compiler}: {e}"))?;
    if !out.status.success() {
        return Err(format!("{line}:\n{}", String::from_utf8_lossy(&out.stderr)));
    }
    if stamp {
        std::fs::write(product, b"").map_err(|e| e.to_string())?;
    }
    std::fs::write(product.with_extension("cmd"), &line).map_err(|e| e.to_string())
}

/// Compiles `src` into `exe` with `compiler` and `std` (`-Wall -Wextra -Werror`), reusing
/// the object file while `src` and what it includes are unchanged, and links it against
/// the freshly built library; returns the compiler's complaint.
pub fn compile(
    compiler: &str,
    std: &str,
    src: &Path,
    exe: &Path,
    extra: &[String],
) -> Result<(), String> {
    let mut args: Vec<OsString> = vec![format!("-std={std}").into()];
    args.extend(["-Wall", "-Wextra", "-Werror", "-O1"].map(OsString::from));
    args.extend(sanitize_flags().into_iter().map(OsString::from));
    args.extend([
        "-I".into(),
        root().join("include").into(),
        "-I".into(),
        root().join("ctests").into(),
        "-c".into(),
        src.into(),
    ]);
    args.extend(extra.iter().map(OsString::from));
    let obj = exe.with_extension("o");
    cached_compile(compiler, &args, &obj, false)?;
    let lib = link_dir();
    let mut link = Command::new(compiler);
    let tsan = tsan_runtime();
    if tsan.is_none() {
        link.args(sanitize_flags());
    }
    link.arg(&obj).arg("-o").arg(exe);
    if let Some(rt) = &tsan {
        // Link the Rust toolchain's runtime in place of the compiler's, exporting it so
        // that the library's calls resolve to it.
        link.arg("-Wl,--whole-archive")
            .arg(rt)
            .arg("-Wl,--no-whole-archive")
            .arg("-Wl,--export-dynamic");
    }
    link.arg(format!("-L{}", lib.display()))
        .arg("-linterproc")
        .arg(format!("-Wl,-rpath,{}", lib.display()));
    if tsan.is_some() {
        link.args(["-lpthread", "-ldl", "-lm", "-lrt"]);
    }
    let out = run_compiler(&mut link).map_err(|e| format!("cannot run {compiler}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{compiler} -std={std} {} (link):\n{}",
            src.display(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Runs `exe` in `cwd` with a time limit; returns (success, stdout, stderr).
pub fn run(exe: &Path, cwd: &Path) -> (bool, String, String) {
    let mut child = Command::new(exe)
        // Leak checking is off: the multi-process tests kill children and let them exit
        // mid-way by design. AddressSanitizer's and UBSan's other checks stay on.
        .env("ASAN_OPTIONS", "detect_leaks=0")
        .env("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        // This build's library: `cargo test` puts the target directory, whose copy only
        // `cargo build` refreshes, first in `LD_LIBRARY_PATH`, ahead of the programs' rpath.
        .env("LD_LIBRARY_PATH", crate::common::link_dir())
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

#[test]
fn depfiles_are_read_with_their_continuations() {
    let text = "x.o: /a/x.c /a/one.h \\\n /a/two.h\n";
    assert_eq!(
        depfile_inputs(text),
        ["/a/x.c", "/a/one.h", "/a/two.h"].map(PathBuf::from)
    );
    assert!(depfile_inputs("garbage").is_empty());
}
