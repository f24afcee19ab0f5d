#!/usr/bin/env bash
# Miri over the parts of the library it can run: the segment heap (TLSF allocator over
# offsets, unit tests in src/segment/heap.rs) and the shared layouts. Needs a nightly
# toolchain with the miri and rust-src components:
#
#   rustup toolchain install nightly --component miri,rust-src
#   scripts/miri.sh
#
# Everything that maps shared memory, forks, or initialises a process-shared robust pthread
# mutex (pthread_mutexattr_setpshared) is beyond what Miri emulates, so managed segments
# and queues are not run here; tests/fuzz_corpus.rs's segment_seeds_in_process is ready
# for the day the segment lock is built on atomics and futexes only (which Miri runs):
#   cargo +nightly miri test --test fuzz_corpus segment_seeds_in_process
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}/miri cargo +nightly miri test --lib -- \
  segment::heap segment::manager::tests mq::tests
echo "Miri run: $(( $(date +%s) - start )) s"
