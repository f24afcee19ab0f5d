#!/usr/bin/env bash
# ThreadSanitizer over the C and C++ test programs (ctests/), which drive the library from
# many threads and processes at once.
#
# The library itself must be instrumented too: its locks, conditions, semaphores and queues
# are atomics and futexes, which TSan only sees in instrumented code (uninstrumented, it
# reports false races on everything they protect). That takes unstable rustc flags
# (-Zsanitizer=thread, and -Zbuild-std so that the standard library is instrumented as
# well), enabled on the stable toolchain with RUSTC_BOOTSTRAP=1, and the rust-src
# component. The programs are instrumented by gcc/clang and linked with the Rust
# toolchain's TSan runtime (see tsan_runtime() in tests/c_and_cpp.rs).
#
#   scripts/tsan.sh                 # all C and C++ programs, gcc and clang
#   scripts/tsan.sh c_programs      # only the C ones
set -euo pipefail
cd "$(dirname "$0")/.."

sysroot=$(rustc --print sysroot)
if [ ! -d "$sysroot/lib/rustlib/src/rust/library" ]; then
  echo "installing the rust-src component (needed by -Zbuild-std)"
  rustup component add rust-src
fi

export RUSTC_BOOTSTRAP=1
export RUSTFLAGS="-Zsanitizer=thread"
export INTERPROC_SANITIZE=thread
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/scripts/tsan.supp"
[ $# -gt 0 ] || set -- c_programs cpp_programs
start=$(date +%s)
# --target keeps the flags off build scripts; a target dir of its own keeps the normal
# build untouched.
cargo test -Zbuild-std --target x86_64-unknown-linux-gnu --target-dir target/tsan \
  --test c_and_cpp -- "$@"
echo "ThreadSanitizer run: $(( $(date +%s) - start )) s"
