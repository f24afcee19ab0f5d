#!/usr/bin/env bash
# Runs every example program of examples/ under valgrind memcheck (children too, since
# some examples start themselves again as a child process) against the debug build of
# libinterproc.so. An example fails on any memcheck error, a definite leak, a non-zero exit
# or output that differs from what Boost prints (examples/expected/).
#
#   scripts/valgrind.sh            # needs valgrind, g++ (and libboost-dev for the examples
#                                  # that use Boost.DateTime; they are skipped without it)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
out=$target/valgrind
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }

cargo build --lib --quiet
mkdir -p "$out/lib" "$out/run"
ln -sf "$target/debug/libinterproc.so" "$out/lib/libinterproc.so"
ln -sf "$target/debug/libinterproc.so" "$out/lib/libinterproc.so.0"

# The names the examples use (see SEED_OBJECTS in tests/c_and_cpp.rs).
objects=(MySharedMemory my_shared_memory Boost my_queue MyShm my_mutex my_sem sem.my_sem)
clean() { for o in "${objects[@]}"; do rm -f "/dev/shm/$o"; done; }
clean

passed=0 failed=0 skipped=0
start=$(date +%s)
for src in examples/*.cpp; do
  name=$(basename "$src" .cpp)
  if grep -q '#include <boost/' "$src" && [ ! -f /usr/include/boost/date_time/posix_time/posix_time.hpp ]; then
    echo "skip  $name (Boost.DateTime headers not installed)"
    skipped=$((skipped + 1))
    continue
  fi
  exe=$out/$name
  g++ -std=c++17 -O1 -g -Wall -Wextra -Werror -Wno-unused-variable -I include "$src" -o "$exe" \
    -L"$out/lib" -linterproc -Wl,-rpath,"$out/lib"
  log=$out/$name.log
  status=0
  (cd "$out/run" && valgrind --quiet --error-exitcode=99 --leak-check=full \
      --errors-for-leak-kinds=definite --trace-children=yes --log-file="$log.%p" \
      "$exe" >"$out/$name.out" 2>"$out/$name.err") || status=$?
  cat "$log".* >"$log" 2>/dev/null || true
  rm -f "$log".*
  if [ "$status" -eq 0 ] && diff -q "examples/expected/$name.txt" "$out/$name.out" >/dev/null 2>&1; then
    echo "ok    $name"
    passed=$((passed + 1))
  elif [ "$status" -eq 0 ] && grep -q '<address>' "examples/expected/$name.txt"; then
    # Lines with a printed pointer are compared by tests/c_and_cpp.rs; here only the count.
    if [ "$(wc -l <"examples/expected/$name.txt")" -eq "$(wc -l <"$out/$name.out")" ]; then
      echo "ok    $name"
      passed=$((passed + 1))
    else
      echo "FAIL  $name: output differs"
      failed=$((failed + 1))
    fi
  else
    echo "FAIL  $name (exit $status)"
    sed 's/^/      /' "$log" "$out/$name.err" | head -60
    diff "examples/expected/$name.txt" "$out/$name.out" | head -20 || true
    failed=$((failed + 1))
  fi
done
clean
echo "valgrind memcheck on the examples: $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
