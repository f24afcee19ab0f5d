#!/usr/bin/env bash
# Builds the benchmarks against interproc (release) and Boost.Interprocess (headers from
# libboost-dev), runs them one after the other, and prints a Markdown table of ratios.
# Usage: benches/run.sh [scale]   (scale multiplies the operation counts; default 1)
#        benches/run.sh --chart VALUES > chart.svg
# Each pair of programs runs RUNS times (default 3), Boost and interproc alternating, and
# every figure is the median of its runs: on a shared machine one run of either side can
# land on a bad moment. A ratio is the median of the runs' ratios, with their range. Every figure is also written to target/bench/values.txt
# ("bench case boost interproc unit"), and the last step draws target/bench/ratios.svg
# from it: interproc / Boost per case (docs/benchmarks.svg is one such chart). --chart
# draws the chart of a values file alone.
set -euo pipefail
cd "$(dirname "$0")/.."

# Writes an SVG bar chart of interproc / Boost per case, on a logarithmic axis, from the
# values file $1. Rows in msg/s are drawn as time per message (Boost / interproc), so that
# for every bar below 1 interproc is faster (or, for bytes, smaller).
chart() {
  awk '
    function x(r) { return left + (log(r) - log(lo)) / (log(hi) - log(lo)) * width }
    { bench[n] = $1; name[n] = $2
      r = ($5 == "msg/s") ? $3 / $4 : $4 / $3
      if (r < lo) r = lo
      ratio[n] = r; unit[n] = $5; n++ }
    BEGIN { lo = 0.001; hi = 10; left = 330; width = 560; row = 18; top = 50 }
    END {
      h = top + n * row + 60
      printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n", left + width + 60, h
      printf "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
      printf "<text x=\"10\" y=\"20\" font-size=\"14\">interproc / Boost.Interprocess 1.74, per case (log scale; below 1: interproc faster or smaller)</text>\n"
      for (t = lo; t <= hi * 1.001; t *= 10) {
        printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>\n", x(t), top - 8, x(t), top + n * row
        printf "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%g</text>\n", x(t), top + n * row + 14, t
      }
      printf "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n", x(1), top - 8, x(1), top + n * row
      for (i = 0; i < n; i++) {
        y = top + i * row
        label = bench[i] ": " name[i] (unit[i] == "msg/s" ? " (time per message)" : "")
        printf "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 6, y + 9, label
        a = x(ratio[i] < 1 ? ratio[i] : 1); b = x(ratio[i] < 1 ? 1 : ratio[i])
        printf "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", a, y, b - a, row - 5, ratio[i] < 1 ? "#3a7" : "#c54"
        printf "<text x=\"%.1f\" y=\"%d\">%.3g</text>\n", b + 4, y + 9, ratio[i]
      }
      printf "<text x=\"10\" y=\"%d\" fill=\"#555\">%s</text>\n", h - 16, caption
      printf "</svg>\n"
    }' caption="${CHART_CAPTION:-}" "$1"
}

if [ "${1:-}" = --chart ]; then
  chart "$2"
  exit
fi

scale="${1:-1}"
runs="${RUNS:-3}"
out=target/bench
mkdir -p "$out"
: > "$out/values.txt"
cargo build --release --lib -q
lib="${CARGO_TARGET_DIR:-$PWD/target}/release"
[ -e "$lib/libinterproc.so.0" ] || ln -sf libinterproc.so "$lib/libinterproc.so.0"

# Prints "name value" with, for each line, the median value over the files $1.<run>.txt
# (every run prints the same names in the same order).
median_of() {
  range_of "$1" | cut -d" " -f1,2
}

# Prints "name median min max" with, for each line, the ratio of the value in $2.<run>.txt
# to the value in $1.<run>.txt, run by run (the two files of a run were measured one right
# after the other).
ratio_range() {
  local files=()
  for r in $(seq "$runs"); do files+=("$1.$r.txt" "$2.$r.txt"); done
  paste -d" " "${files[@]}" |
    awk '{ n = 0; for (i = 2; i <= NF; i += 4) v[n++] = ($i + 0 > 0) ? $(i + 2) / $i : 0;
           for (i = 1; i < n; i++) for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
             t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
           print $1, v[int(n / 2)], v[0], v[n - 1] }'
}

# Prints "name median min max" of the values in $1.<run>.txt over the runs.
range_of() {
  local files=()
  for r in $(seq "$runs"); do files+=("$1.$r.txt"); done
  paste -d" " "${files[@]}" |
    awk '{ n = 0; for (i = 2; i <= NF; i += 2) v[n++] = $i + 0;
           for (i = 1; i < n; i++) for (j = i; j > 0 && v[j - 1] > v[j]; j--) {
             t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
           print $1, v[int(n / 2)], v[0], v[n - 1] }'
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
  ratio_range "$out/${bench}_boost" "$out/${bench}_interproc" > "$out/${bench}_ratio.txt"
  echo "| $bench | Boost 1.74 | interproc | interproc / Boost (range over $runs runs) |"
  echo "| --- | ---: | ---: | ---: |"
  if [ "$bench" = sync_bench ]; then
    # Uncontended lock+unlock: both libraries in one process, in alternating rounds.
    g++ -std=c++17 -O2 -DNDEBUG -Iinclude benches/lock_bench.cpp -o "$out/lock_bench" \
        -L"$lib" -linterproc -Wl,-rpath,"$lib" -lrt -lpthread
    "$out/lock_bench" "$scale" | awk '{ print "sync_bench", $1, $2, $3, "ns" }' |
      tee -a "$out/values.txt" |
      awk '{ printf "| %s | %.1f ns | %.1f ns | %.2f |\n", $2, $3, $4, $4 / $3 }'
  fi
  paste -d" " "$out/${bench}_boost.txt" <(cut -d" " -f2 "$out/${bench}_interproc.txt") \
        <(cut -d" " -f2- "$out/${bench}_ratio.txt") |
    awk -v bench="$bench" '{ unit = ($1 ~ /^bytes/) ? "B" : ($1 ~ /per_s$/) ? "msg/s" : "ns";
           print bench, $1, $2, $3, unit, $4, $5, $6 }' |
    tee -a "$out/values.txt" |
    awk '{ printf "| %s | %.1f %s | %.1f %s | %.2f (%.2f–%.2f) |\n", $2, $3, $5, $4, $5, $6, $7, $8 }'
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

# Cross-CPU round trips as multiples of the floor (two processes spinning on one cache
# line), each program measuring its floor in blocks alternating with its waits.
echo
for impl in interproc boost; do
  if [ $impl = boost ]; then flags=(-DBENCH_BOOST -lpthread); else flags=(-Iinclude -L"$lib" -linterproc -Wl,-rpath,"$lib"); fi
  g++ -std=c++17 -O2 -DNDEBUG benches/floor_bench.cpp -o "$out/floor_bench_$impl" "${flags[@]}" -lrt
done
for r in $(seq "$runs"); do
  "$out/floor_bench_boost" "$scale" > "$out/floor_bench_boost.$r.txt"
  "$out/floor_bench_interproc" "$scale" > "$out/floor_bench_interproc.$r.txt"
done
if [ -s "$out/floor_bench_interproc.1.txt" ]; then
  range_of "$out/floor_bench_boost" > "$out/floor_bench_boost_range.txt"
  range_of "$out/floor_bench_interproc" > "$out/floor_bench_interproc_range.txt"
  echo "| round trip across CPUs | Boost 1.74 | interproc | Boost / floor (range) | interproc / floor (range) |"
  echo "| --- | ---: | ---: | ---: | ---: |"
  paste -d" " "$out/floor_bench_boost_range.txt" <(cut -d" " -f2- "$out/floor_bench_interproc_range.txt") |
    awk '{ v[$1] = $2; w[$1] = $5; vl[$1] = $3; vh[$1] = $4; wl[$1] = $6; wh[$1] = $7 }
         END { printf "| floor (one cache line) | %.0f ns | %.0f ns | 1 | 1 |\n", v["floor_2cpu"], w["floor_2cpu"]
               split("queue sem cond queue1 queue8", k, " ")
               for (i = 1; i <= 5; i++) {
                 f = k[i] "_2cpu_x_floor"
                 printf "| %s | %.0f ns | %.0f ns | %.1f (%.1f–%.1f) | %.1f (%.1f–%.1f) |\n", k[i], v[k[i] "_2cpu"],
                        w[k[i] "_2cpu"], v[f], vl[f], vh[f], w[f], wl[f], wh[f] } }'
fi

# The bound under any queue built on slots in shared memory: a bare ring of slots between
# the same kind of process pair, as a multiple of the floor (no library involved).
g++ -std=c++17 -O2 -DNDEBUG benches/ring_floor_bench.cpp -o "$out/ring_floor_bench"
echo
echo "| bare ring of slots, 64-byte messages | round trip / floor |"
echo "| --- | ---: |"
"$out/ring_floor_bench" | awk '{ printf "| %s | %.2f |\n", $1, $2 }'

# Online growth (interproc only): a growable segment with room against a fixed one on the
# common path, in one process and alternating rounds; and what one growth step costs.
echo
g++ -std=c++17 -O2 -DNDEBUG -Iinclude benches/growth_bench.cpp -o "$out/growth_bench" \
    -L"$lib" -linterproc -Wl,-rpath,"$lib" -lrt
"$out/growth_bench" "$scale"

CHART_CAPTION="$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, Linux $(uname -r), $(date +%F)" \
  chart "$out/values.txt" > "$out/ratios.svg"
echo
echo "chart: $out/ratios.svg"
