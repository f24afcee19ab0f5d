#!/usr/bin/env bash
# Builds the benchmarks against interproc (release) and Boost.Interprocess (headers from
# libboost-dev), runs them one after the other, and prints a Markdown table of ratios.
# Usage: benches/run.sh [scale]   (scale multiplies the operation counts; default 1)
# Each pair of programs runs RUNS times (default 3), Boost and interproc alternating, and
# every figure is the median of its runs: on a shared machine one run of either side can
# land on a bad moment.
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-1}"
runs="${RUNS:-3}"
out=target/bench
mkdir -p "$out"
cargo build --release --lib -q
lib="${CARGO_TARGET_DIR:-$PWD/target}/release"
[ -e "$lib/libinterproc.so.0" ] || ln -sf libinterproc.so "$lib/libinterproc.so.0"

# Prints "name value" with, for each line, the median value over the files $1.<run>.txt
# (every run prints the same names in the same order).
median_of() {
  local files=()
  for r in $(seq "$runs"); do files+=("$1.$r.txt"); done
  paste -d" " "${files[@]}" |
    awk '{ n = 0; for (i = 2; i <= NF; i += 2) v[n++] = $i + 0;
           for (i = 1; i < n; i++) for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
             t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
           print $1, v[int(n / 2)] }'
}

for bench in managed_bench sync_bench mq_bench containers_bench; do
  g++ -std=c++17 -O2 -DNDEBUG -Iinclude "benches/$bench.cpp" -o "$out/${bench}_interproc" \
      -L"$lib" -linterproc -Wl,-rpath,"$lib" -lrt
  g++ -std=c++17 -O2 -DNDEBUG -DBENCH_BOOST "benches/$bench.cpp" -o "$out/${bench}_boost" -lrt -lpthread
  for r in $(seq "$runs"); do
    "$out/${bench}_boost" "$scale" > "$out/${bench}_boost.$r.txt"
    "$out/${bench}_interproc" "$scale" > "$out/${bench}_interproc.$r.txt"
  done
  median_of "$out/${bench}_boost" > "$out/${bench}_boost.txt"
  median_of "$out/${bench}_interproc" > "$out/${bench}_interproc.txt"
  echo "| $bench | Boost 1.74 | interproc | interproc / Boost |"
  echo "| --- | ---: | ---: | ---: |"
  if [ "$bench" = sync_bench ]; then
    # Uncontended lock+unlock: both libraries in one process, in alternating rounds.
    g++ -std=c++17 -O2 -DNDEBUG -Iinclude benches/lock_bench.cpp -o "$out/lock_bench" \
        -L"$lib" -linterproc -Wl,-rpath,"$lib" -lrt -lpthread
    "$out/lock_bench" "$scale" |
      awk '{ printf "| %s | %.1f ns | %.1f ns | %.2f |\n", $1, $2, $3, $3 / $2 }'
  fi
  paste -d" " "$out/${bench}_boost.txt" <(cut -d" " -f2 "$out/${bench}_interproc.txt") |
    awk '{ unit = ($1 ~ /^bytes/) ? " B" : ($1 ~ /per_s$/) ? " msg/s" : " ns";
           printf "| %s | %.1f%s | %.1f%s | %.2f |\n", $1, $2, unit, $3, unit, $3 / $2 }'
  echo
done

# POSIX message queues (mq_send/mq_receive) for the same ping-pong, beside interproc's.
for r in $(seq "$runs"); do
  "$out/mq_bench_interproc" "$scale" posix > "$out/mq_bench_posix.$r.txt"
done
median_of "$out/mq_bench_posix" > "$out/mq_bench_posix.txt"
echo "| mq ping-pong | POSIX mq | interproc | interproc / POSIX |"
echo "| --- | ---: | ---: | ---: |"
paste -d" " "$out/mq_bench_posix.txt" <(grep pingpong "$out/mq_bench_interproc.txt" | cut -d" " -f2) |
  awk '{ printf "| %s | %.0f ns | %.0f ns | %.2f |\n", $1, $2, $3, $3 / $2 }' 

# Online growth (interproc only): a growable segment with room against a fixed one on the
# common path, in one process and alternating rounds; and what one growth step costs.
echo
g++ -std=c++17 -O2 -DNDEBUG -Iinclude benches/growth_bench.cpp -o "$out/growth_bench" \
    -L"$lib" -linterproc -Wl,-rpath,"$lib" -lrt
"$out/growth_bench" "$scale"
