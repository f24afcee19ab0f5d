#!/usr/bin/env bash
# Builds the benchmarks against interproc (release) and Boost.Interprocess (headers from
# libboost-dev), runs them one after the other, and prints a Markdown table of ratios.
# Usage: benches/run.sh [scale]   (scale multiplies the operation counts; default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
scale="${1:-1}"
out=target/bench
mkdir -p "$out"
cargo build --release --lib -q
lib="$PWD/target/release"
[ -e "$lib/libinterproc.so.0" ] || ln -sf libinterproc.so "$lib/libinterproc.so.0"

for bench in managed_bench sync_bench mq_bench containers_bench; do
  g++ -std=c++17 -O2 -DNDEBUG -Iinclude "benches/$bench.cpp" -o "$out/${bench}_interproc" \
      -L"$lib" -linterproc -Wl,-rpath,"$lib" -lrt
  g++ -std=c++17 -O2 -DNDEBUG -DBENCH_BOOST "benches/$bench.cpp" -o "$out/${bench}_boost" -lrt -lpthread
  "$out/${bench}_boost" "$scale" > "$out/${bench}_boost.txt"
  "$out/${bench}_interproc" "$scale" > "$out/${bench}_interproc.txt"
  echo "| $bench | Boost 1.74 | interproc | interproc / Boost |"
  echo "| --- | ---: | ---: | ---: |"
  paste -d" " "$out/${bench}_boost.txt" <(cut -d" " -f2 "$out/${bench}_interproc.txt") |
    awk '{ unit = ($1 ~ /^bytes/) ? " B" : ($1 ~ /per_s$/) ? " msg/s" : " ns";
           printf "| %s | %.1f%s | %.1f%s | %.2f |\n", $1, $2, unit, $3, unit, $3 / $2 }'
  echo
done

# POSIX message queues (mq_send/mq_receive) for the same ping-pong, beside interproc's.
"$out/mq_bench_interproc" "$scale" posix > "$out/mq_bench_posix.txt"
echo "| mq ping-pong | POSIX mq | interproc | interproc / POSIX |"
echo "| --- | ---: | ---: | ---: |"
paste -d" " "$out/mq_bench_posix.txt" <(grep pingpong "$out/mq_bench_interproc.txt" | cut -d" " -f2) |
  awk '{ printf "| %s | %.0f ns | %.0f ns | %.2f |\n", $1, $2, $3, $3 / $2 }' 
