#!/usr/bin/env bash
# The loom models of the lock-free algorithms (docs/lock-free.md): the size-class lists and
# the index's sequence lock (src/segment), the robust lock's hand-off (src/os/robust) and the
# message queue's ring (src/mq), every test named loom_*: the library's own functions over
# loom's atomics (the ring's steps written out beside its own), every interleaving up to
# LOOM_MAX_PREEMPTIONS preemptions (default 3) explored under the C11 memory model. Built with `--cfg loom` in a target
# directory of its own, so the main build is not redone; optimised without link-time
# optimisation, which the models do not need and which would double the build.
set -euo pipefail
cd "$(dirname "$0")/.."

export RUSTFLAGS="--cfg loom"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR_LOOM:-target/loom}"
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
export CARGO_PROFILE_RELEASE_DEBUG=0
export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-3}"
cargo test --release --lib loom_ -- --test-threads=2 "$@"
