//! Generates the C header from `src/ffi/` with cbindgen.
//!
//! The header is always written to `$OUT_DIR/interproc.h`; a unit test compares it with the
//! committed `include/interproc.h`, so a stale header fails the tests. Set
//! `INTERPROC_WRITE_HEADER=1` to write the committed header as well.

use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let ffi = root.join("src/ffi");
    println!("cargo:rerun-if-changed=src/ffi");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=INTERPROC_WRITE_HEADER");
    // The shared library's ABI name: programs link against libinterproc.so.0.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libinterproc.so.0");

    let mut config =
        cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("reading cbindgen.toml");
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap();
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap();
    let patch = std::env::var("CARGO_PKG_VERSION_PATCH").unwrap();
    config.after_includes = Some(format!(
        "\n/** The version of the interproc headers; `interproc_version()` gives the library's. */\n\
         #define INTERPROC_VERSION_MAJOR {major}\n\
         #define INTERPROC_VERSION_MINOR {minor}\n\
         #define INTERPROC_VERSION_PATCH {patch}\n\
         #define INTERPROC_VERSION_STRING \"{major}.{minor}.{patch}\"\n"
    ));

    // mod.rs declares every area's file; cbindgen follows the `mod` items from there.
    let builder = cbindgen::Builder::new()
        .with_config(config)
        .with_src(ffi.join("mod.rs"));
    let bindings = builder
        .generate()
        .expect("generating the C header with cbindgen");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("interproc.h");
    bindings.write_to_file(&out);
    if std::env::var_os("INTERPROC_WRITE_HEADER").is_some_and(|v| v == "1") {
        std::fs::copy(&out, root.join("include/interproc.h")).expect("writing include/interproc.h");
    }
}
