#!/usr/bin/env bash
# Coverage-guided fuzzing of every target in fuzz/ (libFuzzer through cargo-fuzz), starting
# from the committed corpus. New inputs go to a scratch directory, so the committed corpus
# stays the generated seeds (refresh it with the command in tests/fuzz_corpus.rs).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [address|none]     # defaults: 60, address
#
# AddressSanitizer needs -Zsanitizer, enabled on the stable toolchain with
# RUSTC_BOOTSTRAP=1; `none` builds on plain stable (crashes are then only signals and the
# targets' own checks). A crash stops the run with the input saved under
# fuzz/artifacts/<target>/ and a non-zero exit.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
sanitizer=${2:-address}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
[ "$sanitizer" = none ] || export RUSTC_BOOTSTRAP=1

for target in segment queue; do
  scratch=$(mktemp -d)
  log=$(mktemp)
  status=0
  cargo fuzz run -s "$sanitizer" "$target" "$scratch" "fuzz/corpus/$target" -- \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" || true)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  found=$(find "$scratch" -type f | wc -l)
  seeds=$(find "fuzz/corpus/$target" -type f | wc -l)
  echo "fuzz $target ($sanitizer): ${execs:-?} executions in ${secs} s, $cov, corpus $seeds committed + $found new, exit $status"
  rm -rf "$scratch"
  if [ "$status" -ne 0 ]; then
    grep -v '^#' "$log" | tail -60
    rm -f "$log"
    exit "$status"
  fi
  rm -f "$log"
done
