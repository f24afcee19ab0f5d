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

for bench in managed_bench; do
  g++ -std=c++17 -O2 -DNDEBUG -Iinclude "benches/$bench.cpp" -o "$out/${bench}_interproc" \
      -L"$lib" -linterproc -Wl,-rpath,"$lib"
  g++ -std=c++17 -O2 -DNDEBUG -DBENCH_BOOST "benches/$bench.cpp" -o "$out/${bench}_boost" -lrt -lpthread
  "$out/${bench}_boost" "$scale" > "$out/${bench}_boost.txt"
  "$out/${bench}_interproc" "$scale" > "$out/${bench}_interproc.txt"
  echo "| $bench | Boost 1.74 | interproc | interproc / Boost |"
  echo "| --- | ---: | ---: | ---: |"
  paste -d" " "$out/${bench}_boost.txt" <(cut -d" " -f2 "$out/${bench}_interproc.txt") |
    awk '{ unit = ($1 ~ /^bytes/) ? " B" : " ns"; printf "| %s | %.1f%s | %.1f%s | %.2f |\n", $1, $2, unit, $3, unit, $3 / $2 }'
done
