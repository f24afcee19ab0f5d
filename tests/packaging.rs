//! Packaging: the shared library's exported symbols and SONAME, and an install into a
//! temporary prefix used by a separate consumer project three ways (CMake with the shared
//! target, CMake with the static target, a Makefile with pkg-config), in C and C++.
//!
//! The install test needs `cmake`, `make` and `pkg-config`; `.ci/run` installs them. Where
//! they are missing it says so and checks nothing else.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("target dir")
        .to_path_buf()
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn shared_library_exports_only_interproc_symbols_and_has_its_soname() {
    // `cargo test` builds the cdylib into deps/ (see tests/c_and_cpp.rs).
    let so = target_profile_dir().join("deps").join("libinterproc.so");
    let symbols = run(Command::new("nm").args(["-D", "--defined-only"]).arg(&so));
    let names: Vec<&str> = symbols
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    assert!(names.len() > 50, "only {} symbols exported", names.len());
    let foreign: Vec<&&str> = names
        .iter()
        .filter(|n| !n.starts_with("interproc_"))
        .collect();
    assert!(
        foreign.is_empty(),
        "symbols outside interproc_*: {foreign:?}"
    );
    let dynamic = run(Command::new("readelf").arg("-d").arg(&so));
    assert!(
        dynamic.contains("Library soname: [libinterproc.so.0]"),
        "{dynamic}"
    );
}

#[test]
fn installed_package_serves_cmake_and_pkg_config_consumers() {
    if !(have("cmake") && have("make") && have("pkg-config")) {
        eprintln!("note: cmake, make or pkg-config missing; the install test did not run");
        return;
    }
    let work = target_profile_dir().join("packaging");
    let _ = std::fs::remove_dir_all(&work);
    let (build, prefix, consumer) = (
        work.join("build"),
        work.join("prefix"),
        work.join("consumer"),
    );
    // Reuse the workspace's release build so the install costs no second compilation.
    run(Command::new("cmake")
        .arg("-S")
        .arg(root())
        .arg("-B")
        .arg(&build)
        .arg("-DCMAKE_BUILD_TYPE=Release")
        .arg(format!(
            "-DINTERPROC_CARGO_DIR={}",
            root().join("target").display()
        )));
    run(Command::new("cmake").arg("--build").arg(&build));
    run(Command::new("cmake")
        .arg("--install")
        .arg(&build)
        .arg("--prefix")
        .arg(&prefix));

    let lib = prefix.join("lib");
    for f in [
        "libinterproc.so",
        "libinterproc.so.0",
        "libinterproc.a",
        "cmake/interproc/interprocConfig.cmake",
        "cmake/interproc/interprocConfigVersion.cmake",
        "pkgconfig/interproc.pc",
    ] {
        assert!(lib.join(f).exists(), "{f} not installed");
    }
    for f in [
        "interproc.h",
        "interproc.hpp",
        "interproc/managed_shared_memory.hpp",
    ] {
        assert!(prefix.join("include").join(f).exists(), "{f} not installed");
    }
    let usage = run(Command::new(prefix.join("bin/interproc")).arg("help"));
    assert!(usage.contains("usage: interproc"), "{usage}");
    let pc = std::fs::read_to_string(lib.join("pkgconfig/interproc.pc")).unwrap();
    assert!(pc.contains("Libs.private: -lpthread -lrt -ldl -lm"), "{pc}");

    // CMake consumers: shared and static targets, C and C++.
    run(Command::new("cmake")
        .arg("-S")
        .arg(root().join("tests/consumer"))
        .arg("-B")
        .arg(&consumer)
        .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display())));
    run(Command::new("cmake").arg("--build").arg(&consumer));
    for exe in [
        "consumer_c_shared",
        "consumer_cpp_shared",
        "consumer_c_static",
        "consumer_cpp_static",
    ] {
        let out = run(&mut Command::new(consumer.join(exe)));
        assert!(out.starts_with("ok "), "{exe}: {out}");
    }
    let needed = run(Command::new("readelf")
        .arg("-d")
        .arg(consumer.join("consumer_c_shared")));
    assert!(needed.contains("libinterproc.so.0"), "{needed}");
    let needed = run(Command::new("readelf")
        .arg("-d")
        .arg(consumer.join("consumer_c_static")));
    assert!(
        !needed.contains("libinterproc"),
        "the static consumer needs the shared library:\n{needed}"
    );

    // The seed examples build with CMake against the installed package too.
    let examples = work.join("examples");
    run(Command::new("cmake")
        .arg("-S")
        .arg(root().join("examples"))
        .arg("-B")
        .arg(&examples)
        .arg(format!("-DCMAKE_PREFIX_PATH={}", prefix.display())));
    run(Command::new("cmake").arg("--build").arg(&examples));
    assert!(examples.join("003_example_33_1").exists());

    // pkg-config consumer.
    let mk = work.join("make");
    std::fs::create_dir_all(&mk).unwrap();
    for f in ["Makefile", "main.c", "main.cpp"] {
        std::fs::copy(root().join("tests/consumer").join(f), mk.join(f)).unwrap();
    }
    run(Command::new("make")
        .arg("-C")
        .arg(&mk)
        .env("PKG_CONFIG_PATH", lib.join("pkgconfig")));
    for exe in ["consumer_c_pkgconfig", "consumer_cpp_pkgconfig"] {
        let out = run(&mut Command::new(mk.join(exe)));
        assert!(out.starts_with("ok "), "{exe}: {out}");
    }
}
